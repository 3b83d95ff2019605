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
	"strings"
	"sync"
	"time"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/sso"
	"github.com/openiep/openiep/internal/store"
)

// Service runs the use cases over one store. It is safe for concurrent use.
type Service struct {
	db     *store.DB
	now    func() time.Time
	sealer *auth.Sealer
	params auth.Params // password hashing; tests lower it
	// publicURL is where people reach this deployment (scheme, host, optional path prefix, no
	// trailing slash): links in e-mail and the single sign-on return address are built from it,
	// never from a request's Host header, which anyone can forge.
	publicURL string
	// sso begins and completes single sign-ons (WithSSOClient; by default one of its own).
	sso *sso.Client
	// dummyHash is a hash checked when an e-mail names no account, so that a sign-in takes as
	// long whether or not the account exists.
	dummyHash string
	// zones caches each district's time zone (fixed at the district's creation).
	zones syncMap[string, *time.Location]
}

// Option configures a Service.
type Option func(*Service)

// WithSealer sets the sealer of the deployment's key (auth.LoadSealer), which encrypts the TOTP
// secrets in the database. Without it, New makes one with a random key that lives as long as the
// process: fine for tests, useless for a deployment (enrolled authenticators stop working at the
// next start).
func WithSealer(s *auth.Sealer) Option { return func(svc *Service) { svc.sealer = s } }

// WithPasswordParams sets the argon2id parameters new passwords are hashed with (tests use
// cheap ones; a deployment keeps auth.DefaultParams).
func WithPasswordParams(p auth.Params) Option { return func(svc *Service) { svc.params = p } }

// WithPublicURL sets the address people reach the deployment at, e.g. https://iep.example.org;
// links in e-mail start with it. Without it they start with http://localhost:8080.
func WithPublicURL(u string) Option {
	return func(svc *Service) { svc.publicURL = strings.TrimRight(u, "/") }
}

// New returns a Service reading and writing db; now is the clock (UTC), read once per use case
// where a use case needs today.
func New(db *store.DB, now func() time.Time, opts ...Option) *Service {
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	s := &Service{db: db, now: now, params: auth.DefaultParams, publicURL: "http://localhost:8080"}
	for _, o := range opts {
		o(s)
	}
	if s.sso == nil {
		s.sso = sso.NewClient(sso.Options{})
	}
	if s.sealer == nil {
		key, err := auth.ParseKey(auth.NewKey())
		if err == nil {
			s.sealer, err = auth.NewSealer(key)
		}
		if err != nil {
			panic(err) // a fresh 32-byte key always makes a sealer
		}
	}
	s.dummyHash = auth.HashPassword("no account has this password", s.params)
	// The clocks follow the ledger, in the transaction of each event (clocks.go).
	db.OnEvent(s.recomputeDeadlines)
	return s
}

// Health reports whether the store answers; nil means healthy.
func (s *Service) Health(ctx context.Context) error { return s.db.Ping(ctx) }

// Districts returns the districts the actor may see: a state viewer every district of the
// deployment (or their one), anyone else signed in their own district.
func (s *Service) Districts(ctx context.Context, a Actor) ([]iep.District, error) {
	if !a.SignedIn() {
		return nil, iep.ErrUnauthenticated
	}
	if a.Kind == ActorStateViewer && a.DistrictID == "" {
		return s.db.ListDistricts(ctx)
	}
	d, err := s.db.GetDistrict(ctx, a.DistrictID)
	if err != nil {
		return nil, err
	}
	return []iep.District{*d}, nil
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

// syncMap is a typed sync.Map.
type syncMap[K comparable, V any] struct{ m sync.Map }

func (c *syncMap[K, V]) Load(k K) (V, bool) {
	v, ok := c.m.Load(k)
	if !ok {
		var zero V
		return zero, false
	}
	return v.(V), true
}

func (c *syncMap[K, V]) Store(k K, v V) { c.m.Store(k, v) }
