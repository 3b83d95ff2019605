package app

import (
	"context"
	"slices"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// The district dashboard: how the district keeps the clocks, by school and by clock, and month
// by month over the school year, from the deadlines the clocks computed (store.ComplianceBy…).
// Counts only, never a name: district administrators and representatives open the lists of
// students behind each count ("what is due"); a state viewer sees the same counts.

// Dashboard is the district's compliance with the clocks in the school year so far.
type Dashboard struct {
	District iep.District
	Today    date.Date
	// From and To are the school year of reporting (July 1 to June 30) that holds Today;
	// Through is the last day counted, the end of Today's month.
	From, To, Through date.Date
	SchoolID          string      // the school asked for; "" for the whole district
	School            *iep.School // the school asked for
	Schools           []iep.School
	// Clocks are the clocks counted, in the rule pack's order; Excluded those left out because
	// the time is the family's (a rule with a silence: the parents' answer to a proposed IEP).
	Clocks, Excluded []string
	// BySchool has one row per school (with none asked for), ByClock one per clock (of the school
	// asked for, or of the district); Total is the whole of either.
	BySchool []ComplianceRow
	ByClock  []ComplianceRow
	Total    Compliance
	Months   []MonthCompliance
	// Drill is set when the reader may open the students behind the counts ("what is due"): not
	// for a state viewer.
	Drill bool
}

// ComplianceRow is one school's or one clock's counts.
type ComplianceRow struct {
	ID   string // the school's id ("" for deadlines with no school) or the clock's
	Name string // the school's name; "" for a clock (the page names clocks in its language)
	Compliance
}

// Compliance counts deadlines; see store.Compliance.
type Compliance struct{ store.Compliance }

// Decided is how many deadlines came due in the school year so far: met (on time or late) or
// still open past their due date.
func (c Compliance) Decided() int { return c.OnTime + c.Late + c.OverdueThisYear }

// Rate is the share, in percent, of the deadlines that came due this school year that were met
// on time (an overdue one counts as not on time); 0 when none came due (see Decided).
func (c Compliance) Rate() float64 { return percent(c.OnTime, c.Decided()) }

// MonthCompliance is one month of the trend: the deadlines due that month.
type MonthCompliance struct{ store.MonthCompliance }

// Decided is how many deadlines due that month were met or are overdue.
func (m MonthCompliance) Decided() int { return m.OnTime + m.Late + m.Overdue }

// Rate is the share, in percent, of them met on time; 0 when there were none.
func (m MonthCompliance) Rate() float64 { return percent(m.OnTime, m.Decided()) }

func percent(n, of int) float64 {
	if of == 0 {
		return 0
	}
	return float64(n) * 100 / float64(of)
}

// ReportingYear is the school year of the federal and state special-education reports that
// holds day: July 1 to June 30.
func ReportingYear(day date.Date) (from, to date.Date) {
	y := day.Year
	if day.Month < time.July {
		y--
	}
	return date.New(y, time.July, 1), date.New(y+1, time.June, 30)
}

// DistrictDashboard returns the district's compliance with the clocks (the policy's
// ViewAggregates: district administrators and representatives, state viewers; other staff are
// refused, families and other districts find nothing), for one school when schoolID is not "".
// The read of aggregates is audited. Errors: the policy's; invalid (a school not of the district).
func (s *Service) DistrictDashboard(ctx context.Context, a Actor, districtID, schoolID string) (*Dashboard, error) {
	dec, err := s.authorize(ctx, a, access.ViewAggregates, districtID, "")
	if err != nil {
		return nil, err
	}
	out := &Dashboard{SchoolID: schoolID}
	if drill, err := s.authorize(ctx, a, access.ViewCaseload, districtID, ""); err == nil && !drill.Scope.OwnCaseload {
		out.Drill = true
	}
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	now, err := s.districtNow(ctx, districtID)
	if err != nil {
		return nil, err
	}
	out.District, out.Today = *d, date.Of(now)
	out.From, out.To = ReportingYear(out.Today)
	out.Through = date.Of(date.New(out.Today.Year, out.Today.Month, 1).Time().AddDate(0, 1, -1))
	if out.Through.After(out.To) {
		out.Through = out.To
	}
	if out.Schools, err = s.db.ListSchools(ctx, districtID); err != nil {
		return nil, err
	}
	if schoolID != "" {
		i := slices.IndexFunc(out.Schools, func(sc iep.School) bool { return sc.ID == schoolID })
		if i < 0 {
			return nil, iep.Problems{{Field: "school", Code: iep.CodeChoice}}.Err()
		}
		out.School = &out.Schools[i]
	}
	if pack := s.packOf(ctx, d); pack != nil {
		for _, r := range pack.Rules {
			if r.Silence != "" {
				out.Excluded = append(out.Excluded, r.ID)
			} else {
				out.Clocks = append(out.Clocks, r.ID)
			}
		}
	}
	q := store.ComplianceQuery{Today: out.Today, From: out.From, Through: out.Through, SchoolID: schoolID, Exclude: out.Excluded}
	counts, err := s.db.ComplianceBySchoolAndClock(ctx, districtID, q)
	if err != nil {
		return nil, err
	}
	months, err := s.db.ComplianceByMonth(ctx, districtID, q)
	if err != nil {
		return nil, err
	}
	for _, m := range months {
		out.Months = append(out.Months, MonthCompliance{m})
	}
	out.tabulate(counts)
	return out, s.audit(ctx, a, dec, "read_dashboard", auditDistrict, districtID, districtID, "")
}

// tabulate sums the counts by school and clock into the rows of the page: every school of the
// district (then one row, ID "", for deadlines with no school or one the district no longer
// lists, if any), every clock of the pack (then any other clock the deadlines name).
func (out *Dashboard) tabulate(counts map[store.ComplianceKey]store.Compliance) {
	bySchool, byClock := map[string]store.Compliance{}, map[string]store.Compliance{}
	known := map[string]bool{}
	for _, sc := range out.Schools {
		known[sc.ID] = true
	}
	for k, c := range counts {
		if slices.Contains(out.Excluded, k.Clock) {
			continue
		}
		school := k.SchoolID
		if !known[school] {
			school = ""
		}
		x := bySchool[school]
		x.Add(c)
		bySchool[school] = x
		x = byClock[k.Clock]
		x.Add(c)
		byClock[k.Clock] = x
		out.Total.Add(c)
	}
	var others []string
	for clock := range byClock {
		if !slices.Contains(out.Clocks, clock) {
			others = append(others, clock)
		}
	}
	slices.Sort(others)
	out.Clocks = append(out.Clocks, others...)
	for _, clock := range out.Clocks {
		out.ByClock = append(out.ByClock, ComplianceRow{ID: clock, Compliance: Compliance{byClock[clock]}})
	}
	if out.SchoolID != "" {
		return
	}
	for _, sc := range out.Schools {
		out.BySchool = append(out.BySchool, ComplianceRow{ID: sc.ID, Name: sc.Name, Compliance: Compliance{bySchool[sc.ID]}})
	}
	if c, ok := bySchool[""]; ok {
		out.BySchool = append(out.BySchool, ComplianceRow{Compliance: Compliance{c}})
	}
}
