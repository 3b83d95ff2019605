package schoolday

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// The feed testdata/riverton-2026-2027.ics is the same calendar as the text file, written the
// way districts publish theirs: a VTIMEZONE, timed events that do not matter (a curriculum
// night, a "Winter Holiday Concert"), a staggered kindergarten start, a tentative last day,
// folded lines (one fold splits a UTF-8 character), escaped commas in SUMMARY and CATEGORIES,
// a day marked only by its CATEGORIES, the winter recess as TZID date-times from midnight to
// midnight, the February vacation as a DURATION, a timed early release, a cancelled event,
// a VALARM, and holidays in the summers around the year.
func TestImportRivertonFeed(t *testing.T) {
	f, err := os.Open("testdata/riverton-2026-2027.ics")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ImportICS(f, ICSOptions{})
	if err != nil {
		t.Fatalf("ImportICS: %v", err)
	}
	want := mustReadYears(t, "testdata/riverton-2026-2027.txt", "")
	if len(got) != 1 {
		t.Fatalf("ImportICS: %d years, want 1", len(got))
	}
	if got[0].Name != want[0].Name || got[0].First != want[0].First || got[0].Last != want[0].Last {
		t.Errorf("year = %s %s..%s, want %s %s..%s", got[0].Name, got[0].First, got[0].Last, want[0].Name, want[0].First, want[0].Last)
	}
	if diff := cmp.Diff(want[0].Days, got[0].Days); diff != "" {
		t.Errorf("days from the feed differ from the text calendar (-text +feed):\n%s", diff)
	}
	for day, note := range map[string]string{
		"2026-10-12": "Indigenous Peoples' Day",
		"2026-11-24": "Early Release - Grades K-12, 12:15 dismissal",
		"2026-11-26": "Thanksgiving Recess",
		"2027-03-02": "Emergency closing, storm",
		"2026-11-11": "Veterans Day",
	} {
		if got := got[0].Notes[d(day)]; got != note {
			t.Errorf("note of %s = %q, want %q", day, got, note)
		}
	}
	// The same deadlines on either form of the calendar.
	c := mustCalendar(t, "federal", got...)
	if r, err := c.Add(d("2027-02-26"), 10, SchoolDays); err != nil || r.Date != d("2027-03-12") {
		t.Errorf("Add(2027-02-26, 10, school) on the feed = %v, %v; want 2027-03-12", r, err)
	}
}

// ics wraps lines in a VCALENDAR with CRLF line endings: line 1 is BEGIN:VCALENDAR, line 2
// VERSION, and lines[i] is line i+3.
func ics(lines ...string) string {
	all := append([]string{"BEGIN:VCALENDAR", "VERSION:2.0"}, lines...)
	return strings.Join(append(all, "END:VCALENDAR"), "\r\n") + "\r\n"
}

// event is an all-day event on day (YYYYMMDD) with a summary and more properties.
func event(day, summary string, more ...string) []string {
	out := []string{"BEGIN:VEVENT", "DTSTART;VALUE=DATE:" + day, "SUMMARY:" + summary}
	return append(append(out, more...), "END:VEVENT")
}

func events(evs ...[]string) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e...)
	}
	return out
}

// year2627 is the first and last day of 2026-2027 (Wednesday Sep 2 to Wednesday Jun 16).
var year2627 = events(event("20260902", "First day of school"), event("20270616", "Last day of school"))

