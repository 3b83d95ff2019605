package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// Deadline is one computed deadline of a student, as stored for listing. The clocks are a pure
// function of the student's ledger, the district calendar and the rule pack (internal/clocks);
// the stored set is replaced whole each time an event of the student is appended, so a row is
// never edited.
type Deadline struct {
	DistrictID, StudentID string
	N                     int    // its place in the student's set, from 1
	Clock                 string // the rule's id, e.g. "services_start"
	Citation              string
	PlanID                string
	SchoolID              string // the student's school when computed
	CaseManagerID         string // the current plan's case manager when computed
	Start, Due            date.Date
	Soon                  date.Date // from this day the deadline is "due soon"
	Provisional           bool      // the calendar ran out: Due is an estimate
	MetOn                 date.Date // zero while open
	Paused                bool
	PauseReason           string
	Lapsed                bool      // closed by the family's silence (MetOn: when it lapsed)
	Early                 bool      // a step taken before the earliest day allowed (MetOn: the step)
	ComputedAt            time.Time // set by ReplaceDeadlines
}

// Open reports whether the deadline has not been met.
func (d *Deadline) Open() bool { return d.MetOn.IsZero() }

const deadlineCols = `d.district_id, d.student_id, d.n, d.clock, d.citation, COALESCE(d.plan_id, ''),
	COALESCE(d.school_id, ''), COALESCE(d.case_manager_id, ''), d.start_on, d.due_on, d.soon_on, d.provisional,
	d.met_on, d.paused, d.pause_reason, d.lapsed, d.early, d.computed_at`

func deadlineDest(d *Deadline) []any {
	return []any{&d.DistrictID, &d.StudentID, &d.N, &d.Clock, &d.Citation, &d.PlanID, &d.SchoolID,
		&d.CaseManagerID, &d.Start, &d.Due, &d.Soon, &d.Provisional, &d.MetOn, &d.Paused, &d.PauseReason,
		&d.Lapsed, &d.Early, instant{&d.ComputedAt}}
}

