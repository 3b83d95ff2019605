package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/mail"
	"github.com/openiep/openiep/internal/mail/smtptest"
	"github.com/openiep/openiep/internal/store"
)

// The family's meetings and answers in the matrix. The matrix's meeting does not exist (every
// one finds nothing: TestFamilyMeetingAccess asks a real one of every actor); Mia's plan in
// effect was proposed as version 1, so Rosa reads it and her empty answer is refused (400);
// everyone else finds nothing (staff have their desks, the other families may not know Mia).
func init() {
	matrixParts = append(matrixParts, func(w *world) (map[string]map[string]outcome, map[string]string) {
		f := "/districts/{district}/family/{student}"
		return map[string]map[string]outcome{
			"GET " + f + "/meetings/{meeting}":                every(toSignIn, hidden),
			"POST " + f + "/meetings/{meeting}":               every(signInAgain, hidden),
			"GET " + f + "/meetings/{meeting}/invitation.ics": every(toSignIn, hidden),
			"GET " + f + "/plans/{plan}/respond":              familyOnly(),
			"POST " + f + "/plans/{plan}/respond":             with(every(signInAgain, hidden), asGuardian, bad),
			"GET " + f + "/plans/{plan}/respond/print":        familyOnly(),
		}, nil
	})
}

// respondWorld is a world where Mia's annual review is under way: a draft started from her plan in effect,
// with the team the meetings need.
type respondWorld struct {
	*mp
	draft string // Mia's new draft (then proposed)
}

// newRespondWorld starts Mia's annual review as her case manager and fills the team's required roles.
func newRespondWorld(t *testing.T) *respondWorld {
	t.Helper()
	return respondWorldOf(t, newWorld(t, 0))
}

func respondWorldOf(t *testing.T, w *world) *respondWorld {
	t.Helper()
	x := &respondWorld{mp: mpOf(t, w)}
	if res, body := x.submitAs(t, asTeamMember, studentURL(x.district, x.mia)+"/plans", url.Values{"kind": {"annual"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("start Mia's annual review: %d %s", res.StatusCode, errorsOf(body))
	}
	plans, err := x.db.ListPlans(context.Background(), x.district, x.mia)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range plans {
		if p.Status == iep.StatusDraft {
			x.draft = p.ID
		}
	}
	for _, f := range []url.Values{
		{"kind": {"staff"}, "staff_id": {x.teacher}, "role": {"regular_education_teacher"}},
		{"kind": {"staff"}, "staff_id": {x.rep}, "role": {"district_representative"}},
		{"kind": {"staff"}, "staff_id": {x.eval}, "role": {"evaluation_interpreter"}},
	} {
		if res, body := x.submitAs(t, asTeamMember, planURL(x.district, x.draft, "team"), f); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("add %v: %d %s", f, res.StatusCode, errorsOf(body))
		}
	}
	return x
}

// schedule schedules a meeting of Mia's draft on day at clock (New York), the family having
// agreed to a short notice, and returns its id.
func (x *respondWorld) schedule(t *testing.T, day, clock string, extra url.Values) string {
	t.Helper()
	f := url.Values{"purposes": {"annual_review", "transition"}, "date": {day}, "time": {clock}, "duration_minutes": {"90"},
		"location": {"Riverside High, room 12"}, "shorter_notice_agreed": {"on"}}
	for k, v := range extra {
		f[k] = v
	}
	res, body := x.submitAs(t, asTeamMember, planURL(x.district, x.draft, "meetings"), f)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("schedule: %d %s", res.StatusCode, errorsOf(body))
	}
	loc := res.Header.Get("Location")
	return strings.TrimSuffix(loc[strings.LastIndex(loc, "/")+1:], "?done=scheduled")
}

