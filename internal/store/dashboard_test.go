package store

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// The dashboard's contract tests join the suite of store_test.go (both engines).
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"ComplianceCounts", testComplianceCounts},
		{"DeadlineTalliesFollowWrites", testDeadlineTalliesFollowWrites},
	}...)
}

// dashToday is the tests' today: a Monday in March of the 2026-2027 school year.
var dashToday = date.MustParse("2027-03-15")

func dashQuery() ComplianceQuery {
	return ComplianceQuery{Today: dashToday, From: date.MustParse("2026-07-01"), Through: date.MustParse("2027-03-31"),
		Exclude: []string{"parent_response"}}
}

// testComplianceCounts stores deadlines of every state at two schools and checks each count of
// the dashboard, and that its open counts are those "what is due" lists behind its links.
func testComplianceCounts(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	a := f.addStudent(t, db, "Ada", "Dash")
	b := f.addStudent(t, db, "Ben", "Dash")
	b.SchoolID = f.school2.ID
	mustWrite(t, db, func(tx *Tx) error { return tx.UpdateStudent(ctx, &b) })
	day := date.MustParse
	dl := func(clock, due, soon, met string) Deadline {
		x := Deadline{Clock: clock, Citation: "c", Start: day("2026-01-01"), Due: day(due)}
		if soon != "" {
			x.Soon = day(soon)
		}
		if met != "" {
			x.MetOn = day(met)
		}
		return x
	}
	forA := []Deadline{
		dl("services_start", "2027-03-01", "2027-02-22", ""),  // overdue, this year
		dl("services_start", "2026-05-01", "2026-04-20", ""),  // overdue since last year
		dl("services_start", "2027-03-18", "2027-03-13", ""),  // due soon
		dl("services_start", "2027-05-01", "2027-04-20", ""),  // upcoming: not counted
		dl("services_start", "2026-10-10", "", "2026-10-01"),  // met on time, October
		dl("services_start", "2026-11-10", "", "2026-11-12"),  // met late, November
		dl("services_start", "2027-03-30", "", "2027-03-10"),  // met early, due later this month: on time
		dl("services_start", "2027-04-30", "", "2027-03-10"),  // due next month: not yet counted
		dl("services_start", "2026-06-20", "", "2026-06-01"),  // last school year: not counted
		dl("annual_review", "2026-09-15", "", "2026-09-20"),   // met late, September
		dl("parent_response", "2027-02-01", "2027-01-25", ""), // the family's window: not counted
		{Clock: "parent_response", Citation: "c", Start: day("2026-12-01"), Due: day("2026-12-31"), MetOn: day("2026-12-31"), Lapsed: true},
		{Clock: "reevaluation_min_interval", Citation: "c", Start: day("2026-12-01"), Due: day("2026-12-20"), MetOn: day("2026-12-01"), Early: true},
	}
	paused := dl("annual_review", "2027-01-15", "2027-01-01", "")
	paused.Paused = true
	forB := []Deadline{
		dl("annual_review", "2027-02-01", "2027-01-01", ""), // overdue, this year
		dl("annual_review", "2026-12-01", "", "2026-11-30"), // met on time, due in December
		paused, // paused: not counted
	}
	mustWrite(t, db, func(tx *Tx) error {
		for _, x := range []struct {
			id string
			ds []Deadline
		}{{a.ID, forA}, {b.ID, forB}} {
			for i := range x.ds {
				x.ds[i].SchoolID = f.school.ID
				if x.id == b.ID {
					x.ds[i].SchoolID = f.school2.ID
				}
			}
			if err := tx.ReplaceDeadlines(ctx, d, x.id, x.ds); err != nil {
				return err
			}
		}
		return nil
	})

	got, err := db.ComplianceBySchoolAndClock(ctx, d, dashQuery())
	if err != nil {
		t.Fatal(err)
	}
	want := map[ComplianceKey]Compliance{
		{f.school.ID, "services_start"}: {Overdue: 2, DueSoon: 1, OverdueThisYear: 1, OnTime: 2, Late: 1},
		{f.school.ID, "annual_review"}:  {Late: 1},
		{f.school2.ID, "annual_review"}: {Overdue: 1, OverdueThisYear: 1, OnTime: 1},
	}
	diff(t, "by school and clock", got, want)

	q := dashQuery()
	q.SchoolID = f.school2.ID
	got, err = db.ComplianceBySchoolAndClock(ctx, d, q)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "one school", got, map[ComplianceKey]Compliance{{f.school2.ID, "annual_review"}: want[ComplianceKey{f.school2.ID, "annual_review"}]})

	months, err := db.ComplianceByMonth(ctx, d, dashQuery())
	if err != nil {
		t.Fatal(err)
	}
	var line []string
	for _, m := range months {
		line = append(line, fmt.Sprintf("%s %d/%d/%d", m.Month.String()[:7], m.OnTime, m.Late, m.Overdue))
	}
	diff(t, "by month", strings.Join(line, ", "), "2026-07 0/0/0, 2026-08 0/0/0, 2026-09 0/1/0, 2026-10 1/0/0, "+
		"2026-11 0/1/0, 2026-12 1/0/0, 2027-01 0/0/0, 2027-02 0/0/1, 2027-03 1/0/1")
	months, err = db.ComplianceByMonth(ctx, d, q)
	if err != nil || months[5].OnTime != 1 || months[4].Late != 0 || months[7].Overdue != 1 || months[8].Overdue != 0 {
		t.Errorf("by month at one school: %+v, %v", months, err)
	}

	// The open counts are what "what is due" lists behind the dashboard's links (excluded clocks
	// aside, which the dashboard does not link to).
	for _, school := range []string{f.school.ID, f.school2.ID} {
		for _, clock := range []string{"services_start", "annual_review"} {
			c, err := db.CountDue(ctx, d, DueFilter{Today: dashToday, SchoolID: school, Clock: clock})
			if err != nil {
				t.Fatal(err)
			}
			x := want[ComplianceKey{school, clock}]
			if c.Overdue != x.Overdue || c.DueSoon != x.DueSoon {
				t.Errorf("school %s, %s: what is due counts %d overdue, %d due soon; the dashboard %d, %d",
					school, clock, c.Overdue, c.DueSoon, x.Overdue, x.DueSoon)
			}
		}
	}

	// Tenancy: another district counts nothing.
	other := newFixture(t, db)
	if got, err := db.ComplianceBySchoolAndClock(ctx, other.district.ID, dashQuery()); err != nil || len(got) != 0 {
		t.Errorf("another district: %v, %v", got, err)
	}
	if _, err := db.ComplianceByMonth(ctx, d, ComplianceQuery{Today: dashToday}); iep.KindOf(err) != iep.KindInvalid {
		t.Errorf("a query without its period: %v", err)
	}
}

