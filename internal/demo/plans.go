package demo

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// planFacts is what the content of one plan is written from.
type planFacts struct {
	start, end, meeting date.Date
	partial             bool   // an early draft: only some sections written yet
	writtenBy           string // the guardian who typed the concerns, if any
}

// weekMinutes is the length of a school week in minutes (6.5-hour days).
const weekMinutes = 1950

// content writes a plan for kid k. Every list and text is drawn from the kid's disability, age
// and grade; the numbers are realistic and the result passes iep validation.
func (cb *caseGen) content(k *kid, f planFacts) iep.Content {
	r := cb.r
	ageEnd := k.birth.AgeOn(f.end)
	names := areasFor(k.primary, k.gradeIdx == 0)
	if ageEnd >= 14 && !k.severe && len(names) > 2 {
		names = names[:2]
	}
	if ageEnd >= 14 {
		names = append(names, "transition")
	}
	var c iep.Content
	c.Concerns = cb.concerns(k, names[0], ageEnd, f)
	nGoals := r.between(2, 4)
	if f.partial {
		nGoals = r.between(0, 2)
	}
	for i, n := range names {
		a := areas[n]
		c.PresentLevels.Areas = append(c.PresentLevels.Areas, iep.PresentLevel{
			Area: a.name, Strengths: a.strength, Needs: a.need, Performance: a.perf, Impact: a.impact,
			Source: "Evaluation and classroom data",
		})
		if i < nGoals {
			c.Goals.Goals = append(c.Goals.Goals, cb.goal(k, a, f, i))
		}
	}
	for i := len(names); i < nGoals; i++ { // a second goal in the first area
		if t := areas[names[0]]; len(t.goals) > 1 {
			c.Goals.Goals = append(c.Goals.Goals, cb.goal(k, t, f, 1))
			break
		}
	}
	c.ProgressReporting = iep.ProgressReporting{
		Method: "Written progress report sent home and posted in the family portal", Frequency: "Quarterly, with report cards",
		ReportDates: cb.reportDates(f.start, f.end),
	}
	if f.partial && r.chance(0.5) {
		return c
	}
	c.Services.Lines = cb.services(k, names, f)
	linkGoals(c.Services.Lines, c.Goals.Goals)
	c.Accommodations = cb.accommodations(k, names)
	c.Assessments = cb.assessments(k)
	c.Placement = cb.placement(k, c.Services.Lines)
	c.Transportation = cb.transportation(k)
	if !f.partial {
		c.ESY = cb.esy(k, f)
		if ageEnd >= 14 {
			c.Transition = cb.transition(k, f)
		}
	}
	return c
}

func (cb *caseGen) concerns(k *kid, mainArea string, age int, f planFacts) iep.Concerns {
	r := cb.r
	if f.partial && r.chance(0.5) {
		return iep.Concerns{} // the family has not written yet
	}
	c := iep.Concerns{WrittenBy: f.writtenBy, StudentStrengths: pick(r, strengthsList), TeamVision: pick(r, teamVisions)}
	if list := concernsByLanguage[k.famLang]; len(list) > 0 && r.chance(0.6) {
		c.ParentConcerns = pick(r, list)
	} else {
		c.ParentConcerns = pick(r, concernsByArea[mainArea])
	}
	if age >= 14 {
		c.PostSecondaryVision = pick(r, postSecondaryVisions)
		c.StudentConcerns = "I want teachers to stop calling on me to read out loud, and I want to know what I need for college or a job."
	} else if age >= 5 {
		c.StudentVision = pick(r, studentVisions)
	}
	return c
}

