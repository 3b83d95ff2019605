package clocks

import (
	"errors"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/schoolday"
)

// counter adds and counts a rule's units on the district calendar, and says when the answer
// is an estimate (provisional): the count ran past the days the calendar knows. A nil calendar
// knows no school day (every school-day answer is an estimate); business days need none.
type counter struct{ cal *schoolday.Calendar }

// add returns the day n units after from (from is day 0).
func (c counter) add(from date.Date, n int, u rules.Unit) (date.Date, bool, error) {
	switch u {
	case rules.Years, rules.Age:
		return schoolday.Anniversary(from, n), false, nil
	case rules.CalendarDays:
		return from.AddDays(n), false, nil
	}
	r, err := c.cal.Add(from, n, schoolday.Unit(u))
	if errors.Is(err, schoolday.ErrBeyondCalendar) {
		return r.Date, true, nil
	}
	if err != nil {
		return date.Date{}, false, err
	}
	return r.Date, r.Provisional, nil
}

// count returns the number of units after from up to and including to.
func (c counter) count(from, to date.Date, u rules.Unit) (int, bool, error) {
	if u == rules.CalendarDays {
		return from.DaysUntil(to), false, nil
	}
	n, err := c.cal.Count(from, to, schoolday.Unit(u))
	if errors.Is(err, schoolday.ErrBeyondCalendar) {
		return n, true, nil
	}
	return n, false, err
}
