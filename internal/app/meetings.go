package app

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/ical"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// Meetings (34 CFR 300.322): scheduled with a notice early enough (the rule pack's lead time)
// that states the purpose, time, place or video link and who will attend, and offers an
// interpreter; the family answers; attempts to reach the family are recorded; the meeting is
// held only with the required members (or their written excusal) and with the parent or the
// record of the attempts to bring them. The meeting that finalizes a plan gives it its dates.

// MeetingInput schedules a meeting of a plan's team.
type MeetingInput struct {
	Purposes            []iep.MeetingPurpose `json:"purposes"`
	StartsAt            time.Time            `json:"starts_at"`
	DurationMinutes     int                  `json:"duration_minutes"`
	Location            string               `json:"location,omitempty"`
	VideoLink           string               `json:"video_link,omitempty"`
	InterpreterLanguage string               `json:"interpreter_language,omitempty"`
	// ShorterNoticeAgreed is set when the family agreed to meet sooner than the lead time.
	ShorterNoticeAgreed bool `json:"shorter_notice_agreed,omitempty"`
}

// MeetingView is a meeting with its notice.
type MeetingView struct {
	Meeting iep.Meeting `json:"meeting"`
	Notice  *iep.Notice `json:"notice,omitempty"`
}

// leadTimeOK reports whether a notice sent today gives the pack's lead time before day, and
// the lead time in days (0 when the pack sets none).
func (c *step) leadTimeOK(ctx context.Context, day date.Date) (bool, int, error) {
	earliest, lead, ok, err := c.ruleDate(ctx, "meeting_notice", c.today)
	if err != nil || !ok {
		return err == nil, 0, err
	}
	return !day.Before(earliest), lead, nil
}

// ScheduleMeeting schedules a meeting of a draft plan's team and sends the notice: to the
// family in their language and with an iCalendar invitation by e-mail to everyone on the team
// with an address.
func (s *Service) ScheduleMeeting(ctx context.Context, a Actor, districtID, planID string, in MeetingInput) (*MeetingView, error) {
	c, _, err := s.planStep(ctx, a, access.EditPlan, districtID, planID, iep.StepScheduleMeeting)
	if err != nil {
		return nil, err
	}
	m := iep.Meeting{DistrictID: districtID, StudentID: c.student, PlanID: planID, Purposes: in.Purposes,
		Status: iep.MeetingScheduled, StartsAt: in.StartsAt, DurationMinutes: in.DurationMinutes,
		Location: strings.TrimSpace(in.Location), VideoLink: strings.TrimSpace(in.VideoLink),
		InterpreterLanguage: strings.TrimSpace(in.InterpreterLanguage), NoticeSentOn: c.today}
	if m.DurationMinutes == 0 {
		m.DurationMinutes = 60
	}
	var ps iep.Problems
	ps.Nest("", m.Validate())
	if m.VideoLink != "" && !strings.HasPrefix(m.VideoLink, "https://") {
		ps = append(ps, iep.Problem{Field: "video_link", Code: iep.CodeInvalid, Detail: "an https:// address"})
	}
	day := c.day(in.StartsAt)
	if !in.StartsAt.IsZero() {
		ok, lead, err := c.leadTimeOK(ctx, day)
		if err != nil {
			return nil, err
		}
		switch {
		case day.Before(c.today):
			ps = append(ps, iep.Problem{Field: "starts_at", Code: iep.CodeInvalid, Detail: "a time in the past"})
		case !ok && !in.ShorterNoticeAgreed:
			ps = append(ps, iep.Problem{Field: "starts_at", Code: iep.CodeInvalid,
				Detail: fmt.Sprintf("the family must have %d days' notice; or record that they agreed to meet sooner", lead)})
		}
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	team, err := s.db.ListTeam(ctx, districtID, planID)
	if err != nil {
		return nil, err
	}
	lang := s.familyLanguage(ctx, districtID, c.student)
	if !i18n.Supported(lang) {
		lang = "en"
	}
	if m.InterpreterLanguage == "" && lang != "en" {
		m.InterpreterLanguage = lang // offered in the family's language
	}
	notice := iep.Notice{DistrictID: districtID, StudentID: c.student, PlanID: planID, Kind: iep.NoticeMeeting,
		Language: lang, SentOn: c.today, DeliveredBy: "email",
		Action: meetingNoticeText(lang, &m, team, c.loc), Safeguards: i18n.Message(lang, "notice.safeguards"),
		HelpSources: i18n.Message(lang, "notice.help_sources")}
	mails, err := s.invitations(ctx, c, &m, team, ical.MethodRequest)
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateMeeting(ctx, &m); err != nil {
			return err
		}
		if err := tx.CreateNotice(ctx, &notice); err != nil {
			return err
		}
		for i := range mails {
			mails[i].BodyText += "\n" + s.publicURL + "/api/v1/meetings/" + m.ID + "/invitation.ics\n"
			if err := tx.EnqueueMail(ctx, &mails[i]); err != nil {
				return err
			}
		}
		if err := c.event(ctx, tx, iep.EventMeetingNoticeSent, planID, c.today, map[string]any{
			"meeting_id": m.ID, "meeting_on": day.String(), "notice_id": notice.ID}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "schedule_meeting", "meeting", m.ID)
	})
	if err != nil {
		return nil, err
	}
	return &MeetingView{Meeting: m, Notice: &notice}, nil
}

