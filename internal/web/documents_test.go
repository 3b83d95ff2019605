package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/pdf"
	"github.com/openiep/openiep/internal/store"
)

func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		p, err := w.db.CurrentPlan(context.Background(), w.district, w.mia)
		if err != nil {
			panic(err)
		}
		return map[string]map[string]outcome{
			// Mia's plan in effect as a document (the HTML view): staff who may read her record, and
			// the family at their own address.
			"GET /districts/{district}/students/{student}/documents/{type}/{file}": with(every(toSignIn, ok),
				asGuardian, hidden, asOtherGuardian, hidden, asNoRights, hidden, asOtherSchool, forbidden, asUnassigned, forbidden,
				asStateViewer, hidden, asOtherDistrict, hidden),
			"GET /districts/{district}/family/{student}/documents/{type}/{file}": familyOnly(),
		}, map[string]string{"type": "iep", "file": p.ID}
	})
}

// testDocuments prints every test's PDFs: one Chromium for the package, started by the first
// PDF and stopped by TestMain.
var testDocuments = pdf.New(pdf.Options{Tabs: 2})

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	testDocuments.Close()
	os.Exit(code)
}

// update rewrites the golden files of the documents' text (go test ./internal/web -run
// TestDocumentGolden -update), to be reviewed before they are committed.
var update = flag.Bool("update", false, "rewrite the documents' golden text files")

// needPDF fails the test under CI=true when PDFs cannot be made or checked here (Chromium, the
// Noto fonts, poppler-utils), and skips it loudly elsewhere.
func needPDF(t *testing.T) {
	t.Helper()
	var missing []string
	if err := testDocuments.Available(); err != nil {
		missing = append(missing, err.Error())
	}
	for _, tool := range []string{"pdftotext", "pdfinfo"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool+" is not installed (Debian's poppler-utils)")
		}
	}
	if _, err := os.Stat("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf"); err != nil {
		missing = append(missing, "the Noto fonts are not installed (Debian's fonts-noto-core fonts-noto-cjk)")
	}
	if len(missing) == 0 {
		return
	}
	msg := "documents cannot be printed here: " + strings.Join(missing, "; ")
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Log("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")
	t.Log("!! " + msg)
	t.Log("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")
	t.Skip(msg)
}

// pdfText is the text of a PDF as pdftotext reads it (-layout off: the reading order).
func pdfText(t *testing.T, data []byte) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// hexRun matches a hash in extracted text (a long run of hex digits, maybe broken over lines).
var hexRun = regexp.MustCompile(`[0-9a-f]{8,}(\s*\n[0-9a-f]{8,})*`)

// normalized is a PDF's text with what differs from run to run (hashes of content that holds
// random ids) replaced by <sha256>.
func normalized(text string) string {
	return hexRun.ReplaceAllString(text, "<sha256>")
}

// docURL is a document's address on the staff or the family side.
func (x *respondWorld) docURL(family bool, kind, id, query string) string {
	return documentURL(family, x.district, x.mia, kind, id) + query
}

// fetchPDF gets a PDF as who and checks that it is one.
func fetchPDF(t *testing.T, x *respondWorld, who, u string) []byte {
	t.Helper()
	res, body := x.getAs(t, who, u)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") {
		t.Fatalf("%s: %d %s %.300s", u, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	return []byte(body)
}

// TestDocumentGolden: the text of each document's PDF — the proposed IEP (English), the same in
// Spanish, the prior written notice, the meeting notice, a draft with its DRAFT mark, a consent
// and its revocation form, a progress report — is the reviewed golden text in
// testdata/documents (go test -run TestDocumentGolden -update rewrites them). Each PDF is tagged,
// names its language and has the document's title.
func TestDocumentGolden(t *testing.T) {
	needPDF(t)
	x := newRespondWorld(t)
	x.propose(t)
	ctx := context.Background()
	meetings, err := x.db.ListMeetings(ctx, x.district, x.mia)
	if err != nil || len(meetings) == 0 {
		t.Fatalf("meetings: %v %d", err, len(meetings))
	}
	meeting := meetings[len(meetings)-1].ID
	notices, err := x.db.ListNotices(ctx, x.district, x.mia)
	if err != nil || len(notices) == 0 {
		t.Fatalf("notices: %v %d", err, len(notices))
	}
	consent := iep.Consent{DistrictID: x.district, StudentID: x.mia, Kind: iep.ConsentReevaluation,
		RequestedOn: date.MustParse("2026-03-02"), Decision: iep.ConsentGranted, DecidedOn: date.MustParse("2026-03-04"),
		GuardianID: x.rosa, Method: "electronic"}
	report := iep.ProgressReport{DistrictID: x.district, StudentID: x.mia, PlanID: x.current(t), Period: "Term 2 2025-2026",
		PeriodEnd: date.MustParse("2026-01-30"), SentOn: date.MustParse("2026-02-03"),
		Entries: []iep.ProgressEntry{{GoalID: "g1", Rating: iep.RatingSufficient, Narrative: "Mia reads 104 words correct per minute."}}}
	if err := x.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateConsent(ctx, &consent); err != nil {
			return err
		}
		return tx.CreateProgressReport(ctx, &report)
	}); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, kind, id, query, lang string }{
		{"iep-proposal-en", "iep", x.draft, "?lang=en", "en"},
		{"iep-proposal-es", "iep", x.draft, "?lang=es", "es"},
		{"iep-draft-en", "iep", x.noahDraft(t), "?lang=en", "en"},
		{"notice-en", "notice", notices[len(notices)-1].ID, "?lang=en", "en"},
		{"meeting-es", "meeting", meeting, "?lang=es", "es"},
		{"consent-en", "consent", consent.ID, "?lang=en", "en"},
		{"revocation-en", "revocation", consent.ID, "?lang=en", "en"},
		{"progress-en", "progress", report.ID, "?lang=en", "en"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u := x.docURL(false, c.kind, c.id, "")
			if c.kind == "iep" && c.id == x.noahDraft(t) {
				u = documentURL(false, x.district, x.noah, c.kind, c.id)
			}
			data := fetchPDF(t, x, asTeamMember, u+".pdf"+c.query)
			checkStructure(t, data, c.lang)
			got := normalized(pdfText(t, data))
			golden := filepath.Join("testdata", "documents", c.name+".txt")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to write it, then review it)", err)
			}
			if got != string(want) {
				t.Errorf("%s: the PDF's text differs from %s (-update rewrites it; review the change):\n%s", c.name, golden, firstDiff(string(want), got))
			}
		})
	}
}

