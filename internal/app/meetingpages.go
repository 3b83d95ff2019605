package app

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/store"
)

// Reads for the staff screens of a plan's team, its meetings, its prior written notice and its
// proposal (internal/web meetingpages.go). The steps themselves are the use cases of plans.go,
// meetings.go and respond.go; these reads gather what the screens show around them (names,
// the rule pack's numbers, the notices sent) so that a screen can say in advance what a step
// needs, instead of offering a form that will fail. They are staff screens: a guardian or a
// student is told the plan is not found (the family has its own portal), and every read is in
// the audit trail.

// PlanDesk is a plan as the staff screens of its team, meetings and proposal show it.
type PlanDesk struct {
	District    iep.District
	Location    *time.Location // the district's zone
	Today       date.Date
	Student     iep.Student
	Plan        iep.Plan
	CaseManager string // the case manager's name
	// CanEdit: the reader may take the plan's steps (access.EditPlan); the screens show their
	// forms only then.
	CanEdit   bool
	Team      []TeamMember
	Guardians []store.GuardianLink
	// Meetings are the plan's meetings, earliest first.
	Meetings []iep.Meeting
	// Readiness is the required-roles check of the next scheduled meeting (ReadinessOn its
	// day), or of a meeting held today when none is scheduled; ParentPresent is not known yet.
	Readiness   Readiness
	ReadinessOn date.Date
	Rules       DeskRules
	// FamilyLanguage is the language notices to the family are written in.
	FamilyLanguage string
	// Staff are the staff who may be added to the team (TeamCandidates), filled by the team
	// screen only.
	Staff []iep.Staff
	// Finalized: a meeting held has finalized the plan (a proposal needs it, but for a transfer
	// plan or an amendment agreed in writing).
	Finalized bool
	Versions  []VersionInfo
	// Proposed is the version proposed now (the plan's current version), thawed; nil before any
	// proposal. Notice is its prior written notice and ProposedOn the day it was sent.
	Proposed    *iep.Plan
	ProposedSHA string
	Notice      *iep.Notice
	ProposedOn  date.Date
	// ResponseDue is the last day of the pack's window to answer (zero when the pack sets none).
	ResponseDue date.Date
	Responses   []DeskResponse // newest first
	// Documents are the student's documents by id (the names of scans and signed pages).
	Documents map[string]iep.Document
}

// DeskRules are the numbers of the district's rule pack the screens state.
type DeskRules struct {
	Pack string
	// NoticeDays is the meeting notice's lead time in days (0: none), and EarliestMeeting the
	// first day a meeting may be held with a notice sent today, without the family agreeing to
	// a shorter notice.
	NoticeDays      int
	NoticeUnit      rules.Unit
	EarliestMeeting date.Date
	// ResponseDays is the family's window to answer a proposal (0: the pack sets none), and
	// SilenceRejects whether a window passed in silence counts as a rejection (then staff
	// record "no response").
	ResponseDays   int
	SilenceRejects bool
	TransitionAge  int // the student is invited from the year they reach it
	// DraftBeforeMeeting is how many days before the meeting a family who asked gets the draft.
	DraftBeforeMeeting int
	MinContactAttempts int
}

// DeskResponse is a family's answer with the version it answered and who gave it.
type DeskResponse struct {
	iep.Response
	Version   int
	Responder string // the guardian's or the adult student's name
}

// MeetingDesk is a meeting as its staff screen shows it, with its plan's desk.
type MeetingDesk struct {
	*PlanDesk
	Meeting iep.Meeting
	Day     date.Date // the meeting's day in the district
	// Notice is the meeting notice sent to the family (nil when none is recorded).
	Notice *iep.Notice
	// StaffNames names the staff who recorded the contact attempts, by id.
	StaffNames map[string]string
}

// errNotStaffScreen answers a family member who asks for a staff screen: not found, like any
// record they may not know of (the family portal is theirs).
var errNotStaffScreen = iep.Errorf(iep.KindNotFound, "not found")

