package schoolday

import (
	"fmt"
	"slices"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

type marker struct {
	d     date.Date
	first bool
	it    *icsItem
}

// groupYears makes one year of each first day of school and the last day of school after it.
// Later first days before that last day (staggered starts), and later last days in the same
// summer ("tentative" last days), are left out.
func groupYears(items []icsItem) ([]Year, error) {
	var ms []marker
	for i := range items {
		it := &items[i]
		if it.first {
			ms = append(ms, marker{d: it.starts[0], first: true, it: it})
		}
		if it.last {
			ms = append(ms, marker{d: it.starts[0].AddDays(it.length - 1), it: it})
		}
	}
	if len(ms) == 0 {
		return nil, fmt.Errorf("the feed has no first day of school: ImportICS needs events such as %q and %q",
			"First day of school", "Last day of school")
	}
	slices.SortStableFunc(ms, func(a, b marker) int {
		if c := a.d.Compare(b.d); c != 0 {
			return c
		}
		return cmpBool(!a.first, !b.first) // a first day before a last day on the same day
	})
	var (
		years []Year
		open  *Year
	)
	for _, m := range ms {
		switch {
		case m.first && open == nil:
			open = &Year{Name: m.it.name, First: m.d, Weekdays: m.it.weekdays}
		case m.first: // a later start in the same year
		case open != nil:
			open.Last = m.d
			if open.Name == "" {
				open.Name = DefaultName(open.First, open.Last)
			}
			years = append(years, *open)
			open = nil
		case len(years) > 0 && m.d.Before(septemberAfter(years[len(years)-1].Last)):
			// a later, tentative last day of the year just closed
		default:
			return nil, fmt.Errorf("line %d: last day of school %s has no first day of school before it", m.it.line, m.d)
		}
	}
	if open != nil {
		return nil, fmt.Errorf("first day of school %s has no last day of school after it (the feed may end too soon)", open.First)
	}
	return years, nil
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// septemberAfter is the first September 1 after d.
func septemberAfter(d date.Date) date.Date {
	if d.Month < time.September {
		return date.New(d.Year, time.September, 1)
	}
	return date.New(d.Year+1, time.September, 1)
}

// rank orders the kinds when events disagree about a day: the stronger wins.
var rank = map[iep.CalendarDayKind]int{iep.DaySchool: 1, iep.DayPartial: 2, iep.DayESY: 3, iep.DayClosed: 4, iep.DayEmergency: 5}

// placeDays puts each classified event's days into the year they belong to.
func placeDays(years []Year, items []icsItem) error {
	horizon := septemberAfter(years[len(years)-1].Last).AddDays(-1)
	for i := range years {
		years[i].Days = map[date.Date]iep.CalendarDayKind{}
		years[i].Notes = map[date.Date]string{}
	}
	for i := range items {
		it := &items[i]
		if it.kind == "" {
			continue
		}
		for _, start := range it.occurrences(horizon) {
			for k := range it.length {
				if err := placeDay(years, it, start.AddDays(k)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func placeDay(years []Year, it *icsItem, d date.Date) error {
	y := yearFor(years, d, it.kind)
	if y == nil {
		if it.kind == iep.DaySchool {
			return fmt.Errorf("line %d: make-up day %s (%q) is outside every school year: move the first or last day of school",
				it.line, d, it.note)
		}
		return nil // a closure in the summer changes nothing
	}
	if it.kind != iep.DaySchool && !y.InSession(d.Weekday()) {
		return nil
	}
	if old, ok := y.Days[d]; ok && rank[old] >= rank[it.kind] {
		return nil
	}
	y.Days[d] = it.kind
	delete(y.Notes, d)
	if it.note != "" {
		y.Notes[d] = it.note
	}
	return nil
}

// yearFor returns the year d belongs to: the one containing it, or for an ESY day the last
// year that ended before it (ESY is in the summer after a year).
func yearFor(years []Year, d date.Date, k iep.CalendarDayKind) *Year {
	for i := range years {
		y := &years[i]
		if y.contains(d) {
			return y
		}
		next := i+1 < len(years) && !years[i+1].First.After(d)
		if k == iep.DayESY && d.After(y.Last) && d.Before(septemberAfter(y.Last)) && !next {
			return y
		}
	}
	return nil
}
