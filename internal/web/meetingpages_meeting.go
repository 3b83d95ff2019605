package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// Meetings (34 CFR 300.322): scheduling one with its notice, the meeting's page with the
// family's reply and the attempts to reach them, and recording the meeting held.

// attendanceModes are the ways a member may attend.
var attendanceModes = []string{"in_person", "phone", "video"}

// meetingNewPage is the screen that schedules a meeting.
type meetingNewPage struct {
	deskPage
	Purposes  []iep.MeetingPurpose
	Languages []string
}

// newMeetingForm is the schedule form's first values: the purposes the plan's kind implies, an
// hour, the earliest day the notice allows, an interpreter in the family's language.
func newMeetingForm(d *app.PlanDesk) form {
	v := url.Values{"duration_minutes": {"60"}}
	switch d.Plan.Kind {
	case iep.PlanInitial:
		v.Add("purposes", string(iep.PurposeInitialIEP))
	case iep.PlanAnnual:
		v.Add("purposes", string(iep.PurposeAnnualReview))
	case iep.PlanAmendment:
		v.Add("purposes", string(iep.PurposeAmendment))
	case iep.PlanReeval:
		v.Add("purposes", string(iep.PurposeReevaluation))
	}
	if d.Readiness.StudentRequired {
		v.Add("purposes", string(iep.PurposeTransition))
	}
	if !d.Rules.EarliestMeeting.IsZero() {
		v.Set("date", d.Rules.EarliestMeeting.String())
	} else {
		v.Set("date", d.Today.String())
	}
	if d.FamilyLanguage != "en" {
		v.Set("interpreter_language", d.FamilyLanguage)
	}
	return newForm(v)
}

func (s *server) newMeetingPageFor(w http.ResponseWriter, r *http.Request, d *app.PlanDesk) *meetingNewPage {
	p := &meetingNewPage{deskPage: s.newDeskPage(w, r, d, "schedule"), Purposes: iep.MeetingPurposes, Languages: guardianLanguages}
	p.Title = p.T("mp.schedule.title", p.StudentName())
	p.Form = newMeetingForm(d)
	return p
}

func (s *server) newMeetingPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.PlanDesk(r.Context(), actor(r), r.PathValue("district"), r.PathValue("plan"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "mp_meeting_new", s.newMeetingPageFor(w, r, d))
}

// NoticeLead says the pack's lead time in words.
func (p *meetingNewPage) NoticeLead() string {
	if p.D.Rules.NoticeDays == 0 {
		return p.T("mp.schedule.no_lead", p.D.Rules.Pack)
	}
	return p.T("mp.schedule.lead", p.D.Rules.Pack, p.Days(p.D.Rules.NoticeDays), p.E("mp.unit", p.D.Rules.NoticeUnit), p.Date(p.D.Rules.EarliestMeeting))
}

// scheduleMeeting serves POST …/meetings.
func (s *server) scheduleMeeting(w http.ResponseWriter, r *http.Request) error {
	if err := staffScreen(r); err != nil {
		return err
	}
	_ = r.ParseForm()
	b := s.base(w, r)
	l := local{}
	in := app.MeetingInput{Location: r.PostFormValue("location"), VideoLink: r.PostFormValue("video_link"),
		InterpreterLanguage: r.PostFormValue("interpreter_language"), ShorterNoticeAgreed: r.PostFormValue("shorter_notice_agreed") == "on"}
	for _, x := range r.PostForm["purposes"] {
		in.Purposes = append(in.Purposes, iep.MeetingPurpose(x))
	}
	loc, err := s.districtZone(r)
	if err != nil {
		return err
	}
	if t, ok := parseWhen(r.PostFormValue("date"), r.PostFormValue("time"), loc); ok {
		in.StartsAt = t
	} else { // the use case is given no time, which it refuses
		l["starts_at"] = b.T("mp.problem.when")
	}
	if v := strings.TrimSpace(r.PostFormValue("duration_minutes")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			n, l["duration_minutes"] = -1, b.T("mp.problem.whole_number", mpLabel(b, "duration_minutes"))
		}
		in.DurationMinutes = n
	}
	district, plan := r.PathValue("district"), r.PathValue("plan")
	mv, err := s.svc.ScheduleMeeting(r.Context(), actor(r), district, plan, in)
	if err == nil {
		return seeOther(w, r, meetingURL(district, mv.Meeting.ID), "scheduled")
	}
	kind := iep.KindOf(err)
	if kind != iep.KindInvalid && kind != iep.KindConflict {
		return err
	}
	d, derr := s.svc.PlanDesk(r.Context(), actor(r), district, plan)
	if derr != nil {
		return derr
	}
	p := s.newMeetingPageFor(w, r, d)
	p.Notice, p.Form = "", newForm(r.PostForm)
	// A time refused as such is in the past, or too soon for the notice the family must have.
	rename := func(pr iep.Problem) iep.Problem {
		if pr.Field == "starts_at" && pr.Code == iep.CodeInvalid {
			if date.Of(in.StartsAt.In(d.Location)).Before(d.Today) {
				pr.Code = "past"
			} else {
				l["starts_at"] = p.T("mp.problem.notice", p.Days(d.Rules.NoticeDays), p.Date(d.Rules.EarliestMeeting))
			}
		}
		return pr
	}
	if !refuseDesk(&p.Form, p.Base, err, rename) && kind == iep.KindInvalid {
		return err
	}
	if kind == iep.KindConflict {
		p.Conflict = conflictText(p.Base, err, p.Blocked("schedule_meeting"))
	}
	l.apply(&p.Form)
	return s.render(w, statusFor(err), "mp_meeting_new", p)
}