func TestImportICSFeeds(t *testing.T) {
	est := time.FixedZone("EST", -5*3600)
	for _, tt := range []struct {
		name string
		opt  ICSOptions
		evs  []string
		want map[string]iep.CalendarDayKind // days checked ("" = not listed)
		n    int                            // how many days are listed in all
	}{
		{
			name: "weekly early release with UNTIL and EXDATE",
			evs: event("20260902", "Early Release Wednesday", "RRULE:FREQ=WEEKLY;BYDAY=WE;UNTIL=20260930",
				"EXDATE;VALUE=DATE:20260916"),
			want: map[string]iep.CalendarDayKind{"20260902": "partial", "20260909": "partial", "20260916": "",
				"20260923": "partial", "20260930": "partial", "20261007": ""},
			n: 4,
		},
		{
			name: "every other week, three times",
			evs:  event("20261005", "Professional Development Day - No School", "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=3"),
			want: map[string]iep.CalendarDayKind{"20261005": "closed", "20261012": "", "20261019": "closed", "20261102": "closed"},
			n:    3,
		},
		{
			name: "daily, with a weekend inside",
			evs:  event("20261218", "Holiday recess", "RRULE:FREQ=DAILY;COUNT=4"),
			want: map[string]iep.CalendarDayKind{"20261218": "closed", "20261219": "", "20261220": "", "20261221": "closed"},
			n:    2,
		},
		{
			name: "every other day until a day",
			evs:  event("20261005", "No school", "RRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20261009"),
			want: map[string]iep.CalendarDayKind{"20261005": "closed", "20261006": "", "20261007": "closed", "20261009": "closed"},
			n:    3,
		},
		{
			name: "weekly on Mondays without an end: up to the last day of school",
			evs:  event("20270503", "Late start Monday", "RRULE:FREQ=WEEKLY;BYDAY=MO"),
			want: map[string]iep.CalendarDayKind{"20270503": "partial", "20270614": "partial", "20270621": ""},
			n:    7, // May 3, 10, 17, 24, 31, June 7, 14
		},
		{
			name: "RDATE",
			evs:  event("20261009", "No school", "RDATE;VALUE=DATE:20261030,20261106"),
			want: map[string]iep.CalendarDayKind{"20261009": "closed", "20261030": "closed", "20261106": "closed"},
			n:    3,
		},
		{
			name: "UTC date-times read in the district's zone",
			opt:  ICSOptions{Location: est},
			evs: events([]string{"BEGIN:VEVENT", "DTSTART:20261126T050000Z", "DTEND:20261127T050000Z", "SUMMARY:Thanksgiving Holiday", "END:VEVENT"},
				[]string{"BEGIN:VEVENT", "DTSTART:20261124T170000Z", "DTEND:20261124T200000Z", "SUMMARY:Half-day", "END:VEVENT"}),
			want: map[string]iep.CalendarDayKind{"20261125": "", "20261126": "closed", "20261127": "", "20261124": "partial"},
			n:    2,
		},
		{
			name: "UTC date-times without a zone",
			evs:  []string{"BEGIN:VEVENT", "DTSTART:20261126T000000Z", "DTEND:20261127T000000Z", "SUMMARY:Thanksgiving Holiday", "END:VEVENT"},
			want: map[string]iep.CalendarDayKind{"20261126": "closed"},
			n:    1,
		},
		{
			name: "TZID until 23:59, quoted parameter",
			evs: []string{"BEGIN:VEVENT", `DTSTART;TZID="America/New_York";VALUE=DATE-TIME:20261012T000000`,
				"DTEND;TZID=America/New_York:20261012T235900", "SUMMARY:Holiday", "END:VEVENT"},
			want: map[string]iep.CalendarDayKind{"20261012": "closed"},
			n:    1,
		},
		{
			name: "a timed event is never a closure",
			evs: events([]string{"BEGIN:VEVENT", "DTSTART;TZID=America/New_York:20261217T150000",
				"DTEND;TZID=America/New_York:20261217T170000", "SUMMARY:Staff holiday party", "END:VEVENT"},
				[]string{"BEGIN:VEVENT", "DTSTART;TZID=America/New_York:20261125T080000",
					"DTEND;TZID=America/New_York:20261127T150000", "SUMMARY:Thanksgiving break", "END:VEVENT"}),
			want: map[string]iep.CalendarDayKind{"20261217": "", "20261125": ""},
			n:    0,
		},
		{
			name: "DURATION in weeks",
			evs:  event("20270215", "Vacation", "DURATION:P1W"),
			want: map[string]iep.CalendarDayKind{"20270215": "closed", "20270219": "closed", "20270222": ""},
			n:    5,
		},
		{
			name: "the stronger kind wins: a closure over an early release, a snow day over both",
			evs: events(event("20261125", "Early release"), event("20261125", "Thanksgiving recess", "DTEND;VALUE=DATE:20261128"),
				event("20261127", "Weather closure - no school"), event("20261124", "Early release"), event("20261124", "Schools closed (storm)")),
			want: map[string]iep.CalendarDayKind{"20261124": "emergency", "20261125": "closed", "20261126": "closed", "20261127": "emergency"},
			n:    4,
		},
		{
			name: "a first day of school is never closed",
			evs:  event("20260902", "First day of school: grades 1-12 (no school for kindergarten)"),
			want: map[string]iep.CalendarDayKind{"20260902": ""},
			n:    0,
		},
		{
			name: "in-session events are not closures",
			evs:  events(event("20270104", "Classes resume after winter break"), event("20261223", "Last day before break")),
			want: map[string]iep.CalendarDayKind{"20270104": "", "20261223": ""},
			n:    0,
		},
		{
			name: "a make-up Saturday, a closure on a Saturday",
			evs:  events(event("20270306", "Snow make-up day"), event("20261128", "No school")),
			want: map[string]iep.CalendarDayKind{"20270306": "school", "20261128": ""},
			n:    1,
		},
		{
			name: "custom patterns replace the defaults",
			opt:  ICSOptions{NoSchool: []*regexp.Regexp{regexp.MustCompile(`(?i)jour férié`)}},
			evs:  events(event("20261111", "Jour f\\u00e9ri\\u00e9"), event("20261112", "JOUR FÉRIÉ"), event("20261113", "No school")),
			want: map[string]iep.CalendarDayKind{"20261112": "closed", "20261113": ""},
			n:    1,
		},
		{
			name: "ESY after the year, weekdays only; closures in the summer are ignored",
			evs:  events(event("20270705", "Independence Day holiday"), event("20270706", "ESY", "DTEND;VALUE=DATE:20270713")),
			want: map[string]iep.CalendarDayKind{"20270705": "", "20270706": "esy", "20270709": "esy", "20270710": "", "20270712": "esy"},
			n:    5,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			years, err := ImportICS(strings.NewReader(ics(append(tt.evs, year2627...)...)), tt.opt)
			if err != nil {
				t.Fatalf("ImportICS: %v", err)
			}
			y := years[0]
			for day, want := range tt.want {
				dd, _ := time.Parse("20060102", day)
				if got := y.Days[date.Of(dd)]; got != want {
					t.Errorf("%s = %q, want %q", day, got, want)
				}
			}
			if len(y.Days) != tt.n {
				t.Errorf("%d days listed, want %d: %v", len(y.Days), tt.n, y.Days)
			}
		})
	}
}

