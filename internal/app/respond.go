package app

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/store"
)

// The proposal, the family's answer and the plan in effect (DOMAIN.md §5): the team proposes
// the plan, frozen into a version with its hash and sent with the prior written notice; each
// guardian who holds the rights (or the adult student) accepts, rejects, or accepts in part and
// signs; the accepted parts take effect, the rejected ones leave the previous plan in force; the
// service-start clock runs from the signature.

// AgreementInput is the written agreement to amend a plan without a meeting (300.324(a)(4)):
// the guardian who agreed and the signed agreement's scan (staff), or the guardian themselves.
type AgreementInput struct {
	GuardianID string    `json:"guardian_id"`
	AgreedOn   date.Date `json:"agreed_on"`
	DocumentID string    `json:"document_id"`
}

// ProposeInput is what the team adds to the proposal: the notice's elements only people know,
// and for an amendment without a meeting the written agreement.
type ProposeInput struct {
	Notice         NoticeInput     `json:"notice"`
	WithoutMeeting *AgreementInput `json:"without_meeting,omitempty"`
}

// Proposal is a frozen version and its prior written notice.
type Proposal struct {
	Plan    iep.Plan   `json:"plan"`
	Version VersionOut `json:"version"`
	Notice  iep.Notice `json:"notice"`
}

// VersionOut is a frozen version as the API shows it: its canonical content as JSON.
type VersionOut struct {
	Number    int             `json:"number"`
	SHA256    string          `json:"sha256"`
	Canonical json.RawMessage `json:"canonical"`
}

