package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/schoolday"
	"github.com/openiep/openiep/internal/store"
	"github.com/openiep/openiep/internal/store/storetest"
)

// TestProcessEndToEnd drives the seed's process through the JSON API as the people who do it,
// on both engines: the parent refers → the district representative asks consent → the parent
// consents → the case manager assigns the assessments → the evaluator uploads and reports →
// eligibility → the team → the family's concerns → the draft → shared → the meeting, scheduled
// and held → the family suggests a change, the team takes it → proposed → the parent accepts in
// part, rejecting one service → the accepted services are in effect and the rejected one is
// not, and services must start 10 school days after the signature on the district's calendar
// (which has a holiday in those days).
func TestProcessEndToEnd(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) { testProcessEndToEnd(t, engine) })
	}
}

// e2e is the district of the end-to-end test and its people's sessions.
type e2e struct {
	t       *testing.T
	h       http.Handler
	db      *store.DB
	clock   *atomic.Int64
	ids     map[string]string // staff, guardian and student ids by name
	cookies map[string]string
}

func (x *e2e) now() time.Time { return time.Unix(0, x.clock.Load()).UTC() }

// day moves the clock to 15:00 UTC (10:00 in Boston) on d.
func (x *e2e) day(d string) {
	x.clock.Store(date.MustParse(d).Time().Add(15 * time.Hour).UnixNano())
}

// do sends a JSON request as who and decodes the answer into out (when not nil); it fails the
// test unless the status is want.
func (x *e2e) do(who, method, path string, body any, want int, out any) {
	x.t.Helper()
	var rd io.Reader
	if b, ok := body.([]byte); ok {
		rd = bytes.NewReader(b)
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			x.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, rd)
	if _, raw := body.([]byte); !raw && body != nil {
		req.Header.Set("Content-Type", "application/json")
	} else if raw {
		req.Header.Set("Content-Type", "application/pdf")
	}
	token, th := auth.NewToken()
	err := x.db.Write(context.Background(), func(tx *store.Tx) error {
		return tx.CreateSession(context.Background(), &store.Session{TokenHash: th, DistrictID: x.ids["district"],
			AccountID: x.cookies[who], IdleTimeout: time.Hour, AbsoluteExpiresAt: x.now().Add(time.Hour)})
	})
	if err != nil {
		x.t.Fatal(err)
	}
	req.Header.Set("Cookie", sessionCookie+"="+token)
	req.RemoteAddr = "198.51.100.7:5555"
	rec := httptest.NewRecorder()
	x.h.ServeHTTP(rec, req)
	if rec.Code != want {
		x.t.Fatalf("%s %s as %s = %d, want %d: %s", method, path, who, rec.Code, want, rec.Body.String())
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			x.t.Fatalf("%s %s: decode %T: %v: %s", method, path, out, err, rec.Body.String())
		}
	}
}

