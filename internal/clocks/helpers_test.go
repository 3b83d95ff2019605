package clocks

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/schoolday"
)

// The hand-counted district calendar of these tests, 2026-2027 (M = Monday…; x closed,
// * snow day, p early release, which still counts):
//
//	Sep 2026: first day Wed 2; Labor Day Mon 7 x
//	Oct 2026: Mon 12 x (Indigenous Peoples' Day)
//	Nov 2026: Wed 11 x (Veterans Day); Wed 25 p; Thanksgiving break Thu 26 – Fri 27 x
//	Dec 2026: winter break Thu 24 – Fri Jan 1 x
//	Jan 2027: Mon 18 x (Martin Luther King Jr. Day); Tue 26 * (the first snow day)
//	Feb 2027: February vacation Mon 15 – Fri 19 x
//	Mar 2027: Wed 3 * (the second snow day, added during the year: snow2)
//	Apr 2027: April vacation Mon 19 – Fri 23 x
//	May 2027: Mon 31 x (Memorial Day)
//	Jun 2027: last day Thu 17
//
// and 2027-2028 (only its first weeks matter): first day Wed Sep 1 2027, Labor Day Mon Sep 6 x.
var (
	snow1 = d("2027-01-26")
	snow2 = d("2027-03-03")
)

func d(s string) date.Date { return date.MustParse(s) }

func span(from, to string) []date.Date {
	var out []date.Date
	for x := d(from); !x.After(d(to)); x = x.AddDays(1) {
		out = append(out, x)
	}
	return out
}

func weekdays() [7]bool {
	var w [7]bool
	for i := time.Monday; i <= time.Friday; i++ {
		w[i] = true
	}
	return w
}

func year2026(snow ...date.Date) schoolday.Year {
	y := schoolday.Year{Name: "2026-2027", First: d("2026-09-02"), Last: d("2027-06-17"), Weekdays: weekdays(),
		Days: map[date.Date]iep.CalendarDayKind{}, Notes: map[date.Date]string{}}
	closed := []date.Date{d("2026-09-07"), d("2026-10-12"), d("2026-11-11"), d("2026-11-26"), d("2026-11-27"),
		d("2027-01-18"), d("2027-05-31")}
	closed = append(closed, span("2026-12-24", "2027-01-01")...)
	closed = append(closed, span("2027-02-15", "2027-02-19")...)
	closed = append(closed, span("2027-04-19", "2027-04-23")...)
	for _, x := range closed {
		if wd := x.Weekday(); wd != time.Saturday && wd != time.Sunday {
			y.Days[x] = iep.DayClosed
		}
	}
	y.Days[d("2026-11-25")] = iep.DayPartial
	for _, x := range append([]date.Date{snow1}, snow...) {
		y.Days[x], y.Notes[x] = iep.DayEmergency, "Snow day"
	}
	return y
}

func year2027() schoolday.Year {
	return schoolday.Year{Name: "2027-2028", First: d("2027-09-01"), Last: d("2028-06-15"), Weekdays: weekdays(),
		Days: map[date.Date]iep.CalendarDayKind{d("2027-09-06"): iep.DayClosed}}
}

func mustCalendar(tb testing.TB, years ...schoolday.Year) *schoolday.Calendar {
	tb.Helper()
	c, err := schoolday.New("MA", years...)
	if err != nil {
		tb.Fatalf("schoolday.New: %v", err)
	}
	return c
}

// calendar is the 2026-2027 calendar with its first snow day only.
func calendar(tb testing.TB) *schoolday.Calendar { return mustCalendar(tb, year2026()) }

func pack(tb testing.TB, id string) rules.Pack {
	tb.Helper()
	p, err := rules.Load(id)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// ledger builds a student's events: e1, e2, … in the order added, recorded a minute apart.
type ledgerB struct{ evs []iep.Event }

// add appends an event; kv are Data fields ("true" and "false" are written as booleans).
func (b *ledgerB) add(kind iep.EventKind, on, plan string, kv ...string) string {
	id := fmt.Sprintf("e%d", len(b.evs)+1)
	data := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		switch kv[i+1] {
		case "true", "false":
			data[kv[i]] = kv[i+1] == "true"
		default:
			data[kv[i]] = kv[i+1]
		}
	}
	var raw json.RawMessage
	if len(data) > 0 {
		raw, _ = json.Marshal(data)
	}
	b.evs = append(b.evs, iep.Event{ID: id, DistrictID: "dist", StudentID: "stu", PlanID: plan, Kind: kind,
		OccurredOn: d(on), RecordedAt: d(on).Time().Add(time.Duration(len(b.evs)) * time.Minute), Data: raw})
	return id
}

func mustDeadlines(tb testing.TB, f Facts, evs []iep.Event, cal *schoolday.Calendar, p rules.Pack) []Deadline {
	tb.Helper()
	ds, err := Deadlines(f, evs, cal, p)
	if err != nil {
		tb.Fatalf("Deadlines = %v", err)
	}
	return ds
}

// of returns the deadlines of one clock.
func of(ds []Deadline, clock string) []Deadline {
	var out []Deadline
	for _, x := range ds {
		if x.Clock == clock {
			out = append(out, x)
		}
	}
	return out
}

var ignoreCitation = cmpopts.IgnoreFields(Deadline{}, "Citation")

func diff(want, got []Deadline) string {
	return cmp.Diff(want, got, ignoreCitation, cmpopts.EquateEmpty())
}

var stu = Facts{DistrictID: "dist", StudentID: "stu"}
