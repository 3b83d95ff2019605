package web

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
)

// get serves one GET request and returns the response and its body.
func get(t *testing.T, h http.Handler, target string, header ...string) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		if prev := req.Header.Get(header[i]); header[i] == "Cookie" && prev != "" {
			req.Header.Set("Cookie", prev+"; "+header[i+1])
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// mustContain fails for each want missing from the body (compared after HTML unescaping).
func mustContain(t *testing.T, name, body string, wants ...string) {
	t.Helper()
	text := html.UnescapeString(body)
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s: missing %q", name, w)
		}
	}
}

func TestHomeListsDistrictsForAStateViewer(t *testing.T) {
	w := newWorld(t, 0)
	res, body := w.getAs(t, asStateViewer, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", res.StatusCode)
	}
	mustContain(t, "GET /", body, "Districts", "Riverton Public Schools", "Other Valley District", `href="/districts/`+w.district+`"`)

	// The state viewer's overview has the counts and no names.
	res, body = w.getAs(t, asStateViewer, "/districts/"+w.district)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("state viewer's overview = %d, want 200", res.StatusCode)
	}
	mustContain(t, "state viewer's overview", body, "Riverside High", "Maple Elementary")
	for _, name := range []string{"Ortiz", "Kim", "Brown", "Mia"} {
		if strings.Contains(body, name) {
			t.Errorf("the state viewer's overview names %q", name)
		}
	}
}

func TestHomeIsTheOwnDistrictsOverview(t *testing.T) {
	w := newWorld(t, 0)
	res, body := w.get(t, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", res.StatusCode)
	}
	mustContain(t, "GET /", body, "<h1>Riverton Public Schools</h1>", "Maple Elementary", "Ortiz")
	if strings.Contains(body, "Other Valley District") {
		t.Error("an administrator's home shows another district")
	}
}

func TestAnonymousIsSentToSignIn(t *testing.T) {
	w := newWorld(t, 0)
	for _, target := range []string{"/", "/districts/" + w.district, "/districts/" + w.district + "/students/" + w.mia} {
		res, _ := get(t, w.handler, target)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/signin") {
			t.Errorf("anonymous GET %s = %d to %q, want 303 to /signin", target, res.StatusCode, loc)
		}
		if target != "/" && loc != "/signin?next="+url.QueryEscape(target) {
			t.Errorf("anonymous GET %s goes to %q, want to come back to the page", target, loc)
		}
	}
}

func TestOverview(t *testing.T) {
	w := newWorld(t, 0)
	res, body := w.get(t, "/districts/"+w.district)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", res.StatusCode)
	}
	mustContain(t, "overview", body,
		"<h1>Riverton Public Schools</h1>",
		"3 students in the district, 2 of them with an IEP.",
		"Maple Elementary", "Riverside High",
		"Mia Ortiz", "Noah Kim", "Ava Brown",
		"Specific learning disability", "Autism",
		"Accepted, in effect", "Draft", "No IEP",
		`<time datetime="2026-02-20">February 20, 2026</time>`,
		`<label for="school">School</label>`, `<select id="school" name="school">`,
		`<caption id="students-caption">`, `<th scope="col">`,
	)
	if strings.Contains(body, "Sol Stranger") {
		t.Errorf("overview shows a student of another district")
	}
	if strings.Contains(body, "Next page") {
		t.Errorf("overview of 3 students offers a next page")
	}
}

// TestOverviewPagination walks the roster page by page through the "Next page" links.
func TestOverviewPagination(t *testing.T) {
	w := newWorld(t, 120) // 123 students: pages of 50, 50, 23
	next := "/districts/" + w.district
	seen := map[string]bool{}
	var sizes []int
	for page := 1; next != ""; page++ {
		res, body := w.get(t, next)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d", next, res.StatusCode)
		}
		rows := studentLinks.FindAllStringSubmatch(body, -1)
		sizes = append(sizes, len(rows))
		for _, m := range rows {
			if seen[m[1]] {
				t.Errorf("page %d repeats student %s", page, m[1])
			}
			seen[m[1]] = true
		}
		if page > 1 {
			mustContain(t, next, body, "Back to the first page", "page "+strconv.Itoa(page))
		}
		next = nextLink(body)
		if page > 5 {
			t.Fatal("more pages than students")
		}
	}
	if len(seen) != 123 || len(sizes) != 3 || sizes[0] != app.PageSize || sizes[2] != 23 {
		t.Errorf("pages of %v, %d students in all; want [50 50 23], 123", sizes, len(seen))
	}
}

