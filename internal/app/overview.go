package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/openiep/openiep/internal/access"
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
	// AggregatesOnly is set for a reader who may see counts but no names (a state viewer): Rows
	// is empty.
	AggregatesOnly bool
	// DirectoryOnly is set for a reader who sees the directory-level view of the roster only
	// (staff who are not administrators): the rows carry names, grades and schools, and no plan
	// or disability; the reader's own students are in Mine.
	DirectoryOnly bool
	// Mine are the students the reader works with (case manager, team member, provider, a
	// current grant), for staff; at most MaxMine.
	Mine []store.StaffStudent
}

// MaxMine is how many of a staff member's own students an overview lists.
const MaxMine = 200

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
// What the actor sees is the policy's (access.DecideDistrict): the directory of the schools in
// its scope (administrators: all; other staff: their schools), or for a state viewer the counts
// alone (AggregatesOnly). Families reach their children through Family instead.
//
// Errors: KindNotFound for an unknown district, or a school not in it or not in the actor's
// scope; KindInvalid for a malformed cursor (from the store); the policy's kinds.
func (s *Service) DistrictOverview(ctx context.Context, a Actor, districtID, schoolID, after string) (*Overview, error) {
	dec, err := s.authorize(ctx, a, access.ViewDirectory, districtID, "")
	aggregatesOnly := false
	if iep.KindOf(err) == iep.KindForbidden {
		if agg, aerr := s.authorize(ctx, a, access.ViewAggregates, districtID, ""); aerr == nil {
			dec, err, aggregatesOnly = agg, nil, true
		}
	}
	if err != nil {
		return nil, err
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	o := &Overview{District: *d, After: after, AggregatesOnly: aggregatesOnly,
		DirectoryOnly: !access.DecideDistrict(a.principal(), access.ViewRecord, districtID).Allowed}
	if a.Kind == ActorStaff {
		if o.Mine, err = s.db.ListStaffStudents(ctx, districtID, a.ID, s.now(), MaxMine); err != nil {
			return nil, err
		}
	}
	if err := s.countSchools(ctx, o, dec.Scope, schoolID); err != nil {
		return nil, err
	}
	if schoolID != "" && o.School == nil {
		return nil, iep.Errorf(iep.KindNotFound, "school %s is not in district %s", schoolID, districtID)
	}
	if !aggregatesOnly {
		if err := s.studentPage(ctx, o, dec.Scope, schoolID, after); err != nil {
			return nil, err
		}
	}
	if err := s.audit(ctx, a, dec, auditRead, auditDistrict, districtID, districtID, ""); err != nil {
		return nil, err
	}
	return o, nil
}

// countSchools fills the schools of the scope with their counts, the totals, and the chosen
// school.
func (s *Service) countSchools(ctx context.Context, o *Overview, scope access.Scope, schoolID string) error {
	schools, err := s.db.ListSchools(ctx, o.District.ID)
	if err != nil {
		return err
	}
	if !scope.All {
		schools = slices.DeleteFunc(schools, func(sc iep.School) bool { return !slices.Contains(scope.SchoolIDs, sc.ID) })
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
func (s *Service) studentPage(ctx context.Context, o *Overview, scope access.Scope, schoolID, after string) error {
	f := store.StudentFilter{SchoolID: schoolID, After: after, Limit: PageSize + 1}
	if !scope.All && schoolID == "" {
		f.SchoolIDs = scope.SchoolIDs
	}
	rows, err := s.db.ListStudents(ctx, o.District.ID, f)
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
		if o.DirectoryOnly {
			r = store.StudentSummary{Student: directoryView(r.Student), Cursor: r.Cursor}
		}
		o.Rows[i] = StudentRow{StudentSummary: r, SchoolName: names[r.SchoolID]}
	}
	return nil
}
