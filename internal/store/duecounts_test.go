package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// The contract tests of "what is due"'s counts (CountDue, due_counts of migration 0020 and the
// tables by period of 0021) join the suite of store_test.go (both engines).
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"DueCountsMatchARecount", testDueCountsMatchARecount},
		{"DueCountsSoonByDue", testDueCountsSoonByDue},
		{"DueCountsMigrationFill", testDueCountsMigrationFill},
		{"DueCountsByMigrationFill", testDueCountsByMigrationFill},
	}...)
}

// dueCountsToday is the day the contract tests count around.
var dueCountsToday = date.MustParse("2026-11-02")

// dueCountsClocks are the clocks of the random deadlines.
var dueCountsClocks = []string{"services_start", "annual_review", "proposed_iep_sent"}

// randomDeadlines returns up to six random deadlines around dueCountsToday: open or met,
// paused or not, at one of the fixture's schools or none, with one of its staff as case manager
// or none, due soon from 0 to 20 days before the due day (or from the due day: Soon left zero).
func randomDeadlines(r *rand.Rand, f *fixture) []Deadline {
	schools := []string{f.school.ID, f.school2.ID, ""}
	managers := []string{f.teacher.ID, f.provider.ID, ""}
	out := make([]Deadline, r.IntN(7))
	for i := range out {
		due := dueCountsToday.AddDays(r.IntN(81) - 40)
		x := Deadline{Clock: dueCountsClocks[r.IntN(len(dueCountsClocks))], Citation: "c",
			SchoolID: schools[r.IntN(len(schools))], CaseManagerID: managers[r.IntN(len(managers))],
			Start: due.AddDays(-60), Due: due}
		if r.IntN(4) > 0 {
			x.Soon = due.AddDays(-r.IntN(21))
		}
		switch r.IntN(6) {
		case 0:
			x.MetOn = due.AddDays(r.IntN(11) - 5)
		case 1:
			x.Paused, x.PauseReason = true, "parent_unavailable"
		}
		out[i] = x
	}
	return out
}

// dueRecount counts ds (every deadline of a district) as ListDue's filters define each status,
// each on its own: f's school, case manager and clock, on f.Today.
func dueRecount(ds []Deadline, f DueFilter) DueCounts {
	var c DueCounts
	t := f.Today
	for _, d := range ds {
		if !d.Open() || (f.SchoolID != "" && d.SchoolID != f.SchoolID) ||
			(f.CaseManagerID != "" && d.CaseManagerID != f.CaseManagerID) || (f.Clock != "" && d.Clock != f.Clock) {
			continue
		}
		if d.Paused {
			c.Paused++
			continue
		}
		if d.Due.Before(t) {
			c.Overdue++
		}
		if !d.Due.Before(t) && !d.Soon.After(t) {
			c.DueSoon++
		}
		if d.Soon.After(t) {
			c.Upcoming++
		}
	}
	return c
}

