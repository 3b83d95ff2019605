package iep

import (
	"errors"
	"testing"

	"github.com/openiep/openiep/internal/date"
)

// TestTransitions walks every pair of statuses: the table is the state machine, written out
// so that a change to it is a visible change to this test.
func TestTransitions(t *testing.T) {
	legal := map[[2]PlanStatus]bool{
		{StatusDraft, StatusProposed}:            true,
		{StatusDraft, StatusCancelled}:           true,
		{StatusProposed, StatusAccepted}:         true,
		{StatusProposed, StatusAcceptedInPart}:   true,
		{StatusProposed, StatusRejected}:         true,
		{StatusProposed, StatusDraft}:            true, // reopened to revise after negotiation
		{StatusProposed, StatusEnded}:            true, // withdrawn when the student exits
		{StatusRejected, StatusDraft}:            true,
		{StatusRejected, StatusEnded}:            true,
		{StatusRejected, StatusAccepted}:         true, // the family changes its mind
		{StatusRejected, StatusAcceptedInPart}:   true,
		{StatusAcceptedInPart, StatusRejected}:   true, // a second rights-holder rejects
		{StatusAccepted, StatusAcceptedInPart}:   true,
		{StatusAccepted, StatusRejected}:         true,
		{StatusAcceptedInPart, StatusAccepted}:   true, // the rest accepted later
		{StatusAcceptedInPart, StatusSuperseded}: true,
		{StatusAcceptedInPart, StatusEnded}:      true,
		{StatusAccepted, StatusSuperseded}:       true,
		{StatusAccepted, StatusEnded}:            true,
	}
	for _, from := range PlanStatuses {
		for _, to := range PlanStatuses {
			want := legal[[2]PlanStatus{from, to}]
			if got := CanTransition(from, to); got != want {
				t.Errorf("CanTransition(%s, %s) = %v, want %v", from, to, got, want)
			}
			err := CheckTransition(from, to)
			if want && err != nil {
				t.Errorf("CheckTransition(%s, %s) = %v, want nil", from, to, err)
			}
			if !want && (err == nil || !errors.Is(err, ErrConflict)) {
				t.Errorf("CheckTransition(%s, %s) = %v, want a conflict", from, to, err)
			}
		}
	}
}

func TestInEffectAndFrozen(t *testing.T) {
	for _, s := range PlanStatuses {
		wantEffect := s == StatusAccepted || s == StatusAcceptedInPart
		if s.InEffect() != wantEffect {
			t.Errorf("%s.InEffect() = %v, want %v", s, s.InEffect(), wantEffect)
		}
		if s.Frozen() != (s != StatusDraft) {
			t.Errorf("%s.Frozen() = %v", s, s.Frozen())
		}
	}
}

func samplePlan() *Plan {
	return &Plan{
		ID: "p1", DistrictID: "d1", StudentID: "s1", Kind: PlanInitial, Status: StatusDraft,
		StartDate: date.MustParse("2026-12-01"), EndDate: date.MustParse("2027-11-30"),
		Content: Content{
			Concerns: Concerns{ParentConcerns: "She loves stories.\n\nReading is hard for her."},
			Goals: Goals{Goals: []Goal{{
				ID: "g1", Area: "reading", Statement: "Reads grade 3 text fluently",
				Baseline: "42 wcpm", Target: "90 wcpm", MeasurementMethod: "curriculum-based measure",
				Schedule: "every two weeks",
			}}},
			Services: Services{Lines: []ServiceLine{{
				ID: "l1", Category: CategorySpecialEducation, Type: ServiceSpecializedInstruction,
				ProviderRole: RoleSpecialEducationTeacher, Setting: OutsideGeneralEducation,
				GroupSize: 3, MinutesPerSession: 45, SessionsPerPeriod: 4, Period: PerWeek,
				StartDate: date.MustParse("2026-12-01"), EndDate: date.MustParse("2027-11-30"),
			}}},
		},
	}
}

