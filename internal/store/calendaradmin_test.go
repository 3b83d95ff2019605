package store

import (
	"errors"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// The calendar administration's contract tests join the suite of store_test.go (both engines).
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"CalendarDayAddRemove", testCalendarDayAddRemove},
		{"DeadlineDates", testDeadlineDates},
	}...)
}

// testCalendarDayAddRemove adds a snow day, refuses the same date again (nothing replaced),
// removes it, and finds each change in the audit trail.
func testCalendarDayAddRemove(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	by := AuditActor{Kind: "staff", ID: f.teacher.ID, Address: "192.0.2.7", Reason: "district_admin"}
	snow := iep.CalendarDay{DistrictID: d, SchoolYearID: f.year.ID, Date: date.MustParse("2027-03-02"), Kind: iep.DayEmergency, Note: "Snow day"}
	mustWrite(t, db, func(tx *Tx) error { return tx.AddCalendarDay(ctx, &snow, true, by) })

	again := snow
	again.Kind, again.Note = iep.DayPartial, "Early release"
	err := db.Write(ctx, func(tx *Tx) error { return tx.AddCalendarDay(ctx, &again, true, by) })
	var e *iep.Error
	if !errors.As(err, &e) || len(e.Problems) != 1 || e.Problems[0] != (iep.Problem{Field: "date", Code: iep.CodeDuplicate, Detail: "emergency"}) {
		t.Fatalf("the same day again: %v", err)
	}
	bad := snow
	bad.Kind = "holiday"
	err = db.Write(ctx, func(tx *Tx) error { return tx.AddCalendarDay(ctx, &bad, true, by) })
	wantKind(t, err, iep.KindInvalid, "an unknown kind of day")
	days, err := db.ListCalendarDays(ctx, d, f.year.ID)
	if err != nil || len(days) != 1 || days[0].Kind != iep.DayEmergency || days[0].Note != "Snow day" {
		t.Fatalf("after the refusals: %+v, %v", days, err)
	}

	removed := (*iep.CalendarDay)(nil)
	mustWrite(t, db, func(tx *Tx) error {
		var err error
		removed, err = tx.RemoveCalendarDay(ctx, d, snow.Date, by)
		return err
	})
	if *removed != snow {
		t.Errorf("removed %+v, want %+v", *removed, snow)
	}
	err = db.Write(ctx, func(tx *Tx) error { _, err := tx.RemoveCalendarDay(ctx, d, snow.Date, by); return err })
	wantKind(t, err, iep.KindNotFound, "a day no longer listed")
	other := newFixture(t, db)
	mustWrite(t, db, func(tx *Tx) error { return tx.AddCalendarDay(ctx, &snow, true, by) })
	err = db.Write(ctx, func(tx *Tx) error { _, err := tx.RemoveCalendarDay(ctx, other.district.ID, snow.Date, by); return err })
	wantKind(t, err, iep.KindNotFound, "another district's day")

	// A weekday listed as an ordinary school day (as a calendar imported day by day lists each)
	// takes the new kind when the caller allows it, and only then.
	school := iep.CalendarDay{DistrictID: d, SchoolYearID: f.year.ID, Date: date.MustParse("2027-03-03"), Kind: iep.DaySchool}
	mustWrite(t, db, func(tx *Tx) error { return tx.PutCalendarDays(ctx, d, []iep.CalendarDay{school}) })
	storm := school
	storm.Kind, storm.Note = iep.DayEmergency, "Snow day"
	err = db.Write(ctx, func(tx *Tx) error { return tx.AddCalendarDay(ctx, &storm, false, by) })
	wantKind(t, err, iep.KindInvalid, "a listed school day, not to be replaced")
	mustWrite(t, db, func(tx *Tx) error { return tx.AddCalendarDay(ctx, &storm, true, by) })
	days, err = db.ListCalendarDays(ctx, d, f.year.ID)
	if err != nil || len(days) != 2 || days[1] != storm {
		t.Errorf("after replacing a listed school day: %+v, %v", days, err)
	}

	entries, err := db.ListAudit(ctx, d, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range entries {
		if x.RecordKind == "calendar_day" {
			got = append(got, x.Action+" "+x.RecordID+" "+x.ActorID+" "+x.Reason+" "+x.FromAddress)
		}
	}
	tail := " 2027-03-02 " + f.teacher.ID + " district_admin 192.0.2.7"
	diff(t, "audit trail", got, []string{"create 2027-03-03 " + f.teacher.ID + " district_admin 192.0.2.7",
		"create" + tail, "delete" + tail, "create" + tail})
}

// testDeadlineDates: a student's fingerprint changes when a due date moves, not when a
// deadline is met, and students without deadlines have none.
func testDeadlineDates(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	a, b := f.addStudent(t, db, "Ada", "Print"), f.addStudent(t, db, "Ben", "Print")
	f.addStudent(t, db, "Cy", "Print")
	day := date.MustParse
	ds := []Deadline{
		{Clock: "services_start", Citation: "c", Start: day("2027-02-26"), Due: day("2027-03-11")},
		{Clock: "annual_review", Citation: "c", Start: day("2026-10-01"), Due: day("2027-10-01")},
	}
	put := func(student string, ds []Deadline) {
		mustWrite(t, db, func(tx *Tx) error { return tx.ReplaceDeadlines(ctx, d, student, ds) })
	}
	put(a.ID, ds)
	put(b.ID, ds)
	before, err := db.DeadlineDates(ctx, d)
	if err != nil || len(before) != 2 || before[a.ID] != before[b.ID] || before[a.ID] == 0 {
		t.Fatalf("before: %v, %v", before, err)
	}
	moved := append([]Deadline(nil), ds...)
	moved[0].Due = day("2027-03-12")
	put(a.ID, moved)
	met := append([]Deadline(nil), ds...)
	met[0].MetOn = day("2027-03-05")
	put(b.ID, met)
	after, err := db.DeadlineDates(ctx, d)
	if err != nil || after[a.ID] == before[a.ID] || after[b.ID] != before[b.ID] {
		t.Errorf("after: a moved %v, b met unchanged %v (%v)", after[a.ID] != before[a.ID], after[b.ID] == before[b.ID], err)
	}
}
