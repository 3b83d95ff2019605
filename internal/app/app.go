// Package app holds openiep's use cases: one method per operation, called by the web pages and
// (later) the JSON API. Every method takes the Actor asking, checks it against the access policy
// at one seam (authorize), then reads or changes the store. Nothing here knows about HTTP.
//
// Errors carry an iep.Kind (see iep.KindOf): KindNotFound for a record that does not exist in
// the district (or that the actor may not know exists), KindInvalid for a malformed argument,
// KindForbidden and KindUnauthenticated from the policy, anything else is internal.
//
// Student names, birth dates and notes are never logged; ids are.
package app

import (
	"context"
	"sync"
	"time"

	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// Service runs the use cases over one store. It is safe for concurrent use.
type Service struct {
	db  *store.DB
	now func() time.Time
}

// New returns a Service reading and writing db; now is the clock (UTC), read once per use case
// where a use case needs today.
func New(db *store.DB, now func() time.Time) *Service {
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	return &Service{db: db, now: now}
}

// ActorKind says what kind of party is asking.
type ActorKind string

// The kinds of actor. Only the demo viewer exists until sign-in is built.
const (
	ActorDemoViewer ActorKind = "demo_viewer" // nobody signed in; the demo deployment lets them read
	ActorStaff      ActorKind = "staff"
	ActorGuardian   ActorKind = "guardian"
	ActorStudent    ActorKind = "student" // an adult student who holds their own rights
)

// Actor is who is asking: the kind of party and its id (a staff, guardian or student id; empty
// for the demo viewer), and the client's network address, which the audit trail records (empty
// when unknown).
type Actor struct {
	Kind    ActorKind
	ID      string
	Address string
}

// DemoViewer is the anonymous reader of a demo deployment: the only actor until sign-in and the
// access policy exist.
var DemoViewer = Actor{Kind: ActorDemoViewer}

// Action names what an actor wants to do, for the access policy.
type Action string

// Actions the read use cases ask the policy about.
const (
	ActionListDistricts Action = "list_districts"
	ActionViewDistrict  Action = "view_district"
	ActionViewStudent   Action = "view_student"
)

// authorize is the single seam of the access policy: every use case calls it first with the
// actor, the action and the record's district and student (empty when not about one student).
// Today it admits everyone, since only the demo viewer exists; the policy of internal/access
// (guardian of, on the team of, caseload, school, district) goes here, returning
// iep.ErrUnauthenticated or iep.ErrForbidden, or iep.ErrNotFound where even the existence of the
// record must stay hidden.
func (s *Service) authorize(ctx context.Context, a Actor, act Action, districtID, studentID string) error {
	return nil
}

// Health reports whether the store answers; nil means healthy.
func (s *Service) Health(ctx context.Context) error { return s.db.Ping(ctx) }

// Districts returns the districts the actor may see.
func (s *Service) Districts(ctx context.Context, a Actor) ([]iep.District, error) {
	if err := s.authorize(ctx, a, ActionListDistricts, "", ""); err != nil {
		return nil, err
	}
	return s.db.ListDistricts(ctx)
}

// zones caches time zones by IANA name; LoadLocation reads the zone database each time.
var zones sync.Map // string → *time.Location

func loadLocation(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}
