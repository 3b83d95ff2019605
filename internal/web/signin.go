package web

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/openiep/openiep/internal/app"
)

// signInForm is the sign-in page's data.
type signInForm struct {
	Base
	Email   string
	Next    string
	Carry   carried
	Error   string // what went wrong, in the reader's language
	Expired bool   // the session ended while a form was being filled in
	Notice  string // e.g. "you have signed out"
	SSO     bool   // some district offers single sign-on: show its button (sso.go)
}

// renderSignIn writes the sign-in page with status.
func (s *server) renderSignIn(w http.ResponseWriter, r *http.Request, status int, f signInForm) error {
	f.Base = s.base(w, r)
	f.Title = f.T("signin.title")
	f.SSO = s.ssoOffered(r)
	if f.Next == "" {
		f.Next = localPath(r.FormValue("next"))
	}
	return s.render(w, status, "signin", &f)
}

// signInPage serves GET /signin. A signed-in reader goes home.
func (s *server) signInPage(w http.ResponseWriter, r *http.Request) error {
	if si := signedIn(r); si != nil && si.Pending == app.PendingNone {
		http.Redirect(w, r, localPath(r.FormValue("next")), http.StatusSeeOther)
		return nil
	}
	f := signInForm{}
	if r.FormValue("signed_out") != "" {
		f.Notice = "signin.signed_out"
	}
	return s.renderSignIn(w, r, http.StatusOK, f)
}

// signIn serves POST /signin: e-mail and password, then the second factor when the account has
// one, then the carried form (if the session had ended while it was being filled in) or the page
// asked for.
func (s *server) signIn(w http.ResponseWriter, r *http.Request) error {
	f := signInForm{Email: r.PostFormValue("email"), Carry: carriedFrom(r), Next: localPath(r.PostFormValue("next"))}
	si, err := s.svc.SignIn(r.Context(), app.Credentials{Email: f.Email, Password: r.PostFormValue("password"),
		Address: clientAddress(r), UserAgent: r.UserAgent()})
	var th *app.ThrottledError
	switch {
	case errors.As(err, &th):
		b := s.base(w, r)
		f.Error = b.T("signin.throttled", int(th.Wait.Round(time.Second)/time.Second))
		return s.renderSignIn(w, r, http.StatusTooManyRequests, f)
	case errors.Is(err, app.ErrBadCredentials):
		f.Error = s.base(w, r).T("signin.bad_credentials")
		return s.renderSignIn(w, r, http.StatusUnauthorized, f)
	case err != nil:
		return err
	}
	s.setSessionCookie(w, r, si.Token)
	s.log.InfoContext(r.Context(), "signed in", "account", si.Account.ID, "district", si.Account.DistrictID)
	return s.afterSignIn(w, r, si, f.Carry, f.Next)
}

// afterSignIn sends a new session on: to the step it still lacks, or it submits the carried
// form, or it goes to next.
func (s *server) afterSignIn(w http.ResponseWriter, r *http.Request, si *app.SignedIn, c carried, next string) error {
	switch {
	case si.Pending == app.PendingTOTP:
		return s.renderCode(w, withSignedIn(r, si), http.StatusOK, c, nil)
	case si.Pending != app.PendingNone:
		http.Redirect(w, r, pendingURL(si.Pending)+"?next="+url.QueryEscape(next), http.StatusSeeOther)
		return nil
	case c.To != "":
		s.replay(w, r, si, c)
		return nil
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// codeForm is the second-factor page's data.
type codeForm struct {
	Base
	Next  string
	Carry carried
	Error string
}

func (s *server) renderCode(w http.ResponseWriter, r *http.Request, status int, c carried, problem error) error {
	f := codeForm{Base: s.base(w, r), Carry: c, Next: localPath(r.FormValue("next"))}
	f.Title = f.T("signin.code_title")
	var th *app.ThrottledError
	switch {
	case errors.As(problem, &th):
		f.Error = f.T("signin.throttled", int(th.Wait.Round(time.Second)/time.Second))
	case problem != nil:
		f.Error = f.T("signin.bad_code")
	}
	return s.render(w, status, "code", &f)
}

// codePage serves GET /signin/code.
func (s *server) codePage(w http.ResponseWriter, r *http.Request) error {
	if signedIn(r).Pending != app.PendingTOTP {
		http.Redirect(w, r, localPath(r.FormValue("next")), http.StatusSeeOther)
		return nil
	}
	return s.renderCode(w, r, http.StatusOK, carried{}, nil)
}

// code serves POST /signin/code: the TOTP code of a session pending it.
func (s *server) code(w http.ResponseWriter, r *http.Request) error {
	si, c := signedIn(r), carriedFrom(r)
	err := s.svc.VerifySecondFactor(r.Context(), si, r.PostFormValue("code"))
	var th *app.ThrottledError
	switch {
	case errors.As(err, &th):
		return s.renderCode(w, r, http.StatusTooManyRequests, c, err)
	case errors.Is(err, app.ErrBadCode):
		return s.renderCode(w, r, http.StatusUnauthorized, c, err)
	case err != nil:
		return err
	}
	return s.afterSignIn(w, r, si, c, localPath(r.PostFormValue("next")))
}

// signOut serves POST /signout, and POST /signout/everywhere (every session of the account).
func (s *server) signOut(everywhere bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		si := signedIn(r)
		var err error
		if everywhere {
			err = s.svc.SignOutEverywhere(r.Context(), si)
		} else {
			err = s.svc.SignOut(r.Context(), si)
		}
		if err != nil {
			return err
		}
		s.clearSessionCookie(w, r)
		http.Redirect(w, r, "/signin?signed_out=1", http.StatusSeeOther)
		return nil
	}
}

// sessionStatusJSON serves GET /session/status for the page script: how long the session has
// left. It does not count as activity.
func (s *server) sessionStatusJSON(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, s.status(signedIn(r)))
}