func TestFreezeIsStableAndSensitive(t *testing.T) {
	p := samplePlan()
	a, sumA, err := Freeze(p, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, sumB, _ := Freeze(samplePlan(), 1)
	if string(a) != string(b) || sumA != sumB {
		t.Fatalf("Freeze is not deterministic: %s vs %s", sumA, sumB)
	}
	p.Content.Concerns.ParentConcerns += " "
	_, sumC, _ := Freeze(p, 1)
	if sumC == sumA {
		t.Errorf("one added space did not change the hash")
	}
	_, sumD, _ := Freeze(samplePlan(), 2)
	if sumD == sumA {
		t.Errorf("the version number is not part of the hash")
	}
	v := &Version{Canonical: a, SHA256: sumA}
	if !VerifyVersion(v) {
		t.Errorf("VerifyVersion of a fresh version = false")
	}
	v.Canonical = append([]byte{}, a...)
	v.Canonical[10] ^= 1
	if VerifyVersion(v) {
		t.Errorf("VerifyVersion of a changed version = true")
	}
}

func TestPlanValidateNamesFields(t *testing.T) {
	p := samplePlan()
	p.Kind = "weekly"
	p.EndDate = date.MustParse("2026-01-01")
	p.Content.Services.Lines[0].MinutesPerSession = 900
	p.Content.Goals.Goals[0].Baseline = ""
	p.Content.Services.Lines[0].SessionsPerPeriod = 0
	// A draft may be incomplete: only what is wrong is a problem.
	p.Status = StatusDraft
	if err := p.Validate(); len(problemsOf(err)) != 3 {
		t.Errorf("draft Validate() = %v, want the 3 wrong fields and none of the missing", err)
	}
	// The proposal (and any plan past draft) requires every section whole.
	p.Content.ProgressReporting = ProgressReporting{Method: "Written report", Frequency: "Quarterly"}
	p.Content.Placement = Placement{EnvironmentCode: "RC80", PercentInRegularClass: 100}
	p.Content.ESY = ESY{Decision: ESYNotEligible, Rationale: "No regression over breaks."}
	err := p.ValidateForProposal()
	if p.Status = StatusProposed; p.Validate() == nil {
		t.Error("a proposed plan with missing fields is valid")
	}
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindInvalid {
		t.Fatalf("Validate() = %v, want an invalid error", err)
	}
	want := map[string]string{
		"kind":                                  CodeChoice,
		"end_date":                              CodeDateOrder,
		"services.lines[0].minutes_per_session": CodeRange,
		"goals.goals[0].baseline":               CodeRequired,
		"services.lines[0].sessions_per_period": CodeRequired,
	}
	got := map[string]string{}
	for _, p := range e.Problems {
		got[p.Field] = p.Code
	}
	for f, code := range want {
		if got[f] != code {
			t.Errorf("problem for %s = %q, want %q (all: %v)", f, got[f], code, e.Problems)
		}
	}
	if len(e.Problems) != len(want) {
		t.Errorf("got %d problems, want %d: %v", len(e.Problems), len(want), e.Problems)
	}
}

func TestConcernsHaveNoLengthLimit(t *testing.T) {
	p := samplePlan()
	long := make([]byte, 200000)
	for i := range long {
		long[i] = 'a' + byte(i%26)
	}
	p.Content.Concerns.ParentConcerns = string(long)
	if err := p.Validate(); err != nil {
		t.Fatalf("a 200,000-character concern was refused: %v", err)
	}
}

func TestDecodeSection(t *testing.T) {
	var c Content
	if err := DecodeSection(&c, SectionServices, []byte(`{"lines":[{"id":"x","group_size":0}]}`)); err == nil {
		t.Errorf("an invalid service line was accepted")
	} else if KindOf(err) != KindInvalid {
		t.Errorf("KindOf = %v, want invalid", KindOf(err))
	}
	if err := DecodeSection(&c, "lunch", []byte(`{}`)); KindOf(err) != KindInvalid {
		t.Errorf("unknown section: %v", err)
	}
	if err := DecodeSection(&c, SectionConcerns, []byte(`{"parent_concerns":`)); KindOf(err) != KindInvalid {
		t.Errorf("malformed JSON: %v", err)
	}
	if err := DecodeSection(&c, SectionConcerns, []byte(`{"parent_concerns":"ok"}`)); err != nil || c.Concerns.ParentConcerns != "ok" {
		t.Errorf("DecodeSection(concerns) = %v, %q", err, c.Concerns.ParentConcerns)
	}
	for _, k := range Sections {
		if c.Section(k) == nil {
			t.Errorf("Content.Section(%s) = nil", k)
		}
		if _, err := EncodeSection(&c, k); err != nil {
			t.Errorf("EncodeSection(%s): %v", k, err)
		}
	}
}

func TestConflictErrorKind(t *testing.T) {
	err := error(&ConflictError{Section: SectionGoals, YourRevision: 3, CurrentRevision: 4})
	if !errors.Is(err, ErrConflict) || KindOf(err) != KindConflict {
		t.Errorf("a ConflictError is not a conflict: Is=%v Kind=%v", errors.Is(err, ErrConflict), KindOf(err))
	}
	if errors.Is(err, ErrNotFound) {
		t.Errorf("a ConflictError is a not-found")
	}
	nf := Errorf(KindNotFound, "student %s not found", "x")
	if !errors.Is(nf, ErrNotFound) || errors.Is(nf, ErrConflict) {
		t.Errorf("Errorf(KindNotFound) does not match ErrNotFound only")
	}
}

func problemsOf(err error) Problems {
	var e *Error
	if errors.As(err, &e) {
		return e.Problems
	}
	return nil
}

// TestProposalNeedsWhatEveryIEPHas: an empty draft is a valid draft, and the proposal names
// what every IEP must have (34 CFR 300.320(a)).
func TestProposalNeedsWhatEveryIEPHas(t *testing.T) {
	p := samplePlan()
	p.Status = StatusDraft
	p.Content = Content{}
	if err := p.Validate(); err != nil {
		t.Fatalf("an empty draft: %v", err)
	}
	got := map[string]bool{}
	for _, pr := range problemsOf(p.ValidateForProposal()) {
		got[pr.Field] = true
	}
	for _, f := range []string{"goals.goals", "services.lines", "progress_reporting.method", "progress_reporting.frequency",
		"placement.environment_code", "esy.decision"} {
		if !got[f] {
			t.Errorf("the proposal of an empty draft does not name %s (got %v)", f, got)
		}
	}
}
