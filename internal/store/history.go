package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// The history of a draft's sections (migration 0016): every saved revision, so the editor can
// show who changed what and when, with the differences.

// sittingGap is how far apart two saves of a section by the same person may be and still be one
// revision of its history: autosave writes every few seconds while someone types, and a history
// of every pause would bury the changes that matter.
const sittingGap = 10 * time.Minute

// SectionRevision is one recorded revision of a section.
type SectionRevision struct {
	Kind     iep.SectionKind
	Revision int
	Content  []byte
	SavedAt  time.Time
	SavedBy  string // the staff or guardian id; "" for a plan created by the system
}

const insertSectionRevision = `INSERT INTO plan_section_revisions (district_id, plan_id, kind, revision, content, saved_at, saved_by)
	VALUES ($1, $2, $3, $4, $5, $6, $7)`

// recordRevision adds revision rev of a section to its history, or, when the latest recorded
// revision is the one it replaces (base), was saved (not created with the plan) by the same
// person less than sittingGap ago, moves that one forward: one sitting, one revision.
func (tx *Tx) recordRevision(ctx context.Context, districtID, planID string, kind iep.SectionKind, base, rev int, content []byte, by string) error {
	var last SectionRevision
	err := tx.queryRow(ctx, `SELECT revision, saved_at, saved_by FROM plan_section_revisions
		WHERE district_id = $1 AND plan_id = $2 AND kind = $3 ORDER BY revision DESC LIMIT 1`,
		districtID, planID, string(kind)).Scan(&last.Revision, instant{&last.SavedAt}, &last.SavedBy)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return wrap(err, "history of section %s of plan %s", kind, planID)
	}
	now := tx.db.d.instant(tx.now)
	if err == nil && last.Revision == base && base > 1 && last.SavedBy == by && by != "" && tx.now.Sub(last.SavedAt) < sittingGap {
		_, err = tx.exec(ctx, `UPDATE plan_section_revisions SET revision = $5, content = $6, saved_at = $7
			WHERE district_id = $1 AND plan_id = $2 AND kind = $3 AND revision = $4`,
			districtID, planID, string(kind), base, rev, string(content), now)
		return wrap(err, "history of section %s of plan %s", kind, planID)
	}
	_, err = tx.exec(ctx, insertSectionRevision, districtID, planID, string(kind), rev, string(content), now, by)
	return wrap(err, "history of section %s of plan %s", kind, planID)
}

// SectionHistory returns the recorded revisions of one section of a plan, newest first.
func (db *DB) SectionHistory(ctx context.Context, districtID, planID string, kind iep.SectionKind) ([]SectionRevision, error) {
	return list(ctx, db, func(r row, s *SectionRevision) error {
		var content string
		err := r.Scan(&s.Kind, &s.Revision, &content, instant{&s.SavedAt}, &s.SavedBy)
		s.Content = []byte(content)
		return err
	}, `SELECT kind, revision, content, saved_at, saved_by FROM plan_section_revisions
		WHERE district_id = $1 AND plan_id = $2 AND kind = $3 ORDER BY revision DESC`,
		districtID, planID, string(kind))
}
