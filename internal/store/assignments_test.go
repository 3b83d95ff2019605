package store

import (
	"slices"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"Assignments", testAssignments},
	}...)
}

// testAssignments: an assignment keeps its schedule; a provider's assignments in force on a day
// are listed, an ended one no longer after its last day; an assignment makes its provider one of
// the student's providers for the policy on the days it is in force; a provider's logs of a day
// include those they delivered as a substitute; bad input is refused at its field.
func testAssignments(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Ada", "Assigned")
	p := f.addPlan(t, db, s.ID, nil)
	d := f.district.ID
	a := iep.Assignment{DistrictID: d, StudentID: s.ID, ServiceLineID: "l2", ProviderID: f.provider.ID,
		Weekdays: []time.Weekday{time.Tuesday, time.Thursday}, StartTime: "09:30", StartsOn: date.MustParse("2026-10-01"), CreatedBy: f.teacher.ID}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateAssignment(ctx, &a) })
	on := date.MustParse("2026-10-06")
	got, err := db.ListProviderAssignments(ctx, d, f.provider.ID, on)
	if err != nil || len(got) != 1 || !slices.Equal(got[0].Weekdays, a.Weekdays) || got[0].StartTime != "09:30" || !got[0].EndsOn.IsZero() {
		t.Fatalf("assignments: %+v %v", got, err)
	}
	if !got[0].On(on) || got[0].On(on.AddDays(1)) {
		t.Errorf("On: Tuesday %v, Wednesday %v", got[0].On(on), got[0].On(on.AddDays(1)))
	}
	facts, err := db.AccessFacts(ctx, d, s.ID, time.Date(2026, 10, 6, 12, 0, 0, 0, time.UTC))
	if err != nil || !slices.Contains(facts.ProviderStaffIDs, f.provider.ID) {
		t.Errorf("the assigned provider is not a provider of the student: %+v %v", facts, err)
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.EndAssignment(ctx, d, a.ID, date.MustParse("2026-12-18")) })
	if got, _ := db.ListProviderAssignments(ctx, d, f.provider.ID, date.MustParse("2026-12-18")); len(got) != 1 {
		t.Errorf("in force on its last day: %d", len(got))
	}
	if got, _ := db.ListProviderAssignments(ctx, d, f.provider.ID, date.MustParse("2026-12-21")); len(got) != 0 {
		t.Errorf("in force after its end: %+v", got)
	}
	if facts, _ := db.AccessFacts(ctx, d, s.ID, time.Date(2027, 1, 6, 12, 0, 0, 0, time.UTC)); slices.Contains(facts.ProviderStaffIDs, f.provider.ID) {
		t.Error("an ended assignment still makes a provider")
	}
	if all, err := db.ListStudentAssignments(ctx, d, s.ID); err != nil || len(all) != 1 || all[0].EndsOn != date.MustParse("2026-12-18") {
		t.Errorf("the student's assignments: %+v %v", all, err)
	}
	// Bad input: each problem at its field; an end before the start.
	bad := iep.Assignment{DistrictID: d, StudentID: s.ID, ServiceLineID: "l2", ProviderID: f.provider.ID,
		Weekdays: []time.Weekday{time.Sunday}, StartTime: "9:3", StartsOn: date.MustParse("2026-10-01"), EndsOn: date.MustParse("2026-09-01")}
	err = db.Write(ctx, func(tx *Tx) error { return tx.CreateAssignment(ctx, &bad) })
	for _, field := range []string{"weekdays", "start_time", "ends_on"} {
		if !slices.Contains(problemFields(err), field) {
			t.Errorf("bad assignment: %v lacks a problem at %s", err, field)
		}
	}
	if err := db.Write(ctx, func(tx *Tx) error { return tx.EndAssignment(ctx, d, a.ID, date.MustParse("2026-09-01")) }); !slices.Contains(problemFields(err), "ends_on") {
		t.Errorf("an end before the start: %v", err)
	}
	// A provider's day: their logs and those they delivered for a colleague.
	day := date.MustParse("2026-10-06")
	mustWrite(t, db, func(tx *Tx) error {
		for _, l := range []*iep.ServiceLog{
			{DistrictID: d, StudentID: s.ID, PlanID: p.ID, ServiceLineID: "l2", Date: day, Minutes: 30, Status: iep.SessionDelivered, GroupSize: 1, ProviderID: f.provider.ID},
			{DistrictID: d, StudentID: s.ID, PlanID: p.ID, ServiceLineID: "l1", Date: day, Minutes: 30, Status: iep.SessionDelivered, GroupSize: 1, ProviderID: f.teacher.ID, ActualProviderID: f.provider.ID},
			{DistrictID: d, StudentID: s.ID, PlanID: p.ID, ServiceLineID: "l1", Date: day.AddDays(1), Minutes: 30, Status: iep.SessionDelivered, GroupSize: 1, ProviderID: f.provider.ID},
		} {
			if err := tx.CreateServiceLog(ctx, l); err != nil {
				return err
			}
		}
		return nil
	})
	logs, err := db.ListProviderLogs(ctx, d, f.provider.ID, day)
	if err != nil || len(logs) != 2 {
		t.Fatalf("the provider's day: %+v %v", logs, err)
	}
}
