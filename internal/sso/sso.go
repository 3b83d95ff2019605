// Package sso signs staff in with OpenID Connect (the authorization code flow with PKCE and a
// nonce), against the identity providers districts use: Google, Microsoft, Clever, ClassLink.
//
// A sign-in is two requests. Begin returns the provider's authorization URL, the random state
// to put in it and a Flow (nonce, PKCE verifier) for the caller to keep, stored under the hash
// of the state (HashState) with store.Tx.CreateSSOFlow. The provider sends the browser back to
// the redirect URL with a code and the state; the caller takes the flow back by the state's hash
// (store.Tx.TakeSSOFlow, single use) and calls Complete, which exchanges the code, verifies the
// ID token and returns who signed in. Deciding which account that is (store.AccountIDByIdentity,
// store.Tx.LinkIdentity) is the caller's business.
//
// The package does network I/O (discovery, the key set, the token exchange) and never logs:
// errors carry ids and reasons, never e-mails, names, codes or tokens.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Provider is one identity provider as the sign-in needs it. ClientSecret is in the clear (the
// caller opens the sealed one from the store). Scopes empty means DefaultScopes; "openid" is
// always requested. EmailDomains empty allows any domain; otherwise the e-mail's domain must be
// one of them exactly (case-insensitive; a subdomain is another domain).
type Provider struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	Scopes       []string
	EmailDomains []string
}

// DefaultScopes are requested when a Provider names none: enough for the subject, a verified
// e-mail and a name.
var DefaultScopes = []string{oidc.ScopeOpenID, "email", "profile"}

// Flow is what must be kept, on the server, between Begin and Complete: the nonce the ID token
// must carry and the PKCE verifier of the code. Store it under HashState(state), never with the
// state itself.
type Flow struct {
	Nonce        string
	PKCEVerifier string
}

// Identity is who signed in: the provider's stable user id (Subject; the key to link an
// account by), the verified e-mail address in lower case, and the display name (may be empty).
type Identity struct {
	Subject string
	Email   string
	Name    string
}

// The errors of Begin and Complete. Each error returned wraps exactly one of them (test with
// errors.Is), so that the web layer can say what went wrong; the wrapping text adds detail for
// the operator's log and names no person.
var (
	ErrDiscovery        = errors.New("sso: the identity provider's configuration could not be read")
	ErrExchange         = errors.New("sso: the identity provider refused the sign-in code")
	ErrInvalidToken     = errors.New("sso: the identity provider's ID token is not valid")
	ErrTokenExpired     = errors.New("sso: the identity provider's ID token has expired")
	ErrNonceMismatch    = errors.New("sso: the ID token does not belong to this sign-in")
	ErrEmailMissing     = errors.New("sso: the identity provider gave no e-mail address")
	ErrEmailNotVerified = errors.New("sso: the identity provider has not verified the e-mail address")
	ErrDomainNotAllowed = errors.New("sso: the e-mail address is not of a domain this district allows")
)

// DiscoveryTTL is how long a Client keeps a provider's discovery document (and with it the
// provider's signing keys, which are fetched again sooner when a token names an unknown key).
const DiscoveryTTL = time.Hour

// Options configure a Client. The zero value is ready to use.
type Options struct {
	// HTTPClient makes every request to the providers; default: a client with a 15-second
	// timeout.
	HTTPClient *http.Client
	// DiscoveryTTL is how long a provider's discovery is cached; default DiscoveryTTL.
	DiscoveryTTL time.Duration
	// Now is the clock for the cache and for the ID token's expiry; default time.Now.
	Now func() time.Time
}

// Client begins and completes sign-ins. It caches each provider's discovery by issuer. It is
// safe for concurrent use; make one per process.
type Client struct {
	http *http.Client
	ttl  time.Duration
	now  func() time.Time

	mu    sync.Mutex
	cache map[string]discovered
}

type discovered struct {
	p         *oidc.Provider
	authStyle oauth2.AuthStyle
	at        time.Time
}

