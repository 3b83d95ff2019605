package iep

import (
	"errors"

	"github.com/openiep/openiep/internal/date"
	"slices"
	"strings"
	"testing"
)

// TestPlanSteps walks every step of a plan from every status: the legal pairs are written out
// here, so that a change to the machine is a visible change to this test, and every illegal one
// must be a conflict that names the step and the status.
func TestPlanSteps(t *testing.T) {
	legal := map[PlanStep][]PlanStatus{
		StepEditSection:      {StatusDraft},
		StepComment:          {StatusDraft, StatusProposed},
		StepSuggestChange:    {StatusDraft},
		StepDecideSuggestion: {StatusDraft},
		StepShareDraft:       {StatusDraft},
		StepRequestDraft:     {StatusDraft},
		StepChangeTeam:       {StatusDraft, StatusProposed},
		StepScheduleMeeting:  {StatusDraft},
		StepHoldMeeting:      {StatusDraft},
		StepPropose:          {StatusDraft},
		StepRespond:          {StatusProposed, StatusAccepted, StatusAcceptedInPart, StatusRejected},
		StepRecordSilence:    {StatusProposed},
		StepReopen:           {StatusProposed, StatusRejected},
		StepCancel:           {StatusDraft},
		StepAmend:            {StatusAccepted, StatusAcceptedInPart},
		StepReview:           {StatusAccepted, StatusAcceptedInPart},
		StepRevokeServices:   {StatusAccepted, StatusAcceptedInPart},
		StepExit:             {StatusAccepted, StatusAcceptedInPart, StatusProposed, StatusRejected},
	}
	if len(legal) != len(PlanSteps) {
		t.Fatalf("the test knows %d steps, PlanSteps lists %d", len(legal), len(PlanSteps))
	}
	for _, step := range PlanSteps {
		for _, s := range PlanStatuses {
			err := CheckPlanStep(s, step)
			want := slices.Contains(legal[step], s)
			switch {
			case want && err != nil:
				t.Errorf("%s from %s: %v, want allowed", step, s, err)
			case !want && err == nil:
				t.Errorf("%s from %s: allowed, want a conflict", step, s)
			case !want && !errors.Is(err, ErrConflict):
				t.Errorf("%s from %s: %v, want a conflict", step, s, err)
			case !want && !strings.Contains(err.Error(), strings.ReplaceAll(string(s), "_", " ")):
				t.Errorf("%s from %s: %q does not name the status", step, s, err)
			}
		}
	}
	if err := CheckPlanStep(StatusDraft, "fly"); KindOf(err) != KindInvalid {
		t.Errorf("unknown step: %v", err)
	}
}

// TestEvaluationSteps walks every step of an evaluation from every stage.
func TestEvaluationSteps(t *testing.T) {
	legal := map[EvaluationStep][]EvaluationStage{
		StepRecordEvaluationConsent: {StageConsentRequested},
		StepAskConsentAgain:         {StageConsentRefused},
		StepAssignAssessment:        {StageEvaluating, StageEvaluated},
		StepReportAssessment:        {StageEvaluating},
		StepShareSummaries:          {StageEvaluating, StageEvaluated},
		StepCompleteEvaluation:      {StageEvaluating},
		StepDetermineEligibility:    {StageEvaluated},
	}
	for _, step := range EvaluationSteps {
		for _, s := range EvaluationStages {
			err := CheckEvaluationStep(s, step)
			if want := slices.Contains(legal[step], s); want != (err == nil) || (!want && !errors.Is(err, ErrConflict)) {
				t.Errorf("%s from %s: %v, want allowed = %v", step, s, err, want)
			}
		}
	}
	moves := map[[2]EvaluationStage]bool{
		{StageConsentRequested, StageEvaluating}: true, {StageConsentRequested, StageConsentRefused}: true,
		{StageConsentRefused, StageConsentRequested}: true, {StageEvaluating, StageEvaluated}: true,
		{StageEvaluated, StageEligible}: true, {StageEvaluated, StageNotEligible}: true, {StageEvaluated, StageEvaluating}: true,
	}
	for _, a := range EvaluationStages {
		for _, b := range EvaluationStages {
			if CanMoveEvaluation(a, b) != moves[[2]EvaluationStage{a, b}] {
				t.Errorf("CanMoveEvaluation(%s, %s) = %v", a, b, !moves[[2]EvaluationStage{a, b}])
			}
		}
	}
}

