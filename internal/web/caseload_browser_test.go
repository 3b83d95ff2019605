package web

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCaseloadSearchStudent checks with axe-core, in English and Spanish and at 320 px
// without sideways scrolling: the case manager's caseload, an administrator's choice of one, a
// search (with the full columns and as the directory), and the student page with deadlines,
// services delivered, progress, documents and the staff's actions, as the case manager, the
// family and school staff who see the directory only. It also finds a student with the keyboard
// from the overview's search box.
func TestBrowserCaseloadSearchStudent(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newWorld(t, 60)
	w.seedDeadlines()
	w.seedCaseload(t)
	w.seedRecord(t)
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
	district := srv.URL + "/districts/" + w.district
	mia := district + "/students/" + w.mia
	type page struct {
		name          string
		url           string
		width, height int64
	}
	check := func(who string, pages []page) {
		b.signIn(t, srv.URL, w.emails[who], who)
		for _, p := range pages {
			name := p.name + "-" + safeName(who)
			t.Run(name, func(t *testing.T) {
				b.visit(t, name, p.url, p.width, p.height)
				b.checkAxe(t, name)
				if p.width <= 320 {
					m := evalIn[[]int](t, b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`)
					if m[0] > m[1] {
						t.Errorf("%s: %d px wide in a %d px viewport", name, m[0], m[1])
					}
				}
				b.screenshot(t, name)
			})
		}
		b.signOut(t)
	}
	check(asTeamMember, []page{
		{"caseload-en", district + "/caseload?lang=en", 1280, 900},
		{"caseload-es", district + "/caseload?lang=es", 1280, 900},
		{"caseload-320px", district + "/caseload?lang=en", 320, 640},
		{"student-record-en", mia + "?lang=en", 1280, 900},
		{"student-record-es", mia + "?lang=es", 1280, 900},
		{"student-record-320px", mia + "?lang=es", 320, 640},
		{"student-draft-en", district + "/students/" + w.noah + "?lang=en", 1280, 900},
	})
	check(asDistrictAdmin, []page{
		{"caseload-choose-en", district + "/caseload?lang=en", 1280, 900},
		{"caseload-of-es", district + "/caseload?lang=es&case_manager=" + url.QueryEscape(w.cm), 1280, 900},
		{"search-en", district + "/students?lang=en&q=zim", 1280, 900},
		{"search-es", district + "/students?lang=es&q=" + url.QueryEscape("Ortiz, A"), 1280, 900},
		{"search-320px", district + "/students?lang=en&q=zim", 320, 640},
		{"search-none-es", district + "/students?lang=es&q=xyz", 320, 640},
		{"search-empty-en", district + "/students?lang=en&q=-", 1280, 900},
	})
	check(asGuardian, []page{
		{"student-family-en", mia + "?lang=en", 1280, 900},
		{"student-family-320px", mia + "?lang=es", 320, 640},
	})
	check(asUnassigned, []page{
		{"search-directory-en", district + "/students?lang=en&q=o", 1280, 900},
		{"search-directory-320px", district + "/students?lang=es&q=o", 320, 640},
		{"student-directory-320px", mia + "?lang=en", 320, 640},
	})

	// The overview's search box, with the keyboard alone: focus it, type, press Enter.
	b.signIn(t, srv.URL, w.emails[asDistrictAdmin], asDistrictAdmin)
	b.step(t, "search from the overview",
		chromedp.Navigate(district+"?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#overview-q")),
		chromedp.Focus(chromedp.CSS("#overview-q")),
		chromedp.SendKeys(chromedp.CSS("#overview-q"), "ortiz\r"),
		chromedp.WaitVisible(chromedp.CSS("#results-caption")),
	)
	heading := evalIn[string](t, b, `document.querySelector("#results-caption").closest("table").querySelector("tbody th a").textContent`)
	if heading != "Ortiz, Amelia" {
		t.Errorf("the search from the overview found %q", heading)
	}
}
