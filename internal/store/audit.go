package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// AuditEntry is one line of the audit trail (34 CFR 300.614, FERPA 99.32): who did what to which
// record, when, from where and why. Entries hold ids only, never names or other student data.
//
// Each district's entries form a hash chain: Seq counts 1, 2, 3… per district, PrevHash is the
// Hash of the entry before (empty for a district's first entry) and Hash is ComputeHash of the
// entry. Entries are append-only: database triggers refuse to change or delete one.
type AuditEntry struct {
	DistrictID  string
	Seq         int64     // set by AppendAudit
	ID          string    // set by AppendAudit when empty (UUIDv7)
	At          time.Time // set by AppendAudit: the transaction's instant, UTC, microseconds
	ActorKind   string    // "staff", "guardian", "student", "demo_viewer", "system"…
	ActorID     string    // the actor's id; empty for an anonymous actor
	Action      string    // "read", "create", "update", "freeze", "sign"…
	RecordKind  string    // "student", "plan", "section", "district"…
	RecordID    string    // the id of the record acted on
	StudentID   string    // the student the record is about; empty when it is about none
	FromAddress string    // the client's network address; may be empty
	Reason      string    // why (a legitimate educational interest, a request…); may be empty
	PrevHash    string    // set by AppendAudit
	Hash        string    // set by AppendAudit
}

// validate checks the fields the caller fills.
func (e *AuditEntry) validate() error {
	var ps iep.Problems
	for _, f := range []struct{ name, v string }{
		{"district_id", e.DistrictID}, {"actor_kind", e.ActorKind}, {"action", e.Action},
		{"record_kind", e.RecordKind}, {"record_id", e.RecordID},
	} {
		if strings.TrimSpace(f.v) == "" {
			ps = append(ps, iep.Problem{Field: f.name, Code: iep.CodeRequired})
		}
	}
	if len(ps) > 0 {
		return ps.Err()
	}
	return nil
}

// AppendAudit appends e to its district's audit chain inside the transaction. It sets e.Seq (the
// district's next number), e.ID (when empty), e.At (the transaction's instant), e.PrevHash and
// e.Hash. The district's head row is locked until the transaction ends, so concurrent appenders
// to one district (on PostgreSQL) queue behind each other and the chain never forks nor skips a
// number; appenders to different districts do not wait for each other. Errors: invalid (a
// required field is empty, or the district does not exist), conflict (the id exists).
func (tx *Tx) AppendAudit(ctx context.Context, e *AuditEntry) error {
	if err := e.validate(); err != nil {
		return err
	}
	if err := ensureID(&e.ID); err != nil {
		return err
	}
	e.At = tx.now
	// One statement creates the head at seq 1 or moves it on by one, locking its row either way;
	// it returns the new seq and, still unchanged, the previous entry's hash.
	err := tx.queryRow(ctx, `INSERT INTO audit_heads (district_id, seq, hash) VALUES ($1, 1, '')
		ON CONFLICT (district_id) DO UPDATE SET seq = audit_heads.seq + 1
		RETURNING seq, hash`, e.DistrictID).Scan(&e.Seq, &e.PrevHash)
	if err != nil {
		return wrap(tx.db.d.mapError(err), "append audit entry: advance the head of district %s", e.DistrictID)
	}
	e.Hash = e.ComputeHash()
	_, err = tx.exec(ctx, `INSERT INTO audit_entries (district_id, seq, id, at, actor_kind, actor_id, action,
		record_kind, record_id, student_id, from_address, reason, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		e.DistrictID, e.Seq, e.ID, tx.db.d.instant(e.At), e.ActorKind, e.ActorID, e.Action,
		e.RecordKind, e.RecordID, opt(e.StudentID), e.FromAddress, e.Reason, e.PrevHash, e.Hash)
	if err != nil {
		return wrap(err, "append audit entry %s", e.ID)
	}
	_, err = tx.exec(ctx, `UPDATE audit_heads SET hash = $2 WHERE district_id = $1`, e.DistrictID, e.Hash)
	return wrap(err, "append audit entry %s: update the head", e.ID)
}

const auditCols = `district_id, seq, id, at, actor_kind, actor_id, action, record_kind, record_id,
	COALESCE(student_id, ''), from_address, reason, prev_hash, hash`

func scanAudit(r row, e *AuditEntry) error {
	return r.Scan(&e.DistrictID, &e.Seq, &e.ID, instant{&e.At}, &e.ActorKind, &e.ActorID, &e.Action,
		&e.RecordKind, &e.RecordID, &e.StudentID, &e.FromAddress, &e.Reason, &e.PrevHash, &e.Hash)
}

// ListAudit returns the district's audit entries newest first: those about one student when
// studentID is not empty (the student's record of access), else all of the district's. limit
// caps how many (the newest); limit <= 0 returns them all.
func (db *DB) ListAudit(ctx context.Context, districtID, studentID string, limit int) ([]AuditEntry, error) {
	lim := int64(limit)
	if limit <= 0 {
		lim = 1<<63 - 1
	}
	var (
		out []AuditEntry
		err error
	)
	if studentID == "" {
		out, err = list(ctx, db, scanAudit, `SELECT `+auditCols+` FROM audit_entries
			WHERE district_id = $1 ORDER BY seq DESC LIMIT $2`, districtID, lim)
	} else {
		out, err = list(ctx, db, scanAudit, `SELECT `+auditCols+` FROM audit_entries
			WHERE district_id = $1 AND student_id = $2 ORDER BY seq DESC LIMIT $3`, districtID, studentID, lim)
	}
	if err != nil {
		return nil, fmt.Errorf("store: list audit entries of district %s: %w", districtID, err)
	}
	return out, nil
}
