package schoolday

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// The test calendar is testdata/riverton-2026-2027.txt. Its school days, counted by hand
// (weekdays from 2026-09-02 to 2027-06-16 less the closures; the make-up Saturday counts):
//
//	Sep 20: 2-4, 8-11 (7 Labor Day), 14-18, 21-25, 28-30
//	Oct 21: 1-2, 5-9, 13-16 (12 Indigenous Peoples' Day), 19-23, 26-30
//	Nov 17: 2-6, 9-10, 12-13 (11 Veterans Day), 16-20, 23, 24 (early release), 30 (25-27 Thanksgiving)
//	Dec 17: 1-4, 7-11, 14-18, 21-23 (24-31 winter break)
//	Jan 18: 4-8, 11-15, 19-22 (1 winter break, 18 MLK), 25-26, 28-29 (27 snow day)
//	Feb 15: 1-5, 8-12, 22-26 (15-19 February vacation)
//	Mar 23: 1, 3-5 (2 snow day), 6 (Saturday make-up), 8-12, 15-19, 22-26, 29-31
//	Apr 17: 1-2, 5-9, 12-16, 26-30 (19-23 April vacation)
//	May 20: 3-7, 10-14, 17-21, 24-28 (31 Memorial Day)
//	Jun 12: 1-4, 7-11, 14-16
//
// 180 in all. ESY runs on the weekdays of 2027-07-06..2027-08-13 and never counts.

// nextYear is the district's following year, published later.
const nextYear = `
year 2027-2028 2027-08-31 2028-06-14
closed 2027-09-06 Labor Day
closed 2028-02-21..2028-02-25 February vacation
`

func d(s string) date.Date { return date.MustParse(s) }

func mustReadYears(tb testing.TB, path string, extra string) []Year {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	years, err := ParseText(strings.NewReader(string(b) + extra))
	if err != nil {
		tb.Fatalf("ParseText(%s): %v", path, err)
	}
	return years
}

func mustCalendar(tb testing.TB, jurisdiction string, years ...Year) *Calendar {
	tb.Helper()
	c, err := New(jurisdiction, years...)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return c
}

func riverton(tb testing.TB) *Calendar {
	return mustCalendar(tb, "federal", mustReadYears(tb, "testdata/riverton-2026-2027.txt", "")...)
}

func TestCountMonthByMonth(t *testing.T) {
	c := riverton(t)
	for _, tt := range []struct {
		from, to string
		want     int
	}{
		{"2026-08-31", "2026-09-30", 20},
		{"2026-09-30", "2026-10-31", 21},
		{"2026-10-31", "2026-11-30", 17},
		{"2026-11-30", "2026-12-31", 17},
		{"2026-12-31", "2027-01-31", 18},
		{"2027-01-31", "2027-02-28", 15},
		{"2027-02-28", "2027-03-31", 23},
		{"2027-03-31", "2027-04-30", 17},
		{"2027-04-30", "2027-05-31", 20},
		{"2027-05-31", "2027-06-16", 12},
		{"2026-07-01", "2027-06-16", 180},
	} {
		got, err := c.Count(d(tt.from), d(tt.to), SchoolDays)
		if err != nil || got != tt.want {
			t.Errorf("Count(%s, %s, school) = %d, %v; want %d", tt.from, tt.to, got, err, tt.want)
		}
	}
}

