package web

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openiep/openiep/internal/store"
)

// TestBrowserIdleTimeoutWarning drives the idle-timeout warning (WCAG 2.2.1) in Chromium: a
// session with 35 seconds left warns 30 seconds before its end with the focus on "Stay signed
// in"; choosing it extends the session on the server and closes the warning; when the session
// ends anyway (here: removed on the server), the dialog says so and the page stays where it is.
func TestBrowserIdleTimeoutWarning(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	start := time.Now()
	w := newWorldAt(t, 0, func() time.Time { return testNow.Add(time.Since(start)) })
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
	ctx := context.Background()

	acc, err := w.db.GetAccountByEmail(ctx, w.emails[asTeamMember])
	if err != nil {
		t.Fatal(err)
	}
	b.signIn(t, srv.URL, w.emails[asTeamMember], "team member")
	// 35 seconds left: the warning (30 seconds before the end) comes after about 5.
	if _, err := w.db.Writer().ExecContext(ctx, `UPDATE sessions SET idle_timeout_seconds = 35 WHERE account_id = ?`, acc.ID); err != nil {
		t.Fatal(err)
	}
	b.visit(t, "idle", srv.URL+"/districts/"+w.district+"?lang=en", 1280, 900)

	b.step(t, "the warning opens", chromedp.WaitVisible(chromedp.CSS("#session-warning")))
	if got := evalIn[string](t, b, `document.activeElement.id`); got != "session-extend" {
		t.Errorf("focus is on %q, want the Stay signed in button", got)
	}
	if got := evalIn[string](t, b, `document.getElementById("session-warning").getAttribute("role")`); got != "alertdialog" {
		t.Errorf("the warning's role is %q, want alertdialog", got)
	}
	b.checkAxe(t, "idle-warning")
	b.screenshot(t, "idle-warning")

	b.step(t, "stay signed in",
		chromedp.Click(chromedp.CSS("#session-extend")),
		chromedp.WaitNotVisible(chromedp.CSS("#session-warning")),
	)
	if got := evalIn[string](t, b, `document.getElementById("session-warning-title").textContent`); got == "You have been signed out" {
		t.Errorf("after Stay signed in the dialog says %q", got)
	}

	// The session ends on the server (signed out elsewhere): at the next warning the page learns
	// it and says so, keeping the page as it is.
	if err := w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.DeleteAccountSessions(ctx, acc.DistrictID, acc.ID, store.AuditActor{Kind: "system", ID: "test"})
	}); err != nil {
		t.Fatal(err)
	}
	b.step(t, "the end is announced", chromedp.WaitVisible(chromedp.CSS("#session-close")))
	if got := evalIn[string](t, b, `document.getElementById("session-warning-title").textContent`); got != "You have been signed out" {
		t.Errorf("the dialog's title is %q after the session ended", got)
	}
	if got := evalIn[string](t, b, `location.pathname`); got != "/districts/"+w.district {
		t.Errorf("the page moved to %q when the session ended; it must stay", got)
	}
	b.checkAxe(t, "idle-ended")
	b.screenshot(t, "idle-ended")
}
