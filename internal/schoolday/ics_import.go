package schoolday

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// ICSOptions are the patterns ImportICS matches against an event's SUMMARY and each of its
// CATEGORIES. A nil list means the defaults (all case-insensitive):
//
//   - NoSchool: no school, school(s) closed, holiday, vacation, recess, break, professional
//     development day, students off, no students, snow day, storm day, emergency closing;
//   - Emergency (which closures are emergency closures): snow, emergency, storm, weather;
//   - EarlyRelease: early release, early dismissal, half day, delayed opening, late start;
//   - FirstDay, LastDay: first (last) day of (or for) school, classes or students;
//   - ESY: ESY, extended school year;
//   - MakeUp: make-up day, school in session;
//   - InSession (never a closure nor a first or last day, e.g. "School resumes"): school or
//     classes resume(s) or reopen(s), return(s) from, last day before, first day back or after.
type ICSOptions struct {
	NoSchool, EarlyRelease, FirstDay, LastDay []*regexp.Regexp // nil: defaults

	Emergency, ESY, MakeUp, InSession []*regexp.Regexp // nil: defaults

	// Location is the zone in which a UTC date-time (one ending in Z) is read as a date;
	// nil means UTC. Date-times with a TZID, or floating, are read on their own wall clock.
	Location *time.Location
}

func patterns(ps ...string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(ps))
	for i, p := range ps {
		out[i] = regexp.MustCompile(`(?i)` + p)
	}
	return out
}

var (
	defaultNoSchool = patterns(`\bno\s+school\b`, `\bschools?\s+(are\s+|is\s+)?closed\b`, `\bholidays?\b`,
		`\bvacation\b`, `\brecess\b`, `\bbreak\b`, `\bprofessional\s+(development|learning)\s+day\b`,
		`\bstudents?\s+(are\s+)?off\b`, `\bno\s+students\b`, `\bsnow\s+day\b`, `\bstorm\s+day\b`,
		`\bemergency\s+clos(ing|ure|ed)\b`)
	defaultEmergency    = patterns(`\bsnow\b`, `\bemergency\b`, `\bstorm\b`, `\bweather\b`)
	defaultEarlyRelease = patterns(`\bearly\s+(release|dismissal)\b`, `\bhalf[\s-]*day\b`, `\bdelayed\s+opening\b`, `\blate\s+start\b`)
	defaultFirstDay     = patterns(`\bfirst\s+day\s+(of|for)\s+(school|classes|students)\b`)
	defaultLastDay      = patterns(`\blast\s+day\s+(of|for)\s+(school|classes|students)\b`)
	defaultESY          = patterns(`\besy\b`, `\bextended\s+school\s+year\b`)
	defaultMakeUp       = patterns(`\bmake[\s-]*up\s+day\b`, `\bschool\s+in\s+session\b`)
	defaultInSession    = patterns(`\b(school|schools|classes)\s+(resumes?|reopens?)\b`, `\breturns?\s+from\b`,
		`\blast\s+day\s+before\b`, `\bfirst\s+day\s+(back|after)\b`)
)

func (o ICSOptions) withDefaults() ICSOptions {
	def := func(p *[]*regexp.Regexp, d []*regexp.Regexp) {
		if *p == nil {
			*p = d
		}
	}
	def(&o.NoSchool, defaultNoSchool)
	def(&o.Emergency, defaultEmergency)
	def(&o.EarlyRelease, defaultEarlyRelease)
	def(&o.FirstDay, defaultFirstDay)
	def(&o.LastDay, defaultLastDay)
	def(&o.ESY, defaultESY)
	def(&o.MakeUp, defaultMakeUp)
	def(&o.InSession, defaultInSession)
	if o.Location == nil {
		o.Location = time.UTC
	}
	return o
}

