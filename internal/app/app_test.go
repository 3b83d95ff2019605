package app

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

var testNow = time.Date(2026, 3, 16, 3, 0, 0, 0, time.UTC) // still March 15 in New York

type fixture struct {
	svc                       *Service
	district, other, school   string
	student, stranger, planID string
	admin, otherAdmin         Actor // administrators of district and other
}

// adminOf is an administrator of a district: the policy reads roles from the actor.
func adminOf(districtID string) Actor {
	return Actor{Kind: ActorStaff, ID: "admin-of-" + districtID, DistrictID: districtID, AccountID: "account-of-" + districtID,
		Roles: []iep.StaffRole{iep.RoleAdministrator}, Address: "192.0.2.1"}
}

// newFixture seeds a real SQLite store: a district with one school, n students, the first with
// a plan and a team; and a second district with one student.
func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "app.db"), store.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f := &fixture{svc: New(db, func() time.Time { return testNow })}
	err = db.Write(ctx, func(tx *store.Tx) error {
		d := &iep.District{Name: "D", StateCode: "MA", RulePack: "MA", Timezone: "America/New_York"}
		o := &iep.District{Name: "O", StateCode: "MA", RulePack: "MA", Timezone: "America/New_York"}
		for _, x := range []*iep.District{d, o} {
			if err := tx.CreateDistrict(ctx, x); err != nil {
				return err
			}
		}
		s := &iep.School{DistrictID: d.ID, Name: "S", Code: "1", LowGrade: "K", HighGrade: "12", Kind: iep.SchoolPublic}
		os := &iep.School{DistrictID: o.ID, Name: "OS", Code: "1", LowGrade: "K", HighGrade: "12", Kind: iep.SchoolPublic}
		for _, x := range []*iep.School{s, os} {
			if err := tx.CreateSchool(ctx, x); err != nil {
				return err
			}
		}
		f.district, f.other, f.school = d.ID, o.ID, s.ID
		f.admin, f.otherAdmin = adminOf(d.ID), adminOf(o.ID)
		students := make([]iep.Student, n)
		for i := range students {
			students[i] = iep.Student{DistrictID: d.ID, SchoolID: s.ID, LocalID: fmt.Sprint(i), FirstName: "F", LastName: fmt.Sprintf("L%03d", i),
				BirthDate: date.MustParse("2015-01-01"), Grade: "05", HomeLanguage: "en", EnrolledOn: date.MustParse("2020-09-01")}
		}
		if err := tx.CreateStudents(ctx, students); err != nil {
			return err
		}
		stranger := &iep.Student{DistrictID: o.ID, SchoolID: os.ID, LocalID: "x", FirstName: "X", LastName: "Y",
			BirthDate: date.MustParse("2015-01-01"), Grade: "05", HomeLanguage: "en", EnrolledOn: date.MustParse("2020-09-01")}
		if err := tx.CreateStudent(ctx, stranger); err != nil {
			return err
		}
		f.stranger, f.student = stranger.ID, students[0].ID
		return f.seedPlan(ctx, tx)
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return f
}

func (f *fixture) seedPlan(ctx context.Context, tx *store.Tx) error {
	staff := &iep.Staff{DistrictID: f.district, FirstName: "Case", LastName: "Manager", Roles: []iep.StaffRole{iep.RoleCaseManager}, Active: true}
	if err := tx.CreateStaff(ctx, staff); err != nil {
		return err
	}
	p := &iep.Plan{DistrictID: f.district, StudentID: f.student, Kind: iep.PlanInitial, Status: iep.StatusDraft, SchoolID: f.school, CaseManagerID: staff.ID}
	if err := tx.CreatePlan(ctx, p, staff.ID); err != nil {
		return err
	}
	f.planID = p.ID
	for _, m := range []iep.TeamMember{
		{DistrictID: f.district, PlanID: p.ID, Role: iep.TeamCaseManager, StaffID: staff.ID},
		{DistrictID: f.district, PlanID: p.ID, Role: iep.TeamGuest, GuestName: "Guest Person", InvitedBy: iep.InvitedByFamily},
	} {
		if err := tx.AddTeamMember(ctx, &m); err != nil {
			return err
		}
	}
	return nil
}

func TestDistrictOverviewPages(t *testing.T) {
	f := newFixture(t, PageSize+7)
	ctx := context.Background()
	o, err := f.svc.DistrictOverview(ctx, f.admin, f.district, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Rows) != PageSize || o.Next == "" || o.Students != PageSize+7 || o.WithPlans != 1 {
		t.Fatalf("first page: %d rows, next %q, %d students, %d with plans; want %d, a cursor, %d, 1",
			len(o.Rows), o.Next, o.Students, o.WithPlans, PageSize, PageSize+7)
	}
	if o.Rows[0].SchoolName != "S" {
		t.Errorf("Rows[0].SchoolName = %q, want S", o.Rows[0].SchoolName)
	}
	o2, err := f.svc.DistrictOverview(ctx, f.admin, f.district, f.school, o.Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(o2.Rows) != 7 || o2.Next != "" || o2.School == nil || o2.School.ID != f.school {
		t.Errorf("second page: %d rows, next %q, school %v; want 7, none, S", len(o2.Rows), o2.Next, o2.School)
	}
	if _, err := f.svc.DistrictOverview(ctx, f.admin, f.district, "nope", ""); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("unknown school: err = %v, want not found", err)
	}
	if _, err := f.svc.DistrictOverview(ctx, f.admin, "nope", "", ""); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("unknown district: err = %v, want not found", err)
	}
}