func (cb *caseGen) goal(k *kid, a *area, f planFacts, n int) iep.Goal {
	t := a.goals[n%len(a.goals)]
	base, target := t.base, t.goal
	g := iep.Goal{
		ID: cb.ids.next(), Area: a.name, Statement: fmt.Sprintf(t.statement, k.first, target),
		Baseline: t.baseline, BaselineValue: &base, Target: t.target, TargetValue: &target, Unit: t.unit,
		MeasurementMethod: t.method, Schedule: t.schedule, ProviderRoles: []iep.StaffRole{t.role},
	}
	if k.alternate {
		mid := base + (target-base)/2
		g.Objectives = []iep.Objective{
			{Statement: "With a visual model and one prompt", Criterion: fmt.Sprintf("%.0f %s", mid, t.unit), TargetDate: f.start.AddDays(120)},
			{Statement: "Independently, across two settings", Criterion: fmt.Sprintf("%.0f %s", target, t.unit), TargetDate: f.end.AddDays(-30)},
		}
	}
	return g
}

// reportDates are the marking-period ends within the plan's dates, continued a year ahead
// where the stored calendar stops.
func (cb *caseGen) reportDates(start, end date.Date) []date.Date {
	var out []date.Date
	ends := cb.g.cal.termEnds()
	for _, yearsAhead := range []int{0, 1} {
		for _, d := range ends {
			d = d.AddYears(yearsAhead)
			if d.After(start) && !d.After(end) && (len(out) == 0 || d.After(out[len(out)-1])) {
				out = append(out, d)
			}
		}
	}
	return out
}

// serviceFor is the service line that addresses an area.
func (cb *caseGen) serviceFor(k *kid, n string, f planFacts) (iep.ServiceLine, bool) {
	r := cb.r
	l := iep.ServiceLine{ID: cb.ids.next(), Category: iep.CategoryRelated, Setting: iep.OutsideGeneralEducation,
		GroupSize: r.between(1, 3), MinutesPerSession: 30, SessionsPerPeriod: 1, Period: iep.PerWeek,
		StartDate: f.start, EndDate: f.end}
	switch n {
	case "reading", "writing", "math", "executive", "adaptive", "preschool":
		return iep.ServiceLine{}, false // specialized instruction is written once, below
	case "articulation", "language", "social":
		l.Type, l.ProviderRole, l.Location = iep.ServiceSpeechLanguage, iep.RoleSpeechLanguage, "Speech room"
		l.SessionsPerPeriod = r.between(1, 2)
	case "fine_motor":
		l.Type, l.ProviderRole, l.Location = iep.ServiceOccupationalTherapy, iep.RoleOccupationalTherapist, "OT room"
		if r.chance(0.4) {
			l.Period, l.CycleDays = iep.PerCycle, 6
		}
	case "motor":
		l.Type, l.ProviderRole, l.GroupSize = iep.ServicePhysicalTherapy, iep.RolePhysicalTherapist, 1
	case "behavior":
		l.Type, l.ProviderRole, l.Location = iep.ServiceCounseling, iep.RoleSchoolCounselor, "Counseling office"
	case "hearing":
		l.Type, l.ProviderRole, l.Period, l.GroupSize = iep.ServiceAudiology, iep.RoleAudiologist, iep.PerMonth, 1
		l.Category, l.Setting = iep.CategoryStaffSupport, iep.InsideGeneralEducation
		l.Description = "Audiologist consults with teachers and checks the FM system"
	case "vision":
		l.Type, l.ProviderRole, l.MinutesPerSession, l.SessionsPerPeriod, l.GroupSize = iep.ServiceVision, iep.RoleVisionSpecialist, 45, 2, 1
	case "transition":
		l.Type, l.ProviderRole, l.MinutesPerSession, l.Setting = iep.ServiceTransition, iep.RoleTransitionSpecialist, 45, iep.InsideGeneralEducation
		l.Category, l.Description = iep.CategorySpecialEducation, "Career exploration, self-advocacy and community work experience"
	default:
		return iep.ServiceLine{}, false
	}
	return l, true
}

