package iep

import (
	"encoding/json"
	"fmt"

	"github.com/openiep/openiep/internal/date"
)

// SectionKind names a section of the plan. The order of Sections is the order of the federal
// form (34 CFR 300.320); a state's form order lives in its rule pack.
type SectionKind string

const (
	SectionConcerns          SectionKind = "concerns"           // family concerns and vision
	SectionPresentLevels     SectionKind = "present_levels"     // PLAAFP
	SectionGoals             SectionKind = "goals"              // measurable annual goals
	SectionProgressReporting SectionKind = "progress_reporting" // how and when progress is reported
	SectionServices          SectionKind = "services"           // special education, related services, aids, supports
	SectionAccommodations    SectionKind = "accommodations"     // classroom and testing
	SectionAssessments       SectionKind = "assessments"        // state and district assessments
	SectionPlacement         SectionKind = "placement"          // LRE, setting, time outside the regular class
	SectionTransportation    SectionKind = "transportation"
	SectionESY               SectionKind = "esy" // extended school year
	SectionTransition        SectionKind = "transition"
)

// Sections lists every section in form order.
var Sections = []SectionKind{
	SectionConcerns, SectionPresentLevels, SectionGoals, SectionProgressReporting, SectionServices,
	SectionAccommodations, SectionAssessments, SectionPlacement, SectionTransportation, SectionESY,
	SectionTransition,
}

// Content is every section of a plan.
type Content struct {
	Concerns          Concerns          `json:"concerns"`
	PresentLevels     PresentLevels     `json:"present_levels"`
	Goals             Goals             `json:"goals"`
	ProgressReporting ProgressReporting `json:"progress_reporting"`
	Services          Services          `json:"services"`
	Accommodations    Accommodations    `json:"accommodations"`
	Assessments       Assessments       `json:"assessments"`
	Placement         Placement         `json:"placement"`
	Transportation    Transportation    `json:"transportation"`
	ESY               ESY               `json:"esy"`
	Transition        Transition        `json:"transition"`
}

// Section returns a pointer to the section of kind k (for decoding into or validating it), or
// nil for an unknown kind.
func (c *Content) Section(k SectionKind) Section {
	switch k {
	case SectionConcerns:
		return &c.Concerns
	case SectionPresentLevels:
		return &c.PresentLevels
	case SectionGoals:
		return &c.Goals
	case SectionProgressReporting:
		return &c.ProgressReporting
	case SectionServices:
		return &c.Services
	case SectionAccommodations:
		return &c.Accommodations
	case SectionAssessments:
		return &c.Assessments
	case SectionPlacement:
		return &c.Placement
	case SectionTransportation:
		return &c.Transportation
	case SectionESY:
		return &c.ESY
	case SectionTransition:
		return &c.Transition
	}
	return nil
}

// Problems validates every section; fields are prefixed with the section kind.
func (c *Content) Problems() Problems {
	var ps Problems
	for _, k := range Sections {
		ps.nest(string(k)+".", c.Section(k).Problems())
	}
	return ps
}

// Section is one typed section of a plan.
type Section interface {
	Problems() Problems
}

// DecodeSection parses the JSON of a section of kind k into content c and validates it. An
// unknown kind, malformed JSON or an invalid section is a KindInvalid error.
func DecodeSection(c *Content, k SectionKind, data []byte) error {
	return decodeSection(c, k, data, false)
}

// DecodeDraftSection is DecodeSection for a draft: a draft is written over days and may be
// incomplete, so a missing field is not an error (the proposal requires it: see
// Plan.ValidateForProposal); a wrong one (a value not among the choices, out of range, dates
// in the wrong order, a duplicate id) still is.
func DecodeDraftSection(c *Content, k SectionKind, data []byte) error {
	return decodeSection(c, k, data, true)
}

func decodeSection(c *Content, k SectionKind, data []byte, draft bool) error {
	s := c.Section(k)
	if s == nil {
		return (Problems{{Field: "section", Code: CodeChoice, Detail: sectionNames()}}).Err()
	}
	if err := json.Unmarshal(data, s); err != nil {
		return (Problems{{Field: string(k), Code: CodeInvalid, Detail: err.Error()}}).Err()
	}
	inner := s.Problems()
	if draft {
		inner = inner.WithoutMissing()
	}
	var ps Problems
	ps.nest(string(k)+".", inner)
	return ps.Err()
}

