package iep

import (
	"fmt"
	"time"

	"github.com/openiep/openiep/internal/date"
)

// ReferralSource is who asked for an evaluation.
type ReferralSource string

const (
	ReferredByParent ReferralSource = "parent"
	ReferredBySchool ReferralSource = "school"
	ReferredByOther  ReferralSource = "other" // physician, early intervention (Part C), agency
)

// Referral is a request to evaluate a student for special education.
type Referral struct {
	ID         string         `json:"id"`
	DistrictID string         `json:"district_id"`
	StudentID  string         `json:"student_id"`
	ReferredOn date.Date      `json:"referred_on"`
	Source     ReferralSource `json:"source"`
	Reason     string         `json:"reason"`
	Areas      []string       `json:"areas,omitempty"` // suspected areas of need
	FromPartC  bool           `json:"from_part_c"`     // transition from early intervention at 3
}

// Validate reports what is wrong with r.
func (r *Referral) Validate() error {
	var ps Problems
	ps.required("student_id", r.StudentID)
	if r.ReferredOn.IsZero() {
		ps.add("referred_on", CodeRequired, "")
	}
	requiredChoice(&ps, "source", r.Source, []ReferralSource{ReferredByParent, ReferredBySchool, ReferredByOther})
	return ps.Err()
}

// EvaluationKind is the kind of evaluation.
type EvaluationKind string

const (
	EvaluationInitial     EvaluationKind = "initial"
	EvaluationReeval      EvaluationKind = "reevaluation"
	EvaluationIndependent EvaluationKind = "independent" // IEE at public expense
	EvaluationOutside     EvaluationKind = "outside"     // brought by the family
)

// Evaluation is a set of assessments done under one consent.
type Evaluation struct {
	ID         string         `json:"id"`
	DistrictID string         `json:"district_id"`
	StudentID  string         `json:"student_id"`
	ReferralID string         `json:"referral_id,omitempty"`
	Kind       EvaluationKind `json:"kind"`
	// Stage is where the evaluation is (see CheckEvaluationStep); outside evaluations are
	// stored evaluated.
	Stage         EvaluationStage `json:"stage"`
	CaseManagerID string          `json:"case_manager_id,omitempty"` // who runs the evaluation for the district
	// Source names who did an outside evaluation (the family's psychologist, a clinic).
	Source      string       `json:"source,omitempty"`
	ConsentID   string       `json:"consent_id,omitempty"`
	ConsentOn   date.Date    `json:"consent_on,omitzero"` // starts the evaluation clock
	Assessments []Assessment `json:"assessments"`
	CompletedOn date.Date    `json:"completed_on,omitzero"`
}

// Assessment is one area of an evaluation, assigned to an evaluator.
type Assessment struct {
	Area            string    `json:"area"` // academic, cognitive, speech_language, OT, PT, psychological, functional…
	EvaluatorID     string    `json:"evaluator_id,omitempty"`
	DueOn           date.Date `json:"due_on,omitzero"`
	CompletedOn     date.Date `json:"completed_on,omitzero"`
	Summary         string    `json:"summary,omitempty"`
	SummarySharedOn date.Date `json:"summary_shared_on,omitzero"` // given to the family before the meeting
	DocumentID      string    `json:"document_id,omitempty"`
}

// Validate reports what is wrong with e.
func (e *Evaluation) Validate() error {
	var ps Problems
	ps.required("student_id", e.StudentID)
	requiredChoice(&ps, "kind", e.Kind, []EvaluationKind{EvaluationInitial, EvaluationReeval, EvaluationIndependent, EvaluationOutside})
	checkChoice(&ps, "stage", e.Stage, EvaluationStages)
	if e.Kind == EvaluationOutside {
		ps.required("source", e.Source)
	}
	for i, a := range e.Assessments {
		f := fmt.Sprintf("assessments[%d].", i)
		ps.required(f+"area", a.Area)
		if !a.CompletedOn.IsZero() && !e.ConsentOn.IsZero() && a.CompletedOn.Before(e.ConsentOn) {
			ps.add(f+"completed_on", CodeDateOrder, "consent_on")
		}
	}
	if !e.CompletedOn.IsZero() && !e.ConsentOn.IsZero() && e.CompletedOn.Before(e.ConsentOn) {
		ps.add("completed_on", CodeDateOrder, "consent_on")
	}
	return ps.Err()
}

