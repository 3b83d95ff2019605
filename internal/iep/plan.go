package iep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/openiep/openiep/internal/date"
)

// PlanKind is why a plan was written.
type PlanKind string

const (
	PlanInitial   PlanKind = "initial"   // the first IEP after eligibility
	PlanAnnual    PlanKind = "annual"    // the yearly review
	PlanAmendment PlanKind = "amendment" // changes to the plan in effect, with or without a meeting (300.324(a)(4))
	PlanTransfer  PlanKind = "transfer"  // comparable services for a student who moved in (300.323(e)-(f))
	PlanReeval    PlanKind = "reevaluation"
)

// PlanKinds lists every kind.
var PlanKinds = []PlanKind{PlanInitial, PlanAnnual, PlanAmendment, PlanTransfer, PlanReeval}

// PlanStatus is where a plan is in its life. See CanTransition for the legal moves.
type PlanStatus string

const (
	StatusDraft          PlanStatus = "draft"            // the team is writing it; never binding
	StatusProposed       PlanStatus = "proposed"         // frozen and sent to the family, awaiting a response
	StatusAccepted       PlanStatus = "accepted"         // signed in full: in effect from its start date
	StatusAcceptedInPart PlanStatus = "accepted_in_part" // accepted parts in effect; the previous plan holds for the rest
	StatusRejected       PlanStatus = "rejected"         // rejected in full (or silence where the pack says so)
	StatusSuperseded     PlanStatus = "superseded"       // a later plan took effect
	StatusEnded          PlanStatus = "ended"            // expired, or the student exited
	StatusCancelled      PlanStatus = "cancelled"        // a draft abandoned before it was proposed
)

// PlanStatuses lists every status.
var PlanStatuses = []PlanStatus{StatusDraft, StatusProposed, StatusAccepted, StatusAcceptedInPart, StatusRejected, StatusSuperseded, StatusEnded, StatusCancelled}

// transitions is the plan's state machine.
var transitions = map[PlanStatus][]PlanStatus{
	StatusDraft: {StatusProposed, StatusCancelled},
	// A proposal is withdrawn (ended) when the student exits before the family answers.
	StatusProposed: {StatusAccepted, StatusAcceptedInPart, StatusRejected, StatusDraft, StatusEnded},
	// A rejected plan is revised (draft), abandoned (ended), or accepted later: a family may
	// change its mind while the version stands.
	StatusRejected: {StatusDraft, StatusEnded, StatusAccepted, StatusAcceptedInPart},
	// A plan in effect changes with a later response to the same version: the rest accepted,
	// or a second rights-holder rejecting a part (see CombineResponses).
	StatusAcceptedInPart: {StatusAccepted, StatusRejected, StatusSuperseded, StatusEnded},
	StatusAccepted:       {StatusAcceptedInPart, StatusRejected, StatusSuperseded, StatusEnded},
}

// CanTransition reports whether a plan may move from one status to another.
func CanTransition(from, to PlanStatus) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// CheckTransition returns a KindConflict error naming both statuses when the move is not allowed.
func CheckTransition(from, to PlanStatus) error {
	if CanTransition(from, to) {
		return nil
	}
	return Errorf(KindConflict, "a plan that is %s cannot become %s", from, to)
}

// InEffect reports whether a plan with this status binds the school (in full or in part).
func (s PlanStatus) InEffect() bool { return s == StatusAccepted || s == StatusAcceptedInPart }

// Frozen reports whether the plan's content can no longer be edited in place.
func (s PlanStatus) Frozen() bool { return s != StatusDraft }

// Plan is an IEP: its header (who, which kind, where it is, its dates) and its sections. While
// it is a draft each section is stored apart with its own revision, so two people editing
// different sections never collide.
type Plan struct {
	ID             string     `json:"id"`
	DistrictID     string     `json:"district_id"`
	StudentID      string     `json:"student_id"`
	Kind           PlanKind   `json:"kind"`
	Status         PlanStatus `json:"status"`
	PreviousPlanID string     `json:"previous_plan_id,omitempty"` // the plan this one reviews or amends
	CaseManagerID  string     `json:"case_manager_id,omitempty"`
	SchoolID       string     `json:"school_id"` // the school responsible when it was written
	StartDate      date.Date  `json:"start_date,omitzero"`
	EndDate        date.Date  `json:"end_date,omitzero"`
	MeetingDate    date.Date  `json:"meeting_date,omitzero"` // of the meeting that finalized it
	NextReviewDate date.Date  `json:"next_review_date,omitzero"`
	NextReevalDate date.Date  `json:"next_reevaluation_date,omitzero"`
	CurrentVersion int        `json:"current_version"` // 0 while never proposed
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	// SharedAt is when the draft was last shared with the family (zero: never); the family sees
	// a draft only once it is shared.
	SharedAt         time.Time           `json:"shared_at,omitzero"`
	Content          Content             `json:"content"`
	SectionRevisions map[SectionKind]int `json:"section_revisions,omitempty"`
}

// Validate reports what is wrong with the plan's header and each of its sections. A draft's
// sections may be incomplete (see DecodeDraftSection); any other plan's must be whole.
func (p *Plan) Validate() error {
	ps := p.headerProblems()
	content := p.Content.Problems()
	if p.Status == StatusDraft {
		content = content.WithoutMissing()
	}
	ps.nest("", content)
	return ps.Err()
}

