package app

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// The plan editor's reads: a plan with everything its page shows, a section's history, and the
// figures the service grid derives.

// Editor is a plan as its page shows it: the plan whole (PlanView), the student and family, the
// names of everyone who wrote in it, what the reader may do, and what the proposal still needs.
type Editor struct {
	PlanView
	District  iep.District
	Student   iep.Student
	Guardians []store.GuardianLink
	// Names resolves the staff and guardian ids of the team, the comments, the suggestions and
	// the sections' last writers; an id not found is absent.
	Names map[string]string
	// MayEdit is set when the reader may write the draft's sections (staff on the team, the
	// district's administrators); the others read.
	MayEdit bool
	Today   date.Date
	Loc     *time.Location
	// TransitionAge is the rule pack's age for the transition plan (16; 14 in MA);
	// TransitionDue is set when the student reaches it before the plan ends, so the plan must
	// have one.
	TransitionAge int
	TransitionDue bool
	// Missing is what the proposal still needs (every section whole), for a draft; nil
	// otherwise.
	Missing iep.Problems
}

// PlanEditor returns a plan with everything its page needs to whoever may view the student's
// record (the family only once a draft is shared: see Plan), audited as one read of the plan.
func (s *Service) PlanEditor(ctx context.Context, a Actor, districtID, planID string) (*Editor, error) {
	v, err := s.Plan(ctx, a, districtID, planID)
	if err != nil {
		return nil, err
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	st, err := s.db.GetStudent(ctx, districtID, v.Plan.StudentID)
	if err != nil {
		return nil, err
	}
	e := &Editor{PlanView: *v, District: *d, Student: *st, Names: map[string]string{}, Today: s.today(d.Timezone), Loc: time.UTC}
	if loc, err := time.LoadLocation(d.Timezone); err == nil {
		e.Loc = loc
	}
	if e.Guardians, err = s.db.ListGuardians(ctx, districtID, st.ID); err != nil {
		return nil, err
	}
	if v.Draft && !a.IsFamily() {
		_, err := s.authorize(ctx, a, access.EditPlan, districtID, st.ID)
		e.MayEdit = err == nil
	}
	pack, err := s.DistrictRules(ctx, districtID)
	if err != nil {
		return nil, err
	}
	if r, ok := pack.Rule("transition_plan"); ok {
		e.TransitionAge = r.Amount
		end := v.Plan.EndDate
		if end.IsZero() {
			end = e.Today.AddYears(1)
		}
		e.TransitionDue = !st.BirthDate.IsZero() && st.BirthDate.AgeOn(end) >= r.Amount
	}
	if v.Draft {
		p := v.Plan
		if e.TransitionDue {
			p.Content.Transition.Applies = true
		}
		var ie *iep.Error
		if err := p.ValidateForProposal(); err != nil && errors.As(err, &ie) {
			e.Missing = ie.Problems
		}
	}
	for _, g := range e.Guardians {
		e.Names[g.ID] = g.Name()
	}
	ids := []string{v.Plan.CaseManagerID}
	for _, m := range v.Team {
		ids = append(ids, m.StaffID)
	}
	for _, c := range v.Comments {
		ids = append(ids, c.AuthorID)
	}
	for _, sg := range v.Suggestions {
		ids = append(ids, sg.AuthorID, sg.DecidedBy)
	}
	for _, id := range ids {
		if _, known := e.Names[id]; known || id == "" {
			continue
		}
		name, err := s.staffName(ctx, districtID, id)
		if err != nil {
			return nil, err
		}
		if name != "" {
			e.Names[id] = name
		}
	}
	return e, nil
}

// SectionRevision is one revision of a section's history with its content decoded and the
// name of who saved it.
type SectionRevision struct {
	Revision int
	SavedAt  time.Time
	SavedBy  string // a name; "" when not known
	Content  iep.Content
}

// SectionHistory returns the recorded revisions of one section of a plan, newest first, to staff
// who may view the record (audited as a read of the plan).
func (s *Service) SectionHistory(ctx context.Context, a Actor, districtID, planID string, kind iep.SectionKind) ([]SectionRevision, error) {
	c, err := s.begin(ctx, a, access.ViewRecord, districtID, "plan", planID)
	if err != nil {
		return nil, err
	}
	if a.IsFamily() {
		return nil, iep.Errorf(iep.KindForbidden, "the history of a draft's sections is the team's working record")
	}
	if (&iep.Content{}).Section(kind) == nil {
		return nil, iep.Errorf(iep.KindNotFound, "no section %q", kind)
	}
	revs, err := s.db.SectionHistory(ctx, districtID, planID, kind)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	out := make([]SectionRevision, len(revs))
	for i, r := range revs {
		out[i] = SectionRevision{Revision: r.Revision, SavedAt: r.SavedAt}
		if err := json.Unmarshal(r.Content, out[i].Content.Section(kind)); err != nil {
			return nil, err
		}
		if _, ok := names[r.SavedBy]; !ok && r.SavedBy != "" {
			n, err := s.staffName(ctx, districtID, r.SavedBy)
			if err != nil {
				return nil, err
			}
			if n == "" {
				n, err = s.guardianName(ctx, districtID, c.student, r.SavedBy)
				if err != nil {
					return nil, err
				}
			}
			names[r.SavedBy] = n
		}
		out[i].SavedBy = names[r.SavedBy]
	}
	if err := c.readAudit(ctx, "plan", planID); err != nil {
		return nil, err
	}
	return out, nil
}

// guardianName is the name of one of the student's guardians; "" when id is not one.
func (s *Service) guardianName(ctx context.Context, districtID, studentID, id string) (string, error) {
	gs, err := s.db.ListGuardians(ctx, districtID, studentID)
	if err != nil {
		return "", err
	}
	for _, g := range gs {
		if g.ID == id {
			return g.Name(), nil
		}
	}
	return "", nil
}

// ServiceTotals is what the service grid derives from a plan's service lines: the minutes a
// week inside and outside general education, the share of the school week spent in the regular
// class, and the EDFacts (FS002) environment that share gives a school-age student.
type ServiceTotals struct {
	Inside, Outside int  // minutes a week
	Approximate     bool // some line is per month or per cycle: the weekly figure is rounded
	// WeekMinutes is the school week the share is computed from (the district's setting).
	WeekMinutes int
	// PercentInRegularClass is the share of WeekMinutes not spent outside general education,
	// to one decimal.
	PercentInRegularClass float64
	Environment           iep.EnvironmentCode
}

// DefaultSchoolWeekMinutes is a school week of five 6-hour days, used when the district has not
// set its own.
const DefaultSchoolWeekMinutes = 5 * 6 * 60

// TotalServices derives the service grid's totals from lines for a school week of weekMinutes
// (DefaultSchoolWeekMinutes when not positive).
func TotalServices(lines []iep.ServiceLine, weekMinutes int) ServiceTotals {
	if weekMinutes <= 0 {
		weekMinutes = DefaultSchoolWeekMinutes
	}
	t := ServiceTotals{WeekMinutes: weekMinutes}
	for _, l := range lines {
		m, exact := WeeklyMinutes(l)
		if !exact && m > 0 {
			t.Approximate = true
		}
		if l.Setting == iep.OutsideGeneralEducation {
			t.Outside += m
		} else {
			t.Inside += m
		}
	}
	out := min(t.Outside, weekMinutes)
	t.PercentInRegularClass = math.Round(1000*float64(weekMinutes-out)/float64(weekMinutes)) / 10
	t.Environment = iep.SchoolAgeEnvironment(t.PercentInRegularClass)
	return t
}

// assignIDs gives every goal, service line and accommodation of a section that has no id yet a
// new one (progress data and delivery logs follow them across versions), and returns the
// section's JSON.
func assignIDs(kind iep.SectionKind, content []byte) ([]byte, error) {
	if kind != iep.SectionGoals && kind != iep.SectionServices && kind != iep.SectionAccommodations && kind != iep.SectionESY {
		return content, nil
	}
	var c iep.Content
	if err := iep.DecodeDraftSection(&c, kind, content); err != nil {
		return nil, err
	}
	var ids []*string
	for i := range c.Goals.Goals {
		ids = append(ids, &c.Goals.Goals[i].ID)
	}
	for i := range c.Services.Lines {
		ids = append(ids, &c.Services.Lines[i].ID)
	}
	for i := range c.Accommodations.Items {
		ids = append(ids, &c.Accommodations.Items[i].ID)
	}
	for i := range c.ESY.Services {
		ids = append(ids, &c.ESY.Services[i].ID)
	}
	for _, id := range ids {
		if err := store.NewID(id); err != nil {
			return nil, err
		}
	}
	return iep.EncodeSection(&c, kind)
}
