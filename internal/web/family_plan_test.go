package web

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// The family's plan pages in the matrix: Rosa, who holds Mia's rights, reads them; everyone else
// finds nothing (staff have the plan editor; other families may not know Mia). The plan is
// Mia's accepted plan (the matrix's {plan}): a comment on it is a conflict (no longer a draft),
// a suggestion or a save of concerns from an empty form is refused as bad input.
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		f := "/districts/{district}/family/{student}"
		post := func(rosa outcome) map[string]outcome { return with(every(signInAgain, hidden), asGuardian, rosa) }
		return map[string]map[string]outcome{
			"GET " + f + "/plan":                      familyOnly(),
			"GET " + f + "/plans/{plan}":              familyOnly(),
			"GET " + f + "/plans/{plan}/print":        familyOnly(),
			"POST " + f + "/plans/{plan}/comments":    post(conflict),
			"POST " + f + "/plans/{plan}/suggestions": post(bad),
			"GET " + f + "/plans/{plan}/concerns":     familyOnly(),
			"POST " + f + "/plans/{plan}/concerns":    post(bad),
			"GET " + f + "/glossary":                  familyOnly(),
		}, nil
	})
}

// famURL is a family page of Mia's.
func (w *world) famURL(parts ...string) string { return familyURL(w.district, w.mia, parts...) }

