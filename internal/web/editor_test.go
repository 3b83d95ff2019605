package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// The plan editor in the matrix: the team and the administrators write a draft; the family,
// once it is shared, reads it (their portal writes); unassigned staff and other schools are
// refused; other districts find nothing.
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		draft, accepted := w.planOf(w.noah), w.planOf(w.mia)
		suggestion := w.seedSuggestion(draft)
		d := "/districts/{district}"
		staff := func(anonymous, writer outcome) map[string]outcome {
			return with(every(anonymous, writer), asGuardian, hidden, asOtherGuardian, hidden, asNoRights, hidden,
				asUnassigned, forbidden, asOtherSchool, forbidden, asStateViewer, hidden, asOtherDistrict, hidden)
		}
		return map[string]map[string]outcome{
			// Mia's team and the administrators may start a draft (an empty form: which kind?); her
			// mother may not.
			"POST " + d + "/students/{student}/plans": with(staff(signInAgain, bad), asGuardian, forbidden),
			"GET " + d + "/plans/{plan}": with(staff(toSignIn, ok),
				asGuardian, ok, asNoRights, hidden),
			"GET " + d + "/plans/{plan}/print": with(staff(toSignIn, redirect), asGuardian, redirect),
			// The accepted plan is no longer a draft: a save is a conflict for those who could write.
			"POST " + d + "/plans/{plan}/sections/{section}":        with(staff(signInAgain, conflict), asGuardian, conflict),
			"GET " + d + "/plans/{plan}/sections/{section}/history": with(staff(toSignIn, ok), asGuardian, forbidden),
			// Comments are for drafts: the accepted plan refuses them.
			"POST " + d + "/plans/{plan}/comments":             with(staff(signInAgain, conflict), asGuardian, conflict),
			"POST " + d + "/plans/{plan}/share":                with(staff(signInAgain, conflict), asGuardian, forbidden),
			"POST " + d + "/suggestions/{suggestion}/decision": with(staff(signInAgain, bad), asOtherGuardian, forbidden),
		}, map[string]string{"plan": accepted, "section": "goals", "suggestion": suggestion}
	})
}

// planOf is the id of a student's current plan.
func (w *world) planOf(student string) string {
	p, err := w.db.CurrentPlan(context.Background(), w.district, student)
	if err != nil {
		panic(err)
	}
	return p.ID
}

// seedSuggestion stores an open suggestion of the family's on the goals of a plan.
func (w *world) seedSuggestion(planID string) string {
	sg := &iep.Suggestion{DistrictID: w.district, PlanID: planID, Section: iep.SectionGoals, AuthorKind: iep.AuthorGuardian,
		AuthorID: w.rosa, BaseRevision: 1, Note: "Add a goal for friendships.", Status: iep.SuggestionOpen,
		Content: []byte(`{"goals":[{"id":"s1","area":"Social","statement":"Noah will join a game at recess.","baseline":"","target":"","measurement_method":"","schedule":""}]}`)}
	if err := w.db.Write(context.Background(), func(tx *store.Tx) error { return tx.CreateSuggestion(context.Background(), sg) }); err != nil {
		panic(err)
	}
	return sg.ID
}

// sectionURL is where a section of a plan posts.
func (w *world) sectionURL(planID string, kind iep.SectionKind) string {
	return planURL(w.district, planID, "sections", string(kind))
}

// revisionOf is a section's stored revision.
func (w *world) revisionOf(t *testing.T, planID string, kind iep.SectionKind) int {
	t.Helper()
	_, rev, err := w.db.GetSection(context.Background(), w.district, planID, kind)
	if err != nil {
		t.Fatal(err)
	}
	return rev
}

