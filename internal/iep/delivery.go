package iep

import (
	"slices"
	"time"

	"github.com/openiep/openiep/internal/date"
)

// SessionStatus is what happened to a scheduled service session.
type SessionStatus string

const (
	SessionDelivered SessionStatus = "delivered"
	SessionMissed    SessionStatus = "missed"
	SessionMakeUp    SessionStatus = "make_up"
)

// MissedReason is why a session did not happen.
type MissedReason string

const (
	MissedStudentAbsent      MissedReason = "student_absent"
	MissedProviderAbsent     MissedReason = "provider_absent"
	MissedSchoolClosed       MissedReason = "school_closed"
	MissedStudentUnavailable MissedReason = "student_unavailable" // field trip, testing, discipline
	MissedProviderDuty       MissedReason = "provider_reassigned"
	MissedOther              MissedReason = "other"
)

// MissedReasons lists every reason.
var MissedReasons = []MissedReason{MissedStudentAbsent, MissedProviderAbsent, MissedSchoolClosed, MissedStudentUnavailable, MissedProviderDuty, MissedOther}

// ServiceLog is one logged session for one student. A group session is logged once and stored
// as one entry per student sharing a GroupSessionID.
type ServiceLog struct {
	ID               string        `json:"id"`
	DistrictID       string        `json:"district_id"`
	StudentID        string        `json:"student_id"`
	PlanID           string        `json:"plan_id"`
	ServiceLineID    string        `json:"service_line_id"`
	Date             date.Date     `json:"date"`
	Minutes          int           `json:"minutes"`
	Status           SessionStatus `json:"status"`
	MissedReason     MissedReason  `json:"missed_reason,omitempty"`
	MakeUpOf         string        `json:"make_up_of,omitempty"` // the missed log this one makes up
	GroupSessionID   string        `json:"group_session_id,omitempty"`
	GroupSize        int           `json:"group_size"`
	ProviderID       string        `json:"provider_id"`
	ActualProviderID string        `json:"actual_provider_id,omitempty"` // a substitute
	Note             string        `json:"note,omitempty"`
	Medicaid         Medicaid      `json:"medicaid"`
	LoggedAt         time.Time     `json:"logged_at"`
}

// Medicaid holds what school-based Medicaid billing needs, kept for export.
type Medicaid struct {
	Billable        bool   `json:"billable"`
	SupervisorID    string `json:"supervisor_id,omitempty"`
	OmitFromBilling bool   `json:"omit_from_billing"`
	OmitReason      string `json:"omit_reason,omitempty"`
}

// Validate reports what is wrong with l.
func (l *ServiceLog) Validate() error {
	var ps Problems
	ps.required("student_id", l.StudentID)
	ps.required("plan_id", l.PlanID)
	ps.required("service_line_id", l.ServiceLineID)
	ps.required("provider_id", l.ProviderID)
	if l.Date.IsZero() {
		ps.add("date", CodeRequired, "")
	}
	requiredChoice(&ps, "status", l.Status, []SessionStatus{SessionDelivered, SessionMissed, SessionMakeUp})
	switch l.Status {
	case SessionMissed:
		requiredChoice(&ps, "missed_reason", l.MissedReason, MissedReasons)
		if l.Minutes != 0 {
			ps.add("minutes", CodeRange, "0..0")
		}
	case SessionDelivered, SessionMakeUp:
		if l.Minutes < 1 || l.Minutes > 480 {
			ps.add("minutes", CodeRange, "1..480")
		}
	}
	if l.Status == SessionMakeUp {
		ps.required("make_up_of", l.MakeUpOf)
	}
	if l.GroupSize < 1 {
		ps.add("group_size", CodeRange, "1..30")
	}
	if l.Medicaid.OmitFromBilling {
		ps.required("medicaid.omit_reason", l.Medicaid.OmitReason)
	}
	return ps.Err()
}

// ProgressPoint is one measurement toward a goal.
type ProgressPoint struct {
	ID         string    `json:"id"`
	DistrictID string    `json:"district_id"`
	StudentID  string    `json:"student_id"`
	PlanID     string    `json:"plan_id"`
	GoalID     string    `json:"goal_id"`
	Date       date.Date `json:"date"`
	Value      float64   `json:"value"`
	Unit       string    `json:"unit"`
	Note       string    `json:"note,omitempty"`
	RecordedBy string    `json:"recorded_by"`
}

