package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// handlerFunc is a page handler: it writes a complete response, or returns an error and writes
// nothing, leaving the response to handle.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// errNotFound is returned for URLs that name nothing.
var errNotFound = iep.Errorf(iep.KindNotFound, "no such page")

// handle adapts a handlerFunc: an error becomes the error page with the status of its kind.
func (s *server) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.renderError(w, r, err)
		}
	})
}

// statusOf maps an error's kind to its HTTP status; unknown errors are 500.
func statusOf(err error) int {
	switch iep.KindOf(err) {
	case iep.KindInvalid:
		return http.StatusBadRequest
	case iep.KindNotFound:
		return http.StatusNotFound
	case iep.KindConflict:
		return http.StatusConflict
	case iep.KindForbidden:
		return http.StatusForbidden
	case iep.KindUnauthenticated:
		return http.StatusUnauthorized
	}
	return http.StatusInternalServerError
}

// errorPage is the page shown for any error.
type errorPage struct {
	Base
	Status   int
	Kind     string   // the i18n key part: "not_found", "internal"…
	Problems []string // for an invalid request: what to fix, in the reader's language
}

// renderError writes the error page. A 500 shows a neutral message and logs the error with the
// method and path (ids only: the query string is never logged).
func (s *server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		s.log.DebugContext(r.Context(), "request refused", "method", r.Method, "path", r.URL.Path, "status", status)
	}
	kind := iep.KindOf(err)
	p := &errorPage{Base: s.base(w, r), Status: status, Kind: kindKey(kind)}
	p.Title = p.T("error." + p.Kind + ".title")
	var e *iep.Error
	if kind == iep.KindInvalid && errors.As(err, &e) {
		for _, pr := range e.Problems {
			p.Problems = append(p.Problems, p.T("problem."+pr.Code, pr.Field, pr.Detail))
		}
	}
	if rerr := s.render(w, status, "error", p); rerr != nil {
		s.log.ErrorContext(r.Context(), "render the error page", "path", r.URL.Path, "err", rerr)
		http.Error(w, http.StatusText(status), status)
	}
}

// kindKey names a kind as the catalog's error keys do.
func kindKey(k iep.Kind) string {
	switch k {
	case iep.KindInvalid:
		return "invalid"
	case iep.KindNotFound:
		return "not_found"
	case iep.KindConflict:
		return "conflict"
	case iep.KindForbidden:
		return "forbidden"
	case iep.KindUnauthenticated:
		return "unauthenticated"
	}
	return "internal"
}

// csp allows only this origin's files: no inline script or style, no framing.
const csp = "default-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'"

// secure sets the security headers on every response.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// healthz answers 200 "ok" when the store answers within two seconds, else 503.
func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.svc.Health(ctx); err != nil {
		s.log.WarnContext(r.Context(), "health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("unavailable\n"))
		return
	}
	w.Write([]byte("ok\n"))
}
