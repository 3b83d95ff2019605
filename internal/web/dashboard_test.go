package web

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// The dashboard in the matrix: district administrators and representatives and state viewers
// see it (the counts); other staff of the district are refused; families and other districts
// find nothing, as for "what is due".
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		return map[string]map[string]outcome{
			"GET /districts/{district}/dashboard": with(every(toSignIn, forbidden), asGuardian, hidden, asOtherGuardian, hidden,
				asNoRights, hidden, asOtherDistrict, hidden, asDistrictAdmin, ok, asStateViewer, ok),
		}, nil
	})
}

func TestDashboard(t *testing.T) {
	w := newWorld(t, 0)
	w.seedDeadlines()
	dash := "/districts/" + w.district + "/dashboard"
	res, body := w.get(t, dash+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", dash, res.StatusCode)
	}
	// Three students with one overdue, one due soon and one met on time each, all this school year.
	mustContain(t, "the administrator's dashboard", body, "<h1>District dashboard</h1>", "Maple Elementary", "Riverside High",
		"Whole district", "50% (3 of 6)", "100% (3 of 3)", "0% (0 of 3)", "Nothing due yet",
		"Services start after the parents sign", "Proposed IEP sent after the meeting",
		`href="/districts/`+w.district+`/due?school=`+w.maple+`&status=overdue"`,
		`href="/districts/`+w.district+`/due?clock=services_start&status=due_soon"`,
		`href="/districts/`+w.district+`/due?status=overdue"`,
		`role="img" aria-labelledby="trend-title trend-desc"`, `<title id="trend-title">`, "Deadlines by the month they fell due",
		"answer to the proposed IEP", "March 2026")
	if strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
		t.Error("the dashboard has a style attribute or an inline script")
	}
	// The counts of a row in the order of the columns: Maple has Noah and Ava.
	row := rowOf(t, body, "Maple Elementary")
	if got := cellTexts(row); strings.Join(got, "|") != "2 (Overdue, Maple Elementary: list the students)|2 (Due soon, Maple Elementary: list the students)|2|0|50% (2 of 4)" {
		t.Errorf("Maple's row = %q", got)
	}
	// The link behind Maple's overdue count lists Maple's overdue students.
	_, due := w.get(t, "/districts/"+w.district+"/due?school="+w.maple+"&status=overdue&lang=en")
	if !strings.Contains(due, "Kim") || !strings.Contains(due, "Brown") || strings.Contains(due, "Ortiz") {
		t.Error("the drill-down does not list Maple's overdue students")
	}

	// One school: its counts by kind of deadline, no table of schools.
	_, body = w.get(t, dash+"?lang=en&school="+w.high)
	mustContain(t, "one school", body, "By kind of deadline at Riverside High", "All of Riverside High",
		`href="/districts/`+w.district+`/due?clock=proposed_iep_sent&school=`+w.high+`&status=overdue"`,
		`<option value="`+w.high+`" selected>`)
	if strings.Contains(body, "By school") {
		t.Error("the table of schools is shown for one school")
	}
	if res, _ := w.get(t, dash+"?school=no-such-school"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown school: %d", res.StatusCode)
	}

	// The state viewer: the same counts, no link to the students.
	_, body = w.getAs(t, asStateViewer, dash+"?lang=en")
	mustContain(t, "the state viewer", body, "You see the counts only", "50% (3 of 6)")
	if strings.Contains(body, "/due?") {
		t.Error("the state viewer is offered the lists of students")
	}
	for who, want := range map[string]int{asTeamMember: http.StatusForbidden, asOtherSchool: http.StatusForbidden,
		asGuardian: http.StatusNotFound, asOtherDistrict: http.StatusNotFound} {
		if res, _ := w.getAs(t, who, dash); res.StatusCode != want {
			t.Errorf("%s: %d, want %d", who, res.StatusCode, want)
		}
	}

	// Spanish.
	_, body = w.get(t, dash+"?lang=es")
	mustContain(t, "in Spanish", body, "Panel del distrito", "Todo el distrito", "50 % (3 de 6)", "Marzo de 2026", "Vencen pronto")

	// Each view is audited as a read of aggregates.
	entries, err := w.db.ListAudit(context.Background(), w.district, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	reads := map[string]int{}
	for _, e := range entries {
		if e.Action == "read_dashboard" {
			reads[e.Reason]++
		}
	}
	if reads["district_admin"] != 3 || reads["state_viewer"] != 1 {
		t.Errorf("audited reads of the dashboard: %v", reads)
	}
}

// rowOf is the table row whose header cell holds name.
func rowOf(t *testing.T, body, name string) string {
	t.Helper()
	for _, row := range strings.Split(body, "<tr>")[1:] {
		row, _, _ = strings.Cut(row, "</tr>")
		if h, _, ok := strings.Cut(row, "</th>"); ok && strings.Contains(h, ">"+name+"<") {
			return row
		}
	}
	t.Fatalf("no row for %s", name)
	return ""
}

// cellTexts is the text of each data cell of a row, tags removed.
func cellTexts(row string) []string {
	var out []string
	for _, cell := range strings.Split(row, "<td")[1:] {
		cell, _, _ = strings.Cut(cell, "</td>")
		_, cell, _ = strings.Cut(cell, ">")
		var b strings.Builder
		in := false
		for _, r := range cell {
			switch {
			case r == '<':
				in = true
			case r == '>':
				in = false
			case !in:
				b.WriteRune(r)
			}
		}
		out = append(out, strings.TrimSpace(html.UnescapeString(b.String())))
	}
	return out
}

// BenchmarkDashboardPage is the dashboard as the administrator, in process, for a district of
// 207 schools (the demo's at 100,000 students) with deadlines at each: the reads, the audit
// entry and the rendering of a page of about 200 KB.
func BenchmarkDashboardPage(b *testing.B) {
	w := newWorld(b, 0)
	w.seedDeadlines()
	ctx := context.Background()
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		for i := range 205 {
			s := iep.School{DistrictID: w.district, Name: fmt.Sprintf("School %03d", i), Code: fmt.Sprintf("B%03d", i), LowGrade: "K", HighGrade: "12", Kind: iep.SchoolPublic}
			if err := tx.CreateSchool(ctx, &s); err != nil {
				return err
			}
			st := iep.Student{DistrictID: w.district, SchoolID: s.ID, LocalID: fmt.Sprintf("D%04d", i), FirstName: "Bench", LastName: "Mark",
				BirthDate: date.MustParse("2015-01-01"), Grade: "05", HomeLanguage: "en", EnrolledOn: date.MustParse("2020-09-01")}
			if err := tx.CreateStudent(ctx, &st); err != nil {
				return err
			}
			day := dueToday.AddDays
			if err := tx.ReplaceDeadlines(ctx, w.district, st.ID, []store.Deadline{
				{Clock: "proposed_iep_sent", Citation: "c", SchoolID: s.ID, Start: day(-12), Due: day(-2), Soon: day(-5)},
				{Clock: "services_start", Citation: "c", SchoolID: s.ID, Start: day(-4), Due: day(6), Soon: day(-1)},
				{Clock: "referral_notice", Citation: "c", SchoolID: s.ID, Start: day(-60), Due: day(-55), MetOn: day(-58)},
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	cookie, path := w.cookie(asDistrictAdmin), "/districts/"+w.district+"/dashboard"
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		w.handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d", path, rec.Code)
		}
	}
}
