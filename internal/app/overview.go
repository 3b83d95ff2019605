package app

import (
	"context"
	"fmt"

	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// PageSize is how many students one page of a district overview shows.
const PageSize = 50

// Overview is one page of a district: its schools with their counts, the totals for the district
// or the chosen school, and one page of students in the store's keyset order.
type Overview struct {
	District  iep.District
	Schools   []SchoolCount
	School    *iep.School // the school the students are filtered to; nil for the whole district
	Students  int         // students in the district, or in School when set
	WithPlans int         // of them, students with an IEP
	Rows      []StudentRow
	After     string // the cursor this page starts after; "" on the first page
	Next      string // the cursor of the next page; "" on the last page
}

// SchoolCount is a school with its number of students and of students with an IEP.
type SchoolCount struct {
	iep.School
	Students  int
	WithPlans int
}

// StudentRow is one student of an overview page, with the name of their school.
type StudentRow struct {
	store.StudentSummary
	SchoolName string
}

// DistrictOverview returns one page (PageSize) of the students of a district, optionally of one
// of its schools (schoolID), starting after the keyset cursor after ("" for the first page). It
// never reads more than one page of students, so it stays fast at any district size. It records
// the view in the district's audit trail (action "read", record "district", no student).
//
// Errors: KindNotFound for an unknown district, or a school not in it; KindInvalid for a
// malformed cursor (from the store); the policy's kinds.
func (s *Service) DistrictOverview(ctx context.Context, a Actor, districtID, schoolID, after string) (*Overview, error) {
	if err := s.authorize(ctx, a, ActionViewDistrict, districtID, ""); err != nil {
		return nil, err
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	o := &Overview{District: *d, After: after}
	if err := s.countSchools(ctx, o, schoolID); err != nil {
		return nil, err
	}
	if schoolID != "" && o.School == nil {
		return nil, iep.Errorf(iep.KindNotFound, "school %s is not in district %s", schoolID, districtID)
	}
	if err := s.studentPage(ctx, o, schoolID, after); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, a, auditRead, auditDistrict, districtID, districtID, ""); err != nil {
		return nil, err
	}
	return o, nil
}

// countSchools fills the schools with their counts, the totals, and the chosen school.
func (s *Service) countSchools(ctx context.Context, o *Overview, schoolID string) error {
	schools, err := s.db.ListSchools(ctx, o.District.ID)
	if err != nil {
		return err
	}
	counts, err := s.db.CountStudentsBySchool(ctx, o.District.ID)
	if err != nil {
		return fmt.Errorf("count students by school: %w", err)
	}
	o.Schools = make([]SchoolCount, len(schools))
	for i, sc := range schools {
		total, withPlans := counts[sc.ID].Students, counts[sc.ID].WithPlans
		o.Schools[i] = SchoolCount{School: sc, Students: total, WithPlans: withPlans}
		if sc.ID == schoolID {
			o.School = &o.Schools[i].School
			o.Students, o.WithPlans = total, withPlans
		} else if schoolID == "" {
			o.Students += total
			o.WithPlans += withPlans
		}
	}
	return nil
}

// studentPage reads one page plus one row, to know whether a next page exists.
func (s *Service) studentPage(ctx context.Context, o *Overview, schoolID, after string) error {
	rows, err := s.db.ListStudents(ctx, o.District.ID, store.StudentFilter{
		SchoolID: schoolID, After: after, Limit: PageSize + 1,
	})
	if err != nil {
		return err
	}
	if len(rows) > PageSize {
		rows = rows[:PageSize]
		o.Next = rows[PageSize-1].Cursor
	}
	names := make(map[string]string, len(o.Schools))
	for _, sc := range o.Schools {
		names[sc.ID] = sc.Name
	}
	o.Rows = make([]StudentRow, len(rows))
	for i, r := range rows {
		o.Rows[i] = StudentRow{StudentSummary: r, SchoolName: names[r.SchoolID]}
	}
	return nil
}
