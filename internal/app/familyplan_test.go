package app

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// famPlanFixture is newFixture with a family: a mother holding the rights for the first student
// (whose plan is a draft) and for a second child with a plan in effect, a father who also holds
// the first student's rights, and the draft's case manager.
type famPlanFixture struct {
	*fixture
	mother, father, cm   Actor
	sibling, siblingPlan string
}

func newFamPlanFixture(t *testing.T) *famPlanFixture {
	t.Helper()
	f := &famPlanFixture{fixture: newFixture(t, 1)}
	ctx := context.Background()
	p, err := f.svc.db.GetPlan(ctx, f.district, f.planID)
	if err != nil {
		t.Fatal(err)
	}
	f.cm = Actor{Kind: ActorStaff, ID: p.CaseManagerID, DistrictID: f.district, AccountID: "account-cm", Roles: []iep.StaffRole{iep.RoleCaseManager}}
	err = f.svc.db.Write(ctx, func(tx *store.Tx) error {
		m := &iep.Guardian{DistrictID: f.district, FirstName: "Rosa", LastName: "Family", PreferredLanguage: "es"}
		d := &iep.Guardian{DistrictID: f.district, FirstName: "Luis", LastName: "Family", PreferredLanguage: "es"}
		for _, g := range []*iep.Guardian{m, d} {
			if err := tx.CreateGuardian(ctx, g); err != nil {
				return err
			}
			if err := tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: f.district, StudentID: f.student, GuardianID: g.ID,
				Relationship: iep.RelMother, HoldsEducationalRights: true, ContactOrder: 1}); err != nil {
				return err
			}
		}
		sib := &iep.Student{DistrictID: f.district, SchoolID: f.school, LocalID: "sib", FirstName: "Sib", LastName: "Family",
			BirthDate: date.MustParse("2013-01-01"), Grade: "07", HomeLanguage: "es", EnrolledOn: date.MustParse("2019-09-01")}
		if err := tx.CreateStudent(ctx, sib); err != nil {
			return err
		}
		if err := tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: f.district, StudentID: sib.ID, GuardianID: m.ID,
			Relationship: iep.RelMother, HoldsEducationalRights: true, ContactOrder: 1}); err != nil {
			return err
		}
		sp := &iep.Plan{DistrictID: f.district, StudentID: sib.ID, Kind: iep.PlanInitial, Status: iep.StatusAccepted, SchoolID: f.school,
			CaseManagerID: p.CaseManagerID, StartDate: date.MustParse("2025-09-01"), EndDate: date.MustParse("2026-08-31")}
		if err := tx.CreatePlan(ctx, sp, p.CaseManagerID); err != nil {
			return err
		}
		f.sibling, f.siblingPlan = sib.ID, sp.ID
		f.mother = Actor{Kind: ActorGuardian, ID: m.ID, DistrictID: f.district, AccountID: "account-" + m.ID}
		f.father = Actor{Kind: ActorGuardian, ID: d.ID, DistrictID: f.district, AccountID: "account-" + d.ID}
		return nil
	})
	if err != nil {
		t.Fatalf("seed the family: %v", err)
	}
	return f
}

func (f *famPlanFixture) share(t *testing.T) {
	t.Helper()
	if _, err := f.svc.ShareDraft(context.Background(), f.cm, f.district, f.planID); err != nil {
		t.Fatal(err)
	}
}

func TestFamilySees(t *testing.T) {
	shared := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		p    iep.Plan
		want bool
	}{
		{iep.Plan{Status: iep.StatusDraft}, false},
		{iep.Plan{Status: iep.StatusDraft, SharedAt: shared}, true},
		{iep.Plan{Status: iep.StatusProposed, CurrentVersion: 1}, true},
		{iep.Plan{Status: iep.StatusCancelled}, false},
		{iep.Plan{Status: iep.StatusCancelled, SharedAt: shared}, true},
		{iep.Plan{Status: iep.StatusAccepted, CurrentVersion: 1}, true},
		{iep.Plan{Status: iep.StatusEnded}, true},
	}
	for _, tt := range tests {
		if got := familySees(&tt.p); got != tt.want {
			t.Errorf("familySees(%s, shared %v) = %v, want %v", tt.p.Status, !tt.p.SharedAt.IsZero(), got, tt.want)
		}
	}
}