// propose holds a meeting today that finalizes Mia's draft and proposes it; it returns the
// version's hash.
func (x *respondWorld) propose(t *testing.T) string {
	t.Helper()
	id := x.schedule(t, "2026-03-16", "11:00", nil)
	form := url.Values{"finalizes": {"on"}}
	for _, m := range x.teamOf(t) {
		form.Add("member", m.ID)
		form.Add("present", m.ID)
	}
	if res, body := x.submitAs(t, asTeamMember, meetingURL(x.district, id)+"/held", form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("held: %d %s", res.StatusCode, errorsOf(body))
	}
	res, body := x.submitFile(t, asTeamMember, planURL(x.district, x.draft, "proposal"), url.Values{
		"notice.reasons":            {"Mia's reading grew; she needs less time outside her class."},
		"notice.options_considered": {"Keeping last year's services: not chosen, she no longer needs as much."},
		"notice.based_on":           {"Reading probes, January 2026."}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("propose: %d %s", res.StatusCode, errorsOf(body))
	}
	return x.sha(t)
}

// sha is the hash of the version of Mia's draft proposed now.
func (x *respondWorld) sha(t *testing.T) string {
	t.Helper()
	vs, err := x.db.ListVersions(context.Background(), x.district, x.draft)
	if err != nil || len(vs) == 0 {
		t.Fatalf("versions: %v %d", err, len(vs))
	}
	return vs[len(vs)-1].SHA256
}

// teamOf is the team of Mia's draft as stored.
func (x *respondWorld) teamOf(t *testing.T) []iep.TeamMember {
	t.Helper()
	team, err := x.db.ListTeam(context.Background(), x.district, x.draft)
	if err != nil {
		t.Fatal(err)
	}
	return team
}

// respondURL is the answer page of Mia's draft.
func (x *respondWorld) respondURL(parts ...string) string {
	return familyURL(x.district, x.mia, append([]string{"plans", x.draft, "respond"}, parts...)...)
}

// meeting is a meeting of Mia's as stored.
func (x *respondWorld) meeting(t *testing.T, id string) iep.Meeting {
	t.Helper()
	ms, err := x.db.ListMeetings(context.Background(), x.district, x.mia)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("no meeting %s", id)
	return iep.Meeting{}
}

// setMeeting changes a stored meeting.
func (x *respondWorld) setMeeting(t *testing.T, id string, change func(*iep.Meeting)) {
	t.Helper()
	m := x.meeting(t, id)
	change(&m)
	ctx := context.Background()
	if err := x.db.Write(ctx, func(tx *store.Tx) error { return tx.UpdateMeeting(ctx, &m) }); err != nil {
		t.Fatal(err)
	}
}

// followIn GETs where a 303 points, as the same actor, in language lang.
func (x *respondWorld) followIn(t *testing.T, who string, res *http.Response, lang string) (*http.Response, string) {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d, want 303", res.StatusCode)
	}
	u, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("lang", lang)
	u.RawQuery, u.Fragment = q.Encode(), ""
	return x.getAs(t, who, u.String())
}

// familyMeetingURL is the family's page of a meeting of Mia's.
func (x *respondWorld) familyMeetingURL(id string, parts ...string) string {
	return familyURL(x.district, x.mia, append([]string{"meetings", id}, parts...)...)
}

