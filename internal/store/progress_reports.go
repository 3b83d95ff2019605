package store

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// Progress reports being written (migration 0026). A draft is a report not yet given to the
// family: it may be unfinished (a goal not rated yet), it carries a revision so that a save made
// from an old one is refused instead of overwriting someone else's words, and a plan has at most
// one draft per period. Sending moves the draft, under the same id, into progress_reports (what
// the family sees); from then on the report is never changed (the database refuses it too), and
// a correction is a new draft of the same period.

// ProgressDraft is a progress report being written. Its SentOn is always zero.
type ProgressDraft struct {
	iep.ProgressReport
	Revision  int       `json:"revision"`
	UpdatedBy string    `json:"updated_by,omitempty"` // the staff member who saved it last
	UpdatedAt time.Time `json:"updated_at"`
}

// progressRatings are the ratings a report's entry may carry.
var progressRatings = []iep.ProgressRating{iep.RatingSufficient, iep.RatingInsufficient, iep.RatingMet, iep.RatingNotIntroduced}

// Validate reports what is wrong with a draft: its plan and the end of its period are required;
// each entry names a goal once, and its rating, when given, is one of the ratings. The period's
// name and the ratings may still be missing (iep.ProgressReport.Validate asks for them when the
// report is sent).
func (d *ProgressDraft) Validate() error {
	var ps iep.Problems
	if d.PlanID == "" {
		ps = append(ps, iep.Problem{Field: "plan_id", Code: iep.CodeRequired})
	}
	if d.PeriodEnd.IsZero() {
		ps = append(ps, iep.Problem{Field: "period_end", Code: iep.CodeRequired})
	}
	if !d.SentOn.IsZero() {
		ps = append(ps, iep.Problem{Field: "sent_on", Code: iep.CodeInvalid, Detail: "a draft is not sent"})
	}
	seen := map[string]bool{}
	for i, e := range d.Entries {
		f := fmt.Sprintf("entries[%d].", i)
		switch {
		case e.GoalID == "":
			ps = append(ps, iep.Problem{Field: f + "goal_id", Code: iep.CodeRequired})
		case seen[e.GoalID]:
			ps = append(ps, iep.Problem{Field: f + "goal_id", Code: iep.CodeDuplicate, Detail: e.GoalID})
		}
		seen[e.GoalID] = true
		if e.Rating != "" && !slices.Contains(progressRatings, e.Rating) {
			ps = append(ps, iep.Problem{Field: f + "rating", Code: iep.CodeChoice, Detail: "sufficient, insufficient, met, not_introduced"})
		}
	}
	return ps.Err()
}

// entries are the draft's entries, never null in the database.
func (d *ProgressDraft) entries() []iep.ProgressEntry {
	if d.Entries == nil {
		return []iep.ProgressEntry{}
	}
	return d.Entries
}

// CreateProgressDraft stores a new draft at revision 1, by staff member by. StudentID is filled
// from the plan when empty. Errors: invalid (Validate; no such plan in the district), conflict
// (the plan already has a draft for that period, or the id is taken).
func (tx *Tx) CreateProgressDraft(ctx context.Context, d *ProgressDraft, by string) error {
	if err := checked(d.Validate(), d.DistrictID); err != nil {
		return err
	}
	if err := tx.planStudent(ctx, d.DistrictID, d.PlanID, &d.StudentID); err != nil {
		return err
	}
	if err := ensureID(&d.ID); err != nil {
		return err
	}
	var j jsonArgs
	entries := j.of(d.entries())
	if j.err != nil {
		return j.err
	}
	_, err := tx.exec(ctx, `INSERT INTO progress_report_drafts (district_id, id, student_id, plan_id, period, period_end,
		entries, revision, updated_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $9)`,
		d.DistrictID, d.ID, d.StudentID, d.PlanID, d.Period, d.PeriodEnd, entries, by, tx.db.d.instant(tx.now))
	if err != nil {
		return wrap(err, "create progress report draft %s", d.ID)
	}
	d.Revision, d.UpdatedBy, d.UpdatedAt = 1, by, tx.now
	return nil
}

// SaveProgressDraft stores d over the draft d.ID if it is still at revision base (what the
// writer started from) and moves it to the next revision (d.Revision). Its plan and student do
// not change. Errors: invalid (Validate), not found (no such draft of the plan; a report already
// sent under that id is a conflict), conflict (saved by someone else since base; another draft of
// the plan already ends on that day; already sent).
func (tx *Tx) SaveProgressDraft(ctx context.Context, d *ProgressDraft, base int, by string) error {
	if err := checked(d.Validate(), d.DistrictID); err != nil {
		return err
	}
	var j jsonArgs
	entries := j.of(d.entries())
	if j.err != nil {
		return j.err
	}
	done, err := tx.execOne(ctx, `UPDATE progress_report_drafts SET period = $5, period_end = $6, entries = $7,
		revision = revision + 1, updated_by = $8, updated_at = $9
		WHERE district_id = $1 AND id = $2 AND plan_id = $3 AND revision = $4`,
		d.DistrictID, d.ID, d.PlanID, base, d.Period, d.PeriodEnd, entries, by, tx.db.d.instant(tx.now))
	if err != nil {
		return wrap(err, "save progress report draft %s", d.ID)
	}
	if !done {
		return tx.draftMiss(ctx, d.DistrictID, d.PlanID, d.ID, base)
	}
	d.Revision, d.UpdatedBy, d.UpdatedAt = base+1, by, tx.now
	return nil
}

