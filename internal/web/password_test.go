package web

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/mail"
	"github.com/openiep/openiep/internal/mail/smtptest"
	"github.com/openiep/openiep/internal/store"
)

// The password pages in the authorization matrix. Asking for a reset link is open to everyone
// and answers everyone alike (the matrix's e-mails name no account: "check your e-mail"). The
// link pages without a token find nothing. Changing the password needs a session; the matrix's
// stray form (a "password" without its confirmation or the current password) is refused as
// invalid.
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		return map[string]map[string]outcome{
			"GET /signin/forgot":     every(ok, ok),
			"POST /signin/forgot":    every(ok, ok),
			"GET /welcome":           every(hidden, hidden),
			"POST /welcome":          every(hidden, hidden),
			"GET /reset":             every(hidden, hidden),
			"POST /reset":            every(hidden, hidden),
			"GET /account/password":  every(toSignIn, ok),
			"POST /account/password": every(signInAgain, bad),
		}, nil
	})
}

const gone outcome = 410

// pwPublicURL is the public address of the password tests' deployment.
const pwPublicURL = "https://iep.example.org"

// pwWorld is the test world with a service of its own (to send invitations as the
// administrator would), a log to search for secrets, and a mailbox: an SMTP server the outbox
// is delivered to by the real mail.Worker.
type pwWorld struct {
	*world
	svc   *app.Service
	log   *syncBuf
	smtp  *smtptest.Server
	clock *pwClock
}

// pwClock is a clock the tests move by hand.
type pwClock struct{ ns atomic.Int64 }

func (c *pwClock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *pwClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// syncBuf is a buffer the handler's logger writes while the test reads.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newPWWorld(t *testing.T) *pwWorld {
	t.Helper()
	c := &pwClock{}
	c.ns.Store(testNow.UnixNano())
	w := &pwWorld{world: newWorldWith(t, 0, c.now), clock: c, log: &syncBuf{}, smtp: smtptest.New(t, smtptest.Options{})}
	w.svc = app.New(w.db, c.now, app.WithPasswordParams(testParams), app.WithPublicURL(pwPublicURL))
	h, err := New(w.svc, Options{Now: c.now,
		Logger: slog.New(slog.NewTextHandler(w.log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	w.handler = h
	return w
}

// deliver runs the mail worker once over SMTP and returns every message the mailbox holds.
func (w *pwWorld) deliver(t *testing.T) []smtptest.Received {
	t.Helper()
	sender, err := mail.NewSMTP(mail.Config{Addr: w.smtp.Addr(), TLS: mail.TLSNone, From: "openiep <no-reply@riverton.example>"})
	if err != nil {
		t.Fatal(err)
	}
	worker := &mail.Worker{DB: w.db, Sender: sender}
	if _, failed, err := worker.RunOnce(context.Background()); err != nil || failed > 0 {
		t.Fatalf("mail worker: %d failed, %v", failed, err)
	}
	return w.smtp.Messages()
}

var pwLinkRE = regexp.MustCompile(`https://iep\.example\.org(/(?:welcome|reset)\?\S+)`)

// linkIn returns the path and query of the link in a delivered message, and its text.
func linkIn(t *testing.T, m smtptest.Received) (target, text string) {
	t.Helper()
	text, err := m.Text()
	if err != nil {
		t.Fatal(err)
	}
	got := pwLinkRE.FindStringSubmatch(text)
	if got == nil {
		t.Fatalf("no link in the message:\n%s", text)
	}
	return got[1], text
}

// tokenOf returns the token of a link's target.
func tokenOf(t *testing.T, target string) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil || u.Query().Get("token") == "" {
		t.Fatalf("no token in %q", target)
	}
	return u.Query().Get("token")
}

// pwPost posts a form (same-origin, as a browser would) with the given cookie header and
// address, and returns the response and its body.
func (w *pwWorld) pwPost(t *testing.T, target string, form url.Values, cookie, addr string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	if addr != "" {
		req.RemoteAddr = addr + ":4321"
	}
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Result().Body)
	return rec.Result(), string(body)
}

// sessionCookieOf returns the Cookie header of the session a response set.
func sessionCookieOf(t *testing.T, res *http.Response) string {
	t.Helper()
	for _, c := range res.Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie %+v is not HttpOnly and SameSite=Lax", c)
			}
			return sessionCookie + "=" + c.Value
		}
	}
	t.Fatalf("no session cookie set (status %d)", res.StatusCode)
	return ""
}

