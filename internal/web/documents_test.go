package web

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
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
			text := pdfText(t, data)
			if !strings.Contains(text, c.want) {
				t.Errorf("%s: the PDF's text lacks %q:\n%.2000s", c.lang, c.want, text)
			}
			// The plan's own words print in the language too: section titles, table headings.
			for _, key := range []string{"section.goals", "section.services", "services.col_service", "concerns.parent_concerns"} {
				if w := i18n.Message(c.lang, key); w == i18n.Message("en", key) || !strings.Contains(text, w) {
					t.Errorf("%s: the PDF does not say %s in its language (%q)", c.lang, key, w)
				}
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
	// The whole record prints each document as a page of HTML that needs nothing else, and
	// says why.
	files := unzip(t, x, asGuardian, familyURL(x.district, x.mia, "records", "download")+"?lang=en")
	index := string(files["index.html"])
	mustContain(t, "index.html", index, "This copy could not make PDFs", "/nonexistent/chromium")
	n := 0
	for name, data := range files {
		if !strings.HasPrefix(name, "print/") {
			continue
		}
		n++
		html := string(data)
		if !strings.HasSuffix(name, ".html") || !strings.Contains(index, `href="`+name+`"`) {
			t.Errorf("%s: not HTML, or index.html does not link it", name)
		}
		mustContain(t, name, html, `<html lang="en"`, "<style>", "Mia Ortiz")
		for _, bad := range []string{"<script", "/static/", "<link"} {
			if strings.Contains(html, bad) {
				t.Errorf("%s needs something else to print (%s)", name, bad)
			}
		}
	}
	if n < 4 {
		t.Errorf("%d documents printed, want the IEP versions, notices and meeting notice (4 or more)", n)
	}
}

// unzip downloads a ZIP as who and returns its files by name.
func unzip(t *testing.T, x *respondWorld, who, u string) map[string][]byte {
	t.Helper()
	res, body := x.getAs(t, who, u)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d", u, res.StatusCode)
	}
	return unzipBody(t, body)
}

// unzipBody reads a ZIP's files by name.
func unzipBody(t testing.TB, body string) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return files
}

// TestDocumentsInTheFamilysLanguage: a guardian whose language documents are printed in, and
// pages are not (Vietnamese), reads their documents in it unless they pick another: the
// document, the download's printed documents (its index stays in a page language) and the
// records page's choice; ?lang= on a document does not switch the pages' language.
func TestDocumentsInTheFamilysLanguage(t *testing.T) {
	x := newRespondWorld(t)
	x.propose(t)
	ctx := context.Background()
	if _, err := x.db.Writer().ExecContext(ctx, `UPDATE guardians SET preferred_language = 'vi' WHERE id = ?`, x.rosa); err != nil {
		t.Fatal(err)
	}
	u := x.docURL(true, "iep", x.draft, "")
	res, body := x.getAs(t, asGuardian, u)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, res.StatusCode)
	}
	mustContain(t, "the IEP for a Vietnamese family", body, `<html lang="vi" dir="ltr"`, i18n.Message("vi", "section.goals"))
	_, body = x.getAs(t, asGuardian, familyURL(x.district, x.mia, "records"))
	mustContain(t, "the records page", body, `<option value="vi" lang="vi" selected>Tiếng Việt</option>`)
	// Spanish documents when asked, and the pages do not switch to Spanish for it.
	_, body = x.getAs(t, asGuardian, u+"?lang=es")
	mustContain(t, "the IEP in Spanish", body, `<html lang="es"`)
	_, body = x.getAs(t, asGuardian, familyURL(x.district, x.mia, "records"))
	if strings.Contains(body, `<html lang="es"`) {
		t.Error("asking for a document in Spanish switched the family's pages to Spanish")
	}
	if testDocuments.Available() != nil {
		return // the PDFs are the golden tests' (needPDF says what is missing)
	}
	files := unzip(t, x, asGuardian, familyURL(x.district, x.mia, "records", "download"))
	mustContain(t, "index.html", string(files["index.html"]), `<html lang="en">`, `hreflang="vi"`, "Their language: Vietnamese.")
	n := 0
	for name, data := range files {
		if strings.HasPrefix(name, "print/") {
			n++
			checkStructure(t, data, "vi")
			if strings.HasPrefix(name, "print/01-") { // the plan proposed
				mustContain(t, name, pdfText(t, data), i18n.Message("vi", "section.goals"), goalStatement)
			}
		}
	}
	if n < 4 {
		t.Errorf("%d documents printed, want 4 or more", n)
	}
}

