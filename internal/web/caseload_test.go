package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// My caseload and finding a student in the matrix. The caseload: the case manager (their own)
// and administrators (any case manager's); other staff and the state viewer are refused,
// families and other districts find nothing. Finding a student: whoever sees the district's
// roster (every staff member of the district, within their schools); the state viewer, who
// sees no names, is refused; families and other districts find nothing.
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		family := []any{asGuardian, hidden, asOtherGuardian, hidden, asNoRights, hidden, asOtherDistrict, hidden}
		return map[string]map[string]outcome{
			"GET /districts/{district}/caseload": with(every(toSignIn, forbidden), append(family,
				asTeamMember, ok, asDistrictAdmin, ok)...),
			"GET /districts/{district}/students": with(every(toSignIn, ok), append(family,
				asStateViewer, forbidden)...),
		}, nil
	})
}

// seedCaseload adds to Dana's caseload, beside Mia (accepted, with deadlines once seeded) and
// Noah (draft): Liam, whose IEP waits for the family's answer since March 9; Zoe, whose accepted
// IEP needs nothing now; a meeting of Mia's on Thursday at 3:30 PM in New York; and for Ava
// (nobody's) a meeting the same day, which is not on the caseload.
func (w *world) seedCaseload(t *testing.T) (liam, liamPlan, zoe, meeting string) {
	t.Helper()
	ctx := context.Background()
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		add := func(first, last, local string, status iep.PlanStatus) (string, string, error) {
			s := &iep.Student{DistrictID: w.district, SchoolID: w.maple, LocalID: local, FirstName: first, LastName: last,
				BirthDate: date.MustParse("2017-04-04"), Grade: "03", HomeLanguage: "en", EnrolledOn: date.MustParse("2022-09-01")}
			if err := tx.CreateStudent(ctx, s); err != nil {
				return "", "", err
			}
			p := &iep.Plan{DistrictID: w.district, StudentID: s.ID, Kind: iep.PlanAnnual, Status: status, SchoolID: w.maple,
				CaseManagerID: w.cm, StartDate: date.MustParse("2025-10-01"), EndDate: date.MustParse("2026-09-30"),
				NextReviewDate: date.MustParse("2026-09-20")}
			if err := tx.CreatePlan(ctx, p, w.cm); err != nil {
				return "", "", err
			}
			_, err := tx.FreezePlan(ctx, w.district, p.ID, w.cm)
			return s.ID, p.ID, err
		}
		var err error
		if liam, liamPlan, err = add("Liam", "Nguyen", "R-2001", iep.StatusProposed); err != nil {
			return err
		}
		if zoe, _, err = add("Zoe", "Quinn", "R-2002", iep.StatusAccepted); err != nil {
			return err
		}
		thursday := time.Date(2026, 3, 19, 19, 30, 0, 0, time.UTC) // 3:30 PM in New York
		for _, s := range []string{w.mia, w.ava} {
			m := &iep.Meeting{DistrictID: w.district, StudentID: s, Purposes: []iep.MeetingPurpose{iep.PurposeAnnualReview},
				Status: iep.MeetingScheduled, StartsAt: thursday, DurationMinutes: 45, Location: "Room 12"}
			if err := tx.CreateMeeting(ctx, m); err != nil {
				return err
			}
			if s == w.mia {
				meeting = m.ID
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return liam, liamPlan, zoe, meeting
}

func TestCaseloadPage(t *testing.T) {
	w := newWorld(t, 0)
	w.seedDeadlines()
	liam, liamPlan, zoe, meeting := w.seedCaseload(t)
	page := "/districts/" + w.district + "/caseload"
	res, body := w.getAs(t, asTeamMember, page+"?lang=en&case_manager=someone-else")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", page, res.StatusCode)
	}
	mustContain(t, "Dana's caseload", body,
		"<h1>My caseload</h1>", "Today is March 16, 2026. 4 students are on this caseload.",
		"Open deadlines: 2 overdue, 2 due soon, 2 upcoming, 0 paused.",
		`<a href="/districts/`+w.district+`/due">See every deadline in What is due</a>`,
		"Ortiz, Mia", "Kim, Noah", "Overdue by 2 days", "Due in 6 days",
		// Waiting for the family: the plan's page, since when.
		`href="/districts/`+w.district+`/plans/`+liamPlan+`">Annual review</a>`, "Nguyen, Liam", "sent today",
		// This week's meeting, at New York's time, linked to its page; Ava's is not Dana's.
		`href="/districts/`+w.district+`/meetings/`+meeting+`">March 19, 2026 at 3:30 PM</a>`, "Annual review", "Scheduled",
		"from March 16, 2026 to March 23, 2026",
		// Noah's draft: the editor, not shared yet.
		"Initial IEP: open the editor", "Not yet",
		// The rest: Zoe only (the others are listed above), by name with her plan.
		`<a href="/districts/`+w.district+`/students/`+zoe+`">Quinn, Zoe</a>`, "September 20, 2026",
		// The search box.
		`action="/districts/`+w.district+`/students"`, `<label for="caseload-q">`,
	)
	if strings.Contains(body, "Brown, Ava") || strings.Contains(body, `name="case_manager"`) {
		t.Error("the case manager sees beyond her caseload, or the choice of case manager")
	}
	// What needs doing first comes first.
	body = html.UnescapeString(body)
	order := []string{"Due soon or overdue</h2>", "Waiting for the family's signature</h2>", "Meetings this week</h2>",
		"Drafts being written</h2>", "The rest of the caseload</h2>"}
	for i := 1; i < len(order); i++ {
		if strings.Index(body, order[i-1]) > strings.Index(body, order[i]) || strings.Index(body, order[i]) < 0 {
			t.Errorf("%q is not after %q", order[i], order[i-1])
		}
	}
	rest := body[strings.Index(body, "The rest of the caseload</h2>"):]
	if strings.Contains(rest, "Ortiz") || strings.Contains(rest, "Nguyen") || strings.Contains(rest, "Kim") {
		t.Error("a student listed above is listed again in the rest of the caseload")
	}
	if strings.Index(body, "Overdue by 2 days") > strings.Index(body, "Due in 6 days") {
		t.Error("a due-soon deadline comes before an overdue one")
	}
	entries, _ := w.db.ListAudit(context.Background(), w.district, "", 0)
	if len(entries) == 0 || entries[0].Action != "read_caseload" || entries[0].RecordID != w.cm || entries[0].ActorID != w.cm {
		t.Errorf("the caseload's view is not audited: %+v", entries[:min(1, len(entries))])
	}
	_ = liam

	_, body = w.getAs(t, asTeamMember, page+"?lang=es")
	mustContain(t, "in Spanish", body, "<h1>Mis casos</h1>", "Vencido hace 2 días", "Esperando la firma de la familia", "Todavía no")

	// The header links to it, for case managers.
	_, body = w.getAs(t, asTeamMember, "/districts/"+w.district)
	mustContain(t, "the header", body, `<a href="/districts/`+w.district+`/caseload">My caseload</a>`)
}

func TestCaseloadAsAdministrator(t *testing.T) {
	w := newWorld(t, 0)
	page := "/districts/" + w.district + "/caseload"
	_, body := w.get(t, page+"?lang=en")
	mustContain(t, "the choice", body, "<h1>Caseloads</h1>", `<label for="case_manager">Case manager</label>`,
		`<option value="">Choose a case manager</option>`, `<option value="`+w.cm+`">Reyes, Dana</option>`,
		"Choose a case manager to see their caseload.")
	if strings.Contains(body, "Kim, Noah") {
		t.Error("a caseload is shown before one is chosen")
	}
	_, body = w.get(t, page+"?case_manager="+url.QueryEscape(w.cm))
	mustContain(t, "Dana's caseload", body, "<h1>Caseload of Dana Reyes</h1>", `<a href="/districts/`+w.district+`/caseload">Choose another case manager</a>`,
		"Kim, Noah", `href="/districts/`+w.district+`/due?case_manager=`+w.cm+`"`)
	res, body := w.get(t, page+"?case_manager=nobody")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), "case_manager") {
		t.Errorf("an unknown case manager: %d", res.StatusCode)
	}
	if res, _ := w.getAs(t, asUnassigned, page); res.StatusCode != http.StatusForbidden {
		t.Errorf("a provider who manages no caseload: %d", res.StatusCode)
	}
}