// NewClient returns a Client.
func NewClient(opt Options) *Client {
	c := &Client{http: opt.HTTPClient, ttl: opt.DiscoveryTTL, now: opt.Now, cache: map[string]discovered{}}
	if c.http == nil {
		c.http = &http.Client{Timeout: 15 * time.Second}
	}
	if c.ttl <= 0 {
		c.ttl = DiscoveryTTL
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// discover returns the provider of issuer from the cache, or reads its discovery document (and
// checks that it names the same issuer). Two requests that miss at once may both read it.
func (c *Client) discover(ctx context.Context, issuer string) (discovered, error) {
	now := c.now()
	c.mu.Lock()
	d, ok := c.cache[issuer]
	c.mu.Unlock()
	if ok && now.Sub(d.at) < c.ttl {
		return d, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, c.http), issuer)
	if err != nil {
		return discovered{}, fmt.Errorf("%w: %s: %v", ErrDiscovery, issuer, err)
	}
	var meta struct {
		AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
	}
	if err := p.Claims(&meta); err != nil {
		return discovered{}, fmt.Errorf("%w: %s: %v", ErrDiscovery, issuer, err)
	}
	d = discovered{p: p, authStyle: authStyle(meta.AuthMethods), at: now}
	c.mu.Lock()
	c.cache[issuer] = d
	c.mu.Unlock()
	return d, nil
}

// authStyle picks how the client authenticates at the token endpoint from what the provider
// supports: HTTP basic (client_secret_basic, OpenID Connect's default when the provider says
// nothing) when it can, else the form (client_secret_post). Choosing, rather than letting oauth2
// try one and then the other, keeps a refused code from being presented twice.
func authStyle(methods []string) oauth2.AuthStyle {
	if len(methods) == 0 || slices.Contains(methods, "client_secret_basic") {
		return oauth2.AuthStyleInHeader
	}
	if slices.Contains(methods, "client_secret_post") {
		return oauth2.AuthStyleInParams
	}
	return oauth2.AuthStyleInHeader
}

func (c *Client) config(d discovered, p Provider, redirectURL string) *oauth2.Config {
	scopes := p.Scopes
	if len(scopes) == 0 {
		scopes = DefaultScopes
	}
	if !slices.Contains(scopes, oidc.ScopeOpenID) {
		scopes = append([]string{oidc.ScopeOpenID}, scopes...)
	}
	ep := d.p.Endpoint()
	ep.AuthStyle = d.authStyle
	if p.ClientSecret == "" {
		ep.AuthStyle = oauth2.AuthStyleInParams // a public client sends its id alone
	}
	return &oauth2.Config{ClientID: p.ClientID, ClientSecret: p.ClientSecret, Endpoint: ep,
		RedirectURL: redirectURL, Scopes: scopes}
}

// Begin starts a sign-in with p: it returns the URL to send the browser to, the state that URL
// carries, and the Flow to keep under HashState(state) until the browser comes back to
// redirectURL (which must be registered with the provider, and passed to Complete unchanged).
// The state and nonce are 32 random bytes each (base64url); the code is bound to a PKCE S256
// challenge. Errors: ErrDiscovery.
func (c *Client) Begin(ctx context.Context, p Provider, redirectURL string) (authURL string, f Flow, state string, err error) {
	d, err := c.discover(ctx, p.Issuer)
	if err != nil {
		return "", Flow{}, "", err
	}
	state, f.Nonce = randomToken(), randomToken()
	f.PKCEVerifier = oauth2.GenerateVerifier()
	authURL = c.config(d, p, redirectURL).AuthCodeURL(state, oidc.Nonce(f.Nonce),
		oauth2.S256ChallengeOption(f.PKCEVerifier))
	return authURL, f, state, nil
}

// randomToken returns 32 random bytes in unpadded base64url.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // crypto/rand.Read never fails and fills b (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashState returns the SHA-256 of a state in lower-case hex: the key a Flow is stored under
// (the same as auth.HashToken).
func HashState(state string) string {
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:])
}