var studentLinks = regexp.MustCompile(`href="/districts/[^/"]+/students/([^"]+)"`)
var nextHref = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)

func nextLink(body string) string {
	m := nextHref.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

func TestOverviewSchoolFilter(t *testing.T) {
	w := newWorld(t, 0)
	var maple string
	schools, err := w.db.ListSchools(context.Background(), w.district)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range schools {
		if s.Name == "Maple Elementary" {
			maple = s.ID
		}
	}
	res, body := w.get(t, "/districts/"+w.district+"?school="+url.QueryEscape(maple))
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d", res.StatusCode)
	}
	mustContain(t, "filtered", body, "Noah Kim", "Ava Brown", "2 students at Maple Elementary, 1 of them with an IEP.",
		`<option value="`+maple+`" selected>Maple Elementary</option>`)
	if strings.Contains(body, "Mia Ortiz") {
		t.Errorf("the Maple Elementary filter shows a Riverside High student")
	}
	res, _ = w.get(t, "/districts/"+w.district+"?school=no-such-school")
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown school filter: status %d, want 404", res.StatusCode)
	}
}

func TestStudentPageShowsEverySection(t *testing.T) {
	w := newWorld(t, 0)
	res, body := w.get(t, "/districts/"+w.district+"/students/"+w.mia)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200\n%s", res.StatusCode, body)
	}
	mustContain(t, "student", body,
		"<h1>Mia Ortiz</h1>", "Amelia", "Spanish", "Specific learning disability (primary)", "Speech or language impairment",
		"Rosa Ortiz", "Mother",
		"The IEP in effect", "Annual review", "Dana Reyes", "Version 1",
		`<time datetime="2025-03-01">March 1, 2025</time>`, `<time datetime="2027-01-15">January 15, 2027</time>`,
		familyConcerns, presentArea, "Decoding multisyllable words.",
		goalStatement, "85 words correct per minute", "Curriculum-based measurement probes", "Every two weeks", objective1,
		progressMethod, "Quarterly, with report cards",
		"Reading intervention", "Speech and language therapy", "Group of 4", "45 minutes × 3 per week", "135",
		"30 minutes × 2 per 6-day cycle", "about 50",
		accommodation1, modification1, "Modification", "In class and on tests",
		assessment1, "The regular test, with accommodations",
		"Partial inclusion", "85% of the school day", "RC80", justification,
		"Special transportation", transportNote,
		"Eligible for summer services", esyRationale, "Summer services (extended school year)",
		"Transition to adult life", transitionEdu, "Volunteer at the animal shelter.",
		"Sam Okafor", "Related service provider", "Lee Advocate, family advocate",
		"Earlier IEPs", "Initial IEP", "Ended",
		"Annual review, Transition", "February 20, 2025 at 2:30 PM",
		"Family's response received", "Words used in an IEP", "Extended school year",
	)
	// The family's words keep their line breaks.
	if !strings.Contains(body, "enjoy reading.\nShe loves horses") {
		t.Errorf("the family's concerns lost their line break")
	}
	for _, k := range iep.Sections {
		if !strings.Contains(body, `id="section-`+string(k)+`"`) {
			t.Errorf("section %s is missing", k)
		}
	}
	if strings.Contains(body, "DRAFT") || strings.Contains(body, "Draft: this IEP") {
		t.Errorf("an accepted plan is shown as a draft")
	}
}

