package store

import (
	"slices"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/iep"
)

// The access contract tests join the suite of store_test.go (both engines).
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"AccessFacts", testAccessFacts},
		{"AccessFactsNotFound", testAccessFactsNotFound},
		{"AccessGrantsAndShares", testAccessGrantsAndShares},
		{"AccessViewSharedWithStudent", testAccessViewSharedWithStudent},
	}...)
}

var accessNow = time.Date(2026, 9, 10, 14, 0, 0, 0, time.UTC)

func day(d int) time.Time { return time.Date(2026, 9, d, 8, 0, 0, 0, time.UTC) }

// accessFixture is a student with two guardians (one without educational rights), an ended
// plan and a draft plan with teams, and a substitute.
type accessFixture struct {
	*fixture
	st                     iep.Student
	withRights, noRights   iep.Guardian
	genEd, old, sub, admin iep.Staff
}

func newAccessFixture(t *testing.T, db *DB) *accessFixture {
	t.Helper()
	a := &accessFixture{fixture: newFixture(t, db)}
	d := a.district.ID
	a.st = a.addStudent(t, db, "Ada", "Access")
	staff := func(s *iep.Staff, last string, role iep.StaffRole) {
		*s = iep.Staff{DistrictID: d, FirstName: "Pat", LastName: last, Roles: []iep.StaffRole{role}, Active: true}
	}
	staff(&a.genEd, "GenEd", iep.RoleGeneralEducationTeacher)
	staff(&a.old, "Former", iep.RoleSpecialEducationTeacher)
	staff(&a.sub, "Substitute", iep.RoleSpeechLanguage)
	staff(&a.admin, "Admin", iep.RoleAdministrator)
	guardian := func(g *iep.Guardian, last string) {
		*g = iep.Guardian{DistrictID: d, FirstName: "Lee", LastName: last, PreferredLanguage: "es"}
	}
	guardian(&a.withRights, "Rights")
	guardian(&a.noRights, "NoRights")
	mustWrite(t, db, func(tx *Tx) error {
		for _, s := range []*iep.Staff{&a.genEd, &a.old, &a.sub, &a.admin} {
			if err := tx.CreateStaff(ctx, s); err != nil {
				return err
			}
		}
		for _, g := range []struct {
			g      *iep.Guardian
			rights bool
		}{{&a.withRights, true}, {&a.noRights, false}} {
			if err := tx.CreateGuardian(ctx, g.g); err != nil {
				return err
			}
			if err := tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: d, StudentID: a.st.ID, GuardianID: g.g.ID,
				Relationship: iep.RelParent, HoldsEducationalRights: g.rights}); err != nil {
				return err
			}
		}
		return nil
	})
	ended := a.addPlan(t, db, a.st.ID, func(p *iep.Plan) { p.Status = iep.StatusEnded; p.CaseManagerID = a.old.ID })
	draft := a.addPlan(t, db, a.st.ID, nil) // case manager: a.teacher
	mustWrite(t, db, func(tx *Tx) error {
		for _, m := range []iep.TeamMember{
			{PlanID: ended.ID, Role: iep.TeamSpecialEducationTeacher, StaffID: a.old.ID},
			{PlanID: draft.ID, Role: iep.TeamCaseManager, Also: []iep.TeamRole{iep.TeamSpecialEducationTeacher}, StaffID: a.teacher.ID},
			{PlanID: draft.ID, Role: iep.TeamRelatedServiceProvider, StaffID: a.provider.ID},
			{PlanID: draft.ID, Role: iep.TeamRegularEducationTeacher, StaffID: a.genEd.ID},
			{PlanID: draft.ID, Role: iep.TeamParent, GuardianID: a.withRights.ID},
		} {
			m.DistrictID = d
			if err := tx.AddTeamMember(ctx, &m); err != nil {
				return err
			}
		}
		return nil
	})
	return a
}

func (a *accessFixture) grant(t *testing.T, db *DB, scope access.GrantScope, from, until time.Time) access.Grant {
	t.Helper()
	g := access.Grant{DistrictID: a.district.ID, StaffID: a.sub.ID, StudentID: a.st.ID, Scope: scope,
		GrantedBy: a.admin.ID, Reason: "covering for S. Speech", StartsAt: from, Until: until}
	mustWrite(t, db, func(tx *Tx) error { return tx.GrantAccess(ctx, &g) })
	return g
}

