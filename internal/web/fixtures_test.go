package web

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 3, 16, 14, 0, 0, 0, time.UTC)

// world is a hand-built district (and a second one) in a real SQLite store.
type world struct {
	db       *store.DB
	handler  http.Handler
	district string            // Riverton, the main district
	other    string            // a second district
	high     string            // Riverside High's id
	mia      string            // grade 10, accepted plan with every section, an ended earlier plan
	noah     string            // draft plan with most sections empty
	ava      string            // no plan
	stranger string            // a student of the other district
	bulk     int               // students beyond the three named ones in Riverton
	maple    string            // Maple Elementary's id
	cm       string            // Dana Reyes, Mia's and Noah's case manager
	rosa     string            // Rosa Ortiz, Mia's mother
	tokens   map[string]string // session tokens by actor kind (actors_test.go)
	emails   map[string]string // account e-mails by actor kind
	staffIDs map[string]string // subject ids by actor kind
}

// newWorld opens a fresh SQLite store in t.TempDir and seeds it; extra adds that many more
// students to Riverside High so that the roster spans several pages.
func newWorld(t testing.TB, extra int) *world {
	t.Helper()
	return newWorldAt(t, extra, func() time.Time { return testNow })
}

// newWorldAt is newWorld with the clock of the store, the service and the pages: tests of the
// session countdown need one that moves.
func newWorldAt(t testing.TB, extra int, clock func() time.Time) *world {
	t.Helper()
	return newWorldWith(t, extra, clock)
}

// newWorldWith is newWorldAt with more options for the service (a public URL, a single sign-on
// client…).
func newWorldWith(t testing.TB, extra int, clock func() time.Time, opts ...app.Option) *world {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "web.db"), store.Options{Now: clock})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	w := &world{db: db, bulk: extra, staffIDs: map[string]string{}}
	if err := db.Write(ctx, w.seed); err != nil {
		t.Fatalf("seed: %v", err)
	}
	if err := db.Write(ctx, w.seedBulk); err != nil {
		t.Fatalf("seed bulk: %v", err)
	}
	if err := db.Write(ctx, func(tx *store.Tx) error { return w.seedActors(ctx, tx) }); err != nil {
		t.Fatalf("seed actors: %v", err)
	}
	h, err := New(app.New(db, clock, append([]app.Option{app.WithPasswordParams(testParams)}, opts...)...), Options{Now: clock, Documents: testDocuments})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	w.handler = h
	return w
}