func TestFamilyPlanPicksThePlanToReadNow(t *testing.T) {
	f := newFamPlanFixture(t)
	ctx := context.Background()
	// The draft is not shared: nothing to read yet, and the draft itself is not found.
	v, err := f.svc.FamilyPlan(ctx, f.mother, f.district, f.student, "")
	if err != nil || v.Plan != nil || len(v.Earlier) != 0 {
		t.Fatalf("before sharing: %+v, %v; want no plan", v, err)
	}
	if _, err := f.svc.FamilyPlan(ctx, f.mother, f.district, f.student, f.planID); !errors.Is(err, iep.ErrNotFound) {
		t.Errorf("the unshared draft: %v, want not found", err)
	}
	f.share(t)
	v, err = f.svc.FamilyPlan(ctx, f.mother, f.district, f.student, "")
	if err != nil || v.Plan == nil || v.Plan.ID != f.planID || !v.Open || !v.MayWrite || !v.Editable() {
		t.Fatalf("after sharing: %+v, %v; want the open draft", v, err)
	}
	// Staff, another child's plan under this child, a child not theirs: not found.
	for name, call := range map[string]func() error{
		"staff": func() error { _, err := f.svc.FamilyPlan(ctx, f.cm, f.district, f.student, ""); return err },
		"sibling's plan under this child": func() error {
			_, err := f.svc.FamilyPlan(ctx, f.mother, f.district, f.student, f.siblingPlan)
			return err
		},
		"this child's plan under the sibling": func() error {
			_, err := f.svc.FamilyPlan(ctx, f.mother, f.district, f.sibling, f.planID)
			return err
		},
		"a child not theirs": func() error { _, err := f.svc.FamilyPlan(ctx, f.father, f.district, f.sibling, ""); return err },
		"concerns of the sibling's plan": func() error {
			_, err := f.svc.FamilyConcerns(ctx, f.mother, f.district, f.student, f.siblingPlan)
			return err
		},
		"a comment on the sibling's plan under this child": func() error {
			_, err := f.svc.FamilyComment(ctx, f.mother, f.district, f.student, f.siblingPlan, CommentInput{Section: iep.SectionGoals, Body: "x"})
			return err
		},
	} {
		if err := call(); !errors.Is(err, iep.ErrNotFound) {
			t.Errorf("%s: %v, want not found", name, err)
		}
	}
	// The sibling's plan in effect is what the mother reads for the sibling.
	v, err = f.svc.FamilyPlan(ctx, f.mother, f.district, f.sibling, "")
	if err != nil || v.Plan == nil || v.Plan.ID != f.siblingPlan || v.Open || v.Editable() {
		t.Errorf("the sibling's page: %+v, %v", v, err)
	}
}