func TestAdd(t *testing.T) {
	c := riverton(t)
	for _, tt := range []struct {
		from string
		n    int
		u    Unit
		want string
	}{
		// Day 0 is the triggering date; counting starts on the next day of the kind.
		{"2026-11-26", 0, SchoolDays, "2026-11-26"}, // n = 0 returns from, even on a closed day
		{"2026-11-26", 1, SchoolDays, "2026-11-30"},
		{"2026-11-24", 1, SchoolDays, "2026-11-30"}, // from an early-release day
		{"2026-09-01", 1, SchoolDays, "2026-09-02"}, // the first day of school
		{"2026-08-20", 3, SchoolDays, "2026-09-04"}, // from the summer before: known, no school
		// Thanksgiving: 23, 24 (early release counts), 30, Dec 1, 2.
		{"2026-11-20", 5, SchoolDays, "2026-12-02"},
		// Winter break: 22, 23, then Jan 4-8, 11-13.
		{"2026-12-21", 10, SchoolDays, "2027-01-13"},
		// MLK day and the first snow day: 19-22, 25, 26, 28, 29, Feb 1, 2.
		{"2027-01-15", 10, SchoolDays, "2027-02-02"},
		// February vacation: 11, 12, 22, 23, 24.
		{"2027-02-10", 5, SchoolDays, "2027-02-24"},
		// The second snow day and the make-up Saturday: Mar 1, 3, 4, 5, 6 (Sat), 8-12.
		{"2027-02-26", 10, SchoolDays, "2027-03-12"},
		{"2027-03-05", 1, SchoolDays, "2027-03-06"},
		{"2027-03-06", 1, SchoolDays, "2027-03-08"},
		// April vacation: 15, 16, 26, 27, 28.
		{"2027-04-14", 5, SchoolDays, "2027-04-28"},
		// The whole year.
		{"2026-09-01", 180, SchoolDays, "2027-06-16"},

		// Business days (federal): weekends and holidays, whatever the school calendar says.
		{"2026-11-20", 5, BusinessDays, "2026-11-30"},  // 23, 24, 25, (26 Thanksgiving) 27, 30
		{"2026-12-23", 3, BusinessDays, "2026-12-29"},  // 24, (25 Christmas) 28, 29
		{"2027-01-15", 1, BusinessDays, "2027-01-19"},  // (18 MLK)
		{"2027-04-16", 1, BusinessDays, "2027-04-19"},  // Patriots' Day is not federal
		{"2027-06-10", 10, BusinessDays, "2027-06-25"}, // 11, 14-17, (18 Juneteenth observed) 21-25: past the school year, still certain
		{"2027-07-01", 2, BusinessDays, "2027-07-06"},  // 2, (5 Independence Day observed) 6
		{"2026-11-27", 0, BusinessDays, "2026-11-27"},
		{"2028-02-25", 2, BusinessDays, "2028-02-29"}, // 28, 29 (leap day)

		// Calendar days.
		{"2026-11-20", 10, CalendarDays, "2026-11-30"},
		{"2027-02-20", 10, CalendarDays, "2027-03-02"},
		{"2028-02-20", 10, CalendarDays, "2028-03-01"}, // 2028 is a leap year
		{"2027-06-10", 60, CalendarDays, "2027-08-09"}, // past the calendar: certain
	} {
		got, err := c.Add(d(tt.from), tt.n, tt.u)
		if err != nil || got != (Result{Date: d(tt.want)}) {
			t.Errorf("Add(%s, %d, %s) = %v, %v; want %s", tt.from, tt.n, tt.u, got, err, tt.want)
		}
	}
}

func TestCount(t *testing.T) {
	c := riverton(t)
	for _, tt := range []struct {
		from, to string
		u        Unit
		want     int
	}{
		{"2026-11-20", "2026-12-02", SchoolDays, 5},
		{"2026-11-24", "2026-11-30", SchoolDays, 1},
		{"2026-12-23", "2027-01-03", SchoolDays, 0}, // the winter break
		{"2026-12-21", "2027-01-13", SchoolDays, 10},
		{"2027-02-10", "2027-02-24", SchoolDays, 5},
		{"2027-02-26", "2027-03-12", SchoolDays, 10},
		{"2027-04-14", "2027-04-28", SchoolDays, 5},
		{"2027-03-05", "2027-03-07", SchoolDays, 1}, // the make-up Saturday
		{"2027-06-16", "2027-06-16", SchoolDays, 0}, // to == from
		{"2027-06-16", "2027-01-01", SchoolDays, 0}, // to before from
		{"2026-11-20", "2026-11-30", BusinessDays, 5},
		{"2027-01-15", "2027-01-22", BusinessDays, 4},
		{"2027-06-10", "2027-06-25", BusinessDays, 10},
		{"2027-02-01", "2027-03-01", CalendarDays, 28},
		{"2028-02-01", "2028-03-01", CalendarDays, 29},
		{"2027-03-01", "2027-02-01", CalendarDays, 0},
	} {
		got, err := c.Count(d(tt.from), d(tt.to), tt.u)
		if err != nil || got != tt.want {
			t.Errorf("Count(%s, %s, %s) = %d, %v; want %d", tt.from, tt.to, tt.u, got, err, tt.want)
		}
	}
}