// ValidateHeader reports what is wrong with the plan's header alone.
func (p *Plan) ValidateHeader() error { return p.headerProblems().Err() }

// ValidateForProposal reports what is wrong with the plan, every section required whole: what
// the team must finish before proposing a draft.
func (p *Plan) ValidateForProposal() error {
	ps := p.headerProblems()
	ps.nest("", p.Content.Problems())
	c := &p.Content
	// What every IEP must have (34 CFR 300.320(a)): goals, how progress is reported, services,
	// the placement, and the extended school year decision.
	if len(c.Goals.Goals) == 0 {
		ps.add("goals.goals", CodeRequired, "at least one goal")
	}
	if p.Kind != PlanTransfer && len(c.Services.Lines) == 0 {
		ps.add("services.lines", CodeRequired, "at least one service")
	}
	ps.required("progress_reporting.method", c.ProgressReporting.Method)
	ps.required("progress_reporting.frequency", c.ProgressReporting.Frequency)
	if c.Placement.EnvironmentCode == "" {
		ps.add("placement.environment_code", CodeRequired, "")
	}
	if c.ESY.Decision == "" {
		ps.add("esy.decision", CodeRequired, "")
	}
	return ps.Err()
}

func (p *Plan) headerProblems() Problems {
	var ps Problems
	ps.required("district_id", p.DistrictID)
	ps.required("student_id", p.StudentID)
	requiredChoice(&ps, "kind", p.Kind, PlanKinds)
	requiredChoice(&ps, "status", p.Status, PlanStatuses)
	if !p.StartDate.IsZero() && !p.EndDate.IsZero() && p.EndDate.Before(p.StartDate) {
		ps.add("end_date", CodeDateOrder, "start_date")
	}
	if p.Kind == PlanAmendment && p.PreviousPlanID == "" {
		ps.add("previous_plan_id", CodeRequired, "")
	}
	return ps
}

// Version is a frozen copy of a plan as it was proposed (or amended): its canonical content
// and the SHA-256 of it. Responses and signatures point at a version; the store refuses to
// change or delete one.
type Version struct {
	ID         string    `json:"id"`
	DistrictID string    `json:"district_id"`
	PlanID     string    `json:"plan_id"`
	Number     int       `json:"number"` // 1, 2, … per plan
	Canonical  []byte    `json:"canonical"`
	SHA256     string    `json:"sha256"` // hex of the SHA-256 of Canonical
	CreatedAt  time.Time `json:"created_at"`
	CreatedBy  string    `json:"created_by"`
}

// frozenPlan is what a version's canonical form holds: the header fields that bind, and every
// section. Field order is fixed by the struct, maps are sorted by encoding/json, so the same plan
// always yields the same bytes.
type frozenPlan struct {
	PlanID         string    `json:"plan_id"`
	StudentID      string    `json:"student_id"`
	Kind           PlanKind  `json:"kind"`
	Number         int       `json:"version"`
	StartDate      date.Date `json:"start_date"`
	EndDate        date.Date `json:"end_date"`
	MeetingDate    date.Date `json:"meeting_date"`
	NextReviewDate date.Date `json:"next_review_date"`
	NextReevalDate date.Date `json:"next_reevaluation_date"`
	Content        Content   `json:"content"`
}

// Freeze returns the canonical bytes of plan p as version number n, and their SHA-256 in hex.
func Freeze(p *Plan, n int) (canonical []byte, sum string, err error) {
	fp := frozenPlan{
		PlanID: p.ID, StudentID: p.StudentID, Kind: p.Kind, Number: n,
		StartDate: p.StartDate, EndDate: p.EndDate, MeetingDate: p.MeetingDate,
		NextReviewDate: p.NextReviewDate, NextReevalDate: p.NextReevalDate, Content: p.Content,
	}
	canonical, err = json.Marshal(fp)
	if err != nil {
		return nil, "", fmt.Errorf("freeze plan %s: %w", p.ID, err)
	}
	h := sha256.Sum256(canonical)
	return canonical, hex.EncodeToString(h[:]), nil
}

// VerifyVersion reports whether v's hash matches its canonical bytes.
func VerifyVersion(v *Version) bool {
	h := sha256.Sum256(v.Canonical)
	return hex.EncodeToString(h[:]) == v.SHA256
}

// Thaw decodes a version's canonical bytes back into the plan as it was frozen: its binding
// header fields and every section.
func Thaw(v *Version) (*Plan, error) {
	var fp frozenPlan
	if err := json.Unmarshal(v.Canonical, &fp); err != nil {
		return nil, fmt.Errorf("thaw plan %s version %d: %w", v.PlanID, v.Number, err)
	}
	return &Plan{ID: fp.PlanID, DistrictID: v.DistrictID, StudentID: fp.StudentID, Kind: fp.Kind,
		StartDate: fp.StartDate, EndDate: fp.EndDate, MeetingDate: fp.MeetingDate,
		NextReviewDate: fp.NextReviewDate, NextReevalDate: fp.NextReevalDate,
		CurrentVersion: fp.Number, Content: fp.Content}, nil
}