// ReplaceDeadlines stores the student's deadlines in place of those stored before, numbering
// them 1, 2, 3… in the given order. A zero Soon is Due. Errors: invalid (a deadline without a
// clock or a due date, or due soon from a day after its due date).
func (tx *Tx) ReplaceDeadlines(ctx context.Context, districtID, studentID string, ds []Deadline) error {
	var ps iep.Problems
	for i, d := range ds {
		f := "deadlines[" + strconv.Itoa(i) + "]."
		if strings.TrimSpace(d.Clock) == "" {
			ps = append(ps, iep.Problem{Field: f + "clock", Code: iep.CodeRequired})
		}
		if d.Due.IsZero() || d.Start.IsZero() {
			ps = append(ps, iep.Problem{Field: f + "due", Code: iep.CodeRequired})
		} else if d.Soon.After(d.Due) {
			// "Due soon" from a day after the due day: never computed (a rule's threshold is
			// days before), and CountDue's sums by day rely on it (migration 0020).
			ps = append(ps, iep.Problem{Field: f + "soon", Code: iep.CodeDateOrder, Detail: "due"})
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM deadlines WHERE district_id = $1 AND student_id = $2`, districtID, studentID); err != nil {
		return wrap(err, "replace the deadlines of student %s", studentID)
	}
	for i := range ds {
		d := &ds[i]
		d.DistrictID, d.StudentID, d.N, d.ComputedAt = districtID, studentID, i+1, tx.now
		soon := d.Soon
		if soon.IsZero() {
			soon = d.Due
		}
		var met any
		if !d.MetOn.IsZero() {
			met = d.MetOn
		}
		_, err := tx.exec(ctx, `INSERT INTO deadlines (district_id, student_id, n, clock, citation, plan_id, school_id,
			case_manager_id, start_on, due_on, soon_on, provisional, met_on, paused, pause_reason, lapsed, early, computed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
			districtID, studentID, d.N, d.Clock, d.Citation, opt(d.PlanID), opt(d.SchoolID), opt(d.CaseManagerID),
			d.Start, d.Due, soon, d.Provisional, met, d.Paused, d.PauseReason, d.Lapsed, d.Early, tx.db.d.instant(tx.now))
		if err != nil {
			return wrap(err, "store deadline %d of student %s", d.N, studentID)
		}
	}
	return nil
}

// ListStudentDeadlines returns a student's deadlines, open ones first by due date, then the met
// ones, most recent first.
func (db *DB) ListStudentDeadlines(ctx context.Context, districtID, studentID string) ([]Deadline, error) {
	return list(ctx, db, func(r row, d *Deadline) error { return r.Scan(deadlineDest(d)...) },
		`SELECT `+deadlineCols+` FROM deadlines d WHERE d.district_id = $1 AND d.student_id = $2
		ORDER BY d.met_on IS NOT NULL, CASE WHEN d.met_on IS NULL THEN d.due_on ELSE '' END, d.met_on DESC, d.n`, districtID, studentID)
}

// DueStatus narrows "what is due" to one kind of open deadline.
type DueStatus string

const (
	DueAll      DueStatus = ""         // every open deadline
	DueOverdue  DueStatus = "overdue"  // past its due date
	DueSoon     DueStatus = "due_soon" // due today or within the rule's threshold
	DueUpcoming DueStatus = "upcoming" // not yet due soon
	DuePaused   DueStatus = "paused"   // stopped with a recorded reason
)

// DueStatuses lists the filters of "what is due".
var DueStatuses = []DueStatus{DueOverdue, DueSoon, DueUpcoming, DuePaused}

// DueFilter selects a page of open deadlines of a district.
type DueFilter struct {
	Today         date.Date // what overdue and due soon are counted against (the district's today)
	SchoolID      string
	CaseManagerID string
	Clock         string
	Status        DueStatus
	After         string // the Cursor of the last row of the previous page
	Limit         int    // default 50, at most 500
}

// DueRow is an open deadline with the student's name and grade.
type DueRow struct {
	Deadline
	FirstName, LastName, PreferredName string
	Grade                              iep.Grade
	Cursor                             string // opaque (a date and ids): pass it as DueFilter.After
}

// ListDue returns a page of the district's open deadlines by due date (so overdue ones come
// first), then student and place: one range of a partial index per page, whatever the
// district's size (the page is taken first, then joined to the students: otherwise a planner may
// walk the students and sort). Errors: invalid (a malformed cursor, an unknown status, no Today).
func (db *DB) ListDue(ctx context.Context, districtID string, f DueFilter) ([]DueRow, error) {
	q, err := dueWhere(districtID, f)
	if err != nil {
		return nil, err
	}
	where, args := q.where, q.args
	if f.After != "" {
		due, student, n, ok := parseDueCursor(f.After)
		if !ok {
			return nil, iep.Problems{{Field: "after", Code: iep.CodeInvalid}}.Err()
		}
		k := len(args)
		args = append(args, due, student, n)
		where += ` AND (d.due_on, d.student_id, d.n) > ($` + strconv.Itoa(k+1) + `, $` + strconv.Itoa(k+2) + `, $` + strconv.Itoa(k+3) + `)`
	}
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPageSize
	}
	args = append(args, min(limit, maxPageSize))
	rows, err := list(ctx, db, func(r row, x *DueRow) error {
		dest := append(deadlineDest(&x.Deadline), &x.FirstName, &x.LastName, &x.PreferredName, &x.Grade)
		if err := r.Scan(dest...); err != nil {
			return err
		}
		x.Cursor = x.Due.String() + "~" + x.StudentID + "~" + strconv.Itoa(x.N)
		return nil
	}, `SELECT `+deadlineCols+`, s.first_name, s.last_name, s.preferred_name, s.grade
		FROM (SELECT * FROM deadlines d WHERE `+where+` ORDER BY d.due_on, d.student_id, d.n LIMIT $`+strconv.Itoa(len(args))+`) d
		JOIN students s ON s.district_id = d.district_id AND s.id = d.student_id
		ORDER BY d.due_on, d.student_id, d.n`, args...)
	if err != nil {
		return nil, wrap(err, "list what is due in district %s", districtID)
	}
	return rows, nil
}

// DueCounts are the open deadlines of a district (or of a filter) by status.
type DueCounts struct {
	Overdue, DueSoon, Upcoming, Paused int
}

