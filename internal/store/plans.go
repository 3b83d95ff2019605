package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/openiep/openiep/internal/iep"
)

const insertSection = `INSERT INTO plan_sections (district_id, plan_id, kind, revision, content, updated_at, updated_by)
	VALUES ($1, $2, $3, $4, $5, $6, $7)`

// CreatePlan stores a new plan: its header, and every section of iep.Sections at revision 1 with
// p.Content's JSON. It sets ID when empty, CreatedAt, UpdatedAt, CurrentVersion (0) and
// SectionRevisions, and makes the plan the student's current one if it is (see CurrentPlan).
// by is who wrote it (staff id). Errors: invalid (Validate's problems, or a student, school,
// case manager or previous plan not in the district), conflict (the id exists).
func (tx *Tx) CreatePlan(ctx context.Context, p *iep.Plan, by string) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := ensureID(&p.ID); err != nil {
		return err
	}
	p.CreatedAt, p.UpdatedAt, p.CurrentVersion = tx.now, tx.now, 0
	now := tx.db.d.instant(tx.now)
	_, err := tx.exec(ctx, `INSERT INTO plans (district_id, id, student_id, kind, status, previous_plan_id,
		case_manager_id, school_id, start_date, end_date, meeting_date, next_review_date, next_reeval_date,
		current_version, created_at, updated_at, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, $14, $14, $15)`,
		p.DistrictID, p.ID, p.StudentID, string(p.Kind), string(p.Status), opt(p.PreviousPlanID),
		opt(p.CaseManagerID), opt(p.SchoolID), p.StartDate, p.EndDate, p.MeetingDate, p.NextReviewDate,
		p.NextReevalDate, now, by)
	if err != nil {
		return wrap(err, "create plan %s", p.ID)
	}
	args := make([]any, 0, 7*len(iep.Sections))
	revs := make(map[iep.SectionKind]int, len(iep.Sections))
	for _, k := range iep.Sections {
		content, err := iep.EncodeSection(&p.Content, k)
		if err != nil {
			return wrap(err, "create plan %s", p.ID)
		}
		args = append(args, p.DistrictID, p.ID, string(k), 1, string(content), now, by)
		revs[k] = 1
	}
	if _, err := tx.exec(ctx, multiRow(insertSection, 7, len(iep.Sections)), args...); err != nil {
		return wrap(err, "create plan %s: sections", p.ID)
	}
	if _, err := tx.exec(ctx, multiRow(insertSectionRevision, 7, len(iep.Sections)), args...); err != nil {
		return wrap(err, "create plan %s: section history", p.ID)
	}
	p.SectionRevisions = revs
	return tx.refreshCurrentPlan(ctx, p.DistrictID, p.StudentID)
}

// currentPlanOrder ranks a student's plans: the plan in effect with the latest start date, else
// the most recently created plan.
const currentPlanOrder = `CASE WHEN p.status IN ('accepted', 'accepted_in_part') THEN 0 ELSE 1 END,
	CASE WHEN p.status IN ('accepted', 'accepted_in_part') THEN COALESCE(p.start_date, '') ELSE '' END DESC,
	p.created_at DESC, p.id DESC`

// refreshCurrentPlan copies the student's current plan onto the student's row, for the roster.
func (tx *Tx) refreshCurrentPlan(ctx context.Context, districtID, studentID string) error {
	if tx.db.d.forUpdate != "" {
		// Wait for any other transaction writing this student's plans first: the UPDATE below is
		// then a statement with a newer snapshot, which sees them. (Its subquery would otherwise
		// be read from a snapshot taken before the wait.)
		var id string
		err := tx.queryRow(ctx, `SELECT id FROM students WHERE district_id = $1 AND id = $2`+tx.db.d.forUpdate,
			districtID, studentID).Scan(&id)
		if err := one(err, "student", studentID); err != nil {
			return err
		}
	}
	_, err := tx.exec(ctx, `UPDATE students SET (current_plan_id, plan_status, next_review_date) =
		(SELECT p.id, p.status, p.next_review_date FROM plans p
			WHERE p.district_id = $1 AND p.student_id = $2 ORDER BY `+currentPlanOrder+` LIMIT 1)
		WHERE district_id = $1 AND id = $2`, districtID, studentID)
	return wrap(err, "student %s: current plan", studentID)
}

// lockPlan reads a plan's status and student, locking the plan's row until the transaction
// ends (PostgreSQL; SQLite's one writer already excludes every other). Errors: not found.
func (tx *Tx) lockPlan(ctx context.Context, districtID, planID string) (status iep.PlanStatus, studentID string, err error) {
	err = tx.queryRow(ctx, `SELECT status, student_id FROM plans WHERE district_id = $1 AND id = $2`+tx.db.d.forUpdate,
		districtID, planID).Scan(&status, &studentID)
	return status, studentID, one(err, "plan", planID)
}

