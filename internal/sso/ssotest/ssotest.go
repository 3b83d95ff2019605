// Package ssotest is a fake OpenID Connect provider for tests: an httptest server with
// discovery, a key set, an authorization endpoint that signs the configured user in at once (no
// login page) and a token endpoint that checks what a real provider checks (client, redirect
// URI, single-use code, PKCE) and issues RS256 ID tokens. Knobs make it issue wrong tokens, for
// negative tests.
//
// A web test points an identity provider at Issuer() with ClientID and ClientSecret, registers
// its callback with AllowRedirectURI, and lets an http.Client follow the redirects: the
// application's sign-in URL → /authorize → the application's callback with code and state.
package ssotest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/openiep/openiep/internal/sso"
)

// User is who the fake signs in at its authorization endpoint.
type User struct {
	Subject       string
	Email         string // empty: no email claim
	EmailVerified bool
	// DomainOwnerVerified sends Microsoft's xms_edov claim, true (and email_verified not at
	// all, as Entra ID does).
	DomainOwnerVerified bool
	Name                string
}

// DefaultUser is the user a new Server signs in until SetUser.
var DefaultUser = User{Subject: "fake-subject-1", Email: "ada.admin@riverside.example", EmailVerified: true, Name: "Ada Admin"}

// Knobs make the fake misbehave. The zero value behaves. The ID-token knobs apply to tokens
// issued after they are set; Deny applies at the authorization endpoint.
type Knobs struct {
	Audience   string // the aud claim instead of the client id
	Issuer     string // the iss claim instead of the issuer
	Nonce      string // the nonce claim instead of the one the authorization request carried
	Expired    bool   // exp an hour in the past (iat two hours)
	ForeignKey bool   // sign with a key the key set does not publish (under the published key id)
	Deny       bool   // /authorize sends the browser back with error=access_denied
}

// Server is a running fake provider. ClientID and ClientSecret are the only client it knows;
// change them, if at all, before the first request.
type Server struct {
	ClientID     string
	ClientSecret string

	srv *httptest.Server
	key *rsa.PrivateKey

	mu          sync.Mutex
	user        User
	knobs       Knobs
	redirects   []string
	grants      map[string]grant
	hits        map[string]int
	tokenErrors []string
}

// grant is an issued, unused authorization code.
type grant struct {
	redirectURI string
	challenge   string
	nonce       string
	user        User
}

const keyID = "ssotest-key-1"

// keys are made once per test binary: an RSA key is slow to generate under the race detector.
var keys = sync.OnceValues(func() (*rsa.PrivateKey, *rsa.PrivateKey) {
	a, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	b, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return a, b
})

// New starts a fake provider, stopped when the test ends. It signs DefaultUser in until
// SetUser, and accepts any http(s) redirect URI until AllowRedirectURI names one.
func New(t testing.TB) *Server {
	t.Helper()
	key, _ := keys()
	s := &Server{ClientID: "ssotest-client", ClientSecret: "ssotest-secret " + randomString(8), key: key,
		user: DefaultUser, grants: map[string]grant{}, hits: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", s.discovery)
	mux.HandleFunc("GET /jwks", s.jwks)
	mux.HandleFunc("GET /authorize", s.authorize)
	mux.HandleFunc("POST /token", s.token)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		s.mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// Issuer returns the fake's issuer URL (http://127.0.0.1:port).
func (s *Server) Issuer() string { return s.srv.URL }

// Provider returns the sso.Provider for this fake, with the given allowed e-mail domains.
func (s *Server) Provider(emailDomains ...string) sso.Provider {
	return sso.Provider{Issuer: s.Issuer(), ClientID: s.ClientID, ClientSecret: s.ClientSecret, EmailDomains: emailDomains}
}

// SetUser sets who the authorization endpoint signs in from now on.
func (s *Server) SetUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.user = u
}

// SetKnobs sets how the fake misbehaves from now on (Knobs{} to behave again).
func (s *Server) SetKnobs(k Knobs) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.knobs = k
}

// AllowRedirectURI registers a redirect URI; once any is registered, the authorization endpoint
// refuses the others (as real providers do).
func (s *Server) AllowRedirectURI(uri string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.redirects = append(s.redirects, uri)
}

// Hits returns how many requests the fake served at path (e.g.
// "/.well-known/openid-configuration", "/jwks", "/authorize", "/token").
func (s *Server) Hits(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// TokenErrors returns, in order, the errors the token endpoint answered: "error: description".
func (s *Server) TokenErrors() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.tokenErrors)
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request) {
	iss := s.Issuer()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                iss,
		"authorization_endpoint":                iss + "/authorize",
		"token_endpoint":                        iss + "/token",
		"jwks_uri":                              iss + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported":                      []string{"iss", "sub", "aud", "exp", "iat", "nonce", "email", "email_verified", "xms_edov", "name"},
	})
}

