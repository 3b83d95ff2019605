package schoolday

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

func TestParseText(t *testing.T) {
	years := mustReadYears(t, "testdata/riverton-2026-2027.txt", "")
	if len(years) != 1 {
		t.Fatalf("ParseText: %d years, want 1", len(years))
	}
	y := years[0]
	if y.Name != "2026-2027" || y.First != d("2026-09-02") || y.Last != d("2027-06-16") {
		t.Errorf("year = %s %s %s, want 2026-2027 2026-09-02 2027-06-16", y.Name, y.First, y.Last)
	}
	// The winter break range 2026-12-24..2027-01-01 lists its weekdays only: 24, 25, 28-31, Jan 1.
	for _, tt := range []struct {
		day  string
		kind iep.CalendarDayKind
		note string
	}{
		{"2026-12-24", iep.DayClosed, "Winter break"},
		{"2026-12-26", "", ""},
		{"2027-01-01", iep.DayClosed, "Winter break"},
		{"2026-11-24", iep.DayPartial, "Early release"},
		{"2027-03-06", iep.DaySchool, "Make-up day"},
		{"2027-07-10", "", ""}, // a Saturday inside the ESY range
		{"2027-08-13", iep.DayESY, "ESY"},
	} {
		if k, n := y.Days[d(tt.day)], y.Notes[d(tt.day)]; k != tt.kind || n != tt.note {
			t.Errorf("%s = %q %q, want %q %q", tt.day, k, n, tt.kind, tt.note)
		}
	}
	// Days listed: 1 + 1 + 1 + 1 + 3 + 7 + 1 + 1 + 5 + 1 + 1 + 5 + 1, and 29 of ESY (Tuesday
	// July 6 to Friday the 9th, then five whole weeks).
	if got := len(y.Days); got != 58 {
		t.Errorf("%d days listed, want 58", got)
	}
}

func TestParseTextErrors(t *testing.T) {
	for _, tt := range []struct {
		in, want string
	}{
		{"closed 2026-11-26", "line 1: "},
		{"# c\n\nyear 2026-2027 2026-09-02", "line 3: "},
		{"year 2026-2027 2026-09-02 2027-02-30", "line 1: "},
		{"year 2026-2027 2027-09-02 2026-06-16", "line 1: last day"},
		{"year a 2026-09-02 2027-06-16\nyear b 2027-06-01 2028-06-16", "line 2: "},
		{"year a 2026-09-02 2027-06-16\nholiday 2026-11-26", "line 2: unknown line"},
		{"year a 2026-09-02 2027-06-16\nclosed 2026-11-26..2026-11-25", "line 2: "},
		{"year a 2026-09-02 2027-06-16\nclosed 2027-06-17", "line 2: "},
		{"year a 2026-09-02 2027-06-16\nschool 2027-06-19 Make-up day", "line 2: "},
		{"year a 2026-09-02 2027-06-16\nesy 2026-08-20", "line 2: "},
		{"year a 2026-09-02 2027-06-16\nclosed 2026-12-24..2027-01-01\nemergency 2026-12-29", "line 3: 2026-12-29 is already listed on line 2"},
		{"year a 2026-09-02 2027-06-16\nweekdays mon tue frog", "line 2: unknown weekday"},
		{"year a 2026-09-02 2027-06-16\nclosed 2026-11-26\nweekdays mon", "line 3: "},
		{"# nothing\n", "no school year"},
	} {
		_, err := ParseText(strings.NewReader(tt.in))
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseText(%q) = %v, want an error beginning %q", tt.in, err, tt.want)
		}
	}
}

func TestParseTextWeekdays(t *testing.T) {
	years, err := ParseText(strings.NewReader("year x 2026-09-01 2026-09-30\nweekdays mon tue wed thu\nclosed 2026-09-04..2026-09-08 Long weekend\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := [7]bool{false, true, true, true, true, false, false}
	if years[0].Weekdays != want {
		t.Errorf("Weekdays = %v, want %v", years[0].Weekdays, want)
	}
	// Friday the 4th is not in session, so the range lists Monday 7 and Tuesday 8 only.
	wantDays := map[date.Date]iep.CalendarDayKind{d("2026-09-07"): iep.DayClosed, d("2026-09-08"): iep.DayClosed}
	if diff := cmp.Diff(wantDays, years[0].Days); diff != "" {
		t.Errorf("Days (-want +got):\n%s", diff)
	}
}

// FormatText writes back what ParseText read: the non-comment lines of the file, ranges and all.
func TestFormatTextRoundTrip(t *testing.T) {
	b, err := os.ReadFile("testdata/riverton-2026-2027.txt")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			want = append(want, l)
		}
	}
	years := mustReadYears(t, "testdata/riverton-2026-2027.txt", "")
	var out strings.Builder
	if err := FormatText(&out, years); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(strings.Join(want, "\n")+"\n", out.String()); diff != "" {
		t.Errorf("FormatText (-want +got):\n%s", diff)
	}

	// Two years, a four-day week, a school range over a weekend, a snow day inside a break.
	in := "year a 2026-09-01 2026-12-18\nweekdays mon tue wed thu\nclosed 2026-10-08..2026-10-13 Long weekend\n" +
		"school 2026-10-16..2026-10-17 Make-up\n\nyear b 2027-01-04 2027-06-16\nclosed 2027-02-15..2027-02-16 Break\n" +
		"emergency 2027-02-17 Snow day\nclosed 2027-02-18..2027-02-19 Break\nesy 2027-07-06\n"
	years, err = ParseText(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := FormatText(&out, years); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out.String()); diff != "" {
		t.Errorf("FormatText (-want +got):\n%s", diff)
	}
	again, err := ParseText(strings.NewReader(out.String()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(years, again, equateYears); diff != "" {
		t.Errorf("ParseText(FormatText(years)) (-want +got):\n%s", diff)
	}
}
