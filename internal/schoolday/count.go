package schoolday

import (
	"fmt"
	"slices"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// maxDays bounds a count, so that a mistaken n cannot loop for ever (about 80 years).
const maxDays = 30000

// Add returns the n-th day of unit u after from (from itself is day 0; counting starts on the
// first day of the kind after it). n >= 0; n == 0 returns from. When the result runs past the
// calendar it returns the provisional estimate AND an error wrapping ErrBeyondCalendar.
//
// Calendar and business days never depend on the school years, so they are never provisional;
// a nil *Calendar counts them with federal holidays (and knows no school day).
func (c *Calendar) Add(from date.Date, n int, u Unit) (Result, error) {
	if n < 0 || n > maxDays {
		return Result{}, fmt.Errorf("schoolday: cannot add %d %s days: n must be between 0 and %d", n, u, maxDays)
	}
	switch u {
	case CalendarDays:
		return Result{Date: from.AddDays(n)}, nil
	case BusinessDays:
		j := c.Jurisdiction()
		d := from
		for k := 0; k < n; {
			d = d.AddDays(1)
			if isBusinessDay(j, d) {
				k++
			}
		}
		return Result{Date: d}, nil
	case SchoolDays:
		d, provisional := from, false
		for k := 0; k < n; {
			d = d.AddDays(1)
			school, known := c.IsSchoolDay(d)
			if !known {
				provisional = true
				school = c.estimate(d)
			}
			if school {
				k++
			}
		}
		if provisional {
			return Result{Date: d, Provisional: true}, fmt.Errorf("%d school days after %s: %w (%s): the date is an estimate",
				n, from, ErrBeyondCalendar, c.span())
		}
		return Result{Date: d}, nil
	}
	return Result{}, unknownUnit(u)
}

// Count returns how many days of unit u lie after from, up to and including to (0 when to <= from).
// Past the calendar: the count so far + ErrBeyondCalendar (the school days the calendar
// knows in the range; the days it does not know are not counted).
func (c *Calendar) Count(from, to date.Date, u Unit) (int, error) {
	if u != CalendarDays && u != BusinessDays && u != SchoolDays {
		return 0, unknownUnit(u)
	}
	if !to.After(from) {
		return 0, nil
	}
	if u == CalendarDays {
		return from.DaysUntil(to), nil
	}
	if from.DaysUntil(to) > maxDays {
		return 0, fmt.Errorf("schoolday: cannot count from %s to %s: more than %d days", from, to, maxDays)
	}
	n, unknown := 0, false
	j := c.Jurisdiction()
	for d := from.AddDays(1); !d.After(to); d = d.AddDays(1) {
		if u == BusinessDays {
			if isBusinessDay(j, d) {
				n++
			}
			continue
		}
		school, known := c.IsSchoolDay(d)
		unknown = unknown || !known
		if school {
			n++
		}
	}
	if unknown {
		return n, fmt.Errorf("school days after %s up to %s: %w (%s): %d counted on the days it knows",
			from, to, ErrBeyondCalendar, c.span(), n)
	}
	return n, nil
}

// IsSchoolDay reports whether d is a school day, and whether the calendar knows d at all.
// The calendar knows every day from July 1 before its first year's first day up to its last
// year's last day (summers and days between years are known days without school), and any
// day it lists (ESY days after a year).
func (c *Calendar) IsSchoolDay(d date.Date) (school, known bool) {
	if c == nil || len(c.years) == 0 {
		return false, false
	}
	i, found := slices.BinarySearchFunc(c.years, d, func(y Year, d date.Date) int {
		switch {
		case y.Last.Before(d):
			return -1
		case y.First.After(d):
			return 1
		}
		return 0
	})
	if found {
		return c.years[i].isSchool(d), true
	}
	// d is between years i-1 and i: only ESY days of year i-1 can be listed there.
	if i > 0 {
		if k, ok := c.years[i-1].Days[d]; ok && k == iep.DayESY {
			return false, true
		}
	}
	last := c.years[len(c.years)-1].Last
	return false, !d.Before(c.knownFrom) && !d.After(last)
}

// estimate says whether a day the calendar does not know is probably a school day: Monday to
// Friday without federal holidays, outside July and August, and (after the calendar) not
// before the next September.
func (c *Calendar) estimate(d date.Date) bool {
	if c != nil && len(c.years) > 0 && d.After(c.years[0].First) && d.Before(c.nextSept) {
		return false
	}
	if d.Month == time.July || d.Month == time.August {
		return false
	}
	return isBusinessDay("federal", d)
}

// span describes the days the calendar knows, for error messages.
func (c *Calendar) span() string {
	if c == nil || len(c.years) == 0 {
		return "the calendar has no school year"
	}
	return fmt.Sprintf("it knows %s to %s", c.knownFrom, c.years[len(c.years)-1].Last)
}

func isBusinessDay(jurisdiction string, d date.Date) bool {
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	return !slices.Contains(holidays(jurisdiction, d.Year), d)
}

func unknownUnit(u Unit) error {
	return fmt.Errorf("schoolday: unknown unit %q (calendar, business or school)", u)
}
