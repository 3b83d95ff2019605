package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// The district dashboard: compliance with the clocks by school and clock, and month by month
// over the school year, counted in SQL. What is open now (overdue, due soon) is one range of the
// partial index deadlines_open_soon; deadlines met are read from deadline_tallies, which
// triggers on deadlines keep by month of the due date, school, clock and on time or late
// (migration 0018), so that a view reads a few thousand rows whatever the district's size.

// ComplianceQuery says what the dashboard counts.
type ComplianceQuery struct {
	// Today is the district's today: what overdue and due soon are counted against.
	Today date.Date
	// From is the first day of the school year, Through the last day of the period counted (the
	// end of this month). Deadlines met are counted by the month of their due date, From's month
	// through Through's; overdue ones of the year are those due from From to before Today.
	From, Through date.Date
	// SchoolID narrows the counts to one school; "" counts every school.
	SchoolID string
	// Exclude lists clocks that are not counted (the family's windows to answer).
	Exclude []string
}

func (q ComplianceQuery) check() error {
	var ps iep.Problems
	for _, f := range []struct {
		name string
		d    date.Date
	}{{"today", q.Today}, {"from", q.From}, {"through", q.Through}} {
		if f.d.IsZero() {
			ps = append(ps, iep.Problem{Field: f.name, Code: iep.CodeRequired})
		}
	}
	if len(ps) == 0 && q.Through.Before(q.From) {
		ps = append(ps, iep.Problem{Field: "through", Code: iep.CodeDateOrder, Detail: "from"})
	}
	return ps.Err()
}

// month is a date's YYYY-MM, as deadline_tallies keys it.
func month(d date.Date) string { return d.String()[:7] }

// ComplianceKey names one school's clock; SchoolID is "" for deadlines with no school.
type ComplianceKey struct {
	SchoolID, Clock string
}

// Compliance counts the deadlines of a school and clock.
type Compliance struct {
	Overdue         int // open, not paused, due before today (of any year)
	DueSoon         int // open, not paused, due today or later and past its "due soon" day
	OverdueThisYear int // of Overdue, those due on or after the first day of the school year
	OnTime          int // met by the due date, due in the period
	Late            int // met after the due date, due in the period
}

// Add adds c's counts to x's.
func (x *Compliance) Add(c Compliance) {
	x.Overdue += c.Overdue
	x.DueSoon += c.DueSoon
	x.OverdueThisYear += c.OverdueThisYear
	x.OnTime += c.OnTime
	x.Late += c.Late
}

// excluded is the condition that leaves out q.Exclude's clocks (column col), with the JSON
// array of them as parameter $n (always passed, so that the query's text is one).
func (db *DB) excluded(col string, n int) string {
	return "NOT (" + fmt.Sprintf(db.d.idsIn, col, "$"+strconv.Itoa(n)) + ")"
}

func excludeArg(q ComplianceQuery) string {
	b, _ := json.Marshal(append([]string{}, q.Exclude...)) // strings always marshal
	return string(b)
}

// ComplianceBySchoolAndClock counts the district's deadlines by school and clock (only the
// pairs that have something to count). Errors: invalid (a query without its days).
func (db *DB) ComplianceBySchoolAndClock(ctx context.Context, districtID string, q ComplianceQuery) (map[ComplianceKey]Compliance, error) {
	if err := q.check(); err != nil {
		return nil, err
	}
	out := map[ComplianceKey]Compliance{}
	school := ""
	open := []any{districtID, q.Today, q.From, excludeArg(q)}
	if q.SchoolID != "" {
		open = append(open, q.SchoolID)
		school = " AND d.school_id = $5"
	}
	_, err := list(ctx, db, func(r row, _ *struct{}) error {
		var k ComplianceKey
		var c Compliance
		if err := r.Scan(&k.SchoolID, &k.Clock, &c.Overdue, &c.DueSoon, &c.OverdueThisYear); err != nil {
			return err
		}
		out[k] = c
		return nil
	}, `SELECT COALESCE(d.school_id, ''), d.clock,
			SUM(CASE WHEN NOT d.paused AND d.due_on < $2 THEN 1 ELSE 0 END),
			SUM(CASE WHEN NOT d.paused AND d.due_on >= $2 THEN 1 ELSE 0 END),
			SUM(CASE WHEN NOT d.paused AND d.due_on < $2 AND d.due_on >= $3 THEN 1 ELSE 0 END)
		FROM deadlines d
		WHERE d.district_id = $1 AND d.met_on IS NULL AND d.soon_on <= $2 AND `+db.excluded("d.clock", 4)+school+`
		GROUP BY d.school_id, d.clock`, open...)
	if err != nil {
		return nil, wrap(err, "count the open deadlines of district %s by school and clock", districtID)
	}
	met := []any{districtID, month(q.From), month(q.Through), excludeArg(q)}
	school = ""
	if q.SchoolID != "" {
		met = append(met, q.SchoolID)
		school = " AND t.school_id = $5"
	}
	_, err = list(ctx, db, func(r row, _ *struct{}) error {
		var k ComplianceKey
		var onTime, late int
		if err := r.Scan(&k.SchoolID, &k.Clock, &onTime, &late); err != nil {
			return err
		}
		if onTime == 0 && late == 0 {
			return nil
		}
		c := out[k]
		c.OnTime, c.Late = onTime, late
		out[k] = c
		return nil
	}, `SELECT t.school_id, t.clock,
			SUM(CASE WHEN t.late = 0 THEN t.n ELSE 0 END), SUM(CASE WHEN t.late = 1 THEN t.n ELSE 0 END)
		FROM deadline_tallies t
		WHERE t.district_id = $1 AND t.due_month >= $2 AND t.due_month <= $3 AND `+db.excluded("t.clock", 4)+school+`
		GROUP BY t.school_id, t.clock`, met...)
	if err != nil {
		return nil, wrap(err, "count the met deadlines of district %s by school and clock", districtID)
	}
	return out, nil
}