// The second snow day (2027-03-02) was added in March, after a parent signed on Friday
// 2027-02-26: services had to start within 10 school days, by 2027-03-11; the closure moves
// the deadline to 2027-03-12.
func TestSnowDayAddedLaterMovesTheDeadline(t *testing.T) {
	years := mustReadYears(t, "testdata/riverton-2026-2027.txt", "")
	delete(years[0].Days, d("2027-03-02"))
	before := mustCalendar(t, "federal", years...)
	if got, err := before.Add(d("2027-02-26"), 10, SchoolDays); err != nil || got.Date != d("2027-03-11") {
		t.Fatalf("before the snow day: Add(2027-02-26, 10, school) = %v, %v; want 2027-03-11", got, err)
	}
	if got, _ := before.Count(d("2027-02-26"), d("2027-03-12"), SchoolDays); got != 11 {
		t.Errorf("before the snow day: Count(2027-02-26, 2027-03-12) = %d, want 11", got)
	}

	years[0].Days[d("2027-03-02")] = iep.DayEmergency // the storm
	if got, _ := before.Add(d("2027-02-26"), 10, SchoolDays); got.Date != d("2027-03-11") {
		t.Errorf("a Calendar changed when the years it was made from changed: %v", got)
	}
	after := mustCalendar(t, "federal", years...)
	if got, err := after.Add(d("2027-02-26"), 10, SchoolDays); err != nil || got.Date != d("2027-03-12") {
		t.Errorf("after the snow day: Add(2027-02-26, 10, school) = %v, %v; want 2027-03-12", got, err)
	}
	if got, _ := after.Count(d("2027-02-26"), d("2027-03-12"), SchoolDays); got != 10 {
		t.Errorf("after the snow day: Count(2027-02-26, 2027-03-12) = %d, want 10", got)
	}
}

