package app

// The family portal's meetings and answers (DOMAIN.md §5, §10): a meeting in the family's words
// with their reply, the interpreter they ask for and the guests they announce (34 CFR 300.322);
// the proposed plan exactly as frozen, with its prior written notice (300.503) and the family's
// window; the signed answer — in full, rejected, or in part with a comment per rejected part —
// and what takes effect, what does not and when the services must start, with a receipt by
// e-mail in the guardian's language.
//
// These are family pages: staff are answered "not found" (their screens are the meeting and
// proposal desks), and a meeting or plan named under another child is not found either. Each
// view asks the policy once — the family's action first (answer, participate), then, when that
// is refused, whether the reader may read at all (a parent reading what an adult student shares)
// — and is audited once. The steps are the process's own use cases (ReplyToMeeting, Respond);
// the interpreter request and the announced guests, which ReplyToMeeting can only take with a
// reply, are steps of their own here.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/store"
)

// familyBegin starts a family use case on a record (kind, id) of the student studentID: the
// family's action act when the policy allows it (may is then true), else the reading action
// fallback (may false: the page is read-only); fallback "" refuses outright. Staff, and a record
// of another student than the page's, are not found.
func (s *Service) familyBegin(ctx context.Context, a Actor, act, fallback access.Action, districtID, studentID, kind, id string) (*step, bool, error) {
	if err := familyReader(a); err != nil {
		return nil, false, err
	}
	c, err := s.begin(ctx, a, act, districtID, kind, id)
	may := err == nil
	if iep.KindOf(err) == iep.KindForbidden && fallback != "" {
		c, err = s.begin(ctx, a, fallback, districtID, kind, id)
	}
	if err != nil {
		return nil, false, err
	}
	if c.student != studentID {
		return nil, false, iep.Errorf(iep.KindNotFound, "%s %s not found", kind, id)
	}
	return c, may, nil
}

// sameStudent refuses a record (kind, id) that is not the student's of the page, before a step
// that authorizes itself: not found, as for a record the reader may not know of.
func (s *Service) sameStudent(ctx context.Context, a Actor, districtID, studentID, kind, id string) error {
	if err := familyReader(a); err != nil {
		return err
	}
	if a.DistrictID != districtID {
		return iep.Errorf(iep.KindNotFound, "not found")
	}
	of, err := s.db.StudentOf(ctx, districtID, kind, id)
	if err != nil {
		return err
	}
	if of != studentID {
		return iep.Errorf(iep.KindNotFound, "%s %s not found", kind, id)
	}
	return nil
}

// MeetingClosed says why the family can no longer answer a meeting ("" while they can).
type MeetingClosed string

const (
	MeetingOpen         MeetingClosed = ""
	MeetingWasHeld      MeetingClosed = "held"
	MeetingWasCancelled MeetingClosed = "cancelled"
	MeetingIsPast       MeetingClosed = "past" // its time has come; the team records it
)

// closedState says whether a meeting may still be answered at now.
func closedState(m *iep.Meeting, now time.Time) MeetingClosed {
	switch {
	case m.Status == iep.MeetingHeld:
		return MeetingWasHeld
	case m.Status == iep.MeetingCancelled:
		return MeetingWasCancelled
	case !m.StartsAt.After(now):
		return MeetingIsPast
	}
	return MeetingOpen
}

// FamilyMeetingView is a meeting as the family portal shows it.
type FamilyMeetingView struct {
	District iep.District
	Student  iep.Student
	Location *time.Location // the district's zone
	Today    date.Date
	Meeting  iep.Meeting
	Day      date.Date // the meeting's day in the district
	Plan     iep.Plan  // the plan it is about (its header: the kind)
	// Team is the plan's team with names; guests carry who invited them and when they were
	// announced.
	Team        []TeamMember
	CaseManager string
	// Notice is the meeting notice the school sent (nil when none is recorded).
	Notice *iep.Notice
	// ProposedTimes are the other times the family proposed, in their words, oldest first.
	ProposedTimes []string
	// MayAnswer: the reader may answer (the policy's participate); otherwise the page is read-only
	// and Reason says why (a parent reading what an adult student shares).
	MayAnswer bool
	Reason    access.Reason
	Closed    MeetingClosed
	// Language is the reader's preferred language (the interpreter request's first choice).
	Language string
	// ReaderID is the reader's guardian or student id (the team names them "you").
	ReaderID string
}