// services writes the service lines: specialized instruction sized to the need, one related
// service per area, consultation for teachers, and an aide or a behavior consult where needed.
func (cb *caseGen) services(k *kid, names []string, f planFacts) []iep.ServiceLine {
	r := cb.r
	line := func(cat iep.ServiceCategory, t iep.ServiceType, role iep.StaffRole, set iep.Setting, group, mins, sessions int, per iep.Period, loc string) iep.ServiceLine {
		return iep.ServiceLine{ID: cb.ids.next(), Category: cat, Type: t, ProviderRole: role, Setting: set, Location: loc,
			GroupSize: group, MinutesPerSession: mins, SessionsPerPeriod: sessions, Period: per, StartDate: f.start, EndDate: f.end}
	}
	var out []iep.ServiceLine
	switch {
	case k.separate:
		out = append(out, line(iep.CategorySpecialEducation, iep.ServiceSpecializedInstruction, iep.RoleSpecialEducationTeacher, iep.OutsideGeneralEducation, 8, 330, 5, iep.PerWeek, "Separate day school classroom"))
	case k.gradeIdx == 0 && k.preCode == "SC":
		out = append(out, line(iep.CategorySpecialEducation, iep.ServiceSpecializedInstruction, iep.RoleSpecialEducationTeacher, iep.OutsideGeneralEducation, 8, 150, 5, iep.PerWeek, "Separate preschool classroom"))
	case k.gradeIdx == 0:
		out = append(out, line(iep.CategorySpecialEducation, iep.ServiceSpecializedInstruction, iep.RoleSpecialEducationTeacher, iep.InsideGeneralEducation, 15, 150, r.between(3, 5), iep.PerWeek, "Integrated preschool classroom"))
	case k.severe:
		out = append(out, line(iep.CategorySpecialEducation, iep.ServiceSpecializedInstruction, iep.RoleSpecialEducationTeacher, iep.OutsideGeneralEducation, r.between(6, 10), r.between(180, 270), 5, iep.PerWeek, "Substantially separate classroom"))
	case needsInstruction(k.primary):
		out = append(out, line(iep.CategorySpecialEducation, iep.ServiceSpecializedInstruction, iep.RoleSpecialEducationTeacher, iep.InsideGeneralEducation, r.between(4, 8), 45, r.between(3, 5), iep.PerWeek, "General education classroom (co-taught)"))
		if r.chance(0.7) {
			out = append(out, line(iep.CategorySpecialEducation, iep.ServiceSpecializedInstruction, iep.RoleSpecialEducationTeacher, iep.OutsideGeneralEducation, r.between(2, 5), pick(r, []int{30, 45, 60}), r.between(2, 5), iep.PerWeek, "Learning center"))
		}
	}
	for _, n := range names {
		if l, ok := cb.serviceFor(k, n, f); ok && !slices.ContainsFunc(out, func(x iep.ServiceLine) bool { return x.Type == l.Type }) {
			out = append(out, l)
		}
	}
	if k.primary == iep.VisualImpairment {
		out = append(out, line(iep.CategoryRelated, iep.ServiceOrientationMobility, iep.RoleOrientationMobility, iep.OutsideGeneralEducation, 1, 30, 1, iep.PerWeek, "School building and community"))
	}
	if k.severe && r.chance(0.6) {
		out = append(out, line(iep.CategorySupplementaryAid, iep.ServiceParaprofessional, iep.RoleParaprofessional, iep.InsideGeneralEducation, 1, 360, 5, iep.PerWeek, "All settings"))
	}
	if k.primary == iep.Autism || k.primary == iep.EmotionalDisturbance {
		l := line(iep.CategoryStaffSupport, iep.ServiceBehavior, iep.RoleBehaviorAnalyst, iep.InsideGeneralEducation, 1, 30, 2, iep.PerMonth, "")
		l.Description = "BCBA consultation with the team on the behavior support plan"
		out = append(out, l)
	}
	if !k.separate {
		l := line(iep.CategoryStaffSupport, iep.ServiceConsultation, iep.RoleSpecialEducationTeacher, iep.InsideGeneralEducation, 1, 30, 1, iep.PerMonth, "")
		l.Description = "Special education teacher consults with general education teachers on accommodations"
		out = append(out, l)
	}
	return out
}

func needsInstruction(c iep.DisabilityCategory) bool {
	switch c {
	case iep.SpeechLanguageImpairment, iep.DisabilityCommunicationOther, iep.HearingImpairment, iep.VisualImpairment, iep.OrthopedicImpairment:
		return false
	}
	return true
}

