package store

import (
	"context"
	"fmt"

	"github.com/openiep/openiep/internal/iep"
)

// AppendEvent appends an event to the ledger. RecordedAt is set to the transaction's time; Data
// is kept byte for byte. The ledger is append-only: database triggers refuse to change or delete
// an event. Errors: invalid (Validate's problems, or a student or plan not in the district),
// conflict (the id exists).
func (tx *Tx) AppendEvent(ctx context.Context, e *iep.Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if err := ensureID(&e.ID); err != nil {
		return err
	}
	e.RecordedAt = tx.now
	var data any
	if len(e.Data) > 0 {
		data = string(e.Data)
	}
	_, err := tx.exec(ctx, `INSERT INTO events (district_id, id, student_id, plan_id, kind, occurred_on,
		recorded_at, actor_id, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.DistrictID, e.ID, e.StudentID, opt(e.PlanID), string(e.Kind), e.OccurredOn,
		tx.db.d.instant(e.RecordedAt), e.ActorID, data)
	if err != nil {
		return wrap(err, "append event %s", e.ID)
	}
	if h := tx.db.eventHook; h != nil {
		// The student's clocks follow their ledger in the same transaction.
		if err := h(ctx, tx, e); err != nil {
			return fmt.Errorf("store: after event %s: %w", e.ID, err)
		}
	}
	return nil
}

// OnEvent sets what runs inside the transaction after each event is appended (the
// recomputation of the student's deadlines, internal/app); an error from it refuses the event. Call it once, before the store is
// used by several goroutines.
func (db *DB) OnEvent(hook func(ctx context.Context, tx *Tx, e *iep.Event) error) {
	db.eventHook = hook
}

// ListEvents returns the student's events by the day they occurred, and in the order they were
// appended within a day.
func (db *DB) ListEvents(ctx context.Context, districtID, studentID string) ([]iep.Event, error) {
	return listEvents(ctx, db, districtID, studentID)
}

// ListEvents is DB.ListEvents inside the transaction (it sees the events the transaction
// appended).
func (tx *Tx) ListEvents(ctx context.Context, districtID, studentID string) ([]iep.Event, error) {
	return listEvents(ctx, tx, districtID, studentID)
}

func listEvents(ctx context.Context, q queryer, districtID, studentID string) ([]iep.Event, error) {
	return list(ctx, q, func(r row, e *iep.Event) error {
		var data *string
		err := r.Scan(&e.DistrictID, &e.ID, &e.StudentID, &e.PlanID, &e.Kind, &e.OccurredOn,
			instant{&e.RecordedAt}, &e.ActorID, &data)
		if data != nil {
			e.Data = []byte(*data)
		}
		return err
	}, `SELECT district_id, id, student_id, COALESCE(plan_id, ''), kind, occurred_on, recorded_at, actor_id, data
		FROM events WHERE district_id = $1 AND student_id = $2 ORDER BY occurred_on, seq`, districtID, studentID)
}
