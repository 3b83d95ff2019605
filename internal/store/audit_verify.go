package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/openiep/openiep/internal/iep"
)

// VerifyReport is what Verify found. The database is intact when AuditBreak is nil and
// BrokenVersions is empty.
type VerifyReport struct {
	AuditEntries   int64 // audit entries checked
	Districts      int   // districts whose audit chain was checked
	BrokenChains   int   // districts whose chain is broken (AuditBreak is the first of them)
	Versions       int64 // plan versions checked
	AuditBreak     *AuditBreak
	BrokenVersions []BrokenVersion // at most MaxBrokenVersions; VersionsBroken counts them all
	VersionsBroken int64
}

// OK reports whether nothing was found broken.
func (r *VerifyReport) OK() bool { return r.AuditBreak == nil && r.VersionsBroken == 0 }

// MaxBrokenVersions caps VerifyReport.BrokenVersions so that a wholesale corruption does not fill
// memory; VersionsBroken still counts every one.
const MaxBrokenVersions = 1000

// AuditBreak is the first place an audit chain does not hold.
type AuditBreak struct {
	DistrictID string
	Seq        int64  // the entry found wrong (for a head mismatch: the last entry, 0 if none)
	EntryID    string // its id; empty for a head without entries
	Problem    string // BreakHash, BreakPrevHash, BreakSeqGap or BreakHead
	Detail     string // what was expected and found (hashes and numbers only)
}

// The kinds of AuditBreak.
const (
	BreakHash     = "hash mismatch"      // the entry's fields do not hash to its stored hash: it was changed
	BreakPrevHash = "prev_hash mismatch" // it does not link to the entry before it
	BreakSeqGap   = "seq gap"            // entries before it are missing (or it is not the first)
	BreakHead     = "head mismatch"      // the district's head disagrees with its last entry
)

// BrokenVersion is a frozen plan version whose canonical bytes do not hash to its stored SHA-256.
type BrokenVersion struct {
	DistrictID string
	PlanID     string
	Number     int
}

