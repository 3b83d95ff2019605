package app

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/schoolday"
	"github.com/openiep/openiep/internal/store"
)

// The administration of the district's school calendar: its school years and the days that are
// not ordinary school days (closures, snow days, early releases, ESY, make-up days). A day is
// added or removed one at a time (the policy's ManageDistrict, audited in the transaction of the
// change), and every change recomputes the district's deadlines on the new calendar.

// CalendarAdmin is the district's calendar as the administrator sees it.
type CalendarAdmin struct {
	District iep.District
	Today    date.Date
	Years    []CalendarYear
}

// CalendarYear is a school year with the days listed that are not ordinary school days, by
// month.
type CalendarYear struct {
	iep.SchoolYear
	SchoolDays int // the school days of the year as the calendar stands
	Months     []CalendarMonth
	// Ordinary counts the weekdays listed as school days: a calendar imported day by day lists
	// every one. They change nothing (a weekday in session is a school day) and are not in Months.
	Ordinary int
}

// ordinary reports whether a listed day is an ordinary school day: a school day on a weekday in
// session (Monday to Friday, the weeks of the stored calendar), as opposed to a make-up day.
func ordinary(d iep.CalendarDay) bool {
	return d.Kind == iep.DaySchool && weekday(d.Date)
}

func weekday(d date.Date) bool { return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday }

// CalendarMonth is the listed days of one month, by date.
type CalendarMonth struct {
	Month date.Date // its first day
	Days  []iep.CalendarDay
}

// CalendarDayKinds are the kinds of day an administrator adds, in the order the form offers
// them (a snow day first: the change most often made during the year).
var CalendarDayKinds = []iep.CalendarDayKind{iep.DayEmergency, iep.DayClosed, iep.DayPartial, iep.DaySchool, iep.DayESY}

// MaxCalendarNote is the longest name of a listed day, in characters.
const MaxCalendarNote = 80

