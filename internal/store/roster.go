package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// StudentFilter selects a page of students.
type StudentFilter struct {
	SchoolID string // only this school's students; "" for the whole district
	// SchoolIDs, when SchoolID is empty and this is not, limits the page to these schools (the
	// scope of a staff member who works in several).
	SchoolIDs     []string
	WithPlansOnly bool   // only students who have a plan
	After         string // the Cursor of the last row of the previous page; "" for the first page
	Limit         int    // rows per page: default 50, at most 500
}

// StudentSummary is a row of the roster: the student and their current plan (see CurrentPlan).
type StudentSummary struct {
	iep.Student
	PlanID         string         // "" when the student has no plan
	PlanStatus     iep.PlanStatus // of that plan
	NextReviewDate date.Date      // of that plan
	Cursor         string         // opaque; pass it as StudentFilter.After for the next page
}

const (
	defaultPageSize = 50
	maxPageSize     = 500
)

// ListStudents returns a page of the district's students ordered by last name, first name and
// id (bytewise on both engines). Each page is one index range whatever the roster's size (keyset
// pagination, no OFFSET). Errors: invalid (an After cursor that names no student).
func (db *DB) ListStudents(ctx context.Context, districtID string, f StudentFilter) ([]StudentSummary, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = defaultPageSize
	}
	limit = min(limit, maxPageSize)
	args := []any{districtID}
	schools := f.SchoolIDs
	if f.SchoolID != "" {
		schools = []string{f.SchoolID}
	}
	for _, id := range schools {
		args = append(args, id)
	}
	if f.After != "" {
		var last, first string
		err := db.queryRow(ctx, `SELECT last_name, first_name FROM students WHERE district_id = $1 AND id = $2`,
			districtID, f.After).Scan(&last, &first)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, iep.Problems{{Field: "after", Code: iep.CodeInvalid, Detail: "not a cursor of this list"}}.Err()
		}
		if err != nil {
			return nil, wrap(err, "list students")
		}
		args = append(args, last, first, f.After)
	}
	args = append(args, limit)
	q := listStudentsSQL(len(schools), f.WithPlansOnly, f.After != "")
	page, err := list(ctx, db, func(r row, s *StudentSummary) error {
		dest := append(studentDest(&s.Student), &s.PlanID, &s.PlanStatus, &s.NextReviewDate)
		if err := r.Scan(dest...); err != nil {
			return err
		}
		s.Cursor = s.ID
		return nil
	}, q, args...)
	if err != nil {
		return nil, err
	}
	return page, db.addDisabilities(ctx, districtID, page)
}

// listStudentsSQL is the roster query; its parameters are the district, the schools (as many as
// schools), the last name, first name and id of the cursor row (after), and the limit.
func listStudentsSQL(schools int, withPlans, after bool) string {
	var b strings.Builder
	b.WriteString(`SELECT ` + studentCols + `, COALESCE(current_plan_id, ''), COALESCE(plan_status, ''),
		next_review_date FROM students WHERE district_id = $1`)
	n := 1
	switch {
	case schools == 1:
		n++
		fmt.Fprintf(&b, " AND school_id = $%d", n)
	case schools > 1:
		b.WriteString(" AND school_id IN (")
		for i := range schools {
			if i > 0 {
				b.WriteString(", ")
			}
			n++
			fmt.Fprintf(&b, "$%d", n)
		}
		b.WriteString(")")
	}
	if withPlans {
		b.WriteString(" AND current_plan_id IS NOT NULL")
	}
	if after {
		fmt.Fprintf(&b, " AND (last_name, first_name, id) > ($%d, $%d, $%d)", n+1, n+2, n+3)
		n += 3
	}
	fmt.Fprintf(&b, " ORDER BY last_name, first_name, id LIMIT $%d", n+1)
	return b.String()
}

