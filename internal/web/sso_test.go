package web

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/sso/ssotest"
	"github.com/openiep/openiep/internal/store"
)

// The single sign-on routes in the authorization matrix: the start answers everyone alike (the
// matrix's addresses are of a domain no provider signs in: the start page again, 422), and a
// callback without the browser's binding is refused for everyone (the refusal page, 401).
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		p := store.SSOProvider{DistrictID: w.district, Name: "Matrix Google", Issuer: "https://accounts.example.com",
			ClientID: "c", EmailDomains: []string{"sso-matrix.example"}, Enabled: true}
		ctx := context.Background()
		if err := w.db.Write(ctx, func(tx *store.Tx) error { return tx.CreateSSOProvider(ctx, &p) }); err != nil {
			panic(err)
		}
		return map[string]map[string]outcome{
			"POST /signin/sso":                    every(unprocessable, unprocessable),
			"GET /signin/sso/{provider}/callback": every(signInAgain, signInAgain),
		}, map[string]string{"provider": p.ID}
	})
}

const unprocessable outcome = 422

// ssoWorld is the test world with a fake identity provider for Riverton that signs in the
// addresses of test.example (every actor's), its client secret sealed as `openiep sso add` does.
type ssoWorld struct {
	*world
	fake     *ssotest.Server
	provider string
	public   string // the deployment's public URL
}

const ssoTestPublicURL = "https://iep.example.org"