// MonthCompliance counts the deadlines that fell due in one month.
type MonthCompliance struct {
	Month   date.Date // the month's first day
	OnTime  int       // met by the due date
	Late    int       // met after it
	Overdue int       // still open (not paused) and past the due date today
}

// ComplianceByMonth counts, for every month from q.From's through q.Through's, the deadlines
// due that month: met on time, met late, and still overdue today (q.SchoolID narrows it to one
// school). Errors: invalid.
func (db *DB) ComplianceByMonth(ctx context.Context, districtID string, q ComplianceQuery) ([]MonthCompliance, error) {
	if err := q.check(); err != nil {
		return nil, err
	}
	var out []MonthCompliance
	at := map[string]int{}
	for m := date.New(q.From.Year, q.From.Month, 1); !m.After(q.Through); m = date.Of(m.Time().AddDate(0, 1, 0)) {
		at[month(m)] = len(out)
		out = append(out, MonthCompliance{Month: m})
	}
	met := []any{districtID, month(q.From), month(q.Through), excludeArg(q)}
	school := ""
	if q.SchoolID != "" {
		met = append(met, q.SchoolID)
		school = " AND t.school_id = $5"
	}
	_, err := list(ctx, db, func(r row, _ *struct{}) error {
		var m string
		var onTime, late int
		if err := r.Scan(&m, &onTime, &late); err != nil {
			return err
		}
		if i, ok := at[m]; ok {
			out[i].OnTime, out[i].Late = onTime, late
		}
		return nil
	}, `SELECT t.due_month, SUM(CASE WHEN t.late = 0 THEN t.n ELSE 0 END), SUM(CASE WHEN t.late = 1 THEN t.n ELSE 0 END)
		FROM deadline_tallies t
		WHERE t.district_id = $1 AND t.due_month >= $2 AND t.due_month <= $3 AND `+db.excluded("t.clock", 4)+school+`
		GROUP BY t.due_month`, met...)
	if err != nil {
		return nil, wrap(err, "count the met deadlines of district %s by month", districtID)
	}
	open := []any{districtID, q.Today, q.From, excludeArg(q)}
	school = ""
	if q.SchoolID != "" {
		open = append(open, q.SchoolID)
		school = " AND d.school_id = $5"
	}
	_, err = list(ctx, db, func(r row, _ *struct{}) error {
		var m string
		var n int
		if err := r.Scan(&m, &n); err != nil {
			return err
		}
		if i, ok := at[m]; ok {
			out[i].Overdue = n
		}
		return nil
	}, `SELECT substr(d.due_on, 1, 7), COUNT(*)
		FROM deadlines d
		WHERE d.district_id = $1 AND d.met_on IS NULL AND d.soon_on <= $2 AND NOT d.paused
			AND d.due_on < $2 AND d.due_on >= $3 AND `+db.excluded("d.clock", 4)+school+`
		GROUP BY substr(d.due_on, 1, 7)`, open...)
	if err != nil {
		return nil, wrap(err, "count the overdue deadlines of district %s by month", districtID)
	}
	return out, nil
}
