package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// The deadline contract tests join the suite of store_test.go (both engines).
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"DeadlinesReplaceAndList", testDeadlinesReplaceAndList},
		{"DueFiltersAndPages", testDueFiltersAndPages},
		{"EventHookRunsInTheTransaction", testEventHook},
		{"CalendarReplaceAndRuleOverrides", testCalendarReplaceAndRuleOverrides},
	}...)
}

func testDeadlinesReplaceAndList(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	st := f.addStudent(t, db, "Dee", "Line")
	day := date.MustParse
	first := []Deadline{
		{Clock: "services_start", Citation: "seed", Start: day("2026-10-01"), Due: day("2026-10-15"), Soon: day("2026-10-08")},
		{Clock: "annual_review", Citation: "34 CFR 300.324(b)(1)(i)", Start: day("2026-10-01"), Due: day("2027-10-01"), MetOn: day("2027-09-20")},
		{Clock: "reevaluation", Citation: "34 CFR 300.303(b)(2)", Start: day("2026-10-01"), Due: day("2029-10-01"), Provisional: true, Paused: true, PauseReason: "parent_unavailable"},
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.ReplaceDeadlines(ctx, d, st.ID, first) })
	got, err := db.ListStudentDeadlines(ctx, d, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	var clocks []string
	for _, x := range got {
		clocks = append(clocks, x.Clock)
	}
	diff(t, "order (open by due date, then met)", clocks, []string{"services_start", "reevaluation", "annual_review"})
	if r := got[1]; !r.Provisional || !r.Paused || r.PauseReason != "parent_unavailable" || r.Soon != r.Due || r.ComputedAt.IsZero() {
		t.Errorf("stored %+v", r)
	}
	if got[2].MetOn != day("2027-09-20") || got[2].Open() {
		t.Errorf("met deadline %+v", got[2])
	}
	// Replaced whole: a shorter set leaves nothing of the longer one.
	mustWrite(t, db, func(tx *Tx) error { return tx.ReplaceDeadlines(ctx, d, st.ID, first[:1]) })
	if got, _ := db.ListStudentDeadlines(ctx, d, st.ID); len(got) != 1 {
		t.Errorf("after replacing with one: %d", len(got))
	}
	err = db.Write(ctx, func(tx *Tx) error {
		return tx.ReplaceDeadlines(ctx, d, st.ID, []Deadline{{Clock: "", Start: day("2026-10-01")}})
	})
	wantKind(t, err, iep.KindInvalid, "a deadline without a clock or due date")
	if got, _ := db.ListStudentDeadlines(ctx, d, st.ID); len(got) != 1 {
		t.Errorf("a refused replacement changed the set: %d", len(got))
	}
}