// CountDue counts the open deadlines that match f (its Status, After and Limit are ignored),
// as ListDue with each status would list them. Without a case manager it sums counts that
// triggers on deadlines keep by clock and period (migration 0021), for the district and for
// each school: the open deadlines not paused by due day and by "due soon" day, the paused ones
// by due day, with the days of other years summed by year and the days of other months of this
// year by month. On today t, overdue = due before t, upcoming = due soon from after t, due soon
// = due from t on less upcoming (a deadline is due soon from its due day at the latest). A count
// reads every year, this year's months and this month's days (three ranges of a primary key, a
// few hundred rows at most) whatever the district's size and however far its deadlines reach. A
// case manager's counts are read from their range of deadlines_open_case_manager: a caseload
// is small. Errors: invalid (no Today).
func (db *DB) CountDue(ctx context.Context, districtID string, f DueFilter) (DueCounts, error) {
	f.Status, f.After = DueAll, ""
	if f.CaseManagerID != "" {
		return db.countDueRows(ctx, districtID, f)
	}
	if f.Today.IsZero() {
		return DueCounts{}, iep.Problems{{Field: "today", Code: iep.CodeRequired}}.Err()
	}
	t := f.Today.String()
	year, month := t[:4], t[:7]
	// $1 the district, $2 today, $3 its year, $4 its month, $5–$6 the year's months, $7–$8 the
	// month's days; then the school and the clock, as the filter has them.
	args := []any{districtID, t, year, month, year + "-01", year + "-12", month + "-01", month + "-31"}
	from := `FROM due_counts_by_period c WHERE c.district_id = $1`
	if f.SchoolID != "" {
		args = append(args, f.SchoolID)
		from = `FROM due_counts_by_school_period c WHERE c.district_id = $1 AND c.school_id = $` + strconv.Itoa(len(args))
	}
	clock := ""
	if f.Clock != "" {
		args = append(args, f.Clock)
		clock = ` AND c.clock = $` + strconv.Itoa(len(args))
	}
	// A period other than today's year and month compares with today as each of its days does.
	sums := `SELECT COALESCE(SUM(CASE WHEN c.period < $2 THEN c.due END), 0),
			COALESCE(SUM(CASE WHEN c.period >= $2 THEN c.due END), 0),
			COALESCE(SUM(CASE WHEN c.period > $2 THEN c.soon END), 0), COALESCE(SUM(c.paused), 0) ` + from
	rows, err := list(ctx, db, func(r row, x *[4]int) error { return r.Scan(&x[0], &x[1], &x[2], &x[3]) },
		sums+` AND c.grain = 4 AND c.period <> $3`+clock+`
		UNION ALL `+sums+` AND c.grain = 7 AND c.period BETWEEN $5 AND $6 AND c.period <> $4`+clock+`
		UNION ALL `+sums+` AND c.grain = 10 AND c.period BETWEEN $7 AND $8`+clock, args...)
	if err != nil {
		return DueCounts{}, wrap(err, "count what is due in district %s", districtID)
	}
	var c DueCounts
	var dueFrom int // due today or later, of which the upcoming ones are not yet due soon
	for _, x := range rows {
		c.Overdue, dueFrom, c.Upcoming, c.Paused = c.Overdue+x[0], dueFrom+x[1], c.Upcoming+x[2], c.Paused+x[3]
	}
	c.DueSoon = dueFrom - c.Upcoming
	return c, nil
}

// countDueRows is CountDue counted from the deadlines themselves, one range of a partial index
// (deadlines_open_case_manager when f names a case manager, as CountDue uses it).
func (db *DB) countDueRows(ctx context.Context, districtID string, f DueFilter) (DueCounts, error) {
	q, err := dueWhere(districtID, f)
	if err != nil {
		return DueCounts{}, err
	}
	t := q.todayRef()
	var c DueCounts
	err = db.queryRow(ctx, `SELECT
			COALESCE(SUM(CASE WHEN NOT d.paused AND d.due_on < `+t+` THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN NOT d.paused AND d.due_on >= `+t+` AND d.soon_on <= `+t+` THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN NOT d.paused AND d.soon_on > `+t+` THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN d.paused THEN 1 ELSE 0 END), 0)
		FROM deadlines d WHERE `+q.where, q.args...).Scan(&c.Overdue, &c.DueSoon, &c.Upcoming, &c.Paused)
	if err != nil {
		return DueCounts{}, wrap(err, "count what is due in district %s", districtID)
	}
	return c, nil
}

// dueQuery builds the WHERE clause (over deadlines d) and arguments of a filter; $1 is the
// district. today() is the placeholder of the filter's today, added to the arguments when first
// used (PostgreSQL refuses a parameter no clause uses).
type dueQuery struct {
	where   string
	args    []any
	today   date.Date
	todayAt string
}

func (q *dueQuery) todayRef() string {
	if q.todayAt == "" {
		q.args = append(q.args, q.today)
		q.todayAt = "$" + strconv.Itoa(len(q.args))
	}
	return q.todayAt
}