// firstDiff shows the first line that differs.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, a, b)
		}
	}
	return ""
}

// checkStructure: the PDF is tagged (a structure tree with headings and tables), names its
// language in its catalog, and keeps its outline.
func checkStructure(t *testing.T, data []byte, lang string) {
	t.Helper()
	for _, want := range []string{"/StructTreeRoot", "/MarkInfo", "/Marked true", "/S /H1", "/S /H2", "/S /Table", "/S /TH", "/Outlines",
		"/Lang (" + lang + ")"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("the PDF has no %s", want)
		}
	}
}

// TestDocumentVietnameseArabic: the family's own words in Vietnamese and Arabic print as typed,
// in a document in that language (Arabic right to left), with the language in the PDF.
func TestDocumentVietnameseArabic(t *testing.T) {
	needPDF(t)
	x := newRespondWorld(t)
	vi := "Chúng tôi muốn Mia đọc tốt hơn và tự tin ở trường."
	ar := "نريد أن تقرأ ميا بثقة وأن تستمتع بالمدرسة."
	for _, c := range []struct{ lang, words, want string }{{"vi", vi, "Chúng tôi muốn Mia đọc tốt hơn"}, {"ar", ar, "بثقة"}} {
		t.Run(c.lang, func(t *testing.T) {
			x.setConcerns(t, c.words)
			u := x.docURL(false, "iep", x.draft, "")
			res, body := x.getAs(t, asTeamMember, u+"?lang="+c.lang)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("HTML view: %d", res.StatusCode)
			}
			dir := map[string]string{"vi": `dir="ltr"`, "ar": `dir="rtl"`}[c.lang]
			mustContain(t, c.lang+" HTML", body, `<html lang="`+c.lang+`" `+dir, c.words)
			data := fetchPDF(t, x, asTeamMember, u+".pdf?lang="+c.lang)
			checkStructure(t, data, c.lang)
			if text := pdfText(t, data); !strings.Contains(text, c.want) {
				t.Errorf("%s: the PDF's text lacks %q:\n%.2000s", c.lang, c.want, text)
			}
		})
	}
}

// noahDraft is Noah's draft (the mp world's plan).
func (x *respondWorld) noahDraft(t *testing.T) string { return x.plan }

