package sso_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/sso"
	"github.com/openiep/openiep/internal/sso/ssotest"
)

const redirectURL = "http://127.0.0.1:1/sso/callback?from=test"

var ctx = context.Background()

// noRedirects is a browser that stops at the first redirect, so that the test reads it.
var noRedirects = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// follow sends the browser to authURL and returns where the fake sent it back.
func follow(t *testing.T, authURL string) url.Values {
	t.Helper()
	resp, err := noRedirects.Get(authURL)
	if err != nil {
		t.Fatalf("GET the authorization URL: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorization endpoint answered %d, want 302", resp.StatusCode)
	}
	loc, err := resp.Location()
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != "http://127.0.0.1:1/sso/callback" || loc.Query().Get("from") != "test" {
		t.Fatalf("redirected to %s, want the redirect URL with its own query kept", loc)
	}
	return loc.Query()
}

// signIn runs Begin, the browser's round trip and the state check, and returns what Complete
// needs.
func signIn(t *testing.T, c *sso.Client, p sso.Provider) (sso.Flow, string) {
	t.Helper()
	authURL, f, state, err := c.Begin(ctx, p, redirectURL)
	if err != nil {
		t.Fatalf("Begin = %v", err)
	}
	back := follow(t, authURL)
	if back.Get("state") != state {
		t.Fatalf("the provider sent back state %q, want %q", back.Get("state"), state)
	}
	if back.Get("error") != "" || back.Get("code") == "" {
		t.Fatalf("the provider sent back %v, want a code", back)
	}
	return f, back.Get("code")
}

func TestSignIn(t *testing.T) {
	fake := ssotest.New(t)
	fake.AllowRedirectURI(redirectURL)
	fake.SetUser(ssotest.User{Subject: "248289761001", Email: " Jane.Doe@Riverside.ORG", EmailVerified: true, Name: "Jane Doe"})
	c := sso.NewClient(sso.Options{})
	p := fake.Provider("riverside.org", "k12.riverside.org")

	authURL, f, state, err := c.Begin(ctx, p, redirectURL)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Path != "/authorize" || !strings.HasPrefix(authURL, fake.Issuer()) {
		t.Errorf("authorization URL %s is not the fake's endpoint", u.Path)
	}
	for k, want := range map[string]string{
		"client_id": fake.ClientID, "redirect_uri": redirectURL, "response_type": "code", "state": state,
		"nonce": f.Nonce, "code_challenge_method": "S256",
	} {
		if q.Get(k) != want {
			t.Errorf("authorization URL: %s = %q, want %q", k, q.Get(k), want)
		}
	}
	if scopes := strings.Fields(q.Get("scope")); !slices.Equal(scopes, sso.DefaultScopes) {
		t.Errorf("scopes = %v, want %v", scopes, sso.DefaultScopes)
	}
	if q.Get("code_challenge") == "" || strings.Contains(authURL, f.PKCEVerifier) {
		t.Error("the authorization URL must carry the PKCE challenge and never the verifier")
	}
	for name, v := range map[string]string{"state": state, "nonce": f.Nonce, "verifier": f.PKCEVerifier} {
		if len(v) != 43 || strings.ContainsAny(v, "+/=") {
			t.Errorf("%s %q is not 32 bytes of unpadded base64url", name, v)
		}
	}
	if state == f.Nonce {
		t.Error("state and nonce are the same value")
	}
	if sso.HashState(state) != auth.HashToken(state) || len(sso.HashState(state)) != 64 {
		t.Errorf("HashState(state) = %q, want auth.HashToken's %q", sso.HashState(state), auth.HashToken(state))
	}
	_, f2, state2, _ := c.Begin(ctx, p, redirectURL)
	if state2 == state || f2.Nonce == f.Nonce || f2.PKCEVerifier == f.PKCEVerifier {
		t.Error("two Begins gave the same state, nonce or verifier")
	}

	back := follow(t, authURL)
	if back.Get("state") != state || back.Get("code") == "" {
		t.Fatalf("the provider sent back %v", back)
	}
	id, err := c.Complete(ctx, p, f, redirectURL, back.Get("code"))
	if err != nil {
		t.Fatalf("Complete = %v", err)
	}
	want := sso.Identity{Subject: "248289761001", Email: "jane.doe@riverside.org", Name: "Jane Doe"}
	if id != want {
		t.Errorf("Complete = %+v, want %+v", id, want)
	}
	if n := fake.Hits("/.well-known/openid-configuration"); n != 1 {
		t.Errorf("discovery read %d times for three calls, want once (cached)", n)
	}

	// Explicit scopes without openid still ask for openid.
	p.Scopes = []string{"email"}
	authURL, _, _, _ = c.Begin(ctx, p, redirectURL)
	u, _ = url.Parse(authURL)
	if got := u.Query().Get("scope"); got != "openid email" {
		t.Errorf("scope = %q, want \"openid email\"", got)
	}
}