// WithoutMissing returns the problems that are not a missing field.
func (ps Problems) WithoutMissing() Problems {
	var out Problems
	for _, p := range ps {
		if p.Code != CodeRequired {
			out = append(out, p)
		}
	}
	return out
}

// EncodeSection returns the JSON of section k of c.
func EncodeSection(c *Content, k SectionKind) ([]byte, error) {
	s := c.Section(k)
	if s == nil {
		return nil, fmt.Errorf("unknown section %q", k)
	}
	return json.Marshal(s)
}

func sectionNames() string {
	b := make([]byte, 0, 160)
	for i, k := range Sections {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, k...)
	}
	return string(b)
}

// Concerns is the family's part, in their own words, never shortened (MA's 2023 form: parent
// and student concerns, the student's vision, the post-secondary vision from 14, the team's
// vision). No field has a length limit.
type Concerns struct {
	ParentConcerns      string `json:"parent_concerns"`
	StudentConcerns     string `json:"student_concerns,omitempty"`
	StudentVision       string `json:"student_vision"`
	PostSecondaryVision string `json:"post_secondary_vision,omitempty"`
	TeamVision          string `json:"team_vision,omitempty"`
	StudentStrengths    string `json:"student_strengths,omitempty"`
	WrittenBy           string `json:"written_by,omitempty"` // guardian id, when the family typed it
}

func (c *Concerns) Problems() Problems { return nil }

// PresentLevels holds the present levels of academic achievement and functional performance,
// one entry per area (34 CFR 300.320(a)(1)).
type PresentLevels struct {
	Areas []PresentLevel `json:"areas"`
}

// PresentLevel is the present level in one area.
type PresentLevel struct {
	Area        string `json:"area"` // reading, mathematics, communication, social-emotional…
	Strengths   string `json:"strengths"`
	Needs       string `json:"needs"`
	Performance string `json:"performance"` // current data: scores, observations
	// Impact is how the disability affects involvement and progress in the general curriculum
	// (for preschoolers: participation in appropriate activities).
	Impact string `json:"impact"`
	Source string `json:"source,omitempty"` // the evaluation or data it draws on
}

func (p *PresentLevels) Problems() Problems {
	var ps Problems
	for i, a := range p.Areas {
		ps.required(fmt.Sprintf("areas[%d].area", i), a.Area)
	}
	return ps
}

// Goals are the measurable annual goals (34 CFR 300.320(a)(2)).
type Goals struct {
	Goals []Goal `json:"goals"`
}

// Goal is one measurable annual goal.
type Goal struct {
	ID                string      `json:"id"` // stable across versions, so progress data follows the goal
	Area              string      `json:"area"`
	Statement         string      `json:"statement"`
	Baseline          string      `json:"baseline"`
	BaselineValue     *float64    `json:"baseline_value,omitempty"`
	Target            string      `json:"target"`
	TargetValue       *float64    `json:"target_value,omitempty"`
	Unit              string      `json:"unit,omitempty"` // "words correct per minute", "% of trials"
	MeasurementMethod string      `json:"measurement_method"`
	Schedule          string      `json:"schedule"` // how often it is measured
	ProviderRoles     []StaffRole `json:"provider_roles,omitempty"`
	Objectives        []Objective `json:"objectives,omitempty"`
}

// Objective is a short-term objective or benchmark toward a goal (required for students
// assessed on alternate standards; many states require them for all).
type Objective struct {
	Statement  string    `json:"statement"`
	Criterion  string    `json:"criterion"`
	TargetDate date.Date `json:"target_date,omitzero"`
}

func (g *Goals) Problems() Problems {
	var ps Problems
	ids := map[string]bool{}
	for i, goal := range g.Goals {
		f := fmt.Sprintf("goals[%d].", i)
		ps.required(f+"id", goal.ID)
		if goal.ID != "" && ids[goal.ID] {
			ps.add(f+"id", CodeDuplicate, goal.ID)
		}
		ids[goal.ID] = true
		ps.required(f+"area", goal.Area)
		ps.required(f+"statement", goal.Statement)
		ps.required(f+"baseline", goal.Baseline)
		ps.required(f+"target", goal.Target)
		ps.required(f+"measurement_method", goal.MeasurementMethod)
		ps.required(f+"schedule", goal.Schedule)
		for _, r := range goal.ProviderRoles {
			checkChoice(&ps, f+"provider_roles", r, ProviderRoles)
		}
		for j, o := range goal.Objectives {
			ps.required(fmt.Sprintf("%sobjectives[%d].statement", f, j), o.Statement)
		}
	}
	return ps
}