// meetingNoticeText is the notice in the family's language: purpose, time, place, who, and the
// interpreter offered.
func meetingNoticeText(lang string, m *iep.Meeting, team []iep.TeamMember, loc *time.Location) string {
	var purposes, who []string
	for _, p := range m.Purposes {
		purposes = append(purposes, i18n.Message(lang, "meeting_purpose."+string(p)))
	}
	for _, t := range team {
		who = append(who, i18n.Message(lang, "team_role."+string(t.Role)))
	}
	place := m.Location
	if m.VideoLink != "" {
		place = strings.TrimSpace(place + " " + m.VideoLink)
	}
	text := i18n.Message(lang, "meeting.notice", strings.Join(purposes, ", "), m.StartsAt.In(loc).Format("2006-01-02 15:04 MST"),
		place, strings.Join(who, ", "))
	if m.InterpreterLanguage != "" {
		text += "\n" + i18n.Message(lang, "meeting.interpreter", m.InterpreterLanguage)
	}
	return text
}

// invitations builds the e-mails carrying a meeting's iCalendar invitation to each member of
// the team with an address (staff by their staff e-mail, guardians by their e-mail contact).
func (s *Service) invitations(ctx context.Context, c *step, m *iep.Meeting, team []iep.TeamMember, method string) ([]store.OutboxMail, error) {
	if m.ID == "" {
		if err := store.NewID(&m.ID); err != nil {
			return nil, err
		}
	}
	type person struct{ name, email, lang string }
	var people []person
	links, err := s.db.ListGuardians(ctx, c.district, c.student)
	if err != nil {
		return nil, err
	}
	for _, t := range team {
		switch {
		case t.StaffID != "":
			if st, err := s.db.GetStaff(ctx, c.district, t.StaffID); err == nil && st.Email != "" {
				people = append(people, person{st.Name(), st.Email, "en"})
			}
		case t.GuardianID != "":
			for _, l := range links {
				if l.Guardian.ID != t.GuardianID {
					continue
				}
				if e := l.Guardian.Email(); e != "" {
					lang, err := s.guardianMailLanguage(ctx, c.district, &l.Guardian)
					if err != nil {
						return nil, err
					}
					people = append(people, person{l.Guardian.FirstName + " " + l.Guardian.LastName, e, lang})
				}
			}
		}
	}
	inv := s.invitation(m, method)
	for _, p := range people {
		inv.Attendees = append(inv.Attendees, ical.Person{Name: p.name, Email: p.email})
	}
	var mails []store.OutboxMail
	for _, p := range people {
		lang := mailLanguage(p.lang)
		inv.Summary = i18n.Message(lang, "meeting.mail.subject")
		inv.Description = meetingNoticeText(lang, m, team, c.loc)
		b, err := inv.Bytes()
		if err != nil {
			return nil, err
		}
		mails = append(mails, store.OutboxMail{DistrictID: c.district, Kind: "meeting", To: p.email,
			Subject: inv.Summary, BodyText: inv.Description + "\n", CalendarICS: string(b)})
	}
	return mails, nil
}

