package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/iep"
)

// Single sign-on for staff (OpenID Connect; internal/app/sso.go). The sign-in page has a
// second button, "Sign in with your school account", in the same form: it posts the e-mail
// address typed (and any carried form) to /signin/sso, which picks the district's provider by
// the address's domain — one field for every district of a state, no list of buttons — or asks
// which one when several districts use the domain. The browser goes to the provider and comes
// back to /signin/sso/{provider}/callback.
//
// The way to the provider is a page that sends the browser on with a Refresh header and a link,
// not a redirect: the pages' Content-Security-Policy says form-action 'self', and Chromium
// applies form-action to the redirects that follow a form's submission too.

// ssoCookie holds the browser's binding to its pending sign-ins (app.SSOBegun.Binding): only
// the browser that began a sign-in can finish it. HttpOnly, SameSite=Lax (sent on the
// provider's top-level redirect back), only to /signin/sso, for as long as a sign-in may take.
const ssoCookie = "openiep_sso"

func init() {
	pageFiles["signin"] = append(pageFiles["signin"], "sso_signin.html")
	pageFiles["sso_start"] = []string{"sso_start.html", "carry.html"}
	pageFiles["sso_continue"] = []string{"sso_continue.html"}
	pageFiles["sso_refused"] = []string{"sso_refused.html", "carry.html"}
}

func (s *server) ssoRoutes() []route {
	return []route{
		{"POST /signin/sso", public, s.ssoStart},
		{"GET /signin/sso/{provider}/callback", public, s.ssoCallback},
	}
}

// ssoOffered reports whether the sign-in page offers single sign-on: whether any district has
// an enabled provider. A failure to tell is logged and hides the button.
func (s *server) ssoOffered(r *http.Request) bool {
	ok, err := s.svc.SSOOffered(r.Context())
	if err != nil {
		s.log.ErrorContext(r.Context(), "is single sign-on offered", "err", err)
	}
	return ok
}

// ssoCarry is what a single sign-on keeps, on the server, across the round trip: the form
// being submitted when the session ended, the page to go to next, and the address typed (to
// show again if the sign-in is refused).
type ssoCarry struct {
	To    string `json:"to,omitempty"`
	Form  string `json:"form,omitempty"`
	Next  string `json:"next,omitempty"`
	Email string `json:"email,omitempty"`
}

func (c ssoCarry) carried() carried {
	if c.To == "" {
		return carried{}
	}
	return carried{To: localPath(c.To), Form: c.Form}
}

// ssoStartPage asks for the school e-mail address, or which provider when several districts
// sign in its domain.
type ssoStartPage struct {
	Base
	Email   string
	Next    string
	Carry   carried
	Error   string // about the e-mail field: a catalog key, then its message in the reader's language
	Domain  string // the address's domain, for the message that no provider signs it in
	Choices []app.SSOChoice
}

// ssoStart serves POST /signin/sso: from the sign-in page (e-mail), from the choice of
// providers (choice = "district provider"), or from a refusal (try again, or back to the
// password).
func (s *server) ssoStart(w http.ResponseWriter, r *http.Request) error {
	p := ssoStartPage{Email: strings.TrimSpace(r.PostFormValue("email")), Next: localPath(r.PostFormValue("next")),
		Carry: carriedFrom(r)}
	if r.PostFormValue("back") != "" {
		return s.renderSignIn(w, r, http.StatusOK, signInForm{Email: p.Email, Carry: p.Carry, Next: p.Next})
	}
	if district, provider, ok := strings.Cut(r.PostFormValue("choice"), " "); ok {
		return s.ssoBegin(w, r, district, provider, p)
	}
	if !r.PostForm.Has("email") {
		return s.renderSSOStart(w, r, http.StatusOK, p)
	}
	choices, err := s.svc.SSOChoicesFor(r.Context(), p.Email)
	var e *iep.Error
	switch {
	case errors.As(err, &e) && e.Kind == iep.KindInvalid:
		p.Error = "sso.email_invalid"
		if p.Email == "" {
			p.Error = "sso.email_required"
		}
		return s.renderSSOStart(w, r, http.StatusUnprocessableEntity, p)
	case err != nil:
		return err
	case len(choices) == 0:
		p.Error, p.Domain = "sso.no_provider", strings.ToLower(p.Email[strings.LastIndexByte(p.Email, '@')+1:])
		return s.renderSSOStart(w, r, http.StatusUnprocessableEntity, p)
	case len(choices) == 1:
		return s.ssoBegin(w, r, choices[0].DistrictID, choices[0].ProviderID, p)
	}
	p.Choices = choices
	return s.renderSSOStart(w, r, http.StatusOK, p)
}

func (s *server) renderSSOStart(w http.ResponseWriter, r *http.Request, status int, p ssoStartPage) error {
	p.Base = s.base(w, r)
	p.Title = p.T("sso.start_title")
	switch {
	case p.Domain != "":
		p.Error = p.T(p.Error, p.Domain)
	case p.Error != "":
		p.Error = p.T(p.Error)
	}
	return s.render(w, status, "sso_start", &p)
}

