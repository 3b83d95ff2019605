package schoolday

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// labels name each kind of day in an exported feed (SUMMARY when the day has no note, and
// CATEGORIES), in words the default import patterns recognize.
var labels = map[iep.CalendarDayKind]string{
	iep.DayClosed:    "No school",
	iep.DayEmergency: "Emergency closing",
	iep.DayPartial:   "Early release",
	iep.DayESY:       "ESY",
	iep.DaySchool:    "Make-up day",
}

// ExportICS writes c as an iCalendar feed named name: per school year a "First day of school"
// and a "Last day of school" event, and one all-day event per listed day (closed, emergency,
// partial, esy and school). Each event has a stable UID and carries its meaning in
// X-OPENIEP-* properties, so that ImportICS gives back the same years whatever its patterns.
// Lines end in CRLF and are folded at 75 octets.
func ExportICS(w io.Writer, c *Calendar, name string) error {
	if c == nil {
		return errors.New("schoolday: no calendar to export")
	}
	iw := &icsWriter{w: bufio.NewWriter(w)}
	iw.line("BEGIN:VCALENDAR")
	iw.line("VERSION:2.0")
	iw.line("PRODID:-//openiep//schoolday//EN")
	iw.line("CALSCALE:GREGORIAN")
	iw.line("METHOD:PUBLISH")
	if name != "" {
		iw.line("X-WR-CALNAME:" + escapeText(name))
	}
	uid := slug(name)
	for _, y := range c.years {
		first := []string{"X-OPENIEP-KIND:first-day", xYear + ":" + escapeText(y.Name)}
		if y.Weekdays != ([7]bool{}) {
			var ws []string
			for d, on := range y.Weekdays {
				if on {
					ws = append(ws, icsDays[d])
				}
			}
			first = append(first, xWeekdays+":"+strings.Join(ws, ","))
		}
		iw.event(uid, y.First, "first-day", "First day of school", "", first...)
		for _, d := range slices.SortedFunc(maps.Keys(y.Days), date.Date.Compare) {
			k, note := y.Days[d], y.Notes[d]
			summary, extra := labels[k], []string{xKind + ":" + string(k)}
			if note != "" {
				summary = note
				extra = append(extra, xNote+":"+escapeText(note))
			}
			iw.event(uid, d, string(k), summary, labels[k], extra...)
		}
		iw.event(uid, y.Last, "last-day", "Last day of school", "", "X-OPENIEP-KIND:last-day")
	}
	iw.line("END:VCALENDAR")
	if iw.err != nil {
		return iw.err
	}
	return iw.w.Flush()
}

type icsWriter struct {
	w   *bufio.Writer
	err error
}

// event writes one all-day event on day d.
func (iw *icsWriter) event(uid string, d date.Date, what, summary, category string, extra ...string) {
	day := strings.ReplaceAll(d.String(), "-", "")
	iw.line("BEGIN:VEVENT")
	iw.line(fmt.Sprintf("UID:%s-%s-%s@openiep", day, what, uid))
	iw.line("DTSTAMP:" + day + "T000000Z") // stable: the export never reads the clock
	iw.line("DTSTART;VALUE=DATE:" + day)
	iw.line("DTEND;VALUE=DATE:" + strings.ReplaceAll(d.AddDays(1).String(), "-", ""))
	iw.line("SUMMARY:" + escapeText(summary))
	if category != "" {
		iw.line("CATEGORIES:" + escapeText(category))
	}
	iw.line("TRANSP:TRANSPARENT")
	for _, x := range extra {
		iw.line(x)
	}
	iw.line("END:VEVENT")
}

// line writes one content line, folded so that no line is longer than 75 octets (not
// counting CRLF) and no UTF-8 sequence is split.
func (iw *icsWriter) line(s string) {
	if iw.err != nil {
		return
	}
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		_, iw.err = iw.w.WriteString(s[:cut] + "\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	if iw.err == nil {
		_, iw.err = iw.w.WriteString(s + "\r\n")
	}
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// slug makes a calendar name fit in a UID: "Riverton 2026-2027" → "riverton-2026-2027".
func slug(name string) string {
	s := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(name), "-"), "-")
	if s == "" {
		return "calendar"
	}
	return s
}