// linkRosaTo makes Rosa a guardian holding the rights of another child too.
func (x *respondWorld) linkRosaTo(t *testing.T, student string) {
	t.Helper()
	ctx := context.Background()
	err := x.db.Write(ctx, func(tx *store.Tx) error {
		return tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: x.district, StudentID: student, GuardianID: x.rosa,
			Relationship: iep.RelMother, HoldsEducationalRights: true, ContactOrder: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestFamilyMeetingAccess asks a real meeting of Mia's of every actor: Rosa reads it, answers it
// (an empty answer is refused: 400) and downloads its invitation; everyone else finds nothing,
// staff included (their page is the meeting's desk). A meeting asked for under another child's
// address is not found, even by a parent of both.
func TestFamilyMeetingAccess(t *testing.T) {
	x := newRespondWorld(t)
	id := x.schedule(t, "2026-03-30", "15:00", nil)
	for _, c := range []struct {
		method, path string
		want         map[string]outcome
	}{
		{"GET", x.familyMeetingURL(id), familyOnly()},
		{"POST", x.familyMeetingURL(id), with(every(signInAgain, hidden), asGuardian, bad)},
		{"GET", x.familyMeetingURL(id, "invitation.ics"), familyOnly()},
	} {
		for _, who := range actorKinds {
			if got := x.call(t, who, c.method, c.path); got != c.want[who] {
				t.Errorf("%s %s as %s = %d, want %d", c.method, c.path, who, got, c.want[who])
			}
		}
	}
	x.linkRosaTo(t, x.ava)
	for _, path := range []string{
		familyURL(x.district, x.ava, "meetings", id),
		familyURL(x.district, x.ava, "meetings", id, "invitation.ics"),
	} {
		if res, _ := x.getAs(t, asGuardian, path); res.StatusCode != http.StatusNotFound {
			t.Errorf("Mia's meeting under Ava's address: %d, want 404", res.StatusCode)
		}
	}
	if res, _ := x.submitAs(t, asGuardian, familyURL(x.district, x.ava, "meetings", id), url.Values{"form": {"reply"}, "reply": {"accepted"}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("an answer to Mia's meeting under Ava's address: %d, want 404", res.StatusCode)
	}
	if m := x.meeting(t, id); m.FamilyReply != iep.ReplyNone {
		t.Errorf("a refused answer was stored: %q", m.FamilyReply)
	}
	// Noah's meeting is not Rosa's to see, under any address.
	noah := x.scheduleToday(t)
	for _, student := range []string{x.mia, x.noah} {
		if res, _ := x.getAs(t, asGuardian, familyURL(x.district, student, "meetings", noah)); res.StatusCode != http.StatusNotFound {
			t.Errorf("Noah's meeting under %s's address: %d, want 404", student, res.StatusCode)
		}
	}
}

// TestFamilyMeetingPage: the meeting in the family's words, with the day of the week in the
// district's time, how long, where, what for, who is invited, the interpreter the school
// arranged (in Rosa's language), the notice; in English and in Spanish; and its invitation.
func TestFamilyMeetingPage(t *testing.T) {
	x := newRespondWorld(t)
	id := x.schedule(t, "2026-03-30", "15:00", url.Values{"video_link": {"https://meet.example.org/mia"}})
	res, body := x.getAs(t, asGuardian, x.familyMeetingURL(id)+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("meeting page: %d", res.StatusCode)
	}
	mustContain(t, "the meeting", body, "IEP team meeting", "Monday, March 30, 2026 at 3:00 PM", "Time in EDT", "About 90 minutes",
		"Riverside High, room 12", "Join the meeting by video", `href="https://meet.example.org/mia"`,
		"Reviewing the IEP for the coming year", "Planning for life after high school",
		"Interpreter for the meeting: Spanish. It is free.", "Notice sent", "March 16, 2026",
		"Dana Reyes", "Case manager", "Gina Tester", "Regular education teacher", `Rosa Ortiz <span class="sub">you</span>`,
		"You have not answered yet.", `id="f-reply-accepted"`, `id="f-reply-other_time_proposed"`, `id="f-reply-declined"`,
		`id="f-interpreter_language"`, `<option value="es" selected>Spanish</option>`, `id="f-guest_name"`,
		"You have not told the school about anyone yet.", "Questions? Contact Dana Reyes",
		familyURL(x.district, x.mia, "meetings", id, "invitation.ics"), `aria-label="Pages about Mia Ortiz"`)
	_, body = x.getAs(t, asGuardian, x.familyMeetingURL(id)+"?lang=es")
	mustContain(t, "in Spanish", body, "Reunión del equipo del IEP", "lunes, 30 de marzo de 2026 a las 15:00", "Unos 90 minutos",
		"Revisar el IEP para el próximo año", "Intérprete para la reunión: Español. Es gratis.", "¿Puede venir?",
		"Sí, vendré", "Avisar a la escuela")
	res, ics := x.getAs(t, asGuardian, x.familyMeetingURL(id, "invitation.ics"))
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") ||
		!strings.Contains(ics, "BEGIN:VCALENDAR") || !strings.Contains(ics, "DTSTART:20260330T190000Z") {
		t.Errorf("the invitation: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), ics)
	}
}

// TestFamilyMeetingAnswers: Rosa answers the meeting: she will come; then another time, which
// needs her words (refused without them, what she chose kept, nothing stored); then she cannot
// come. She asks for an interpreter without changing her answer, and tells the school about two
// guests, each shown as announced; the same guest twice, or a guest without who they are, is
// refused at its field. Each step is audited and the team sees it on its own page.
func TestFamilyMeetingAnswers(t *testing.T) {
	x := newRespondWorld(t)
	id := x.schedule(t, "2026-03-30", "15:00", nil)
	page := x.familyMeetingURL(id)
	post := func(f url.Values, want int) string {
		t.Helper()
		res, body := x.submitAs(t, asGuardian, page+"?lang=en", f)
		if res.StatusCode != want {
			t.Fatalf("post %v: %d, want %d\n%s", f, res.StatusCode, want, errorsOf(body))
		}
		if want == http.StatusSeeOther {
			_, body = x.followIn(t, asGuardian, res, "en")
		}
		return body
	}
	body := post(url.Values{"form": {"reply"}, "reply": {"accepted"}}, http.StatusSeeOther)
	mustContain(t, "accepted", body, "We told the team that you will come.", "Your answer: you will come.", `id="f-reply-accepted" name="reply" value="accepted" checked`)
	if m := x.meeting(t, id); m.FamilyReply != iep.ReplyAccepted {
		t.Errorf("reply stored: %q", m.FamilyReply)
	}

	body = post(url.Values{"form": {"reply"}, "reply": {"other_time_proposed"}, "proposed_time": {"  "}}, http.StatusBadRequest)
	mustContain(t, "another time without words", body, "Write which days and times work for you.", `href="#f-proposed_time"`,
		`id="f-proposed_time-error"`, `aria-invalid="true"`, `value="other_time_proposed" checked`)
	if m := x.meeting(t, id); m.FamilyReply != iep.ReplyAccepted || strings.Contains(m.Notes, "Family proposed") {
		t.Errorf("a refused answer changed the meeting: %+v", m)
	}
	body = post(url.Values{"form": {"reply"}, "reply": {"other_time_proposed"}, "proposed_time": {"Tuesdays after 3 PM, or any morning."}}, http.StatusSeeOther)
	mustContain(t, "another time", body, "We told the team that this time does not work for you", "you asked for another time",
		"The times you proposed", "Tuesdays after 3 PM, or any morning.")
	body = post(url.Values{"form": {"reply"}, "reply": {"maybe"}}, http.StatusBadRequest)
	mustContain(t, "no such answer", body, "Choose your answer.")
	body = post(url.Values{"form": {"reply"}, "reply": {"declined"}}, http.StatusSeeOther)
	mustContain(t, "declined", body, "We told the team that you cannot come.", "Your answer: you cannot come.")
	if strings.Contains(body, "The times you proposed") {
		t.Error("the times proposed are shown once Rosa answers otherwise")
	}
	if m := x.meeting(t, id); m.FamilyReply != iep.ReplyDeclined {
		t.Errorf("reply stored: %q", m.FamilyReply)
	}
	post(url.Values{"form": {"reply"}, "reply": {"other_time_proposed"}, "proposed_time": {"Tuesdays after 3 PM, or any morning."}}, http.StatusSeeOther)

	body = post(url.Values{"form": {"interpreter"}, "interpreter_language": {""}}, http.StatusBadRequest)
	mustContain(t, "no language", body, "Choose the language, or type it.", `href="#f-interpreter_language"`)
	body = post(url.Values{"form": {"interpreter"}, "interpreter_language": {"es"}, "interpreter_other": {"Mixteco"}}, http.StatusSeeOther)
	mustContain(t, "an interpreter", body, "We told the team that you would like an interpreter.", "Interpreter for the meeting: Mixteco.",
		`value="Mixteco"`, "you asked for another time")
	body = post(url.Values{"form": {"interpreter"}, "interpreter_language": {"ht"}}, http.StatusSeeOther)
	mustContain(t, "an interpreter from the list", body, "Interpreter for the meeting: Haitian Creole.", `<option value="ht" selected>`)
	if m := x.meeting(t, id); m.InterpreterLanguage != "ht" || m.FamilyReply != iep.ReplyOtherTimeProposed {
		t.Errorf("the interpreter request: %q, reply %q", m.InterpreterLanguage, m.FamilyReply)
	}

	post(url.Values{"form": {"guest"}, "guest_name": {"Ana Ortiz"}, "guest_title": {"Mia's grandmother"}}, http.StatusSeeOther)
	body = post(url.Values{"form": {"guest"}, "guest_name": {"Pat Lin"}, "guest_title": {"family advocate"}}, http.StatusSeeOther)
	mustContain(t, "two guests", body, "We told the team who you are bringing.", "Ana Ortiz", "Mia's grandmother", "Pat Lin",
		"family advocate", "you told the school on March 16, 2026", "a guest you bring")
	body = post(url.Values{"form": {"guest"}, "guest_name": {"ana ortiz"}, "guest_title": {"grandmother"}}, http.StatusBadRequest)
	mustContain(t, "the same guest", body, "You already told the school about this person.", `href="#f-guest_name"`, `value="grandmother"`)
	body = post(url.Values{"form": {"guest"}, "guest_name": {"Sam Ruiz"}}, http.StatusBadRequest)
	mustContain(t, "a guest without who they are", body, "Write who this person is to you or your child.", `value="Sam Ruiz"`)
	var guests []iep.TeamMember
	for _, m := range x.teamOf(t) {
		if m.Role == iep.TeamGuest {
			guests = append(guests, m)
		}
	}
	if len(guests) != 2 || guests[0].InvitedBy != iep.InvitedByFamily || guests[1].AnnouncedOn.String() != "2026-03-16" {
		t.Errorf("the guests stored: %+v", guests)
	}

	entries, err := x.db.ListAudit(context.Background(), x.district, x.mia, 50)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range entries {
		if e.ActorID == x.rosa {
			count[e.Action]++
		}
	}
	if count["reply_to_meeting"] != 4 || count["request_interpreter"] != 2 || count["announce_guest"] != 2 {
		t.Errorf("Rosa's steps in the audit trail: %v", count)
	}
	// The team sees the answers on the meeting's desk.
	_, body = x.getAs(t, asTeamMember, meetingURL(x.district, id)+"?lang=en")
	mustContain(t, "the desk", body, "They asked for another time", "Tuesdays after 3 PM, or any morning.", "Haitian Creole")
	_, body = x.getAs(t, asTeamMember, planURL(x.district, x.draft, "team")+"?lang=en")
	mustContain(t, "the team's page", body, "Ana Ortiz", "Pat Lin")
}

// TestFamilyMeetingClosed: a cancelled meeting, a meeting whose time has come and one held are
// read-only and say why; an answer to one is refused in words and nothing changes.
func TestFamilyMeetingClosed(t *testing.T) {
	x := newRespondWorld(t)
	cancelled := x.schedule(t, "2026-03-30", "15:00", nil)
	x.setMeeting(t, cancelled, func(m *iep.Meeting) { m.Status = iep.MeetingCancelled })
	begun := x.schedule(t, "2026-03-16", "09:00", nil) // before 10:00 in New York
	for id, want := range map[string]string{
		cancelled: "This meeting was cancelled. The school will tell you if a new time is set.",
		begun:     "The time of this meeting has passed.",
	} {
		res, body := x.getAs(t, asGuardian, x.familyMeetingURL(id)+"?lang=en")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("closed meeting: %d", res.StatusCode)
		}
		mustContain(t, "closed", body, want)
		if strings.Contains(body, `name="form"`) || strings.Contains(body, "invitation.ics") {
			t.Errorf("%s: a closed meeting offers its forms or its invitation", want)
		}
		res, body = x.submitAs(t, asGuardian, x.familyMeetingURL(id)+"?lang=en", url.Values{"form": {"guest"}, "guest_name": {"Ana"}, "guest_title": {"aunt"}})
		if res.StatusCode != http.StatusConflict {
			t.Errorf("an answer to a closed meeting: %d, want 409", res.StatusCode)
		}
		mustContain(t, "closed answer", body, "This meeting can no longer be answered: nothing was sent.")
	}
	for _, m := range x.teamOf(t) {
		if m.Role == iep.TeamGuest {
			t.Errorf("a guest was added to a closed meeting: %+v", m)
		}
	}
	x.propose(t) // holds a meeting
	for _, m := range x.meetings(t) {
		if m.Status == iep.MeetingHeld && m.PlanID == x.draft {
			_, body := x.getAs(t, asGuardian, x.familyMeetingURL(m.ID)+"?lang=en")
			mustContain(t, "held", body, "This meeting took place. You can no longer answer it here.")
		}
	}
}

// answer is Rosa's answer: in part, rejecting the speech therapy line with a comment, signed.
func (x *respondWorld) answer(sha string) url.Values {
	return url.Values{"version_sha256": {sha}, "decision": {"accept_in_part"}, "rejected_services": {"s2"},
		"comment_s2": {"Speech therapy in her English class, please."}, "signature_name": {"Rosa Ortiz"}, "signature_attest": {"on"}}
}

// responses are the answers recorded to Mia's draft.
func (x *respondWorld) responses(t *testing.T) []iep.Response {
	t.Helper()
	rs, err := x.db.ListResponses(context.Background(), x.district, x.draft)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// TestFamilyRespondShowsWhatIsSigned: the answer page shows exactly what is signed — the
// version's number, the day it was proposed, its fingerprint in full and in short — with every
// section, the prior written notice and the days left, then the form with its stable ids and an
// attestation that names the version.
func TestFamilyRespondShowsWhatIsSigned(t *testing.T) {
	x := newRespondWorld(t)
	sha := x.propose(t)
	res, body := x.getAs(t, asGuardian, x.respondURL()+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("respond page: %d", res.StatusCode)
	}
	mustContain(t, "what is signed", body, "Your answer to the proposed IEP", "Version 1 of the IEP, proposed on March 16, 2026",
		sha, "Its fingerprint: "+sha[:12], "You have until April 15, 2026 to answer (30 days left).", "count it as rejecting the IEP",
		"Mia's reading grew; she needs less time outside her class.", "Keeping last year's services", "Reading probes, January 2026.",
		familyConcerns, goalStatement, objective1, accommodation1, modification1, assessment1, justification, transportNote, esyRationale,
		transitionEdu, "Riverside High", "45 minutes × 3 per week", "30 minutes × 2 per 6-day cycle",
		`id="f-decision-accept"`, `id="f-decision-reject"`, `id="f-decision-accept_in_part"`,
		`id="f-reject-section-goals"`, `id="f-comment_goals"`, `id="f-reject-line-s2"`, `id="f-comment_s2"`, `id="f-reject-line-e1"`,
		`id="f-signature_name"`, `id="f-signature_attest"`, `id="f-submit"`, `name="version_sha256" value="`+sha+`"`,
		"I have read version 1 of Mia Ortiz's IEP, proposed on March 16, 2026, and I sign my answer electronically.",
		"Tick each part you do not accept and say why: a comment is required for each.", familyURL(x.district, x.mia, "rights"))
	if strings.Contains(body, "<table") {
		t.Error("the family's answer page has a table (phone first: cards)")
	}
	_, body = x.getAs(t, asGuardian, x.respondURL()+"?lang=es")
	mustContain(t, "in Spanish", body, "Su respuesta al IEP propuesto", "Versión 1 del IEP, propuesta el 16 de marzo de 2026",
		"Tiene hasta el 15 de abril de 2026 para responder (quedan 30 días).", "Acepto una parte",
		"He leído la versión 1 del IEP de Mia Ortiz, propuesta el 16 de marzo de 2026", "Firmar y enviar mi respuesta")
	_, body = x.getAs(t, asGuardian, x.respondURL("print")+"?lang=es")
	mustContain(t, "the print view in Spanish", body, "IEP de Mia Ortiz, versión 1", "Todavía sin firmar.",
		"La versión oficial de este IEP es la escrita en este idioma: Inglés.")
	// Rosa's home shows the answer to give, and links here.
	_, body = x.getAs(t, asGuardian, familyURL(x.district, x.mia)+"?lang=en")
	mustContain(t, "the home's task", body, x.respondURL())
}

// TestFamilyRespondRefusals: each refused answer comes back with everything typed and each
// problem at its field — a rejected part without a comment, no answer chosen, no part ticked, no
// name, no attestation — and a version proposed meanwhile is said plainly; nothing is recorded.
func TestFamilyRespondRefusals(t *testing.T) {
	x := newRespondWorld(t)
	sha := x.propose(t)
	for _, c := range []struct {
		name   string
		change func(url.Values)
		want   []string
	}{
		{"a rejected line without its comment", func(v url.Values) { v.Set("comment_s2", " ") },
			[]string{"Write why you do not accept “Speech and language therapy (30 minutes × 2 per 6-day cycle)”.", `href="#f-comment_s2"`,
				`id="f-comment_s2-error"`, `id="f-reject-line-s2" name="rejected_services" value="s2" checked`, `value="Rosa Ortiz"`,
				`id="f-signature_attest" name="signature_attest" value="on" checked`, `value="accept_in_part" checked`}},
		{"a rejected section without its comment", func(v url.Values) { v.Add("rejected_sections", "placement") },
			[]string{"Write why you do not accept “Placement”.", `href="#f-comment_placement"`, "Speech therapy in her English class, please."}},
		{"no answer chosen", func(v url.Values) { v.Del("decision") },
			[]string{"Choose your answer: accept all of it, accept part of it, or reject it.", `href="#f-decision"`}},
		{"no part ticked", func(v url.Values) { v.Del("rejected_services") },
			[]string{"Tick at least one part you do not accept, or choose another answer.", `href="#f-parts"`}},
		{"no name, no attestation", func(v url.Values) { v.Del("signature_name"); v.Del("signature_attest") },
			[]string{"Type your full name to sign.", `href="#f-signature_name"`, "Tick the box to say you read version 1 and sign.",
				`href="#f-signature_attest"`, `id="f-signature_name-error"`}},
		{"a version proposed meanwhile", func(v url.Values) { v.Set("version_sha256", strings.Repeat("0", 64)) },
			[]string{"The school sent a new version of the IEP since you opened this page, so your answer was not sent.",
				`name="version_sha256" value="` + sha + `"`, "Speech therapy in her English class, please."}},
	} {
		f := x.answer(sha)
		c.change(f)
		res, body := x.submitAs(t, asGuardian, x.respondURL()+"?lang=en", f)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", c.name, res.StatusCode)
		}
		mustContain(t, c.name, body, c.want...)
		if c.name == "a version proposed meanwhile" && strings.Contains(body, `name="signature_attest" value="on" checked`) {
			t.Error("the attestation of another version stays ticked")
		}
	}
	if rs := x.responses(t); len(rs) != 0 {
		t.Fatalf("refused answers were recorded: %+v", rs)
	}
}

// TestFamilyRespondInPart: Rosa accepts in part, rejecting the speech therapy line with her
// comment, and signs. The confirmation says what she decided and when she signed, what takes
// effect (the reading services of the new plan, the speech therapy of the plan before it), what
// does not and what holds instead, the day the services must start, what happens next; the
// print view carries the signature; a receipt goes to her mailbox in her language. Answering
// again replaces her answer.
func TestFamilyRespondInPart(t *testing.T) {
	x := newRespondWorld(t)
	x.seedSchoolYear()
	sha := x.propose(t)
	res, body := x.submitAs(t, asGuardian, x.respondURL(), x.answer(sha))
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the answer: %d %s", res.StatusCode, errorsOf(body))
	}
	if loc := res.Header.Get("Location"); loc != x.respondURL()+"?done=answered#confirmation" {
		t.Errorf("answered, sent to %q", loc)
	}
	rs := x.responses(t)
	if len(rs) != 1 {
		t.Fatalf("responses: %+v", rs)
	}
	r := rs[0]
	if r.Decision != iep.AcceptInPart || len(r.RejectedServices) != 1 || r.RejectedServices[0] != "s2" || r.GuardianID != x.rosa ||
		r.Comments["s2"] != "Speech therapy in her English class, please." || r.VersionSHA256 != sha || r.Signature == nil ||
		r.Signature.Method != "electronic" || r.Signature.TypedName != "Rosa Ortiz" || r.Signature.FromAddress != "192.0.2.1" ||
		!strings.Contains(r.Signature.Attestation, sha) {
		t.Errorf("the response recorded: %+v %+v", r, r.Signature)
	}
	if p, _ := x.db.GetPlan(context.Background(), x.district, x.draft); p.Status != iep.StatusAcceptedInPart {
		t.Errorf("the plan is %s", p.Status)
	}
	_, body = x.followIn(t, asGuardian, res, "en")
	mustContain(t, "the confirmation", body, "Thank you. We recorded your answer and e-mailed you a receipt.", "Your answer is recorded",
		"What you decided: You accepted part of the IEP", "March 16, 2026 at 10:00 AM, as “Rosa Ortiz” (electronic signature)",
		"Version 1 of the IEP, proposed on March 16, 2026", "The parts that were accepted are in effect:", "Annual goals",
		"Services (only the services you accepted)", "Services the school must give", "Reading intervention",
		"Speech and language therapy", "From the previous IEP, in place of the new one", "In the summer (extended school year)",
		"What does not take effect", "Speech therapy in her English class, please.",
		"Instead, the previous IEP's service stays: Speech and language therapy (30 minutes × 2 per 6-day cycle).",
		"When the services must start", "The school must start the services by March 30, 2026.",
		"You did not accept everything.", familyURL(x.district, x.mia, "rights"), "Print or save a copy", `id="change-answer"`,
		"Questions? Contact Dana Reyes")
	if strings.Contains(body, `id="f-submit"`) {
		t.Error("the confirmation shows the answer form")
	}
	_, body = x.getAs(t, asGuardian, x.respondURL("print")+"?lang=en")
	mustContain(t, "the print view", body, "print-view", "Mia Ortiz's IEP, version 1", sha, "Rosa Ortiz", "Electronically, in the family portal",
		"192.0.2.1", "Speech therapy in her English class, please.", goalStatement, "Use your browser's print command")
	// Answering again: the form comes back on asking, and the new answer replaces hers.
	_, body = x.getAs(t, asGuardian, x.respondURL()+"?change=1&lang=en")
	mustContain(t, "a new answer", body, "You are giving a new answer. It will replace the one you gave on March 16, 2026.", `id="f-submit"`)
	f := x.answer(sha)
	f.Set("decision", "accept")
	res, body = x.submitAs(t, asGuardian, x.respondURL(), f)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the new answer: %d %s", res.StatusCode, errorsOf(body))
	}
	_, body = x.followIn(t, asGuardian, res, "en")
	mustContain(t, "accepted in full", body, "You accepted the whole IEP", "The whole IEP is in effect.",
		"The school must now do what the IEP says.", familyURL(x.district, x.mia, "progress"))
	if strings.Contains(body, "From the previous IEP") || strings.Contains(body, "What does not take effect") {
		t.Error("after accepting in full, a part is still shown as not in effect")
	}
	if p, _ := x.db.GetPlan(context.Background(), x.district, x.draft); p.Status != iep.StatusAccepted {
		t.Errorf("after the new answer the plan is %s", p.Status)
	}
}

// TestFamilyRespondRejectInitial: rejecting in full leaves the plan before it in force; the page
// says nothing of the new plan takes effect and what happens next.
func TestFamilyRespondReject(t *testing.T) {
	x := newRespondWorld(t)
	sha := x.propose(t)
	f := x.answer(sha)
	f.Set("decision", "reject")
	res, body := x.submitAs(t, asGuardian, x.respondURL(), f)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the answer: %d %s", res.StatusCode, errorsOf(body))
	}
	if rs := x.responses(t); len(rs) != 1 || len(rs[0].RejectedServices) != 0 || rs[0].Decision != iep.RejectInFull {
		t.Errorf("a rejection in full keeps the parts ticked: %+v", rs)
	}
	_, body = x.followIn(t, asGuardian, res, "en")
	mustContain(t, "rejected", body, "You rejected the whole IEP", "Nothing in this IEP takes effect.",
		"Your child's previous IEP stays in effect.", "The team may ask to meet with you again")
	if strings.Contains(body, "When the services must start") {
		t.Error("a rejected plan shows a day to start services")
	}
}

// TestFamilyRespondReceipt: the answer's receipt is an e-mail in Rosa's language, delivered by
// the real mail worker to an SMTP server in the test: what she decided, when she signed, the
// version and its fingerprint, the parts she did not accept (named, never her comments), the
// day the services must start and the link to her answer; the child is not named.
func TestFamilyRespondReceipt(t *testing.T) {
	x := respondWorldOf(t, newWorldWith(t, 0, func() time.Time { return testNow }, app.WithPublicURL("https://iep.example.org")))
	x.seedSchoolYear()
	sha := x.propose(t)
	x.getAs(t, asGuardian, x.respondURL()+"?lang=es") // her pages and mail in Spanish
	if res, body := x.submitAs(t, asGuardian, x.respondURL(), x.answer(sha)); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("the answer: %d %s", res.StatusCode, errorsOf(body))
	}
	mbox := smtptest.New(t, smtptest.Options{})
	sender, err := mail.NewSMTP(mail.Config{Addr: mbox.Addr(), TLS: mail.TLSNone, From: "openiep <no-reply@riverton.example>"})
	if err != nil {
		t.Fatal(err)
	}
	if _, failed, err := (&mail.Worker{DB: x.db, Sender: sender}).RunOnce(context.Background()); err != nil || failed > 0 {
		t.Fatalf("mail worker: %d failed, %v", failed, err)
	}
	var receipts []smtptest.Received
	for _, m := range mbox.Messages() {
		if strings.HasPrefix(m.Subject(), "Comprobante") {
			receipts = append(receipts, m)
		}
	}
	if len(receipts) != 1 || len(receipts[0].To) != 1 || receipts[0].To[0] != "rosa@example.org" {
		t.Fatalf("receipts: %+v", receipts)
	}
	if subject := receipts[0].Subject(); subject != "Comprobante: su respuesta al IEP propuesto (Usted aceptó una parte del IEP)" {
		t.Errorf("subject %q", subject)
	}
	text, err := receipts[0].Text()
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, "the receipt", text, "Hola, Rosa Ortiz:", "Riverton Public Schools recibió su respuesta al IEP propuesto.",
		"Su respuesta: Usted aceptó una parte del IEP.", "Firmado: 16 de marzo de 2026 a las 10:00 (EDT), por Rosa Ortiz.",
		"la versión 1 del IEP", sha, "Las partes que no aceptó:", "- Terapia del habla y del lenguaje (30 minutos × 2 por ciclo de 6 días)",
		"La escuela debe empezar los servicios a más tardar el 30 de marzo de 2026.",
		"https://iep.example.org"+x.respondURL(), "Si usted no dio esta respuesta")
	for _, secret := range []string{"Mia", "Amelia", "Speech therapy in her English class"} {
		if strings.Contains(text, secret) {
			t.Errorf("the receipt carries %q:\n%s", secret, text)
		}
	}
}