// Complete finishes a sign-in with p: it exchanges code (from the redirect) with the flow's
// PKCE verifier at the provider's token endpoint, verifies the ID token (signature by the
// provider's published keys, issuer, audience = p.ClientID, expiry), checks that it carries the
// flow's nonce, and requires an e-mail address the provider has verified (email_verified, or
// Microsoft's xms_edov), of one of p.EmailDomains when any are set. redirectURL must be the one
// given to Begin. The caller must have checked the state (by taking the flow with
// HashState(state)) before calling it.
//
// Errors (see the variables): ErrDiscovery, ErrExchange, ErrInvalidToken, ErrTokenExpired,
// ErrNonceMismatch, ErrEmailMissing, ErrEmailNotVerified, ErrDomainNotAllowed.
func (c *Client) Complete(ctx context.Context, p Provider, f Flow, redirectURL, code string) (Identity, error) {
	if code == "" {
		return Identity{}, fmt.Errorf("%w: the redirect carried no code", ErrExchange)
	}
	if f.Nonce == "" || f.PKCEVerifier == "" {
		return Identity{}, fmt.Errorf("%w: the pending sign-in has no nonce or verifier", ErrNonceMismatch)
	}
	d, err := c.discover(ctx, p.Issuer)
	if err != nil {
		return Identity{}, err
	}
	tok, err := c.config(d, p, redirectURL).Exchange(oidc.ClientContext(ctx, c.http), code,
		oauth2.VerifierOption(f.PKCEVerifier))
	if err != nil {
		return Identity{}, exchangeError(p.Issuer, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Identity{}, fmt.Errorf("%w: %s returned no id_token", ErrInvalidToken, p.Issuer)
	}
	idt, err := d.p.Verifier(&oidc.Config{ClientID: p.ClientID, Now: c.now}).Verify(ctx, raw)
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return Identity{}, fmt.Errorf("%w: it expired at %s", ErrTokenExpired, expired.Expiry.UTC().Format(time.RFC3339))
		}
		return Identity{}, fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	if idt.Subject == "" {
		return Identity{}, fmt.Errorf("%w: it names no subject", ErrInvalidToken)
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(f.Nonce)) != 1 {
		return Identity{}, ErrNonceMismatch
	}
	var claims struct {
		Email         string   `json:"email"`
		EmailVerified flexBool `json:"email_verified"`
		// Microsoft Entra ID sends no email_verified; its optional claim xms_edov ("e-mail
		// domain owner verified") is true when the address's domain is verified by the tenant
		// that owns it, which is what email_verified means for a work account.
		DomainOwnerVerified flexBool `json:"xms_edov"`
		Name                string   `json:"name"`
	}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("%w: its claims: %v", ErrInvalidToken, err)
	}
	email := strings.ToLower(strings.TrimSpace(claims.Email))
	at := strings.LastIndexByte(email, '@')
	if email == "" {
		return Identity{}, ErrEmailMissing
	}
	if at < 1 || at == len(email)-1 {
		return Identity{}, fmt.Errorf("%w: the e-mail claim is not an address", ErrInvalidToken)
	}
	if !claims.EmailVerified && !claims.DomainOwnerVerified {
		return Identity{}, ErrEmailNotVerified
	}
	if !domainAllowed(email[at+1:], p.EmailDomains) {
		return Identity{}, ErrDomainNotAllowed
	}
	return Identity{Subject: idt.Subject, Email: email, Name: strings.TrimSpace(claims.Name)}, nil
}

// exchangeError wraps a failed token exchange in ErrExchange with the provider's OAuth error
// code (invalid_grant…), never the response body.
func exchangeError(issuer string, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code := re.ErrorCode
		if code == "" && re.Response != nil {
			code = re.Response.Status
		}
		return fmt.Errorf("%w: %s answered %s", ErrExchange, issuer, code)
	}
	return fmt.Errorf("%w: %s: %v", ErrExchange, issuer, err)
}

// domainAllowed reports whether domain is one of allowed (compared in lower case, a leading
// '@' ignored), or allowed is empty.
func domainAllowed(domain string, allowed []string) bool {
	if len(allowed) == 0 {
		return true
	}
	for _, a := range allowed {
		if strings.ToLower(strings.TrimPrefix(strings.TrimSpace(a), "@")) == domain {
			return true
		}
	}
	return false
}

// flexBool is a JSON boolean that some providers send as the string "true" or "false".
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "true", `"true"`:
		*b = true
	case "false", `"false"`, "null":
		*b = false
	default:
		return errors.New("email_verified is not a boolean")
	}
	return nil
}