func testAccessFacts(t *testing.T, db *DB) {
	a := newAccessFixture(t, db)
	d := a.district.ID
	active := a.grant(t, db, access.GrantRead, day(1), day(30))
	a.grant(t, db, access.GrantWrite, day(1), day(5))   // expired
	a.grant(t, db, access.GrantWrite, day(20), day(30)) // not begun
	revoked := a.grant(t, db, access.GrantWrite, day(1), day(30))
	mustWrite(t, db, func(tx *Tx) error { return tx.RevokeGrant(ctx, d, revoked.ID) }) // at the test clock: Sep 1

	var queries int
	db.onQuery = func(string, []any) { queries++ }
	f, err := db.AccessFacts(ctx, d, a.st.ID, accessNow)
	db.onQuery = nil
	if err != nil {
		t.Fatalf("AccessFacts: %v", err)
	}
	if queries != 4 {
		t.Errorf("AccessFacts ran %d queries, want 4", queries)
	}
	sorted := func(ids ...string) []string { slices.Sort(ids); return ids }
	guardians := []access.GuardianLink{{GuardianID: a.withRights.ID, HoldsEducationalRights: true}, {GuardianID: a.noRights.ID}}
	slices.SortFunc(guardians, func(x, y access.GuardianLink) int { return cmpString(x.GuardianID, y.GuardianID) })
	want := &access.Facts{
		DistrictID: d, SchoolID: a.school.ID, StudentID: a.st.ID, BirthDate: a.st.BirthDate,
		Guardians:        guardians,
		TeamStaffIDs:     sorted(a.teacher.ID, a.provider.ID, a.genEd.ID),
		ProviderStaffIDs: sorted(a.teacher.ID, a.provider.ID),
		CaseManagerID:    a.teacher.ID,
		Grants:           []access.Grant{active},
		Now:              accessNow,
	}
	diff(t, "facts", f, want)

	// The facts drive the policy: the guardian without rights learns nothing, the substitute reads.
	for _, c := range []struct {
		p    access.Principal
		a    access.Action
		want iep.Kind
	}{
		{access.Principal{Kind: access.Guardian, ID: a.noRights.ID, DistrictID: d}, access.ViewRecord, iep.KindNotFound},
		{access.Principal{Kind: access.Staff, ID: a.sub.ID, DistrictID: d}, access.EditPlan, iep.KindForbidden},
		{access.Principal{Kind: access.Staff, ID: a.old.ID, DistrictID: d, SchoolIDs: []string{a.school2.ID}}, access.ViewRecord, iep.KindForbidden},
	} {
		wantKind(t, access.Decide(c.p, c.a, *f).Err(), c.want, string(c.p.Kind)+" "+c.p.ID+" "+string(c.a))
	}
	if err := access.Decide(access.Principal{Kind: access.Staff, ID: a.sub.ID, DistrictID: d}, access.ViewRecord, *f).Err(); err != nil {
		t.Errorf("substitute with an active grant: %v", err)
	}
	if err := access.Decide(access.Principal{Kind: access.Guardian, ID: a.withRights.ID, DistrictID: d}, access.RespondToPlan, *f).Err(); err != nil {
		t.Errorf("guardian with rights: %v", err)
	}

	// After the grant's end it is no longer loaded.
	later, err := db.AccessFacts(ctx, d, a.st.ID, day(30))
	if err != nil {
		t.Fatalf("AccessFacts: %v", err)
	}
	if len(later.Grants) != 0 {
		t.Errorf("grants at their end = %+v, want none", later.Grants)
	}
}

