package web

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestCrossOriginRequestsRefused: a state-changing request that the browser marks as coming from
// another site is refused with the forbidden page in the reader's language, before any route
// runs; the same request from this site, and reads from anywhere, go through.
func TestCrossOriginRequestsRefused(t *testing.T) {
	w := newWorld(t, 0)
	do := func(method, target string, header ...string) (int, string) {
		req := httptest.NewRequest(method, target, strings.NewReader("x=1"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", w.cookie(asDistrictAdmin))
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		w.handler.ServeHTTP(rec, req)
		body, _ := io.ReadAll(rec.Result().Body)
		return rec.Code, string(body)
	}
	target := "/districts/" + w.district
	for _, m := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if code, _ := do(m, target, "Sec-Fetch-Site", "cross-site"); code != http.StatusForbidden {
			t.Errorf("%s %s from another site = %d, want 403", m, target, code)
		}
	}
	code, body := do(http.MethodPost, target, "Origin", "https://evil.example", "Accept-Language", "es")
	if code != http.StatusForbidden || !strings.Contains(body, "No tiene acceso") {
		t.Errorf("POST with a foreign Origin in Spanish = %d, want 403 with the Spanish forbidden page", code)
	}
	if code, _ := do(http.MethodPost, target, "Sec-Fetch-Site", "same-origin"); code == http.StatusForbidden {
		t.Errorf("POST from this site was refused as cross-origin")
	}
	if code, _ := do(http.MethodGet, target, "Sec-Fetch-Site", "cross-site"); code != http.StatusOK {
		t.Errorf("GET from another site (a link) = %d, want 200", code)
	}
}
