package web

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/openiep/openiep/internal/store"
)

// TestBrowserSSO signs in with a school account in headless Chromium, through the fake
// provider (which approves at once): the sign-in page offers it, the browser goes to the
// provider and back, and lands signed in. Then a guardian's school account is refused with the
// refusal page, in English and in Spanish, and an address no provider signs in gets its error on
// the start page. axe-core checks every page.
func TestBrowserSSO(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	// The public URL must be known before the world is built: listen first.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := newSSOWorld(t, "http://"+l.Addr().String())
	srv := &httptest.Server{Listener: l, Config: &http.Server{Handler: w.handler}}
	srv.Start()
	defer srv.Close()
	b := newBrowser(t)

	b.visit(t, "signin-sso-en", srv.URL+"/signin?lang=en", 1280, 900)
	b.checkAxe(t, "signin-sso-en")
	b.screenshot(t, "signin-sso-en")

	w.fake.SetUser(w.as(asTeamMember))
	b.step(t, "sign in with the school account",
		chromedp.SendKeys(chromedp.CSS("#email"), w.emails[asTeamMember]),
		chromedp.Click(chromedp.CSS(`button[formaction="/signin/sso"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.account-nav`)),
	)
	if got := evalIn[string](t, b, `location.pathname`); got != "/" {
		t.Errorf("after single sign-on the browser is at %q, want /", got)
	}
	if got := evalIn[string](t, b, `document.querySelector('.account-nav a[href="/account"]').textContent`); got != "Dana Reyes" {
		t.Errorf("signed in as %q, want Dana Reyes", got)
	}
	if n := w.fake.Hits("/authorize"); n != 1 {
		t.Errorf("the provider's authorization endpoint saw %d requests, want 1", n)
	}
	b.signOut(t)

	// A guardian's school account is refused: the refusal page, in both languages.
	w.fake.SetUser(w.as(asGuardian))
	for _, lang := range []string{"en", "es"} {
		name := "sso-refused-" + lang
		b.visit(t, name, srv.URL+"/signin?lang="+lang, 1280, 900)
		b.step(t, name,
			chromedp.SendKeys(chromedp.CSS("#email"), w.emails[asGuardian]),
			chromedp.Click(chromedp.CSS(`button[formaction="/signin/sso"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#sso-refusal`)),
		)
		text := evalIn[string](t, b, `document.getElementById("sso-refusal").textContent`)
		if want := map[string]string{"en": "only for school staff", "es": "solo para el personal escolar"}[lang]; !strings.Contains(text, want) {
			t.Errorf("%s: the refusal says %q, want %q", name, text, want)
		}
		b.checkAxe(t, name)
		b.screenshot(t, name)
	}
	// "Sign in with e-mail and password instead" goes back to the sign-in page with the address.
	b.step(t, "back to the password",
		chromedp.Click(chromedp.CSS(`button[name="back"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#password`)),
	)
	if got := evalIn[string](t, b, `document.getElementById("email").value`); got != w.emails[asGuardian] {
		t.Errorf("back on the sign-in page the address is %q", got)
	}

	// An address no provider signs in: the start page names the field.
	b.visit(t, "sso-start-error", srv.URL+"/signin?lang=en", 1280, 900)
	b.step(t, "an address of another domain",
		chromedp.SendKeys(chromedp.CSS("#email"), "someone@elsewhere.example"),
		chromedp.Click(chromedp.CSS(`button[formaction="/signin/sso"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#sso-email[aria-invalid="true"]`)),
	)
	b.checkAxe(t, "sso-start-error")
	b.screenshot(t, "sso-start-error")

	// Two districts sign in the domain: the reader chooses (in Spanish, at 320 CSS pixels).
	ctx := context.Background()
	if err := w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateSSOProvider(ctx, &store.SSOProvider{DistrictID: w.other, Name: "Valley Microsoft",
			Issuer: "https://login.example.com", ClientID: "c", EmailDomains: []string{"test.example"}, Enabled: true})
	}); err != nil {
		t.Fatal(err)
	}
	b.visit(t, "signin-sso-320px", srv.URL+"/signin?lang=es", 320, 640)
	b.checkAxe(t, "signin-sso-320px")
	if m := evalIn[[]int](t, b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); m[0] > m[1] {
		t.Errorf("the sign-in page is %d px wide in a %d px viewport", m[0], m[1])
	}
	b.screenshot(t, "signin-sso-320px")
	b.step(t, "an address two districts sign in",
		chromedp.SendKeys(chromedp.CSS("#email"), w.emails[asTeamMember]),
		chromedp.Click(chromedp.CSS(`button[formaction="/signin/sso"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[name="choice"]`)),
	)
	b.checkAxe(t, "sso-choice-es")
	b.screenshot(t, "sso-choice-es")
	w.fake.SetUser(w.as(asTeamMember))
	b.step(t, "choose Riverton",
		chromedp.Click(chromedp.CSS(`button[value="`+w.district+` `+w.provider+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.account-nav`)),
	)
}