func TestStudentPageDraftAndEmptySections(t *testing.T) {
	w := newWorld(t, 0)
	_, body := w.get(t, "/districts/"+w.district+"/students/"+w.noah)
	mustContain(t, "draft", body,
		"The latest IEP: Draft", "Draft: this IEP is still being written.", "Not yet proposed", "Noah finds loud rooms hard.",
		"No present levels have been written yet.", "No goals have been written yet.", "No services have been written yet.",
		"No accommodations or modifications have been written yet.", "No placement has been written yet.",
		"The extended school year decision has not been written yet.", "Korean", "There are no earlier IEPs.",
	)
	if strings.Contains(body, `id="section-transition"`) {
		t.Errorf("a grade 2 draft shows a transition section")
	}
	_, body = w.get(t, "/districts/"+w.district+"/students/"+w.ava)
	mustContain(t, "no plan", body, "This student has no IEP yet.", "No parent or guardian is recorded.")
}

func TestNotFound(t *testing.T) {
	w := newWorld(t, 0)
	for _, target := range []string{
		"/districts/" + w.district + "/students/no-such-student",
		"/districts/" + w.district + "/students/" + w.stranger, // a student of another district
		"/districts/" + w.other + "/students/" + w.mia,
		"/districts/no-such-district",
		"/no/such/page",
		"/static/app.css", // only content-hash names are served
	} {
		res, body := w.get(t, target)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", target, res.StatusCode)
		}
		if strings.Contains(body, "Mia") || strings.Contains(body, "Stranger") {
			t.Errorf("GET %s: the 404 page names a student", target)
		}
	}
	res, body := w.get(t, "/districts/"+w.district+"/students/nope")
	mustContain(t, "404", body, "Page not found", `<html lang="en">`)
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("404 Content-Type = %q", ct)
	}
}

func TestBadCursorIsInvalid(t *testing.T) {
	w := newWorld(t, 0)
	res, body := w.get(t, "/districts/"+w.district+"?after=not-a-cursor")
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("bad cursor: status %d, want 400", res.StatusCode)
	}
	mustContain(t, "400", body, "Something in the request is not right")
}

func TestHealthz(t *testing.T) {
	w := newWorld(t, 0)
	res, body := w.get(t, "/healthz")
	if res.StatusCode != http.StatusOK || body != "ok\n" {
		t.Errorf("healthz = %d %q, want 200 ok", res.StatusCode, body)
	}
	w.db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/healthz", nil)
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("healthz on a closed store = %d, want 503", rec.Code)
	}
}

func TestSpanish(t *testing.T) {
	w := newWorld(t, 0)
	for _, tc := range []struct {
		name   string
		target string
		header []string
	}{
		{"query", "/districts/" + w.district + "/students/" + w.mia + "?lang=es", nil},
		{"accept-language", "/districts/" + w.district + "/students/" + w.mia, []string{"Accept-Language", "es-MX,es;q=0.9,en;q=0.5"}},
		{"cookie", "/districts/" + w.district + "/students/" + w.mia, []string{"Cookie", "lang=es"}},
	} {
		res, body := w.get(t, tc.target, tc.header...)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", tc.name, res.StatusCode)
		}
		mustContain(t, tc.name, body, `<html lang="es">`, "El IEP vigente", "Preocupaciones y visión", "Metas anuales",
			"Aceptado, vigente", "Discapacidad específica del aprendizaje (principal)", "Madre", "1 de marzo de 2025",
			"Palabras que se usan en un IEP", "Año escolar extendido", `hreflang="en"`, ">English</a>", "Saltar al contenido principal")
		if strings.Contains(body, "The IEP in effect") {
			t.Errorf("%s: English heading on the Spanish page", tc.name)
		}
	}
	res, _ := w.get(t, "/districts/"+w.district+"?lang=es")
	if c := res.Header.Get("Set-Cookie"); !strings.Contains(c, "lang=es") {
		t.Errorf("?lang=es does not remember the choice: Set-Cookie %q", c)
	}
	_, body := w.get(t, "/districts/"+w.district+"?lang=es")
	mustContain(t, "overview es", body, "3 estudiantes en el distrito; 2 de ellos tienen un IEP.", "Todas las escuelas", "Sin IEP", "Borrador")
}