// testDueCountsMatchARecount stores random deadlines for a dozen students, then replaces them,
// updates and deletes some by hand (as a repair would), and after each round compares CountDue
// under every filter it takes (school, case manager, clock, each alone and together, on days
// from long before to long after) with a plain recount of the deadlines, and with what ListDue
// lists under each status; and the tables of counts with the sums recomputed from the deadlines.
// The days counted on fall in other years, other months of the year and the month itself of
// the deadlines' days (the grains of migration 0021), and repairs move deadlines by a year.
func testDueCountsMatchARecount(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	r := rand.New(rand.NewPCG(20261102, uint64(len(db.d.name))))
	var students []string
	for i := range 12 {
		students = append(students, f.addStudent(t, db, fmt.Sprintf("Count%02d", i), "Due").ID)
	}
	// Another district's deadlines, on the same days at schools of the same names: never counted.
	other := newFixture(t, db)
	stranger := other.addStudent(t, db, "Other", "Due")
	mustWrite(t, db, func(tx *Tx) error {
		return tx.ReplaceDeadlines(ctx, other.district.ID, stranger.ID, randomDeadlines(r, other))
	})

	exec := func(q string, args ...any) {
		t.Helper()
		text, order := db.d.rebind(q)
		if _, err := db.Writer().ExecContext(ctx, text, prepared{order: order}.args(args)...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// some returns up to n (student, n) keys of stored deadlines, at random.
	some := func(n int) [][2]any {
		var keys [][2]any
		for _, s := range students {
			ds, err := db.ListStudentDeadlines(ctx, d, s)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range ds {
				keys = append(keys, [2]any{s, x.N})
			}
		}
		r.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		return keys[:min(n, len(keys))]
	}
	days := []date.Date{dueCountsToday.AddDays(-400), dueCountsToday.AddDays(-70), dueCountsToday.AddDays(-12),
		dueCountsToday.AddDays(-2), dueCountsToday.AddDays(-1), dueCountsToday, dueCountsToday.AddDays(1),
		dueCountsToday.AddDays(9), date.MustParse("2026-12-31"), date.MustParse("2027-01-01"),
		dueCountsToday.AddDays(70), dueCountsToday.AddDays(400)}
	schools := []string{"", f.school.ID, f.school2.ID, other.school.ID}
	managers := []string{"", f.teacher.ID, f.provider.ID}
	clocks := append([]string{""}, dueCountsClocks...)

	var seenStatus DueCounts // what the checks found on dueCountsToday in the district: each status, some time
	check := func(step string) {
		t.Helper()
		var all []Deadline
		for _, s := range students {
			ds, err := db.ListStudentDeadlines(ctx, d, s)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, ds...)
		}
		checkDueCountsTable(t, db, d, step)
		c := dueRecount(all, DueFilter{Today: dueCountsToday})
		seenStatus.Overdue, seenStatus.DueSoon = seenStatus.Overdue+c.Overdue, seenStatus.DueSoon+c.DueSoon
		seenStatus.Upcoming, seenStatus.Paused = seenStatus.Upcoming+c.Upcoming, seenStatus.Paused+c.Paused
		for _, day := range days {
			for _, school := range schools {
				for _, cm := range managers {
					for _, clock := range clocks {
						q := DueFilter{Today: day, SchoolID: school, CaseManagerID: cm, Clock: clock}
						got, err := db.CountDue(ctx, d, q)
						if err != nil {
							t.Fatalf("%s: CountDue(%+v): %v", step, q, err)
						}
						if want := dueRecount(all, q); got != want {
							t.Errorf("%s: CountDue(%+v) = %+v, want %+v", step, q, got, want)
						}
					}
				}
			}
		}
		// What the counts stand for: the rows ListDue lists under each status.
		for _, school := range schools[:3] {
			for _, cm := range managers {
				q := DueFilter{Today: dueCountsToday, SchoolID: school, CaseManagerID: cm, Limit: maxPageSize}
				c, err := db.CountDue(ctx, d, q)
				if err != nil {
					t.Fatal(err)
				}
				for st, want := range map[DueStatus]int{DueOverdue: c.Overdue, DueSoon: c.DueSoon, DueUpcoming: c.Upcoming, DuePaused: c.Paused} {
					q.Status = st
					rows, err := db.ListDue(ctx, d, q)
					if err != nil || len(rows) != want {
						t.Errorf("%s: ListDue(%+v) = %d rows, %v; CountDue counted %d", step, q, len(rows), err, want)
					}
				}
			}
		}
	}

	check("nothing stored")
	for round := range 6 {
		mustWrite(t, db, func(tx *Tx) error {
			for _, s := range students {
				if round == 0 || r.IntN(2) == 0 {
					if err := tx.ReplaceDeadlines(ctx, d, s, randomDeadlines(r, f)); err != nil {
						return err
					}
				}
			}
			return nil
		})
		check(fmt.Sprintf("round %d: replaced", round))

		// Repairs by hand, each through the triggers: every column the counts read changes.
		for i, k := range some(8) {
			where := ` WHERE district_id = $1 AND student_id = $2 AND n = $3`
			switch i % 8 {
			case 0: // to the other school, or none
				exec(`UPDATE deadlines SET school_id = CASE WHEN school_id = $4 THEN NULL ELSE $4 END`+where,
					d, k[0], k[1], f.school2.ID)
			case 1: // later or earlier, both days, by a few days or a year more
				shift := r.IntN(41) - 20 + 365*(r.IntN(3)-1)
				exec(`UPDATE deadlines SET due_on = $4, soon_on = $5`+where, d, k[0], k[1],
					dueCountsToday.AddDays(shift), dueCountsToday.AddDays(shift-r.IntN(10)))
			case 2: // met, or open again
				exec(`UPDATE deadlines SET met_on = CASE WHEN met_on IS NULL THEN due_on ELSE NULL END`+where, d, k[0], k[1])
			case 3: // paused, or going again
				exec(`UPDATE deadlines SET paused = NOT paused`+where, d, k[0], k[1])
			case 4: // another clock and case manager
				exec(`UPDATE deadlines SET clock = $4, case_manager_id = $5`+where, d, k[0], k[1],
					dueCountsClocks[r.IntN(len(dueCountsClocks))], f.provider.ID)
			case 5: // due soon from the due day
				exec(`UPDATE deadlines SET soon_on = due_on`+where, d, k[0], k[1])
			case 6: // nothing the counts read
				exec(`UPDATE deadlines SET citation = 'repaired', soon_on = soon_on`+where, d, k[0], k[1])
			case 7:
				exec(`DELETE FROM deadlines`+where, d, k[0], k[1])
			}
		}
		check(fmt.Sprintf("round %d: repaired by hand", round))
	}
	mustWrite(t, db, func(tx *Tx) error {
		for _, s := range students {
			if err := tx.ReplaceDeadlines(ctx, d, s, nil); err != nil {
				return err
			}
		}
		return nil
	})
	check("every deadline removed")
	if seenStatus.Overdue == 0 || seenStatus.DueSoon == 0 || seenStatus.Upcoming == 0 || seenStatus.Paused == 0 {
		t.Errorf("the random deadlines missed a status: %+v", seenStatus)
	}
	for _, tb := range dueCountsTables {
		var n int
		if err := db.Writer().QueryRowContext(ctx, db.rebindForTest(`SELECT COUNT(*) FROM `+tb.name+` WHERE district_id = $1`), d).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s keeps %d rows of a district without deadlines (%v)", tb.name, n, err)
		}
	}
}