// Propose freezes a draft into its next version and sends it with the prior written notice.
// The draft must be whole (every section valid), and finalized at a meeting held, unless it is
// an amendment agreed in writing without a meeting, or a transfer plan (comparable services,
// 300.323(e)-(f)).
func (s *Service) Propose(ctx context.Context, a Actor, districtID, planID string, in ProposeInput) (*Proposal, error) {
	c, p, err := s.planStep(ctx, a, access.EditPlan, districtID, planID, iep.StepPropose)
	if err != nil {
		return nil, err
	}
	var ps iep.Problems
	ps.Nest("plan.", p.ValidateForProposal())
	if in.WithoutMeeting != nil && p.Kind != iep.PlanAmendment {
		ps = append(ps, iep.Problem{Field: "without_meeting", Code: iep.CodeInvalid, Detail: "only an amendment is agreed without a meeting"})
	}
	if in.WithoutMeeting == nil && p.Kind != iep.PlanTransfer {
		ms, err := s.db.ListMeetings(ctx, districtID, c.student)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(ms, func(m iep.Meeting) bool { return m.PlanID == planID && m.Finalizes }) {
			return nil, iep.Errorf(iep.KindConflict, "cannot propose: no meeting has finalized this plan (hold the meeting with finalizes, or for an amendment record the written agreement)")
		}
	}
	if in.WithoutMeeting != nil {
		ag := in.WithoutMeeting
		c.responder(ctx, ag.GuardianID, &ps)
		if ag.AgreedOn.IsZero() || ag.AgreedOn.After(c.today) {
			ps = append(ps, iep.Problem{Field: "without_meeting.agreed_on", Code: iep.CodeRange, Detail: "a date up to today"})
		}
	}
	evs, err := s.db.ListEvaluations(ctx, districtID, c.student)
	if err != nil {
		return nil, err
	}
	var based []string
	for _, e := range evs {
		if !e.CompletedOn.IsZero() {
			src := string(e.Kind)
			if e.Source != "" {
				src += " (" + e.Source + ")"
			}
			based = append(based, fmt.Sprintf("%s evaluation, %s: %s", src, e.CompletedOn, basedOnEvaluation(&e)))
		}
	}
	action := "notice.action.propose." + string(p.Kind)
	notice := c.notice(ctx, iep.NoticePriorWritten, planID, action, strings.Join(based, "\n"), in.Notice)
	ps.Nest("notice.", notice.Validate())
	var out Proposal
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if in.WithoutMeeting != nil {
			c.requireDocument(ctx, tx, "without_meeting.document_id", in.WithoutMeeting.DocumentID, &ps)
		}
		if err := ps.Err(); err != nil {
			return err
		}
		if in.WithoutMeeting != nil {
			if err := c.event(ctx, tx, iep.EventAmendmentAgreed, planID, in.WithoutMeeting.AgreedOn, map[string]any{
				"guardian_id": in.WithoutMeeting.GuardianID, "document_id": in.WithoutMeeting.DocumentID}); err != nil {
				return err
			}
		}
		v, err := tx.FreezePlan(ctx, districtID, planID, a.ID)
		if err != nil {
			return err
		}
		p.Status, p.CurrentVersion = iep.StatusProposed, v.Number
		if err := tx.UpdatePlanHeader(ctx, p); err != nil {
			return err
		}
		if err := tx.CreateNotice(ctx, &notice); err != nil {
			return err
		}
		if p.Kind == iep.PlanInitial {
			// The evaluation's staff needed the record to write the plan; the team has it now.
			if err := tx.CloseEvaluationStaff(ctx, districtID, c.student); err != nil {
				return err
			}
		}
		if err := c.event(ctx, tx, iep.EventPlanProposed, planID, c.today, map[string]any{
			"version": v.Number, "sha256": v.SHA256, "notice_id": notice.ID}); err != nil {
			return err
		}
		out = Proposal{Plan: *p, Version: VersionOut{Number: v.Number, SHA256: v.SHA256, Canonical: v.Canonical}, Notice: notice}
		return c.audit(ctx, tx, "propose", "plan", planID)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Version returns a frozen version of a plan to whoever may view the record.
func (s *Service) Version(ctx context.Context, a Actor, districtID, planID string, number int) (*VersionOut, error) {
	c, err := s.begin(ctx, a, access.ViewRecord, districtID, "plan", planID)
	if err != nil {
		return nil, err
	}
	v, err := s.db.GetVersion(ctx, districtID, planID, number)
	if err != nil {
		return nil, err
	}
	if !iep.VerifyVersion(v) {
		return nil, fmt.Errorf("plan %s version %d: the stored hash does not match its content", planID, number)
	}
	return &VersionOut{Number: v.Number, SHA256: v.SHA256, Canonical: v.Canonical}, c.readAudit(ctx, "plan_version", v.ID)
}

// ResponseInput is the family's answer to the proposed version they read (its hash): accept,
// reject, or accept in part naming the rejected sections and service lines with a comment on
// each; and the signature.
type ResponseInput struct {
	VersionSHA256    string               `json:"version_sha256"`
	Decision         iep.ResponseDecision `json:"decision"` // accept, reject, accept_in_part
	RejectedSections []iep.SectionKind    `json:"rejected_sections,omitempty"`
	RejectedServices []string             `json:"rejected_services,omitempty"`
	Comments         map[string]string    `json:"comments,omitempty"`    // by rejected section or service line id
	GuardianID       string               `json:"guardian_id,omitempty"` // staff recording paper: whose answer
	Signature        SignatureInput       `json:"signature"`
}

// ResponseOut is a recorded response and where it leaves the plan.
type ResponseOut struct {
	Response iep.Response        `json:"response"`
	Plan     iep.Plan            `json:"plan"`
	Services []iep.EffectiveLine `json:"services_in_effect"`
}

// Respond records a guardian's (or the adult student's) answer to the current version of a
// proposed plan, signed, and moves the plan: the accepted parts take effect from the signature
// (the service-start clock starts), the rejected ones leave the previous plan in force. For an
// initial plan the acceptance is the consent to initial services (300.300(b)), separate from
// the consent to evaluate; its rejection in full is the refusal of services.
func (s *Service) Respond(ctx context.Context, a Actor, districtID, planID string, in ResponseInput) (*ResponseOut, error) {
	c, err := s.beginEither(ctx, a, access.RespondToPlan, access.EditPlan, districtID, "plan", planID)
	if err != nil {
		return nil, err
	}
	p, err := c.plan(ctx, planID)
	if err != nil {
		return nil, err
	}
	if err := iep.CheckPlanStep(p.Status, iep.StepRespond); err != nil {
		return nil, err
	}
	v, err := s.db.GetVersion(ctx, districtID, planID, p.CurrentVersion)
	if err != nil {
		return nil, err
	}
	frozen, err := iep.Thaw(v)
	if err != nil {
		return nil, err
	}
	var ps iep.Problems
	if in.VersionSHA256 != v.SHA256 {
		ps = append(ps, iep.Problem{Field: "version_sha256", Code: iep.CodeInvalid, Detail: "not the version proposed now: read it again before answering"})
	}
	if in.Decision == iep.NoResponse {
		ps = append(ps, iep.Problem{Field: "decision", Code: iep.CodeChoice, Detail: "accept, reject, accept_in_part"})
	}
	lines := frozen.Content.ServiceLineIDs()
	for i, id := range in.RejectedServices {
		if !slices.Contains(lines, id) {
			ps = append(ps, iep.Problem{Field: fmt.Sprintf("rejected_services[%d]", i), Code: iep.CodeInvalid, Detail: "not a service line of this version"})
		} else if strings.TrimSpace(in.Comments[id]) == "" {
			ps = append(ps, iep.Problem{Field: "comments." + id, Code: iep.CodeRequired})
		}
	}
	for _, k := range in.RejectedSections {
		if strings.TrimSpace(in.Comments[string(k)]) == "" && slices.Contains(iep.Sections, k) {
			ps = append(ps, iep.Problem{Field: "comments." + string(k), Code: iep.CodeRequired})
		}
	}
	guardian, student := c.responder(ctx, in.GuardianID, &ps)
	var pdf *iep.Document
	if sha := in.Signature.PDFSHA256; sha != "" {
		// The PDF the signer was shown must be the one kept for this version.
		if pdf, err = s.db.KeptDocumentBySHA(ctx, districtID, SigningKind, v.ID, sha); err != nil {
			return nil, err
		}
		if pdf == nil {
			ps = append(ps, iep.Problem{Field: "signature.pdf_sha256", Code: iep.CodeInvalid, Detail: "not the PDF of the version proposed now: read it again before answering"})
		}
	}
	prior, err := s.db.ListResponses(ctx, districtID, planID)
	if err != nil {
		return nil, err
	}
	var out ResponseOut
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		sig, on := c.signature(ctx, tx, in.Signature, v.SHA256, &ps)
		if pdf != nil && sig.Method == "electronic" {
			sig.PDFSHA256, sig.PDFDocumentID = pdf.SHA256, pdf.ID
			sig.Attestation = AttestationPDF(sig.TypedName, v.SHA256, pdf.SHA256)
		}
		r := iep.Response{DistrictID: districtID, PlanID: planID, VersionID: v.ID, VersionSHA256: v.SHA256,
			GuardianID: guardian, StudentID: student, Decision: in.Decision, RejectedSections: in.RejectedSections,
			RejectedServices: in.RejectedServices, Comments: in.Comments, RespondedOn: on, Signature: sig}
		ps.Nest("", r.Validate())
		if err := ps.Err(); err != nil {
			return err
		}
		if err := tx.CreateResponse(ctx, &r); err != nil {
			return err
		}
		var current []iep.Response
		for _, x := range append(prior, r) {
			if x.VersionID == v.ID {
				current = append(current, x)
			}
		}
		if err := c.applyResponses(ctx, tx, p, current, on); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventResponseReceived, planID, on, map[string]any{
			"decision": in.Decision, "response_id": r.ID, "version": v.Number, "method": sig.Method}); err != nil {
			return err
		}
		if err := c.audit(ctx, tx, "respond:"+string(in.Decision), "plan", planID); err != nil {
			return err
		}
		out.Response, out.Plan = r, *p
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out.Services, err = s.effectiveServices(ctx, districtID, c.student); err != nil {
		return nil, err
	}
	return &out, nil
}

