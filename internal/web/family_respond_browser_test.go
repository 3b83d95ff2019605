package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserFamilyRespond is Rosa on a phone (375 px), in English and in Spanish: she opens the
// invitation to Mia's annual review meeting, proposes another time, asks for an interpreter and
// tells the school about a guest (after a refused, empty guest form); then she reads the
// proposed IEP, tries to accept it in part without saying why she rejects the speech therapy
// (refused at the field), says why, signs, and reads the confirmation and the print view.
// axe-core checks every page and state; no page is wider than the phone.
func TestBrowserFamilyRespond(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) { browseFamilyRespond(t, lang) })
	}
}

func browseFamilyRespond(t *testing.T, lang string) {
	x := newRespondWorld(t)
	meeting := x.schedule(t, "2026-03-30", "15:00", nil)
	srv := httptest.NewServer(x.handler)
	defer srv.Close()
	b := newBrowser(t)
	b.signIn(t, srv.URL, x.emails[asGuardian], "Rosa")
	words := map[string]map[string]string{
		"en": {"other": "this time does not work for you", "interpreter": "Interpreter for the meeting: Haitian Creole.", "guest": "Ana Ortiz",
			"comment": "Write why you do not accept", "done": "Your answer is recorded", "start": "The school must start the services by",
			"held": "From the previous IEP, in place of the new one", "print": "Electronically, in the family portal"},
		"es": {"other": "este horario no le sirve", "interpreter": "Intérprete para la reunión: Criollo haitiano.", "guest": "Ana Ortiz",
			"comment": "Escriba por qué no acepta", "done": "Su respuesta quedó registrada", "start": "La escuela debe empezar los servicios",
			"held": "Del IEP anterior, en lugar del nuevo", "print": "Electrónicamente, en el portal de familias"},
	}[lang]
	check := func(t *testing.T, name string) {
		t.Helper()
		b.checkAxe(t, name)
		if m := evalIn[[]int](t, b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); m[0] > m[1] {
			t.Errorf("%s: %d px wide in a %d px viewport", name, m[0], m[1])
		}
		b.screenshot(t, name)
	}
	text := func() string { return evalIn[string](t, b, `document.querySelector("main").innerText`) }
	wantText := func(t *testing.T, name string, wants ...string) {
		t.Helper()
		got := text()
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("%s: the page lacks %q", name, w)
			}
		}
	}

	meetingURL := srv.URL + x.familyMeetingURL(meeting) + "?lang=" + lang
	b.visit(t, "meeting", meetingURL, 375, 812)
	check(t, lang+"-meeting")
	b.step(t, "propose another time",
		chromedp.Click(chromedp.CSS("#f-reply-other_time_proposed")),
		chromedp.SendKeys(chromedp.CSS("#f-proposed_time"), "Tuesdays after 3 PM"),
		chromedp.Click(chromedp.CSS("#f-reply-submit")),
		chromedp.WaitVisible(chromedp.CSS("#confirmation")),
	)
	wantText(t, "another time", words["other"], "Tuesdays after 3 PM")
	check(t, lang+"-meeting-other-time")
	b.step(t, "an empty guest form",
		chromedp.Click(chromedp.CSS("#f-guest-submit")),
		chromedp.WaitVisible(chromedp.CSS("#error-summary")),
	)
	check(t, lang+"-meeting-guest-refused")
	b.step(t, "ask for an interpreter",
		chromedp.SetValue(chromedp.CSS("#f-interpreter_language"), "ht"),
		chromedp.Click(chromedp.CSS("#f-interpreter-submit")),
		chromedp.WaitVisible(chromedp.CSS("#confirmation")),
	)
	wantText(t, "interpreter", words["interpreter"])
	b.step(t, "tell the school about a guest",
		chromedp.SendKeys(chromedp.CSS("#f-guest_name"), "Ana Ortiz"),
		chromedp.SendKeys(chromedp.CSS("#f-guest_title"), "grandmother"),
		chromedp.Click(chromedp.CSS("#f-guest-submit")),
		chromedp.WaitVisible(chromedp.CSS("#guest-list")),
	)
	wantText(t, "guest", words["guest"], "grandmother")
	check(t, lang+"-meeting-answered")

	// The team meets and proposes the IEP; Rosa answers it.
	x.propose(t)
	respond := srv.URL + x.respondURL() + "?lang=" + lang
	b.visit(t, "respond", respond, 375, 812)
	check(t, lang+"-respond")
	if evalIn[bool](t, b, `document.querySelector("#f-parts").offsetParent !== null`) {
		t.Error("the parts to reject show before the answer is accepted in part")
	}
	b.step(t, "accept in part without saying why",
		chromedp.Click(chromedp.CSS("#f-decision-accept_in_part")),
		chromedp.WaitVisible(chromedp.CSS("#f-reject-line-s2")),
		chromedp.Click(chromedp.CSS("#f-reject-line-s2")),
		chromedp.WaitVisible(chromedp.CSS("#f-comment_s2")),
		chromedp.SendKeys(chromedp.CSS("#f-signature_name"), "Rosa Ortiz"),
		chromedp.Click(chromedp.CSS("#f-signature_attest")),
		chromedp.Click(chromedp.CSS("#f-submit")),
		chromedp.WaitVisible(chromedp.CSS("#error-summary")),
	)
	wantText(t, "refused", words["comment"])
	if !evalIn[bool](t, b, `document.querySelector("#f-comment_s2").getAttribute("aria-invalid") === "true" && document.querySelector("#f-signature_name").value === "Rosa Ortiz" && document.querySelector("#f-signature_attest").checked`) {
		t.Error("the refused form lost what was typed, or does not mark the comment")
	}
	check(t, lang+"-respond-refused")
	b.step(t, "say why and sign",
		chromedp.SendKeys(chromedp.CSS("#f-comment_s2"), "Speech therapy in her class, please."),
		chromedp.Click(chromedp.CSS("#f-submit")),
		chromedp.WaitVisible(chromedp.CSS("#confirmation")),
	)
	wantText(t, "confirmation", words["done"], words["start"], words["held"], "Speech therapy in her class, please.")
	check(t, lang+"-respond-confirmation")
	b.visit(t, "print", srv.URL+x.respondURL("print")+"?lang="+lang, 375, 812)
	wantText(t, "print", words["print"], "Rosa Ortiz", x.sha(t))
	check(t, lang+"-respond-print")
	if rs := x.responses(t); len(rs) != 1 || rs[0].Comments["s2"] != "Speech therapy in her class, please." {
		t.Errorf("the answer recorded: %+v", rs)
	}
}
