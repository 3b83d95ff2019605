package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// The records of the process added with the API (migration 0014): uploaded documents, comment
// threads and suggested changes on drafts, when a draft was shared, the staff working on an
// evaluation, and single records looked up by id.

// recordTables maps the kinds of record StudentOf knows to the query that finds their student.
var recordTables = map[string]string{
	"plan":       `SELECT student_id FROM plans WHERE district_id = $1 AND id = $2`,
	"evaluation": `SELECT student_id FROM evaluations WHERE district_id = $1 AND id = $2`,
	"meeting":    `SELECT student_id FROM meetings WHERE district_id = $1 AND id = $2`,
	"consent":    `SELECT student_id FROM consents WHERE district_id = $1 AND id = $2`,
	"document":   `SELECT student_id FROM documents WHERE district_id = $1 AND id = $2`,
	"suggestion": `SELECT p.student_id FROM plan_suggestions s JOIN plans p ON p.district_id = s.district_id
		AND p.id = s.plan_id WHERE s.district_id = $1 AND s.id = $2`,
}

// StudentOf returns the student a record of the district belongs to (kind: plan, evaluation,
// meeting, consent, document, suggestion), so that the access policy can be asked about that
// student before the record is read. Errors: not found.
func (db *DB) StudentOf(ctx context.Context, districtID, kind, id string) (string, error) {
	q, ok := recordTables[kind]
	if !ok {
		return "", iep.Errorf(iep.KindInternal, "store: no record kind %q", kind)
	}
	var studentID string
	err := db.queryRow(ctx, q, districtID, id).Scan(&studentID)
	return studentID, one(err, kind, id)
}

// CreateDocument stores an upload: d's metadata (ID set when empty; Size, SHA256 and CreatedAt
// set here) and its bytes, which must have passed iep.CheckDocument. Errors: invalid (a student
// not in the district), conflict.
func (tx *Tx) CreateDocument(ctx context.Context, d *iep.Document, data []byte) error {
	var ps iep.Problems
	if d.StudentID == "" {
		ps = append(ps, iep.Problem{Field: "student_id", Code: iep.CodeRequired})
	}
	if err := checked(ps.Err(), d.DistrictID); err != nil {
		return err
	}
	if err := ensureID(&d.ID); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	d.Size, d.SHA256, d.CreatedAt = int64(len(data)), hex.EncodeToString(sum[:]), tx.now
	_, err := tx.exec(ctx, `INSERT INTO documents (district_id, id, student_id, name, media_type, size, sha256,
		data, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		d.DistrictID, d.ID, d.StudentID, d.Name, d.MediaType, d.Size, d.SHA256, data, d.UploadedBy,
		tx.db.d.instant(tx.now))
	return wrap(err, "create document %s", d.ID)
}

const documentCols = `district_id, id, student_id, name, media_type, size, sha256, uploaded_by, created_at`

func scanDocument(r row, d *iep.Document) error {
	return r.Scan(&d.DistrictID, &d.ID, &d.StudentID, &d.Name, &d.MediaType, &d.Size, &d.SHA256,
		&d.UploadedBy, instant{&d.CreatedAt})
}

// GetDocument returns a document's metadata and bytes. Errors: not found.
func (db *DB) GetDocument(ctx context.Context, districtID, id string) (*iep.Document, []byte, error) {
	var d iep.Document
	var data []byte
	err := db.queryRow(ctx, `SELECT `+documentCols+`, data FROM documents WHERE district_id = $1 AND id = $2`,
		districtID, id).Scan(&d.DistrictID, &d.ID, &d.StudentID, &d.Name, &d.MediaType, &d.Size, &d.SHA256,
		&d.UploadedBy, instant{&d.CreatedAt}, &data)
	if err := one(err, "document", id); err != nil {
		return nil, nil, err
	}
	return &d, data, nil
}

// DocumentExists reports whether document id belongs to the student (for a record that cites
// it). Errors only for a failing database.
func (tx *Tx) DocumentExists(ctx context.Context, districtID, studentID, id string) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM documents WHERE district_id = $1 AND student_id = $2 AND id = $3`,
		districtID, studentID, id).Scan(&n)
	return n > 0, wrap(err, "document %s", id)
}

// ListDocuments returns the metadata of the student's documents, oldest first.
func (db *DB) ListDocuments(ctx context.Context, districtID, studentID string) ([]iep.Document, error) {
	return list(ctx, db, scanDocument, `SELECT `+documentCols+` FROM documents
		WHERE district_id = $1 AND student_id = $2 ORDER BY created_at, id`, districtID, studentID)
}