func (s *Server) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &s.key.PublicKey, KeyID: keyID, Algorithm: string(jose.RS256), Use: "sig"},
	}})
}

// authorize checks the request as a provider does: an unknown client or redirect URI gets a
// plain 400 (never a redirect); anything else wrong goes back to the redirect URI as an error.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != s.ClientID {
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	}
	redirect := q.Get("redirect_uri")
	u, err := url.Parse(redirect)
	s.mu.Lock()
	allowed := len(s.redirects) == 0 || slices.Contains(s.redirects, redirect)
	s.mu.Unlock()
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Fragment != "" || !allowed {
		http.Error(w, "redirect_uri is not registered for this client", http.StatusBadRequest)
		return
	}
	back := func(params url.Values) {
		params.Set("state", q.Get("state"))
		v := u.Query()
		for k, vs := range params {
			v[k] = vs
		}
		u.RawQuery = v.Encode()
		http.Redirect(w, r, u.String(), http.StatusFound)
	}
	fail := func(code, desc string) { back(url.Values{"error": {code}, "error_description": {desc}}) }
	s.mu.Lock()
	user, knobs := s.user, s.knobs
	s.mu.Unlock()
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "response_type must be code")
	case !slices.Contains(strings.Fields(q.Get("scope")), "openid"):
		fail("invalid_scope", "scope must include openid")
	case q.Get("code_challenge_method") != "S256" || len(q.Get("code_challenge")) != 43:
		fail("invalid_request", "a PKCE code_challenge with code_challenge_method S256 is required")
	case q.Get("state") == "":
		fail("invalid_request", "state is required")
	case knobs.Deny:
		fail("access_denied", "the user declined")
	default:
		code := randomString(24)
		s.mu.Lock()
		s.grants[code] = grant{redirectURI: redirect, challenge: q.Get("code_challenge"), nonce: q.Get("nonce"), user: user}
		s.mu.Unlock()
		back(url.Values{"code": {code}})
	}
}

// token exchanges a code for an access token and an ID token. The client authenticates with
// HTTP basic or in the form; the code is spent by its first presentation by the right client.
func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.tokenError(w, http.StatusBadRequest, "invalid_request", "the body is not a form")
		return
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id != s.ClientID || secret != s.ClientSecret {
		w.Header().Set("WWW-Authenticate", `Basic realm="ssotest"`)
		s.tokenError(w, http.StatusUnauthorized, "invalid_client", "unknown client or wrong secret")
		return
	}
	if r.PostForm.Get("grant_type") != "authorization_code" {
		s.tokenError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be authorization_code")
		return
	}
	code := r.PostForm.Get("code")
	s.mu.Lock()
	g, ok := s.grants[code]
	delete(s.grants, code)
	knobs := s.knobs
	s.mu.Unlock()
	switch {
	case !ok:
		s.tokenError(w, http.StatusBadRequest, "invalid_grant", "the code is unknown or was used already")
		return
	case r.PostForm.Get("redirect_uri") != g.redirectURI:
		s.tokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri differs from the authorization request's")
		return
	case challenge(r.PostForm.Get("code_verifier")) != g.challenge:
		s.tokenError(w, http.StatusBadRequest, "invalid_grant", "the code_verifier does not match the code_challenge")
		return
	}
	idToken, err := s.idToken(g, knobs)
	if err != nil {
		s.tokenError(w, http.StatusInternalServerError, "server_error", err.Error())
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": randomString(24), "token_type": "Bearer",
		"expires_in": 3600, "id_token": idToken})
}

func (s *Server) tokenError(w http.ResponseWriter, status int, code, desc string) {
	s.mu.Lock()
	s.tokenErrors = append(s.tokenErrors, code+": "+desc)
	s.mu.Unlock()
	writeJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// idToken signs the ID token of a grant, as the knobs say.
func (s *Server) idToken(g grant, k Knobs) (string, error) {
	now := time.Now()
	claims := map[string]any{
		"iss": s.Issuer(), "sub": g.user.Subject, "aud": s.ClientID,
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	}
	if g.nonce != "" {
		claims["nonce"] = g.nonce
	}
	if g.user.Email != "" {
		claims["email"] = g.user.Email
		claims["email_verified"] = g.user.EmailVerified
	}
	if g.user.DomainOwnerVerified {
		delete(claims, "email_verified")
		claims["xms_edov"] = true
	}
	if g.user.Name != "" {
		claims["name"] = g.user.Name
	}
	if k.Audience != "" {
		claims["aud"] = k.Audience
	}
	if k.Issuer != "" {
		claims["iss"] = k.Issuer
	}
	if k.Nonce != "" {
		claims["nonce"] = k.Nonce
	}
	if k.Expired {
		claims["iat"], claims["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
	}
	key := crypto.Signer(s.key)
	if k.ForeignKey {
		_, key = keys()
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: keyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// challenge is the PKCE S256 challenge of a verifier.
func challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // a client that went away is not the fake's problem
}
