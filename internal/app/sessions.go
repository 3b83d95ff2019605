package app

// The provider's day and the logging of service sessions. A provider sees the sessions their
// assignments schedule on a day (iep.Assignment: the weekdays and the time they see a student for
// one service line), students seen at the same time together as a group, the lines they are
// assigned without a session that day (with what the week still requires), and the sessions
// missed for the school's reasons that are not made up yet. A session is logged for one student
// or for a whole group at once: delivered (the line's minutes by default), missed with a reason,
// or a make-up linked to the session it makes up; with a substitute who delivered it, a note
// and the Medicaid fields kept for export. The first session delivered under a plan records
// services_started, which meets the services-start clock.

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/delivery"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// auditServiceLog is the kind of record a logged session is audited as.
const auditServiceLog = "service_log"

// SessionItem is one student's service line as the provider's day shows it.
type SessionItem struct {
	Assignment iep.Assignment
	Student    iep.Student // the directory view: name, grade, school
	PlanID     string
	Line       iep.ServiceLine
	// Logged are the sessions already logged for the line on the day.
	Logged []iep.ServiceLog
	// Week is the line's account of the day's week (Monday to Sunday, to the day).
	Week delivery.Line
}

// Done reports whether a session of the line was logged on the day.
func (i SessionItem) Done() bool { return len(i.Logged) > 0 }

// SessionSlot is the students a provider sees at one time on the day: more than one is a group.
type SessionSlot struct {
	Time  string // "09:30"; "" for sessions scheduled without a time
	Items []SessionItem
}

// Group reports whether the slot is a group session.
func (s SessionSlot) Group() bool { return len(s.Items) > 1 }

// OwedSession is a session missed for the school's reasons (not the student's) and not made up.
type OwedSession struct {
	SessionItem
	Missed iep.ServiceLog
}

// ProviderDay is a provider's sessions of one day.
type ProviderDay struct {
	District  iep.District
	Provider  iep.Staff
	Day       date.Date
	Today     date.Date
	SchoolDay bool // the district's calendar counts the day (Monday to Friday without one)
	// Slots are the sessions scheduled on the day, by time; Unscheduled the lines assigned with
	// no session that weekday (or no schedule yet), with what their week still requires.
	Slots       []SessionSlot
	Unscheduled []SessionItem
	Owed        []OwedSession
	// Colleagues are the district's active staff who may have delivered a session instead.
	Colleagues []iep.Staff
}

// Items is every line of the day, scheduled or not.
func (d *ProviderDay) Items() []SessionItem {
	var out []SessionItem
	for _, s := range d.Slots {
		out = append(out, s.Items...)
	}
	return append(out, d.Unscheduled...)
}

