package app

import (
	"context"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// familyFixture is newFixture with a family: a guardian holding the rights for the first
// student, another family's guardian, a team member, and for the student an accepted plan in
// effect (a reading goal and a speech service of 30 minutes twice a week), the 2025-2026 school
// year, a month of sessions and measurements, and a progress report.
type familyFixture struct {
	*fixture
	parent, stranger, staff Actor
	plan                    string
	missed                  string // the missed session made up
}

func newFamilyFixture(t *testing.T) *familyFixture {
	t.Helper()
	f := &familyFixture{fixture: newFixture(t, 2)}
	ctx := context.Background()
	err := f.svc.db.Write(ctx, func(tx *store.Tx) error {
		g := &iep.Guardian{DistrictID: f.district, FirstName: "Rosa", LastName: "Family", PreferredLanguage: "es"}
		o := &iep.Guardian{DistrictID: f.district, FirstName: "Other", LastName: "Parent", PreferredLanguage: "en"}
		for _, x := range []*iep.Guardian{g, o} {
			if err := tx.CreateGuardian(ctx, x); err != nil {
				return err
			}
		}
		if err := tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: f.district, StudentID: f.student, GuardianID: g.ID,
			Relationship: iep.RelMother, HoldsEducationalRights: true, ContactOrder: 1}); err != nil {
			return err
		}
		other := &iep.Student{DistrictID: f.district, SchoolID: f.school, LocalID: "other", FirstName: "O", LastName: "Child",
			BirthDate: date.MustParse("2015-01-01"), Grade: "05", HomeLanguage: "en", EnrolledOn: date.MustParse("2020-09-01")}
		if err := tx.CreateStudent(ctx, other); err != nil {
			return err
		}
		if err := tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: f.district, StudentID: other.ID, GuardianID: o.ID,
			Relationship: iep.RelFather, HoldsEducationalRights: true, ContactOrder: 1}); err != nil {
			return err
		}
		f.parent = Actor{Kind: ActorGuardian, ID: g.ID, DistrictID: f.district, AccountID: "account-" + g.ID, Address: "203.0.113.5"}
		f.stranger = Actor{Kind: ActorGuardian, ID: o.ID, DistrictID: f.district, AccountID: "account-" + o.ID}
		return f.seedInEffect(ctx, tx)
	})
	if err != nil {
		t.Fatalf("seed the family: %v", err)
	}
	return f
}