// testDeadlineTalliesFollowWrites replaces, updates (raw SQL) and deletes deadlines and, after
// each step, compares the tallies the triggers keep with a recount of the deadlines.
func testDeadlineTalliesFollowWrites(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	st := f.addStudent(t, db, "Tal", "Ly")
	check := func(step string) {
		t.Helper()
		count := func(q string) map[string]int {
			rows, err := db.Writer().QueryContext(ctx, q, d)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			out := map[string]int{}
			for rows.Next() {
				var m, s, c string
				var late, n int
				if err := rows.Scan(&m, &s, &c, &late, &n); err != nil {
					t.Fatal(err)
				}
				if n != 0 {
					out[m+" "+s+" "+c+" "+strconv.Itoa(late)] = n
				}
			}
			return out
		}
		want := count(`SELECT substr(due_on, 1, 7), COALESCE(school_id, ''), clock,
			CASE WHEN met_on > due_on THEN 1 ELSE 0 END, COUNT(*) FROM deadlines
			WHERE district_id = $1 AND met_on IS NOT NULL AND NOT lapsed AND NOT early GROUP BY 1, 2, 3, 4`)
		got := count(`SELECT due_month, school_id, clock, late, n FROM deadline_tallies WHERE district_id = $1`)
		diff(t, step, got, want)
	}
	day := date.MustParse
	ds := []Deadline{
		{Clock: "services_start", Citation: "c", SchoolID: f.school.ID, Start: day("2026-10-01"), Due: day("2026-10-15"), MetOn: day("2026-10-14")},
		{Clock: "services_start", Citation: "c", SchoolID: f.school.ID, Start: day("2026-10-01"), Due: day("2026-10-20"), MetOn: day("2026-10-22")},
		{Clock: "annual_review", Citation: "c", Start: day("2026-10-01"), Due: day("2026-11-20"), MetOn: day("2026-11-02")},
		{Clock: "annual_review", Citation: "c", Start: day("2026-10-01"), Due: day("2026-12-20")},
		{Clock: "parent_response", Citation: "c", Start: day("2026-10-01"), Due: day("2026-10-31"), MetOn: day("2026-10-31"), Lapsed: true},
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.ReplaceDeadlines(ctx, d, st.ID, ds) })
	check("first set")
	// A recomputation moves one due date (now late), meets the open one and drops another.
	ds[0].Due = day("2026-10-13")
	ds[3].MetOn = day("2026-12-01")
	mustWrite(t, db, func(tx *Tx) error { return tx.ReplaceDeadlines(ctx, d, st.ID, ds[:4]) })
	check("recomputed")
	// A repair by hand: an UPDATE moves a deadline to another school and month.
	if _, err := db.Writer().ExecContext(ctx, db.rebindForTest(`UPDATE deadlines SET school_id = $1, due_on = '2027-01-05'
		WHERE district_id = $2 AND student_id = $3 AND n = 1`), f.school2.ID, d, st.ID); err != nil {
		t.Fatal(err)
	}
	check("updated by hand")
	mustWrite(t, db, func(tx *Tx) error { return tx.ReplaceDeadlines(ctx, d, st.ID, nil) })
	check("every deadline removed")
}

// rebindForTest adapts a statement with $n placeholders for raw use on the engine.
func (db *DB) rebindForTest(q string) string {
	if db.d.name != "sqlite" {
		return q
	}
	out, _ := db.d.rebind(q)
	return out
}

