package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// CreateAssignment stores who delivers a student's service line and their schedule for it
// (migration 0025). Errors: invalid (Validate's problems, or a student or provider not in the
// district), conflict.
func (tx *Tx) CreateAssignment(ctx context.Context, a *iep.Assignment) error {
	if err := checked(a.Validate(), a.DistrictID); err != nil {
		return err
	}
	if err := ensureID(&a.ID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO service_assignments (district_id, id, student_id, service_line_id, provider_id,
		weekdays, start_time, starts_on, ends_on, created_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		a.DistrictID, a.ID, a.StudentID, a.ServiceLineID, a.ProviderID, weekdaysText(a.Weekdays), a.StartTime,
		a.StartsOn, optDate(a.EndsOn), tx.db.d.instant(tx.now), a.CreatedBy)
	return wrap(err, "create assignment %s", a.ID)
}

// EndAssignment ends an assignment on day on, the last day it is in force; the day before it
// starts withdraws it (it was never in force). An assignment already ended earlier keeps its
// end. Errors: not found; invalid when on is earlier than the day before it starts.
func (tx *Tx) EndAssignment(ctx context.Context, districtID, id string, on date.Date) error {
	a, err := tx.db.assignment(ctx, districtID, id)
	if err != nil {
		return err
	}
	if on.Before(a.StartsOn.AddDays(-1)) {
		return iep.Problems{{Field: "ends_on", Code: iep.CodeRange, Detail: "on or after the day before it starts"}}.Err()
	}
	_, err = tx.exec(ctx, `UPDATE service_assignments SET ends_on = $3
		WHERE district_id = $1 AND id = $2 AND (ends_on IS NULL OR ends_on > $3)`, districtID, id, on)
	return wrap(err, "end assignment %s", id)
}

const assignmentCols = `district_id, id, student_id, service_line_id, provider_id, weekdays, start_time, starts_on,
	COALESCE(ends_on, ''), created_by`

func scanAssignment(r row, a *iep.Assignment) error {
	var days string
	if err := r.Scan(&a.DistrictID, &a.ID, &a.StudentID, &a.ServiceLineID, &a.ProviderID, &days, &a.StartTime,
		&a.StartsOn, &a.EndsOn, &a.CreatedBy); err != nil {
		return err
	}
	a.Weekdays = parseWeekdays(days)
	return nil
}

func (db *DB) assignment(ctx context.Context, districtID, id string) (*iep.Assignment, error) {
	var a iep.Assignment
	err := scanAssignment(db.queryRow(ctx, `SELECT `+assignmentCols+` FROM service_assignments
		WHERE district_id = $1 AND id = $2`, districtID, id), &a)
	if err := one(err, "assignment", id); err != nil {
		return nil, err
	}
	return &a, nil
}

// GetAssignment returns an assignment. Errors: not found.
func (db *DB) GetAssignment(ctx context.Context, districtID, id string) (*iep.Assignment, error) {
	return db.assignment(ctx, districtID, id)
}

// ListProviderAssignments returns a provider's assignments in force on day on, by student.
func (db *DB) ListProviderAssignments(ctx context.Context, districtID, providerID string, on date.Date) ([]iep.Assignment, error) {
	return list(ctx, db, scanAssignment, `SELECT `+assignmentCols+` FROM service_assignments
		WHERE district_id = $1 AND provider_id = $2 AND starts_on <= $3 AND (ends_on IS NULL OR ends_on >= $3)
		ORDER BY student_id, service_line_id, id`, districtID, providerID, on)
}

// ListStudentAssignments returns every assignment of a student's service lines, ended ones too,
// by line and start.
func (db *DB) ListStudentAssignments(ctx context.Context, districtID, studentID string) ([]iep.Assignment, error) {
	return list(ctx, db, scanAssignment, `SELECT `+assignmentCols+` FROM service_assignments
		WHERE district_id = $1 AND student_id = $2 ORDER BY service_line_id, starts_on, id`, districtID, studentID)
}

// ListProviderLogs returns the sessions a provider logged (or delivered as a substitute) on a
// day, by student.
func (db *DB) ListProviderLogs(ctx context.Context, districtID, providerID string, day date.Date) ([]iep.ServiceLog, error) {
	return list(ctx, db, scanServiceLog, `SELECT `+serviceLogCols+` FROM service_logs
		WHERE district_id = $1 AND provider_id = $2 AND day = $3
		UNION
		SELECT `+serviceLogCols+` FROM service_logs
		WHERE district_id = $1 AND actual_provider_id = $2 AND day = $3
		ORDER BY student_id, service_line_id, id`, districtID, providerID, day)
}

// weekdaysText writes weekdays as ISO numbers ("1,3").
func weekdaysText(ws []time.Weekday) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = strconv.Itoa(int(w))
	}
	return strings.Join(parts, ",")
}

// parseWeekdays reads weekdaysText's form; what is not a number is left out.
func parseWeekdays(s string) []time.Weekday {
	var out []time.Weekday
	for _, p := range strings.Split(s, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(p)); err == nil {
			out = append(out, time.Weekday(n))
		}
	}
	return out
}

// optDate is a date for a nullable column: NULL for the zero date.
func optDate(d date.Date) any {
	if d.IsZero() {
		return nil
	}
	return d
}