// Validate reports what is wrong with p.
func (p *ProgressPoint) Validate() error {
	var ps Problems
	ps.required("plan_id", p.PlanID)
	ps.required("goal_id", p.GoalID)
	if p.Date.IsZero() {
		ps.add("date", CodeRequired, "")
	}
	ps.required("unit", p.Unit)
	return ps.Err()
}

// ProgressRating is the rating of one goal in a progress report.
type ProgressRating string

const (
	RatingSufficient    ProgressRating = "sufficient"   // making sufficient progress to meet the goal
	RatingInsufficient  ProgressRating = "insufficient" // not making sufficient progress
	RatingMet           ProgressRating = "met"
	RatingNotIntroduced ProgressRating = "not_introduced"
)

// ProgressReport is the report of one reporting period to the family.
type ProgressReport struct {
	ID         string          `json:"id"`
	DistrictID string          `json:"district_id"`
	StudentID  string          `json:"student_id"`
	PlanID     string          `json:"plan_id"`
	Period     string          `json:"period"` // "Term 1 2026-2027"
	PeriodEnd  date.Date       `json:"period_end"`
	Entries    []ProgressEntry `json:"entries"`
	SentOn     date.Date       `json:"sent_on,omitzero"`
}

// ProgressEntry is one goal's rating and narrative in a report.
type ProgressEntry struct {
	GoalID    string         `json:"goal_id"`
	Rating    ProgressRating `json:"rating"`
	Narrative string         `json:"narrative"`
}

// Validate reports what is wrong with r.
func (r *ProgressReport) Validate() error {
	var ps Problems
	ps.required("plan_id", r.PlanID)
	ps.required("period", r.Period)
	if r.PeriodEnd.IsZero() {
		ps.add("period_end", CodeRequired, "")
	}
	for _, e := range r.Entries {
		requiredChoice(&ps, "entries.rating", e.Rating, []ProgressRating{RatingSufficient, RatingInsufficient, RatingMet, RatingNotIntroduced})
	}
	return ps.Err()
}

// Assignment names who delivers one service line of a student and when they see the student:
// the provider's schedule (Weekdays, ISO numbers 1 Monday to 5 Friday, and StartTime "09:30").
// An assignment is in force from StartsOn to EndsOn (zero: open).
type Assignment struct {
	ID            string         `json:"id"`
	DistrictID    string         `json:"district_id"`
	StudentID     string         `json:"student_id"`
	ServiceLineID string         `json:"service_line_id"`
	ProviderID    string         `json:"provider_id"`
	Weekdays      []time.Weekday `json:"weekdays,omitempty"`
	StartTime     string         `json:"start_time,omitempty"`
	StartsOn      date.Date      `json:"starts_on"`
	EndsOn        date.Date      `json:"ends_on,omitzero"`
	CreatedBy     string         `json:"created_by"`
}

// InForce reports whether the assignment is in force on day d.
func (a *Assignment) InForce(d date.Date) bool {
	return !d.Before(a.StartsOn) && (a.EndsOn.IsZero() || !d.After(a.EndsOn))
}

// On reports whether the provider's schedule has a session on day d's weekday.
func (a *Assignment) On(d date.Date) bool { return slices.Contains(a.Weekdays, d.Weekday()) }

// Validate reports what is wrong with a.
func (a *Assignment) Validate() error {
	var ps Problems
	ps.required("student_id", a.StudentID)
	ps.required("service_line_id", a.ServiceLineID)
	ps.required("provider_id", a.ProviderID)
	if a.StartsOn.IsZero() {
		ps.add("starts_on", CodeRequired, "")
	}
	if !a.EndsOn.IsZero() && a.EndsOn.Before(a.StartsOn) {
		ps.add("ends_on", CodeRange, "on or after starts_on")
	}
	for _, w := range a.Weekdays {
		if w < time.Monday || w > time.Friday {
			ps.add("weekdays", CodeInvalid, "Monday to Friday")
			break
		}
	}
	if a.StartTime != "" {
		if _, err := time.Parse("15:04", a.StartTime); err != nil || len(a.StartTime) != 5 {
			ps.add("start_time", CodeInvalid, "HH:MM")
		}
	}
	return ps.Err()
}