// Eligibility is the team's determination after an evaluation.
type Eligibility struct {
	ID           string       `json:"id"`
	DistrictID   string       `json:"district_id"`
	StudentID    string       `json:"student_id"`
	EvaluationID string       `json:"evaluation_id"`
	DeterminedOn date.Date    `json:"determined_on"`
	Eligible     bool         `json:"eligible"`
	Disabilities []Disability `json:"disabilities,omitempty"`
	Basis        string       `json:"basis"` // why: the disability, its effect on progress, the need for specialized instruction
}

// Validate reports what is wrong with e.
func (e *Eligibility) Validate() error {
	var ps Problems
	ps.required("student_id", e.StudentID)
	ps.required("evaluation_id", e.EvaluationID)
	if e.DeterminedOn.IsZero() {
		ps.add("determined_on", CodeRequired, "")
	}
	if e.Eligible && len(e.Disabilities) == 0 {
		ps.add("disabilities", CodeRequired, "")
	}
	for i, d := range e.Disabilities {
		requiredChoice(&ps, fmt.Sprintf("disabilities[%d].category", i), d.Category, DisabilityCategories)
	}
	ps.required("basis", e.Basis)
	return ps.Err()
}

// ConsentKind is what a consent is for (34 CFR 300.300; MA also each new placement).
type ConsentKind string

const (
	ConsentInitialEvaluation ConsentKind = "initial_evaluation"
	ConsentInitialServices   ConsentKind = "initial_services" // separate from the evaluation consent
	ConsentReevaluation      ConsentKind = "reevaluation"
	ConsentPlacement         ConsentKind = "placement"
	ConsentExcusal           ConsentKind = "excusal"
	ConsentMedicaidBilling   ConsentKind = "medicaid_billing"
	ConsentRecordsRelease    ConsentKind = "records_release"
)

// ConsentKinds lists every kind.
var ConsentKinds = []ConsentKind{ConsentInitialEvaluation, ConsentInitialServices, ConsentReevaluation, ConsentPlacement, ConsentExcusal, ConsentMedicaidBilling, ConsentRecordsRelease}

// ConsentDecision is the family's answer.
type ConsentDecision string

const (
	ConsentPending ConsentDecision = "pending"
	ConsentGranted ConsentDecision = "granted"
	ConsentRefused ConsentDecision = "refused"
	ConsentRevoked ConsentDecision = "revoked" // in writing, never retroactive
)

// Consent is a written consent request and its answer.
type Consent struct {
	ID          string          `json:"id"`
	DistrictID  string          `json:"district_id"`
	StudentID   string          `json:"student_id"`
	PlanID      string          `json:"plan_id,omitempty"`
	Kind        ConsentKind     `json:"kind"`
	RequestedOn date.Date       `json:"requested_on"`
	GuardianID  string          `json:"guardian_id,omitempty"` // or the adult student
	Decision    ConsentDecision `json:"decision"`
	DecidedOn   date.Date       `json:"decided_on,omitzero"`
	Method      string          `json:"method,omitempty"` // electronic, paper
	Note        string          `json:"note,omitempty"`
}

// Validate reports what is wrong with c.
func (c *Consent) Validate() error {
	var ps Problems
	ps.required("student_id", c.StudentID)
	requiredChoice(&ps, "kind", c.Kind, ConsentKinds)
	if c.RequestedOn.IsZero() {
		ps.add("requested_on", CodeRequired, "")
	}
	requiredChoice(&ps, "decision", c.Decision, []ConsentDecision{ConsentPending, ConsentGranted, ConsentRefused, ConsentRevoked})
	if c.Decision != ConsentPending {
		if c.DecidedOn.IsZero() {
			ps.add("decided_on", CodeRequired, "")
		} else if c.DecidedOn.Before(c.RequestedOn) {
			ps.add("decided_on", CodeDateOrder, "requested_on")
		}
	}
	return ps.Err()
}