// outsideMinutes is the weekly time a plan's lines take the student out of the regular class.
func outsideMinutes(lines []iep.ServiceLine) float64 {
	total := 0.0
	for _, l := range lines {
		if l.Setting != iep.OutsideGeneralEducation {
			continue
		}
		m := float64(l.MinutesPerPeriod())
		switch l.Period {
		case iep.PerCycle:
			m = m * 5 / float64(l.CycleDays)
		case iep.PerMonth:
			m = m * 12 / 52
		}
		total += m
	}
	return total
}

var accommodationsByArea = map[string][]string{
	"reading":      {"Text-to-speech or a human reader for content-area texts (not for tests of reading)", "Audio versions of class novels"},
	"writing":      {"Graphic organizers for written assignments", "Speech-to-text software for longer writing"},
	"math":         {"Calculator for multi-step problems (not for tests of computation)", "Math reference sheet"},
	"executive":    {"Assignment checklist and planner check at the end of each day", "Long assignments broken into parts with check-ins"},
	"behavior":     {"Break card: up to three short breaks per class", "Advance notice of changes in routine"},
	"social":       {"Visual schedule and advance notice of transitions", "Quiet space available during unstructured times"},
	"language":     {"Directions given in short steps and checked for understanding", "Key vocabulary pre-taught with visuals"},
	"articulation": {"Opportunity to answer in writing or in a small group instead of reading aloud"},
	"fine_motor":   {"Slant board and pencil grips", "Copy of class notes"},
	"motor":        {"Leaves class three minutes early to move between classes", "Elevator pass"},
	"hearing":      {"FM system in all classes", "Captioned videos"},
	"vision":       {"Enlarged print (18-point) on the same day as peers", "Screen magnification software"},
	"adaptive":     {"Visual supports for routines", "First-then board"},
	"preschool":    {"Visual schedule of the preschool day", "Sensory tools available at circle time"},
	"transition":   {"Access to a job coach at the community work site"},
}

func (cb *caseGen) accommodations(k *kid, names []string) iep.Accommodations {
	var a iep.Accommodations
	add := func(kind iep.AccommodationKind, ctx iep.AccommodationContext, text, subj, freq string) {
		a.Items = append(a.Items, iep.AccommodationItem{ID: cb.ids.next(), Kind: kind, Context: ctx, Description: text, Subjects: subj, Frequency: freq})
	}
	for _, n := range names {
		for _, text := range accommodationsByArea[n] {
			add(iep.Accommodation, iep.ContextClassroom, text, "all", "daily")
		}
	}
	if k.gradeIdx > 0 {
		add(iep.Accommodation, iep.ContextBoth, "Extended time (time and a half) on tests and assignments", "all", "as needed")
		add(iep.Accommodation, iep.ContextTesting, "Tests in a small group in a separate setting", "all", "each test")
	}
	if k.alternate {
		add(iep.Modification, iep.ContextClassroom, "Curriculum modified to the Massachusetts entry points of the grade-level standards", "all", "daily")
	} else if k.primary == iep.SpecificLearningDisability && cb.r.chance(0.2) {
		add(iep.Modification, iep.ContextClassroom, "Reduced number of practice problems with the same concepts", "math", "daily")
	}
	return a
}

