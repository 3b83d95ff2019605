package demo

import (
	"fmt"
	"slices"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// yearCal is one school year and its dated calendar entries (weekends are not stored).
type yearCal struct {
	year     iep.SchoolYear
	days     []iep.CalendarDay
	termEnds []date.Date // the last school day of each of the four marking periods
}

// calendar is the district calendar over the years the demo covers, with a fast lookup of the
// kind of any date. Dates before or after the stored years fall back to "a weekday outside July
// and August is a school day", which is all the older history needs.
type calendar struct {
	years []*yearCal
	kinds map[int32]iep.CalendarDayKind
	first date.Date // first stored day
	last  date.Date // last stored day
}

// schoolYearStart is the calendar year in which the school year containing d began (a school
// year runs from July to June).
func schoolYearStart(d date.Date) int {
	if d.Month >= time.July {
		return d.Year
	}
	return d.Year - 1
}

// buildCalendar makes the prior and the current school year around today.
func buildCalendar(r rng, today date.Date) *calendar {
	y := schoolYearStart(today)
	c := &calendar{kinds: map[int32]iep.CalendarDayKind{}}
	for _, start := range []int{y - 1, y} {
		yc := buildYear(r, start, today)
		c.years = append(c.years, yc)
		for _, d := range yc.days {
			c.kinds[dayNum(d.Date)] = d.Kind
		}
	}
	c.first = c.years[0].days[0].Date
	c.last = c.years[len(c.years)-1].days[len(c.years[len(c.years)-1].days)-1].Date
	return c
}

func isWeekend(d date.Date) bool {
	wd := d.Weekday()
	return wd == time.Saturday || wd == time.Sunday
}

// firstDayOfSchool is the Wednesday before Labor Day when it falls in September (as on
// 2026-09-02), else the Wednesday after it.
func firstDayOfSchool(y int) date.Date {
	labor := date.NthWeekday(y, time.September, time.Monday, 1)
	if d := labor.AddDays(-5); d.Month == time.September {
		return d
	}
	return labor.AddDays(2)
}

// closuresFor lists the holidays and vacations of the school year starting in y (Massachusetts).
func closuresFor(y int) map[date.Date]string {
	c := map[date.Date]string{}
	add := func(d date.Date, note string) {
		if !isWeekend(d) {
			c[d] = note
		}
	}
	week := func(monday date.Date, note string) {
		for i := range 5 {
			add(monday.AddDays(i), note)
		}
	}
	add(date.NthWeekday(y, time.September, time.Monday, 1), "Labor Day")
	add(date.NthWeekday(y, time.October, time.Monday, 2), "Indigenous Peoples' Day")
	add(date.Observed(date.New(y, time.November, 11)), "Veterans Day")
	tg := date.NthWeekday(y, time.November, time.Thursday, 4)
	add(tg, "Thanksgiving")
	add(tg.AddDays(1), "Thanksgiving recess")
	for d := date.New(y, time.December, 24); !d.After(date.New(y+1, time.January, 1)); d = d.AddDays(1) {
		add(d, "Winter break")
	}
	add(date.NthWeekday(y+1, time.January, time.Monday, 3), "Martin Luther King Jr. Day")
	week(date.NthWeekday(y+1, time.February, time.Monday, 3), "February vacation (Presidents' Day)")
	week(date.NthWeekday(y+1, time.April, time.Monday, 3), "April vacation (Patriots' Day)")
	add(date.NthWeekday(y+1, time.May, time.Monday, -1), "Memorial Day")
	add(date.Observed(date.New(y+1, time.June, 19)), "Juneteenth")
	return c
}

// partialsFor lists the early-release days of the school year starting in y.
func partialsFor(y int) map[date.Date]string {
	p := map[date.Date]string{}
	p[date.NthWeekday(y, time.November, time.Thursday, 4).AddDays(-1)] = "Early release before Thanksgiving"
	if d := date.New(y, time.December, 23); !isWeekend(d) {
		p[d] = "Early release before winter break"
	} else {
		p[date.NthWeekday(y, time.December, time.Friday, 3)] = "Early release before winter break"
	}
	for _, m := range []struct {
		y int
		m time.Month
	}{{y, time.October}, {y + 1, time.January}, {y + 1, time.March}, {y + 1, time.May}} {
		p[date.NthWeekday(m.y, m.m, time.Wednesday, 2)] = "Early release: professional development"
	}
	return p
}

// buildYear lays out the school year starting in calendar year y: 180 school days from the
// first day, holidays and vacations closed, early releases partial, one emergency closure that
// has already happened (a snow day), the last day an early release, and the ESY days of July.
func buildYear(r rng, y int, today date.Date) *yearCal {
	first := firstDayOfSchool(y)
	closed := closuresFor(y)
	partial := partialsFor(y)
	snow := pickSnowDay(r, y, first, today, closed, partial)
	yc := &yearCal{year: iep.SchoolYear{Name: fmt.Sprintf("%d-%d", y, y+1), FirstDay: first}}
	count := 0
	var d date.Date
	for d = first; count < 180; d = d.AddDays(1) {
		if isWeekend(d) {
			continue
		}
		day := iep.CalendarDay{Date: d, Kind: iep.DaySchool}
		switch {
		case closed[d] != "":
			day.Kind, day.Note = iep.DayClosed, closed[d]
		case d == snow:
			day.Kind, day.Note = iep.DayEmergency, snowNote(d)
		case partial[d] != "":
			day.Kind, day.Note = iep.DayPartial, partial[d]
			count++
		default:
			count++
		}
		yc.days = append(yc.days, day)
		if count > 0 && count%45 == 0 && day.Kind != iep.DayClosed && day.Kind != iep.DayEmergency &&
			(len(yc.termEnds) == 0 || yc.termEnds[len(yc.termEnds)-1] != d) {
			yc.termEnds = append(yc.termEnds, d)
		}
	}
	last := &yc.days[len(yc.days)-1]
	last.Kind, last.Note = iep.DayPartial, "Last day of school: early release"
	yc.year.LastDay = last.Date
	// Holidays outside the first and last day (Labor Day when school starts after it,
	// Juneteenth in an early-ending year) are still listed as closed.
	for cd, note := range closed {
		if cd.After(yc.year.LastDay) || cd.Before(first) {
			yc.days = append(yc.days, iep.CalendarDay{Date: cd, Kind: iep.DayClosed, Note: note})
		}
	}
	yc.days = append(yc.days, esyDays(y+1)...)
	slices.SortFunc(yc.days, func(a, b iep.CalendarDay) int { return a.Date.Compare(b.Date) })
	return yc
}

// esyDays are the extended school year days of July in year y: Monday to Thursday for five
// weeks from the first Monday after Independence Day, the holiday itself skipped.
func esyDays(y int) []iep.CalendarDay {
	july4 := date.Observed(date.New(y, time.July, 4))
	start := date.NthWeekday(y, time.July, time.Monday, 1)
	var days []iep.CalendarDay
	for d := start; d.Before(start.AddDays(35)); d = d.AddDays(1) {
		if wd := d.Weekday(); wd == time.Friday || isWeekend(d) || d == july4 {
			continue
		}
		days = append(days, iep.CalendarDay{Date: d, Kind: iep.DayESY, Note: "Extended school year"})
	}
	return days
}

// pickSnowDay returns the emergency closure of the year starting in y: for a past year a
// February school day, for the current year a school day before today (in the winter months
// when there is one), and the zero date when the year has not gone on long enough.
func pickSnowDay(r rng, y int, first, today date.Date, closed, partial map[date.Date]string) date.Date {
	ok := func(d date.Date) bool { return !isWeekend(d) && closed[d] == "" && partial[d] == "" }
	lo, hi := date.New(y+1, time.February, 2), date.New(y+1, time.February, 13)
	if !today.Before(lo.AddDays(3)) && schoolYearStart(today) == y {
		hi = minDate(hi, today.AddDays(-2))
	} else if schoolYearStart(today) == y {
		lo, hi = first.AddDays(42), today.AddDays(-2)
		if w := date.New(y, time.November, 1); !w.After(hi) && w.After(lo) {
			lo = w
		}
	}
	var cands []date.Date
	for d := lo; !d.After(hi); d = d.AddDays(1) {
		if ok(d) {
			cands = append(cands, d)
		}
	}
	if len(cands) == 0 {
		return date.Date{}
	}
	return cands[r.IntN(len(cands))]
}

func snowNote(d date.Date) string {
	if d.Month >= time.November || d.Month <= time.March {
		return "Snow day"
	}
	return "Emergency closure: power outage"
}

// kind returns the calendar kind of d, inferring it outside the stored years.
func (c *calendar) kind(d date.Date) iep.CalendarDayKind {
	if k, ok := c.kinds[dayNum(d)]; ok {
		return k
	}
	if isWeekend(d) {
		return iep.DayClosed
	}
	if !d.Before(c.first) && !d.After(c.last) {
		return iep.DayClosed // a weekday between stored years: summer
	}
	if d.Month == time.July || d.Month == time.August {
		return iep.DayClosed
	}
	return iep.DaySchool
}

// isSchoolDay reports whether d counts as a school day (full or partial).
func (c *calendar) isSchoolDay(d date.Date) bool {
	k := c.kind(d)
	return k == iep.DaySchool || k == iep.DayPartial
}

// addSchoolDays returns the n-th school day after d (before d when n < 0); n = 0 returns the
// school day on or after d.
func (c *calendar) addSchoolDays(d date.Date, n int) date.Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	if n == 0 {
		for !c.isSchoolDay(d) {
			d = d.AddDays(1)
		}
		return d
	}
	for n > 0 {
		d = d.AddDays(step)
		if c.isSchoolDay(d) {
			n--
		}
	}
	return d
}

// onOrBefore returns the school day on or before d.
func (c *calendar) onOrBefore(d date.Date) date.Date {
	for !c.isSchoolDay(d) {
		d = d.AddDays(-1)
	}
	return d
}

// onOrAfter returns d when it is a school day, else the next school day.
func (c *calendar) onOrAfter(d date.Date) date.Date {
	for !c.isSchoolDay(d) {
		d = d.AddDays(1)
	}
	return d
}

// termEnds returns every marking-period end of the stored years, in order.
func (c *calendar) termEnds() []date.Date {
	var out []date.Date
	for _, y := range c.years {
		out = append(out, y.termEnds...)
	}
	return out
}
