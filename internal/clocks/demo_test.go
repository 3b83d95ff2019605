package clocks_test

import (
	"context"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/clocks"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/demo"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/schoolday"
	"github.com/openiep/openiep/internal/store"
)

// The demo district's ledgers (internal/demo writes them through the store; there is no
// generator without a database) give sensible deadlines: every clock computes, those the demo
// lays out within their limits are met on time, and the annual review of every plan is the
// anniversary of the meeting that finalized it, as the plan header says.
func TestDemoDistrict(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a demo district")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	res, err := demo.Generate(ctx, db, demo.Config{Students: 800, Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	district, err := db.GetDistrict(ctx, res.DistrictID)
	if err != nil {
		t.Fatal(err)
	}
	pack, err := rules.Load(district.RulePack)
	if err != nil {
		t.Fatal(err)
	}
	cal := demoCalendar(t, db, district)
	today := demo.DefaultToday
	counts := map[string]map[clocks.Status]int{}
	students := 0
	for _, s := range allStudents(t, db, district.ID) {
		evs, err := db.ListEvents(ctx, district.ID, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			continue
		}
		students++
		plans, err := db.ListPlans(ctx, district.ID, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		f := clocks.Facts{DistrictID: district.ID, StudentID: s.ID, BirthDate: s.BirthDate, CurrentPlanID: s.PlanID}
		for _, p := range plans {
			full, err := db.GetPlan(ctx, district.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if full.Content.Transition.Applies {
				f.TransitionPlanIDs = append(f.TransitionPlanIDs, p.ID)
			}
		}
		ds, err := clocks.Deadlines(f, evs, cal, pack)
		if err != nil {
			t.Fatalf("student %s: %v", s.ID, err)
		}
		checkDemoDeadlines(t, s.ID, ds, plans, pack, today, counts)
	}
	if students < 50 {
		t.Fatalf("only %d students with a ledger", students)
	}
	for _, clock := range []string{"referral_notice", "initial_evaluation", "proposed_iep_after_consent", "proposed_iep_sent",
		"parent_response", "services_start", "annual_review", "reevaluation", "transition_plan", "meeting_notice"} {
		if len(counts[clock]) == 0 {
			t.Errorf("no %s deadline in the whole demo district", clock)
		}
	}
	logCounts(t, counts)
}

// checkDemoDeadlines checks one student's deadlines and counts their statuses.
func checkDemoDeadlines(t *testing.T, student string, ds []clocks.Deadline, plans []iep.Plan, pack rules.Pack, today date.Date, counts map[string]map[clocks.Status]int) {
	t.Helper()
	reviews := map[string]clocks.Deadline{}
	for _, d := range ds {
		r, ok := pack.Rule(d.Clock)
		if !ok || d.Start.IsZero() || d.Due.IsZero() || d.Citation != r.Citation {
			t.Errorf("student %s: malformed deadline %+v", student, d)
			continue
		}
		if r.Kind != rules.BeforeMeeting && r.Kind != rules.NotBefore && d.Due.Before(d.Start) {
			t.Errorf("student %s: %s due %s before its start %s", student, d.Clock, d.Due, d.Start)
		}
		st, _ := d.StatusOn(today, pack)
		if counts[d.Clock] == nil {
			counts[d.Clock] = map[clocks.Status]int{}
		}
		counts[d.Clock][st]++
		// The demo lays these out within their limits: the referral notice within 1-5 school
		// days, assessments within 8-28 school days of consent, services within 1-8 school days
		// of the signature; each annual meeting within a year of the one before (an
		// anniversary, not 365 days).
		switch d.Clock {
		case "referral_notice", "initial_evaluation", "services_start", "annual_review":
			if st == clocks.StatusMetLate {
				t.Errorf("student %s: %s met late: %+v", student, d.Clock, d)
			}
		}
		if d.Clock == "annual_review" && d.MetOn.IsZero() {
			reviews[d.PlanID] = d
		}
	}
	for _, p := range plans {
		if r, ok := reviews[p.ID]; ok && !p.NextReviewDate.IsZero() && r.Due != p.NextReviewDate {
			t.Errorf("student %s plan %s: annual review due %s, the plan says %s (meeting %s)", student, p.ID, r.Due, p.NextReviewDate, p.MeetingDate)
		}
	}
}

func demoCalendar(t *testing.T, db *store.DB, district *iep.District) *schoolday.Calendar {
	t.Helper()
	ctx := context.Background()
	years, err := db.ListSchoolYears(ctx, district.ID)
	if err != nil {
		t.Fatal(err)
	}
	var days []iep.CalendarDay
	for _, y := range years {
		ds, err := db.ListCalendarDays(ctx, district.ID, y.ID)
		if err != nil {
			t.Fatal(err)
		}
		days = append(days, ds...)
	}
	// The demo stores closures just outside a year (Labor Day before the first day), which
	// schoolday.New refuses: keep the days inside each year, and ESY days after it.
	ys := schoolday.FromStore(years, days)
	for i := range ys {
		for d, k := range ys[i].Days {
			if d.Before(ys[i].First) || d.After(ys[i].Last) && k != iep.DayESY {
				delete(ys[i].Days, d)
			}
		}
	}
	cal, err := schoolday.New(district.StateCode, ys...)
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func allStudents(t *testing.T, db *store.DB, districtID string) []store.StudentSummary {
	t.Helper()
	var out []store.StudentSummary
	f := store.StudentFilter{Limit: 500}
	for {
		page, err := db.ListStudents(context.Background(), districtID, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if len(page) < f.Limit {
			return out
		}
		f.After = page[len(page)-1].Cursor
	}
}

func logCounts(t *testing.T, counts map[string]map[clocks.Status]int) {
	var ids []string
	for id := range counts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		var parts []string
		for st, n := range counts[id] {
			parts = append(parts, string(st)+"="+strconv.Itoa(n))
		}
		sort.Strings(parts)
		t.Logf("%-28s %s", id, strings.Join(parts, " "))
	}
}
