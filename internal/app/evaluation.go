package app

import (
	"context"
	"slices"
	"strings"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/schoolday"
	"github.com/openiep/openiep/internal/store"
)

// Before the plan (the seed's step 2): the referral, the notice and the request for consent to
// evaluate, the parent's answer, the assessments and their reports, the summaries shared with
// the family, and the team's eligibility determination.

// ReferralInput is a request to evaluate a student.
type ReferralInput struct {
	ReferredOn date.Date          `json:"referred_on"`
	Source     iep.ReferralSource `json:"source"` // a family's referral is always "parent"
	Reason     string             `json:"reason"`
	Areas      []string           `json:"areas,omitempty"` // suspected areas of need
	FromPartC  bool               `json:"from_part_c,omitempty"`
}

// Refer records a referral for evaluation, by staff or by the parent (who may refer their own
// child: 34 CFR 300.301(b)). The referral starts the district's clock to answer with a notice.
func (s *Service) Refer(ctx context.Context, a Actor, districtID, studentID string, in ReferralInput) (*iep.Referral, error) {
	c, err := s.beginEither(ctx, a, access.Participate, access.EditPlan, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	r := iep.Referral{DistrictID: districtID, StudentID: studentID, ReferredOn: in.ReferredOn, Source: in.Source,
		Reason: strings.TrimSpace(in.Reason), Areas: in.Areas, FromPartC: in.FromPartC}
	if a.IsFamily() {
		r.Source = iep.ReferredByParent
	}
	if r.ReferredOn.IsZero() {
		r.ReferredOn = c.today
	}
	var ps iep.Problems
	ps.Nest("", r.Validate())
	if r.ReferredOn.After(c.today) {
		ps = append(ps, iep.Problem{Field: "referred_on", Code: iep.CodeInvalid, Detail: "a date in the future"})
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateReferral(ctx, &r); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventReferralReceived, "", r.ReferredOn, map[string]any{"referral_id": r.ID, "source": r.Source}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "refer", "referral", r.ID)
	})
	return &r, err
}

// NoticeInput is what only people know of a prior written notice (34 CFR 300.503(b)): why, on
// what, which options were weighed and why they were rejected, anything else. What the system
// knows (the action, the safeguards, where to get help) it writes itself.
type NoticeInput struct {
	Reasons           string `json:"reasons"`
	BasedOn           string `json:"based_on,omitempty"` // added to the evaluations and records the system lists
	OptionsConsidered string `json:"options_considered"`
	OtherFactors      string `json:"other_factors,omitempty"`
}

// notice builds a notice of kind k to the family in their language: the action in words, the
// team's elements, the procedural safeguards and sources of help.
func (c *step) notice(ctx context.Context, k iep.NoticeKind, planID, action, basedOn string, in NoticeInput) iep.Notice {
	lang := c.s.familyLanguage(ctx, c.district, c.student)
	if !i18n.Supported(lang) {
		lang = "en"
	}
	based := strings.TrimSpace(strings.Join([]string{basedOn, strings.TrimSpace(in.BasedOn)}, "\n"))
	return iep.Notice{DistrictID: c.district, StudentID: c.student, PlanID: planID, Kind: k, Language: lang,
		SentOn: c.today, DeliveredBy: "portal", Action: i18n.Message(lang, action),
		Reasons: strings.TrimSpace(in.Reasons), BasedOn: based, OptionsConsidered: strings.TrimSpace(in.OptionsConsidered),
		OtherFactors: strings.TrimSpace(in.OtherFactors), Safeguards: i18n.Message(lang, "notice.safeguards"),
		HelpSources: i18n.Message(lang, "notice.help_sources")}
}

// ConsentRequestInput asks the family for consent to evaluate: which evaluation, after which
// referral, in which areas, who runs it, and the notice's elements.
type ConsentRequestInput struct {
	Kind          iep.EvaluationKind `json:"kind"` // initial or reevaluation
	ReferralID    string             `json:"referral_id,omitempty"`
	Areas         []string           `json:"areas"`
	CaseManagerID string             `json:"case_manager_id,omitempty"` // default: the staff member asking
	Notice        NoticeInput        `json:"notice"`
}

