package app

// The family's page of progress and services: each goal of the plan in effect with every
// measurement, the progress reports, and each service promised against what was delivered,
// with the sessions missed (why, and whose absence it was) and made up.

import (
	"context"
	"fmt"
	"slices"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// auditProgress is the record kind of a reading of the progress page.
const auditProgress = "progress"

// FamilyProgress is what the family sees of their child's progress and services.
type FamilyProgress struct {
	District iep.District
	Student  iep.Student
	Today    date.Date
	// Plan is the plan in effect whose goals are shown, as the family agreed to it (its frozen
	// version); nil when no plan is in effect.
	Plan *iep.Plan
	// Goals are the plan's goals, each with its measurements and latest report.
	Goals []GoalSeries
	// Reports are the plan's progress reports, newest first.
	Reports []iep.ProgressReport
	// Delivery is the services in effect with their minutes (Record.Delivery); nil when no plan
	// is in effect.
	Delivery *Delivery
	// Services are the lines of Delivery, in the same order, with their sessions this school year.
	Services []ServiceSessions
	// MayViewAccessRecord is set when the reader may open the record of access.
	MayViewAccessRecord bool
}

// GoalSeries is one goal with every measurement of it (by date) and the latest report rating it.
type GoalSeries struct {
	Goal   iep.Goal
	Points []iep.ProgressPoint
	Report *iep.ProgressReport // nil when no report rates the goal yet
	Entry  *iep.ProgressEntry  // the goal's entry in Report
}

// Latest is the goal's latest measurement; nil when there is none.
func (g GoalSeries) Latest() *iep.ProgressPoint {
	if len(g.Points) == 0 {
		return nil
	}
	return &g.Points[len(g.Points)-1]
}

// Absence says whose absence a missed session was.
type Absence string

const (
	AbsenceChild  Absence = "child"  // the child was absent or not available
	AbsenceSchool Absence = "school" // the provider was absent or given other work
	AbsenceClosed Absence = "closed" // the school was closed
	AbsenceOther  Absence = "other"
)

// AbsenceOf says whose absence a missed reason is.
func AbsenceOf(r iep.MissedReason) Absence {
	switch r {
	case iep.MissedStudentAbsent, iep.MissedStudentUnavailable:
		return AbsenceChild
	case iep.MissedProviderAbsent, iep.MissedProviderDuty:
		return AbsenceSchool
	case iep.MissedSchoolClosed:
		return AbsenceClosed
	}
	return AbsenceOther
}

// Session is one logged session of a service, with what links a missed session and its make-up.
type Session struct {
	iep.ServiceLog
	// Whose is, for a missed session, whose absence it was.
	Whose Absence
	// MadeUpOn is, for a missed session that was made up, the make-up's date.
	MadeUpOn date.Date
	// MakesUp is, for a make-up session, the date of the session it makes up (zero when that
	// session is not in the period shown).
	MakesUp date.Date
}

// ServiceSessions is one service line in effect with its minutes and its sessions this school
// year, newest first, and the counts of each kind.
type ServiceSessions struct {
	LineDelivery
	Sessions                  []Session
	Delivered, Missed, MadeUp int
	// MissedBy counts the missed sessions by whose absence they were.
	MissedBy map[Absence]int
	// NotMadeUp counts the sessions the school missed (its own absence) that were not made up.
	NotMadeUp int
}

// Behind reports whether the school owes minutes of the line this school year: periods already
// over (weeks, months, cycles) left minutes neither delivered nor excused (package delivery). A
// week under way owes nothing yet: its sessions may still come.
func (l ServiceSessions) Behind() bool { return l.Year.Owed > 0 }

// FamilyProgress returns the progress page of a child for the family: the goals of the plan in
// effect with every measurement, the progress reports, the services with their minutes and
// sessions this school year. Staff are answered not found (their page is the student record).
// One audit entry: read of "progress". Errors: the policy's (not found for another family's
// child).
func (s *Service) FamilyProgress(ctx context.Context, a Actor, districtID, studentID string) (*FamilyProgress, error) {
	dec, d, st, err := s.familyPage(ctx, a, access.ViewRecord, districtID, studentID)
	if err != nil {
		return nil, err
	}
	r := &Record{District: *d, Student: *st, Today: s.today(d.Timezone), Reason: dec.Reason, family: true}
	if r.plans, err = s.db.ListPlans(ctx, districtID, studentID); err != nil {
		return nil, err
	}
	r.plans = slices.DeleteFunc(r.plans, func(p iep.Plan) bool { return p.Status == iep.StatusDraft && p.SharedAt.IsZero() })
	if err := s.readDelivery(ctx, r); err != nil {
		return nil, fmt.Errorf("student %s: %w", studentID, err)
	}
	fp := &FamilyProgress{District: r.District, Student: r.Student, Today: r.Today, Delivery: r.Delivery,
		MayViewAccessRecord: r.MayViewAccessRecord()}
	if err := s.readGoalSeries(ctx, fp, newestInEffect(r.plans)); err != nil {
		return nil, fmt.Errorf("student %s: %w", studentID, err)
	}
	if err := s.readSessions(ctx, fp); err != nil {
		return nil, fmt.Errorf("student %s: %w", studentID, err)
	}
	if err := s.audit(ctx, a, dec, auditRead, auditProgress, studentID, districtID, studentID); err != nil {
		return nil, err
	}
	return fp, nil
}

// readGoalSeries reads the goals of plan p (in effect; nil for none) as frozen, their
// measurements and the plan's reports, newest first.
func (s *Service) readGoalSeries(ctx context.Context, fp *FamilyProgress, p *iep.Plan) error {
	if p == nil {
		return nil
	}
	plan, goals, reports, err := s.goalSeries(ctx, fp.District.ID, p)
	if err != nil {
		return err
	}
	fp.Plan, fp.Goals = plan, goals
	fp.Reports = slices.Clone(reports) // Goals point into reports: reverse a copy
	slices.Reverse(fp.Reports)
	return nil
}

// goalSeries reads plan p (in effect) as the family agreed to it (its frozen version's content
// under p's header), each of its goals with its measurements and latest report, and the plan's
// reports by the end of their period. The family's page and the staff's read it alike.
func (s *Service) goalSeries(ctx context.Context, districtID string, p *iep.Plan) (*iep.Plan, []GoalSeries, []iep.ProgressReport, error) {
	plan := p
	if p.CurrentVersion > 0 {
		f, err := s.frozen(ctx, districtID, p.ID, p.CurrentVersion)
		if err != nil {
			return nil, nil, nil, err
		}
		thawed := *p
		thawed.Content = f.plan.Content
		plan = &thawed
	}
	points, err := s.db.ListProgressPoints(ctx, districtID, p.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	reports, err := s.db.ListProgressReports(ctx, districtID, p.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	var goals []GoalSeries
	for _, g := range plan.Content.Goals.Goals {
		gs := GoalSeries{Goal: g}
		for _, pt := range points { // by goal and date
			if pt.GoalID == g.ID {
				gs.Points = append(gs.Points, pt)
			}
		}
		for i := range reports { // by the end of their period: the last one is the latest
			for j := range reports[i].Entries {
				if reports[i].Entries[j].GoalID == g.ID {
					gs.Report, gs.Entry = &reports[i], &reports[i].Entries[j]
				}
			}
		}
		goals = append(goals, gs)
	}
	return plan, goals, reports, nil
}

// readSessions reads the service logs of the school year Delivery counts and sorts them into
// each line's sessions, newest first, linking missed sessions with their make-ups.
func (s *Service) readSessions(ctx context.Context, fp *FamilyProgress) error {
	dl := fp.Delivery
	if dl == nil || len(dl.Lines) == 0 {
		return nil
	}
	logs, err := s.db.ListServiceLogs(ctx, fp.District.ID, fp.Student.ID, dl.YearFrom, dl.To)
	if err != nil {
		return err
	}
	byID := make(map[string]*iep.ServiceLog, len(logs))
	madeUp := map[string]date.Date{} // missed log id → the make-up's date
	for i := range logs {
		byID[logs[i].ID] = &logs[i]
		if logs[i].Status == iep.SessionMakeUp && logs[i].MakeUpOf != "" {
			madeUp[logs[i].MakeUpOf] = logs[i].Date
		}
	}
	for _, l := range dl.Lines {
		ss := ServiceSessions{LineDelivery: l, MissedBy: map[Absence]int{}}
		for i := len(logs) - 1; i >= 0; i-- { // by date: newest first
			g := logs[i]
			if g.ServiceLineID != l.ID {
				continue
			}
			x := Session{ServiceLog: g}
			switch g.Status {
			case iep.SessionDelivered:
				ss.Delivered++
			case iep.SessionMakeUp:
				ss.MadeUp++
				if m := byID[g.MakeUpOf]; m != nil {
					x.MakesUp = m.Date
				}
			case iep.SessionMissed:
				ss.Missed++
				x.Whose, x.MadeUpOn = AbsenceOf(g.MissedReason), madeUp[g.ID]
				ss.MissedBy[x.Whose]++
				if x.Whose == AbsenceSchool && x.MadeUpOn.IsZero() {
					ss.NotMadeUp++
				}
			}
			ss.Sessions = append(ss.Sessions, x)
		}
		fp.Services = append(fp.Services, ss)
	}
	return nil
}