// NoticeKind is the kind of written notice sent to a family.
type NoticeKind string

const (
	NoticePriorWritten         NoticeKind = "prior_written_notice" // 300.503
	NoticeMeeting              NoticeKind = "meeting_notice"       // 300.322
	NoticeEvaluationConsent    NoticeKind = "evaluation_consent_request"
	NoticeProceduralSafeguards NoticeKind = "procedural_safeguards" // 300.504
	NoticeRightsTransfer       NoticeKind = "rights_transfer"       // 300.520
	NoticeProgressReport       NoticeKind = "progress_report"
	NoticeProposedPlan         NoticeKind = "proposed_plan"
)

// NoticeKinds lists every kind.
var NoticeKinds = []NoticeKind{NoticePriorWritten, NoticeMeeting, NoticeEvaluationConsent, NoticeProceduralSafeguards, NoticeRightsTransfer, NoticeProgressReport, NoticeProposedPlan}

// Notice is a notice sent to a family, in their language. A prior written notice fills the
// seven elements of 300.503(b).
type Notice struct {
	ID          string     `json:"id"`
	DistrictID  string     `json:"district_id"`
	StudentID   string     `json:"student_id"`
	PlanID      string     `json:"plan_id,omitempty"`
	Kind        NoticeKind `json:"kind"`
	Language    string     `json:"language"`
	SentOn      date.Date  `json:"sent_on,omitzero"`
	DeliveredBy string     `json:"delivered_by,omitempty"` // email, portal, mail, hand
	// Prior written notice elements.
	Action            string `json:"action,omitempty"`             // what the district proposes or refuses
	Reasons           string `json:"reasons,omitempty"`            // why
	BasedOn           string `json:"based_on,omitempty"`           // each evaluation, record or report used
	OptionsConsidered string `json:"options_considered,omitempty"` // and why they were rejected
	OtherFactors      string `json:"other_factors,omitempty"`
	Safeguards        string `json:"safeguards,omitempty"`   // that the parent has protections, and how to get a copy
	HelpSources       string `json:"help_sources,omitempty"` // where to get help understanding it
}

// Validate reports what is wrong with n.
func (n *Notice) Validate() error {
	var ps Problems
	ps.required("student_id", n.StudentID)
	requiredChoice(&ps, "kind", n.Kind, NoticeKinds)
	ps.required("language", n.Language)
	if n.Kind == NoticePriorWritten {
		ps.required("action", n.Action)
		ps.required("reasons", n.Reasons)
		ps.required("based_on", n.BasedOn)
		ps.required("options_considered", n.OptionsConsidered)
		ps.required("safeguards", n.Safeguards)
		ps.required("help_sources", n.HelpSources)
	}
	return ps.Err()
}

// ResponseDecision is the parent's answer to a proposed plan.
type ResponseDecision string

const (
	AcceptInFull ResponseDecision = "accept"
	RejectInFull ResponseDecision = "reject"
	AcceptInPart ResponseDecision = "accept_in_part"
	// NoResponse is recorded when the pack's window passes in silence (MA: counts as rejection).
	NoResponse ResponseDecision = "no_response"
)

