package web

import (
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserPages drives the real server in headless Chromium: every page, in English and in
// Spanish, a draft plan, and the student page at 320 CSS pixels wide, each checked by axe-core
// for WCAG 2.1 AA and saved as a screenshot.
func TestBrowserPages(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newWorld(t, 60) // more than one page of students, so the pager shows
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)

	district := srv.URL + "/districts/" + w.district
	mia := district + "/students/" + w.mia
	for _, p := range []struct{ name, url string }{
		{"signin-en", srv.URL + "/signin?lang=en"},
		{"signin-es", srv.URL + "/signin?lang=es"},
	} {
		t.Run(p.name, func(t *testing.T) {
			b.visit(t, p.name, p.url, 1280, 900)
			b.checkAxe(t, p.name)
			b.screenshot(t, p.name)
		})
	}
	b.signIn(t, srv.URL, w.emails[asGuardian], "guardian")
	for _, p := range []struct{ name, url string }{
		{"family-en", srv.URL + "/?lang=en"},
		{"family-student-es", mia + "?lang=es"},
	} {
		t.Run(p.name, func(t *testing.T) {
			b.visit(t, p.name, p.url, 1280, 900)
			b.checkAxe(t, p.name)
			b.screenshot(t, p.name)
		})
	}
	b.signOut(t)
	b.signIn(t, srv.URL, w.emails[asDistrictAdmin], "admin")
	pages := []struct {
		name          string
		url           string
		width, height int64
	}{
		{"home-en", srv.URL + "/?lang=en", 1280, 900},
		{"account-en", srv.URL + "/account?lang=en", 1280, 900},
		{"two-factor-en", srv.URL + "/account/two-factor?lang=en", 1280, 900},
		{"two-factor-es", srv.URL + "/account/two-factor?lang=es", 1280, 900},
		{"overview-en", district + "?lang=en", 1280, 900},
		{"overview-es", district + "?lang=es", 1280, 900},
		{"student-en", mia + "?lang=en", 1280, 900},
		{"student-es", mia + "?lang=es", 1280, 900},
		{"draft-en", district + "/students/" + w.noah + "?lang=en", 1280, 900},
		{"no-plan-en", district + "/students/" + w.ava + "?lang=en", 1280, 900},
		{"not-found-en", district + "/students/nobody?lang=en", 1280, 900},
		{"student-320px", mia + "?lang=en", 320, 640},
		{"overview-320px", district + "?lang=es", 320, 640},
	}
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			b.visit(t, p.name, p.url, p.width, p.height)
			b.checkAxe(t, p.name)
			if p.width <= 320 {
				// WCAG 1.4.10 reflow: the page itself never scrolls sideways; only wide tables
				// scroll, inside their own labelled region.
				m := evalIn[[]int](t, b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth, window.innerWidth, document.body.scrollWidth]`)
				t.Logf("widths %v", m)
				if m[0] > m[1] {
					t.Errorf("%s: the page is %d px wide in a %d px viewport: it scrolls sideways", p.name, m[0], m[1])
				}
			}
			b.screenshot(t, p.name)
		})
	}
}

// signIn signs in through the sign-in page, as a person would.
func (b *browser) signIn(t *testing.T, base, email, who string) {
	t.Helper()
	b.step(t, "sign in as "+who,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(base+"/signin?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.account-nav`)),
	)
}

// signOut signs out with the header's button.
func (b *browser) signOut(t *testing.T) {
	t.Helper()
	b.step(t, "sign out",
		chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#email")),
	)
}

// TestBrowserAxeCatchesViolations proves the harness works: a page made inaccessible on purpose
// (an image without a text alternative, a low-contrast paragraph) must give violations.
func TestBrowserAxeCatchesViolations(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newWorld(t, 0)
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
	b.visit(t, "broken", srv.URL+"/?lang=en", 1024, 768)
	evalIn[bool](t, b, `(() => {
		const img = document.createElement("img"); img.src = "/nothing.png"; document.querySelector("main").append(img);
		const p = document.createElement("p"); p.textContent = "faint"; p.style.color = "#ddd"; document.querySelector("main").append(p);
		return true })()`)
	found := map[string]bool{}
	for _, v := range b.runAxe(t, "broken") {
		found[v.ID] = true
	}
	for _, id := range []string{"image-alt", "color-contrast"} {
		if !found[id] {
			t.Errorf("axe-core did not report %s on a page that breaks it; found %v", id, found)
		}
	}
}
