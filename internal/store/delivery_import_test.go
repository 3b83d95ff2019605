package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// The import's student look-ups join the suite of store_test.go (both engines).
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"StudentIDsByKeys", testStudentIDsByKeys},
		{"CreateServiceLogs", testCreateServiceLogs},
	}...)
}

// testStudentIDsByKeys: local ids and ids find the district's students only; unknown ones, and
// another district's, are absent.
func testStudentIDsByKeys(t *testing.T, db *DB) {
	f := newFixture(t, db)
	g := newFixture(t, db)
	a, b := f.addStudent(t, db, "Ann", "Lo"), f.addStudent(t, db, "Bo", "Lo")
	stranger := g.addStudent(t, db, "Cy", "Far")
	byLocal, err := db.StudentIDsByLocalID(ctx, f.district.ID, []string{a.LocalID, b.LocalID, "nobody", stranger.LocalID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{a.LocalID: a.ID, b.LocalID: b.ID}, byLocal); diff != "" {
		t.Errorf("StudentIDsByLocalID (-want +got):\n%s", diff)
	}
	known, err := db.KnownStudentIDs(ctx, f.district.ID, []string{a.ID, "nobody", stranger.ID})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{a.ID: a.ID}, known); diff != "" {
		t.Errorf("KnownStudentIDs (-want +got):\n%s", diff)
	}
	if none, err := db.StudentIDsByLocalID(ctx, f.district.ID, nil); err != nil || len(none) != 0 {
		t.Errorf("no local ids = %v, %v; want an empty map", none, err)
	}
}

// testCreateServiceLogs: more logs than one INSERT carries are stored as given (a make-up in
// the same INSERT as the missed log it makes up); a batch with one invalid log stores nothing
// and names it by its place.
func testCreateServiceLogs(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Ann", "Lo")
	p := f.plan(s.ID)
	p.Status = iep.StatusAccepted
	mustWrite(t, db, func(tx *Tx) error { return tx.CreatePlan(ctx, &p, f.teacher.ID) })
	var logs []*iep.ServiceLog
	for i := range batchRows + 3 {
		logs = append(logs, &iep.ServiceLog{DistrictID: f.district.ID, StudentID: s.ID, PlanID: p.ID, ServiceLineID: "s1",
			Date: date.MustParse("2026-10-01").AddDays(i), Minutes: 30, Status: iep.SessionDelivered, GroupSize: 2,
			ProviderID: f.provider.ID, ActualProviderID: f.teacher.ID, Note: fmt.Sprintf("session %d", i),
			Medicaid: iep.Medicaid{Billable: true, SupervisorID: f.teacher.ID, OmitFromBilling: i%2 == 0, OmitReason: map[bool]string{true: "no consent"}[i%2 == 0]}})
	}
	missed := logs[1]
	missed.Status, missed.Minutes, missed.MissedReason = iep.SessionMissed, 0, iep.MissedStudentAbsent
	if err := NewID(&missed.ID); err != nil {
		t.Fatal(err)
	}
	logs[2].Status, logs[2].MakeUpOf = iep.SessionMakeUp, missed.ID
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateServiceLogs(ctx, logs) })
	got, err := db.ListServiceLogs(ctx, f.district.ID, s.ID, date.Date{}, date.Date{})
	if err != nil {
		t.Fatal(err)
	}
	want := make([]iep.ServiceLog, len(logs))
	for i, l := range logs {
		want[i] = *l
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateApproxTime(0)); diff != "" {
		t.Errorf("stored logs (-want +got):\n%s", diff)
	}

	bad := []*iep.ServiceLog{{DistrictID: f.district.ID, StudentID: s.ID, PlanID: p.ID, ServiceLineID: "s1", Date: date.MustParse("2026-11-02"),
		Minutes: 30, Status: iep.SessionDelivered, GroupSize: 1, ProviderID: f.provider.ID}, {DistrictID: f.district.ID, StudentID: s.ID}}
	err = db.Write(ctx, func(tx *Tx) error { return tx.CreateServiceLogs(ctx, bad) })
	var e *iep.Error
	if !errors.As(err, &e) || e.Kind != iep.KindInvalid || !strings.HasPrefix(e.Problems[0].Field, "logs[1].") {
		t.Errorf("a batch with an invalid log = %v, want problems at logs[1]", err)
	}
	if again, _ := db.ListServiceLogs(ctx, f.district.ID, s.ID, date.Date{}, date.Date{}); len(again) != len(logs) {
		t.Errorf("a refused batch stored %d logs", len(again)-len(logs))
	}
}