// TestDashboardReadsUseIndexesSQLite records the SQL of the dashboard's reads and checks their
// SQLite query plans: each must search the partial index of what is open by its "due soon" day,
// or the tallies by month, never scan the district's deadlines.
func TestDashboardReadsUseIndexesSQLite(t *testing.T) {
	db := openSQLite(t)
	f := newFixture(t, db)
	d := f.district.ID
	var seen []string
	var args [][]any
	db.onQuery = func(q string, a []any) { seen, args = append(seen, q), append(args, a) }
	for _, school := range []string{"", f.school.ID} {
		q := dashQuery()
		q.SchoolID = school
		if _, err := db.ComplianceBySchoolAndClock(ctx, d, q); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ComplianceByMonth(ctx, d, q); err != nil {
			t.Fatal(err)
		}
	}
	db.onQuery = nil
	if len(seen) != 8 {
		t.Fatalf("recorded %d queries, want 8", len(seen))
	}
	for i, q := range seen {
		plan := explain(t, db, q, args[i])
		uses := strings.Contains(plan, "SEARCH d USING COVERING INDEX deadlines_open_soon (district_id=? AND soon_on<?)") ||
			strings.Contains(plan, "SEARCH t USING PRIMARY KEY (district_id=? AND due_month>? AND due_month<?)")
		scans := strings.Contains(strings.ReplaceAll(plan, "SCAN json_each VIRTUAL TABLE", ""), "SCAN ")
		if !uses || scans {
			t.Errorf("query does not search the dashboard's indexes:\n%s\nplan: %s", q, plan)
		}
	}
}

// BenchmarkDashboard100k reads what the district dashboard shows (the counts by school and
// clock, and by month) in a district of 100,000 students of whom 16,000 have a ledger, each with
// thirteen deadlines like the demo's (met ones over two years, a few open, about 1 in 60
// overdue), at 200 schools: the whole district, then one school. The setup takes a minute or
// two. On SQLite, or on the test PostgreSQL with OPENIEP_BENCH_ENGINE=postgres.
func BenchmarkDashboard100k(b *testing.B) {
	db := openSQLite(b)
	if os.Getenv("OPENIEP_BENCH_ENGINE") == "postgres" {
		if pgDSN == "" {
			b.Fatal(pgProblem)
		}
		var err error
		if db, err = Open(ctx, pgDSN, Options{}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
	}
	f := newFixture(b, db)
	d := f.district.ID
	const students, schools = 100000, 200
	schoolIDs := make([]string, schools)
	mustWrite(b, db, func(tx *Tx) error {
		for i := range schoolIDs {
			s := iep.School{DistrictID: d, Name: fmt.Sprintf("School %03d", i), Code: fmt.Sprintf("S%03d", i), LowGrade: "K", HighGrade: "12", Kind: iep.SchoolPublic}
			if err := tx.CreateSchool(ctx, &s); err != nil {
				return err
			}
			schoolIDs[i] = s.ID
		}
		return nil
	})
	clocks := []string{"referral_notice", "initial_evaluation", "proposed_iep_after_consent", "assessment_summaries",
		"meeting_notice", "proposed_iep_sent", "parent_response", "services_start", "annual_review", "reevaluation",
		"transition_plan", "majority_notice", "initial_iep_meeting"}
	start := date.MustParse("2025-09-01")
	for done := 0; done < students; done += 5000 {
		batch := benchStudents(f, 5000, done)
		for i := range batch {
			batch[i].SchoolID = schoolIDs[(done+i)%schools]
		}
		mustWrite(b, db, func(tx *Tx) error {
			if err := tx.CreateStudents(ctx, batch); err != nil {
				return err
			}
			for i, s := range batch {
				n := done + i
				if n%25 >= 4 { // 16%
					continue
				}
				ds := make([]Deadline, len(clocks))
				for j, c := range clocks {
					due := start.AddDays((n*7 + j*29) % 640)
					x := Deadline{Clock: c, Citation: "c", SchoolID: s.SchoolID, Start: due.AddDays(-20), Due: due, Soon: due.AddDays(-5)}
					switch {
					case due.Before(dashToday) && n%60 == j: // overdue
					case due.Before(dashToday) && (n+j)%9 == 0:
						x.MetOn = due.AddDays(3) // late
					case due.Before(dashToday.AddDays(30)):
						x.MetOn = due.AddDays(-2)
					}
					ds[j] = x
				}
				if err := tx.ReplaceDeadlines(ctx, d, s.ID, ds); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if _, err := db.Writer().ExecContext(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, school string }{{"district", ""}, {"school", schoolIDs[3]}} {
		b.Run(bc.name, func(b *testing.B) {
			q := dashQuery()
			q.SchoolID = bc.school
			for b.Loop() {
				c, err := db.ComplianceBySchoolAndClock(ctx, d, q)
				if err != nil || len(c) == 0 {
					b.Fatal(len(c), err)
				}
				if _, err := db.ComplianceByMonth(ctx, d, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
