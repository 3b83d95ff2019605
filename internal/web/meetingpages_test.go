package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// The team, meeting and proposal screens in the matrix, with the matrix's records: Mia's plan
// is in effect, so the steps on it are conflicts (409) for the team and the administrators
// (a paper answer may still come to it: the stray sign-in form is then refused, 400); the
// meeting and the member it names do not exist. Unassigned staff are refused, families and
// everyone outside find nothing (the family has its own portal). TestMeetingPagesAccess asks the
// same of a draft plan with a real meeting and member.
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		staff := func(anonymous, team outcome) map[string]outcome {
			return with(every(anonymous, forbidden), asGuardian, hidden, asOtherGuardian, hidden, asNoRights, hidden,
				asTeamMember, team, asDistrictAdmin, team, asStateViewer, hidden, asOtherDistrict, hidden)
		}
		const plan = "/districts/{district}/plans/{plan}"
		const meeting = "/districts/{district}/meetings/{meeting}"
		return map[string]map[string]outcome{
			"GET " + plan + "/team":                   staff(toSignIn, ok),
			"POST " + plan + "/team":                  staff(signInAgain, conflict),
			"POST " + plan + "/team/{member}/excusal": staff(signInAgain, conflict),
			"GET " + plan + "/meetings/new":           staff(toSignIn, ok),
			"POST " + plan + "/meetings":              staff(signInAgain, conflict),
			"GET " + meeting:                          every(toSignIn, hidden),
			"POST " + meeting + "/contact-attempts":   every(signInAgain, hidden),
			"POST " + meeting + "/held":               every(signInAgain, hidden),
			"GET " + plan + "/proposal":               staff(toSignIn, ok),
			"POST " + plan + "/proposal":              staff(signInAgain, conflict),
			"POST " + plan + "/proposal/response":     staff(signInAgain, bad),
			"POST " + plan + "/proposal/no-response":  staff(signInAgain, conflict),
			"POST " + plan + "/proposal/reopen":       staff(signInAgain, conflict),
		}, nil
	})
}

// mp is a world with Noah's draft plan ready for the screens: more staff to fill the required
// roles, and the plan's sections whole.
type mp struct {
	*world
	plan                 string // Noah's draft
	teacher, rep, eval   string // a general education teacher, a district representative, a psychologist
	father               string // Noah's father (asOtherGuardian), who holds the rights
	sam                  string // Sam Okafor, the speech-language pathologist
	teamURL, proposalURL string
	scheduleURL, newURL  string
}

func newMP(t *testing.T) *mp {
	t.Helper()
	return mpOf(t, newWorld(t, 0))
}