// TestFamilyRespondReadOnly: once Mia is an adult the rights are hers; Rosa, with whom Mia shares
// her record, reads the proposal and the meeting without a form and is told why, and an answer
// she sends anyway is refused.
func TestFamilyRespondReadOnly(t *testing.T) {
	x := newRespondWorld(t)
	meeting := x.schedule(t, "2026-03-30", "15:00", nil)
	sha := x.propose(t)
	ctx := context.Background()
	err := x.db.Write(ctx, func(tx *store.Tx) error {
		st, err := tx.GetStudent(ctx, x.district, x.mia)
		if err != nil {
			return err
		}
		st.BirthDate = date.MustParse("2007-09-02")
		if err := tx.UpdateStudent(ctx, st); err != nil {
			return err
		}
		return tx.ShareWithGuardian(ctx, x.district, x.mia, x.rosa)
	})
	if err != nil {
		t.Fatal(err)
	}
	res, body := x.getAs(t, asGuardian, x.respondURL()+"?lang=en")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the shared proposal: %d", res.StatusCode)
	}
	mustContain(t, "read only", body, "The proposed IEP", "Your child is now an adult and answers the IEP.", sha, goalStatement)
	if strings.Contains(body, `id="f-submit"`) {
		t.Error("a parent without the rights is offered the answer form")
	}
	if res, _ := x.submitAs(t, asGuardian, x.respondURL(), x.answer(sha)); res.StatusCode != http.StatusForbidden {
		t.Errorf("an answer from a parent without the rights: %d, want 403", res.StatusCode)
	}
	if rs := x.responses(t); len(rs) != 0 {
		t.Errorf("recorded: %+v", rs)
	}
	_, body = x.getAs(t, asGuardian, x.familyMeetingURL(meeting)+"?lang=en")
	mustContain(t, "meeting read only", body, "Your child is now an adult and answers meeting invitations.")
	if strings.Contains(body, `name="form"`) {
		t.Error("a parent without the rights is offered the meeting's forms")
	}
}

