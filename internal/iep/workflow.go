package iep

import (
	"slices"

	"github.com/openiep/openiep/internal/date"
	"strings"
)

// The process as two state machines (DOMAIN.md §5): the evaluation, from the request for
// consent to the eligibility determination, and the plan, from the first draft to the plan in
// effect and its end. Each step of the process names the states it may start from; asking for a
// step in any other state is a KindConflict error that says what the step needs, so that an API
// client or a page can tell the person what to do instead.

// EvaluationStage is where an evaluation is.
type EvaluationStage string

const (
	StageConsentRequested EvaluationStage = "consent_requested" // notice sent, waiting for the parent's written consent
	StageConsentRefused   EvaluationStage = "consent_refused"   // the parent said no (300.300(a)(3)); the district may ask again
	StageEvaluating       EvaluationStage = "evaluating"        // consent given: the clock runs, assessments are done
	StageEvaluated        EvaluationStage = "evaluated"         // every assessment reported
	StageEligible         EvaluationStage = "eligible"          // the team found a disability and a need for special education
	StageNotEligible      EvaluationStage = "not_eligible"      // with its prior written notice
)

// EvaluationStages lists every stage.
var EvaluationStages = []EvaluationStage{StageConsentRequested, StageConsentRefused, StageEvaluating, StageEvaluated, StageEligible, StageNotEligible}

// evaluationMoves is the evaluation's state machine.
var evaluationMoves = map[EvaluationStage][]EvaluationStage{
	StageConsentRequested: {StageEvaluating, StageConsentRefused},
	StageConsentRefused:   {StageConsentRequested},
	StageEvaluating:       {StageEvaluated},
	StageEvaluated:        {StageEligible, StageNotEligible, StageEvaluating}, // reopened for another assessment
}

// CanMoveEvaluation reports whether an evaluation may move from one stage to another.
func CanMoveEvaluation(from, to EvaluationStage) bool {
	return slices.Contains(evaluationMoves[from], to)
}

// EvaluationStep is one step of the evaluation.
type EvaluationStep string

const (
	StepRecordEvaluationConsent EvaluationStep = "record_evaluation_consent" // granted or refused
	StepAskConsentAgain         EvaluationStep = "ask_consent_again"
	StepAssignAssessment        EvaluationStep = "assign_assessment"
	StepReportAssessment        EvaluationStep = "report_assessment"
	StepShareSummaries          EvaluationStep = "share_summaries"
	StepCompleteEvaluation      EvaluationStep = "complete_evaluation"
	StepDetermineEligibility    EvaluationStep = "determine_eligibility"
)

// EvaluationSteps lists every step, for the state-machine tests.
var EvaluationSteps = []EvaluationStep{StepRecordEvaluationConsent, StepAskConsentAgain, StepAssignAssessment, StepReportAssessment, StepShareSummaries, StepCompleteEvaluation, StepDetermineEligibility}

// evaluationStepFrom says in which stages each step may be taken. Assessments are assigned once
// consent is given (nothing is done to the child before it); summaries may be shared while
// assessments are still coming in.
var evaluationStepFrom = map[EvaluationStep][]EvaluationStage{
	StepRecordEvaluationConsent: {StageConsentRequested},
	StepAskConsentAgain:         {StageConsentRefused},
	StepAssignAssessment:        {StageEvaluating, StageEvaluated},
	StepReportAssessment:        {StageEvaluating},
	StepShareSummaries:          {StageEvaluating, StageEvaluated},
	StepCompleteEvaluation:      {StageEvaluating},
	StepDetermineEligibility:    {StageEvaluated},
}

// CheckEvaluationStep returns nil when step may be taken in stage, else a KindConflict error
// naming the stages it needs.
func CheckEvaluationStep(stage EvaluationStage, step EvaluationStep) error {
	from := evaluationStepFrom[step]
	if slices.Contains(from, stage) {
		return nil
	}
	return Errorf(KindConflict, "cannot %s: the evaluation is %s (this step needs it to be %s)",
		words(string(step)), words(string(stage)), joinWords(from))
}

// PlanStep is one step of a plan's life.
type PlanStep string

