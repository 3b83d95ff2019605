package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// The import of past service logs in the matrix: district administrators only, as the other
// administration pages; other staff (and state viewers) are refused, families and other
// districts find nothing. The matrix's POST is a sign-in form, not a file: refused (400).
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		staffOnly := func(anonymous, admin outcome) map[string]outcome {
			return with(every(anonymous, forbidden), asGuardian, hidden, asOtherGuardian, hidden, asNoRights, hidden,
				asOtherDistrict, hidden, asDistrictAdmin, admin)
		}
		const p = "/districts/{district}/admin/service-logs/import"
		return map[string]map[string]outcome{
			"GET " + p:  staffOnly(toSignIn, ok),
			"POST " + p: staffOnly(signInAgain, bad),
		}, nil
	})
}

func (w *world) importURL() string { return w.adminURL("service-logs", "import") }

// importCSV posts a file of service logs as who (skip ticks "import the rows without problems").
func (w *world) importCSV(t *testing.T, who, file string, skip bool, query string) (*http.Response, string) {
	t.Helper()
	form := url.Values{}
	if skip {
		form.Set("skip_invalid", "yes")
	}
	return w.submitFile(t, who, w.importURL()+query, form, upload{"file", "logs.csv", []byte(file)})
}

// miaLogs are the service logs stored for Mia.
func (w *world) miaLogs(t *testing.T) []iep.ServiceLog {
	t.Helper()
	logs, err := w.db.ListServiceLogs(context.Background(), w.district, w.mia, date.Date{}, date.Date{})
	if err != nil {
		t.Fatal(err)
	}
	return logs
}

const importHeader = "student_local_id,date,service_type,service_line_id,minutes,status,missed_reason,make_up_of_date,provider_email\n"

// TestImportPage: the administration links the page; it has the upload form (label, hint linking
// to the layout), the box for the rows without problems, and the layout's table, in both
// languages.
func TestImportPage(t *testing.T) {
	w := newWorld(t, 0)
	_, home := w.get(t, w.adminURL())
	mustContain(t, "the administration", home, `href="/districts/`+w.district+`/admin/service-logs/import"`, "Import past service logs")
	res, body := w.get(t, w.importURL())
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET = %d", res.StatusCode)
	}
	mustContain(t, "the import page", body, `enctype="multipart/form-data"`, `<label for="f-file">CSV file of service logs</label>`,
		`aria-describedby="f-file-hint"`, `<a href="#columns">`, `<h2 id="columns"`, `<label for="f-skip_invalid">Import the rows without problems</label>`,
		`<caption id="columns-caption">Columns of a service log file</caption>`, `<th scope="row"><code>make_up_of_date</code></th>`,
		"speech_language_therapy, occupational_therapy", "student_absent, provider_absent")
	if strings.Contains(body, "error-summary") {
		t.Error("a fresh page shows an error summary")
	}
	_, es := w.get(t, w.importURL()+"?lang=es")
	mustContain(t, "the page in Spanish", es, "Importar registros de servicios anteriores", "Esta o la otra columna del estudiante")
}

// TestImportUpload: a clean file is imported at once and the page says so; the same file again
// stores nothing twice.
func TestImportUpload(t *testing.T) {
	w := newWorld(t, 0)
	file := importHeader +
		"R-1001,2025-10-06,speech_language_therapy,,30,delivered,,,sokafor@riverton.example\n" +
		"R-1001,2025-10-07,reading_intervention,s1,45,delivered,,,DReyes@riverton.example\n"
	res, body := w.importCSV(t, asDistrictAdmin, file, false, "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("upload = %d\n%s", res.StatusCode, body)
	}
	mustContain(t, "the result", body, `role="status"`, "Sessions stored: 2. Already stored, skipped: 0.",
		"<dt>Rows read</dt><dd>2</dd>", "<dt>Sessions imported now</dt><dd>2</dd>")
	logs := w.miaLogs(t)
	if len(logs) != 2 || logs[0].ServiceLineID != "s2" || logs[1].ServiceLineID != "s1" || logs[1].ProviderID != w.cm || logs[1].Minutes != 45 {
		t.Fatalf("stored logs = %+v", logs)
	}
	_, body = w.importCSV(t, asDistrictAdmin, file, false, "")
	mustContain(t, "the second upload", body, "Sessions stored: 0. Already stored, skipped: 2.")
	if n := len(w.miaLogs(t)); n != 2 {
		t.Errorf("%d logs after the second upload, want 2", n)
	}
	entries, _ := w.db.ListAudit(context.Background(), w.district, "", 2)
	if len(entries) != 2 || entries[0].Action != "import" || entries[0].RecordKind != "service_log" || entries[0].RecordID != "imported=0 present=2 skipped=0" {
		t.Errorf("audit = %+v", entries)
	}
}

