package web

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// TestBrowserCaseManagerJourney is the case manager's main journey as a new user makes it, in the
// browser, with axe-core on every page it passes and a screenshot of each step: sign in, find the
// student, open the draft, write a goal, add a service, schedule the meeting, record it held, and
// propose the plan with its prior written notice. What the journey does not name (the team, the
// other sections) is set up beforehand through the same screens' HTTP forms.
func TestBrowserCaseManagerJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	x := newMP(t)
	x.fullTeam(t)
	x.wholeDraft(t)
	// The journey writes the goals and services itself: start them empty.
	ctx := context.Background()
	p, err := x.db.GetPlan(ctx, x.district, x.plan)
	if err != nil {
		t.Fatal(err)
	}
	err = x.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := tx.SaveSection(ctx, x.district, x.plan, iep.SectionGoals, []byte(`{"goals":[]}`), p.SectionRevisions[iep.SectionGoals], x.cm); err != nil {
			return err
		}
		_, err := tx.SaveSection(ctx, x.district, x.plan, iep.SectionServices, []byte(`{"lines":[]}`), p.SectionRevisions[iep.SectionServices], x.cm)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(x.handler)
	defer srv.Close()
	b := newBrowser(t)
	shot := func(t *testing.T, name string) {
		t.Helper()
		b.checkAxe(t, name)
		b.screenshot(t, name)
	}
	waitText := func(t *testing.T, what, script, want string) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			got := evalIn[string](t, b, script)
			if strings.Contains(got, want) {
				return
			}
			if time.Now().After(deadline) {
				b.screenshot(t, "failed-"+safeName(what))
				t.Fatalf("%s: %q does not contain %q", what, got, want)
			}
			time.Sleep(150 * time.Millisecond)
		}
	}

	// idle waits until htmx has no request in flight and nothing swapping or settling.
	idle := func(t *testing.T) {
		t.Helper()
		time.Sleep(100 * time.Millisecond)
		waitText(t, "htmx idle", `String(document.querySelectorAll(".htmx-request, .htmx-swapping, .htmx-settling").length)`, "0")
	}
	// stored waits until the plan as stored satisfies ok.
	stored := func(t *testing.T, what string, ok func(p *iep.Plan) bool) *iep.Plan {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for {
			p, err := x.db.GetPlan(ctx, x.district, x.plan)
			if err != nil {
				t.Fatal(err)
			}
			if ok(p) {
				return p
			}
			if time.Now().After(deadline) {
				b.screenshot(t, "failed-"+safeName(what))
				t.Fatalf("%s: not stored; goals %+v, services %+v", what, p.Content.Goals.Goals, p.Content.Services.Lines)
			}
			time.Sleep(150 * time.Millisecond)
		}
	}

	b.signIn(t, srv.URL, x.emails[asTeamMember], asTeamMember)
	shot(t, "01-signed-in")

	// Find the student by name and open the record, then the draft.
	b.step(t, "find Noah",
		chromedp.Navigate(srv.URL+"/districts/"+x.district+"/students?q=kim&lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="`+studentURL(x.district, x.noah)+`"]`)),
	)
	shot(t, "02-search")
	b.step(t, "open Noah's record",
		chromedp.Click(chromedp.CSS(`a[href="`+studentURL(x.district, x.noah)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="`+planURL(x.district, x.plan)+`"]`)),
	)
	shot(t, "03-student")
	b.step(t, "open the draft",
		chromedp.Click(chromedp.CSS(`a[href="`+planURL(x.district, x.plan)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#form-goals`)),
	)
	shot(t, "04-editor")

	// Write a goal: add one, type it, and let it save itself.
	b.step(t, "add a goal",
		chromedp.Click(chromedp.CSS(`#form-goals button[value="add:goals"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-goals-0-statement`)),
	)
	idle(t)
	b.step(t, "write the goal",
		chromedp.SendKeys(chromedp.CSS(`#f-goals-0-area`), "Reading"),
		chromedp.SendKeys(chromedp.CSS(`#f-goals-0-statement`), "By March 2027, given a grade 2 passage, Noah will read 60 words correct per minute."),
		chromedp.SendKeys(chromedp.CSS(`#f-goals-0-baseline`), "32 words correct per minute"),
		chromedp.SendKeys(chromedp.CSS(`#f-goals-0-target`), "60 words correct per minute"),
		chromedp.SendKeys(chromedp.CSS(`#f-goals-0-measurement_method`), "Curriculum-based measurement"),
		chromedp.SendKeys(chromedp.CSS(`#f-goals-0-schedule`), "Every two weeks"),
		chromedp.KeyEvent("\t"), // leaving the field saves too (change), as typing does after a pause
	)
	stored(t, "the goal", func(p *iep.Plan) bool {
		g := p.Content.Goals.Goals
		return len(g) == 1 && g[0].Schedule == "Every two weeks" && g[0].Baseline == "32 words correct per minute"
	})
	idle(t)
	waitText(t, "the goal saved", `document.getElementById("status-goals").textContent`, "Saved at")
	shot(t, "05-goal-saved")

	// Add a service: 30 minutes twice a week in a small group outside the classroom.
	b.step(t, "add a service",
		chromedp.Click(chromedp.CSS(`#form-services button[value="add:lines"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-lines-0-type`)),
	)
	idle(t)
	b.step(t, "write the service",
		chromedp.SetValue(chromedp.CSS(`#f-lines-0-category`), "special_education"),
		chromedp.SetValue(chromedp.CSS(`#f-lines-0-type`), "specialized_academic_instruction"),
		chromedp.SetValue(chromedp.CSS(`#f-lines-0-provider_role`), "special_education_teacher"),
		chromedp.SetValue(chromedp.CSS(`#f-lines-0-setting`), "outside_general_education"),
		chromedp.SetValue(chromedp.CSS(`#f-lines-0-start_date`), "2026-03-23"),
		chromedp.SetValue(chromedp.CSS(`#f-lines-0-end_date`), "2027-03-15"),
		chromedp.Clear(chromedp.CSS(`#f-lines-0-group_size`)),
		chromedp.SendKeys(chromedp.CSS(`#f-lines-0-group_size`), "3"),
		chromedp.SendKeys(chromedp.CSS(`#f-lines-0-minutes_per_session`), "30"),
		chromedp.Clear(chromedp.CSS(`#f-lines-0-sessions_per_period`)),
		chromedp.SendKeys(chromedp.CSS(`#f-lines-0-sessions_per_period`), "2"),
		chromedp.Click(chromedp.CSS(`#form-services .section-save button[type=submit]`)),
	)
	stored(t, "the service", func(p *iep.Plan) bool {
		l := p.Content.Services.Lines
		return len(l) == 1 && l[0].MinutesPerPeriod() == 60 && l[0].Setting == iep.OutsideGeneralEducation && l[0].GroupSize == 3
	})
	idle(t)
	waitText(t, "the service saved", `document.getElementById("status-services").textContent`, "Saved at")
	waitText(t, "the totals", `document.getElementById("service-totals").textContent`, "60 minutes a week")
	shot(t, "06-service-saved")

	// Schedule the meeting (the family agreed to meet at short notice).
	b.step(t, "schedule the meeting",
		chromedp.Navigate(srv.URL+planURL(x.district, x.plan, "meetings", "new")+"?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`#f-purposes-initial_iep`)), // ticked for a first IEP already
		chromedp.SetValue(chromedp.CSS(`#f-starts_at`), "2026-03-16"),
		chromedp.SetValue(chromedp.CSS(`#f-time`), "11:00"),
		chromedp.SendKeys(chromedp.CSS(`input[name="location"]`), "Maple Elementary, room 4"),
		chromedp.Click(chromedp.CSS(`#f-shorter_notice_agreed`)),
	)
	if !evalIn[bool](t, b, `document.getElementById("f-purposes-initial_iep").checked`) {
		t.Fatal("the first IEP is not offered as the purpose")
	}
	shot(t, "07-schedule")
	b.step(t, "send the notice",
		chromedp.Click(chromedp.CSS(`form[action$="/meetings"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#held-h`)),
	)
	shot(t, "08-meeting")

	// Record the meeting held: everyone there, and it completed the plan.
	for _, m := range x.team(t) {
		b.step(t, "present "+m.ID, chromedp.Click(chromedp.CSS(`#f-present-`+m.ID)))
	}
	b.step(t, "the meeting held",
		chromedp.Click(chromedp.CSS(`#f-finalizes`)),
		chromedp.Click(chromedp.CSS(`form[action$="/held"] button[type=submit]`)),
	)
	waitText(t, "the meeting held", `(document.body || {innerText: ""}).innerText`, "The meeting was recorded as held.")
	b.step(t, "the page loaded", chromedp.WaitReady(chromedp.CSS(`footer`)))
	shot(t, "09-meeting-held")

	// Propose, with the prior written notice.
	b.step(t, "write the notice",
		chromedp.Navigate(srv.URL+planURL(x.district, x.plan, "proposal")+"?lang=en"),
		chromedp.WaitVisible(chromedp.CSS(`textarea[name="notice.reasons"]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="notice.reasons"]`), "The evaluation found that Noah needs specialized reading instruction."),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="notice.options_considered"]`), "Support in the classroom alone: rejected, tried for a term."),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="notice.based_on"]`), "Reading assessments, February 2026."),
	)
	shot(t, "10-notice")
	b.step(t, "propose", chromedp.Click(chromedp.CSS(`form[action$="/proposal"] button[type=submit]`)))
	waitText(t, "the proposal", `(document.body || {innerText: ""}).innerText`, "The IEP was proposed")
	b.step(t, "the page loaded", chromedp.WaitReady(chromedp.CSS(`footer`)))
	shot(t, "11-proposed")
	p, err = x.db.GetPlan(ctx, x.district, x.plan)
	if err != nil || p.Status != iep.StatusProposed || p.CurrentVersion != 1 {
		t.Fatalf("after the journey the plan is %s version %d (%v), want proposed version 1", p.Status, p.CurrentVersion, err)
	}
}
