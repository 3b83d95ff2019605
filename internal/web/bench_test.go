package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
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

// BenchmarkIEPDocumentPDF prints a long IEP (Mia's plan with 40 goals, each with objectives:
// about 15 pages) as a tagged PDF, warm: the browser and its tab are started before the clock.
// go test ./internal/web -run '^$' -bench IEPDocumentPDF -benchtime 20x
func BenchmarkIEPDocumentPDF(b *testing.B) {
	if testDocuments.Available() != nil {
		b.Skip(testDocuments.Available())
	}
	w := newWorld(b, 0)
	ctx := context.Background()
	p, err := w.db.CurrentPlan(ctx, w.district, w.mia)
	if err != nil {
		b.Fatal(err)
	}
	long := fullContent(w.high)
	g := long.Goals.Goals[0]
	for i := 1; i < 40; i++ {
		g.ID = fmt.Sprintf("g%d", i+1)
		long.Goals.Goals = append(long.Goals.Goals, g)
	}
	draft := &iep.Plan{DistrictID: w.district, StudentID: w.mia, Kind: iep.PlanAmendment, Status: iep.StatusDraft,
		SchoolID: w.high, CaseManagerID: w.cm, Content: long, PreviousPlanID: p.ID}
	if err := w.db.Write(ctx, func(tx *store.Tx) error { return tx.CreatePlan(ctx, draft, w.cm) }); err != nil {
		b.Fatal(err)
	}
	u := documentURL(false, w.district, w.mia, "iep", draft.ID) + ".pdf?lang=en"
	get := func() []byte { return benchGet(b, w, asTeamMember, u) }
	pages := bytes.Count(get(), []byte("/Type /Page\n"))
	for b.Loop() {
		get()
	}
	b.ReportMetric(float64(pages), "pages")
}

// BenchmarkRecordsDownload downloads the whole record as the family does, every document
// printed as a PDF into it: Mia's record (a plan version, a shared draft, a meeting notice, 12
// progress reports: 15 documents to print), warm.
// go test ./internal/web -run '^$' -bench RecordsDownload -benchtime 5x
func BenchmarkRecordsDownload(b *testing.B) {
	if testDocuments.Available() != nil {
		b.Skip(testDocuments.Available())
	}
	w := newWorld(b, 0)
	planID, _ := w.seedRecord(b)
	ctx := context.Background()
	if err := w.db.Write(ctx, func(tx *store.Tx) error {
		for i := range 11 {
			end := date.MustParse("2024-11-29").AddDays(70 * i)
			rep := iep.ProgressReport{DistrictID: w.district, StudentID: w.mia, PlanID: planID, Period: fmt.Sprintf("Report %d", i+2),
				PeriodEnd: end, SentOn: end.AddDays(3),
				Entries: []iep.ProgressEntry{{GoalID: "g1", Rating: iep.RatingSufficient, Narrative: "Mia reads more words correct per minute."}}}
			if err := tx.CreateProgressReport(ctx, &rep); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	u := familyURL(w.district, w.mia, "records", "download") + "?lang=en"
	get := func() int {
		n := 0
		for name := range unzipBody(b, string(benchGet(b, w, asGuardian, u))) {
			if strings.HasPrefix(name, "print/") && strings.HasSuffix(name, ".pdf") {
				n++
			}
		}
		return n
	}
	printed := get()
	for b.Loop() {
		get()
	}
	b.ReportMetric(float64(printed), "pdfs")
}

// benchGet gets u as who and returns the body; anything but 200 ends the benchmark.
func benchGet(b *testing.B, w *world, who, u string) []byte {
	req := httptest.NewRequest("GET", u, nil)
	req.Header.Set("Cookie", w.cookie(who))
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("%d %.500s", rec.Code, rec.Body.String())
	}
	return rec.Body.Bytes()
}