// TestImportErrorTable: a file with problems stores nothing and answers with the summary
// (linking to the table) and the table of problems by line and column, in the reader's
// language; ticking the box imports the good row and lists the lines left out.
func TestImportErrorTable(t *testing.T) {
	w := newWorld(t, 0)
	file := importHeader +
		"R-1001,2025-10-06,reading_intervention,,45,delivered,,,dreyes@riverton.example\n" + // 2: s1 and e1 (ESY) at once
		"R-1001,2025-10-07,speech_language_therapy,,30,delivered,,,nobody@riverton.example\n" + // 3
		"R-1001,2025-10-08,speech_language_therapy,,30,delivered,,,sokafor@riverton.example\n" // 4: good
	res, body := w.importCSV(t, asDistrictAdmin, file, false, "")
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("upload = %d, want 400", res.StatusCode)
	}
	mustContain(t, "the refusal", body, `class="error-summary"`, `<a href="#import-problems">Rows with problems: 2. Nothing was imported`,
		`id="import-problems"`, `<caption id="import-problems-caption">Problems by line and column (line 1 is the header)</caption>`,
		`<th scope="col">Line</th>`, `<th scope="row" class="num">2</th>`, "<code>service_type</code>",
		"More than one line of this service was in force on this day (s1, e1): add a service_line_id column naming one.",
		`<th scope="row" class="num">3</th>`, "<code>provider_email</code>", "No staff member of the district has this e-mail address.",
		"<dt>Rows without problems</dt><dd>1</dd>")
	if strings.Contains(body, `role="status"`) {
		t.Error("the refusal says something was imported")
	}
	if n := len(w.miaLogs(t)); n != 0 {
		t.Fatalf("a refused file stored %d logs", n)
	}
	_, es := w.importCSV(t, asDistrictAdmin, file, false, "?lang=es")
	mustContain(t, "the refusal in Spanish", es, "Filas con problemas: 2. No se importó nada",
		"Había más de una línea de este servicio vigente ese día (s1, e1)", "<th scope=\"col\">Línea</th>")

	res, body = w.importCSV(t, asDistrictAdmin, file, true, "")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("good rows = %d, want 200", res.StatusCode)
	}
	mustContain(t, "the good rows", body, "Sessions stored: 1.", "Rows with problems left out (2), on lines: 2, 3")
	if logs := w.miaLogs(t); len(logs) != 1 || logs[0].Date != date.MustParse("2025-10-08") {
		t.Errorf("stored = %+v, want the row of line 4", logs)
	}
}