// Our own export marks each event's meaning, so that a round trip never depends on patterns.
const (
	xKind     = "X-OPENIEP-KIND"     // closed, emergency, partial, esy, school, first-day, last-day
	xNote     = "X-OPENIEP-NOTE"     // the day's note, when it has one
	xYear     = "X-OPENIEP-YEAR"     // on the first day: the school year's name
	xWeekdays = "X-OPENIEP-WEEKDAYS" // on the first day: session weekdays when not Monday–Friday
)

// icsItem is one event that means something for the calendar.
type icsItem struct {
	line        int
	kind        iep.CalendarDayKind // "" when it only marks a first or last day
	first, last bool
	note        string
	name        string  // X-OPENIEP-YEAR
	weekdays    [7]bool // X-OPENIEP-WEEKDAYS
	starts      []date.Date
	length      int // days each occurrence covers (1 or more)
	rule        *rrule
}

// ImportICS reads a district's published iCalendar feed into years.
//
// All-day events (DTSTART;VALUE=DATE, DTEND exclusive; several days each; or date-times from
// midnight to midnight) whose SUMMARY or CATEGORIES match the no-school patterns become closed
// days (emergency ones when they also match Emergency); events matching EarlyRelease (timed or
// not) become partial days, ESY ESY days, MakeUp school days; the first and last day of school
// events set each year's First and Last (with several candidates in one year, the earliest of
// each: staggered starts, and a "tentative" later last day, are left out, so that a count never
// relies on a day that may not be a school day; their own day is never closed). Events that
// match nothing, cancelled events and
// closures outside every school year are ignored. Days on which the year is not in session
// (weekends) are not listed. When events disagree about a day, the stronger kind wins:
// emergency, closed, esy, partial, school. Recurring events may use RRULE with FREQ=DAILY or
// WEEKLY, INTERVAL, COUNT, UNTIL and BYDAY, with EXDATE and RDATE. Errors name the line.
func ImportICS(r io.Reader, opt ICSOptions) ([]Year, error) {
	events, err := readICS(r)
	if err != nil {
		return nil, err
	}
	opt = opt.withDefaults()
	var items []icsItem
	for _, ev := range events {
		it, ok, err := readItem(ev, opt)
		if err != nil {
			return nil, err
		}
		if ok {
			items = append(items, it)
		}
	}
	years, err := groupYears(items)
	if err != nil {
		return nil, err
	}
	if err := placeDays(years, items); err != nil {
		return nil, err
	}
	if _, err := New("", years...); err != nil {
		return nil, err
	}
	return years, nil
}

// readItem classifies one event and reads its dates; ok is false for events that do not matter.
func readItem(ev icsEvent, opt ICSOptions) (it icsItem, ok bool, err error) {
	it.line = ev.line
	if st, _ := ev.get("STATUS"); strings.EqualFold(st.value, "CANCELLED") {
		return it, false, nil
	}
	var texts []string
	if p, found := ev.get("SUMMARY"); found {
		it.note = strings.TrimSpace(unescapeText(p.value))
		texts = append(texts, it.note)
	}
	for _, p := range ev.all("CATEGORIES") {
		for _, c := range splitText(p.value) {
			texts = append(texts, strings.TrimSpace(c))
		}
	}
	if it.note == "" && len(texts) > 0 {
		it.note = texts[0]
	}
	own, isOwn := ev.get(xKind)
	if isOwn {
		if err := readOwnKind(ev, own, &it); err != nil {
			return it, false, err
		}
	} else if classify(texts, true, opt, &it); it.kind == "" && !it.first && !it.last {
		return it, false, nil // matches nothing: its dates do not matter
	}
	allDay, err := readDates(ev, opt.Location, &it)
	if err != nil {
		return it, false, err
	}
	if !isOwn {
		it.kind, it.first, it.last = "", false, false
		if classify(texts, allDay, opt, &it); it.kind == "" && !it.first && !it.last {
			return it, false, nil
		}
	}
	if (it.first || it.last) && (it.rule != nil || len(it.starts) > 1) {
		return it, false, fmt.Errorf("line %d: a recurring first or last day of school (%q) is not supported", it.line, it.note)
	}
	return it, true, nil
}

