package app

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
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
	r := &Record{District: *d, Student: *st, Today: s.today(d.Timezone), DirectoryOnly: directoryOnly, Reason: dec.Reason}
	steps := []func(context.Context, *Record) error{s.readProfile, s.readPlan, s.readTeam, s.readHistory}
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
	for _, p := range plans {
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