// FamilyGuests are the guests the family announced, in the order they were announced.
func (v *FamilyMeetingView) FamilyGuests() []TeamMember {
	var out []TeamMember
	for _, m := range v.Team {
		if m.Role == iep.TeamGuest && m.InvitedBy == iep.InvitedByFamily {
			out = append(out, m)
		}
	}
	return out
}

// proposedPrefix starts each line ReplyToMeeting adds to a meeting's notes for another time the
// family proposed.
const proposedPrefix = "Family proposed: "

// familyProposals are the times the family proposed, from a meeting's notes.
func familyProposals(notes string) []string {
	var out []string
	for _, line := range strings.Split(notes, "\n") {
		if t, ok := strings.CutPrefix(strings.TrimSpace(line), proposedPrefix); ok && t != "" {
			out = append(out, t)
		}
	}
	return out
}

// FamilyMeeting returns a meeting of the student's for the family portal: when and where, what
// for, who is invited, the interpreter, the notice, and the family's answer. The read is audited.
//
// Errors: unauthenticated; not found for staff, for a meeting of another student and wherever the
// policy hides the record; the policy's kinds.
func (s *Service) FamilyMeeting(ctx context.Context, a Actor, districtID, studentID, meetingID string) (*FamilyMeetingView, error) {
	c, may, err := s.familyBegin(ctx, a, access.Participate, access.ViewRecord, districtID, studentID, "meeting", meetingID)
	if err != nil {
		return nil, err
	}
	m, p, err := c.meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	dist, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	st, err := s.db.GetStudent(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	d := &PlanDesk{District: *dist, Student: *st, Plan: *p}
	if err := s.deskTeam(ctx, c, d); err != nil {
		return nil, err
	}
	v := &FamilyMeetingView{District: *dist, Student: *st, Location: c.loc, Today: c.today, Meeting: *m, Day: c.day(m.StartsAt),
		Plan: *p, Team: d.Team, MayAnswer: may, Reason: c.d.Reason, Closed: closedState(m, s.now()),
		ProposedTimes: familyProposals(m.Notes), Language: readerLanguage(a, d.Guardians, st), ReaderID: a.ID}
	if v.CaseManager, err = s.staffName(ctx, districtID, p.CaseManagerID); err != nil {
		return nil, err
	}
	if v.Notice, err = s.meetingNotice(ctx, c, m.ID); err != nil {
		return nil, err
	}
	return v, c.readAudit(ctx, "meeting", m.ID)
}

// readerLanguage is the signed-in family member's preferred language: a guardian's own, an
// adult student's home language.
func readerLanguage(a Actor, links []store.GuardianLink, st *iep.Student) string {
	if a.Kind == ActorGuardian {
		for _, l := range links {
			if l.Guardian.ID == a.ID {
				return l.Guardian.PreferredLanguage
			}
		}
	}
	return st.HomeLanguage
}

// openMeeting starts a family step on a meeting that may still be answered: the policy's
// participate, the page's student, a meeting neither held, cancelled nor begun.
func (s *Service) openMeeting(ctx context.Context, a Actor, districtID, studentID, meetingID string) (*step, *iep.Meeting, *iep.Plan, error) {
	c, _, err := s.familyBegin(ctx, a, access.Participate, "", districtID, studentID, "meeting", meetingID)
	if err != nil {
		return nil, nil, nil, err
	}
	m, p, err := c.meeting(ctx, meetingID)
	if err != nil {
		return nil, nil, nil, err
	}
	if cl := closedState(m, s.now()); cl != MeetingOpen {
		return nil, nil, nil, iep.Errorf(iep.KindConflict, "cannot answer: the meeting is %s", cl)
	}
	return c, m, p, nil
}

// FamilyReplyToMeeting records the family's answer to a meeting notice from the portal: they
// will come, propose another time (in their words: required), or cannot come. The reply itself
// is ReplyToMeeting's (audited there).
//
// Errors: as FamilyMeeting; conflict for a meeting held, cancelled or begun; invalid input.
func (s *Service) FamilyReplyToMeeting(ctx context.Context, a Actor, districtID, studentID, meetingID string, reply iep.FamilyReply, proposedTime string) (*iep.Meeting, error) {
	if _, _, _, err := s.openMeeting(ctx, a, districtID, studentID, meetingID); err != nil {
		return nil, err
	}
	return s.ReplyToMeeting(ctx, a, districtID, meetingID, MeetingReply{Reply: reply, ProposedTime: proposedTime})
}

// MaxLanguageLength bounds a language typed for an interpreter request.
const MaxLanguageLength = 60

// RequestInterpreter records that the family asks for an interpreter at a meeting, in the
// language they name, without changing their reply. The team sees it on the meeting's page.
//
// Errors: as FamilyReplyToMeeting.
func (s *Service) RequestInterpreter(ctx context.Context, a Actor, districtID, studentID, meetingID, language string) (*iep.Meeting, error) {
	c, m, p, err := s.openMeeting(ctx, a, districtID, studentID, meetingID)
	if err != nil {
		return nil, err
	}
	language = strings.TrimSpace(language)
	switch {
	case language == "":
		return nil, iep.Problems{{Field: "interpreter_language", Code: iep.CodeRequired}}.Err()
	case len([]rune(language)) > MaxLanguageLength:
		return nil, iep.Problems{{Field: "interpreter_language", Code: iep.CodeRange, Detail: fmt.Sprint(MaxLanguageLength)}}.Err()
	}
	m.InterpreterLanguage = language
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.UpdateMeeting(ctx, m); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventMeetingReplyReceived, p.ID, c.today, map[string]any{
			"meeting_id": m.ID, "reply": m.FamilyReply, "interpreter": true}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "request_interpreter", "meeting", m.ID)
	})
	return m, err
}