// invitation is a meeting's iCalendar invitation without its summary and description, which
// are in each reader's language.
func (s *Service) invitation(m *iep.Meeting, method string) ical.Invitation {
	return ical.Invitation{UID: m.ID + "@openiep", Method: method, Start: m.StartsAt,
		End: m.StartsAt.Add(time.Duration(m.DurationMinutes) * time.Minute), Location: m.Location, URL: m.VideoLink,
		Organizer: ical.Person{Name: "openiep", Email: "no-reply@openiep.invalid"}, Stamp: s.now()}
}

// meeting returns one meeting of the step's student and its plan. Errors: not found.
func (c *step) meeting(ctx context.Context, id string) (*iep.Meeting, *iep.Plan, error) {
	ms, err := c.s.db.ListMeetings(ctx, c.district, c.student)
	if err != nil {
		return nil, nil, err
	}
	i := slices.IndexFunc(ms, func(m iep.Meeting) bool { return m.ID == id })
	if i < 0 {
		return nil, nil, iep.Errorf(iep.KindNotFound, "meeting %s not found", id)
	}
	p, err := c.plan(ctx, ms[i].PlanID)
	if err != nil {
		return nil, nil, err
	}
	return &ms[i], p, nil
}

// MeetingReply is the family's answer to a meeting notice: they will come, propose another
// time, or decline; they may ask for an interpreter and announce a guest.
type MeetingReply struct {
	Reply               iep.FamilyReply `json:"reply"`
	ProposedTime        string          `json:"proposed_time,omitempty"` // with other_time_proposed, in their words
	InterpreterLanguage string          `json:"interpreter_language,omitempty"`
	GuestName           string          `json:"guest_name,omitempty"`
	GuestTitle          string          `json:"guest_title,omitempty"`
}

// ReplyToMeeting records the family's answer (by the family, or by staff who took it by
// phone), and adds the guest they announce to the team.
func (s *Service) ReplyToMeeting(ctx context.Context, a Actor, districtID, meetingID string, in MeetingReply) (*iep.Meeting, error) {
	c, err := s.beginEither(ctx, a, access.Participate, access.EditPlan, districtID, "meeting", meetingID)
	if err != nil {
		return nil, err
	}
	m, p, err := c.meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	if m.Status != iep.MeetingScheduled && m.Status != iep.MeetingProposed {
		return nil, iep.Errorf(iep.KindConflict, "cannot reply: the meeting is %s", m.Status)
	}
	var ps iep.Problems
	switch in.Reply {
	case iep.ReplyAccepted, iep.ReplyDeclined:
	case iep.ReplyOtherTimeProposed:
		if strings.TrimSpace(in.ProposedTime) == "" {
			ps = append(ps, iep.Problem{Field: "proposed_time", Code: iep.CodeRequired})
		}
	default:
		ps = append(ps, iep.Problem{Field: "reply", Code: iep.CodeChoice, Detail: "accepted, other_time_proposed, declined"})
	}
	guest := iep.TeamMember{DistrictID: districtID, PlanID: p.ID, Role: iep.TeamGuest, GuestName: strings.TrimSpace(in.GuestName),
		GuestTitle: strings.TrimSpace(in.GuestTitle), InvitedBy: iep.InvitedByFamily, AnnouncedOn: c.today}
	if guest.GuestName == "" && guest.GuestTitle != "" {
		ps = append(ps, iep.Problem{Field: "guest_name", Code: iep.CodeRequired})
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	m.FamilyReply = in.Reply
	if in.InterpreterLanguage != "" {
		m.InterpreterLanguage = strings.TrimSpace(in.InterpreterLanguage)
	}
	if in.Reply == iep.ReplyOtherTimeProposed {
		m.Notes = strings.TrimSpace(m.Notes + "\n" + "Family proposed: " + strings.TrimSpace(in.ProposedTime))
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateMeeting(ctx, m); err != nil {
			return err
		}
		if guest.GuestName != "" {
			if err := tx.AddTeamMember(ctx, &guest); err != nil {
				return err
			}
			if err := c.event(ctx, tx, iep.EventGuestAnnounced, p.ID, c.today, map[string]any{"member_id": guest.ID, "meeting_id": m.ID, "invited_by": guest.InvitedBy}); err != nil {
				return err
			}
		}
		if err := c.event(ctx, tx, iep.EventMeetingReplyReceived, p.ID, c.today, map[string]any{
			"meeting_id": m.ID, "reply": in.Reply, "interpreter": in.InterpreterLanguage != ""}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "reply_to_meeting", "meeting", m.ID)
	})
	return m, err
}

