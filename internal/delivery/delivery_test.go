package delivery

import (
	"fmt"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

var d = date.MustParse

// calendar is Monday to Friday without the given holidays.
func calendar(holidays ...string) SchoolDay {
	off := map[date.Date]bool{}
	for _, h := range holidays {
		off[d(h)] = true
	}
	return func(x date.Date) bool { return Weekdays(x) && !off[x] }
}

// weekly is a line of n sessions of m minutes a week.
func weekly(id string, n, m int) iep.ServiceLine {
	return iep.ServiceLine{ID: id, Type: iep.ServiceSpeechLanguage, MinutesPerSession: m, SessionsPerPeriod: n, Period: iep.PerWeek, GroupSize: 1}
}

func span(l iep.ServiceLine, from, to string) Span {
	s := Span{Line: l, From: d(from)}
	if to != "" {
		s.To = d(to)
	}
	return s
}

func logOf(id, line, day string, st iep.SessionStatus, minutes int) iep.ServiceLog {
	return iep.ServiceLog{ID: id, ServiceLineID: line, Date: d(day), Status: st, Minutes: minutes, GroupSize: 1}
}

func missed(id, line, day string, why iep.MissedReason) iep.ServiceLog {
	g := logOf(id, line, day, iep.SessionMissed, 0)
	g.MissedReason = why
	return g
}

// periods writes a line's periods as "from..to required/delivered/excused owed" for comparison.
func periods(l Line) []string {
	var out []string
	for _, p := range l.Periods {
		out = append(out, fmt.Sprintf("%s %s..%s %d days %d/%d/%d owed %d", p.Kind, p.From, p.To, p.SchoolDays, p.Required, p.Delivered, p.Excused, p.Owed()))
	}
	return out
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d periods\n got %q\nwant %q", what, len(got), got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("%s: period %d\n got %q\nwant %q", what, i, got[i], want[i])
		}
	}
}

// A week's minutes spread over five school days: a holiday week requires four fifths, and weeks
// that cross into another month are counted as weeks, cut only where the days counted begin
// and end.
func TestWeeksAcrossMonthsAndHolidays(t *testing.T) {
	l := weekly("sl", 2, 30) // 60 a week
	got := Count([]Span{span(l, "2026-09-01", "")}, nil, d("2026-10-01"), d("2026-10-31"), d("2026-11-20"), calendar("2026-10-12"))
	equal(t, "October", periods(got[0]), []string{
		"week 2026-09-28..2026-10-04 2 days 24/0/0 owed 24", // Thursday the 1st and Friday
		"week 2026-10-05..2026-10-11 5 days 60/0/0 owed 60",
		"week 2026-10-12..2026-10-18 4 days 48/0/0 owed 48", // Columbus Day
		"week 2026-10-19..2026-10-25 5 days 60/0/0 owed 60",
		"week 2026-10-26..2026-11-01 5 days 60/0/0 owed 60", // ends on Saturday the 31st: the whole school week
	})
	if got[0].Required != 252 || got[0].Owed != 252 {
		t.Errorf("totals: required %d owed %d, want 252 and 252", got[0].Required, got[0].Owed)
	}
}

// A line that starts and ends midway requires the part of each period it is in force on; a
// month's minutes are spread over the school days of the whole month.
func TestLineStartsAndEndsMidPeriod(t *testing.T) {
	w := weekly("w", 1, 30)
	m := iep.ServiceLine{ID: "m", MinutesPerSession: 60, SessionsPerPeriod: 2, Period: iep.PerMonth} // 120 a month
	got := Count([]Span{span(w, "2026-03-11", "2026-03-18"), span(m, "2026-03-16", "")}, nil,
		d("2026-03-01"), d("2026-04-30"), d("2026-04-01"), calendar())
	equal(t, "weekly from a Wednesday to a Wednesday", periods(got[0]), []string{
		"week 2026-03-09..2026-03-15 3 days 18/0/0 owed 18",
		"week 2026-03-16..2026-03-22 3 days 18/0/0 owed 18",
	})
	// March 2026 has 22 school days; the line is in force on 12 of them (16th to 31st).
	equal(t, "monthly from the 16th", periods(got[1]), []string{
		"month 2026-03-01..2026-03-31 12 days 65/0/0 owed 65",
		"month 2026-04-01..2026-04-30 22 days 120/0/0 owed 0", // under way: nothing owed yet
	})
}

