package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/openiep/openiep/internal/iep"
)

// The process before and around a plan: referrals, evaluations, eligibility, consents, notices,
// responses to proposed plans and records requests. Each Create sets ID when empty; each
// returns invalid (Validate's problems, no district, or a referenced record not in the
// district) or conflict (the id exists); each Update returns not found for an unknown id.

// CreateReferral stores a referral for evaluation.
func (tx *Tx) CreateReferral(ctx context.Context, r *iep.Referral) error {
	if err := checked(r.Validate(), r.DistrictID); err != nil {
		return err
	}
	if err := ensureID(&r.ID); err != nil {
		return err
	}
	var j jsonArgs
	areas := j.of(r.Areas)
	if j.err != nil {
		return j.err
	}
	_, err := tx.exec(ctx, `INSERT INTO referrals (district_id, id, student_id, referred_on, source, reason,
		areas, from_part_c, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.DistrictID, r.ID, r.StudentID, r.ReferredOn, string(r.Source), r.Reason, areas, r.FromPartC,
		tx.db.d.instant(tx.now))
	return wrap(err, "create referral %s", r.ID)
}

// ListReferrals returns the student's referrals, oldest first.
func (db *DB) ListReferrals(ctx context.Context, districtID, studentID string) ([]iep.Referral, error) {
	return list(ctx, db, func(r row, x *iep.Referral) error {
		return r.Scan(&x.DistrictID, &x.ID, &x.StudentID, &x.ReferredOn, &x.Source, &x.Reason,
			jsonCol{&x.Areas}, &x.FromPartC)
	}, `SELECT district_id, id, student_id, referred_on, source, reason, areas, from_part_c FROM referrals
		WHERE district_id = $1 AND student_id = $2 ORDER BY referred_on, id`, districtID, studentID)
}

func (tx *Tx) evaluationArgs(e *iep.Evaluation) ([]any, error) {
	var j jsonArgs
	assessments := j.of(e.Assessments)
	if j.err != nil {
		return nil, j.err
	}
	if e.Stage == "" {
		// Records written before the stages existed (and the demo's) say where they are by their dates.
		switch {
		case !e.CompletedOn.IsZero() || e.Kind == iep.EvaluationOutside:
			e.Stage = iep.StageEvaluated
		case !e.ConsentOn.IsZero():
			e.Stage = iep.StageEvaluating
		default:
			e.Stage = iep.StageConsentRequested
		}
	}
	return []any{e.DistrictID, e.ID, e.StudentID, opt(e.ReferralID), string(e.Kind), opt(e.ConsentID),
		e.ConsentOn, assessments, e.CompletedOn, tx.db.d.instant(tx.now), string(e.Stage),
		opt(e.CaseManagerID), e.Source}, nil
}

// CreateEvaluation stores an evaluation with its assessments.
func (tx *Tx) CreateEvaluation(ctx context.Context, e *iep.Evaluation) error {
	if err := checked(e.Validate(), e.DistrictID); err != nil {
		return err
	}
	if err := ensureID(&e.ID); err != nil {
		return err
	}
	args, err := tx.evaluationArgs(e)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO evaluations (district_id, id, student_id, referral_id, kind, consent_id,
		consent_on, assessments, completed_on, created_at, updated_at, stage, case_manager_id, source)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13)`, args...)
	return wrap(err, "create evaluation %s", e.ID)
}

// UpdateEvaluation replaces the stored evaluation e.ID (its student stays).
func (tx *Tx) UpdateEvaluation(ctx context.Context, e *iep.Evaluation) error {
	if err := checked(e.Validate(), e.DistrictID); err != nil {
		return err
	}
	args, err := tx.evaluationArgs(e)
	if err != nil {
		return err
	}
	ok, err := tx.execOne(ctx, `UPDATE evaluations SET referral_id = $4, kind = $5, consent_id = $6,
		consent_on = $7, assessments = $8, completed_on = $9, updated_at = $10, stage = $11,
		case_manager_id = $12, source = $13
		WHERE district_id = $1 AND id = $2 AND student_id = $3`, args...)
	if err != nil {
		return wrap(err, "update evaluation %s", e.ID)
	}
	if !ok {
		return notFound("evaluation", e.ID)
	}
	return nil
}

