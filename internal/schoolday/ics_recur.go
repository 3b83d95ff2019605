package schoolday

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/date"
)

// rrule is the part of RFC 5545 recurrence a school calendar needs: an event every day or
// every week (on some weekdays), every INTERVAL days or weeks, COUNT times or UNTIL a day.
type rrule struct {
	freq     string // "DAILY", "WEEKLY", or "" for RDATE only
	interval int
	count    int       // 0: no limit
	until    date.Date // zero: no limit
	byDay    []time.Weekday
	exdates  map[date.Date]bool
}

func orEmpty(r *rrule) *rrule {
	if r == nil {
		return &rrule{exdates: map[date.Date]bool{}}
	}
	return r
}

var icsDays = []string{"SU", "MO", "TU", "WE", "TH", "FR", "SA"}

func icsWeekday(code string) (time.Weekday, bool) {
	i := slices.Index(icsDays, strings.ToUpper(strings.TrimSpace(code)))
	return time.Weekday(i), i >= 0
}

func parseRRule(p icsProp, loc *time.Location) (*rrule, error) {
	r := &rrule{interval: 1, exdates: map[date.Date]bool{}}
	unsupported := func(what string) (*rrule, error) {
		return nil, fmt.Errorf("line %d: RRULE %s: %s is not supported (only FREQ=DAILY or WEEKLY with INTERVAL, COUNT, UNTIL and BYDAY)",
			p.line, clip(p.value), what)
	}
	for _, part := range strings.Split(p.value, ";") {
		k, v, _ := strings.Cut(part, "=")
		k, v = strings.ToUpper(k), strings.ToUpper(v)
		var err error
		switch k {
		case "FREQ":
			if v != "DAILY" && v != "WEEKLY" {
				return unsupported("FREQ=" + v)
			}
			r.freq = v
		case "INTERVAL":
			if r.interval, err = strconv.Atoi(v); err != nil || r.interval < 1 {
				return unsupported("INTERVAL=" + v)
			}
		case "COUNT":
			if r.count, err = strconv.Atoi(v); err != nil || r.count < 1 {
				return unsupported("COUNT=" + v)
			}
		case "UNTIL":
			t, err := parseICSTime(p, v, loc)
			if err != nil {
				return nil, err
			}
			r.until = t.d
		case "BYDAY":
			for _, code := range strings.Split(v, ",") {
				wd, ok := icsWeekday(code)
				if !ok {
					return unsupported("BYDAY=" + code)
				}
				r.byDay = append(r.byDay, wd)
			}
		case "WKST":
		default:
			return unsupported(k)
		}
	}
	if r.freq == "" {
		return unsupported("a rule without FREQ")
	}
	if r.byDay != nil && r.freq != "WEEKLY" {
		return unsupported("BYDAY with FREQ=" + r.freq)
	}
	return r, nil
}

// occurrences returns the start days of an event's occurrences up to horizon, in order:
// DTSTART (always the first), those of the rule, the RDATEs; less the EXDATEs.
func (it *icsItem) occurrences(horizon date.Date) []date.Date {
	if it.rule == nil {
		return it.starts
	}
	r, start := it.rule, it.starts[0]
	out := []date.Date{start}
	if r.freq != "" {
		out = out[:0]
		for d, n := start, 0; !d.After(horizon) && (r.until.IsZero() || !d.After(r.until)); d = d.AddDays(1) {
			if !r.matches(start, d) {
				continue
			}
			out = append(out, d)
			if n++; r.count > 0 && n == r.count {
				break
			}
		}
	}
	out = append(out, it.starts[1:]...)
	out = slices.DeleteFunc(out, func(d date.Date) bool { return r.exdates[d] })
	slices.SortFunc(out, date.Date.Compare)
	return slices.Compact(out)
}

// matches reports whether day d (on or after start) is an occurrence of the rule.
func (r *rrule) matches(start, d date.Date) bool {
	if d == start {
		return true // DTSTART always counts as the first occurrence
	}
	if r.freq == "DAILY" {
		return start.DaysUntil(d)%r.interval == 0
	}
	weeks := mondayOf(start).DaysUntil(mondayOf(d)) / 7
	if weeks%r.interval != 0 {
		return false
	}
	if r.byDay == nil {
		return d.Weekday() == start.Weekday()
	}
	return slices.Contains(r.byDay, d.Weekday())
}

func mondayOffset(d date.Date) int { return (int(d.Weekday()) + 6) % 7 }

func mondayOf(d date.Date) date.Date { return d.AddDays(-mondayOffset(d)) }