func TestImportICSYears(t *testing.T) {
	feed := ics(events(
		event("20270831", "First Day of School"),
		event("20260902", "First day for students"),
		event("20260909", "First Day of School - Kindergarten"),
		event("20270616", "Last day of school"),
		event("20270623", "Last day of school (with 5 snow days)"),
		event("20280614", "Last Day of Classes"),
	)...)
	years, err := ImportICS(strings.NewReader(feed), ICSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, y := range years {
		got = append(got, y.Name+" "+y.First.String()+" "+y.Last.String())
	}
	want := []string{"2026-2027 2026-09-02 2027-06-16", "2027-2028 2027-08-31 2028-06-14"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("years (-want +got):\n%s", diff)
	}
}

func TestImportICSErrors(t *testing.T) {
	for _, tt := range []struct {
		name, feed, want string
	}{
		{"not a feed", "hello\r\n", "line 1: not an iCalendar feed"},
		{"empty", "", "line 1: "},
		{"mismatched END", ics("BEGIN:VEVENT", "END:VTODO"), "line 4: END:VTODO closes BEGIN:VEVENT"},
		{"no END", "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", "line 2: the feed ends inside VEVENT"},
		{"not a content line", ics("BEGIN:VEVENT", "just words", "END:VEVENT"), "line 4: not a content line"},
		{"bad date", ics(events(event("2026-11-26", "No school"), year2627)...), "line 4: DTSTART"},
		{"bad date on an event that does not matter", ics(events(event("2026-11-26", "Bake sale"))...), "no first day of school"},
		{"no DTSTART", ics(events([]string{"BEGIN:VEVENT", "SUMMARY:No school", "END:VEVENT"}, year2627)...), "line 3: an event without DTSTART"},
		{"monthly rule", ics(events(event("20261005", "No school", "RRULE:FREQ=MONTHLY;BYDAY=1MO"), year2627)...), "line 6: RRULE"},
		{"BYDAY with a number", ics(events(event("20261005", "No school", "RRULE:FREQ=WEEKLY;BYDAY=1MO"), year2627)...), "line 6: RRULE"},
		{"bad DURATION", ics(events(event("20261005", "No school", "DURATION:five days"), year2627)...), "line 6: DURATION"},
		{"ends before it starts", ics(events(event("20261005", "No school", "DTEND;VALUE=DATE:20261001"), year2627)...), "line 6: the event ends before"},
		{"last day without a first", ics(events(event("20270616", "Last day of school"))...), "line 3: last day of school 2027-06-16 has no first day"},
		{"first day without a last", ics(events(event("20260902", "First day of school"))...), "first day of school 2026-09-02 has no last day"},
		{"recurring first day", ics(events(event("20260902", "First day of school", "RRULE:FREQ=DAILY;COUNT=2"), year2627)...), "line 3: a recurring first or last day"},
		{"make-up day in the summer", ics(events(event("20270619", "Make-up day"), year2627)...), "line 3: make-up day 2027-06-19"},
		{"unknown X-OPENIEP-KIND", ics(events(event("20261005", "x", "X-OPENIEP-KIND:holiday"), year2627)...), "line 6: X-OPENIEP-KIND"},
		{"a second calendar", ics(year2627...) + ics(), "a second VCALENDAR"},
	} {
		_, err := ImportICS(strings.NewReader(tt.feed), ICSOptions{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ImportICS = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}

// A round trip, export then import, gives back the same calendar, notes, names and weekdays
// included; the feed's lines end in CRLF and are folded at 75 octets.
func TestICSRoundTrip(t *testing.T) {
	riverton := mustReadYears(t, "testdata/riverton-2026-2027.txt", nextYear)
	odd := Year{Name: "Summer Academy", First: d("2028-07-05"), Last: d("2028-08-10"),
		Days: map[date.Date]iep.CalendarDayKind{
			d("2028-07-13"): iep.DayClosed, d("2028-07-20"): iep.DayPartial, d("2028-07-24"): iep.DayEmergency,
			d("2028-07-29"): iep.DaySchool,
		},
		Notes: map[date.Date]string{
			d("2028-07-13"): "Staff day; buses, vans\\and \"quotes\"\nsecond line",
			d("2028-07-20"): strings.Repeat("Très longue note de sortie anticipée — ", 5),
			d("2028-07-29"): "Early release",
		},
	}
	odd.Weekdays[1], odd.Weekdays[2], odd.Weekdays[3], odd.Weekdays[4] = true, true, true, true
	c := mustCalendar(t, "MA", append(riverton, odd)...)

	var buf bytes.Buffer
	if err := ExportICS(&buf, c, "Riverton Public Schools, 2026–2028"); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	if !strings.HasSuffix(raw, "END:VCALENDAR\r\n") {
		t.Errorf("the feed does not end with END:VCALENDAR CRLF")
	}
	for i, l := range strings.Split(strings.TrimSuffix(raw, "\r\n"), "\r\n") {
		if len(l) > 75 || strings.ContainsAny(l, "\r\n") || !utf8.ValidString(l) {
			t.Errorf("line %d (%d octets) is not a folded CRLF line of valid UTF-8: %q", i+1, len(l), l)
		}
	}
	if !strings.Contains(raw, "\r\n ") {
		t.Error("nothing was folded")
	}
	var again bytes.Buffer
	if err := ExportICS(&again, c, "Riverton Public Schools, 2026–2028"); err != nil || again.String() != raw {
		t.Errorf("a second export differs from the first (UIDs must be stable): %v", err)
	}
	for _, want := range []string{
		"UID:20261126-closed-riverton-public-schools-2026-2028@openiep\r\n",
		"DTSTART;VALUE=DATE:20261126\r\nDTEND;VALUE=DATE:20261127\r\nSUMMARY:Thanksgiving recess\r\nCATEGORIES:No school\r\n",
		"X-WR-CALNAME:Riverton Public Schools\\, 2026–2028\r\n",
	} {
		if !strings.Contains(raw, want) {
			t.Errorf("the feed lacks %q", want)
		}
	}

	got, err := ImportICS(strings.NewReader(raw), ICSOptions{})
	if err != nil {
		t.Fatalf("ImportICS(ExportICS(c)): %v", err)
	}
	if diff := cmp.Diff(c.Years(), got, equateYears); diff != "" {
		t.Errorf("round trip (-exported +imported):\n%s", diff)
	}
	// Patterns that match nothing do not matter to openiep's own feed.
	none := []*regexp.Regexp{regexp.MustCompile(`^$`)}
	got, err = ImportICS(strings.NewReader(raw), ICSOptions{NoSchool: none, EarlyRelease: none, FirstDay: none, LastDay: none})
	if err != nil {
		t.Fatalf("ImportICS with other patterns: %v", err)
	}
	if diff := cmp.Diff(c.Years(), got, equateYears); diff != "" {
		t.Errorf("round trip with other patterns (-exported +imported):\n%s", diff)
	}
}

// A feed exported by openiep is also read right by the default patterns alone, as a reader
// that ignores the X-OPENIEP properties would: CATEGORIES names each kind.
func TestExportedFeedReadsWithoutExtensions(t *testing.T) {
	c := mustCalendar(t, "federal", mustReadYears(t, "testdata/riverton-2026-2027.txt", nextYear)...)
	var buf bytes.Buffer
	if err := ExportICS(&buf, c, "Riverton"); err != nil {
		t.Fatal(err)
	}
	stripped := regexp.MustCompile(`(?m)^X-OPENIEP-[^\r]*\r\n`).ReplaceAllString(buf.String(), "")
	if strings.Contains(stripped, "X-OPENIEP") {
		t.Fatal("the X-OPENIEP properties were not all removed")
	}
	got, err := ImportICS(strings.NewReader(stripped), ICSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := c.Years()
	if len(got) != len(want) {
		t.Fatalf("%d years, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].First != want[i].First || got[i].Last != want[i].Last {
			t.Errorf("year %d: %s..%s, want %s..%s", i, got[i].First, got[i].Last, want[i].First, want[i].Last)
		}
		if diff := cmp.Diff(want[i].Days, got[i].Days); diff != "" {
			t.Errorf("year %d days (-want +got):\n%s", i, diff)
		}
	}
}
