package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// TestBrowserFamilyPlan is Rosa reading the draft of Mia's annual review on a phone (375 px),
// in English and in Spanish: the plan page, a word of the glossary opened inline, her concerns
// written and autosaved without pressing anything (then found again after a reload), someone
// else's words arriving meanwhile and hers kept, a comment (refused empty first), a suggested
// change, the glossary and the print view. axe-core checks every page and state; no page is
// wider than the phone.
func TestBrowserFamilyPlan(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newWorld(t, 0)
	draft := w.miaDraft(t, true)
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
	b.signIn(t, srv.URL, w.emails[asGuardian], "Rosa")
	ctx := context.Background()

	check := func(t *testing.T, name string) {
		t.Helper()
		b.checkAxe(t, name)
		if m := evalIn[[]int](t, b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); m[0] > m[1] {
			t.Errorf("%s: %d px wide in a %d px viewport", name, m[0], m[1])
		}
		b.screenshot(t, name)
	}
	waitFor := func(t *testing.T, what, script, want string) string {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			got := evalIn[string](t, b, script)
			if strings.Contains(got, want) {
				return got
			}
			if time.Now().After(deadline) {
				b.screenshot(t, "failed-"+safeName(what))
				t.Fatalf("%s: %q does not contain %q", what, got, want)
			}
			time.Sleep(150 * time.Millisecond)
		}
	}
	storedConcerns := func() iep.Concerns {
		p, err := w.db.GetPlan(ctx, w.district, draft)
		if err != nil {
			t.Fatal(err)
		}
		return p.Content.Concerns
	}

	for _, lc := range []struct {
		lang, saved, sent, suggested, waiting, mine, comment, statement string
	}{
		{"en", "Saved at", "Your comment was sent", "Your suggested change was sent", "Waiting for the team", " Mia asks to read with a friend.",
			"Could the reading group meet in the library?", "Mia will read chapter books aloud with a partner every week."},
		{"es", "Guardado a las", "Su comentario se envió", "Su cambio sugerido se envió", "Esperando al equipo", " Mía pide leer con una amiga. ¡Gracias! 📚",
			"¿Podría el grupo de lectura reunirse en la biblioteca?", "Mía leerá en voz alta libros con una compañera cada semana."},
	} {
		t.Run(lc.lang, func(t *testing.T) {
			q := "?lang=" + lc.lang
			plan := srv.URL + w.famURL("plans", draft)
			name := func(s string) string { return "family-" + s + "-" + lc.lang }

			// The plan page, then a word of the glossary opened where it is used.
			b.visit(t, name("plan"), srv.URL+w.famURL("plan")+q, 375, 800)
			check(t, name("plan"))
			b.step(t, "open a word", chromedp.Click(chromedp.CSS(`#sec-goals details.term summary`)))
			if open := evalIn[bool](t, b, `document.querySelector("#sec-goals details.term").open`); !open {
				t.Fatal("the word did not open")
			}
			waitFor(t, "the word's meaning", `document.querySelector("#sec-goals details.term p").innerText`, " ")
			check(t, name("plan-word-open"))

			// The concerns: typed, saved a moment later without pressing anything.
			b.visit(t, name("concerns"), plan+"/concerns"+q, 375, 800)
			check(t, name("concerns"))
			b.step(t, "type the concerns", chromedp.SendKeys(chromedp.CSS(`#concerns-parent_concerns`), lc.mine))
			waitFor(t, "autosave", `document.getElementById("concerns-status").textContent`, lc.saved)
			if role := evalIn[string](t, b, `document.getElementById("concerns-status").getAttribute("role")`); role != "status" {
				t.Errorf("the status line's role = %q, want status", role)
			}
			if got := storedConcerns().ParentConcerns; !strings.Contains(got, lc.mine) {
				t.Fatalf("stored concerns %q do not hold what was typed", got)
			}
			check(t, name("concerns-saved"))
			b.visit(t, name("concerns-reload"), plan+"/concerns"+q, 375, 800)
			if v := evalIn[string](t, b, `document.getElementById("concerns-parent_concerns").value`); !strings.Contains(v, lc.mine) {
				t.Fatalf("after a reload the box holds %q", v)
			}

			// Someone else saves other words meanwhile: her next autosave is not saved, both texts
			// show, and "Keep my words" saves hers.
			cur := storedConcerns()
			rev := w.revisionOf(t, draft, iep.SectionConcerns)
			cur.ParentConcerns = "Other words, saved from another tab."
			if err := w.db.Write(ctx, func(tx *store.Tx) error {
				b, _ := jsonMarshalConcerns(cur)
				_, err := tx.SaveSection(ctx, w.district, draft, iep.SectionConcerns, b, rev, w.cm)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			b.step(t, "type more", chromedp.SendKeys(chromedp.CSS(`#concerns-parent_concerns`), " More."))
			b.step(t, "the other words", chromedp.WaitVisible(chromedp.CSS(`#concerns-conflict .conflict`)))
			waitFor(t, "the other text", `document.getElementById("concerns-parent_concerns-theirs").innerText`, "Other words, saved from another tab.")
			check(t, name("concerns-conflict"))
			b.step(t, "keep my words", chromedp.Click(chromedp.CSS(`#concerns-keep`)))
			waitFor(t, "kept", `document.getElementById("concerns-status").textContent`, lc.saved)
			if got := storedConcerns().ParentConcerns; !strings.Contains(got, lc.mine) || !strings.Contains(got, " More.") || strings.Contains(got, "another tab") {
				t.Fatalf("after keeping her words: %q", got)
			}
			if n := evalIn[int](t, b, `document.querySelectorAll("#concerns-conflict .conflict").length`); n != 0 {
				t.Errorf("the conflict box stays after her words were kept")
			}

			// A comment on the goals: refused empty, then sent.
			b.visit(t, name("plan-comment"), plan+q+"#talk-goals", 375, 800)
			b.step(t, "send an empty comment",
				chromedp.Click(chromedp.CSS(`#comment-box-goals > summary`)),
				chromedp.WaitVisible(chromedp.CSS(`#comment-goals`)),
				chromedp.Click(chromedp.CSS(`#comment-form-goals button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`#comment-goals-error`)))
			check(t, name("comment-refused"))
			b.step(t, "write a comment",
				chromedp.SendKeys(chromedp.CSS(`#comment-goals`), lc.comment),
				chromedp.Click(chromedp.CSS(`#comment-form-goals button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)))
			waitFor(t, "the comment", `document.getElementById("talk-goals").innerText`, lc.comment)
			waitFor(t, "the notice", `(document.querySelector("p.notice[role=status]") || {innerText: ""}).innerText`, lc.sent)
			check(t, name("plan-commented"))

			// A suggested change to the first goal's statement.
			b.step(t, "open the suggestion form",
				chromedp.Click(chromedp.CSS(`#suggest-goals > summary`)),
				chromedp.WaitVisible(chromedp.CSS(`#s-goals-goals-0-statement`)))
			if v := evalIn[string](t, b, `document.getElementById("s-goals-goals-0-statement").value`); v != goalStatement {
				t.Errorf("the suggestion form holds %q, want the goal as written", v)
			}
			check(t, name("suggest-open"))
			evalIn[bool](t, b, `(() => { document.getElementById("s-goals-goals-0-statement").value = ""; return true })()`)
			b.step(t, "suggest a change",
				chromedp.SendKeys(chromedp.CSS(`#s-goals-goals-0-statement`), lc.statement),
				chromedp.SendKeys(chromedp.CSS(`#suggest-note-goals`), "Mia loves reading to others."),
				chromedp.Click(chromedp.CSS(`#suggest-form-goals button[type=submit]`)))
			waitFor(t, "the notice", `(document.querySelector("p.notice[role=status]") || {innerText: ""}).innerText`, lc.suggested)
			waitFor(t, "the suggestion", `document.getElementById("talk-goals").innerText`, lc.waiting)
			check(t, name("plan-suggested"))
			sgs, err := w.db.ListSuggestions(ctx, w.district, draft)
			if err != nil || len(sgs) == 0 || !strings.Contains(string(sgs[len(sgs)-1].Content), lc.statement) {
				t.Fatalf("the suggestion as stored: %v %v", sgs, err)
			}

			// The glossary, a word's anchor, and the print view.
			b.visit(t, name("glossary"), srv.URL+w.famURL("glossary")+q+"#term-stay_put", 375, 800)
			if n := evalIn[int](t, b, `document.querySelectorAll(".fam-glossary > div[id^=term-]").length`); n < 26 {
				t.Errorf("the glossary lists %d words", n)
			}
			check(t, name("glossary"))
			b.visit(t, name("print"), plan+"/print"+q, 375, 800)
			check(t, name("print"))
		})
	}
}

// jsonMarshalConcerns is the JSON of a concerns section.
func jsonMarshalConcerns(c iep.Concerns) ([]byte, error) {
	content := iep.Content{Concerns: c}
	return iep.EncodeSection(&content, iep.SectionConcerns)
}
