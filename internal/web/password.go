package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/iep"
)

// The password pages: asking for a reset link (/signin/forgot), choosing a password with the
// one-time link of an invitation (/welcome) or a reset (/reset), and changing it when signed in
// (/account/password, also the page a session that must change its password is sent to).
//
// The one-time token comes in the link's query string and then travels in a hidden field; the
// token pages are served with Referrer-Policy: no-referrer, so that no request they make (a
// style sheet, a link followed) carries the address with the token, and nothing logs it (the
// error log names the path only).

func init() {
	pageFiles["forgot"] = []string{"forgot.html", "password_parts.html"}
	pageFiles["setpassword"] = []string{"setpassword.html", "password_parts.html"}
	pageFiles["password"] = []string{"password.html", "password_parts.html"}
}

func (s *server) passwordRoutes() []route {
	return []route{
		{"GET /signin/forgot", public, s.forgotPage},
		{"POST /signin/forgot", public, s.forgot},
		{"GET /welcome", public, s.linkPage(app.LinkInvite)},
		{"POST /welcome", public, s.setWithLink(app.LinkInvite)},
		{"GET /reset", public, s.linkPage(app.LinkReset)},
		{"POST /reset", public, s.setWithLink(app.LinkReset)},
		{"GET /account/password", pending, s.passwordPage},
		{"POST /account/password", pending, s.changePassword},
	}
}

// passwordPage is the data of every password page.
type passwordPage struct {
	Base
	Kind       string // "forgot", "sent", "invite", "reset" or "change"
	Action     string // where the form posts
	Token      string
	Link       *app.PasswordLink
	Email      string // what was typed (forgot), or the account's (a link's page)
	MustChange bool   // change: no current password asked (see app.ChangePassword)
	Next       string
	Done       bool
	Alert      string // a refusal that is about no one field (too many attempts)
	form              // the fields' problems (Errors, Err); what was typed is carried by the page itself
}

// pwFields are the password forms' fields in the order they appear.
var pwFields = []string{"email", "current_password", "password", "password_confirm"}

// State is where a one-time link stands: "ok", "used", "expired" or "unknown".
func (p *passwordPage) State() string {
	switch {
	case p.Link == nil:
		return "unknown"
	case p.Link.Err == nil:
		return "ok"
	case errors.Is(p.Link.Err, app.ErrLinkUsed):
		return "used"
	case errors.Is(p.Link.Err, app.ErrLinkExpired):
		return "expired"
	}
	return "unknown"
}

// Described is the attributes of a field's input: aria-describedby naming its hint (when hint
// is set) and its message, and aria-invalid when it has a problem.
func (p *passwordPage) Described(field string, hint bool) template.HTMLAttr {
	var ids []string
	if hint {
		ids = append(ids, "f-"+field+"-hint")
	}
	if p.Err(field) != "" {
		ids = append(ids, "f-"+field+"-error")
	}
	if len(ids) == 0 {
		return ""
	}
	a := `aria-describedby="` + template.HTMLEscapeString(strings.Join(ids, " ")) + `"`
	if p.Err(field) != "" {
		a += ` aria-invalid="true"`
	}
	return template.HTMLAttr(a)
}

// refuse fills the page's errors from err when it is invalid input with problems, and reports
// whether it was.
func (p *passwordPage) refuse(err error) bool {
	if !p.refuseWith(err, p.problem) {
		return false
	}
	slices.SortStableFunc(p.Errors, func(a, b fieldError) int {
		return slices.Index(pwFields, a.Field) - slices.Index(pwFields, b.Field)
	})
	return true
}

// problem says what is wrong with a field, in the reader's language.
func (p *passwordPage) problem(pr iep.Problem) string {
	switch {
	case pr.Field == "email" && pr.Code == iep.CodeRequired:
		return p.T("password.err_email_required")
	case pr.Field == "email":
		return p.T("password.err_email_invalid")
	case pr.Field == "password" && pr.Code == iep.CodeRange:
		return p.T("password.err_length")
	case pr.Field == "password" && pr.Detail == "common":
		return p.T("password.err_common")
	case pr.Field == "password" && pr.Detail == "email":
		return p.T("password.err_is_email")
	case pr.Field == "password" && pr.Detail == app.DetailSamePassword:
		return p.T("password.err_same")
	case pr.Field == "password_confirm":
		return p.T("password.err_mismatch")
	case pr.Field == "current_password" && pr.Code == iep.CodeRequired:
		return p.T("password.err_current_required")
	case pr.Field == "current_password" && pr.Detail == app.DetailNoPassword:
		return p.T("password.err_current_none")
	case pr.Field == "current_password":
		return p.T("password.err_current_wrong")
	}
	return p.T("problem."+pr.Code, pr.Field, pr.Detail)
}

