package schoolday

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

var weekdayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseText reads the text format described in the package documentation. Errors name the
// line. Closed, emergency, partial and ESY ranges keep only the days of the week the year is
// in session (a weekend inside a break changes nothing); a school range keeps every day.
func ParseText(r io.Reader) ([]Year, error) {
	var years []Year
	seen := map[date.Date]int{} // day → line that listed it
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if err := parseTextLine(line, &years, seen, n); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(years) == 0 {
		return nil, fmt.Errorf("no school year: the calendar needs a line such as %q", "year 2026-2027 2026-09-02 2027-06-18")
	}
	return years, nil
}

func parseTextLine(line string, years *[]Year, seen map[date.Date]int, n int) error {
	word, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	switch word {
	case "year":
		f := strings.Fields(rest)
		if len(f) != 3 {
			return fmt.Errorf("want %q, got %q", "year NAME FIRST-DAY LAST-DAY", line)
		}
		first, err := date.Parse(f[1])
		if err != nil {
			return err
		}
		last, err := date.Parse(f[2])
		if err != nil {
			return err
		}
		if last.Before(first) {
			return fmt.Errorf("last day %s is before first day %s", last, first)
		}
		if k := len(*years); k > 0 && !(*years)[k-1].Last.Before(first) {
			return fmt.Errorf("school year %s must begin after %s ends (%s)", f[0], (*years)[k-1].Name, (*years)[k-1].Last)
		}
		*years = append(*years, Year{Name: f[0], First: first, Last: last,
			Days: map[date.Date]iep.CalendarDayKind{}, Notes: map[date.Date]string{}})
		return nil
	case "weekdays":
		y, err := current(*years, word)
		if err != nil {
			return err
		}
		return parseWeekdays(y, strings.Fields(rest))
	}
	kind := iep.CalendarDayKind(word)
	if !slices.Contains(iep.CalendarDayKinds, kind) {
		return fmt.Errorf("unknown line %q: want year, weekdays, closed, emergency, partial, school or esy", word)
	}
	y, err := current(*years, word)
	if err != nil {
		return err
	}
	span, note, _ := strings.Cut(rest, " ")
	from, to, err := parseSpan(span)
	if err != nil {
		return err
	}
	if kind == iep.DayESY {
		if from.Before(y.First) {
			return fmt.Errorf("ESY day %s is before the first day of %s (%s)", from, y.Name, y.First)
		}
	} else if !y.contains(from) || !y.contains(to) {
		return fmt.Errorf("%s is outside school year %s (%s to %s)", span, y.Name, y.First, y.Last)
	}
	for d := from; !d.After(to); d = d.AddDays(1) {
		if kind != iep.DaySchool && !y.InSession(d.Weekday()) {
			continue
		}
		if m, ok := seen[d]; ok {
			return fmt.Errorf("%s is already listed on line %d", d, m)
		}
		seen[d] = n
		y.Days[d] = kind
		if note = strings.TrimSpace(note); note != "" {
			y.Notes[d] = note
		}
	}
	return nil
}

// current returns the year the line belongs to: the last one begun.
func current(years []Year, word string) (*Year, error) {
	if len(years) == 0 {
		return nil, fmt.Errorf("%q before any %q line", word, "year")
	}
	return &years[len(years)-1], nil
}

func parseWeekdays(y *Year, names []string) error {
	if len(names) == 0 {
		return fmt.Errorf("want %q", "weekdays mon tue wed thu fri")
	}
	if len(y.Days) > 0 {
		return fmt.Errorf("%q must come before the days of year %s", "weekdays", y.Name)
	}
	var w [7]bool
	for _, s := range names {
		i := slices.Index(weekdayNames, strings.ToLower(s))
		if i < 0 {
			return fmt.Errorf("unknown weekday %q: want sun, mon, tue, wed, thu, fri or sat", s)
		}
		w[i] = true
	}
	y.Weekdays = w
	return nil
}

// parseSpan reads DATE or DATE..DATE.
func parseSpan(s string) (from, to date.Date, err error) {
	a, b, isRange := strings.Cut(s, "..")
	if from, err = date.Parse(a); err != nil {
		return from, to, err
	}
	to = from
	if isRange {
		if to, err = date.Parse(b); err != nil {
			return from, to, err
		}
		if to.Before(from) {
			return from, to, fmt.Errorf("range %s ends before it begins", s)
		}
	}
	return from, to, nil
}

// FormatText writes years in the text format. Days of one kind and note that follow each other
// (skipping days the year is not in session, which the range leaves out again when read) are
// written as one range, so that FormatText after ParseText gives back the same years.
func FormatText(w io.Writer, years []Year) error {
	bw := bufio.NewWriter(w)
	for i, y := range years {
		if i > 0 {
			fmt.Fprintln(bw)
		}
		name := y.Name
		if name == "" {
			name = DefaultName(y.First, y.Last)
		}
		if strings.ContainsAny(name, " \t") {
			return fmt.Errorf("school year name %q: the text format does not allow spaces in a name", name)
		}
		fmt.Fprintf(bw, "year %s %s %s\n", name, y.First, y.Last)
		if y.Weekdays != ([7]bool{}) && y.Weekdays != ([7]bool{false, true, true, true, true, true, false}) {
			var ws []string
			for d, on := range y.Weekdays {
				if on {
					ws = append(ws, weekdayNames[d])
				}
			}
			fmt.Fprintf(bw, "weekdays %s\n", strings.Join(ws, " "))
		}
		for _, r := range runs(y) {
			span := r.from.String()
			if r.to != r.from {
				span += ".." + r.to.String()
			}
			line := strings.TrimRight(fmt.Sprintf("%s %s %s", r.kind, span, r.note), " ")
			if strings.ContainsAny(r.note, "\r\n") {
				return fmt.Errorf("%s: the text format does not allow a note on several lines", r.from)
			}
			fmt.Fprintln(bw, line)
		}
	}
	return bw.Flush()
}

type run struct {
	from, to date.Date
	kind     iep.CalendarDayKind
	note     string
}

// runs groups a year's listed days into ranges of one kind and note.
func runs(y Year) []run {
	var out []run
	for _, d := range slices.SortedFunc(maps.Keys(y.Days), date.Date.Compare) {
		k, note := y.Days[d], y.Notes[d]
		if n := len(out); n > 0 && out[n-1].kind == k && out[n-1].note == note &&
			(d == out[n-1].to.AddDays(1) || k != iep.DaySchool && onlySkipped(y, out[n-1].to, d)) {
			out[n-1].to = d
			continue
		}
		out = append(out, run{from: d, to: d, kind: k, note: note})
	}
	return out
}

// onlySkipped reports whether every day strictly between a and b is one a closed, partial,
// emergency or ESY range leaves out (a day of the week the year is not in session, not listed).
func onlySkipped(y Year, a, b date.Date) bool {
	for d := a.AddDays(1); d.Before(b); d = d.AddDays(1) {
		if _, listed := y.Days[d]; listed || y.InSession(d.Weekday()) {
			return false
		}
	}
	return true
}