func cmpString(x, y string) int {
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func testAccessFactsNotFound(t *testing.T, db *DB) {
	f := newFixture(t, db)
	other := newFixture(t, db)
	theirs := other.addStudent(t, db, "Bea", "Elsewhere")
	_, err := db.AccessFacts(ctx, f.district.ID, "no-such-student", accessNow)
	wantKind(t, err, iep.KindNotFound, "AccessFacts(unknown)")
	_, err = db.AccessFacts(ctx, f.district.ID, theirs.ID, accessNow)
	wantKind(t, err, iep.KindNotFound, "AccessFacts(another district's student)")
	// A student without plan, guardians or grants: empty facts, no error.
	st := f.addStudent(t, db, "Cy", "Alone")
	got, err := db.AccessFacts(ctx, f.district.ID, st.ID, accessNow)
	if err != nil {
		t.Fatalf("AccessFacts(no plan): %v", err)
	}
	diff(t, "facts", got, &access.Facts{DistrictID: f.district.ID, SchoolID: f.school.ID, StudentID: st.ID,
		BirthDate: st.BirthDate, Now: accessNow})
}

func testAccessGrantsAndShares(t *testing.T, db *DB) {
	a := newAccessFixture(t, db)
	other := newFixture(t, db)
	d := a.district.ID

	// Validation and references.
	bad := access.Grant{DistrictID: d, StaffID: a.sub.ID, StudentID: a.st.ID, Scope: "all", GrantedBy: a.admin.ID, Reason: "x", Until: day(30)}
	wantKind(t, db.Write(ctx, func(tx *Tx) error { return tx.GrantAccess(ctx, &bad) }), iep.KindInvalid, "GrantAccess(bad scope)")
	foreign := access.Grant{DistrictID: d, StaffID: other.teacher.ID, StudentID: a.st.ID, Scope: access.GrantRead,
		GrantedBy: a.admin.ID, Reason: "x", StartsAt: day(1), Until: day(30)}
	wantKind(t, db.Write(ctx, func(tx *Tx) error { return tx.GrantAccess(ctx, &foreign) }), iep.KindInvalid, "GrantAccess(staff of another district)")
	if n := countRows(t, db, "access_grants", d); n != 0 {
		t.Fatalf("%d grants after refused writes, want 0", n)
	}

	// A zero StartsAt is the transaction's instant; revoking twice keeps the first instant.
	g := access.Grant{DistrictID: d, StaffID: a.sub.ID, StudentID: a.st.ID, Scope: access.GrantWrite,
		GrantedBy: a.admin.ID, Reason: "covering", Until: day(30)}
	mustWrite(t, db, func(tx *Tx) error { return tx.GrantAccess(ctx, &g) })
	if g.StartsAt.IsZero() || g.ID == "" {
		t.Fatalf("GrantAccess left StartsAt %v, ID %q", g.StartsAt, g.ID)
	}
	var first time.Time
	for range 2 {
		mustWrite(t, db, func(tx *Tx) error { return tx.RevokeGrant(ctx, d, g.ID) })
		gs, err := db.ListGrants(ctx, d, a.st.ID)
		if err != nil || len(gs) != 1 {
			t.Fatalf("ListGrants = %v, %v", gs, err)
		}
		if first.IsZero() {
			first = gs[0].RevokedAt
		}
		want := g
		want.RevokedAt = first
		diff(t, "grant", gs[0], want)
	}
	if first.IsZero() {
		t.Fatal("RevokeGrant left revoked_at empty")
	}
	wantKind(t, db.Write(ctx, func(tx *Tx) error { return tx.RevokeGrant(ctx, d, "no-such-grant") }), iep.KindNotFound, "RevokeGrant(unknown)")
	wantKind(t, db.Write(ctx, func(tx *Tx) error { return tx.RevokeGrant(ctx, other.district.ID, g.ID) }), iep.KindNotFound, "RevokeGrant(other district)")

	// Sharing: with a linked guardian only; unsharing; sharing again.
	shared := func() []string {
		t.Helper()
		f, err := db.AccessFacts(ctx, d, a.st.ID, accessNow)
		if err != nil {
			t.Fatalf("AccessFacts: %v", err)
		}
		return f.SharedWith
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.ShareWithGuardian(ctx, d, a.st.ID, a.withRights.ID) })
	diff(t, "shared", shared(), []string{a.withRights.ID})
	mustWrite(t, db, func(tx *Tx) error { return tx.UnshareWithGuardian(ctx, d, a.st.ID, a.withRights.ID) })
	diff(t, "shared after unshare", shared(), []string(nil))
	wantKind(t, db.Write(ctx, func(tx *Tx) error { return tx.UnshareWithGuardian(ctx, d, a.st.ID, a.withRights.ID) }),
		iep.KindNotFound, "UnshareWithGuardian(not shared)")
	mustWrite(t, db, func(tx *Tx) error { return tx.ShareWithGuardian(ctx, d, a.st.ID, a.withRights.ID) })
	diff(t, "shared again", shared(), []string{a.withRights.ID})
	stranger := iep.Guardian{DistrictID: d, FirstName: "No", LastName: "Link", PreferredLanguage: "en"}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateGuardian(ctx, &stranger) })
	wantKind(t, db.Write(ctx, func(tx *Tx) error { return tx.ShareWithGuardian(ctx, d, a.st.ID, stranger.ID) }),
		iep.KindInvalid, "ShareWithGuardian(unlinked guardian)")
}

// testAccessViewSharedWithStudent: a guardian's letting the minor student read their record is
// in the facts (first query), and stopping it takes it out; an unknown student is not found.
func testAccessViewSharedWithStudent(t *testing.T, db *DB) {
	a := newAccessFixture(t, db)
	d := a.district.ID
	f, err := db.AccessFacts(ctx, d, a.st.ID, accessNow)
	if err != nil || f.ViewSharedBy != "" {
		t.Fatalf("before sharing: %q, %v", f.ViewSharedBy, err)
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.ShareViewWithStudent(ctx, d, a.st.ID, a.withRights.ID) })
	if f, _ = db.AccessFacts(ctx, d, a.st.ID, accessNow); f.ViewSharedBy != a.withRights.ID {
		t.Errorf("after sharing: %q, want %s", f.ViewSharedBy, a.withRights.ID)
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.ShareViewWithStudent(ctx, d, a.st.ID, "") })
	if f, _ = db.AccessFacts(ctx, d, a.st.ID, accessNow); f.ViewSharedBy != "" {
		t.Errorf("after stopping: %q", f.ViewSharedBy)
	}
	if err := db.Write(ctx, func(tx *Tx) error { return tx.ShareViewWithStudent(ctx, d, "no-such", a.withRights.ID) }); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("unknown student: %v", err)
	}
}