func (w *world) seed(tx *store.Tx) error {
	ctx := context.Background()
	d := &iep.District{Name: "Riverton Public Schools", StateCode: "MA", LEACode: "0250", RulePack: "MA", Timezone: "America/New_York", Languages: []string{"en", "es"}}
	o := &iep.District{Name: "Other Valley District", StateCode: "MA", LEACode: "0999", RulePack: "MA", Timezone: "America/New_York"}
	for _, x := range []*iep.District{d, o} {
		if err := tx.CreateDistrict(ctx, x); err != nil {
			return err
		}
	}
	w.district, w.other = d.ID, o.ID
	maple := &iep.School{DistrictID: d.ID, Name: "Maple Elementary", Code: "M1", LowGrade: "K", HighGrade: "05", Kind: iep.SchoolPublic}
	high := &iep.School{DistrictID: d.ID, Name: "Riverside High", Code: "H1", LowGrade: "09", HighGrade: "12", Kind: iep.SchoolPublic}
	far := &iep.School{DistrictID: o.ID, Name: "Far Hills School", Code: "F1", LowGrade: "K", HighGrade: "12", Kind: iep.SchoolPublic}
	for _, s := range []*iep.School{maple, high, far} {
		if err := tx.CreateSchool(ctx, s); err != nil {
			return err
		}
	}
	w.high, w.maple = high.ID, maple.ID
	cm := &iep.Staff{DistrictID: d.ID, FirstName: "Dana", LastName: "Reyes", Email: "dreyes@riverton.example", Roles: []iep.StaffRole{iep.RoleCaseManager, iep.RoleSpecialEducationTeacher}, Active: true}
	slp := &iep.Staff{DistrictID: d.ID, FirstName: "Sam", LastName: "Okafor", Email: "sokafor@riverton.example", Roles: []iep.StaffRole{iep.RoleSpeechLanguage}, Active: true}
	for _, s := range []*iep.Staff{cm, slp} {
		if err := tx.CreateStaff(ctx, s); err != nil {
			return err
		}
	}
	students := []*iep.Student{
		{DistrictID: d.ID, SchoolID: high.ID, LocalID: "R-1001", FirstName: "Amelia", LastName: "Ortiz", PreferredName: "Mia", BirthDate: date.MustParse("2009-09-02"), Grade: "10", HomeLanguage: "es", EnrolledOn: date.MustParse("2015-09-01"),
			Disabilities: []iep.Disability{{Category: iep.SpecificLearningDisability, Order: 1, Primary: true}, {Category: iep.SpeechLanguageImpairment, Order: 2}}},
		{DistrictID: d.ID, SchoolID: maple.ID, LocalID: "R-1002", FirstName: "Noah", LastName: "Kim", BirthDate: date.MustParse("2018-01-20"), Grade: "02", HomeLanguage: "ko", EnrolledOn: date.MustParse("2023-09-01"),
			Disabilities: []iep.Disability{{Category: iep.Autism, Order: 1, Primary: true}}},
		{DistrictID: d.ID, SchoolID: maple.ID, LocalID: "R-1003", FirstName: "Ava", LastName: "Brown", BirthDate: date.MustParse("2019-05-11"), Grade: "01", HomeLanguage: "en", EnrolledOn: date.MustParse("2024-09-01")},
		{DistrictID: o.ID, SchoolID: far.ID, LocalID: "O-1", FirstName: "Sol", LastName: "Stranger", BirthDate: date.MustParse("2012-02-02"), Grade: "07", HomeLanguage: "en", EnrolledOn: date.MustParse("2020-09-01")},
	}
	for _, s := range students {
		if err := tx.CreateStudent(ctx, s); err != nil {
			return err
		}
	}
	w.mia, w.noah, w.ava, w.stranger = students[0].ID, students[1].ID, students[2].ID, students[3].ID
	rosa := &iep.Guardian{DistrictID: d.ID, FirstName: "Rosa", LastName: "Ortiz", PreferredLanguage: "es", NeedsInterpreter: true,
		ContactMethods: []iep.ContactMethod{{Kind: iep.ContactEmail, Value: "rosa@example.org", Preferred: true}}}
	if err := tx.CreateGuardian(ctx, rosa); err != nil {
		return err
	}
	w.cm, w.rosa = cm.ID, rosa.ID
	if err := tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: d.ID, StudentID: w.mia, GuardianID: rosa.ID, Relationship: iep.RelMother, HoldsEducationalRights: true, LivesWithStudent: true, ContactOrder: 1}); err != nil {
		return err
	}
	return w.seedPlans(ctx, tx, d.ID, high.ID, maple.ID, cm.ID, slp.ID, rosa.ID)
}