// signedInAs reports whether a session cookie reaches the home page.
func (w *pwWorld) signedInAs(t *testing.T, cookie string) bool {
	t.Helper()
	res, _ := get(t, w.handler, "/", "Cookie", cookie)
	return res.StatusCode == http.StatusOK
}

// newInvitee adds a guardian of Mia with an account that has no password yet, and returns the
// account.
func (w *pwWorld) newInvitee(t *testing.T, email, lang string) store.Account {
	t.Helper()
	ctx := context.Background()
	var acc store.Account
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		g := &iep.Guardian{DistrictID: w.district, FirstName: "Lena", LastName: "Newcomer", PreferredLanguage: lang}
		if err := tx.CreateGuardian(ctx, g); err != nil {
			return err
		}
		if err := tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: w.district, StudentID: w.mia, GuardianID: g.ID,
			Relationship: iep.RelGuardian, HoldsEducationalRights: true, ContactOrder: 3}); err != nil {
			return err
		}
		acc = store.Account{DistrictID: w.district, Kind: store.AccountGuardian, SubjectID: g.ID, Email: email}
		return tx.CreateAccount(ctx, &acc, store.AuditActor{Kind: "system", ID: "test"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

// admin is the district administrator as the service sees them.
func (w *pwWorld) admin() app.Actor {
	return app.Actor{Kind: app.ActorStaff, ID: w.staffIDs[asDistrictAdmin], DistrictID: w.district, AccountID: "admin-account",
		Roles: []iep.StaffRole{iep.RoleAdministrator}, Address: "192.0.2.1"}
}

// noSecretsLogged fails when the handler's log holds a secret.
func (w *pwWorld) noSecretsLogged(t *testing.T, secrets ...string) {
	t.Helper()
	log := w.log.String()
	for _, s := range secrets {
		if s != "" && strings.Contains(log, s) {
			t.Errorf("the log holds %q:\n%s", s, log)
		}
	}
}

func TestSignInPageLinksToForgot(t *testing.T) {
	w := newPWWorld(t)
	_, body := get(t, w.handler, "/signin?lang=en")
	mustContain(t, "sign-in page", body, `href="/signin/forgot"`, "Forgot your password?")
	_, body = w.getAs(t, asGuardian, "/account?lang=es")
	mustContain(t, "account page", body, `href="/account/password"`, "Cambiar su contraseña")
}

func TestForgotPassword(t *testing.T) {
	w := newPWWorld(t)
	res, body := get(t, w.handler, "/signin/forgot?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /signin/forgot = %d", res.StatusCode)
	}
	mustContain(t, "forgot page", body, `<label for="f-email">`, `action="/signin/forgot"`, "link to choose a new password", `href="/signin"`)

	// Bad input names the field, in the reader's language.
	res, body = w.pwPost(t, "/signin/forgot?lang=en", url.Values{"email": {""}}, "", "")
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("empty e-mail = %d, want 400", res.StatusCode)
	}
	mustContain(t, "empty e-mail", body, "Type your e-mail address.", `href="#f-email"`, `id="f-email-error"`,
		`aria-describedby="f-email-error" aria-invalid="true"`)
	res, body = w.pwPost(t, "/signin/forgot?lang=es", url.Values{"email": {"rosa at home"}}, "", "")
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad e-mail = %d, want 400", res.StatusCode)
	}
	mustContain(t, "bad e-mail in Spanish", body, "nombre@ejemplo.org", `value="rosa at home"`)

	// Known or not, the same answer; the known one gets a link in its language (Rosa: Spanish).
	rosa := w.emails[asGuardian]
	resA, known := w.pwPost(t, "/signin/forgot?lang=en", url.Values{"email": {rosa}}, "", "")
	resB, unknown := w.pwPost(t, "/signin/forgot?lang=en", url.Values{"email": {"nobody@nowhere.example"}}, "", "")
	if resA.StatusCode != http.StatusOK || resB.StatusCode != http.StatusOK {
		t.Fatalf("reset requests = %d and %d, want 200 both", resA.StatusCode, resB.StatusCode)
	}
	if strings.ReplaceAll(known, rosa, "X") != strings.ReplaceAll(unknown, "nobody@nowhere.example", "X") {
		t.Error("the answers for a known and an unknown e-mail differ")
	}
	mustContain(t, "answer", known, "Check your e-mail", "If "+rosa+" has an account")
	msgs := w.deliver(t)
	if len(msgs) != 1 || msgs[0].To[0] != rosa {
		t.Fatalf("delivered %d messages, want one to Rosa", len(msgs))
	}
	target, text := linkIn(t, msgs[0])
	if !strings.HasPrefix(target, "/reset?lang=es&token=") || !strings.Contains(text, "Si usted no lo pidió") ||
		msgs[0].Subject() != "Elija una nueva contraseña de openiep" {
		t.Errorf("reset mail: %q, %q\n%s", msgs[0].Subject(), target, text)
	}
	w.noSecretsLogged(t, tokenOf(t, target), rosa, "nobody@nowhere.example")

	// Too many requests from one address: refused with the wait, whatever the e-mail.
	ctx := context.Background()
	if err := w.db.Write(ctx, func(tx *store.Tx) error {
		for i := range app.MaxResetRequestsPerAddress {
			if err := tx.RecordResetRequest(ctx, fmt.Sprintf("p%d@x.example", i), "192.0.2.200"); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	res, body = w.pwPost(t, "/signin/forgot?lang=en", url.Values{"email": {rosa}}, "", "192.0.2.200")
	if res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("request past the address's allowance = %d, want 429", res.StatusCode)
	}
	mustContain(t, "throttled", body, "too many requests from this network", "wait 60 minutes")
	if n := len(w.deliver(t)); n != 1 {
		t.Errorf("%d messages after a refused request, want still 1", n)
	}
}

func TestWelcomeInvitation(t *testing.T) {
	w := newPWWorld(t)
	acc := w.newInvitee(t, "lena@example.org", "en")
	if err := w.svc.SendInvitation(context.Background(), w.admin(), w.district, acc.ID); err != nil {
		t.Fatal(err)
	}
	msgs := w.deliver(t)
	target, text := linkIn(t, msgs[0])
	mustContain(t, "invitation", text, "Hello Lena Newcomer,", "Riverton Public Schools has made you an account", "lena@example.org")
	token := tokenOf(t, target)

	res, body := get(t, w.handler, target)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET the invitation = %d", res.StatusCode)
	}
	if got := res.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q, want no-referrer on a page with a token in its address", got)
	}
	if got := res.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", got)
	}
	mustContain(t, "welcome page", body, "Welcome to openiep", "Riverton Public Schools has made an account for you",
		"Lena Newcomer", "lena@example.org", `name="token" value="`+token+`"`, `autocomplete="new-password"`,
		`aria-describedby="f-password-hint"`)

	// Refusals keep the link and name the fields; no password is ever written back.
	for _, c := range []struct {
		name, pw, confirm string
		wants             []string
	}{
		{"mismatch", "a long enough password", "a long enough passw0rd", []string{"The two new passwords are not the same",
			`href="#f-password_confirm"`, `aria-describedby="f-password_confirm-error" aria-invalid="true"`}},
		{"short and mismatched", "short", "shorter", []string{"between 12 and 256 characters", "The two new passwords are not the same"}},
		{"common", "password1234", "password1234", []string{"one of the most common"}},
		{"the e-mail", "lena@example.org", "lena@example.org", []string{"cannot be your e-mail address"}},
	} {
		res, body := w.pwPost(t, "/welcome?lang=en", url.Values{"token": {token}, "password": {c.pw}, "password_confirm": {c.confirm}}, "", "")
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", c.name, res.StatusCode)
		}
		mustContain(t, c.name, body, append(c.wants, `name="token" value="`+token+`"`, "There is a problem")...)
		if strings.Contains(body, c.pw) && c.pw != "lena@example.org" {
			t.Errorf("%s: the page shows the password typed", c.name)
		}
	}
	form := url.Values{"token": {token}, "password": {"lena chooses a passphrase"}, "password_confirm": {"lena chooses a passphrase"}}
	res, _ = w.pwPost(t, "/welcome?lang=en", form, "", "")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("accepting = %d to %q, want 303 to /", res.StatusCode, res.Header.Get("Location"))
	}
	if !w.signedInAs(t, sessionCookieOf(t, res)) {
		t.Error("the new session does not reach the home page")
	}

	// The link is spent: the page says so, for a GET and a POST alike.
	res, body = get(t, w.handler, target)
	if res.StatusCode != int(gone) {
		t.Errorf("GET a used invitation = %d, want 410", res.StatusCode)
	}
	mustContain(t, "used invitation", body, "This link has already been used", "ask Riverton Public Schools to send you a new invitation")
	if strings.Contains(body, `name="token"`) || strings.Contains(body, "lena@example.org") {
		t.Error("a used link's page still offers the form or shows the account")
	}
	res, _ = w.pwPost(t, "/welcome?lang=en", form, "", "")
	if res.StatusCode != int(gone) {
		t.Errorf("POST a used invitation = %d, want 410", res.StatusCode)
	}
	res, _ = w.pwPost(t, "/signin", url.Values{"email": {"lena@example.org"}, "password": {"lena chooses a passphrase"}}, "", "")
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign in with the chosen password = %d, want 303", res.StatusCode)
	}
	for _, bad := range []string{"/welcome?lang=en", "/welcome?lang=en&token=", "/welcome?lang=en&token=" + token[:20]} {
		res, body := get(t, w.handler, bad)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", bad, res.StatusCode)
		}
		mustContain(t, bad, body, "This link does not work", `href="/signin/forgot"`)
	}
	w.noSecretsLogged(t, token, "lena@example.org", "lena chooses a passphrase")
}