// The end of the year runs into the summer: June 11, 14, 15, 16 are the last four school days.
// Without the next year's calendar the answer is an estimate (school from September 1, 2027,
// Monday to Friday without federal holidays: Sep 1, 2, 3, (6 Labor Day) 7, 8, 9); with it, exact
// (school from Tuesday August 31: Aug 31, Sep 1, 2, 3, (6 Labor Day) 7, 8).
func TestEndOfYearIntoSummer(t *testing.T) {
	alone := riverton(t)
	both := mustCalendar(t, "federal", mustReadYears(t, "testdata/riverton-2026-2027.txt", nextYear)...)
	for _, tt := range []struct {
		from     string
		n        int
		estimate string
		withNext string
	}{
		{"2027-06-10", 4, "", "2027-06-16"},
		{"2027-06-10", 5, "2027-09-01", "2027-08-31"},
		{"2027-06-10", 10, "2027-09-09", "2027-09-08"},
		{"2027-06-16", 1, "2027-09-01", "2027-08-31"}, // ESY days in July never count
		{"2026-09-01", 181, "2027-09-01", "2027-08-31"},
	} {
		got, err := alone.Add(d(tt.from), tt.n, SchoolDays)
		if tt.estimate == "" {
			if err != nil || got != (Result{Date: d(tt.withNext)}) {
				t.Errorf("Add(%s, %d) = %v, %v; want %s, certain", tt.from, tt.n, got, err, tt.withNext)
			}
		} else if !errors.Is(err, ErrBeyondCalendar) || got != (Result{Date: d(tt.estimate), Provisional: true}) {
			t.Errorf("without the next year: Add(%s, %d) = %v, %v; want %s provisional and ErrBeyondCalendar",
				tt.from, tt.n, got, err, tt.estimate)
		}
		got, err = both.Add(d(tt.from), tt.n, SchoolDays)
		if err != nil || got != (Result{Date: d(tt.withNext)}) {
			t.Errorf("with the next year: Add(%s, %d) = %v, %v; want %s, certain", tt.from, tt.n, got, err, tt.withNext)
		}
	}

	// A summer after the next September is no school either: from Thursday 2028-06-29, June 30,
	// then nothing in July and August, then Friday 2028-09-01.
	if got, err := alone.Add(d("2028-06-29"), 2, SchoolDays); !errors.Is(err, ErrBeyondCalendar) || got != (Result{Date: d("2028-09-01"), Provisional: true}) {
		t.Errorf("without the next year: Add(2028-06-29, 2) = %v, %v; want 2028-09-01 provisional", got, err)
	}

	// Count stops where the calendar stops: 4 school days it knows, and an error.
	if got, err := alone.Count(d("2027-06-10"), d("2027-09-10"), SchoolDays); got != 4 || !errors.Is(err, ErrBeyondCalendar) {
		t.Errorf("without the next year: Count(2027-06-10, 2027-09-10) = %d, %v; want 4, ErrBeyondCalendar", got, err)
	}
	// June 11, 14, 15, 16; Aug 31, Sep 1, 2, 3, 7, 8, 9, 10.
	if got, err := both.Count(d("2027-06-10"), d("2027-09-10"), SchoolDays); got != 12 || err != nil {
		t.Errorf("with the next year: Count(2027-06-10, 2027-09-10) = %d, %v; want 12", got, err)
	}
	// The leap day of 2028 is a school day of the next year (a Tuesday).
	if got, err := both.Add(d("2028-02-28"), 1, SchoolDays); err != nil || got.Date != d("2028-02-29") {
		t.Errorf("Add(2028-02-28, 1) = %v, %v; want 2028-02-29", got, err)
	}
}

// Before the July that precedes the first year the calendar knows nothing: the estimate is
// Monday to Friday without federal holidays (June 16, 17, 18 of 2026).
func TestBeforeTheCalendar(t *testing.T) {
	c := riverton(t)
	got, err := c.Add(d("2026-06-15"), 3, SchoolDays)
	if !errors.Is(err, ErrBeyondCalendar) || got != (Result{Date: d("2026-06-18"), Provisional: true}) {
		t.Errorf("Add(2026-06-15, 3) = %v, %v; want 2026-06-18 provisional", got, err)
	}
	n, err := c.Count(d("2026-06-15"), d("2026-09-04"), SchoolDays)
	if n != 3 || !errors.Is(err, ErrBeyondCalendar) {
		t.Errorf("Count(2026-06-15, 2026-09-04) = %d, %v; want 3 and ErrBeyondCalendar", n, err)
	}
	var none *Calendar
	if got, err := none.Add(d("2026-11-20"), 5, BusinessDays); err != nil || got.Date != d("2026-11-30") {
		t.Errorf("nil calendar: Add business = %v, %v; want 2026-11-30", got, err)
	}
	if _, err := none.Add(d("2026-11-20"), 5, SchoolDays); !errors.Is(err, ErrBeyondCalendar) {
		t.Errorf("nil calendar: Add school: err = %v, want ErrBeyondCalendar", err)
	}
}

func TestAddAndCountRefuse(t *testing.T) {
	c := riverton(t)
	if _, err := c.Add(d("2026-11-20"), -1, SchoolDays); err == nil || errors.Is(err, ErrBeyondCalendar) {
		t.Errorf("Add(n = -1): err = %v, want an error", err)
	}
	if _, err := c.Add(d("2026-11-20"), 1, "weekdays"); err == nil {
		t.Error("Add(unit weekdays): no error")
	}
	if _, err := c.Count(d("2026-11-20"), d("2026-11-21"), "weekdays"); err == nil {
		t.Error("Count(unit weekdays): no error")
	}
}

