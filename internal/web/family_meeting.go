package web

// A meeting in the family portal (34 CFR 300.322): when (with the day of the week, in the
// district's time), where or the video link, how long, what it is for, who is invited, the
// interpreter, the notice; the family's answer, an interpreter request and the guests they bring,
// each its own small form posting to the meeting's page, which comes back with a plain
// confirmation. A meeting held, cancelled or begun is read-only and says why.

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
)

func init() {
	pageFiles["family_meeting"] = []string{"family_meeting.html", "family_nav.html", "family_respond_parts.html"}
}

// familyMeetingPage is a meeting's page in the family portal.
type familyMeetingPage struct {
	Base
	Nav       familyNav
	V         *app.FamilyMeetingView
	Form      form
	Refused   string // the form shown again with its problems: "reply", "interpreter", "guest"
	Notice    string // the confirmation of a form that did its work
	Conflict  string // a step refused by the state of the meeting, in words
	Languages []string
}

func (s *server) newFamilyMeetingPage(w http.ResponseWriter, r *http.Request, v *app.FamilyMeetingView) *familyMeetingPage {
	p := &familyMeetingPage{Base: s.base(w, r), V: v, Nav: s.familyNav(r, &v.District, &v.Student, ""), Form: newForm(nil)}
	p.Loc = v.Location
	p.Title = p.T("fam.meeting.title", v.Student.DisplayName(), p.Date(v.Day))
	p.Notice = p.done(r, "fam.meeting")
	for _, l := range guardianLanguages {
		if l != "en" {
			p.Languages = append(p.Languages, l)
		}
	}
	return p
}