// A public client (no secret; PKCE protects the code) sends its id in the form and signs in.
func TestPublicClient(t *testing.T) {
	fake := ssotest.New(t)
	fake.ClientSecret = ""
	c := sso.NewClient(sso.Options{})
	f, code := signIn(t, c, fake.Provider())
	if id, err := c.Complete(ctx, fake.Provider(), f, redirectURL, code); err != nil || id.Subject != ssotest.DefaultUser.Subject {
		t.Fatalf("Complete as a public client = %+v, %v", id, err)
	}
}

func TestCompleteFailures(t *testing.T) {
	tests := []struct {
		name string
		// setup prepares the fake (before the sign-in) and the provider configuration.
		setup func(fake *ssotest.Server, p *sso.Provider)
		// complete calls Complete; nil means with the flow, redirect URL and code of the sign-in.
		complete func(c *sso.Client, p sso.Provider, f sso.Flow, code string) error
		want     error
		detail   string // in the error's text
		tokenErr string // in the last error the fake's token endpoint answered
	}{
		{name: "wrong nonce", want: sso.ErrNonceMismatch,
			setup: func(fake *ssotest.Server, p *sso.Provider) {
				fake.SetKnobs(ssotest.Knobs{Nonce: "another sign-in's nonce"})
			}},
		{name: "wrong audience", want: sso.ErrInvalidToken, detail: "audience",
			setup: func(fake *ssotest.Server, p *sso.Provider) { fake.SetKnobs(ssotest.Knobs{Audience: "another-client"}) }},
		{name: "wrong issuer", want: sso.ErrInvalidToken, detail: "different provider",
			setup: func(fake *ssotest.Server, p *sso.Provider) {
				fake.SetKnobs(ssotest.Knobs{Issuer: "https://impostor.example"})
			}},
		{name: "expired", want: sso.ErrTokenExpired,
			setup: func(fake *ssotest.Server, p *sso.Provider) { fake.SetKnobs(ssotest.Knobs{Expired: true}) }},
		{name: "bad signature", want: sso.ErrInvalidToken, detail: "signature",
			setup: func(fake *ssotest.Server, p *sso.Provider) { fake.SetKnobs(ssotest.Knobs{ForeignKey: true}) }},
		{name: "e-mail not verified", want: sso.ErrEmailNotVerified,
			setup: func(fake *ssotest.Server, p *sso.Provider) {
				fake.SetUser(ssotest.User{Subject: "s1", Email: "ann@riverside.org", EmailVerified: false})
			}},
		{name: "no e-mail", want: sso.ErrEmailMissing,
			setup: func(fake *ssotest.Server, p *sso.Provider) { fake.SetUser(ssotest.User{Subject: "s1"}) }},
		{name: "domain not allowed", want: sso.ErrDomainNotAllowed,
			setup: func(fake *ssotest.Server, p *sso.Provider) {
				fake.SetUser(ssotest.User{Subject: "s1", Email: "ann@gmail.example", EmailVerified: true})
				p.EmailDomains = []string{"riverside.org"}
			}},
		{name: "subdomain is another domain", want: sso.ErrDomainNotAllowed,
			setup: func(fake *ssotest.Server, p *sso.Provider) {
				fake.SetUser(ssotest.User{Subject: "s1", Email: "ann@evil.riverside.org", EmailVerified: true})
				p.EmailDomains = []string{"riverside.org"}
			}},
		{name: "wrong PKCE verifier", want: sso.ErrExchange, detail: "invalid_grant",
			tokenErr: "code_verifier does not match",
			complete: func(c *sso.Client, p sso.Provider, f sso.Flow, code string) error {
				// Change the first character (to "A", or to "B" when it is "A" already: one
				// verifier in 64 starts with "A", and the test then sent the right one).
				first := "A"
				if f.PKCEVerifier[0] == 'A' {
					first = "B"
				}
				f.PKCEVerifier = first + f.PKCEVerifier[1:]
				_, err := c.Complete(ctx, p, f, redirectURL, code)
				return err
			}},
		{name: "code reused", want: sso.ErrExchange, detail: "invalid_grant", tokenErr: "used already",
			complete: func(c *sso.Client, p sso.Provider, f sso.Flow, code string) error {
				if _, err := c.Complete(ctx, p, f, redirectURL, code); err != nil {
					return errors.New("the first use failed: " + err.Error())
				}
				_, err := c.Complete(ctx, p, f, redirectURL, code)
				return err
			}},
		{name: "wrong client secret", want: sso.ErrExchange, detail: "invalid_client", tokenErr: "wrong secret",
			setup: func(fake *ssotest.Server, p *sso.Provider) { p.ClientSecret = "guessed" }},
		{name: "another redirect URL", want: sso.ErrExchange, tokenErr: "redirect_uri differs",
			complete: func(c *sso.Client, p sso.Provider, f sso.Flow, code string) error {
				_, err := c.Complete(ctx, p, f, "http://127.0.0.1:1/elsewhere", code)
				return err
			}},
		{name: "no code", want: sso.ErrExchange,
			complete: func(c *sso.Client, p sso.Provider, f sso.Flow, code string) error {
				_, err := c.Complete(ctx, p, f, redirectURL, "")
				return err
			}},
		{name: "no flow", want: sso.ErrNonceMismatch,
			complete: func(c *sso.Client, p sso.Provider, f sso.Flow, code string) error {
				_, err := c.Complete(ctx, p, sso.Flow{}, redirectURL, code)
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := ssotest.New(t)
			p := fake.Provider()
			if tt.setup != nil {
				tt.setup(fake, &p)
			}
			c := sso.NewClient(sso.Options{})
			f, code := signIn(t, c, p)
			var err error
			if tt.complete != nil {
				err = tt.complete(c, p, f, code)
			} else {
				var id sso.Identity
				id, err = c.Complete(ctx, p, f, redirectURL, code)
				if err == nil {
					t.Fatalf("Complete = %+v, want an error", id)
				}
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Complete = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.detail) {
				t.Errorf("Complete = %q, want it to say %q", err, tt.detail)
			}
			if tt.tokenErr != "" {
				errs := fake.TokenErrors()
				if len(errs) == 0 || !strings.Contains(errs[len(errs)-1], tt.tokenErr) {
					t.Errorf("token endpoint errors %q, want the last to say %q", errs, tt.tokenErr)
				}
			}
			for _, s := range []string{f.Nonce, f.PKCEVerifier, code, fake.ClientSecret, "ann@"} {
				if strings.Contains(err.Error(), s) {
					t.Errorf("the error %q gives away a secret or an e-mail", err)
				}
			}
		})
	}
}

