package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/store"
)

// The matrix rows of the family's progress, records and rights pages, the download, and the
// staff's page of a records request (a request of Rosa's for Mia is seeded for it).
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		f := "/districts/{district}/family/{student}"
		rq := "/districts/{district}/students/{student}/records-requests/{request}"
		id := w.seedRecordsRequest()
		staff := func(anonymous, allowed outcome) map[string]outcome {
			return with(every(anonymous, hidden), asUnassigned, forbidden, asOtherSchool, forbidden,
				asTeamMember, allowed, asDistrictAdmin, allowed)
		}
		return map[string]map[string]outcome{
			"GET " + f + "/progress":         familyOnly(),
			"GET " + f + "/records":          familyOnly(),
			"POST " + f + "/records":         with(every(signInAgain, hidden), asGuardian, bad), // the matrix posts no choice
			"GET " + f + "/records/download": familyOnly(),
			"GET " + f + "/rights":           familyOnly(),
			"GET " + rq:                      staff(toSignIn, ok),
			"POST " + rq:                     staff(signInAgain, bad), // the matrix posts no date
		}, map[string]string{"request": id}
	})
}

// seedRecordsRequest stores a request of Rosa's to see Mia's records and returns its id.
func (w *world) seedRecordsRequest() string {
	rq := store.RecordsRequestDetail{RecordsRequest: iep.RecordsRequest{DistrictID: w.district, StudentID: w.mia,
		GuardianID: w.rosa, RequestedOn: dueToday.AddDays(-3)}, Parts: []string{store.RecordsAll}, Delivery: store.RecordsCopies}
	if err := w.db.Write(context.Background(), func(tx *store.Tx) error { return tx.CreateRecordsRequestDetail(context.Background(), &rq) }); err != nil {
		panic(err)
	}
	return rq.ID
}

// auditOf returns the actions and record kinds of Mia's audit trail, oldest first.
func (w *world) auditOf(t *testing.T) []string {
	t.Helper()
	entries, err := w.db.ListAudit(context.Background(), w.district, w.mia, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Action+" "+e.RecordKind)
	}
	slices.Reverse(out)
	return out
}