func testDueFiltersAndPages(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	today := date.MustParse("2026-11-02")
	// 30 students: each with one overdue, one due soon, one upcoming, one met deadline; every
	// third one paused instead of upcoming; the even ones managed by the teacher at school 1.
	for i := range 30 {
		st := f.addStudent(t, db, fmt.Sprintf("S%02d", i), "Due")
		school, cm := f.school.ID, f.teacher.ID
		if i%2 == 1 {
			school, cm = f.school2.ID, f.provider.ID
		}
		ds := []Deadline{
			{Clock: "proposed_iep_sent", Start: today.AddDays(-20), Due: today.AddDays(-1 - i%5), Soon: today.AddDays(-8)},
			{Clock: "services_start", Start: today.AddDays(-5), Due: today.AddDays(3), Soon: today.AddDays(-4)},
			{Clock: "annual_review", Start: today.AddDays(-300), Due: today.AddDays(65 + i), Soon: today.AddDays(35 + i), Paused: i%3 == 0},
			{Clock: "referral_notice", Start: today.AddDays(-40), Due: today.AddDays(-30), MetOn: today.AddDays(-31)},
		}
		for j := range ds {
			ds[j].SchoolID, ds[j].CaseManagerID, ds[j].Citation = school, cm, "c"
		}
		mustWrite(t, db, func(tx *Tx) error { return tx.ReplaceDeadlines(ctx, d, st.ID, ds) })
	}
	c, err := db.CountDue(ctx, d, DueFilter{Today: today})
	if err != nil {
		t.Fatal(err)
	}
	if c != (DueCounts{Overdue: 30, DueSoon: 30, Upcoming: 20, Paused: 10}) {
		t.Errorf("counts %+v", c)
	}
	c, _ = db.CountDue(ctx, d, DueFilter{Today: today, CaseManagerID: f.teacher.ID})
	if c.Overdue != 15 || c.DueSoon != 15 {
		t.Errorf("the teacher's counts %+v", c)
	}
	// Every open deadline, 7 a page: overdue first, no row twice, none missed.
	var all []DueRow
	after := ""
	for range 20 {
		page, err := db.ListDue(ctx, d, DueFilter{Today: today, After: after, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, page...)
		if len(page) < 7 {
			break
		}
		after = page[len(page)-1].Cursor
	}
	if len(all) != 90 {
		t.Fatalf("paged through %d open deadlines, want 90", len(all))
	}
	seen := map[string]bool{}
	for i, r := range all {
		key := r.StudentID + fmt.Sprint(r.N)
		if seen[key] {
			t.Fatalf("row %s twice", key)
		}
		seen[key] = true
		if !r.Open() || r.FirstName == "" {
			t.Errorf("row %d: %+v", i, r)
		}
		if i > 0 && all[i-1].Due.After(r.Due) {
			t.Errorf("row %d out of order", i)
		}
	}
	if all[0].Clock != "proposed_iep_sent" || all[89].Clock != "annual_review" {
		t.Errorf("first %s, last %s", all[0].Clock, all[89].Clock)
	}
	for _, tt := range []struct {
		f    DueFilter
		want int
	}{
		{DueFilter{Status: DueOverdue}, 30},
		{DueFilter{Status: DueSoon}, 30},
		{DueFilter{Status: DueUpcoming}, 20},
		{DueFilter{Status: DuePaused}, 10},
		{DueFilter{Status: DueOverdue, SchoolID: f.school2.ID}, 15},
		{DueFilter{Clock: "services_start", CaseManagerID: f.provider.ID}, 15},
		{DueFilter{Clock: "referral_notice"}, 0}, // met: never "due"
	} {
		tt.f.Today, tt.f.Limit = today, 500
		got, err := db.ListDue(ctx, d, tt.f)
		if err != nil || len(got) != tt.want {
			t.Errorf("ListDue(%+v) = %d rows, %v; want %d", tt.f, len(got), err, tt.want)
		}
	}
	for _, bad := range []DueFilter{{Today: today, Status: "late"}, {Today: today, After: "garbage"}, {}} {
		_, err := db.ListDue(ctx, d, bad)
		wantKind(t, err, iep.KindInvalid, fmt.Sprintf("filter %+v", bad))
	}
	// The digests: both case managers have overdue and due-soon deadlines.
	digests, err := db.DueDigests(ctx, d, today)
	if err != nil || len(digests) != 2 {
		t.Fatalf("digests %+v, %v", digests, err)
	}
	for _, g := range digests {
		if g.Overdue != 15 || g.DueSoon != 15 {
			t.Errorf("digest %+v", g)
		}
	}
	// Long before anything is due soon, nobody gets one.
	if digests, _ := db.DueDigests(ctx, d, today.AddDays(-60)); len(digests) != 0 {
		t.Errorf("digests 60 days earlier: %+v", digests)
	}
	for i, want := range []bool{true, false} {
		var claimed bool
		mustWrite(t, db, func(tx *Tx) (err error) { claimed, err = tx.ClaimDueDigest(ctx, d, today, 2); return err })
		if claimed != want {
			t.Errorf("claim %d = %v, want %v", i, claimed, want)
		}
	}
	// Another district sees none of them.
	other := newFixture(t, db)
	if got, _ := db.ListDue(ctx, other.district.ID, DueFilter{Today: today}); len(got) != 0 {
		t.Errorf("another district lists %d", len(got))
	}
}

// testEventHook: the hook runs in the appending transaction, sees the new event, and its
// failure rolls the event back.
func testEventHook(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	st := f.addStudent(t, db, "Hook", "Ed")
	var seen int
	db.OnEvent(func(ctx context.Context, tx *Tx, e *iep.Event) error {
		es, err := tx.ListEvents(ctx, e.DistrictID, e.StudentID)
		seen = len(es)
		if err == nil && len(es) == 2 {
			return fmt.Errorf("refused by the hook")
		}
		return err
	})
	defer db.OnEvent(nil)
	ev := func() *iep.Event {
		return &iep.Event{DistrictID: d, StudentID: st.ID, Kind: iep.EventReferralReceived, OccurredOn: date.MustParse("2026-10-01")}
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.AppendEvent(ctx, ev()) })
	if seen != 1 {
		t.Errorf("the hook saw %d events, want the new one", seen)
	}
	if err := db.Write(ctx, func(tx *Tx) error { return tx.AppendEvent(ctx, ev()) }); err == nil {
		t.Fatal("a failing hook did not fail the append")
	}
	if es, _ := db.ListEvents(ctx, d, st.ID); len(es) != 1 {
		t.Errorf("after a failing hook the ledger has %d events, want 1", len(es))
	}
}