// CreateComment stores a comment on a section of a plan (ID set when empty, CreatedAt set). A
// reply must name a comment of the same plan. Errors: invalid, not found (the plan).
func (tx *Tx) CreateComment(ctx context.Context, c *iep.Comment) error {
	if err := checked(c.Validate(), c.DistrictID); err != nil {
		return err
	}
	if c.ReplyTo != "" {
		var n int
		err := tx.queryRow(ctx, `SELECT COUNT(*) FROM plan_comments WHERE district_id = $1 AND plan_id = $2 AND id = $3`,
			c.DistrictID, c.PlanID, c.ReplyTo).Scan(&n)
		if err != nil {
			return wrap(err, "comment on plan %s", c.PlanID)
		}
		if n == 0 {
			return iep.Problems{{Field: "reply_to", Code: iep.CodeInvalid, Detail: "no such comment on this plan"}}.Err()
		}
	}
	if err := ensureID(&c.ID); err != nil {
		return err
	}
	c.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO plan_comments (district_id, id, plan_id, section, reply_to, author_kind,
		author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		c.DistrictID, c.ID, c.PlanID, string(c.Section), opt(c.ReplyTo), string(c.AuthorKind), c.AuthorID,
		c.Body, tx.db.d.instant(tx.now))
	return wrap(err, "create comment %s", c.ID)
}

// ListComments returns the comments on a plan, oldest first.
func (db *DB) ListComments(ctx context.Context, districtID, planID string) ([]iep.Comment, error) {
	return list(ctx, db, func(r row, c *iep.Comment) error {
		return r.Scan(&c.DistrictID, &c.ID, &c.PlanID, &c.Section, &c.ReplyTo, &c.AuthorKind, &c.AuthorID,
			&c.Body, instant{&c.CreatedAt})
	}, `SELECT district_id, id, plan_id, section, COALESCE(reply_to, ''), author_kind, author_id, body, created_at
		FROM plan_comments WHERE district_id = $1 AND plan_id = $2 ORDER BY created_at, id`, districtID, planID)
}