func TestCombineResponses(t *testing.T) {
	acc := Response{GuardianID: "g1", Decision: AcceptInFull}
	part := Response{GuardianID: "g2", Decision: AcceptInPart, RejectedServices: []string{"s2"}, RejectedSections: []SectionKind{SectionPlacement}}
	rej := Response{GuardianID: "g2", Decision: RejectInFull}
	later := Response{GuardianID: "g2", Decision: AcceptInFull}
	cases := []struct {
		name     string
		rs       []Response
		status   PlanStatus
		services []string
	}{
		{"none", nil, StatusProposed, nil},
		{"accepted", []Response{acc}, StatusAccepted, nil},
		{"one accepts, the other in part", []Response{acc, part}, StatusAcceptedInPart, []string{"s2"}},
		{"one rejects in full", []Response{acc, rej}, StatusRejected, nil},
		{"the latest of each counts", []Response{acc, part, later}, StatusAccepted, nil},
		{"silence", []Response{{GuardianID: "g1", Decision: NoResponse}}, StatusRejected, nil},
	}
	for _, c := range cases {
		st, _, svc := CombineResponses(c.rs)
		if st != c.status || !slices.Equal(svc, c.services) {
			t.Errorf("%s: %s %v, want %s %v", c.name, st, svc, c.status, c.services)
		}
	}
}

func TestEffectiveServices(t *testing.T) {
	cur := &Content{Services: Services{Lines: []ServiceLine{{ID: "s1", MinutesPerSession: 45}, {ID: "s2", MinutesPerSession: 60}}}}
	prev := &Content{Services: Services{Lines: []ServiceLine{{ID: "s2", MinutesPerSession: 30}, {ID: "s9"}}}}
	ids := func(ls []EffectiveLine) string {
		var b []string
		for _, l := range ls {
			b = append(b, l.PlanID+"/"+l.ID)
		}
		return strings.Join(b, ",")
	}
	if got := ids(EffectiveServices("new", cur, nil, nil, "old", prev)); got != "new/s1,new/s2" {
		t.Errorf("accepted in full: %s", got)
	}
	got := EffectiveServices("new", cur, nil, []string{"s2"}, "old", prev)
	if ids(got) != "new/s1,old/s2" || got[1].MinutesPerSession != 30 || !got[1].Held {
		t.Errorf("a line rejected: %+v", got)
	}
	if got := ids(EffectiveServices("new", cur, []SectionKind{SectionServices}, nil, "old", prev)); got != "old/s2,old/s9" {
		t.Errorf("the services rejected: %s", got)
	}
	if got := ids(EffectiveServices("new", cur, nil, []string{"s2"}, "", nil)); got != "new/s1" {
		t.Errorf("an initial plan with a line rejected: %s", got)
	}
}

func TestCheckDocument(t *testing.T) {
	pdf := []byte("%PDF-1.7 …")
	cases := []struct {
		name, file, mt string
		data           []byte
		field          string
	}{
		{"a pdf", "report.pdf", "application/pdf", pdf, ""},
		{"undeclared", "report.PDF", "", pdf, ""},
		{"text", "notes.txt", "text/plain; charset=utf-8", []byte("hello"), ""},
		{"renamed executable", "report.pdf", "application/pdf", []byte("MZ\x90\x00"), "content"},
		{"html", "page.html", "text/html", []byte("<script>"), "name"},
		{"declared otherwise", "scan.png", "image/jpeg", []byte("\x89PNG\r\n\x1a\nxx"), "media_type"},
		{"empty", "a.pdf", "", nil, "content"},
		{"a folder", "../a.pdf", "", pdf, "name"},
		{"too big", "big.pdf", "", append([]byte("%PDF-"), make([]byte, MaxDocumentBytes)...), "content"},
	}
	for _, c := range cases {
		_, err := CheckDocument(c.file, c.mt, c.data)
		var e *Error
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.field != "" && (!errors.As(err, &e) || e.Problems[0].Field != c.field):
			t.Errorf("%s: %v, want a problem with %s", c.name, err, c.field)
		}
	}
}

func TestDraftLate(t *testing.T) {
	d := func(s string) date.Date {
		if s == "" {
			return date.Date{}
		}
		return date.MustParse(s)
	}
	cases := []struct {
		n         int
		requested bool
		shared    string
		late      bool
	}{
		{0, true, "", false},           // the pack has no such rule
		{5, false, "", false},          // the family did not ask
		{5, true, "", true},            // asked, never shared
		{5, true, "2026-03-18", false}, // exactly 5 days before the 23rd
		{5, true, "2026-03-19", true},  // 4 days before
		{5, true, "2026-03-01", false}, // well before
	}
	for _, c := range cases {
		if got := DraftLate(c.n, c.requested, d(c.shared), d("2026-03-23")); got != c.late {
			t.Errorf("DraftLate(%d, %v, %q) = %v", c.n, c.requested, c.shared, got)
		}
	}
}