// applyResponses sets the plan's status from the responses to its current version, and what
// follows from it: a plan in effect starts on the signature (unless it starts later), a plan
// accepted in full supersedes the plan it reviews or amends, and for an initial plan the
// consent to services is recorded (given, or refused).
func (c *step) applyResponses(ctx context.Context, tx *store.Tx, p *iep.Plan, rs []iep.Response, on date.Date) error {
	status, _, _ := iep.CombineResponses(rs)
	if status != p.Status {
		if err := iep.CheckTransition(p.Status, status); err != nil {
			return err
		}
	}
	p.Status = status
	if status.InEffect() && p.StartDate.IsZero() {
		p.StartDate = on
	}
	if err := tx.UpdatePlanHeader(ctx, p); err != nil {
		return err
	}
	if status == iep.StatusAccepted && p.PreviousPlanID != "" {
		prev, err := tx.GetPlan(ctx, c.district, p.PreviousPlanID)
		if err != nil {
			return err
		}
		if prev.Status.InEffect() {
			prev.Status = iep.StatusSuperseded
			if err := tx.UpdatePlanHeader(ctx, prev); err != nil {
				return err
			}
		}
	}
	if p.Kind != iep.PlanInitial || status == iep.StatusProposed {
		return nil
	}
	decision := iep.ConsentGranted
	if status == iep.StatusRejected {
		decision = iep.ConsentRefused
	}
	last := rs[len(rs)-1]
	con := iep.Consent{DistrictID: c.district, StudentID: c.student, PlanID: p.ID, Kind: iep.ConsentInitialServices,
		RequestedOn: on, GuardianID: last.GuardianID, Decision: decision, DecidedOn: on, Method: last.Signature.Method}
	if err := tx.CreateConsent(ctx, &con); err != nil {
		return err
	}
	if decision == iep.ConsentGranted {
		return c.event(ctx, tx, iep.EventServicesConsentReceived, p.ID, on, map[string]any{"consent_id": con.ID})
	}
	return nil
}

