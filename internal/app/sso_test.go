package app

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/sso"
	"github.com/openiep/openiep/internal/sso/ssotest"
	"github.com/openiep/openiep/internal/store"
)

// ssoFixture is the app fixture with a fake identity provider for its district (domain
// riverside.org) and accounts: Jane (staff), a guardian, a disabled and an inactive staff
// member, and a staff member of the other district, all of riverside.org.
type ssoFixture struct {
	*fixture
	svc      *Service
	db       *store.DB
	fake     *ssotest.Server
	provider string
	accounts map[string]*store.Account // by e-mail
}

const ssoPublicURL = "https://iep.example.org"

func newSSOFixture(t *testing.T, domains ...string) *ssoFixture {
	t.Helper()
	ctx := context.Background()
	f := &ssoFixture{fixture: newFixture(t, 1), accounts: map[string]*store.Account{}}
	f.db = f.fixture.svc.db
	key, err := auth.ParseKey(auth.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := auth.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	f.svc = New(f.db, func() time.Time { return testNow }, WithSealer(sealer), WithPublicURL(ssoPublicURL+"/"),
		WithPasswordParams(auth.Params{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}))
	f.fake = ssotest.New(t)
	f.provider = uuid.Must(uuid.NewV7()).String()
	f.fake.AllowRedirectURI(ssoPublicURL + "/signin/sso/" + f.provider + "/callback")
	secret, err := sealer.Seal(f.fake.ClientSecret, "sso:"+f.provider)
	if err != nil {
		t.Fatal(err)
	}
	err = f.db.Write(ctx, func(tx *store.Tx) error {
		p := store.SSOProvider{DistrictID: f.district, ID: f.provider, Name: "Riverside Google", Issuer: f.fake.Issuer(),
			ClientID: f.fake.ClientID, ClientSecret: secret, EmailDomains: domains, Enabled: true}
		if err := tx.CreateSSOProvider(ctx, &p); err != nil {
			return err
		}
		staff := func(district, email string, active bool) error {
			st := &iep.Staff{DistrictID: district, FirstName: "S", LastName: email, Roles: []iep.StaffRole{iep.RoleCaseManager}, Active: active}
			if err := tx.CreateStaff(ctx, st); err != nil {
				return err
			}
			return f.addAccount(ctx, tx, district, store.AccountStaff, st.ID, email)
		}
		for _, s := range []struct {
			district, email string
			active          bool
		}{
			{f.district, "jane@riverside.org", true}, {f.district, "off@riverside.org", true},
			{f.district, "gone@riverside.org", false}, {f.other, "elsewhere@riverside.org", true},
		} {
			if err := staff(s.district, s.email, s.active); err != nil {
				return err
			}
		}
		g := &iep.Guardian{DistrictID: f.district, FirstName: "G", LastName: "P", PreferredLanguage: "en"}
		if err := tx.CreateGuardian(ctx, g); err != nil {
			return err
		}
		if err := f.addAccount(ctx, tx, f.district, store.AccountGuardian, g.ID, "parent@riverside.org"); err != nil {
			return err
		}
		return tx.DisableAccount(ctx, f.district, f.accounts["off@riverside.org"].ID, store.AuditActor{Kind: "system", ID: "test"})
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return f
}

func (f *ssoFixture) addAccount(ctx context.Context, tx *store.Tx, district string, kind store.AccountKind, subject, email string) error {
	a := &store.Account{DistrictID: district, Kind: kind, SubjectID: subject, Email: email}
	f.accounts[email] = a
	return tx.CreateAccount(ctx, a, store.AuditActor{Kind: "system", ID: "test"})
}

// stopAtRedirect is a browser that reads redirects instead of following them.
var stopAtRedirect = &http.Client{Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// toProvider sends the browser to the authorization URL and returns the callback's query
// (code and state, or error) that the fake sent it back with.
func toProvider(t *testing.T, authURL string) url.Values {
	t.Helper()
	res, err := stopAtRedirect.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc, err := res.Location()
	if err != nil {
		t.Fatalf("the provider answered %d without a redirect", res.StatusCode)
	}
	return loc.Query()
}

// begin starts a sign-in carrying carry, and goes to the provider and back.
func (f *ssoFixture) begin(t *testing.T, carry string) (*SSOBegun, url.Values) {
	t.Helper()
	b, err := f.svc.BeginSSO(context.Background(), SSOStart{DistrictID: f.district, ProviderID: f.provider, Carry: carry})
	if err != nil {
		t.Fatalf("BeginSSO: %v", err)
	}
	return b, toProvider(t, b.URL)
}

// complete finishes a sign-in as the browser with the binding.
func (f *ssoFixture) complete(back url.Values, binding string) (*SignedIn, string, error) {
	return f.svc.CompleteSSO(context.Background(), SSOReturn{ProviderID: f.provider, Code: back.Get("code"),
		State: back.Get("state"), Error: back.Get("error"), Binding: binding, Address: "192.0.2.7", UserAgent: "test"})
}

// signInAs runs a whole single sign-on as the fake's user u.
func (f *ssoFixture) signInAs(t *testing.T, u ssotest.User) (*SignedIn, error) {
	t.Helper()
	f.fake.SetUser(u)
	b, back := f.begin(t, "")
	si, _, err := f.complete(back, b.Binding)
	return si, err
}

func verified(subject, email string) ssotest.User {
	return ssotest.User{Subject: subject, Email: email, EmailVerified: true, Name: "Someone"}
}

// wantRefusal checks that err is a refusal for reason.
func wantRefusal(t *testing.T, what string, err error, reason SSOReason) *SSORefusal {
	t.Helper()
	var ref *SSORefusal
	if !errors.As(err, &ref) || ref.Reason != reason {
		t.Fatalf("%s = %v, want a refusal %q", what, err, reason)
	}
	if iep.KindOf(err) != iep.KindUnauthenticated {
		t.Errorf("%s: kind %v, want unauthenticated", what, iep.KindOf(err))
	}
	return ref
}

// count counts rows of a table.
func (f *ssoFixture) count(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := f.db.Writer().QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// auditActions lists the actions of the district's audit entries about an account, oldest first.
func (f *ssoFixture) auditActions(t *testing.T, district, accountID string) []string {
	t.Helper()
	es, err := f.db.ListAudit(context.Background(), district, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].RecordKind == "account" && es[i].RecordID == accountID {
			out = append(out, es[i].Action+" "+es[i].Reason)
		}
	}
	return out
}

func TestSSOFirstSignInLinksByVerifiedEmailThenByTheLink(t *testing.T) {
	f := newSSOFixture(t, "riverside.org")
	ctx := context.Background()
	jane := f.accounts["jane@riverside.org"]

	b, err := f.svc.BeginSSO(ctx, SSOStart{DistrictID: f.district, ProviderID: f.provider, Carry: "the form", LoginHint: " Jane@Riverside.org"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(b.URL)
	if got, want := u.Query().Get("redirect_uri"), ssoPublicURL+"/signin/sso/"+f.provider+"/callback"; got != want {
		t.Errorf("redirect_uri = %q, want %q (from the public URL)", got, want)
	}
	if got := u.Query().Get("login_hint"); got != "jane@riverside.org" {
		t.Errorf("login_hint = %q", got)
	}
	if b.ProviderName != "Riverside Google" || !b.ExpiresAt.Equal(testNow.Add(SSOFlowTTL)) || len(b.Binding) != 43 {
		t.Errorf("BeginSSO = %+v", b)
	}
	f.fake.SetUser(verified("google-jane", "Jane@Riverside.org"))
	si, carry, err := f.complete(toProvider(t, b.URL), b.Binding)
	if err != nil {
		t.Fatalf("first sign-in: %v", err)
	}
	if si.Account.ID != jane.ID || si.Actor.Kind != ActorStaff || !si.Session.MFAPassed || si.Pending != PendingNone || si.Token == "" {
		t.Errorf("first sign-in = account %s, actor %s, mfa %v, pending %q", si.Account.ID, si.Actor.Kind, si.Session.MFAPassed, si.Pending)
	}
	if carry != "the form" {
		t.Errorf("carry = %q, want the form carried through", carry)
	}
	if got, err := f.db.AccountIDByIdentity(ctx, f.district, f.provider, "google-jane"); err != nil || got != jane.ID {
		t.Errorf("AccountIDByIdentity = %q, %v; want Jane's account", got, err)
	}
	if got, want := strings.Join(f.auditActions(t, f.district, jane.ID), ", "), "create , sign_in , link_identity sso:"+f.provider; got != want {
		t.Errorf("audit of Jane's account = %q, want %q", got, want)
	}
	if live, err := f.svc.Session(ctx, si.Token, false); err != nil || live.Account.ID != jane.ID || live.Pending != PendingNone {
		t.Errorf("Session(token) = %v, %v", live, err)
	}

	// The second sign-in goes by the link: the provider's e-mail may have changed since.
	si, err = f.signInAs(t, verified("google-jane", "jane.renamed@riverside.org"))
	if err != nil || si.Account.ID != jane.ID {
		t.Fatalf("second sign-in = %v, %v; want Jane by the link", si, err)
	}
	if got := f.auditActions(t, f.district, jane.ID); len(got) != 4 || got[3] != "sign_in " || strings.Count(strings.Join(got, ","), "link_identity") != 1 {
		t.Errorf("audit after the second sign-in = %q, want one more sign_in and no new link", got)
	}
}

func TestSSORefusals(t *testing.T) {
	f := newSSOFixture(t, "riverside.org")
	sessions, links := f.count(t, "sessions"), f.count(t, "account_identities")
	for _, tc := range []struct {
		name    string
		user    ssotest.User
		reason  SSOReason
		audited string // the account whose audit trail records the refusal
	}{
		{"unverified e-mail", ssotest.User{Subject: "s1", Email: "jane@riverside.org"}, SSONotVerified, ""},
		{"no e-mail", ssotest.User{Subject: "s2"}, SSONotVerified, ""},
		{"e-mail outside the provider's domains", verified("s3", "jane@elsewhere.org"), SSODomain, ""},
		{"unknown person", verified("s4", "nobody@riverside.org"), SSONoAccount, ""},
		{"another district's staff", verified("s5", "elsewhere@riverside.org"), SSONoAccount, ""},
		{"guardian", verified("s6", "parent@riverside.org"), SSONotStaff, "parent@riverside.org"},
		{"disabled account", verified("s7", "off@riverside.org"), SSODisabled, "off@riverside.org"},
		{"inactive staff member", verified("s8", "gone@riverside.org"), SSODisabled, "gone@riverside.org"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			si, err := f.signInAs(t, tc.user)
			ref := wantRefusal(t, "sign-in", err, tc.reason)
			if si != nil {
				t.Error("a refused sign-in returned a session")
			}
			if ref.DistrictID != f.district || ref.ProviderID != f.provider {
				t.Errorf("refusal names district %q, provider %q", ref.DistrictID, ref.ProviderID)
			}
			if tc.audited != "" {
				acc := f.accounts[tc.audited]
				got := f.auditActions(t, f.district, acc.ID)
				if want := "sign_in_refused sso:" + f.provider + " " + string(tc.reason); got[len(got)-1] != want {
					t.Errorf("audit of the account = %q, want it to end with %q", got, want)
				}
			}
		})
	}
	if got := f.count(t, "sessions"); got != sessions {
		t.Errorf("refused sign-ins left %d sessions, want %d", got, sessions)
	}
	if got := f.count(t, "account_identities"); got != links {
		t.Errorf("refused sign-ins left %d links, want %d", got, links)
	}
	// Nothing about the other district's account went into either district's trail.
	other := f.accounts["elsewhere@riverside.org"]
	for _, d := range []string{f.district, f.other} {
		for _, a := range f.auditActions(t, d, other.ID) {
			if strings.HasPrefix(a, "sign_in_refused") {
				t.Errorf("district %s audits a refusal of another district's account", d)
			}
		}
	}
}

// TestSSOProviderWithoutDomainsLinksNobody: a provider that lists no e-mail domain vouches for
// no address, so a first sign-in is never linked by e-mail.
func TestSSOProviderWithoutDomainsLinksNobody(t *testing.T) {
	f := newSSOFixture(t)
	_, err := f.signInAs(t, verified("s1", "jane@riverside.org"))
	wantRefusal(t, "sign-in with a provider without domains", err, SSODomain)
	if n := f.count(t, "account_identities"); n != 0 {
		t.Errorf("%d links, want none", n)
	}
}

// TestSSOMicrosoftDomainOwnerVerified: Entra's xms_edov counts as a verified e-mail.
func TestSSOMicrosoftDomainOwnerVerified(t *testing.T) {
	f := newSSOFixture(t, "riverside.org")
	si, err := f.signInAs(t, ssotest.User{Subject: "entra-oid", Email: "jane@riverside.org", DomainOwnerVerified: true})
	if err != nil || si.Account.ID != f.accounts["jane@riverside.org"].ID {
		t.Fatalf("sign-in with xms_edov = %v, %v", si, err)
	}
}

// TestSSOAddressThatChangedHands: an account linked to one user of the provider is not taken
// over by another user who now has its e-mail address.
func TestSSOAddressThatChangedHands(t *testing.T) {
	f := newSSOFixture(t, "riverside.org")
	if _, err := f.signInAs(t, verified("first-jane", "jane@riverside.org")); err != nil {
		t.Fatal(err)
	}
	_, err := f.signInAs(t, verified("second-jane", "jane@riverside.org"))
	ref := wantRefusal(t, "a second subject with the address", err, SSOLinkedElsewhere)
	if ref.AccountID != f.accounts["jane@riverside.org"].ID {
		t.Errorf("refusal names account %q", ref.AccountID)
	}
	if n := f.count(t, "account_identities"); n != 1 {
		t.Errorf("%d links, want the first one only", n)
	}
}

// TestSSOFlowIsBoundAndUsedOnce: a callback with a wrong state, without the browser's binding,
// with another browser's binding, or a second time, signs nobody in; the other browser's
// attempt does not spend the flow of the browser that began it.
func TestSSOFlowIsBoundAndUsedOnce(t *testing.T) {
	f := newSSOFixture(t, "riverside.org")
	f.fake.SetUser(verified("google-jane", "jane@riverside.org"))
	b, back := f.begin(t, "carried")

	wrongState := url.Values{"code": {back.Get("code")}, "state": {back.Get("state") + "x"}}
	_, carry, err := f.complete(wrongState, b.Binding)
	wantRefusal(t, "a wrong state", err, SSOExpired)
	if carry != "" {
		t.Errorf("a refused unknown flow gave carry %q", carry)
	}
	_, _, err = f.complete(back, "")
	wantRefusal(t, "no binding", err, SSOWrongBrowser)
	other, _ := auth.NewToken()
	_, _, err = f.complete(back, other)
	wantRefusal(t, "another browser's binding", err, SSOExpired)

	si, carry, err := f.complete(back, b.Binding)
	if err != nil || si == nil || carry != "carried" {
		t.Fatalf("the browser that began it = %v, %q, %v", si, carry, err)
	}
	_, _, err = f.complete(back, b.Binding)
	wantRefusal(t, "the same callback again", err, SSOExpired)

	// The callback of another provider's path does not take this provider's flow.
	b, back = f.begin(t, "")
	_, _, err = f.svc.CompleteSSO(context.Background(), SSOReturn{ProviderID: "another", Code: back.Get("code"),
		State: back.Get("state"), Binding: b.Binding})
	wantRefusal(t, "another provider's callback", err, SSOExpired)

	// An expired flow is not found.
	b, back = f.begin(t, "")
	f.svc.now = func() time.Time { return testNow.Add(SSOFlowTTL + time.Second) }
	later, err := store.Open(context.Background(), f.dsn(t), store.Options{Now: f.svc.now})
	if err != nil {
		t.Fatal(err)
	}
	defer later.Close()
	f.svc.db = later
	_, _, err = f.complete(back, b.Binding)
	wantRefusal(t, "an expired flow", err, SSOExpired)
}

// dsn is the fixture's SQLite file.
func (f *ssoFixture) dsn(t *testing.T) string {
	t.Helper()
	var file string
	if err := f.db.Writer().QueryRow(`SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&file); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestSSOBindingReused: a browser that begins a second sign-in keeps its binding, so that both
// tabs can finish.
func TestSSOBindingReused(t *testing.T) {
	f := newSSOFixture(t, "riverside.org")
	f.fake.SetUser(verified("google-jane", "jane@riverside.org"))
	first, back1 := f.begin(t, "")
	second, err := f.svc.BeginSSO(context.Background(), SSOStart{DistrictID: f.district, ProviderID: f.provider, Binding: first.Binding})
	if err != nil || second.Binding != first.Binding {
		t.Fatalf("BeginSSO with a binding = %v, %v; want the same binding", second, err)
	}
	back2 := toProvider(t, second.URL)
	for i, back := range []url.Values{back2, back1} {
		if _, _, err := f.complete(back, first.Binding); err != nil {
			t.Errorf("tab %d: %v", i+1, err)
		}
	}
	bad, err := f.svc.BeginSSO(context.Background(), SSOStart{DistrictID: f.district, ProviderID: f.provider, Binding: "short"})
	if err != nil || bad.Binding == "short" || len(bad.Binding) != 43 {
		t.Errorf("BeginSSO with a malformed binding = %v, %v; want a new one", bad, err)
	}
}

func TestSSOProviderDisabledOrDeclined(t *testing.T) {
	f := newSSOFixture(t, "riverside.org")
	ctx := context.Background()
	f.fake.SetUser(verified("google-jane", "jane@riverside.org"))

	// Declined at the provider: the flow is spent and its carry given back.
	f.fake.SetKnobs(ssotest.Knobs{Deny: true})
	b, back := f.begin(t, "keep me")
	_, carry, err := f.complete(back, b.Binding)
	if ref := wantRefusal(t, "declined", err, SSODenied); ref.Carry != "keep me" || carry != "keep me" {
		t.Errorf("declined: carry %q / %q, want it kept", ref.Carry, carry)
	}
	f.fake.SetKnobs(ssotest.Knobs{})

	// A token that does not check out.
	f.fake.SetKnobs(ssotest.Knobs{Nonce: "another"})
	_, err = f.signInAs(t, verified("google-jane", "jane@riverside.org"))
	wantRefusal(t, "a token with another nonce", err, SSOProviderError)
	f.fake.SetKnobs(ssotest.Knobs{})

	// Disabled between the start and the return, then before the start.
	b, back = f.begin(t, "")
	if err := f.db.Write(ctx, func(tx *store.Tx) error { return tx.SetSSOProviderEnabled(ctx, f.district, f.provider, false) }); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.complete(back, b.Binding)
	wantRefusal(t, "provider disabled on the way", err, SSOUnavailable)
	_, err = f.svc.BeginSSO(ctx, SSOStart{DistrictID: f.district, ProviderID: f.provider})
	wantRefusal(t, "BeginSSO with a disabled provider", err, SSOUnavailable)
	_, err = f.svc.BeginSSO(ctx, SSOStart{DistrictID: f.other, ProviderID: f.provider})
	wantRefusal(t, "BeginSSO with another district's provider", err, SSOUnavailable)
	if off, err := f.svc.SSOOffered(ctx); err != nil || off {
		t.Errorf("SSOOffered with the only provider disabled = %v, %v", off, err)
	}
}

// TestSSOCountsAsSecondFactor: where the district requires TOTP of staff, a password session
// must set it up first, a single sign-on session need not (the provider did its own).
func TestSSOCountsAsSecondFactor(t *testing.T) {
	f := newSSOFixture(t, "riverside.org")
	ctx := context.Background()
	err := f.db.Write(ctx, func(tx *store.Tx) error {
		s := store.DefaultSettings(f.district)
		s.RequireStaffTOTP = true
		return tx.PutSettings(ctx, &s, store.AuditActor{Kind: "system", ID: "test"})
	})
	if err != nil {
		t.Fatal(err)
	}
	jane := f.accounts["jane@riverside.org"]
	si, err := f.signInAs(t, verified("google-jane", "jane@riverside.org"))
	if err != nil || si.Pending != PendingNone {
		t.Fatalf("single sign-on where TOTP is required = %v, %v; want no step pending", si, err)
	}
	if live, err := f.svc.Session(ctx, si.Token, true); err != nil || live.Pending != PendingNone {
		t.Errorf("the session on its next request = %v, %v; want no step pending", live, err)
	}
	// The same account by password must still enrol.
	hash := auth.HashPassword("a long enough password 1", f.svc.params)
	if err := f.db.Write(ctx, func(tx *store.Tx) error {
		return tx.SetPassword(ctx, f.district, jane.ID, hash, false, store.AuditActor{Kind: "system", ID: "test"})
	}); err != nil {
		t.Fatal(err)
	}
	pw, err := f.svc.SignIn(ctx, Credentials{Email: "jane@riverside.org", Password: "a long enough password 1", Address: "192.0.2.8"})
	if err != nil || pw.Pending != PendingEnrol {
		t.Errorf("password sign-in where TOTP is required = %v, %v; want enrolment pending", pw, err)
	}
}

func TestSSOChoicesFor(t *testing.T) {
	f := newSSOFixture(t, "riverside.org")
	ctx := context.Background()
	// A second provider, in the other district, for the same domain.
	err := f.db.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateSSOProvider(ctx, &store.SSOProvider{DistrictID: f.other, Name: "Other Microsoft",
			Issuer: "https://login.example.com", ClientID: "c", EmailDomains: []string{"riverside.org"}, Enabled: true})
	})
	if err != nil {
		t.Fatal(err)
	}
	cs, err := f.svc.SSOChoicesFor(ctx, " Someone@RIVERSIDE.org ")
	if err != nil || len(cs) != 2 {
		t.Fatalf("SSOChoicesFor = %v, %v; want two", cs, err)
	}
	if cs[0].DistrictID != f.district || cs[0].DistrictName != "D" || cs[0].ProviderID != f.provider || cs[0].Name != "Riverside Google" ||
		cs[1].DistrictID != f.other || cs[1].DistrictName != "O" {
		t.Errorf("SSOChoicesFor = %+v", cs)
	}
	if cs, err := f.svc.SSOChoicesFor(ctx, "someone@elsewhere.org"); err != nil || len(cs) != 0 {
		t.Errorf("SSOChoicesFor(another domain) = %v, %v; want none", cs, err)
	}
	for _, bad := range []string{"", "  ", "someone", "someone@", "@riverside.org", "some one@riverside.org"} {
		_, err := f.svc.SSOChoicesFor(ctx, bad)
		var e *iep.Error
		if !errors.As(err, &e) || e.Kind != iep.KindInvalid || len(e.Problems) != 1 || e.Problems[0].Field != "email" {
			t.Errorf("SSOChoicesFor(%q) = %v, want a problem with the e-mail", bad, err)
		}
	}
}

// unreachable is a network on which no provider answers.
type unreachable struct{}

func (unreachable) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("connection refused")
}

// TestSSOProviderUnreachable: when the provider's discovery cannot be read, the sign-in does not
// start and says the provider failed; no flow is stored.
func TestSSOProviderUnreachable(t *testing.T) {
	f := newSSOFixture(t, "riverside.org")
	svc := New(f.db, func() time.Time { return testNow }, WithSealer(f.svc.sealer),
		WithSSOClient(sso.NewClient(sso.Options{HTTPClient: &http.Client{Transport: unreachable{}}})))
	_, err := svc.BeginSSO(context.Background(), SSOStart{DistrictID: f.district, ProviderID: f.provider, Carry: "kept"})
	if ref := wantRefusal(t, "BeginSSO with the provider unreachable", err, SSOProviderError); ref.Carry != "kept" {
		t.Errorf("the refusal's carry = %q, want it kept", ref.Carry)
	}
	if n := f.count(t, "sso_flows"); n != 0 {
		t.Errorf("%d flows stored, want none", n)
	}
}
