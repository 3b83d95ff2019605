package web

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/openiep/openiep/internal/store"
)

// TestBrowserAdminPages checks every administration page with axe-core, in English and in
// Spanish, including a refused form with its error summary.
func TestBrowserAdminPages(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newWorld(t, 0)
	w.makeAdult(t, w.mia) // so that her page shows the section of a student's own account
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
	b.signIn(t, srv.URL, w.emails[asDistrictAdmin], "admin")
	admin := srv.URL + w.adminURL()
	for _, p := range []struct{ name, url string }{
		{"admin-en", admin + "?lang=en"},
		{"admin-people-en", admin + "/people?lang=en"},
		{"admin-people-es", admin + "/people?lang=es&q=re"},
		{"admin-new-person-en", admin + "/people/new?lang=en"},
		{"admin-person-en", admin + "/people/" + w.cm + "?lang=en"},
		{"admin-person-es", admin + "/people/" + w.cm + "?lang=es"},
		{"admin-student-en", admin + "/students/" + w.mia + "?lang=en"},
		{"admin-student-es", admin + "/students/" + w.mia + "?lang=es"},
		{"admin-student-minor-en", admin + "/students/" + w.noah + "?lang=en"},
		{"admin-settings-en", admin + "/settings?lang=en"},
	} {
		t.Run(p.name, func(t *testing.T) {
			b.visit(t, p.name, p.url, 1280, 900)
			b.checkAxe(t, p.name)
			b.screenshot(t, p.name)
		})
	}
	t.Run("refused-form", func(t *testing.T) {
		b.visit(t, "admin-new-person-refused", admin+"/people/new?lang=en", 1280, 900)
		b.step(t, "submit without a last name",
			chromedp.SendKeys(chromedp.CSS("#f-first_name"), "Only a first name"),
			chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS("#error-summary")),
		)
		if got := evalIn[string](t, b, `document.querySelector("#error-summary a").getAttribute("href")`); got == "" {
			t.Error("the error summary links to no field")
		}
		if got := evalIn[string](t, b, `document.getElementById("f-first_name").value`); got != "Only a first name" {
			t.Errorf("the typed first name became %q", got)
		}
		b.checkAxe(t, "admin-new-person-refused")
		b.screenshot(t, "admin-new-person-refused")
	})
}

// TestBrowserAdminFormSurvivesSessionEnd: an administrator types a new staff member's details,
// the session ends before they submit (here: removed on the server, as an idle timeout does),
// they submit anyway, sign in again on the page that comes, and the staff member is saved with
// everything they typed.
func TestBrowserAdminFormSurvivesSessionEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newWorld(t, 0)
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
	ctx := context.Background()
	b.signIn(t, srv.URL, w.emails[asDistrictAdmin], "admin")
	b.visit(t, "admin-new-person", srv.URL+w.adminURL("people", "new")+"?lang=en", 1280, 900)
	b.step(t, "type the form",
		chromedp.SendKeys(chromedp.CSS("#f-first_name"), "Mariana"),
		chromedp.SendKeys(chromedp.CSS("#f-last_name"), "Quintero-Smith"),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "mquintero@riverton.example"),
		chromedp.Click(chromedp.CSS("#role-school_psychologist")),
		chromedp.Click(chromedp.CSS("#f-invite")), // untick: no invitation in this test
	)
	// The session ends while the form is open.
	acc, err := w.db.GetAccountByEmail(ctx, w.emails[asDistrictAdmin])
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.DeleteAccountSessions(ctx, acc.DistrictID, acc.ID, store.AuditActor{Kind: "system", ID: "test"})
	}); err != nil {
		t.Fatal(err)
	}
	b.step(t, "submit, and sign in again",
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#password")),
	)
	b.checkAxe(t, "signin-carrying-a-form")
	b.step(t, "sign in",
		chromedp.SendKeys(chromedp.CSS("#email"), w.emails[asDistrictAdmin]),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#caseload-h`)), // the new staff member's page
	)
	if got := evalIn[string](t, b, `document.querySelector("h1").textContent`); got != "Mariana Quintero-Smith" {
		t.Errorf("after signing in the page is %q", got)
	}
	st, err := w.db.ListStaffAccounts(ctx, w.district, store.StaffFilter{Query: "quintero"})
	if err != nil || len(st) != 1 {
		t.Fatalf("the typed staff member was not saved: %v, %d", err, len(st))
	}
	if s := st[0]; s.FirstName != "Mariana" || s.Email != "mquintero@riverton.example" || len(s.Roles) != 1 || s.Roles[0] != "school_psychologist" {
		t.Errorf("saved %+v", s.Staff)
	}
	b.screenshot(t, "admin-saved-after-sign-in")
}