// checkDueCountsTable compares the district's rows of due_counts (migration 0020) and of the
// tables of migration 0021 (the district's and each school's, by year, month and day, and clock)
// with the sums recomputed from its deadlines: the same rows, none of them all 0.
func checkDueCountsTable(t *testing.T, db *DB, districtID, step string) {
	t.Helper()
	checkDueCountsIn(t, db.d, db.Writer().QueryContext, districtID, step)
}

// dueCountsTables are the tables of due counts, each with the columns of its key after the
// district, and the grains (lengths of its period) it keeps: due_counts keeps days.
var dueCountsTables = []struct {
	name   string
	key    []string
	grains []int
}{
	{"due_counts", []string{"school_id", "clock", "day"}, nil},
	{"due_counts_by_period", []string{"grain", "period", "clock"}, []int{4, 7, 10}},
	{"due_counts_by_school_period", []string{"school_id", "grain", "period", "clock"}, []int{4, 7, 10}},
}

// checkDueCountsIn is checkDueCountsTable through query (of a database or a transaction).
func checkDueCountsIn(t *testing.T, d *dialect, query func(context.Context, string, ...any) (*sql.Rows, error), districtID, step string) {
	t.Helper()
	// read returns the rows of q: the key columns first (joined by spaces), then due, soon, paused.
	read := func(keys int, q string, args ...any) map[string][3]int {
		text, order := d.rebind(q)
		rows, err := query(ctx, text, prepared{order: order}.args(args)...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		out := map[string][3]int{}
		for rows.Next() {
			key := make([]string, keys)
			var n [3]int
			dest := []any{}
			for i := range key {
				dest = append(dest, &key[i])
			}
			if err := rows.Scan(append(dest, &n[0], &n[1], &n[2])...); err != nil {
				t.Fatal(err)
			}
			out[strings.Join(key, " ")] = n
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	// The recount: the open deadlines by school, clock and day, as due_counts keeps them.
	days := read(3, `SELECT school_id, clock, day, SUM(due), SUM(soon), SUM(paused) FROM (
			SELECT COALESCE(school_id, '') AS school_id, clock, due_on AS day, CASE WHEN paused THEN 0 ELSE 1 END AS due,
				0 AS soon, CASE WHEN paused THEN 1 ELSE 0 END AS paused
			FROM deadlines WHERE district_id = $1 AND met_on IS NULL
			UNION ALL
			SELECT COALESCE(school_id, ''), clock, soon_on, 0, 1, 0 FROM deadlines WHERE district_id = $2 AND met_on IS NULL AND NOT paused
		) AS x GROUP BY school_id, clock, day`, districtID, districtID)
	for _, tb := range dueCountsTables {
		want := map[string][3]int{}
		for k, n := range days {
			f := strings.Split(k, " ") // school, clock, day
			grains := tb.grains
			if grains == nil {
				grains = []int{10} // due_counts: the day itself
			}
			for _, g := range grains { // each day adds to its year, its month and itself
				var key []string
				for _, col := range tb.key {
					key = append(key, map[string]string{"school_id": f[0], "clock": f[1], "day": f[2],
						"grain": strconv.Itoa(g), "period": f[2][:g]}[col])
				}
				k := strings.Join(key, " ")
				w := want[k]
				want[k] = [3]int{w[0] + n[0], w[1] + n[1], w[2] + n[2]}
			}
		}
		got := read(len(tb.key), `SELECT `+strings.Join(tb.key, ", ")+`, due, soon, paused FROM `+tb.name+` WHERE district_id = $1`, districtID)
		diff(t, step+": "+tb.name+" (due, soon, paused)", got, want)
	}
}

// testDueCountsMigrationFill applies migration 0020 again to deadlines stored before it (its
// triggers, table and check undone first, in a transaction rolled back at the end), one of them
// repaired by hand to be due soon after its due day: the table it fills is the recount, and the
// repaired deadline is due soon from its due day.
func testDueCountsMigrationFill(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	r := rand.New(rand.NewPCG(2020, uint64(len(db.d.name))))
	var students []string
	for i := range 8 {
		st := f.addStudent(t, db, fmt.Sprintf("Fill%02d", i), "Due")
		students = append(students, st.ID)
		ds := randomDeadlines(r, f)
		ds = append(ds, Deadline{Clock: "services_start", Citation: "c", SchoolID: f.school.ID,
			Start: dueCountsToday.AddDays(-30), Due: dueCountsToday.AddDays(i - 4), Soon: dueCountsToday.AddDays(i - 9)})
		mustWrite(t, db, func(tx *Tx) error { return tx.ReplaceDeadlines(ctx, d, st.ID, ds) })
	}
	ms, err := loadMigrations(db.d.name)
	if err != nil {
		t.Fatal(err)
	}
	var m migration
	for _, x := range ms {
		if x.version == 20 {
			m = x
		}
	}
	if !strings.Contains(m.name, "due_counts") {
		t.Fatalf("migration 20 is %q", m.name)
	}
	undo := []string{"DROP TRIGGER deadlines_soon_by_due_insert", "DROP TRIGGER deadlines_soon_by_due_update",
		"DROP TRIGGER due_counts_insert", "DROP TRIGGER due_counts_delete", "DROP TRIGGER due_counts_update", "DROP TABLE due_counts"}
	if db.d.name == "postgres" {
		undo = []string{"DROP TRIGGER due_counts_insert_delete ON deadlines", "DROP TRIGGER due_counts_update ON deadlines",
			"DROP FUNCTION due_counts_keep()", "DROP TABLE due_counts", "ALTER TABLE deadlines DROP CONSTRAINT deadlines_soon_by_due"}
	}
	undone := errors.New("undone")
	err = db.Write(ctx, func(tx *Tx) error {
		for _, q := range undo {
			if _, err := tx.tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		text, order := db.d.rebind(`UPDATE deadlines SET soon_on = '2026-11-20', due_on = '2026-11-10'
			WHERE district_id = $1 AND student_id = $2 AND clock = 'services_start' AND citation = 'c' AND met_on IS NULL`)
		if _, err := tx.tx.ExecContext(ctx, text, prepared{order: order}.args([]any{d, students[0]})...); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		checkDueCountsIn(t, db.d, tx.tx.QueryContext, d, "filled by the migration")
		var inverted int
		text, order = db.d.rebind(`SELECT COUNT(*) FROM deadlines WHERE district_id = $1 AND soon_on > due_on`)
		if err := tx.tx.QueryRowContext(ctx, text, prepared{order: order}.args([]any{d})...).Scan(&inverted); err != nil || inverted != 0 {
			t.Errorf("after the migration %d deadlines are due soon after their due day (%v)", inverted, err)
		}
		return undone
	})
	if !errors.Is(err, undone) {
		t.Fatal(err)
	}
	checkDueCountsTable(t, db, d, "after the rollback")
}

// testDueCountsByMigrationFill applies migration 0021 again (its triggers, routine and tables
// undone first, in a transaction rolled back at the end) to deadlines over three years, some of
// them replaced while it was undone: the tables it fills are the recount, and its triggers keep
// them through the next replace.
func testDueCountsByMigrationFill(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	r := rand.New(rand.NewPCG(2021, uint64(len(db.d.name))))
	// spread moves a student's random deadlines a year back or on, or leaves them.
	spread := func(ds []Deadline) []Deadline {
		years := 365 * (r.IntN(3) - 1)
		for i := range ds {
			ds[i].Start, ds[i].Due = ds[i].Start.AddDays(years), ds[i].Due.AddDays(years)
			if !ds[i].Soon.IsZero() {
				ds[i].Soon = ds[i].Soon.AddDays(years)
			}
			if !ds[i].MetOn.IsZero() {
				ds[i].MetOn = ds[i].MetOn.AddDays(years)
			}
		}
		return ds
	}
	var students []string
	for i := range 10 {
		st := f.addStudent(t, db, fmt.Sprintf("FillBy%02d", i), "Due")
		students = append(students, st.ID)
		mustWrite(t, db, func(tx *Tx) error { return tx.ReplaceDeadlines(ctx, d, st.ID, spread(randomDeadlines(r, f))) })
	}
	ms, err := loadMigrations(db.d.name)
	if err != nil {
		t.Fatal(err)
	}
	var m migration
	for _, x := range ms {
		if x.version == 21 {
			m = x
		}
	}
	if !strings.Contains(m.name, "due_counts_by") {
		t.Fatalf("migration 21 is %q", m.name)
	}
	undo := []string{"DROP TRIGGER due_counts_by_insert", "DROP TRIGGER due_counts_by_delete", "DROP TRIGGER due_counts_by_update",
		"DROP VIEW due_counts_by_change"}
	if db.d.name == "postgres" {
		undo = []string{"DROP TRIGGER due_counts_by_insert_delete ON deadlines", "DROP TRIGGER due_counts_by_update ON deadlines",
			"DROP FUNCTION due_counts_by_keep()", "DROP FUNCTION due_counts_by_add(TEXT, TEXT, TEXT, TEXT, TEXT, BOOLEAN, INTEGER)"}
	}
	for _, tb := range dueCountsTables[1:] {
		undo = append(undo, "DROP TABLE "+tb.name)
	}
	undone := errors.New("undone")
	err = db.Write(ctx, func(tx *Tx) error {
		for _, q := range undo {
			if _, err := tx.tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
		}
		for _, s := range students[:5] { // written while 0021 is undone: only due_counts sees them
			if err := tx.ReplaceDeadlines(ctx, d, s, spread(randomDeadlines(r, f))); err != nil {
				return err
			}
		}
		if _, err := tx.tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		checkDueCountsIn(t, db.d, tx.tx.QueryContext, d, "filled by the migration")
		for _, s := range students[3:] {
			if err := tx.ReplaceDeadlines(ctx, d, s, spread(randomDeadlines(r, f))); err != nil {
				return err
			}
		}
		checkDueCountsIn(t, db.d, tx.tx.QueryContext, d, "replaced after the migration")
		var rows int
		text, order := db.d.rebind(`SELECT COUNT(*) FROM due_counts_by_period WHERE district_id = $1`)
		if err := tx.tx.QueryRowContext(ctx, text, prepared{order: order}.args([]any{d})...).Scan(&rows); err != nil || rows == 0 {
			t.Errorf("the migration filled %d rows of due_counts_by_period (%v)", rows, err)
		}
		return undone
	})
	if !errors.Is(err, undone) {
		t.Fatal(err)
	}
	checkDueCountsTable(t, db, d, "after the rollback")
}

// testDueCountsSoonByDue: a deadline due soon from after its due day is refused, by
// ReplaceDeadlines (invalid, nothing written) and by the database on any other write path, so
// that the counts' sums by day stay exact.
func testDueCountsSoonByDue(t *testing.T, db *DB) {
	f := newFixture(t, db)
	d := f.district.ID
	st := f.addStudent(t, db, "Soon", "Due")
	day := dueCountsToday
	good := []Deadline{
		{Clock: "services_start", Citation: "c", SchoolID: f.school.ID, Start: day.AddDays(-10), Due: day.AddDays(3), Soon: day.AddDays(-4)},
		{Clock: "annual_review", Citation: "c", SchoolID: f.school.ID, Start: day.AddDays(-10), Due: day.AddDays(30), Soon: day.AddDays(30)},
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.ReplaceDeadlines(ctx, d, st.ID, good) })
	want := DueCounts{DueSoon: 1, Upcoming: 1}
	counts := func(what string) {
		t.Helper()
		if c, err := db.CountDue(ctx, d, DueFilter{Today: day}); err != nil || c != want {
			t.Errorf("%s: counts %+v, %v; want %+v", what, c, err, want)
		}
		checkDueCountsTable(t, db, d, what)
	}
	counts("stored")

	bad := append([]Deadline{}, good...)
	bad[1].Soon = bad[1].Due.AddDays(1)
	err := db.Write(ctx, func(tx *Tx) error { return tx.ReplaceDeadlines(ctx, d, st.ID, bad) })
	wantKind(t, err, iep.KindInvalid, "due soon after the due day")
	diff(t, "fields", problemFields(err), []string{"deadlines[1].soon"})
	counts("refused by ReplaceDeadlines")

	for _, q := range []string{
		`UPDATE deadlines SET soon_on = '2027-01-01' WHERE district_id = $1 AND student_id = $2 AND n = 1`,
		`UPDATE deadlines SET due_on = '2026-10-01' WHERE district_id = $1 AND student_id = $2 AND n = 1`,
		`INSERT INTO deadlines (district_id, student_id, n, clock, citation, start_on, due_on, soon_on, computed_at)
			SELECT district_id, student_id, 9, clock, citation, start_on, '2026-11-01', '2026-11-02', computed_at
			FROM deadlines WHERE district_id = $1 AND student_id = $2 AND n = 1`,
	} {
		if _, err := db.Writer().ExecContext(ctx, db.rebindForTest(q), d, st.ID); err == nil ||
			!strings.Contains(err.Error(), "soon") {
			t.Errorf("the database took a deadline due soon after its due day (%v):\n%s", err, q)
		}
	}
	counts("refused by the database")
}

// TestDueCountsUseIndexesSQLite records the SQL of CountDue under each filter and checks its
// SQLite query plan: without a case manager, three ranges of the primary key of the district's
// or the school's counts (every year; this year's months; this month's days); with one, one
// range of the case manager's deadlines; never a scan nor a sort.
func TestDueCountsUseIndexesSQLite(t *testing.T) {
	db := openSQLite(t)
	f := newFixture(t, db)
	d := f.district.ID
	type recorded struct {
		q    string
		args []any
	}
	var seen []recorded
	db.onQuery = func(q string, args []any) { seen = append(seen, recorded{q, args}) }
	var filters []DueFilter
	for _, school := range []string{"", f.school.ID} {
		for _, cm := range []string{"", f.teacher.ID} {
			for _, clock := range []string{"", "services_start"} {
				filters = append(filters, DueFilter{Today: dueCountsToday, SchoolID: school, CaseManagerID: cm, Clock: clock})
			}
		}
	}
	for _, q := range filters {
		if _, err := db.CountDue(ctx, d, q); err != nil {
			t.Fatal(err)
		}
	}
	db.onQuery = nil
	if len(seen) != len(filters) {
		t.Fatalf("recorded %d queries for %d counts", len(seen), len(filters))
	}
	for i, r := range seen {
		plan := explain(t, db, r.q, r.args)
		var want []string
		if q := filters[i]; q.CaseManagerID != "" {
			want = []string{"INDEX deadlines_open_case_manager (district_id=? AND case_manager_id=?)"}
		} else {
			key := "district_id=?" // the clock, last in the key, is read on each row of the ranges
			if q.SchoolID != "" {
				key += " AND school_id=?"
			}
			for _, rng := range []string{"grain=?", "grain=? AND period>? AND period<?", "grain=? AND period>? AND period<?"} {
				want = append(want, "SEARCH c USING PRIMARY KEY ("+key+" AND "+rng+")")
			}
		}
		ok := strings.Count(plan, "SEARCH ") == len(want) && !strings.Contains(plan, "SCAN ") && !strings.Contains(plan, "TEMP B-TREE")
		for _, w := range want {
			ok = ok && strings.Contains(plan, w)
		}
		if !ok {
			t.Errorf("CountDue(%+v):\n%s\nplan: %s\nwant: %s", filters[i], r.q, plan, strings.Join(want, "; "))
		}
	}
}

// BenchmarkReplaceDeadlinesDueCounts measures what the triggers of the counts (due_counts, and
// the tables by period of migration 0021) add to a recomputation of a student's clocks:
// ReplaceDeadlines of four deadlines (three open, one met) in its own transaction, in a
// district of 5,000 students like BenchmarkWhatIsDue100k's, with the triggers and then with
// them dropped (made again at the end). On SQLite, or on the test PostgreSQL with
// OPENIEP_BENCH_ENGINE=postgres.
func BenchmarkReplaceDeadlinesDueCounts(b *testing.B) {
	db := openSQLite(b)
	drop := []string{"DROP TRIGGER due_counts_insert", "DROP TRIGGER due_counts_delete", "DROP TRIGGER due_counts_update",
		"DROP TRIGGER due_counts_by_insert", "DROP TRIGGER due_counts_by_delete", "DROP TRIGGER due_counts_by_update"}
	var restore []string // SQLite's database is the benchmark's own
	if os.Getenv("OPENIEP_BENCH_ENGINE") == "postgres" {
		if pgDSN == "" {
			b.Fatal(pgProblem)
		}
		var err error
		if db, err = Open(ctx, pgDSN, Options{}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		drop = []string{"DROP TRIGGER due_counts_insert_delete ON deadlines", "DROP TRIGGER due_counts_update ON deadlines",
			"DROP TRIGGER due_counts_by_insert_delete ON deadlines", "DROP TRIGGER due_counts_by_update ON deadlines"}
		restore = []string{ // as migrations 0020 and 0021 make them
			`CREATE TRIGGER due_counts_insert_delete AFTER INSERT OR DELETE ON deadlines
				FOR EACH ROW EXECUTE FUNCTION due_counts_keep()`,
			`CREATE TRIGGER due_counts_update AFTER UPDATE OF district_id, school_id, clock, due_on, soon_on, met_on, paused ON deadlines
				FOR EACH ROW
				WHEN (OLD.district_id IS DISTINCT FROM NEW.district_id OR OLD.school_id IS DISTINCT FROM NEW.school_id
					OR OLD.clock IS DISTINCT FROM NEW.clock OR OLD.due_on IS DISTINCT FROM NEW.due_on
					OR OLD.soon_on IS DISTINCT FROM NEW.soon_on OR OLD.met_on IS DISTINCT FROM NEW.met_on
					OR OLD.paused IS DISTINCT FROM NEW.paused)
				EXECUTE FUNCTION due_counts_keep()`,
			`CREATE TRIGGER due_counts_by_insert_delete AFTER INSERT OR DELETE ON deadlines
				FOR EACH ROW EXECUTE FUNCTION due_counts_by_keep()`,
			`CREATE TRIGGER due_counts_by_update AFTER UPDATE OF district_id, school_id, clock, due_on, soon_on, met_on, paused ON deadlines
				FOR EACH ROW
				WHEN (OLD.district_id IS DISTINCT FROM NEW.district_id OR OLD.school_id IS DISTINCT FROM NEW.school_id
					OR OLD.clock IS DISTINCT FROM NEW.clock OR OLD.due_on IS DISTINCT FROM NEW.due_on
					OR OLD.soon_on IS DISTINCT FROM NEW.soon_on OR OLD.met_on IS DISTINCT FROM NEW.met_on
					OR OLD.paused IS DISTINCT FROM NEW.paused)
				EXECUTE FUNCTION due_counts_by_keep()`,
		}
	}
	f := newFixture(b, db)
	d := f.district.ID
	set := func(n, shift int) []Deadline {
		today := dueCountsToday.AddDays(shift)
		ds := []Deadline{
			{Clock: "proposed_iep_sent", Start: today.AddDays(-20), Due: today.AddDays(-n % 30), Soon: today.AddDays(-40)},
			{Clock: "services_start", Start: today, Due: today.AddDays(n % 20), Soon: today.AddDays(n%20 - 7)},
			{Clock: "annual_review", Start: today.AddDays(-200), Due: today.AddDays(n % 365), Soon: today.AddDays(n%365 - 30)},
			{Clock: "referral_notice", Start: today.AddDays(-100), Due: today.AddDays(-90), MetOn: today.AddDays(-91)},
		}
		for j := range ds {
			ds[j].CaseManagerID, ds[j].SchoolID, ds[j].Citation = "cm-"+strconv.Itoa(n%40), f.school.ID, "c"
		}
		return ds
	}
	const students = 5000
	var ids []string
	for done := 0; done < students; done += 1000 {
		batch := benchStudents(f, 1000, done)
		mustWrite(b, db, func(tx *Tx) error {
			if err := tx.CreateStudents(ctx, batch); err != nil {
				return err
			}
			for i, s := range batch {
				ids = append(ids, s.ID)
				if err := tx.ReplaceDeadlines(ctx, d, s.ID, set(done+i, 0)); err != nil {
					return err
				}
			}
			return nil
		})
	}
	exec := func(qs []string) {
		for _, q := range qs {
			if _, err := db.Writer().ExecContext(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	}
	exec([]string{"ANALYZE"})
	i := 0
	for _, without := range []bool{false, true} {
		if without {
			exec(drop)
			defer exec(restore)
		}
		b.Run(map[bool]string{false: "with-due-counts", true: "without"}[without], func(b *testing.B) {
			for b.Loop() {
				mustWrite(b, db, func(tx *Tx) error {
					return tx.ReplaceDeadlines(ctx, d, ids[i%students], set(i%students, 1+i/students))
				})
				i++
			}
		})
	}
}