// GuestInput is someone the family brings to a meeting: their name and who they are (an
// advocate, a grandmother, the child's therapist).
type GuestInput struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// MaxGuestText bounds a guest's name and role.
const MaxGuestText = 200

// AnnounceGuest tells the district in advance who the family brings to a meeting: the guest
// joins the plan's team as the family's guest, announced today. Several guests may be
// announced, one at a time; the same name twice is refused.
//
// Errors: as FamilyReplyToMeeting; conflict when the plan's team can no longer change.
func (s *Service) AnnounceGuest(ctx context.Context, a Actor, districtID, studentID, meetingID string, in GuestInput) (*iep.TeamMember, error) {
	c, m, p, err := s.openMeeting(ctx, a, districtID, studentID, meetingID)
	if err != nil {
		return nil, err
	}
	if err := iep.CheckPlanStep(p.Status, iep.StepChangeTeam); err != nil {
		return nil, err
	}
	g := iep.TeamMember{DistrictID: districtID, PlanID: p.ID, Role: iep.TeamGuest, GuestName: strings.TrimSpace(in.Name),
		GuestTitle: strings.TrimSpace(in.Role), InvitedBy: iep.InvitedByFamily, AnnouncedOn: c.today}
	var ps iep.Problems
	for field, v := range map[string]string{"guest_name": g.GuestName, "guest_title": g.GuestTitle} {
		switch {
		case v == "":
			ps = append(ps, iep.Problem{Field: field, Code: iep.CodeRequired})
		case len([]rune(v)) > MaxGuestText:
			ps = append(ps, iep.Problem{Field: field, Code: iep.CodeRange, Detail: fmt.Sprint(MaxGuestText)})
		}
	}
	team, err := s.db.ListTeam(ctx, districtID, p.ID)
	if err != nil {
		return nil, err
	}
	if g.GuestName != "" && slices.ContainsFunc(team, func(t iep.TeamMember) bool { return strings.EqualFold(t.GuestName, g.GuestName) }) {
		ps = append(ps, iep.Problem{Field: "guest_name", Code: iep.CodeDuplicate})
	}
	slices.SortFunc(ps, func(x, y iep.Problem) int { return strings.Compare(x.Field, y.Field) })
	if err := ps.Err(); err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.AddTeamMember(ctx, &g); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventGuestAnnounced, p.ID, c.today, map[string]any{
			"member_id": g.ID, "meeting_id": m.ID, "invited_by": g.InvitedBy}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "announce_guest", "meeting", m.ID)
	})
	return &g, err
}

