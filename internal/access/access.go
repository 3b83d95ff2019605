// Package access is openiep's access policy: who may do what to one student's record, and to a
// district as a whole. It is pure: the caller loads the Facts (store.DB.AccessFacts) and the
// Principal (from the session), and Decide answers from them alone, with no I/O and no clock of
// its own.
//
// The policy rests on relationships, not only roles:
//
//   - a parent (34 CFR 300.30) sees their own child's record and responds to its plans, as long
//     as they hold educational rights for that child (FERPA 34 CFR 99.4, 99.5; 300.613); a
//     guardian whose rights a court removed sees nothing, not even that the record exists;
//   - at the age of majority the rights transfer to the student (34 CFR 300.520, FERPA 99.5(a)):
//     the student then views the record and responds; the parents lose access unless the adult
//     student shares it with them (view only);
//   - staff see what their part in the child's education needs ("legitimate educational
//     interest", FERPA 34 CFR 99.31(a)(1), 99.3 "education records"): the plan's team and the
//     case manager view and edit, an assigned provider views and logs services, other staff of
//     the student's school see only the directory-level view (name, grade, school);
//   - district administrators and district representatives may do everything in their district
//     except respond to a plan, which only the family does;
//   - a state viewer sees aggregates, never a name;
//   - a staff member may be given time-limited access to one student (a substitute): a Grant.
//
// Anyone outside the student's district, and any guardian or student with no relationship to
// this student, gets a Decision with Hide set: the caller answers "not found", so that guessing
// ids teaches nothing.
package access