// The same fake and client, told to behave again, sign in: the failures above are the knobs',
// not the harness's.
func TestKnobsReset(t *testing.T) {
	fake := ssotest.New(t)
	c := sso.NewClient(sso.Options{})
	fake.SetKnobs(ssotest.Knobs{ForeignKey: true})
	f, code := signIn(t, c, fake.Provider())
	if _, err := c.Complete(ctx, fake.Provider(), f, redirectURL, code); !errors.Is(err, sso.ErrInvalidToken) {
		t.Fatalf("Complete with a foreign key = %v", err)
	}
	fake.SetKnobs(ssotest.Knobs{})
	fake.SetUser(ssotest.User{Subject: "s2", Email: "bo@riverside.org", EmailVerified: true})
	f, code = signIn(t, c, fake.Provider("@Riverside.org"))
	id, err := c.Complete(ctx, fake.Provider("@Riverside.org"), f, redirectURL, code)
	if err != nil || id.Subject != "s2" || id.Email != "bo@riverside.org" {
		t.Fatalf("Complete after the knobs were reset = %+v, %v", id, err)
	}
}

func TestAuthorizeEndpointChecks(t *testing.T) {
	fake := ssotest.New(t)
	fake.AllowRedirectURI(redirectURL)
	c := sso.NewClient(sso.Options{})
	get := func(p sso.Provider, redirect string) *http.Response {
		t.Helper()
		authURL, _, _, err := c.Begin(ctx, p, redirect)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := noRedirects.Get(authURL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	wrong := fake.Provider()
	wrong.ClientID = "someone-else"
	if resp := get(wrong, redirectURL); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown client: %d, want 400", resp.StatusCode)
	}
	if resp := get(fake.Provider(), "http://127.0.0.1:1/not-registered"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("unregistered redirect URI: %d, want 400", resp.StatusCode)
	}
	fake.SetKnobs(ssotest.Knobs{Deny: true})
	resp := get(fake.Provider(), redirectURL)
	loc, _ := resp.Location()
	if resp.StatusCode != http.StatusFound || loc == nil || loc.Query().Get("error") != "access_denied" || loc.Query().Get("code") != "" {
		t.Errorf("denied: %d to %v, want a redirect with error=access_denied and no code", resp.StatusCode, loc)
	}
}

func TestDiscoveryCache(t *testing.T) {
	fake := ssotest.New(t)
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	c := sso.NewClient(sso.Options{DiscoveryTTL: time.Hour, Now: func() time.Time { return time.Unix(0, now.Load()) }})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, _, _, err := c.Begin(ctx, fake.Provider(), redirectURL); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	first := fake.Hits("/.well-known/openid-configuration")
	if first < 1 || first > 8 {
		t.Fatalf("discovery read %d times by 8 concurrent Begins", first)
	}
	for range 5 {
		c.Begin(ctx, fake.Provider(), redirectURL)
	}
	if n := fake.Hits("/.well-known/openid-configuration"); n != first {
		t.Errorf("discovery read %d times after warm Begins, want %d (cached)", n, first)
	}
	now.Add(int64(time.Hour))
	c.Begin(ctx, fake.Provider(), redirectURL)
	if n := fake.Hits("/.well-known/openid-configuration"); n != first+1 {
		t.Errorf("discovery read %d times after the TTL passed, want %d", n, first+1)
	}
}

func TestDiscoveryErrors(t *testing.T) {
	c := sso.NewClient(sso.Options{HTTPClient: &http.Client{Timeout: 5 * time.Second}})
	fake := ssotest.New(t)
	for name, issuer := range map[string]string{
		"nothing listening": "http://127.0.0.1:1",
		"issuer mismatch":   fake.Issuer() + "/", // the document names the issuer without the slash
		"no document":       fake.Issuer() + "/tenant",
	} {
		p := fake.Provider()
		p.Issuer = issuer
		_, _, _, err := c.Begin(ctx, p, redirectURL)
		if !errors.Is(err, sso.ErrDiscovery) {
			t.Errorf("%s: Begin = %v, want ErrDiscovery", name, err)
		}
		_, err = c.Complete(ctx, p, sso.Flow{Nonce: "n", PKCEVerifier: "v"}, redirectURL, "code")
		if !errors.Is(err, sso.ErrDiscovery) {
			t.Errorf("%s: Complete = %v, want ErrDiscovery", name, err)
		}
	}
}