// ListEvaluations returns the student's evaluations, in the order of their ids.
func (db *DB) ListEvaluations(ctx context.Context, districtID, studentID string) ([]iep.Evaluation, error) {
	return list(ctx, db, func(r row, e *iep.Evaluation) error {
		return r.Scan(&e.DistrictID, &e.ID, &e.StudentID, &e.ReferralID, &e.Kind, &e.ConsentID, &e.ConsentOn,
			jsonCol{&e.Assessments}, &e.CompletedOn, &e.Stage, &e.CaseManagerID, &e.Source)
	}, `SELECT district_id, id, student_id, COALESCE(referral_id, ''), kind, COALESCE(consent_id, ''),
			consent_on, assessments, completed_on, stage, COALESCE(case_manager_id, ''), source
		FROM evaluations WHERE district_id = $1 AND student_id = $2 ORDER BY id`, districtID, studentID)
}

// CreateEligibility stores an eligibility determination.
func (tx *Tx) CreateEligibility(ctx context.Context, e *iep.Eligibility) error {
	if err := checked(e.Validate(), e.DistrictID); err != nil {
		return err
	}
	if err := ensureID(&e.ID); err != nil {
		return err
	}
	var j jsonArgs
	dis := j.of(e.Disabilities)
	if j.err != nil {
		return j.err
	}
	_, err := tx.exec(ctx, `INSERT INTO eligibility (district_id, id, student_id, evaluation_id, determined_on,
		eligible, disabilities, basis, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.DistrictID, e.ID, e.StudentID, e.EvaluationID, e.DeterminedOn, e.Eligible, dis, e.Basis,
		tx.db.d.instant(tx.now))
	return wrap(err, "create eligibility %s", e.ID)
}

// ListEligibility returns the student's eligibility determinations, oldest first.
func (db *DB) ListEligibility(ctx context.Context, districtID, studentID string) ([]iep.Eligibility, error) {
	return list(ctx, db, func(r row, e *iep.Eligibility) error {
		return r.Scan(&e.DistrictID, &e.ID, &e.StudentID, &e.EvaluationID, &e.DeterminedOn, &e.Eligible,
			jsonCol{&e.Disabilities}, &e.Basis)
	}, `SELECT district_id, id, student_id, evaluation_id, determined_on, eligible, disabilities, basis
		FROM eligibility WHERE district_id = $1 AND student_id = $2 ORDER BY determined_on, id`,
		districtID, studentID)
}

func (tx *Tx) consentArgs(c *iep.Consent) []any {
	return []any{c.DistrictID, c.ID, c.StudentID, opt(c.PlanID), string(c.Kind), c.RequestedOn,
		opt(c.GuardianID), string(c.Decision), c.DecidedOn, c.Method, c.Note, tx.db.d.instant(tx.now)}
}

// CreateConsent stores a consent request and its answer so far.
func (tx *Tx) CreateConsent(ctx context.Context, c *iep.Consent) error {
	if err := checked(c.Validate(), c.DistrictID); err != nil {
		return err
	}
	if err := ensureID(&c.ID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO consents (district_id, id, student_id, plan_id, kind, requested_on,
		guardian_id, decision, decided_on, method, note, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)`, tx.consentArgs(c)...)
	return wrap(err, "create consent %s", c.ID)
}

// UpdateConsent replaces the stored consent c.ID (its student stays), e.g. with the answer.
func (tx *Tx) UpdateConsent(ctx context.Context, c *iep.Consent) error {
	if err := checked(c.Validate(), c.DistrictID); err != nil {
		return err
	}
	ok, err := tx.execOne(ctx, `UPDATE consents SET plan_id = $4, kind = $5, requested_on = $6,
		guardian_id = $7, decision = $8, decided_on = $9, method = $10, note = $11, updated_at = $12
		WHERE district_id = $1 AND id = $2 AND student_id = $3`, tx.consentArgs(c)...)
	if err != nil {
		return wrap(err, "update consent %s", c.ID)
	}
	if !ok {
		return notFound("consent", c.ID)
	}
	return nil
}

