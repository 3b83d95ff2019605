package store

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// testCaseload (contract): who is on a case manager's caseload (current plan, plan being written
// or proposed, active evaluation; not a student who left, not one whose current plan someone
// else manages), the plans awaiting work or an answer, and the meetings of a window.
func testCaseload(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d, cm, other := f.district.ID, f.teacher.ID, f.provider.ID
	stu := func(first, last string) iep.Student { return f.addStudent(t, db, first, last) }
	plan := func(s iep.Student, status iep.PlanStatus, manager string, freeze bool) iep.Plan {
		t.Helper()
		p := f.plan(s.ID)
		p.Status, p.CaseManagerID = status, manager
		mustWrite(t, db, func(tx *Tx) error {
			if err := tx.CreatePlan(ctx, &p, manager); err != nil {
				return err
			}
			if freeze {
				_, err := tx.FreezePlan(ctx, d, p.ID, manager)
				return err
			}
			return nil
		})
		return p
	}
	accepted := stu("Ada", "Accepted")
	plan(accepted, iep.StatusAccepted, cm, true)
	drafting := stu("Ben", "Drafting")
	draft := plan(drafting, iep.StatusDraft, cm, false)
	proposing := stu("Cy", "Proposed")
	proposed := plan(proposing, iep.StatusProposed, cm, true)
	elsewhere := stu("Dee", "Elsewhere")
	plan(elsewhere, iep.StatusAccepted, other, true)
	moved := stu("Eve", "Moved") // an old plan of cm ended; the current one is someone else's
	plan(moved, iep.StatusEnded, cm, false)
	plan(moved, iep.StatusAccepted, other, true)
	evaluated := stu("Fay", "Evaluated")
	left := stu("Gus", "Left")
	plan(left, iep.StatusAccepted, cm, true)
	mustWrite(t, db, func(tx *Tx) error {
		e := iep.Evaluation{DistrictID: d, StudentID: evaluated.ID, Kind: iep.EvaluationInitial, Stage: iep.StageEvaluating,
			CaseManagerID: cm, ConsentOn: date.MustParse("2026-09-01"), Assessments: []iep.Assessment{{Area: "academic"}}}
		if err := tx.CreateEvaluation(ctx, &e); err != nil {
			return err
		}
		if err := tx.AddEvaluationStaff(ctx, d, e.ID, evaluated.ID, cm, EvaluationCaseManager); err != nil {
			return err
		}
		// Manager of the other's evaluator part only: not their caseload.
		if err := tx.AddEvaluationStaff(ctx, d, e.ID, evaluated.ID, other, EvaluationEvaluator); err != nil {
			return err
		}
		left.ExitedOn, left.ExitReason = date.MustParse("2026-08-30"), iep.ExitMoved
		return tx.UpdateStudent(ctx, &left)
	})

	rows, err := db.ListCaseload(ctx, d, cm, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.LastName)
	}
	diff(t, "caseload", got, []string{"Accepted", "Drafting", "Evaluated", "Proposed"})
	if rows[0].PlanStatus != iep.StatusAccepted || rows[2].PlanID != "" {
		t.Errorf("plans on the caseload rows: %+v", rows)
	}
	if rows, _ := db.ListCaseload(ctx, d, cm, 2); len(rows) != 2 {
		t.Errorf("limit 2: %d rows", len(rows))
	}
	if rows, _ := db.ListCaseload(ctx, d, other, 100); len(rows) != 2 || rows[0].LastName != "Elsewhere" || rows[1].LastName != "Moved" {
		t.Errorf("the other's caseload: %+v", rows)
	}
	if rows, _ := db.ListCaseload(ctx, newFixture(t, db).district.ID, cm, 100); len(rows) != 0 {
		t.Errorf("another district: %+v", rows)
	}

	plans, err := db.ListCaseloadPlans(ctx, d, cm)
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 2 || plans[0].PlanID != proposed.ID || plans[1].PlanID != draft.ID {
		t.Fatalf("plans: %+v", plans)
	}
	if plans[0].ProposedAt.IsZero() || plans[0].LastName != "Proposed" || !plans[1].ProposedAt.IsZero() ||
		plans[1].UpdatedAt.IsZero() || !plans[1].SharedAt.IsZero() || plans[1].Kind != iep.PlanInitial {
		t.Errorf("plans: %+v", plans)
	}

	// Whom an administrator chooses from: who manages a plan or an evaluation, active, by name.
	mustWrite(t, db, func(tx *Tx) error {
		idle := iep.Staff{DistrictID: d, FirstName: "Ida", LastName: "Aaron", Roles: []iep.StaffRole{iep.RoleCaseManager}, Active: true}
		gone := iep.Staff{DistrictID: d, FirstName: "Gil", LastName: "Abbot", Roles: []iep.StaffRole{iep.RoleCaseManager}, Active: false}
		for _, s := range []*iep.Staff{&idle, &gone} {
			if err := tx.CreateStaff(ctx, s); err != nil {
				return err
			}
		}
		p := f.plan(accepted.ID)
		p.Status, p.CaseManagerID = iep.StatusEnded, gone.ID
		return tx.CreatePlan(ctx, &p, gone.ID)
	})
	managers, err := db.ListCaseManagers(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	var who []string
	for _, m := range managers {
		who = append(who, m.LastName)
	}
	diff(t, "case managers", who, []string{"Speech", "Teach"})

	base := time.Date(2026, 9, 14, 4, 0, 0, 0, time.UTC)
	meet := func(s iep.Student, at time.Time, status iep.MeetingStatus) iep.Meeting {
		m := iep.Meeting{DistrictID: d, StudentID: s.ID, Purposes: []iep.MeetingPurpose{iep.PurposeAnnualReview},
			Status: status, StartsAt: at, DurationMinutes: 45, Location: "Room 4"}
		mustWrite(t, db, func(tx *Tx) error { return tx.CreateMeeting(ctx, &m) })
		return m
	}
	soon := meet(accepted, base.Add(26*time.Hour), iep.MeetingScheduled)
	first := meet(drafting, base.Add(2*time.Hour), iep.MeetingProposed)
	meet(accepted, base.Add(3*time.Hour), iep.MeetingHeld)
	meet(accepted, base.Add(-time.Hour), iep.MeetingScheduled)
	meet(accepted, base.Add(8*24*time.Hour), iep.MeetingScheduled)
	meet(elsewhere, base.Add(5*time.Hour), iep.MeetingScheduled)
	ms, err := db.ListCaseloadMeetings(ctx, d, cm, base, base.Add(7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 || ms[0].ID != first.ID || ms[1].ID != soon.ID || ms[1].LastName != "Accepted" ||
		!ms[1].StartsAt.Equal(soon.StartsAt) || !slices.Equal(ms[1].Purposes, soon.Purposes) || ms[1].Location != "Room 4" {
		t.Errorf("meetings: %+v", ms)
	}
}

// TestCaseloadUsesIndexesSQLite: the caseload's reads start from the case manager's plans and
// evaluations (indexes by case manager) and reach students and meetings by key: never a walk of
// the district.
func TestCaseloadUsesIndexesSQLite(t *testing.T) {
	db := openSQLite(t)
	f := newFixture(t, db)
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateStudents(ctx, benchStudents(f, 100, 0)) })
	s := f.addStudent(t, db, "Ana", "Plan")
	f.addPlan(t, db, s.ID, nil)
	var seen []string
	var args [][]any
	db.onQuery = func(q string, a []any) { seen, args = append(seen, q), append(args, a) }
	now := time.Now()
	if _, err := db.ListCaseload(ctx, f.district.ID, f.teacher.ID, 500); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ListCaseloadPlans(ctx, f.district.ID, f.teacher.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ListCaseloadMeetings(ctx, f.district.ID, f.teacher.ID, now, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ListCaseManagers(ctx, f.district.ID); err != nil {
		t.Fatal(err)
	}
	db.onQuery = nil
	if len(seen) != 4 {
		t.Fatalf("%d queries for four reads", len(seen))
	}
	// The case managers to choose from: the plans' index by case manager (the district's range of
	// it: every case manager is wanted), then each staff member by key, never the staff table.
	if plan := explain(t, db, seen[3], args[3]); !strings.Contains(plan, "SEARCH staff USING INDEX sqlite_autoindex_staff_1 (district_id=? AND id=?)") ||
		!strings.Contains(plan, "plans_case_manager") || strings.Contains(plan, "SCAN ") {
		t.Errorf("the case managers' query: %s", plan)
	}
	seen, args = seen[:3], args[:3]
	for i, q := range seen {
		plan := explain(t, db, q, args[i])
		if strings.Contains(plan, "(district_id=?)") || (strings.Contains(plan, "SCAN ") && !strings.Contains(plan, "VIRTUAL TABLE")) || !strings.Contains(plan, "plans_case_manager") {
			t.Errorf("query walks a district or does not start from the case manager:\n%s\nplan: %s", q, plan)
		}
	}
}

// TestStudentPageReadsUseIndexesSQLite extends TestRecordReadsUseIndexesSQLite to what the
// student page reads beside the record (app.StudentRecord): deadlines, documents, the frozen
// version of the plan in effect, the school year's calendar. Each searches an index by more
// than the district; the district's school years and rule amounts, a few rows per district,
// are read by their district's key (never a scan).
func TestStudentPageReadsUseIndexesSQLite(t *testing.T) {
	db := openSQLite(t)
	f := newFixture(t, db)
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateStudents(ctx, benchStudents(f, 100, 0)) })
	st := f.addStudent(t, db, "Ada", "Record")
	p := f.addPlan(t, db, st.ID, nil)
	mustWrite(t, db, func(tx *Tx) error { _, err := tx.FreezePlan(ctx, f.district.ID, p.ID, f.teacher.ID); return err })
	d := f.district.ID
	type recorded struct {
		q    string
		args []any
	}
	record := func(reads ...func() error) []recorded {
		var seen []recorded
		db.onQuery = func(q string, args []any) { seen = append(seen, recorded{q, args}) }
		defer func() { db.onQuery = nil }()
		for i, read := range reads {
			if err := read(); err != nil {
				t.Fatalf("read %d: %v", i, err)
			}
		}
		if len(seen) < len(reads) {
			t.Fatalf("%d queries for %d reads", len(seen), len(reads))
		}
		return seen
	}
	for _, r := range record(
		func() error { _, err := db.ListStudentDeadlines(ctx, d, st.ID); return err },
		func() error { _, err := db.ListDocuments(ctx, d, st.ID); return err },
		func() error { _, err := db.GetVersion(ctx, d, p.ID, 1); return err },
		func() error { _, err := db.ListCalendarDays(ctx, d, f.year.ID); return err },
	) {
		plan := explain(t, db, r.q, r.args)
		if strings.Contains(plan, "(district_id=?)") || (strings.Contains(plan, "SCAN ") && !strings.Contains(plan, "VIRTUAL TABLE")) {
			t.Errorf("query walks a whole district or table:\n%s\nplan: %s", r.q, plan)
		}
	}
	for _, r := range record(
		func() error { _, err := db.ListSchoolYears(ctx, d); return err },
		func() error { _, err := db.RuleOverrides(ctx, d); return err },
	) {
		if plan := explain(t, db, r.q, r.args); !strings.Contains(plan, "SEARCH ") || strings.Contains(plan, "SCAN ") {
			t.Errorf("query does not search by its district's key:\n%s\nplan: %s", r.q, plan)
		}
	}
}
