package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		p := "/districts/{district}/students/{student}/progress"
		// Staff who may view Mia's record: Dana (her case manager, on the team as a special
		// education teacher: she reports and logs) and the administrator; the school's other staff
		// are refused; families, the state viewer and another district find nothing.
		staff := func(anonymous, allowed outcome) map[string]outcome {
			return with(every(anonymous, hidden), asUnassigned, forbidden, asOtherSchool, forbidden,
				asTeamMember, allowed, asDistrictAdmin, allowed)
		}
		return map[string]map[string]outcome{
			"GET " + p:               staff(toSignIn, ok),
			"POST " + p + "/points":  staff(signInAgain, bad), // the matrix posts no goal, date or value
			"POST " + p + "/reports": staff(signInAgain, bad), // nor a period
		}, nil
	})
}

// postProgress posts one of the progress page's forms (points, reports) as who.
func (w *world) postProgress(t *testing.T, who, form string, v url.Values) (*http.Response, string) {
	t.Helper()
	return w.submitAs(t, who, studentURL(w.district, w.mia)+"/progress/"+form+"?lang=en", v)
}

// progressPage GETs Mia's progress page in English as who.
func (w *world) progressPage(t *testing.T, who, query string) string {
	t.Helper()
	res, body := w.getAs(t, who, studentURL(w.district, w.mia)+"/progress?lang=en"+query)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET progress as %s = %d\n%s", who, res.StatusCode, body)
	}
	return body
}

// TestProgressPage: each goal of Mia's plan in effect as a chart (an image with a title and a
// description, the aim and trend lines when the goal has them) and a table with a caption and
// header cells; the report date passed without a report is due; the student page links here.
func TestProgressPage(t *testing.T) {
	w := newWorld(t, 0)
	w.seedRecord(t) // two measurements (Jan 10, Feb 10) and the report of the period ending Jan 30
	body := w.progressPage(t, asTeamMember, "")
	mustContain(t, "the progress page", body,
		"<h1>Progress monitoring: Mia Ortiz</h1>", `<h3 id="goal-1-h">Goal 1: Reading</h3>`,
		`role="img" aria-labelledby="goal-1-chart-title goal-1-chart-desc"`,
		`<title id="goal-1-chart-title">Goal 1: Reading, measurements over time</title>`, `<desc id="goal-1-chart-desc">`,
		`<caption id="goal-1-caption">Goal 1: Reading, every measurement</caption>`, `<th scope="col">When</th>`,
		`<th scope="row"><time datetime="2026-01-10">January 10, 2026</time></th>`, "102.5 wcpm",
		"No trend line yet: it takes 3 measurements (2 so far).",
		"None: the goal needs its baseline and its target as numbers.", // the baseline is words only
		// The report date of June 20, 2025 passed with no report: due, linked to its form.
		`<a href="#report-2025-06-20">The period that ended on June 20, 2025: no report has been sent.</a>`,
		`<h3 id="report-2025-06-20-h">Progress report 1 of 1</h3>`,
		// The report of January 30 as sent, with a correction offered.
		"Term 2 2025-2026, sent on February 3, 2026", "Write a correction",
		// Dana logs and reports.
		`<h4 id="goal-1-add">Add a measurement</h4>`, `name="date" required max="2026-03-16" value="2026-03-16"`, `name="unit" autocomplete="off" value="wcpm"`,
		`<button type="submit" name="op" value="send">Send to the family</button>`)
	if strings.Contains(body, `class="trend"`) {
		t.Error("a trend line is drawn through two measurements")
	}
	for _, bad := range []string{"style=", "<script>", "onclick"} {
		if strings.Contains(body[strings.Index(body, "<main"):], bad) {
			t.Errorf("the page has %q", bad)
		}
	}
	checkUniqueIDs(t, body)
	_, student := w.getAs(t, asTeamMember, studentURL(w.district, w.mia)+"?lang=en")
	mustContain(t, "the student page", student, `<a href="`+studentURL(w.district, w.mia)+`/progress">Record measurements and write progress reports</a>`)

	// In Spanish.
	_, es := w.getAs(t, asTeamMember, studentURL(w.district, w.mia)+"/progress?lang=es")
	mustContain(t, "in Spanish", es, "Seguimiento del progreso: Mia Ortiz", "Agregar una medición", "Informes de progreso pendientes")
}

// checkUniqueIDs fails when two elements of a page share an id (each form's fields must have
// their own).
func checkUniqueIDs(t *testing.T, body string) {
	t.Helper()
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(body, -1) {
		if seen[m[1]] {
			t.Errorf("the id %q is used twice", m[1])
		}
		seen[m[1]] = true
	}
}