// ContactAttemptInput is one try to reach the family about a meeting (300.322(d)).
type ContactAttemptInput struct {
	Method  iep.ContactKind `json:"method"`
	Outcome string          `json:"outcome"`
	At      time.Time       `json:"at,omitzero"` // default now
}

// RecordContactAttempt records a try to reach the family.
func (s *Service) RecordContactAttempt(ctx context.Context, a Actor, districtID, meetingID string, in ContactAttemptInput) (*iep.Meeting, error) {
	c, err := s.begin(ctx, a, access.EditPlan, districtID, "meeting", meetingID)
	if err != nil {
		return nil, err
	}
	m, p, err := c.meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	at := in.At
	if at.IsZero() {
		at = s.now()
	}
	var ps iep.Problems
	if strings.TrimSpace(in.Outcome) == "" {
		ps = append(ps, iep.Problem{Field: "outcome", Code: iep.CodeRequired})
	}
	if at.After(s.now().Add(time.Minute)) {
		ps = append(ps, iep.Problem{Field: "at", Code: iep.CodeInvalid, Detail: "a time in the future"})
	}
	m.ContactAttempts = append(m.ContactAttempts, iep.ContactAttempt{At: at.UTC(), Method: in.Method, Outcome: strings.TrimSpace(in.Outcome), ByStaff: a.ID})
	ps.Nest("", m.Validate())
	if err := ps.Err(); err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateMeeting(ctx, m); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventFamilyContactAttempted, p.ID, date.Of(at), map[string]any{"meeting_id": m.ID, "method": in.Method}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "record_contact_attempt", "meeting", m.ID)
	})
	return m, err
}

// HoldInput records a meeting held: who came and how, notes, and whether it finalized the plan.
type HoldInput struct {
	Attendance []iep.Attendance `json:"attendance"`
	Notes      string           `json:"notes,omitempty"`
	Finalizes  bool             `json:"finalizes"`
}

// HeldMeeting is a meeting held and the checks it passed.
type HeldMeeting struct {
	Meeting   iep.Meeting `json:"meeting"`
	Readiness Readiness   `json:"readiness"`
}

// Readiness says whether a meeting may be held: the required roles no one fills, whether the
// student must be invited, and whether the parent is there or enough attempts were made.
type Readiness struct {
	MissingRoles    []iep.TeamRole `json:"missing_roles"`
	StudentRequired bool           `json:"student_required"`
	ParentPresent   bool           `json:"parent_present"`
	ContactAttempts int            `json:"contact_attempts"`
	// DraftLate: the family asked for the draft and the pack's DraftDays before the meeting
	// passed without it.
	DraftLate bool `json:"draft_late"`
	DraftDays int  `json:"draft_days,omitempty"`
}

