package app

import (
	"context"
	"testing"

	"github.com/openiep/openiep/internal/iep"
)

func TestStudentRecordIsAudited(t *testing.T) {
	f := newFixture(t, 2)
	ctx := context.Background()
	db := f.svc.db
	staff := f.admin
	staff.Address = "192.0.2.10"
	if _, err := f.svc.StudentRecord(ctx, staff, f.district, f.student); err != nil {
		t.Fatal(err)
	}
	got, err := db.ListAudit(ctx, f.district, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d audit entries after one read, want 1: %+v", len(got), got)
	}
	e := got[0]
	if e.ActorKind != "staff" || e.ActorID != staff.ID || e.FromAddress != "192.0.2.10" || e.Action != "read" || e.Reason != "district_admin" ||
		e.RecordKind != "student" || e.RecordID != f.student || e.StudentID != f.student || !e.At.Equal(testNow) {
		t.Errorf("audit entry = %+v", e)
	}
	if rec, _ := db.ListAudit(ctx, f.district, f.student, 0); len(rec) != 1 {
		t.Errorf("the student's record of access has %d entries, want 1", len(rec))
	}

	// A student who is not found (here: of another district) leaves no entry anywhere.
	if _, err := f.svc.StudentRecord(ctx, staff, f.district, f.stranger); iep.KindOf(err) != iep.KindNotFound {
		t.Fatalf("a student of another district: err = %v, want not found", err)
	}
	if _, err := f.svc.StudentRecord(ctx, staff, f.district, "no-such-student"); iep.KindOf(err) != iep.KindNotFound {
		t.Fatalf("an unknown student: err = %v, want not found", err)
	}
	for _, d := range []string{f.district, f.other} {
		if got, _ := db.ListAudit(ctx, d, "", 0); d == f.district && len(got) != 1 || d == f.other && len(got) != 0 {
			t.Errorf("district %s has %d audit entries after not-found reads", d, len(got))
		}
	}
	rep, err := db.Verify(ctx)
	if err != nil || !rep.OK() {
		t.Errorf("Verify = %+v, %v", rep, err)
	}
}

func TestDistrictOverviewIsAudited(t *testing.T) {
	f := newFixture(t, 3)
	ctx := context.Background()
	if _, err := f.svc.DistrictOverview(ctx, f.admin, f.district, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.DistrictOverview(ctx, f.admin, f.district, "nope", ""); iep.KindOf(err) != iep.KindNotFound {
		t.Fatalf("unknown school: err = %v, want not found", err)
	}
	got, err := f.svc.db.ListAudit(ctx, f.district, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("%d audit entries, want 1: %+v", len(got), got)
	}
	if e := got[0]; e.ActorKind != string(ActorStaff) || e.ActorID != f.admin.ID || e.Reason != "district_admin" || e.Action != "read" ||
		e.RecordKind != "district" || e.RecordID != f.district || e.StudentID != "" {
		t.Errorf("audit entry = %+v", e)
	}
}