func (w *world) seedPlans(ctx context.Context, tx *store.Tx, district, high, maple, cm, slp, rosa string) error {
	earlier := &iep.Plan{DistrictID: district, StudentID: w.mia, Kind: iep.PlanInitial, Status: iep.StatusEnded, SchoolID: high, CaseManagerID: cm,
		StartDate: date.MustParse("2024-03-01"), EndDate: date.MustParse("2025-02-28")}
	if err := tx.CreatePlan(ctx, earlier, cm); err != nil {
		return fmt.Errorf("earlier plan: %w", err)
	}
	current := &iep.Plan{DistrictID: district, StudentID: w.mia, Kind: iep.PlanAnnual, Status: iep.StatusAccepted, SchoolID: high, CaseManagerID: cm, PreviousPlanID: earlier.ID,
		StartDate: date.MustParse("2025-03-01"), EndDate: date.MustParse("2026-02-28"), MeetingDate: date.MustParse("2025-02-20"),
		NextReviewDate: date.MustParse("2026-02-20"), NextReevalDate: date.MustParse("2027-01-15"), Content: fullContent(high)}
	if err := tx.CreatePlan(ctx, current, cm); err != nil {
		return fmt.Errorf("current plan: %w", err)
	}
	if _, err := tx.FreezePlan(ctx, district, current.ID, cm); err != nil {
		return fmt.Errorf("freeze the current plan: %w", err)
	}
	team := []iep.TeamMember{
		{DistrictID: district, PlanID: current.ID, Role: iep.TeamCaseManager, Also: []iep.TeamRole{iep.TeamSpecialEducationTeacher}, StaffID: cm},
		{DistrictID: district, PlanID: current.ID, Role: iep.TeamParent, GuardianID: rosa},
		{DistrictID: district, PlanID: current.ID, Role: iep.TeamRelatedServiceProvider, StaffID: slp},
		{DistrictID: district, PlanID: current.ID, Role: iep.TeamStudent, StudentID: w.mia},
		{DistrictID: district, PlanID: current.ID, Role: iep.TeamGuest, GuestName: "Lee Advocate", GuestTitle: "family advocate", InvitedBy: iep.InvitedByFamily},
	}
	for i := range team {
		if err := tx.AddTeamMember(ctx, &team[i]); err != nil {
			return fmt.Errorf("team member %d: %w", i, err)
		}
	}
	meeting := &iep.Meeting{DistrictID: district, StudentID: w.mia, PlanID: current.ID, Purposes: []iep.MeetingPurpose{iep.PurposeAnnualReview, iep.PurposeTransition},
		Status: iep.MeetingHeld, StartsAt: time.Date(2025, 2, 20, 19, 30, 0, 0, time.UTC), DurationMinutes: 60, Location: "Room 12", Finalizes: true}
	if err := tx.CreateMeeting(ctx, meeting); err != nil {
		return fmt.Errorf("meeting: %w", err)
	}
	for _, e := range []iep.Event{
		{Kind: iep.EventMeetingHeld, OccurredOn: date.MustParse("2025-02-20")},
		{Kind: iep.EventPlanProposed, OccurredOn: date.MustParse("2025-02-21")},
		{Kind: iep.EventResponseReceived, OccurredOn: date.MustParse("2025-02-25")},
	} {
		e.DistrictID, e.StudentID, e.PlanID, e.ActorID = district, w.mia, current.ID, cm
		if err := tx.AppendEvent(ctx, &e); err != nil {
			return fmt.Errorf("event %s: %w", e.Kind, err)
		}
	}
	draft := &iep.Plan{DistrictID: district, StudentID: w.noah, Kind: iep.PlanInitial, Status: iep.StatusDraft, SchoolID: maple, CaseManagerID: cm,
		Content: iep.Content{Concerns: iep.Concerns{ParentConcerns: "Noah finds loud rooms hard."}}}
	if err := tx.CreatePlan(ctx, draft, cm); err != nil {
		return fmt.Errorf("draft plan: %w", err)
	}
	return nil
}

// seedBulk adds w.bulk students to Riverside High, named so that they sort after the named ones.
func (w *world) seedBulk(tx *store.Tx) error {
	if w.bulk == 0 {
		return nil
	}
	students := make([]iep.Student, w.bulk)
	for i := range students {
		students[i] = iep.Student{DistrictID: w.district, SchoolID: w.high, LocalID: fmt.Sprintf("B-%04d", i),
			FirstName: fmt.Sprintf("Pupil%03d", i), LastName: "Zimmer", BirthDate: date.MustParse("2010-01-01"),
			Grade: "09", HomeLanguage: "en", EnrolledOn: date.MustParse("2020-09-01")}
	}
	return tx.CreateStudents(context.Background(), students)
}

// The texts of the full plan that the tests look for.
const (
	familyConcerns = "We want Mia to enjoy reading.\nShe loves horses and drawing."
	goalStatement  = "Mia will read grade-level text at 120 words correct per minute."
	objective1     = "Read grade 9 passages at 100 words correct per minute."
	accommodation1 = "Extended time (1.5x) on tests"
	modification1  = "Shortened writing assignments"
	assessment1    = "MCAS Grade 10 ELA"
	justification  = "Mia receives reading instruction in a small group outside the classroom."
	transportNote  = "Door-to-door pick-up."
	esyRationale   = "Mia loses reading fluency over the summer."
	transitionEdu  = "Mia will attend a two-year college to study veterinary technology."
	presentArea    = "Reading fluency"
	progressMethod = "Written report mailed home"
)

