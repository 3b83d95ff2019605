package store

import (
	"context"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// CreateServiceLog stores one logged session. The plan must be the student's. LoggedAt is set
// to the transaction's time when zero (else kept, in UTC to the microsecond). Errors: invalid
// (Validate's problems, no district, or a plan, student, provider or made-up log not in the
// district), conflict.
func (tx *Tx) CreateServiceLog(ctx context.Context, l *iep.ServiceLog) error {
	if err := checked(l.Validate(), l.DistrictID); err != nil {
		return err
	}
	if err := ensureID(&l.ID); err != nil {
		return err
	}
	if l.LoggedAt.IsZero() {
		l.LoggedAt = tx.now
	}
	l.LoggedAt = l.LoggedAt.UTC().Truncate(time.Microsecond)
	_, err := tx.exec(ctx, `INSERT INTO service_logs (district_id, id, student_id, plan_id, service_line_id,
		day, minutes, status, missed_reason, make_up_of, group_session_id, group_size, provider_id,
		actual_provider_id, note, medicaid_billable, medicaid_supervisor_id, medicaid_omit,
		medicaid_omit_reason, logged_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		l.DistrictID, l.ID, l.StudentID, l.PlanID, l.ServiceLineID, l.Date, l.Minutes, string(l.Status),
		string(l.MissedReason), opt(l.MakeUpOf), l.GroupSessionID, l.GroupSize, l.ProviderID,
		opt(l.ActualProviderID), l.Note, l.Medicaid.Billable, opt(l.Medicaid.SupervisorID),
		l.Medicaid.OmitFromBilling, l.Medicaid.OmitReason, tx.db.d.instant(l.LoggedAt))
	return wrap(err, "create service log %s", l.ID)
}

// ListServiceLogs returns the student's logged sessions dated from from to to (both included;
// a zero date leaves that end open), by date.
func (db *DB) ListServiceLogs(ctx context.Context, districtID, studentID string, from, to date.Date) ([]iep.ServiceLog, error) {
	lo, hi := "0000-01-01", "9999-12-31"
	if !from.IsZero() {
		lo = from.String()
	}
	if !to.IsZero() {
		hi = to.String()
	}
	return list(ctx, db, scanServiceLog, `SELECT `+serviceLogCols+`
		FROM service_logs WHERE district_id = $1 AND student_id = $2 AND day >= $3 AND day <= $4
		ORDER BY day, id`, districtID, studentID, lo, hi)
}

const serviceLogCols = `district_id, id, student_id, plan_id, service_line_id, day, minutes, status, missed_reason,
	COALESCE(make_up_of, ''), group_session_id, group_size, provider_id,
	COALESCE(actual_provider_id, ''), note, medicaid_billable, COALESCE(medicaid_supervisor_id, ''),
	medicaid_omit, medicaid_omit_reason, logged_at`

func scanServiceLog(r row, l *iep.ServiceLog) error {
	return r.Scan(&l.DistrictID, &l.ID, &l.StudentID, &l.PlanID, &l.ServiceLineID, &l.Date, &l.Minutes,
		&l.Status, &l.MissedReason, &l.MakeUpOf, &l.GroupSessionID, &l.GroupSize, &l.ProviderID,
		&l.ActualProviderID, &l.Note, &l.Medicaid.Billable, &l.Medicaid.SupervisorID,
		&l.Medicaid.OmitFromBilling, &l.Medicaid.OmitReason, instant{&l.LoggedAt})
}

// planStudent fills *studentID from the plan when it is empty (the domain does not require it
// on progress records; the store keeps it for queries by student).
func (tx *Tx) planStudent(ctx context.Context, districtID, planID string, studentID *string) error {
	if *studentID != "" {
		return nil
	}
	_, s, err := tx.planRow(ctx, districtID, planID)
	if err != nil {
		return err
	}
	*studentID = s
	return nil
}

// planRow reads a plan's status and student without locking it. Errors: invalid (no such plan
// in the district: the caller's input refers to it).
func (tx *Tx) planRow(ctx context.Context, districtID, planID string) (iep.PlanStatus, string, error) {
	var status iep.PlanStatus
	var student string
	err := tx.queryRow(ctx, `SELECT status, student_id FROM plans WHERE district_id = $1 AND id = $2`,
		districtID, planID).Scan(&status, &student)
	if err := one(err, "plan", planID); err != nil {
		if iep.KindOf(err) == iep.KindNotFound {
			return "", "", iep.Problems{{Field: "plan_id", Code: iep.CodeInvalid, Detail: "no such plan in this district"}}.Err()
		}
		return "", "", err
	}
	return status, student, nil
}

// CreateProgressPoint stores one measurement toward a goal. StudentID is filled from the plan
// when empty. Errors: invalid, conflict.
func (tx *Tx) CreateProgressPoint(ctx context.Context, p *iep.ProgressPoint) error {
	if err := checked(p.Validate(), p.DistrictID); err != nil {
		return err
	}
	if err := tx.planStudent(ctx, p.DistrictID, p.PlanID, &p.StudentID); err != nil {
		return err
	}
	if err := ensureID(&p.ID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO progress_points (district_id, id, student_id, plan_id, goal_id, day,
		value, unit, note, recorded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		p.DistrictID, p.ID, p.StudentID, p.PlanID, p.GoalID, p.Date, p.Value, p.Unit, p.Note, p.RecordedBy,
		tx.db.d.instant(tx.now))
	return wrap(err, "create progress point %s", p.ID)
}

// ListProgressPoints returns a plan's measurements, by goal and date.
func (db *DB) ListProgressPoints(ctx context.Context, districtID, planID string) ([]iep.ProgressPoint, error) {
	return list(ctx, db, func(r row, p *iep.ProgressPoint) error {
		return r.Scan(&p.DistrictID, &p.ID, &p.StudentID, &p.PlanID, &p.GoalID, &p.Date, &p.Value, &p.Unit,
			&p.Note, &p.RecordedBy)
	}, `SELECT district_id, id, student_id, plan_id, goal_id, day, value, unit, note, recorded_by
		FROM progress_points WHERE district_id = $1 AND plan_id = $2 ORDER BY goal_id, day, id`,
		districtID, planID)
}

// CreateProgressReport stores a progress report. StudentID is filled from the plan when empty.
// Errors: invalid, conflict.
func (tx *Tx) CreateProgressReport(ctx context.Context, r *iep.ProgressReport) error {
	if err := checked(r.Validate(), r.DistrictID); err != nil {
		return err
	}
	if err := tx.planStudent(ctx, r.DistrictID, r.PlanID, &r.StudentID); err != nil {
		return err
	}
	if err := ensureID(&r.ID); err != nil {
		return err
	}
	var j jsonArgs
	entries := j.of(r.Entries)
	if j.err != nil {
		return j.err
	}
	_, err := tx.exec(ctx, `INSERT INTO progress_reports (district_id, id, student_id, plan_id, period,
		period_end, entries, sent_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.DistrictID, r.ID, r.StudentID, r.PlanID, r.Period, r.PeriodEnd, entries, r.SentOn,
		tx.db.d.instant(tx.now))
	return wrap(err, "create progress report %s", r.ID)
}

// ListProgressReports returns a plan's progress reports, by the end of their period.
func (db *DB) ListProgressReports(ctx context.Context, districtID, planID string) ([]iep.ProgressReport, error) {
	return list(ctx, db, func(row row, r *iep.ProgressReport) error {
		return row.Scan(&r.DistrictID, &r.ID, &r.StudentID, &r.PlanID, &r.Period, &r.PeriodEnd,
			jsonCol{&r.Entries}, &r.SentOn)
	}, `SELECT district_id, id, student_id, plan_id, period, period_end, entries, sent_on
		FROM progress_reports WHERE district_id = $1 AND plan_id = $2 ORDER BY period_end, id`,
		districtID, planID)
}