func TestEditorWritesAGoalAndAService(t *testing.T) {
	w := newWorld(t, 0)
	plan := w.planOf(w.noah)
	res, body := w.getAs(t, asTeamMember, planURL(w.district, plan))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("editor: %d", res.StatusCode)
	}
	mustContain(t, "editor", body, "Draft", `action="`+w.sectionURL(plan, iep.SectionGoals)+`"`, "Add a goal", "Before proposing")

	// Add a goal: the button posts the whole section.
	res, _ = w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionGoals), url.Values{"base_revision": {"1"}, "goals-present": {"1"}, "op": {"add:goals"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add a goal: %d", res.StatusCode)
	}
	// Write half of it: a draft keeps what is typed, finished or not.
	res, _ = w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionGoals), url.Values{"base_revision": {"2"},
		"goals[0].area": {"Reading"}, "goals[0].statement": {"Given a grade 2 passage, Noah will read 60 words correct per minute"},
		"goals[0].baseline_value": {"32"}, "goals[0].provider_roles": {"special_education_teacher"}, "goals[0].provider_roles-present": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save the goal: %d", res.StatusCode)
	}
	p, err := w.db.GetPlan(context.Background(), w.district, plan)
	if err != nil {
		t.Fatal(err)
	}
	if gs := p.Content.Goals.Goals; len(gs) != 1 || gs[0].ID == "" || gs[0].Area != "Reading" || gs[0].BaselineValue == nil || *gs[0].BaselineValue != 32 ||
		len(gs[0].ProviderRoles) != 1 {
		t.Fatalf("goals = %+v, want the half-written goal with an id", gs)
	}

	// A service: 30 minutes twice a week outside general education.
	rev := w.revisionOf(t, plan, iep.SectionServices)
	w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionServices), url.Values{"base_revision": {strconv.Itoa(rev)}, "op": {"add:lines"}})
	rev = w.revisionOf(t, plan, iep.SectionServices)
	res, _ = w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionServices), url.Values{"base_revision": {strconv.Itoa(rev)},
		"lines[0].category": {"special_education"}, "lines[0].type": {"specialized_academic_instruction"}, "lines[0].provider_role": {"special_education_teacher"},
		"lines[0].setting": {"outside_general_education"}, "lines[0].group_size": {"3"}, "lines[0].minutes_per_session": {"30"},
		"lines[0].sessions_per_period": {"2"}, "lines[0].period": {"week"}, "lines[0].start_date": {"2026-04-01"}, "lines[0].end_date": {"2027-03-31"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save the service: %d", res.StatusCode)
	}
	_, body = w.getAs(t, asTeamMember, planURL(w.district, plan))
	// 60 of 1,800 minutes outside: 96.7% inside, RC80.
	mustContain(t, "service totals", body, "60 minutes a week", "96.7%", "RC80", "Minutes per week: 60")
	// The placement takes the figures from the grid with one button.
	rev = w.revisionOf(t, plan, iep.SectionPlacement)
	if res, _ := w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionPlacement), url.Values{"base_revision": {strconv.Itoa(rev)},
		"setting": {"Partial inclusion"}, "op": {"derive:"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("derive the placement: %d", res.StatusCode)
	}
	p, _ = w.db.GetPlan(context.Background(), w.district, plan)
	if pl := p.Content.Placement; pl.PercentInRegularClass != 96.7 || pl.EnvironmentCode != "RC80" || pl.Setting != "Partial inclusion" {
		t.Errorf("placement = %+v, want 96.7%% RC80 with the typed setting", pl)
	}
}

func TestEditorRefusesBadInputAndKeepsWhatWasTyped(t *testing.T) {
	w := newWorld(t, 0)
	plan := w.planOf(w.noah)
	w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionServices), url.Values{"base_revision": {"1"}, "op": {"add:lines"}})
	before := w.revisionOf(t, plan, iep.SectionServices)
	typed := "Reading group with Ms. Alvarez, Tuesdays and Thursdays"
	res, body := w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionServices), url.Values{"base_revision": {strconv.Itoa(before)},
		"lines[0].description": {typed}, "lines[0].minutes_per_session": {"thirty"}, "lines[0].sessions_per_period": {"900"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad minutes: %d, want 400", res.StatusCode)
	}
	mustContain(t, "refused service", body, "Not saved", "Minutes per session", `href="#f-lines-0-minutes_per_session"`, typed, `value="thirty"`, `aria-invalid="true"`)
	if got := w.revisionOf(t, plan, iep.SectionServices); got != before {
		t.Errorf("revision %d after a refused save, want %d", got, before)
	}
	// A value the domain refuses (not a number problem): also named, also nothing saved.
	res, body = w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionServices), url.Values{"base_revision": {strconv.Itoa(before)},
		"lines[0].description": {typed}, "lines[0].sessions_per_period": {"900"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("900 sessions: %d, want 400", res.StatusCode)
	}
	mustContain(t, "range", body, "Sessions per period", typed)
	if got := w.revisionOf(t, plan, iep.SectionServices); got != before {
		t.Errorf("revision %d after a refused save, want %d", got, before)
	}
}