// UpdatePlanHeader stores the header of plan p.ID: its status, case manager and dates (the
// student, kind, school and sections are not changed here). A change of status must be a legal
// move (iep.CheckTransition). It sets UpdatedAt. Errors: invalid, not found, conflict (an
// illegal move).
func (tx *Tx) UpdatePlanHeader(ctx context.Context, p *iep.Plan) error {
	if err := p.ValidateHeader(); err != nil {
		return err
	}
	stored, studentID, err := tx.lockPlan(ctx, p.DistrictID, p.ID)
	if err != nil {
		return err
	}
	if stored != p.Status {
		if err := iep.CheckTransition(stored, p.Status); err != nil {
			return err
		}
	}
	p.UpdatedAt = tx.now
	_, err = tx.exec(ctx, `UPDATE plans SET status = $3, case_manager_id = $4, start_date = $5, end_date = $6,
		meeting_date = $7, next_review_date = $8, next_reeval_date = $9, updated_at = $10
		WHERE district_id = $1 AND id = $2`,
		p.DistrictID, p.ID, string(p.Status), opt(p.CaseManagerID), p.StartDate, p.EndDate, p.MeetingDate,
		p.NextReviewDate, p.NextReevalDate, tx.db.d.instant(tx.now))
	if err != nil {
		return wrap(err, "update plan %s", p.ID)
	}
	return tx.refreshCurrentPlan(ctx, p.DistrictID, studentID)
}

// SaveSection stores a new revision of one section of a draft plan. content is the section's
// JSON; it is decoded and validated first, and stored as re-encoded from the section's type.
// baseRevision is the revision the caller started from: when the stored one has moved on,
// nothing is written and the error is an *iep.ConflictError carrying both texts. The check is
// the conditional UPDATE itself, so of two writers racing from the same revision exactly one
// wins. by is who saved it (staff or guardian id). Errors: invalid, not found, conflict (the
// plan is not a draft, or *iep.ConflictError).
func (tx *Tx) SaveSection(ctx context.Context, districtID, planID string, kind iep.SectionKind, content []byte, baseRevision int, by string) (newRevision int, err error) {
	var c iep.Content
	if err := iep.DecodeDraftSection(&c, kind, content); err != nil {
		return 0, err
	}
	normal, err := iep.EncodeSection(&c, kind)
	if err != nil {
		return 0, wrap(err, "save section %s of plan %s", kind, planID)
	}
	status, _, err := tx.lockPlan(ctx, districtID, planID)
	if err != nil {
		return 0, err
	}
	if status != iep.StatusDraft {
		return 0, iep.Errorf(iep.KindConflict, "plan is %s", status)
	}
	ok, err := tx.execOne(ctx, `UPDATE plan_sections SET revision = revision + 1, content = $5,
		updated_at = $6, updated_by = $7
		WHERE district_id = $1 AND plan_id = $2 AND kind = $3 AND revision = $4`,
		districtID, planID, string(kind), baseRevision, string(normal), tx.db.d.instant(tx.now), by)
	if err != nil {
		return 0, wrap(err, "save section %s of plan %s", kind, planID)
	}
	if !ok {
		return 0, tx.sectionConflict(ctx, districtID, planID, kind, baseRevision, content)
	}
	if err := tx.recordRevision(ctx, districtID, planID, kind, baseRevision, baseRevision+1, normal, by); err != nil {
		return 0, err
	}
	_, err = tx.exec(ctx, `UPDATE plans SET updated_at = $3 WHERE district_id = $1 AND id = $2`,
		districtID, planID, tx.db.d.instant(tx.now))
	if err != nil {
		return 0, wrap(err, "save section %s of plan %s", kind, planID)
	}
	return baseRevision + 1, nil
}

// sectionConflict explains why a section's conditional UPDATE matched no row.
func (tx *Tx) sectionConflict(ctx context.Context, districtID, planID string, kind iep.SectionKind, base int, yours []byte) error {
	ce := &iep.ConflictError{Section: kind, YourRevision: base, Yours: yours}
	var current string
	err := tx.queryRow(ctx, `SELECT revision, content, updated_by FROM plan_sections
		WHERE district_id = $1 AND plan_id = $2 AND kind = $3`, districtID, planID, string(kind)).
		Scan(&ce.CurrentRevision, &current, &ce.CurrentBy)
	if err := one(err, "section "+string(kind)+" of plan", planID); err != nil {
		return err
	}
	ce.Current = []byte(current)
	return ce
}

