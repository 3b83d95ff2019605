package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// The import of past service logs (app/serviceimport.go): a file names its students by the
// district's local ids or by openiep's ids, thousands at a time, so they are looked up in one
// query each way instead of one per student; and its rows are written many to an INSERT.

// StudentIDsByLocalID returns the ids of the district's students whose local id is among
// localIDs, keyed by local id; a local id that names no student of the district is absent.
func (db *DB) StudentIDsByLocalID(ctx context.Context, districtID string, localIDs []string) (map[string]string, error) {
	return db.studentKeys(ctx, districtID, "local_id", localIDs)
}

// KnownStudentIDs returns those of ids that are ids of the district's students, each keyed by
// itself.
func (db *DB) KnownStudentIDs(ctx context.Context, districtID string, ids []string) (map[string]string, error) {
	return db.studentKeys(ctx, districtID, "id", ids)
}

// studentKeys maps each value of column (local_id or id) among values to the student's id, in
// one query on the district's index of that column.
func (db *DB) studentKeys(ctx context.Context, districtID, column string, values []string) (map[string]string, error) {
	out := make(map[string]string, len(values))
	if len(values) == 0 {
		return out, nil
	}
	arg, err := json.Marshal(values)
	if err != nil {
		return nil, err
	}
	type pair struct{ key, id string }
	rows, err := list(ctx, db, func(r row, p *pair) error { return r.Scan(&p.key, &p.id) },
		`SELECT `+column+`, id FROM students WHERE district_id = $1 AND `+fmt.Sprintf(db.d.idsIn, column, "$2"),
		districtID, string(arg))
	if err != nil {
		return nil, wrap(err, "find students by %s", column)
	}
	for _, p := range rows {
		if p.key != "" {
			out[p.key] = p.id
		}
	}
	return out, nil
}

// insertServiceLog is CreateServiceLog's INSERT, one row.
const insertServiceLog = `INSERT INTO service_logs (district_id, id, student_id, plan_id, service_line_id,
	day, minutes, status, missed_reason, make_up_of, group_session_id, group_size, provider_id,
	actual_provider_id, note, medicaid_billable, medicaid_supervisor_id, medicaid_omit,
	medicaid_omit_reason, logged_at)
	VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`

// CreateServiceLogs is CreateServiceLog for many logs at once, with multi-row INSERTs of
// batchRows rows: the path of an import (measured on 20,000 logs: on PostgreSQL half the time
// of one INSERT a log and a third of the client's CPU; on SQLite about the same). Every log is
// validated before anything is written; the problems of the i-th are prefixed "logs[i].". A
// make-up must come after the log it makes up when both are new. Errors: as CreateServiceLog.
func (tx *Tx) CreateServiceLogs(ctx context.Context, logs []*iep.ServiceLog) error {
	var ps iep.Problems
	for i, l := range logs {
		if err := checked(l.Validate(), l.DistrictID); err != nil {
			ps.Nest(fmt.Sprintf("logs[%d].", i), err)
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}
	const cols = 20
	for start := 0; start < len(logs); start += batchRows {
		chunk := logs[start:min(start+batchRows, len(logs))]
		args := make([]any, 0, len(chunk)*cols)
		for _, l := range chunk {
			if err := ensureID(&l.ID); err != nil {
				return err
			}
			if l.LoggedAt.IsZero() {
				l.LoggedAt = tx.now
			}
			l.LoggedAt = l.LoggedAt.UTC().Truncate(time.Microsecond)
			args = append(args, l.DistrictID, l.ID, l.StudentID, l.PlanID, l.ServiceLineID, l.Date, l.Minutes,
				string(l.Status), string(l.MissedReason), opt(l.MakeUpOf), l.GroupSessionID, l.GroupSize, l.ProviderID,
				opt(l.ActualProviderID), l.Note, l.Medicaid.Billable, opt(l.Medicaid.SupervisorID),
				l.Medicaid.OmitFromBilling, l.Medicaid.OmitReason, tx.db.d.instant(l.LoggedAt))
		}
		if _, err := tx.exec(ctx, multiRow(insertServiceLog, cols, len(chunk)), args...); err != nil {
			return wrap(err, "create service logs %s…", chunk[0].ID)
		}
	}
	return nil
}