func TestEditorConflictShowsBothTexts(t *testing.T) {
	w := newWorld(t, 0)
	plan := w.planOf(w.noah)
	// The administrator saves first, from revision 1.
	theirs := "The team sees Noah thriving in a quiet reading corner."
	if res, _ := w.submitAs(t, asDistrictAdmin, w.sectionURL(plan, iep.SectionConcerns), url.Values{"base_revision": {"1"},
		"parent_concerns": {"Noah finds loud rooms hard."}, "team_vision": {theirs}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d", res.StatusCode)
	}
	// The case manager, still on revision 1, saves their own words.
	mine := "Noah will read chapter books with his class."
	res, body := w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionConcerns), url.Values{"base_revision": {"1"},
		"parent_concerns": {"Noah finds loud rooms hard."}, "team_vision": {mine}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale save: %d, want 409", res.StatusCode)
	}
	mustContain(t, "merge view", body, "Someone else saved this section first", mine, theirs, "Their version", `value="2"`)
	// Saving the merge (from revision 2) keeps the combined text.
	both := theirs + " " + mine
	if res, _ := w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionConcerns), url.Values{"base_revision": {"2"},
		"parent_concerns": {"Noah finds loud rooms hard."}, "team_vision": {both}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("merged save: %d", res.StatusCode)
	}
	p, _ := w.db.GetPlan(context.Background(), w.district, plan)
	if p.Content.Concerns.TeamVision != both {
		t.Errorf("team vision = %q, want the merged text", p.Content.Concerns.TeamVision)
	}
}

func TestEditorAutosaveAnswersWithTheStatusLine(t *testing.T) {
	w := newWorld(t, 0)
	plan := w.planOf(w.noah)
	res, body := w.submitHX(t, asTeamMember, w.sectionURL(plan, iep.SectionConcerns), url.Values{"base_revision": {"1"},
		"parent_concerns": {"Noah finds loud rooms hard."}, "student_strengths": {"Kind, curious, loves maps."}})
	if res.StatusCode != http.StatusOK || res.Header.Get("HX-Retarget") != "" {
		t.Fatalf("autosave: %d, retarget %q", res.StatusCode, res.Header.Get("HX-Retarget"))
	}
	mustContain(t, "status line", body, "Saved at", `id="rev-concerns" value="2" hx-swap-oob="true"`)
	if strings.Contains(body, "<html") {
		t.Error("the autosave answer is a whole page")
	}
	// A stale autosave is answered with the merge view in place of the section (htmx swaps 200s).
	res, body = w.submitHX(t, asTeamMember, w.sectionURL(plan, iep.SectionConcerns), url.Values{"base_revision": {"1"},
		"parent_concerns": {"Noah finds loud rooms hard."}, "student_strengths": {"Kind."}})
	if res.StatusCode != http.StatusOK || res.Header.Get("HX-Retarget") != "#sec-concerns" || !strings.Contains(body, "Someone else saved") {
		t.Errorf("stale autosave: %d, retarget %q", res.StatusCode, res.Header.Get("HX-Retarget"))
	}
	// Adding an item answers with the section, the new goal in it.
	res, body = w.submitHX(t, asTeamMember, w.sectionURL(plan, iep.SectionGoals), url.Values{"base_revision": {"1"}, "goals-present": {"1"}, "op": {"add:goals"}})
	if res.StatusCode != http.StatusOK || res.Header.Get("HX-Retarget") != "#sec-goals" {
		t.Fatalf("add a goal: %d, retarget %q", res.StatusCode, res.Header.Get("HX-Retarget"))
	}
	mustContain(t, "section with the new goal", body, `name="goals[0].statement"`, "Remove goal 1")
}

// submitHX is submitAs as htmx sends it.
func (w *world) submitHX(t *testing.T, who, target string, form url.Values) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("HX-Request", "true")
	req.Header.Set("Cookie", w.cookie(who))
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