// EvaluationView is an evaluation with its consent request and notice.
type EvaluationView struct {
	Evaluation iep.Evaluation `json:"evaluation"`
	Consent    *iep.Consent   `json:"consent,omitempty"`
	Notice     *iep.Notice    `json:"notice,omitempty"`
}

// RequestEvaluationConsent sends the notice and the request for consent to evaluate (34 CFR
// 300.300(a), 300.503): it opens the evaluation, waiting for the parent's written consent.
func (s *Service) RequestEvaluationConsent(ctx context.Context, a Actor, districtID, studentID string, in ConsentRequestInput) (*EvaluationView, error) {
	c, err := s.begin(ctx, a, access.EditPlan, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	var ps iep.Problems
	kind := iep.ConsentInitialEvaluation
	switch in.Kind {
	case iep.EvaluationInitial:
	case iep.EvaluationReeval:
		kind = iep.ConsentReevaluation
	default:
		ps = append(ps, iep.Problem{Field: "kind", Code: iep.CodeChoice, Detail: "initial, reevaluation"})
	}
	areas := cleanList(in.Areas)
	if len(areas) == 0 {
		ps = append(ps, iep.Problem{Field: "areas", Code: iep.CodeRequired})
	}
	cm := in.CaseManagerID
	if cm == "" && a.Kind == ActorStaff {
		cm = a.ID
	}
	if _, err := s.db.GetStaff(ctx, districtID, cm); err != nil {
		ps = append(ps, iep.Problem{Field: "case_manager_id", Code: iep.CodeInvalid, Detail: "no such staff member in this district"})
	}
	if in.ReferralID != "" {
		refs, err := s.db.ListReferrals(ctx, districtID, studentID)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(refs, func(r iep.Referral) bool { return r.ID == in.ReferralID }) {
			ps = append(ps, iep.Problem{Field: "referral_id", Code: iep.CodeInvalid, Detail: "no such referral of this student"})
		}
	}
	notice := c.notice(ctx, iep.NoticeEvaluationConsent, "", "notice.action.evaluate", "", in.Notice)
	ps.Nest("notice.", notice.Validate())
	if strings.TrimSpace(in.Notice.Reasons) == "" {
		ps = append(ps, iep.Problem{Field: "notice.reasons", Code: iep.CodeRequired})
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	v := EvaluationView{}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		con := iep.Consent{DistrictID: districtID, StudentID: studentID, Kind: kind, RequestedOn: c.today, Decision: iep.ConsentPending}
		if err := tx.CreateConsent(ctx, &con); err != nil {
			return err
		}
		e := iep.Evaluation{DistrictID: districtID, StudentID: studentID, ReferralID: in.ReferralID, Kind: in.Kind,
			Stage: iep.StageConsentRequested, CaseManagerID: cm, ConsentID: con.ID}
		for _, area := range areas {
			e.Assessments = append(e.Assessments, iep.Assessment{Area: area})
		}
		if err := tx.CreateEvaluation(ctx, &e); err != nil {
			return err
		}
		if err := tx.AddEvaluationStaff(ctx, districtID, e.ID, studentID, cm, store.EvaluationCaseManager); err != nil {
			return err
		}
		if err := tx.CreateNotice(ctx, &notice); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventEvaluationNoticeSent, "", c.today, map[string]any{
			"evaluation_id": e.ID, "consent_id": con.ID, "notice_id": notice.ID, "kind": in.Kind}); err != nil {
			return err
		}
		v = EvaluationView{Evaluation: e, Consent: &con, Notice: &notice}
		return c.audit(ctx, tx, "request_evaluation_consent", "evaluation", e.ID)
	})
	return &v, err
}

// evaluationStep begins a step of an evaluation: the policy (family and staff actions, as
// beginEither), the evaluation, and the state machine.
func (s *Service) evaluationStep(ctx context.Context, a Actor, districtID, evaluationID string, stp iep.EvaluationStep, family, staff access.Action) (*step, *iep.Evaluation, error) {
	c, err := s.beginEither(ctx, a, family, staff, districtID, "evaluation", evaluationID)
	if err != nil {
		return nil, nil, err
	}
	e, err := c.evaluation(ctx, evaluationID)
	if err != nil {
		return nil, nil, err
	}
	return c, e, iep.CheckEvaluationStep(e.Stage, stp)
}

