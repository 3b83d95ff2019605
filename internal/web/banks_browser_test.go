package web

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserBanks checks the banks with axe-core in English and Spanish and at 320 px: the
// administration (the empty bank with the starter bank offered, the lists, a refused form, the
// edit form) as the administrator, and the search as a case manager, whose results change as
// she types (htmx under the strict Content-Security-Policy).
func TestBrowserBanks(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newWorld(t, 0)
	item := w.seedBank("goals")
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
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
						t.Errorf("%s: %d px wide in a %d px viewport", p.name, m[0], m[1])
					}
				}
				b.screenshot(t, p.name)
			})
		}
	}

	b.signIn(t, srv.URL, w.emails[asDistrictAdmin], "admin")
	admin := srv.URL + w.adminURL("banks")
	check([]page{
		{"banks-admin-goals-en", admin + "/goals?lang=en", 1280, 900},
		{"banks-admin-goals-es", admin + "/goals?lang=es&area=reading", 1280, 900},
		{"banks-admin-goals-320px", admin + "/goals?lang=en", 320, 640},
		{"banks-admin-empty-en", admin + "/accommodations?lang=en", 1280, 900},
		{"banks-admin-empty-es-320px", admin + "/accommodations?lang=es", 320, 640},
		{"banks-admin-item-en", admin + "/goals/" + item + "?lang=en", 1280, 900},
		{"banks-admin-item-es-320px", admin + "/goals/" + item + "?lang=es", 320, 640},
		{"banks-admin-new-accommodation-es", admin + "/accommodations/new?lang=es", 1280, 900},
	})
	t.Run("refused-form", func(t *testing.T) {
		b.visit(t, "banks-admin-new-refused", admin+"/goals/new?lang=en", 320, 640)
		b.step(t, "submit a goal without its area",
			chromedp.SendKeys(chromedp.CSS("#f-text"), "By [date], [student] will read."),
			chromedp.Click(chromedp.CSS(`form.bank-form button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS("#error-summary")),
		)
		if got := evalIn[string](t, b, `document.getElementById("f-text").value`); got != "By [date], [student] will read." {
			t.Errorf("the typed goal became %q", got)
		}
		b.checkAxe(t, "banks-admin-new-refused")
		b.screenshot(t, "banks-admin-new-refused")
	})
	b.signOut(t)

	b.signIn(t, srv.URL, w.emails[asTeamMember], "case manager")
	search := srv.URL + "/districts/" + w.district + "/banks/goals"
	check([]page{
		{"banks-search-en", search + "?lang=en", 1280, 900},
		{"banks-search-es", search + "?lang=es&grade=3_5", 1280, 900},
		{"banks-search-320px", search + "?lang=en", 320, 640},
		{"banks-search-accommodations-es-320px", srv.URL + "/districts/" + w.district + "/banks/accommodations?lang=es", 320, 640},
	})
	t.Run("live-search", func(t *testing.T) {
		b.visit(t, "banks-search-live", search+"?lang=en", 1280, 900)
		// As in the plan editor, which includes the search with Pick: the results carry buttons.
		evalIn[bool](t, b, `(() => { const i = document.createElement("input"); i.type = "hidden"; i.name = "pick"; i.value = "1";
			document.querySelector(".bank-search").append(i); return true })()`)
		b.step(t, "type words", chromedp.SendKeys(chromedp.CSS("#bank-q-goals"), "scissors"))
		deadline := time.Now().Add(5 * time.Second)
		var status string
		for time.Now().Before(deadline) {
			status = evalIn[string](t, b, `document.getElementById("bank-count-goals").textContent`)
			if strings.Contains(status, "1 goal matches") {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if !strings.Contains(status, "1 goal matches") {
			t.Fatalf("the results did not follow the typing: %q", status)
		}
		if n := evalIn[int](t, b, `document.querySelectorAll("#bank-results-goals .bank-result").length`); n != 1 {
			t.Errorf("%d results shown, want 1", n)
		}
		if n := evalIn[int](t, b, `document.querySelectorAll("#bank-results-goals form, #bank-results-goals h1, .pager").length`); n != 0 {
			t.Error("the results brought a form, a heading of a whole page, or a stale pager")
		}
		if n := evalIn[int](t, b, `document.querySelectorAll("#bank-results-goals button[name=bank_item]").length`); n != 1 {
			t.Errorf("%d pick buttons, want 1", n)
		}
		b.checkAxe(t, "banks-search-live")
		b.screenshot(t, "banks-search-live")
	})
}