func TestEditorHistoryShowsTheDifferences(t *testing.T) {
	w := newWorld(t, 0)
	plan := w.planOf(w.noah)
	w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionConcerns), url.Values{"base_revision": {"1"},
		"parent_concerns": {"Noah finds loud rooms hard."}, "team_vision": {"Noah reads with friends."}})
	res, body := w.getAs(t, asTeamMember, w.sectionURL(plan, iep.SectionConcerns)+"/history")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("history: %d", res.StatusCode)
	}
	mustContain(t, "history", body, "Revision 2, by Dana Reyes", "Revision 1", "<ins>Noah reads with friends.</ins>", "The team's vision")
	// The family does not see the team's working history.
	w.db.Write(context.Background(), func(tx *store.Tx) error { _, err := tx.MarkShared(context.Background(), w.district, plan); return err })
	if res, _ := w.getAs(t, asOtherGuardian, w.sectionURL(plan, iep.SectionConcerns)+"/history"); res.StatusCode != http.StatusForbidden {
		t.Errorf("family history: %d, want 403", res.StatusCode)
	}
}

func TestEditorCommentsSuggestionsAndSharing(t *testing.T) {
	w := newWorld(t, 0)
	plan := w.planOf(w.noah)
	sg := w.seedSuggestion(plan)
	_, body := w.getAs(t, asTeamMember, planURL(w.district, plan))
	mustContain(t, "suggestion inline", body, "Add a goal for friendships.", "<ins>Noah will join a game at recess.</ins>", "Take this change into the draft")
	// Take it: it becomes the goals section.
	res, _ := w.submitAs(t, asTeamMember, "/districts/"+w.district+"/suggestions/"+sg+"/decision", url.Values{"accept": {"yes"}, "base_revision": {"1"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d", res.StatusCode)
	}
	p, _ := w.db.GetPlan(context.Background(), w.district, plan)
	if len(p.Content.Goals.Goals) != 1 || p.Content.Goals.Goals[0].Area != "Social" {
		t.Errorf("goals after accepting = %+v", p.Content.Goals.Goals)
	}
	// A comment.
	res, _ = w.submitAs(t, asTeamMember, planURL(w.district, plan, "comments"), url.Values{"section": {"goals"}, "body": {"Can we measure this weekly?"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("comment: %d", res.StatusCode)
	}
	_, body = w.getAs(t, asTeamMember, planURL(w.district, plan))
	mustContain(t, "comment", body, "Can we measure this weekly?", "Comments (1)")
	// Share: the family can now read the draft.
	if res, _ := w.getAs(t, asOtherGuardian, planURL(w.district, plan)); res.StatusCode != http.StatusForbidden {
		t.Errorf("family before sharing: %d, want 403", res.StatusCode)
	}
	if res, _ := w.submitAs(t, asTeamMember, planURL(w.district, plan, "share"), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("share: %d", res.StatusCode)
	}
	res, body = w.getAs(t, asOtherGuardian, planURL(w.district, plan))
	if res.StatusCode != http.StatusOK || strings.Contains(body, "<textarea") {
		t.Errorf("family after sharing: %d (a read view without forms)", res.StatusCode)
	}
}

func TestStartADraftAndPrint(t *testing.T) {
	w := newWorld(t, 0)
	if res, _ := w.submitAs(t, asTeamMember, studentURL(w.district, w.mia)+"/plans", url.Values{"kind": {"weekly"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown kind: %d, want 400", res.StatusCode)
	}
	res, _ := w.submitAs(t, asTeamMember, studentURL(w.district, w.mia)+"/plans", url.Values{"kind": {"annual"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start an annual review: %d", res.StatusCode)
	}
	loc, _, _ := strings.Cut(res.Header.Get("Location"), "?")
	draft := loc[strings.LastIndex(loc, "/")+1:]
	res, body := w.follow(t, asTeamMember, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the new draft: %d", res.StatusCode)
	}
	// The review starts from the plan in effect, and Mia (born 2009) is past 14: the transition
	// section is there.
	mustContain(t, "new annual draft", body, "The draft is started", "Transition to adult life")
	// A second draft while one is open: refused, the first kept.
	if res, _ := w.submitAs(t, asTeamMember, studentURL(w.district, w.mia)+"/plans", url.Values{"kind": {"amendment"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("a second draft: %d, want 409", res.StatusCode)
	}
	// The print view is the IEP document: the plan in effect, its version; the draft as it is.
	for _, c := range []struct{ plan, want, query string }{{w.planOf(w.mia), "", "?version="}, {draft, "DRAFT", "?version=0"}} {
		res, _ = w.getAs(t, asTeamMember, planURL(w.district, c.plan, "print")+"?lang=en")
		doc := documentURL(false, w.district, w.mia, "iep", c.plan) + c.query + "&lang=en"
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != doc {
			t.Fatalf("print: %d %s, want a redirect to %s", res.StatusCode, res.Header.Get("Location"), doc)
		}
		res, body = w.getAs(t, asTeamMember, doc)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", doc, res.StatusCode)
		}
		mustContain(t, "the IEP document", body, `<html lang="en"`, "Mia Ortiz", c.want)
	}
	_, body = w.getAs(t, asTeamMember, planURL(w.district, draft))
	mustContain(t, "the draft's links", body, `href="`+documentURL(false, w.district, w.mia, "iep", draft)+`.pdf?version=0"`)
}

func TestEditorTakesAGoalAndAnAccommodationFromTheBanks(t *testing.T) {
	w := newWorld(t, 0)
	plan := w.planOf(w.noah)
	goal := &store.BankItem{DistrictID: w.district, Kind: store.BankGoal, Area: "reading", GradeBand: "k_2",
		Text:              "By [date], given a grade-level passage, [student] will read 60 words correct per minute.",
		MeasurementMethod: "Curriculum-based measurement", Schedule: "Weekly", Objectives: []string{"[student] will read 40 words correct per minute."}}
	acc := &store.BankItem{DistrictID: w.district, Kind: store.BankAccommodation, AccommodationKind: iep.Accommodation,
		Context: iep.ContextTesting, Text: "Test items read aloud, except reading comprehension.", Subjects: "Math, science"}
	err := w.db.Write(context.Background(), func(tx *store.Tx) error {
		for _, it := range []*store.BankItem{goal, acc} {
			if err := tx.CreateBankItem(context.Background(), it, store.AuditActor{Kind: "system", ID: "test"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, body := w.getAs(t, asTeamMember, planURL(w.district, plan))
	mustContain(t, "the banks in the editor", body, "Start a goal from the district", `name="bank_item" value="`+goal.ID+`"`, `value="`+acc.ID+`"`)
	res, _ := w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionGoals), url.Values{"base_revision": {"1"}, "bank_item": {goal.ID}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("take the goal: %d", res.StatusCode)
	}
	// A goal item in the accommodations section is refused, nothing saved.
	if res, _ := w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionAccommodations), url.Values{"base_revision": {"1"}, "bank_item": {goal.ID}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a goal as an accommodation: %d, want 400", res.StatusCode)
	}
	if res, _ := w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionAccommodations), url.Values{"base_revision": {"1"}, "bank_item": {acc.ID}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("take the accommodation: %d", res.StatusCode)
	}
	p, _ := w.db.GetPlan(context.Background(), w.district, plan)
	g := p.Content.Goals.Goals
	if len(g) != 1 || g[0].ID == "" || !strings.Contains(g[0].Statement, "Noah Kim will read 60") || g[0].MeasurementMethod != "Curriculum-based measurement" ||
		len(g[0].Objectives) != 1 || !strings.HasPrefix(g[0].Objectives[0].Statement, "Noah Kim will read 40") {
		t.Errorf("goal from the bank = %+v", g)
	}
	if a := p.Content.Accommodations.Items; len(a) != 1 || a[0].Context != iep.ContextTesting || a[0].Subjects != "Math, science" || a[0].ID == "" {
		t.Errorf("accommodation from the bank = %+v", a)
	}
}

// TestAutosaveAfterTheSessionEnded: an htmx request without a session is told so in a few words
// (the status line shows them), not answered with the sign-in page swapped into the page.
func TestAutosaveAfterTheSessionEnded(t *testing.T) {
	w := newWorld(t, 0)
	plan := w.planOf(w.noah)
	req := httptest.NewRequest(http.MethodPost, w.sectionURL(plan, iep.SectionConcerns), strings.NewReader("base_revision=1&parent_concerns=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("HX-Request", "true")
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusUnauthorized || strings.Contains(rec.Body.String(), "<html") || !strings.Contains(rec.Body.String(), "your session ended") {
		t.Errorf("autosave without a session: %d %q", rec.Code, rec.Body.String())
	}
	if got := w.revisionOf(t, plan, iep.SectionConcerns); got != 1 {
		t.Errorf("revision %d after an autosave without a session", got)
	}
}