// FamilyMeetingInvitation is a meeting's iCalendar invitation for the family (MeetingInvitation,
// in the family's language), for a meeting of the page's student.
func (s *Service) FamilyMeetingInvitation(ctx context.Context, a Actor, districtID, studentID, meetingID string) ([]byte, error) {
	if err := s.sameStudent(ctx, a, districtID, studentID, "meeting", meetingID); err != nil {
		return nil, err
	}
	return s.MeetingInvitation(ctx, a, districtID, meetingID)
}

// FamilyProposal is a proposed plan as the family answers it: the version exactly as frozen
// (its number, date and SHA-256), the prior written notice, the window to answer, the reader's
// answer and everyone's together, and what is in effect.
type FamilyProposal struct {
	District iep.District
	Student  iep.Student
	Location *time.Location
	Today    date.Date
	// Plan is the plan's header now (its status follows the answers).
	Plan iep.Plan
	// Version is the version proposed now, thawed: what is signed. Number, SHA256 and FrozenAt
	// name it; ProposedOn is the day it was sent, Notice its prior written notice (nil when
	// none is recorded).
	Version    *iep.Plan
	Number     int
	SHA256     string
	FrozenAt   time.Time
	ProposedOn date.Date
	Notice     *iep.Notice
	// Sections are the version's sections the family may answer part by part, in form order
	// (transition only when the version has one).
	Sections []iep.SectionKind
	// ResponseDue is the last day of the pack's window to answer (zero when the pack sets none);
	// SilenceRejects says that no answer by then counts as a rejection.
	ResponseDue    date.Date
	ResponseDays   int
	SilenceRejects bool
	Pack           string
	// MayRespond: the reader may answer (a guardian with the rights, the adult student); else
	// Reason says why the page is read-only.
	MayRespond bool
	Reason     access.Reason
	// Mine is the reader's latest answer to this version (nil when none); Earlier their answer
	// to an earlier version, when the school proposed again since.
	Mine    *DeskResponse
	Earlier *DeskResponse
	// Answers are every answer to this version, newest first (who answered, by name).
	Answers []DeskResponse
	// Status is where the answers leave the plan (iep.CombineResponses); RejectedSections and
	// RejectedServices are the parts not in effect (a part anyone holding the rights rejected).
	Status           iep.PlanStatus
	RejectedSections []iep.SectionKind
	RejectedServices []string
	// Services are the service lines the school must deliver under this plan while it is in
	// effect (iep.EffectiveServices: its accepted lines, and the previous plan's for what was
	// rejected); empty otherwise.
	Services []iep.EffectiveLine
	// Previous is the plan this one reviews or amends (its header), and PreviousContent its
	// sections as frozen when it is still in effect for the parts rejected; nil otherwise.
	Previous        *iep.Plan
	PreviousContent *iep.Content
	// ServicesStart is the clock of the services' start under this plan (services_start), nil
	// until an acceptance starts it.
	ServicesStart *StudentDeadline
	// LegalLanguage is the language whose version is the legal one, where the rule pack says
	// so ("" when it does not).
	LegalLanguage string
	// School is the name of the school the version's placement names ("" when none);
	// CaseManager the plan's case manager's name.
	School, CaseManager string
}

// Answered reports whether the reader has answered the version proposed now.
func (p *FamilyProposal) Answered() bool { return p.Mine != nil }

// Open reports whether an answer may be given now: the plan takes answers (proposed, or a
// version already answered that the family may still change) and the reader may answer.
func (p *FamilyProposal) Open() bool {
	return p.MayRespond && iep.CheckPlanStep(p.Plan.Status, iep.StepRespond) == nil
}

// Line is a service line of the version by id (nil when none).
func (p *FamilyProposal) Line(id string) *iep.ServiceLine {
	for _, ls := range [][]iep.ServiceLine{p.Version.Content.Services.Lines, p.Version.Content.ESY.Services} {
		for i := range ls {
			if ls[i].ID == id {
				return &ls[i]
			}
		}
	}
	return nil
}

// Lines are the version's service lines: the school year's, then the summer's.
func (p *FamilyProposal) Lines() []iep.ServiceLine {
	c := p.Version.Content
	return append(append([]iep.ServiceLine(nil), c.Services.Lines...), c.ESY.Services...)
}