// fullContent is a plan with every section filled, for a grade 10 student.
func fullContent(schoolID string) iep.Content {
	serviceLine := func(id string, t iep.ServiceType, role iep.StaffRole, set iep.Setting, group, min, n int, p iep.Period) iep.ServiceLine {
		return iep.ServiceLine{ID: id, Category: iep.CategorySpecialEducation, Type: t, ProviderRole: role, Setting: set, GroupSize: group,
			MinutesPerSession: min, SessionsPerPeriod: n, Period: p,
			StartDate: date.MustParse("2025-03-01"), EndDate: date.MustParse("2026-02-28")}
	}
	slp := serviceLine("s2", iep.ServiceSpeechLanguage, iep.RoleSpeechLanguage, iep.OutsideGeneralEducation, 1, 30, 2, iep.PerCycle)
	slp.Category, slp.CycleDays = iep.CategoryRelated, 6
	target := 120.0
	return iep.Content{
		Concerns: iep.Concerns{ParentConcerns: familyConcerns, StudentVision: "I want to work with animals.", PostSecondaryVision: "College, then a job at a vet clinic.", TeamVision: "Mia reads independently for school and work."},
		PresentLevels: iep.PresentLevels{Areas: []iep.PresentLevel{{Area: presentArea, Strengths: "Strong vocabulary.", Needs: "Decoding multisyllable words.",
			Performance: "85 words correct per minute on grade 10 passages.", Impact: "Slow reading limits access to grade-level texts.", Source: "2025 reevaluation"}}},
		Goals: iep.Goals{Goals: []iep.Goal{{ID: "g1", Area: "Reading", Statement: goalStatement, Baseline: "85 words correct per minute", Target: "120 words correct per minute",
			TargetValue: &target, Unit: "wcpm", MeasurementMethod: "Curriculum-based measurement probes", Schedule: "Every two weeks",
			ProviderRoles: []iep.StaffRole{iep.RoleSpecialEducationTeacher},
			Objectives:    []iep.Objective{{Statement: objective1, Criterion: "3 of 4 probes", TargetDate: date.MustParse("2025-06-15")}}}}},
		ProgressReporting: iep.ProgressReporting{Method: progressMethod, Frequency: "Quarterly, with report cards", ReportDates: []date.Date{date.MustParse("2025-06-20")}},
		Services: iep.Services{Lines: []iep.ServiceLine{
			serviceLine("s1", iep.ServiceReading, iep.RoleSpecialEducationTeacher, iep.OutsideGeneralEducation, 4, 45, 3, iep.PerWeek), slp}},
		Accommodations: iep.Accommodations{Items: []iep.AccommodationItem{
			{ID: "a1", Kind: iep.Accommodation, Context: iep.ContextBoth, Description: accommodation1, Subjects: "All"},
			{ID: "a2", Kind: iep.Modification, Context: iep.ContextClassroom, Description: modification1, Subjects: "English"}}},
		Assessments:    iep.Assessments{Items: []iep.AssessmentParticipation{{Assessment: assessment1, Subject: "ELA", Participation: iep.ParticipationWithAccommodations, Accommodations: []string{"Extended time"}}}},
		Placement:      iep.Placement{Setting: "Partial inclusion", SchoolID: schoolID, EnvironmentCode: "RC80", PercentInRegularClass: 85, RemovalJustification: justification},
		Transportation: iep.Transportation{Needed: true, Kind: iep.TransportSpecial, Details: transportNote},
		ESY: iep.ESY{Decision: iep.ESYEligible, Criteria: []iep.ESYCriterion{iep.ESYRegressionRecoupment}, Rationale: esyRationale,
			Services: []iep.ServiceLine{serviceLine("e1", iep.ServiceReading, iep.RoleSpecialEducationTeacher, iep.OutsideGeneralEducation, 3, 60, 2, iep.PerWeek)}},
		Transition: iep.Transition{Applies: true, EducationGoal: transitionEdu, EmploymentGoal: "Work as a veterinary technician.", IndependentLivingGoal: "Live in a shared apartment.",
			Services: []iep.TransitionService{{Area: "Community experiences", Description: "Volunteer at the animal shelter.", Responsible: "Transition specialist"}}},
	}
}