func newE2E(t *testing.T, engine string) *e2e {
	x := &e2e{t: t, clock: new(atomic.Int64), ids: map[string]string{}, cookies: map[string]string{}}
	x.day("2026-02-02")
	x.db = storetest.Open(t, engine, store.Options{Now: x.now})
	svc := app.New(x.db, x.now, app.WithPasswordParams(testParams))
	h, err := New(svc, Options{Now: x.now})
	if err != nil {
		t.Fatal(err)
	}
	x.h = h
	ctx := context.Background()
	err = x.db.Write(ctx, func(tx *store.Tx) error {
		d := &iep.District{Name: "Brookline Test District", StateCode: "MA", LEACode: "0046", RulePack: "MA", Timezone: "America/New_York"}
		if err := tx.CreateDistrict(ctx, d); err != nil {
			return err
		}
		sch := &iep.School{DistrictID: d.ID, Name: "Lincoln School", Code: "L1", LowGrade: "K", HighGrade: "08", Kind: iep.SchoolPublic}
		if err := tx.CreateSchool(ctx, sch); err != nil {
			return err
		}
		y := &iep.SchoolYear{DistrictID: d.ID, Name: "2025-2026", FirstDay: date.MustParse("2025-09-02"), LastDay: date.MustParse("2026-06-19")}
		if err := tx.CreateSchoolYear(ctx, y); err != nil {
			return err
		}
		// February vacation week: five weekdays without school.
		var closed []iep.CalendarDay
		for d0 := date.MustParse("2026-02-16"); !d0.After(date.MustParse("2026-02-20")); d0 = d0.AddDays(1) {
			closed = append(closed, iep.CalendarDay{DistrictID: d.ID, SchoolYearID: y.ID, Date: d0, Kind: iep.DayClosed, Note: "February vacation"})
		}
		if err := tx.ReplaceCalendarDays(ctx, d.ID, y.ID, closed); err != nil {
			return err
		}
		staff := map[string][]iep.StaffRole{
			"cm":        {iep.RoleCaseManager, iep.RoleSpecialEducationTeacher},
			"evaluator": {iep.RoleSchoolPsychologist},
			"rep":       {iep.RoleDistrictRepresentative},
			"teacher":   {iep.RoleGeneralEducationTeacher},
			"slp":       {iep.RoleSpeechLanguage},
		}
		hash := auth.HashPassword("not used by this test", testParams)
		account := func(name string, kind store.AccountKind, id string) error {
			acc := &store.Account{DistrictID: d.ID, Kind: kind, SubjectID: id, Email: name + "@e2e.example", PasswordHash: hash}
			if err := tx.CreateAccount(ctx, acc, store.AuditActor{Kind: "system", ID: "test"}); err != nil {
				return err
			}
			x.cookies[name] = acc.ID // a session is opened for each request (the clock moves by days)
			return nil
		}
		for name, roles := range staff {
			s := &iep.Staff{DistrictID: d.ID, SchoolIDs: []string{sch.ID}, FirstName: name, LastName: "Staff", Email: name + "@e2e.example", Roles: roles, Active: true}
			if name == "rep" || name == "evaluator" {
				s.SchoolIDs = nil // district-wide
			}
			if err := tx.CreateStaff(ctx, s); err != nil {
				return err
			}
			x.ids[name] = s.ID
			if err := account(name, store.AccountStaff, s.ID); err != nil {
				return err
			}
		}
		st := &iep.Student{DistrictID: d.ID, SchoolID: sch.ID, LocalID: "L-1", FirstName: "Lena", LastName: "Park",
			BirthDate: date.MustParse("2017-04-03"), Grade: "03", HomeLanguage: "en", EnrolledOn: date.MustParse("2022-09-01")}
		if err := tx.CreateStudent(ctx, st); err != nil {
			return err
		}
		x.ids["student"], x.ids["district"] = st.ID, d.ID
		g := &iep.Guardian{DistrictID: d.ID, FirstName: "June", LastName: "Park", PreferredLanguage: "en",
			ContactMethods: []iep.ContactMethod{{Kind: iep.ContactEmail, Value: "june@e2e.example", Preferred: true}}}
		if err := tx.CreateGuardian(ctx, g); err != nil {
			return err
		}
		x.ids["parent"] = g.ID
		if err := tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: d.ID, StudentID: st.ID, GuardianID: g.ID,
			Relationship: iep.RelMother, HoldsEducationalRights: true, LivesWithStudent: true, ContactOrder: 1}); err != nil {
			return err
		}
		return account("parent", store.AccountGuardian, g.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	return x
}

func testProcessEndToEnd(t *testing.T, engine string) {
	x := newE2E(t, engine)
	student := x.ids["student"]
	sign := map[string]any{"typed_name": "June Park", "attest": true}

	// Referral by the parent; the district answers with the notice and the consent request.
	var ref iep.Referral
	x.do("parent", "POST", "/api/v1/students/"+student+"/referrals", map[string]any{
		"reason": "Lena struggles to read and to follow spoken directions.", "areas": []string{"reading"}}, 201, &ref)
	if ref.Source != iep.ReferredByParent {
		t.Errorf("a parent's referral has source %q", ref.Source)
	}
	// The case manager is not yet on anything of Lena's.
	x.do("cm", "POST", "/api/v1/students/"+student+"/evaluations", map[string]any{
		"kind": "initial", "areas": []string{"academic"}, "notice": map[string]any{"reasons": "r", "options_considered": "o"}}, 403, nil)
	var ev app.EvaluationView
	x.do("rep", "POST", "/api/v1/students/"+student+"/evaluations", map[string]any{
		"kind": "initial", "referral_id": ref.ID, "areas": []string{"academic", "psychological"}, "case_manager_id": x.ids["cm"],
		"notice": map[string]any{"reasons": "The parent's referral and classroom reading data.", "options_considered": "Waiting for more data: rejected, the concerns are long-standing."}}, 201, &ev)
	evID := ev.Evaluation.ID
	if ev.Evaluation.Stage != iep.StageConsentRequested || ev.Notice.Safeguards == "" || ev.Consent.Decision != iep.ConsentPending {
		t.Fatalf("after the request: %+v", ev)
	}
	// Assessments wait for consent.
	x.do("cm", "POST", "/api/v1/evaluations/"+evID+"/assessments", map[string]any{"area": "psychological", "evaluator_id": x.ids["evaluator"]}, 409, nil)

	x.day("2026-02-04")
	x.do("parent", "POST", "/api/v1/evaluations/"+evID+"/consent", map[string]any{"decision": "granted", "signature": sign}, 200, &ev)
	if ev.Evaluation.Stage != iep.StageEvaluating || ev.Evaluation.ConsentOn != date.MustParse("2026-02-04") {
		t.Fatalf("after consent: %+v", ev.Evaluation)
	}
	// The case manager assigns; the evaluator reports their area (with an uploaded report), not
	// another's.
	var evl iep.Evaluation
	x.do("cm", "POST", "/api/v1/evaluations/"+evID+"/assessments", map[string]any{"area": "psychological", "evaluator_id": x.ids["evaluator"]}, 200, &evl)
	x.do("cm", "POST", "/api/v1/evaluations/"+evID+"/assessments", map[string]any{"area": "academic", "evaluator_id": x.ids["cm"]}, 200, &evl)
	if evl.Assessments[0].DueOn.IsZero() {
		t.Errorf("assessment without a due date: %+v", evl.Assessments)
	}
	x.day("2026-03-02")
	var doc iep.Document
	x.do("evaluator", "POST", "/api/v1/students/"+student+"/documents?name=psych-report.pdf", []byte("%PDF-1.7\nreport\n%%EOF\n"), 201, &doc)
	x.do("evaluator", "POST", "/api/v1/students/"+student+"/documents?name=report.pdf", []byte("MZ not a pdf"), 400, nil)
	x.do("evaluator", "PUT", "/api/v1/evaluations/"+evID+"/assessments/psychological", map[string]any{
		"summary": "Average cognitive ability; weak phonological processing.", "document_id": doc.ID}, 200, nil)
	x.do("evaluator", "PUT", "/api/v1/evaluations/"+evID+"/assessments/academic", map[string]any{"summary": "x"}, 403, nil)
	x.do("cm", "POST", "/api/v1/evaluations/"+evID+"/complete", nil, 409, nil) // academic not reported
	x.do("cm", "PUT", "/api/v1/evaluations/"+evID+"/assessments/academic", map[string]any{
		"summary": "Reads 40 words correct per minute; grade level is 90."}, 200, nil)
	x.do("cm", "POST", "/api/v1/evaluations/"+evID+"/share-summaries", nil, 200, nil)
	x.do("cm", "POST", "/api/v1/evaluations/"+evID+"/complete", nil, 200, nil)

	x.day("2026-03-09")
	var el app.EligibilityView
	x.do("rep", "POST", "/api/v1/evaluations/"+evID+"/eligibility", map[string]any{"eligible": true,
		"disabilities": []map[string]any{{"category": iep.SpecificLearningDisability, "order": 1, "primary": true}},
		"basis":        "A specific learning disability in reading that keeps Lena from progressing without specialized instruction."}, 201, &el)

	// The initial plan and its team.
	var plan iep.Plan
	x.do("cm", "POST", "/api/v1/students/"+student+"/plans", map[string]any{"kind": "initial"}, 201, &plan)
	pid := plan.ID
	for _, m := range []map[string]any{
		{"role": "parent", "guardian_id": x.ids["parent"]},
		{"role": "special_education_teacher", "also": []string{"case_manager"}, "staff_id": x.ids["cm"]},
		{"role": "regular_education_teacher", "staff_id": x.ids["teacher"]},
		{"role": "district_representative", "staff_id": x.ids["rep"]},
		{"role": "evaluation_interpreter", "staff_id": x.ids["evaluator"]},
		{"role": "related_service_provider", "staff_id": x.ids["slp"]},
	} {
		x.do("cm", "POST", "/api/v1/plans/"+pid+"/team", m, 201, nil)
	}

	// The family writes its concerns and vision, kept as typed; the school may not change them.
	concerns := map[string]any{"parent_concerns": "Lena loves stories but hides when asked to read aloud.\nShe says she is “dumb”.",
		"student_vision": "I want to read books about dragons by myself."}
	var saved sectionSaved
	x.do("parent", "PUT", "/api/v1/plans/"+pid+"/sections/concerns", map[string]any{"base_revision": 1, "content": concerns}, 200, &saved)
	x.do("cm", "PUT", "/api/v1/plans/"+pid+"/sections/concerns", map[string]any{"base_revision": saved.Revision,
		"content": map[string]any{"parent_concerns": "Reading.", "student_vision": "Read."}}, 400, nil)
	x.do("parent", "PUT", "/api/v1/plans/"+pid+"/sections/goals", map[string]any{"base_revision": 1, "content": map[string]any{"goals": []any{}}}, 403, nil)

	// The case manager drafts every other section.
	content := fullContent("")
	content.Transition = iep.Transition{}
	content.Placement.SchoolID = ""
	for _, k := range iep.Sections {
		if k == iep.SectionConcerns {
			continue
		}
		b, _ := iep.EncodeSection(&content, k)
		x.do("cm", "PUT", "/api/v1/plans/"+pid+"/sections/"+string(k), map[string]any{"base_revision": 1, "content": json.RawMessage(b)}, 200, nil)
	}
	// Two people save the goals from the same revision: one wins, the other gets both texts.
	goalsV2, _ := iep.EncodeSection(&content, iep.SectionGoals)
	x.do("cm", "PUT", "/api/v1/plans/"+pid+"/sections/goals", map[string]any{"base_revision": 2, "content": json.RawMessage(goalsV2)}, 200, nil)
	var conflict struct {
		Section         string          `json:"section"`
		YourRevision    int             `json:"your_revision"`
		CurrentRevision int             `json:"current_revision"`
		Yours           json.RawMessage `json:"yours"`
		Current         json.RawMessage `json:"current"`
	}
	x.do("rep", "PUT", "/api/v1/plans/"+pid+"/sections/goals", map[string]any{"base_revision": 2,
		"content": map[string]any{"goals": []any{}}}, 409, &conflict)
	if conflict.Section != "goals" || conflict.YourRevision != 2 || conflict.CurrentRevision != 3 || !strings.Contains(string(conflict.Yours), "goals") {
		t.Errorf("conflict = %+v", conflict)
	}

	// The family cannot read the draft until it is shared (they ask for it); then it can, marked
	// as a draft.
	x.do("parent", "GET", "/api/v1/plans/"+pid, nil, 403, nil)
	x.do("parent", "POST", "/api/v1/plans/"+pid+"/draft-request", nil, 200, nil)
	x.do("cm", "POST", "/api/v1/plans/"+pid+"/share", nil, 200, nil)
	var view app.PlanView
	x.do("parent", "GET", "/api/v1/plans/"+pid, nil, 200, &view)
	if !view.Draft || view.Plan.Content.Concerns.ParentConcerns != concerns["parent_concerns"] || view.Plan.Content.Concerns.WrittenBy != x.ids["parent"] {
		t.Errorf("the family's view: draft %v, concerns %+v", view.Draft, view.Plan.Content.Concerns)
	}

	// The meeting: too soon for the notice, then in time; the family accepts and brings a guest.
	var mv app.MeetingView
	x.do("cm", "POST", "/api/v1/plans/"+pid+"/meetings", map[string]any{"purposes": []string{"initial_iep"},
		"starts_at": "2026-03-12T18:00:00Z", "location": "Lincoln School, room 12"}, 400, nil)
	x.do("cm", "POST", "/api/v1/plans/"+pid+"/meetings", map[string]any{"purposes": []string{"initial_iep"},
		"starts_at": "2026-03-23T18:00:00Z", "duration_minutes": 60, "location": "Lincoln School, room 12"}, 201, &mv)
	mid := mv.Meeting.ID
	if mv.Notice == nil || !strings.Contains(mv.Notice.Action, "room 12") || !strings.Contains(mv.Notice.Action, "2026-03-23 14:00 EDT") {
		t.Errorf("meeting notice: %+v", mv.Notice)
	}
	outbox, err := x.db.ListOutbox(context.Background(), x.ids["district"], 50)
	if err != nil || len(outbox) < 2 {
		t.Errorf("invitations in the outbox: %d, %v", len(outbox), err)
	}
	x.do("parent", "POST", "/api/v1/meetings/"+mid+"/reply", map[string]any{"reply": "accepted",
		"guest_name": "Ana Ruiz", "guest_title": "advocate"}, 200, nil)

	// The family suggests a change to the accommodations; the team takes it in.
	x.do("parent", "GET", "/api/v1/plans/"+pid, nil, 200, &view)
	acc := content.Accommodations
	acc.Items = append(acc.Items, iep.AccommodationItem{ID: "a3", Kind: iep.Accommodation, Context: iep.ContextClassroom,
		Description: "Audiobooks for every class novel."})
	var sg app.SuggestionView
	x.do("parent", "POST", "/api/v1/plans/"+pid+"/suggestions", map[string]any{"section": "accommodations",
		"base_revision": view.Plan.SectionRevisions[iep.SectionAccommodations], "content": acc, "note": "She listens well."}, 201, &sg)
	x.do("parent", "POST", "/api/v1/plans/"+pid+"/comments", map[string]any{"section": "services", "body": "Why only twice a week?"}, 201, nil)
	x.do("parent", "POST", "/api/v1/suggestions/"+sg.ID+"/decision", map[string]any{"accept": true}, 403, nil)
	x.do("cm", "POST", "/api/v1/suggestions/"+sg.ID+"/decision", map[string]any{"accept": true}, 200, &sg)
	if sg.Status != iep.SuggestionAccepted || sg.AppliedRevision == 0 {
		t.Errorf("suggestion after acceptance: %+v", sg.Suggestion)
	}

	// Proposing before the meeting is refused; holding it before its day too.
	x.do("cm", "POST", "/api/v1/plans/"+pid+"/proposal", map[string]any{"notice": map[string]any{"reasons": "r", "options_considered": "o"}}, 409, nil)
	x.do("cm", "POST", "/api/v1/meetings/"+mid+"/held", map[string]any{"finalizes": true}, 409, nil)
	x.day("2026-03-23")
	x.do("parent", "GET", "/api/v1/plans/"+pid, nil, 200, &view)
	att := []map[string]any{}
	for _, m := range view.Team {
		att = append(att, map[string]any{"member_id": m.ID, "present": true, "mode": "in_person", "signed": true})
	}
	var held heldMeeting
	x.do("cm", "POST", "/api/v1/meetings/"+mid+"/held", map[string]any{"attendance": att, "notes": "Draft reviewed.", "finalizes": true}, 200, &held)
	if len(held.Readiness.MissingRoles) != 0 || !held.Readiness.ParentPresent {
		t.Errorf("readiness: %+v", held.Readiness)
	}

	var prop app.Proposal
	x.do("cm", "POST", "/api/v1/plans/"+pid+"/proposal", map[string]any{"notice": map[string]any{
		"reasons":            "The evaluation found a specific learning disability in reading.",
		"options_considered": "Reading support in the classroom alone: rejected, it was tried for a year without progress."}}, 201, &prop)
	if prop.Plan.Status != iep.StatusProposed || prop.Version.Number != 1 || prop.Notice.BasedOn == "" || prop.Notice.HelpSources == "" {
		t.Fatalf("proposal: %+v", prop)
	}

	// The parent accepts in part, rejecting the speech service with a comment.
	x.day("2026-03-25")
	resp := map[string]any{"version_sha256": prop.Version.SHA256, "decision": "accept_in_part", "rejected_services": []string{"s2"},
		"signature": sign}
	x.do("parent", "POST", "/api/v1/plans/"+pid+"/responses", resp, 400, nil) // no comment on the rejected line
	resp["comments"] = map[string]string{"s2": "Speech therapy should be in her classroom, not pulled out."}
	x.do("parent", "POST", "/api/v1/plans/"+pid+"/responses", map[string]any{"version_sha256": strings.Repeat("0", 64),
		"decision": "accept", "signature": sign}, 400, nil) // not the version proposed
	var out app.ResponseOut
	x.do("parent", "POST", "/api/v1/plans/"+pid+"/responses", resp, 201, &out)
	if out.Plan.Status != iep.StatusAcceptedInPart || out.Response.Signature.Method != "electronic" ||
		!strings.Contains(out.Response.Signature.Attestation, prop.Version.SHA256) {
		t.Errorf("after the response: status %s, signature %+v", out.Plan.Status, out.Response.Signature)
	}
	var services []iep.EffectiveLine
	x.do("cm", "GET", "/api/v1/students/"+student+"/services", nil, 200, &services)
	var lines []string
	for _, l := range services {
		lines = append(lines, l.ID)
	}
	if strings.Join(lines, ",") != "s1,e1" {
		t.Errorf("services in effect = %v, want s1 and the ESY line, not the rejected s2", lines)
	}

	// The service-start clock: 10 school days from the signature (Mar 25) on the calendar.
	var dl deadlinesJSON
	x.do("cm", "GET", "/api/v1/students/"+student+"/deadlines", nil, 200, &dl)
	found := false
	for _, d := range dl.Deadlines {
		if d.Clock != "services_start" {
			continue
		}
		found = true
		if d.Start != date.MustParse("2026-03-25") || d.Due != date.MustParse("2026-04-08") {
			t.Errorf("services_start: start %s due %s, want 2026-03-25 and 2026-04-08", d.Start, d.Due)
		}
	}
	if !found {
		t.Errorf("no services_start deadline: %+v", dl.Deadlines)
	}
	cal, _ := schoolday.New("MA", schoolday.Year{First: date.MustParse("2025-09-02"), Last: date.MustParse("2026-06-19")})
	if r, _ := cal.Add(date.MustParse("2026-03-25"), 10, schoolday.SchoolDays); r.Date != date.MustParse("2026-04-08") {
		t.Errorf("the calendar itself says %s (the test's expectation is wrong)", r.Date)
	}

	// Every step is in the ledger.
	var proc app.ProcessView
	x.do("rep", "GET", "/api/v1/students/"+student+"/process", nil, 200, &proc)
	kinds := map[iep.EventKind]bool{}
	for _, e := range proc.Events {
		kinds[e.Kind] = true
	}
	for _, k := range []iep.EventKind{iep.EventReferralReceived, iep.EventEvaluationNoticeSent, iep.EventEvaluationConsentReceived,
		iep.EventAssessmentCompleted, iep.EventEvaluationCompleted, iep.EventEligibilityDetermined, iep.EventDraftShared,
		iep.EventMeetingNoticeSent, iep.EventMeetingHeld, iep.EventPlanFinalized, iep.EventPlanProposed,
		iep.EventResponseReceived, iep.EventServicesConsentReceived, iep.EventGuestAnnounced, iep.EventSuggestionDecided, iep.EventDraftRequested} {
		if !kinds[k] {
			t.Errorf("the ledger has no %s", k)
		}
	}
}