// current is Mia's plan in effect.
func (x *respondWorld) current(t *testing.T) string {
	t.Helper()
	p, err := x.db.CurrentPlan(context.Background(), x.district, x.mia)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

// setConcerns writes the family's concerns of Mia's draft.
func (x *respondWorld) setConcerns(t *testing.T, words string) {
	t.Helper()
	ctx := context.Background()
	p, err := x.db.GetPlan(ctx, x.district, x.draft)
	if err != nil {
		t.Fatal(err)
	}
	content, _ := json.Marshal(iep.Concerns{ParentConcerns: words})
	if err := x.db.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.SaveSection(ctx, x.district, x.draft, iep.SectionConcerns, content, p.SectionRevisions[iep.SectionConcerns], x.cm)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestSigningKeepsThePDF: the answer page makes the proposal's PDF once and keeps it; the
// signature records its hash and id; the PDF served ever after is the same bytes even when what
// it was made from changes (the district renamed); a hash that is not the kept PDF's is refused
// at its field.
func TestSigningKeepsThePDF(t *testing.T) {
	needPDF(t)
	x := newRespondWorld(t)
	x.propose(t)
	res, body := x.getAs(t, asGuardian, x.respondURL()+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("respond page: %d", res.StatusCode)
	}
	m := regexp.MustCompile(`name="pdf_sha256" value="([0-9a-f]{64})"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the answer page names no PDF:\n%.3000s", body)
	}
	link := regexp.MustCompile(`href="([^"]+)" id="f-pdf"`).FindStringSubmatch(body)
	if link == nil {
		t.Fatal("no link to the PDF")
	}
	shown := fetchPDF(t, x, asGuardian, strings.ReplaceAll(link[1], "&amp;", "&"))
	if sum := sha256.Sum256(shown); hex.EncodeToString(sum[:]) != m[1] {
		t.Fatalf("the PDF served is not the one named: %x vs %s", sum, m[1])
	}
	// Refused: a hash that is not the kept PDF's.
	bad := x.answer(x.sha(t))
	bad.Set("pdf_sha256", strings.Repeat("0", 64))
	if res, body := x.submitAs(t, asGuardian, x.respondURL()+"?lang=en", bad); res.StatusCode == http.StatusSeeOther || !strings.Contains(body, "f-pdf") {
		t.Errorf("a forged PDF hash: %d %s", res.StatusCode, errorsOf(body))
	}
	good := x.answer(x.sha(t))
	good.Set("pdf_sha256", m[1])
	if res, body := x.submitAs(t, asGuardian, x.respondURL()+"?lang=en", good); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", res.StatusCode, errorsOf(body))
	}
	rs := x.responses(t)
	if len(rs) != 1 || rs[0].Signature.PDFSHA256 != m[1] || rs[0].Signature.PDFDocumentID == "" ||
		!strings.Contains(rs[0].Signature.Attestation, m[1]) {
		t.Fatalf("signature: %+v", rs[0].Signature)
	}
	// What it was made from changes: the kept PDF does not.
	ctx := context.Background()
	if _, err := x.db.Writer().ExecContext(ctx, `UPDATE districts SET name = 'Renamed District' WHERE id = ?`, x.district); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{asGuardian, asTeamMember} {
		signed := fetchPDF(t, x, who, x.docURL(who == asGuardian, "signed", rs[0].ID, ".pdf"))
		if !bytes.Equal(signed, shown) {
			t.Errorf("%s: the signed PDF is not the bytes shown", who)
		}
	}
	again := fetchPDF(t, x, asGuardian, strings.ReplaceAll(link[1], "&amp;", "&"))
	if !bytes.Equal(again, shown) {
		t.Error("the proposal's PDF was made again")
	}
	fresh := fetchPDF(t, x, asTeamMember, x.docURL(false, "iep", x.draft, ".pdf?lang=en"))
	if text := pdfText(t, fresh); !strings.Contains(text, "Renamed District") || !strings.Contains(text, "signed electronically") {
		t.Errorf("the IEP made now shows the district as it is and the signature:\n%.1500s", text)
	}
}

// TestDocumentsWithoutChromium: without Chromium the HTML view works, the PDF is a 503 that
// names the packages to install and links the HTML view, and a parent still answers (on the
// version's hash alone).
func TestDocumentsWithoutChromium(t *testing.T) {
	w := newWorld(t, 0)
	h, err := New(app.New(w.db, func() time.Time { return testNow }, app.WithPasswordParams(testParams)),
		Options{Now: func() time.Time { return testNow }, Documents: pdf.New(pdf.Options{ExecPath: "/nonexistent/chromium"})})
	if err != nil {
		t.Fatal(err)
	}
	w.handler = h
	x := respondWorldOf(t, w)
	x.propose(t)
	u := x.docURL(false, "iep", x.draft, "")
	if res, body := x.getAs(t, asTeamMember, u+"?lang=en"); res.StatusCode != http.StatusOK || !strings.Contains(body, goalStatement) {
		t.Fatalf("HTML view: %d", res.StatusCode)
	}
	res, body := x.getAs(t, asTeamMember, u+".pdf?lang=en")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("PDF without Chromium: %d", res.StatusCode)
	}
	mustContain(t, "the 503", body, "apt-get install chromium fonts-noto-core fonts-noto-cjk", `href="`+u+`?lang=en"`, "/nonexistent/chromium")
	res, body = x.getAs(t, asGuardian, x.respondURL()+"?lang=en")
	if res.StatusCode != http.StatusOK || strings.Contains(body, "pdf_sha256") {
		t.Fatalf("answer page without Chromium: %d, names a PDF: %v", res.StatusCode, strings.Contains(body, "pdf_sha256"))
	}
	if res, body := x.submitAs(t, asGuardian, x.respondURL()+"?lang=en", x.answer(x.sha(t))); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("answer: %d %s", res.StatusCode, errorsOf(body))
	}
	if rs := x.responses(t); len(rs) != 1 || rs[0].Signature.PDFSHA256 != "" {
		t.Errorf("signature without a PDF: %+v", rs)
	}
}
