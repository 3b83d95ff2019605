package store

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// A case manager's caseload ("my caseload", app.Caseload): the students they manage, their
// plans being written or waiting for the family, and their meetings of the coming days. Each
// read is a few index ranges by case manager (plans_case_manager, evaluation_staff_case_manager of
// migration 0019) and then by student (students' and meetings' primary and per-student indexes),
// whatever the district's size. What is due on the caseload is ListDue with the case manager.

// caseloadIDsSQL selects the ids of the students on the caseload of staff member $2 of district
// $1 ($3 is true): the students whose current plan, or whose plan being written (draft) or
// waiting for the family (proposed), they manage, and those whose active evaluation they manage.
// An id may come twice (UNION ALL: a UNION makes SQLite's planner walk both tables by student, to
// merge them in order); it is only ever used with IN.
const caseloadIDsSQL = `SELECT p.student_id FROM plans p
		JOIN students c ON c.district_id = p.district_id AND c.id = p.student_id
		WHERE p.district_id = $1 AND p.case_manager_id = $2
			AND (p.status IN ('draft', 'proposed') OR c.current_plan_id = p.id)
	UNION ALL SELECT es.student_id FROM evaluation_staff es
		WHERE es.district_id = $1 AND es.staff_id = $2 AND es.part = 'case_manager' AND es.active = $3`

// maxCaseload is the most students ListCaseload reads.
const maxCaseload = 5000

// ListCaseload returns the students on a case manager's caseload (see caseloadIDsSQL) who have
// not left, by name (last, first, id, bytewise as the roster), with their current plan as on the
// roster. It reads at most 5,000 (which ones, when a caseload has more, is not defined) and
// returns at most limit.
//
// The order is made here, not by the database: asked for it, SQLite's planner (without
// statistics) walks the district's name index to avoid sorting a few dozen rows.
func (db *DB) ListCaseload(ctx context.Context, districtID, staffID string, limit int) ([]StudentSummary, error) {
	rows, err := list(ctx, db, func(r row, s *StudentSummary) error {
		dest := append(studentDest(&s.Student), &s.PlanID, &s.PlanStatus, &s.NextReviewDate)
		if err := r.Scan(dest...); err != nil {
			return err
		}
		s.Cursor = s.ID
		return nil
	}, `SELECT `+studentCols+`, COALESCE(current_plan_id, ''), COALESCE(plan_status, ''), next_review_date
		FROM students WHERE district_id = $1 AND exited_on IS NULL AND id IN (`+caseloadIDsSQL+`)
		LIMIT $4`, districtID, staffID, true, maxCaseload)
	if err != nil {
		return nil, wrap(err, "the caseload of staff %s", staffID)
	}
	slices.SortFunc(rows, func(a, b StudentSummary) int {
		return cmp.Or(strings.Compare(a.LastName, b.LastName), strings.Compare(a.FirstName, b.FirstName), strings.Compare(a.ID, b.ID))
	})
	return rows[:min(len(rows), max(limit, 0))], nil
}

// CaseloadPlan is a plan a case manager manages that is being written (draft) or waits for the
// family's answer (proposed), with its student's name.
type CaseloadPlan struct {
	PlanID, StudentID                  string
	Kind                               iep.PlanKind
	Status                             iep.PlanStatus
	FirstName, LastName, PreferredName string
	Grade                              iep.Grade
	UpdatedAt                          time.Time // the last edit of a section or of the header
	SharedAt                           time.Time // zero while the family has not been shown the draft
	ProposedAt                         time.Time // when the version the family is asked to sign was frozen (proposed)
}