// SendProgressDraft gives the family the draft id of plan planID, if it is still at revision
// base: the report is stored in progress_reports under the draft's id with SentOn sentOn, and
// the draft is gone. Errors: invalid (the report is not whole: iep.ProgressReport.Validate), not
// found (no such draft), conflict (saved by someone else since base; already sent).
func (tx *Tx) SendProgressDraft(ctx context.Context, districtID, planID, id string, base int, sentOn date.Date) (*iep.ProgressReport, error) {
	d, err := tx.getProgressDraft(ctx, districtID, planID, id)
	if err != nil {
		if iep.KindOf(err) == iep.KindNotFound {
			return nil, tx.draftMiss(ctx, districtID, planID, id, base)
		}
		return nil, err
	}
	if d.Revision != base {
		return nil, tx.draftMiss(ctx, districtID, planID, id, base)
	}
	r := d.ProgressReport
	r.SentOn = sentOn
	if sentOn.IsZero() {
		return nil, iep.Problems{{Field: "sent_on", Code: iep.CodeRequired}}.Err()
	}
	if err := tx.CreateProgressReport(ctx, &r); err != nil {
		return nil, err
	}
	done, err := tx.execOne(ctx, `DELETE FROM progress_report_drafts WHERE district_id = $1 AND id = $2 AND revision = $3`,
		districtID, id, base)
	if err != nil {
		return nil, wrap(err, "send progress report draft %s", id)
	}
	if !done { // the row was locked and read at base: only a concurrent writer can get here
		return nil, tx.draftMiss(ctx, districtID, planID, id, base)
	}
	return &r, nil
}

// getProgressDraft reads one draft of a plan and locks it until the transaction ends. Errors: not
// found.
func (tx *Tx) getProgressDraft(ctx context.Context, districtID, planID, id string) (*ProgressDraft, error) {
	var d ProgressDraft
	err := tx.queryRow(ctx, `SELECT `+draftCols+` FROM progress_report_drafts
		WHERE district_id = $1 AND id = $2 AND plan_id = $3`+tx.db.d.forUpdate, districtID, id, planID).Scan(draftDest(&d)...)
	if err := one(err, "progress report draft", id); err != nil {
		return nil, err
	}
	return &d, nil
}

// draftMiss says why a conditional change of a draft changed nothing: conflict when it was sent
// (a report of the plan has its id) or is at another revision than base, else not found.
func (tx *Tx) draftMiss(ctx context.Context, districtID, planID, id string, base int) error {
	var rev int
	err := tx.queryRow(ctx, `SELECT revision FROM progress_report_drafts WHERE district_id = $1 AND id = $2 AND plan_id = $3`,
		districtID, id, planID).Scan(&rev)
	if err == nil {
		return iep.Errorf(iep.KindConflict, "progress report draft %s was saved by someone else (your revision %d, current %d)", id, base, rev)
	}
	if err := one(err, "progress report draft", id); iep.KindOf(err) != iep.KindNotFound {
		return err
	}
	var sent date.Date
	err = tx.queryRow(ctx, `SELECT sent_on FROM progress_reports WHERE district_id = $1 AND id = $2 AND plan_id = $3`,
		districtID, id, planID).Scan(&sent)
	if err := one(err, "progress report draft", id); err != nil {
		return err
	}
	return iep.Errorf(iep.KindConflict, "progress report %s was sent on %s: a sent report is never changed", id, sent)
}

// ListProgressDrafts returns the drafts of a plan, by the end of their period.
func (db *DB) ListProgressDrafts(ctx context.Context, districtID, planID string) ([]ProgressDraft, error) {
	return list(ctx, db, func(r row, d *ProgressDraft) error { return r.Scan(draftDest(d)...) },
		`SELECT `+draftCols+` FROM progress_report_drafts WHERE district_id = $1 AND plan_id = $2 ORDER BY period_end, id`,
		districtID, planID)
}

const draftCols = `district_id, id, student_id, plan_id, period, period_end, entries, revision, updated_by, updated_at`

func draftDest(d *ProgressDraft) []any {
	return []any{&d.DistrictID, &d.ID, &d.StudentID, &d.PlanID, &d.Period, &d.PeriodEnd, jsonCol{&d.Entries}, &d.Revision,
		&d.UpdatedBy, instant{&d.UpdatedAt}}
}