const (
	StepEditSection      PlanStep = "edit_section"
	StepComment          PlanStep = "comment"
	StepSuggestChange    PlanStep = "suggest_change"
	StepDecideSuggestion PlanStep = "decide_suggestion"
	StepShareDraft       PlanStep = "share_draft"
	StepRequestDraft     PlanStep = "request_draft"
	StepChangeTeam       PlanStep = "change_team"
	StepScheduleMeeting  PlanStep = "schedule_meeting"
	StepHoldMeeting      PlanStep = "hold_meeting"
	StepPropose          PlanStep = "propose"
	StepRespond          PlanStep = "respond"
	StepRecordSilence    PlanStep = "record_no_response"
	StepReopen           PlanStep = "reopen"
	StepCancel           PlanStep = "cancel"
	StepAmend            PlanStep = "amend"
	StepReview           PlanStep = "start_annual_review"
	StepRevokeServices   PlanStep = "revoke_consent_to_services"
	StepExit             PlanStep = "exit"
)

// PlanSteps lists every step, for the state-machine tests.
var PlanSteps = []PlanStep{StepEditSection, StepComment, StepSuggestChange, StepDecideSuggestion, StepShareDraft, StepRequestDraft, StepChangeTeam, StepScheduleMeeting, StepHoldMeeting, StepPropose, StepRespond, StepRecordSilence, StepReopen, StepCancel, StepAmend, StepReview, StepRevokeServices, StepExit}

// planStepFrom says in which statuses each step may be taken, and planStepTo where it leads
// (when it changes the status). Comments stay open while the family weighs the proposal; a
// response may come while the plan is proposed, or later to the same version (a second
// rights-holder, or the family accepting what it rejected).
var planStepFrom = map[PlanStep][]PlanStatus{
	StepEditSection:      {StatusDraft},
	StepComment:          {StatusDraft, StatusProposed},
	StepSuggestChange:    {StatusDraft},
	StepDecideSuggestion: {StatusDraft},
	StepShareDraft:       {StatusDraft},
	StepRequestDraft:     {StatusDraft},
	StepChangeTeam:       {StatusDraft, StatusProposed},
	StepScheduleMeeting:  {StatusDraft},
	StepHoldMeeting:      {StatusDraft},
	StepPropose:          {StatusDraft},
	StepRespond:          {StatusProposed, StatusAccepted, StatusAcceptedInPart, StatusRejected},
	StepRecordSilence:    {StatusProposed},
	StepReopen:           {StatusProposed, StatusRejected},
	StepCancel:           {StatusDraft},
	StepAmend:            {StatusAccepted, StatusAcceptedInPart},
	StepReview:           {StatusAccepted, StatusAcceptedInPart},
	StepRevokeServices:   {StatusAccepted, StatusAcceptedInPart},
	StepExit:             {StatusAccepted, StatusAcceptedInPart, StatusProposed, StatusRejected}, // a draft is cancelled
}

var planStepTo = map[PlanStep]PlanStatus{
	StepPropose:        StatusProposed,
	StepRecordSilence:  StatusRejected,
	StepReopen:         StatusDraft,
	StepCancel:         StatusCancelled,
	StepRevokeServices: StatusEnded,
	StepExit:           StatusEnded,
}

// CheckPlanStep returns nil when step may be taken on a plan with status s, else a KindConflict
// error that names the step, the status and the statuses the step needs.
func CheckPlanStep(s PlanStatus, step PlanStep) error {
	from, ok := planStepFrom[step]
	if !ok {
		return Errorf(KindInvalid, "unknown step %q", step)
	}
	if !slices.Contains(from, s) {
		return Errorf(KindConflict, "cannot %s: the plan is %s (this step needs it to be %s)",
			words(string(step)), words(string(s)), joinWords(from))
	}
	if to, moves := planStepTo[step]; moves && to != s {
		return CheckTransition(s, to)
	}
	return nil
}

// PlanStepTarget returns the status a step leads to, and false for a step that does not change
// it by itself (a response's status comes from CombineResponses).
func PlanStepTarget(step PlanStep) (PlanStatus, bool) {
	to, ok := planStepTo[step]
	return to, ok
}

func words(s string) string { return strings.ReplaceAll(s, "_", " ") }

func joinWords[T ~string](xs []T) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = words(string(x))
	}
	switch len(parts) {
	case 0:
		return "nothing"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " or " + parts[len(parts)-1]
}