func TestSaveFamilyConcerns(t *testing.T) {
	f := newFamPlanFixture(t)
	ctx := context.Background()
	f.share(t)
	words := FamilyWords{ParentConcerns: "  Ella necesita calma.\n\n\nY amigos. 🌱  ", StudentVision: "Ser veterinaria."}
	saved, err := f.svc.SaveFamilyConcerns(ctx, f.mother, f.district, f.student, f.planID, ConcernsInput{Words: words, BaseRevision: 1, Read: FamilyWords{}.Fingerprint()})
	if err != nil || saved.Revision != 2 || saved.Read != words.Fingerprint() {
		t.Fatalf("save: %+v, %v", saved, err)
	}
	p, _ := f.svc.db.GetPlan(ctx, f.district, f.planID)
	if WordsOf(&p.Content.Concerns) != words || p.Content.Concerns.WrittenBy != f.mother.ID {
		t.Fatalf("stored %+v, want the words exactly, signed by the mother", p.Content.Concerns)
	}
	// The same words again: nothing written.
	if again, err := f.svc.SaveFamilyConcerns(ctx, f.mother, f.district, f.student, f.planID, ConcernsInput{Words: words, BaseRevision: 2, Read: saved.Read}); err != nil || again.Revision != 2 {
		t.Errorf("an unchanged save: %+v, %v; want revision 2 kept", again, err)
	}
	// The team writes its vision: the mother's next save, from revision 2, lands on 3's text.
	team := p.Content.Concerns
	team.TeamVision = "Reads with friends."
	b, _ := json.Marshal(team)
	if _, err := f.svc.SaveSection(ctx, f.cm, f.district, f.planID, iep.SectionConcerns, SectionInput{BaseRevision: 2, Content: b}); err != nil {
		t.Fatal(err)
	}
	more := words
	more.ParentConcerns += " Más."
	saved, err = f.svc.SaveFamilyConcerns(ctx, f.mother, f.district, f.student, f.planID, ConcernsInput{Words: more, BaseRevision: 2, Read: words.Fingerprint()})
	if err != nil || saved.Revision != 4 {
		t.Fatalf("save after the team's: %+v, %v; want revision 4", saved, err)
	}
	p, _ = f.svc.db.GetPlan(ctx, f.district, f.planID)
	if p.Content.Concerns.TeamVision != "Reads with friends." || p.Content.Concerns.ParentConcerns != more.ParentConcerns {
		t.Errorf("after the merge: %+v", p.Content.Concerns)
	}
	// The father writes the family's words; the mother, still on revision 4, gets both texts.
	fathers := more
	fathers.ParentConcerns = "Palabras del padre."
	if _, err := f.svc.SaveFamilyConcerns(ctx, f.father, f.district, f.student, f.planID, ConcernsInput{Words: fathers, BaseRevision: 4, Read: saved.Read}); err != nil {
		t.Fatal(err)
	}
	mine := more
	mine.ParentConcerns = "Palabras de la madre."
	_, err = f.svc.SaveFamilyConcerns(ctx, f.mother, f.district, f.student, f.planID, ConcernsInput{Words: mine, BaseRevision: 4, Read: saved.Read})
	var cc *ConcernsConflict
	if !errors.As(err, &cc) || cc.Theirs != fathers || cc.By != "Luis Family" || cc.CurrentRevision != 5 || !errors.Is(err, iep.ErrConflict) {
		t.Fatalf("a stale save over the father's words: %v (%+v)", err, cc)
	}
	// Keeping her words: from the revision and fingerprint the conflict named.
	if _, err := f.svc.SaveFamilyConcerns(ctx, f.mother, f.district, f.student, f.planID, ConcernsInput{Words: mine, BaseRevision: cc.CurrentRevision, Read: cc.Read}); err != nil {
		t.Fatal(err)
	}
	p, _ = f.svc.db.GetPlan(ctx, f.district, f.planID)
	if p.Content.Concerns.ParentConcerns != mine.ParentConcerns || p.Content.Concerns.WrittenBy != f.mother.ID {
		t.Errorf("after keeping: %+v", p.Content.Concerns)
	}
	// Staff may not use the family's editor.
	if _, err := f.svc.SaveFamilyConcerns(ctx, f.cm, f.district, f.student, f.planID, ConcernsInput{Words: mine, BaseRevision: 6}); !errors.Is(err, iep.ErrNotFound) {
		t.Errorf("staff: %v, want not found", err)
	}
}