// ProgressReporting says how and when the family is told of progress toward the goals: at least
// as often as report cards (34 CFR 300.320(a)(3)).
type ProgressReporting struct {
	Method      string      `json:"method"`    // written report, conference, portal
	Frequency   string      `json:"frequency"` // "quarterly, with report cards"
	ReportDates []date.Date `json:"report_dates,omitempty"`
}

func (p *ProgressReporting) Problems() Problems { return nil }

// ServiceCategory groups service lines as 300.320(a)(4) names them.
type ServiceCategory string

const (
	CategorySpecialEducation    ServiceCategory = "special_education"
	CategoryRelated             ServiceCategory = "related_service"
	CategorySupplementaryAid    ServiceCategory = "supplementary_aid"
	CategoryProgramModification ServiceCategory = "program_modification"
	CategoryStaffSupport        ServiceCategory = "staff_support"
)

// ServiceCategories lists every category.
var ServiceCategories = []ServiceCategory{CategorySpecialEducation, CategoryRelated, CategorySupplementaryAid, CategoryProgramModification, CategoryStaffSupport}

// ServiceType is the kind of service.
type ServiceType string

const (
	ServiceSpecializedInstruction ServiceType = "specialized_academic_instruction"
	ServiceSpeechLanguage         ServiceType = "speech_language_therapy"
	ServiceOccupationalTherapy    ServiceType = "occupational_therapy"
	ServicePhysicalTherapy        ServiceType = "physical_therapy"
	ServiceCounseling             ServiceType = "counseling"
	ServiceSocialWork             ServiceType = "social_work"
	ServicePsychological          ServiceType = "psychological_services"
	ServiceBehavior               ServiceType = "behavior_intervention"
	ServiceReading                ServiceType = "reading_intervention"
	ServiceAudiology              ServiceType = "audiology"
	ServiceVision                 ServiceType = "vision_services"
	ServiceOrientationMobility    ServiceType = "orientation_mobility"
	ServiceAssistiveTechnology    ServiceType = "assistive_technology"
	ServiceHealth                 ServiceType = "health_nursing"
	ServiceInterpreting           ServiceType = "interpreting"
	ServiceParentTraining         ServiceType = "parent_counseling_training"
	ServiceParaprofessional       ServiceType = "paraprofessional_support"
	ServiceConsultation           ServiceType = "consultation"
	ServiceTransition             ServiceType = "transition_services"
)

// ServiceTypes lists every service type.
var ServiceTypes = []ServiceType{
	ServiceSpecializedInstruction, ServiceSpeechLanguage, ServiceOccupationalTherapy,
	ServicePhysicalTherapy, ServiceCounseling, ServiceSocialWork, ServicePsychological,
	ServiceBehavior, ServiceReading, ServiceAudiology, ServiceVision, ServiceOrientationMobility,
	ServiceAssistiveTechnology, ServiceHealth, ServiceInterpreting, ServiceParentTraining,
	ServiceParaprofessional, ServiceConsultation, ServiceTransition,
}

// Setting is where a service is delivered relative to the general education classroom.
type Setting string

const (
	InsideGeneralEducation  Setting = "inside_general_education"
	OutsideGeneralEducation Setting = "outside_general_education"
)

// Settings lists both settings.
var Settings = []Setting{InsideGeneralEducation, OutsideGeneralEducation}

// Period is the span a service's frequency is counted over.
type Period string

const (
	PerWeek  Period = "week"
	PerCycle Period = "cycle" // a rotating schedule of CycleDays school days
	PerMonth Period = "month"
)

// Periods lists every period.
var Periods = []Period{PerWeek, PerCycle, PerMonth}

// Services are the service lines of the plan: the seed's "which specialized services your child
// will get, and how often" (34 CFR 300.320(a)(4), (a)(7)).
type Services struct {
	Lines []ServiceLine `json:"lines"`
}