func TestSecurityHeaders(t *testing.T) {
	w := newWorld(t, 0)
	_, body := w.get(t, "/")
	css := regexp.MustCompile(`href="(/static/app\.[0-9a-f]+\.css)"`).FindStringSubmatch(body)
	js := regexp.MustCompile(`<script src="(/static/htmx\.min\.[0-9a-f]+\.js)" defer></script>`).FindStringSubmatch(body)
	if css == nil || js == nil {
		t.Fatalf("the page does not link hashed assets:\n%s", body)
	}
	for _, target := range []string{"/", "/districts/" + w.district + "/students/" + w.mia, "/nope", "/healthz", css[1], js[1]} {
		res, _ := w.get(t, target)
		h := res.Header
		for k, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "same-origin",
		} {
			if got := h.Get(k); got != want {
				t.Errorf("GET %s: %s = %q, want %q", target, k, got, want)
			}
		}
		p := h.Get("Content-Security-Policy")
		if !strings.Contains(p, "default-src 'self'") || !strings.Contains(p, "frame-ancestors 'none'") {
			t.Errorf("GET %s: Content-Security-Policy = %q", target, p)
		}
	}
	res, _ := w.get(t, css[1])
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "max-age=31536000") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("GET %s = %d, Cache-Control %q, Content-Type %q", css[1], res.StatusCode, res.Header.Get("Cache-Control"), res.Header.Get("Content-Type"))
	}
	res, _ = w.get(t, "/districts/"+w.district+"/students/"+w.mia)
	if cc := res.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("student page Cache-Control = %q, want no-store", cc)
	}
	// No inline script or style anywhere, so a strict CSP holds.
	for _, bad := range []string{"<style", "style=", "<script>", "onclick", "javascript:"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
}

// TestEveryEnumIsTranslated checks the catalog has a word for every value the pages name.
func TestEveryEnumIsTranslated(t *testing.T) {
	check := func(prefix string, values ...string) {
		for _, v := range values {
			if !i18n.Has(prefix + "." + v) {
				t.Errorf("catalog has no %s.%s", prefix, v)
			}
		}
	}
	check("plan_status", strs(iep.PlanStatuses)...)
	check("plan_kind", strs(iep.PlanKinds)...)
	check("disability", strs(iep.DisabilityCategories)...)
	check("service_category", strs(iep.ServiceCategories)...)
	check("service_type", strs(iep.ServiceTypes)...)
	check("setting", strs(iep.Settings)...)
	check("period", strs(iep.Periods)...)
	check("staff_role", strs(iep.StaffRoles)...)
	check("team_role", strs(iep.TeamRoles)...)
	check("relationship", strs(iep.Relationships)...)
	check("esy_criterion", strs(iep.ESYCriteria)...)
	check("meeting_status", strs(iep.MeetingStatuses)...)
	check("meeting_purpose", strs(iep.MeetingPurposes)...)
	check("school_kind", strs(iep.SchoolKinds)...)
	check("grade", strs(iep.Grades)...)
	check("exit_reason", strs(iep.ExitReasons)...)
	check("event", strs(iep.EventKinds)...)
	check("section", strs(iep.Sections)...)
	check("accommodation_kind", string(iep.Accommodation), string(iep.Modification))
	check("accommodation_context", string(iep.ContextClassroom), string(iep.ContextTesting), string(iep.ContextBoth))
	check("participation", string(iep.ParticipationStandard), string(iep.ParticipationWithAccommodations), string(iep.ParticipationAlternate))
	check("transport", string(iep.TransportRegular), string(iep.TransportSpecial), string(iep.TransportSpecialAide), string(iep.TransportLift), string(iep.TransportReimbursed), string(iep.TransportNone))
	check("esy_decision", string(iep.ESYEligible), string(iep.ESYNotEligible), string(iep.ESYUndecided))
	check("problem", iep.CodeRequired, iep.CodeInvalid, iep.CodeChoice, iep.CodeRange, iep.CodeDateOrder, iep.CodeDuplicate, iep.CodeTooLong)
	for _, k := range []iep.Kind{iep.KindInternal, iep.KindInvalid, iep.KindNotFound, iep.KindConflict, iep.KindForbidden, iep.KindUnauthenticated} {
		check("error", kindKey(k)+".title", kindKey(k)+".body")
	}
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}
