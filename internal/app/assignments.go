package app

import (
	"context"
	"slices"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// StudentServices is a student's services in force and who delivers each: the page where a case
// manager assigns providers and their schedules.
type StudentServices struct {
	District iep.District
	Student  iep.Student
	Today    date.Date
	PlanID   string // the plan in effect ("" when none)
	Lines    []ServiceAssignments
	// MayAssign is set when the reader may assign anyone (EditPlan); a provider may still set
	// their own schedule (AssignProvider).
	MayAssign bool
	// Names names the providers assigned, by staff id.
	Names map[string]string
}

// ServiceAssignments is one service line in force with its assignments (ended ones too, newest
// first) and the staff who may deliver it (the line's provider role) for the picker.
type ServiceAssignments struct {
	iep.EffectiveLine
	Assignments []iep.Assignment
	Providers   []iep.Staff
}

// Current are the line's assignments in force today or to come.
func (l ServiceAssignments) Current(today date.Date) []iep.Assignment {
	var out []iep.Assignment
	for _, a := range l.Assignments {
		if a.EndsOn.IsZero() || !a.EndsOn.Before(today) {
			out = append(out, a)
		}
	}
	return out
}

// StudentServiceAssignments reads a student's services in force under the plan in effect and
// their assignments, for whoever may view the record; audited ("read", "assignments").
func (s *Service) StudentServiceAssignments(ctx context.Context, a Actor, districtID, studentID string) (*StudentServices, error) {
	c, err := s.begin(ctx, a, access.ViewRecord, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	d, st, err := c.subject(ctx)
	if err != nil {
		return nil, err
	}
	out := &StudentServices{District: *d, Student: *st, Today: c.today, Names: map[string]string{}}
	_, err = s.authorize(ctx, a, access.EditPlan, districtID, studentID)
	out.MayAssign = err == nil
	plans, err := s.db.ListPlans(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	all, err := s.db.ListStudentAssignments(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	if cur := newestInEffect(plans); cur != nil {
		out.PlanID = cur.ID
		lines, err := s.planServices(ctx, districtID, cur, false)
		if err != nil {
			return nil, err
		}
		pickers := map[iep.StaffRole][]iep.Staff{}
		for _, l := range lines {
			sa := ServiceAssignments{EffectiveLine: l}
			for _, asg := range all {
				if asg.ServiceLineID == l.ID {
					sa.Assignments = append(sa.Assignments, asg)
				}
			}
			slices.Reverse(sa.Assignments)
			if _, ok := pickers[l.ProviderRole]; !ok && l.ProviderRole != "" {
				if pickers[l.ProviderRole], err = s.db.ListStaffWithRole(ctx, districtID, l.ProviderRole); err != nil {
					return nil, err
				}
			}
			sa.Providers = pickers[l.ProviderRole]
			out.Lines = append(out.Lines, sa)
		}
	}
	for _, asg := range all {
		if _, ok := out.Names[asg.ProviderID]; !ok {
			name, err := s.staffName(ctx, districtID, asg.ProviderID)
			if err != nil {
				return nil, err
			}
			out.Names[asg.ProviderID] = name
		}
	}
	return out, c.readAudit(ctx, "assignments", studentID)
}

// EndServiceAssignment ends an assignment of the student's today (the provider no longer sees
// the student from tomorrow), for whoever may edit the student's plan, or the provider it
// names. Audited ("end", "assignment"). Errors: not found for another student's assignment.
func (s *Service) EndServiceAssignment(ctx context.Context, a Actor, districtID, studentID, assignmentID string) error {
	asg, err := s.db.GetAssignment(ctx, districtID, assignmentID)
	if err != nil {
		return err
	}
	if asg.StudentID != studentID {
		return iep.Errorf(iep.KindNotFound, "no assignment %s of this student", assignmentID)
	}
	c, err := s.begin(ctx, a, access.EditPlan, districtID, "student", studentID)
	if (iep.KindOf(err) == iep.KindForbidden || iep.KindOf(err) == iep.KindNotFound) && asg.ProviderID == a.ID {
		c, err = s.begin(ctx, a, access.LogService, districtID, "student", studentID)
	}
	if err != nil {
		return err
	}
	on := c.today
	if on.Before(asg.StartsOn) {
		on = asg.StartsOn.AddDays(-1) // not begun: withdrawn
	}
	return s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.EndAssignment(ctx, districtID, assignmentID, on); err != nil {
			return err
		}
		return c.audit(ctx, tx, "end", "assignment", assignmentID)
	})
}