// evaluation returns one evaluation of the step's student. Errors: not found.
func (c *step) evaluation(ctx context.Context, id string) (*iep.Evaluation, error) {
	es, err := c.s.db.ListEvaluations(ctx, c.district, c.student)
	if err != nil {
		return nil, err
	}
	for i := range es {
		if es[i].ID == id {
			return &es[i], nil
		}
	}
	return nil, iep.Errorf(iep.KindNotFound, "evaluation %s not found", id)
}

// consent returns one consent of the step's student. Errors: not found.
func (c *step) consent(ctx context.Context, id string) (*iep.Consent, error) {
	cs, err := c.s.db.ListConsents(ctx, c.district, c.student)
	if err != nil {
		return nil, err
	}
	for i := range cs {
		if cs[i].ID == id {
			return &cs[i], nil
		}
	}
	return nil, iep.Errorf(iep.KindNotFound, "consent %s not found", id)
}

// ConsentAnswer is the parent's answer to a request for consent: given electronically by the
// signed-in parent, or recorded by staff from the signed paper (with its scan).
type ConsentAnswer struct {
	Decision   iep.ConsentDecision `json:"decision"`              // granted or refused
	GuardianID string              `json:"guardian_id,omitempty"` // staff recording paper: whose answer
	Signature  SignatureInput      `json:"signature"`
}

// AnswerEvaluationConsent records the parent's consent to evaluate, or refusal. Consent starts
// the evaluation clock on the day it is signed.
func (s *Service) AnswerEvaluationConsent(ctx context.Context, a Actor, districtID, evaluationID string, in ConsentAnswer) (*EvaluationView, error) {
	c, e, err := s.evaluationStep(ctx, a, districtID, evaluationID, iep.StepRecordEvaluationConsent, access.RespondToPlan, access.EditPlan)
	if err != nil {
		return nil, err
	}
	con, err := c.consent(ctx, e.ConsentID)
	if err != nil {
		return nil, err
	}
	var ps iep.Problems
	if in.Decision != iep.ConsentGranted && in.Decision != iep.ConsentRefused {
		ps = append(ps, iep.Problem{Field: "decision", Code: iep.CodeChoice, Detail: "granted, refused"})
	}
	guardian, _ := c.responder(ctx, in.GuardianID, &ps)
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		sig, on := c.signature(ctx, tx, in.Signature, "", &ps)
		if err := ps.Err(); err != nil {
			return err
		}
		con.Decision, con.DecidedOn, con.GuardianID, con.Method = in.Decision, on, guardian, sig.Method
		if err := tx.UpdateConsent(ctx, con); err != nil {
			return err
		}
		kind := iep.EventEvaluationConsentRefused
		if in.Decision == iep.ConsentGranted {
			e.Stage, e.ConsentOn = iep.StageEvaluating, on
			kind = iep.EventEvaluationConsentReceived
			if e.Kind == iep.EvaluationReeval {
				kind = iep.EventReevaluationConsent
			}
		} else {
			e.Stage = iep.StageConsentRefused
		}
		if err := tx.UpdateEvaluation(ctx, e); err != nil {
			return err
		}
		if err := c.event(ctx, tx, kind, "", on, map[string]any{"evaluation_id": e.ID, "consent_id": con.ID, "method": sig.Method}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "answer_evaluation_consent", "consent", con.ID)
	})
	if err != nil {
		return nil, err
	}
	return &EvaluationView{Evaluation: *e, Consent: con}, nil
}

