package iep

import (
	"fmt"
	"time"

	"github.com/openiep/openiep/internal/date"
)

// TeamRole is the part a person plays on a plan's team (34 CFR 300.321).
type TeamRole string

const (
	TeamParent                  TeamRole = "parent"
	TeamStudent                 TeamRole = "student"
	TeamRegularEducationTeacher TeamRole = "regular_education_teacher"
	TeamSpecialEducationTeacher TeamRole = "special_education_teacher"
	TeamDistrictRepresentative  TeamRole = "district_representative"
	TeamEvaluationInterpreter   TeamRole = "evaluation_interpreter" // can interpret evaluation results
	TeamRelatedServiceProvider  TeamRole = "related_service_provider"
	TeamCaseManager             TeamRole = "case_manager"
	TeamLanguageInterpreter     TeamRole = "language_interpreter"
	TeamAgencyRepresentative    TeamRole = "agency_representative" // transition agencies
	TeamGuest                   TeamRole = "guest"                 // advocate, caretaker, outside provider
)

// TeamRoles lists every team role.
var TeamRoles = []TeamRole{TeamParent, TeamStudent, TeamRegularEducationTeacher, TeamSpecialEducationTeacher, TeamDistrictRepresentative, TeamEvaluationInterpreter, TeamRelatedServiceProvider, TeamCaseManager, TeamLanguageInterpreter, TeamAgencyRepresentative, TeamGuest}

// RequiredTeamRoles are the roles a meeting needs unless excused in writing; the regular
// education teacher only when the child is or may be in regular education, the student when
// transition is discussed (the rule pack says from which age).
var RequiredTeamRoles = []TeamRole{TeamParent, TeamRegularEducationTeacher, TeamSpecialEducationTeacher, TeamDistrictRepresentative, TeamEvaluationInterpreter}

// InvitedBy says who asked a guest to come.
type InvitedBy string

const (
	InvitedByFamily   InvitedBy = "family"
	InvitedByDistrict InvitedBy = "district"
)

// TeamMember is one person on a plan's team. Exactly one of StaffID, GuardianID, StudentID or
// GuestName says who it is.
type TeamMember struct {
	ID         string   `json:"id"`
	DistrictID string   `json:"district_id"`
	PlanID     string   `json:"plan_id"`
	Role       TeamRole `json:"role"`
	// Also lists further required roles this person fills (a special education teacher who also
	// interprets evaluations).
	Also       []TeamRole `json:"also,omitempty"`
	StaffID    string     `json:"staff_id,omitempty"`
	GuardianID string     `json:"guardian_id,omitempty"`
	StudentID  string     `json:"student_id,omitempty"`
	GuestName  string     `json:"guest_name,omitempty"`
	GuestTitle string     `json:"guest_title,omitempty"` // "advocate", "outside speech therapist"
	InvitedBy  InvitedBy  `json:"invited_by,omitempty"`
	// AnnouncedOn is when the district was told of a guest (the seed: tell the district in
	// advance when you bring someone).
	AnnouncedOn date.Date `json:"announced_on,omitzero"`
	Excusal     *Excusal  `json:"excusal,omitempty"`
}

// Excusal records a required member excused from a meeting in writing (34 CFR 300.321(e)).
type Excusal struct {
	AreaDiscussed  bool      `json:"area_discussed"`
	ParentAgreedOn date.Date `json:"parent_agreed_on"`          // written agreement (or consent, when the area is discussed)
	WrittenInputOn date.Date `json:"written_input_on,omitzero"` // the member's written input, when the area is discussed
	MeetingID      string    `json:"meeting_id,omitempty"`
}

// Fills reports whether m fills role r, as its role or one of its further ones.
func (m *TeamMember) Fills(r TeamRole) bool {
	if m.Role == r {
		return true
	}
	for _, a := range m.Also {
		if a == r {
			return true
		}
	}
	return false
}

// Validate reports what is wrong with m.
func (m *TeamMember) Validate() error {
	var ps Problems
	ps.required("plan_id", m.PlanID)
	requiredChoice(&ps, "role", m.Role, TeamRoles)
	who := 0
	for _, s := range []string{m.StaffID, m.GuardianID, m.StudentID, m.GuestName} {
		if s != "" {
			who++
		}
	}
	if who != 1 {
		ps.add("member", CodeInvalid, "exactly one of staff, guardian, student or guest name")
	}
	if m.GuestName != "" {
		requiredChoice(&ps, "invited_by", m.InvitedBy, []InvitedBy{InvitedByFamily, InvitedByDistrict})
	}
	if e := m.Excusal; e != nil {
		if e.ParentAgreedOn.IsZero() {
			ps.add("excusal.parent_agreed_on", CodeRequired, "")
		}
		if e.AreaDiscussed && e.WrittenInputOn.IsZero() {
			ps.add("excusal.written_input_on", CodeRequired, "")
		}
	}
	return ps.Err()
}