func TestIsSchoolDay(t *testing.T) {
	c := riverton(t)
	for _, tt := range []struct {
		day           string
		school, known bool
	}{
		{"2026-09-02", true, true},
		{"2026-11-24", true, true},  // early release
		{"2026-11-26", false, true}, // Thanksgiving
		{"2027-01-27", false, true}, // snow day
		{"2027-03-06", true, true},  // make-up Saturday
		{"2027-03-07", false, true}, // Sunday
		{"2027-06-16", true, true},  // last day
		{"2026-08-20", false, true}, // the summer before
		{"2027-07-06", false, true}, // ESY, listed
		{"2027-07-05", false, false},
		{"2026-06-15", false, false},
	} {
		school, known := c.IsSchoolDay(d(tt.day))
		if school != tt.school || known != tt.known {
			t.Errorf("IsSchoolDay(%s) = %v, %v; want %v, %v", tt.day, school, known, tt.school, tt.known)
		}
	}
}

func TestWeekdaysInSession(t *testing.T) {
	// A four-day week, Monday to Thursday, in September 2026 (first day Tuesday the 1st).
	y := Year{Name: "four-day", First: d("2026-09-01"), Last: d("2026-09-30")}
	y.Weekdays[1], y.Weekdays[2], y.Weekdays[3], y.Weekdays[4] = true, true, true, true
	c := mustCalendar(t, "", y)
	// Sep 1, 2, 3, 7, 8, 9, 10, 14: Fridays never count.
	if got, err := c.Add(d("2026-08-31"), 8, SchoolDays); err != nil || got.Date != d("2026-09-14") {
		t.Errorf("Add(2026-08-31, 8) = %v, %v; want 2026-09-14", got, err)
	}
}

func TestAnniversary(t *testing.T) {
	for _, tt := range []struct {
		from  string
		years int
		want  string
	}{
		{"2024-02-29", 1, "2025-02-28"},
		{"2024-02-29", 3, "2027-02-28"},
		{"2024-02-29", 4, "2028-02-29"},
		{"2023-03-01", 1, "2024-03-01"},
		{"2027-02-28", 1, "2028-02-28"},
		{"2026-11-24", 3, "2029-11-24"},
		{"2026-11-24", 0, "2026-11-24"},
	} {
		if got := Anniversary(d(tt.from), tt.years); got != d(tt.want) {
			t.Errorf("Anniversary(%s, %d) = %s, want %s", tt.from, tt.years, got, tt.want)
		}
	}
}

func TestHolidays(t *testing.T) {
	dates := func(ss ...string) []date.Date {
		var out []date.Date
		for _, s := range ss {
			out = append(out, d(s))
		}
		return out
	}
	for _, tt := range []struct {
		j    string
		year int
		want []date.Date
	}{
		// 2026: July 4 is a Saturday, observed Friday July 3.
		{"federal", 2026, dates("2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03",
			"2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25")},
		// 2027: Juneteenth and Christmas on Saturdays (observed Fridays), July 4 on a Sunday
		// (observed Monday), and New Year's Day 2028, a Saturday, observed Friday Dec 31, 2027.
		{"federal", 2027, dates("2027-01-01", "2027-01-18", "2027-02-15", "2027-05-31", "2027-06-18", "2027-07-05",
			"2027-09-06", "2027-10-11", "2027-11-11", "2027-11-25", "2027-12-24", "2027-12-31")},
		// 2028: no New Year's Day of its own (observed in 2027); Veterans Day on a Saturday.
		{"federal", 2028, dates("2028-01-17", "2028-02-21", "2028-05-29", "2028-06-19", "2028-07-04",
			"2028-09-04", "2028-10-09", "2028-11-10", "2028-11-23", "2028-12-25")},
		{"MA", 2026, dates("2026-01-01", "2026-01-19", "2026-02-16", "2026-04-20", "2026-05-25", "2026-06-19", "2026-07-03",
			"2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25")},
		{"MA", 2027, dates("2027-01-01", "2027-01-18", "2027-02-15", "2027-04-19", "2027-05-31", "2027-06-18", "2027-07-05",
			"2027-09-06", "2027-10-11", "2027-11-11", "2027-11-25", "2027-12-24", "2027-12-31")},
		{"MA", 2028, dates("2028-01-17", "2028-02-21", "2028-04-17", "2028-05-29", "2028-06-19", "2028-07-04",
			"2028-09-04", "2028-10-09", "2028-11-10", "2028-11-23", "2028-12-25")},
		// Before Juneteenth became a federal holiday.
		{"federal", 2020, dates("2020-01-01", "2020-01-20", "2020-02-17", "2020-05-25", "2020-07-03",
			"2020-09-07", "2020-10-12", "2020-11-11", "2020-11-26", "2020-12-25")},
	} {
		if diff := cmp.Diff(tt.want, Holidays(tt.j, tt.year)); diff != "" {
			t.Errorf("Holidays(%s, %d) (-want +got):\n%s", tt.j, tt.year, diff)
		}
	}
	// The list is the caller's: changing it changes nothing else.
	h := Holidays("federal", 2026)
	h[0] = d("2026-01-02")
	if got := Holidays("federal", 2026)[0]; got != d("2026-01-01") {
		t.Errorf("after changing a returned list, Holidays(federal, 2026)[0] = %s", got)
	}
	if c := riverton(t); mustAdd(t, c, "2025-12-31", 1, BusinessDays) != d("2026-01-02") {
		t.Error("New Year's Day 2026 is not skipped")
	}
}

