package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/store"
)

// "What is due" in the matrix: administrators and the case manager (their caseload) see it, a
// state viewer the counts; other staff are refused, families and other districts find nothing.
// The API answers 401 to the anonymous and the policy's 403/404 like the record page.
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		w.seedDeadlines()
		return map[string]map[string]outcome{
			"GET /districts/{district}/due": with(every(toSignIn, forbidden), asGuardian, hidden, asOtherGuardian, hidden,
				asNoRights, hidden, asOtherDistrict, hidden, asTeamMember, ok, asDistrictAdmin, ok, asStateViewer, ok),
			"GET /api/v1/students/{student}/deadlines": with(every(signInAgain, ok), asOtherGuardian, hidden,
				asNoRights, hidden, asOtherSchool, forbidden, asUnassigned, forbidden, asStateViewer, hidden, asOtherDistrict, hidden),
		}, nil
	})
}

// dueToday is the district's today in the tests (testNow in New York).
var dueToday = date.Of(testNow)

// seedDeadlines stores deadlines for Mia and Noah (Dana's caseload): one overdue, one due soon,
// one upcoming and one met each; and one for Ava, managed by nobody.
func (w *world) seedDeadlines() {
	ctx := context.Background()
	day := dueToday.AddDays
	set := func(cm, school string) []store.Deadline {
		ds := []store.Deadline{
			{Clock: "proposed_iep_sent", Citation: "603 CMR 28.05(3)", Start: day(-12), Due: day(-2), Soon: day(-5)},
			{Clock: "services_start", Citation: "seed; 603 CMR 28.06(1)", Start: day(-4), Due: day(6), Soon: day(-1)},
			{Clock: "annual_review", Citation: "34 CFR 300.324(b)(1)(i)", Start: day(-300), Due: day(65), Soon: day(35), Provisional: true},
			{Clock: "referral_notice", Citation: "603 CMR 28.04(1)", Start: day(-60), Due: day(-55), MetOn: day(-58)},
		}
		for i := range ds {
			ds[i].CaseManagerID, ds[i].SchoolID = cm, school
		}
		return ds
	}
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		for _, x := range []struct{ student, cm, school string }{{w.mia, w.cm, w.high}, {w.noah, w.cm, w.maple}, {w.ava, "", w.maple}} {
			if err := tx.ReplaceDeadlines(ctx, w.district, x.student, set(x.cm, x.school)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
}

func TestWhatIsDue(t *testing.T) {
	w := newWorld(t, 0)
	w.seedDeadlines()
	due := "/districts/" + w.district + "/due"
	_, body := w.get(t, due+"?lang=en")
	mustContain(t, "the administrator's view", body, "What is due", "Ortiz", "Kim", "Brown", "Overdue by 2 days", "Due in 6 days",
		"provisional", "603 CMR 28.05(3)", `<option value="`+w.cm+`">Reyes, Dana</option>`)
	if table := body[strings.Index(body, "<table"):]; strings.Contains(table, "after a referral") {
		t.Error("a met deadline is listed as due")
	}
	// Overdue first.
	if strings.Index(body, "Overdue by 2 days") > strings.Index(body, "Due in 6 days") {
		t.Error("a due-soon deadline is listed before an overdue one")
	}
	_, body = w.get(t, due+"?clock=services_start")
	if !strings.Contains(body, "Due in 6 days") || strings.Contains(body, "Overdue by 2 days") ||
		!strings.Contains(body, `<option value="services_start" selected>`) {
		t.Error("the filter by kind of deadline does not hold")
	}
	_, body = w.get(t, due+"?status=overdue&school="+w.maple)
	if !strings.Contains(body, "Kim") || strings.Contains(body, "Ortiz") || strings.Contains(body, "Due in 6 days") {
		t.Error("the filters by school and status do not hold")
	}
	// Dana sees her caseload, whatever case manager she asks for; Ava (nobody's) is not in it.
	_, body = w.getAs(t, asTeamMember, due+"?case_manager=someone-else")
	mustContain(t, "the case manager's view", body, "What is due on your caseload", "Ortiz", "Kim")
	if strings.Contains(body, "Brown") || strings.Contains(body, `name="case_manager"`) {
		t.Error("the case manager sees beyond her caseload, or the case manager filter")
	}
	// The state viewer: counts, no names.
	_, body = w.getAs(t, asStateViewer, due)
	if strings.Contains(body, "Ortiz") || !strings.Contains(body, "You see the counts only") {
		t.Error("the state viewer sees names, or no counts")
	}
	if res, _ := w.get(t, due+"?status=late"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown status: %d", res.StatusCode)
	}
	_, body = w.get(t, due+"?lang=es")
	mustContain(t, "in Spanish", body, "Lo que vence", "Vencido hace 2 días")
}

func TestStudentDeadlinesAPI(t *testing.T) {
	w := newWorld(t, 0)
	w.seedDeadlines()
	api := "/api/v1/students/" + w.mia + "/deadlines"
	res, body := w.getAs(t, asGuardian, api)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET as Rosa: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var got struct {
		StudentID string `json:"student_id"`
		Today     string `json:"today"`
		Deadlines []struct {
			Clock, Status, Due, Citation string
			MetOn                        *string `json:"met_on"`
			Days                         int
			Provisional                  bool
		} `json:"deadlines"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if got.StudentID != w.mia || got.Today != dueToday.String() || len(got.Deadlines) != 4 {
		t.Fatalf("%+v", got)
	}
	want := []string{"proposed_iep_sent overdue 2", "services_start due_soon 6", "annual_review upcoming 65", "referral_notice met 0"}
	for i, d := range got.Deadlines {
		if g := d.Clock + " " + d.Status + " " + strconv.Itoa(d.Days); g != want[i] {
			t.Errorf("deadline %d = %s, want %s", i, g, want[i])
		}
	}
	if got.Deadlines[3].MetOn == nil || !got.Deadlines[2].Provisional || got.Deadlines[0].MetOn != nil {
		t.Errorf("met_on / provisional: %+v", got.Deadlines)
	}
	// The anonymous get a JSON 401, never a page; another family a JSON 404 like an unknown id.
	res, body = w.getAs(t, asAnonymous, api)
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Header.Get("Content-Type"), "problem+json") {
		t.Errorf("anonymous: %d %s %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	res, other := w.getAs(t, asOtherGuardian, api)
	_, unknown := w.getAs(t, asOtherGuardian, "/api/v1/students/no-such-student/deadlines")
	if res.StatusCode != http.StatusNotFound || other != unknown {
		t.Errorf("another family: %d %q vs %q", res.StatusCode, other, unknown)
	}
	// The read is audited.
	entries, _ := w.db.ListAudit(context.Background(), w.district, w.mia, 5)
	found := false
	for _, e := range entries {
		found = found || e.Action == "read_deadlines" && e.ActorID == w.rosa
	}
	if !found {
		t.Error("the API read of Mia's deadlines is not in the audit trail")
	}
}

// TestWindowPassedIsNotOverdue: the MA parents' 30 days to answer a proposed IEP passing is not
// the district's delay: the state says to record the answer (silence counts as rejection).
func TestWindowPassedIsNotOverdue(t *testing.T) {
	w := newWorld(t, 0)
	ctx := context.Background()
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.ReplaceDeadlines(ctx, w.district, w.noah, []store.Deadline{{Clock: "parent_response", Citation: "603 CMR 28.05(7)",
			CaseManagerID: w.cm, SchoolID: w.maple, Start: dueToday.AddDays(-40), Due: dueToday.AddDays(-10), Soon: dueToday.AddDays(-17)}})
	})
	if err != nil {
		t.Fatal(err)
	}
	_, body := w.getAs(t, asTeamMember, "/api/v1/students/"+w.noah+"/deadlines")
	if !strings.Contains(body, `"status":"window_passed"`) || !strings.Contains(body, `"days":10`) {
		t.Errorf("the passed answer window: %s", body)
	}
	_, body = w.getAs(t, asTeamMember, "/districts/"+w.district+"/due?lang=en")
	mustContain(t, "what is due", body, "Answer window ended 10 days ago: record the answer", "answer to the proposed IEP")
}