// Responder is who answered: a guardian's id, or "student:" and the adult student's id.
func (r *Response) Responder() string {
	if r.GuardianID != "" {
		return r.GuardianID
	}
	return "student:" + r.StudentID
}

// CombineResponses reads the responses to one version of a plan (in the order they were given)
// as the plan's status and the parts not in effect. Each responder's latest response counts.
// The reading protects the plan the child already has: a part any rights-holder rejects is not
// in effect (the previous plan holds for it), a rejection in full by any of them rejects the
// plan, and silence counts as rejection only where the pack says so (the caller records a
// NoResponse only then). No response at all leaves the plan proposed.
func CombineResponses(rs []Response) (status PlanStatus, sections []SectionKind, services []string) {
	latest := map[string]*Response{}
	var order []string
	for i := range rs {
		who := rs[i].Responder()
		if _, seen := latest[who]; !seen {
			order = append(order, who)
		}
		latest[who] = &rs[i]
	}
	if len(order) == 0 {
		return StatusProposed, nil, nil
	}
	status = StatusAccepted
	for _, who := range order {
		r := latest[who]
		switch r.Decision {
		case RejectInFull, NoResponse:
			return StatusRejected, nil, nil
		case AcceptInPart:
			status = StatusAcceptedInPart
			for _, k := range r.RejectedSections {
				if !slices.Contains(sections, k) {
					sections = append(sections, k)
				}
			}
			for _, id := range r.RejectedServices {
				if !slices.Contains(services, id) {
					services = append(services, id)
				}
			}
		}
	}
	return status, sections, services
}

// EffectiveLine is a service line to deliver and the plan it comes from.
type EffectiveLine struct {
	ServiceLine
	PlanID string `json:"plan_id"`
	// Held is set when the line comes from the previous plan because the family rejected the
	// new plan's services or this line (34 CFR 300.518: the last agreed plan stays in force).
	Held bool `json:"held_from_previous"`
}

// EffectiveServices returns the service lines the school must deliver when plan cur (its
// content as frozen) is accepted with the given parts rejected: cur's lines minus the rejected
// ones, and for what was rejected, the previous accepted plan's lines (prev may be nil: an
// initial plan rejected in part leaves nothing in force for that part). ESY lines follow the same rule
// under the ESY section.
func EffectiveServices(curID string, cur *Content, rejectedSections []SectionKind, rejectedLines []string, prevID string, prev *Content) []EffectiveLine {
	var out []EffectiveLine
	add := func(ls []ServiceLine, sec SectionKind, prevLs func(*Content) []ServiceLine) {
		if slices.Contains(rejectedSections, sec) {
			if prev != nil {
				for _, l := range prevLs(prev) {
					out = append(out, EffectiveLine{ServiceLine: l, PlanID: prevID, Held: true})
				}
			}
			return
		}
		for _, l := range ls {
			if !slices.Contains(rejectedLines, l.ID) {
				out = append(out, EffectiveLine{ServiceLine: l, PlanID: curID})
				continue
			}
			if prev == nil {
				continue
			}
			for _, pl := range prevLs(prev) {
				if pl.ID == l.ID {
					out = append(out, EffectiveLine{ServiceLine: pl, PlanID: prevID, Held: true})
				}
			}
		}
	}
	add(cur.Services.Lines, SectionServices, func(c *Content) []ServiceLine { return c.Services.Lines })
	add(cur.ESY.Services, SectionESY, func(c *Content) []ServiceLine { return c.ESY.Services })
	return out
}

// ServiceLineIDs returns the ids of every service line of c (school year and ESY), which a
// partial acceptance may name.
func (c *Content) ServiceLineIDs() []string {
	var ids []string
	for _, l := range c.Services.Lines {
		ids = append(ids, l.ID)
	}
	for _, l := range c.ESY.Services {
		ids = append(ids, l.ID)
	}
	return ids
}

// DraftLate reports whether a draft the family asked for was not shared in time: the pack wants
// it n calendar days before the meeting on day (n = 0: no such rule), and it was requested
// (requested) but shared only on sharedOn (zero: never) after day - n.
func DraftLate(n int, requested bool, sharedOn, day date.Date) bool {
	if n <= 0 || !requested {
		return false
	}
	return sharedOn.IsZero() || sharedOn.After(day.AddDays(-n))
}