// MissingRoles returns the required roles that no member fills (a member excused in writing
// fills the role). needRegularTeacher
// and needStudent come from the student's facts and the rule pack.
func MissingRoles(members []TeamMember, needRegularTeacher, needStudent bool) []TeamRole {
	var missing []TeamRole
	check := func(r TeamRole) {
		// A member excused in writing (300.321(e)) still counts: the excusal is the record.
		for i := range members {
			if members[i].Fills(r) {
				return
			}
		}
		missing = append(missing, r)
	}
	for _, r := range RequiredTeamRoles {
		if r == TeamRegularEducationTeacher && !needRegularTeacher {
			continue
		}
		check(r)
	}
	if needStudent {
		check(TeamStudent)
	}
	return missing
}

// MeetingPurpose is why a meeting is held; a notice states it.
type MeetingPurpose string

const (
	PurposeEligibility  MeetingPurpose = "eligibility"
	PurposeInitialIEP   MeetingPurpose = "initial_iep"
	PurposeAnnualReview MeetingPurpose = "annual_review"
	PurposeReevaluation MeetingPurpose = "reevaluation"
	PurposeAmendment    MeetingPurpose = "amendment"
	PurposeTransition   MeetingPurpose = "transition"
	PurposePlacement    MeetingPurpose = "placement"
	PurposeOther        MeetingPurpose = "other"
)

// MeetingPurposes lists every purpose.
var MeetingPurposes = []MeetingPurpose{PurposeEligibility, PurposeInitialIEP, PurposeAnnualReview, PurposeReevaluation, PurposeAmendment, PurposeTransition, PurposePlacement, PurposeOther}

// MeetingStatus is where a meeting is.
type MeetingStatus string

const (
	MeetingProposed  MeetingStatus = "proposed" // a time offered to the family
	MeetingScheduled MeetingStatus = "scheduled"
	MeetingHeld      MeetingStatus = "held"
	MeetingCancelled MeetingStatus = "cancelled"
)

// MeetingStatuses lists every status.
var MeetingStatuses = []MeetingStatus{MeetingProposed, MeetingScheduled, MeetingHeld, MeetingCancelled}

// Meeting is a team meeting. A plan may take several; the one with Finalizes set is the one the
// plan's dates come from (WI DPI complaint 12-060).
type Meeting struct {
	ID                  string           `json:"id"`
	DistrictID          string           `json:"district_id"`
	StudentID           string           `json:"student_id"`
	PlanID              string           `json:"plan_id,omitempty"`
	Purposes            []MeetingPurpose `json:"purposes"`
	Status              MeetingStatus    `json:"status"`
	StartsAt            time.Time        `json:"starts_at"`
	DurationMinutes     int              `json:"duration_minutes"`
	Location            string           `json:"location,omitempty"`
	VideoLink           string           `json:"video_link,omitempty"`
	InterpreterLanguage string           `json:"interpreter_language,omitempty"`
	NoticeSentOn        date.Date        `json:"notice_sent_on,omitzero"`
	FamilyReply         FamilyReply      `json:"family_reply,omitempty"`
	ContactAttempts     []ContactAttempt `json:"contact_attempts,omitempty"`
	Attendance          []Attendance     `json:"attendance,omitempty"`
	Notes               string           `json:"notes,omitempty"`
	Finalizes           bool             `json:"finalizes"`
}

// FamilyReply is the family's answer to a meeting notice.
type FamilyReply string

const (
	ReplyNone              FamilyReply = ""
	ReplyAccepted          FamilyReply = "accepted"
	ReplyOtherTimeProposed FamilyReply = "other_time_proposed"
	ReplyDeclined          FamilyReply = "declined"
)

// ContactAttempt records a try to reach the family; enough of them allow a meeting without the
// parent (34 CFR 300.322(d)).
type ContactAttempt struct {
	At      time.Time   `json:"at"`
	Method  ContactKind `json:"method"`
	Outcome string      `json:"outcome"`
	ByStaff string      `json:"by_staff"`
}

// Attendance is whether one member came and how.
type Attendance struct {
	MemberID string `json:"member_id"`
	Present  bool   `json:"present"`
	Mode     string `json:"mode,omitempty"` // in_person, phone, video
	Signed   bool   `json:"signed"`         // attendance signature (never consent)
}

// Validate reports what is wrong with m.
func (m *Meeting) Validate() error {
	var ps Problems
	ps.required("student_id", m.StudentID)
	if len(m.Purposes) == 0 {
		ps.add("purposes", CodeRequired, "")
	}
	for _, p := range m.Purposes {
		checkChoice(&ps, "purposes", p, MeetingPurposes)
	}
	requiredChoice(&ps, "status", m.Status, MeetingStatuses)
	if m.StartsAt.IsZero() {
		ps.add("starts_at", CodeRequired, "")
	}
	if m.DurationMinutes < 0 || m.DurationMinutes > 600 {
		ps.add("duration_minutes", CodeRange, "0..600")
	}
	if m.Location == "" && m.VideoLink == "" {
		ps.add("location", CodeRequired, "")
	}
	for i, c := range m.ContactAttempts {
		requiredChoice(&ps, fmt.Sprintf("contact_attempts[%d].method", i), c.Method, ContactKinds)
	}
	if m.Finalizes && m.Status != MeetingHeld {
		ps.add("finalizes", CodeInvalid, "only a meeting that was held can finalize a plan")
	}
	return ps.Err()
}