func mustAdd(tb testing.TB, c *Calendar, from string, n int, u Unit) date.Date {
	tb.Helper()
	r, err := c.Add(d(from), n, u)
	if err != nil {
		tb.Fatalf("Add(%s, %d, %s): %v", from, n, u, err)
	}
	return r.Date
}

func TestBusinessDaysByJurisdiction(t *testing.T) {
	years := mustReadYears(t, "testdata/riverton-2026-2027.txt", "")
	for _, tt := range []struct {
		j     string
		add   string
		count int
	}{
		{"federal", "2027-04-19", 5}, // Apr 19-23
		{"MA", "2027-04-20", 4},      // Patriots' Day, Apr 19, is a Massachusetts holiday
		{"ma", "2027-04-20", 4},
	} {
		c := mustCalendar(t, tt.j, years...)
		if got, err := c.Add(d("2027-04-16"), 1, BusinessDays); err != nil || got.Date != d(tt.add) {
			t.Errorf("%s: Add(2027-04-16, 1, business) = %v, %v; want %s", tt.j, got, err, tt.add)
		}
		if got, err := c.Count(d("2027-04-16"), d("2027-04-23"), BusinessDays); err != nil || got != tt.count {
			t.Errorf("%s: Count(2027-04-16, 2027-04-23, business) = %d, %v; want %d", tt.j, got, err, tt.count)
		}
	}
}