// newPasswordProblems are the problems of a new password and its confirmation that the form
// itself can tell: a confirmation that differs, and the password rules (app.CheckNewPassword).
// It returns nil when the two match, leaving the rules to the use case.
func newPasswordProblems(password, confirm, email string) error {
	if password == confirm {
		return nil
	}
	ps := iep.Problems{{Field: "password_confirm", Code: iep.CodeInvalid, Detail: app.DetailMismatch}}
	return append(problemsOf(app.CheckNewPassword(password, email)), ps...).Err()
}

func (s *server) renderPassword(w http.ResponseWriter, r *http.Request, status int, p *passwordPage) error {
	if p.Lang == "" {
		p.Base = s.base(w, r)
	}
	if p.Link != nil && p.Link.Zone != nil {
		p.Loc = p.Link.Zone
	}
	p.Title = p.T(p.titleKey())
	name := "setpassword"
	switch p.Kind {
	case "forgot", "sent":
		name = "forgot"
	case "change":
		name = "password"
	}
	return s.render(w, status, name, p)
}

// titleKey is the catalog key of the page's title.
func (p *passwordPage) titleKey() string {
	switch {
	case p.Kind == "forgot" || p.Kind == "sent" || p.Kind == "change":
		return "password." + p.Kind + "_title"
	case p.State() != "ok":
		return "password.link_" + p.State() + "_title"
	case p.Kind == string(app.LinkReset):
		return "password.reset_title"
	}
	return "password.welcome_title"
}

// forgotPage serves GET /signin/forgot: the form asking for the e-mail address.
func (s *server) forgotPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderPassword(w, r, http.StatusOK, &passwordPage{Kind: "forgot", Action: "/signin/forgot",
		Email: r.FormValue("email")})
}

// forgot serves POST /signin/forgot: a reset link is sent if the address has an account; the
// answer is the same either way.
func (s *server) forgot(w http.ResponseWriter, r *http.Request) error {
	p := &passwordPage{Base: s.base(w, r), Kind: "forgot", Action: "/signin/forgot", Email: r.PostFormValue("email")}
	err := s.svc.RequestPasswordReset(r.Context(), p.Email, clientAddress(r))
	var th *app.ThrottledError
	switch {
	case errors.As(err, &th):
		p.Alert = p.T("password.err_requests_throttled", max(int(th.Wait.Round(time.Minute)/time.Minute), 1))
		return s.renderPassword(w, r, http.StatusTooManyRequests, p)
	case p.refuse(err):
		return s.renderPassword(w, r, http.StatusBadRequest, p)
	case err != nil:
		return err
	}
	p.Kind = "sent"
	return s.renderPassword(w, r, http.StatusOK, p)
}

// noReferrer keeps the token in a page's address out of the Referer of every request the page
// makes.
func noReferrer(w http.ResponseWriter) { w.Header().Set("Referrer-Policy", "no-referrer") }

// linkStatus is the status of a one-time link's page: 404 for a link that names nothing, 410
// for one used or expired, 200 for one that can be used.
func linkStatus(l *app.PasswordLink) int {
	switch {
	case l.Err == nil:
		return http.StatusOK
	case errors.Is(l.Err, app.ErrLinkUnknown):
		return http.StatusNotFound
	}
	return http.StatusGone
}

// linkPage serves GET /welcome and GET /reset: the form to choose a password, or a page that
// says why the link does not work and what to do.
func (s *server) linkPage(purpose app.LinkPurpose) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		noReferrer(w)
		token := r.URL.Query().Get("token")
		l, err := s.svc.PasswordLinkInfo(r.Context(), token)
		if err != nil {
			return err
		}
		p := s.linkForm(r, purpose, token, l)
		return s.renderPassword(w, r, linkStatus(l), p)
	}
}

// linkForm is the page of a one-time link. The link's own purpose decides the words: an
// invitation opened at /reset is still an invitation.
func (s *server) linkForm(r *http.Request, purpose app.LinkPurpose, token string, l *app.PasswordLink) *passwordPage {
	kind := string(purpose)
	if l.Err == nil || l.Purpose != "" {
		kind = string(l.Purpose)
	}
	p := &passwordPage{Kind: kind, Action: r.URL.Path, Link: l, Email: l.Email}
	if l.Err == nil {
		p.Token = token
	}
	return p
}

