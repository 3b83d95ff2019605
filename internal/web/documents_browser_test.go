package web

import (
	"net/http/httptest"
	"testing"
)

// TestBrowserDocuments opens the documents' HTML views (the print view of the same template as
// the PDF) in headless Chromium, checked by axe-core for WCAG 2.1 AA: the proposed IEP for staff
// in English and Spanish, a draft with its DRAFT mark, and the family's view at 375 CSS pixels.
func TestBrowserDocuments(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	x := newRespondWorld(t)
	x.propose(t)
	srv := httptest.NewServer(x.handler)
	defer srv.Close()
	b := newBrowser(t)
	check := func(name, url string, width, height int64) {
		t.Run(name, func(t *testing.T) {
			b.visit(t, name, url, width, height)
			b.checkAxe(t, name)
			b.screenshot(t, name)
		})
	}
	b.signIn(t, srv.URL, x.emails[asTeamMember], "team member")
	check("iep-staff-en", srv.URL+x.docURL(false, "iep", x.draft, "?lang=en"), 1280, 900)
	check("iep-staff-es", srv.URL+x.docURL(false, "iep", x.draft, "?lang=es"), 1280, 900)
	check("draft-staff-en", srv.URL+documentURL(false, x.district, x.noah, "iep", x.plan)+"?lang=en", 1280, 900)
	// A document has no site header: sign out from a page that has one.
	b.visit(t, "account", srv.URL+"/account", 1280, 900)
	b.signOut(t)
	b.signIn(t, srv.URL, x.emails[asGuardian], "guardian")
	check("iep-family-375px", srv.URL+x.docURL(true, "iep", x.draft, "?lang=es"), 375, 800)
}