// RecordNoResponse records that the family did not answer within the pack's window, where the
// pack gives silence a meaning (MA: the proposal is rejected, 603 CMR 28.05(7)). Refused before
// the window has passed, and under a pack where silence means nothing.
func (s *Service) RecordNoResponse(ctx context.Context, a Actor, districtID, planID string) (*iep.Plan, error) {
	c, p, err := s.planStep(ctx, a, access.EditPlan, districtID, planID, iep.StepRecordSilence)
	if err != nil {
		return nil, err
	}
	pack, err := c.pack(ctx)
	if err != nil {
		return nil, err
	}
	var rule *rules.Rule
	for i := range pack.Rules {
		if pack.Rules[i].Silence == rules.SilenceRejection {
			rule = &pack.Rules[i]
		}
	}
	if rule == nil {
		return nil, iep.Errorf(iep.KindConflict, "cannot record no response: under the %s rules silence does not answer a proposal; keep asking the family", pack.ID)
	}
	events, err := s.db.ListEvents(ctx, districtID, c.student)
	if err != nil {
		return nil, err
	}
	var proposed date.Date
	for _, e := range events {
		if e.Kind == iep.EventPlanProposed && e.PlanID == planID {
			proposed = e.OccurredOn
		}
	}
	if due := proposed.AddDays(rule.Amount); !c.today.After(due) {
		return nil, iep.Errorf(iep.KindConflict, "cannot record no response: the family has until %s to answer", due)
	}
	v, err := s.db.GetVersion(ctx, districtID, planID, p.CurrentVersion)
	if err != nil {
		return nil, err
	}
	links, err := s.db.ListGuardians(ctx, districtID, c.student)
	if err != nil {
		return nil, err
	}
	r := iep.Response{DistrictID: districtID, PlanID: planID, VersionID: v.ID, VersionSHA256: v.SHA256,
		Decision: iep.NoResponse, RespondedOn: c.today}
	for _, l := range links {
		if l.Link.HoldsEducationalRights && r.GuardianID == "" {
			r.GuardianID = l.Guardian.ID
		}
	}
	if r.GuardianID == "" {
		r.StudentID = c.student
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateResponse(ctx, &r); err != nil {
			return err
		}
		p.Status = iep.StatusRejected
		if err := tx.UpdatePlanHeader(ctx, p); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventResponseReceived, planID, c.today, map[string]any{"decision": iep.NoResponse, "response_id": r.ID}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "record_no_response", "plan", planID)
	})
	return p, err
}

