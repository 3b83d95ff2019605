// Package web is openiep's HTML face for staff and families: server-rendered pages from
// html/template, embedded static assets, and no script needed to read anything. It calls
// internal/app for every use case and knows nothing of the store.
//
// Contracts: every route is registered in routes; handlers return an error that one adapter
// (handle) turns into a status and a page; templates are parsed once at start-up and rendered
// into a buffer before anything is written; every response carries the security headers of
// secure; user-facing text comes from internal/i18n. Logs name ids and paths, never a student's
// name or the query string (a keyset cursor may hold a name).
package web

import (
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/pdf"
)

// Options configures the web application.
type Options struct {
	// Logger receives errors and warnings; nil discards them.
	Logger *slog.Logger
	// SecureCookies marks the session cookie Secure even on plain HTTP requests: set it when a
	// proxy in front terminates TLS. Requests that arrive over TLS always get Secure cookies.
	SecureCookies bool
	// Now is the clock the session countdown is computed with (the service's clock); nil is the
	// system clock.
	Now func() time.Time
	// Documents prints documents as PDF; nil: the HTML views work, a PDF request says what to
	// install.
	Documents *pdf.Renderer
}

// server holds what the handlers share; it is immutable after New.
type server struct {
	svc           *app.Service
	log           *slog.Logger
	pages         *pages
	assets        *assets
	mux           *http.ServeMux
	table         []route
	now           func() time.Time
	secureCookies bool
	docs          map[string]*template.Template // each document's template set (documents.go)
	docStyle      string                        // the documents' style sheet, inline in a PDF
	pdf           *pdf.Renderer
}

// New returns the web application's handler. It parses every template and hashes every static
// asset now, so that a broken template fails start-up instead of a request.
func New(svc *app.Service, opt Options) (http.Handler, error) {
	log := opt.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a, err := loadAssets()
	if err != nil {
		return nil, err
	}
	p, err := parsePages(a)
	if err != nil {
		return nil, err
	}
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	docs, err := parseDocuments(a)
	if err != nil {
		return nil, err
	}
	style, err := staticFS.ReadFile("static/document.css")
	if err != nil {
		return nil, fmt.Errorf("the documents' style sheet: %w", err)
	}
	s := &server{svc: svc, log: log, pages: p, assets: a, now: now, secureCookies: opt.SecureCookies,
		docs: docs, docStyle: string(style), pdf: opt.Documents}
	s.table = s.routes()
	s.mux = http.NewServeMux()
	for _, rt := range s.table {
		s.mux.Handle(rt.pattern, s.handle(s.admit(rt.gate, rt.h)))
	}
	return secure(s.crossOrigin(s.sessions(s.mux))), nil
}

// crossOrigin refuses every state-changing request (anything but GET, HEAD and OPTIONS) that a
// browser says came from another site (Sec-Fetch-Site, or an Origin that is not this host), so
// that no other site can make a signed-in user's browser change a record. The refusal is the
// forbidden page in the reader's language.
func (s *server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, iep.Errorf(iep.KindForbidden, "cross-origin request refused"))
	}))
	return cop.Handler(next)
}

// route is one entry of the URL space: a pattern of http.ServeMux, what it needs of the
// session (gate), and its handler. What a signed-in actor may do with the record a route names is
// decided by the access policy inside internal/app; the authorization matrix test
// (authz_test.go) calls every route as every kind of actor and fails for a route it has no
// expectation for.
type route struct {
	pattern string
	gate    gate
	h       handlerFunc
}

// routes is the whole URL space of the web application.
func (s *server) routes() []route {
	var rs []route
	for _, part := range [][]route{s.coreRoutes(), s.passwordRoutes(), s.ssoRoutes(), s.accessRecordRoutes(), s.adminRoutes(), s.dueRoutes(), s.apiRoutes(),
		s.serviceImportRoutes(),
		s.progressRoutes(),
		s.caseloadRoutes(), s.editorRoutes(), s.meetingRoutes(), s.dashboardRoutes(), s.calendarRoutes(), s.bankRoutes(),
		s.familyRoutes(), s.familyPlanRoutes(), s.familyRespondRoutes(), s.familyRecordsRoutes(), s.documentRoutes(),
		s.sessionRoutes(), s.assignmentRoutes()} {
		rs = append(rs, part...)
	}
	// The catch-all goes last so that the table reads in order; ServeMux does not care.
	return append(rs, route{"/", public, func(http.ResponseWriter, *http.Request) error { return errNotFound }})
}

// coreRoutes are the overview, the student record, sign-in and the session.
func (s *server) coreRoutes() []route {
	return []route{
		{"GET /{$}", member, s.home},
		{"GET /districts/{district}", member, s.district},
		{"GET /districts/{district}/students/{student}", member, s.student},

		{"GET /signin", public, s.signInPage},
		{"POST /signin", public, s.signIn},
		{"GET /signin/code", pending, s.codePage},
		{"POST /signin/code", pending, s.code},
		{"POST /signout", pending, s.signOut(false)},
		{"POST /signout/everywhere", member, s.signOut(true)},
		{"GET /session/status", public, s.sessionStatusJSON},
		{"POST /session/extend", public, s.extend},
		{"GET /account", member, s.account},
		{"GET /account/two-factor", pending, s.twoFactor},
		{"POST /account/two-factor", pending, s.confirmTwoFactor},

		{"GET /healthz", public, func(w http.ResponseWriter, r *http.Request) error { s.healthz(w, r); return nil }},
		{"GET /static/{name}", public, s.serveStatic},
	}
}