// addDisabilities loads the disabilities of a page of students in one query.
func (db *DB) addDisabilities(ctx context.Context, districtID string, page []StudentSummary) error {
	if len(page) == 0 {
		return nil
	}
	ids := make([]string, len(page))
	at := make(map[string]int, len(page))
	for i := range page {
		ids[i] = page[i].ID
		at[page[i].ID] = i
	}
	idsJSON, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	type sd struct {
		student string
		iep.Disability
	}
	ds, err := list(ctx, db, func(r row, d *sd) error {
		return r.Scan(&d.student, &d.Category, &d.Order, &d.Primary)
	}, `SELECT student_id, category, position, is_primary FROM student_disabilities
		WHERE district_id = $1 AND `+fmt.Sprintf(db.d.idsIn, "student_id", "$2")+`
		ORDER BY student_id, position, category`, districtID, string(idsJSON))
	if err != nil {
		return err
	}
	for _, d := range ds {
		s := &page[at[d.student]]
		s.Disabilities = append(s.Disabilities, d.Disability)
	}
	return nil
}

// CountStudents returns how many students the district (or one of its schools, when schoolID is
// not "") has, and how many of them have a plan. It reads the per-school counts that triggers on
// students keep (migration 0004), so its cost does not grow with the district.
func (db *DB) CountStudents(ctx context.Context, districtID, schoolID string) (total, withPlans int, err error) {
	q := `SELECT COALESCE(SUM(students), 0), COALESCE(SUM(with_plans), 0) FROM school_counts
		WHERE district_id = $1`
	args := []any{districtID}
	if schoolID != "" {
		q += ` AND school_id = $2`
		args = append(args, schoolID)
	}
	if err := db.queryRow(ctx, q, args...).Scan(&total, &withPlans); err != nil {
		return 0, 0, wrap(err, "count students")
	}
	return total, withPlans, nil
}

// SchoolCount is how many students one school has, and how many of them have a plan.
type SchoolCount struct {
	SchoolID  string
	Students  int
	WithPlans int
}

// CountStudentsBySchool returns the counts of every school of the district that has (or had)
// students, from the per-school counts the triggers on students keep: a page that shows every
// school's counts reads one row per school, whatever the number of students.
func (db *DB) CountStudentsBySchool(ctx context.Context, districtID string) (map[string]SchoolCount, error) {
	rows, err := list(ctx, db, func(r row, c *SchoolCount) error {
		return r.Scan(&c.SchoolID, &c.Students, &c.WithPlans)
	}, `SELECT school_id, students, with_plans FROM school_counts
		WHERE district_id = $1 AND students > 0`, districtID)
	if err != nil {
		return nil, err
	}
	m := make(map[string]SchoolCount, len(rows))
	for _, c := range rows {
		m[c.SchoolID] = c
	}
	return m, nil
}

// batchRows is how many rows one multi-row INSERT of CreateStudents carries.
const batchRows = 50