func (f *familyFixture) seedInEffect(ctx context.Context, tx *store.Tx) error {
	draft, err := tx.GetPlan(ctx, f.district, f.planID)
	if err != nil {
		return err
	}
	f.staff = Actor{Kind: ActorStaff, ID: draft.CaseManagerID, DistrictID: f.district, AccountID: "account-cm",
		Roles: []iep.StaffRole{iep.RoleCaseManager}}
	base, target := 40.0, 90.0
	line := iep.ServiceLine{ID: "speech", Category: iep.CategoryRelated, Type: iep.ServiceSpeechLanguage, ProviderRole: iep.RoleSpeechLanguage,
		Setting: iep.OutsideGeneralEducation, GroupSize: 1, MinutesPerSession: 30, SessionsPerPeriod: 2, Period: iep.PerWeek,
		StartDate: date.MustParse("2025-09-01"), EndDate: date.MustParse("2026-08-31")}
	p := &iep.Plan{DistrictID: f.district, StudentID: f.student, Kind: iep.PlanAnnual, Status: iep.StatusAccepted, SchoolID: f.school,
		CaseManagerID: draft.CaseManagerID, StartDate: date.MustParse("2025-09-01"), EndDate: date.MustParse("2026-08-31"),
		Content: iep.Content{
			Goals: iep.Goals{Goals: []iep.Goal{{ID: "g1", Area: "Reading", Statement: "Reads 90 words a minute", Baseline: "40 words a minute",
				BaselineValue: &base, Target: "90 words a minute", TargetValue: &target, Unit: "wcpm", MeasurementMethod: "probes", Schedule: "biweekly"}}},
			Services: iep.Services{Lines: []iep.ServiceLine{line}},
		}}
	// The seeded draft is cancelled: this plan is the one in effect.
	draft.Status = iep.StatusCancelled
	if err := tx.UpdatePlanHeader(ctx, draft); err != nil {
		return err
	}
	if err := tx.CreatePlan(ctx, p, draft.CaseManagerID); err != nil {
		return err
	}
	if _, err := tx.FreezePlan(ctx, f.district, p.ID, draft.CaseManagerID); err != nil {
		return err
	}
	f.plan = p.ID
	y := &iep.SchoolYear{DistrictID: f.district, Name: "2025-2026", FirstDay: date.MustParse("2025-09-02"), LastDay: date.MustParse("2026-06-19")}
	if err := tx.CreateSchoolYear(ctx, y); err != nil {
		return err
	}
	log := func(day string, status iep.SessionStatus, minutes int, reason iep.MissedReason, makeUpOf string) (string, error) {
		l := &iep.ServiceLog{DistrictID: f.district, StudentID: f.student, PlanID: p.ID, ServiceLineID: "speech", Date: date.MustParse(day),
			Minutes: minutes, Status: status, MissedReason: reason, MakeUpOf: makeUpOf, GroupSize: 1, ProviderID: draft.CaseManagerID}
		return l.ID, tx.CreateServiceLog(ctx, l)
	}
	if _, err := log("2026-03-02", iep.SessionDelivered, 30, "", ""); err != nil {
		return err
	}
	if f.missed, err = log("2026-03-04", iep.SessionMissed, 0, iep.MissedProviderAbsent, ""); err != nil {
		return err
	}
	if _, err := log("2026-03-06", iep.SessionMakeUp, 30, "", f.missed); err != nil {
		return err
	}
	if _, err := log("2026-03-09", iep.SessionMissed, 0, iep.MissedStudentAbsent, ""); err != nil {
		return err
	}
	if _, err := log("2026-03-11", iep.SessionMissed, 0, iep.MissedProviderDuty, ""); err != nil {
		return err
	}
	for _, x := range []struct {
		day string
		v   float64
	}{{"2026-02-03", 48}, {"2026-01-06", 44}, {"2026-03-03", 55.5}} {
		if err := tx.CreateProgressPoint(ctx, &iep.ProgressPoint{DistrictID: f.district, PlanID: p.ID, GoalID: "g1",
			Date: date.MustParse(x.day), Value: x.v, Unit: "wcpm", RecordedBy: draft.CaseManagerID}); err != nil {
			return err
		}
	}
	for _, r := range []iep.ProgressReport{
		{DistrictID: f.district, PlanID: p.ID, Period: "Term 1", PeriodEnd: date.MustParse("2025-11-21"),
			Entries: []iep.ProgressEntry{{GoalID: "g1", Rating: iep.RatingInsufficient, Narrative: "Slow start."}}},
		{DistrictID: f.district, PlanID: p.ID, Period: "Term 2", PeriodEnd: date.MustParse("2026-01-30"), SentOn: date.MustParse("2026-02-02"),
			Entries: []iep.ProgressEntry{{GoalID: "g1", Rating: iep.RatingSufficient, Narrative: "Steady gains."}}},
	} {
		if err := tx.CreateProgressReport(ctx, &r); err != nil {
			return err
		}
	}
	return nil
}