func TestNewRefuses(t *testing.T) {
	y := func(name, first, last string, days map[string]iep.CalendarDayKind) Year {
		out := Year{Name: name, First: d(first), Last: d(last), Days: map[date.Date]iep.CalendarDayKind{}}
		for k, v := range days {
			out.Days[d(k)] = v
		}
		return out
	}
	a := y("2026-2027", "2026-09-02", "2027-06-16", nil)
	b := y("2027-2028", "2027-08-31", "2028-06-14", nil)
	for _, tt := range []struct {
		name  string
		j     string
		years []Year
		want  string // a fragment of the message
	}{
		{"unknown jurisdiction", "Narnia", []Year{a}, "Narnia"},
		{"out of order", "", []Year{b, a}, "in order"},
		{"overlapping", "", []Year{a, y("x", "2027-06-01", "2028-06-01", nil)}, "overlap"},
		{"last before first", "", []Year{y("x", "2027-06-01", "2026-06-01", nil)}, "before first day"},
		{"no first day", "", []Year{{Name: "x", Last: d("2027-06-01")}}, "required"},
		{"closed day outside", "", []Year{y("x", "2026-09-02", "2027-06-16", map[string]iep.CalendarDayKind{"2027-06-17": iep.DayClosed})}, "2027-06-17"},
		{"make-up day outside", "", []Year{y("x", "2026-09-02", "2027-06-16", map[string]iep.CalendarDayKind{"2027-06-19": iep.DaySchool})}, "2027-06-19"},
		{"ESY before the year", "", []Year{y("x", "2026-09-02", "2027-06-16", map[string]iep.CalendarDayKind{"2026-08-20": iep.DayESY})}, "2026-08-20"},
		{"ESY in the next year", "", []Year{y("x", "2026-09-02", "2027-06-16", map[string]iep.CalendarDayKind{"2027-09-01": iep.DayESY}), b}, "next school year"},
		{"unknown kind", "", []Year{y("x", "2026-09-02", "2027-06-16", map[string]iep.CalendarDayKind{"2026-10-01": "holiday"})}, "holiday"},
	} {
		_, err := New(tt.j, tt.years...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: New = %v, want an error mentioning %q", tt.name, err, tt.want)
		}
	}
	// ESY after the last year is fine, as is a year without a name.
	if _, err := New("", y("", "2026-09-02", "2027-06-16", map[string]iep.CalendarDayKind{"2027-07-06": iep.DayESY})); err != nil {
		t.Errorf("New with ESY after the year: %v", err)
	}
}

func TestFromStore(t *testing.T) {
	years := []iep.SchoolYear{
		{ID: "y2", Name: "2027-2028", FirstDay: d("2027-08-31"), LastDay: d("2028-06-14")},
		{ID: "y1", Name: "2026-2027", FirstDay: d("2026-09-02"), LastDay: d("2027-06-16")},
	}
	days := []iep.CalendarDay{
		{SchoolYearID: "y1", Date: d("2026-11-26"), Kind: iep.DayClosed, Note: "Thanksgiving"},
		{SchoolYearID: "y1", Date: d("2027-01-27"), Kind: iep.DayEmergency},
		{SchoolYearID: "y2", Date: d("2027-09-06"), Kind: iep.DayClosed, Note: "Labor Day"},
		{SchoolYearID: "gone", Date: d("2027-09-07"), Kind: iep.DayClosed},
		{SchoolYearID: "y2", Date: d("2027-08-30"), Kind: iep.DayClosed, Note: "before the first day"},
		{SchoolYearID: "y2", Date: d("2028-06-19"), Kind: iep.DayClosed, Note: "Juneteenth, after the last day"},
		{SchoolYearID: "y1", Date: d("2027-07-06"), Kind: iep.DayESY},
	}
	want := []Year{
		{Name: "2026-2027", First: d("2026-09-02"), Last: d("2027-06-16"),
			Days: map[date.Date]iep.CalendarDayKind{d("2026-11-26"): iep.DayClosed, d("2027-01-27"): iep.DayEmergency,
				d("2027-07-06"): iep.DayESY},
			Notes: map[date.Date]string{d("2026-11-26"): "Thanksgiving"}},
		{Name: "2027-2028", First: d("2027-08-31"), Last: d("2028-06-14"),
			Days:  map[date.Date]iep.CalendarDayKind{d("2027-09-06"): iep.DayClosed},
			Notes: map[date.Date]string{d("2027-09-06"): "Labor Day"}},
	}
	got := FromStore(years, days)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("FromStore (-want +got):\n%s", diff)
	}
	if _, err := New("MA", got...); err != nil {
		t.Errorf("New(FromStore(...)): %v", err)
	}
	// A partial day outside its year contradicts it: FromStore keeps it and New refuses it.
	days = append(days, iep.CalendarDay{SchoolYearID: "y1", Date: d("2026-09-01"), Kind: iep.DayPartial})
	if _, err := New("MA", FromStore(years, days)...); err == nil {
		t.Error("New(FromStore(...)) with a partial day before the first day: no error")
	}
}

// equateYears compares years ignoring nil against empty maps.
var equateYears = cmpopts.EquateEmpty()