// ssoContinuePage sends the browser on to the provider.
type ssoContinuePage struct {
	Base
	URL      string
	Provider string
}

// ssoBegin starts a sign-in with a district's provider and sends the browser there.
func (s *server) ssoBegin(w http.ResponseWriter, r *http.Request, district, provider string, p ssoStartPage) error {
	c := ssoCarry{To: p.Carry.To, Form: p.Carry.Form, Next: p.Next, Email: p.Email}
	var carry strings.Builder
	enc := json.NewEncoder(&carry)
	enc.SetEscapeHTML(false) // a form's & would take six bytes each
	if err := enc.Encode(c); err != nil {
		return err
	}
	var binding string
	if ck, err := r.Cookie(ssoCookie); err == nil {
		binding = ck.Value
	}
	b, err := s.svc.BeginSSO(r.Context(), app.SSOStart{DistrictID: district, ProviderID: provider, Carry: carry.String(),
		Binding: binding, LoginHint: p.Email, Address: clientAddress(r)})
	var ref *app.SSORefusal
	if errors.As(err, &ref) {
		return s.ssoRefused(w, r, ref, c)
	}
	var th *app.ThrottledError
	if errors.As(err, &th) {
		f := signInForm{Email: p.Email, Carry: p.Carry, Next: p.Next}
		f.Error = s.base(w, r).T("signin.throttled", int(th.Wait.Round(time.Second)/time.Second))
		return s.renderSignIn(w, r, http.StatusTooManyRequests, f)
	}
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: ssoCookie, Value: b.Binding, Path: "/signin/sso", MaxAge: int(app.SSOFlowTTL / time.Second),
		HttpOnly: true, Secure: r.TLS != nil || s.secureCookies, SameSite: http.SameSiteLaxMode})
	s.log.InfoContext(r.Context(), "single sign-on started", "district", district, "provider", provider)
	w.Header().Set("Refresh", "0; url="+b.URL)
	page := &ssoContinuePage{Base: s.base(w, r), URL: b.URL, Provider: b.ProviderName}
	page.Title = page.T("sso.going_title", b.ProviderName)
	return s.render(w, http.StatusOK, "sso_continue", page)
}

// ssoCallback serves GET /signin/sso/{provider}/callback: the provider sends the browser back
// with a code and the state, or an error. A signed-in browser gets the new session (a sign-in
// replaces the one before, as with a password); then the carried form is submitted, or the page
// asked for opens.
func (s *server) ssoCallback(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var binding string
	if ck, err := r.Cookie(ssoCookie); err == nil {
		binding = ck.Value
	}
	si, carry, err := s.svc.CompleteSSO(r.Context(), app.SSOReturn{ProviderID: r.PathValue("provider"),
		Code: q.Get("code"), State: q.Get("state"), Error: q.Get("error"), Binding: binding,
		Address: clientAddress(r), UserAgent: r.UserAgent()})
	var c ssoCarry
	if carry != "" {
		if jerr := json.Unmarshal([]byte(carry), &c); jerr != nil {
			c = ssoCarry{} // not ours: nothing to carry
		}
	}
	var ref *app.SSORefusal
	if errors.As(err, &ref) {
		return s.ssoRefused(w, r, ref, c)
	}
	if err != nil {
		return err
	}
	s.setSessionCookie(w, r, si.Token)
	s.log.InfoContext(r.Context(), "signed in", "account", si.Account.ID, "district", si.Account.DistrictID, "method", "sso")
	return s.afterSignIn(w, r, si, c.carried(), localPath(c.Next))
}

// ssoRefusedPage says why a single sign-on did not sign anyone in, and offers to try again or
// to sign in with a password, keeping the carried form either way.
type ssoRefusedPage struct {
	Base
	Reason string // the message's catalog key
	Email  string
	Next   string
	Carry  carried
	Choice string // "district provider" to try again with; empty: by the e-mail
}

// ssoRefused logs a refusal (ids and reason only; the app audits those about an account) and
// writes the refusal page, 401.
func (s *server) ssoRefused(w http.ResponseWriter, r *http.Request, ref *app.SSORefusal, c ssoCarry) error {
	s.log.InfoContext(r.Context(), "single sign-on refused", "reason", string(ref.Reason), "district", ref.DistrictID,
		"provider", ref.ProviderID, "account", ref.AccountID, "detail", ref.Detail)
	p := &ssoRefusedPage{Base: s.base(w, r), Reason: "sso.refused." + string(ref.Reason), Email: c.Email,
		Next: localPath(c.Next), Carry: c.carried()}
	if ref.DistrictID != "" && ref.ProviderID != "" {
		p.Choice = ref.DistrictID + " " + ref.ProviderID
	}
	p.Title = p.T("sso.refused_title")
	return s.render(w, http.StatusUnauthorized, "sso_refused", p)
}
