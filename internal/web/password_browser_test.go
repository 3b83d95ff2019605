package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserPasswordPages drives the password pages in Chromium, each checked by axe-core for
// WCAG 2.1 AA and saved as a screenshot: asking for a reset link (empty, refused, answered),
// an invitation's page in both languages and at 320 px, refused and then accepted, the page of a
// used and of an unknown link, a reset link's page, and changing the password when signed in,
// refused and done.
func TestBrowserPasswordPages(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newPWWorld(t)
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
	ctx := context.Background()

	acc := w.newInvitee(t, "lena@example.org", "es")
	if err := w.svc.SendInvitation(ctx, w.admin(), w.district, acc.ID); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.RequestPasswordReset(ctx, w.emails[asTeamMember], "192.0.2.77"); err != nil {
		t.Fatal(err)
	}
	msgs := w.deliver(t)
	if len(msgs) != 2 {
		t.Fatalf("delivered %d messages, want the invitation and the reset", len(msgs))
	}
	invite, _ := linkIn(t, msgs[0])
	reset, _ := linkIn(t, msgs[1])
	inviteEN := strings.Replace(invite, "lang=es", "lang=en", 1)

	check := func(name string, width, height int64) {
		t.Helper()
		b.checkAxe(t, name)
		if width <= 320 {
			m := evalIn[[]int](t, b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`)
			if m[0] > m[1] {
				t.Errorf("%s: the page is %d px wide in a %d px viewport", name, m[0], m[1])
			}
		}
		b.screenshot(t, name)
	}
	for _, p := range []struct {
		name          string
		url           string
		width, height int64
	}{
		{"forgot-en", "/signin/forgot?lang=en", 1280, 900},
		{"forgot-es", "/signin/forgot?lang=es", 1280, 900},
		{"welcome-es", invite, 1280, 900},
		{"welcome-en-320px", inviteEN, 320, 640},
		{"reset-en", reset, 1280, 900},
		{"link-unknown-en", "/reset?lang=en&token=no-such-link", 1280, 900},
	} {
		t.Run(p.name, func(t *testing.T) {
			b.visit(t, p.name, srv.URL+p.url, p.width, p.height)
			check(p.name, p.width, p.height)
		})
	}

	// Asking for a link: nothing typed, then an address.
	b.visit(t, "forgot", srv.URL+"/signin/forgot?lang=en", 1280, 900)
	b.step(t, "send an empty form",
		chromedp.Click(chromedp.CSS(`form[action="/signin/forgot"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#error-summary")))
	check("forgot-error-en", 1280, 900)
	b.step(t, "send an address",
		chromedp.SendKeys(chromedp.CSS("#f-email"), "someone@nowhere.example"),
		chromedp.Click(chromedp.CSS(`form[action="/signin/forgot"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice[role=status]`)))
	check("forgot-sent-en", 1280, 900)

	// The invitation: two different passwords, then the same one twice.
	b.visit(t, "welcome", srv.URL+inviteEN, 1280, 900)
	b.step(t, "mismatched passwords",
		chromedp.SendKeys(chromedp.CSS("#f-password"), "lena's passphrase"),
		chromedp.SendKeys(chromedp.CSS("#f-password_confirm"), "lena's passphrase!"),
		chromedp.Click(chromedp.CSS(`form[action="/welcome"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#error-summary")))
	check("welcome-error-en", 1280, 900)
	b.step(t, "accept the invitation",
		chromedp.SendKeys(chromedp.CSS("#f-password"), "lena's passphrase"),
		chromedp.SendKeys(chromedp.CSS("#f-password_confirm"), "lena's passphrase"),
		chromedp.Click(chromedp.CSS(`form[action="/welcome"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.account-nav`)))
	if got := evalIn[string](t, b, `location.pathname`); got != "/" {
		t.Errorf("after accepting the invitation the browser is at %q, want /", got)
	}
	b.visit(t, "welcome-used", srv.URL+inviteEN, 1280, 900)
	if got := evalIn[string](t, b, `document.querySelector("h1").textContent`); got != "This link has already been used" {
		t.Errorf("the used link's page says %q", got)
	}
	check("welcome-used-en", 1280, 900)

	// Changing the password, signed in as Lena: a wrong current password, then done.
	b.visit(t, "change", srv.URL+"/account/password?lang=en", 1280, 900)
	check("change-en", 1280, 900)
	b.step(t, "a wrong current password",
		chromedp.SendKeys(chromedp.CSS("#f-current_password"), "not my password"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "a second passphrase"),
		chromedp.SendKeys(chromedp.CSS("#f-password_confirm"), "a second passphrase"),
		chromedp.Click(chromedp.CSS(`form[action="/account/password"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#error-summary")))
	check("change-error-en", 1280, 900)
	b.step(t, "change it",
		chromedp.SendKeys(chromedp.CSS("#f-current_password"), "lena's passphrase"),
		chromedp.SendKeys(chromedp.CSS("#f-password"), "a second passphrase"),
		chromedp.SendKeys(chromedp.CSS("#f-password_confirm"), "a second passphrase"),
		chromedp.Click(chromedp.CSS(`form[action="/account/password"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice[role=status]`)))
	check("change-done-en", 1280, 900)
}
