package store

import (
	"testing"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// The settings and caseload contract tests join the suite of store_test.go (both engines).
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"SettingsDefaultsAndPut", testSettingsDefaultsAndPut},
		{"StaffStudentsAndGuardianChildren", testStaffStudentsAndGuardianChildren},
	}...)
}

func testSettingsDefaultsAndPut(t *testing.T, db *DB) {
	f := newFixture(t, db)
	got, err := db.GetSettings(ctx, f.district.ID)
	if err != nil || got.IdleTimeout != DefaultIdleTimeout || got.SessionMax != DefaultSessionMax || got.RequireStaffTOTP || !got.UpdatedAt.IsZero() {
		t.Fatalf("defaults = %+v, %v", got, err)
	}
	bad := Settings{DistrictID: f.district.ID, IdleTimeout: 10 * time.Second, SessionMax: 30 * time.Minute}
	err = db.Write(ctx, func(tx *Tx) error { return tx.PutSettings(ctx, &bad, cli) })
	wantKind(t, err, iep.KindInvalid, "settings out of range")
	if fields := problemFields(err); len(fields) != 2 || fields[0] != "idle_timeout" || fields[1] != "session_max" {
		t.Errorf("problems name %v, want idle_timeout and session_max", fields)
	}
	s := Settings{DistrictID: f.district.ID, IdleTimeout: 15 * time.Minute, SessionMax: 8 * time.Hour, RequireStaffTOTP: true}
	mustWrite(t, db, func(tx *Tx) error { return tx.PutSettings(ctx, &s, cli) })
	s.IdleTimeout = 20 * time.Minute
	mustWrite(t, db, func(tx *Tx) error { return tx.PutSettings(ctx, &s, cli) }) // an update, not a second row
	got, err = db.GetSettings(ctx, f.district.ID)
	if err != nil || got.IdleTimeout != 20*time.Minute || got.SessionMax != 8*time.Hour || !got.RequireStaffTOTP || got.UpdatedAt.IsZero() {
		t.Errorf("stored settings = %+v, %v", got, err)
	}
	entries, err := db.ListAudit(ctx, f.district.ID, "", 0)
	if err != nil || len(entries) != 2 || entries[0].RecordKind != "settings" {
		t.Errorf("audit after two changes: %d entries, %v", len(entries), err)
	}
}

func testStaffStudentsAndGuardianChildren(t *testing.T, db *DB) {
	f := newFixture(t, db)
	a := f.addStudent(t, db, "Ann", "Able")
	b := f.addStudent(t, db, "Ben", "Baker")
	f.addStudent(t, db, "Cy", "Cole") // nobody's
	pa := f.addPlan(t, db, a.ID, nil) // the teacher manages a's plan
	mustWrite(t, db, func(tx *Tx) error {
		return tx.AddTeamMember(ctx, &iep.TeamMember{DistrictID: f.district.ID, PlanID: pa.ID, Role: iep.TeamRelatedServiceProvider, StaffID: f.provider.ID})
	})
	pb := f.addPlan(t, db, b.ID, func(p *iep.Plan) { p.CaseManagerID = "" })
	mustWrite(t, db, func(tx *Tx) error {
		return tx.AddTeamMember(ctx, &iep.TeamMember{DistrictID: f.district.ID, PlanID: pb.ID, Role: iep.TeamCaseManager, StaffID: f.teacher.ID})
	})
	got, err := db.ListStaffStudents(ctx, f.district.ID, f.teacher.ID, time.Now(), 10)
	if err != nil || len(got) != 2 || got[0].StudentID != a.ID || !got[0].CaseManager || got[1].StudentID != b.ID || !got[1].TeamMember || got[1].CaseManager {
		t.Errorf("teacher's students = %+v, %v; want Able (case manager), Baker (team)", got, err)
	}
	if got, _ := db.ListStaffStudents(ctx, f.district.ID, f.teacher.ID, time.Now(), 1); len(got) != 1 {
		t.Errorf("limit 1 gave %d", len(got))
	}
	got, err = db.ListStaffStudents(ctx, f.district.ID, f.provider.ID, time.Now(), 10)
	if err != nil || len(got) != 1 || got[0].StudentID != a.ID || !got[0].TeamMember {
		t.Errorf("provider's students = %+v, %v", got, err)
	}

	g := iep.Guardian{DistrictID: f.district.ID, FirstName: "Gia", LastName: "Able", PreferredLanguage: "en"}
	mustWrite(t, db, func(tx *Tx) error {
		if err := tx.CreateGuardian(ctx, &g); err != nil {
			return err
		}
		for i, s := range []iep.Student{b, a} {
			if err := tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: f.district.ID, StudentID: s.ID, GuardianID: g.ID,
				Relationship: iep.RelMother, HoldsEducationalRights: i == 1, ContactOrder: 1}); err != nil {
				return err
			}
		}
		return nil
	})
	kids, err := db.ListGuardianChildren(ctx, f.district.ID, g.ID)
	if err != nil || len(kids) != 2 || kids[0].StudentID != a.ID || !kids[0].HoldsRights || kids[1].HoldsRights {
		t.Errorf("guardian's children = %+v, %v", kids, err)
	}
	if got, err := db.GetGuardian(ctx, f.district.ID, g.ID); err != nil || got.Name() != "Gia Able" {
		t.Errorf("GetGuardian = %+v, %v", got, err)
	}
	_, err = db.GetGuardian(ctx, f.district.ID, "nobody")
	wantKind(t, err, iep.KindNotFound, "unknown guardian")
}