// An amendment that changes the frequency mid-week counts the week in two parts, each at its
// own frequency, in one period; one that changes the kind of period starts periods of the new
// kind.
func TestAmendmentMidPeriod(t *testing.T) {
	before := weekly("sl", 2, 30) // 60 a week: 12 a day
	after := weekly("sl", 5, 30)  // 150 a week: 30 a day
	got := Count([]Span{span(before, "2026-01-05", "2026-01-13"), span(after, "2026-01-14", "")}, nil,
		d("2026-01-12"), d("2026-01-23"), d("2026-02-01"), calendar())
	equal(t, "weekly to weekly", periods(got[0]), []string{
		"week 2026-01-12..2026-01-18 5 days 114/0/0 owed 114", // Monday, Tuesday at 12; Wednesday to Friday at 30
		"week 2026-01-19..2026-01-25 5 days 150/0/0 owed 150",
	})
	monthly := iep.ServiceLine{ID: "sl", MinutesPerSession: 30, SessionsPerPeriod: 4, Period: iep.PerMonth}
	got = Count([]Span{span(before, "2026-01-05", "2026-01-13"), span(monthly, "2026-01-14", "")}, nil,
		d("2026-01-12"), d("2026-01-31"), d("2026-02-01"), calendar())
	// January 2026: 22 school days, 13 of them from Wednesday the 14th: 120 × 13/22. Periods
	// come in the order they begin.
	equal(t, "weekly to monthly", periods(got[0]), []string{
		"month 2026-01-01..2026-01-31 13 days 71/0/0 owed 71",
		"week 2026-01-12..2026-01-18 2 days 24/0/0 owed 24",
	})
}

// Cycles of school days are counted from the line's first day; a holiday moves a cycle's end.
func TestCycles(t *testing.T) {
	l := iep.ServiceLine{ID: "c", MinutesPerSession: 30, SessionsPerPeriod: 2, Period: iep.PerCycle, CycleDays: 6} // 60 a cycle
	got := Count([]Span{span(l, "2026-02-02", "")}, nil, d("2026-02-02"), d("2026-02-20"), d("2026-03-01"), calendar("2026-02-16"))
	equal(t, "six-day cycles", periods(got[0]), []string{
		"cycle 2026-02-02..2026-02-09 6 days 60/0/0 owed 60",
		"cycle 2026-02-10..2026-02-18 6 days 60/0/0 owed 60", // Presidents' Day is not a school day
		"cycle 2026-02-19..2026-02-26 2 days 20/0/0 owed 20", // counted up to the 20th
	})
}

// Delivered minutes count in their period, a make-up in the period of the session it makes up;
// a session the student missed is excused, one the provider missed is owed, and only a period
// that is over owes anything.
func TestLogsExcusedOwedAndMakeUps(t *testing.T) {
	l := weekly("sl", 2, 30)
	other := weekly("ot", 1, 45)
	logs := []iep.ServiceLog{
		logOf("1", "sl", "2026-03-02", iep.SessionDelivered, 30),
		missed("2", "sl", "2026-03-04", iep.MissedProviderAbsent),
		logOf("3", "sl", "2026-03-09", iep.SessionDelivered, 30),
		missed("4", "sl", "2026-03-11", iep.MissedStudentAbsent),
		logOf("5", "sl", "2026-03-17", iep.SessionMakeUp, 30), // makes up the 4th: credited to the week of the 2nd
		logOf("6", "sl", "2026-03-18", iep.SessionDelivered, 20),
		logOf("7", "ot", "2026-03-18", iep.SessionDelivered, 45), // another line
		logOf("8", "sl", "2026-02-20", iep.SessionDelivered, 30), // before the line began
	}
	logs[4].MakeUpOf = "2"
	got := Count([]Span{span(l, "2026-03-02", ""), span(other, "2026-03-16", "")}, logs, d("2026-02-16"), d("2026-03-20"), d("2026-03-18"), calendar())
	equal(t, "logs", periods(got[0]), []string{
		"week 2026-03-02..2026-03-08 5 days 60/60/0 owed 0",  // the provider's miss made up
		"week 2026-03-09..2026-03-15 5 days 60/30/30 owed 0", // the student's absence excused
		"week 2026-03-16..2026-03-22 5 days 60/20/0 owed 0",  // under way: short 40, not owed yet
	})
	sl := got[0]
	if sl.Missed != 2 || sl.MadeUp != 1 || sl.Outside != 30 || sl.FirstDelivered != d("2026-02-20") || sl.Short() != 40 {
		t.Errorf("totals: missed %d made up %d outside %d first %s short %d", sl.Missed, sl.MadeUp, sl.Outside, sl.FirstDelivered, sl.Short())
	}
	if got[1].Delivered != 45 || got[1].Required != 45 {
		t.Errorf("the other line: %+v", got[1])
	}
	// Without the make-up, the provider's miss is owed once the week is over.
	got = Count([]Span{span(l, "2026-03-02", "")}, append(logs[:4:4], logs[5:]...), d("2026-03-02"), d("2026-03-20"), d("2026-03-18"), calendar())
	if got[0].Owed != 30 || got[0].Periods[0].Owed() != 30 {
		t.Errorf("owed without the make-up = %d, want 30", got[0].Owed)
	}
}