// meetingPage is a meeting's screen.
type meetingPage struct {
	deskPage
	M       *app.MeetingDesk
	Modes   []string
	Methods []iep.ContactKind
}

func (s *server) newMeetingPageOf(w http.ResponseWriter, r *http.Request, m *app.MeetingDesk) *meetingPage {
	p := &meetingPage{deskPage: s.newDeskPage(w, r, m.PlanDesk, "meeting"), M: m, Modes: attendanceModes, Methods: iep.ContactKinds}
	p.Title = p.T("mp.meeting.title", p.Date(m.Day), p.StudentName())
	return p
}

func (s *server) meetingPage(w http.ResponseWriter, r *http.Request) error {
	m, err := s.svc.MeetingDesk(r.Context(), actor(r), r.PathValue("district"), r.PathValue("meeting"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "mp_meeting", s.newMeetingPageOf(w, r, m))
}

// HoldBlocked says why the meeting cannot be recorded as held now ("" when it can).
func (p *meetingPage) HoldBlocked() string {
	m := p.M.Meeting
	switch {
	case m.Status == iep.MeetingHeld:
		return p.T("mp.hold.already")
	case m.Status != iep.MeetingScheduled:
		return p.T("mp.hold.status", p.E("meeting_status", m.Status))
	}
	if b := p.Blocked("hold_meeting"); b != "" {
		return b
	}
	if p.M.Day.After(p.D.Today) {
		return p.T("mp.hold.before_day", p.Date(p.M.Day))
	}
	return ""
}

// Ready reports whether the readiness check finds nothing missing (the parent's presence
// aside, which only the attendance says).
func (p *meetingPage) Ready() bool {
	r := p.D.Readiness
	return len(r.MissingRoles) == 0 && !r.DraftLate
}

// Present reports whether the attendance form says member id was there.
func (p *meetingPage) Present(id string) bool { return p.Form.Has("present", id) }

// Reply says the family's reply to the notice in words.
func (p *meetingPage) Reply() string {
	if p.M.Meeting.FamilyReply == "" {
		return p.T("mp.reply.none")
	}
	return p.E("mp.reply", p.M.Meeting.FamilyReply)
}

// ICSURL is the meeting's iCalendar invitation.
func (p *meetingPage) ICSURL() string {
	return "/api/v1/meetings/" + url.PathEscape(p.M.Meeting.ID) + "/invitation.ics"
}

// recordContactAttempt serves POST …/contact-attempts.
func (s *server) recordContactAttempt(w http.ResponseWriter, r *http.Request) error {
	if err := staffScreen(r); err != nil {
		return err
	}
	_ = r.ParseForm()
	b := s.base(w, r)
	l := local{}
	in := app.ContactAttemptInput{Method: iep.ContactKind(r.PostFormValue("method")), Outcome: r.PostFormValue("outcome")}
	loc, err := s.districtZone(r)
	if err != nil {
		return err
	}
	if t, ok := parseWhen(r.PostFormValue("at_date"), r.PostFormValue("at_time"), loc); ok {
		in.At = t
	} else { // a time the use case refuses (in the future), so that nothing is stored
		in.At, l["at"] = time.Now().AddDate(100, 0, 0), b.T("mp.problem.when")
	}
	district, meeting := r.PathValue("district"), r.PathValue("meeting")
	if _, err := s.svc.RecordContactAttempt(r.Context(), actor(r), district, meeting, in); err != nil {
		rename := func(pr iep.Problem) iep.Problem {
			if strings.HasPrefix(pr.Field, "contact_attempts[") && strings.HasSuffix(pr.Field, ".method") {
				pr.Field = "method"
			}
			return pr
		}
		return s.meetingRefused(w, r, err, rename, l, false, nil)
	}
	return seeOther(w, r, meetingURL(district, meeting), "attempt_recorded")
}

// holdMeeting serves POST …/held: who attended and how, the notes, whether it finalized the
// plan. A meeting refused for its readiness is shown again with every problem at its place.
func (s *server) holdMeeting(w http.ResponseWriter, r *http.Request) error {
	if err := staffScreen(r); err != nil {
		return err
	}
	_ = r.ParseForm()
	b := s.base(w, r)
	l := local{}
	in := app.HoldInput{Notes: r.PostFormValue("notes"), Finalizes: r.PostFormValue("finalizes") == "on"}
	for _, id := range r.PostForm["member"] {
		mode := r.PostFormValue("mode." + id)
		if mode != "" && !slices.Contains(attendanceModes, mode) {
			l["mode."+id] = b.T("problem.choice", mpLabel(b, "mode"), b.Es("mp.mode", attendanceModes))
		}
		in.Attendance = append(in.Attendance, iep.Attendance{MemberID: id, Present: slices.Contains(r.PostForm["present"], id),
			Mode: mode, Signed: slices.Contains(r.PostForm["signed"], id)})
	}
	if len(l) > 0 { // someone who is not on the team, which the use case refuses
		in.Attendance = append(in.Attendance, iep.Attendance{})
	}
	district, meeting := r.PathValue("district"), r.PathValue("meeting")
	held, err := s.svc.HoldMeeting(r.Context(), actor(r), district, meeting, in)
	if err != nil {
		rename := func(pr iep.Problem) iep.Problem {
			if strings.HasPrefix(pr.Field, "attendance[") {
				pr.Field = "attendance"
			}
			return pr
		}
		var ready *app.Readiness
		if iep.KindOf(err) == iep.KindConflict {
			if ready, _ = s.svc.HoldReadiness(r.Context(), actor(r), district, meeting, in.Attendance); ready != nil && !blocksHold(ready) {
				ready = nil
			}
		}
		if len(l) > 0 {
			l["attendance"] = ""
		}
		return s.meetingRefused(w, r, err, rename, l, true, ready)
	}
	done := "held"
	if held.Meeting.Finalizes {
		done = "held_final"
	}
	return seeOther(w, r, meetingURL(district, meeting), done)
}

// blocksHold reports whether the readiness check refuses the meeting.
func blocksHold(r *app.Readiness) bool {
	return len(r.MissingRoles) > 0 || r.DraftLate || (!r.ParentPresent && r.ContactAttempts < app.MinContactAttempts)
}

// meetingRefused shows the meeting's screen again after a refused step: the form as typed with
// its problems, the readiness problems of a refused meeting each at its place, or the conflict
// in words (hold: the form refused was the meeting held).
func (s *server) meetingRefused(w http.ResponseWriter, r *http.Request, err error, rename func(iep.Problem) iep.Problem, l local, hold bool, ready *app.Readiness) error {
	kind := iep.KindOf(err)
	if kind != iep.KindInvalid && kind != iep.KindConflict {
		return err
	}
	m, merr := s.svc.MeetingDesk(r.Context(), actor(r), r.PathValue("district"), r.PathValue("meeting"))
	if merr != nil {
		return merr
	}
	p := s.newMeetingPageOf(w, r, m)
	p.Notice, p.Form = "", newForm(r.PostForm)
	if !refuseDesk(&p.Form, p.Base, err, rename) && kind == iep.KindInvalid {
		return err
	}
	switch {
	case kind == iep.KindConflict && hold && p.HoldBlocked() != "":
		p.Conflict = p.HoldBlocked() // not a step this meeting can take now, whoever attended
	case ready != nil:
		for _, role := range ready.MissingRoles {
			msg := p.T("mp.hold.missing_role", p.E("team_role", role))
			if role == iep.TeamStudent {
				msg = p.T("mp.hold.missing_student", m.Rules.TransitionAge)
			}
			p.Form.Errors = append(p.Form.Errors, fieldError{Field: "readiness." + string(role), ID: "f-readiness", Message: msg})
		}
		if ready.DraftLate {
			p.Form.Errors = append(p.Form.Errors, fieldError{Field: "readiness.draft", ID: "f-readiness",
				Message: p.T("mp.hold.draft_late", p.Days(ready.DraftDays))})
		}
		if !ready.ParentPresent && ready.ContactAttempts < app.MinContactAttempts {
			p.Form.addError("attendance", p.T("mp.hold.parent_absent", ready.ContactAttempts, app.MinContactAttempts))
		}
	case kind == iep.KindConflict:
		p.Conflict = conflictText(p.Base, err, "")
	}
	for field, msg := range l {
		if msg == "" {
			p.Form.dropError(field)
			delete(l, field)
		}
	}
	l.apply(&p.Form)
	return s.render(w, statusFor(err), "mp_meeting", p)
}

// ReadinessErrors are the readiness problems of a refused meeting.
func (p *meetingPage) ReadinessErrors() []string {
	var out []string
	for _, e := range p.Form.Errors {
		if strings.HasPrefix(e.Field, "readiness.") {
			out = append(out, e.Message)
		}
	}
	return out
}