// TestFamilyProgressPage: Rosa sees each goal as a chart and a table with a summary in plain
// words, the progress report, and each service promised against delivered, with the missed
// session (why, whose absence, made up) and what the school owes, in English and Spanish; one
// audit entry a view; staff and another family find nothing.
func TestFamilyProgressPage(t *testing.T) {
	w := newWorld(t, 0)
	w.seedRecord(t)
	res, body := w.getAs(t, asGuardian, familyURL(w.district, w.mia, "progress")+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET progress = %d\n%s", res.StatusCode, body)
	}
	mustContain(t, "the progress page", body,
		`aria-current="page">Progress and services</a>`, "<h1>How Mia Ortiz is doing</h1>",
		// The goal: summary, chart, table.
		`<h3 id="goal-1-h">Goal 1: Reading</h3>`,
		"The last measurement, on February 10, 2026, was 102.5 wcpm.", "The goal is 120 wcpm by February 2026.",
		"Progress reported in February 2026: on track to meet the goal.",
		`role="img" aria-labelledby="goal-1-chart-title goal-1-chart-desc"`, `<title id="goal-1-chart-title">Goal 1: Reading, measurements over time</title>`,
		`<caption id="goal-1-caption">Goal 1: Reading, every measurement</caption>`,
		"Starting point", "85 words correct per minute", `<time datetime="2026-01-10">January 10, 2026</time>`, "95 wcpm",
		// The report.
		"Term 2 2025-2026", "Period ended January 30, 2026. Sent to you on February 3, 2026.", "Steady gains.",
		// The services: promised and delivered, missed and made up, owed.
		"School year 2025-2026, from September 2, 2025 to March 16, 2026.",
		"Reading intervention", "90 of 3,456 minutes given", "1 given, 1 missed, 1 made up",
		"The school owes 3,366 minutes of reading intervention this school year.",
		`<td>Your child was absent</td>`, `<td>Your child's</td>`, "Yes, on February 6, 2026",
		"Make-up for the session missed on February 4, 2026", "Missed: Your child was absent. Made up on February 6, 2026.",
		"Speech and language therapy", "30 of 1,280 minutes given", "The school owes 1,250 minutes of speech and language therapy this school year.",
		"Not in effect in this period", // this month: the lines ended on February 28
		"See who has seen this record",
	)
	// Two measurements, two points; no inline style or script (the CSP).
	if n := strings.Count(body, "<circle "); n != 2 {
		t.Errorf("the chart has %d points, want 2", n)
	}
	for _, bad := range []string{"style=", "<script>", "onclick"} {
		if strings.Contains(body[strings.Index(body, "<main"):], bad) {
			t.Errorf("the page has %q", bad)
		}
	}
	if got := w.auditOf(t); !slices.Equal(got, []string{"read progress"}) {
		t.Errorf("audit = %v, want one read of progress", got)
	}

	_, body = w.getAs(t, asGuardian, familyURL(w.district, w.mia, "progress")+"?lang=es")
	mustContain(t, "in Spanish", body, "Cómo le va a Mia Ortiz", "La última medición, el 10 de febrero de 2026, fue 102,5 wcpm.",
		"La meta es 120 wcpm para febrero de 2026.", "Progreso informado en febrero de 2026: va bien para alcanzar la meta.",
		"La escuela debe 3.366 minutos de intervención en lectura este año escolar.", "Su hijo o hija faltó", "Sí, el 6 de febrero de 2026")

	for _, who := range []string{asTeamMember, asDistrictAdmin, asOtherGuardian, asNoRights} {
		if res, _ := w.getAs(t, who, familyURL(w.district, w.mia, "progress")); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s GET Mia's progress = %d, want 404", who, res.StatusCode)
		}
	}
	if res, _ := w.getAs(t, asGuardian, familyURL(w.district, w.noah, "progress")); res.StatusCode != http.StatusNotFound {
		t.Errorf("Rosa GET Noah's progress = %d, want 404", res.StatusCode)
	}
}

// TestFamilyProgressWithoutData: a child without a plan has a page that says so.
func TestFamilyProgressWithoutData(t *testing.T) {
	w := newWorld(t, 0)
	ctx := context.Background()
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: w.district, StudentID: w.ava, GuardianID: w.rosa,
			Relationship: iep.RelMother, HoldsEducationalRights: true, ContactOrder: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	res, body := w.getAs(t, asGuardian, familyURL(w.district, w.ava, "progress")+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET Ava's progress = %d", res.StatusCode)
	}
	mustContain(t, "no plan", body, "There is no IEP in effect, so there are no goals to follow yet.",
		"No progress report has been sent for this IEP yet.", "There is no IEP in effect, so no services are owed yet.")
}