func TestFamilySuggest(t *testing.T) {
	f := newFamPlanFixture(t)
	ctx := context.Background()
	f.share(t)
	// The team writes a service; the family suggests another description and more minutes.
	line := iep.ServiceLine{Category: iep.CategorySpecialEducation, Type: iep.ServiceReading, ProviderRole: iep.RoleSpecialEducationTeacher,
		Setting: iep.OutsideGeneralEducation, GroupSize: 3, MinutesPerSession: 30, SessionsPerPeriod: 2, Period: iep.PerWeek, Description: "Reading group"}
	b, _ := json.Marshal(iep.Services{Lines: []iep.ServiceLine{line}})
	if _, err := f.svc.SaveSection(ctx, f.cm, f.district, f.planID, iep.SectionServices, SectionInput{BaseRevision: 1, Content: b}); err != nil {
		t.Fatal(err)
	}
	edit := func(sec any) iep.Problems {
		s := sec.(*iep.Services)
		s.Lines[0].Description, s.Lines[0].MinutesPerSession = "Reading group, one to one", 45
		return nil
	}
	sg, err := f.svc.FamilySuggest(ctx, f.mother, f.district, f.student, f.planID, FamilySuggestionInput{Section: iep.SectionServices, BaseRevision: 2, Edit: edit})
	if err != nil {
		t.Fatal(err)
	}
	var got iep.Services
	if err := json.Unmarshal(sg.Content, &got); err != nil || len(got.Lines) != 1 {
		t.Fatalf("suggested %s: %v", sg.Content, err)
	}
	want := line
	want.ID, want.Description, want.MinutesPerSession = got.Lines[0].ID, "Reading group, one to one", 45
	if !reflect.DeepEqual(got.Lines[0], want) || want.ID == "" {
		t.Errorf("suggested line %+v, want %+v (the stored line with the family's changes)", got.Lines[0], want)
	}
	// From an old revision: both texts back, nothing recorded.
	_, err = f.svc.FamilySuggest(ctx, f.mother, f.district, f.student, f.planID, FamilySuggestionInput{Section: iep.SectionServices, BaseRevision: 1, Edit: edit})
	var ce *iep.ConflictError
	if !errors.As(err, &ce) || ce.CurrentRevision != 2 || len(ce.Current) == 0 || len(ce.Yours) == 0 {
		t.Errorf("a stale suggestion: %v", err)
	}
	// Nothing changed and nothing said; the family's own section; an edit that could not read a field.
	_, err = f.svc.FamilySuggest(ctx, f.mother, f.district, f.student, f.planID, FamilySuggestionInput{Section: iep.SectionServices, BaseRevision: 2})
	if iep.KindOf(err) != iep.KindInvalid || !hasProblem(err, "note", "unchanged") {
		t.Errorf("an empty suggestion: %v", err)
	}
	_, err = f.svc.FamilySuggest(ctx, f.mother, f.district, f.student, f.planID, FamilySuggestionInput{Section: iep.SectionConcerns, BaseRevision: 1, Note: "x"})
	if !hasProblem(err, "section", iep.CodeChoice) {
		t.Errorf("a suggestion on the concerns: %v", err)
	}
	_, err = f.svc.FamilySuggest(ctx, f.mother, f.district, f.student, f.planID, FamilySuggestionInput{Section: iep.SectionServices, BaseRevision: 2,
		Edit: func(any) iep.Problems {
			return iep.Problems{{Field: "lines[0].minutes_per_session", Code: iep.CodeInvalid}}
		}})
	if !hasProblem(err, "lines[0].minutes_per_session", iep.CodeInvalid) {
		t.Errorf("an edit with a problem: %v", err)
	}
	sgs, _ := f.svc.db.ListSuggestions(ctx, f.district, f.planID)
	if len(sgs) != 1 {
		t.Errorf("%d suggestions recorded, want 1", len(sgs))
	}
	// The page shows it waiting, compared with the plan now; once answered, the answer.
	v, err := f.svc.FamilyPlan(ctx, f.mother, f.district, f.student, "")
	if err != nil || len(v.Suggestions) != 1 || v.Suggestions[0].Before.Services.Lines[0].MinutesPerSession != 30 ||
		v.Suggestions[0].After.Services.Lines[0].MinutesPerSession != 45 {
		t.Fatalf("the page's suggestions: %+v, %v", v, err)
	}
	// Taken in by an administrator: compared with the revision the family read.
	if _, err := f.svc.DecideSuggestion(ctx, f.admin, f.district, sg.ID, SuggestionDecision{Accept: true, BaseRevision: 2}); err != nil {
		t.Fatal(err)
	}
	v, _ = f.svc.FamilyPlan(ctx, f.mother, f.district, f.student, "")
	if s := v.Suggestions[0]; s.Status != iep.SuggestionAccepted || len(s.Before.Services.Lines) != 1 || s.Before.Services.Lines[0].MinutesPerSession != 30 {
		t.Errorf("taken in: %+v; want compared with the section the family read", s)
	}
}

// hasProblem reports whether err carries a problem at field with code.
func hasProblem(err error, field, code string) bool {
	var e *iep.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, p := range e.Problems {
		if p.Field == field && p.Code == code {
			return true
		}
	}
	return false
}