// AskConsentAgain asks a family that refused consent to evaluate once more, with a new notice
// (the district may also pursue due process, 300.300(a)(3)).
func (s *Service) AskConsentAgain(ctx context.Context, a Actor, districtID, evaluationID string, in NoticeInput) (*EvaluationView, error) {
	c, e, err := s.evaluationStep(ctx, a, districtID, evaluationID, iep.StepAskConsentAgain, access.EditPlan, access.EditPlan)
	if err != nil {
		return nil, err
	}
	notice := c.notice(ctx, iep.NoticeEvaluationConsent, "", "notice.action.evaluate", "", in)
	var ps iep.Problems
	ps.Nest("notice.", notice.Validate())
	if strings.TrimSpace(in.Reasons) == "" {
		ps = append(ps, iep.Problem{Field: "notice.reasons", Code: iep.CodeRequired})
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	v := EvaluationView{}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		kind := iep.ConsentInitialEvaluation
		if e.Kind == iep.EvaluationReeval {
			kind = iep.ConsentReevaluation
		}
		con := iep.Consent{DistrictID: districtID, StudentID: c.student, Kind: kind, RequestedOn: c.today, Decision: iep.ConsentPending}
		if err := tx.CreateConsent(ctx, &con); err != nil {
			return err
		}
		e.ConsentID, e.Stage = con.ID, iep.StageConsentRequested
		if err := tx.UpdateEvaluation(ctx, e); err != nil {
			return err
		}
		if err := tx.CreateNotice(ctx, &notice); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventEvaluationNoticeSent, "", c.today, map[string]any{
			"evaluation_id": e.ID, "consent_id": con.ID, "notice_id": notice.ID, "kind": e.Kind}); err != nil {
			return err
		}
		v = EvaluationView{Evaluation: *e, Consent: &con, Notice: &notice}
		return c.audit(ctx, tx, "request_evaluation_consent", "evaluation", e.ID)
	})
	return &v, err
}

// AssignmentInput assigns an area of the evaluation to an evaluator.
type AssignmentInput struct {
	Area        string `json:"area"`
	EvaluatorID string `json:"evaluator_id"`
}

// evaluationDue is the day the evaluation is due under the district's rules: the initial
// evaluation's clock (or the state's reevaluation assessments clock) from the consent, on the
// district's calendar.
func (c *step) evaluationDue(ctx context.Context, e *iep.Evaluation) (date.Date, error) {
	if e.ConsentOn.IsZero() {
		return date.Date{}, nil
	}
	if e.Kind == iep.EvaluationReeval {
		due, _, ok, err := c.ruleDate(ctx, "reevaluation_assessments", e.ConsentOn)
		if ok || err != nil {
			return due, err
		}
	}
	due, _, _, err := c.ruleDate(ctx, "initial_evaluation", e.ConsentOn)
	return due, err
}

// ruleDate is the day the district's rule id counts to from from, on the district's calendar
// (the estimate past its end), with the rule's amount; ok is false when the pack has no such
// rule counted in days.
func (c *step) ruleDate(ctx context.Context, id string, from date.Date) (due date.Date, amount int, ok bool, err error) {
	d, err := c.s.db.GetDistrict(ctx, c.district)
	if err != nil {
		return date.Date{}, 0, false, err
	}
	pack, err := c.s.districtPack(ctx, d)
	if err != nil {
		return date.Date{}, 0, false, err
	}
	r, found := pack.Rule(id)
	if !found || !r.Unit.IsDays() || r.Amount == 0 {
		return date.Date{}, 0, false, nil
	}
	cal, err := c.s.calendar(ctx, d)
	if err != nil {
		return date.Date{}, 0, false, err
	}
	res, _ := cal.Add(from, r.Amount, schoolday.Unit(r.Unit)) // beyond the calendar: the estimate
	return res.Date, r.Amount, true, nil
}

// AssignAssessment assigns an area of an evaluation (adding the area when it is new) to an
// evaluator of the district, due when the evaluation is due. The evaluator may then open the
// student's record and report on that area.
func (s *Service) AssignAssessment(ctx context.Context, a Actor, districtID, evaluationID string, in AssignmentInput) (*iep.Evaluation, error) {
	c, e, err := s.evaluationStep(ctx, a, districtID, evaluationID, iep.StepAssignAssessment, access.EditPlan, access.EditPlan)
	if err != nil {
		return nil, err
	}
	var ps iep.Problems
	area := strings.TrimSpace(in.Area)
	if area == "" {
		ps = append(ps, iep.Problem{Field: "area", Code: iep.CodeRequired})
	}
	if in.EvaluatorID == "" {
		ps = append(ps, iep.Problem{Field: "evaluator_id", Code: iep.CodeRequired})
	} else if st, err := s.db.GetStaff(ctx, districtID, in.EvaluatorID); err != nil || !st.Active {
		ps = append(ps, iep.Problem{Field: "evaluator_id", Code: iep.CodeInvalid, Detail: "no such active staff member in this district"})
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	due, err := c.evaluationDue(ctx, e)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(e.Assessments, func(x iep.Assessment) bool { return strings.EqualFold(x.Area, area) })
	if i < 0 {
		e.Assessments = append(e.Assessments, iep.Assessment{Area: area})
		i = len(e.Assessments) - 1
	}
	if !e.Assessments[i].CompletedOn.IsZero() {
		return nil, iep.Errorf(iep.KindConflict, "cannot assign %s: it was already reported", area)
	}
	e.Assessments[i].EvaluatorID, e.Assessments[i].DueOn = in.EvaluatorID, due
	if e.Stage == iep.StageEvaluated { // a further area reopens the evaluation
		e.Stage, e.CompletedOn = iep.StageEvaluating, date.Date{}
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateEvaluation(ctx, e); err != nil {
			return err
		}
		if err := tx.AddEvaluationStaff(ctx, districtID, e.ID, c.student, in.EvaluatorID, store.EvaluationEvaluator); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventAssessmentAssigned, "", c.today, map[string]any{
			"evaluation_id": e.ID, "area": area, "evaluator_id": in.EvaluatorID}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "assign_assessment", "evaluation", e.ID)
	})
	return e, err
}

