package app

import (
	"context"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/delivery"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// TestCaseload: a case manager sees their own caseload whatever they ask for; an administrator
// chooses one (nobody's until then), and a staff id of no one is a field error; other staff are
// refused and families and other districts find nothing. Showing a caseload is audited.
func TestCaseload(t *testing.T) {
	f := newFixture(t, 3)
	ctx := context.Background()
	db := f.svc.db
	p, err := db.GetPlan(ctx, f.district, f.planID)
	if err != nil {
		t.Fatal(err)
	}
	cm := Actor{Kind: ActorStaff, ID: p.CaseManagerID, DistrictID: f.district, AccountID: "account-cm", Roles: []iep.StaffRole{iep.RoleCaseManager}}
	got, err := f.svc.Caseload(ctx, cm, f.district, CaseloadQuery{CaseManagerID: "someone-else"})
	if err != nil {
		t.Fatal(err)
	}
	if got.CaseManager == nil || got.CaseManager.ID != cm.ID || !got.Own || got.Students != 1 || len(got.Drafts) != 1 ||
		got.Drafts[0].PlanID != f.planID || len(got.Rest) != 0 || got.CaseManagers != nil || got.MayChoose || got.WeekEnd != got.Today.AddDays(7) {
		t.Fatalf("the case manager's caseload: %+v", got)
	}
	if got.Drafts[0].Days != 0 || got.Today != date.Of(testNow.In(mustLoad(t, "America/New_York"))) {
		t.Errorf("days since the last edit %d, today %s", got.Drafts[0].Days, got.Today)
	}
	entries, _ := db.ListAudit(ctx, f.district, "", 0)
	if n := len(entries); n != 1 || entries[0].Action != "read_caseload" || entries[0].RecordKind != "caseload" ||
		entries[0].RecordID != cm.ID || entries[0].Reason != "case_manager" {
		t.Errorf("audit: %+v", entries)
	}

	// The administrator: nobody's caseload yet, the case managers to choose from; then one.
	got, err = f.svc.Caseload(ctx, f.admin, f.district, CaseloadQuery{})
	if err != nil || got.CaseManager != nil || len(got.CaseManagers) != 1 || got.CaseManagers[0].ID != cm.ID {
		t.Fatalf("the administrator's first view: %+v, %v", got, err)
	}
	got, err = f.svc.Caseload(ctx, f.admin, f.district, CaseloadQuery{CaseManagerID: cm.ID})
	if err != nil || got.CaseManager == nil || got.Own || len(got.Drafts) != 1 || !got.MayChoose || got.CaseManagers != nil {
		t.Fatalf("the administrator's view of a caseload: %+v, %v", got, err)
	}
	if _, err := f.svc.Caseload(ctx, f.admin, f.district, CaseloadQuery{CaseManagerID: "nobody"}); iep.KindOf(err) != iep.KindInvalid {
		t.Errorf("an unknown case manager: %v", err)
	}
	if entries, _ := db.ListAudit(ctx, f.district, "", 0); len(entries) != 2 {
		t.Errorf("%d audit entries; the choice alone names no student and is not one", len(entries))
	}

	teacher := Actor{Kind: ActorStaff, ID: "t", DistrictID: f.district, AccountID: "account-t", Roles: []iep.StaffRole{iep.RoleGeneralEducationTeacher}}
	viewer := Actor{Kind: ActorStateViewer, ID: "v", AccountID: "account-v", Roles: []iep.StaffRole{iep.RoleStateViewer}}
	parent := Actor{Kind: ActorGuardian, ID: "g", DistrictID: f.district, AccountID: "account-g"}
	for _, c := range []struct {
		who  Actor
		kind iep.Kind
	}{{teacher, iep.KindForbidden}, {viewer, iep.KindForbidden}, {parent, iep.KindNotFound}, {f.otherAdmin, iep.KindNotFound}, {Anonymous, iep.KindUnauthenticated}} {
		if _, err := f.svc.Caseload(ctx, c.who, f.district, CaseloadQuery{}); iep.KindOf(err) != c.kind {
			t.Errorf("%s %s: %v, want %s", c.who.Kind, c.who.ID, err, c.kind)
		}
	}
}

// TestCaseloadSections: what is due (overdue first), the plan waiting for the family, the
// meetings of the week in the district's days, and the rest by name, each student once.
func TestCaseloadSections(t *testing.T) {
	f := newFixture(t, 5)
	ctx := context.Background()
	db := f.svc.db
	p, _ := db.GetPlan(ctx, f.district, f.planID)
	cm := Actor{Kind: ActorStaff, ID: p.CaseManagerID, DistrictID: f.district, AccountID: "account-cm", Roles: []iep.StaffRole{iep.RoleCaseManager}}
	today := date.Of(testNow.In(mustLoad(t, "America/New_York")))
	rows, err := db.ListStudents(ctx, f.district, store.StudentFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// rows[0] is f.student (the draft); rows[1] proposed; rows[2] due; rows[3] a meeting; rows[4] the rest.
	err = db.Write(ctx, func(tx *store.Tx) error {
		for _, i := range []int{1, 2, 3, 4} {
			pl := &iep.Plan{DistrictID: f.district, StudentID: rows[i].ID, Kind: iep.PlanInitial, Status: iep.StatusAccepted,
				SchoolID: f.school, CaseManagerID: cm.ID}
			if i == 1 {
				pl.Status = iep.StatusProposed
			}
			if err := tx.CreatePlan(ctx, pl, cm.ID); err != nil {
				return err
			}
			if _, err := tx.FreezePlan(ctx, f.district, pl.ID, cm.ID); err != nil {
				return err
			}
		}
		if err := tx.ReplaceDeadlines(ctx, f.district, rows[2].ID, []store.Deadline{
			{Clock: "services_start", Start: today.AddDays(-5), Due: today.AddDays(3), Soon: today.AddDays(-1), CaseManagerID: cm.ID},
			{Clock: "proposed_iep_sent", Start: today.AddDays(-9), Due: today.AddDays(-2), Soon: today.AddDays(-4), CaseManagerID: cm.ID},
			{Clock: "annual_review", Start: today.AddDays(-9), Due: today.AddDays(200), Soon: today.AddDays(170), CaseManagerID: cm.ID},
		}); err != nil {
			return err
		}
		for _, at := range []time.Time{testNow.Add(6 * 24 * time.Hour), testNow.Add(9 * 24 * time.Hour)} {
			if err := tx.CreateMeeting(ctx, &iep.Meeting{DistrictID: f.district, StudentID: rows[3].ID, Status: iep.MeetingScheduled,
				Purposes: []iep.MeetingPurpose{iep.PurposeAnnualReview}, StartsAt: at, DurationMinutes: 30, Location: "Room 1"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.svc.Caseload(ctx, cm, f.district, CaseloadQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Due) != 2 || got.Due[0].Status.Code != "overdue" || got.Due[0].Status.Days != 2 ||
		got.Due[1].Status.Code != "due_soon" || got.Due[1].Status.Days != 3 || got.Counts.Upcoming != 1 || got.MoreDue != 0 {
		t.Errorf("due: %+v counts %+v", got.Due, got.Counts)
	}
	if len(got.Proposed) != 1 || got.Proposed[0].StudentID != rows[1].ID || len(got.Drafts) != 1 {
		t.Errorf("plans: %+v %+v", got.Proposed, got.Drafts)
	}
	if len(got.Meetings) != 1 || got.Meetings[0].StudentID != rows[3].ID {
		t.Errorf("meetings of the week: %+v", got.Meetings)
	}
	if got.Students != 5 || len(got.Rest) != 1 || got.Rest[0].ID != rows[4].ID || got.Rest[0].SchoolName != "S" {
		t.Errorf("the rest: %d students, %+v", got.Students, got.Rest)
	}
}

// TestMinutesOf: the pages' minutes are package delivery's account of the line (its own
// tests hold the arithmetic): promised, delivered, excused and owed, the sessions missed and
// made up, the school days counted; a line not in force in the period is Outside.
func TestMinutesOf(t *testing.T) {
	weekdays := func(d date.Date) bool { return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday }
	d := date.MustParse
	line := func(per iep.Period, minutes, n, cycle int) delivery.Span {
		return delivery.Span{Line: iep.ServiceLine{ID: "s1", Period: per, MinutesPerSession: minutes, SessionsPerPeriod: n, CycleDays: cycle},
			From: d("2026-03-02"), To: d("2026-06-30")}
	}
	logs := []iep.ServiceLog{
		{ID: "1", ServiceLineID: "s1", Date: d("2026-03-03"), Minutes: 30, Status: iep.SessionDelivered},
		{ID: "2", ServiceLineID: "s1", Date: d("2026-03-05"), Status: iep.SessionMissed, MissedReason: iep.MissedProviderAbsent},
		{ID: "3", ServiceLineID: "s1", Date: d("2026-03-06"), Minutes: 30, Status: iep.SessionMakeUp, MakeUpOf: "2"},
		{ID: "4", ServiceLineID: "s1", Date: d("2026-02-27"), Minutes: 30, Status: iep.SessionDelivered}, // before the line
		{ID: "5", ServiceLineID: "s2", Date: d("2026-03-04"), Minutes: 30, Status: iep.SessionDelivered}, // another line
		{ID: "6", ServiceLineID: "s1", Date: d("2026-03-10"), Status: iep.SessionMissed, MissedReason: iep.MissedStudentAbsent},
	}
	today := d("2026-03-16") // the Monday after: both weeks over
	for _, c := range []struct {
		name     string
		s        delivery.Span
		from, to string
		want     Minutes
	}{
		// Two weeks (10 school days) of 2 × 30 a week: 120 from the line's start on; the second
		// week's absence excused, its other session never logged: 30 owed.
		{"weekly", line(iep.PerWeek, 30, 2, 0), "2026-02-23", "2026-03-13",
			Minutes{Promised: 120, Delivered: 60, Excused: 30, Owed: 30, Missed: 2, MadeUp: 1, SchoolDays: 10}},
		// 10 school days of 2 × 30 per 6-day cycle: 60 in the first cycle (delivered), 40 so far of the
		// second (under way: nothing owed).
		{"cycle", line(iep.PerCycle, 30, 2, 6), "2026-03-02", "2026-03-13",
			Minutes{Promised: 100, Delivered: 60, Excused: 30, Missed: 2, MadeUp: 1, SchoolDays: 10}},
		// March 2026 has 22 weekdays; 10 of them counted: 60 × 10/22 = 27.
		{"monthly", line(iep.PerMonth, 60, 1, 0), "2026-03-01", "2026-03-13",
			Minutes{Promised: 27, Delivered: 60, Excused: 27, Missed: 2, MadeUp: 1, SchoolDays: 10}},
		{"before the line", line(iep.PerWeek, 30, 2, 0), "2026-02-02", "2026-02-27", Minutes{Outside: true}},
	} {
		got := minutesOf(lineOf(delivery.Count([]delivery.Span{c.s}, logs, d(c.from), d(c.to), today, weekdays), "s1"))
		if got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}
