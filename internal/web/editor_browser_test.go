package web

import (
	"context"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openiep/openiep/internal/iep"
)

// TestBrowserPlanEditor checks the editor's pages with axe-core (the draft with a goal, a
// service, a comment and a family suggestion; the merge view; a section's history; the read and
// print views), in English and Spanish and at 320 px; and that typing autosaves: the status line
// says "Saved", and the words are there after a reload.
func TestBrowserPlanEditor(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newWorld(t, 0)
	plan := w.planOf(w.noah)
	w.seedSuggestion(plan)
	w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionGoals), url.Values{"base_revision": {"1"}, "op": {"add:goals"}})
	w.submitAs(t, asTeamMember, w.sectionURL(plan, iep.SectionServices), url.Values{"base_revision": {"1"}, "op": {"add:lines"}})
	w.submitAs(t, asTeamMember, planURL(w.district, plan, "comments"), url.Values{"section": {"goals"}, "body": {"Weekly probes?"}})
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
	b.signIn(t, srv.URL, w.emails[asTeamMember], asTeamMember)
	editor := srv.URL + planURL(w.district, plan)
	pages := []struct {
		name          string
		url           string
		width, height int64
	}{
		{"editor-en", editor + "?lang=en", 1280, 900},
		{"editor-es", editor + "?lang=es", 1280, 900},
		{"editor-320px", editor + "?lang=en", 320, 640},
		{"section-history", srv.URL + w.sectionURL(plan, iep.SectionGoals) + "/history?lang=en", 1280, 900},
		{"section-history-es", srv.URL + w.sectionURL(plan, iep.SectionGoals) + "/history?lang=es", 320, 640},
		{"plan-read", srv.URL + planURL(w.district, w.planOf(w.mia)) + "?lang=en", 1280, 900},
		{"plan-print-es", srv.URL + planURL(w.district, w.planOf(w.mia), "print") + "?lang=es", 1280, 900},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			b.visit(t, p.name, p.url, p.width, p.height)
			b.checkAxe(t, p.name)
			if p.width <= 320 {
				m := evalIn[[]int](t, b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`)
				if m[0] > m[1] {
					t.Errorf("%s: %d px wide in a %d px viewport", p.name, m[0], m[1])
				}
			}
			b.screenshot(t, p.name)
		})
	}

	t.Run("autosave", func(t *testing.T) {
		words := "Noah is kind and curious, and he loves maps."
		b.visit(t, "autosave", editor+"?lang=en", 1280, 900)
		b.step(t, "type the strengths",
			chromedp.SendKeys(chromedp.CSS(`#f-student_strengths`), words),
			chromedp.WaitVisible(chromedp.CSS(`#status-concerns`)),
		)
		deadline := time.Now().Add(15 * time.Second)
		for {
			status := evalIn[string](t, b, `document.getElementById("status-concerns").textContent`)
			if strings.HasPrefix(status, "Saved at") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no Saved status after typing: %q", status)
			}
			time.Sleep(200 * time.Millisecond)
		}
		if role := evalIn[string](t, b, `document.getElementById("status-concerns").getAttribute("role")`); role != "status" {
			t.Errorf("the status line's role = %q, want status (announced by screen readers)", role)
		}
		b.screenshot(t, "autosave-saved")
		p, err := w.db.GetPlan(context.Background(), w.district, plan)
		if err != nil || p.Content.Concerns.StudentStrengths != words {
			t.Fatalf("stored strengths = %q (%v), want what was typed", p.Content.Concerns.StudentStrengths, err)
		}
		// Typing again saves from the new revision (no conflict with itself).
		b.step(t, "type more", chromedp.SendKeys(chromedp.CSS(`#f-student_strengths`), " He asks good questions."))
		deadline = time.Now().Add(15 * time.Second)
		for {
			p, _ = w.db.GetPlan(context.Background(), w.district, plan)
			if strings.HasSuffix(p.Content.Concerns.StudentStrengths, "good questions.") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the second autosave did not land: %q, status %q", p.Content.Concerns.StudentStrengths,
					evalIn[string](t, b, `document.getElementById("status-concerns").textContent`))
			}
			time.Sleep(200 * time.Millisecond)
		}
		// Adding a goal with the button swaps the section and keeps the page.
		b.step(t, "add a goal",
			chromedp.Click(chromedp.CSS(`#form-goals button[value="add:goals"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#f-goals-1-statement`)),
		)
		b.checkAxe(t, "editor-after-add")
	})

	t.Run("merge-view", func(t *testing.T) {
		// Someone else saves the concerns; this page still holds the old revision.
		b.visit(t, "merge", editor+"?lang=en", 1280, 900)
		rev := w.revisionOf(t, plan, iep.SectionConcerns)
		w.submitAs(t, asDistrictAdmin, w.sectionURL(plan, iep.SectionConcerns), url.Values{"base_revision": {strconv.Itoa(rev)},
			"parent_concerns": {"Noah finds loud rooms hard."}, "team_vision": {"Written by the administrator."}})
		b.step(t, "type into the stale form", chromedp.SendKeys(chromedp.CSS(`#f-team_vision`), "Written by the case manager."))
		b.step(t, "the merge view", chromedp.WaitVisible(chromedp.CSS(`#sec-concerns .conflict`)))
		body := evalIn[string](t, b, `document.getElementById("sec-concerns").innerText`)
		mustContain(t, "merge view", body, "Written by the administrator.")
		if v := evalIn[string](t, b, `document.getElementById("f-team_vision").value`); v != "Written by the case manager." {
			t.Errorf("the typed text in the merge view = %q", v)
		}
		b.checkAxe(t, "merge-view")
		b.screenshot(t, "merge-view")
	})
}