// CreateStudents is CreateStudent for many students at once, with multi-row INSERTs: the fast
// path for imports and generated districts. Every student is validated before anything is
// written; the problems of the i-th are prefixed "students[i].". Errors: as CreateStudent.
func (tx *Tx) CreateStudents(ctx context.Context, students []iep.Student) error {
	var ps iep.Problems
	for i := range students {
		if err := students[i].Validate(); err != nil {
			ps.Nest(fmt.Sprintf("students[%d].", i), err)
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}
	var dis []any
	ndis := 0
	for start := 0; start < len(students); start += batchRows {
		chunk := students[start:min(start+batchRows, len(students))]
		args := make([]any, 0, len(chunk)*18)
		for i := range chunk {
			s := &chunk[i]
			if err := ensureID(&s.ID); err != nil {
				return err
			}
			args = append(args, tx.studentArgs(s)...)
			for _, d := range s.Disabilities {
				dis = append(dis, s.DistrictID, s.ID, string(d.Category), d.Order, d.Primary)
				ndis++
			}
		}
		if _, err := tx.exec(ctx, multiRow(insertStudent, 18, len(chunk)), args...); err != nil {
			return wrap(err, "create students %s…", chunk[0].ID)
		}
	}
	const insertDisability = `INSERT INTO student_disabilities (district_id, student_id, category, position, is_primary)
		VALUES ($1, $2, $3, $4, $5)`
	for start := 0; start < ndis; start += 2 * batchRows {
		n := min(2*batchRows, ndis-start)
		if _, err := tx.exec(ctx, multiRow(insertDisability, 5, n), dis[start*5:(start+n)*5]...); err != nil {
			return wrap(err, "create students: disabilities")
		}
	}
	return nil
}

// multiRow turns a one-row "INSERT … VALUES ($1, …, $cols)" into one of rows rows.
func multiRow(insert string, cols, rows int) string {
	i := strings.LastIndex(insert, "VALUES")
	var b strings.Builder
	b.Grow(len(insert) + rows*cols*6)
	b.WriteString(insert[:i+len("VALUES")])
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteString(" (")
		for c := 0; c < cols; c++ {
			if c > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", r*cols+c+1)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// StaffStudent is one student a staff member works with, and how.
type StaffStudent struct {
	StudentID   string
	FirstName   string
	LastName    string
	Grade       string
	SchoolID    string
	CaseManager bool // the case manager of the student's current plan
	TeamMember  bool // on the team of one of the student's plans that has not ended
	Granted     bool // holds a grant on the student active at now
}

// ListStaffStudents returns the students a staff member works with (a caseload): those whose
// current plan they manage, on whose open plans' teams they are, or on whom they hold a grant
// active at now; by name, at most limit.
func (db *DB) ListStaffStudents(ctx context.Context, districtID, staffID string, now time.Time, limit int) ([]StaffStudent, error) {
	at := db.d.instant(now)
	rows, err := list(ctx, db, func(r row, s *StaffStudent) error {
		var how string
		if err := r.Scan(&s.StudentID, &s.FirstName, &s.LastName, &s.Grade, &s.SchoolID, &how); err != nil {
			return err
		}
		s.CaseManager, s.TeamMember, s.Granted = how == "c", how == "t", how == "g"
		return nil
	}, `SELECT s.id, s.first_name, s.last_name, s.grade, s.school_id, w.how FROM (
			SELECT p.student_id AS student_id, 'c' AS how FROM plans p
				JOIN students s ON s.district_id = p.district_id AND s.id = p.student_id AND s.current_plan_id = p.id
				WHERE p.district_id = $1 AND p.case_manager_id = $2
			UNION SELECT p.student_id, 't' FROM team_members tm
				JOIN plans p ON p.district_id = tm.district_id AND p.id = tm.plan_id
				WHERE tm.district_id = $1 AND tm.staff_id = $2 AND p.status NOT IN `+endedPlanStatuses+`
			UNION SELECT g.student_id, 'g' FROM access_grants g
				WHERE g.district_id = $1 AND g.staff_id = $2 AND g.starts_at <= $3 AND g.until > $3
					AND (g.revoked_at IS NULL OR g.revoked_at > $3)
		) w CROSS JOIN students s WHERE s.district_id = $1 AND s.id = w.student_id`, districtID, staffID, at)
	if err != nil {
		return nil, wrap(err, "list the students of staff %s", staffID)
	}
	// Sorted here: asked to sort, SQLite without statistics walked the district's students by
	// name (35 ms at 100,000 students) instead of reaching this caseload's few by key.
	slices.SortFunc(rows, func(a, b StaffStudent) int {
		return cmp.Or(strings.Compare(a.LastName, b.LastName), strings.Compare(a.FirstName, b.FirstName),
			strings.Compare(a.StudentID, b.StudentID))
	})
	// One row per student, with every way the staff member works with them.
	var out []StaffStudent
	for _, r := range rows {
		if n := len(out); n > 0 && out[n-1].StudentID == r.StudentID {
			out[n-1].CaseManager = out[n-1].CaseManager || r.CaseManager
			out[n-1].TeamMember = out[n-1].TeamMember || r.TeamMember
			out[n-1].Granted = out[n-1].Granted || r.Granted
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, r)
	}
	return out, nil
}