// TestImportFileRefused: no file, or a file without a required column, is refused at the file
// input (summary link, message, aria-invalid) and stores nothing.
func TestImportFileRefused(t *testing.T) {
	w := newWorld(t, 0)
	res, body := w.submitFile(t, asDistrictAdmin, w.importURL(), url.Values{})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("no file = %d, want 400", res.StatusCode)
	}
	mustContain(t, "no file", body, `<a href="#f-file">Choose a CSV file.</a>`, `id="f-file-error"`, `aria-invalid="true"`,
		`aria-describedby="f-file-hint f-file-error"`)
	_, body = w.importCSV(t, asDistrictAdmin, "student_local_id,date,service_type,status,provider_email\nR-1001,2025-10-06,counseling,delivered,a@b\n", false, "")
	mustContain(t, "a column missing", body, "The file needs a minutes column.")
	// Over 20 MB: caught while the app reads it (just over), or by the upload's own limit.
	row := "R-1001,2025-10-06,speech_language_therapy,,30,delivered,,,sokafor@riverton.example," + strings.Repeat("n", 1000) + "\n"
	for _, size := range []int{20<<20 + 100<<10, 22 << 20} {
		big := importHeader[:len(importHeader)-1] + ",note\n" + strings.Repeat(row, size/len(row)+1)
		res, body = w.importCSV(t, asDistrictAdmin, big, true, "")
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("a file of %d bytes = %d, want 400", len(big), res.StatusCode)
		}
		mustContain(t, "a file too large", body, "The file is larger than 20 MB")
	}
	if n := len(w.miaLogs(t)); n != 0 {
		t.Errorf("refused files stored %d logs", n)
	}
}

// TestImportAuthorization: a case manager posting a good file is refused before it is read, and
// nothing is stored.
func TestImportAuthorization(t *testing.T) {
	w := newWorld(t, 0)
	file := importHeader + "R-1001,2025-10-06,speech_language_therapy,,30,delivered,,,sokafor@riverton.example\n"
	for who, want := range map[string]int{asTeamMember: http.StatusForbidden, asOtherDistrict: http.StatusNotFound, asGuardian: http.StatusNotFound} {
		if res, _ := w.importCSV(t, who, file, true, ""); res.StatusCode != want {
			t.Errorf("upload as %s = %d, want %d", who, res.StatusCode, want)
		}
	}
	if n := len(w.miaLogs(t)); n != 0 {
		t.Errorf("refused uploads stored %d logs", n)
	}
	entries, _ := w.db.ListAudit(context.Background(), w.district, "", 0)
	for _, e := range entries {
		if e.Action == "import" {
			t.Errorf("a refused upload was audited as an import: %+v", e)
		}
	}
}

// TestBrowserImportPages checks the import page with axe-core in both languages and at 320 px,
// and the answer to a file with problems (summary, counts, table of problems).
func TestBrowserImportPages(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newWorld(t, 0)
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
	b.signIn(t, srv.URL, w.emails[asDistrictAdmin], "admin")
	page := srv.URL + w.importURL()
	for _, p := range []struct {
		name, url string
		width     int64
	}{{"import-en", page + "?lang=en", 1280}, {"import-es", page + "?lang=es", 1280}, {"import-320", page + "?lang=en", 320}} {
		t.Run(p.name, func(t *testing.T) {
			b.visit(t, p.name, p.url, p.width, 900)
			b.checkAxe(t, p.name)
			b.screenshot(t, p.name)
		})
	}
	file := filepath.Join(t.TempDir(), "logs.csv")
	if err := os.WriteFile(file, []byte(importHeader+
		"R-1001,2025-10-06,reading_intervention,,45,delivered,,,dreyes@riverton.example\n"+
		"R-1001,2025-10-08,speech_language_therapy,,30,delivered,,,sokafor@riverton.example\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "es"} {
		name := "import-refused-" + lang
		t.Run(name, func(t *testing.T) {
			b.visit(t, name, page+"?lang="+lang, 1280, 900)
			b.step(t, "upload a file with a problem",
				chromedp.SetUploadFiles(chromedp.CSS("#f-file"), []string{file}),
				chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
				chromedp.WaitVisible(chromedp.CSS("#error-summary")),
			)
			if got := evalIn[string](t, b, `document.querySelector("#error-summary a").getAttribute("href")`); got != "#import-problems" {
				t.Errorf("the error summary links to %q, want the table of problems", got)
			}
			if got := evalIn[int](t, b, `document.querySelectorAll("#import-problems tbody tr").length`); got != 1 {
				t.Errorf("the table lists %d problems, want 1", got)
			}
			b.checkAxe(t, name)
			b.screenshot(t, name)
		})
	}
	if n := len(w.miaLogs(t)); n != 0 {
		t.Errorf("the refused upload stored %d logs", n)
	}
}