// setWithLink serves POST /welcome and POST /reset: the new password, twice, and the token.
// On success the person is signed in (a session of someone else in this browser ends first)
// and goes on as after signing in: to their second factor, or home.
func (s *server) setWithLink(purpose app.LinkPurpose) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		noReferrer(w)
		token := r.PostFormValue("token")
		l, err := s.svc.PasswordLinkInfo(r.Context(), token)
		if err != nil {
			return err
		}
		p := s.linkForm(r, purpose, token, l)
		if l.Err != nil {
			return s.renderPassword(w, r, linkStatus(l), p)
		}
		p.Base = s.base(w, r)
		password := r.PostFormValue("password")
		if p.refuse(newPasswordProblems(password, r.PostFormValue("password_confirm"), l.Email)) {
			return s.renderPassword(w, r, http.StatusBadRequest, p)
		}
		si, err := s.svc.SetPasswordWithToken(r.Context(), token, password, clientAddress(r), r.UserAgent())
		switch {
		case p.refuse(err):
			return s.renderPassword(w, r, http.StatusBadRequest, p)
		case errors.Is(err, app.ErrLinkUsed) || errors.Is(err, app.ErrLinkExpired) || errors.Is(err, app.ErrLinkUnknown):
			l.Err, p.Token = err, ""
			return s.renderPassword(w, r, linkStatus(l), p)
		case err != nil:
			return err
		}
		if old := signedIn(r); old != nil {
			if err := s.svc.SignOut(r.Context(), old); err != nil {
				return err
			}
		}
		s.setSessionCookie(w, r, si.Token)
		s.log.InfoContext(r.Context(), "password set with a one-time link", "account", si.Account.ID,
			"district", si.Account.DistrictID, "purpose", string(l.Purpose))
		return s.afterSignIn(w, withSignedIn(r, si), si, carried{}, "/")
	}
}

// mayChangePassword sends a session still waiting for its second factor (or its enrolment) to
// that step: the password cannot be changed before it.
func (s *server) mayChangePassword(w http.ResponseWriter, r *http.Request) bool {
	si := signedIn(r)
	if si.Pending == app.PendingTOTP || si.Pending == app.PendingEnrol {
		http.Redirect(w, r, pendingURL(si.Pending)+"?next="+url.QueryEscape("/account/password"), http.StatusSeeOther)
		return false
	}
	return true
}

// passwordPage serves GET /account/password.
func (s *server) passwordPage(w http.ResponseWriter, r *http.Request) error {
	if !s.mayChangePassword(w, r) {
		return nil
	}
	si := signedIn(r)
	return s.renderPassword(w, r, http.StatusOK, &passwordPage{Kind: "change", Action: "/account/password",
		Email: si.Account.Email, MustChange: si.Account.MustChangePassword, Next: localPath(r.FormValue("next")), Done: r.FormValue("done") != ""})
}

// changePassword serves POST /account/password. A session that had to change its password goes
// on to the page it was on its way to; otherwise the page says the password was changed.
func (s *server) changePassword(w http.ResponseWriter, r *http.Request) error {
	if !s.mayChangePassword(w, r) {
		return nil
	}
	si := signedIn(r)
	mustChange := si.Pending == app.PendingReset
	p := &passwordPage{Kind: "change", Action: "/account/password", Email: si.Account.Email,
		MustChange: si.Account.MustChangePassword, Next: localPath(r.PostFormValue("next"))}
	p.Base = s.base(w, r)
	current, password := r.PostFormValue("current_password"), r.PostFormValue("password")
	err := newPasswordProblems(password, r.PostFormValue("password_confirm"), si.Account.Email)
	if err != nil && !p.MustChange && current == "" {
		err = append(iep.Problems{{Field: "current_password", Code: iep.CodeRequired}}, problemsOf(err)...).Err()
	}
	if err == nil {
		err = s.svc.ChangePassword(r.Context(), si, current, password)
	}
	var th *app.ThrottledError
	switch {
	case errors.As(err, &th):
		p.Alert = p.T("password.err_throttled", int(th.Wait.Round(time.Second)/time.Second))
		return s.renderPassword(w, r, http.StatusTooManyRequests, p)
	case p.refuse(err):
		return s.renderPassword(w, r, http.StatusBadRequest, p)
	case err != nil:
		return err
	}
	s.log.InfoContext(r.Context(), "password changed", "account", si.Account.ID, "district", si.Account.DistrictID)
	if mustChange {
		http.Redirect(w, r, p.Next, http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/account/password?done=1", http.StatusSeeOther)
	return nil
}

// problemsOf returns the problems an invalid-input error carries.
func problemsOf(err error) iep.Problems {
	var e *iep.Error
	if errors.As(err, &e) {
		return e.Problems
	}
	return nil
}
