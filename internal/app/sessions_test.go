package app

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// sessionsFixture is the family fixture (Mia, a speech line of 2 × 30 a week in effect, March's
// sessions) with a speech-language pathologist, a colleague, and a second student with a speech
// line in effect, both assigned to the pathologist by an administrator: Mia on Tuesdays and
// Thursdays at 09:30, the second student on Thursdays at 09:30 too (a group).
type sessionsFixture struct {
	*familyFixture
	slp, colleague Actor
	second         string
}

func newSessionsFixture(t *testing.T) *sessionsFixture {
	t.Helper()
	f := &sessionsFixture{familyFixture: newFamilyFixture(t)}
	ctx := context.Background()
	err := f.svc.db.Write(ctx, func(tx *store.Tx) error {
		slp := &iep.Staff{DistrictID: f.district, FirstName: "Sam", LastName: "Speech", Roles: []iep.StaffRole{iep.RoleSpeechLanguage}, Active: true}
		col := &iep.Staff{DistrictID: f.district, FirstName: "Cora", LastName: "Cover", Roles: []iep.StaffRole{iep.RoleSpeechLanguage}, Active: true}
		for _, s := range []*iep.Staff{slp, col} {
			if err := tx.CreateStaff(ctx, s); err != nil {
				return err
			}
		}
		f.slp = Actor{Kind: ActorStaff, ID: slp.ID, DistrictID: f.district, AccountID: "account-slp", Roles: slp.Roles}
		f.colleague = Actor{Kind: ActorStaff, ID: col.ID, DistrictID: f.district, AccountID: "account-col", Roles: col.Roles}
		st := &iep.Student{DistrictID: f.district, SchoolID: f.school, LocalID: "second", FirstName: "Leo", LastName: "Second",
			BirthDate: date.MustParse("2016-01-01"), Grade: "04", HomeLanguage: "en", EnrolledOn: date.MustParse("2020-09-01")}
		if err := tx.CreateStudent(ctx, st); err != nil {
			return err
		}
		f.second = st.ID
		line := iep.ServiceLine{ID: "speech", Category: iep.CategoryRelated, Type: iep.ServiceSpeechLanguage, ProviderRole: iep.RoleSpeechLanguage,
			Setting: iep.OutsideGeneralEducation, GroupSize: 2, MinutesPerSession: 30, SessionsPerPeriod: 1, Period: iep.PerWeek,
			StartDate: date.MustParse("2025-09-01"), EndDate: date.MustParse("2026-08-31")}
		p := &iep.Plan{DistrictID: f.district, StudentID: st.ID, Kind: iep.PlanAnnual, Status: iep.StatusAccepted, SchoolID: f.school,
			StartDate: date.MustParse("2025-09-01"), EndDate: date.MustParse("2026-08-31"),
			Content: iep.Content{Services: iep.Services{Lines: []iep.ServiceLine{line}}}}
		if err := tx.CreatePlan(ctx, p, slp.ID); err != nil {
			return err
		}
		_, err := tx.FreezePlan(ctx, f.district, p.ID, slp.ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		student string
		days    []time.Weekday
	}{{f.student, []time.Weekday{time.Thursday, time.Tuesday}}, {f.second, []time.Weekday{time.Thursday}}} {
		in := ServiceAssignmentInput{LineID: "speech", ProviderID: f.slp.ID, Weekdays: a.days, StartTime: "09:30", StartsOn: date.MustParse("2026-03-01")}
		if _, err := f.svc.AssignProvider(ctx, f.admin, f.district, a.student, in); err != nil {
			t.Fatalf("assign: %v", err)
		}
	}
	return f
}

// TestSessionDay: the pathologist's Thursday shows one group of two at 09:30 with each line's
// week so far, nothing unscheduled, and the session missed for the school's reasons that is not
// made up (the one made up and the one the child missed are not owed); a day after today is
// refused; a staff member with no assignments has an empty day.
func TestSessionDay(t *testing.T) {
	f := newSessionsFixture(t)
	ctx := context.Background()
	day, err := f.svc.SessionDay(ctx, f.slp, f.district, date.MustParse("2026-03-12"))
	if err != nil {
		t.Fatal(err)
	}
	if len(day.Slots) != 1 || !day.Slots[0].Group() || day.Slots[0].Time != "09:30" || len(day.Unscheduled) != 0 || !day.SchoolDay {
		t.Fatalf("slots: %+v unscheduled %+v", day.Slots, day.Unscheduled)
	}
	var mia SessionItem
	for _, it := range day.Items() {
		if it.Student.ID == f.student {
			mia = it
		}
	}
	// The week of March 9 to the 12th: 4 school days of 60 a week (48), the 9th excused (30).
	if mia.PlanID != f.plan || mia.Week.Required != 48 || mia.Week.Excused != 30 || mia.Week.Delivered != 0 || mia.Done() {
		t.Errorf("Mia's line: plan %s, week %+v", mia.PlanID, mia.Week)
	}
	if len(day.Owed) != 1 || day.Owed[0].Missed.Date != date.MustParse("2026-03-11") {
		t.Errorf("owed: %+v, want the session of March 11", day.Owed)
	}
	if slices.ContainsFunc(day.Colleagues, func(s iep.Staff) bool { return s.ID == f.slp.ID }) || len(day.Colleagues) == 0 {
		t.Errorf("colleagues: %+v", day.Colleagues)
	}
	// Tuesday: Mia alone.
	tue, err := f.svc.SessionDay(ctx, f.slp, f.district, date.MustParse("2026-03-10"))
	if err != nil || len(tue.Slots) != 1 || tue.Slots[0].Group() || len(tue.Unscheduled) != 1 || tue.Unscheduled[0].Student.ID != f.second {
		t.Errorf("Tuesday: %+v unscheduled %+v %v", tue.Slots, tue.Unscheduled, err)
	}
	if _, err := f.svc.SessionDay(ctx, f.slp, f.district, date.MustParse("2026-03-17")); !hasField(err, "day") {
		t.Errorf("a day to come: %v", err)
	}
	empty, err := f.svc.SessionDay(ctx, f.colleague, f.district, date.MustParse("2026-03-12"))
	if err != nil || len(empty.Items()) != 0 {
		t.Errorf("the colleague's day: %+v %v", empty, err)
	}
	if _, err := f.svc.SessionDay(ctx, f.parent, f.district, date.MustParse("2026-03-12")); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("a parent's day: %v", err)
	}
}

// TestLogSessions: a group logged once (one group id, the students present counted), the first
// session delivered under a plan records services_started once, the line's minutes by default;
// a student absent from the group is logged missed with the reason, the others' group counts
// only who came; a make-up names the missed session it makes up, once; a substitute is kept; bad
// entries are refused at their fields and nothing is written; a provider who is not assigned may
// not log.
func TestLogSessions(t *testing.T) {
	f := newSessionsFixture(t)
	ctx := context.Background()
	thu := date.MustParse("2026-03-12")
	logs, err := f.svc.LogSessions(ctx, f.slp, f.district, SessionsInput{Date: thu, Note: "Articulation game.", Billable: true,
		Entries: []SessionEntry{{StudentID: f.student, LineID: "speech", Status: iep.SessionDelivered},
			{StudentID: f.second, LineID: "speech", Status: iep.SessionDelivered, Minutes: 25}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 2 || logs[0].GroupSessionID == "" || logs[0].GroupSessionID != logs[1].GroupSessionID || logs[0].GroupSize != 2 ||
		logs[0].Minutes != 30 || logs[1].Minutes != 25 || logs[0].ProviderID != f.slp.ID || !logs[0].Medicaid.Billable || logs[0].Note != "Articulation game." {
		t.Fatalf("group: %+v", logs)
	}
	started := func(student string) int {
		events, _ := f.svc.db.ListEvents(ctx, f.district, student)
		n := 0
		for _, e := range events {
			if e.Kind == iep.EventServicesStarted {
				n++
			}
		}
		return n
	}
	if started(f.student) != 1 || started(f.second) != 1 {
		t.Errorf("services_started: %d and %d, want 1 each", started(f.student), started(f.second))
	}
	// The next Tuesday? Not yet: the 10th, with Mia absent and a colleague covering the other.
	tue := date.MustParse("2026-03-10")
	logs, err = f.svc.LogSessions(ctx, f.slp, f.district, SessionsInput{Date: tue, SubstituteID: f.colleague.ID,
		Entries: []SessionEntry{{StudentID: f.student, LineID: "speech", Status: iep.SessionMissed, MissedReason: iep.MissedStudentAbsent},
			{StudentID: f.second, LineID: "speech", Status: iep.SessionDelivered}}})
	if err != nil {
		t.Fatal(err)
	}
	if logs[0].Status != iep.SessionMissed || logs[0].GroupSessionID != "" || logs[1].GroupSessionID != "" || logs[1].GroupSize != 1 ||
		logs[1].ActualProviderID != f.colleague.ID {
		t.Errorf("one present: %+v", logs)
	}
	if started(f.student) != 1 || started(f.second) != 1 {
		t.Error("services_started recorded again")
	}
	// A make-up of the session missed on the 11th (the provider's duty), once.
	day, _ := f.svc.SessionDay(ctx, f.slp, f.district, thu)
	missed := day.Owed[0].Missed.ID
	mu := SessionsInput{Date: thu, Entries: []SessionEntry{{StudentID: f.student, LineID: "speech", Status: iep.SessionMakeUp, MakeUpOf: missed}}}
	if logs, err = f.svc.LogSessions(ctx, f.slp, f.district, mu); err != nil || logs[0].MakeUpOf != missed || logs[0].Minutes != 30 {
		t.Fatalf("make-up: %+v %v", logs, err)
	}
	if _, err := f.svc.LogSessions(ctx, f.slp, f.district, mu); !hasField(err, "entries[0].make_up_of") {
		t.Errorf("a second make-up of the same session: %v", err)
	}
	if day, _ := f.svc.SessionDay(ctx, f.slp, f.district, thu); len(day.Owed) != 0 {
		t.Errorf("still owed after the make-up: %+v", day.Owed)
	}
	// Bad entries: each at its field, nothing written.
	before, _ := f.svc.db.ListServiceLogs(ctx, f.district, f.second, date.Date{}, date.Date{})
	_, err = f.svc.LogSessions(ctx, f.slp, f.district, SessionsInput{Date: thu, SubstituteID: "nobody",
		Entries: []SessionEntry{{StudentID: f.second, LineID: "speech", Status: iep.SessionDelivered, Minutes: 900},
			{StudentID: f.student, LineID: "ot", Status: iep.SessionDelivered},
			{StudentID: f.student, LineID: "speech", Status: iep.SessionMissed}}})
	for _, field := range []string{"entries[0].minutes", "entries[1].line_id", "entries[2].missed_reason", "substitute_id"} {
		if !hasField(err, field) {
			t.Errorf("bad entries: %v lacks %s", err, field)
		}
	}
	if after, _ := f.svc.db.ListServiceLogs(ctx, f.district, f.second, date.Date{}, date.Date{}); len(after) != len(before) {
		t.Errorf("a refused session wrote %d logs", len(after)-len(before))
	}
	if _, err := f.svc.LogSessions(ctx, f.slp, f.district, SessionsInput{Date: date.MustParse("2026-03-20"),
		Entries: []SessionEntry{{StudentID: f.second, LineID: "speech", Status: iep.SessionDelivered}}}); !hasField(err, "date") {
		t.Errorf("a day to come: %v", err)
	}
	// Not assigned, not on the team: refused.
	if _, err := f.svc.LogSessions(ctx, f.colleague, f.district, SessionsInput{Date: thu,
		Entries: []SessionEntry{{StudentID: f.second, LineID: "speech", Status: iep.SessionDelivered}}}); err == nil {
		t.Error("a provider not assigned logged a session")
	}
}

// TestAssignProvider: a new schedule for the same line and provider replaces the old one from
// its first day; a line the plan in effect does not have, an unknown provider and a bad time are
// refused at their fields; a provider may assign themselves only where they log services.
func TestAssignProvider(t *testing.T) {
	f := newSessionsFixture(t)
	ctx := context.Background()
	in := ServiceAssignmentInput{LineID: "speech", ProviderID: f.slp.ID, Weekdays: []time.Weekday{time.Monday}, StartTime: "13:00",
		StartsOn: date.MustParse("2026-03-09")}
	if _, err := f.svc.AssignProvider(ctx, f.admin, f.district, f.student, in); err != nil {
		t.Fatal(err)
	}
	all, _ := f.svc.db.ListStudentAssignments(ctx, f.district, f.student)
	if len(all) != 2 || all[0].EndsOn != date.MustParse("2026-03-08") || !all[1].EndsOn.IsZero() || all[1].StartTime != "13:00" {
		t.Errorf("the schedule replaced: %+v", all)
	}
	bad := ServiceAssignmentInput{LineID: "ot", ProviderID: "nobody", StartTime: "1pm"}
	_, err := f.svc.AssignProvider(ctx, f.admin, f.district, f.student, bad)
	for _, field := range []string{"service_line_id", "provider_id", "start_time"} {
		if !hasField(err, field) {
			t.Errorf("bad assignment: %v lacks %s", err, field)
		}
	}
	// The colleague may not assign themselves to a student they do not serve.
	self := ServiceAssignmentInput{LineID: "speech", ProviderID: f.colleague.ID}
	if _, err := f.svc.AssignProvider(ctx, f.colleague, f.district, f.second, self); err == nil {
		t.Error("a colleague assigned themselves to a student they do not serve")
	}
	// The pathologist, assigned, may move their own schedule.
	self.ProviderID, self.Weekdays = f.slp.ID, []time.Weekday{time.Friday}
	if _, err := f.svc.AssignProvider(ctx, f.slp, f.district, f.second, self); err != nil {
		t.Errorf("the provider's own schedule: %v", err)
	}
}

// hasField reports whether err is invalid input with a problem at field.
func hasField(err error, field string) bool {
	var e *iep.Error
	if !errors.As(err, &e) {
		return false
	}
	return slices.ContainsFunc(e.Problems, func(p iep.Problem) bool { return p.Field == field })
}