func TestStudentRecord(t *testing.T) {
	f := newFixture(t, 2)
	ctx := context.Background()
	r, err := f.svc.StudentRecord(ctx, f.admin, f.district, f.student)
	if err != nil {
		t.Fatal(err)
	}
	if r.Plan == nil || r.Plan.ID != f.planID || r.CaseManager != "Case Manager" || r.PlanSchool == nil || r.School == nil {
		t.Fatalf("record: plan %v, case manager %q, plan school %v, school %v", r.Plan, r.CaseManager, r.PlanSchool, r.School)
	}
	names := map[iep.TeamRole]string{}
	for _, m := range r.Team {
		names[m.Role] = m.Name
	}
	if names[iep.TeamCaseManager] != "Case Manager" || names[iep.TeamGuest] != "Guest Person" {
		t.Errorf("team names = %v", names)
	}
	if want := date.MustParse("2026-03-15"); r.Today != want {
		t.Errorf("Today = %s, want %s (the district's zone)", r.Today, want)
	}
	if len(r.History) != 0 {
		t.Errorf("History = %d plans, want 0 (the current plan is not history)", len(r.History))
	}
	if _, err := f.svc.StudentRecord(ctx, f.admin, f.district, f.stranger); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("a student of another district: err = %v, want not found", err)
	}
	other, err := f.svc.StudentRecord(ctx, f.otherAdmin, f.other, f.stranger)
	if err != nil || other.Plan != nil {
		t.Errorf("a student without a plan: plan %v, err %v; want none, nil", other.Plan, err)
	}
}

func TestWeeklyMinutes(t *testing.T) {
	tests := []struct {
		line  iep.ServiceLine
		want  int
		exact bool
	}{
		{iep.ServiceLine{MinutesPerSession: 30, SessionsPerPeriod: 3, Period: iep.PerWeek}, 90, true},
		{iep.ServiceLine{MinutesPerSession: 30, SessionsPerPeriod: 2, Period: iep.PerCycle, CycleDays: 6}, 50, false},
		{iep.ServiceLine{MinutesPerSession: 45, SessionsPerPeriod: 2, Period: iep.PerCycle, CycleDays: 5}, 90, true},
		{iep.ServiceLine{MinutesPerSession: 60, SessionsPerPeriod: 4, Period: iep.PerMonth}, 55, false},
		{iep.ServiceLine{MinutesPerSession: 60, SessionsPerPeriod: 4, Period: iep.PerCycle}, 0, false},
	}
	for _, tt := range tests {
		got, exact := WeeklyMinutes(tt.line)
		if got != tt.want || exact != tt.exact {
			t.Errorf("WeeklyMinutes(%d×%d per %s/%d) = %d, %v; want %d, %v", tt.line.MinutesPerSession, tt.line.SessionsPerPeriod,
				tt.line.Period, tt.line.CycleDays, got, exact, tt.want, tt.exact)
		}
	}
}
