package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// TestBrowserFamilyJourney is a parent who has never used openiep, on a phone (375 px), in
// English and in Spanish: the invitation arrives by e-mail (over SMTP, to a server in the test),
// she sets her password, finds her child, writes her concerns (saved as she types), comments on
// the shared draft and suggests a change, answers the meeting notice (another time, an
// interpreter, a guest); the team meets and proposes; she accepts the plan in part, rejecting
// the speech therapy line with a comment, and signs; she sees the services and progress, and
// asks for the records and sees the day the school must answer by. axe-core runs on every page
// and state, and each step is checked in the database, not only on the screen.
func TestBrowserFamilyJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests are not short")
	}
	for _, lang := range []string{"en", "es"} {
		t.Run(lang, func(t *testing.T) { familyJourney(t, lang) })
	}
}

// journeyWords are what the journey looks for on screen, by language.
var journeyWords = map[string]struct{ comment, statement, proposed, sent string }{
	"en": {"Could the reading group meet in the morning?", "Noah will read 100 words a minute by June.",
		"Mornings before 10, any weekday", "Your request was sent"},
	"es": {"¿Podría el grupo de lectura reunirse por la mañana?", "Noah leerá 100 palabras por minuto en junio.",
		"Por la mañana antes de las 10, cualquier día", "Su solicitud se envió"},
}