// SessionDay returns the provider's day: every assignment of the actor in force on day, each
// student authorized (LogService) and each read audited ("read", "sessions", the day). A day
// after today is refused (nothing can be logged for it yet). Errors: the policy's; invalid for a
// day in the future.
func (s *Service) SessionDay(ctx context.Context, a Actor, districtID string, day date.Date) (*ProviderDay, error) {
	if !a.SignedIn() {
		return nil, iep.ErrUnauthenticated
	}
	if a.Kind != ActorStaff || a.DistrictID != districtID {
		return nil, iep.Errorf(iep.KindNotFound, "not found")
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	out := &ProviderDay{District: *d, Today: s.today(d.Timezone)}
	if day.IsZero() {
		day = out.Today
	}
	if day.After(out.Today) {
		return nil, iep.Problems{{Field: "day", Code: iep.CodeRange, Detail: "today or before"}}.Err()
	}
	out.Day = day
	me, err := s.db.GetStaff(ctx, districtID, a.ID)
	if err != nil {
		return nil, err
	}
	out.Provider = *me
	_, school, err := s.schoolCalendar(ctx, d, day)
	if err != nil {
		return nil, err
	}
	out.SchoolDay = school(day)
	assigned, err := s.db.ListProviderAssignments(ctx, districtID, a.ID, day)
	if err != nil {
		return nil, err
	}
	logged, err := s.db.ListProviderLogs(ctx, districtID, a.ID, day)
	if err != nil {
		return nil, err
	}
	monday := day.AddDays(-((int(day.Weekday()) + 6) % 7))
	slots := map[string]*SessionSlot{}
	var students []string
	for i, asg := range assigned {
		if i == 0 || asg.StudentID != assigned[i-1].StudentID {
			students = append(students, asg.StudentID)
		}
	}
	for _, studentID := range students {
		c, err := s.begin(ctx, a, access.LogService, districtID, "student", studentID)
		if iep.KindOf(err) == iep.KindNotFound || iep.KindOf(err) == iep.KindForbidden {
			continue // no longer theirs to log (the student moved away): the assignment stays for the record
		}
		if err != nil {
			return nil, err
		}
		st, err := s.db.GetStudent(ctx, districtID, studentID)
		if err != nil {
			return nil, err
		}
		plans, err := s.db.ListPlans(ctx, districtID, studentID)
		if err != nil {
			return nil, err
		}
		spans, err := s.serviceSpans(ctx, districtID, plans, monday, day)
		if err != nil {
			return nil, err
		}
		logs, err := s.db.ListServiceLogs(ctx, districtID, studentID, monday.AddDays(-366), day)
		if err != nil {
			return nil, err
		}
		week := delivery.Count(spans, logs, monday, day, day.AddDays(1), school)
		for _, asg := range assigned {
			if asg.StudentID != studentID {
				continue
			}
			sp := spanOn(spans, asg.ServiceLineID, day)
			if sp == nil {
				continue // the line is not in force on the day
			}
			item := SessionItem{Assignment: asg, Student: directoryView(*st), PlanID: sp.PlanID, Line: sp.Line}
			if l := lineOf(week, asg.ServiceLineID); l != nil {
				item.Week = *l
			}
			for _, g := range logged {
				if g.StudentID == studentID && g.ServiceLineID == asg.ServiceLineID {
					item.Logged = append(item.Logged, g)
				}
			}
			if asg.On(day) {
				slot := slots[asg.StartTime]
				if slot == nil {
					slot = &SessionSlot{Time: asg.StartTime}
					slots[asg.StartTime] = slot
				}
				slot.Items = append(slot.Items, item)
			} else {
				out.Unscheduled = append(out.Unscheduled, item)
			}
			out.Owed = append(out.Owed, owedSessions(item, logs, day)...)
		}
		if err := c.readAudit(ctx, "sessions", day.String()); err != nil {
			return nil, err
		}
	}
	for _, slot := range slots {
		slices.SortFunc(slot.Items, func(x, y SessionItem) int { return strings.Compare(x.Student.DisplayName(), y.Student.DisplayName()) })
		out.Slots = append(out.Slots, *slot)
	}
	// By time; sessions scheduled without a time last.
	slices.SortFunc(out.Slots, func(x, y SessionSlot) int {
		return cmp.Or(cmp.Compare(untimed(x), untimed(y)), strings.Compare(x.Time, y.Time))
	})
	slices.SortFunc(out.Owed, func(x, y OwedSession) int { return x.Missed.Date.Compare(y.Missed.Date) })
	staff, err := s.db.ListStaff(ctx, districtID)
	if err != nil {
		return nil, err
	}
	for _, st := range staff {
		if st.Active && st.ID != a.ID {
			out.Colleagues = append(out.Colleagues, st)
		}
	}
	return out, nil
}

// untimed is 1 for a slot without a time, else 0.
func untimed(s SessionSlot) int {
	if s.Time == "" {
		return 1
	}
	return 0
}

// spanOn finds the span of line id in force on day d.
func spanOn(spans []delivery.Span, id string, d date.Date) *delivery.Span {
	for i := range spans {
		if spans[i].Line.ID == id && spans[i].In(d) {
			return &spans[i]
		}
	}
	return nil
}

// owedSessions are the item's sessions missed for the school's reasons before day and not made
// up.
func owedSessions(item SessionItem, logs []iep.ServiceLog, day date.Date) []OwedSession {
	madeUp := map[string]bool{}
	for _, g := range logs {
		if g.Status == iep.SessionMakeUp && g.MakeUpOf != "" {
			madeUp[g.MakeUpOf] = true
		}
	}
	var out []OwedSession
	for _, g := range logs {
		if g.ServiceLineID == item.Line.ID && g.Status == iep.SessionMissed && !delivery.Excused(g.MissedReason) &&
			!madeUp[g.ID] && g.Date.Before(day) {
			out = append(out, OwedSession{SessionItem: item, Missed: g})
		}
	}
	return out
}

// SessionEntry is one student's part of a session logged: the status, the minutes (0 for the
// line's minutes a session when delivered), why it was missed, which missed session a make-up
// makes up.
type SessionEntry struct {
	StudentID    string
	LineID       string
	Status       iep.SessionStatus
	Minutes      int
	MissedReason iep.MissedReason
	MakeUpOf     string
}

// SessionsInput is a session logged for one student or for a group at once.
type SessionsInput struct {
	Date    date.Date
	Entries []SessionEntry
	Note    string
	// SubstituteID is who delivered it instead of the provider ("" the provider did).
	SubstituteID string
	// Medicaid: billable, the supervising clinician, and a reason to leave it out of billing.
	Billable     bool
	SupervisorID string
	OmitReason   string
}

// LogSessions stores a session for each entry, as the actor's (the provider): one student, or a
// group logged once (the delivered entries share a group session id and count the students
// present). Each entry's student is authorized (LogService), its line must be in force on the
// day under a plan of the student, a make-up must name a missed session of the same line not
// made up yet. Everything is written in one transaction, with an audit entry per session and,
// for the first session delivered under a plan, the services_started event. Errors: invalid,
// each problem at its field ("entries[i].minutes"); the policy's.
func (s *Service) LogSessions(ctx context.Context, a Actor, districtID string, in SessionsInput) ([]iep.ServiceLog, error) {
	if !a.SignedIn() {
		return nil, iep.ErrUnauthenticated
	}
	if a.Kind != ActorStaff || a.DistrictID != districtID {
		return nil, iep.Errorf(iep.KindNotFound, "not found")
	}
	if len(in.Entries) == 0 {
		return nil, iep.Problems{{Field: "entries", Code: iep.CodeRequired, Detail: "at least one student"}}.Err()
	}
	type prepared struct {
		c      *step
		log    iep.ServiceLog
		starts bool // the plan's first session delivered: record services_started
	}
	var ps iep.Problems
	var out []prepared
	present := 0
	for _, e := range in.Entries {
		if e.Status != iep.SessionMissed {
			present++
		}
	}
	group := ""
	if present > 1 {
		if err := store.NewID(&group); err != nil {
			return nil, err
		}
	}
	started := map[string]bool{} // plan ids whose services started already (read or in this call)
	for i, e := range in.Entries {
		field := func(f string) string { return "entries[" + strconv.Itoa(i) + "]." + f }
		c, err := s.begin(ctx, a, access.LogService, districtID, "student", e.StudentID)
		if err != nil {
			return nil, err
		}
		if !in.Date.IsZero() && in.Date.After(c.today) {
			ps = append(ps, iep.Problem{Field: "date", Code: iep.CodeRange, Detail: "today or before"})
			return nil, ps.Err()
		}
		plans, err := s.db.ListPlans(ctx, districtID, e.StudentID)
		if err != nil {
			return nil, err
		}
		spans, err := s.serviceSpans(ctx, districtID, plans, in.Date, in.Date)
		if err != nil {
			return nil, err
		}
		sp := spanOn(spans, e.LineID, in.Date)
		if sp == nil {
			ps = append(ps, iep.Problem{Field: field("line_id"), Code: iep.CodeInvalid, Detail: "no such service in force on that day"})
			continue
		}
		g := iep.ServiceLog{DistrictID: districtID, StudentID: e.StudentID, PlanID: sp.PlanID, ServiceLineID: e.LineID,
			Date: in.Date, Minutes: e.Minutes, Status: e.Status, MissedReason: e.MissedReason, MakeUpOf: e.MakeUpOf,
			GroupSessionID: group, GroupSize: max(1, present), ProviderID: a.ID, ActualProviderID: in.SubstituteID,
			Note: strings.TrimSpace(in.Note), Medicaid: iep.Medicaid{Billable: in.Billable, SupervisorID: in.SupervisorID,
				OmitFromBilling: strings.TrimSpace(in.OmitReason) != "", OmitReason: strings.TrimSpace(in.OmitReason)}}
		if g.Status == iep.SessionMissed {
			g.GroupSessionID, g.GroupSize, g.Medicaid.Billable = "", 1, false
		} else if g.Minutes == 0 {
			g.Minutes = sp.Line.MinutesPerSession
		}
		if g.ActualProviderID == a.ID {
			g.ActualProviderID = ""
		}
		if g.Status == iep.SessionMakeUp {
			if p := s.checkMakeUp(ctx, districtID, &g); p != nil {
				p.Field = field(p.Field)
				ps = append(ps, *p)
			}
		}
		if err := g.Validate(); err != nil {
			ps.Nest("entries["+strconv.Itoa(i)+"].", err)
			continue
		}
		pr := prepared{c: c, log: g}
		if g.Status != iep.SessionMissed && !started[g.PlanID] {
			began, err := s.servicesStarted(ctx, districtID, e.StudentID, g.PlanID)
			if err != nil {
				return nil, err
			}
			pr.starts = !began
			started[g.PlanID] = true
		}
		out = append(out, pr)
	}
	for _, id := range []struct{ field, id string }{{"substitute_id", in.SubstituteID}, {"supervisor_id", in.SupervisorID}} {
		if id.id == "" {
			continue
		}
		if st, err := s.db.GetStaff(ctx, districtID, id.id); iep.KindOf(err) == iep.KindNotFound || (err == nil && !st.Active) {
			ps = append(ps, iep.Problem{Field: id.field, Code: iep.CodeInvalid, Detail: "no such staff member in this district"})
		} else if err != nil {
			return nil, err
		}
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	logs := make([]iep.ServiceLog, len(out))
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		for i := range out {
			p := &out[i]
			if err := tx.CreateServiceLog(ctx, &p.log); err != nil {
				return err
			}
			if p.starts {
				if err := p.c.event(ctx, tx, iep.EventServicesStarted, p.log.PlanID, p.log.Date, nil); err != nil {
					return err
				}
			}
			if err := p.c.audit(ctx, tx, "create", auditServiceLog, p.log.ID); err != nil {
				return err
			}
			logs[i] = p.log
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return logs, nil
}

// checkMakeUp finds the missed session a make-up makes up: the same student's and line's, missed,
// on or before the make-up's day, not made up already. A problem at make_up_of otherwise.
func (s *Service) checkMakeUp(ctx context.Context, districtID string, g *iep.ServiceLog) *iep.Problem {
	bad := &iep.Problem{Field: "make_up_of", Code: iep.CodeInvalid, Detail: "not a missed session of this service that is still owed"}
	if g.MakeUpOf == "" {
		return &iep.Problem{Field: "make_up_of", Code: iep.CodeRequired}
	}
	logs, err := s.db.ListServiceLogs(ctx, districtID, g.StudentID, date.Date{}, g.Date)
	if err != nil {
		return bad
	}
	var missed *iep.ServiceLog
	for i := range logs {
		switch l := &logs[i]; {
		case l.ID == g.MakeUpOf && l.ServiceLineID == g.ServiceLineID && l.Status == iep.SessionMissed:
			missed = l
		case l.Status == iep.SessionMakeUp && l.MakeUpOf == g.MakeUpOf:
			return bad // made up already
		}
	}
	if missed == nil {
		return bad
	}
	return nil
}

// servicesStarted reports whether the plan's services_started event is recorded.
func (s *Service) servicesStarted(ctx context.Context, districtID, studentID, planID string) (bool, error) {
	events, err := s.db.ListEvents(ctx, districtID, studentID)
	if err != nil {
		return false, err
	}
	for _, e := range events {
		if e.Kind == iep.EventServicesStarted && e.PlanID == planID {
			return true, nil
		}
	}
	return false, nil
}

// ServiceAssignmentInput assigns a provider to a student's service line with their schedule.
type ServiceAssignmentInput struct {
	LineID     string
	ProviderID string
	Weekdays   []time.Weekday
	StartTime  string
	StartsOn   date.Date // zero: today
}

// AssignProvider assigns a provider to one of the student's service lines in force (or to
// come) under the plan in effect, with the provider's schedule; an open assignment of the same
// line and provider ends the day before (a new schedule replaces it). Who: whoever may edit the
// student's plan (case manager, team, administrators); a provider assigning themselves to a
// student they log services for. Audited ("create", "assignment"). Errors: invalid at the
// field; the policy's.
func (s *Service) AssignProvider(ctx context.Context, a Actor, districtID, studentID string, in ServiceAssignmentInput) (*iep.Assignment, error) {
	c, err := s.begin(ctx, a, access.EditPlan, districtID, "student", studentID)
	if (iep.KindOf(err) == iep.KindForbidden || iep.KindOf(err) == iep.KindNotFound) && in.ProviderID == a.ID {
		c, err = s.begin(ctx, a, access.LogService, districtID, "student", studentID)
	}
	if err != nil {
		return nil, err
	}
	asg := iep.Assignment{DistrictID: districtID, StudentID: studentID, ServiceLineID: in.LineID, ProviderID: in.ProviderID,
		Weekdays: in.Weekdays, StartTime: strings.TrimSpace(in.StartTime), StartsOn: in.StartsOn, CreatedBy: a.ID}
	if asg.StartsOn.IsZero() {
		asg.StartsOn = c.today
	}
	slices.Sort(asg.Weekdays)
	asg.Weekdays = slices.Compact(asg.Weekdays)
	var ps iep.Problems
	if err := asg.Validate(); err != nil {
		ps.Nest("", err)
	}
	plans, err := s.db.ListPlans(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	cur := newestInEffect(plans)
	found := false
	if cur != nil && in.LineID != "" {
		lines, err := s.planServices(ctx, districtID, cur, false)
		if err != nil {
			return nil, err
		}
		found = slices.ContainsFunc(lines, func(l iep.EffectiveLine) bool { return l.ID == in.LineID })
	}
	if !found && in.LineID != "" {
		ps = append(ps, iep.Problem{Field: "service_line_id", Code: iep.CodeInvalid, Detail: "not a service of the plan in effect"})
	}
	if in.ProviderID != "" {
		if st, err := s.db.GetStaff(ctx, districtID, in.ProviderID); iep.KindOf(err) == iep.KindNotFound || (err == nil && !st.Active) {
			ps = append(ps, iep.Problem{Field: "provider_id", Code: iep.CodeInvalid, Detail: "no such staff member in this district"})
		} else if err != nil {
			return nil, err
		}
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	existing, err := s.db.ListStudentAssignments(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		for _, e := range existing {
			if e.ServiceLineID == asg.ServiceLineID && e.ProviderID == asg.ProviderID && e.InForce(asg.StartsOn) {
				if err := tx.EndAssignment(ctx, districtID, e.ID, asg.StartsOn.AddDays(-1)); err != nil {
					return err
				}
			}
		}
		if err := tx.CreateAssignment(ctx, &asg); err != nil {
			return err
		}
		return c.audit(ctx, tx, "create", "assignment", asg.ID)
	})
	if err != nil {
		return nil, err
	}
	return &asg, nil
}
