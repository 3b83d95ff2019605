package iep

import (
	"errors"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
)

type validator interface{ Validate() error }

// fields returns the field names of err's problems, or fails when err is not an invalid error.
func fields(t *testing.T, err error) map[string]string {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindInvalid {
		t.Fatalf("got %v, want an invalid error", err)
	}
	m := map[string]string{}
	for _, p := range e.Problems {
		m[p.Field] = p.Code
	}
	return m
}

func TestValidate(t *testing.T) {
	d := date.MustParse
	tests := []struct {
		name string
		v    validator
		want map[string]string // field -> code; nil means valid
	}{
		{"district ok", &District{Name: "Riverside", StateCode: "MA", RulePack: "MA", Timezone: "America/New_York"}, nil},
		{"district bad", &District{StateCode: "Mass", Timezone: "Mars/Base"}, map[string]string{
			"name": CodeRequired, "state_code": CodeInvalid, "rule_pack": CodeRequired, "timezone": CodeInvalid}},
		{"school grades reversed", &School{DistrictID: "d", Name: "A", LowGrade: "05", HighGrade: "K", Kind: SchoolPublic},
			map[string]string{"high_grade": CodeDateOrder}},
		{"school year reversed", &SchoolYear{DistrictID: "d", Name: "2026-2027", FirstDay: d("2026-09-02"), LastDay: d("2026-06-15")},
			map[string]string{"last_day": CodeDateOrder}},
		{"staff bad role and email", &Staff{DistrictID: "d", FirstName: "A", LastName: "B", Email: "nope", Roles: []StaffRole{"janitor"}},
			map[string]string{"email": CodeInvalid, "roles": CodeChoice}},
		{"student two primaries", &Student{DistrictID: "d", SchoolID: "s", FirstName: "A", LastName: "B", BirthDate: d("2015-01-01"), Grade: "05", HomeLanguage: "en",
			Disabilities: []Disability{{Category: Autism, Primary: true}, {Category: SpeechLanguageImpairment, Primary: true}}},
			map[string]string{"disabilities": CodeInvalid}},
		{"student duplicate category, missing grade", &Student{DistrictID: "d", SchoolID: "s", FirstName: "A", LastName: "B", BirthDate: d("2015-01-01"), HomeLanguage: "en",
			Disabilities: []Disability{{Category: Autism, Primary: true}, {Category: Autism}}},
			map[string]string{"disabilities[1].category": CodeDuplicate, "grade": CodeRequired}},
		{"student exited without reason", &Student{DistrictID: "d", SchoolID: "s", FirstName: "A", LastName: "B", BirthDate: d("2008-01-01"), Grade: "12", HomeLanguage: "en",
			EnrolledOn: d("2020-09-01"), ExitedOn: d("2026-06-10")},
			map[string]string{"exit_reason": CodeRequired}},
		{"guardian bad email", &Guardian{DistrictID: "d", FirstName: "A", LastName: "B", PreferredLanguage: "es",
			ContactMethods: []ContactMethod{{Kind: ContactEmail, Value: "x@"}}},
			map[string]string{"contact_methods[0].value": CodeInvalid}},
		{"link no relationship", &StudentGuardian{StudentID: "s", GuardianID: "g"}, map[string]string{"relationship": CodeRequired}},
		{"team member two identities", &TeamMember{PlanID: "p", Role: TeamParent, GuardianID: "g", StaffID: "x"}, map[string]string{"member": CodeInvalid}},
		{"guest without inviter", &TeamMember{PlanID: "p", Role: TeamGuest, GuestName: "Ms. Advocate"}, map[string]string{"invited_by": CodeRequired}},
		{"excusal of discussed area needs written input", &TeamMember{PlanID: "p", Role: TeamRegularEducationTeacher, StaffID: "t",
			Excusal: &Excusal{AreaDiscussed: true, ParentAgreedOn: d("2026-10-01")}}, map[string]string{"excusal.written_input_on": CodeRequired}},
		{"meeting finalizes but not held", &Meeting{StudentID: "s", Purposes: []MeetingPurpose{PurposeAnnualReview}, Status: MeetingScheduled,
			StartsAt: time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC), Location: "Room 4", Finalizes: true}, map[string]string{"finalizes": CodeInvalid}},
		{"meeting with no place", &Meeting{StudentID: "s", Purposes: []MeetingPurpose{PurposeAnnualReview}, Status: MeetingScheduled,
			StartsAt: time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)}, map[string]string{"location": CodeRequired}},
		{"consent decided before asked", &Consent{StudentID: "s", Kind: ConsentInitialEvaluation, RequestedOn: d("2026-10-05"), Decision: ConsentGranted, DecidedOn: d("2026-10-01")},
			map[string]string{"decided_on": CodeDateOrder}},
		{"eligible without disability", &Eligibility{StudentID: "s", EvaluationID: "e", DeterminedOn: d("2026-10-01"), Eligible: true, Basis: "x"},
			map[string]string{"disabilities": CodeRequired}},
		{"prior written notice incomplete", &Notice{StudentID: "s", Kind: NoticePriorWritten, Language: "es", Action: "propose IEP"},
			map[string]string{"reasons": CodeRequired, "based_on": CodeRequired, "options_considered": CodeRequired, "safeguards": CodeRequired, "help_sources": CodeRequired}},
		{"partial acceptance names nothing", &Response{PlanID: "p", VersionID: "v", VersionSHA256: "h", GuardianID: "g", Decision: AcceptInPart, RespondedOn: d("2026-10-01"),
			Signature: &Signature{Method: "electronic", TypedName: "Ana Silva"}}, map[string]string{"rejected_sections": CodeRequired}},
		{"paper signature without scan", &Response{PlanID: "p", VersionID: "v", VersionSHA256: "h", GuardianID: "g", Decision: AcceptInFull, RespondedOn: d("2026-10-01"),
			Signature: &Signature{Method: "paper", TypedName: "Ana Silva"}}, map[string]string{"signature.scan_id": CodeRequired}},
		{"accept without signature", &Response{PlanID: "p", VersionID: "v", VersionSHA256: "h", GuardianID: "g", Decision: AcceptInFull, RespondedOn: d("2026-10-01")},
			map[string]string{"signature": CodeRequired}},
		{"missed session with minutes", &ServiceLog{StudentID: "s", PlanID: "p", ServiceLineID: "l", ProviderID: "x", Date: d("2026-10-01"), Status: SessionMissed,
			MissedReason: MissedStudentAbsent, Minutes: 30, GroupSize: 1}, map[string]string{"minutes": CodeRange}},
		{"make-up without original", &ServiceLog{StudentID: "s", PlanID: "p", ServiceLineID: "l", ProviderID: "x", Date: d("2026-10-01"), Status: SessionMakeUp,
			Minutes: 30, GroupSize: 1, Medicaid: Medicaid{OmitFromBilling: true}}, map[string]string{"make_up_of": CodeRequired, "medicaid.omit_reason": CodeRequired}},
		{"event with bad data", &Event{DistrictID: "d", StudentID: "s", Kind: EventMeetingHeld, OccurredOn: d("2026-10-01"), Data: []byte("{")},
			map[string]string{"data": CodeInvalid}},
		{"alternate assessment without reasons", &planSection{&Assessments{Items: []AssessmentParticipation{{Assessment: "MCAS", Participation: ParticipationAlternate}}}},
			map[string]string{"items[0].why_not_regular": CodeRequired, "items[0].why_alternate_fits": CodeRequired}},
		{"placement removal unexplained", &planSection{&Placement{EnvironmentCode: "RC79TO40", PercentInRegularClass: 60}},
			map[string]string{"removal_justification": CodeRequired}},
		{"special transport without kind", &planSection{&Transportation{Needed: true}}, map[string]string{"kind": CodeInvalid}},
		{"ESY undecided without date", &planSection{&ESY{Decision: ESYUndecided}}, map[string]string{"decide_by": CodeRequired}},
		{"transition without goals", &planSection{&Transition{Applies: true}}, map[string]string{"education_goal": CodeRequired, "employment_goal": CodeRequired}},
		{"transition not applying", &planSection{&Transition{}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.v.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			got := fields(t, err)
			for f, code := range tt.want {
				if got[f] != code {
					t.Errorf("problem for %q = %q, want %q (all: %v)", f, got[f], code, got)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("problems = %v, want exactly %v", got, tt.want)
			}
		})
	}
}