// AssessmentReport is an evaluator's report on one area: the summary written in the system,
// an uploaded report, or both.
type AssessmentReport struct {
	Summary     string    `json:"summary,omitempty"`
	DocumentID  string    `json:"document_id,omitempty"`
	CompletedOn date.Date `json:"completed_on,omitzero"` // default today
}

// ReportAssessment records the report on one area of an evaluation. Only the evaluator
// assigned the area may report it, or the team (case manager, administrators) for them.
func (s *Service) ReportAssessment(ctx context.Context, a Actor, districtID, evaluationID, area string, in AssessmentReport) (*iep.Evaluation, error) {
	c, e, err := s.evaluationStep(ctx, a, districtID, evaluationID, iep.StepReportAssessment, access.WriteEvaluation, access.WriteEvaluation)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(e.Assessments, func(x iep.Assessment) bool { return strings.EqualFold(x.Area, area) })
	if i < 0 {
		return nil, iep.Errorf(iep.KindNotFound, "the evaluation has no area %q", area)
	}
	as := &e.Assessments[i]
	if as.EvaluatorID != a.ID && c.d.Reason == access.ReasonEvaluator {
		return nil, iep.Errorf(iep.KindForbidden, "the area %s is assigned to another evaluator", area)
	}
	on := in.CompletedOn
	if on.IsZero() {
		on = c.today
	}
	var ps iep.Problems
	if strings.TrimSpace(in.Summary) == "" && in.DocumentID == "" {
		ps = append(ps, iep.Problem{Field: "summary", Code: iep.CodeRequired})
	}
	if on.After(c.today) || on.Before(e.ConsentOn) {
		ps = append(ps, iep.Problem{Field: "completed_on", Code: iep.CodeRange, Detail: e.ConsentOn.String() + ".." + c.today.String()})
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		c.optionalDocument(ctx, tx, "document_id", in.DocumentID, &ps)
		if err := ps.Err(); err != nil {
			return err
		}
		as.Summary, as.DocumentID, as.CompletedOn = strings.TrimSpace(in.Summary), in.DocumentID, on
		if err := tx.UpdateEvaluation(ctx, e); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventAssessmentCompleted, "", on, map[string]any{"evaluation_id": e.ID, "area": as.Area}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "report_assessment", "evaluation", e.ID)
	})
	return e, err
}

// ShareSummaries gives the family the summaries of every reported assessment before the
// meeting (MA: two days before, 603 CMR 28.05(1)).
func (s *Service) ShareSummaries(ctx context.Context, a Actor, districtID, evaluationID string) (*iep.Evaluation, error) {
	c, e, err := s.evaluationStep(ctx, a, districtID, evaluationID, iep.StepShareSummaries, access.EditPlan, access.EditPlan)
	if err != nil {
		return nil, err
	}
	var areas []string
	for i := range e.Assessments {
		if as := &e.Assessments[i]; !as.CompletedOn.IsZero() && as.SummarySharedOn.IsZero() {
			as.SummarySharedOn = c.today
			areas = append(areas, as.Area)
		}
	}
	if len(areas) == 0 {
		return nil, iep.Errorf(iep.KindConflict, "cannot share summaries: no reported assessment is unshared")
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateEvaluation(ctx, e); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventSummariesShared, "", c.today, map[string]any{"evaluation_id": e.ID, "areas": areas}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "share_summaries", "evaluation", e.ID)
	})
	return e, err
}