// miaDraft starts the annual review of Mia's plan (a draft copied from the plan in effect) and,
// when shared, shares it with the family; it returns the draft's id.
func (w *world) miaDraft(t *testing.T, shared bool) string {
	t.Helper()
	res, body := w.submitAs(t, asTeamMember, studentURL(w.district, w.mia)+"/plans", url.Values{"kind": {"annual"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start Mia's annual review: %d %s", res.StatusCode, errorsOf(body))
	}
	loc := res.Header.Get("Location")
	id := strings.TrimSuffix(loc[strings.LastIndex(loc, "/")+1:], "?done=started")
	if shared {
		if res, _ := w.submitAs(t, asTeamMember, planURL(w.district, id, "share"), nil); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("share the draft: %d", res.StatusCode)
		}
	}
	return id
}

// planNow is a plan as stored.
func (w *world) planNow(t *testing.T, id string) *iep.Plan {
	t.Helper()
	p, err := w.db.GetPlan(context.Background(), w.district, id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// text is a page's text as a reader sees it (entities decoded), for looking for typed words.
func text(body string) string { return html.UnescapeString(body) }

func TestFamilyPlanShowsThePlanInEffect(t *testing.T) {
	w := newWorld(t, 0)
	res, body := w.getAs(t, asGuardian, w.famURL("plan")+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET plan = %d", res.StatusCode)
	}
	mustContain(t, "plan in effect", text(body), "Mia Ortiz's IEP: Annual review", "This IEP is in effect.", `aria-current="page"`,
		goalStatement, accommodation1, "Modification: changes what your child is expected to learn or do.",
		// 45 minutes × 3 a week, and 30 × 2 every 6 days (50 a week): 185 minutes outside.
		"Outside the regular classroom: 185 minutes a week.", "about 89.7% of the school week", "About 85% of the school week",
		w.famURL("plans", w.planOf(w.mia), "print"), w.famURL("glossary"), "Earlier plans", "Initial IEP · Ended",
		`<details class="term"><summary>Annual goal</summary>`, "If you do not agree", "Due process hearing")
	// Every section, in form order, with its plain explanation; no forms on a plan in effect.
	last := -1
	for _, k := range iep.Sections {
		i := strings.Index(body, `id="sec-`+string(k)+`"`)
		if i < last {
			t.Errorf("section %s missing or out of order (%d after %d)", k, i, last)
		}
		last = i
		if !strings.Contains(body, html.EscapeString(i18n.Message("en", "fam.plan.explain."+string(k)))) {
			t.Errorf("section %s has no plain explanation", k)
		}
	}
	for _, form := range []string{"<textarea", `class="comment-form"`, `class="suggest-form"`, "<table"} {
		if strings.Contains(body, form) {
			t.Errorf("the plan in effect shows %s", form)
		}
	}
	// The earlier plan opens by its link; the page is in Spanish when asked.
	earlier := w.planNow(t, w.planOf(w.mia)).PreviousPlanID
	if res, body := w.getAs(t, asGuardian, w.famURL("plans", earlier)+"?lang=es"); res.StatusCode != http.StatusOK ||
		!strings.Contains(body, "Este IEP terminó.") || !strings.Contains(body, "Si usted no está de acuerdo") {
		t.Errorf("the earlier plan in Spanish: %d", res.StatusCode)
	}
	// Another child's plan under Mia's address, and Mia's plan under another child's, are not found.
	if res, _ := w.getAs(t, asGuardian, w.famURL("plans", w.planOf(w.noah))); res.StatusCode != http.StatusNotFound {
		t.Errorf("Noah's plan under Mia's address = %d, want 404", res.StatusCode)
	}
	if res, _ := w.getAs(t, asOtherGuardian, familyURL(w.district, w.noah, "plans", w.planOf(w.mia))); res.StatusCode != http.StatusNotFound {
		t.Errorf("Mia's plan under Noah's address = %d, want 404", res.StatusCode)
	}
}

func TestFamilyPlanWithoutAPlan(t *testing.T) {
	w := newWorld(t, 0)
	// Noah's only plan is a draft not shared: his father sees "no plan yet", and the draft is not found.
	res, body := w.getAs(t, asOtherGuardian, familyURL(w.district, w.noah, "plan")+"?lang=en")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "There is no IEP to read yet.") {
		t.Fatalf("no plan yet: %d", res.StatusCode)
	}
	if strings.Contains(body, "loud rooms") {
		t.Error("the unshared draft's words are on the family's page")
	}
	if res, _ := w.getAs(t, asOtherGuardian, familyURL(w.district, w.noah, "plans", w.planOf(w.noah))); res.StatusCode != http.StatusNotFound {
		t.Errorf("the unshared draft = %d, want 404", res.StatusCode)
	}
	if res, _ := w.getAs(t, asOtherGuardian, familyURL(w.district, w.noah, "plans", w.planOf(w.noah), "concerns")); res.StatusCode != http.StatusNotFound {
		t.Errorf("the unshared draft's concerns = %d, want 404", res.StatusCode)
	}
}

func TestFamilyPlanSharedDraft(t *testing.T) {
	w := newWorld(t, 0)
	draft := w.miaDraft(t, false)
	// Not shared yet: the family reads the plan in effect, and the draft is not found.
	_, body := w.getAs(t, asGuardian, w.famURL("plan")+"?lang=en")
	if !strings.Contains(body, "This IEP is in effect.") || strings.Contains(body, draft) {
		t.Errorf("before sharing, the family's plan page shows the draft")
	}
	if res, _ := w.getAs(t, asGuardian, w.famURL("plans", draft)); res.StatusCode != http.StatusNotFound {
		t.Errorf("the unshared draft = %d, want 404", res.StatusCode)
	}
	if res, _ := w.submitAs(t, asGuardian, w.famURL("plans", draft, "comments"), url.Values{"section": {"goals"}, "body": {"Hello"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("a comment on the unshared draft = %d, want 404", res.StatusCode)
	}
	w.submitAs(t, asTeamMember, planURL(w.district, draft, "share"), nil)
	res, body := w.getAs(t, asGuardian, w.famURL("plan")+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the shared draft: %d", res.StatusCode)
	}
	mustContain(t, "shared draft", text(body), "The team is still writing it. Nothing is decided until you sign.",
		w.famURL("plans", draft, "concerns"), `id="comment-form-goals"`, `id="comment-goals"`, `id="suggest-form-goals"`,
		`name="goals[0].statement"`, goalStatement, `name="lines[0].minutes_per_session" type="text" inputmode="numeric" value="45"`,
		`name="base_revision" value="1"`, "Earlier plans")
	// The concerns are written in the family's own editor, not suggested.
	if strings.Contains(body, `id="suggest-form-concerns"`) {
		t.Error("the concerns section offers a suggestion form")
	}
	// Staff opening the family's page find nothing (their page is the editor).
	if res, _ := w.getAs(t, asTeamMember, w.famURL("plans", draft)); res.StatusCode != http.StatusNotFound {
		t.Errorf("staff on the family page = %d, want 404", res.StatusCode)
	}
	// Spanish.
	_, body = w.getAs(t, asGuardian, w.famURL("plans", draft)+"?lang=es")
	mustContain(t, "Spanish draft", text(body), "Nada está decidido hasta que usted firme.", "Enviar el comentario", "Sugerir un cambio en «Metas anuales»")
}

func TestFamilyCommentsAndReplies(t *testing.T) {
	w := newWorld(t, 0)
	draft := w.miaDraft(t, true)
	page := w.famURL("plans", draft)
	// An empty comment comes back with the problem at its field.
	res, body := w.submitAs(t, asGuardian, page+"/comments?lang=en", url.Values{"section": {"goals"}, "body": {"   "}})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("an empty comment = %d, want 400", res.StatusCode)
	}
	mustContain(t, "refused comment", body, `id="comment-goals-error"`, "Write your comment first.", `aria-invalid="true"`)
	// A comment, then the team's reply, then the family's reply: one thread, who and when.
	mine := "Can Mia practise reading aloud at home too?\n\nShe likes comics."
	res, _ = w.submitAs(t, asGuardian, page+"/comments", url.Values{"section": {"goals"}, "body": {mine}})
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "#talk-goals") {
		t.Fatalf("comment = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	cs, err := w.db.ListComments(context.Background(), w.district, draft)
	if err != nil || len(cs) != 1 || cs[0].Body != mine || cs[0].AuthorID != w.rosa {
		t.Fatalf("comments = %+v %v", cs, err)
	}
	w.submitAs(t, asTeamMember, planURL(w.district, draft, "comments"), url.Values{"section": {"goals"}, "body": {"Yes: ten minutes a day."}, "reply_to": {cs[0].ID}})
	w.submitAs(t, asGuardian, page+"/comments", url.Values{"section": {"goals"}, "body": {"Thank you!"}, "reply_to": {cs[0].ID}})
	_, body = w.getAs(t, asGuardian, page+"?lang=en&done=commented")
	mustContain(t, "thread", text(body), "Your comment was sent to the team.", "Comments (1)", mine, "You, March 16, 2026",
		"Reply from Dana Reyes (school team), March 16, 2026", "Yes: ten minutes a day.", "Your reply, March 16, 2026", "Thank you!",
		`id="reply-form-`+cs[0].ID+`"`)
	if strings.Index(body, "Yes: ten minutes a day.") > strings.Index(body, "Thank you!") {
		t.Error("the replies are not in the order they were written")
	}
	// On a plan proposed or in effect the family comments only while it is open: the plan in
	// effect refuses.
	if res, _ := w.submitAs(t, asGuardian, w.famURL("plans", w.planOf(w.mia), "comments"), url.Values{"section": {"goals"}, "body": {"x"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("a comment on the plan in effect = %d, want 409", res.StatusCode)
	}
}

func TestFamilySuggestsAChange(t *testing.T) {
	w := newWorld(t, 0)
	draft := w.miaDraft(t, true)
	page := w.famURL("plans", draft)
	before := w.planNow(t, draft).Content.Goals
	better := "Mia will read grade-level text at 130 words correct per minute, with expression."
	form := url.Values{"section": {"goals"}, "base_revision": {"1"}, "goals[0].statement": {better},
		"goals[0].baseline": {before.Goals[0].Baseline}, "note": {"She is ready for more."},
		"goals[0].id": {"forged"}, "goals[0].provider_roles": {"school_psychologist"}, "goals[5].statement": {"an extra goal"}}
	res, body := w.submitAs(t, asGuardian, page+"/suggestions", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("suggest = %d %s", res.StatusCode, errorsOf(body))
	}
	sgs, err := w.db.ListSuggestions(context.Background(), w.district, draft)
	if err != nil || len(sgs) != 1 {
		t.Fatalf("suggestions = %+v %v", sgs, err)
	}
	var got iep.Goals
	if err := json.Unmarshal(sgs[0].Content, &got); err != nil {
		t.Fatal(err)
	}
	// Only the text the form holds changed; ids, numbers, roles and the list stay as stored.
	want := before
	want.Goals = slices.Clone(before.Goals)
	want.Goals[0].Statement = better
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("suggested goals (-want +got):\n%s", diff)
	}
	_, body = w.getAs(t, asGuardian, page+"?lang=en")
	mustContain(t, "waiting", text(body), "Changes you suggested", "Waiting for the team", "You suggested this, March 16, 2026", "She is ready for more.",
		"<del>120 </del>", "<ins>130 </ins>")
	// The team answers without taking it: the answer shows, with who and when.
	if res, _ := w.submitAs(t, asTeamMember, "/districts/"+w.district+"/suggestions/"+sgs[0].ID+"/decision",
		url.Values{"accept": {"no"}, "answer": {"Let us look at the spring data together first."}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer = %d", res.StatusCode)
	}
	_, body = w.getAs(t, asGuardian, page+"?lang=en")
	mustContain(t, "answered", text(body), "Answered", "The team's answer, from Dana Reyes, March 16, 2026", "Let us look at the spring data together first.")
	// A second suggestion the team takes in: "taken into the plan", with the words that changed.
	w.submitAs(t, asGuardian, page+"/suggestions", url.Values{"section": {"transportation"}, "base_revision": {"1"},
		"details": {"Door-to-door pick-up, with a seat near the driver."}})
	sgs, _ = w.db.ListSuggestions(context.Background(), w.district, draft)
	w.submitAs(t, asTeamMember, "/districts/"+w.district+"/suggestions/"+sgs[1].ID+"/decision", url.Values{"accept": {"yes"}, "base_revision": {"1"}})
	if d := w.planNow(t, draft).Content.Transportation.Details; d != "Door-to-door pick-up, with a seat near the driver." {
		t.Fatalf("transportation after taking the change = %q", d)
	}
	_, body = w.getAs(t, asGuardian, page+"?lang=es")
	mustContain(t, "taken in", text(body), "Incluido en el plan", "<del>pick-up.</del><ins>pick-up, with a seat near the driver.</ins>", "Incluido en el borrador por Dana Reyes")
}

func TestFamilySuggestionRefused(t *testing.T) {
	w := newWorld(t, 0)
	draft := w.miaDraft(t, true)
	page := w.famURL("plans", draft) + "/suggestions?lang=en"
	typed := "Reading with Ms. Alvarez, three times a week"
	// A number that is not one: the problem at its field, everything typed kept, nothing recorded.
	res, body := w.submitAs(t, asGuardian, page, url.Values{"section": {"services"}, "base_revision": {"1"},
		"lines[0].description": {typed}, "lines[0].minutes_per_session": {"thirty"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad minutes = %d, want 400", res.StatusCode)
	}
	mustContain(t, "refused suggestion", body, "Your suggestion was not sent", `href="#s-services-lines-0-minutes_per_session"`,
		`id="s-services-lines-0-minutes_per_session-error"`, `value="thirty"`, typed, `aria-invalid="true"`, `<details class="fam-suggest" id="suggest-services" open>`)
	// A value the plan refuses (900 sessions a week): named at its field too.
	res, body = w.submitAs(t, asGuardian, page, url.Values{"section": {"services"}, "base_revision": {"1"}, "lines[0].sessions_per_period": {"900"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#s-services-lines-0-sessions_per_period"`) {
		t.Errorf("900 sessions = %d %s", res.StatusCode, errorsOf(body))
	}
	// Nothing changed and nothing said.
	res, body = w.submitAs(t, asGuardian, page, url.Values{"section": {"transportation"}, "base_revision": {"1"}, "details": {transportNote}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#suggest-note-transportation"`) || !strings.Contains(body, "You did not change anything.") {
		t.Errorf("an empty suggestion = %d %s", res.StatusCode, errorsOf(body))
	}
	if sgs, _ := w.db.ListSuggestions(context.Background(), w.district, draft); len(sgs) != 0 {
		t.Errorf("%d suggestions recorded from refused forms", len(sgs))
	}
	// The team changed the section meanwhile: the family's words come back with the plan's new text.
	p := w.planNow(t, draft)
	content := p.Content
	content.Transportation.Details = "Door-to-door pick-up by the school van."
	b, _ := iep.EncodeSection(&content, iep.SectionTransportation)
	if err := w.db.Write(context.Background(), func(tx *store.Tx) error {
		_, err := tx.SaveSection(context.Background(), w.district, draft, iep.SectionTransportation, b, 1, w.cm)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	mine := "Door-to-door pick-up, with a seat near the driver."
	res, body = w.submitAs(t, asGuardian, page, url.Values{"section": {"transportation"}, "base_revision": {"1"}, "details": {mine}})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("a stale suggestion = %d, want 409", res.StatusCode)
	}
	mustContain(t, "stale suggestion", body, "The team changed this part while you were writing", mine, "The plan now says:",
		"Door-to-door pick-up by the school van.", `name="base_revision" value="2"`)
	// Sent again from the new revision, it is recorded.
	if res, _ := w.submitAs(t, asGuardian, page, url.Values{"section": {"transportation"}, "base_revision": {"2"}, "details": {mine}}); res.StatusCode != http.StatusSeeOther {
		t.Errorf("the suggestion sent again = %d", res.StatusCode)
	}
}

// verbatimWords are concerns no system should touch: spaces before and after, blank lines, a
// long text, Spanish accents, emoji, and markup that must be shown as text.
func verbatimWords() string {
	long := strings.Repeat("Mía aprende mejor con imágenes y con calma. ", 500) // 22,000+ characters
	return "  Me preocupa que Mía se sienta sola en el recreo. 😟\n\n\n" + long + "\n   Niño, corazón, acción — ¿qué más? 🎨📚  <b>no es HTML</b> &amp;  \n\n"
}

func TestFamilyConcernsAreKeptVerbatim(t *testing.T) {
	w := newWorld(t, 0)
	draft := w.miaDraft(t, true)
	concerns := w.famURL("plans", draft, "concerns")
	words := verbatimWords()
	if len(words) < 20000 {
		t.Fatalf("the test text has %d characters", len(words))
	}
	res, body := w.getAs(t, asGuardian, concerns+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the concerns page = %d", res.StatusCode)
	}
	mustContain(t, "concerns editor", body, `id="concerns-form"`, `id="concerns-parent_concerns"`, `name="parent_concerns"`,
		`id="concerns-status" class="save-status" role="status"`, `hx-post="`+concerns+`"`, "static/family.", `name="base_revision" id="concerns-rev" value="1"`)
	// Sent as a browser sends a text area (CR LF line breaks), without script.
	p := w.planNow(t, draft)
	read := app.WordsOf(&p.Content.Concerns).Fingerprint()
	res, _ = w.submitAs(t, asGuardian, concerns, url.Values{"parent_concerns": {strings.ReplaceAll(words, "\n", "\r\n")},
		"student_concerns": {""}, "student_vision": {p.Content.Concerns.StudentVision}, "post_secondary_vision": {p.Content.Concerns.PostSecondaryVision},
		"base_revision": {"1"}, "read": {read}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save = %d", res.StatusCode)
	}
	p = w.planNow(t, draft)
	if got := p.Content.Concerns.ParentConcerns; got != words {
		t.Fatalf("stored concerns differ from what was typed (%d vs %d characters)", len(got), len(words))
	}
	if p.Content.Concerns.WrittenBy != w.rosa || p.Content.Concerns.TeamVision == "" {
		t.Errorf("written by %q, team vision %q: the family signs its words and the team's stay", p.Content.Concerns.WrittenBy, p.Content.Concerns.TeamVision)
	}
	// The editor shows them back exactly (a text area drops one line break after its tag, so
	// the page puts one there), and so does the draft, for the family and for the team.
	_, body = w.getAs(t, asGuardian, concerns+"?lang=en&done=saved")
	if !strings.Contains(body, "<textarea id=\"concerns-parent_concerns\" name=\"parent_concerns\" rows=\"10\" aria-describedby=\"concerns-parent_concerns-hint\">\n"+html.EscapeString(words)+"</textarea>") {
		t.Error("the editor does not show the words exactly")
	}
	mustContain(t, "saved notice", body, "Your words are saved.")
	_, body = w.getAs(t, asGuardian, w.famURL("plans", draft)+"?lang=en")
	if !strings.Contains(body, `<dd class="verbatim">`+html.EscapeString(words)+`</dd>`) {
		t.Error("the family's plan page does not show the words as written")
	}
	_, body = w.getAs(t, asTeamMember, planURL(w.district, draft))
	if !strings.Contains(body, html.EscapeString(words)) {
		t.Error("the team's editor does not show the family's words as written")
	}
}

func TestFamilyConcernsAutosave(t *testing.T) {
	w := newWorld(t, 0)
	draft := w.miaDraft(t, true)
	concerns := w.famURL("plans", draft, "concerns") + "?lang=en"
	p := w.planNow(t, draft)
	read := app.WordsOf(&p.Content.Concerns).Fingerprint()
	form := func(parent, rev, read string) url.Values {
		return url.Values{"parent_concerns": {parent}, "student_concerns": {""}, "student_vision": {p.Content.Concerns.StudentVision},
			"post_secondary_vision": {p.Content.Concerns.PostSecondaryVision}, "base_revision": {rev}, "read": {read}}
	}
	res, body := w.submitHX(t, asGuardian, concerns, form("We want Mia to love books.", "1", read))
	if res.StatusCode != http.StatusOK || strings.Contains(body, "<html") {
		t.Fatalf("autosave = %d", res.StatusCode)
	}
	mustContain(t, "status line", body, "Saved at 10:00 AM.", `id="concerns-rev" value="2" hx-swap-oob="true"`, `id="concerns-conflict" hx-swap-oob="true"`)
	now := app.FamilyWords{ParentConcerns: "We want Mia to love books.", StudentVision: p.Content.Concerns.StudentVision,
		PostSecondaryVision: p.Content.Concerns.PostSecondaryVision}
	if !strings.Contains(body, `value="`+now.Fingerprint()+`"`) {
		t.Error("the status line does not carry the fingerprint of the words saved")
	}
	// The team saves its own vision meanwhile: the family's next autosave, from revision 2, lands
	// on revision 3 with both texts kept.
	teamVision := "Mia reads for pleasure and for work."
	w.saveAsTeam(t, draft, iep.SectionConcerns, 2, url.Values{"team_vision": {teamVision}})
	res, body = w.submitHX(t, asGuardian, concerns, form("We want Mia to love books and poems.", "2", now.Fingerprint()))
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `id="concerns-rev" value="4"`) {
		t.Fatalf("autosave after the team's save = %d %s", res.StatusCode, body)
	}
	if c := w.planNow(t, draft).Content.Concerns; c.ParentConcerns != "We want Mia to love books and poems." || c.TeamVision != teamVision {
		t.Errorf("after the merge: %q / %q", c.ParentConcerns, c.TeamVision)
	}
}

func TestFamilyConcernsConflictKeepsBothTexts(t *testing.T) {
	w := newWorld(t, 0)
	draft := w.miaDraft(t, true)
	concerns := w.famURL("plans", draft, "concerns") + "?lang=en"
	p := w.planNow(t, draft)
	read := app.WordsOf(&p.Content.Concerns).Fingerprint()
	// The team changes the family's words before the family first writes (the words copied from
	// the last plan are not signed by the family yet).
	theirs := "Copied from last year, updated by the case manager."
	w.saveAsTeam(t, draft, iep.SectionConcerns, 1, url.Values{"parent_concerns": {theirs}})
	cur := w.planNow(t, draft).Content.Concerns
	mine := "Mia has grown so much this year.\nShe reads to her brother every night."
	form := url.Values{"parent_concerns": {mine}, "student_concerns": {"  "}, "student_vision": {p.Content.Concerns.StudentVision},
		"post_secondary_vision": {p.Content.Concerns.PostSecondaryVision}, "base_revision": {"1"}, "read": {read}}
	// With script: 409, the status line says so, the other text shows under the box, and
	// nothing is written.
	res, body := w.submitHX(t, asGuardian, concerns, form)
	if res.StatusCode != http.StatusConflict || strings.Contains(body, "<html") {
		t.Fatalf("stale autosave = %d", res.StatusCode)
	}
	mustContain(t, "conflict fragment", text(body), "Not saved yet: someone else changed these words.", "Dana Reyes saved other words here",
		theirs, `name="keep_revision" value="2"`, `value="keep"`, `id="concerns-parent_concerns-theirs" hx-swap-oob="true"`)
	if got := w.planNow(t, draft).Content.Concerns.ParentConcerns; got != theirs {
		t.Fatalf("a stale save wrote %q", got)
	}
	// Without script: the page again, 409, the family's words in the box and the other text
	// under it.
	res, body = w.submitAs(t, asGuardian, concerns, form)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale save = %d", res.StatusCode)
	}
	mustContain(t, "conflict page", text(body), "Someone else changed these words", ">\n"+mine+"</textarea>", "The words Dana Reyes saved:", theirs, "Keep my words")
	// "Keep my words" saves theirs over the other text, from the revision the conflict named.
	keep := url.Values{}
	for k, v := range form {
		keep[k] = v
	}
	keep.Set("op", "keep")
	keep.Set("keep_revision", "2")
	keep.Set("keep_read", app.WordsOf(&cur).Fingerprint())
	if res, _ := w.submitHX(t, asGuardian, concerns, keep); res.StatusCode != http.StatusOK {
		t.Fatalf("keep my words = %d", res.StatusCode)
	}
	if c := w.planNow(t, draft).Content.Concerns; c.ParentConcerns != mine || c.StudentConcerns != "  " {
		t.Errorf("after keeping: %q / %q", c.ParentConcerns, c.StudentConcerns)
	}
}

func TestFamilyConcernsReadOnlyOnceProposedOrInEffect(t *testing.T) {
	w := newWorld(t, 0)
	accepted := w.planOf(w.mia)
	res, body := w.getAs(t, asGuardian, w.famURL("plans", accepted, "concerns")+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("concerns of the plan in effect = %d", res.StatusCode)
	}
	mustContain(t, "read-only", body, "This IEP is in effect, so it can no longer be changed.", "We want Mia to enjoy reading.")
	if strings.Contains(body, "<form id=\"concerns-form\"") {
		t.Error("the plan in effect offers the concerns form")
	}
	// A save anyway (an old tab): refused, and the words typed are shown to copy.
	typed := "Words from an old tab."
	res, body = w.submitAs(t, asGuardian, w.famURL("plans", accepted, "concerns")+"?lang=en", url.Values{"parent_concerns": {typed},
		"student_concerns": {""}, "student_vision": {""}, "post_secondary_vision": {""}, "base_revision": {"1"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, ">\n"+typed+"</textarea>") || !strings.Contains(body, "Copy your words") {
		t.Errorf("a save on the plan in effect = %d", res.StatusCode)
	}
	res, body = w.submitHX(t, asGuardian, w.famURL("plans", accepted, "concerns")+"?lang=en", url.Values{"parent_concerns": {typed},
		"student_concerns": {""}, "student_vision": {""}, "post_secondary_vision": {""}, "base_revision": {"1"}})
	if res.StatusCode != http.StatusConflict || strings.Contains(body, "<html") || !strings.Contains(body, "Not saved") {
		t.Errorf("an autosave on the plan in effect = %d %q", res.StatusCode, body)
	}
	// A form that is not the page's is refused whole.
	if res, _ := w.submitAs(t, asGuardian, w.famURL("plans", accepted, "concerns"), url.Values{"parent_concerns": {"x"}}); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a partial form = %d, want 400", res.StatusCode)
	}
}

func TestFamilyGlossary(t *testing.T) {
	w := newWorld(t, 0)
	for _, lang := range []string{"en", "es"} {
		res, body := w.getAs(t, asGuardian, w.famURL("glossary")+"?lang="+lang)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("glossary %s = %d", lang, res.StatusCode)
		}
		terms := i18n.Glossary(lang)
		if len(terms) < 26 {
			t.Errorf("glossary %s has %d words", lang, len(terms))
		}
		// Every word, with its anchor, in the language's alphabetical order.
		var at []int
		for _, tm := range sortedGlossary(lang) {
			i := strings.Index(body, `<div id="term-`+tm.ID+`"><dt>`+html.EscapeString(tm.Word)+`</dt>`)
			if i < 0 {
				t.Errorf("glossary %s lacks %s", lang, tm.ID)
			}
			at = append(at, i)
		}
		if !slices.IsSorted(at) {
			t.Errorf("glossary %s is not in the order of sortedGlossary", lang)
		}
	}
	es := sortedGlossary("es")
	var words []string
	for _, tm := range es {
		words = append(words, tm.Word)
	}
	// Spanish order: accents do not count as letters ("Él" files under E), "Ñ" after "N".
	if i, j := slices.Index(words, "Evaluación"), slices.Index(words, "Garantías procesales"); i < 0 || j < 0 || i > j {
		t.Errorf("Spanish glossary order: %v", words)
	}
	if got := firstLetter("Ñandú"); got != "Ñ" {
		t.Errorf("firstLetter(Ñandú) = %q", got)
	}
	if got := firstLetter("Ética"); got != "E" {
		t.Errorf("firstLetter(Ética) = %q", got)
	}
	_, body := w.getAs(t, asGuardian, w.famURL("plan"))
	if !strings.Contains(body, `href="`+w.famURL("glossary")+`"`) {
		t.Error("the plan page does not link to the glossary")
	}
}

func TestFamilyPlanPrint(t *testing.T) {
	w := newWorld(t, 0)
	res, body := w.getAs(t, asGuardian, w.famURL("plans", w.planOf(w.mia), "print")+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("print = %d", res.StatusCode)
	}
	mustContain(t, "print view", body, "print-view", goalStatement, "Words used in this plan", "Annual goal", "Back to the plan")
	if strings.Contains(body, "family-tabs") || strings.Contains(body, "<form id=") || strings.Contains(body, "<details") {
		t.Error("the print view has the navigation, forms or folded words")
	}
}

// TestFamilyPlanIsAuditedOnce: each view of a family plan page appends exactly one entry, a read
// of the plan shown, with the policy's reason.
func TestFamilyPlanIsAuditedOnce(t *testing.T) {
	w := newWorld(t, 0)
	for _, page := range []string{w.famURL("plan"), w.famURL("plans", w.planOf(w.mia), "concerns"), w.famURL("plans", w.planOf(w.mia), "print")} {
		before := w.lastAuditOfMia(t)
		if res, _ := w.getAs(t, asGuardian, page); res.StatusCode != http.StatusOK {
			t.Fatalf("%s = %d", page, res.StatusCode)
		}
		es := w.auditOfMiaSince(t, before)
		if len(es) != 1 || es[0].Action != "read" || es[0].RecordKind != "plan" || es[0].RecordID != w.planOf(w.mia) ||
			es[0].Reason != "guardian_with_rights" || es[0].StudentID != w.mia {
			t.Errorf("%s: audit entries %+v, want one read of the plan", page, es)
		}
	}
}

// lastAuditOfMia is the seq of the newest audit entry about Mia (0 for none).
func (w *world) lastAuditOfMia(t *testing.T) int64 {
	t.Helper()
	es := w.auditOfMiaSince(t, 0)
	if len(es) == 0 {
		return 0
	}
	return es[len(es)-1].Seq
}

// auditOfMiaSince lists the audit entries about Mia after seq, oldest first.
func (w *world) auditOfMiaSince(t *testing.T, seq int64) []store.AuditEntry {
	t.Helper()
	es, err := w.db.ListStudentAudit(context.Background(), w.district, store.AuditPage{StudentID: w.mia, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, e := range es {
		if e.Seq > seq {
			out = append(out, e)
		}
	}
	slices.Reverse(out)
	return out
}

// saveAsTeam saves fields of a section of a plan through the team's editor, from revision rev.
func (w *world) saveAsTeam(t *testing.T, plan string, kind iep.SectionKind, rev int, fields url.Values) {
	t.Helper()
	fields.Set("base_revision", strconv.Itoa(rev))
	if res, body := w.submitAs(t, asTeamMember, w.sectionURL(plan, kind), fields); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the team's save of %s: %d %s", kind, res.StatusCode, errorsOf(body))
	}
}
