package app

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/delivery"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/schoolday"
	"github.com/openiep/openiep/internal/store"
)

// Record is everything a reader sees of one student: the profile, the guardians, the plan in
// effect (or the latest plan) with every section, the earlier plans, the plan's team with names
// resolved, the meetings and the ledger of events.
type Record struct {
	District  iep.District
	Student   iep.Student
	School    *iep.School // the student's school; nil when it cannot be found
	Guardians []store.GuardianLink
	// Plan is the plan in effect, else the latest plan; nil when the student has none.
	Plan *iep.Plan
	// PlanSchool is the school named by the plan's placement (or the plan's school); nil if none.
	PlanSchool  *iep.School
	CaseManager string       // the plan's case manager's name; "" when none is recorded
	History     []iep.Plan   // the student's other plans, newest first
	Team        []TeamMember // the team of Plan
	Meetings    []iep.Meeting
	Events      []iep.Event // newest first
	Today       date.Date   // today in the district's time zone
	// DirectoryOnly is set when the reader may see only the directory-level view (staff of the
	// student's school who are not on the team): the profile without guardians, plans, team,
	// meetings or events.
	DirectoryOnly bool
	// Reason is the relationship that let the reader see the record (access.Reason).
	Reason access.Reason

	// Deadlines are the student's open deadlines (by due date), then those met in the last
	// RecentDeadlineDays (most recent first), each with its state on Today.
	Deadlines []StudentDeadline
	// Documents are the student's documents, newest first (metadata only).
	Documents []iep.Document
	// Delivery is the services in effect with the minutes promised and delivered so far; nil
	// when no plan is in effect.
	Delivery *Delivery
	// Progress is each goal of Plan with its latest measurement and latest reported rating.
	Progress []GoalProgress
	// RecordsRequests are the family's requests to see the records, newest first, each with the
	// day the school must answer by (records.go).
	RecordsRequests []RecordsRequestView
	// OpenPlan is the plan being written or waiting for the family's answer (draft, proposed);
	// nil when none.
	OpenPlan *iep.Plan
	// MayEdit is set when the reader is staff who may edit the student's plans (the policy's
	// edit_plan): the page offers the plan's editor, its team, its meetings.
	MayEdit bool
	// NewPlanKinds are the kinds of plan the reader may start now: none while a plan is open or
	// when they may not edit; annual, amendment and reevaluation with a plan in effect; initial
	// once the student is found eligible and no plan is in effect.
	NewPlanKinds []iep.PlanKind

	family bool       // the reader is the family: drafts not yet shared are not shown
	plans  []iep.Plan // every plan of the student (newest first), as read for History
}

// TeamMember is a member of a plan's team with the person's name resolved; Name is "" when the
// person cannot be found.
type TeamMember struct {
	iep.TeamMember
	Name string
}