// classify applies the patterns. An in-session event ("School resumes") means nothing; a first
// or last day of school is never closed, whatever else it says ("no school for kindergarten");
// then early release comes first (an early release before a break is a school day), ESY,
// closures (all-day events only, so that a timed "Holiday concert" is not one), make-up days.
func classify(texts []string, allDay bool, opt ICSOptions, it *icsItem) {
	if matchAny(opt.InSession, texts) {
		return
	}
	it.first = matchAny(opt.FirstDay, texts)
	it.last = matchAny(opt.LastDay, texts)
	switch {
	case matchAny(opt.EarlyRelease, texts):
		it.kind = iep.DayPartial
	case matchAny(opt.ESY, texts):
		it.kind = iep.DayESY
	case allDay && matchAny(opt.NoSchool, texts):
		it.kind = iep.DayClosed
		if matchAny(opt.Emergency, texts) {
			it.kind = iep.DayEmergency
		}
	case matchAny(opt.MakeUp, texts):
		it.kind = iep.DaySchool
	}
	if (it.first || it.last) && (it.kind == iep.DayClosed || it.kind == iep.DayEmergency) {
		it.kind = ""
	}
}

func readOwnKind(ev icsEvent, p icsProp, it *icsItem) error {
	it.note = ""
	if n, found := ev.get(xNote); found {
		it.note = unescapeText(n.value)
	}
	switch v := strings.ToLower(p.value); v {
	case "first-day":
		it.first = true
		if y, found := ev.get(xYear); found {
			it.name = unescapeText(y.value)
		}
		if w, found := ev.get(xWeekdays); found {
			for _, code := range strings.Split(w.value, ",") {
				wd, ok := icsWeekday(code)
				if !ok {
					return fmt.Errorf("line %d: %s: unknown weekday %q", w.line, xWeekdays, code)
				}
				it.weekdays[wd] = true
			}
		}
	case "last-day":
		it.last = true
	default:
		it.kind = iep.CalendarDayKind(v)
		if !slices.Contains(iep.CalendarDayKinds, it.kind) {
			return fmt.Errorf("line %d: %s: unknown kind %q", p.line, xKind, p.value)
		}
	}
	return nil
}

func matchAny(ps []*regexp.Regexp, texts []string) bool {
	for _, t := range texts {
		for _, p := range ps {
			if p.MatchString(t) {
				return true
			}
		}
	}
	return false
}

// icsTime is a DATE or DATE-TIME value read as a civil date and a time of day.
type icsTime struct {
	d        date.Date
	secs     int // seconds since midnight
	dateTime bool
}

// readDates reads DTSTART, DTEND or DURATION, RRULE, RDATE and EXDATE into it, and reports
// whether the event covers whole days.
func readDates(ev icsEvent, loc *time.Location, it *icsItem) (allDay bool, err error) {
	sp, found := ev.get("DTSTART")
	if !found {
		return false, fmt.Errorf("line %d: an event without DTSTART", ev.line)
	}
	start, err := parseICSTime(sp, sp.value, loc)
	if err != nil {
		return false, err
	}
	last := start.d
	allDay = !start.dateTime || start.secs == 0
	if ep, found := ev.get("DTEND"); found {
		end, err := parseICSTime(ep, ep.value, loc)
		if err != nil {
			return false, err
		}
		if end.d.Before(start.d) || end.d == start.d && end.secs < start.secs {
			return false, fmt.Errorf("line %d: the event ends before it starts", ep.line)
		}
		last, allDay = coveredUntil(start, end)
	} else if dp, found := ev.get("DURATION"); found {
		secs, err := parseDuration(dp)
		if err != nil {
			return false, err
		}
		if !start.dateTime {
			last = start.d.AddDays(max(secs/86400, 1) - 1)
		} else {
			t := start.d.Time().Add(time.Duration(start.secs+secs) * time.Second)
			end := icsTime{d: date.Of(t), secs: t.Hour()*3600 + t.Minute()*60 + t.Second(), dateTime: true}
			last, allDay = coveredUntil(start, end)
		}
	}
	if it.length = start.d.DaysUntil(last) + 1; it.length > 400 {
		return false, fmt.Errorf("line %d: an event of %d days: too long for a school calendar", sp.line, it.length)
	}
	it.starts = []date.Date{start.d}
	if rp, found := ev.get("RRULE"); found {
		if it.rule, err = parseRRule(rp, loc); err != nil {
			return false, err
		}
	}
	for _, p := range ev.all("RDATE") {
		ds, err := parseDateList(p, loc)
		if err != nil {
			return false, err
		}
		it.starts = append(it.starts, ds...)
	}
	if it.rule != nil || len(it.starts) > 1 {
		it.rule = orEmpty(it.rule)
		for _, p := range ev.all("EXDATE") {
			ds, err := parseDateList(p, loc)
			if err != nil {
				return false, err
			}
			for _, d := range ds {
				it.rule.exdates[d] = true
			}
		}
	}
	return allDay, nil
}