// planSection adapts a Section to validator for the table above.
type planSection struct{ s Section }

func (p *planSection) Validate() error { return p.s.Problems().Err() }

func TestMissingRoles(t *testing.T) {
	full := []TeamMember{
		{Role: TeamParent, GuardianID: "g"},
		{Role: TeamRegularEducationTeacher, StaffID: "t1"},
		{Role: TeamSpecialEducationTeacher, StaffID: "t2", Also: []TeamRole{TeamEvaluationInterpreter}},
		{Role: TeamDistrictRepresentative, StaffID: "t3"},
	}
	if got := MissingRoles(full, true, false); len(got) != 0 {
		t.Errorf("MissingRoles(full team) = %v, want none", got)
	}
	if got := MissingRoles(full, true, true); len(got) != 1 || got[0] != TeamStudent {
		t.Errorf("MissingRoles(transition age) = %v, want [student]", got)
	}
	noGenEd := full[:1:1]
	noGenEd = append(noGenEd, full[2:]...)
	if got := MissingRoles(noGenEd, false, false); len(got) != 0 {
		t.Errorf("MissingRoles(no regular class) = %v, want none", got)
	}
	if got := MissingRoles(noGenEd, true, false); len(got) != 1 || got[0] != TeamRegularEducationTeacher {
		t.Errorf("MissingRoles(may be in regular class) = %v, want [regular_education_teacher]", got)
	}
}

func TestEnvironmentAndFederalCodes(t *testing.T) {
	for _, tt := range []struct {
		pct  float64
		want EnvironmentCode
	}{{100, "RC80"}, {80, "RC80"}, {79.9, "RC79TO40"}, {40, "RC79TO40"}, {39.9, "RC39"}, {0, "RC39"}} {
		if got := SchoolAgeEnvironment(tt.pct); got != tt.want {
			t.Errorf("SchoolAgeEnvironment(%v) = %s, want %s", tt.pct, got, tt.want)
		}
	}
	if c, ok := Deafness.FederalCode(); !ok || c != "HI" {
		t.Errorf("Deafness.FederalCode() = %q, %v; want HI (34 CFR 300.8; EDFacts reports deafness under HI)", c, ok)
	}
	if _, ok := Neurological.FederalCode(); ok {
		t.Errorf("MA's Neurological maps one-to-one to a federal code; it must be flagged instead")
	}
	if c, ok := Autism.FederalCode(); !ok || c != "AUT" {
		t.Errorf("Autism.FederalCode() = %q, %v", c, ok)
	}
}

func TestProblemMessages(t *testing.T) {
	ps := Problems{{Field: "minutes", Code: CodeRange, Detail: "1..480"}, {Field: "kind", Code: CodeChoice, Detail: "a, b"}}
	want := "minutes must be between 1 and 480; kind must be one of: a, b"
	if got := ps.Error(); got != want {
		t.Errorf("Problems.Error() = %q, want %q", got, want)
	}
	if (Problems{}).Err() != nil {
		t.Errorf("empty Problems.Err() != nil")
	}
}