// StudentRecord returns the record of one student of a district, and records the read in the
// district's audit trail (one entry: action "read", or "read_directory" for the directory-level
// view; record "student", the student's id; the policy's reason).
//
// Errors: KindNotFound for an unknown district or a student who is not in it (a student of
// another district is not found), or one the actor may not know exists; the policy's kinds.
func (s *Service) StudentRecord(ctx context.Context, a Actor, districtID, studentID string) (*Record, error) {
	dec, err := s.authorize(ctx, a, access.ViewRecord, districtID, studentID)
	directoryOnly := false
	if iep.KindOf(err) == iep.KindForbidden {
		if dir, derr := s.authorize(ctx, a, access.ViewDirectory, districtID, studentID); derr == nil {
			dec, err, directoryOnly = dir, nil, true
		}
	}
	if err != nil {
		return nil, err
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	st, err := s.db.GetStudent(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	r := &Record{District: *d, Student: *st, Today: s.today(d.Timezone), DirectoryOnly: directoryOnly, Reason: dec.Reason,
		family: a.IsFamily()}
	steps := []func(context.Context, *Record) error{s.readProfile, s.readPlan, s.readTeam, s.readHistory,
		s.readDeadlines, s.readDocuments, s.readDelivery, s.readProgress, s.readRecordsRequests}
	action := auditRead
	if directoryOnly {
		r.Student = directoryView(r.Student)
		steps, action = []func(context.Context, *Record) error{s.readSchool}, auditReadDirectory
	}
	for _, step := range steps {
		if err := step(ctx, r); err != nil {
			return nil, fmt.Errorf("student %s: %w", studentID, err)
		}
	}
	if !directoryOnly && a.Kind == ActorStaff {
		if err := s.readActions(ctx, a, r); err != nil {
			return nil, fmt.Errorf("student %s: %w", studentID, err)
		}
	}
	if err := s.audit(ctx, a, dec, action, auditStudent, studentID, districtID, studentID); err != nil {
		return nil, err
	}
	return r, nil
}

func (s *Service) readProfile(ctx context.Context, r *Record) error {
	if err := s.readSchool(ctx, r); err != nil {
		return err
	}
	var err error
	r.Guardians, err = s.db.ListGuardians(ctx, r.District.ID, r.Student.ID)
	return err
}

func (s *Service) readSchool(ctx context.Context, r *Record) (err error) {
	r.School, err = s.optionalSchool(ctx, r.District.ID, r.Student.SchoolID)
	return err
}

// directoryView keeps of a student only the directory information (FERPA 34 CFR 99.3, 99.37):
// names, grade, school, enrolment. Birth date, disabilities, languages and the rest are dropped.
func directoryView(st iep.Student) iep.Student {
	return iep.Student{ID: st.ID, DistrictID: st.DistrictID, SchoolID: st.SchoolID, LocalID: st.LocalID,
		FirstName: st.FirstName, LastName: st.LastName, PreferredName: st.PreferredName, Grade: st.Grade,
		EnrolledOn: st.EnrolledOn}
}

func (s *Service) readPlan(ctx context.Context, r *Record) error {
	p, err := s.db.CurrentPlan(ctx, r.District.ID, r.Student.ID)
	if iep.KindOf(err) == iep.KindNotFound {
		return nil
	}
	if err != nil {
		return err
	}
	if r.family && p.Status == iep.StatusDraft && p.SharedAt.IsZero() {
		return nil // the family sees a draft once it is shared with them
	}
	r.Plan = p
	schoolID := cmp.Or(p.Content.Placement.SchoolID, p.SchoolID)
	if r.PlanSchool, err = s.optionalSchool(ctx, r.District.ID, schoolID); err != nil {
		return err
	}
	r.CaseManager, err = s.staffName(ctx, r.District.ID, p.CaseManagerID)
	return err
}

func (s *Service) readTeam(ctx context.Context, r *Record) error {
	if r.Plan == nil {
		return nil
	}
	members, err := s.db.ListTeam(ctx, r.District.ID, r.Plan.ID)
	if err != nil {
		return err
	}
	r.Team = make([]TeamMember, len(members))
	for i, m := range members {
		name, err := s.memberName(ctx, r, m)
		if err != nil {
			return err
		}
		r.Team[i] = TeamMember{TeamMember: m, Name: name}
	}
	return nil
}

// memberName resolves who a team member is: staff by id, guardians from the record, the student
// themself, or a guest's own name.
func (s *Service) memberName(ctx context.Context, r *Record, m iep.TeamMember) (string, error) {
	switch {
	case m.StaffID != "":
		return s.staffName(ctx, r.District.ID, m.StaffID)
	case m.GuardianID != "":
		for _, g := range r.Guardians {
			if g.ID == m.GuardianID {
				return g.Name(), nil
			}
		}
		return "", nil
	case m.StudentID != "":
		return r.Student.DisplayName(), nil
	}
	return m.GuestName, nil
}

func (s *Service) readHistory(ctx context.Context, r *Record) error {
	plans, err := s.db.ListPlans(ctx, r.District.ID, r.Student.ID)
	if err != nil {
		return err
	}
	r.plans = plans
	for i, p := range plans {
		if r.family && p.Status == iep.StatusDraft && p.SharedAt.IsZero() {
			continue
		}
		if (p.Status == iep.StatusDraft || p.Status == iep.StatusProposed) && r.OpenPlan == nil {
			r.OpenPlan = &plans[i]
		}
		if r.Plan == nil || p.ID != r.Plan.ID {
			r.History = append(r.History, p)
		}
	}
	slices.SortStableFunc(r.History, func(a, b iep.Plan) int { return b.CreatedAt.Compare(a.CreatedAt) })
	if r.Meetings, err = s.db.ListMeetings(ctx, r.District.ID, r.Student.ID); err != nil {
		return err
	}
	slices.SortStableFunc(r.Meetings, func(a, b iep.Meeting) int { return b.StartsAt.Compare(a.StartsAt) })
	if r.Events, err = s.db.ListEvents(ctx, r.District.ID, r.Student.ID); err != nil {
		return err
	}
	slices.SortStableFunc(r.Events, func(a, b iep.Event) int {
		return cmp.Or(b.OccurredOn.Compare(a.OccurredOn), b.RecordedAt.Compare(a.RecordedAt))
	})
	return nil
}

// optionalSchool returns the school, or nil when id is empty or names no school of the district.
func (s *Service) optionalSchool(ctx context.Context, districtID, id string) (*iep.School, error) {
	if id == "" {
		return nil, nil
	}
	sc, err := s.db.GetSchool(ctx, districtID, id)
	if iep.KindOf(err) == iep.KindNotFound {
		return nil, nil
	}
	return sc, err
}

// staffName returns a staff member's name, or "" when id is empty or unknown.
func (s *Service) staffName(ctx context.Context, districtID, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	st, err := s.db.GetStaff(ctx, districtID, id)
	if iep.KindOf(err) == iep.KindNotFound {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return st.Name(), nil
}

// today is the civil date now in the district's time zone (UTC when the zone is unknown).
func (s *Service) today(tz string) date.Date {
	now := s.now()
	if loc, err := loadLocation(tz); err == nil {
		now = now.In(loc)
	}
	return date.Of(now)
}

// WeeklyMinutes returns the minutes per week a service line promises, rounded, and whether that
// is exact: a weekly line is exact; a cycle of CycleDays school days is converted at five school
// days a week, and a month at 52/12 weeks, both approximate.
func WeeklyMinutes(l iep.ServiceLine) (minutes int, exact bool) {
	perPeriod := float64(l.MinutesPerPeriod())
	switch l.Period {
	case iep.PerWeek:
		return int(perPeriod), true
	case iep.PerCycle:
		if l.CycleDays <= 0 {
			return 0, false
		}
		return int(math.Round(perPeriod * 5 / float64(l.CycleDays))), l.CycleDays == 5
	case iep.PerMonth:
		return int(math.Round(perPeriod * 12 / 52)), false
	}
	return 0, false
}

// RecentDeadlineDays is how far back the student page lists deadlines that were met.
const RecentDeadlineDays = 180

// readDeadlines reads the student's open deadlines and those met recently, with their states.
func (s *Service) readDeadlines(ctx context.Context, r *Record) error {
	ds, err := s.db.ListStudentDeadlines(ctx, r.District.ID, r.Student.ID)
	if err != nil {
		return err
	}
	pack := s.packOf(ctx, &r.District)
	since := r.Today.AddDays(-RecentDeadlineDays)
	for _, d := range ds {
		if d.Open() || !d.MetOn.Before(since) {
			r.Deadlines = append(r.Deadlines, StudentDeadline{Deadline: d, Status: statusUnder(pack, d, r.Today)})
		}
	}
	return nil
}

// readDocuments reads the metadata of the student's documents, newest first.
func (s *Service) readDocuments(ctx context.Context, r *Record) error {
	docs, err := s.db.ListDocuments(ctx, r.District.ID, r.Student.ID)
	slices.Reverse(docs)
	r.Documents = docs
	return err
}

// GoalProgress is a goal of the plan with its progress: how many measurements, the latest one,
// and the latest progress report that rates it.
type GoalProgress struct {
	Goal   iep.Goal
	Points int
	Latest *iep.ProgressPoint  // nil when the goal has no measurement yet
	Report *iep.ProgressReport // nil when no report rates the goal yet
	Entry  *iep.ProgressEntry  // the goal's entry in Report
}

// readProgress reads the measurements and reports of the plan shown, latest per goal.
func (s *Service) readProgress(ctx context.Context, r *Record) error {
	if r.Plan == nil || len(r.Plan.Content.Goals.Goals) == 0 {
		return nil
	}
	points, err := s.db.ListProgressPoints(ctx, r.District.ID, r.Plan.ID)
	if err != nil {
		return err
	}
	reports, err := s.db.ListProgressReports(ctx, r.District.ID, r.Plan.ID)
	if err != nil {
		return err
	}
	for _, g := range r.Plan.Content.Goals.Goals {
		gp := GoalProgress{Goal: g}
		for i := range points { // by goal and date: the last one is the latest
			if points[i].GoalID == g.ID {
				gp.Points++
				gp.Latest = &points[i]
			}
		}
		for i := range reports { // by the end of their period: the last one is the latest
			for j := range reports[i].Entries {
				if reports[i].Entries[j].GoalID == g.ID {
					gp.Report, gp.Entry = &reports[i], &reports[i].Entries[j]
				}
			}
		}
		r.Progress = append(r.Progress, gp)
	}
	return nil
}

// readActions says what the staff reader may do with the student's plans: edit them (the policy
// asked again, through the one seam), and which plan they may start.
func (s *Service) readActions(ctx context.Context, a Actor, r *Record) error {
	_, err := s.authorize(ctx, a, access.EditPlan, r.District.ID, r.Student.ID)
	switch k := iep.KindOf(err); {
	case err == nil:
		r.MayEdit = true
	case k == iep.KindForbidden || k == iep.KindNotFound:
		return nil
	default:
		return err
	}
	if r.OpenPlan != nil {
		return nil
	}
	if newestInEffect(r.plans) != nil {
		r.NewPlanKinds = []iep.PlanKind{iep.PlanAnnual, iep.PlanAmendment, iep.PlanReeval}
		return nil
	}
	els, err := s.db.ListEligibility(ctx, r.District.ID, r.Student.ID)
	if err != nil {
		return err
	}
	if len(els) > 0 && els[len(els)-1].Eligible {
		r.NewPlanKinds = []iep.PlanKind{iep.PlanInitial}
	}
	return nil
}

// Delivery is what the school promised and delivered of each service line in effect (school
// year lines: summer services are delivered on ESY days and are not counted here), this month
// and this school year, up to today.
type Delivery struct {
	// Year is the school year counted (the one under way, else the last one begun); nil when
	// the district has no calendar: then the year is counted from September 1 and every Monday
	// to Friday is taken for a school day (Estimated).
	Year      *iep.SchoolYear
	Estimated bool
	// YearFrom and MonthFrom are the first days counted; To the last (today, or the year's last
	// day once it is over).
	YearFrom, MonthFrom, To date.Date
	Lines                   []LineDelivery
}

// LineDelivery is one service line in effect with its minutes this month and this school year.
type LineDelivery struct {
	iep.EffectiveLine
	Month, Year Minutes
}

// Minutes are the minutes promised so far in a period and those delivered (delivered sessions
// and make-ups, each make-up counted when the session it makes up was due; a missed session
// delivers nothing), the minutes excused (sessions the student missed) and owed (what periods
// already over left undelivered), with the sessions missed and made up: package delivery's
// account of the line.
type Minutes struct {
	Promised, Delivered int
	Excused, Owed       int
	Missed, MadeUp      int
	SchoolDays          int  // the school days of the period the line was in effect on
	Outside             bool // the line was not in effect in the period at all (its dates)
}

// ShortBy is how many of the minutes promised were neither delivered nor excused (0 when none
// are missing), the period under way included.
func (m Minutes) ShortBy() int { return max(0, m.Promised-m.Delivered-m.Excused) }

// readDelivery computes the services in effect (iep.EffectiveServices over the newest plan in
// effect as frozen, the family's answers and the plan before it) and their minutes from the
// service logs: the minutes promised so far spread evenly over the school days (a week is five
// school days, a cycle its CycleDays, a month its own school days), rounded to the minute.
func (s *Service) readDelivery(ctx context.Context, r *Record) error {
	cur := newestInEffect(r.plans)
	if cur == nil || r.DirectoryOnly {
		return nil
	}
	lines, err := s.schoolYearServices(ctx, r.District.ID, cur)
	if err != nil {
		return err
	}
	dl := &Delivery{To: r.Today}
	year, school, err := s.schoolCalendar(ctx, &r.District, r.Today)
	if err != nil {
		return err
	}
	if year == nil {
		dl.Estimated = true
		y := r.Today.Year
		if r.Today.Month < time.September {
			y--
		}
		dl.YearFrom = date.New(y, time.September, 1)
	} else {
		dl.Year = year
		dl.YearFrom = year.FirstDay
		if year.LastDay.Before(dl.To) {
			dl.To = year.LastDay
		}
	}
	dl.MonthFrom = date.New(r.Today.Year, r.Today.Month, 1)
	if dl.MonthFrom.Before(dl.YearFrom) {
		dl.MonthFrom = dl.YearFrom
	}
	logs, err := s.db.ListServiceLogs(ctx, r.District.ID, r.Student.ID, dl.YearFrom, dl.To)
	if err != nil {
		return err
	}
	spans, err := s.serviceSpans(ctx, r.District.ID, r.plans, dl.YearFrom, dl.To)
	if err != nil {
		return err
	}
	inYear := delivery.Count(spans, logs, dl.YearFrom, dl.To, r.Today, school)
	inMonth := delivery.Count(spans, logs, dl.MonthFrom, dl.To, r.Today, school)
	for _, l := range lines {
		ld := LineDelivery{EffectiveLine: l, Year: minutesOf(lineOf(inYear, l.ID)), Month: minutesOf(lineOf(inMonth, l.ID))}
		dl.Lines = append(dl.Lines, ld)
	}
	r.Delivery = dl
	return nil
}

// schoolCalendar is the district's school year under way on day on (else the last one begun)
// and its school days; without a calendar, a nil year and Monday to Friday.
func (s *Service) schoolCalendar(ctx context.Context, d *iep.District, on date.Date) (*iep.SchoolYear, delivery.SchoolDay, error) {
	years, err := s.db.ListSchoolYears(ctx, d.ID)
	if err != nil {
		return nil, nil, err
	}
	var year *iep.SchoolYear
	for i := range years {
		if !years[i].FirstDay.After(on) && (year == nil || years[i].FirstDay.After(year.FirstDay)) {
			year = &years[i]
		}
	}
	if year == nil {
		return nil, delivery.Weekdays, nil
	}
	days, err := s.db.ListCalendarDays(ctx, d.ID, year.ID)
	if err != nil {
		return nil, nil, err
	}
	cal, err := schoolday.New(d.RulePack, schoolday.FromStore([]iep.SchoolYear{*year}, days)...)
	if err != nil {
		return nil, delivery.Weekdays, nil
	}
	return year, func(x date.Date) bool {
		ok, known := cal.IsSchoolDay(x)
		return ok && known
	}, nil
}

// schoolYearServices is iep.EffectiveServices of plan cur without its summer lines: cur as
// frozen, minus what the family rejected (accepted in part), with the previous plan's lines for
// what was rejected.
func (s *Service) schoolYearServices(ctx context.Context, districtID string, cur *iep.Plan) ([]iep.EffectiveLine, error) {
	if cur.CurrentVersion == 0 {
		return nil, nil // a plan in effect was always proposed, so frozen; nothing to count otherwise
	}
	return s.planServices(ctx, districtID, cur, false)
}

// serviceSpans are the service lines in force from from to to under the student's plans: each
// plan in effect, superseded or ended that was ever agreed (a frozen version), from its start to
// the day before the next one starts (or its end), each line within its own dates too; what the
// family rejected is held from the plan before (planServices).
func (s *Service) serviceSpans(ctx context.Context, districtID string, plans []iep.Plan, from, to date.Date) ([]delivery.Span, error) {
	var agreed []*iep.Plan
	for i := range plans {
		p := &plans[i]
		switch p.Status {
		case iep.StatusAccepted, iep.StatusAcceptedInPart, iep.StatusSuperseded, iep.StatusEnded:
		default:
			continue
		}
		if p.CurrentVersion == 0 || p.StartDate.IsZero() || p.StartDate.After(to) || (!p.EndDate.IsZero() && p.EndDate.Before(from)) {
			continue
		}
		agreed = append(agreed, p)
	}
	slices.SortStableFunc(agreed, func(a, b *iep.Plan) int { return a.StartDate.Compare(b.StartDate) })
	var out []delivery.Span
	for i, p := range agreed {
		end := p.EndDate
		if i+1 < len(agreed) {
			if next := agreed[i+1].StartDate.AddDays(-1); end.IsZero() || next.Before(end) {
				end = next
			}
		}
		if end.Before(from) && !end.IsZero() {
			continue
		}
		lines, err := s.planServices(ctx, districtID, p, false)
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			sp := delivery.Span{Line: l.ServiceLine, PlanID: l.PlanID, From: p.StartDate, To: end}
			if l.StartDate.After(sp.From) {
				sp.From = l.StartDate
			}
			if !l.EndDate.IsZero() && (sp.To.IsZero() || l.EndDate.Before(sp.To)) {
				sp.To = l.EndDate
			}
			if sp.To.IsZero() || !sp.To.Before(sp.From) {
				out = append(out, sp)
			}
		}
	}
	return out, nil
}

// minutesOf is a line's account (delivery.Count) as the pages show it: zero and Outside when the
// line was not in force in the period at all.
func minutesOf(l *delivery.Line) Minutes {
	if l == nil || len(l.Periods) == 0 {
		return Minutes{Outside: true}
	}
	m := Minutes{Promised: l.Required, Delivered: l.Delivered, Excused: l.Excused, Owed: l.Owed, Missed: l.Missed, MadeUp: l.MadeUp}
	for _, p := range l.Periods {
		m.SchoolDays += p.SchoolDays
	}
	return m
}

// lineOf finds a line's account by id.
func lineOf(ls []delivery.Line, id string) *delivery.Line {
	for i := range ls {
		if ls[i].LineID == id {
			return &ls[i]
		}
	}
	return nil
}