// assessments lists the state (MCAS, ACCESS for ELLs) and district assessments of the grade.
func (cb *caseGen) assessments(k *kid) iep.Assessments {
	var a iep.Assessments
	g := k.gradeIdx - 1 // K = 0, grade 1 = 1 …
	acc := []string{"Small-group setting", "Extended time"}
	if k.primary == iep.SpecificLearningDisability || k.primary == iep.OtherHealthImpairment {
		acc = append(acc, "Text-to-speech (mathematics and science)")
	}
	add := func(name, subject string) {
		p := iep.AssessmentParticipation{Assessment: name, Subject: subject, Participation: iep.ParticipationWithAccommodations, Accommodations: acc}
		if k.alternate {
			p = iep.AssessmentParticipation{Assessment: name, Subject: subject, Participation: iep.ParticipationAlternate,
				WhyNotRegular:    "Significant cognitive disability: the student works on the entry points of the standards, even with accommodations the standard test would not show what the student knows.",
				WhyAlternateFits: "MCAS-Alt portfolios measure progress on the entry points the student is taught, with evidence collected through the year."}
		} else if k.primary == iep.SpeechLanguageImpairment && cb.r.chance(0.5) {
			p.Participation, p.Accommodations = iep.ParticipationStandard, nil
		}
		a.Items = append(a.Items, p)
	}
	if g >= 3 && g <= 8 || g == 10 {
		add(fmt.Sprintf("MCAS Grade %d English Language Arts", g), "ELA")
		add(fmt.Sprintf("MCAS Grade %d Mathematics", g), "Mathematics")
	}
	switch g {
	case 5, 8:
		add(fmt.Sprintf("MCAS Grade %d Science and Technology/Engineering", g), "Science")
	case 9:
		add("MCAS High School Biology", "Science")
	}
	if g >= 0 && g <= 8 {
		add("i-Ready Diagnostic (district)", "Reading and Mathematics")
	}
	if k.ell && g >= 0 {
		add("ACCESS for ELLs", "English language proficiency")
	}
	return a
}

func (cb *caseGen) placement(k *kid, lines []iep.ServiceLine) iep.Placement {
	p := iep.Placement{SchoolID: k.sc.ID, NonacademicSettings: "Lunch, recess, assemblies and field trips with peers; clubs open to all students"}
	pct := math.Round(100 * max(0, 1-outsideMinutes(lines)/weekMinutes))
	p.PercentInRegularClass = pct
	switch {
	case k.separate:
		p.Setting, p.Program, p.EnvironmentCode, p.PercentInRegularClass = "Separate day school", "Therapeutic day program", "SS", 0
		p.NonacademicSettings = "Lunch and activities with schoolmates of the day school"
	case k.gradeIdx == 0:
		p.Setting, p.Program, p.EnvironmentCode = "Integrated preschool", "District integrated preschool", k.preCode
		switch k.preCode {
		case "SC":
			p.Setting, p.Program, p.PercentInRegularClass = "Separate preschool class", "District language-based preschool class", 0
		case "SPL":
			p.Setting, p.Program = "Services at the service provider's location", "Itinerant speech and OT at the Early Childhood Center"
		case "REC10YOTHLOC", "REC09YOTHLOC":
			p.Program = "Community preschool, with services at the Early Childhood Center"
		}
	default:
		p.EnvironmentCode = iep.SchoolAgeEnvironment(pct)
		switch p.EnvironmentCode {
		case "RC80":
			p.Setting = "Full inclusion"
		case "RC79TO40":
			p.Setting = "Partial inclusion"
		default:
			p.Setting, p.Program = "Substantially separate", "District program for students with intensive needs"
		}
	}
	if p.PercentInRegularClass < 100 {
		p.RemovalJustification = "The student needs specialized instruction in a small, structured setting for part of the day to make effective progress; the rest of the day is with general education peers."
		if p.PercentInRegularClass == 0 {
			p.RemovalJustification = "The team considered less restrictive settings; the student's needs require a small therapeutic program with integrated services throughout the day."
		}
	}
	return p
}

func (cb *caseGen) transportation(k *kid) iep.Transportation {
	r := cb.r
	switch {
	case k.primary == iep.OrthopedicImpairment || k.primary == iep.MultipleDisabilities && r.chance(0.4):
		return iep.Transportation{Needed: true, Kind: iep.TransportLift, Details: "Wheelchair-accessible van, door to door"}
	case k.separate || k.severe && r.chance(0.5):
		return iep.Transportation{Needed: true, Kind: iep.TransportSpecialAide, Details: "Door to door with a monitor; ride no longer than 45 minutes"}
	case k.gradeIdx == 0 && r.chance(0.3):
		return iep.Transportation{Needed: true, Kind: iep.TransportSpecial, Details: "Car seat; door to door"}
	}
	return iep.Transportation{Kind: iep.TransportRegular}
}