// PreviousLine is the previous plan's line that holds instead of a rejected line (nil when none:
// an initial plan, or a line new in this version).
func (p *FamilyProposal) PreviousLine(id string) *iep.ServiceLine {
	if p.PreviousContent == nil {
		return nil
	}
	for _, ls := range [][]iep.ServiceLine{p.PreviousContent.Services.Lines, p.PreviousContent.ESY.Services} {
		for i := range ls {
			if ls[i].ID == id {
				return &ls[i]
			}
		}
	}
	return nil
}

// FamilyProposal returns a proposed plan of the student's for the family to read and answer:
// the version exactly as frozen (its hash checked), the notice, the window, the answers and what
// is in effect. The read is audited (the version read).
//
// Errors: unauthenticated; not found for staff, for a plan of another student, for a plan never
// proposed, and wherever the policy hides the record; the policy's kinds; an internal error when
// the stored version does not match its hash.
func (s *Service) FamilyProposal(ctx context.Context, a Actor, districtID, studentID, planID string) (*FamilyProposal, error) {
	c, may, err := s.familyBegin(ctx, a, access.RespondToPlan, access.ViewRecord, districtID, studentID, "plan", planID)
	if err != nil {
		return nil, err
	}
	p, err := c.plan(ctx, planID)
	if err != nil {
		return nil, err
	}
	if p.CurrentVersion == 0 {
		return nil, iep.Errorf(iep.KindNotFound, "plan %s has not been proposed", planID)
	}
	v, err := s.db.GetVersion(ctx, districtID, planID, p.CurrentVersion)
	if err != nil {
		return nil, err
	}
	if !iep.VerifyVersion(v) {
		return nil, fmt.Errorf("plan %s version %d: the stored hash does not match its content", planID, v.Number)
	}
	d, pack, err := s.proposalDesk(ctx, c, p)
	if err != nil {
		return nil, err
	}
	out := &FamilyProposal{District: d.District, Student: d.Student, Location: c.loc, Today: c.today, Plan: *p,
		Version: d.Proposed, Number: v.Number, SHA256: v.SHA256, FrozenAt: v.CreatedAt, ProposedOn: d.ProposedOn,
		Notice: d.Notice, ResponseDue: d.ResponseDue, ResponseDays: d.Rules.ResponseDays, SilenceRejects: d.Rules.SilenceRejects,
		Pack: d.Rules.Pack, MayRespond: may, Reason: c.d.Reason, LegalLanguage: pack.LegalLanguage}
	for _, k := range iep.Sections {
		if k != iep.SectionTransition || out.Version.Content.Transition.Applies {
			out.Sections = append(out.Sections, k)
		}
	}
	out.readAnswers(a, d.Responses)
	if err := s.proposalEffect(ctx, c, out, &pack); err != nil {
		return nil, err
	}
	if out.CaseManager, err = s.staffName(ctx, districtID, p.CaseManagerID); err != nil {
		return nil, err
	}
	if sc, err := s.optionalSchool(ctx, districtID, out.Version.Content.Placement.SchoolID); err != nil {
		return nil, err
	} else if sc != nil {
		out.School = sc.Name
	}
	return out, c.readAudit(ctx, "plan_version", v.ID)
}

// proposalDesk reads what the staff's proposal desk reads of a plan (the version proposed with
// its notice, the answers with who gave them, the window to answer), without the team and the
// meeting rules (a family's page has no meeting to schedule: deskRules would read the calendar
// for nothing). It returns the district's rule pack too.
func (s *Service) proposalDesk(ctx context.Context, c *step, p *iep.Plan) (*PlanDesk, rules.Pack, error) {
	dist, err := s.db.GetDistrict(ctx, c.district)
	if err != nil {
		return nil, rules.Pack{}, err
	}
	st, err := s.db.GetStudent(ctx, c.district, c.student)
	if err != nil {
		return nil, rules.Pack{}, err
	}
	d := &PlanDesk{District: *dist, Student: *st, Plan: *p, Location: c.loc, Today: c.today, Documents: map[string]iep.Document{}}
	if d.Guardians, err = s.db.ListGuardians(ctx, c.district, c.student); err != nil {
		return nil, rules.Pack{}, err
	}
	pack, err := c.pack(ctx)
	if err != nil {
		return nil, rules.Pack{}, err
	}
	d.Rules.Pack = pack.ID
	d.Rules.ResponseDays, d.Rules.SilenceRejects = responseWindow(&pack)
	return d, pack, s.deskProposal(ctx, c, d)
}

