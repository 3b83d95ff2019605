package store

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
)

// TestRecordReadsUseIndexesSQLite records the SQL of every read of one student's record and
// checks its SQLite query plan: each must search an index by more than the district (never walk
// the whole district's rows), and may sort only rows it found that way. It runs on a database
// without statistics (no ANALYZE), which is when SQLite's planner is most tempted to walk a
// primary key to avoid a sort — as it did for a plan's team at 100,000 students (190 ms).
func TestRecordReadsUseIndexesSQLite(t *testing.T) {
	db := openSQLite(t)
	f := newFixture(t, db)
	st := f.addStudent(t, db, "Ada", "Plan")
	p := f.addPlan(t, db, st.ID, nil)
	d := f.district.ID

	type recorded struct {
		q    string
		args []any
	}
	var seen []recorded
	db.onQuery = func(q string, args []any) { seen = append(seen, recorded{q, args}) }
	from, to := date.MustParse("2026-09-01"), date.MustParse("2027-06-30")
	reads := []func() error{
		func() error { _, err := db.GetStudent(ctx, d, st.ID); return err },
		func() error { _, err := db.ListGuardians(ctx, d, st.ID); return err },
		func() error { _, err := db.CurrentPlan(ctx, d, st.ID); return err },
		func() error { _, err := db.GetPlan(ctx, d, p.ID); return err },
		func() error { _, _, err := db.GetSection(ctx, d, p.ID, "goals"); return err },
		func() error { _, err := db.ListPlans(ctx, d, st.ID); return err },
		func() error { _, err := db.ListVersions(ctx, d, p.ID); return err },
		func() error { _, err := db.ListTeam(ctx, d, p.ID); return err },
		func() error { _, err := db.ListMeetings(ctx, d, st.ID); return err },
		func() error { _, err := db.ListReferrals(ctx, d, st.ID); return err },
		func() error { _, err := db.ListEvaluations(ctx, d, st.ID); return err },
		func() error { _, err := db.ListEligibility(ctx, d, st.ID); return err },
		func() error { _, err := db.ListConsents(ctx, d, st.ID); return err },
		func() error { _, err := db.ListNotices(ctx, d, st.ID); return err },
		func() error { _, err := db.ListResponses(ctx, d, p.ID); return err },
		func() error { _, err := db.ListRecordsRequests(ctx, d, st.ID); return err },
		func() error { _, err := db.ListServiceLogs(ctx, d, st.ID, from, to); return err },
		func() error { _, err := db.ListProgressPoints(ctx, d, p.ID); return err },
		func() error { _, err := db.ListProgressReports(ctx, d, p.ID); return err },
		func() error { _, err := db.ListEvents(ctx, d, st.ID); return err },
		func() error { _, err := db.GetStaff(ctx, d, f.teacher.ID); return err },
		func() error { _, err := db.GetSchool(ctx, d, f.school.ID); return err },
		func() error { _, err := db.ListAudit(ctx, d, st.ID, 50); return err },
		func() error { _, err := db.AccessFacts(ctx, d, st.ID, time.Now()); return err },
	}
	for i, read := range reads {
		if err := read(); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	db.onQuery = nil
	if len(seen) < len(reads) {
		t.Fatalf("recorded %d queries for %d reads: the recorder is not wired", len(seen), len(reads))
	}
	for _, r := range seen {
		plan := explain(t, db, r.q, r.args)
		// A whole district: the district alone, or the district with an open range of another
		// column ("(district_id=? AND staff_id>?)", which is how SQLite walks a partial index).
		wide := strings.Contains(plan, "(district_id=?)") || openRange.MatchString(plan) ||
			(strings.Contains(plan, "SCAN ") && !strings.Contains(plan, "VIRTUAL TABLE"))
		if wide {
			t.Errorf("query walks a whole district or table:\n%s\nplan: %s", r.q, plan)
		}
	}
}

var openRange = regexp.MustCompile(`\(district_id=\? AND [a-z_]+[<>]\?\)`)

// explain returns SQLite's query plan of q as one line.
func explain(t *testing.T, db *DB, q string, args []any) string {
	t.Helper()
	rows, err := db.ro.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	return strings.Join(plan, "; ")
}
