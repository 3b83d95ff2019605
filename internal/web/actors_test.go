package web

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// The kinds of actor the tests sign in as (the authorization matrix of the issue). Each has an
// account and an open session in the world; w.cookie(name) is its session cookie.
const (
	asAnonymous      = "anonymous"
	asGuardian       = "guardian of this child"       // Rosa, Mia's mother, holds the rights
	asOtherGuardian  = "guardian of another child"    // Noah's father
	asNoRights       = "guardian without rights"      // Mia's father, rights removed by a court
	asUnassigned     = "unassigned provider"          // an OT of Riverside High, on no team
	asTeamMember     = "team member"                  // Dana Reyes, Mia's case manager
	asOtherSchool    = "other school's staff"         // a teacher of Maple Elementary
	asDistrictAdmin  = "district admin"               // an administrator of Riverton
	asStateViewer    = "state viewer"                 // aggregates only
	asOtherDistrict  = "other district's admin"       // an administrator of Other Valley
	testPassword     = "correct horse battery staple" // every test account's password
	testUserAgentTag = "openiep-test"
)

// actorKinds lists the matrix's actors in order.
var actorKinds = []string{asAnonymous, asGuardian, asOtherGuardian, asNoRights, asUnassigned, asTeamMember,
	asOtherSchool, asDistrictAdmin, asStateViewer, asOtherDistrict}

// testParams hash the test accounts' password quickly; the cost of real hashing is measured in
// internal/auth's benchmark, not paid here for every account.
var testParams = auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// seedActors gives every actor kind an account (e-mail <kind>@test.example with testPassword)
// and a session, whose token it keeps in w.tokens.
func (w *world) seedActors(ctx context.Context, tx *store.Tx) error {
	w.tokens, w.emails = map[string]string{}, map[string]string{}
	hash := auth.HashPassword(testPassword, testParams)
	staff := func(district, school string, roles ...iep.StaffRole) (string, error) {
		st := &iep.Staff{DistrictID: district, FirstName: "Test", LastName: string(roles[0]), Roles: roles, Active: true}
		if school != "" {
			st.SchoolIDs = []string{school}
		}
		return st.ID, tx.CreateStaff(ctx, st)
	}
	guardian := func(student string, rights bool) (string, error) {
		g := &iep.Guardian{DistrictID: w.district, FirstName: "Test", LastName: "Parent", PreferredLanguage: "en"}
		if err := tx.CreateGuardian(ctx, g); err != nil {
			return "", err
		}
		return g.ID, tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: w.district, StudentID: student, GuardianID: g.ID,
			Relationship: iep.RelFather, HoldsEducationalRights: rights, ContactOrder: 2})
	}
	type subject struct {
		name, district string
		kind           store.AccountKind
		id             string
		err            error
	}
	var subjects []subject
	add := func(name, district string, kind store.AccountKind, id string, err error) {
		subjects = append(subjects, subject{name, district, kind, id, err})
	}
	add(asGuardian, w.district, store.AccountGuardian, w.rosa, nil)
	id, err := guardian(w.noah, true)
	add(asOtherGuardian, w.district, store.AccountGuardian, id, err)
	id, err = guardian(w.mia, false)
	add(asNoRights, w.district, store.AccountGuardian, id, err)
	id, err = staff(w.district, w.high, iep.RoleOccupationalTherapist)
	add(asUnassigned, w.district, store.AccountStaff, id, err)
	add(asTeamMember, w.district, store.AccountStaff, w.cm, nil)
	id, err = staff(w.district, w.maple, iep.RoleGeneralEducationTeacher)
	add(asOtherSchool, w.district, store.AccountStaff, id, err)
	id, err = staff(w.district, "", iep.RoleAdministrator)
	add(asDistrictAdmin, w.district, store.AccountStaff, id, err)
	id, err = staff(w.district, "", iep.RoleStateViewer)
	add(asStateViewer, w.district, store.AccountStaff, id, err)
	id, err = staff(w.other, "", iep.RoleAdministrator)
	add(asOtherDistrict, w.other, store.AccountStaff, id, err)
	for i, s := range subjects {
		if s.err != nil {
			return fmt.Errorf("%s: %w", s.name, s.err)
		}
		email := fmt.Sprintf("actor%d@test.example", i)
		acc := &store.Account{DistrictID: s.district, Kind: s.kind, SubjectID: s.id, Email: email, PasswordHash: hash}
		if err := tx.CreateAccount(ctx, acc, store.AuditActor{Kind: "system", ID: "test"}); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		token, th := auth.NewToken()
		sess := &store.Session{TokenHash: th, DistrictID: s.district, AccountID: acc.ID, IdleTimeout: time.Hour,
			AbsoluteExpiresAt: testNow.Add(12 * time.Hour), UserAgent: testUserAgentTag}
		if err := tx.CreateSession(ctx, sess); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		w.tokens[s.name], w.emails[s.name] = token, email
		w.staffIDs[s.name] = s.id
	}
	return nil
}

// cookie is the Cookie header of an actor's session ("" for the anonymous).
func (w *world) cookie(name string) string {
	if t := w.tokens[name]; t != "" {
		return sessionCookie + "=" + t
	}
	return ""
}

// get serves a GET as the district administrator.
func (w *world) get(t *testing.T, target string, header ...string) (*http.Response, string) {
	t.Helper()
	return w.getAs(t, asDistrictAdmin, target, header...)
}

// getAs serves a GET as one of the actors.
func (w *world) getAs(t *testing.T, who, target string, header ...string) (*http.Response, string) {
	t.Helper()
	if c := w.cookie(who); c != "" {
		header = append(header, "Cookie", c)
	}
	return get(t, w.handler, target, header...)
}