func TestResetPassword(t *testing.T) {
	w := newPWWorld(t)
	dana := w.emails[asTeamMember]
	oldCookie := w.cookie(asTeamMember)
	res, _ := w.pwPost(t, "/signin/forgot", url.Values{"email": {dana}}, "", "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("ask for a link = %d", res.StatusCode)
	}
	target, text := linkIn(t, w.deliver(t)[0])
	mustContain(t, "reset mail", text, "Hello Dana Reyes,", "only for one hour")
	token := tokenOf(t, target)
	res, body := get(t, w.handler, target)
	if res.StatusCode != http.StatusOK || res.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("GET the reset link = %d, Referrer-Policy %q", res.StatusCode, res.Header.Get("Referrer-Policy"))
	}
	mustContain(t, "reset page", body, "Choose a new password", "Saving signs your account out on every other device", `action="/reset"`)

	// The guardian's session in the same browser ends when Dana's begins.
	res, _ = w.pwPost(t, "/reset", url.Values{"token": {token}, "password": {"dana's new passphrase"}, "password_confirm": {"dana's new passphrase"}},
		w.cookie(asGuardian), "")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reset = %d, want 303", res.StatusCode)
	}
	newCookie := sessionCookieOf(t, res)
	if !w.signedInAs(t, newCookie) {
		t.Error("the new session does not reach the home page")
	}
	if w.signedInAs(t, oldCookie) {
		t.Error("Dana's earlier session lives on after the reset")
	}
	if w.signedInAs(t, w.cookie(asGuardian)) {
		t.Error("the guardian's session in the same browser lives on")
	}
	res, _ = w.pwPost(t, "/signin", url.Values{"email": {dana}, "password": {testPassword}}, "", "")
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("sign in with the old password = %d, want 401", res.StatusCode)
	}
	res, _ = w.pwPost(t, "/signin", url.Values{"email": {dana}, "password": {"dana's new passphrase"}}, "", "")
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign in with the new password = %d, want 303", res.StatusCode)
	}

	// A link an hour old has expired: the page says so and offers a new one.
	w.pwPost(t, "/signin/forgot", url.Values{"email": {dana}}, "", "")
	msgs := w.deliver(t)
	target, _ = linkIn(t, msgs[len(msgs)-1])
	w.clock.advance(app.ResetValid)
	res, body = get(t, w.handler, target)
	if res.StatusCode != int(gone) {
		t.Errorf("GET an expired link = %d, want 410", res.StatusCode)
	}
	mustContain(t, "expired link", body, "This link has expired", "work for one hour", `href="/signin/forgot"`)
	res, _ = w.pwPost(t, "/reset", url.Values{"token": {tokenOf(t, target)}, "password": {"too late a passphrase"},
		"password_confirm": {"too late a passphrase"}}, "", "")
	if res.StatusCode != int(gone) {
		t.Errorf("POST an expired link = %d, want 410", res.StatusCode)
	}
	w.noSecretsLogged(t, token, dana, "dana's new passphrase")
}