// CompleteEvaluation closes the evaluation once every area is reported; it meets the
// evaluation clock.
func (s *Service) CompleteEvaluation(ctx context.Context, a Actor, districtID, evaluationID string) (*iep.Evaluation, error) {
	c, e, err := s.evaluationStep(ctx, a, districtID, evaluationID, iep.StepCompleteEvaluation, access.EditPlan, access.EditPlan)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, as := range e.Assessments {
		if as.CompletedOn.IsZero() {
			missing = append(missing, as.Area)
		}
	}
	if len(missing) > 0 || len(e.Assessments) == 0 {
		return nil, iep.Errorf(iep.KindConflict, "cannot complete the evaluation: not yet reported: %s", strings.Join(missing, ", "))
	}
	e.Stage, e.CompletedOn = iep.StageEvaluated, c.today
	kind := iep.EventEvaluationCompleted
	if e.Kind == iep.EvaluationReeval {
		kind = iep.EventReevaluationCompleted
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateEvaluation(ctx, e); err != nil {
			return err
		}
		if err := c.event(ctx, tx, kind, "", c.today, map[string]any{"evaluation_id": e.ID}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "complete_evaluation", "evaluation", e.ID)
	})
	return e, err
}

// EligibilityInput is the team's determination: eligible with the disability categories, or
// not eligible with the notice's elements.
type EligibilityInput struct {
	Eligible     bool             `json:"eligible"`
	Disabilities []iep.Disability `json:"disabilities,omitempty"`
	Basis        string           `json:"basis"`
	Notice       NoticeInput      `json:"notice"` // a finding of not eligible is sent with a prior written notice
	DeterminedOn date.Date        `json:"determined_on,omitzero"`
}

// EligibilityView is a determination and, for not eligible, its notice.
type EligibilityView struct {
	Eligibility iep.Eligibility `json:"eligibility"`
	Notice      *iep.Notice     `json:"notice,omitempty"`
}

// DetermineEligibility records the team's determination on an evaluated student.
func (s *Service) DetermineEligibility(ctx context.Context, a Actor, districtID, evaluationID string, in EligibilityInput) (*EligibilityView, error) {
	c, e, err := s.evaluationStep(ctx, a, districtID, evaluationID, iep.StepDetermineEligibility, access.EditPlan, access.EditPlan)
	if err != nil {
		return nil, err
	}
	on := in.DeterminedOn
	if on.IsZero() {
		on = c.today
	}
	el := iep.Eligibility{DistrictID: districtID, StudentID: c.student, EvaluationID: e.ID, DeterminedOn: on,
		Eligible: in.Eligible, Disabilities: in.Disabilities, Basis: strings.TrimSpace(in.Basis)}
	var ps iep.Problems
	ps.Nest("", el.Validate())
	if on.After(c.today) || on.Before(e.CompletedOn) {
		ps = append(ps, iep.Problem{Field: "determined_on", Code: iep.CodeRange, Detail: e.CompletedOn.String() + ".." + c.today.String()})
	}
	var notice *iep.Notice
	if !in.Eligible {
		n := c.notice(ctx, iep.NoticePriorWritten, "", "notice.action.not_eligible", basedOnEvaluation(e), in.Notice)
		ps.Nest("notice.", n.Validate())
		notice = &n
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateEligibility(ctx, &el); err != nil {
			return err
		}
		e.Stage = iep.StageEligible
		kind := iep.EventEligibilityDetermined
		data := map[string]any{"evaluation_id": e.ID, "eligibility_id": el.ID}
		if !in.Eligible {
			e.Stage, kind = iep.StageNotEligible, iep.EventFoundNotEligible
			if err := tx.CreateNotice(ctx, notice); err != nil {
				return err
			}
			data["notice_id"] = notice.ID
			if err := tx.CloseEvaluationStaff(ctx, districtID, c.student); err != nil {
				return err
			}
		}
		if err := tx.UpdateEvaluation(ctx, e); err != nil {
			return err
		}
		if err := c.event(ctx, tx, kind, "", on, data); err != nil {
			return err
		}
		return c.audit(ctx, tx, "determine_eligibility", "eligibility", el.ID)
	})
	if err != nil {
		return nil, err
	}
	return &EligibilityView{Eligibility: el, Notice: notice}, nil
}

