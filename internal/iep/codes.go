package iep

import (
	"slices"
	"strings"
)

// checkChoice adds a CodeChoice problem when v is set but not one of allowed. Empty values are
// left to a required check so that one field never gets two problems.
func checkChoice[T ~string](ps *Problems, field string, v T, allowed []T) {
	if v == "" || slices.Contains(allowed, v) {
		return
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	ps.add(field, CodeChoice, strings.Join(names, ", "))
}

// requiredChoice is checkChoice for a field that must be given.
func requiredChoice[T ~string](ps *Problems, field string, v T, allowed []T) {
	if v == "" {
		ps.add(field, CodeRequired, "")
		return
	}
	checkChoice(ps, field, v, allowed)
}

// DisabilityCategory is an eligibility category. The thirteen IDEA categories (34 CFR 300.8)
// and developmental delay are built in; a state adds its own through its rule pack (MA:
// "NEURO", neurological, with no one-to-one federal code).
type DisabilityCategory string

const (
	Autism                       DisabilityCategory = "AUT"
	DeafBlindness                DisabilityCategory = "DB"
	Deafness                     DisabilityCategory = "DEAF" // reported to EDFacts under HI
	EmotionalDisturbance         DisabilityCategory = "EMN"
	HearingImpairment            DisabilityCategory = "HI"
	IntellectualDisability       DisabilityCategory = "ID"
	MultipleDisabilities         DisabilityCategory = "MD"
	OrthopedicImpairment         DisabilityCategory = "OI"
	OtherHealthImpairment        DisabilityCategory = "OHI"
	SpecificLearningDisability   DisabilityCategory = "SLD"
	SpeechLanguageImpairment     DisabilityCategory = "SLI"
	TraumaticBrainInjury         DisabilityCategory = "TBI"
	VisualImpairment             DisabilityCategory = "VI"
	DevelopmentalDelay           DisabilityCategory = "DD"
	Neurological                 DisabilityCategory = "NEURO" // Massachusetts
	DisabilityCommunicationOther DisabilityCategory = "COMM"  // Massachusetts: communication
)

// DisabilityCategories lists the categories openiep knows, federal first.
var DisabilityCategories = []DisabilityCategory{
	Autism, DeafBlindness, Deafness, EmotionalDisturbance, HearingImpairment,
	IntellectualDisability, MultipleDisabilities, OrthopedicImpairment, OtherHealthImpairment,
	SpecificLearningDisability, SpeechLanguageImpairment, TraumaticBrainInjury, VisualImpairment,
	DevelopmentalDelay, Neurological, DisabilityCommunicationOther,
}

// FederalCode returns the EDFacts disability code a category is reported under, and false for a
// state category with no one-to-one federal code (it is reported as the team maps it, never
// silently dropped).
func (c DisabilityCategory) FederalCode() (string, bool) {
	switch c {
	case Deafness:
		return "HI", true
	case Neurological, DisabilityCommunicationOther:
		return "", false
	}
	if slices.Contains(DisabilityCategories, c) {
		return string(c), true
	}
	return "", false
}

// StaffRole is what a staff member does. One person may hold several.
type StaffRole string

const (
	RoleCaseManager             StaffRole = "case_manager"
	RoleSpecialEducationTeacher StaffRole = "special_education_teacher"
	RoleGeneralEducationTeacher StaffRole = "general_education_teacher"
	RoleSpeechLanguage          StaffRole = "speech_language_pathologist"
	RoleOccupationalTherapist   StaffRole = "occupational_therapist"
	RolePhysicalTherapist       StaffRole = "physical_therapist"
	RoleSchoolPsychologist      StaffRole = "school_psychologist"
	RoleSchoolCounselor         StaffRole = "school_counselor"
	RoleSocialWorker            StaffRole = "social_worker"
	RoleReadingSpecialist       StaffRole = "reading_specialist"
	RoleBehaviorAnalyst         StaffRole = "behavior_analyst"
	RoleSchoolNurse             StaffRole = "school_nurse"
	RoleAudiologist             StaffRole = "audiologist"
	RoleVisionSpecialist        StaffRole = "vision_specialist"
	RoleOrientationMobility     StaffRole = "orientation_mobility_specialist"
	RoleParaprofessional        StaffRole = "paraprofessional"
	RoleTransitionSpecialist    StaffRole = "transition_specialist"
	RoleInterpreter             StaffRole = "interpreter"
	RoleDistrictRepresentative  StaffRole = "district_representative"
	RoleAdministrator           StaffRole = "administrator"
	RoleStateViewer             StaffRole = "state_viewer"
)

// StaffRoles lists every staff role.
var StaffRoles = []StaffRole{
	RoleCaseManager, RoleSpecialEducationTeacher, RoleGeneralEducationTeacher, RoleSpeechLanguage,
	RoleOccupationalTherapist, RolePhysicalTherapist, RoleSchoolPsychologist, RoleSchoolCounselor,
	RoleSocialWorker, RoleReadingSpecialist, RoleBehaviorAnalyst, RoleSchoolNurse, RoleAudiologist,
	RoleVisionSpecialist, RoleOrientationMobility, RoleParaprofessional, RoleTransitionSpecialist,
	RoleInterpreter, RoleDistrictRepresentative, RoleAdministrator, RoleStateViewer,
}

// ProviderRoles are the roles that deliver services written in a plan.
var ProviderRoles = []StaffRole{
	RoleSpecialEducationTeacher, RoleGeneralEducationTeacher, RoleSpeechLanguage,
	RoleOccupationalTherapist, RolePhysicalTherapist, RoleSchoolPsychologist, RoleSchoolCounselor,
	RoleSocialWorker, RoleReadingSpecialist, RoleBehaviorAnalyst, RoleSchoolNurse, RoleAudiologist,
	RoleVisionSpecialist, RoleOrientationMobility, RoleParaprofessional, RoleTransitionSpecialist,
	RoleInterpreter,
}

// Grade is a grade level: "PK", "K", "01".."12", or "PG" (post-graduate, ages 18–21 in
// transition programs), as the Ed-Fi and OneRoster grade codes use.
type Grade string

// Grades lists the grades in order.
var Grades = []Grade{"PK", "K", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12", "PG"}

// EnvironmentCode is an EDFacts educational environment code.
type EnvironmentCode string

// School age (FS002: age 5 in kindergarten through 21).
var SchoolAgeEnvironments = []EnvironmentCode{"RC80", "RC79TO40", "RC39", "SS", "RF", "HH", "CF", "PPPS"}

// Early childhood (FS089: ages 3–5 not in kindergarten).
var EarlyChildhoodEnvironments = []EnvironmentCode{
	"REC10YSVCS", "REC09YSVCS", "REC10YOTHLOC", "REC09YOTHLOC", "SC", "SS", "RF", "H", "SPL",
}

// SchoolAgeEnvironment derives the FS002 regular-class code from the share of the day inside
// the regular class; separate schools, facilities and homes are chosen, not derived.
func SchoolAgeEnvironment(percentInRegularClass float64) EnvironmentCode {
	switch {
	case percentInRegularClass >= 80:
		return "RC80"
	case percentInRegularClass >= 40:
		return "RC79TO40"
	}
	return "RC39"
}