func TestChangePasswordPage(t *testing.T) {
	w := newPWWorld(t)
	res, body := w.getAs(t, asGuardian, "/account/password?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /account/password = %d", res.StatusCode)
	}
	mustContain(t, "change page", body, "Change your password", `<label for="f-current_password">`, `<label for="f-password">`,
		`<label for="f-password_confirm">`, "signs your account out on every other device")
	_, es := w.getAs(t, asGuardian, "/account/password?lang=es")
	mustContain(t, "change page in Spanish", es, "Cambiar su contraseña", "Contraseña actual")

	cookie := w.cookie(asGuardian)
	other := sessionCookie + "=" + w.freshSession(t, asGuardian)
	post := func(current, pw, confirm string) (*http.Response, string) {
		return w.pwPost(t, "/account/password?lang=en", url.Values{"current_password": {current}, "password": {pw}, "password_confirm": {confirm}}, cookie, "")
	}
	for _, c := range []struct {
		name                 string
		current, pw, confirm string
		wants                []string
	}{
		{"nothing", "", "", "", []string{"Type your current password.", "between 12 and 256 characters", `href="#f-current_password"`}},
		{"wrong current", "not my password", "a fine new passphrase", "a fine new passphrase", []string{"Your current password is not right.",
			`aria-describedby="f-current_password-error" aria-invalid="true"`}},
		{"mismatch without current", "", "a fine new passphrase", "a fine new passphrase!", []string{"Type your current password.", "not the same"}},
		{"same", testPassword, testPassword, testPassword, []string{"the same as your current one"}},
	} {
		res, body := post(c.current, c.pw, c.confirm)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", c.name, res.StatusCode)
		}
		mustContain(t, c.name, body, c.wants...)
	}
	res, _ = post(testPassword, "a fine new passphrase", "a fine new passphrase")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/password?done=1" {
		t.Fatalf("change = %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = get(t, w.handler, "/account/password?done=1&lang=en", "Cookie", cookie)
	mustContain(t, "after the change", body, "Your password has been changed")
	if w.signedInAs(t, other) {
		t.Error("the account's other session lives on after the change")
	}
	res, _ = w.pwPost(t, "/signin", url.Values{"email": {w.emails[asGuardian]}, "password": {"a fine new passphrase"}}, "", "")
	if res.StatusCode != http.StatusSeeOther {
		t.Errorf("sign in with the new password = %d", res.StatusCode)
	}
	w.noSecretsLogged(t, "a fine new passphrase", testPassword, w.emails[asGuardian])
}