// TestFamilyRecordsRequest: Rosa asks to see the records; a refused form keeps what she typed
// and says what is missing at its field; the request lands with the day the school must answer by
// (MA: 10 days); the case manager sees the same clock on the student page and records that the
// records were provided, which meets the clock; the family then sees it provided.
func TestFamilyRecordsRequest(t *testing.T) {
	w := newWorld(t, 0)
	page := familyURL(w.district, w.mia, "records")
	_, body := w.getAs(t, asGuardian, page+"?lang=en")
	mustContain(t, "the records page", body, "The school must let you see them within 10 days of your request.",
		"If an IEP meeting or a hearing comes first, before it.", "603 CMR 23.07(2)", "You have not asked to see the records yet.",
		`<input type="checkbox" id="f-parts-all" name="parts" value="all">`, `<input type="radio" id="f-delivery-copies" name="delivery" value="copies">`,
		familyURL(w.district, w.mia, "records", "download"), `href="`+w.accessURL(w.mia)+`"`)

	// Refused: nothing chosen; "something else" without saying what.
	res, body := w.submitAs(t, asGuardian, page+"?lang=en", url.Values{"parts": {"other"}, "note": {"  "}})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("POST an empty request = %d, want 400", res.StatusCode)
	}
	mustContain(t, "the refused form", body, `role="alert"`, `<a href="#f-delivery">Choose how you want to see the records.</a>`,
		`<a href="#f-note">Say what else you want to see.</a>`, `id="f-note-error"`, `aria-invalid="true"`,
		`value="other" checked`)
	res, body = w.submitAs(t, asGuardian, page+"?lang=en", url.Values{"delivery": {"copies"}, "note": {"From 2024 on, please."}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Choose what you want to see.") ||
		!strings.Contains(body, "From 2024 on, please.</textarea>") || !strings.Contains(body, `value="copies" checked`) {
		t.Errorf("POST without parts = %d; the form does not come back with what was typed and the problem", res.StatusCode)
	}
	if rs, _ := w.db.ListRecordsRequestDetails(context.Background(), w.district, w.mia); len(rs) != 0 {
		t.Fatalf("refused requests were stored: %+v", rs)
	}

	// Sent: the page comes back with the day the school must answer by.
	res, _ = w.submitAs(t, asGuardian, page, url.Values{"parts": {"services", "plans"}, "delivery": {"copies"}, "note": {"The speech logs too."}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), page+"?sent=") {
		t.Fatalf("POST a request = %d %s, want 303 back to the records page", res.StatusCode, res.Header.Get("Location"))
	}
	loc, _, _ := strings.Cut(res.Header.Get("Location"), "#") // a browser keeps the fragment to itself
	_, body = w.getAs(t, asGuardian, loc+"&lang=en")
	due := dueToday.AddDays(10)
	mustContain(t, "the request sent", body, `id="fam-sent" role="status"`, "Your request was sent to the school.",
		"The school must let you see the records by March 26, 2026.", "Waiting for the school: it must answer by March 26, 2026",
		"Asked on March 16, 2026 by Rosa Ortiz", "What: The IEPs, with their notices and your answers, Service logs: sessions given and missed. How: copies.",
		"The speech logs too.")
	ds, _ := w.db.ListStudentDeadlines(context.Background(), w.district, w.mia)
	i := slices.IndexFunc(ds, func(d store.Deadline) bool { return d.Clock == "records_request" })
	if i < 0 || ds[i].Due != due || !ds[i].Open() {
		t.Fatalf("the records clock: %+v, want open and due %s", ds, due)
	}
	rs, _ := w.db.ListRecordsRequestDetails(context.Background(), w.district, w.mia)
	if len(rs) != 1 {
		t.Fatalf("requests = %+v", rs)
	}
	id := rs[0].ID

	// Staff: the same clock on the student page, with the form; the family's view of the page has
	// the list without the form.
	_, body = w.getAs(t, asTeamMember, studentURL(w.district, w.mia)+"?lang=en")
	mustContain(t, "the student page", body, `<h2 id="records-requests-heading">Requests to see the records</h2>`,
		`<time datetime="2026-03-26">March 26, 2026</time>`, "In 10 days", `action="`+studentURL(w.district, w.mia)+`/records-requests/`+id+`"`,
		`<input type="date" id="provided_on-`+id+`" name="provided_on" required value="2026-03-16">`, "The speech logs too.")
	_, body = w.getAs(t, asGuardian, studentURL(w.district, w.mia)+"?lang=en")
	if !strings.Contains(body, "Requests to see the records") || strings.Contains(body, "/records-requests/") {
		t.Error("the family's view of the student page: the list missing, or the staff's form offered")
	}
	staffPage := studentURL(w.district, w.mia) + "/records-requests/" + id
	res, body = w.submitAs(t, asTeamMember, staffPage+"?lang=en", url.Values{"provided_on": {"2026-04-01"}, "provided_how": {"copies_sent"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("POST a day in the future = %d, want 400", res.StatusCode)
	}
	mustContain(t, "the refused staff form", body, "Give a date that is not in the future.", `value="2026-04-01"`,
		`value="copies_sent" checked`, `aria-describedby="f-provided_on-error"`)
	res, body = w.submitAs(t, asTeamMember, staffPage+"?lang=en", url.Values{"provided_on": {"2026-03-16"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Choose how the records were provided.") {
		t.Errorf("POST without how = %d", res.StatusCode)
	}
	res, _ = w.submitAs(t, asTeamMember, staffPage, url.Values{"provided_on": {"2026-03-16"}, "provided_how": {"copies_sent"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != studentURL(w.district, w.mia)+"#records-requests-heading" {
		t.Fatalf("POST records provided = %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	ds, _ = w.db.ListStudentDeadlines(context.Background(), w.district, w.mia)
	if i := slices.IndexFunc(ds, func(d store.Deadline) bool { return d.Clock == "records_request" }); i < 0 || ds[i].MetOn != dueToday {
		t.Errorf("the records clock is not met today: %+v", ds)
	}
	if res, _ := w.submitAs(t, asDistrictAdmin, staffPage, url.Values{"provided_on": {"2026-03-16"}, "provided_how": {"copies_given"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("providing twice = %d, want 409", res.StatusCode)
	}
	_, body = w.getAs(t, asGuardian, page+"?lang=en")
	mustContain(t, "provided, as the family sees it", body, "The school provided the records on March 16, 2026.", "Copies sent by mail or e-mail")
	_, body = w.getAs(t, asGuardian, page+"?lang=es")
	mustContain(t, "in Spanish", body, "La escuela entregó los expedientes el 16 de marzo de 2026.", "Pedir ver los expedientes")

	want := []string{"read records_requests", "read records_requests", "create records_request", "read records_requests",
		"read student", "read student", "update records_request", "read records_requests", "read records_requests"}
	got := w.auditOf(t)
	for _, a := range want {
		i := slices.Index(got, a)
		if i < 0 {
			t.Fatalf("audit %v lacks %q (want, in order, %v)", got, a, want)
		}
		got = got[i+1:]
	}
}

// TestFamilyRecordsDownload: the whole record is a ZIP sent as an attachment, never cached:
// index.html in the family's language, record.json that decodes, each frozen version's bytes
// with their hash, and every document byte for byte; one audit entry (export).
func TestFamilyRecordsDownload(t *testing.T) {
	w := newWorld(t, 0)
	_, docID := w.seedRecord(t)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{0, 1, 2, 0xff}, 300)...)
	ctx := context.Background()
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateDocument(ctx, &iep.Document{DistrictID: w.district, StudentID: w.mia, Name: "../scan of page 2.png",
			MediaType: "image/png", UploadedBy: w.cm}, png)
	})
	if err != nil {
		t.Fatal(err)
	}
	res, body := w.getAs(t, asGuardian, familyURL(w.district, w.mia, "records", "download")+"?lang=es")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET download = %d\n%s", res.StatusCode, body)
	}
	h := res.Header
	if h.Get("Content-Type") != "application/zip" || h.Get("Cache-Control") != "no-store" ||
		!strings.HasPrefix(h.Get("Content-Disposition"), `attachment; filename=Mia-Ortiz-expediente-2026-03-16.zip`) {
		t.Errorf("headers = %v", h)
	}
	files := unzipBody(t, body)
	var names []string
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	p, _ := w.db.CurrentPlan(ctx, w.district, w.mia)
	printed := []string{"print/01-Programa-de-Educación-Individualizado-IEP-de-Mia-Ortiz-versión-1.pdf",
		"print/02-Informe-de-progreso-Term-2-2025-2026-de-Mia-Ortiz.pdf",
		"print/03-Programa-de-Educación-Individualizado-IEP-de-Mia-Ortiz-borrador.pdf",
		"print/04-Invitación-a-una-reunión-del-equipo-del-IEP-de-Mia-Ortiz.pdf"}
	want := append([]string{"documents/01-reevaluation-2025.pdf", "documents/02-scan-of-page-2.png", "index.html"}, printed...)
	want = append(want, "record.json", "versions/"+p.ID+"-v1.json")
	if !slices.Equal(names, want) {
		t.Fatalf("files = %v, want %v", names, want)
	}
	// Each document printed, in Spanish, as the document's own address prints it.
	for _, name := range printed {
		needPDF(t)
		if !bytes.HasPrefix(files[name], []byte("%PDF-")) {
			t.Fatalf("%s is not a PDF", name)
		}
		checkStructure(t, files[name], "es")
	}
	mustContain(t, "the IEP as printed", pdfText(t, files[printed[0]]), "Programa de Educación Individualizado", goalStatement, "Versión 1")
	mustContain(t, "the progress report as printed", pdfText(t, files[printed[1]]), "Informe de progreso", "Term 2 2025-2026")
	if !bytes.Equal(files["documents/01-reevaluation-2025.pdf"], []byte("%PDF-1.4 test")) || !bytes.Equal(files["documents/02-scan-of-page-2.png"], png) {
		t.Error("the documents are not byte-identical")
	}
	v, _ := w.db.GetVersion(ctx, w.district, p.ID, 1)
	if !bytes.Equal(files["versions/"+p.ID+"-v1.json"], v.Canonical) {
		t.Error("the frozen version's bytes differ from the stored canonical bytes")
	}
	index := string(files["index.html"])
	mustContain(t, "index.html", index, `<html lang="es">`, "El expediente de Mia Ortiz", "Riverton Public Schools",
		"Fecha de nacimiento", "2 de septiembre de 2009", goalStatement, familyConcerns, v.SHA256,
		"Intervención en lectura", "Su hijo o hija faltó", `<a href="documents/01-reevaluation-2025.pdf">reevaluation-2025.pdf</a>`,
		`<a href="versions/`+p.ID+`-v1.json">`, "Pasos del proceso", "Documentos para imprimir",
		`<a href="`+strings.ReplaceAll(printed[0], "ó", "%c3%b3")+`" hreflang="es">Programa de Educación Individualizado (IEP) de Mia Ortiz, versión 1</a>`)
	if strings.Contains(index, "<script") {
		t.Error("index.html has a script")
	}
	var rec struct {
		Format  string `json:"format"`
		Student struct {
			ID string `json:"id"`
		} `json:"student"`
		Plans []struct {
			Plan     iep.Plan `json:"plan"`
			Versions []struct {
				Number int    `json:"number"`
				SHA256 string `json:"sha256"`
			} `json:"versions"`
		} `json:"plans"`
		ServiceLogs []iep.ServiceLog `json:"service_logs"`
		Documents   []iep.Document   `json:"documents"`
		Events      []iep.Event      `json:"events"`
	}
	if err := json.Unmarshal(files["record.json"], &rec); err != nil {
		t.Fatalf("record.json: %v", err)
	}
	if rec.Format != "openiep.whole_record.v1" || rec.Student.ID != w.mia || len(rec.Plans) != 2 || len(rec.ServiceLogs) != 4 ||
		len(rec.Documents) != 2 || rec.Documents[0].ID != docID || len(rec.Events) != 3 {
		t.Errorf("record.json: format %q, %d plans, %d logs, %d documents, %d events", rec.Format, len(rec.Plans), len(rec.ServiceLogs),
			len(rec.Documents), len(rec.Events))
	}
	if got := w.auditOf(t); !slices.Equal(got, []string{"export student"}) {
		t.Errorf("audit = %v, want one export", got)
	}
	// English when asked.
	_, body = w.getAs(t, asGuardian, familyURL(w.district, w.mia, "records", "download")+"?lang=en")
	if b := string(unzipBody(t, body)["index.html"]); !strings.Contains(b, `<html lang="en">`) || !strings.Contains(b, "The record of Mia Ortiz") {
		t.Error("index.html is not in English when asked")
	}
	for _, who := range []string{asTeamMember, asDistrictAdmin, asNoRights} {
		if res, _ := w.getAs(t, who, familyURL(w.district, w.mia, "records", "download")); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s download = %d, want 404", who, res.StatusCode)
		}
	}
}

// TestFamilyRightsPage: the procedural safeguards in plain words with the pack's numbers, how to
// settle a disagreement in order (each with who, how long, the cost), and Massachusetts's sources
// of help from the rule pack before the federal ones, with the phone number as a link.
func TestFamilyRightsPage(t *testing.T) {
	w := newWorld(t, 0)
	res, body := w.getAs(t, asGuardian, familyURL(w.district, w.mia, "rights")+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET rights = %d", res.StatusCode)
	}
	mustContain(t, "the rights page", body, `aria-current="page">Your rights</a>`,
		"prior written notice", "withdraw your consent", "within 10 days of asking", "independent educational evaluation",
		"stays put", "At age 18, the rights on this page pass to your child", "For Mia Ortiz, that day is September 2, 2027.",
		"Protections in discipline", "You have 30 days to answer a proposed IEP. If you do not answer in time, the IEP counts as rejected.",
		`href="tel:7813383700">781-338-3700</a>`, "See who has seen this record")
	pack, _ := rules.Load("MA")
	for _, r := range pack.Resources {
		mustContain(t, "resource "+r.ID, body, r.Name, `href="`+r.URL+`"`)
	}
	// The steps in order, gentlest first.
	order := []string{"Talk with the team, or ask for a meeting", "facilitated IEP meeting", "<h3 id=\"fam-step-mediation\">Mediation</h3>",
		"A complaint to the state (state complaint)", "A due process hearing", `<h2 id="fam-help">Where to get help</h2>`}
	last := -1
	for _, s := range order {
		i := strings.Index(body, s)
		if i < last {
			t.Errorf("%q is not after the step before it", s)
		}
		last = i
	}
	help := body[strings.Index(body, `id="fam-help"`):]
	if a, b := strings.Index(help, "Federation for Children with Special Needs"), strings.Index(help, "Center for Parent Information and Resources"); a < 0 || b < a {
		t.Error("the state's parent center does not come before the federal one")
	}
	for _, s := range []string{"within the past year", "within two years", "within 60 days", "Free."} {
		if !strings.Contains(body, s) {
			t.Errorf("the rights page lacks %q", s)
		}
	}
	_, body = w.getAs(t, asGuardian, familyURL(w.district, w.mia, "rights")+"?lang=es")
	mustContain(t, "in Spanish", body, "Sus derechos", "Si no está de acuerdo con la escuela", "Mediación",
		"Problem Resolution System Office", "Teléfono:")
	if got := w.auditOf(t); !slices.Equal(got, []string{"read rights", "read rights"}) {
		t.Errorf("audit = %v, want one read of rights a view", got)
	}
}

// TestRecordsAuditWords: the record of access names what these pages did in plain words.
func TestRecordsAuditWords(t *testing.T) {
	w := newWorld(t, 0)
	w.getAs(t, asGuardian, familyURL(w.district, w.mia, "progress"))
	w.getAs(t, asGuardian, familyURL(w.district, w.mia, "records", "download"))
	_, body := w.getAs(t, asGuardian, w.accessURL(w.mia)+"?show=all&lang=en")
	mustContain(t, "the record of access", body, "Looked at progress and services", "Downloaded the whole record")
}

// TestExportFileNames: a document's name never becomes a path in the ZIP.
func TestExportFileNames(t *testing.T) {
	for in, want := range map[string]string{
		"../../etc/passwd": "passwd", "report 2025.pdf": "report-2025.pdf", `C:\scans\a.png`: "a.png",
		"": "file", "...": "file", "évaluation.pdf": "évaluation.pdf", "a/b/": "b",
	} {
		if got := safeFileName(in); got != want {
			t.Errorf("safeFileName(%q) = %q, want %q", in, got, want)
		}
	}
	used := map[string]bool{}
	if a, b := uniqueName(used, "x.pdf"), uniqueName(used, "x.pdf"); a != "x.pdf" || b != "x-2.pdf" {
		t.Errorf("uniqueName = %q, %q", a, b)
	}
	if got := monthTicks(date.MustParse("2025-03-01"), date.MustParse("2026-02-28"), 5); len(got) != 4 || got[0] != date.MustParse("2025-03-01") {
		t.Errorf("monthTicks = %v", got)
	}
	lo, hi, step := niceRange([]float64{42, 55.5, 90}, 5)
	if lo != 40 || hi != 90 || step != 10 {
		t.Errorf("niceRange = %v, %v, %v; want 40, 90, 10", lo, hi, step)
	}
}

// TestGoalChartGeometry: the starting point, the target and the expected path from the plan's
// first day to its last are drawn where their values and dates fall; every measurement inside
// the plot.
func TestGoalChartGeometry(t *testing.T) {
	base, target := 40.0, 90.0
	p := &familyProgressPage{Base: Base{Lang: "en"}, P: &app.FamilyProgress{
		Plan: &iep.Plan{StartDate: date.MustParse("2025-09-01"), EndDate: date.MustParse("2026-08-31")}}}
	g := app.GoalSeries{Goal: iep.Goal{ID: "g1", Area: "Reading", BaselineValue: &base, TargetValue: &target, Unit: "wcpm"},
		Points: []iep.ProgressPoint{{Date: date.MustParse("2025-10-01"), Value: 44, Unit: "wcpm"}, {Date: date.MustParse("2026-03-03"), Value: 55.5, Unit: "wcpm"}}}
	v := p.goalView(1, g)
	c := v.Chart
	if c == nil || c.Baseline == nil || c.Target == nil || c.Aim == nil {
		t.Fatalf("chart = %+v", c)
	}
	if c.Target.Y != c.Top || c.Baseline.Y != c.Bottom || c.Aim.X1 != c.Left || c.Aim.X2 != c.Right || c.Aim.Y1 != c.Bottom || c.Aim.Y2 != c.Top {
		t.Errorf("references: target y %d, baseline y %d, aim %+v; want the plot's top and bottom, left to right", c.Target.Y, c.Baseline.Y, c.Aim)
	}
	for _, pt := range c.Points {
		if pt.X <= c.Left || pt.X >= c.Right || pt.Y >= c.Bottom || pt.Y <= c.Top {
			t.Errorf("point %+v outside the plot", pt)
		}
	}
	var labels []string
	for _, tk := range c.YTicks {
		labels = append(labels, tk.Label)
	}
	if !slices.Equal(labels, []string{"40", "50", "60", "70", "80", "90"}) {
		t.Errorf("value ticks = %v", labels)
	}
	if want := "The goal is 90 wcpm by August 2026."; !slices.Contains(v.Summary, want) {
		t.Errorf("summary = %v, want %q", v.Summary, want)
	}
	if c.Title != "Goal 1: Reading, measurements over time" || !strings.Contains(c.Desc, "The last measurement, on March 3, 2026, was 55.5 wcpm.") {
		t.Errorf("title %q, description %q", c.Title, c.Desc)
	}
	// Without a measurement there is no chart, only the table and the words.
	g.Points = nil
	if v := p.goalView(1, g); v.Chart != nil || v.Summary[0] != "No measurement has been recorded yet." {
		t.Errorf("a goal without measurements: chart %v, summary %v", v.Chart, v.Summary)
	}
}
