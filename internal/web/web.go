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
	"log/slog"
	"net/http"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/iep"
)

// Options configures the web application.
type Options struct {
	// Logger receives errors and warnings; nil discards them.
	Logger *slog.Logger
}

// server holds what the handlers share; it is immutable after New.
type server struct {
	svc    *app.Service
	log    *slog.Logger
	pages  *pages
	assets *assets
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
	s := &server{svc: svc, log: log, pages: p, assets: a}
	return secure(s.crossOrigin(s.routes())), nil
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

// routes is the whole URL space of the web application.
func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", s.handle(s.home))
	mux.Handle("GET /districts/{district}", s.handle(s.district))
	mux.Handle("GET /districts/{district}/students/{student}", s.handle(s.student))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /static/{name}", s.handle(s.serveStatic))
	mux.Handle("/", s.handle(func(http.ResponseWriter, *http.Request) error { return errNotFound }))
	return mux
}
