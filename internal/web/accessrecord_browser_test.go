package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/store"
)

// TestBrowserAccessRecord drives the record of access in headless Chromium as the guardian and
// as the administrator: in English and Spanish, with a trail longer than a page (so the pager
// shows), at 320 CSS pixels, each page checked by axe-core for WCAG 2.1 AA. The filter is a plain
// form: choosing "Every entry" works with no script.
func TestBrowserAccessRecord(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newWorld(t, 0)
	w.readsOfMia(t)
	seedSubstituteReads(t, w, app.AccessRecordPageSize+5)
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
	access := srv.URL + w.accessURL(w.mia)

	check := func(name, url string, width, height int64) {
		t.Run(name, func(t *testing.T) {
			b.visit(t, name, url, width, height)
			b.checkAxe(t, name)
			if width <= 320 {
				// WCAG 1.4.10 reflow: this page's content never needs sideways scrolling; the
				// table scrolls inside its own labelled region. (The shared header is
				// TestBrowserPages' to check.)
				m := evalIn[[]int](t, b, `[document.querySelector("main").scrollWidth, document.documentElement.clientWidth]`)
				if m[0] > m[1] {
					t.Errorf("%s: the content is %d px wide in a %d px viewport: it scrolls sideways", name, m[0], m[1])
				}
			}
			b.screenshot(t, name)
		})
	}

	b.signIn(t, srv.URL, w.emails[asGuardian], "guardian")
	check("access-guardian-en", access+"?lang=en", 1280, 900)
	check("access-guardian-es", access+"?lang=es", 1280, 900)
	check("access-guardian-320px", access+"?lang=es", 320, 640)
	check("access-guardian-older-en", access+"?lang=en&after=3", 1280, 900) // the first entries: few, then none older

	// The filter without script: choose every entry and submit the form.
	b.visit(t, "filter", access+"?lang=en", 1280, 900)
	b.step(t, "show every entry",
		chromedp.SetValue(chromedp.CSS("#show"), "all"),
		chromedp.Click(chromedp.CSS(`form.filter button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`option[value="all"][selected]`)),
	)
	if loc := evalIn[string](t, b, `location.search`); !strings.Contains(loc, "show=all") {
		t.Errorf("after choosing every entry the address is %q", loc)
	}
	if text := evalIn[string](t, b, `document.querySelector("caption").textContent`); !strings.HasPrefix(text, "Everyone who saw") {
		t.Errorf("after choosing every entry the caption is %q", text)
	}
	b.signOut(t)

	b.signIn(t, srv.URL, w.emails[asDistrictAdmin], "admin")
	check("access-admin-en", access+"?lang=en", 1280, 900)
	check("access-admin-all-es", access+"?lang=es&show=all", 1280, 900)
	check("access-admin-320px", access+"?lang=en&show=all", 320, 640)
	// The pager: the next page is reached by its link.
	b.visit(t, "pager", access+"?lang=en", 1280, 900)
	b.step(t, "older entries",
		chromedp.Click(chromedp.CSS(`a[rel=next]`)),
		chromedp.WaitVisible(chromedp.CSS(`.pager`)),
	)
	b.checkAxe(t, "access-admin-page-2")
	if rows := evalIn[int](t, b, `document.querySelectorAll("tbody tr").length`); rows == 0 || rows > app.AccessRecordPageSize {
		t.Errorf("the second page has %d rows", rows)
	}
	b.screenshot(t, "access-admin-page-2")
}

// seedSubstituteReads gives the other school's teacher a grant on Mia and has them read her
// record n times, so that the record of access holds more than a page of disclosures.
func seedSubstituteReads(t *testing.T, w *world, n int) {
	t.Helper()
	ctx := context.Background()
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		g := &access.Grant{DistrictID: w.district, StaffID: w.staffIDs[asOtherSchool], StudentID: w.mia, Scope: access.GrantWrite,
			GrantedBy: w.staffIDs[asDistrictAdmin], Reason: "covering", Until: testNow.Add(10 * 24 * time.Hour)}
		if err := tx.GrantAccess(ctx, g); err != nil {
			return err
		}
		for range n {
			e := store.AuditEntry{DistrictID: w.district, ActorKind: "staff", ActorID: w.staffIDs[asOtherSchool], Action: "read",
				RecordKind: "student", RecordID: w.mia, StudentID: w.mia, FromAddress: "198.51.100.23",
				Reason: string(access.ReasonGrantWrite)}
			if err := tx.AppendAudit(ctx, &e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