// responseWindow is the family's window to answer a proposal under the pack, in days (0: the
// pack sets none), and whether silence through it counts as a rejection — as the proposal desk
// reads it (deskRules).
func responseWindow(pack *rules.Pack) (days int, silenceRejects bool) {
	for _, x := range pack.Rules {
		if x.Silence == rules.SilenceRejection {
			days, silenceRejects = x.Amount, true
		}
	}
	if x, ok := pack.Rule("parent_response"); ok && !silenceRejects {
		days = x.Amount
	}
	return days, silenceRejects
}

// readAnswers sorts the answers (newest first, as the desk gives them) into the reader's own
// and everyone's to the version proposed now, and reads them together.
func (p *FamilyProposal) readAnswers(a Actor, rs []DeskResponse) {
	mine := func(r *DeskResponse) bool {
		return (a.Kind == ActorGuardian && r.GuardianID == a.ID) || (a.Kind == ActorStudent && r.StudentID == a.ID)
	}
	var current []iep.Response
	for i := range rs {
		r := &rs[i]
		if r.VersionSHA256 != p.SHA256 {
			if mine(r) && p.Earlier == nil && p.Mine == nil {
				p.Earlier = r
			}
			continue
		}
		p.Answers = append(p.Answers, *r)
		current = append(current, r.Response)
		if mine(r) && p.Mine == nil {
			p.Mine = r
		}
	}
	slices.Reverse(current) // CombineResponses reads them in the order given
	p.Status, p.RejectedSections, p.RejectedServices = iep.CombineResponses(current)
}

// proposalEffect reads what is in effect under the plan: its services (the accepted lines and
// the previous plan's for what was rejected), the previous plan that holds for the rejected
// parts, and the clock of the services' start.
func (s *Service) proposalEffect(ctx context.Context, c *step, out *FamilyProposal, pack *rules.Pack) error {
	p := &out.Plan
	if p.PreviousPlanID != "" {
		prev, err := s.db.GetPlan(ctx, c.district, p.PreviousPlanID)
		if err != nil {
			return err
		}
		out.Previous = prev
		if prev.Status.InEffect() && prev.CurrentVersion > 0 {
			f, err := s.frozen(ctx, c.district, prev.ID, prev.CurrentVersion)
			if err != nil {
				return err
			}
			out.PreviousContent = &f.plan.Content
		}
	}
	if p.Status.InEffect() {
		lines, err := s.planServices(ctx, c.district, p, true)
		if err != nil {
			return err
		}
		out.Services = lines
	}
	ds, err := s.db.ListStudentDeadlines(ctx, c.district, c.student)
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d.Clock == "services_start" && (d.PlanID == p.ID || d.PlanID == "") &&
			(out.ServicesStart == nil || out.ServicesStart.Start.Before(d.Start)) {
			out.ServicesStart = &StudentDeadline{Deadline: d, Status: statusUnder(pack, d, c.today)}
		}
	}
	return nil
}

// FamilyAnswer is an answer given in the portal: the response as recorded and where it leaves
// the plan, and the address its receipt was sent to ("" when none could be: no e-mail known,
// or the outbox refused it — ReceiptErr then says why, for the log).
type FamilyAnswer struct {
	*ResponseOut
	ReceiptTo  string
	ReceiptErr error
}

// FamilyRespond records the family's signed answer to the version proposed now (Respond: the
// version's hash, the decision, the rejected parts each with a comment, the typed name and the
// attestation), then queues a receipt by e-mail in the guardian's language.
//
// Errors: as Respond (invalid input, with every problem; conflict when the plan takes no
// answer now); not found for staff and for a plan of another student.
func (s *Service) FamilyRespond(ctx context.Context, a Actor, districtID, studentID, planID string, in ResponseInput) (*FamilyAnswer, error) {
	if err := s.sameStudent(ctx, a, districtID, studentID, "plan", planID); err != nil {
		return nil, err
	}
	in.GuardianID = "" // the signed-in family member answers for themselves
	out, err := s.Respond(ctx, a, districtID, planID, in)
	if err != nil {
		return nil, err
	}
	ans := &FamilyAnswer{ResponseOut: out}
	ans.ReceiptTo, ans.ReceiptErr = s.queueReceipt(ctx, a, districtID, studentID, out)
	return ans, nil
}