// coveredUntil returns the last day an event from start to end covers, and whether it covers
// whole days. An end at midnight does not cover its own day (DTEND is exclusive).
func coveredUntil(start, end icsTime) (date.Date, bool) {
	if !end.dateTime || end.secs == 0 {
		if end.d.After(start.d) {
			return end.d.AddDays(-1), start.secs == 0
		}
		return start.d, !start.dateTime
	}
	return end.d, start.secs == 0 && end.secs >= 23*3600+59*60
}

// parseICSTime reads a DATE (YYYYMMDD) or DATE-TIME (YYYYMMDDTHHMMSS, Z for UTC) value.
func parseICSTime(p icsProp, v string, loc *time.Location) (icsTime, error) {
	v = strings.TrimSpace(v)
	bad := func() (icsTime, error) {
		return icsTime{}, fmt.Errorf("line %d: %s: %q is not a date (YYYYMMDD) or a date-time (YYYYMMDDTHHMMSS)", p.line, p.name, clip(v))
	}
	if len(v) == 8 {
		t, err := time.Parse("20060102", v)
		if err != nil {
			return bad()
		}
		return icsTime{d: date.Of(t)}, nil
	}
	if strings.EqualFold(p.param("VALUE"), "DATE") {
		return bad()
	}
	utc := strings.HasSuffix(v, "Z")
	t, err := time.Parse("20060102T150405", strings.TrimSuffix(v, "Z"))
	if err != nil {
		return bad()
	}
	if utc {
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC).In(loc)
	}
	return icsTime{d: date.Of(t), secs: t.Hour()*3600 + t.Minute()*60 + t.Second(), dateTime: true}, nil
}

func parseDateList(p icsProp, loc *time.Location) ([]date.Date, error) {
	if strings.EqualFold(p.param("VALUE"), "PERIOD") {
		return nil, fmt.Errorf("line %d: %s with VALUE=PERIOD is not supported", p.line, p.name)
	}
	var out []date.Date
	for _, v := range strings.Split(p.value, ",") {
		t, err := parseICSTime(p, v, loc)
		if err != nil {
			return nil, err
		}
		out = append(out, t.d)
	}
	return out, nil
}

var durationRE = regexp.MustCompile(`^\+?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$`)

// parseDuration reads a positive DURATION (P1D, P2W, PT8H, P1DT12H) in seconds.
func parseDuration(p icsProp) (int, error) {
	m := durationRE.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(p.value)))
	if m == nil || p.value == "P" || strings.HasSuffix(p.value, "T") {
		return 0, fmt.Errorf("line %d: DURATION %q is not a positive duration such as P1D", p.line, clip(p.value))
	}
	secs := 0
	for i, unit := range []int{7 * 86400, 86400, 3600, 60, 1} {
		if m[i+1] != "" {
			n, err := strconv.Atoi(m[i+1])
			if err != nil || n > 1000*86400 {
				return 0, fmt.Errorf("line %d: DURATION %q is too long", p.line, clip(p.value))
			}
			secs += n * unit
		}
	}
	return secs, nil
}