func familyJourney(t *testing.T, lang string) {
	ctx := context.Background()
	pw := newPWWorld(t)
	x := mpOf(t, pw.world)
	x.fullTeam(t)
	x.wholeDraft(t)
	if res, body := x.submitAs(t, asTeamMember, planURL(x.district, x.plan, "share"), url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("share the draft: %d %s", res.StatusCode, errorsOf(body))
	}
	meeting := x.scheduleToday(t)

	// Carmen, Noah's mother, holds the rights with his father; the district invites her.
	email := "carmen." + lang + "@family.example"
	var acc store.Account
	err := pw.db.Write(ctx, func(tx *store.Tx) error {
		g := &iep.Guardian{DistrictID: x.district, FirstName: "Carmen", LastName: "Kim", PreferredLanguage: lang,
			ContactMethods: []iep.ContactMethod{{Kind: iep.ContactEmail, Value: email, Preferred: true}}}
		if err := tx.CreateGuardian(ctx, g); err != nil {
			return err
		}
		if err := tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: x.district, StudentID: x.noah, GuardianID: g.ID,
			Relationship: iep.RelMother, HoldsEducationalRights: true, ContactOrder: 2}); err != nil {
			return err
		}
		acc = store.Account{DistrictID: x.district, Kind: store.AccountGuardian, SubjectID: g.ID, Email: email}
		return tx.CreateAccount(ctx, &acc, store.AuditActor{Kind: "system", ID: "test"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := pw.svc.SendInvitation(ctx, pw.admin(), x.district, acc.ID); err != nil {
		t.Fatal(err)
	}
	var invite string
	for _, m := range pw.deliver(t) {
		if len(m.To) == 1 && m.To[0] == email {
			invite, _ = linkIn(t, m)
		}
	}
	if !strings.Contains(invite, "lang="+lang) {
		t.Fatalf("the invitation's link %q is not in Carmen's language", invite)
	}

	srv := httptest.NewServer(pw.handler)
	defer srv.Close()
	b := newBrowser(t)
	check := func(name string) {
		t.Helper()
		b.checkAxe(t, "family-journey-"+lang+"-"+name)
		if m := evalIn[[]int](t, b, `[document.documentElement.scrollWidth, document.documentElement.clientWidth]`); m[0] > m[1] {
			t.Errorf("%s: the page is %d px wide in a %d px viewport", name, m[0], m[1])
		}
		b.screenshot(t, "family-journey-"+lang+"-"+name)
	}
	var stored string
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !ok(); time.Sleep(150 * time.Millisecond) {
			if time.Now().After(deadline) {
				b.screenshot(t, "family-journey-"+lang+"-failed-"+safeName(what))
				t.Fatalf("%s: not done in time (concerns stored: %q)", what, stored)
			}
		}
	}
	// submit runs actions that end in a form's submission and waits for the next page: a mark
	// set on the old page is gone and the new page has loaded (an element that was on the old
	// page too cannot tell them apart).
	submit := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		evalIn[bool](t, b, `(() => { window.journeyOldPage = true; return true })()`)
		b.step(t, what, actions...)
		for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if evalIn[bool](t, b, `window.journeyOldPage === undefined && document.readyState === "complete"`) {
				return
			}
			if time.Now().After(deadline) {
				b.screenshot(t, "family-journey-"+lang+"-failed-"+safeName(what))
				t.Fatalf("%s: the next page did not come", what)
			}
		}
	}
	words := journeyWords[lang]
	child := familyURL(x.district, x.noah)

	// The invitation: set a password, arrive at her children.
	b.visit(t, "welcome", srv.URL+invite, 375, 800)
	check("welcome")
	submit("accept the invitation",
		chromedp.SendKeys(chromedp.CSS("#f-password"), "carmen's long passphrase"),
		chromedp.SendKeys(chromedp.CSS("#f-password_confirm"), "carmen's long passphrase"),
		chromedp.Click(chromedp.CSS(`form[action="/welcome"] button[type=submit]`)))
	b.step(t, "her children", chromedp.WaitVisible(chromedp.CSS(`a[href="`+child+`"]`)))
	if got := evalIn[string](t, b, `document.documentElement.lang`); got != lang {
		t.Errorf("her first page is in %q, want her language %q", got, lang)
	}
	check("children")
	b.step(t, "open Noah", chromedp.Click(chromedp.CSS(`a[href="`+child+`"]`)), chromedp.WaitVisible(chromedp.CSS(`.task-list`)))
	check("home")

	// Her concerns, saved as she types.
	b.step(t, "write the concerns", chromedp.Click(chromedp.CSS(`.task-write_concerns a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`#concerns-parent_concerns`)))
	check("concerns")
	mine := "Noah reads at home every night. / Noah lee en casa cada noche.\n\nHe needs calm."
	evalIn[bool](t, b, `(() => { document.getElementById("concerns-parent_concerns").value = ""; return true })()`)
	b.step(t, "type", chromedp.SendKeys(chromedp.CSS(`#concerns-parent_concerns`), mine))
	waitFor("the concerns saved", func() bool {
		p, err := pw.db.GetPlan(ctx, x.district, x.plan)
		if err == nil {
			stored = p.Content.Concerns.ParentConcerns
		}
		return stored == mine
	})
	check("concerns-saved")

	// The draft: a comment, then a suggested change of the goal.
	b.visit(t, "plan", srv.URL+familyURL(x.district, x.noah, "plans", x.plan)+"#talk-goals", 375, 800)
	check("plan")
	b.step(t, "write a comment",
		chromedp.Click(chromedp.CSS(`#comment-box-goals > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#comment-goals`)),
		chromedp.SendKeys(chromedp.CSS(`#comment-goals`), words.comment))
	submit("send the comment", chromedp.Click(chromedp.CSS(`#comment-form-goals button[type=submit]`)))
	waitFor("the comment stored", func() bool {
		cs, _ := pw.db.ListComments(ctx, x.district, x.plan)
		return len(cs) > 0 && cs[len(cs)-1].Body == words.comment
	})
	check("plan-commented")
	b.step(t, "suggest a change",
		chromedp.Click(chromedp.CSS(`#suggest-goals > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#s-goals-goals-0-statement`)))
	evalIn[bool](t, b, `(() => { document.getElementById("s-goals-goals-0-statement").value = ""; return true })()`)
	b.step(t, "write the change", chromedp.SendKeys(chromedp.CSS(`#s-goals-goals-0-statement`), words.statement))
	submit("send the suggestion", chromedp.Click(chromedp.CSS(`#suggest-form-goals button[type=submit]`)))
	waitFor("the suggestion stored", func() bool {
		sgs, _ := pw.db.ListSuggestions(ctx, x.district, x.plan)
		return len(sgs) > 0 && strings.Contains(string(sgs[len(sgs)-1].Content), words.statement)
	})
	check("plan-suggested")

	// The meeting: another time, an interpreter, a guest.
	meetingPage := srv.URL + familyURL(x.district, x.noah, "meetings", meeting)
	b.visit(t, "meeting", meetingPage, 375, 800)
	check("meeting")
	submit("propose another time",
		chromedp.Click(chromedp.CSS("#f-reply-other_time_proposed")),
		chromedp.SendKeys(chromedp.CSS("#f-proposed_time"), words.proposed),
		chromedp.Click(chromedp.CSS("#f-reply-submit")))
	submit("ask for an interpreter",
		chromedp.SetValue(chromedp.CSS("#f-interpreter_language"), "es"),
		chromedp.Click(chromedp.CSS("#f-interpreter-submit")))
	submit("announce a guest",
		chromedp.SendKeys(chromedp.CSS("#f-guest_name"), "Ana Kim"),
		chromedp.SendKeys(chromedp.CSS("#f-guest_title"), "grandmother"),
		chromedp.Click(chromedp.CSS("#f-guest-submit")))
	b.step(t, "the confirmation", chromedp.WaitVisible(chromedp.CSS("#confirmation")))
	check("meeting-answered")
	var ms []iep.Meeting
	waitFor("the meeting's answer stored", func() bool {
		ms, _ = pw.db.ListMeetings(ctx, x.district, x.noah)
		return len(ms) > 0 && ms[0].FamilyReply == iep.ReplyOtherTimeProposed && ms[0].InterpreterLanguage == "es"
	})
	guest := false
	for _, m := range x.team(t) {
		guest = guest || m.Role == iep.TeamGuest && m.GuestName == "Ana Kim" && m.InvitedBy == iep.InvitedByFamily
	}
	if !guest {
		t.Error("the guest she announced is not on the team")
	}

	// The team meets (at the time first set, with her agreement by phone) and proposes.
	form := url.Values{"finalizes": {"on"}}
	for _, m := range x.team(t) {
		form.Add("member", m.ID)
		form.Add("present", m.ID)
	}
	if res, body := x.submitAs(t, asTeamMember, meetingURL(x.district, meeting)+"/held", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("held: %d %s", res.StatusCode, errorsOf(body))
	}
	if res, body := x.submitFile(t, asTeamMember, x.proposalURL, url.Values{
		"notice.reasons":            {"The evaluation found that Noah needs support with reading fluency."},
		"notice.options_considered": {"Support in the classroom alone: rejected, it was tried for a term."},
		"notice.based_on":           {"Classroom observations, February 2026."}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("propose: %d %s", res.StatusCode, errorsOf(body))
	}

	// Her answer: in part, the speech therapy line rejected with her reason; signed.
	b.visit(t, "home-proposed", srv.URL+child, 375, 800)
	check("home-proposed")
	b.step(t, "read and answer", chromedp.Click(chromedp.CSS(`.task-answer_plan a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-decision-accept_in_part`)))
	check("respond")
	submit("accept in part and sign",
		chromedp.Click(chromedp.CSS("#f-decision-accept_in_part")),
		chromedp.Click(chromedp.CSS("#f-reject-line-s2")),
		chromedp.SendKeys(chromedp.CSS("#f-comment_s2"), "Speech therapy in his class, please."),
		chromedp.SendKeys(chromedp.CSS("#f-signature_name"), "Carmen Kim"),
		chromedp.Click(chromedp.CSS("#f-signature_attest")),
		chromedp.Click(chromedp.CSS("#f-submit")))
	b.step(t, "the confirmation", chromedp.WaitVisible(chromedp.CSS("#confirmation")))
	check("respond-confirmation")
	rs, err := pw.db.ListResponses(ctx, x.district, x.plan)
	if err != nil || len(rs) != 1 || rs[0].Decision != iep.AcceptInPart || len(rs[0].RejectedServices) != 1 ||
		rs[0].RejectedServices[0] != "s2" || rs[0].Comments["s2"] != "Speech therapy in his class, please." ||
		rs[0].Signature == nil || rs[0].Signature.TypedName != "Carmen Kim" {
		t.Fatalf("her answer as stored: %+v %v", rs, err)
	}
	if start := evalIn[string](t, b, `(document.getElementById("services-start") || {innerText: ""}).innerText`); !regexp.MustCompile(`20\d\d`).MatchString(start) {
		t.Errorf("the confirmation does not give the day services must start: %q", start)
	}

	// Services and progress, then the records.
	b.visit(t, "progress", srv.URL+familyURL(x.district, x.noah, "progress"), 375, 800)
	check("progress")
	if got := evalIn[string](t, b, `document.querySelector("main").innerText`); !strings.Contains(got, "85") {
		t.Errorf("the progress page does not show the goal's baseline (85 words)")
	}
	b.visit(t, "records", srv.URL+familyURL(x.district, x.noah, "records"), 375, 800)
	check("records")
	submit("ask for the records",
		chromedp.Click(chromedp.CSS(`label[for="f-parts-services"]`)),
		chromedp.Click(chromedp.CSS(`label[for="f-delivery-copies"]`)),
		chromedp.Click(chromedp.CSS(`#fam-records-send`)))
	b.step(t, "the request listed", chromedp.WaitVisible(chromedp.CSS(`#fam-records-requests`)))
	check("records-requested")
	reqs, err := pw.db.ListRecordsRequests(ctx, x.district, x.noah)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("records requests stored: %d, %v", len(reqs), err)
	}
	var due *regexp.Regexp
	for _, d := range mustDeadlines(t, pw.world, x.noah) {
		if d.Clock == "records_request" && d.Open() {
			due = regexp.MustCompile(fmt.Sprintf(`\b%d\b[^\n]*\b%d\b`, d.Due.Day, d.Due.Year))
		}
	}
	if due == nil {
		t.Fatal("the records request started no clock")
	}
	if got := evalIn[string](t, b, `document.querySelector("main").innerText`); !due.MatchString(got) {
		t.Errorf("the request does not show the day the school must answer by (%s): %q", due, got)
	}
	b.visit(t, "rights", srv.URL+familyURL(x.district, x.noah, "rights"), 375, 800)
	check("rights")
}

// mustDeadlines returns a student's deadlines as stored.
func mustDeadlines(t *testing.T, w *world, student string) []store.Deadline {
	t.Helper()
	ds, err := w.db.ListStudentDeadlines(context.Background(), w.district, student)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}