// TestMustChangePassword: an account with a handed-out password is sent to change it after
// signing in, without being asked for it again, and then goes where it was going.
func TestMustChangePassword(t *testing.T) {
	w := newPWWorld(t)
	ctx := context.Background()
	acc, err := w.db.GetAccountByEmail(ctx, w.emails[asOtherSchool])
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.SetPassword(ctx, acc.DistrictID, acc.ID, auth.HashPassword("handed out 1234", testParams), true, store.AuditActor{Kind: "system"})
	}); err != nil {
		t.Fatal(err)
	}
	res, _ := w.pwPost(t, "/signin", url.Values{"email": {acc.Email}, "password": {"handed out 1234"}, "next": {"/account"}}, "", "")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/password?next=%2Faccount" {
		t.Fatalf("sign in = %d to %q, want the password page", res.StatusCode, res.Header.Get("Location"))
	}
	cookie := sessionCookieOf(t, res)
	res, _ = get(t, w.handler, "/account", "Cookie", cookie)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/account/password") {
		t.Errorf("a pending session opens /account: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, body := get(t, w.handler, "/account/password?next=%2Faccount&lang=en", "Cookie", cookie)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET the password page = %d", res.StatusCode)
	}
	mustContain(t, "must change", body, "The password you were given works only once", `name="next" value="/account"`)
	if strings.Contains(body, "f-current_password") {
		t.Error("the page asks for the handed-out password again")
	}
	res, _ = w.pwPost(t, "/account/password", url.Values{"password": {"my own password now"}, "password_confirm": {"my own password now"},
		"next": {"/account"}}, cookie, "")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account" {
		t.Fatalf("change = %d to %q, want 303 to /account", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ := get(t, w.handler, "/account", "Cookie", cookie); res.StatusCode != http.StatusOK {
		t.Errorf("after the change /account = %d, want 200", res.StatusCode)
	}
}