func newSSOWorld(t testing.TB, public string) *ssoWorld {
	t.Helper()
	key, err := auth.ParseKey(auth.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := auth.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	w := &ssoWorld{world: newWorldWith(t, 0, func() time.Time { return testNow }, app.WithSealer(sealer), app.WithPublicURL(public)),
		fake: ssotest.New(t), provider: uuid.Must(uuid.NewV7()).String(), public: public}
	w.fake.AllowRedirectURI(public + "/signin/sso/" + w.provider + "/callback")
	secret, err := sealer.Seal(w.fake.ClientSecret, "sso:"+w.provider)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err = w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateSSOProvider(ctx, &store.SSOProvider{DistrictID: w.district, ID: w.provider, Name: "Riverton Google",
			Issuer: w.fake.Issuer(), ClientID: w.fake.ClientID, ClientSecret: secret, EmailDomains: []string{"test.example"}, Enabled: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// as makes the fake sign in an actor's address (verified) under a subject of its own.
func (w *ssoWorld) as(who string) ssotest.User {
	return ssotest.User{Subject: "subject of " + who, Email: w.emails[who], EmailVerified: true, Name: "Test"}
}

// jar is the cookies a browser keeps, by name.
type jar map[string]string

func (j jar) header() string {
	var cs []string
	for k, v := range j {
		cs = append(cs, k+"="+v)
	}
	return strings.Join(cs, "; ")
}

func (j jar) keep(res *http.Response) {
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(j, c.Name)
		} else {
			j[c.Name] = c.Value
		}
	}
}

// do serves one request with the jar's cookies (a form makes it a same-origin POST) and keeps
// the cookies it sets.
func (w *ssoWorld) do(t *testing.T, method, target string, form url.Values, j jar, header ...string) (*http.Response, string) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	req.RemoteAddr = "192.0.2.99:1234"
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if c := j.header(); c != "" {
		req.Header.Set("Cookie", c)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	res := rec.Result()
	j.keep(res)
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// start posts form to /signin/sso and returns where the continue page sends the browser (its
// Refresh header and its link agree).
func (w *ssoWorld) start(t *testing.T, form url.Values, j jar, header ...string) string {
	t.Helper()
	res, body := w.do(t, http.MethodPost, "/signin/sso", form, j, header...)
	authURL, ok := strings.CutPrefix(res.Header.Get("Refresh"), "0; url=")
	if res.StatusCode != http.StatusOK || !ok {
		t.Fatalf("POST /signin/sso = %d, Refresh %q, want 200 sending the browser on\n%s", res.StatusCode, res.Header.Get("Refresh"), body)
	}
	mustContain(t, "continue page", body, `href="`+authURL+`"`, "Riverton Google")
	if j[ssoCookie] == "" {
		t.Fatal("POST /signin/sso set no binding cookie")
	}
	return authURL
}

// noFollow reads redirects instead of following them.
var noFollow = &http.Client{Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// atProvider goes to the authorization URL and returns the callback (path and query) the fake
// sends the browser back to, at the deployment's public URL.
func (w *ssoWorld) atProvider(t *testing.T, authURL string) string {
	t.Helper()
	res, err := noFollow.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := res.Location()
	if err != nil {
		t.Fatalf("the provider answered %d, not a redirect", res.StatusCode)
	}
	if !strings.HasPrefix(loc.String(), w.public+"/signin/sso/"+w.provider+"/callback?") {
		t.Fatalf("the provider sent the browser to %s", loc.Redacted())
	}
	return loc.RequestURI()
}

// signIn runs a whole single sign-on from the form (e-mail, carry…) and returns the callback's
// response.
func (w *ssoWorld) signIn(t *testing.T, form url.Values, j jar, header ...string) (*http.Response, string) {
	t.Helper()
	callback := w.atProvider(t, w.start(t, form, j, header...))
	return w.do(t, http.MethodGet, callback, nil, j, header...)
}

func emailForm(email string) url.Values {
	return url.Values{"email": {email}, "password": {""}, "next": {"/"}}
}

func TestSSOSignInPageOffersSchoolAccount(t *testing.T) {
	plain := newWorld(t, 0)
	_, body := get(t, plain.handler, "/signin")
	if strings.Contains(body, "/signin/sso") {
		t.Error("the sign-in page offers single sign-on where no district has a provider")
	}
	w := newSSOWorld(t, ssoTestPublicURL)
	_, body = get(t, w.handler, "/signin?lang=en")
	mustContain(t, "sign-in page", body, `formaction="/signin/sso"`, "Sign in with your school account",
		`aria-describedby="sso-hint"`, "type your school e-mail address above")
	_, body = get(t, w.handler, "/signin?lang=es")
	mustContain(t, "página de inicio de sesión", body, "Iniciar sesión con su cuenta de la escuela")
}

func TestSSOSignInLinksThenSignsInByTheLink(t *testing.T) {
	w := newSSOWorld(t, ssoTestPublicURL)
	ctx := context.Background()
	w.fake.SetUser(w.as(asTeamMember))
	j := jar{}
	// The return address comes from the public URL, whatever Host the request names.
	authURL := w.start(t, url.Values{"email": {" " + strings.ToUpper(w.emails[asTeamMember])}, "next": {"/districts/" + w.district}}, j,
		"Host", "evil.example")
	u, _ := url.Parse(authURL)
	if got := u.Query().Get("redirect_uri"); got != ssoTestPublicURL+"/signin/sso/"+w.provider+"/callback" {
		t.Errorf("redirect_uri = %q, want the public URL's", got)
	}
	if got := u.Query().Get("login_hint"); got != w.emails[asTeamMember] {
		t.Errorf("login_hint = %q, want the address typed", got)
	}
	res, _ := w.do(t, http.MethodGet, w.atProvider(t, authURL), nil, j)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/districts/"+w.district || j[sessionCookie] == "" {
		t.Fatalf("callback = %d to %q, session cookie %v; want 303 to the page asked for, signed in",
			res.StatusCode, res.Header.Get("Location"), j[sessionCookie] != "")
	}
	res, body := w.do(t, http.MethodGet, "/districts/"+w.district, nil, j)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the overview after single sign-on = %d", res.StatusCode)
	}
	mustContain(t, "overview of the case manager", body, "Your students", "Dana Reyes")
	acc, err := w.db.GetAccountByEmail(ctx, w.emails[asTeamMember])
	if err != nil {
		t.Fatal(err)
	}
	if got, err := w.db.AccountIDByIdentity(ctx, w.district, w.provider, "subject of "+asTeamMember); err != nil || got != acc.ID {
		t.Errorf("the identity is linked to %q (%v), want Dana's account", got, err)
	}

	// The second time the link finds the account, whatever address the provider now gives.
	w.fake.SetUser(ssotest.User{Subject: "subject of " + asTeamMember, Email: "dana.reyes@test.example", EmailVerified: true})
	j = jar{}
	res, _ = w.signIn(t, emailForm(w.emails[asTeamMember]), j)
	if res.StatusCode != http.StatusSeeOther || j[sessionCookie] == "" {
		t.Fatalf("second single sign-on = %d, want 303 signed in", res.StatusCode)
	}
	entries, err := w.db.ListAudit(ctx, w.district, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var links, signIns int
	for _, e := range entries {
		if e.RecordID == acc.ID && e.Action == "link_identity" {
			links++
		}
		if e.RecordID == acc.ID && e.Action == "sign_in" {
			signIns++
		}
	}
	if links != 1 || signIns != 2 {
		t.Errorf("audit: %d links and %d sign-ins of Dana's account, want 1 and 2", links, signIns)
	}
}

// TestSSOWhereTOTPIsRequired: the provider's own second factor counts; the new session is not
// sent to set up TOTP.
func TestSSOWhereTOTPIsRequired(t *testing.T) {
	w := newSSOWorld(t, ssoTestPublicURL)
	ctx := context.Background()
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		s := store.DefaultSettings(w.district)
		s.RequireStaffTOTP = true
		return tx.PutSettings(ctx, &s, store.AuditActor{Kind: "system", ID: "test"})
	})
	if err != nil {
		t.Fatal(err)
	}
	w.fake.SetUser(w.as(asTeamMember))
	j := jar{}
	res, _ := w.signIn(t, emailForm(w.emails[asTeamMember]), j)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
		t.Fatalf("single sign-on where TOTP is required = %d to %q, want 303 to /", res.StatusCode, loc)
	}
	if res, _ := w.do(t, http.MethodGet, "/account", nil, j); res.StatusCode != http.StatusOK {
		t.Errorf("GET /account after single sign-on = %d to %q, want 200", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestSSORefusalPages(t *testing.T) {
	w := newSSOWorld(t, ssoTestPublicURL)
	ctx := context.Background()
	unassigned, err := w.db.GetAccountByEmail(ctx, w.emails[asUnassigned])
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.DisableAccount(ctx, w.district, unassigned.ID, store.AuditActor{Kind: "system", ID: "test"})
	}); err != nil {
		t.Fatal(err)
	}
	var sessions int
	count := func() int {
		var n int
		if err := w.db.Writer().QueryRow(`SELECT (SELECT COUNT(*) FROM sessions) + (SELECT COUNT(*) FROM account_identities)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	sessions = count()
	for _, tc := range []struct {
		name, typed string
		user        ssotest.User
		lang, want  string
	}{
		{"unverified e-mail", w.emails[asTeamMember], ssotest.User{Subject: "s1", Email: w.emails[asTeamMember]}, "en",
			"Your school account did not confirm your e-mail address"},
		{"e-mail outside the provider's domains", w.emails[asTeamMember], w.verified("s2", "dana@elsewhere.example"), "en",
			"This school account's e-mail address cannot sign in here"},
		{"guardian", w.emails[asGuardian], w.as(asGuardian), "en", "Sign-in with a school account is only for school staff"},
		{"guardian, in Spanish", w.emails[asGuardian], w.as(asGuardian), "es", "Iniciar sesión con una cuenta de la escuela es solo para el personal escolar"},
		{"disabled account", w.emails[asUnassigned], w.as(asUnassigned), "en", "This account is turned off"},
		{"unknown person", "nobody@test.example", w.verified("s3", "nobody@test.example"), "en", "There is no staff account with this school account's e-mail address"},
		{"another district's staff", w.emails[asOtherDistrict], w.as(asOtherDistrict), "en", "There is no staff account"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.fake.SetUser(tc.user)
			j := jar{"lang": tc.lang}
			res, body := w.signIn(t, emailForm(tc.typed), j)
			if res.StatusCode != http.StatusUnauthorized || j[sessionCookie] != "" {
				t.Fatalf("refused single sign-on = %d (session cookie set: %v), want 401 and no session", res.StatusCode, j[sessionCookie] != "")
			}
			mustContain(t, tc.name, body, tc.want, `<html lang="`+tc.lang+`">`, `role="alert"`,
				`<input type="hidden" name="email" value="`+tc.typed+`">`, `name="back"`)
		})
	}
	if got := count(); got != sessions {
		t.Errorf("refused sign-ins changed the sessions and links: %d, want %d", got, sessions)
	}
}

func (w *ssoWorld) verified(subject, email string) ssotest.User {
	return ssotest.User{Subject: subject, Email: email, EmailVerified: true}
}

// TestSSOCallbackIsBoundToTheBrowser: a callback without the binding cookie, with another
// browser's, with a wrong state, or a second time signs nobody in (login CSRF, replay).
func TestSSOCallbackIsBoundToTheBrowser(t *testing.T) {
	w := newSSOWorld(t, ssoTestPublicURL)
	w.fake.SetUser(w.as(asTeamMember))
	mine := jar{}
	callback := w.atProvider(t, w.start(t, emailForm(w.emails[asTeamMember]), mine))

	res, body := w.do(t, http.MethodGet, callback, nil, jar{})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "came back to a different browser") {
		t.Errorf("callback without the binding cookie = %d, want 401 saying it is another browser", res.StatusCode)
	}
	attacker := jar{}
	w.start(t, emailForm(w.emails[asTeamMember]), attacker) // a binding of another browser
	res, body = w.do(t, http.MethodGet, callback, nil, attacker)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "expired or was already used") || attacker[sessionCookie] != "" {
		t.Errorf("callback in another browser = %d, want 401 and no session", res.StatusCode)
	}
	u, _ := url.Parse(callback)
	q := u.Query()
	q.Set("state", q.Get("state")+"x")
	res, _ = w.do(t, http.MethodGet, u.Path+"?"+q.Encode(), nil, mine)
	if res.StatusCode != http.StatusUnauthorized || mine[sessionCookie] != "" {
		t.Errorf("callback with a wrong state = %d, want 401", res.StatusCode)
	}
	// The browser that began it still can (the others did not spend its flow), once.
	if res, _ = w.do(t, http.MethodGet, callback, nil, mine); res.StatusCode != http.StatusSeeOther || mine[sessionCookie] == "" {
		t.Fatalf("callback in the browser that began it = %d, want 303 signed in", res.StatusCode)
	}
	again := jar{ssoCookie: mine[ssoCookie]}
	res, body = w.do(t, http.MethodGet, callback, nil, again)
	if res.StatusCode != http.StatusUnauthorized || again[sessionCookie] != "" || !strings.Contains(body, "expired or was already used") {
		t.Errorf("the same callback again = %d, want 401", res.StatusCode)
	}
}

func TestSSOProviderDisabledOrDeclined(t *testing.T) {
	w := newSSOWorld(t, ssoTestPublicURL)
	ctx := context.Background()
	w.fake.SetUser(w.as(asTeamMember))

	w.fake.SetKnobs(ssotest.Knobs{Deny: true})
	j := jar{}
	res, body := w.signIn(t, url.Values{"email": {w.emails[asTeamMember]}, "carry_to": {"/session/extend"}, "carry_form": {"next=%2Fkept"}}, j)
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("declined = %d, want 401", res.StatusCode)
	}
	mustContain(t, "declined", body, "The sign-in was cancelled on your school account's page", "Try again with your school account",
		`name="carry_to" value="/session/extend"`, `name="carry_form" value="next=%2Fkept"`,
		`name="choice" value="`+w.district+` `+w.provider+`"`)
	w.fake.SetKnobs(ssotest.Knobs{})

	// Disabled on the way: the callback says it is not available.
	j = jar{}
	callback := w.atProvider(t, w.start(t, emailForm(w.emails[asTeamMember]), j))
	if err := w.db.Write(ctx, func(tx *store.Tx) error { return tx.SetSSOProviderEnabled(ctx, w.district, w.provider, false) }); err != nil {
		t.Fatal(err)
	}
	res, body = w.do(t, http.MethodGet, callback, nil, j)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "not available") {
		t.Errorf("callback after the provider was disabled = %d, want 401 not available", res.StatusCode)
	}
	// Disabled before: the address routes nowhere, and a choice of it is refused.
	res, body = w.do(t, http.MethodPost, "/signin/sso", emailForm(w.emails[asTeamMember]), jar{})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "not set up for addresses ending in @test.example") {
		t.Errorf("start with a disabled provider = %d, want 422 naming the domain", res.StatusCode)
	}
	res, _ = w.do(t, http.MethodPost, "/signin/sso", url.Values{"choice": {w.district + " " + w.provider}}, jar{})
	if res.StatusCode != http.StatusUnauthorized {
		t.Errorf("choosing a disabled provider = %d, want 401", res.StatusCode)
	}
	if _, body := get(t, w.handler, "/signin"); strings.Contains(body, "/signin/sso") {
		t.Error("the sign-in page offers single sign-on with its only provider disabled")
	}
}

// TestSSOCarriedFormIsReplayed: Dana is setting up her authenticator when her session ends;
// her code is posted anyway, the sign-in page carries it, and signing in with her school
// account submits it under the new session: the authenticator is saved.
func TestSSOCarriedFormIsReplayed(t *testing.T) {
	w := newSSOWorld(t, ssoTestPublicURL)
	ctx := context.Background()
	w.fake.SetUser(w.as(asTeamMember))
	j := jar{}
	if res, _ := w.signIn(t, emailForm(w.emails[asTeamMember]), j); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("single sign-on = %d", res.StatusCode)
	}
	res, body := w.do(t, http.MethodGet, "/account/two-factor", nil, j)
	secret, sealed := hiddenValue(body, `id="totp-secret">`, "<"), hiddenValue(body, `name="enrolment" value="`, `"`)
	if res.StatusCode != http.StatusOK || secret == "" || sealed == "" {
		t.Fatalf("two-factor page = %d, secret %q", res.StatusCode, secret)
	}
	acc, err := w.db.GetAccountByEmail(ctx, w.emails[asTeamMember])
	if err != nil {
		t.Fatal(err)
	}
	if err := w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.DeleteAccountSessions(ctx, acc.DistrictID, acc.ID, store.AuditActor{Kind: "system", ID: "test"})
	}); err != nil {
		t.Fatal(err)
	}
	code, err := auth.TOTPCode(secret, testNow)
	if err != nil {
		t.Fatal(err)
	}
	res, body = w.do(t, http.MethodPost, "/account/two-factor", url.Values{"enrolment": {sealed}, "code": {code}, "next": {"/account"}}, j)
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("posting the code after the session ended = %d, want the sign-in page", res.StatusCode)
	}
	mustContain(t, "sign-in page carrying the code", body, `formaction="/signin/sso"`, `name="carry_to" value="/account/two-factor"`)
	form := url.Values{"email": {w.emails[asTeamMember]}, "password": {""}, "next": {"/"},
		"carry_to": {hiddenValue(body, `name="carry_to" value="`, `"`)}, "carry_form": {hiddenValue(body, `name="carry_form" value="`, `"`)}}
	res, _ = w.signIn(t, form, j)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/account" {
		t.Fatalf("callback = %d to %q, want the carried form submitted (303 to its next, /account)", res.StatusCode, loc)
	}
	if acc, err = w.db.GetAccount(ctx, acc.DistrictID, acc.ID); err != nil || acc.TOTPSecret == "" {
		t.Errorf("after the replay the account's TOTP secret is %q (%v): the carried code was not saved", acc.TOTPSecret, err)
	}
}

// hiddenValue returns the HTML-unescaped text of body between the first before and the next
// after, or "".
func hiddenValue(body, before, after string) string {
	_, rest, ok := strings.Cut(body, before)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, after)
	return html.UnescapeString(v)
}

func TestSSOStartPage(t *testing.T) {
	w := newSSOWorld(t, ssoTestPublicURL)
	ctx := context.Background()
	for _, tc := range []struct {
		name, email, lang, want string
	}{
		{"empty", "", "en", "School e-mail address: type your school e-mail address."},
		{"not an address", "dana", "en", "this is not an e-mail address"},
		{"no provider", "dana@elsewhere.example", "en", "not set up for addresses ending in @elsewhere.example"},
		{"no provider, in Spanish", "dana@elsewhere.example", "es", "no se puede iniciar sesión con una cuenta escolar para las direcciones que terminan en @elsewhere.example"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := w.do(t, http.MethodPost, "/signin/sso", url.Values{"email": {tc.email}, "carry_to": {"/x"}, "carry_form": {"a=1"}},
				jar{"lang": tc.lang})
			if res.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			mustContain(t, tc.name, body, tc.want, `<a href="#sso-email">`, `aria-invalid="true"`,
				`aria-describedby="sso-email-hint sso-email-error"`, `id="sso-email-error"`, `name="carry_to" value="/x"`)
		})
	}
	// Two districts sign in the domain: the reader chooses.
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateSSOProvider(ctx, &store.SSOProvider{DistrictID: w.other, Name: "Valley Microsoft", Issuer: "https://login.example.com",
			ClientID: "c", EmailDomains: []string{"test.example"}, Enabled: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	res, body := w.do(t, http.MethodPost, "/signin/sso", emailForm(w.emails[asTeamMember]), jar{})
	if res.StatusCode != http.StatusOK || res.Header.Get("Refresh") != "" {
		t.Fatalf("two providers for the domain = %d, want the choice page", res.StatusCode)
	}
	mustContain(t, "choice", body, "Choose your school account", "Riverton Google (Riverton Public Schools)",
		"Valley Microsoft (Other Valley District)", `name="choice" value="`+w.district+` `+w.provider+`"`)
	w.start(t, url.Values{"choice": {w.district + " " + w.provider}, "email": {w.emails[asTeamMember]}}, jar{})

	// Back to the password, keeping what was typed and carried.
	res, body = w.do(t, http.MethodPost, "/signin/sso", url.Values{"back": {"1"}, "email": {"dana@test.example"},
		"carry_to": {"/x"}, "carry_form": {"a=1"}}, jar{})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("back = %d", res.StatusCode)
	}
	mustContain(t, "back to the password", body, `action="/signin"`, `value="dana@test.example"`, `name="carry_to" value="/x"`)
	// Without an address (try again after the flow was lost): the page asks for one, no error.
	res, body = w.do(t, http.MethodPost, "/signin/sso", url.Values{"next": {"/"}}, jar{})
	if res.StatusCode != http.StatusOK || strings.Contains(body, "aria-invalid") {
		t.Errorf("start without an address = %d, want the page asking for it", res.StatusCode)
	}
}

// TestSSOStartsThrottledPerAddress: an address that starts many sign-ons it never finishes is
// slowed down (a school's staff finish theirs, which then no longer count); the refusal is the
// sign-in page with the wait, and what was typed is kept.
func TestSSOStartsThrottledPerAddress(t *testing.T) {
	w := newSSOWorld(t, ssoTestPublicURL)
	email := w.emails[asTeamMember]
	for range app.MaxPendingSSOPerAddress {
		w.start(t, emailForm(email), jar{})
	}
	res, body := w.do(t, http.MethodPost, "/signin/sso", emailForm(email), jar{})
	if res.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, `value="`+email+`"`) {
		t.Fatalf("start %d from one address = %d, want 429 keeping the e-mail", app.MaxPendingSSOPerAddress+1, res.StatusCode)
	}
	mustContain(t, "the throttled page", body, "Please wait 600 seconds")
}