// RevocationInput is a written revocation of consent: by the family in the portal, or staff
// recording the signed letter with its scan.
type RevocationInput struct {
	Kind       iep.ConsentKind `json:"kind"` // initial_services revokes all special education (300.300(b)(4))
	GuardianID string          `json:"guardian_id,omitempty"`
	Signature  SignatureInput  `json:"signature"`
}

// RevokeConsent records a revocation of consent, never retroactive. A revocation of consent to
// services starts the pack's clock to end them after prior written notice; the exit is then
// recorded with Exit.
func (s *Service) RevokeConsent(ctx context.Context, a Actor, districtID, studentID string, in RevocationInput) (*iep.Consent, error) {
	c, err := s.beginEither(ctx, a, access.RespondToPlan, access.EditPlan, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	var ps iep.Problems
	if !slices.Contains(iep.ConsentKinds, in.Kind) {
		ps = append(ps, iep.Problem{Field: "kind", Code: iep.CodeChoice})
	}
	guardian, _ := c.responder(ctx, in.GuardianID, &ps)
	cs, err := s.db.ListConsents(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	var con *iep.Consent
	for i := range cs {
		if cs[i].Kind == in.Kind && cs[i].Decision == iep.ConsentGranted {
			con = &cs[i]
		}
	}
	if con == nil && ps.Err() == nil {
		return nil, iep.Errorf(iep.KindConflict, "cannot revoke: no %s consent is given", strings.ReplaceAll(string(in.Kind), "_", " "))
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		sig, on := c.signature(ctx, tx, in.Signature, "", &ps)
		if err := ps.Err(); err != nil {
			return err
		}
		con.Decision, con.DecidedOn, con.Method = iep.ConsentRevoked, on, sig.Method
		if guardian != "" {
			con.GuardianID = guardian
		}
		if err := tx.UpdateConsent(ctx, con); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventConsentRevoked, con.PlanID, on, map[string]any{"consent_kind": in.Kind, "consent_id": con.ID}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "revoke_consent", "consent", con.ID)
	})
	return con, err
}

// ExitInput ends special education for a student.
type ExitInput struct {
	Reason iep.ExitReason `json:"reason"`
	On     date.Date      `json:"on,omitzero"` // default today
}

