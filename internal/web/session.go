package web

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/iep"
)

// sessionCookie holds the session's token: HttpOnly (no script reads it), SameSite=Lax (no
// other site's form posts with it), Secure under TLS, and no Max-Age (the server decides when the
// session ends; the browser forgets it when it closes).
const sessionCookie = "openiep_session"

type ctxKey int

const signedInKey ctxKey = 0

// signedIn returns the request's session, or nil for an anonymous request.
func signedIn(r *http.Request) *app.SignedIn {
	si, _ := r.Context().Value(signedInKey).(*app.SignedIn)
	return si
}

func withSignedIn(r *http.Request, si *app.SignedIn) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), signedInKey, si))
}

// clientAddress is the TCP peer's host, for the audit trail and the sign-in throttle: never a
// forwarding header (X-Forwarded-For), which the client writes itself.
func clientAddress(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// actor is who is asking: the session's actor, or Anonymous; with the request's address.
func actor(r *http.Request) app.Actor {
	a := app.Anonymous
	if si := signedIn(r); si != nil {
		a = si.Actor
	}
	a.Address = clientAddress(r)
	return a
}

// sessions reads the session cookie of every request and puts the live session, if any, into
// the request's context; a cookie whose session has ended is cleared. Requests for the session
// status (asked by the page script) do not count as activity.
func (s *server) sessions(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		if err != nil || c.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		touch := r.URL.Path != "/session/status" && !strings.HasPrefix(r.URL.Path, "/static/")
		si, err := s.svc.Session(r.Context(), c.Value, touch)
		switch {
		case err == nil:
			si.Actor.Address = clientAddress(r)
			r = withSignedIn(r, si)
		case iep.KindOf(err) == iep.KindUnauthenticated:
			s.clearSessionCookie(w, r)
		default:
			s.renderError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *server) setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil || s.secureCookies, SameSite: http.SameSiteLaxMode})
}

func (s *server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil || s.secureCookies, SameSite: http.SameSiteLaxMode})
}

// localPath returns p when it is a path on this site ("/…", not "//…" or "/\…"), else "/": a
// sign-in never sends anyone to another site.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	if u, err := url.Parse(p); err != nil || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return p
}

// gate is what a route needs of the session before its handler runs.
type gate int

const (
	// public routes need no session: the sign-in pages, static files, the health check.
	public gate = iota
	// pending routes need a session, which may still be waiting for its second factor or a
	// password change (the pages that finish those).
	pending
	// member routes need a complete session; the handler asks the access policy (through
	// internal/app) about the record itself.
	member
	// api routes are member routes answered in JSON: without a complete session, 401 with a
	// JSON problem (never a redirect to a page).
	api
)

// admit applies a route's gate. An anonymous GET is sent to the sign-in page with the page to
// come back to; an anonymous POST (a session that ended while a form was being filled in) gets
// the sign-in page carrying the submitted form, which is submitted again after signing in, so
// that nothing typed is lost. A session still pending is sent to the step it lacks.
func (s *server) admit(g gate, h handlerFunc) handlerFunc {
	if g == public {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) error {
		si := signedIn(r)
		if g == api {
			if si == nil || si.Pending != app.PendingNone {
				return apiProblem(w, r, iep.ErrUnauthenticated)
			}
			return h(w, r)
		}
		if (si == nil || si.Pending != app.PendingNone) && isHX(r) {
			// A part of a page asked for by htmx (an autosave, a search): the page stays, with
			// what was typed in it; say so in the part instead of swapping the sign-in page in.
			b := Base{Lang: pickLang(r)}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(b.T("session.hx_signed_out")))
			return nil
		}
		if si == nil {
			if r.Method == http.MethodPost {
				return s.signInToContinue(w, r)
			}
			to := "/signin"
			if r.URL.Path != "/" {
				to += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, to, http.StatusSeeOther)
			return nil
		}
		if g == member && si.Pending != app.PendingNone {
			if r.Method == http.MethodPost {
				return s.signInToContinue(w, r)
			}
			http.Redirect(w, r, pendingURL(si.Pending)+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return nil
		}
		return h(w, r)
	}
}