const planCols = `p.district_id, p.id, p.student_id, p.kind, p.status, COALESCE(p.previous_plan_id, ''),
	COALESCE(p.case_manager_id, ''), COALESCE(p.school_id, ''), p.start_date, p.end_date, p.meeting_date,
	p.next_review_date, p.next_reeval_date, p.current_version, p.created_at, p.updated_at, p.shared_at`

func scanPlan(r row, p *iep.Plan) error {
	return r.Scan(&p.DistrictID, &p.ID, &p.StudentID, &p.Kind, &p.Status, &p.PreviousPlanID,
		&p.CaseManagerID, &p.SchoolID, &p.StartDate, &p.EndDate, &p.MeetingDate, &p.NextReviewDate,
		&p.NextReevalDate, &p.CurrentVersion, instant{&p.CreatedAt}, instant{&p.UpdatedAt}, instant{&p.SharedAt})
}

// GetPlan returns a plan of the district: its header, every section decoded into Content, and
// the revision of each section. Errors: not found.
func (db *DB) GetPlan(ctx context.Context, districtID, planID string) (*iep.Plan, error) {
	return getPlan(ctx, db, districtID, planID)
}

// GetPlan is DB.GetPlan inside the transaction (it sees the transaction's writes).
func (tx *Tx) GetPlan(ctx context.Context, districtID, planID string) (*iep.Plan, error) {
	return getPlan(ctx, tx, districtID, planID)
}

func getPlan(ctx context.Context, q queryer, districtID, planID string) (*iep.Plan, error) {
	var p iep.Plan
	err := scanPlan(q.queryRow(ctx, `SELECT `+planCols+` FROM plans p WHERE p.district_id = $1 AND p.id = $2`,
		districtID, planID), &p)
	if err := one(err, "plan", planID); err != nil {
		return nil, err
	}
	type section struct {
		kind     iep.SectionKind
		revision int
		content  string
	}
	secs, err := list(ctx, q, func(r row, s *section) error {
		return r.Scan(&s.kind, &s.revision, &s.content)
	}, `SELECT kind, revision, content FROM plan_sections WHERE district_id = $1 AND plan_id = $2`,
		districtID, planID)
	if err != nil {
		return nil, err
	}
	p.SectionRevisions = make(map[iep.SectionKind]int, len(secs))
	for _, s := range secs {
		dst := p.Content.Section(s.kind)
		if dst == nil {
			continue // a section this version of openiep does not know
		}
		if err := json.Unmarshal([]byte(s.content), dst); err != nil {
			return nil, fmt.Errorf("store: plan %s: section %s: %w", planID, s.kind, err)
		}
		p.SectionRevisions[s.kind] = s.revision
	}
	return &p, nil
}

// GetSection returns the stored JSON of one section of a plan and its revision. Errors: not
// found.
func (db *DB) GetSection(ctx context.Context, districtID, planID string, kind iep.SectionKind) (content []byte, revision int, err error) {
	var s string
	err = db.queryRow(ctx, `SELECT content, revision FROM plan_sections
		WHERE district_id = $1 AND plan_id = $2 AND kind = $3`, districtID, planID, string(kind)).Scan(&s, &revision)
	if err := one(err, "section "+string(kind)+" of plan", planID); err != nil {
		return nil, 0, err
	}
	return []byte(s), revision, nil
}

// CurrentPlan returns the student's current plan, whole: the plan in effect (accepted or
// accepted in part) with the latest start date, else the most recently created plan. Errors:
// not found (the student has no plan, or is not in the district).
func (db *DB) CurrentPlan(ctx context.Context, districtID, studentID string) (*iep.Plan, error) {
	var id string
	err := db.queryRow(ctx, `SELECT p.id FROM plans p WHERE p.district_id = $1 AND p.student_id = $2
		ORDER BY `+currentPlanOrder+` LIMIT 1`, districtID, studentID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, iep.Errorf(iep.KindNotFound, "student %s has no plan", studentID)
	}
	if err != nil {
		return nil, wrap(err, "current plan of student %s", studentID)
	}
	return db.GetPlan(ctx, districtID, id)
}

// ListPlans returns the headers (no content) of the student's plans, newest first.
func (db *DB) ListPlans(ctx context.Context, districtID, studentID string) ([]iep.Plan, error) {
	return list(ctx, db, scanPlan, `SELECT `+planCols+` FROM plans p
		WHERE p.district_id = $1 AND p.student_id = $2 ORDER BY p.created_at DESC, p.id DESC`,
		districtID, studentID)
}