// ServiceLine is one promised service.
type ServiceLine struct {
	ID                string          `json:"id"` // stable across versions, so delivery logs follow the line
	Category          ServiceCategory `json:"category"`
	Type              ServiceType     `json:"type"`
	Description       string          `json:"description,omitempty"`
	ProviderRole      StaffRole       `json:"provider_role"`
	Setting           Setting         `json:"setting"`
	Location          string          `json:"location,omitempty"` // "resource room", "classroom"
	GroupSize         int             `json:"group_size"`         // 1 = individual
	MinutesPerSession int             `json:"minutes_per_session"`
	SessionsPerPeriod int             `json:"sessions_per_period"`
	Period            Period          `json:"period"`
	CycleDays         int             `json:"cycle_days,omitempty"` // with PerCycle
	StartDate         date.Date       `json:"start_date"`
	EndDate           date.Date       `json:"end_date"`
	GoalIDs           []string        `json:"goal_ids,omitempty"`
}

// MinutesPerPeriod is the promised minutes in one period.
func (l *ServiceLine) MinutesPerPeriod() int { return l.MinutesPerSession * l.SessionsPerPeriod }

func (s *Services) Problems() Problems {
	var ps Problems
	ids := map[string]bool{}
	for i, l := range s.Lines {
		f := fmt.Sprintf("lines[%d].", i)
		ps.required(f+"id", l.ID)
		if l.ID != "" && ids[l.ID] {
			ps.add(f+"id", CodeDuplicate, l.ID)
		}
		ids[l.ID] = true
		requiredChoice(&ps, f+"category", l.Category, ServiceCategories)
		requiredChoice(&ps, f+"type", l.Type, ServiceTypes)
		requiredChoice(&ps, f+"provider_role", l.ProviderRole, ProviderRoles)
		requiredChoice(&ps, f+"setting", l.Setting, Settings)
		requiredChoice(&ps, f+"period", l.Period, Periods)
		requiredRange(&ps, f+"group_size", l.GroupSize, 1, 30)
		requiredRange(&ps, f+"minutes_per_session", l.MinutesPerSession, 1, 480)
		requiredRange(&ps, f+"sessions_per_period", l.SessionsPerPeriod, 1, 50)
		if l.Period == PerCycle {
			requiredRange(&ps, f+"cycle_days", l.CycleDays, 2, 20)
		}
		if l.StartDate.IsZero() {
			ps.add(f+"start_date", CodeRequired, "")
		}
		if l.EndDate.IsZero() {
			ps.add(f+"end_date", CodeRequired, "")
		} else if l.EndDate.Before(l.StartDate) {
			ps.add(f+"end_date", CodeDateOrder, "start_date")
		}
	}
	return ps
}

// AccommodationKind distinguishes an accommodation (changes how a student learns or is
// tested) from a modification (changes what is expected).
type AccommodationKind string

const (
	Accommodation AccommodationKind = "accommodation"
	Modification  AccommodationKind = "modification"
)

// AccommodationContext is where an accommodation applies.
type AccommodationContext string

const (
	ContextClassroom AccommodationContext = "classroom"
	ContextTesting   AccommodationContext = "testing"
	ContextBoth      AccommodationContext = "both"
)

// Accommodations are the classroom and testing accommodations and modifications.
type Accommodations struct {
	Items []AccommodationItem `json:"items"`
}

// AccommodationItem is one accommodation or modification.
type AccommodationItem struct {
	ID          string               `json:"id"`
	Kind        AccommodationKind    `json:"kind"`
	Context     AccommodationContext `json:"context"`
	Description string               `json:"description"`
	Subjects    string               `json:"subjects,omitempty"` // "all", "math"
	Frequency   string               `json:"frequency,omitempty"`
}

func (a *Accommodations) Problems() Problems {
	var ps Problems
	for i, it := range a.Items {
		f := fmt.Sprintf("items[%d].", i)
		requiredChoice(&ps, f+"kind", it.Kind, []AccommodationKind{Accommodation, Modification})
		requiredChoice(&ps, f+"context", it.Context, []AccommodationContext{ContextClassroom, ContextTesting, ContextBoth})
		ps.required(f+"description", it.Description)
	}
	return ps
}