// Exit records that the student leaves special education: every plan in effect, proposed or
// rejected ends, a draft is cancelled, and the student's exit date and reason are set.
func (s *Service) Exit(ctx context.Context, a Actor, districtID, studentID string, in ExitInput) (*iep.Student, error) {
	c, err := s.begin(ctx, a, access.EditPlan, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	on := in.On
	if on.IsZero() {
		on = c.today
	}
	var ps iep.Problems
	if !slices.Contains(iep.ExitReasons, in.Reason) {
		ps = append(ps, iep.Problem{Field: "reason", Code: iep.CodeChoice})
	}
	if on.After(c.today) {
		ps = append(ps, iep.Problem{Field: "on", Code: iep.CodeInvalid, Detail: "a date in the future"})
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	st, err := s.db.GetStudent(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	if !st.ExitedOn.IsZero() {
		return nil, iep.Errorf(iep.KindConflict, "cannot exit: the student exited on %s", st.ExitedOn)
	}
	plans, err := s.db.ListPlans(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		for i := range plans {
			p := &plans[i]
			stp := iep.StepExit
			if p.Status == iep.StatusDraft {
				stp = iep.StepCancel
			}
			if iep.CheckPlanStep(p.Status, stp) != nil {
				continue // already ended, superseded or cancelled
			}
			full, err := tx.GetPlan(ctx, districtID, p.ID)
			if err != nil {
				return err
			}
			full.Status, _ = iep.PlanStepTarget(stp)
			if err := tx.UpdatePlanHeader(ctx, full); err != nil {
				return err
			}
		}
		st.ExitedOn, st.ExitReason = on, in.Reason
		if err := tx.UpdateStudent(ctx, st); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventExited, "", on, map[string]any{"reason": in.Reason}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "exit", auditStudent, studentID)
	})
	return st, err
}

// TransferInput is a student who moved in with an IEP from another district: the plan's
// sections as the family or the sending district gave them.
type TransferInput struct {
	FromDistrict  string          `json:"from_district"`
	FromState     string          `json:"from_state,omitempty"` // another state: an evaluation may follow (300.323(f))
	ReceivedOn    date.Date       `json:"received_on,omitzero"`
	CaseManagerID string          `json:"case_manager_id,omitempty"`
	Content       json.RawMessage `json:"content"` // the plan's sections (iep.Content)
}

// TransferIn starts a transfer plan: services comparable to the plan from the other district,
// proposed to the family without a meeting (300.323(e)-(f)) until the district adopts it or
// writes its own.
func (s *Service) TransferIn(ctx context.Context, a Actor, districtID, studentID string, in TransferInput) (*iep.Plan, error) {
	c, err := s.begin(ctx, a, access.EditPlan, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	if open, err := c.openPlan(ctx); err != nil {
		return nil, err
	} else if open != nil {
		return nil, iep.Errorf(iep.KindConflict, "cannot start a transfer plan: plan %s is %s", open.ID, open.Status)
	}
	st, err := s.db.GetStudent(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	p := iep.Plan{DistrictID: districtID, StudentID: studentID, Kind: iep.PlanTransfer, Status: iep.StatusDraft,
		SchoolID: st.SchoolID, CaseManagerID: in.CaseManagerID}
	if p.CaseManagerID == "" && a.Kind == ActorStaff {
		p.CaseManagerID = a.ID
	}
	var ps iep.Problems
	if strings.TrimSpace(in.FromDistrict) == "" {
		ps = append(ps, iep.Problem{Field: "from_district", Code: iep.CodeRequired})
	}
	if len(in.Content) > 0 {
		if err := json.Unmarshal(in.Content, &p.Content); err != nil {
			ps = append(ps, iep.Problem{Field: "content", Code: iep.CodeInvalid, Detail: err.Error()})
		}
	}
	ps.Nest("", p.Validate())
	if err := ps.Err(); err != nil {
		return nil, err
	}
	on := in.ReceivedOn
	if on.IsZero() {
		on = c.today
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreatePlan(ctx, &p, a.ID); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventTransferredIn, p.ID, on, map[string]any{"plan_id": p.ID, "interstate": in.FromState != ""}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "transfer_in", "plan", p.ID)
	})
	return &p, err
}

// ServicesInEffect returns the service lines the school must deliver to the student now.
func (s *Service) ServicesInEffect(ctx context.Context, a Actor, districtID, studentID string) ([]iep.EffectiveLine, error) {
	c, err := s.begin(ctx, a, access.ViewRecord, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	out, err := s.effectiveServices(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	return out, c.readAudit(ctx, "services", studentID)
}

// effectiveServices applies iep.EffectiveServices to the student's newest plan in effect, its
// responses, and the plan it reviews or amends.
func (s *Service) effectiveServices(ctx context.Context, districtID, studentID string) ([]iep.EffectiveLine, error) {
	plans, err := s.db.ListPlans(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	cur := newestInEffect(plans)
	out := []iep.EffectiveLine{}
	if cur == nil {
		return out, nil
	}
	lines, err := s.planServices(ctx, districtID, cur, true)
	return append(out, lines...), err
}

// planServices is iep.EffectiveServices of plan cur (in effect, so frozen): cur as frozen, minus
// what the family rejected (accepted in part), with the previous plan's lines for what was
// rejected; without the summer (ESY) lines unless summer.
func (s *Service) planServices(ctx context.Context, districtID string, cur *iep.Plan, summer bool) ([]iep.EffectiveLine, error) {
	frozen, err := s.frozen(ctx, districtID, cur.ID, cur.CurrentVersion)
	if err != nil {
		return nil, err
	}
	var sections []iep.SectionKind
	var rejected []string
	if cur.Status == iep.StatusAcceptedInPart {
		rs, err := s.db.ListResponses(ctx, districtID, cur.ID)
		if err != nil {
			return nil, err
		}
		var current []iep.Response
		for _, r := range rs {
			if r.VersionSHA256 == frozen.sha {
				current = append(current, r)
			}
		}
		_, sections, rejected = iep.CombineResponses(current)
	}
	var prev *iep.Content
	var prevID string
	if (len(sections) > 0 || len(rejected) > 0) && cur.PreviousPlanID != "" {
		pp, err := s.db.GetPlan(ctx, districtID, cur.PreviousPlanID)
		if err != nil {
			return nil, err
		}
		if pp.Status.InEffect() && pp.CurrentVersion > 0 {
			f, err := s.frozen(ctx, districtID, pp.ID, pp.CurrentVersion)
			if err != nil {
				return nil, err
			}
			c := f.plan.Content
			if !summer {
				c.ESY.Services = nil
			}
			prev, prevID = &c, pp.ID
		}
	}
	c := frozen.plan.Content
	if !summer {
		c.ESY.Services = nil
	}
	return iep.EffectiveServices(cur.ID, &c, sections, rejected, prevID, prev), nil
}

type frozenVersion struct {
	plan *iep.Plan
	sha  string
}

// frozen returns a plan's version as it was frozen.
func (s *Service) frozen(ctx context.Context, districtID, planID string, n int) (*frozenVersion, error) {
	v, err := s.db.GetVersion(ctx, districtID, planID, n)
	if err != nil {
		return nil, err
	}
	p, err := iep.Thaw(v)
	if err != nil {
		return nil, err
	}
	return &frozenVersion{plan: p, sha: v.SHA256}, nil
}

// ProcessView is a student's process: referrals, evaluations, eligibility, consents, notices,
// plans (headers), meetings, documents and the ledger.
type ProcessView struct {
	Referrals   []iep.Referral    `json:"referrals"`
	Evaluations []iep.Evaluation  `json:"evaluations"`
	Eligibility []iep.Eligibility `json:"eligibility"`
	Consents    []iep.Consent     `json:"consents"`
	Notices     []iep.Notice      `json:"notices"`
	Plans       []iep.Plan        `json:"plans"`
	Meetings    []iep.Meeting     `json:"meetings"`
	Documents   []iep.Document    `json:"documents"`
	Events      []iep.Event       `json:"events"`
}

// Process returns the student's process to whoever may view the record.
func (s *Service) Process(ctx context.Context, a Actor, districtID, studentID string) (*ProcessView, error) {
	c, err := s.begin(ctx, a, access.ViewRecord, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	var v ProcessView
	steps := []func() error{
		func() (err error) { v.Referrals, err = s.db.ListReferrals(ctx, districtID, studentID); return },
		func() (err error) { v.Evaluations, err = s.db.ListEvaluations(ctx, districtID, studentID); return },
		func() (err error) { v.Eligibility, err = s.db.ListEligibility(ctx, districtID, studentID); return },
		func() (err error) { v.Consents, err = s.db.ListConsents(ctx, districtID, studentID); return },
		func() (err error) { v.Notices, err = s.db.ListNotices(ctx, districtID, studentID); return },
		func() (err error) { v.Plans, err = s.db.ListPlans(ctx, districtID, studentID); return },
		func() (err error) { v.Meetings, err = s.db.ListMeetings(ctx, districtID, studentID); return },
		func() (err error) { v.Documents, err = s.db.ListDocuments(ctx, districtID, studentID); return },
		func() (err error) { v.Events, err = s.db.ListEvents(ctx, districtID, studentID); return },
	}
	for _, f := range steps {
		if err := f(); err != nil {
			return nil, err
		}
	}
	if a.IsFamily() { // the family sees drafts once shared
		v.Plans = slices.DeleteFunc(v.Plans, func(p iep.Plan) bool { return p.Status == iep.StatusDraft && p.SharedAt.IsZero() })
	}
	return &v, c.readAudit(ctx, "process", studentID)
}