// TestPasswordPageWaitsForSecondFactor: a session that has not given its TOTP code cannot
// change the password (it knows only the password so far).
func TestPasswordPageWaitsForSecondFactor(t *testing.T) {
	w := newPWWorld(t)
	ctx := context.Background()
	acc, err := w.db.GetAccountByEmail(ctx, w.emails[asUnassigned])
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.SetTOTP(ctx, acc.DistrictID, acc.ID, "sealed secret", store.AuditActor{Kind: "system"})
	}); err != nil {
		t.Fatal(err)
	}
	cookie := sessionCookie + "=" + w.freshSession(t, asUnassigned)
	res, _ := get(t, w.handler, "/account/password", "Cookie", cookie)
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin/code") {
		t.Errorf("GET = %d to %q, want the code page", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ = w.pwPost(t, "/account/password", url.Values{"current_password": {testPassword}, "password": {"stolen and changed"},
		"password_confirm": {"stolen and changed"}}, cookie, "")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/signin/code") {
		t.Errorf("POST = %d to %q, want the code page", res.StatusCode, res.Header.Get("Location"))
	}
	if after, _ := w.db.GetAccount(ctx, acc.DistrictID, acc.ID); after.PasswordHash != acc.PasswordHash {
		t.Error("the password changed before the second factor")
	}
}

// TestInvitationEndToEnd: an administrator sends an invitation; the mail worker, running as in
// serve, delivers it over SMTP (STARTTLS and AUTH) to a test server; the link in the message,
// opened over HTTP, sets a password; and the person signs in with it.
func TestInvitationEndToEnd(t *testing.T) {
	w := newPWWorld(t)
	srv := httptest.NewUnstartedServer(nil)
	srv.Start()
	defer srv.Close()
	svc := app.New(w.db, w.clock.now, app.WithPasswordParams(testParams), app.WithPublicURL(srv.URL))
	h, err := New(svc, Options{Now: w.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h

	mbox := smtptest.New(t, smtptest.Options{STARTTLS: true, RequireTLS: true, Username: "openiep", Password: "relay secret"})
	sender, err := mail.NewSMTP(mail.Config{Addr: mbox.Addr(), Username: "openiep", Password: "relay secret",
		From: "Riverton IEPs <no-reply@riverton.example>", TLSConfig: &tls.Config{RootCAs: mbox.CertPool()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- (&mail.Worker{DB: w.db, Sender: sender, Interval: 20 * time.Millisecond}).Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	}()

	acc := w.newInvitee(t, "lena@example.org", "es")
	if err := svc.SendInvitation(context.Background(), w.admin(), w.district, acc.ID); err != nil {
		t.Fatal(err)
	}
	got := mbox.Wait(t, 1, 10*time.Second)
	if !got[0].TLS || got[0].AuthUser != "openiep" || got[0].To[0] != "lena@example.org" {
		t.Errorf("delivered over TLS %v as %q to %v", got[0].TLS, got[0].AuthUser, got[0].To)
	}
	text, err := got[0].Text()
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(regexp.QuoteMeta(srv.URL) + `/welcome\?\S+`).FindString(text)
	if link == "" || got[0].Subject() != "Su cuenta de openiep en Riverton Public Schools" {
		t.Fatalf("message %q without a link to %s:\n%s", got[0].Subject(), srv.URL, text)
	}

	cj, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: cj}
	res, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "Bienvenido a openiep") {
		t.Fatalf("GET the link = %d:\n%.1500s", res.StatusCode, page)
	}
	token := tokenOf(t, strings.TrimPrefix(link, srv.URL))
	res, err = client.PostForm(srv.URL+"/welcome", url.Values{"token": {token},
		"password": {"lena's own passphrase"}, "password_confirm": {"lena's own passphrase"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/" {
		t.Fatalf("set the password = %d at %s, want the home page", res.StatusCode, res.Request.URL)
	}
	// Sign out, then in with the new password.
	if res, err = client.PostForm(srv.URL+"/signout", nil); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	res, err = client.PostForm(srv.URL+"/signin", url.Values{"email": {"lena@example.org"}, "password": {"lena's own passphrase"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Request.URL.Path != "/" || strings.Contains(string(body), `action="/signin"`) {
		t.Fatalf("sign in with the new password = %d at %s", res.StatusCode, res.Request.URL)
	}
	// The mail's body, which held the link, is gone from the outbox.
	var left int
	if err := w.db.Writer().QueryRowContext(context.Background(),
		`SELECT COUNT(*) FROM mail_outbox WHERE body_text <> ''`).Scan(&left); err != nil || left != 0 {
		t.Errorf("%d mails still hold their bodies after sending (%v)", left, err)
	}
}
