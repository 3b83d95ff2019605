package store

import (
	"fmt"
	"testing"

	"github.com/openiep/openiep/internal/iep"
)

// The administration contract tests join the suite of store_test.go (both engines).
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"StaffDirectory", testStaffDirectory},
		{"UpdateStaffAudited", testUpdateStaffAudited},
		{"GuardianLinkChanges", testGuardianLinkChanges},
		{"ReassignCaseManager", testReassignCaseManager},
	}...)
}

var admin = AuditActor{Kind: "staff", ID: "admin-1", Address: "192.0.2.1", Reason: "district_admin"}

// testStaffDirectory: pages follow one another without gaps or repeats, the search matches
// name and e-mail prefixes (with LIKE's wildcards taken literally), and each row carries the
// account's state.
func testStaffDirectory(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	var made []iep.Staff
	mustWrite(t, db, func(tx *Tx) error {
		for i := range 23 {
			s := iep.Staff{DistrictID: d, FirstName: fmt.Sprintf("P%02d", i), LastName: "Zed", Email: fmt.Sprintf("p%02d@riverside.org", i),
				Roles: []iep.StaffRole{iep.RoleGeneralEducationTeacher}, Active: true}
			if err := tx.CreateStaff(ctx, &s); err != nil {
				return err
			}
			made = append(made, s)
		}
		odd := iep.Staff{DistrictID: d, FirstName: "Per%cent", LastName: "Under_score", Roles: []iep.StaffRole{iep.RoleAdministrator}, Active: true}
		return tx.CreateStaff(ctx, &odd)
	})
	invited := Account{DistrictID: d, Kind: AccountStaff, SubjectID: made[0].ID, Email: uniqueEmail("p00")}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateAccount(ctx, &invited, cli) })
	active := addAccount(t, db, f, made[1].ID, uniqueEmail("p01"))
	off := addAccount(t, db, f, made[2].ID, uniqueEmail("p02"))
	mustWrite(t, db, func(tx *Tx) error { return tx.DisableAccount(ctx, d, off.ID, cli) })

	// 26 staff in all (the fixture's two, 23, the odd one): pages of 10.
	var all []StaffAccount
	after := ""
	for range 5 {
		page, err := db.ListStaffAccounts(ctx, d, StaffFilter{After: after, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < 10 {
			break
		}
		after = page[len(page)-1].ID
	}
	if len(all) != 26 {
		t.Fatalf("paged through %d staff, want 26", len(all))
	}
	seen := map[string]bool{}
	for i, s := range all {
		if seen[s.ID] {
			t.Fatalf("staff %s listed twice", s.ID)
		}
		seen[s.ID] = true
		if i > 0 && (all[i-1].LastName > s.LastName || all[i-1].LastName == s.LastName && all[i-1].FirstName > s.FirstName) {
			t.Errorf("row %d (%s %s) out of order", i, s.FirstName, s.LastName)
		}
	}
	states := map[string]AccountState{}
	for _, s := range all {
		states[s.ID] = s.State
	}
	for id, want := range map[string]AccountState{made[0].ID: AccountInvited, made[1].ID: AccountActive,
		made[2].ID: AccountDisabled, made[3].ID: AccountNone} {
		if states[id] != want {
			t.Errorf("staff %s state %q, want %q", id, states[id], want)
		}
	}

	for q, want := range map[string]int{"p0": 10, "P1": 10, "p22@": 1, "zed": 23, "%": 0, "under_": 1, "under%": 0, "nobody": 0} {
		got, err := db.ListStaffAccounts(ctx, d, StaffFilter{Query: q, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Errorf("search %q found %d, want %d", q, len(got), want)
		}
	}
	_, err := db.ListStaffAccounts(ctx, d, StaffFilter{After: "no-such-staff"})
	wantKind(t, err, iep.KindInvalid, "an unknown cursor")

	acc, err := db.GetAccountBySubject(ctx, d, AccountStaff, made[1].ID)
	if err != nil || acc.ID != active.ID || acc.State() != AccountActive {
		t.Errorf("GetAccountBySubject = %+v, %v", acc, err)
	}
	_, err = db.GetAccountBySubject(ctx, d, AccountStaff, made[3].ID)
	wantKind(t, err, iep.KindNotFound, "a staff member without an account")
}

func testUpdateStaffAudited(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	s := f.provider
	s.Roles = append(s.Roles, iep.RoleCaseManager)
	s.SchoolIDs = []string{f.school.ID, f.school2.ID}
	s.Active = false
	mustWrite(t, db, func(tx *Tx) error { return tx.UpdateStaff(ctx, &s, admin) })
	got, err := db.GetStaff(ctx, d, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "updated staff", *got, s)
	entries, err := db.ListAudit(ctx, d, "", 1)
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit: %v %d", err, len(entries))
	}
	if e := entries[0]; e.Action != "update" || e.RecordKind != "staff" || e.RecordID != s.ID || e.ActorID != admin.ID ||
		e.Reason != "district_admin" || e.FromAddress != admin.Address {
		t.Errorf("audit entry %+v", e)
	}

	bad := s
	bad.FirstName = ""
	err = db.Write(ctx, func(tx *Tx) error { return tx.UpdateStaff(ctx, &bad, admin) })
	wantKind(t, err, iep.KindInvalid, "a staff member without a first name")
	if got, _ := db.GetStaff(ctx, d, s.ID); got.FirstName != s.FirstName {
		t.Error("a refused update changed the record")
	}
	// The sign-in e-mail follows, stored lower-cased; one another account has is refused.
	acc := addAccount(t, db, f, s.ID, uniqueEmail("sam"))
	other := addAccount(t, db, f, f.teacher.ID, uniqueEmail("ana"))
	mustWrite(t, db, func(tx *Tx) error { return tx.SetAccountEmail(ctx, d, acc.ID, " Sam.New@Riverside.ORG ", admin) })
	if got, _ := db.GetAccount(ctx, d, acc.ID); got.Email != "sam.new@riverside.org" {
		t.Errorf("account e-mail %q", got.Email)
	}
	err = db.Write(ctx, func(tx *Tx) error { return tx.SetAccountEmail(ctx, d, acc.ID, other.Email, admin) })
	wantKind(t, err, iep.KindConflict, "an e-mail another account has")
	err = db.Write(ctx, func(tx *Tx) error { return tx.SetAccountEmail(ctx, d, acc.ID, " ", admin) })
	wantKind(t, err, iep.KindInvalid, "an empty e-mail")

	ghost := s
	ghost.ID = "no-such-staff"
	err = db.Write(ctx, func(tx *Tx) error { return tx.UpdateStaff(ctx, &ghost, admin) })
	wantKind(t, err, iep.KindNotFound, "an unknown staff member")
}

func testGuardianLinkChanges(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	st := f.addStudent(t, db, "Lia", "Lopes")
	g := iep.Guardian{DistrictID: d, FirstName: "Ines", LastName: "Lopes", PreferredLanguage: "pt"}
	link := iep.StudentGuardian{DistrictID: d, StudentID: st.ID, Relationship: iep.RelMother,
		HoldsEducationalRights: true, ContactOrder: 1}
	mustWrite(t, db, func(tx *Tx) error {
		if err := tx.CreateGuardian(ctx, &g); err != nil {
			return err
		}
		link.GuardianID = g.ID
		return tx.LinkGuardian(ctx, &link)
	})
	link.HoldsEducationalRights = false
	link.EmergencyContact = true
	mustWrite(t, db, func(tx *Tx) error { return tx.UpdateGuardianLink(ctx, &link, admin) })
	gs, err := db.ListGuardians(ctx, d, st.ID)
	if err != nil || len(gs) != 1 {
		t.Fatalf("ListGuardians: %v, %d", err, len(gs))
	}
	diff(t, "changed link", gs[0].Link, link)
	facts, err := db.AccessFacts(ctx, d, st.ID, accessNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(facts.Guardians) != 1 || facts.Guardians[0].HoldsEducationalRights {
		t.Errorf("the policy still sees educational rights: %+v", facts.Guardians)
	}

	mustWrite(t, db, func(tx *Tx) error { return tx.UnlinkGuardian(ctx, d, st.ID, g.ID, admin) })
	if gs, _ := db.ListGuardians(ctx, d, st.ID); len(gs) != 0 {
		t.Errorf("after unlinking, %d guardians", len(gs))
	}
	if _, err := db.GetGuardian(ctx, d, g.ID); err != nil {
		t.Errorf("unlinking removed the guardian: %v", err)
	}
	err = db.Write(ctx, func(tx *Tx) error { return tx.UnlinkGuardian(ctx, d, st.ID, g.ID, admin) })
	wantKind(t, err, iep.KindNotFound, "unlinking twice")
	entries, _ := db.ListAudit(ctx, d, st.ID, 0)
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	diff(t, "audit of the student", actions, []string{"unlink_guardian", "update_guardian_link"})
}

func testReassignCaseManager(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	a, b, c := f.addStudent(t, db, "A", "One"), f.addStudent(t, db, "B", "Two"), f.addStudent(t, db, "C", "Three")
	pa, pb, pc := f.addPlan(t, db, a.ID, nil), f.addPlan(t, db, b.ID, nil), f.addPlan(t, db, c.ID, nil)
	to := f.provider

	// Only the chosen students move.
	var n int
	mustWrite(t, db, func(tx *Tx) (err error) {
		n, err = tx.ReassignCaseManager(ctx, d, f.teacher.ID, to.ID, []string{a.ID, b.ID}, admin)
		return err
	})
	if n != 2 {
		t.Errorf("moved %d plans, want 2", n)
	}
	for id, want := range map[string]string{pa.ID: to.ID, pb.ID: to.ID, pc.ID: f.teacher.ID} {
		p, err := db.GetPlan(ctx, d, id)
		if err != nil || p.CaseManagerID != want {
			t.Errorf("plan %s case manager %q (%v), want %q", id, p.CaseManagerID, err, want)
		}
	}
	facts, _ := db.AccessFacts(ctx, d, a.ID, accessNow)
	if facts.CaseManagerID != to.ID {
		t.Errorf("the policy sees case manager %q", facts.CaseManagerID)
	}
	// The rest (empty list: all of theirs).
	mustWrite(t, db, func(tx *Tx) (err error) {
		n, err = tx.ReassignCaseManager(ctx, d, f.teacher.ID, to.ID, nil, admin)
		return err
	})
	if n != 1 {
		t.Errorf("moved %d plans, want 1", n)
	}
	// Refused: to oneself, to nobody, to an inactive or unknown staff member; nothing moves.
	inactive := iep.Staff{DistrictID: d, FirstName: "Gone", LastName: "Away", Roles: []iep.StaffRole{iep.RoleCaseManager}}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateStaff(ctx, &inactive) })
	for _, target := range []string{to.ID, "", inactive.ID, "no-such-staff"} {
		err := db.Write(ctx, func(tx *Tx) error {
			_, err := tx.ReassignCaseManager(ctx, d, to.ID, target, nil, admin)
			return err
		})
		wantKind(t, err, iep.KindInvalid, "reassigning to "+target)
	}
	if p, _ := db.GetPlan(ctx, d, pc.ID); p.CaseManagerID != to.ID {
		t.Error("a refused reassignment moved a plan")
	}
	entries, _ := db.ListAudit(ctx, d, c.ID, 0)
	if len(entries) == 0 || entries[0].Action != "reassign_case_manager" || entries[0].RecordID != pc.ID {
		t.Errorf("audit of the move: %+v", entries)
	}
}