// Participation is how a student takes a state or district assessment.
type Participation string

const (
	ParticipationStandard           Participation = "standard"
	ParticipationWithAccommodations Participation = "with_accommodations"
	ParticipationAlternate          Participation = "alternate"
)

// Assessments says how the student takes each state and district assessment (300.320(a)(6)).
type Assessments struct {
	Items []AssessmentParticipation `json:"items"`
}

// AssessmentParticipation is one assessment and how the student takes it. An alternate
// assessment needs both reasons the law asks for.
type AssessmentParticipation struct {
	Assessment       string        `json:"assessment"` // "MCAS Grade 5 ELA"
	Subject          string        `json:"subject,omitempty"`
	Participation    Participation `json:"participation"`
	Accommodations   []string      `json:"accommodations,omitempty"`
	WhyNotRegular    string        `json:"why_not_regular,omitempty"`    // why the child cannot take the regular assessment
	WhyAlternateFits string        `json:"why_alternate_fits,omitempty"` // why the alternate is appropriate
}

func (a *Assessments) Problems() Problems {
	var ps Problems
	for i, it := range a.Items {
		f := fmt.Sprintf("items[%d].", i)
		ps.required(f+"assessment", it.Assessment)
		requiredChoice(&ps, f+"participation", it.Participation, []Participation{ParticipationStandard, ParticipationWithAccommodations, ParticipationAlternate})
		if it.Participation == ParticipationWithAccommodations && len(it.Accommodations) == 0 {
			ps.add(f+"accommodations", CodeRequired, "")
		}
		if it.Participation == ParticipationAlternate {
			ps.required(f+"why_not_regular", it.WhyNotRegular)
			ps.required(f+"why_alternate_fits", it.WhyAlternateFits)
		}
	}
	return ps
}

// Placement is the least restrictive environment decision: the seed's "what school or program"
// and "how often (or if) they will be out of the regular classroom".
type Placement struct {
	Setting               string          `json:"setting"` // "full inclusion", "partial inclusion", "substantially separate"
	SchoolID              string          `json:"school_id,omitempty"`
	Program               string          `json:"program,omitempty"`
	EnvironmentCode       EnvironmentCode `json:"environment_code"`
	PercentInRegularClass float64         `json:"percent_in_regular_class"`
	// RemovalJustification explains any time outside the regular class (300.320(a)(5)).
	RemovalJustification string `json:"removal_justification,omitempty"`
	NonacademicSettings  string `json:"nonacademic_settings,omitempty"` // lunch, recess, clubs
}

func (p *Placement) Problems() Problems {
	var ps Problems
	if p.PercentInRegularClass < 0 || p.PercentInRegularClass > 100 {
		ps.add("percent_in_regular_class", CodeRange, "0..100")
	}
	all := append(append([]EnvironmentCode{}, SchoolAgeEnvironments...), EarlyChildhoodEnvironments...)
	checkChoice(&ps, "environment_code", p.EnvironmentCode, all)
	if p.PercentInRegularClass < 100 && p.EnvironmentCode != "" {
		ps.required("removal_justification", p.RemovalJustification)
	}
	return ps
}

// TransportationKind is the transportation a student gets.
type TransportationKind string

const (
	TransportRegular     TransportationKind = "regular"
	TransportSpecial     TransportationKind = "special"
	TransportSpecialAide TransportationKind = "special_with_aide"
	TransportLift        TransportationKind = "wheelchair_lift"
	TransportReimbursed  TransportationKind = "parent_reimbursed"
	TransportNone        TransportationKind = "none"
)

// Transportation says whether and what special transportation the student gets.
type Transportation struct {
	Needed  bool               `json:"needed"` // special transportation is needed
	Kind    TransportationKind `json:"kind"`
	Details string             `json:"details,omitempty"` // harness, door-to-door, length of ride
}

func (t *Transportation) Problems() Problems {
	var ps Problems
	checkChoice(&ps, "kind", t.Kind, []TransportationKind{TransportRegular, TransportSpecial, TransportSpecialAide, TransportLift, TransportReimbursed, TransportNone})
	if t.Needed && (t.Kind == "" || t.Kind == TransportRegular || t.Kind == TransportNone) {
		ps.add("kind", CodeInvalid, "special transportation is needed: choose which kind")
	}
	return ps
}