// documentKeys are the catalog keys a document may print: each key its templates name
// (T "key"), each value of an enumeration they name (E "prefix", every prefix.* key), and the
// keys the Go side of a document says (titles, dates, numbers, service frequencies).
func documentKeys(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../i18n/catalog/en.json")
	if err != nil {
		t.Fatal(err)
	}
	var en struct{ Messages map[string]string }
	if err := json.Unmarshal(raw, &en); err != nil {
		t.Fatal(err)
	}
	files := []string{"document.html"}
	for _, fs := range docFiles {
		files = append(files, fs...)
	}
	literal := regexp.MustCompile(`\b(?:T|Tn)\s+"([^"]+)"`)
	enum := regexp.MustCompile(`\b(?:E|Es)\s+"([^"]+)"`)
	goKey := regexp.MustCompile(`\b(T|E|Es)\("([a-z_.]+)"`)
	keys := map[string]bool{}
	prefixes := map[string]bool{"month": true, "language": true, "period": true}
	scan := func(text string, lit *regexp.Regexp) {
		for _, m := range lit.FindAllStringSubmatch(text, -1) {
			keys[m[1]] = true
		}
		for _, m := range enum.FindAllStringSubmatch(text, -1) {
			prefixes[m[1]] = true
		}
	}
	for _, f := range files {
		b, err := templateFS.ReadFile("templates/" + f)
		if err != nil {
			t.Fatal(err)
		}
		scan(string(b), literal)
	}
	// The Go side: the documents themselves, the words every page writes (dates, numbers), the
	// service frequencies the plan's templates call.
	for _, f := range []string{"documents.go", "view.go", "student.go"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if f == "student.go" {
			start := strings.Index(text, "func (b Base) Weekly(")
			end := strings.Index(text, "func (b Base) Decimal(")
			if start < 0 || end < start {
				t.Fatal("student.go: the service frequencies (Weekly … Decimal) moved; update documentKeys")
			}
			text = text[start:end]
		}
		for _, m := range goKey.FindAllStringSubmatch(text, -1) {
			if m[1] != "T" || strings.HasSuffix(m[2], ".") { // T("month."+n) is an enumeration too
				prefixes[strings.TrimSuffix(m[2], ".")] = true
			} else {
				keys[m[2]] = true
			}
		}
	}
	for k := range en.Messages {
		for p := range prefixes {
			if strings.HasPrefix(k, p+".") {
				keys[k] = true
			}
		}
	}
	var out []string
	for k := range keys {
		if _, ok := en.Messages[k]; !ok {
			t.Errorf("a document names %q, which the English catalog does not have", k)
			continue
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestDocumentCatalogs: every word a document prints is in each language documents are
// printed in (a Vietnamese family's IEP says nothing in English but what people typed).
func TestDocumentCatalogs(t *testing.T) {
	keys := documentKeys(t)
	if len(keys) < 400 {
		t.Fatalf("only %d keys found in the documents: the scan is broken", len(keys))
	}
	for _, lang := range i18n.DocumentLanguages() {
		var missing []string
		for _, k := range keys {
			if !i18n.Translated(lang, k) {
				missing = append(missing, k)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s: %d of the documents' %d messages are missing: %v", lang, len(missing), len(keys), missing)
		}
	}
}

// pdfLink finds the address of the link with id in a page (its &amp; unescaped).
func pdfLink(t *testing.T, page, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`<a href="([^"]+)"[^>]*id="` + regexp.QuoteMeta(id) + `"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("%s has no link #%s", page, id)
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

// TestDocumentLinks: the pages lead to their documents — the staff's student page (each plan
// and meeting), the plan's page, and the family's plan, meeting and progress pages — and each
// link opens the document it names (its HTML view: the PDFs are the golden tests').
func TestDocumentLinks(t *testing.T) {
	x := newRespondWorld(t)
	x.propose(t)
	ctx := context.Background()
	report := iep.ProgressReport{DistrictID: x.district, StudentID: x.mia, PlanID: x.current(t), Period: "Term 2 2025-2026",
		PeriodEnd: date.MustParse("2026-01-30"), SentOn: date.MustParse("2026-02-03"),
		Entries: []iep.ProgressEntry{{GoalID: "g1", Rating: iep.RatingSufficient, Narrative: "Mia reads 104 words correct per minute."}}}
	if err := x.db.Write(ctx, func(tx *store.Tx) error { return tx.CreateProgressReport(ctx, &report) }); err != nil {
		t.Fatal(err)
	}
	meetings, err := x.db.ListMeetings(ctx, x.district, x.mia)
	if err != nil || len(meetings) == 0 {
		t.Fatalf("meetings: %v", err)
	}
	open := func(who, from, u, want string) {
		t.Helper()
		path, query, _ := strings.Cut(u, "?")
		q, _ := url.ParseQuery(query)
		q.Set("lang", "en")
		html := strings.TrimSuffix(path, ".pdf") + "?" + q.Encode()
		if res, body := x.getAs(t, who, html); res.StatusCode != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("%s: %s = %d, want a document with %q", from, html, res.StatusCode, want)
		}
	}
	// Staff: the student page's plans and meetings, the plan page.
	_, body := x.getAs(t, asTeamMember, studentURL(x.district, x.mia)+"?lang=en")
	for _, want := range []string{
		`href="` + documentURL(false, x.district, x.mia, "iep", x.draft) + `.pdf"`,
		`href="` + documentURL(false, x.district, x.mia, "iep", x.current(t)) + `.pdf"`,
		`href="` + documentURL(false, x.district, x.mia, "meeting", meetings[0].ID) + `.pdf"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the student page has no link %s", want)
		}
	}
	open(asTeamMember, "student page", documentURL(false, x.district, x.mia, "meeting", meetings[0].ID)+".pdf", "Mia Ortiz")
	_, body = x.getAs(t, asTeamMember, planURL(x.district, x.draft)+"?lang=en")
	mustContain(t, "the plan page", body, `href="`+documentURL(false, x.district, x.mia, "iep", x.draft)+`.pdf?version=" type="application/pdf">The IEP as a PDF</a>`)
	// The family: the staff's address of a plan leads to the family's document.
	res, _ := x.getAs(t, asGuardian, planURL(x.district, x.draft, "print"))
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, documentURL(true, x.district, x.mia, "iep", x.draft)+"?") {
		t.Errorf("the print view for the family: %d %s", res.StatusCode, loc)
	}
	_, body = x.getAs(t, asGuardian, planURL(x.district, x.draft)+"?lang=en")
	mustContain(t, "the plan's page for the family", body, `href="`+documentURL(true, x.district, x.mia, "iep", x.draft)+`.pdf?version="`)
	// The family: plan, meeting, progress.
	_, body = x.getAs(t, asGuardian, x.famURL("plans", x.draft)+"?lang=en")
	open(asGuardian, "family plan", pdfLink(t, "the family's plan", body, "fam-plan-pdf"), goalStatement)
	_, body = x.getAs(t, asGuardian, x.familyMeetingURL(meetings[0].ID)+"?lang=en")
	open(asGuardian, "family meeting", pdfLink(t, "the family's meeting", body, "fam-meeting-pdf"), "Mia Ortiz")
	_, body = x.getAs(t, asGuardian, x.famURL("progress")+"?lang=en")
	open(asGuardian, "family progress", pdfLink(t, "the family's progress", body, "fam-report-pdf-0"), "Mia reads 104 words")
}