// PlanDesk returns a plan for the staff screens of its team, meetings and proposal, to staff
// who may view the student's record, and records the read.
//
// Errors: KindNotFound (no such plan in the district, a family member, or a reader who may not
// know of it), the policy's kinds.
func (s *Service) PlanDesk(ctx context.Context, a Actor, districtID, planID string) (*PlanDesk, error) {
	if a.IsFamily() {
		return nil, errNotStaffScreen
	}
	c, err := s.begin(ctx, a, access.ViewRecord, districtID, "plan", planID)
	if err != nil {
		return nil, err
	}
	p, err := c.plan(ctx, planID)
	if err != nil {
		return nil, err
	}
	d, err := s.desk(ctx, c, p, nil)
	if err != nil {
		return nil, err
	}
	return d, c.readAudit(ctx, "plan", planID)
}

// MeetingDesk returns a meeting for its staff screen, to staff who may view the student's
// record, and records the read. The desk's readiness is this meeting's.
//
// Errors: as PlanDesk.
func (s *Service) MeetingDesk(ctx context.Context, a Actor, districtID, meetingID string) (*MeetingDesk, error) {
	if a.IsFamily() {
		return nil, errNotStaffScreen
	}
	c, err := s.begin(ctx, a, access.ViewRecord, districtID, "meeting", meetingID)
	if err != nil {
		return nil, err
	}
	m, p, err := c.meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	d, err := s.desk(ctx, c, p, m)
	if err != nil {
		return nil, err
	}
	md := &MeetingDesk{PlanDesk: d, Meeting: *m, Day: c.day(m.StartsAt), StaffNames: map[string]string{}}
	if md.Notice, err = s.meetingNotice(ctx, c, m.ID); err != nil {
		return nil, err
	}
	for _, at := range m.ContactAttempts {
		if _, ok := md.StaffNames[at.ByStaff]; !ok {
			if md.StaffNames[at.ByStaff], err = s.staffName(ctx, districtID, at.ByStaff); err != nil {
				return nil, err
			}
		}
	}
	return md, c.readAudit(ctx, "meeting", meetingID)
}

// HoldReadiness checks a meeting against its team as HoldMeeting would with this attendance,
// without holding it: a refused meeting is then explained problem by problem.
//
// Errors: as HoldMeeting's policy (EditPlan); not found.
func (s *Service) HoldReadiness(ctx context.Context, a Actor, districtID, meetingID string, attendance []iep.Attendance) (*Readiness, error) {
	if a.IsFamily() {
		return nil, errNotStaffScreen
	}
	c, err := s.begin(ctx, a, access.EditPlan, districtID, "meeting", meetingID)
	if err != nil {
		return nil, err
	}
	m, p, err := c.meeting(ctx, meetingID)
	if err != nil {
		return nil, err
	}
	r, _, err := c.readiness(ctx, p, m, attendance)
	return r, err
}

// UploadPlanDocument uploads a document of the student a plan is about (a signed agreement, a
// paper response's scan), as UploadDocument.
func (s *Service) UploadPlanDocument(ctx context.Context, a Actor, districtID, planID, name, mediaType string, data []byte) (*iep.Document, error) {
	studentID, err := s.db.StudentOf(ctx, districtID, "plan", planID)
	if err != nil {
		return nil, err
	}
	return s.UploadDocument(ctx, a, districtID, studentID, name, mediaType, data)
}

