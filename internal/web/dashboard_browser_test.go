package web

import (
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// TestBrowserDashboardAndCalendar checks the district dashboard (as the administrator and the
// state viewer) and the calendar administration (with a refused form) with axe-core, in English
// and Spanish and at 320 px without sideways scrolling.
func TestBrowserDashboardAndCalendar(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newWorld(t, 0)
	w.seedDeadlines()
	w.seedSchoolYear(iep.CalendarDay{Date: date.MustParse("2026-01-26"), Kind: iep.DayEmergency, Note: "Snow day"},
		iep.CalendarDay{Date: date.MustParse("2026-02-13"), Kind: iep.DayPartial, Note: "Early release before the February vacation"},
		iep.CalendarDay{Date: date.MustParse("2027-03-06"), Kind: iep.DaySchool, Note: "Make-up day"})
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
	dash := srv.URL + "/districts/" + w.district + "/dashboard"
	cal := srv.URL + w.adminURL("calendar")
	type page struct {
		name          string
		url           string
		width, height int64
	}
	check := func(pages []page) {
		for _, p := range pages {
			t.Run(p.name, func(t *testing.T) {
				b.visit(t, p.name, p.url, p.width, p.height)
				b.checkAxe(t, p.name)
				if p.width <= 320 {
					m := evalIn[[]int](t, b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`)
					if m[0] > m[1] {
						t.Log(evalIn[string](t, b, `Array.from(document.querySelectorAll("*")).filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth).slice(0,8).map(e => e.tagName+"."+e.className+" "+Math.round(e.getBoundingClientRect().right)).join("; ")`))
						t.Errorf("%s: %d px wide in a %d px viewport", p.name, m[0], m[1])
					}
				}
				b.screenshot(t, p.name)
			})
		}
	}
	b.signIn(t, srv.URL, w.emails[asDistrictAdmin], "admin")
	check([]page{
		{"dashboard-en", dash + "?lang=en", 1280, 900},
		{"dashboard-es", dash + "?lang=es", 1280, 900},
		{"dashboard-school-es", dash + "?lang=es&school=" + w.maple, 1280, 900},
		{"dashboard-320px", dash + "?lang=en", 320, 640},
		{"calendar-en", cal + "?lang=en", 1280, 900},
		{"calendar-es", cal + "?lang=es", 1280, 900},
		{"calendar-320px", cal + "?lang=es", 320, 640},
	})
	t.Run("calendar-refused", func(t *testing.T) {
		b.visit(t, "calendar-refused", cal+"?lang=en", 320, 640)
		b.step(t, "submit a day without its name",
			chromedp.SetValue(chromedp.CSS("#f-date"), "2026-03-02"),
			chromedp.Click(chromedp.CSS(`main form[action$="/days"] button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS("#error-summary")),
		)
		if got := evalIn[string](t, b, `document.querySelector("#error-summary a").getAttribute("href")`); got != "#f-note" {
			t.Errorf("the error summary links to %q, want #f-note", got)
		}
		if got := evalIn[string](t, b, `document.getElementById("f-date").value`); got != "2026-03-02" {
			t.Errorf("the typed date became %q", got)
		}
		b.checkAxe(t, "calendar-refused")
		b.screenshot(t, "calendar-refused")
	})
	b.signOut(t)
	b.signIn(t, srv.URL, w.emails[asStateViewer], "state viewer")
	check([]page{{"dashboard-state-viewer-en", dash + "?lang=en", 1280, 900}})
	b.signOut(t)
}