func TestFamilyProgress(t *testing.T) {
	f := newFamilyFixture(t)
	ctx := context.Background()
	fp, err := f.svc.FamilyProgress(ctx, f.parent, f.district, f.student)
	if err != nil {
		t.Fatal(err)
	}
	if fp.Plan == nil || fp.Plan.ID != f.plan || len(fp.Goals) != 1 {
		t.Fatalf("plan %v, %d goals; want the plan in effect and its goal", fp.Plan, len(fp.Goals))
	}
	g := fp.Goals[0]
	if len(g.Points) != 3 || g.Points[0].Value != 44 || g.Latest().Value != 55.5 || g.Entry == nil || g.Entry.Rating != iep.RatingSufficient ||
		g.Report.Period != "Term 2" {
		t.Errorf("goal series: points %+v, latest report %+v", g.Points, g.Report)
	}
	if len(fp.Reports) != 2 || fp.Reports[0].Period != "Term 2" {
		t.Errorf("reports = %+v, want newest first", fp.Reports)
	}
	if len(fp.Services) != 1 {
		t.Fatalf("services = %+v", fp.Services)
	}
	s := fp.Services[0]
	if s.Delivered != 1 || s.Missed != 3 || s.MadeUp != 1 || s.MissedBy[AbsenceSchool] != 2 || s.MissedBy[AbsenceChild] != 1 || s.NotMadeUp != 1 {
		t.Errorf("counts: delivered %d, missed %d (%v), made up %d, not made up %d; want 1, 3 (school 2, child 1), 1, 1",
			s.Delivered, s.Missed, s.MissedBy, s.MadeUp, s.NotMadeUp)
	}
	if len(s.Sessions) != 5 || s.Sessions[0].Date != date.MustParse("2026-03-11") {
		t.Fatalf("sessions: %+v, want 5, newest first", s.Sessions)
	}
	for _, x := range s.Sessions {
		switch x.ID {
		case f.missed:
			if x.MadeUpOn != date.MustParse("2026-03-06") || x.Whose != AbsenceSchool {
				t.Errorf("the missed session made up: %+v", x)
			}
		}
		if x.Status == iep.SessionMakeUp && x.MakesUp != date.MustParse("2026-03-04") {
			t.Errorf("the make-up does not name the session it makes up: %+v", x)
		}
	}
	// 60 minutes delivered of about 12 a school day since September: the school is behind.
	if s.Year.Delivered != 60 || !s.Behind() || s.Month.Delivered != 60 {
		t.Errorf("minutes: year %+v, month %+v, behind %v", s.Year, s.Month, s.Behind())
	}
	// One audit entry, read of the progress page.
	entries, _ := f.svc.db.ListAudit(ctx, f.district, f.student, 0)
	if len(entries) != 1 || entries[0].Action != "read" || entries[0].RecordKind != "progress" || entries[0].ActorID != f.parent.ID {
		t.Errorf("audit = %+v, want one read of progress by the parent", entries)
	}
	// Staff have their own page; another family finds nothing.
	for name, a := range map[string]Actor{"staff": f.staff, "administrator": f.admin, "another family": f.stranger} {
		if _, err := f.svc.FamilyProgress(ctx, a, f.district, f.student); iep.KindOf(err) != iep.KindNotFound {
			t.Errorf("%s: FamilyProgress = %v, want not found", name, err)
		}
	}
	if _, err := f.svc.FamilyProgress(ctx, Anonymous, f.district, f.student); iep.KindOf(err) != iep.KindUnauthenticated {
		t.Errorf("anonymous: FamilyProgress = %v, want unauthenticated", err)
	}
}

// Behind: a shortfall of less than one session is the calendar's spreading, not the school's.
// TestServiceBehind: a line is behind when weeks already over owe minutes, never for a
// shortfall of the week under way (its sessions may still come).
func TestServiceBehind(t *testing.T) {
	line := func(m Minutes) ServiceSessions {
		return ServiceSessions{LineDelivery: LineDelivery{EffectiveLine: iep.EffectiveLine{ServiceLine: iep.ServiceLine{MinutesPerSession: 30}},
			Year: m}}
	}
	for _, tt := range []struct {
		m    Minutes
		want bool
	}{
		{Minutes{Promised: 120, Delivered: 120}, false},
		{Minutes{Promised: 120, Delivered: 60}, false}, // short, all of it this week
		{Minutes{Promised: 120, Delivered: 90, Owed: 1}, true},
		{Minutes{Promised: 120, Delivered: 0, Owed: 60}, true},
		{Minutes{Promised: 0, Delivered: 30}, false},
	} {
		if got := line(tt.m).Behind(); got != tt.want {
			t.Errorf("%+v: Behind() = %v, want %v", tt.m, got, tt.want)
		}
	}
}

func TestAbsenceOf(t *testing.T) {
	want := map[iep.MissedReason]Absence{
		iep.MissedStudentAbsent: AbsenceChild, iep.MissedStudentUnavailable: AbsenceChild,
		iep.MissedProviderAbsent: AbsenceSchool, iep.MissedProviderDuty: AbsenceSchool,
		iep.MissedSchoolClosed: AbsenceClosed, iep.MissedOther: AbsenceOther,
	}
	for _, r := range iep.MissedReasons {
		if got := AbsenceOf(r); got != want[r] {
			t.Errorf("AbsenceOf(%s) = %s, want %s", r, got, want[r])
		}
	}
}