// TestProgressAddPoint: one submit adds a measurement; the page comes back with it in the chart
// and the table and says so; with a third measurement the trend line is drawn, on the family's
// chart too.
func TestProgressAddPoint(t *testing.T) {
	w := newWorld(t, 0)
	w.seedRecord(t)
	res, _ := w.postProgress(t, asTeamMember, "points", url.Values{"goal_id": {"g1"}, "n": {"1"}, "date": {"2026-03-16"},
		"value": {"108.5"}, "unit": {"wcpm"}, "note": {"cold read"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "#goal-1") {
		t.Fatalf("POST points = %d, to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body := w.followPage(t, asTeamMember, res)
	mustContain(t, "the page after adding", body,
		`<p class="notice" role="status">Measurement added: 108.5 wcpm on March 16, 2026. It is in the chart and the table.</p>`,
		`<th scope="row"><time datetime="2026-03-16">March 16, 2026</time></th>`, `108.5 wcpm<span class="sub verbatim">cold read</span>`,
		`class="trend"`, "Least-squares line through the 3 measurements: +")
	if n := strings.Count(body[strings.Index(body, `id="goal-1"`):], "<circle "); n != 3 {
		t.Errorf("the chart has %d points, want 3", n)
	}
	_, fam := w.getAs(t, asGuardian, familyURL(w.district, w.mia, "progress")+"?lang=en")
	mustContain(t, "the family's chart", fam, `class="trend"`, "The trend line rises by", "Trend</text>")
	points, _ := w.db.ListProgressPoints(context.Background(), w.district, w.currentPlan(t))
	if len(points) != 3 || points[2].RecordedBy != w.cm || points[2].Note != "cold read" {
		t.Errorf("points = %+v", points)
	}
	if got := w.auditOf(t); !slices.Contains(got, "create progress_point") {
		t.Errorf("audit = %v, want the point's creation", got)
	}
}

// TestProgressBadValue: a value that is not a number is said at its field, in the reader's
// language, and everything typed comes back; nothing is stored.
func TestProgressBadValue(t *testing.T) {
	w := newWorld(t, 0)
	w.seedRecord(t)
	form := url.Values{"goal_id": {"g1"}, "n": {"1"}, "date": {"2026-03-16"}, "value": {"about fifty"}, "unit": {"wcpm"}, "note": {"typed note"}}
	res, body := w.postProgress(t, asTeamMember, "points", form)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("POST a bad value = %d, want 400", res.StatusCode)
	}
	mustContain(t, "the refused form", body,
		`<a href="#f-pt1-value">The measurement must be a number, such as 42 or 42.5.</a>`,
		`<p class="field-error" id="f-pt1-value-error">The measurement must be a number, such as 42 or 42.5.</p>`,
		`name="value" required autocomplete="off" value="about fifty" aria-invalid="true" aria-describedby="f-pt1-value-error"`,
		`>typed note</textarea>`, `value="2026-03-16"`)
	checkUniqueIDs(t, body)
	// A date in the future, in Spanish, with a decimal comma that is read.
	form.Set("value", "55,5")
	form.Set("date", "2026-03-17")
	res, body = w.submitAs(t, asTeamMember, studentURL(w.district, w.mia)+"/progress/points?lang=es", form)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("POST a future date = %d, want 400", res.StatusCode)
	}
	mustContain(t, "the future date", body, `<p class="field-error" id="f-pt1-date-error">Escriba una fecha válida, de hoy o anterior.</p>`,
		`value="55,5"`)
	if strings.Contains(body, `id="f-pt1-value-error"`) {
		t.Error("55,5 is refused as a number")
	}
	if points, _ := w.db.ListProgressPoints(context.Background(), w.district, w.currentPlan(t)); len(points) != 2 {
		t.Errorf("%d points stored, want the 2 seeded", len(points))
	}
}

// TestProgressReportSend: a report saved as a draft, sent unfinished (refused at the goal's
// rating, the words kept), then sent: the page says so, the period is no longer due, the family
// sees it and Rosa, who holds the rights, is told by e-mail in Spanish; a stale save of the draft
// comes back with both versions.
func TestProgressReportSend(t *testing.T) {
	w := newWorld(t, 0)
	w.seedRecord(t)
	form := url.Values{"draft": {""}, "base": {"0"}, "period_end": {"2025-06-20"}, "period": {"Spring report"},
		"entries[0].goal_id": {"g1"}, "entries[0].narrative": {"Reads more fluently."}, "op": {"save"}}
	res, _ := w.postProgress(t, asTeamMember, "reports", form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save the draft = %d", res.StatusCode)
	}
	_, body := w.followPage(t, asTeamMember, res)
	mustContain(t, "the saved draft", body, `<p class="notice" role="status">The draft is saved. The family does not see it until it is sent.</p>`,
		`<h3 id="report-2025-06-20-h">Spring report</h3>`, ">Reads more fluently.</textarea>")
	draft := regexp.MustCompile(`name="draft" value="([^"]+)"`).FindStringSubmatch(body[strings.Index(body, `id="report-2025-06-20"`):])
	if draft == nil {
		t.Fatal("the draft's id is not in its form")
	}
	_, fam := w.getAs(t, asGuardian, familyURL(w.district, w.mia, "progress")) // in her language: she has not switched
	if strings.Contains(fam, "Spring report") {
		t.Error("the family sees the draft")
	}

	// Sent without a rating: refused at the rating, the words kept.
	form.Set("draft", draft[1])
	form.Set("base", "1")
	form.Set("op", "send")
	res, body = w.postProgress(t, asTeamMember, "reports", form)
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("send unrated = %d, want 400", res.StatusCode)
	}
	mustContain(t, "the refused send", body,
		// html/template escapes the brackets of the fragment; browsers decode it to find the field.
		`<a href="#f-rp2025-06-20-entries%5b0%5d.rating">Choose how the student is progressing toward this goal before sending.</a>`,
		`id="f-rp2025-06-20-entries[0].rating" aria-describedby="f-rp2025-06-20-entries[0].rating-error"`,
		">Reads more fluently.</textarea>", `value="Spring report"`)

	// Sent.
	form.Set("entries[0].rating", "sufficient")
	res, _ = w.postProgress(t, asTeamMember, "reports", form)
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "mailed=1") {
		t.Fatalf("send = %d, to %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, body = w.followPage(t, asTeamMember, res)
	mustContain(t, "the page after sending", body,
		`<p class="notice" role="status">Sent to the family on March 16, 2026. E-mails saying it is ready: 1.</p>`,
		"Spring report, sent on March 16, 2026")
	if strings.Contains(body, "Progress reports due") {
		t.Error("the period is still due after its report was sent")
	}
	mails, err := w.db.ClaimMail(context.Background(), 20, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var sent []store.OutboxMail
	for _, m := range mails {
		if m.Kind == "progress_report" {
			sent = append(sent, m)
		}
	}
	if len(sent) != 1 || sent[0].To != "rosa@example.org" || sent[0].Subject != i18n.Message("es", "progress.mail.subject") ||
		!strings.Contains(sent[0].BodyText, familyURL(w.district, w.mia, "progress")) || strings.Contains(sent[0].BodyText, "Ortiz, Amelia") {
		t.Errorf("mails = %+v, want one to Rosa in Spanish with the link to the family's page", sent)
	}
	_, fam = w.getAs(t, asGuardian, familyURL(w.district, w.mia, "progress"))
	mustContain(t, "the family's page", fam, "Spring report", "Reads more fluently.")
	// The sent report cannot be changed: the old form comes back with a conflict, the words kept.
	form.Set("entries[0].narrative", "Changed afterwards.")
	res, body = w.postProgress(t, asTeamMember, "reports", form)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("change the sent report = %d, want 409", res.StatusCode)
	}
	mustContain(t, "the conflict", body, "This report was sent to the family on March 16, 2026 while you were writing.",
		">Changed afterwards.</textarea>", "The version saved by someone else")
	if got := w.auditOf(t); !slices.Contains(got, "send progress_report") || !slices.Contains(got, "create progress_report") {
		t.Errorf("audit = %v", got)
	}
}

// TestProgressReportConflict: two people save the same draft; the second is shown both texts and
// can save again over the first.
func TestProgressReportConflict(t *testing.T) {
	w := newWorld(t, 0)
	w.seedRecord(t)
	ctx := context.Background()
	d := store.ProgressDraft{ProgressReport: iep.ProgressReport{DistrictID: w.district, PlanID: w.currentPlan(t), Period: "Spring",
		PeriodEnd: date.MustParse("2025-06-20"), Entries: []iep.ProgressEntry{{GoalID: "g1", Narrative: "First words."}}}}
	if err := w.db.Write(ctx, func(tx *store.Tx) error { return tx.CreateProgressDraft(ctx, &d, w.cm) }); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"draft": {d.ID}, "base": {"1"}, "period_end": {"2025-06-20"}, "period": {"Spring"},
		"entries[0].goal_id": {"g1"}, "entries[0].narrative": {"The administrator's words."}, "op": {"save"}}
	if res, _ := w.postProgress(t, asDistrictAdmin, "reports", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save = %d", res.StatusCode)
	}
	form.Set("entries[0].narrative", "Dana's words.")
	res, body := w.postProgress(t, asTeamMember, "reports", form)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("stale save = %d, want 409", res.StatusCode)
	}
	mustContain(t, "the conflict", body, "Someone else saved this report", ">Dana's words.</textarea>",
		"The administrator's words.</span>", `name="base" value="2"`)
	form.Set("base", "2")
	if res, _ := w.postProgress(t, asTeamMember, "reports", form); res.StatusCode != http.StatusSeeOther {
		t.Errorf("saving again over theirs = %d, want 303", res.StatusCode)
	}
}

// followPage GETs where a 303 points, as a browser does: without the fragment.
func (w *world) followPage(t *testing.T, who string, res *http.Response) (*http.Response, string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", res.StatusCode)
	}
	to, _, _ := strings.Cut(res.Header.Get("Location"), "#")
	return w.getAs(t, who, to)
}

// currentPlan is the id of Mia's plan in effect.
func (w *world) currentPlan(t *testing.T) string {
	t.Helper()
	p, err := w.db.CurrentPlan(context.Background(), w.district, w.mia)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}