// A school closure logged on a day the calendar counts is excused; excused minutes never exceed
// what was required.
func TestExcusedCappedAndClosures(t *testing.T) {
	l := weekly("sl", 1, 60)
	logs := []iep.ServiceLog{missed("1", "sl", "2026-03-02", iep.MissedSchoolClosed), missed("2", "sl", "2026-03-03", iep.MissedStudentAbsent)}
	got := Count([]Span{span(l, "2026-03-02", "")}, logs, d("2026-03-02"), d("2026-03-08"), d("2026-03-20"), calendar())
	if p := got[0].Periods[0]; p.Required != 60 || p.Excused != 60 || p.Owed() != 0 || p.Missed != 2 {
		t.Errorf("closure: %+v", p)
	}
	// An excused session made up anyway counts as delivered, not excused too.
	mu := logOf("3", "sl", "2026-03-04", iep.SessionMakeUp, 60)
	mu.MakeUpOf = "2"
	got = Count([]Span{span(l, "2026-03-02", "")}, append(logs, mu), d("2026-03-02"), d("2026-03-08"), d("2026-03-20"), calendar())
	if p := got[0].Periods[0]; p.Delivered != 60 || p.Excused != 60 || p.MadeUp != 1 {
		t.Errorf("made up: %+v (the closure's 60 excused, the absence made up)", p)
	}
	got = Count([]Span{span(l, "2026-03-02", "")}, []iep.ServiceLog{logs[1], mu}, d("2026-03-02"), d("2026-03-08"), d("2026-03-20"), calendar())
	if p := got[0].Periods[0]; p.Delivered != 60 || p.Excused != 0 {
		t.Errorf("the absence made up: %+v, want 60 delivered and nothing excused", p)
	}
	for _, r := range []iep.MissedReason{iep.MissedProviderAbsent, iep.MissedProviderDuty, iep.MissedOther} {
		if Excused(r) {
			t.Errorf("%s is excused, want owed", r)
		}
	}
}

// Count keeps the lines in the order of their first span and ignores logs of lines not given.
func TestCountOrder(t *testing.T) {
	a, b := weekly("a", 1, 30), weekly("b", 1, 30)
	got := Count([]Span{span(b, "2026-03-02", ""), span(a, "2026-03-02", "2026-03-03"), span(a, "2026-03-04", "")},
		[]iep.ServiceLog{logOf("1", "zzz", "2026-03-02", iep.SessionDelivered, 30)}, d("2026-03-02"), d("2026-03-06"), d("2026-03-02"), calendar())
	if len(got) != 2 || got[0].LineID != "b" || got[1].LineID != "a" || got[1].Required != 30 || got[0].Delivered != 0 {
		t.Errorf("lines: %+v", got)
	}
}

// BenchmarkCount counts a school year of three lines (weekly, monthly, a six-day cycle) with a
// session logged on every school day of each: about 540 logs, 180 school days.
// go test ./internal/delivery -run '^$' -bench Count
func BenchmarkCount(b *testing.B) {
	school := calendar("2025-11-27", "2025-12-25", "2026-01-19", "2026-02-16")
	lines := []iep.ServiceLine{weekly("w", 3, 30),
		{ID: "m", MinutesPerSession: 60, SessionsPerPeriod: 2, Period: iep.PerMonth},
		{ID: "c", MinutesPerSession: 30, SessionsPerPeriod: 2, Period: iep.PerCycle, CycleDays: 6}}
	var spans []Span
	var logs []iep.ServiceLog
	from, to := d("2025-09-02"), d("2026-06-19")
	for _, l := range lines {
		spans = append(spans, Span{Line: l, From: from, To: to})
		for x := from; !x.After(to); x = x.AddDays(1) {
			if school(x) {
				logs = append(logs, logOf(fmt.Sprint(len(logs)), l.ID, x.String(), iep.SessionDelivered, 30))
			}
		}
	}
	for b.Loop() {
		Count(spans, logs, from, to, to, school)
	}
	b.ReportMetric(float64(len(logs)), "logs")
}
