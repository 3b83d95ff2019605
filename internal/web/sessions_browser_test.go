package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// seedGroup gives Mia a classmate with speech in effect (Leo, 30 minutes a week in a group of
// two), and assigns the unassigned OT to Mia's reading on Tuesdays at 10:00 and to Mia's and
// Leo's speech on Thursdays at 09:30 (a group). It returns Leo's id.
func (w *world) seedGroup(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	ot := w.staffIDs[asUnassigned]
	var leo string
	err := w.db.Write(ctx, func(tx *store.Tx) error {
		st := &iep.Student{DistrictID: w.district, SchoolID: w.high, LocalID: "leo", FirstName: "Leo", LastName: "Second",
			BirthDate: date.MustParse("2010-05-01"), Grade: "10", HomeLanguage: "en", EnrolledOn: date.MustParse("2020-09-01")}
		if err := tx.CreateStudent(ctx, st); err != nil {
			return err
		}
		leo = st.ID
		line := iep.ServiceLine{ID: "speech", Category: iep.CategoryRelated, Type: iep.ServiceSpeechLanguage, ProviderRole: iep.RoleSpeechLanguage,
			Setting: iep.OutsideGeneralEducation, GroupSize: 2, MinutesPerSession: 30, SessionsPerPeriod: 1, Period: iep.PerWeek,
			StartDate: date.MustParse("2025-09-01"), EndDate: date.MustParse("2026-08-31")}
		p := &iep.Plan{DistrictID: w.district, StudentID: leo, Kind: iep.PlanAnnual, Status: iep.StatusAccepted, SchoolID: w.high,
			CaseManagerID: w.cm, StartDate: date.MustParse("2025-09-01"), EndDate: date.MustParse("2026-08-31"),
			Content: iep.Content{Services: iep.Services{Lines: []iep.ServiceLine{line}}}}
		if err := tx.CreatePlan(ctx, p, w.cm); err != nil {
			return err
		}
		if _, err := tx.FreezePlan(ctx, w.district, p.ID, w.cm); err != nil {
			return err
		}
		for _, a := range []iep.Assignment{
			{StudentID: w.mia, ServiceLineID: "s1", Weekdays: []time.Weekday{time.Tuesday}, StartTime: "10:00"},
			{StudentID: w.mia, ServiceLineID: "s2", Weekdays: []time.Weekday{time.Thursday}, StartTime: "09:30"},
			{StudentID: leo, ServiceLineID: "speech", Weekdays: []time.Weekday{time.Thursday}, StartTime: "09:30"},
		} {
			a.DistrictID, a.ProviderID, a.StartsOn, a.CreatedBy = w.district, ot, date.MustParse("2025-09-02"), w.cm
			if err := tx.CreateAssignment(ctx, &a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return leo
}

// TestBrowserSessions is a provider's week on a phone (375 px) in English: an individual session
// logged with one click (Tuesday), a group logged once with one student missed and the reason
// chosen (Thursday), the make-up of that session from the list of sessions owed (Friday); then
// the delivered-vs-required numbers on Mia's staff page and on her family's progress page, the
// same. axe-core checks every page and state; no page is wider than the phone.
func TestBrowserSessions(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	w := newWorld(t, 0)
	w.seedRecord(t)
	w.seedGroup(t)
	srv := httptest.NewServer(w.handler)
	defer srv.Close()
	b := newBrowser(t)
	check := func(t *testing.T, name string) {
		t.Helper()
		b.checkAxe(t, name)
		if m := evalIn[[]int](t, b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); m[0] > m[1] {
			t.Errorf("%s: %d px wide in a %d px viewport", name, m[0], m[1])
		}
		b.screenshot(t, name)
	}
	text := func(t *testing.T, selector string) string {
		t.Helper()
		return evalIn[string](t, b, `(document.querySelector(`+jsString(selector)+`) || {innerText: ""}).innerText`)
	}
	day := func(d string) string { return srv.URL + districtURL(w.district) + "/sessions?lang=en&day=" + d }
	logged := func(t *testing.T, what string) {
		t.Helper()
		b.step(t, what+": wait for the confirmation", chromedp.WaitVisible(chromedp.CSS(`p.notice[role=status]`)))
		if got := text(t, "p.notice"); got != "The session is logged." {
			t.Fatalf("%s: notice %q", what, got)
		}
	}

	b.signIn(t, srv.URL, w.emails[asUnassigned], "the OT")
	// Tuesday: Mia's reading, alone; one click.
	b.visit(t, "sessions-tuesday", day("2026-02-24"), 375, 800)
	check(t, "sessions-tuesday")
	if got := text(t, "#slot-0 legend"); !strings.Contains(got, "10:00 · Reading intervention") {
		t.Fatalf("Tuesday's session: %q", got)
	}
	b.step(t, "log Tuesday's session", chromedp.Click(chromedp.CSS(`#slot-0-log`)))
	logged(t, "Tuesday")
	if got := text(t, "#slot-0"); !strings.Contains(got, "Logged for this day: delivered, 45 minutes") {
		t.Errorf("Tuesday after logging: %q", got)
	}
	check(t, "sessions-tuesday-logged")

	// Thursday: the speech group, Leo missed (pulled for other duties), Mia delivered.
	b.visit(t, "sessions-thursday", day("2026-02-26"), 375, 800)
	if got := text(t, "#slot-0 legend"); !strings.Contains(got, "09:30 · a group of 2 · Speech and language therapy") {
		t.Fatalf("Thursday's group: %q", got)
	}
	check(t, "sessions-thursday")
	b.step(t, "mark Leo missed and log the group",
		chromedp.Click(chromedp.CSS(`label[for="f-slot-0-status-0-missed"]`)),
		chromedp.SetValue(chromedp.CSS(`#f-slot-0-reason-0`), string(iep.MissedProviderDuty)),
		chromedp.Click(chromedp.CSS(`#slot-0-log`)))
	logged(t, "Thursday")
	check(t, "sessions-thursday-logged")

	// Friday: Leo's session is owed; its make-up logged from the list.
	b.visit(t, "sessions-friday", day("2026-02-27"), 375, 800)
	if got := text(t, "#owed-h"); got == "" {
		t.Fatal("Friday lists no session owed")
	}
	if got := text(t, "#owed-0 legend"); !strings.Contains(got, "Leo Second") || !strings.Contains(got, "February 26, 2026") {
		t.Fatalf("the session owed: %q", got)
	}
	check(t, "sessions-friday")
	b.step(t, "log the make-up", chromedp.Click(chromedp.CSS(`#owed-0-log`)))
	logged(t, "the make-up")
	if n := evalIn[int](t, b, `document.querySelectorAll("#owed-h").length`); n != 0 {
		t.Error("the session is still owed after its make-up")
	}
	b.signOut(t)

	// The numbers: Mia's reading, 90 minutes before and 45 today, of 3,456 required; her speech,
	// 30 and 30 of 1,280. The staff and the family read the same.
	b.signIn(t, srv.URL, w.emails[asTeamMember], "the case manager")
	// Who delivers Mia's services (the OT, with her schedule), and her progress desk, on a phone
	// and on a wide screen (the chart beside its table).
	b.visit(t, "student-services", srv.URL+studentURL(w.district, w.mia)+"/services?lang=en", 375, 800)
	if got := text(t, "main"); !strings.Contains(got, "Tuesday at 10:00") || !strings.Contains(got, "Thursday at 09:30") {
		t.Errorf("the services page lacks the OT's schedule:\n%s", got)
	}
	check(t, "student-services")
	for _, width := range []int64{375, 1280} {
		name := "student-progress-" + map[int64]string{375: "phone", 1280: "wide"}[width]
		b.visit(t, name, srv.URL+studentURL(w.district, w.mia)+"/progress?lang=es", width, 900)
		check(t, name)
	}
	b.visit(t, "student-delivery", srv.URL+studentURL(w.district, w.mia)+"?lang=en", 375, 800)
	staff := text(t, "#delivery-caption") + text(t, "section[aria-labelledby=delivery-heading] table")
	for _, want := range []string{"Delivered 135 of 3,456 minutes", "Delivered 60 of 1,280 minutes", "3,321 minutes owed"} {
		if !strings.Contains(staff, want) {
			t.Errorf("the staff page lacks %q:\n%s", want, staff)
		}
	}
	check(t, "student-delivery")
	b.signOut(t)
	b.signIn(t, srv.URL, w.emails[asGuardian], "Rosa")
	b.visit(t, "family-delivery", srv.URL+familyURL(w.district, w.mia, "progress")+"?lang=en", 375, 800)
	family := text(t, "main")
	for _, want := range []string{"135 of 3,456 minutes given", "60 of 1,280 minutes given", "The school owes 3,321 minutes of reading intervention"} {
		if !strings.Contains(family, want) {
			t.Errorf("the family's page lacks %q", want)
		}
	}
	check(t, "family-delivery")
}
