package app

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// TestEventsRecomputeDeadlines: appending an event recomputes the student's stored deadlines in
// the same transaction, on the district's stored calendar; a snow day added later moves an open
// deadline once the district is recomputed.
func TestEventsRecomputeDeadlines(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 10, 5, 14, 0, 0, 0, time.UTC)
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "clocks.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	svc := New(db, func() time.Time { return now })
	var d, stu, year string
	err = db.Write(ctx, func(tx *store.Tx) error {
		dist := &iep.District{Name: "Riverton", StateCode: "MA", RulePack: "MA", Timezone: "America/New_York"}
		if err := tx.CreateDistrict(ctx, dist); err != nil {
			return err
		}
		d = dist.ID
		sc := &iep.School{DistrictID: d, Name: "S", Code: "1", LowGrade: "K", HighGrade: "12", Kind: iep.SchoolPublic}
		if err := tx.CreateSchool(ctx, sc); err != nil {
			return err
		}
		y := &iep.SchoolYear{DistrictID: d, Name: "2026-2027", FirstDay: date.MustParse("2026-09-02"), LastDay: date.MustParse("2027-06-18")}
		if err := tx.CreateSchoolYear(ctx, y); err != nil {
			return err
		}
		year = y.ID
		if err := tx.PutCalendarDays(ctx, d, []iep.CalendarDay{
			{SchoolYearID: y.ID, Date: date.MustParse("2026-10-12"), Kind: iep.DayClosed, Note: "Indigenous Peoples' Day"},
			{SchoolYearID: y.ID, Date: date.MustParse("2026-11-26"), Kind: iep.DayClosed, Note: "Thanksgiving"},
			{SchoolYearID: y.ID, Date: date.MustParse("2026-11-27"), Kind: iep.DayClosed, Note: "Thanksgiving"},
		}); err != nil {
			return err
		}
		st := &iep.Student{DistrictID: d, SchoolID: sc.ID, FirstName: "A", LastName: "B", BirthDate: date.MustParse("2016-05-05"),
			Grade: "04", HomeLanguage: "en", EnrolledOn: date.MustParse("2021-09-01")}
		if err := tx.CreateStudent(ctx, st); err != nil {
			return err
		}
		stu = st.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	consent := date.MustParse("2026-10-01")
	err = db.Write(ctx, func(tx *store.Tx) error {
		return tx.AppendEvent(ctx, &iep.Event{DistrictID: d, StudentID: stu, Kind: iep.EventEvaluationConsentReceived, OccurredOn: consent})
	})
	if err != nil {
		t.Fatal(err)
	}
	stored := func() map[string]store.Deadline {
		ds, err := db.ListStudentDeadlines(ctx, d, stu)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]store.Deadline{}
		for _, x := range ds {
			m[x.Clock] = x
		}
		return m
	}
	got := stored()
	eval, ok := got["initial_evaluation"]
	if !ok {
		t.Fatalf("no initial evaluation clock after the consent: %+v", got)
	}
	// MA: 30 school days from the consent (603 CMR 28.05(1)), counted on the stored calendar:
	// October 2 is day 1; Columbus Day (Oct 12) and Thanksgiving (Nov 26–27) are skipped.
	if want := date.MustParse("2026-11-13"); eval.Due != want || eval.Start != consent || eval.Provisional || !eval.Open() {
		t.Errorf("initial evaluation %+v, want due %s", eval, want)
	}
	if eval.SchoolID == "" || eval.Citation == "" {
		t.Errorf("stored without school or citation: %+v", eval)
	}
	// A snow day on November 3, recorded after the deadline was computed, moves it by a day.
	err = db.Write(ctx, func(tx *store.Tx) error {
		return tx.PutCalendarDays(ctx, d, []iep.CalendarDay{{SchoolYearID: year, Date: date.MustParse("2026-11-03"), Kind: iep.DayEmergency, Note: "Snow day"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := svc.RecomputeDistrict(ctx, d); err != nil || n != 1 {
		t.Fatalf("RecomputeDistrict = %d, %v", n, err)
	}
	if due := stored()["initial_evaluation"].Due; due != date.MustParse("2026-11-16") {
		t.Errorf("after the snow day the evaluation is due %s, want 2026-11-16 (the Monday after)", due)
	}
	// A pause needs a reason the rules allow for that clock (34 CFR 300.301(d)): refused, the
	// event is not written; allowed, the paused school days do not count.
	pause := func(reason string) error {
		return db.Write(ctx, func(tx *store.Tx) error {
			return tx.AppendEvent(ctx, &iep.Event{DistrictID: d, StudentID: stu, Kind: iep.EventClockPaused,
				OccurredOn: date.MustParse("2026-11-05"), Data: []byte(`{"clock":"initial_evaluation","reason":"` + reason + `"}`)})
		})
	}
	before, _ := db.ListEvents(ctx, d, stu)
	if err := pause("teacher_on_vacation"); iep.KindOf(err) != iep.KindInvalid {
		t.Errorf("a pause with a reason the rules do not allow: %v", err)
	}
	if after, _ := db.ListEvents(ctx, d, stu); len(after) != len(before) {
		t.Error("a refused pause was written to the ledger")
	}
	if err := pause("parent_fails_to_produce_child"); err != nil {
		t.Fatalf("an allowed pause: %v", err)
	}
	err = db.Write(ctx, func(tx *store.Tx) error {
		return tx.AppendEvent(ctx, &iep.Event{DistrictID: d, StudentID: stu, Kind: iep.EventClockResumed,
			OccurredOn: date.MustParse("2026-11-09"), Data: []byte(`{"clock":"initial_evaluation"}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	// Paused after Thursday Nov 5 through the resume on Monday Nov 9: Friday 6 and Monday 9 do
	// not count, so the due date moves two school days, from Monday Nov 16 to Wednesday Nov 18.
	if due := stored()["initial_evaluation"].Due; due != date.MustParse("2026-11-18") {
		t.Errorf("after the pause the evaluation is due %s, want 2026-11-18", due)
	}
	// Met: the evaluation completed closes it.
	err = db.Write(ctx, func(tx *store.Tx) error {
		return tx.AppendEvent(ctx, &iep.Event{DistrictID: d, StudentID: stu, Kind: iep.EventEvaluationCompleted, OccurredOn: date.MustParse("2026-11-10")})
	})
	if err != nil {
		t.Fatal(err)
	}
	if ev := stored()["initial_evaluation"]; ev.MetOn != date.MustParse("2026-11-10") || ev.Open() {
		t.Errorf("after the evaluation: %+v", ev)
	}
	// The district's own, shorter timeline (20 school days; the law allows up to 30) moves it:
	// day 20 after October 1 is Friday October 30 (October 12 skipped).
	if n, err := svc.SetRuleAmount(ctx, d, "initial_evaluation", 20); err != nil || n != 1 {
		t.Fatalf("SetRuleAmount = %d, %v", n, err)
	}
	if ev := stored()["initial_evaluation"]; ev.Due != date.MustParse("2026-10-30") {
		t.Errorf("with the district's 20 school days the evaluation is due %s, want 2026-10-30", ev.Due)
	}
	if _, err := svc.SetRuleAmount(ctx, d, "initial_evaluation", 45); iep.KindOf(err) != iep.KindInvalid {
		t.Errorf("an amount beyond the law: %v", err)
	}
}
