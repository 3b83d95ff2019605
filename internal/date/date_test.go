package date

import (
	"encoding/json"
	"testing"
	"time"
)

func TestAddYearsAnniversary(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2024-02-29", 1, "2025-02-28"}, // no Feb 29 in 2025: Feb 28, never Mar 1
		{"2024-02-29", 4, "2028-02-29"},
		{"2023-03-01", 1, "2024-03-01"},
		{"2025-09-15", 3, "2028-09-15"},
		{"2099-02-28", 1, "2100-02-28"},
	}
	for _, tt := range tests {
		if got := MustParse(tt.from).AddYears(tt.n).String(); got != tt.want {
			t.Errorf("%s.AddYears(%d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}

func TestAgeOn(t *testing.T) {
	tests := []struct {
		born, on string
		want     int
	}{
		{"2010-05-10", "2024-05-09", 13},
		{"2010-05-10", "2024-05-10", 14},
		{"2008-02-29", "2025-02-27", 16},
		{"2008-02-29", "2025-02-28", 17},
		{"2008-02-29", "2028-02-29", 20},
	}
	for _, tt := range tests {
		if got := MustParse(tt.born).AgeOn(MustParse(tt.on)); got != tt.want {
			t.Errorf("AgeOn(%s, %s) = %d, want %d", tt.born, tt.on, got, tt.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{"2025-02-29", "2025-13-01", "12/01/2025", "2025-1-1", ""} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", s)
		}
	}
}

func TestDayArithmetic(t *testing.T) {
	d := MustParse("2024-12-30")
	if got := d.AddDays(3).String(); got != "2025-01-02" {
		t.Errorf("AddDays(3) = %s, want 2025-01-02", got)
	}
	if got := d.DaysUntil(MustParse("2025-03-01")); got != 61 {
		t.Errorf("DaysUntil = %d, want 61", got)
	}
	if got := d.Weekday(); got != time.Monday {
		t.Errorf("Weekday = %v, want Monday", got)
	}
}

func TestJSONAndSQL(t *testing.T) {
	type wrap struct {
		D Date `json:"d"`
		Z Date `json:"z"`
	}
	b, err := json.Marshal(wrap{D: MustParse("2026-11-24")})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"d":"2026-11-24","z":null}` {
		t.Errorf("Marshal = %s", b)
	}
	var w wrap
	if err := json.Unmarshal(b, &w); err != nil || w.D != MustParse("2026-11-24") || !w.Z.IsZero() {
		t.Errorf("Unmarshal = %+v, %v", w, err)
	}
	var s Date
	if err := s.Scan(time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)); err != nil || s.String() != "2026-01-02" {
		t.Errorf("Scan(time) = %v, %v", s, err)
	}
	if v, _ := (Date{}).Value(); v != nil {
		t.Errorf("zero Value = %v, want nil", v)
	}
}

func TestNthWeekdayAndObserved(t *testing.T) {
	for _, tt := range []struct {
		got, want Date
	}{
		{NthWeekday(2027, time.January, time.Monday, 3), MustParse("2027-01-18")}, // Martin Luther King Jr. Day
		{NthWeekday(2027, time.May, time.Monday, -1), MustParse("2027-05-31")},    // Memorial Day
		{NthWeekday(2026, time.November, time.Thursday, 4), MustParse("2026-11-26")},
		{NthWeekday(2026, time.September, time.Monday, 1), MustParse("2026-09-07")},
		{Observed(MustParse("2026-07-04")), MustParse("2026-07-03")}, // a Saturday
		{Observed(MustParse("2027-07-04")), MustParse("2027-07-05")}, // a Sunday
		{Observed(MustParse("2026-11-11")), MustParse("2026-11-11")}, // a Wednesday
	} {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}