// Response is one guardian's (or the adult student's) answer to one frozen version of a plan.
type Response struct {
	ID               string            `json:"id"`
	DistrictID       string            `json:"district_id"`
	PlanID           string            `json:"plan_id"`
	VersionID        string            `json:"version_id"`
	VersionSHA256    string            `json:"version_sha256"`
	GuardianID       string            `json:"guardian_id,omitempty"`
	StudentID        string            `json:"student_id,omitempty"` // when the adult student responds
	Decision         ResponseDecision  `json:"decision"`
	RejectedSections []SectionKind     `json:"rejected_sections,omitempty"`
	RejectedServices []string          `json:"rejected_services,omitempty"` // service line ids
	Comments         map[string]string `json:"comments,omitempty"`          // per rejected section or line id
	RespondedOn      date.Date         `json:"responded_on"`
	Signature        *Signature        `json:"signature,omitempty"`
}

// Signature is a signature on a response: electronic by the signed-in person, or a paper
// signature recorded by staff with the scanned page.
type Signature struct {
	Method      string    `json:"method"` // electronic, paper
	TypedName   string    `json:"typed_name"`
	Attestation string    `json:"attestation"`
	SignedAt    time.Time `json:"signed_at"`
	FromAddress string    `json:"from_address,omitempty"` // network address of an electronic signature
	RecordedBy  string    `json:"recorded_by,omitempty"`  // staff id, for paper
	ScanID      string    `json:"scan_id,omitempty"`
	PDFSHA256   string    `json:"pdf_sha256,omitempty"` // the exact PDF shown, kept byte for byte
	// PDFDocumentID is the kept document whose SHA-256 is PDFSHA256.
	PDFDocumentID string `json:"pdf_document_id,omitempty"`
}

// Validate reports what is wrong with r.
func (r *Response) Validate() error {
	var ps Problems
	ps.required("plan_id", r.PlanID)
	ps.required("version_id", r.VersionID)
	ps.required("version_sha256", r.VersionSHA256)
	if (r.GuardianID == "") == (r.StudentID == "") {
		ps.add("guardian_id", CodeInvalid, "exactly one of guardian or adult student responds")
	}
	requiredChoice(&ps, "decision", r.Decision, []ResponseDecision{AcceptInFull, RejectInFull, AcceptInPart, NoResponse})
	if r.Decision == AcceptInPart && len(r.RejectedSections) == 0 && len(r.RejectedServices) == 0 {
		ps.add("rejected_sections", CodeRequired, "")
	}
	if r.Decision != AcceptInPart && (len(r.RejectedSections) > 0 || len(r.RejectedServices) > 0) {
		ps.add("rejected_sections", CodeInvalid, "only a partial acceptance names rejected parts")
	}
	for _, k := range r.RejectedSections {
		checkChoice(&ps, "rejected_sections", k, Sections)
	}
	if r.RespondedOn.IsZero() {
		ps.add("responded_on", CodeRequired, "")
	}
	if r.Decision != NoResponse {
		if s := r.Signature; s == nil {
			ps.add("signature", CodeRequired, "")
		} else {
			ps.required("signature.typed_name", s.TypedName)
			requiredChoice(&ps, "signature.method", s.Method, []string{"electronic", "paper"})
			if s.Method == "paper" {
				ps.required("signature.scan_id", s.ScanID)
			}
		}
	}
	return ps.Err()
}

// RecordsRequest is a parent's request to inspect the education records (34 CFR 300.613).
type RecordsRequest struct {
	ID          string    `json:"id"`
	DistrictID  string    `json:"district_id"`
	StudentID   string    `json:"student_id"`
	GuardianID  string    `json:"guardian_id"`
	RequestedOn date.Date `json:"requested_on"`
	FulfilledOn date.Date `json:"fulfilled_on,omitzero"`
	Note        string    `json:"note,omitempty"`
}

// Validate reports what is wrong with r.
func (r *RecordsRequest) Validate() error {
	var ps Problems
	ps.required("student_id", r.StudentID)
	ps.required("guardian_id", r.GuardianID)
	if r.RequestedOn.IsZero() {
		ps.add("requested_on", CodeRequired, "")
	} else if !r.FulfilledOn.IsZero() && r.FulfilledOn.Before(r.RequestedOn) {
		ps.add("fulfilled_on", CodeDateOrder, "requested_on")
	}
	return ps.Err()
}
