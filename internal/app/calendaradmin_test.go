package app

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// TestCalendarAdministration is the architecture's known example: services must start within 10
// school days of the parents' signature on 2027-02-26. With the make-up Saturday of March 6 the
// deadline is March 11; the storm of March 2 moves it to March 12; taking the snow day off
// moves it back. Each change recomputes the district and says how many students moved.
func TestCalendarAdministration(t *testing.T) {
	f := newFixture(t, 3)
	ctx := context.Background()
	db := f.svc.db
	var year string
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, y := range []*iep.SchoolYear{
			{DistrictID: f.district, Name: "2025-2026", FirstDay: date.MustParse("2025-09-03"), LastDay: date.MustParse("2026-06-16")},
			{DistrictID: f.district, Name: "2026-2027", FirstDay: date.MustParse("2026-09-02"), LastDay: date.MustParse("2027-06-16")},
		} {
			if err := tx.CreateSchoolYear(ctx, y); err != nil {
				return err
			}
			year = y.ID
		}
		// Calendars imported day by day list every school day: a weekday listed so is ordinary.
		if err := tx.PutCalendarDays(ctx, f.district, []iep.CalendarDay{{SchoolYearID: year, Date: date.MustParse("2027-03-02"), Kind: iep.DaySchool},
			{SchoolYearID: year, Date: date.MustParse("2027-03-03"), Kind: iep.DaySchool}}); err != nil {
			return err
		}
		return tx.AppendEvent(ctx, &iep.Event{DistrictID: f.district, StudentID: f.student, PlanID: f.planID,
			Kind: iep.EventResponseReceived, OccurredOn: date.MustParse("2027-02-26"), Data: []byte(`{"decision":"accept"}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	servicesDue := func() string {
		t.Helper()
		ds, err := db.ListStudentDeadlines(ctx, f.district, f.student)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.Clock == "services_start" {
				return d.Due.String()
			}
		}
		t.Fatalf("no services_start deadline in %+v", ds)
		return ""
	}
	if got := servicesDue(); got != "2027-03-12" {
		t.Fatalf("before any change: services start by %s, want 2027-03-12", got)
	}
	add := func(day, kind, note string) *CalendarChange {
		t.Helper()
		ch, err := f.svc.AddCalendarDay(ctx, f.admin, f.district, CalendarDayInput{Date: day, Kind: kind, Note: note})
		if err != nil {
			t.Fatalf("add %s %s: %v", day, kind, err)
		}
		return ch
	}
	ch := add("2027-03-06", "school", "Make-up day")
	if got := servicesDue(); got != "2027-03-11" || ch.Students != 1 || ch.Moved != 1 || ch.Day.SchoolYearID != year {
		t.Errorf("with the make-up day: due %s, change %+v", got, ch)
	}
	ch = add("2027-03-02", "emergency", "  Snow   day ")
	if got := servicesDue(); got != "2027-03-12" || ch.Moved != 1 || ch.Day.Note != "Snow day" {
		t.Errorf("after the storm: due %s, change %+v", got, ch)
	}
	ch = add("2027-07-06", "esy", "ESY")
	if ch.Moved != 0 || ch.Students != 1 {
		t.Errorf("an ESY day in the summer moves nothing: %+v", ch)
	}
	ch, err = f.svc.RemoveCalendarDay(ctx, f.admin, f.district, "2027-03-02")
	if err != nil || servicesDue() != "2027-03-11" || ch.Moved != 1 || ch.Day.Kind != iep.DayEmergency {
		t.Errorf("the snow day removed: due %s, %+v, %v", servicesDue(), ch, err)
	}

	cal, err := f.svc.DistrictCalendar(ctx, f.admin, f.district)
	if err != nil {
		t.Fatal(err)
	}
	if len(cal.Years) != 2 || cal.Years[1].Ordinary != 1 || len(cal.Years[1].Months) != 2 ||
		cal.Years[1].Months[0].Month.String() != "2027-03-01" || cal.Years[1].Months[1].Days[0].Note != "ESY" {
		t.Errorf("the calendar: %+v", cal.Years)
	}
	// 2026-09-02 to 2027-06-16 has 206 weekdays (no holiday is listed) and one make-up Saturday.
	if cal.Years[1].SchoolDays != 207 {
		t.Errorf("school days of 2026-2027 = %d, want 207", cal.Years[1].SchoolDays)
	}

	// Refusals: every problem at once, nothing stored.
	problems := func(in CalendarDayInput) []iep.Problem {
		t.Helper()
		_, err := f.svc.AddCalendarDay(ctx, f.admin, f.district, in)
		var e *iep.Error
		if !errors.As(err, &e) || e.Kind != iep.KindInvalid {
			t.Fatalf("%+v: %v, want problems", in, err)
		}
		return e.Problems
	}
	for _, c := range []struct {
		in   CalendarDayInput
		want []iep.Problem
	}{
		{CalendarDayInput{}, []iep.Problem{{Field: "date", Code: "required"}, {Field: "kind", Code: "required"}, {Field: "note", Code: "required"}}},
		{CalendarDayInput{Date: "March 2", Kind: "holiday", Note: string(make([]byte, 81))}, nil},
		{CalendarDayInput{Date: "2027-08-02", Kind: "emergency", Note: "Storm"}, []iep.Problem{{Field: "date", Code: "outside"}}},
		{CalendarDayInput{Date: "2027-03-06", Kind: "partial", Note: "Early release"}, []iep.Problem{{Field: "date", Code: "duplicate", Detail: "school"}}},
		{CalendarDayInput{Date: "2027-03-05", Kind: "school", Note: "Make-up day"}, []iep.Problem{{Field: "date", Code: "weekday"}}},
	} {
		got := problems(c.in)
		if c.want != nil && !slices.Equal(got, c.want) {
			t.Errorf("%+v: problems %+v, want %+v", c.in, got, c.want)
		}
		if c.want == nil && c.in.Kind == "holiday" && len(got) != 3 {
			t.Errorf("%+v: problems %+v, want date, kind and note", c.in, got)
		}
	}
	after, _ := f.svc.DistrictCalendar(ctx, f.admin, f.district)
	if len(after.Years[1].Months) != 2 || len(after.Years[0].Months) != 0 {
		t.Errorf("a refusal stored something: %+v", after.Years)
	}

	// Who may: administrators of the district only.
	caseManager := Actor{Kind: ActorStaff, ID: "cm", DistrictID: f.district, AccountID: "acc-cm", Roles: []iep.StaffRole{iep.RoleCaseManager}}
	if _, err := f.svc.AddCalendarDay(ctx, caseManager, f.district, CalendarDayInput{Date: "2027-03-03", Kind: "emergency", Note: "Snow"}); iep.KindOf(err) != iep.KindForbidden {
		t.Errorf("a case manager adds a day: %v", err)
	}
	if _, err := f.svc.RemoveCalendarDay(ctx, f.otherAdmin, f.district, "2027-03-06"); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("another district's administrator removes a day: %v", err)
	}
	if _, err := f.svc.DistrictCalendar(ctx, caseManager, f.district); iep.KindOf(err) != iep.KindForbidden {
		t.Errorf("a case manager reads the calendar: %v", err)
	}
	if _, err := f.svc.RemoveCalendarDay(ctx, f.admin, f.district, "2027-03-02"); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("a day no longer listed: %v", err)
	}

	// Each change is in the audit trail, with the administrator and the day.
	entries, err := db.ListAudit(ctx, f.district, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var changes []string
	for _, e := range entries {
		if e.RecordKind == "calendar_day" {
			changes = append(changes, e.Action+" "+e.RecordID+" "+e.ActorID)
		}
	}
	slices.Reverse(changes)
	want := []string{"create 2027-03-06 " + f.admin.ID, "create 2027-03-02 " + f.admin.ID, "create 2027-07-06 " + f.admin.ID,
		"delete 2027-03-02 " + f.admin.ID}
	if !slices.Equal(changes, want) {
		t.Errorf("audit = %v, want %v", changes, want)
	}
}