// MinContactAttempts is how many recorded attempts to reach the family allow a meeting without
// them (300.322(d) asks for "detailed records"; two tries by different means is common practice).
const MinContactAttempts = 2

// readiness checks a meeting about plan p against its team.
func (c *step) readiness(ctx context.Context, p *iep.Plan, m *iep.Meeting, attendance []iep.Attendance) (*Readiness, []iep.TeamMember, error) {
	team, err := c.s.db.ListTeam(ctx, c.district, p.ID)
	if err != nil {
		return nil, nil, err
	}
	st, err := c.s.db.GetStudent(ctx, c.district, c.student)
	if err != nil {
		return nil, nil, err
	}
	pack, err := c.pack(ctx)
	if err != nil {
		return nil, nil, err
	}
	day := c.day(m.StartsAt)
	age := 16
	if r, ok := pack.Rule("transition_plan"); ok && r.Amount > 0 {
		age = r.Amount
	}
	// The plan written now runs a year: transition is in scope if the student reaches the age
	// in it (or the team already plans it).
	needStudent := p.Content.Transition.Applies || st.BirthDate.AgeOn(day.AddYears(1)) >= age
	placement := p.Content.Placement
	needRegular := placement.EnvironmentCode == "" || placement.PercentInRegularClass > 0
	r := &Readiness{MissingRoles: iep.MissingRoles(team, needRegular, needStudent), StudentRequired: needStudent,
		ContactAttempts: len(m.ContactAttempts)}
	if r.MissingRoles == nil {
		r.MissingRoles = []iep.TeamRole{}
	}
	if n := pack.DraftBeforeMeeting; n > 0 {
		events, err := c.s.db.ListEvents(ctx, c.district, c.student)
		if err != nil {
			return nil, nil, err
		}
		requested := slices.ContainsFunc(events, func(e iep.Event) bool { return e.Kind == iep.EventDraftRequested && e.PlanID == p.ID })
		var shared date.Date
		if !p.SharedAt.IsZero() {
			shared = c.day(p.SharedAt)
		}
		r.DraftLate, r.DraftDays = iep.DraftLate(n, requested, shared, day), n
	}
	for _, at := range attendance {
		i := slices.IndexFunc(team, func(t iep.TeamMember) bool { return t.ID == at.MemberID })
		if i >= 0 && at.Present && team[i].Role == iep.TeamParent {
			r.ParentPresent = true
		}
	}
	return r, team, nil
}

