package schoolday

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// Unit is the kind of day a deadline counts.
type Unit string

const (
	CalendarDays Unit = "calendar"
	BusinessDays Unit = "business" // Monday–Friday except federal and state holidays
	SchoolDays   Unit = "school"   // days children attend for instruction (partial days count; ESY never)
)

// Year is one school year of a district calendar.
type Year struct {
	Name        string
	First, Last date.Date                         // first and last day of school
	Weekdays    [7]bool                           // weekdays in session (index time.Weekday); zero value means Monday–Friday
	Days        map[date.Date]iep.CalendarDayKind // exceptions: closed, emergency, partial, esy, or school (an extra make-up day)
	Notes       map[date.Date]string              // "Thanksgiving", "Snow day" (optional)
}

// InSession reports whether weekday wd is a day of the week the year is in session on.
func (y *Year) InSession(wd time.Weekday) bool {
	if y.Weekdays == ([7]bool{}) {
		return wd != time.Saturday && wd != time.Sunday
	}
	return y.Weekdays[wd]
}

// isSchool reports whether d, inside the year, is a school day: a session weekday that is not
// closed, or an explicit school (make-up) or partial day. Only called for First <= d <= Last.
func (y *Year) isSchool(d date.Date) bool {
	switch y.Days[d] {
	case iep.DaySchool, iep.DayPartial:
		return true
	case iep.DayClosed, iep.DayEmergency, iep.DayESY:
		return false
	}
	return y.InSession(d.Weekday())
}

func (y *Year) contains(d date.Date) bool { return !d.Before(y.First) && !d.After(y.Last) }

// Calendar is a district's school years, checked and ordered, with the jurisdiction whose
// holidays business days skip. It is never changed after New, so it is safe for concurrent use.
type Calendar struct {
	jurisdiction string
	years        []Year
	knownFrom    date.Date // July 1 before the first year's first day
	nextSept     date.Date // the first September 1 after the last year's last day (estimates)
}

// ErrBeyondCalendar means a count needed days the calendar does not know: after the last
// year's last day (or before the summer that precedes its first year).
var ErrBeyondCalendar = errors.New("outside the days the school calendar knows")

// Result is a computed date; Provisional is set when the count ran past the last day the
// calendar knows (school days after the last year's last day): Date is then an estimate
// (assume Monday–Friday without federal holidays from the next September onward, no school in
// the summer) and must be shown as provisional, never as certain.
type Result struct {
	Date        date.Date
	Provisional bool
}

// Jurisdictions whose holidays Holidays knows; New refuses any other.
var Jurisdictions = []string{"federal", "MA"}

func normJurisdiction(j string) (string, bool) {
	if j == "" || strings.EqualFold(j, "federal") {
		return "federal", true
	}
	for _, k := range Jurisdictions {
		if strings.EqualFold(j, k) {
			return k, true
		}
	}
	return "", false
}

// New checks the years (ordered, not overlapping, exceptions inside or, for esy, after the year)
// and returns the calendar; jurisdiction picks the state holidays for business days ("federal", "MA").
// An empty jurisdiction is "federal"; a year without a name is named after its dates. New copies
// the years: changing them afterwards does not change the calendar.
func New(jurisdiction string, years ...Year) (*Calendar, error) {
	j, ok := normJurisdiction(jurisdiction)
	if !ok {
		return nil, fmt.Errorf("unknown jurisdiction %q (known: %s)", jurisdiction, strings.Join(Jurisdictions, ", "))
	}
	c := &Calendar{jurisdiction: j}
	for i, y := range years {
		if err := checkYear(y, years, i); err != nil {
			return nil, err
		}
		y.Days = maps.Clone(y.Days)
		y.Notes = maps.Clone(y.Notes)
		if y.Name == "" {
			y.Name = DefaultName(y.First, y.Last)
		}
		c.years = append(c.years, y)
	}
	if len(c.years) > 0 {
		first, last := c.years[0].First, c.years[len(c.years)-1].Last
		c.knownFrom = date.New(first.Year, time.July, 1)
		if first.Month < time.July {
			c.knownFrom = date.New(first.Year-1, time.July, 1)
		}
		c.nextSept = date.New(last.Year, time.September, 1)
		if last.Month >= time.September {
			c.nextSept = date.New(last.Year+1, time.September, 1)
		}
	}
	return c, nil
}