// DistrictCalendar returns the district's school years and listed days (ManageDistrict).
func (s *Service) DistrictCalendar(ctx context.Context, a Actor, districtID string) (*CalendarAdmin, error) {
	if _, err := s.manage(ctx, a, districtID, ""); err != nil {
		return nil, err
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	now, err := s.districtNow(ctx, districtID)
	if err != nil {
		return nil, err
	}
	out := &CalendarAdmin{District: *d, Today: date.Of(now)}
	years, err := s.db.ListSchoolYears(ctx, districtID)
	if err != nil {
		return nil, err
	}
	var all []iep.CalendarDay
	for _, y := range years {
		days, err := s.db.ListCalendarDays(ctx, districtID, y.ID)
		if err != nil {
			return nil, err
		}
		all = append(all, days...)
		cy := CalendarYear{SchoolYear: y}
		for _, day := range days {
			if ordinary(day) {
				cy.Ordinary++
				continue
			}
			m := date.New(day.Date.Year, day.Date.Month, 1)
			if n := len(cy.Months); n == 0 || cy.Months[n-1].Month != m {
				cy.Months = append(cy.Months, CalendarMonth{Month: m})
			}
			last := &cy.Months[len(cy.Months)-1]
			last.Days = append(last.Days, day)
		}
		out.Years = append(out.Years, cy)
	}
	if len(years) > 0 {
		cal, err := schoolday.New(d.RulePack, schoolday.FromStore(years, all)...)
		if err != nil {
			return nil, err
		}
		for i := range out.Years {
			y := out.Years[i].SchoolYear
			out.Years[i].SchoolDays, _ = cal.Count(y.FirstDay.AddDays(-1), y.LastDay, schoolday.SchoolDays)
		}
	}
	return out, nil
}

// CalendarDayInput is a day as the administrator typed it.
type CalendarDayInput struct {
	Date, Kind, Note string
}

// CalendarChange is what a change of the calendar did: the day added or removed, how many
// students' deadlines were recomputed, and of those, how many had a deadline whose due date
// moved.
type CalendarChange struct {
	Day      iep.CalendarDay
	Students int
	Moved    int
}

// AddCalendarDay lists a day in the district's calendar and recomputes the deadlines. A weekday
// listed as an ordinary school day takes the new kind (it was a school day either way). Problems
// (nothing stored): date required, invalid, outside (in no school year; an ESY day may also be
// in the summer after one), duplicate (already listed; Detail: as what), weekday (a make-up day
// on a weekday, which is a school day already); kind required or not one of CalendarDayKinds;
// note required or too long. Errors: the policy's.
func (s *Service) AddCalendarDay(ctx context.Context, a Actor, districtID string, in CalendarDayInput) (*CalendarChange, error) {
	dec, err := s.manage(ctx, a, districtID, "")
	if err != nil {
		return nil, err
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	day := iep.CalendarDay{DistrictID: districtID, Kind: iep.CalendarDayKind(strings.TrimSpace(in.Kind)),
		Note: strings.Join(strings.Fields(in.Note), " ")}
	var ps iep.Problems
	switch v := strings.TrimSpace(in.Date); {
	case v == "":
		ps = append(ps, iep.Problem{Field: "date", Code: iep.CodeRequired})
	default:
		if day.Date, err = date.Parse(v); err != nil {
			ps = append(ps, iep.Problem{Field: "date", Code: iep.CodeInvalid})
		}
	}
	switch {
	case day.Kind == "":
		ps = append(ps, iep.Problem{Field: "kind", Code: iep.CodeRequired})
	case !slices.Contains(CalendarDayKinds, day.Kind):
		ps = append(ps, iep.Problem{Field: "kind", Code: iep.CodeChoice})
	}
	switch {
	case day.Note == "":
		ps = append(ps, iep.Problem{Field: "note", Code: iep.CodeRequired})
	case utf8.RuneCountInString(day.Note) > MaxCalendarNote:
		ps = append(ps, iep.Problem{Field: "note", Code: iep.CodeTooLong})
	}
	years, err := s.db.ListSchoolYears(ctx, districtID)
	if err != nil {
		return nil, err
	}
	if !day.Date.IsZero() && day.Kind != "" {
		switch day.SchoolYearID = yearOf(years, day.Date, day.Kind); {
		case day.SchoolYearID == "":
			ps = append(ps, iep.Problem{Field: "date", Code: "outside"})
		case ordinary(day):
			ps = append(ps, iep.Problem{Field: "date", Code: "weekday"})
		}
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	// The calendar must still be one the clocks can count on (schoolday.New): otherwise every
	// event of the district would fail to recompute its student's deadlines.
	if err := s.checkCalendar(ctx, d, years, day); err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error { return tx.AddCalendarDay(ctx, &day, weekday(day.Date), byActor(a, dec)) })
	if err != nil {
		return nil, err
	}
	return s.recomputeAfter(ctx, districtID, day)
}

// RemoveCalendarDay takes a listed day (YYYY-MM-DD) off the district's calendar and recomputes
// the deadlines. Errors: the policy's; not found (the day is not listed, or the text is no date).
func (s *Service) RemoveCalendarDay(ctx context.Context, a Actor, districtID, day string) (*CalendarChange, error) {
	dec, err := s.manage(ctx, a, districtID, "")
	if err != nil {
		return nil, err
	}
	on, err := date.Parse(day)
	if err != nil {
		return nil, iep.Errorf(iep.KindNotFound, "calendar day %q not found", day)
	}
	var removed *iep.CalendarDay
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		removed, err = tx.RemoveCalendarDay(ctx, districtID, on, byActor(a, dec))
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.recomputeAfter(ctx, districtID, *removed)
}

// yearOf is the id of the school year a day of kind k on day belongs to: the year whose first
// to last day hold it, or for an ESY day also the summer after a year (up to the next year's
// first day, or the end of August after the last year); "" when none.
func yearOf(years []iep.SchoolYear, day date.Date, k iep.CalendarDayKind) string {
	for i, y := range years {
		if !day.Before(y.FirstDay) && !day.After(y.LastDay) {
			return y.ID
		}
		if k != iep.DayESY || !day.After(y.LastDay) {
			continue
		}
		end := date.New(y.LastDay.Year, time.August, 31)
		if i+1 < len(years) {
			end = years[i+1].FirstDay.AddDays(-1)
		}
		if !day.After(end) {
			return y.ID
		}
	}
	return ""
}

// checkCalendar builds the district's calendar with day added, as the clocks will, and refuses
// the day (problem date/outside) when the calendar does not hold together with it.
func (s *Service) checkCalendar(ctx context.Context, d *iep.District, years []iep.SchoolYear, day iep.CalendarDay) error {
	all := []iep.CalendarDay{day}
	for _, y := range years {
		days, err := s.db.ListCalendarDays(ctx, d.ID, y.ID)
		if err != nil {
			return err
		}
		all = append(all, days...)
	}
	if _, err := schoolday.New(d.RulePack, schoolday.FromStore(years, all)...); err != nil {
		return iep.Problems{{Field: "date", Code: "outside"}}.Err()
	}
	return nil
}

// recomputeAfter recomputes the district's deadlines after a change of its calendar and counts
// the students whose deadlines moved. It runs to the end even if the request that asked for it
// goes away: a calendar half recomputed would disagree with the deadlines.
func (s *Service) recomputeAfter(ctx context.Context, districtID string, day iep.CalendarDay) (*CalendarChange, error) {
	ctx = context.WithoutCancel(ctx)
	before, err := s.db.DeadlineDates(ctx, districtID)
	if err != nil {
		return nil, err
	}
	n, err := s.RecomputeDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	after, err := s.db.DeadlineDates(ctx, districtID)
	if err != nil {
		return nil, err
	}
	// A calendar moves dates; it neither makes nor ends a deadline (the ledger does): a student
	// whose deadlines were first stored now is not one whose deadlines moved.
	out := &CalendarChange{Day: day, Students: n}
	for id, h := range after {
		if b, ok := before[id]; ok && b != h {
			out.Moved++
		}
	}
	return out, nil
}
