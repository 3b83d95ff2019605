package iep

import (
	"encoding/json"
	"time"

	"github.com/openiep/openiep/internal/date"
)

// EventKind is a step of the process, recorded in the append-only ledger. The clocks are
// computed from these events, the school calendar and the rule pack. The vocabulary follows
// Ed-Fi 6.1's special-education events where they overlap.
type EventKind string

const (
	EventReferralReceived          EventKind = "referral_received"
	EventEvaluationNoticeSent      EventKind = "evaluation_notice_sent"
	EventEvaluationConsentReceived EventKind = "evaluation_consent_received"
	EventEvaluationConsentRefused  EventKind = "evaluation_consent_refused"
	EventAssessmentCompleted       EventKind = "assessment_completed"
	EventEvaluationCompleted       EventKind = "evaluation_completed"
	EventEligibilityDetermined     EventKind = "eligibility_determined"
	EventFoundNotEligible          EventKind = "found_not_eligible"
	EventTeamFormed                EventKind = "team_formed"
	EventMeetingNoticeSent         EventKind = "meeting_notice_sent"
	EventMeetingHeld               EventKind = "meeting_held"
	EventDraftShared               EventKind = "draft_shared"
	EventPlanFinalized             EventKind = "plan_finalized" // at the meeting that completes it
	EventPlanProposed              EventKind = "plan_proposed"
	EventResponseReceived          EventKind = "response_received"
	EventServicesConsentReceived   EventKind = "services_consent_received"
	EventServicesStarted           EventKind = "services_started"
	EventAmendmentAgreed           EventKind = "amendment_agreed"
	EventProgressReportSent        EventKind = "progress_report_sent"
	EventReevaluationConsent       EventKind = "reevaluation_consent_received"
	EventReevaluationCompleted     EventKind = "reevaluation_completed"
	EventRecordsRequested          EventKind = "records_requested"
	EventRecordsProvided           EventKind = "records_provided"
	EventRightsTransferNotice      EventKind = "rights_transfer_notice_given"
	EventRightsTransferred         EventKind = "rights_transferred"
	EventConsentRevoked            EventKind = "consent_revoked"
	EventClockPaused               EventKind = "clock_paused"
	EventClockResumed              EventKind = "clock_resumed"
	EventTransferredIn             EventKind = "transferred_in"
	EventExited                    EventKind = "exited"
	// Steps of the process that start or meet no clock, kept so that the ledger tells the whole
	// story (issue 5): who was assigned, what was shared, who answered.
	EventAssessmentAssigned     EventKind = "assessment_assigned"
	EventSummariesShared        EventKind = "summaries_shared"
	EventOutsideEvaluation      EventKind = "outside_evaluation_received"
	EventDraftStarted           EventKind = "draft_started"
	EventChangeSuggested        EventKind = "change_suggested"
	EventSuggestionDecided      EventKind = "suggestion_decided"
	EventMemberAdded            EventKind = "team_member_added"
	EventMemberExcused          EventKind = "team_member_excused"
	EventGuestAnnounced         EventKind = "guest_announced"
	EventDraftRequested         EventKind = "draft_requested" // the family asks to see the draft before the meeting
	EventMeetingReplyReceived   EventKind = "meeting_reply_received"
	EventFamilyContactAttempted EventKind = "family_contact_attempted"
	EventPlanReopened           EventKind = "plan_reopened"
	EventPlanCancelled          EventKind = "plan_cancelled"
)

// EventKinds lists every event kind.
var EventKinds = []EventKind{
	EventReferralReceived, EventEvaluationNoticeSent, EventEvaluationConsentReceived,
	EventEvaluationConsentRefused, EventAssessmentCompleted, EventEvaluationCompleted,
	EventEligibilityDetermined, EventFoundNotEligible, EventTeamFormed, EventMeetingNoticeSent,
	EventMeetingHeld, EventDraftShared, EventPlanFinalized, EventPlanProposed,
	EventResponseReceived, EventServicesConsentReceived, EventServicesStarted,
	EventAmendmentAgreed, EventProgressReportSent, EventReevaluationConsent,
	EventReevaluationCompleted, EventRecordsRequested, EventRecordsProvided,
	EventRightsTransferNotice, EventRightsTransferred, EventConsentRevoked, EventClockPaused,
	EventClockResumed, EventTransferredIn, EventExited,
	EventAssessmentAssigned, EventSummariesShared, EventOutsideEvaluation, EventDraftStarted,
	EventChangeSuggested, EventSuggestionDecided, EventMemberAdded, EventMemberExcused, EventGuestAnnounced, EventDraftRequested,
	EventMeetingReplyReceived, EventFamilyContactAttempted, EventPlanReopened, EventPlanCancelled,
}

// Event is one entry of the ledger. OccurredOn is the civil date the step happened (what the
// clocks count from); RecordedAt is when it was written.
type Event struct {
	ID         string          `json:"id"`
	DistrictID string          `json:"district_id"`
	StudentID  string          `json:"student_id"`
	PlanID     string          `json:"plan_id,omitempty"`
	Kind       EventKind       `json:"kind"`
	OccurredOn date.Date       `json:"occurred_on"`
	RecordedAt time.Time       `json:"recorded_at"`
	ActorID    string          `json:"actor_id,omitempty"` // staff, guardian or "system"
	Data       json.RawMessage `json:"data,omitempty"`     // the ids and facts of the step (never free text about the child)
}

// Validate reports what is wrong with e.
func (e *Event) Validate() error {
	var ps Problems
	ps.required("district_id", e.DistrictID)
	ps.required("student_id", e.StudentID)
	requiredChoice(&ps, "kind", e.Kind, EventKinds)
	if e.OccurredOn.IsZero() {
		ps.add("occurred_on", CodeRequired, "")
	}
	if len(e.Data) > 0 && !json.Valid(e.Data) {
		ps.add("data", CodeInvalid, "not JSON")
	}
	return ps.Err()
}