// TestFamilyRespondReopened: a proposal the team took back to revise takes no answer: the page
// says so, and an answer sent from an old page is refused in words (409).
func TestFamilyRespondReopened(t *testing.T) {
	x := newRespondWorld(t)
	sha := x.propose(t)
	if res, _ := x.submitAs(t, asTeamMember, planURL(x.district, x.draft, "proposal", "reopen"), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reopen: %d", res.StatusCode)
	}
	_, body := x.getAs(t, asGuardian, x.respondURL()+"?lang=en")
	mustContain(t, "reopened", body, "The team took this IEP back to revise it.")
	if strings.Contains(body, `id="f-submit"`) {
		t.Error("a plan being revised offers the answer form")
	}
	res, body := x.submitAs(t, asGuardian, x.respondURL()+"?lang=en", x.answer(sha))
	if res.StatusCode != http.StatusConflict {
		t.Errorf("an answer to a plan being revised: %d, want 409", res.StatusCode)
	}
	mustContain(t, "refused", body, "This IEP cannot be answered now, so nothing was sent.")
	// A plan never proposed has nothing to answer: not found.
	if res, _ := x.getAs(t, asGuardian, familyURL(x.district, x.noah, "plans", x.plan, "respond")); res.StatusCode != http.StatusNotFound {
		t.Errorf("Noah's draft under Noah's address: %d, want 404", res.StatusCode)
	}
}
