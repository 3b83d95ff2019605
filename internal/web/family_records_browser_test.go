package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserFamilyRecords is Rosa on a phone (375 px), in English and in Spanish: her child's
// progress (a chart per goal and its table) and services (what the school owes, the missed
// session, every session opened), a request to see the records (refused empty first, then sent,
// with the day the school must answer by), and the page of rights. axe-core checks every page and
// state; no page is wider than the phone.
func TestBrowserFamilyRecords(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newWorld(t, 0)
	w.seedRecord(t)
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
	b.signIn(t, srv.URL, w.emails[asGuardian], "Rosa")

	check := func(t *testing.T, name string) {
		t.Helper()
		b.checkAxe(t, name)
		if m := evalIn[[]int](t, b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); m[0] > m[1] {
			t.Errorf("%s: %d px wide in a %d px viewport", name, m[0], m[1])
		}
		b.screenshot(t, name)
	}
	text := func(t *testing.T, selector string) string {
		t.Helper()
		return evalIn[string](t, b, `(document.querySelector(`+jsString(selector)+`) || {innerText: ""}).innerText`)
	}
	waitFor := func(t *testing.T, what, selector, want string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for !strings.Contains(text(t, selector), want) {
			if time.Now().After(deadline) {
				b.screenshot(t, "failed-"+safeName(what))
				t.Fatalf("%s: %q does not contain %q", what, text(t, selector), want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	for _, lc := range []struct {
		lang, owed, summary, due, refused, rights string
	}{
		{"en", "The school owes 3,366 minutes of reading intervention this school year.", "The last measurement, on February 10, 2026, was 102.5 wcpm.",
			"The school must let you see the records by March 26, 2026.", "Choose what you want to see.", "If you disagree with the school"},
		{"es", "La escuela debe 3.366 minutos de intervención en lectura este año escolar.", "La última medición, el 10 de febrero de 2026, fue 102,5 wcpm.",
			"La escuela debe dejarle ver los expedientes a más tardar el 26 de marzo de 2026.", "Elija qué quiere ver.", "Si no está de acuerdo con la escuela"},
	} {
		t.Run(lc.lang, func(t *testing.T) {
			q := "?lang=" + lc.lang
			name := func(s string) string { return "family-" + s + "-" + lc.lang }
			fam := func(parts ...string) string { return srv.URL + familyURL(w.district, w.mia, parts...) + q }

			// Progress and services: the chart and its summary, what the school owes.
			b.visit(t, name("progress"), fam("progress"), 375, 800)
			check(t, name("progress"))
			if got := text(t, "#goal-1-summary"); !strings.Contains(got, lc.summary) {
				t.Errorf("the goal's summary = %q, want %q", got, lc.summary)
			}
			if n := evalIn[int](t, b, `document.querySelectorAll("#goal-1 svg[role=img] circle").length`); n != 2 {
				t.Errorf("the chart has %d points, want 2", n)
			}
			if got := text(t, "#service-1 .fam-owed"); got != lc.owed {
				t.Errorf("what the school owes = %q, want %q", got, lc.owed)
			}
			b.step(t, "open every session", chromedp.Click(chromedp.CSS(`#service-1 details.fam-sessions summary`)))
			if open := evalIn[bool](t, b, `document.querySelector("#service-1 details.fam-sessions").open`); !open {
				t.Fatal("the sessions did not open")
			}
			check(t, name("progress-sessions"))

			// A request to see the records: refused empty, then sent with its due date.
			b.visit(t, name("records"), fam("records"), 375, 800)
			check(t, name("records"))
			b.step(t, "send an empty request", chromedp.Click(chromedp.CSS(`#fam-records-send`)),
				chromedp.WaitVisible(chromedp.CSS(`#error-summary`)))
			waitFor(t, "the refusal", "#f-parts-error", lc.refused)
			check(t, name("records-refused"))
			b.step(t, "ask for the service logs, as copies",
				chromedp.Click(chromedp.CSS(`label[for="f-parts-services"]`)),
				chromedp.Click(chromedp.CSS(`label[for="f-delivery-copies"]`)),
				chromedp.SendKeys(chromedp.CSS(`#f-note`), "Speech logs / registros del habla"),
				chromedp.Click(chromedp.CSS(`#fam-records-send`)),
				chromedp.WaitVisible(chromedp.CSS(`#fam-sent`)))
			waitFor(t, "the due date", "#fam-sent", lc.due)
			if n := evalIn[int](t, b, `document.querySelectorAll(".fam-request").length`); n < 1 {
				t.Error("the request is not listed")
			}
			check(t, name("records-sent"))

			// The rights page, reached from the tabs.
			b.step(t, "open the rights", chromedp.Click(chromedp.CSS(`.family-tabs a[href$="/rights"]`)),
				chromedp.WaitVisible(chromedp.CSS(`#fam-disagree`)))
			waitFor(t, "the rights page", "#fam-disagree", lc.rights)
			if n := evalIn[int](t, b, `document.querySelectorAll("section.fam-help .fam-resource").length`); n < 5 {
				t.Errorf("the state's sources of help: %d listed", n)
			}
			check(t, name("rights"))
		})
	}
}

// TestBrowserStaffRecordsRequest is the case manager's side of a records request, on a phone and
// on a desk, in English and Spanish: the student page lists it with the day to answer by and the
// form; a refused form comes back on the request's own page with the problem at its field; then
// the records are provided. axe-core checks every page and state.
func TestBrowserStaffRecordsRequest(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newWorld(t, 0)
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
	b.signIn(t, srv.URL, w.emails[asTeamMember], "Dana")
	for _, lc := range []struct{ lang, future, done string }{
		{"en", "Give a date that is not in the future.", "The school provided the records on March 16, 2026."},
		{"es", "Indique una fecha que no sea futura.", "La escuela entregó los expedientes el 16 de marzo de 2026."},
	} {
		t.Run(lc.lang, func(t *testing.T) {
			id := w.seedRecordsRequest()
			q := "?lang=" + lc.lang
			name := func(s string) string { return "staff-records-" + s + "-" + lc.lang }
			student := srv.URL + studentURL(w.district, w.mia)
			for _, width := range []int64{375, 1280} {
				b.visit(t, name("student"), student+q, width, 900)
				b.checkAxe(t, name("student"))
			}
			b.screenshot(t, name("student"))
			// A day in the future is refused on the request's own page, what was typed kept.
			b.step(t, "provide on a future day",
				chromedp.SetValue(chromedp.CSS(`#provided_on-`+id), "2026-12-01"),
				chromedp.SetValue(chromedp.CSS(`#provided_how-`+id), "copies_sent"),
				chromedp.Click(chromedp.CSS(`#records-request-`+id+` button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`#error-summary`)))
			if got := evalIn[string](t, b, `document.getElementById("f-provided_on-error").innerText`); got != lc.future {
				t.Errorf("the refusal = %q, want %q", got, lc.future)
			}
			b.checkAxe(t, name("refused"))
			b.screenshot(t, name("refused"))
			b.step(t, "provide today",
				chromedp.SetValue(chromedp.CSS(`#f-provided_on`), "2026-03-16"),
				chromedp.Click(chromedp.CSS(`form.stack button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS(`#records-requests-heading`)))
			if got := evalIn[string](t, b, `document.getElementById("records-request-`+id+`").innerText`); !strings.Contains(got, lc.done) {
				t.Errorf("the request after providing: %q", got)
			}
			b.checkAxe(t, name("provided"))
		})
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