// familyMeeting serves GET …/family/{student}/meetings/{meeting}.
func (s *server) familyMeeting(w http.ResponseWriter, r *http.Request) error {
	v, err := s.svc.FamilyMeeting(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"), r.PathValue("meeting"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "family_meeting", s.newFamilyMeetingPage(w, r, v))
}

// answerFamilyMeeting serves POST …/family/{student}/meetings/{meeting}: the form named by the
// field "form" — the reply ("reply": accepted, other_time_proposed with the times that work,
// declined), an interpreter ("interpreter": a language of the list or typed), a guest ("guest":
// name and who they are). Done, it goes back to the meeting's page with a confirmation; refused,
// the page comes back with what was typed and each problem at its field.
func (s *server) answerFamilyMeeting(w http.ResponseWriter, r *http.Request) error {
	_ = r.ParseForm()
	district, student, meeting := r.PathValue("district"), r.PathValue("student"), r.PathValue("meeting")
	v := r.PostFormValue
	var err error
	done := ""
	switch which := v("form"); which {
	case "interpreter":
		lang := strings.TrimSpace(v("interpreter_other"))
		if lang == "" {
			lang = v("interpreter_language")
		}
		_, err = s.svc.RequestInterpreter(r.Context(), actor(r), district, student, meeting, lang)
		done = "interpreter"
	case "guest":
		_, err = s.svc.AnnounceGuest(r.Context(), actor(r), district, student, meeting, app.GuestInput{Name: v("guest_name"), Role: v("guest_title")})
		done = "guest"
	default: // "reply", and a form that names none: the reply refuses what is not one
		reply := iep.FamilyReply(v("reply"))
		_, err = s.svc.FamilyReplyToMeeting(r.Context(), actor(r), district, student, meeting, reply, v("proposed_time"))
		done = "reply_" + string(reply)
	}
	if err == nil {
		return seeOther(w, r, familyURL(district, student, "meetings", meeting), done)
	}
	kind := iep.KindOf(err)
	if kind != iep.KindInvalid && kind != iep.KindConflict {
		return err
	}
	fv, ferr := s.svc.FamilyMeeting(r.Context(), actor(r), district, student, meeting)
	if ferr != nil {
		return ferr
	}
	p := s.newFamilyMeetingPage(w, r, fv)
	p.Notice, p.Form, p.Refused = "", newForm(r.PostForm), v("form")
	if !p.Form.refuseWith(err, p.problem) && kind == iep.KindInvalid {
		return err
	}
	if kind == iep.KindConflict {
		p.Conflict = p.T("fam.meeting.problem.closed")
		if fv.Closed == app.MeetingOpen {
			p.Conflict = p.T("fam.meeting.problem.team_closed")
		}
	}
	return s.render(w, statusFor(err), "family_meeting", p)
}

// problem says a refused field in the family's words.
func (p *familyMeetingPage) problem(pr iep.Problem) string {
	switch {
	case pr.Code == iep.CodeRange:
		return p.T("fam.meeting.problem.too_long", pr.Detail)
	case pr.Field == "guest_name" && pr.Code == iep.CodeDuplicate:
		return p.T("fam.meeting.problem.guest_duplicate")
	case pr.Field == "reply" || pr.Field == "proposed_time" || pr.Field == "interpreter_language" ||
		pr.Field == "guest_name" || pr.Field == "guest_title":
		return p.T("fam.meeting.problem." + pr.Field)
	}
	return problemMessage(p.Lang, pr)
}

// WhenText is the meeting's start with the day of the week, in the district's time.
func (p *familyMeetingPage) WhenText() string {
	t := p.V.Meeting.StartsAt.In(p.Loc)
	return p.T("fam.meeting.when", p.T(fmt.Sprintf("fam.meeting.weekday.%d", int(t.Weekday()))), p.When(t))
}

// Zone names the district's time zone as a clock shows it ("EDT").
func (p *familyMeetingPage) Zone() string { return p.V.Meeting.StartsAt.In(p.Loc).Format("MST") }

// ICSURL is where the family downloads the meeting's invitation.
func (p *familyMeetingPage) ICSURL() string {
	return familyURL(p.V.District.ID, p.V.Student.ID, "meetings", p.V.Meeting.ID, "invitation.ics")
}

// Reply is the family's answer now, in words ("" before any).
func (p *familyMeetingPage) Reply() string {
	if p.V.Meeting.FamilyReply == iep.ReplyNone {
		return ""
	}
	return p.T("fam.meeting.reply." + string(p.V.Meeting.FamilyReply))
}

// Replies are the answers the family may give, in order.
func (p *familyMeetingPage) Replies() []string {
	return []string{string(iep.ReplyAccepted), string(iep.ReplyOtherTimeProposed), string(iep.ReplyDeclined)}
}

// ReplyChecked reports whether reply is the one to show chosen: the one posted after a refusal,
// else the family's answer now.
func (p *familyMeetingPage) ReplyChecked(reply string) bool {
	if p.Refused == "reply" {
		return p.Form.Has("reply", reply)
	}
	return string(p.V.Meeting.FamilyReply) == reply
}

// Open reports whether the family may answer the meeting now.
func (p *familyMeetingPage) Open() bool { return p.V.MayAnswer && p.V.Closed == app.MeetingOpen }

// ClosedText says why the meeting can no longer be answered ("" while it can).
func (p *familyMeetingPage) ClosedText() string {
	if p.V.Closed == app.MeetingOpen {
		return ""
	}
	return p.T("fam.meeting.closed." + string(p.V.Closed))
}

// ReadOnlyText says why the reader may only read ("" when they may answer).
func (p *familyMeetingPage) ReadOnlyText() string {
	if p.V.MayAnswer {
		return ""
	}
	return familyReadOnly(p.Base, "fam.meeting.readonly.", string(p.V.Reason))
}

// familyReadOnly is why a family page is read-only, in words: the policy's reason's own sentence
// (prefix + reason), else the page's default.
func familyReadOnly(b Base, prefix, reason string) string {
	if reason != "" && i18n.Has(prefix+reason) {
		return b.T(prefix + reason)
	}
	return b.T(prefix + "default")
}

// LanguageChosen is the interpreter language the list shows chosen: the one posted after a
// refusal, else the language asked for now, else the reader's own (when not English).
func (p *familyMeetingPage) LanguageChosen() string {
	if p.Refused == "interpreter" {
		return p.Form.V("interpreter_language")
	}
	if l := p.V.Meeting.InterpreterLanguage; l != "" {
		return l
	}
	if p.V.Language != "en" {
		return p.V.Language
	}
	return ""
}

// OtherLanguage is a language the family typed that is not in the list ("" when none).
func (p *familyMeetingPage) OtherLanguage() string {
	if p.Refused == "interpreter" {
		return p.Form.V("interpreter_other")
	}
	if l := p.V.Meeting.InterpreterLanguage; l != "" && !slices.Contains(p.Languages, l) {
		return l
	}
	return ""
}

// Guest is what was typed into a guest field, kept only when the guest form was refused.
func (p *familyMeetingPage) Guest(field string) string {
	if p.Refused == "guest" {
		return p.Form.V(field)
	}
	return ""
}

// ProposedTime is the times typed into the reply form, kept when it was refused.
func (p *familyMeetingPage) ProposedTime() string {
	if p.Refused == "reply" {
		return p.Form.V("proposed_time")
	}
	return ""
}

// MemberRole says who a team member is, in the family's words: "you", a guest the family
// brings (with who they are) or the school invited, or the role on the team.
func (p *familyMeetingPage) MemberRole(m app.TeamMember) string {
	switch {
	case m.GuardianID != "" && m.GuardianID == p.V.ReaderID, m.StudentID != "" && m.StudentID == p.V.ReaderID:
		return p.T("fam.meeting.team_you")
	case m.Role == iep.TeamGuest && m.InvitedBy == iep.InvitedByFamily:
		return frJoin(", ", m.GuestTitle, p.T("fam.meeting.team_guest_family"))
	case m.Role == iep.TeamGuest:
		return frJoin(", ", m.GuestTitle, p.T("fam.meeting.team_guest_school"))
	}
	roles := []string{p.E("team_role", m.Role)}
	for _, r := range m.Also {
		roles = append(roles, p.E("team_role", r))
	}
	return strings.Join(roles, p.T("common.list_separator"))
}

func frJoin(sep string, parts ...string) string {
	var out []string
	for _, s := range parts {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, sep)
}

// familyInvitation serves GET …/family/{student}/meetings/{meeting}/invitation.ics.
func (s *server) familyInvitation(w http.ResponseWriter, r *http.Request) error {
	b, err := s.svc.FamilyMeetingInvitation(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"), r.PathValue("meeting"))
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="meeting.ics"`)
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
	return nil
}
