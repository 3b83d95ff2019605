// Package delivery is the arithmetic of services promised and delivered: for each service line
// of a plan, the minutes required in each period its frequency names (a week, a month, a cycle of
// school days), the minutes delivered, the sessions the student missed (excused), and what is
// owed as compensatory minutes once a period is over. It reads nothing: the caller gives the
// lines in force (spans), the logged sessions and which days are school days. The staff's
// student page, the provider's day, the family's progress page and the district's report all
// count with it, so they say the same numbers.
//
// The rules, in order:
//
//   - A line is in force over spans of days: an amendment that changes its frequency ends one
//     span and starts another with the same line id, so a period it cuts is counted in two
//     parts, each at its own frequency.
//   - Minutes are required on school days only, spread evenly: a week's minutes over five school
//     days (a week with a holiday requires four fifths), a month's over the school days of that
//     whole month, a cycle's over its CycleDays school days. Cycles are counted from the first
//     day the span is in force. A period the line enters or leaves midway requires the part of
//     it the line was in force on. Each period's minutes are rounded to the minute.
//   - Delivered minutes are those of delivered sessions, counted in the period of their day, and
//     of make-up sessions, counted in the period of the session they make up (so a make-up in
//     May for a session missed in April settles April).
//   - A session missed because the student was absent or unavailable, or because the school was
//     closed, is excused: its minutes (the line's minutes a session) are not owed, unless it was
//     made up anyway (then the make-up's minutes count as delivered instead). A session missed
//     because the provider was absent or reassigned, or for another reason, is owed.
//   - Once a period is over, what it required and was neither delivered nor excused is owed
//     (compensatory minutes).
package delivery