func (cb *caseGen) esy(k *kid, f planFacts) iep.ESY {
	r := cb.r
	summer := schoolYearStart(f.start) + 1
	switch {
	case (k.severe || k.primary == iep.Autism) && r.chance(0.65) || r.chance(0.08):
		days := esyDays(summer)
		first, last := days[0].Date, days[len(days)-1].Date
		e := iep.ESY{Decision: iep.ESYEligible, Criteria: []iep.ESYCriterion{iep.ESYRegressionRecoupment, iep.ESYCriticalSkills},
			Rationale: "Data after the February and April vacations show regression in communication and self-regulation that took more than six weeks to recoup; critical skills are emerging.",
			Services: []iep.ServiceLine{{ID: cb.ids.next(), Category: iep.CategorySpecialEducation, Type: iep.ServiceSpecializedInstruction,
				ProviderRole: iep.RoleSpecialEducationTeacher, Setting: iep.OutsideGeneralEducation, GroupSize: 6, MinutesPerSession: 180,
				SessionsPerPeriod: 4, Period: iep.PerWeek, StartDate: first, EndDate: last, Location: "ESY program"}}}
		if k.gradeIdx > 0 && r.chance(0.5) {
			e.AfterSchool = "Social skills group after school on Wednesdays"
		}
		return e
	case r.chance(0.07):
		return iep.ESY{Decision: iep.ESYUndecided, DecideBy: date.New(summer, time.March, 15),
			Rationale: "The team will review regression data after the winter and February breaks."}
	}
	return iep.ESY{Decision: iep.ESYNotEligible,
		Rationale: "Progress data show the student keeps skills over school vacations and recoups within a few weeks; no critical skill is at risk."}
}

func (cb *caseGen) transition(k *kid, f planFacts) iep.Transition {
	t := iep.Transition{Applies: true,
		AgeAppropriateAssessment: "Career interest inventory, student and family interviews, and a situational work assessment",
		EducationGoal:            "After high school, the student will attend a community college certificate program with disability services.",
		EmploymentGoal:           "After high school, the student will work part time in a field of interest, such as animal care or technology.",
		CourseOfStudy:            "Standard course of study leading to a high school diploma, with a career and technical elective each year",
		AgencyLinkages:           "Referral to the Massachusetts Rehabilitation Commission (MRC) for pre-employment transition services",
		Services: []iep.TransitionService{
			{Area: "instruction", Description: "Self-advocacy curriculum: understanding one's disability and requesting accommodations", Responsible: "Transition specialist"},
			{Area: "community experiences", Description: "Two job-shadowing experiences each year", Responsible: "Transition specialist and MRC counselor"},
		}}
	if k.severe {
		t.EducationGoal = "After leaving school at 22, the student will take part in a day program with continuing education in functional skills."
		t.EmploymentGoal = "The student will work in supported employment in the community with a job coach."
		t.IndependentLivingGoal = "The student will live in a supported residence and use public transportation with support."
		t.CourseOfStudy = "Functional academics and community-based vocational program through age 22"
		t.AgencyLinkages = "Department of Developmental Services (DDS) eligibility application at 17; Chapter 688 referral two years before leaving school"
		t.Services = append(t.Services, iep.TransitionService{Area: "daily living", Description: "Travel training and money skills in the community", Responsible: "Special education teacher"})
	}
	if k.birth.AgeOn(f.end) >= 17 {
		t.RightsTransferNoticeOn = f.meeting
	}
	return t
}

// linkGoals names on each service line the goals its provider works on.
func linkGoals(lines []iep.ServiceLine, goals []iep.Goal) {
	for i := range lines {
		for _, g := range goals {
			for _, r := range g.ProviderRoles {
				if r == lines[i].ProviderRole && lines[i].Category != iep.CategoryStaffSupport {
					lines[i].GoalIDs = append(lines[i].GoalIDs, g.ID)
				}
			}
		}
	}
}