// desk gathers a plan's desk; m is the meeting whose readiness it checks (nil: the next one).
func (s *Service) desk(ctx context.Context, c *step, p *iep.Plan, m *iep.Meeting) (*PlanDesk, error) {
	d := &PlanDesk{Plan: *p, Location: c.loc, Today: c.today, Documents: map[string]iep.Document{}}
	dist, err := s.db.GetDistrict(ctx, c.district)
	if err != nil {
		return nil, err
	}
	st, err := s.db.GetStudent(ctx, c.district, c.student)
	if err != nil {
		return nil, err
	}
	d.District, d.Student = *dist, *st
	_, editErr := s.authorize(ctx, c.a, access.EditPlan, c.district, c.student)
	d.CanEdit = editErr == nil
	if d.CaseManager, err = s.staffName(ctx, c.district, p.CaseManagerID); err != nil {
		return nil, err
	}
	for _, f := range []func(context.Context, *step, *PlanDesk) error{s.deskTeam, s.deskMeetings, s.deskRules, s.deskProposal} {
		if err := f(ctx, c, d); err != nil {
			return nil, err
		}
	}
	if m == nil {
		m = &iep.Meeting{StartsAt: s.now()}
		if i := slices.IndexFunc(d.Meetings, func(x iep.Meeting) bool {
			return x.Status == iep.MeetingScheduled && !c.day(x.StartsAt).Before(c.today)
		}); i >= 0 {
			m = &d.Meetings[i]
		}
	}
	r, _, err := c.readiness(ctx, p, m, nil)
	if err != nil {
		return nil, err
	}
	d.Readiness, d.ReadinessOn = *r, c.day(m.StartsAt)
	d.FamilyLanguage = s.familyLanguage(ctx, c.district, c.student)
	if !i18n.Supported(d.FamilyLanguage) {
		d.FamilyLanguage = "en"
	}
	return d, nil
}

// TeamCandidates returns the staff who may be added to a plan's team, to staff who may edit
// it: the active staff of the student's school and the district-wide staff (a district has
// thousands of staff; those of its other schools are not offered).
func (s *Service) TeamCandidates(ctx context.Context, a Actor, districtID, planID string) ([]iep.Staff, error) {
	if a.IsFamily() {
		return nil, errNotStaffScreen
	}
	c, err := s.begin(ctx, a, access.EditPlan, districtID, "plan", planID)
	if err != nil {
		return nil, err
	}
	st, err := s.db.GetStudent(ctx, c.district, c.student)
	if err != nil {
		return nil, err
	}
	all, err := s.db.ListSchoolStaff(ctx, c.district, st.SchoolID)
	if err != nil {
		return nil, err
	}
	var out []iep.Staff
	for _, x := range all {
		if slices.ContainsFunc(x.Roles, func(r iep.StaffRole) bool { return r != iep.RoleStateViewer }) {
			out = append(out, x)
		}
	}
	return out, nil
}

// deskTeam reads the team with names, and the guardians.
func (s *Service) deskTeam(ctx context.Context, c *step, d *PlanDesk) error {
	var err error
	if d.Guardians, err = s.db.ListGuardians(ctx, c.district, c.student); err != nil {
		return err
	}
	members, err := s.db.ListTeam(ctx, c.district, d.Plan.ID)
	if err != nil {
		return err
	}
	r := &Record{District: d.District, Student: d.Student, Guardians: d.Guardians}
	d.Team = make([]TeamMember, len(members))
	for i, m := range members {
		name, err := s.memberName(ctx, r, m)
		if err != nil {
			return err
		}
		d.Team[i] = TeamMember{TeamMember: m, Name: name}
	}
	return nil
}

// deskMeetings reads the plan's meetings, earliest first.
func (s *Service) deskMeetings(ctx context.Context, c *step, d *PlanDesk) error {
	ms, err := s.db.ListMeetings(ctx, c.district, c.student)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if m.PlanID == d.Plan.ID {
			d.Meetings = append(d.Meetings, m)
			d.Finalized = d.Finalized || m.Finalizes
		}
	}
	slices.SortStableFunc(d.Meetings, func(a, b iep.Meeting) int { return a.StartsAt.Compare(b.StartsAt) })
	return nil
}