// Verify checks the whole database: every district's audit chain in seq order (each entry's hash,
// its link to the one before, no gap, and the district's head) and every frozen plan version
// (iep.VerifyVersion on its stored canonical bytes). It reads one consistent snapshot and
// streams the rows, so it runs in constant memory at any size. It returns an error only when it
// cannot read; what it finds broken is in the report.
func (db *DB) Verify(ctx context.Context) (*VerifyReport, error) {
	opts := &sql.TxOptions{}
	if db.d.name == "postgres" {
		opts = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	tx, err := db.ro.BeginTx(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("store: verify: begin: %w", err)
	}
	defer tx.Rollback()
	rep := &VerifyReport{}
	if err := verifyAudit(ctx, tx, rep); err != nil {
		return nil, err
	}
	if err := verifyVersions(ctx, tx, rep); err != nil {
		return nil, err
	}
	return rep, nil
}

type auditHead struct {
	seq  int64
	hash string
}

// chainWalk follows one district's chain.
type chainWalk struct {
	district string
	last     *AuditEntry // nil before the district's first entry
	broken   bool
}

func verifyAudit(ctx context.Context, tx *sql.Tx, rep *VerifyReport) error {
	heads := map[string]auditHead{} // one row per district: small
	rows, err := tx.QueryContext(ctx, `SELECT district_id, seq, hash FROM audit_heads`)
	if err != nil {
		return fmt.Errorf("store: verify: read audit heads: %w", err)
	}
	for rows.Next() {
		var d string
		var h auditHead
		if err := rows.Scan(&d, &h.seq, &h.hash); err != nil {
			rows.Close()
			return fmt.Errorf("store: verify: read audit heads: %w", err)
		}
		heads[d] = h
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: verify: read audit heads: %w", err)
	}

	seen := map[string]bool{}
	breakAt := func(w *chainWalk, b AuditBreak) {
		if !w.broken {
			w.broken = true
			rep.BrokenChains++
			if rep.AuditBreak == nil {
				rep.AuditBreak = &b
			}
		}
	}
	// finish checks a district's head against its last entry.
	finish := func(w *chainWalk) {
		seen[w.district] = true
		rep.Districts++
		h, ok := heads[w.district]
		var lastSeq int64
		var lastHash, lastID string
		if w.last != nil {
			lastSeq, lastHash, lastID = w.last.Seq, w.last.Hash, w.last.ID
		}
		switch {
		case !ok:
			breakAt(w, AuditBreak{w.district, lastSeq, lastID, BreakHead, "the district has entries but no head"})
		case h.seq != lastSeq || h.hash != lastHash:
			breakAt(w, AuditBreak{w.district, lastSeq, lastID, BreakHead,
				fmt.Sprintf("head is seq %d hash %s; last entry is seq %d hash %s", h.seq, h.hash, lastSeq, lastHash)})
		}
	}

	rows, err = tx.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_entries ORDER BY district_id, seq`)
	if err != nil {
		return fmt.Errorf("store: verify: read audit entries: %w", err)
	}
	defer rows.Close()
	var w *chainWalk
	var prev, cur AuditEntry
	for rows.Next() {
		if err := scanAudit(rows, &cur); err != nil {
			return fmt.Errorf("store: verify: read audit entries: %w", err)
		}
		rep.AuditEntries++
		if w == nil || w.district != cur.DistrictID {
			if w != nil {
				finish(w)
			}
			w = &chainWalk{district: cur.DistrictID}
		}
		wantSeq, wantPrev := int64(1), ""
		if w.last != nil {
			wantSeq, wantPrev = w.last.Seq+1, w.last.Hash
		}
		switch {
		case cur.Seq != wantSeq:
			breakAt(w, AuditBreak{cur.DistrictID, cur.Seq, cur.ID, BreakSeqGap,
				fmt.Sprintf("expected seq %d, found %d", wantSeq, cur.Seq)})
		case cur.PrevHash != wantPrev:
			breakAt(w, AuditBreak{cur.DistrictID, cur.Seq, cur.ID, BreakPrevHash,
				fmt.Sprintf("prev_hash is %q, the entry before hashes to %q", cur.PrevHash, wantPrev)})
		case cur.ComputeHash() != cur.Hash:
			breakAt(w, AuditBreak{cur.DistrictID, cur.Seq, cur.ID, BreakHash,
				fmt.Sprintf("stored hash %s, fields hash to %s", cur.Hash, cur.ComputeHash())})
		}
		prev, cur = cur, prev
		w.last = &prev
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: verify: read audit entries: %w", err)
	}
	if w != nil {
		finish(w)
	}
	// Heads of districts without a single entry: their entries were all removed.
	for d, h := range heads {
		if !seen[d] {
			rep.Districts++
			w := &chainWalk{district: d}
			breakAt(w, AuditBreak{d, 0, "", BreakHead, fmt.Sprintf("head is seq %d but the district has no entries", h.seq)})
		}
	}
	return nil
}

func verifyVersions(ctx context.Context, tx *sql.Tx, rep *VerifyReport) error {
	rows, err := tx.QueryContext(ctx, `SELECT district_id, plan_id, number, canonical, sha256
		FROM plan_versions ORDER BY district_id, plan_id, number`)
	if err != nil {
		return fmt.Errorf("store: verify: read plan versions: %w", err)
	}
	defer rows.Close()
	var v iep.Version
	for rows.Next() {
		if err := rows.Scan(&v.DistrictID, &v.PlanID, &v.Number, &v.Canonical, &v.SHA256); err != nil {
			return fmt.Errorf("store: verify: read plan versions: %w", err)
		}
		rep.Versions++
		if !iep.VerifyVersion(&v) {
			rep.VersionsBroken++
			if len(rep.BrokenVersions) < MaxBrokenVersions {
				rep.BrokenVersions = append(rep.BrokenVersions, BrokenVersion{v.DistrictID, v.PlanID, v.Number})
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: verify: read plan versions: %w", err)
	}
	return nil
}
