package iep

import (
	"strings"
	"time"

	"github.com/openiep/openiep/internal/date"
)

// District is the tenant: every row in openiep belongs to one. A state deployment holds many.
type District struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	StateCode string    `json:"state_code"` // two letters, e.g. "MA"
	LEACode   string    `json:"lea_code"`   // the state's identifier for the district (NCES LEA id)
	RulePack  string    `json:"rule_pack"`  // the jurisdiction's rules: "federal", "MA"
	Timezone  string    `json:"timezone"`   // IANA name, e.g. "America/New_York"
	Languages []string  `json:"languages"`  // languages its families are served in (BCP 47)
	CreatedAt time.Time `json:"created_at"`
}

// Validate reports what is wrong with d.
func (d *District) Validate() error {
	var ps Problems
	ps.required("name", d.Name)
	if len(d.StateCode) != 2 || strings.ToUpper(d.StateCode) != d.StateCode {
		ps.add("state_code", CodeInvalid, "two capital letters, e.g. MA")
	}
	ps.required("rule_pack", d.RulePack)
	if _, err := time.LoadLocation(d.Timezone); d.Timezone == "" || err != nil {
		ps.add("timezone", CodeInvalid, "an IANA time zone such as America/New_York")
	}
	return ps.Err()
}

// School is one school or program of a district.
type School struct {
	ID         string `json:"id"`
	DistrictID string `json:"district_id"`
	Name       string `json:"name"`
	Code       string `json:"code"` // the state's school identifier
	LowGrade   Grade  `json:"low_grade"`
	HighGrade  Grade  `json:"high_grade"`
	// Kind distinguishes public schools from the separate settings EDFacts counts apart.
	Kind    SchoolKind `json:"kind"`
	Address string     `json:"address"`
}

// SchoolKind is the kind of school or program.
type SchoolKind string

const (
	SchoolPublic           SchoolKind = "public"
	SchoolPreschool        SchoolKind = "preschool"
	SchoolSeparateDay      SchoolKind = "separate_day"
	SchoolResidential      SchoolKind = "residential"
	SchoolOutOfDistrict    SchoolKind = "out_of_district"
	SchoolAlternativeLearn SchoolKind = "alternative"
)

// SchoolKinds lists every kind of school.
var SchoolKinds = []SchoolKind{SchoolPublic, SchoolPreschool, SchoolSeparateDay, SchoolResidential, SchoolOutOfDistrict, SchoolAlternativeLearn}

// Validate reports what is wrong with s.
func (s *School) Validate() error {
	var ps Problems
	ps.required("district_id", s.DistrictID)
	ps.required("name", s.Name)
	requiredChoice(&ps, "low_grade", s.LowGrade, Grades)
	requiredChoice(&ps, "high_grade", s.HighGrade, Grades)
	requiredChoice(&ps, "kind", s.Kind, SchoolKinds)
	if gradeIndex(s.LowGrade) > gradeIndex(s.HighGrade) {
		ps.add("high_grade", CodeDateOrder, "low_grade")
	}
	return ps.Err()
}

func gradeIndex(g Grade) int {
	for i, x := range Grades {
		if x == g {
			return i
		}
	}
	return -1
}

// SchoolYear is a district's school year, e.g. "2026-2027", with its first and last day of
// school. The calendar of its days (closures, partial days, snow days) belongs to it.
type SchoolYear struct {
	ID         string    `json:"id"`
	DistrictID string    `json:"district_id"`
	Name       string    `json:"name"`
	FirstDay   date.Date `json:"first_day"`
	LastDay    date.Date `json:"last_day"`
}

// Validate reports what is wrong with y.
func (y *SchoolYear) Validate() error {
	var ps Problems
	ps.required("district_id", y.DistrictID)
	ps.required("name", y.Name)
	if y.FirstDay.IsZero() {
		ps.add("first_day", CodeRequired, "")
	}
	if y.LastDay.IsZero() {
		ps.add("last_day", CodeRequired, "")
	} else if y.LastDay.Before(y.FirstDay) {
		ps.add("last_day", CodeDateOrder, "first_day")
	}
	return ps.Err()
}

// CalendarDayKind says what a day of a district calendar is. Only school and partial days count
// as school days; ESY days never do (34 CFR 300.11, 603 CMR 28.02).
type CalendarDayKind string

const (
	DaySchool    CalendarDayKind = "school"    // a full day of instruction
	DayPartial   CalendarDayKind = "partial"   // early release: still a school day
	DayClosed    CalendarDayKind = "closed"    // holiday, vacation, break, no school
	DayEmergency CalendarDayKind = "emergency" // snow day or other emergency closure added during the year
	DayESY       CalendarDayKind = "esy"       // summer services: not a school day
)

// CalendarDayKinds lists every kind of calendar day.
var CalendarDayKinds = []CalendarDayKind{DaySchool, DayPartial, DayClosed, DayEmergency, DayESY}

// CalendarDay is one dated entry of a district's calendar.
type CalendarDay struct {
	DistrictID   string          `json:"district_id"`
	SchoolYearID string          `json:"school_year_id"`
	Date         date.Date       `json:"date"`
	Kind         CalendarDayKind `json:"kind"`
	Note         string          `json:"note,omitempty"` // "Thanksgiving", "Snow day"
}

// Staff is an employee or contractor of a district.
type Staff struct {
	ID         string      `json:"id"`
	DistrictID string      `json:"district_id"`
	SchoolIDs  []string    `json:"school_ids"` // schools they work in; empty for district-wide staff
	FirstName  string      `json:"first_name"`
	LastName   string      `json:"last_name"`
	Email      string      `json:"email"`
	Phone      string      `json:"phone,omitempty"`
	Roles      []StaffRole `json:"roles"`
	Languages  []string    `json:"languages,omitempty"` // languages they can serve families in
	Active     bool        `json:"active"`
}

// Name returns "First Last".
func (s *Staff) Name() string { return strings.TrimSpace(s.FirstName + " " + s.LastName) }

// HasRole reports whether s holds role r.
func (s *Staff) HasRole(r StaffRole) bool {
	for _, x := range s.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Validate reports what is wrong with s.
func (s *Staff) Validate() error {
	var ps Problems
	ps.required("district_id", s.DistrictID)
	ps.required("first_name", s.FirstName)
	ps.required("last_name", s.LastName)
	if s.Email != "" && !looksLikeEmail(s.Email) {
		ps.add("email", CodeInvalid, "an e-mail address such as name@district.org")
	}
	if len(s.Roles) == 0 {
		ps.add("roles", CodeRequired, "")
	}
	for _, r := range s.Roles {
		checkChoice(&ps, "roles", r, StaffRoles)
	}
	return ps.Err()
}

func looksLikeEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-3 && strings.Contains(s[at:], ".") && !strings.ContainsAny(s, " \t\r\n")
}

// Validate reports what is wrong with d (the district is set by the store from the calendar's
// owner).
func (d *CalendarDay) Validate() error {
	var ps Problems
	ps.required("school_year_id", d.SchoolYearID)
	if d.Date.IsZero() {
		ps.add("date", CodeRequired, "")
	}
	requiredChoice(&ps, "kind", d.Kind, CalendarDayKinds)
	return ps.Err()
}