import (
	"slices"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// PrincipalKind is the kind of party asking.
type PrincipalKind string

const (
	Anonymous   PrincipalKind = "anonymous" // nobody signed in
	Staff       PrincipalKind = "staff"     // an employee or contractor of a district (iep.Staff)
	Guardian    PrincipalKind = "guardian"  // a parent or guardian (iep.Guardian)
	Student     PrincipalKind = "student"   // a student, speaking for themselves
	StateViewer PrincipalKind = "state_viewer"
)

// Principal is who asks. For staff, Roles and SchoolIDs come from their iep.Staff row (empty
// SchoolIDs: district-wide staff). A state viewer's DistrictID is empty for a viewer of every
// district of the deployment (a state deployment is one state), or names the one district they
// may see.
type Principal struct {
	Kind       PrincipalKind
	ID         string // staff, guardian or student id; empty for anonymous
	DistrictID string
	Roles      []iep.StaffRole
	SchoolIDs  []string
}

func (p Principal) has(r iep.StaffRole) bool { return slices.Contains(p.Roles, r) }

// Action is what the principal wants to do.
type Action string

const (
	ViewDirectory  Action = "view_directory"  // name, grade, school: the directory-level view
	ViewRecord     Action = "view_record"     // the whole record: plans, evaluations, guardians, logs
	EditPlan       Action = "edit_plan"       // write a draft, change the team, meetings, notices
	LogService     Action = "log_service"     // record a service session or progress data
	RespondToPlan  Action = "respond_to_plan" // accept, reject, sign: the family's answer
	ViewAudit      Action = "view_audit"      // the record of access (300.614, FERPA 99.32)
	ManageDistrict Action = "manage_district" // staff, schools, calendars, grants
	ViewAggregates Action = "view_aggregates" // counts and indicators without names
	// ViewCaseload is a district-wide list of the students whose plans one case manager manages
	// (what is due on their caseload): administrators see every caseload, a case manager their
	// own (Decision.Scope.OwnCaseload).
	ViewCaseload Action = "view_caseload"
	// Participate is taking part in writing the plan as a member of its team: comments, the
	// family's concerns and vision, suggested changes, answers to meeting notices, guests
	// announced, an outside evaluation brought in. The family does it as well as staff.
	Participate Action = "participate"
	// WriteEvaluation is reporting on an assessment of an evaluation; the app lets an evaluator
	// report only the areas assigned to them.
	WriteEvaluation Action = "write_evaluation"
)

// Actions lists every action. A new action must be added here, and the tests then require an
// expected decision for it for every kind of actor.
var Actions = []Action{ViewDirectory, ViewRecord, EditPlan, LogService, RespondToPlan, ViewAudit, ManageDistrict, ViewAggregates, ViewCaseload, Participate, WriteEvaluation}

// GuardianLink is one guardian of the student and whether they hold educational rights for
// this student (iep.StudentGuardian.HoldsEducationalRights).
type GuardianLink struct {
	GuardianID             string
	HoldsEducationalRights bool
}

// DefaultMajorityAge is the age of majority when the rule pack does not say (most states: 18).
const DefaultMajorityAge = 18

// Facts is everything the policy needs to know about one student's record, and nothing else.
type Facts struct {
	DistrictID string
	SchoolID   string
	StudentID  string
	BirthDate  date.Date
	// MajorityAge is the rule pack's age of majority (300.520(a)); 0 means DefaultMajorityAge.
	MajorityAge int
	// RightsRetained is set when the rights do not transfer at majority: the student was
	// determined not to have the ability to give informed consent (300.520(b)) or a court
	// appointed a guardian for the adult student.
	RightsRetained bool
	Guardians      []GuardianLink
	// SharedWith are the guardians the adult student shares their record with (view only).
	SharedWith []string
	// ViewSharedBy is the guardian who lets the student read their own record before the age of
	// majority (read only; honoured while that guardian holds the rights); "" for nobody.
	ViewSharedBy string
	// TeamStaffIDs are the staff on the teams of the student's current and draft plans.
	TeamStaffIDs []string
	// ProviderStaffIDs are the staff assigned to deliver one of the student's services.
	ProviderStaffIDs []string
	// EvaluatorStaffIDs are the staff assigned an assessment of an active evaluation of the
	// student. (An evaluation's case manager is counted in TeamStaffIDs.)
	EvaluatorStaffIDs []string
	CaseManagerID     string
	// Grants are the time-limited grants on this student; Decide checks each against Now.
	Grants []Grant
	// Now is the instant of the request, in the district's time zone: its civil date is the day
	// on which the student's age is counted.
	Now time.Time
}

// RightsTransferred reports whether the parent's rights have passed to the student: the student
// has reached the age of majority on the civil date of Now, and the rights were not retained.
func (f *Facts) RightsTransferred() bool {
	if f.RightsRetained || f.BirthDate.IsZero() {
		return false
	}
	age := f.MajorityAge
	if age <= 0 {
		age = DefaultMajorityAge
	}
	return f.BirthDate.AgeOn(date.Of(f.Now)) >= age
}

// Reason is a stable code naming what a decision rests on: the relationship that allowed it, or
// the principal's relationship (or lack of one) when it was refused.
type Reason string

const (
	ReasonAnonymous          Reason = "anonymous"
	ReasonOtherDistrict      Reason = "other_district"
	ReasonNoRelationship     Reason = "no_relationship"
	ReasonGuardianWithRights Reason = "guardian_with_rights"
	ReasonNoEducationRights  Reason = "no_educational_rights"
	ReasonRightsTransferred  Reason = "rights_transferred" // the parent after transfer, not shared
	ReasonSharedByStudent    Reason = "shared_by_student"  // the parent after transfer, shared
	ReasonAdultStudent       Reason = "adult_student"
	ReasonStudentMinor       Reason = "student_minor"
	ReasonSharedWithStudent  Reason = "shared_with_student" // a minor reading what a parent shared
	ReasonDistrictAdmin      Reason = "district_admin"
	ReasonDistrictRep        Reason = "district_representative"
	ReasonCaseManager        Reason = "case_manager"
	ReasonTeamMember         Reason = "team_member"
	ReasonProvider           Reason = "assigned_provider"
	ReasonEvaluator          Reason = "assigned_evaluator"
	ReasonGrantWrite         Reason = "grant_write"
	ReasonGrantRead          Reason = "grant_read"
	ReasonGrantExpired       Reason = "grant_expired" // a grant exists but is not active now (expired, revoked, not begun)
	ReasonSchoolStaff        Reason = "school_staff"
	ReasonDistrictStaff      Reason = "district_staff" // district-level decisions for other staff
	ReasonStateViewer        Reason = "state_viewer"
	ReasonFamily             Reason = "family" // district-level decisions for guardians and students
)

// Decision is the policy's answer. Hide means the caller must answer "not found", never
// "forbidden": the principal must not learn that the record exists. Scope is set by
// DecideDistrict only.
type Decision struct {
	Allowed bool
	Hide    bool
	Reason  Reason
	Scope   Scope
}

// Err returns nil when allowed, an error of kind iep.KindNotFound when hidden (for an anonymous
// principal too: the caller turns that into a sign-in), else one of kind iep.KindForbidden.
func (d Decision) Err() error {
	switch {
	case d.Allowed:
		return nil
	case d.Hide:
		return iep.Errorf(iep.KindNotFound, "not found")
	}
	return iep.Errorf(iep.KindForbidden, "forbidden (%s)", d.Reason)
}

func allow(r Reason) Decision  { return Decision{Allowed: true, Reason: r} }
func deny(r Reason) Decision   { return Decision{Reason: r} }
func hidden(r Reason) Decision { return Decision{Hide: true, Reason: r} }

// set is a set of actions.
type set map[Action]bool

func of(as ...Action) set {
	s := set{}
	for _, a := range as {
		s[a] = true
	}
	return s
}

// What each relationship allows. Staff relationships add up: a provider on the team may view,
// edit and log.
var (
	familyActs      = of(ViewDirectory, ViewRecord, RespondToPlan, ViewAudit, Participate) // 300.613, 99.10, 99.32(c), 300.322
	sharedActs      = of(ViewDirectory, ViewRecord)
	studentViewActs = of(ViewDirectory, ViewRecord) // what a parent lets a minor student read of their own record
	adminActs       = of(ViewDirectory, ViewRecord, EditPlan, LogService, ViewAudit, ManageDistrict, ViewAggregates, ViewCaseload, Participate, WriteEvaluation)
	teamActs        = of(ViewDirectory, ViewRecord, EditPlan, Participate, WriteEvaluation)
	providerActs    = of(ViewDirectory, ViewRecord, LogService)
	evaluatorActs   = of(ViewDirectory, ViewRecord, WriteEvaluation, Participate)
	writeActs       = of(ViewDirectory, ViewRecord, EditPlan, LogService, Participate, WriteEvaluation)
	readActs        = of(ViewDirectory, ViewRecord)
	schoolActs      = of(ViewDirectory) // directory information, FERPA 99.3, 99.37
)

// Decide says whether p may do a to the record of the student f describes. ManageDistrict and
// ViewAggregates are district-wide: Decide allows them to the same principals DecideDistrict
// does (administrators; the state viewer, aggregates only), and refuses them to the others by
// their relationship to this student (hidden only from those who may not know it exists).
// Staff with no school (district-wide staff) count as staff of every school.
func Decide(p Principal, a Action, f Facts) Decision {
	if p.Kind == Anonymous || (p.Kind != StateViewer && p.ID == "") {
		return hidden(ReasonAnonymous)
	}
	if p.Kind == StateViewer {
		if p.DistrictID != "" && p.DistrictID != f.DistrictID {
			return hidden(ReasonOtherDistrict)
		}
		if a == ViewAggregates {
			return allow(ReasonStateViewer)
		}
		return hidden(ReasonStateViewer) // never a name: not even whether this id exists
	}
	if p.DistrictID != f.DistrictID {
		return hidden(ReasonOtherDistrict)
	}
	switch p.Kind {
	case Guardian:
		return decideGuardian(p, a, f)
	case Student:
		return decideStudent(p, a, f)
	case Staff:
		return decideStaff(p, a, f)
	}
	return hidden(ReasonNoRelationship)
}

func decideGuardian(p Principal, a Action, f Facts) Decision {
	i := slices.IndexFunc(f.Guardians, func(l GuardianLink) bool { return l.GuardianID == p.ID })
	switch {
	case i < 0:
		return hidden(ReasonNoRelationship)
	case !f.Guardians[i].HoldsEducationalRights:
		return hidden(ReasonNoEducationRights)
	case f.RightsTransferred() && slices.Contains(f.SharedWith, p.ID):
		return rule(sharedActs, a, ReasonSharedByStudent)
	case f.RightsTransferred():
		return deny(ReasonRightsTransferred)
	}
	return rule(familyActs, a, ReasonGuardianWithRights)
}

func decideStudent(p Principal, a Action, f Facts) Decision {
	switch {
	case p.ID != f.StudentID:
		return hidden(ReasonNoRelationship)
	case !f.RightsTransferred() && f.viewSharedByRightsHolder():
		return rule(studentViewActs, a, ReasonSharedWithStudent)
	case !f.RightsTransferred():
		return deny(ReasonStudentMinor)
	}
	return rule(familyActs, a, ReasonAdultStudent)
}

// viewSharedByRightsHolder reports whether a guardian who still holds the educational rights
// lets the minor student read their record.
func (f *Facts) viewSharedByRightsHolder() bool {
	return f.ViewSharedBy != "" && slices.ContainsFunc(f.Guardians, func(l GuardianLink) bool {
		return l.GuardianID == f.ViewSharedBy && l.HoldsEducationalRights
	})
}

func rule(s set, a Action, r Reason) Decision {
	if s[a] {
		return allow(r)
	}
	return deny(r)
}

// staffRelations returns what p is to the student, strongest first, with what each allows.
func staffRelations(p Principal, f Facts) (rels []Reason, acts []set) {
	add := func(ok bool, r Reason, s set) {
		if ok {
			rels, acts = append(rels, r), append(acts, s)
		}
	}
	add(p.has(iep.RoleAdministrator), ReasonDistrictAdmin, adminActs)
	add(p.has(iep.RoleDistrictRepresentative), ReasonDistrictRep, adminActs)
	add(f.CaseManagerID != "" && f.CaseManagerID == p.ID, ReasonCaseManager, teamActs)
	add(slices.Contains(f.TeamStaffIDs, p.ID), ReasonTeamMember, teamActs)
	add(slices.Contains(f.ProviderStaffIDs, p.ID), ReasonProvider, providerActs)
	add(slices.Contains(f.EvaluatorStaffIDs, p.ID), ReasonEvaluator, evaluatorActs)
	for _, g := range f.Grants {
		if g.StaffID != p.ID || g.StudentID != f.StudentID || !g.ActiveAt(f.Now) {
			continue
		}
		add(g.Scope == GrantWrite, ReasonGrantWrite, writeActs)
		add(g.Scope == GrantRead, ReasonGrantRead, readActs)
	}
	add(len(p.SchoolIDs) == 0 || slices.Contains(p.SchoolIDs, f.SchoolID), ReasonSchoolStaff, schoolActs)
	return rels, acts
}

func decideStaff(p Principal, a Action, f Facts) Decision {
	rels, acts := staffRelations(p, f)
	for i, s := range acts {
		if s[a] {
			return allow(rels[i])
		}
	}
	// Refused: say why, by the strongest relationship, or an expired grant, or none.
	for _, r := range rels {
		if r != ReasonSchoolStaff {
			return deny(r)
		}
	}
	for _, g := range f.Grants {
		if g.StaffID == p.ID && g.StudentID == f.StudentID {
			return deny(ReasonGrantExpired)
		}
	}
	if len(rels) > 0 {
		return deny(ReasonSchoolStaff)
	}
	return deny(ReasonNoRelationship)
}