// testCalendarReplaceAndRuleOverrides: a school year's days replaced whole, its dates changed;
// a district's rule amounts set, changed and removed; the students with a ledger listed.
func testCalendarReplaceAndRuleOverrides(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	day := date.MustParse
	y := f.year
	mustWrite(t, db, func(tx *Tx) error {
		return tx.PutCalendarDays(ctx, d, []iep.CalendarDay{
			{SchoolYearID: y.ID, Date: day("2026-11-26"), Kind: iep.DayClosed, Note: "Thanksgiving"},
			{SchoolYearID: y.ID, Date: day("2027-01-27"), Kind: iep.DayEmergency, Note: "Snow day"},
		})
	})
	mustWrite(t, db, func(tx *Tx) error {
		return tx.ReplaceCalendarDays(ctx, d, y.ID, []iep.CalendarDay{
			{SchoolYearID: y.ID, Date: day("2026-11-26"), Kind: iep.DayClosed, Note: "Thanksgiving"},
			{SchoolYearID: y.ID, Date: day("2026-11-27"), Kind: iep.DayClosed, Note: "Thanksgiving"},
		})
	})
	days, err := db.ListCalendarDays(ctx, d, y.ID)
	if err != nil || len(days) != 2 || days[1].Date != day("2026-11-27") {
		t.Errorf("after replacing: %+v, %v", days, err)
	}
	y.LastDay = day("2027-06-22")
	mustWrite(t, db, func(tx *Tx) error { return tx.UpdateSchoolYear(ctx, &y) })
	if ys, _ := db.ListSchoolYears(ctx, d); len(ys) != 1 || ys[0].LastDay != day("2027-06-22") {
		t.Errorf("after updating: %+v", ys)
	}
	ghost := y
	ghost.ID = "no-such-year"
	err = db.Write(ctx, func(tx *Tx) error { return tx.UpdateSchoolYear(ctx, &ghost) })
	wantKind(t, err, iep.KindNotFound, "an unknown school year")

	for _, set := range []struct {
		rule string
		n    int
	}{{"services_start", 5}, {"meeting_notice", 14}, {"services_start", 7}, {"meeting_notice", 0}} {
		mustWrite(t, db, func(tx *Tx) error { return tx.SetRuleOverride(ctx, d, set.rule, set.n) })
	}
	over, err := db.RuleOverrides(ctx, d)
	if err != nil || len(over) != 1 || over["services_start"] != 7 {
		t.Errorf("overrides %v, %v", over, err)
	}
	if other, _ := db.RuleOverrides(ctx, newFixture(t, db).district.ID); len(other) != 0 {
		t.Errorf("another district has overrides %v", other)
	}

	a, b := f.addStudent(t, db, "A", "Ledger"), f.addStudent(t, db, "B", "None")
	mustWrite(t, db, func(tx *Tx) error {
		return tx.AppendEvent(ctx, &iep.Event{DistrictID: d, StudentID: a.ID, Kind: iep.EventReferralReceived, OccurredOn: day("2026-10-01")})
	})
	ids, err := db.StudentsWithEvents(ctx, d)
	if err != nil || len(ids) != 1 || ids[0] != a.ID {
		t.Errorf("students with a ledger %v (%v); %s has none", ids, err, b.ID)
	}
}