import (
	"cmp"
	"math"
	"slices"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// SchoolDay reports whether a day is a school day of the student's calendar.
type SchoolDay func(date.Date) bool

// Span is a service line in force from From to To (both included; a zero To is open-ended)
// under plan PlanID.
type Span struct {
	Line     iep.ServiceLine
	PlanID   string
	From, To date.Date
}

// In reports whether the span is in force on day d.
func (s Span) In(d date.Date) bool { return !d.Before(s.From) && (s.To.IsZero() || !d.After(s.To)) }

// Period is one period of a line's frequency, as far as it lies within the days counted.
type Period struct {
	Kind       iep.Period
	From, To   date.Date // the whole period: Monday to Sunday, the month, a cycle's first to last school day
	SchoolDays int       // the school days of the period counted that the line was in force on
	Required   int       // minutes
	Delivered  int       // minutes, make-ups included
	Excused    int       // minutes of sessions the student missed (absent, unavailable, school closed)
	Missed     int       // sessions missed, for any reason
	MadeUp     int       // make-up sessions credited to this period
	Over       bool      // the period ended before today
}

// Short is what the period required and was neither delivered nor excused.
func (p Period) Short() int { return max(0, p.Required-p.Delivered-p.Excused) }

// Owed is what the period leaves owed: its shortfall once it is over, else nothing yet.
func (p Period) Owed() int {
	if !p.Over {
		return 0
	}
	return p.Short()
}

// Line is one service line's account over the days counted.
type Line struct {
	LineID  string
	Periods []Period // oldest first
	// Totals of the periods.
	Required, Delivered, Excused, Missed, MadeUp, Owed int
	// Outside are minutes delivered on days the line was not in force (before it started, after
	// it ended): shown, never credited to a period.
	Outside int
	// FirstDelivered is the first day a session of the line was delivered (zero: none yet).
	FirstDelivered date.Date
}

// Short is what the line's periods required and was neither delivered nor excused (periods
// under way included).
func (l Line) Short() int { return max(0, l.Required-l.Delivered-l.Excused) }

// Excused reports whether a session missed for reason r is not owed.
func Excused(r iep.MissedReason) bool {
	switch r {
	case iep.MissedStudentAbsent, iep.MissedStudentUnavailable, iep.MissedSchoolClosed:
		return true
	}
	return false
}

// Count is the account of every line of spans over the days from from to to (both included),
// with periods over before today marked Over. Logs of other lines are ignored. Lines come in the
// order of their first span.
func Count(spans []Span, logs []iep.ServiceLog, from, to, today date.Date, school SchoolDay) []Line {
	var order []string
	byLine := map[string][]Span{}
	for _, s := range spans {
		if _, ok := byLine[s.Line.ID]; !ok {
			order = append(order, s.Line.ID)
		}
		byLine[s.Line.ID] = append(byLine[s.Line.ID], s)
	}
	out := make([]Line, 0, len(order))
	for _, id := range order {
		out = append(out, countLine(id, byLine[id], logs, from, to, today, school))
	}
	return out
}

// periodKey names a period of a span.
type periodKey struct {
	kind  iep.Period
	start date.Date
}

// account is a period being counted: its required minutes before rounding.
type account struct {
	Period
	required float64
}

func countLine(id string, spans []Span, logs []iep.ServiceLog, from, to, today date.Date, school SchoolDay) Line {
	slices.SortFunc(spans, func(a, b Span) int { return a.From.Compare(b.From) })
	periods := map[periodKey]*account{}
	var keys []periodKey
	get := func(k periodKey, whole func() (date.Date, date.Date)) *account {
		a, ok := periods[k]
		if !ok {
			a = &account{Period: Period{Kind: k.kind}}
			a.From, a.To = whole()
			periods[k] = a
			keys = append(keys, k)
		}
		return a
	}
	// inForce finds the span and the period of a day (nil outside every span).
	type where struct {
		span *Span
		acc  *account
	}
	days := map[date.Date]where{}
	monthDays := map[date.Date]int{} // the school days of a whole month, by its first day
	for i := range spans {
		s := &spans[i]
		lo, hi := s.From, s.To
		if lo.Before(from) {
			lo = from
		}
		if hi.IsZero() || hi.After(to) {
			hi = to
		}
		per := float64(s.Line.MinutesPerPeriod())
		cycle := newCycles(s, school)
		for d := lo; !d.After(hi); d = d.AddDays(1) {
			var k periodKey
			var whole func() (date.Date, date.Date)
			var share float64
			switch s.Line.Period {
			case iep.PerMonth:
				first := date.New(d.Year, d.Month, 1)
				last := date.New(d.Year, d.Month+1, 1).AddDays(-1)
				k, whole = periodKey{iep.PerMonth, first}, func() (date.Date, date.Date) { return first, last }
				n, ok := monthDays[first]
				if !ok {
					n = countDays(first, last, school)
					monthDays[first] = n
				}
				if n > 0 {
					share = per / float64(n)
				}
			case iep.PerCycle:
				first, last := cycle.of(d)
				k, whole = periodKey{iep.PerCycle, first}, func() (date.Date, date.Date) { return first, last }
				if s.Line.CycleDays > 0 {
					share = per / float64(s.Line.CycleDays)
				}
			default: // a week, Monday to Sunday
				monday := d.AddDays(-((int(d.Weekday()) + 6) % 7))
				k, whole = periodKey{iep.PerWeek, monday}, func() (date.Date, date.Date) { return monday, monday.AddDays(6) }
				share = per / 5
			}
			a := get(k, whole)
			days[d] = where{s, a}
			if school(d) {
				a.SchoolDays++
				a.required += share
			}
		}
	}
	line := Line{LineID: id}
	byID := map[string]*iep.ServiceLog{}
	madeUp := map[string]bool{} // missed sessions a make-up answers: delivered, not excused
	for i := range logs {
		if logs[i].ServiceLineID == id {
			byID[logs[i].ID] = &logs[i]
			if logs[i].Status == iep.SessionMakeUp && logs[i].MakeUpOf != "" {
				madeUp[logs[i].MakeUpOf] = true
			}
		}
	}
	for i := range logs {
		g := &logs[i]
		if g.ServiceLineID != id {
			continue
		}
		credit := g.Date
		if g.Status == iep.SessionMakeUp {
			if m := byID[g.MakeUpOf]; m != nil {
				credit = m.Date
			}
		}
		if g.Status != iep.SessionMissed && g.Minutes > 0 && (line.FirstDelivered.IsZero() || g.Date.Before(line.FirstDelivered)) {
			line.FirstDelivered = g.Date
		}
		w, ok := days[credit]
		if !ok {
			if g.Status != iep.SessionMissed && !credit.Before(from) && !credit.After(to) {
				line.Outside += g.Minutes
			}
			continue
		}
		switch g.Status {
		case iep.SessionDelivered:
			w.acc.Delivered += g.Minutes
		case iep.SessionMakeUp:
			w.acc.Delivered += g.Minutes
			w.acc.MadeUp++
		case iep.SessionMissed:
			w.acc.Missed++
			if Excused(g.MissedReason) && !madeUp[g.ID] {
				w.acc.Excused += w.span.Line.MinutesPerSession
			}
		}
	}
	slices.SortFunc(keys, func(a, b periodKey) int { return cmp.Or(a.start.Compare(b.start), cmp.Compare(a.kind, b.kind)) })
	for _, k := range keys {
		a := periods[k]
		p := a.Period
		p.Required = int(math.Round(a.required))
		p.Excused = min(p.Excused, p.Required) // nothing is excused beyond what was required
		p.Over = p.To.Before(today)
		line.Periods = append(line.Periods, p)
		line.Required += p.Required
		line.Delivered += p.Delivered
		line.Excused += p.Excused
		line.Missed += p.Missed
		line.MadeUp += p.MadeUp
		line.Owed += p.Owed()
	}
	return line
}

// countDays counts the school days from a to b (both included).
func countDays(a, b date.Date, school SchoolDay) int {
	n := 0
	for d := a; !d.After(b); d = d.AddDays(1) {
		if school(d) {
			n++
		}
	}
	return n
}

// cycles numbers a span's cycles of CycleDays school days from its first day.
type cycles struct {
	span   *Span
	school SchoolDay
	starts []date.Date // the first school day of each cycle, as far as found
	next   date.Date   // the first day not yet looked at
	n      int         // school days seen in the cycle under way
	last   map[date.Date]date.Date
}

func newCycles(s *Span, school SchoolDay) *cycles {
	return &cycles{span: s, school: school, next: s.From, last: map[date.Date]date.Date{}}
}

// of returns the first and last school day of the cycle day d falls in (d's own day when the
// line has no cycle length).
func (c *cycles) of(d date.Date) (date.Date, date.Date) {
	size := c.span.Line.CycleDays
	if size < 1 {
		return d, d
	}
	// Walk school days up to d, starting a cycle every size school days.
	for !c.next.After(d) {
		if c.school(c.next) {
			if c.n%size == 0 {
				c.starts = append(c.starts, c.next)
			}
			c.n++
		}
		c.next = c.next.AddDays(1)
	}
	i, found := slices.BinarySearchFunc(c.starts, d, func(s, t date.Date) int { return s.Compare(t) })
	if !found {
		i--
	}
	if i < 0 {
		return d, d // before the first school day of the span
	}
	first := c.starts[i]
	if last, ok := c.last[first]; ok {
		return first, last
	}
	// The last school day of the cycle: size school days from first.
	last, seen := first, 0
	for day := first; seen < size; day = day.AddDays(1) {
		if c.school(day) {
			seen++
			last = day
		}
		if first.DaysUntil(day) > 366 {
			break // a calendar without enough school days ahead
		}
	}
	c.last[first] = last
	return first, last
}

// Weekdays is a school day function for a district without a calendar: Monday to Friday.
func Weekdays(d date.Date) bool { return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday }
