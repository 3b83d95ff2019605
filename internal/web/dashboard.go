package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
)

// The district dashboard: compliance with the clocks by school and by clock, and its trend over
// the school year as a chart drawn here as inline SVG (no script, no style attributes) with the
// same figures in a table after it. Every count of open deadlines links to "what is due" with
// the filters that list the students behind it.

func init() {
	pageFiles["dashboard"] = []string{"dashboard.html"}
}

func (s *server) dashboardRoutes() []route {
	return []route{
		{"GET /districts/{district}/dashboard", member, s.dashboard},
	}
}

type dashboardPage struct {
	Base
	*app.Dashboard
	Chart trendChart
	// The rows of the tables, formatted once here: a template that looked each figure up through
	// the embedded structs took most of the page's time at 200 schools.
	SchoolRows, ClockRows []complianceView
	TotalRow              complianceView
}

// complianceView is one row of a compliance table, ready to print.
type complianceView struct {
	Name, Link         string // the row's name, and for a school the link to its own dashboard
	Overdue, DueSoon   countCell
	OnTime, Late, Rate string
}

// countCell is a count, linked to the students behind it when URL is set; Hidden names the
// link's purpose for screen readers.
type countCell struct {
	Text, URL, Hidden string
}

func (s *server) dashboard(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.DistrictDashboard(r.Context(), actor(r), r.PathValue("district"), r.URL.Query().Get("school"))
	if err != nil {
		return err
	}
	p := &dashboardPage{Base: s.base(w, r), Dashboard: d}
	p.Title = p.T("dashboard.title")
	p.Chart = p.trendChart()
	for _, r := range d.BySchool {
		name, link := r.Name, ""
		if r.ID == "" {
			name = p.T("dashboard.no_school")
		} else {
			link = districtURL(d.District.ID) + "/dashboard?" + url.Values{"school": {r.ID}}.Encode()
		}
		v := p.row(name, r.ID, "", r.ID != "", r.Compliance)
		v.Link = link
		p.SchoolRows = append(p.SchoolRows, v)
	}
	for _, r := range d.ByClock {
		p.ClockRows = append(p.ClockRows, p.row(p.E("clock", r.ID), p.SchoolID, r.ID, true, r.Compliance))
	}
	total := p.T("dashboard.district_total")
	if d.School != nil {
		total = p.T("dashboard.school_total", d.School.Name)
	}
	p.TotalRow = p.row(total, p.SchoolID, "", true, d.Total)
	return s.render(w, http.StatusOK, "dashboard", p)
}

// row formats the counts of a row named name; when linked, and the reader may open the students,
// its open counts link to "what is due" of school and clock ("" for every one).
func (p *dashboardPage) row(name, school, clock string, linked bool, c app.Compliance) complianceView {
	v := complianceView{Name: name, OnTime: p.Num(c.OnTime), Late: p.Num(c.Late), Rate: p.Rate(c.OnTime, c.Decided())}
	cell := func(n int, status, column string) countCell {
		x := countCell{Text: p.Num(n)}
		if linked && p.Drill && n > 0 {
			x.URL, x.Hidden = p.DueLink(school, clock, status), p.T("dashboard.list_students", p.T(column), name)
		}
		return x
	}
	v.Overdue = cell(c.Overdue, "overdue", "dashboard.col.overdue")
	v.DueSoon = cell(c.DueSoon, "due_soon", "dashboard.col.due_soon")
	return v
}

// DueLink is "what is due" listing the students behind a count: the deadlines of a school
// (or the page's school), of a clock, in a status ("overdue", "due_soon").
func (p *dashboardPage) DueLink(school, clock, status string) string {
	v := url.Values{"status": {status}}
	if school == "" {
		school = p.SchoolID
	}
	if school != "" {
		v.Set("school", school)
	}
	if clock != "" {
		v.Set("clock", clock)
	}
	return districtURL(p.District.ID) + "/due?" + v.Encode()
}

// Month names a month and its year ("March 2027", "marzo de 2027").
func (p *dashboardPage) Month(m date.Date) string {
	return upperFirst(p.T("dashboard.month_year", p.T("month."+strconv.Itoa(int(m.Month))), m.Year))
}

// Rate says the on-time share of counts in words: "92% (46 of 50)", or that nothing came due.
func (p *dashboardPage) Rate(onTime, decided int) string {
	if decided == 0 {
		return p.T("dashboard.nothing_due")
	}
	return p.T("dashboard.rate", p.Pct(float64(onTime)*100/float64(decided)), p.Num(onTime), p.Num(decided))
}

// trendChart is the bar chart of the on-time share month by month, in the units of its viewBox.
type trendChart struct {
	Width, Height int
	Top, Bottom   int // the y of 100% and of 0%
	Left, Right   int // the x where the bars start and end
	Grid          []chartLine
	Bars          []chartBar
}

type chartLine struct {
	Y     int
	Label string
}

type chartBar struct {
	X, Y, W, H   int
	Middle       int // the x of the bar's middle, where its labels are centered
	Value, Label string
	LabelY       int
	ValueY       int
}

// The chart's geometry: a viewBox of 480 by 240, the bars between y 24 (100%) and 196 (0%).
const (
	chartWidth, chartHeight = 480, 240
	chartTop, chartBottom   = 24, 196
	chartLeft, chartRight   = 44, 472
)

func (p *dashboardPage) trendChart() trendChart {
	c := trendChart{Width: chartWidth, Height: chartHeight, Top: chartTop, Bottom: chartBottom, Left: chartLeft, Right: chartRight}
	span := chartBottom - chartTop
	for _, pct := range []int{0, 50, 100} {
		c.Grid = append(c.Grid, chartLine{Y: chartBottom - span*pct/100, Label: p.Pct(float64(pct))})
	}
	if len(p.Months) == 0 {
		return c
	}
	slot := (chartRight - chartLeft) / len(p.Months)
	for i, m := range p.Months {
		b := chartBar{W: slot * 3 / 5, Label: p.T("dashboard.month_short." + strconv.Itoa(int(m.Month.Month))), LabelY: chartBottom + 18}
		b.X = chartLeft + i*slot + (slot-b.W)/2
		b.Middle = b.X + b.W/2
		if m.Decided() == 0 {
			b.Value, b.Y, b.ValueY = "–", chartBottom, chartBottom-6
		} else {
			b.H = int(float64(span)*m.Rate()/100 + 0.5)
			b.Y = chartBottom - b.H
			b.Value, b.ValueY = p.Pct(float64(int(m.Rate()+0.5))), b.Y-6
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}
