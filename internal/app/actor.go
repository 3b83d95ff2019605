package app

import (
	"context"
	"slices"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/iep"
)

// ActorKind says what kind of party is asking.
type ActorKind string

// The kinds of actor.
const (
	ActorAnonymous   ActorKind = "anonymous"    // nobody signed in
	ActorStaff       ActorKind = "staff"        // an employee or contractor of the district
	ActorGuardian    ActorKind = "guardian"     // a parent or guardian
	ActorStudent     ActorKind = "student"      // an adult student who holds their own rights
	ActorStateViewer ActorKind = "state_viewer" // a staff account with the state_viewer role: aggregates only
)

// Actor is who is asking, as the signed-in session says (Session): the kind of party, its id
// (a staff, guardian or student id), its district and account, and for staff the roles and
// schools of their staff record. Address is the client's network address, which the audit
// trail records (empty when unknown).
type Actor struct {
	Kind       ActorKind
	ID         string
	DistrictID string // a state viewer's is "" (every district of the deployment)
	AccountID  string
	Roles      []iep.StaffRole
	SchoolIDs  []string
	Address    string
}

// Anonymous is the actor of a request without a session.
var Anonymous = Actor{Kind: ActorAnonymous}

// SignedIn reports whether the actor is someone (not anonymous).
func (a Actor) SignedIn() bool { return a.Kind != ActorAnonymous && a.Kind != "" && a.AccountID != "" }

// HasRole reports whether a staff actor holds role r.
func (a Actor) HasRole(r iep.StaffRole) bool { return slices.Contains(a.Roles, r) }

// principal is the actor as the access policy sees it.
func (a Actor) principal() access.Principal {
	p := access.Principal{ID: a.ID, DistrictID: a.DistrictID, Roles: a.Roles, SchoolIDs: a.SchoolIDs}
	switch a.Kind {
	case ActorStaff:
		p.Kind = access.Staff
	case ActorGuardian:
		p.Kind = access.Guardian
	case ActorStudent:
		p.Kind = access.Student
	case ActorStateViewer:
		p.Kind = access.StateViewer
	default:
		return access.Principal{Kind: access.Anonymous}
	}
	if !a.SignedIn() {
		return access.Principal{Kind: access.Anonymous}
	}
	return p
}

// authorize is the single seam of the access policy (internal/access): every use case calls it
// first with the actor, the action and the record's district and student (empty when the action
// is about the district as a whole). It returns the policy's decision and, when refused, its
// error: iep.ErrUnauthenticated for an anonymous actor (the web asks them to sign in), an error
// of kind NotFound where the actor must not learn that the record exists, else Forbidden.
//
// About one student it loads the policy's facts (store.AccessFacts: four indexed queries) with
// now in the district's time zone, so that the age of majority turns over at local midnight; a
// student who does not exist in the district is not found, for everyone.
func (s *Service) authorize(ctx context.Context, a Actor, act access.Action, districtID, studentID string) (access.Decision, error) {
	if !a.SignedIn() {
		return access.Decision{}, iep.ErrUnauthenticated
	}
	p := a.principal()
	if studentID == "" {
		d := access.DecideDistrict(p, act, districtID)
		return d, d.Err()
	}
	if p.Kind != access.StateViewer && p.DistrictID != districtID {
		// Not even a query: another district's records are not found.
		return access.Decision{Hide: true, Reason: access.ReasonOtherDistrict}, iep.Errorf(iep.KindNotFound, "not found")
	}
	now, err := s.districtNow(ctx, districtID)
	if err != nil {
		return access.Decision{}, err
	}
	f, err := s.db.AccessFacts(ctx, districtID, studentID, now)
	if err != nil {
		return access.Decision{}, err
	}
	d := access.Decide(p, act, *f)
	return d, d.Err()
}

// districtNow is now in the district's time zone. Errors: not found (no such district).
func (s *Service) districtNow(ctx context.Context, districtID string) (time.Time, error) {
	if loc, ok := s.zones.Load(districtID); ok {
		return s.now().In(loc), nil
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return time.Time{}, err
	}
	loc, err := loadLocation(d.Timezone)
	if err != nil {
		loc = time.UTC
	}
	s.zones.Store(districtID, loc)
	return s.now().In(loc), nil
}
