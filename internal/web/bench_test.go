package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// The cost of a signed-in page in process (no network): the session lookup (session, account,
// district settings, the person's name and roles), the access policy's facts, the reads of the
// page and its audit entry, on SQLite. docs/performance.md has the figures and the command.

func benchmarkPage(b *testing.B, who string, page func(w *world) string) {
	w := newWorld(b, 200)
	cookie, path := w.cookie(who), page(w)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		w.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s as %s: %d", path, who, rec.Code)
		}
	}
}

func BenchmarkStudentPageAsCaseManager(b *testing.B) {
	benchmarkPage(b, asTeamMember, func(w *world) string { return "/districts/" + w.district + "/students/" + w.mia })
}

func BenchmarkOverviewAsAdministrator(b *testing.B) {
	benchmarkPage(b, asDistrictAdmin, func(w *world) string { return "/districts/" + w.district })
}

func BenchmarkAccountPage(b *testing.B) {
	benchmarkPage(b, asGuardian, func(*world) string { return "/account" })
}

func BenchmarkStaffDirectory(b *testing.B) {
	benchmarkPage(b, asDistrictAdmin, func(w *world) string { return adminURL(w.district, "people") })
}