// extend serves POST /session/extend: the reader asked to stay signed in. The script gets the
// new status as JSON; without script, the form's page is shown again.
func (s *server) extend(w http.ResponseWriter, r *http.Request) error {
	si := signedIn(r)
	if si == nil {
		return writeJSON(w, sessionStatus{})
	}
	if err := s.svc.ExtendSession(r.Context(), si); err != nil {
		return err
	}
	if r.Header.Get("Accept") == "application/json" {
		return writeJSON(w, s.status(si))
	}
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}

func writeJSON(w http.ResponseWriter, v any) error { return writeJSONStatus(w, http.StatusOK, v) }

// twoFactorPage is the two-factor set-up page's data.
type twoFactorPage struct {
	Base
	Enabled  bool
	Required bool // the district requires it and it is not set up: nothing else works until it is
	E        *app.TOTPEnrolment
	Next     string
	Error    string
}

// totpIssuer names openiep in authenticator apps.
const totpIssuer = "openiep"

// twoFactor serves GET /account/two-factor: a new secret to scan or type.
func (s *server) twoFactor(w http.ResponseWriter, r *http.Request) error {
	si := signedIn(r)
	p := &twoFactorPage{Base: s.base(w, r), Enabled: si.Account.TOTPSecret != "", Required: si.Pending == app.PendingEnrol,
		Next: localPath(r.FormValue("next"))}
	p.Title = p.T("twofactor.title")
	e, err := s.svc.BeginTOTP(r.Context(), si, totpIssuer)
	if err != nil {
		return err
	}
	p.E = e
	return s.render(w, http.StatusOK, "twofactor", p)
}

// confirmTwoFactor serves POST /account/two-factor: the first code from the new authenticator.
func (s *server) confirmTwoFactor(w http.ResponseWriter, r *http.Request) error {
	si := signedIn(r)
	sealed, code := r.PostFormValue("enrolment"), r.PostFormValue("code")
	err := s.svc.ConfirmTOTP(r.Context(), si, sealed, code)
	if errors.Is(err, app.ErrBadCode) {
		p := &twoFactorPage{Base: s.base(w, r), Required: si.Pending == app.PendingEnrol, Next: localPath(r.PostFormValue("next"))}
		p.Title, p.Error = p.T("twofactor.title"), p.T("signin.bad_code")
		if p.E, err = s.svc.OpenEnrolment(si, sealed, totpIssuer); err != nil {
			return err
		}
		return s.render(w, http.StatusUnprocessableEntity, "twofactor", p)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}

// accountPage is the signed-in person's own account page.
type accountPage struct {
	Base
	SI *app.SignedIn
}

// account serves GET /account.
func (s *server) account(w http.ResponseWriter, r *http.Request) error {
	p := &accountPage{Base: s.base(w, r), SI: signedIn(r)}
	p.Title = p.T("account.title")
	return s.render(w, http.StatusOK, "account", p)
}