// CreateSuggestion stores a suggested change (ID set when empty, CreatedAt set). Errors:
// invalid, not found (the plan).
func (tx *Tx) CreateSuggestion(ctx context.Context, s *iep.Suggestion) error {
	if err := checked(s.Validate(), s.DistrictID); err != nil {
		return err
	}
	if err := ensureID(&s.ID); err != nil {
		return err
	}
	s.CreatedAt = tx.now
	_, err := tx.exec(ctx, `INSERT INTO plan_suggestions (district_id, id, plan_id, section, base_revision,
		content, note, author_kind, author_id, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		s.DistrictID, s.ID, s.PlanID, string(s.Section), s.BaseRevision, string(s.Content), s.Note,
		string(s.AuthorKind), s.AuthorID, string(s.Status), tx.db.d.instant(tx.now))
	return wrap(err, "create suggestion %s", s.ID)
}

// DecideSuggestion records the team's decision on an open suggestion: its status, answer, who
// decided and, when accepted, the section revision it became. Of two deciding at once, the
// second finds it decided. Errors: invalid, not found, conflict (already decided).
func (tx *Tx) DecideSuggestion(ctx context.Context, s *iep.Suggestion) error {
	if err := checked(s.Validate(), s.DistrictID); err != nil {
		return err
	}
	s.DecidedAt = tx.now
	ok, err := tx.execOne(ctx, `UPDATE plan_suggestions SET status = $3, answer = $4, decided_by = $5,
		decided_at = $6, applied_revision = $7 WHERE district_id = $1 AND id = $2 AND status = 'open'`,
		s.DistrictID, s.ID, string(s.Status), s.Answer, s.DecidedBy, tx.db.d.instant(tx.now), s.AppliedRevision)
	if err != nil {
		return wrap(err, "decide suggestion %s", s.ID)
	}
	if !ok {
		return iep.Errorf(iep.KindConflict, "the suggestion was already decided")
	}
	return nil
}

const suggestionCols = `district_id, id, plan_id, section, base_revision, content, note, author_kind, author_id,
	status, answer, decided_by, decided_at, applied_revision, created_at`

func scanSuggestion(r row, s *iep.Suggestion) error {
	var content string
	err := r.Scan(&s.DistrictID, &s.ID, &s.PlanID, &s.Section, &s.BaseRevision, &content, &s.Note,
		&s.AuthorKind, &s.AuthorID, &s.Status, &s.Answer, &s.DecidedBy, instant{&s.DecidedAt},
		&s.AppliedRevision, instant{&s.CreatedAt})
	s.Content = []byte(content)
	return err
}

// GetSuggestion returns one suggestion. Errors: not found.
func (db *DB) GetSuggestion(ctx context.Context, districtID, id string) (*iep.Suggestion, error) {
	var s iep.Suggestion
	err := scanSuggestion(db.queryRow(ctx, `SELECT `+suggestionCols+` FROM plan_suggestions
		WHERE district_id = $1 AND id = $2`, districtID, id), &s)
	if err := one(err, "suggestion", id); err != nil {
		return nil, err
	}
	return &s, nil
}

// ListSuggestions returns the suggestions on a plan, oldest first.
func (db *DB) ListSuggestions(ctx context.Context, districtID, planID string) ([]iep.Suggestion, error) {
	return list(ctx, db, scanSuggestion, `SELECT `+suggestionCols+` FROM plan_suggestions
		WHERE district_id = $1 AND plan_id = $2 ORDER BY created_at, id`, districtID, planID)
}

// MarkShared records that the draft plan was shared with the family now. Errors: not found.
func (tx *Tx) MarkShared(ctx context.Context, districtID, planID string) (time.Time, error) {
	ok, err := tx.execOne(ctx, `UPDATE plans SET shared_at = $3 WHERE district_id = $1 AND id = $2`,
		districtID, planID, tx.db.d.instant(tx.now))
	if err != nil {
		return time.Time{}, wrap(err, "share plan %s", planID)
	}
	if !ok {
		return time.Time{}, notFound("plan", planID)
	}
	return tx.now, nil
}

// Parts a staff member plays in an evaluation (evaluation_staff.part).
const (
	EvaluationCaseManager = "case_manager"
	EvaluationEvaluator   = "evaluator"
	evaluatorPart         = iep.TeamRole(EvaluationEvaluator)
)

// AddEvaluationStaff records that a staff member works on an evaluation (part: case manager or
// evaluator), which lets them open the student's record while the evaluation is active. Adding
// the same person twice is not an error. Errors: invalid (a staff member not in the district).
func (tx *Tx) AddEvaluationStaff(ctx context.Context, districtID, evaluationID, studentID, staffID, part string) error {
	_, err := tx.exec(ctx, `INSERT INTO evaluation_staff (district_id, evaluation_id, student_id, staff_id, part, active)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (district_id, evaluation_id, staff_id, part) DO UPDATE SET active = $6`,
		districtID, evaluationID, studentID, staffID, part, true)
	return wrap(err, "evaluation %s: add staff %s", evaluationID, staffID)
}

// CloseEvaluationStaff ends the access an evaluation gave its staff (the evaluation found the
// student not eligible, the parent refused, or the plan it led to was proposed).
func (tx *Tx) CloseEvaluationStaff(ctx context.Context, districtID, studentID string) error {
	_, err := tx.exec(ctx, `UPDATE evaluation_staff SET active = $3 WHERE district_id = $1 AND student_id = $2`,
		districtID, studentID, false)
	return wrap(err, "student %s: close evaluation staff", studentID)
}

// UpdateTeamMember replaces a member's role, further roles, announcement and excusal (who it is
// stays). Errors: invalid, not found.
func (tx *Tx) UpdateTeamMember(ctx context.Context, m *iep.TeamMember) error {
	if err := checked(m.Validate(), m.DistrictID); err != nil {
		return err
	}
	var j jsonArgs
	also, excusal := j.of(m.Also), j.of(m.Excusal)
	if j.err != nil {
		return j.err
	}
	ok, err := tx.execOne(ctx, `UPDATE team_members SET role = $4, also = $5, guest_title = $6, invited_by = $7,
		announced_on = $8, excusal = $9 WHERE district_id = $1 AND id = $2 AND plan_id = $3`,
		m.DistrictID, m.ID, m.PlanID, string(m.Role), also, m.GuestTitle, string(m.InvitedBy), m.AnnouncedOn, excusal)
	if err != nil {
		return wrap(err, "update team member %s", m.ID)
	}
	if !ok {
		return notFound("team member", m.ID)
	}
	return nil
}