// ListCaseloadPlans returns the plans a case manager manages that are drafts or proposed:
// the proposed ones first, the longest waiting first, then the drafts, the least recently
// edited first.
func (db *DB) ListCaseloadPlans(ctx context.Context, districtID, staffID string) ([]CaseloadPlan, error) {
	rows, err := list(ctx, db, func(r row, p *CaseloadPlan) error {
		return r.Scan(&p.PlanID, &p.StudentID, &p.Kind, &p.Status, instant{&p.UpdatedAt}, instant{&p.SharedAt},
			instant{&p.ProposedAt}, &p.FirstName, &p.LastName, &p.PreferredName, &p.Grade)
	}, `SELECT p.id, p.student_id, p.kind, p.status, p.updated_at, p.shared_at, v.created_at,
			s.first_name, s.last_name, s.preferred_name, s.grade
		FROM plans p
		JOIN students s ON s.district_id = p.district_id AND s.id = p.student_id
		LEFT JOIN plan_versions v ON v.district_id = p.district_id AND v.plan_id = p.id AND v.number = p.current_version
		WHERE p.district_id = $1 AND p.case_manager_id = $2 AND p.status IN ('draft', 'proposed')
		ORDER BY CASE WHEN p.status = 'proposed' THEN 0 ELSE 1 END,
			CASE WHEN p.status = 'proposed' THEN v.created_at END, p.updated_at, p.id`, districtID, staffID)
	if err != nil {
		return nil, wrap(err, "the plans of case manager %s", staffID)
	}
	return rows, nil
}

// CaseloadMeeting is a meeting of a student on a caseload, with the student's name.
type CaseloadMeeting struct {
	iep.Meeting
	FirstName, LastName, PreferredName string
	Grade                              iep.Grade
}

// ListCaseloadMeetings returns the meetings offered or scheduled (not held, not cancelled) from
// from (included) to to (excluded) of the students on a case manager's caseload, by start (made
// here, for the reason ListCaseload gives).
func (db *DB) ListCaseloadMeetings(ctx context.Context, districtID, staffID string, from, to time.Time) ([]CaseloadMeeting, error) {
	rows, err := list(ctx, db, func(r row, m *CaseloadMeeting) error {
		return r.Scan(&m.DistrictID, &m.ID, &m.StudentID, &m.PlanID, jsonCol{&m.Purposes}, &m.Status,
			instant{&m.StartsAt}, &m.DurationMinutes, &m.Location, &m.VideoLink, &m.InterpreterLanguage,
			&m.FamilyReply, &m.Finalizes, &m.FirstName, &m.LastName, &m.PreferredName, &m.Grade)
	}, `SELECT m.district_id, m.id, m.student_id, COALESCE(m.plan_id, ''), m.purposes, m.status, m.starts_at,
			m.duration_minutes, m.location, m.video_link, m.interpreter_language, m.family_reply, m.finalizes,
			s.first_name, s.last_name, s.preferred_name, s.grade
		FROM students s
		JOIN meetings m ON m.district_id = s.district_id AND m.student_id = s.id
		WHERE s.district_id = $1 AND s.id IN (`+caseloadIDsSQL+`)
			AND m.starts_at >= $4 AND m.starts_at < $5 AND m.status IN ('proposed', 'scheduled')`,
		districtID, staffID, true, db.d.instant(from), db.d.instant(to))
	if err != nil {
		return nil, wrap(err, "the meetings of case manager %s", staffID)
	}
	slices.SortFunc(rows, func(a, b CaseloadMeeting) int {
		return cmp.Or(a.StartsAt.Compare(b.StartsAt), strings.Compare(a.ID, b.ID))
	})
	return rows, nil
}

// ListCaseManagers returns the district's active staff who manage a caseload (a plan, or an
// active evaluation), by name (last, first, id): whom an administrator may choose from. It starts
// from the plans' and evaluations' indexes by case manager, never from every staff member.
func (db *DB) ListCaseManagers(ctx context.Context, districtID string) ([]iep.Staff, error) {
	rows, err := list(ctx, db, func(r row, s *iep.Staff) error {
		return r.Scan(&s.DistrictID, &s.ID, &s.FirstName, &s.LastName)
	}, `SELECT district_id, id, first_name, last_name FROM staff WHERE district_id = $1 AND active = $2 AND id IN (
			SELECT case_manager_id FROM plans WHERE district_id = $1 AND case_manager_id IS NOT NULL
			UNION ALL SELECT staff_id FROM evaluation_staff WHERE district_id = $1 AND part = 'case_manager' AND active = $2)`,
		districtID, true)
	if err != nil {
		return nil, wrap(err, "the case managers of district %s", districtID)
	}
	slices.SortFunc(rows, func(a, b iep.Staff) int {
		return cmp.Or(strings.Compare(a.LastName, b.LastName), strings.Compare(a.FirstName, b.FirstName), strings.Compare(a.ID, b.ID))
	})
	return rows, nil
}