func mpOf(t *testing.T, w *world) *mp {
	t.Helper()
	ctx := context.Background()
	p, err := w.db.CurrentPlan(ctx, w.district, w.noah)
	if err != nil || p.Status != iep.StatusDraft {
		t.Fatalf("Noah's plan: %v %+v", err, p)
	}
	x := &mp{world: w, plan: p.ID, father: w.staffIDs[asOtherGuardian]}
	err = w.db.Write(ctx, func(tx *store.Tx) error {
		for _, s := range []struct {
			id    *string
			first string
			role  iep.StaffRole
		}{{&x.teacher, "Gina", iep.RoleGeneralEducationTeacher}, {&x.rep, "Rob", iep.RoleDistrictRepresentative}, {&x.eval, "Eve", iep.RoleSchoolPsychologist}} {
			st := &iep.Staff{DistrictID: w.district, FirstName: s.first, LastName: "Tester", Roles: []iep.StaffRole{s.role}, Active: true,
				Email: strings.ToLower(s.first) + "@riverton.example"}
			if err := tx.CreateStaff(ctx, st); err != nil {
				return err
			}
			*s.id = st.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all, err := w.db.ListStaff(ctx, w.district)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.FirstName == "Sam" {
			x.sam = s.ID
		}
	}
	x.teamURL = planURL(w.district, x.plan, "team")
	x.proposalURL = planURL(w.district, x.plan, "proposal")
	x.scheduleURL = planURL(w.district, x.plan, "meetings")
	x.newURL = planURL(w.district, x.plan, "meetings", "new")
	return x
}

// wholeDraft writes every section of Noah's draft (but the family's concerns) so that it may be
// proposed.
func (x *mp) wholeDraft(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	p, err := x.db.GetPlan(ctx, x.district, x.plan)
	if err != nil {
		t.Fatal(err)
	}
	content := fullContent(x.maple)
	content.Transition = iep.Transition{}
	err = x.db.Write(ctx, func(tx *store.Tx) error {
		for _, k := range iep.Sections {
			if k == iep.SectionConcerns {
				continue
			}
			b, err := iep.EncodeSection(&content, k)
			if err != nil {
				return err
			}
			if _, err := tx.SaveSection(ctx, x.district, x.plan, k, b, p.SectionRevisions[k], x.cm); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fullTeam adds every required member to Noah's team through the team screen (those not on it
// yet).
func (x *mp) fullTeam(t *testing.T) {
	t.Helper()
	on := map[string]bool{}
	for _, m := range x.team(t) {
		on[m.StaffID+m.GuardianID] = true
	}
	for _, f := range []url.Values{
		{"kind": {"guardian"}, "guardian_id": {x.father}},
		{"kind": {"staff"}, "staff_id": {x.cm}, "role": {"special_education_teacher"}, "also": {"case_manager"}},
		{"kind": {"staff"}, "staff_id": {x.teacher}, "role": {"regular_education_teacher"}},
		{"kind": {"staff"}, "staff_id": {x.rep}, "role": {"district_representative"}},
		{"kind": {"staff"}, "staff_id": {x.eval}, "role": {"evaluation_interpreter"}},
	} {
		if on[f.Get("staff_id")+f.Get("guardian_id")] {
			continue
		}
		if res, body := x.submitAs(t, asTeamMember, x.teamURL, f); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add %v: %d %s", f, res.StatusCode, errorsOf(body))
		}
	}
}

// scheduleToday schedules a meeting of Noah's team an hour from now (the family agreed to the
// short notice) and returns its id.
func (x *mp) scheduleToday(t *testing.T) string {
	t.Helper()
	res, body := x.submitAs(t, asTeamMember, x.scheduleURL, url.Values{"purposes": {"initial_iep"}, "date": {"2026-03-16"},
		"time": {"11:00"}, "location": {"Maple Elementary, room 4"}, "shorter_notice_agreed": {"on"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("schedule: %d %s", res.StatusCode, errorsOf(body))
	}
	loc := res.Header.Get("Location")
	id := strings.TrimSuffix(loc[strings.LastIndex(loc, "/")+1:], "?done=scheduled")
	return id
}

// mpDocumentOf stores a document of a student and returns its id.
func (x *mp) mpDocumentOf(t *testing.T, student string) string {
	t.Helper()
	ctx := context.Background()
	d := iep.Document{DistrictID: x.district, StudentID: student, Name: "other.pdf", MediaType: "application/pdf", UploadedBy: x.cm}
	if err := x.db.Write(ctx, func(tx *store.Tx) error { return tx.CreateDocument(ctx, &d, smallPDF) }); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// team is Noah's team as stored.
func (x *mp) team(t *testing.T) []iep.TeamMember {
	t.Helper()
	team, err := x.db.ListTeam(context.Background(), x.district, x.plan)
	if err != nil {
		t.Fatal(err)
	}
	return team
}

// meetings are Noah's meetings as stored.
func (x *mp) meetings(t *testing.T) []iep.Meeting {
	t.Helper()
	ms, err := x.db.ListMeetings(context.Background(), x.district, x.noah)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// documents are Noah's documents as stored.
func (x *mp) documents(t *testing.T) []iep.Document {
	t.Helper()
	ds, err := x.db.ListDocuments(context.Background(), x.district, x.noah)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// errorsOf is the error summary of a page, for failure messages.
func errorsOf(body string) string {
	if i := strings.Index(body, `class="error-summary"`); i >= 0 {
		end := min(len(body), i+1200)
		return body[i:end]
	}
	return "(no error summary)"
}

// upload is a file posted with a form.
type upload struct {
	field, name string
	data        []byte
}

// smallPDF is a small file that is a PDF as far as the upload checks go.
var smallPDF = []byte("%PDF-1.7\nsigned page\n%%EOF\n")

// submitFile posts a multipart form with files as one of the actors.
func (w *world) submitFile(t *testing.T, who, target string, form url.Values, files ...upload) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for _, f := range files {
		fw, err := mw.CreateFormFile(f.field, f.name)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(f.data)
	}
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, target, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if c := w.cookie(who); c != "" {
		req.Header.Set("Cookie", c)
	}
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// TestMeetingPagesAccess asks every screen and step of a draft plan, with a real meeting and
// member, as every actor: the case manager and the administrator reach the steps (each refused
// here for what the matrix's form lacks, or for the state of the plan), other staff are
// refused, the family and everyone outside find nothing.
func TestMeetingPagesAccess(t *testing.T) {
	x := newMP(t)
	x.fullTeam(t)
	meeting := x.scheduleToday(t)
	member := x.team(t)[2].ID // the general education teacher
	staff := func(anonymous, team outcome) map[string]outcome {
		return with(every(anonymous, forbidden), asGuardian, hidden, asOtherGuardian, hidden, asNoRights, hidden,
			asTeamMember, team, asDistrictAdmin, team, asStateViewer, hidden, asOtherDistrict, hidden)
	}
	mURL := meetingURL(x.district, meeting)
	for _, c := range []struct {
		method, path string
		want         map[string]outcome
	}{
		{"GET", x.teamURL, staff(toSignIn, ok)},
		{"POST", x.teamURL, staff(signInAgain, bad)},                                              // no one named
		{"POST", planURL(x.district, x.plan, "team", member, "excusal"), staff(signInAgain, bad)}, // no signed page
		{"GET", x.newURL, staff(toSignIn, ok)},
		{"POST", x.scheduleURL, staff(signInAgain, bad)}, // no purpose, time or place
		{"GET", mURL, staff(toSignIn, ok)},
		{"POST", mURL + "/contact-attempts", staff(signInAgain, bad)}, // no outcome
		{"POST", mURL + "/held", staff(signInAgain, conflict)},        // the parent is absent, no attempts
		{"GET", x.proposalURL, staff(toSignIn, ok)},
		{"POST", x.proposalURL, staff(signInAgain, conflict)}, // no meeting completed the plan
		{"POST", x.proposalURL + "/response", staff(signInAgain, conflict)},
		{"POST", x.proposalURL + "/no-response", staff(signInAgain, conflict)},
		{"POST", x.proposalURL + "/reopen", staff(signInAgain, conflict)},
	} {
		for _, who := range actorKinds {
			if got := x.call(t, who, c.method, c.path); got != c.want[who] {
				t.Errorf("%s %s as %s = %d, want %d", c.method, c.path, who, got, c.want[who])
			}
		}
	}
	if n := len(x.team(t)); n != 5 {
		t.Errorf("the team has %d members after the refused steps, want 5", n)
	}
}

func TestTeamPage(t *testing.T) {
	x := newMP(t)
	_, body := x.getAs(t, asTeamMember, x.teamURL+"?lang=en")
	mustContain(t, "the empty team", body, "Team of Noah Kim's IEP", "No team members are recorded.",
		"No one is the Parent.", "No one is the Regular education teacher.", "No one is the District representative.",
		"Required roles missing: 5.", "Transition is planned from age 14", "A staff member", "Tester, Gina",
		`<optgroup label="At the student's school, or district-wide">`, "Test Parent – Father", "Add Noah Kim to the team")
	x.fullTeam(t)
	res, body := x.submitAs(t, asTeamMember, x.teamURL, url.Values{"kind": {"guest"}, "guest_name": {"Ana Ruiz"}, "guest_title": {"advocate"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add a guest: %d", res.StatusCode)
	}
	_, body = x.follow(t, asTeamMember, res)
	mustContain(t, "the full team", body, "The member was added to the team.", "Every required role is filled",
		"Ana Ruiz", "advocate, invited by the district on March 16, 2026", "Reyes", "also: Case manager", "Excuse in writing")
	if strings.Contains(body, "Add the parent") {
		t.Error("the parent on the team is offered again")
	}
	_, body = x.getAs(t, asTeamMember, x.teamURL+"?lang=es")
	mustContain(t, "in Spanish", body, "Equipo del IEP de Noah Kim", "Todas las funciones requeridas están cubiertas")
	// Mia's plan is in effect: the team is shown, the forms are not, and the page says why.
	mia, _ := x.db.CurrentPlan(context.Background(), x.district, x.mia)
	_, body = x.getAs(t, asTeamMember, planURL(x.district, mia.ID, "team")+"?lang=en")
	mustContain(t, "a plan in effect", body, "Lee Advocate", "announced by the family", "The team can be changed while the IEP is a draft or proposed; this IEP is: Accepted, in effect.")
	if strings.Contains(body, `name="kind"`) {
		t.Error("a plan in effect offers the forms to change its team")
	}
}

func TestAddTeamMemberRefused(t *testing.T) {
	x := newMP(t)
	for _, c := range []struct {
		name string
		form url.Values
		want []string
	}{
		{"no one chosen", url.Values{"kind": {"staff"}, "role": {"district_representative"}}, []string{"Choose the staff member to add.", `<option value="district_representative" selected>`}},
		{"no role", url.Values{"kind": {"staff"}, "staff_id": {"x"}}, []string{"Choose the role this person has on the team.", "Choose an active staff member of the district."}},
		{"a guest without a name", url.Values{"kind": {"guest"}, "guest_title": {"grandmother"}}, []string{"Give the guest's name.", `value="grandmother"`}},
		{"a guardian of another child", url.Values{"kind": {"guardian"}, "guardian_id": {x.rosa}}, []string{"Choose a parent who holds the educational rights"}},
	} {
		res, body := x.submitAs(t, asTeamMember, x.teamURL+"?lang=en", c.form)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", c.name, res.StatusCode)
		}
		mustContain(t, c.name, body, append(c.want, `aria-invalid="true"`, "Please correct the following")...)
	}
	x.fullTeam(t)
	res, body := x.submitAs(t, asTeamMember, x.teamURL+"?lang=en", url.Values{"kind": {"staff"}, "staff_id": {x.rep}, "role": {"related_service_provider"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("a member twice: %d", res.StatusCode)
	}
	mustContain(t, "a member twice", body, "This person is already on the team.")
	if n := len(x.team(t)); n != 5 {
		t.Errorf("%d members after the refusals, want 5", n)
	}
	// The family is not answered on this screen, even for its own child.
	if res, _ := x.submitAs(t, asOtherGuardian, x.teamURL, url.Values{"kind": {"guest"}, "guest_name": {"Ana"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("the family on the staff screen: %d, want 404", res.StatusCode)
	}
}

func TestExcuseMember(t *testing.T) {
	x := newMP(t)
	x.fullTeam(t)
	teacher := x.team(t)[2]
	if teacher.StaffID != x.teacher {
		t.Fatalf("the third member is %+v", teacher)
	}
	excusal := planURL(x.district, x.plan, "team", teacher.ID, "excusal")
	_, body := x.getAs(t, asTeamMember, x.teamURL+"?lang=en&excuse="+teacher.ID)
	mustContain(t, "the excusal form", body, "Excuse Gina Tester in writing", `enctype="multipart/form-data"`, "Date of the member's written input")

	// Refused, nothing stored: no signed page; the area discussed without the date of the
	// written input (the file chosen is not stored and must be chosen again); not a PDF.
	for _, c := range []struct {
		name  string
		form  url.Values
		files []upload
		want  []string
	}{
		{"no signed page", url.Values{}, nil, []string{"Upload the scan of the agreement the parent signed."}},
		{"no written input", url.Values{"area_discussed": {"on"}}, []upload{{"agreement_document_id", "agreement.pdf", smallPDF}},
			[]string{"When the member's area will be discussed, give the date of their written input.", "choose the file again"}},
		{"a date that is none", url.Values{"written_input_on": {"last week"}}, []upload{{"agreement_document_id", "agreement.pdf", smallPDF}},
			[]string{"Date of the member's written input: write a date", `value="last week"`}},
		{"not a PDF", url.Values{}, []upload{{"agreement_document_id", "agreement.pdf", []byte("MZ\x90 not a pdf")}},
			[]string{"choose a PDF, PNG, JPEG or TIFF file"}},
	} {
		res, body := x.submitFile(t, asTeamMember, excusal+"?lang=en", c.form, c.files...)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", c.name, res.StatusCode)
		}
		mustContain(t, c.name, body, c.want...)
		if n := len(x.documents(t)); n != 0 {
			t.Errorf("%s: %d documents stored", c.name, n)
		}
	}
	if x.team(t)[2].Excusal != nil {
		t.Fatal("a refused excusal was recorded")
	}
	res, _ := x.submitFile(t, asTeamMember, excusal, url.Values{"area_discussed": {"on"}, "written_input_on": {"2026-03-13"}},
		upload{"agreement_document_id", "agreement.pdf", smallPDF})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the excusal: %d", res.StatusCode)
	}
	ex := x.team(t)[2].Excusal
	docs := x.documents(t)
	if ex == nil || !ex.AreaDiscussed || ex.WrittenInputOn.String() != "2026-03-13" || len(docs) != 1 || docs[0].Name != "agreement.pdf" {
		t.Fatalf("excusal %+v, documents %+v", ex, docs)
	}
	// A page kept from an earlier attempt is used as it is; one of another student is refused.
	rep := x.team(t)[3]
	res, body = x.submitFile(t, asTeamMember, planURL(x.district, x.plan, "team", rep.ID, "excusal")+"?lang=en",
		url.Values{"agreement_document_id.kept": {x.mpDocumentOf(t, x.mia)}})
	if res.StatusCode != http.StatusBadRequest || x.team(t)[3].Excusal != nil || !strings.Contains(body, "The signed page chosen earlier is not a document of this student") {
		t.Errorf("a kept page of another student: %d %s", res.StatusCode, errorsOf(body))
	}
	res, _ = x.submitFile(t, asTeamMember, planURL(x.district, x.plan, "team", rep.ID, "excusal"),
		url.Values{"agreement_document_id.kept": {docs[0].ID}})
	if res.StatusCode != http.StatusSeeOther || x.team(t)[3].Excusal == nil || len(x.documents(t)) != 1 {
		t.Errorf("a kept page: %d, %d documents", res.StatusCode, len(x.documents(t)))
	}
	_, body = x.getAs(t, asTeamMember, x.teamURL+"?lang=en")
	mustContain(t, "the excused member", body, "Excused: the parent agreed on March 16, 2026", "Written input given on March 13, 2026")
}

// TestKeepDocument: a signed page stored for a step that was still refused is carried by the
// form shown again (and its absence no longer named); a file chosen but not stored is asked for
// again.
func TestKeepDocument(t *testing.T) {
	b := Base{Lang: "en"}
	f := newForm(url.Values{})
	f.addError("agreement_document_id", "required")
	keepDocument(&f, b, "agreement_document_id", "doc-1", false)
	if f.Err("agreement_document_id") != "" || f.V("agreement_document_id.kept") != "doc-1" {
		t.Errorf("kept: %+v", f)
	}
	f = newForm(url.Values{})
	f.addError("agreement_document_id", "required")
	keepDocument(&f, b, "agreement_document_id", "", true)
	if !strings.Contains(f.Err("agreement_document_id"), "choose the file again") {
		t.Errorf("again: %+v", f)
	}
}

func TestScheduleMeeting(t *testing.T) {
	x := newMP(t)
	x.fullTeam(t)
	_, body := x.getAs(t, asTeamMember, x.newURL+"?lang=en")
	mustContain(t, "the schedule form", body, "Under the MA rules the family must have 10 days' notice (calendar days)",
		"allows a meeting from March 26, 2026", `value="2026-03-26"`, `value="initial_iep" checked`,
		"A notice in English", "In the district's time zone (America/New_York)", `<option value="">No interpreter</option>`)
	// Too soon without the family's agreement, a time that is none, a link that is not https:
	// each said at its field, everything typed kept, nothing stored.
	for _, c := range []struct {
		name string
		form url.Values
		want []string
	}{
		{"too soon", url.Values{"purposes": {"initial_iep"}, "date": {"2026-03-20"}, "time": {"15:00"}, "location": {"Room 4"}},
			[]string{"The family must have 10 days' notice: choose a day from March 26, 2026", `value="Room 4"`, `value="2026-03-20"`}},
		{"no time", url.Values{"purposes": {"initial_iep"}, "date": {"2026-03-30"}, "time": {"25:99"}, "location": {"Room 4"}},
			[]string{"Give both a date and a time"}},
		{"in the past", url.Values{"purposes": {"initial_iep"}, "date": {"2026-03-02"}, "time": {"15:00"}, "location": {"Room 4"}},
			[]string{"The meeting cannot be in the past."}},
		{"nothing", url.Values{"duration_minutes": {"an hour"}},
			[]string{"Choose at least one purpose", "Choose the day and the time", "Give a place for the meeting, or a video link.", "Length, in minutes: write a whole number."}},
		{"a plain link", url.Values{"purposes": {"initial_iep"}, "date": {"2026-03-30"}, "time": {"15:00"}, "video_link": {"http://meet.example/x"}},
			[]string{"must be an address that starts with https://"}},
	} {
		res, body := x.submitAs(t, asTeamMember, x.scheduleURL+"?lang=en", c.form)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", c.name, res.StatusCode)
		}
		mustContain(t, c.name, body, c.want...)
	}
	if ms := x.meetings(t); len(ms) != 0 {
		t.Fatalf("refused meetings were stored: %+v", ms)
	}
	res, _ := x.submitAs(t, asTeamMember, x.scheduleURL, url.Values{"purposes": {"initial_iep"}, "date": {"2026-03-30"}, "time": {"15:30"},
		"duration_minutes": {"90"}, "location": {"Maple Elementary, room 4"}, "interpreter_language": {"ko"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/districts/"+x.district+"/meetings/") {
		t.Fatalf("schedule: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	ms := x.meetings(t)
	if len(ms) != 1 || !ms[0].StartsAt.Equal(time.Date(2026, 3, 30, 19, 30, 0, 0, time.UTC)) || ms[0].DurationMinutes != 90 {
		t.Fatalf("the meeting stored: %+v (want 15:30 in New York, 19:30 UTC)", ms)
	}
	_, body = x.follow(t, asTeamMember, res)
	mustContain(t, "the meeting's page", body, "The meeting is scheduled.", "March 30, 2026 at 3:30 PM", "(90 minutes)", "Maple Elementary, room 4",
		"First IEP", "Korean", "No answer yet", "/api/v1/meetings/"+ms[0].ID+"/invitation.ics", "The notice sent to the family",
		`lang="en"`, "You are invited to a meeting", "Attempts to reach the family recorded: 0", "The meeting is on March 30, 2026: record it on that day or after.")
	outbox, err := x.db.ListOutbox(context.Background(), x.district, 50)
	if err != nil || len(outbox) != 4 { // the four staff with an address; Noah's father has none
		t.Errorf("invitations in the outbox: %d, %v", len(outbox), err)
	}
	// Recorded as held before its day: refused, and said why.
	res, body = x.submitAs(t, asTeamMember, meetingURL(x.district, ms[0].ID)+"/held?lang=en", url.Values{"notes": {"Too early."}})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("held before its day: %d", res.StatusCode)
	}
	mustContain(t, "held before its day", body, "This step cannot be taken now", "The meeting is on March 30, 2026: record it on that day or after.")
	// The invitation opens with the session cookie.
	res, ics := x.getAs(t, asTeamMember, "/api/v1/meetings/"+ms[0].ID+"/invitation.ics")
	if res.StatusCode != http.StatusOK || !strings.Contains(ics, "BEGIN:VCALENDAR") {
		t.Errorf("the invitation: %d %.80s", res.StatusCode, ics)
	}
}

func TestContactAttempt(t *testing.T) {
	x := newMP(t)
	x.fullTeam(t)
	id := x.scheduleToday(t)
	attempts := meetingURL(x.district, id) + "/contact-attempts"
	res, body := x.submitAs(t, asTeamMember, attempts+"?lang=en", url.Values{"method": {"phone"}, "at_date": {"2026-03-16"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("no outcome, no time: %d", res.StatusCode)
	}
	mustContain(t, "no outcome", body, "Say what happened when you tried to reach the family.", "Give both a date and a time", `<option value="phone" selected>`)
	res, body = x.submitAs(t, asTeamMember, attempts+"?lang=en", url.Values{"method": {"phone"}, "outcome": {"No answer"}, "at_date": {"2026-03-17"}, "at_time": {"09:00"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("in the future: %d", res.StatusCode)
	}
	mustContain(t, "in the future", body, "The time of the attempt cannot be in the future.", "No answer")
	if n := len(x.meetings(t)[0].ContactAttempts); n != 0 {
		t.Fatalf("%d attempts stored after refusals", n)
	}
	res, _ = x.submitAs(t, asTeamMember, attempts, url.Values{"method": {"phone"}, "outcome": {"Left a voice message"}, "at_date": {"2026-03-16"}, "at_time": {"08:15"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the attempt: %d", res.StatusCode)
	}
	_, body = x.follow(t, asTeamMember, res)
	mustContain(t, "the attempt listed", body, "The attempt to reach the family was recorded.", "March 16, 2026 at 8:15 AM", "Phone call",
		"Left a voice message", "Reyes", "Attempts to reach the family recorded: 1")
}

func TestHoldMeeting(t *testing.T) {
	x := newMP(t)
	// Only the case manager on the team: the meeting is refused, every missing role and the
	// absent parent said at its place, nothing recorded.
	if res, body := x.submitAs(t, asTeamMember, x.teamURL, url.Values{"kind": {"staff"}, "staff_id": {x.cm}, "role": {"special_education_teacher"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: %d %s", res.StatusCode, errorsOf(body))
	}
	id := x.scheduleToday(t)
	held := meetingURL(x.district, id) + "/held"
	cm := x.team(t)[0].ID
	res, body := x.submitAs(t, asTeamMember, held+"?lang=en", url.Values{"member": {cm}, "present": {cm}, "mode." + cm: {"video"},
		"notes": {"We met."}, "finalizes": {"on"}})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("a meeting without the required members: %d, want 409", res.StatusCode)
	}
	mustContain(t, "the readiness refused", body, "No one is the Parent: add them to the team",
		"No one is the Regular education teacher: add them", "No one is the District representative", "No one is the Explains evaluation results",
		"No parent attended, and 0 attempts to reach the family are recorded", `href="#f-readiness"`, `href="#f-attendance"`, "We met.",
		`<option value="video" selected>`)
	if m := x.meetings(t)[0]; m.Status != iep.MeetingScheduled || m.Notes != "" {
		t.Fatalf("a refused meeting was recorded: %+v", m)
	}
	// An attendance mode that is none is said at its field, and nothing is recorded.
	res, body = x.submitAs(t, asTeamMember, held+"?lang=en", url.Values{"member": {cm}, "mode." + cm: {"carrier pigeon"}})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("an unknown mode: %d", res.StatusCode)
	}
	mustContain(t, "an unknown mode", body, "choose one of: In person, By phone, By video")
	// The full team, the parent there: held, and it completed the plan.
	x.fullTeam(t)
	form := url.Values{"notes": {"Draft reviewed with the family."}, "finalizes": {"on"}}
	for _, m := range x.team(t) {
		form.Add("member", m.ID)
		form.Add("present", m.ID)
		form.Set("mode."+m.ID, "in_person")
	}
	res, body = x.submitAs(t, asTeamMember, held, form)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("held: %d %s", res.StatusCode, errorsOf(body))
	}
	_, body = x.follow(t, asTeamMember, res)
	mustContain(t, "the meeting held", body, "it completed the IEP: its dates come from this meeting", "Held", "Draft reviewed with the family.",
		"Gina Tester: Attended (In person)", "Go to the notice and proposal", "The meeting was recorded as held.")
	p, _ := x.db.GetPlan(context.Background(), x.district, x.plan)
	if p.MeetingDate.String() != "2026-03-16" || p.NextReviewDate.String() != "2027-03-16" {
		t.Errorf("the plan's dates: meeting %s, review %s", p.MeetingDate, p.NextReviewDate)
	}
}

// proposed takes Noah's plan to a proposal through the screens and returns the version's hash.
func (x *mp) proposed(t *testing.T) string {
	t.Helper()
	x.fullTeam(t)
	x.wholeDraft(t)
	id := x.scheduleToday(t)
	form := url.Values{"finalizes": {"on"}}
	for _, m := range x.team(t) {
		form.Add("member", m.ID)
		form.Add("present", m.ID)
	}
	if res, body := x.submitAs(t, asTeamMember, meetingURL(x.district, id)+"/held", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("held: %d %s", res.StatusCode, errorsOf(body))
	}
	res, body := x.submitFile(t, asTeamMember, x.proposalURL, url.Values{
		"notice.reasons":            {"The evaluation found that Noah needs support with sensory regulation."},
		"notice.options_considered": {"Support in the classroom alone: rejected, it was tried for a term."},
		"notice.based_on":           {"Classroom observations, February 2026."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("propose: %d %s", res.StatusCode, errorsOf(body))
	}
	vs, err := x.db.ListVersions(context.Background(), x.district, x.plan)
	if err != nil || len(vs) != 1 {
		t.Fatalf("versions: %v %d", err, len(vs))
	}
	return vs[0].SHA256
}

func TestPropose(t *testing.T) {
	x := newMP(t)
	_, body := x.getAs(t, asTeamMember, x.proposalURL+"?lang=en")
	mustContain(t, "before any meeting", body, "No meeting has completed this IEP yet.", "Go to the team and meetings")
	if strings.Contains(body, `name="notice.reasons"`) {
		t.Error("the notice form is offered before a meeting completed the plan")
	}
	if res, _ := x.submitFile(t, asTeamMember, x.proposalURL, url.Values{"notice.reasons": {"r"}, "notice.options_considered": {"o"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("a proposal before the meeting: %d, want 409", res.StatusCode)
	}
	x.fullTeam(t)
	id := x.scheduleToday(t)
	form := url.Values{"finalizes": {"on"}}
	for _, m := range x.team(t) {
		form.Add("member", m.ID)
		form.Add("present", m.ID)
	}
	if res, _ := x.submitAs(t, asTeamMember, meetingURL(x.district, id)+"/held", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("held: %d", res.StatusCode)
	}
	_, body = x.getAs(t, asTeamMember, x.proposalURL+"?lang=en")
	mustContain(t, "the notice form", body, "Prior written notice", "The district proposes your child's first IEP", "Why the district proposes this",
		"Proposing freezes the IEP as version 1", "Procedural safeguards (added for you)")
	// The notice's elements missing, and the draft not whole: each said, the draft's problems
	// with their sections; nothing frozen.
	res, body := x.submitFile(t, asTeamMember, x.proposalURL+"?lang=en", url.Values{"notice.other_factors": {"Noah's family moved in March."}})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("an empty notice: %d", res.StatusCode)
	}
	mustContain(t, "an empty notice", body, "Say why the district proposes this IEP.", "Name the other options the team considered",
		"Say what the proposal is based on: no completed evaluation is recorded",
		"The draft is not finished.", "Annual goals (", `href="#f-plan"`, "Noah's family moved in March.")
	if vs, _ := x.db.ListVersions(context.Background(), x.district, x.plan); len(vs) != 0 {
		t.Fatal("a refused proposal froze a version")
	}
	x.wholeDraft(t)
	res, body = x.submitFile(t, asTeamMember, x.proposalURL, url.Values{
		"notice.reasons":            {"Noah needs support with sensory regulation."},
		"notice.options_considered": {"Support in the classroom alone: rejected."},
		"notice.based_on":           {"Classroom observations, February 2026."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("propose: %d %s", res.StatusCode, errorsOf(body))
	}
	_, body = x.follow(t, asTeamMember, res)
	vs, _ := x.db.ListVersions(context.Background(), x.district, x.plan)
	mustContain(t, "the proposal", body, "The IEP was proposed", "Proposed, waiting for the family", "Version 1", vs[0].SHA256,
		"The family has until April 15, 2026 to answer (30 days left).", "The prior written notice sent, in English", "Classroom observations, February 2026.",
		"Noah needs support with sensory regulation.", "The family has not answered yet.", "Record an answer given on paper",
		"The family has until April 15, 2026 to answer; you can record that they did not answer only after that day.", "Take back to a draft")
}

func TestPaperResponse(t *testing.T) {
	x := newMP(t)
	sha := x.proposed(t)
	answer := x.proposalURL + "/response"
	base := url.Values{"version_sha256": {sha}, "guardian_id": {x.father}, "decision": {"accept_in_part"},
		"rejected_services": {"s2"}, "signature.typed_name": {"Test Parent"}, "signature.signed_on": {"2026-03-16"}}
	for _, c := range []struct {
		name  string
		form  func(url.Values)
		files []upload
		want  []string
	}{
		{"no comment on the rejected line", func(url.Values) {}, []upload{{"signature.document_id", "signed.pdf", smallPDF}},
			[]string{"Write why the family rejects “Speech and language therapy (30 minutes", "choose the file again"}},
		{"no scan", func(v url.Values) { v.Set("comments.s2", "In her classroom, please.") }, nil,
			[]string{"Upload the scan of the signed page.", "In her classroom, please."}},
		{"a stale version", func(v url.Values) { v.Set("comments.s2", "x"); v.Set("version_sha256", strings.Repeat("0", 64)) },
			[]upload{{"signature.document_id", "signed.pdf", smallPDF}}, []string{"A new version was proposed since this page was opened"}},
		{"no answer chosen", func(v url.Values) { v.Del("decision") }, []upload{{"signature.document_id", "signed.pdf", smallPDF}},
			[]string{"Choose the family's answer"}},
		{"signed tomorrow", func(v url.Values) { v.Set("comments.s2", "x"); v.Set("signature.signed_on", "2026-03-17") },
			[]upload{{"signature.document_id", "signed.pdf", smallPDF}}, []string{"The date of the signature cannot be in the future."}},
	} {
		f := url.Values{}
		for k, v := range base {
			f[k] = append([]string(nil), v...)
		}
		c.form(f)
		res, body := x.submitFile(t, asTeamMember, answer+"?lang=en", f, c.files...)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", c.name, res.StatusCode)
		}
		mustContain(t, c.name, body, c.want...)
		if n := len(x.documents(t)); n != 0 {
			t.Errorf("%s: %d documents stored", c.name, n)
		}
	}
	if rs, _ := x.db.ListResponses(context.Background(), x.district, x.plan); len(rs) != 0 {
		t.Fatalf("refused answers were recorded: %+v", rs)
	}
	f := url.Values{}
	for k, v := range base {
		f[k] = v
	}
	f.Set("comments.s2", "Speech therapy in his classroom, please.")
	res, body := x.submitFile(t, asTeamMember, answer, f, upload{"signature.document_id", "signed.pdf", smallPDF})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the answer: %d %s", res.StatusCode, errorsOf(body))
	}
	_, body = x.follow(t, asTeamMember, res)
	mustContain(t, "the answer recorded", body, "The family's answer on paper was recorded", "Accepted in part", "Test Parent",
		"Speech and language therapy", "Speech therapy in his classroom, please.", "Signed on paper: Test Parent", "Signed page: signed.pdf")
	p, _ := x.db.GetPlan(context.Background(), x.district, x.plan)
	if p.Status != iep.StatusAcceptedInPart {
		t.Errorf("the plan is %s", p.Status)
	}
	// Reopening a plan in effect is not a step it can take: said in words.
	res, body = x.submitAs(t, asTeamMember, x.proposalURL+"/reopen?lang=en", nil)
	if res.StatusCode != http.StatusConflict {
		t.Errorf("reopen a plan in effect: %d", res.StatusCode)
	}
	mustContain(t, "reopen refused", body, "A proposed or rejected IEP can be taken back to a draft; this IEP is: Accepted in part.")
}

func TestReopen(t *testing.T) {
	x := newMP(t)
	x.proposed(t)
	res, _ := x.submitAs(t, asTeamMember, x.proposalURL+"/reopen", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reopen: %d", res.StatusCode)
	}
	_, body := x.follow(t, asTeamMember, res)
	mustContain(t, "reopened", body, "The IEP is a draft again.", "The earlier proposal", "Proposing freezes the IEP as version 2")
}

// TestNoResponse: silence is recorded only once the MA window has passed, and then counts as a
// rejection.
func TestNoResponse(t *testing.T) {
	var now time.Time = testNow
	w := newWorldAt(t, 0, func() time.Time { return now })
	x := mpOf(t, w)
	x.proposed(t)
	res, body := x.submitAs(t, asTeamMember, x.proposalURL+"/no-response?lang=en", nil)
	if res.StatusCode != http.StatusConflict {
		t.Errorf("no response within the window: %d", res.StatusCode)
	}
	mustContain(t, "within the window", body, "The family has until April 15, 2026 to answer; you can record that they did not answer only after that day.")
	now = testNow.AddDate(0, 0, 31)
	x.renewSessions(t, now)
	_, body = x.getAs(t, asTeamMember, x.proposalURL+"?lang=en")
	mustContain(t, "the window passed", body, "The window to answer ended on April 15, 2026 (1 day ago).", "Record that the family did not answer")
	res, _ = x.submitAs(t, asTeamMember, x.proposalURL+"/no-response", nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("no response: %d", res.StatusCode)
	}
	_, body = x.follow(t, asTeamMember, res)
	mustContain(t, "recorded", body, "No response was recorded", "Rejected", "No response in time (counts as rejection)", "No signature")
}

// renewSessions gives every actor a fresh session at now (the clock moved past the old ones).
func (w *world) renewSessions(t *testing.T, now time.Time) {
	t.Helper()
	for _, who := range actorKinds[1:] {
		w.tokens[who] = w.freshSessionAt(t, who, now)
	}
}

func (w *world) freshSessionAt(t *testing.T, who string, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	acc, err := w.db.GetAccountByEmail(ctx, w.emails[who])
	if err != nil {
		t.Fatal(err)
	}
	token, hash := auth.NewToken()
	err = w.db.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateSession(ctx, &store.Session{TokenHash: hash, DistrictID: acc.DistrictID, AccountID: acc.ID,
			IdleTimeout: time.Hour, AbsoluteExpiresAt: now.Add(time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// TestDeskReadIsAudited: the screens' read of a plan is in the audit trail, by the staff member.
func TestDeskReadIsAudited(t *testing.T) {
	x := newMP(t)
	x.getAs(t, asTeamMember, x.teamURL)
	entries, _ := x.db.ListAudit(context.Background(), x.district, x.noah, 5)
	found := false
	for _, e := range entries {
		found = found || e.Action == "read" && e.RecordKind == "plan" && e.RecordID == x.plan && e.ActorID == x.cm
	}
	if !found {
		b, _ := json.Marshal(entries)
		t.Errorf("the read of the team screen is not audited: %s", b)
	}
}

// TestProposeAmendmentWithoutMeeting: an amendment agreed in writing is proposed without a
// meeting, with the signed agreement uploaded with the notice; without the agreement's page
// nothing is proposed or stored.
func TestProposeAmendmentWithoutMeeting(t *testing.T) {
	x := newMP(t)
	req := httptest.NewRequest(http.MethodPost, "/api/v1/students/"+x.mia+"/plans", strings.NewReader(`{"kind":"amendment"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Cookie", x.cookie(asTeamMember))
	rec := httptest.NewRecorder()
	x.handler.ServeHTTP(rec, req)
	var p iep.Plan
	if err := json.Unmarshal(rec.Body.Bytes(), &p); rec.Code != http.StatusCreated || err != nil {
		t.Fatalf("the amendment: %d %s", rec.Code, rec.Body)
	}
	proposal := planURL(x.district, p.ID, "proposal")
	_, body := x.getAs(t, asTeamMember, proposal+"?lang=en")
	mustContain(t, "the amendment's notice", body, "An amendment without a meeting", "The district proposes to change your child's IEP",
		`<option value="`+x.rosa+`">Rosa Ortiz</option>`, "Spanish, the family's language")
	form := url.Values{"notice.reasons": {"Mia asked for audiobooks."}, "notice.options_considered": {"No change: rejected."},
		"notice.based_on": {"Her teachers' reports."}, "without_meeting": {"on"}, "without_meeting.guardian_id": {x.rosa},
		"without_meeting.agreed_on": {"2026-03-12"}}
	res, body := x.submitFile(t, asTeamMember, proposal+"?lang=en", form)
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("no signed agreement: %d", res.StatusCode)
	}
	mustContain(t, "no signed agreement", body, "Upload the scan of the agreement the parent signed.", "Mia asked for audiobooks.")
	docs, _ := x.db.ListDocuments(context.Background(), x.district, x.mia)
	if vs, _ := x.db.ListVersions(context.Background(), x.district, p.ID); len(vs) != 0 || len(docs) != 0 {
		t.Fatalf("a refused amendment: %d versions, %d documents", len(vs), len(docs))
	}
	res, body = x.submitFile(t, asTeamMember, proposal, form, upload{"without_meeting.document_id", "agreement.pdf", smallPDF})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the amendment proposed: %d %s", res.StatusCode, errorsOf(body))
	}
	_, body = x.follow(t, asTeamMember, res)
	mustContain(t, "the amendment proposed", body, "The IEP was proposed", "Version 1", "The prior written notice sent, in Spanish",
		"El distrito propone")
}
