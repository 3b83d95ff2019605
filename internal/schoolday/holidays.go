package schoolday

import (
	"slices"
	"sync"
	"time"

	"github.com/openiep/openiep/internal/date"
)

// Anniversary is the same month and day years later; Feb 29 in a year without it is Feb 28.
// (Never Mar 1: a yearly deadline must not slip past the month it is due in.)
func Anniversary(d date.Date, years int) date.Date { return d.AddYears(years) }

// Holidays returns the holidays business days skip in calendar year year, in order: the
// federal holidays of 5 U.S.C. 6103 on the days they are observed (one on a Saturday is
// observed the Friday before, one on a Sunday the Monday after; so New Year's Day of the next
// year can be observed on December 31), and for "MA" Patriots' Day, the third Monday in April.
// Juneteenth counts from 2021. An unknown jurisdiction gets the federal holidays.
func Holidays(jurisdiction string, year int) []date.Date {
	return slices.Clone(holidays(jurisdiction, year))
}

type holidayKey struct {
	jurisdiction string
	year         int
}

// holidayCache remembers Holidays: business days ask for them on every day they count.
var holidayCache sync.Map // holidayKey → []date.Date, never changed once stored

// holidays is Holidays without the copy; its result must not be changed.
func holidays(jurisdiction string, year int) []date.Date {
	j, ok := normJurisdiction(jurisdiction)
	if !ok {
		j = "federal"
	}
	k := holidayKey{j, year}
	if v, ok := holidayCache.Load(k); ok {
		return v.([]date.Date)
	}
	v, _ := holidayCache.LoadOrStore(k, computeHolidays(j, year))
	return v.([]date.Date)
}

func computeHolidays(jurisdiction string, year int) []date.Date {
	var out []date.Date
	for _, y := range []int{year, year + 1} {
		for _, d := range holidaysOf(jurisdiction, y) {
			if d.Year == year {
				out = append(out, d)
			}
		}
	}
	slices.SortFunc(out, date.Date.Compare)
	return slices.Compact(out)
}

// holidaysOf lists the observed dates of the holidays of year y (one may fall in y-1).
func holidaysOf(jurisdiction string, y int) []date.Date {
	hs := []date.Date{
		date.Observed(date.New(y, time.January, 1)),         // New Year's Day
		date.NthWeekday(y, time.January, time.Monday, 3),    // Birthday of Martin Luther King, Jr.
		date.NthWeekday(y, time.February, time.Monday, 3),   // Washington's Birthday
		date.NthWeekday(y, time.May, time.Monday, -1),       // Memorial Day
		date.Observed(date.New(y, time.July, 4)),            // Independence Day
		date.NthWeekday(y, time.September, time.Monday, 1),  // Labor Day
		date.NthWeekday(y, time.October, time.Monday, 2),    // Columbus Day
		date.Observed(date.New(y, time.November, 11)),       // Veterans Day
		date.NthWeekday(y, time.November, time.Thursday, 4), // Thanksgiving Day
		date.Observed(date.New(y, time.December, 25)),       // Christmas Day
	}
	if y >= 2021 {
		hs = append(hs, date.Observed(date.New(y, time.June, 19))) // Juneteenth National Independence Day
	}
	if j, _ := normJurisdiction(jurisdiction); j == "MA" {
		hs = append(hs, date.NthWeekday(y, time.April, time.Monday, 3)) // Patriots' Day
	}
	return hs
}