// ESYDecision is the team's extended school year decision.
type ESYDecision string

const (
	ESYEligible    ESYDecision = "eligible"
	ESYNotEligible ESYDecision = "not_eligible"
	ESYUndecided   ESYDecision = "to_be_determined" // data still being collected; a date is due
)

// ESYCriterion is a reason a team weighs for ESY. 34 CFR 300.106 forbids limiting ESY to
// categories or capping it; these are the standards courts and states use.
type ESYCriterion string

const (
	ESYRegressionRecoupment ESYCriterion = "regression_recoupment"
	ESYCriticalSkills       ESYCriterion = "critical_skills"
	ESYEmergingSkills       ESYCriterion = "emerging_skills"
	ESYInterferingBehaviors ESYCriterion = "interfering_behaviors"
	ESYNatureSeverity       ESYCriterion = "nature_severity"
	ESYSpecialCircumstances ESYCriterion = "special_circumstances"
)

// ESYCriteria lists every criterion.
var ESYCriteria = []ESYCriterion{ESYRegressionRecoupment, ESYCriticalSkills, ESYEmergingSkills, ESYInterferingBehaviors, ESYNatureSeverity, ESYSpecialCircumstances}

// ESY is the extended school year decision and, when eligible, the summer services.
type ESY struct {
	Decision    ESYDecision    `json:"decision"`
	Criteria    []ESYCriterion `json:"criteria,omitempty"`
	Rationale   string         `json:"rationale,omitempty"`
	DecideBy    date.Date      `json:"decide_by,omitzero"` // with to_be_determined
	Services    []ServiceLine  `json:"services,omitempty"`
	AfterSchool string         `json:"after_school,omitempty"` // the seed: after-school services or activities
}

func (e *ESY) Problems() Problems {
	var ps Problems
	checkChoice(&ps, "decision", e.Decision, []ESYDecision{ESYEligible, ESYNotEligible, ESYUndecided})
	for _, c := range e.Criteria {
		checkChoice(&ps, "criteria", c, ESYCriteria)
	}
	if e.Decision == ESYEligible || e.Decision == ESYNotEligible {
		ps.required("rationale", e.Rationale)
	}
	if e.Decision == ESYUndecided && e.DecideBy.IsZero() {
		ps.add("decide_by", CodeRequired, "")
	}
	inner := Services{Lines: e.Services}
	ps.nest("services.", inner.Problems())
	return ps
}

// Transition is the transition plan, required from the first IEP in effect at 16 (14 in MA).
type Transition struct {
	Applies                  bool                `json:"applies"`
	AgeAppropriateAssessment string              `json:"age_appropriate_assessment,omitempty"`
	EducationGoal            string              `json:"education_goal,omitempty"` // education or training after high school
	EmploymentGoal           string              `json:"employment_goal,omitempty"`
	IndependentLivingGoal    string              `json:"independent_living_goal,omitempty"`
	Services                 []TransitionService `json:"services,omitempty"`
	CourseOfStudy            string              `json:"course_of_study,omitempty"`
	AgencyLinkages           string              `json:"agency_linkages,omitempty"`
	RightsTransferNoticeOn   date.Date           `json:"rights_transfer_notice_on,omitzero"` // told at 17 that rights transfer at 18
}

// TransitionService is one transition activity.
type TransitionService struct {
	Area        string `json:"area"` // instruction, related services, community experiences, employment, daily living
	Description string `json:"description"`
	Responsible string `json:"responsible"` // school role or outside agency
}

func (t *Transition) Problems() Problems {
	var ps Problems
	if !t.Applies {
		return nil
	}
	ps.required("education_goal", t.EducationGoal)
	ps.required("employment_goal", t.EmploymentGoal)
	for i, s := range t.Services {
		ps.required(fmt.Sprintf("services[%d].description", i), s.Description)
	}
	return ps
}

// requiredRange checks a whole number that must be given (zero is "not given yet", which a
// draft may be) and lie in [lo, hi].
func requiredRange(ps *Problems, field string, v, lo, hi int) {
	switch {
	case v == 0:
		ps.add(field, CodeRequired, "")
	case v < lo || v > hi:
		ps.add(field, CodeRange, fmt.Sprintf("%d..%d", lo, hi))
	}
}