func dueWhere(districtID string, f DueFilter) (*dueQuery, error) {
	if f.Today.IsZero() {
		return nil, iep.Problems{{Field: "today", Code: iep.CodeRequired}}.Err()
	}
	q := &dueQuery{where: `d.district_id = $1 AND d.met_on IS NULL`, args: []any{districtID}, today: f.Today}
	add := func(cond string, v any) {
		q.args = append(q.args, v)
		q.where += " AND " + strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(q.args)))
	}
	if f.SchoolID != "" {
		add("d.school_id = ?", f.SchoolID)
	}
	if f.CaseManagerID != "" {
		add("d.case_manager_id = ?", f.CaseManagerID)
	}
	if f.Clock != "" {
		add("d.clock = ?", f.Clock)
	}
	switch f.Status {
	case DueAll:
	case DueOverdue:
		q.where += ` AND NOT d.paused AND d.due_on < ` + q.todayRef()
	case DueSoon:
		t := q.todayRef()
		q.where += ` AND NOT d.paused AND d.due_on >= ` + t + ` AND d.soon_on <= ` + t
	case DueUpcoming:
		q.where += ` AND NOT d.paused AND d.soon_on > ` + q.todayRef()
	case DuePaused:
		q.where += ` AND d.paused`
	default:
		return nil, iep.Problems{{Field: "status", Code: iep.CodeChoice, Detail: "overdue, due_soon, upcoming, paused"}}.Err()
	}
	return q, nil
}

func parseDueCursor(s string) (due date.Date, student string, n int, ok bool) {
	parts := strings.Split(s, "~")
	if len(parts) != 3 {
		return date.Date{}, "", 0, false
	}
	due, err := date.Parse(parts[0])
	if err != nil || parts[1] == "" {
		return date.Date{}, "", 0, false
	}
	n, err = strconv.Atoi(parts[2])
	return due, parts[1], n, err == nil && n > 0
}

// DueDigest is what one case manager's daily digest counts.
type DueDigest struct {
	CaseManagerID string
	DueCounts
}

// DueDigests counts, by case manager, the open deadlines that are overdue or due soon on today
// (case managers with neither are left out), by case manager id.
func (db *DB) DueDigests(ctx context.Context, districtID string, today date.Date) ([]DueDigest, error) {
	return list(ctx, db, func(r row, d *DueDigest) error {
		return r.Scan(&d.CaseManagerID, &d.Overdue, &d.DueSoon, &d.Upcoming, &d.Paused)
	}, `SELECT d.case_manager_id,
			SUM(CASE WHEN NOT d.paused AND d.due_on < $2 THEN 1 ELSE 0 END),
			SUM(CASE WHEN NOT d.paused AND d.due_on >= $2 AND d.soon_on <= $2 THEN 1 ELSE 0 END),
			SUM(CASE WHEN NOT d.paused AND d.soon_on > $2 THEN 1 ELSE 0 END),
			SUM(CASE WHEN d.paused THEN 1 ELSE 0 END)
		FROM deadlines d WHERE d.district_id = $1 AND d.met_on IS NULL AND d.case_manager_id IS NOT NULL
		GROUP BY d.case_manager_id
		HAVING SUM(CASE WHEN NOT d.paused AND d.soon_on <= $2 THEN 1 ELSE 0 END) > 0
		ORDER BY d.case_manager_id`, districtID, today)
}

// ClaimDueDigest records that the district's digest of day is being sent, with how many mails,
// and reports whether it was not sent before (false: another instance or an earlier run did;
// send nothing). Call it in the transaction that queues the mails.
func (tx *Tx) ClaimDueDigest(ctx context.Context, districtID string, day date.Date, mails int) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO due_digests (district_id, day, mails) VALUES ($1, $2, $3)
		ON CONFLICT (district_id, day) DO NOTHING`, districtID, day, mails)
	if err != nil {
		return false, wrap(err, "claim the digest of district %s", districtID)
	}
	n, err := res.RowsAffected()
	return n == 1, wrap(err, "claim the digest of district %s", districtID)
}

// StudentsWithEvents returns the ids of the district's students who have a ledger, in id order.
func (db *DB) StudentsWithEvents(ctx context.Context, districtID string) ([]string, error) {
	return list(ctx, db, func(r row, id *string) error { return r.Scan(id) },
		`SELECT DISTINCT student_id FROM events WHERE district_id = $1 ORDER BY student_id`, districtID)
}