// pendingURL is the page that completes a pending session.
func pendingURL(p app.Pending) string {
	switch p {
	case app.PendingTOTP:
		return "/signin/code"
	case app.PendingEnrol:
		return "/account/two-factor"
	case app.PendingReset:
		return "/account/password"
	}
	return "/"
}

// carried is a form submission kept across a sign-in: where it was going and its fields.
type carried struct {
	To   string // the path it was posted to
	Form string // its fields, URL-encoded
}

// carriedFrom reads a carried submission from a sign-in form's hidden fields.
func carriedFrom(r *http.Request) carried {
	c := carried{To: r.PostFormValue("carry_to"), Form: r.PostFormValue("carry_form")}
	if c.To != "" {
		c.To = localPath(c.To)
	}
	return c
}

// maxCarried bounds a carried submission: the form of a page, not a file.
const maxCarried = 1 << 20

// signInToContinue answers a POST that arrived without a complete session: the sign-in page
// (or the second-factor page), with the submission carried in hidden fields. Status 401.
func (s *server) signInToContinue(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxCarried)
	if err := r.ParseForm(); err != nil {
		return iep.Problems{{Field: "form", Code: iep.CodeInvalid, Detail: "too large or malformed"}}.Err()
	}
	form := r.PostForm
	c := carried{To: r.URL.Path, Form: form.Encode()}
	if prev := carriedFrom(r); prev.To != "" {
		c = prev // a sign-in form posted again: keep what it carries
	} else if holdsSecret(form) {
		// Passwords are never written into a page: that form is typed again.
		c = carried{}
	}
	if si := signedIn(r); si != nil && si.Pending == app.PendingTOTP {
		return s.renderCode(w, r, http.StatusUnauthorized, c, nil)
	}
	return s.renderSignIn(w, r, http.StatusUnauthorized, signInForm{Carry: c, Expired: true})
}

// holdsSecret reports whether a submitted form has a password in it, which must not be written
// into a page's hidden fields. (A TOTP code may ride along: it is good for a minute and once; an
// enrolment's secret is sealed.)
func holdsSecret(form url.Values) bool {
	for k := range form {
		if strings.Contains(k, "password") {
			return true
		}
	}
	return false
}

// replay submits a carried form again, now that the session is complete: the request goes
// through the router as if the browser had posted it, under the new session. A carried path
// that no route takes with POST is not found, like any other.
func (s *server) replay(w http.ResponseWriter, r *http.Request, si *app.SignedIn, c carried) {
	body := strings.NewReader(c.Form)
	r2, err := http.NewRequestWithContext(r.Context(), http.MethodPost, c.To, body)
	if err != nil {
		s.renderError(w, r, iep.Errorf(iep.KindNotFound, "carried form: %v", err))
		return
	}
	r2.RemoteAddr, r2.TLS, r2.Host = r.RemoteAddr, r.TLS, r.Host
	r2.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, h := range []string{"Accept-Language", "Cookie"} {
		r2.Header.Set(h, r.Header.Get(h))
	}
	s.mux.ServeHTTP(w, withSignedIn(r2, si))
}

// sessionStatus is what the page script learns about the session (JSON).
type sessionStatus struct {
	SignedIn  bool `json:"signed_in"`
	ExpiresIn int  `json:"expires_in"` // seconds until the session ends if nothing happens
	WarnAt    int  `json:"warn_at"`    // warn when ExpiresIn falls to this many seconds
}

// warnBefore is how long before the end the page warns: a quarter of the idle timeout, at least
// 30 seconds (WCAG 2.2.1 asks for at least 20 to respond) and at most two minutes.
func warnBefore(idle time.Duration) time.Duration {
	return min(max(idle/4, 30*time.Second), 2*time.Minute)
}

func (s *server) status(si *app.SignedIn) sessionStatus {
	if si == nil {
		return sessionStatus{}
	}
	left := max(si.ExpiresAt().Sub(s.now()), 0)
	return sessionStatus{SignedIn: true, ExpiresIn: int(left / time.Second), WarnAt: int(warnBefore(si.Session.IdleTimeout) / time.Second)}
}