// ListConsents returns the student's consents, by the date they were requested.
func (db *DB) ListConsents(ctx context.Context, districtID, studentID string) ([]iep.Consent, error) {
	return list(ctx, db, func(r row, c *iep.Consent) error {
		return r.Scan(&c.DistrictID, &c.ID, &c.StudentID, &c.PlanID, &c.Kind, &c.RequestedOn, &c.GuardianID,
			&c.Decision, &c.DecidedOn, &c.Method, &c.Note)
	}, `SELECT district_id, id, student_id, COALESCE(plan_id, ''), kind, requested_on, COALESCE(guardian_id, ''),
			decision, decided_on, method, note
		FROM consents WHERE district_id = $1 AND student_id = $2 ORDER BY requested_on, id`, districtID, studentID)
}

// CreateNotice stores a notice sent (or to be sent) to a family.
func (tx *Tx) CreateNotice(ctx context.Context, n *iep.Notice) error {
	if err := checked(n.Validate(), n.DistrictID); err != nil {
		return err
	}
	if err := ensureID(&n.ID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO notices (district_id, id, student_id, plan_id, kind, language, sent_on,
		delivered_by, action, reasons, based_on, options_considered, other_factors, safeguards, help_sources,
		created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		n.DistrictID, n.ID, n.StudentID, opt(n.PlanID), string(n.Kind), n.Language, n.SentOn, n.DeliveredBy,
		n.Action, n.Reasons, n.BasedOn, n.OptionsConsidered, n.OtherFactors, n.Safeguards, n.HelpSources,
		tx.db.d.instant(tx.now))
	return wrap(err, "create notice %s", n.ID)
}

// ListNotices returns the student's notices, in the order they were stored.
func (db *DB) ListNotices(ctx context.Context, districtID, studentID string) ([]iep.Notice, error) {
	return list(ctx, db, func(r row, n *iep.Notice) error {
		return r.Scan(&n.DistrictID, &n.ID, &n.StudentID, &n.PlanID, &n.Kind, &n.Language, &n.SentOn,
			&n.DeliveredBy, &n.Action, &n.Reasons, &n.BasedOn, &n.OptionsConsidered, &n.OtherFactors,
			&n.Safeguards, &n.HelpSources)
	}, `SELECT district_id, id, student_id, COALESCE(plan_id, ''), kind, language, sent_on, delivered_by,
			action, reasons, based_on, options_considered, other_factors, safeguards, help_sources
		FROM notices WHERE district_id = $1 AND student_id = $2 ORDER BY created_at, id`, districtID, studentID)
}

// CreateResponse stores a response to a frozen version of a plan. The version must be one of
// the plan's, and VersionSHA256 must be its stored hash: a response to anything else is
// refused (invalid, with the field at fault).
func (tx *Tx) CreateResponse(ctx context.Context, r *iep.Response) error {
	if err := checked(r.Validate(), r.DistrictID); err != nil {
		return err
	}
	var planID, sum string
	err := tx.queryRow(ctx, `SELECT plan_id, sha256 FROM plan_versions WHERE district_id = $1 AND id = $2`,
		r.DistrictID, r.VersionID).Scan(&planID, &sum)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return iep.Problems{{Field: "version_id", Code: iep.CodeInvalid, Detail: "no such version in this district"}}.Err()
	case err != nil:
		return wrap(err, "create response: version %s", r.VersionID)
	case planID != r.PlanID:
		return iep.Problems{{Field: "version_id", Code: iep.CodeInvalid, Detail: "not a version of this plan"}}.Err()
	case sum != r.VersionSHA256:
		return iep.Problems{{Field: "version_sha256", Code: iep.CodeInvalid, Detail: "does not match the stored version"}}.Err()
	}
	if err := ensureID(&r.ID); err != nil {
		return err
	}
	var j jsonArgs
	sections, services, comments, sig := j.of(r.RejectedSections), j.of(r.RejectedServices), j.of(r.Comments), j.of(r.Signature)
	if j.err != nil {
		return j.err
	}
	_, err = tx.exec(ctx, `INSERT INTO responses (district_id, id, plan_id, version_id, version_sha256,
		guardian_id, student_id, decision, rejected_sections, rejected_services, comments, responded_on,
		signature, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		r.DistrictID, r.ID, r.PlanID, r.VersionID, r.VersionSHA256, opt(r.GuardianID), opt(r.StudentID),
		string(r.Decision), sections, services, comments, r.RespondedOn, sig, tx.db.d.instant(tx.now))
	return wrap(err, "create response %s", r.ID)
}

// ListResponses returns the responses to a plan's versions, by the date of the response.
func (db *DB) ListResponses(ctx context.Context, districtID, planID string) ([]iep.Response, error) {
	return list(ctx, db, func(row row, r *iep.Response) error {
		return row.Scan(&r.DistrictID, &r.ID, &r.PlanID, &r.VersionID, &r.VersionSHA256, &r.GuardianID,
			&r.StudentID, &r.Decision, jsonCol{&r.RejectedSections}, jsonCol{&r.RejectedServices},
			jsonCol{&r.Comments}, &r.RespondedOn, jsonCol{&r.Signature})
	}, `SELECT district_id, id, plan_id, version_id, version_sha256, COALESCE(guardian_id, ''),
			COALESCE(student_id, ''), decision, rejected_sections, rejected_services, comments, responded_on,
			signature
		FROM responses WHERE district_id = $1 AND plan_id = $2 ORDER BY responded_on, id`, districtID, planID)
}

// CreateRecordsRequest stores a parent's request to inspect the records.
func (tx *Tx) CreateRecordsRequest(ctx context.Context, r *iep.RecordsRequest) error {
	if err := checked(r.Validate(), r.DistrictID); err != nil {
		return err
	}
	if err := ensureID(&r.ID); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO records_requests (district_id, id, student_id, guardian_id,
		requested_on, fulfilled_on, note) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		r.DistrictID, r.ID, r.StudentID, opt(r.GuardianID), r.RequestedOn, r.FulfilledOn, r.Note)
	return wrap(err, "create records request %s", r.ID)
}

// UpdateRecordsRequest replaces the stored records request r.ID (its student stays), e.g. when
// it is fulfilled.
func (tx *Tx) UpdateRecordsRequest(ctx context.Context, r *iep.RecordsRequest) error {
	if err := checked(r.Validate(), r.DistrictID); err != nil {
		return err
	}
	ok, err := tx.execOne(ctx, `UPDATE records_requests SET guardian_id = $4, requested_on = $5,
		fulfilled_on = $6, note = $7 WHERE district_id = $1 AND id = $2 AND student_id = $3`,
		r.DistrictID, r.ID, r.StudentID, opt(r.GuardianID), r.RequestedOn, r.FulfilledOn, r.Note)
	if err != nil {
		return wrap(err, "update records request %s", r.ID)
	}
	if !ok {
		return notFound("records request", r.ID)
	}
	return nil
}

// ListRecordsRequests returns the student's records requests, oldest first.
func (db *DB) ListRecordsRequests(ctx context.Context, districtID, studentID string) ([]iep.RecordsRequest, error) {
	return list(ctx, db, func(r row, x *iep.RecordsRequest) error {
		return r.Scan(&x.DistrictID, &x.ID, &x.StudentID, &x.GuardianID, &x.RequestedOn, &x.FulfilledOn, &x.Note)
	}, `SELECT district_id, id, student_id, COALESCE(guardian_id, ''), requested_on, fulfilled_on, note
		FROM records_requests WHERE district_id = $1 AND student_id = $2 ORDER BY requested_on, id`,
		districtID, studentID)
}