// DefaultName names a school year after the years of its first and last day: "2026-2027".
func DefaultName(first, last date.Date) string {
	if first.Year == last.Year {
		return fmt.Sprint(first.Year)
	}
	return fmt.Sprintf("%d-%d", first.Year, last.Year)
}

// checkYear checks years[i] and its place after years[i-1].
func checkYear(y Year, years []Year, i int) error {
	name := y.Name
	if name == "" {
		name = fmt.Sprintf("year %d", i+1)
	}
	if y.First.IsZero() || y.Last.IsZero() {
		return fmt.Errorf("school year %s: the first and the last day are required", name)
	}
	if y.Last.Before(y.First) {
		return fmt.Errorf("school year %s: last day %s is before first day %s", name, y.Last, y.First)
	}
	end := date.Date{} // the day before the next year begins, if any
	if i+1 < len(years) {
		end = years[i+1].First.AddDays(-1)
	}
	if i > 0 {
		prev := years[i-1]
		if !prev.Last.Before(y.First) {
			return fmt.Errorf("school year %s (%s to %s) does not come after %s (%s to %s): years must be in order and not overlap",
				name, y.First, y.Last, prev.Name, prev.First, prev.Last)
		}
	}
	for _, d := range slices.SortedFunc(maps.Keys(y.Days), date.Date.Compare) {
		k := y.Days[d]
		if !slices.Contains(iep.CalendarDayKinds, k) {
			return fmt.Errorf("school year %s: %s: unknown kind of day %q", name, d, k)
		}
		if y.contains(d) {
			continue
		}
		if k != iep.DayESY || d.Before(y.First) {
			return fmt.Errorf("school year %s: %s (%s) is outside the year (%s to %s)", name, d, k, y.First, y.Last)
		}
		if !end.IsZero() && d.After(end) {
			return fmt.Errorf("school year %s: ESY day %s is in the next school year", name, d)
		}
	}
	return nil
}

// Jurisdiction returns the jurisdiction whose holidays business days skip.
func (c *Calendar) Jurisdiction() string {
	if c == nil {
		return "federal"
	}
	return c.jurisdiction
}

// Years returns a copy of the calendar's school years, in order.
func (c *Calendar) Years() []Year {
	if c == nil {
		return nil
	}
	out := make([]Year, len(c.years))
	for i, y := range c.years {
		y.Days, y.Notes = maps.Clone(y.Days), maps.Clone(y.Notes)
		out[i] = y
	}
	return out
}

// FromStore builds Years from the stored rows (iep.SchoolYear, iep.CalendarDay), ordered by
// first day. Days whose school year is not among years are left out, and so are closed and
// emergency days outside their year (a holiday listed before the first day, such as Labor
// Day): no day outside a year is a school day, so they change nothing, and New would refuse
// them. Any other day outside its year (but ESY after it) is kept for New to refuse.
func FromStore(years []iep.SchoolYear, days []iep.CalendarDay) []Year {
	out := make([]Year, 0, len(years))
	index := map[string]int{}
	for _, sy := range years {
		index[sy.ID] = len(out)
		out = append(out, Year{Name: sy.Name, First: sy.FirstDay, Last: sy.LastDay,
			Days: map[date.Date]iep.CalendarDayKind{}, Notes: map[date.Date]string{}})
	}
	for _, d := range days {
		i, ok := index[d.SchoolYearID]
		if !ok {
			continue
		}
		if (d.Kind == iep.DayClosed || d.Kind == iep.DayEmergency) && !out[i].contains(d.Date) {
			continue
		}
		out[i].Days[d.Date] = d.Kind
		if d.Note != "" {
			out[i].Notes[d.Date] = d.Note
		}
	}
	slices.SortStableFunc(out, func(a, b Year) int { return a.First.Compare(b.First) })
	return out
}