// basedOnEvaluation lists the assessments an evaluation's notice rests on, one per line.
func basedOnEvaluation(e *iep.Evaluation) string {
	var b strings.Builder
	for _, as := range e.Assessments {
		if !as.CompletedOn.IsZero() {
			b.WriteString(as.Area + " (" + as.CompletedOn.String() + ")\n")
		}
	}
	return strings.TrimSpace(b.String())
}

// OutsideEvaluationInput is an evaluation the family brings (34 CFR 300.502(c): the team must
// consider it), or an independent evaluation at public expense.
type OutsideEvaluationInput struct {
	Source      string    `json:"source"` // who did it
	Area        string    `json:"area"`
	Summary     string    `json:"summary,omitempty"`
	DocumentID  string    `json:"document_id"`
	CompletedOn date.Date `json:"completed_on"`
	Independent bool      `json:"independent,omitempty"`
}

// AddOutsideEvaluation records an outside evaluation with its uploaded report.
func (s *Service) AddOutsideEvaluation(ctx context.Context, a Actor, districtID, studentID string, in OutsideEvaluationInput) (*iep.Evaluation, error) {
	c, err := s.beginEither(ctx, a, access.Participate, access.EditPlan, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	kind := iep.EvaluationOutside
	if in.Independent {
		kind = iep.EvaluationIndependent
	}
	e := iep.Evaluation{DistrictID: districtID, StudentID: studentID, Kind: kind, Stage: iep.StageEvaluated,
		Source: strings.TrimSpace(in.Source), CompletedOn: in.CompletedOn,
		Assessments: []iep.Assessment{{Area: strings.TrimSpace(in.Area), Summary: strings.TrimSpace(in.Summary),
			DocumentID: in.DocumentID, CompletedOn: in.CompletedOn}}}
	var ps iep.Problems
	ps.Nest("", e.Validate())
	if e.Source == "" {
		ps = append(ps, iep.Problem{Field: "source", Code: iep.CodeRequired})
	}
	if in.CompletedOn.IsZero() {
		ps = append(ps, iep.Problem{Field: "completed_on", Code: iep.CodeRequired})
	} else if in.CompletedOn.After(c.today) {
		ps = append(ps, iep.Problem{Field: "completed_on", Code: iep.CodeInvalid, Detail: "a date in the future"})
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		c.requireDocument(ctx, tx, "document_id", in.DocumentID, &ps)
		if err := ps.Err(); err != nil {
			return err
		}
		if err := tx.CreateEvaluation(ctx, &e); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventOutsideEvaluation, "", c.today, map[string]any{"evaluation_id": e.ID}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "add_outside_evaluation", "evaluation", e.ID)
	})
	return &e, err
}

// UploadDocument stores a file of the student's record (a report, a scan), after checking its
// name, type, content and size (iep.CheckDocument).
func (s *Service) UploadDocument(ctx context.Context, a Actor, districtID, studentID, name, mediaType string, data []byte) (*iep.Document, error) {
	c, err := s.begin(ctx, a, access.Participate, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	mt, err := iep.CheckDocument(name, mediaType, data)
	if err != nil {
		return nil, err
	}
	d := iep.Document{DistrictID: districtID, StudentID: studentID, Name: strings.TrimSpace(name), MediaType: mt, UploadedBy: a.ID}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateDocument(ctx, &d, data); err != nil {
			return err
		}
		return c.audit(ctx, tx, "upload", "document", d.ID)
	})
	return &d, err
}

// Document returns a document and its bytes to whoever may view the student's record.
func (s *Service) Document(ctx context.Context, a Actor, districtID, documentID string) (*iep.Document, []byte, error) {
	c, err := s.begin(ctx, a, access.ViewRecord, districtID, "document", documentID)
	if err != nil {
		return nil, nil, err
	}
	d, data, err := s.db.GetDocument(ctx, districtID, documentID)
	if err != nil {
		return nil, nil, err
	}
	if err := c.readAudit(ctx, "document", d.ID); err != nil {
		return nil, nil, err
	}
	return d, data, nil
}

// cleanList trims each item and drops the empty ones and repeats.
func cleanList(xs []string) []string {
	var out []string
	for _, x := range xs {
		if x = strings.TrimSpace(x); x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