// HoldMeeting records a meeting held. It is refused while a required role is unfilled (and not
// excused in writing), when the student must be invited and is not on the team, and when the
// parent is absent without the recorded attempts to bring them. A meeting that finalizes the
// plan gives it its meeting date, its end (a year less a day), its review and reevaluation dates.
func (s *Service) HoldMeeting(ctx context.Context, a Actor, districtID, meetingID string, in HoldInput) (*HeldMeeting, error) {
	c, err := s.begin(ctx, a, access.EditPlan, districtID, "meeting", meetingID)
	if err != nil {
		return nil, err
	}
	m, p, err := c.meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	if err := iep.CheckPlanStep(p.Status, iep.StepHoldMeeting); err != nil {
		return nil, err
	}
	if m.Status != iep.MeetingScheduled {
		return nil, iep.Errorf(iep.KindConflict, "cannot hold the meeting: it is %s", m.Status)
	}
	day := c.day(m.StartsAt)
	if day.After(c.today) {
		return nil, iep.Errorf(iep.KindConflict, "cannot hold the meeting before its day (%s)", day)
	}
	r, team, err := c.readiness(ctx, p, m, in.Attendance)
	if err != nil {
		return nil, err
	}
	var ps iep.Problems
	for i, at := range in.Attendance {
		if !slices.ContainsFunc(team, func(t iep.TeamMember) bool { return t.ID == at.MemberID }) {
			ps = append(ps, iep.Problem{Field: fmt.Sprintf("attendance[%d].member_id", i), Code: iep.CodeInvalid, Detail: "not on the team"})
		}
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	switch {
	case len(r.MissingRoles) > 0:
		return nil, iep.Errorf(iep.KindConflict, "cannot hold the meeting: no one fills %s (add them to the team, or excuse them in writing)", joinRoles(r.MissingRoles))
	case r.DraftLate:
		return nil, iep.Errorf(iep.KindConflict, "cannot hold the meeting: the family asked for the draft and it was not shared %d days before", r.DraftDays)
	case !r.ParentPresent && r.ContactAttempts < MinContactAttempts:
		return nil, iep.Errorf(iep.KindConflict, "cannot hold the meeting without the parent: record at least %d attempts to reach them first", MinContactAttempts)
	}
	m.Status, m.Attendance, m.Notes, m.Finalizes = iep.MeetingHeld, in.Attendance, strings.TrimSpace(strings.TrimSpace(m.Notes)+"\n"+in.Notes), in.Finalizes
	if in.Finalizes {
		if err := c.finalizeDates(ctx, p, day); err != nil {
			return nil, err
		}
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateMeeting(ctx, m); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventMeetingHeld, p.ID, day, map[string]any{"meeting_id": m.ID}); err != nil {
			return err
		}
		if in.Finalizes {
			if err := tx.UpdatePlanHeader(ctx, p); err != nil {
				return err
			}
			data := map[string]any{"meeting_id": m.ID}
			if p.Content.Transition.Applies {
				data["transition"] = true
			}
			if p.Kind == iep.PlanAmendment {
				data["kind"] = "amendment"
			}
			if err := c.event(ctx, tx, iep.EventPlanFinalized, p.ID, day, data); err != nil {
				return err
			}
		}
		return c.audit(ctx, tx, "hold_meeting", "meeting", m.ID)
	})
	if err != nil {
		return nil, err
	}
	return &HeldMeeting{Meeting: *m, Readiness: *r}, nil
}

// finalizeDates gives plan p the dates of the meeting that finalizes it: an amendment keeps the
// plan's own; a new plan runs a year from the meeting, reviewed on its anniversary, reevaluated
// three years after the last evaluation completed.
func (c *step) finalizeDates(ctx context.Context, p *iep.Plan, day date.Date) error {
	if p.Kind == iep.PlanAmendment {
		return nil
	}
	p.MeetingDate = day
	p.EndDate = day.AddYears(1).AddDays(-1)
	p.NextReviewDate = day.AddYears(1)
	es, err := c.s.db.ListEvaluations(ctx, c.district, c.student)
	if err != nil {
		return err
	}
	var last date.Date
	for _, e := range es {
		if (e.Kind == iep.EvaluationInitial || e.Kind == iep.EvaluationReeval) && last.Before(e.CompletedOn) {
			last = e.CompletedOn
		}
	}
	if !last.IsZero() {
		p.NextReevalDate = last.AddYears(3)
	}
	return nil
}

func joinRoles(rs []iep.TeamRole) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = strings.ReplaceAll(string(r), "_", " ")
	}
	return strings.Join(parts, ", ")
}

// MeetingInvitation returns a meeting's iCalendar invitation to whoever may view the record.
func (s *Service) MeetingInvitation(ctx context.Context, a Actor, districtID, meetingID string) ([]byte, error) {
	c, err := s.begin(ctx, a, access.ViewRecord, districtID, "meeting", meetingID)
	if err != nil {
		return nil, err
	}
	m, _, err := c.meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	method := ical.MethodRequest
	if m.Status == iep.MeetingCancelled {
		method = ical.MethodCancel
	}
	lang := "en"
	if a.IsFamily() {
		if l := s.familyLanguage(ctx, districtID, c.student); i18n.Supported(l) {
			lang = l
		}
	}
	inv := s.invitation(m, method)
	inv.Summary = i18n.Message(lang, "meeting.mail.subject")
	b, err := inv.Bytes()
	if err != nil {
		return nil, err
	}
	return b, c.readAudit(ctx, "meeting", m.ID)
}