// deskRules reads the numbers of the district's pack.
func (s *Service) deskRules(ctx context.Context, c *step, d *PlanDesk) error {
	pack, err := c.pack(ctx)
	if err != nil {
		return err
	}
	r := DeskRules{Pack: pack.ID, TransitionAge: 16, DraftBeforeMeeting: pack.DraftBeforeMeeting, MinContactAttempts: MinContactAttempts}
	if t, ok := pack.Rule("transition_plan"); ok && t.Amount > 0 {
		r.TransitionAge = t.Amount
	}
	if n, ok := pack.Rule("meeting_notice"); ok {
		r.NoticeUnit = n.Unit
	}
	earliest, lead, ok, err := c.ruleDate(ctx, "meeting_notice", c.today)
	if err != nil {
		return err
	}
	if ok {
		r.NoticeDays, r.EarliestMeeting = lead, earliest
	}
	for _, x := range pack.Rules {
		if x.Silence == rules.SilenceRejection {
			r.ResponseDays, r.SilenceRejects = x.Amount, true
		}
	}
	if x, ok := pack.Rule("parent_response"); ok && !r.SilenceRejects {
		r.ResponseDays = x.Amount
	}
	d.Rules = r
	return nil
}

// deskProposal reads the versions, the version proposed now with its notice, the responses and
// the student's documents.
func (s *Service) deskProposal(ctx context.Context, c *step, d *PlanDesk) error {
	vs, err := s.db.ListVersions(ctx, c.district, d.Plan.ID)
	if err != nil {
		return err
	}
	number := map[string]int{}
	for _, v := range vs {
		d.Versions = append(d.Versions, VersionInfo{Number: v.Number, SHA256: v.SHA256, CreatedBy: v.CreatedBy})
		number[v.ID] = v.Number
	}
	docs, err := s.db.ListDocuments(ctx, c.district, c.student)
	if err != nil {
		return err
	}
	for _, doc := range docs {
		d.Documents[doc.ID] = doc
	}
	rs, err := s.db.ListResponses(ctx, c.district, d.Plan.ID)
	if err != nil {
		return err
	}
	for _, r := range rs {
		dr := DeskResponse{Response: r, Version: number[r.VersionID], Responder: d.Student.DisplayName()}
		for _, g := range d.Guardians {
			if g.ID == r.GuardianID {
				dr.Responder = g.Name()
			}
		}
		d.Responses = append(d.Responses, dr)
	}
	slices.Reverse(d.Responses)
	if d.Plan.CurrentVersion == 0 {
		return nil
	}
	f, err := s.frozen(ctx, c.district, d.Plan.ID, d.Plan.CurrentVersion)
	if err != nil {
		return err
	}
	d.Proposed, d.ProposedSHA = f.plan, f.sha
	events, err := s.db.ListEvents(ctx, c.district, c.student)
	if err != nil {
		return err
	}
	want := strconv.Itoa(d.Plan.CurrentVersion)
	for _, e := range events {
		if e.Kind == iep.EventPlanProposed && e.PlanID == d.Plan.ID && rules.DataString(&e, "version") == want {
			d.ProposedOn = e.OccurredOn
			if d.Notice, err = s.noticeByID(ctx, c, rules.DataString(&e, "notice_id")); err != nil {
				return err
			}
		}
	}
	if d.Rules.ResponseDays > 0 && !d.ProposedOn.IsZero() {
		d.ResponseDue = d.ProposedOn.AddDays(d.Rules.ResponseDays)
	}
	return nil
}

// meetingNotice finds the notice sent for a meeting (through its ledger event).
func (s *Service) meetingNotice(ctx context.Context, c *step, meetingID string) (*iep.Notice, error) {
	events, err := s.db.ListEvents(ctx, c.district, c.student)
	if err != nil {
		return nil, err
	}
	id := ""
	for _, e := range events {
		if e.Kind == iep.EventMeetingNoticeSent && rules.DataString(&e, "meeting_id") == meetingID {
			id = cmp.Or(rules.DataString(&e, "notice_id"), id)
		}
	}
	return s.noticeByID(ctx, c, id)
}

// noticeByID returns a notice of the step's student; nil when id is empty or names none.
func (s *Service) noticeByID(ctx context.Context, c *step, id string) (*iep.Notice, error) {
	if id == "" {
		return nil, nil
	}
	ns, err := s.db.ListNotices(ctx, c.district, c.student)
	if err != nil {
		return nil, err
	}
	for i := range ns {
		if ns[i].ID == id {
			return &ns[i], nil
		}
	}
	return nil, nil
}