func TestFindStudent(t *testing.T) {
	w := newWorld(t, 0)
	find := func(who, q string) (int, string) {
		t.Helper()
		res, body := w.getAs(t, who, "/districts/"+w.district+"/students?lang=en&q="+url.QueryEscape(q))
		return res.StatusCode, body
	}
	code, body := find(asDistrictAdmin, "ORT")
	if code != http.StatusOK {
		t.Fatalf("search: %d", code)
	}
	mustContain(t, "by last name", body, "<h1>Find a student</h1>", `value="ORT"`, "Ortiz, Amelia", "(Mia)", "R-1001",
		"Accepted, in effect", "Specific learning disability", "One student matches “ORT”.", `<caption id="results-caption">`)
	for q, want := range map[string]string{"Ortiz, Am": "Ortiz, Amelia", "mia": "Ortiz, Amelia", "r-1002": "Kim, Noah",
		"R1002": "Kim, Noah", "noah": "Kim, Noah", "brówn": "Brown, Ava"} {
		if _, body := find(asDistrictAdmin, q); !strings.Contains(body, want) {
			t.Errorf("%q does not find %s", q, want)
		}
	}
	if _, body := find(asDistrictAdmin, "Sol"); strings.Contains(body, "Stranger") {
		t.Error("a student of another district is found")
	}
	// Staff of Riverside High see its students, as the directory: no plan, no disability.
	_, body = find(asUnassigned, "o")
	mustContain(t, "school staff", body, "Ortiz, Amelia", "You see each student's name, grade and school.")
	for _, secret := range []string{"Kim, Noah", "Accepted", "Specific learning", "IEP status", "R-1001"} {
		if strings.Contains(body, secret) {
			t.Errorf("staff of Riverside High see %q", secret)
		}
	}
	// Nothing to search for.
	_, body = find(asDistrictAdmin, " - ")
	mustContain(t, "nothing typed", body, "Type at least one letter or digit")
	if strings.Contains(body, "<table") {
		t.Error("a search for nothing lists students")
	}
	_, body = find(asDistrictAdmin, "xyz")
	mustContain(t, "no match", body, "No student's name or ID starts with “xyz”.")
	if res, _ := w.get(t, "/districts/"+w.district+"/students?q=o&after=nope"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a bad cursor: %d", res.StatusCode)
	}
	_, body = find(asDistrictAdmin, "ort")
	_, es := w.get(t, "/districts/"+w.district+"/students?lang=es&q=ort")
	mustContain(t, "in Spanish", es, "Buscar a un estudiante", "Un estudiante coincide con «ort».")
	// The overview has the box; a search is audited, without what was typed.
	_, body = w.get(t, "/districts/"+w.district)
	mustContain(t, "the overview", body, `<form class="search-box" role="search" method="get" action="/districts/`+w.district+`/students"`,
		`<label for="overview-q">`, `<a href="/districts/`+w.district+`/caseload">See a case manager's caseload</a>`)
	if _, body := w.getAs(t, asUnassigned, "/districts/"+w.district); strings.Contains(body, "case manager's caseload") {
		t.Error("staff who may not see caseloads are offered them")
	}
	entries, _ := w.db.ListAudit(context.Background(), w.district, "", 0)
	found := false
	for _, e := range entries {
		found = found || e.Action == "search_students"
		if strings.Contains(strings.ToLower(e.RecordID+e.RecordKind+e.Action), "ort") {
			t.Errorf("the audit entry holds what was typed: %+v", e)
		}
	}
	if !found {
		t.Error("a search is not in the audit trail")
	}
}

// TestFindStudentPages walks 120 matches by the next-page links: 50, 50, 20, each once.
func TestFindStudentPages(t *testing.T) {
	w := newWorld(t, 120)
	next := "/districts/" + w.district + "/students?q=zim"
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
		if page > 1 && !strings.Contains(body, "Back to the first results") {
			t.Errorf("page %d has no way back to the first", page)
		}
		if strings.Contains(next, "Zimmer") || strings.Contains(next, "Pupil") {
			t.Errorf("a page's URL holds a name: %s", next)
		}
		next = nextLink(body)
		if page > 4 {
			t.Fatal("more pages than students")
		}
	}
	if len(seen) != 120 || len(sizes) != 3 || sizes[0] != 50 || sizes[2] != 20 {
		t.Errorf("pages of %v, %d students; want [50 50 20], 120", sizes, len(seen))
	}
}
