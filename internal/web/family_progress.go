package web

// The family's page of progress and services (GET …/family/{student}/progress): each goal of the
// plan in effect as a chart of its measurements with the starting point, the target, the aim line
// and the trend (the chart the staff's page draws too), then the same figures in a table and a
// summary in plain words; the progress reports; each service promised against what was delivered
// this month and this school year, the sessions missed (why, and whose absence it was) and made
// up, and a plain sentence when the school is behind.

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

func init() {
	pageFiles["family_progress"] = []string{"family_progress.html", "family_nav.html", "goal_chart.html"}
}

// familyProgressPage is the progress page.
type familyProgressPage struct {
	Base
	Nav      familyNav
	P        *app.FamilyProgress
	Goals    []goalView
	Services []serviceView
	Reports  []reportView
}

// goalView is one goal with its chart, its table rows and its summary.
type goalView struct {
	N       int    // 1, 2, …
	ID      string // the fragment: "goal-1"
	Goal    iep.Goal
	Chart   *goalChart // nil without a measurement, a starting point or a target to draw
	Rows    []measureRow
	Summary []string // sentences
	Rating  string   // the latest report's rating in words; "" when none
}

// measureRow is one row of a goal's table: a measurement, or the starting point or the target
// (whose Date is the plan's first or last day, zero when not recorded).
type measureRow struct {
	Label string // the date in words, "Starting point", "Goal"
	Date  date.Date
	Ref   bool // the starting point or the target
	Value string
	Note  string
}

// serviceView is one service in effect: its minutes, its sessions and the sentences about them.
type serviceView struct {
	app.ServiceSessions
	ID     string // the fragment: "service-1"
	Name   string
	Lower  string // Name inside a sentence
	Owed   string // "The school owes 120 minutes of speech therapy this school year."; "" when not behind
	Counts string // "This school year: 12 sessions delivered, 3 missed, 1 made up."
	Missed []app.Session
}

// reportView is one progress report with each goal's rating in words.
type reportView struct {
	R       iep.ProgressReport
	Entries []reportEntry
}

type reportEntry struct {
	Goal      string // "Goal 1: Reading"
	Rating    string
	Narrative string
}

// familyProgress serves GET /districts/{district}/family/{student}/progress.
func (s *server) familyProgress(w http.ResponseWriter, r *http.Request) error {
	fp, err := s.svc.FamilyProgress(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"))
	if err != nil {
		return err
	}
	p := &familyProgressPage{Base: s.base(w, r), P: fp, Nav: s.familyNav(r, &fp.District, &fp.Student, "progress")}
	p.Loc = districtLoc(fp.District.Timezone)
	p.Title = p.T("fam.progress.title", fp.Student.DisplayName())
	goalNames := map[string]string{}
	for i, g := range fp.Goals {
		p.Goals = append(p.Goals, p.goalView(i+1, g))
		goalNames[g.Goal.ID] = p.T("fam.progress.goal_heading", i+1, g.Goal.Area)
	}
	for i, l := range fp.Services {
		p.Services = append(p.Services, p.serviceView(i+1, l))
	}
	for _, rp := range fp.Reports {
		rv := reportView{R: rp}
		for _, e := range rp.Entries {
			name := goalNames[e.GoalID]
			if name == "" {
				name = p.T("fam.progress.goal_gone")
			}
			rv.Entries = append(rv.Entries, reportEntry{Goal: name, Rating: p.E("fam.progress.rating", e.Rating), Narrative: e.Narrative})
		}
		p.Reports = append(p.Reports, rv)
	}
	return s.render(w, http.StatusOK, "family_progress", p)
}

// MonthYear names a month and its year: "June 2027", "junio de 2027".
func (b Base) MonthYear(d date.Date) string {
	if d.IsZero() {
		return b.T("common.not_recorded")
	}
	return b.T("fam.progress.month_year", b.T("month."+strconv.Itoa(int(d.Month))), d.Year)
}

// goalView builds one goal's chart, table and summary.
func (p *familyProgressPage) goalView(n int, g app.GoalSeries) goalView {
	return newGoalView(p.Base, p.P.Plan, n, g)
}

// newGoalView builds goal n of plan (the plan in effect, as frozen) with its measurements: the
// summary in plain words, the table's rows and the chart. The family's page and the staff's
// show a goal alike.
func newGoalView(p Base, plan *iep.Plan, n int, g app.GoalSeries) goalView {
	v := goalView{N: n, ID: "goal-" + strconv.Itoa(n), Goal: g.Goal}
	unit := g.Goal.Unit
	if l := g.Latest(); l != nil && l.Unit != "" {
		unit = l.Unit
	}
	value := func(f float64) string { return strings.TrimSpace(p.Decimal(f) + " " + unit) }
	start, end := plan.StartDate, plan.EndDate
	if b := g.Goal.BaselineValue; b != nil {
		v.Rows = append(v.Rows, measureRow{Label: p.T("fam.progress.baseline"), Ref: true, Date: start, Value: value(*b)})
	} else if g.Goal.Baseline != "" {
		v.Rows = append(v.Rows, measureRow{Label: p.T("fam.progress.baseline"), Ref: true, Date: start, Value: g.Goal.Baseline})
	}
	for _, pt := range g.Points {
		v.Rows = append(v.Rows, measureRow{Label: p.Date(pt.Date), Date: pt.Date, Value: strings.TrimSpace(p.Decimal(pt.Value) + " " + pt.Unit), Note: pt.Note})
	}
	if t := g.Goal.TargetValue; t != nil {
		v.Rows = append(v.Rows, measureRow{Label: p.T("fam.progress.target"), Ref: true, Date: end, Value: value(*t)})
	} else if g.Goal.Target != "" {
		v.Rows = append(v.Rows, measureRow{Label: p.T("fam.progress.target"), Ref: true, Date: end, Value: g.Goal.Target})
	}
	// The summary: the last measurement, the goal, the latest report.
	if l := g.Latest(); l != nil {
		v.Summary = append(v.Summary, p.T("fam.progress.summary.last", p.Date(l.Date), value(l.Value)))
	} else {
		v.Summary = append(v.Summary, p.T("fam.progress.summary.none"))
	}
	switch {
	case g.Goal.TargetValue != nil:
		v.Summary = append(v.Summary, p.T("fam.progress.summary.goal", value(*g.Goal.TargetValue), p.MonthYear(plan.EndDate)))
	case g.Goal.Target != "":
		v.Summary = append(v.Summary, p.T("fam.progress.summary.goal", g.Goal.Target, p.MonthYear(plan.EndDate)))
	}
	if g.Entry != nil {
		v.Rating = p.E("fam.progress.rating", g.Entry.Rating)
		v.Summary = append(v.Summary, p.T("fam.progress.summary.report", p.MonthYear(reportDay(g.Report)), lowerFirst(v.Rating)))
	}
	v.Chart = newGoalChart(p, plan, v, g)
	return v
}

// reportDay is the day a report speaks for: when it was sent, else the end of its period.
func reportDay(r *iep.ProgressReport) date.Date {
	if !r.SentOn.IsZero() {
		return r.SentOn
	}
	return r.PeriodEnd
}

// serviceView builds one service's sentences and its missed sessions.
func (p *familyProgressPage) serviceView(n int, l app.ServiceSessions) serviceView {
	v := serviceView{ServiceSessions: l, ID: "service-" + strconv.Itoa(n), Name: p.E("service_type", l.Type)}
	v.Lower = lowerFirst(v.Name)
	if l.Behind() {
		v.Owed = p.T("fam.progress.owed", p.Num(l.Year.Owed), v.Lower)
	}
	v.Counts = p.T("fam.progress.counts", l.Delivered, l.Missed, l.MadeUp)
	for _, x := range l.Sessions {
		if x.Status == iep.SessionMissed {
			v.Missed = append(v.Missed, x)
		}
	}
	return v
}

// lowerFirst puts the first letter of s in lower case, for a name inside a sentence.
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

// SessionWhat says in words what happened at a session: delivered, missed and why, a make-up.
func (p *familyProgressPage) SessionWhat(x app.Session) string {
	switch x.Status {
	case iep.SessionDelivered:
		return p.T("fam.progress.session.delivered")
	case iep.SessionMakeUp:
		if !x.MakesUp.IsZero() {
			return p.T("fam.progress.session.make_up_of", p.Date(x.MakesUp))
		}
		return p.T("fam.progress.session.make_up")
	}
	s := p.T("fam.progress.session.missed", p.E("fam.progress.missed", x.MissedReason))
	if x.MadeUpOn.IsZero() {
		return s
	}
	return s + " " + p.T("fam.progress.session.made_up_on", p.Date(x.MadeUpOn))
}

// Whose says whose absence a missed session was.
func (p *familyProgressPage) Whose(x app.Session) string { return p.E("fam.progress.whose", x.Whose) }

// MadeUp says whether a missed session was made up: "Yes, on March 6, 2026" or "No".
func (p *familyProgressPage) MadeUp(x app.Session) string {
	if x.MadeUpOn.IsZero() {
		return p.T("common.no")
	}
	return p.T("fam.progress.made_up_yes", p.Date(x.MadeUpOn))
}

// Minutes says one period's minutes in words: "Delivered 60 of 300 minutes", or that the service
// was not in effect then.
func (p *familyProgressPage) Minutes(m app.Minutes) string {
	switch {
	case m.Outside:
		return p.T("fam.progress.minutes_outside")
	case m.SchoolDays == 0:
		return p.T("fam.progress.minutes_no_days")
	}
	return p.T("fam.progress.minutes", p.Num(m.Delivered), p.Num(m.Promised))
}

// goalChart is a line chart of a goal's measurements over time with its starting point, its
// target, the line between them (the aim line) and, from MinTrendPoints measurements on, their
// trend, in the units of its viewBox. Both the family's page and the staff's draw it (the
// "goal-chart" template, goal_chart.html), built by newGoalChart.
type goalChart struct {
	Width, Height            int
	Left, Right, Top, Bottom int
	Title, Desc              string
	TitleID, DescID          string
	YTicks                   []chartTick
	XTicks                   []chartTick
	Points                   []chartPoint
	Line                     string // the measurements' polyline: "x,y x,y …"
	Baseline, Target         *chartRef
	Aim, Trend               *chartSegment
	DateY                    int // the y of the date labels
	Legend                   []legendItem
}

type chartTick struct {
	Pos   int // y of a value tick, x of a date tick
	Label string
}

type chartPoint struct{ X, Y int }

// chartRef is a horizontal reference line (the starting point or the target) and its label.
type chartRef struct {
	Y     int
	Label string
}

type chartSegment struct{ X1, Y1, X2, Y2 int }

// legendItem is one entry of the chart's legend: a sample of the line's stroke and its name.
type legendItem struct {
	X, Y         int // where the sample starts; the name follows it
	Stroke, Dash string
	Width        float64
	Label        string
	SwatchX2     int // where the sample ends
}

// The chart's geometry: a viewBox 360 wide (on a phone it is drawn about 1:1, so its 13-unit
// text reads at about 12 px), the plot between x 44 and 350, y 24 and 170, the dates under it,
// then the legend in two columns, a row every 18 units.
const (
	goalChartW                     = 360
	goalChartLeft, goalChartRight  = 44, 350
	goalChartTop, goalChartBottom  = 24, 170
	goalChartDateLabelY            = 188
	goalChartLegendY, legendRow    = 212, 18
	goalChartMaxXTicks, goalYTicks = 5, 5
)

// The lines' strokes: each differs from the others by its dashes as well as its colour, so that
// the chart reads without colour (WCAG 1.4.1).
var (
	strokePoints   = legendItem{Stroke: "#14427a", Width: 2.5}
	strokeTarget   = legendItem{Stroke: "#1d6b32", Width: 2, Dash: "10 4"}
	strokeBaseline = legendItem{Stroke: "#4d5866", Width: 1.5, Dash: "6 4"}
	strokeAim      = legendItem{Stroke: "#7a4d00", Width: 1.5, Dash: "2 4"}
	strokeTrend    = legendItem{Stroke: "#6b2d8c", Width: 2, Dash: "12 3 3 3"}
)

// newGoalChart draws goal v (its measurements g) of plan; nil when there is nothing to draw (no
// measurement). The aim line runs from the baseline on the plan's first day to the target on its
// last (app.GoalSeries.Aim); the trend line is the least-squares line through the measurements,
// from the first to the last (app.GoalSeries.Trend), drawn from MinTrendPoints measurements on.
func newGoalChart(b Base, plan *iep.Plan, v goalView, g app.GoalSeries) *goalChart {
	if len(g.Points) == 0 {
		return nil
	}
	var values []float64
	for _, pt := range g.Points {
		values = append(values, pt.Value)
	}
	if g.Goal.BaselineValue != nil {
		values = append(values, *g.Goal.BaselineValue)
	}
	if g.Goal.TargetValue != nil {
		values = append(values, *g.Goal.TargetValue)
	}
	trend, hasTrend := g.Trend()
	first, last := g.Points[0].Date, g.Points[len(g.Points)-1].Date // by date
	if hasTrend {
		values = append(values, trend.Value(first), trend.Value(last))
	}
	c := &goalChart{Width: goalChartW, Left: goalChartLeft, Right: goalChartRight, Top: goalChartTop,
		Bottom: goalChartBottom, DateY: goalChartDateLabelY, TitleID: v.ID + "-chart-title", DescID: v.ID + "-chart-desc"}
	c.Title = b.T("fam.progress.chart_title", v.N, g.Goal.Area)
	c.Desc = strings.Join(v.Summary, " ")
	if hasTrend {
		c.Desc += " " + trendWords(b, trend, g.DefaultUnit())
	}
	c.Desc += " " + b.T("fam.progress.chart_desc")
	// The days: the plan's year, widened to every measurement.
	from, to := plan.StartDate, plan.EndDate
	for _, pt := range g.Points {
		if from.IsZero() || pt.Date.Before(from) {
			from = pt.Date
		}
		if to.IsZero() || pt.Date.After(to) {
			to = pt.Date
		}
	}
	span := max(from.DaysUntil(to), 1)
	x := func(d date.Date) int {
		return goalChartLeft + int(math.Round(float64(from.DaysUntil(d))*float64(goalChartRight-goalChartLeft)/float64(span)))
	}
	lo, hi, step := niceRange(values, goalYTicks)
	y := func(f float64) int {
		return goalChartBottom - int(math.Round((f-lo)*float64(goalChartBottom-goalChartTop)/(hi-lo)))
	}
	for t := lo; t <= hi+step/2; t += step {
		c.YTicks = append(c.YTicks, chartTick{Pos: y(t), Label: b.Decimal(roundTo(t, step))})
	}
	for _, d := range monthTicks(from, to, goalChartMaxXTicks) {
		c.XTicks = append(c.XTicks, chartTick{Pos: x(d), Label: b.T("dashboard.month_short."+strconv.Itoa(int(d.Month))) + " " + strconv.Itoa(d.Year%100)})
	}
	var line []string
	for _, pt := range g.Points {
		cp := chartPoint{X: x(pt.Date), Y: y(pt.Value)}
		c.Points = append(c.Points, cp)
		line = append(line, strconv.Itoa(cp.X)+","+strconv.Itoa(cp.Y))
	}
	c.Line = strings.Join(line, " ")
	legend := []legendItem{withLabel(strokePoints, b.T("fam.progress.legend_points"))}
	if t := g.Goal.TargetValue; t != nil {
		c.Target = &chartRef{Y: y(*t), Label: b.T("fam.progress.chart_target", b.Decimal(*t))}
		legend = append(legend, withLabel(strokeTarget, b.T("fam.progress.legend_target")))
	}
	if bv := g.Goal.BaselineValue; bv != nil {
		c.Baseline = &chartRef{Y: y(*bv), Label: b.T("fam.progress.chart_baseline", b.Decimal(*bv))}
		legend = append(legend, withLabel(strokeBaseline, b.T("fam.progress.legend_baseline")))
	}
	if aim, ok := g.Aim(plan.StartDate, plan.EndDate); ok {
		c.Aim = &chartSegment{X1: x(plan.StartDate), Y1: y(aim.At), X2: x(plan.EndDate), Y2: y(aim.Value(plan.EndDate))}
		legend = append(legend, withLabel(strokeAim, b.T("fam.progress.legend_aim")))
	}
	if hasTrend {
		c.Trend = &chartSegment{X1: x(first), Y1: y(trend.Value(first)), X2: x(last), Y2: y(trend.Value(last))}
		legend = append(legend, withLabel(strokeTrend, b.T("progress.chart.legend_trend")))
	}
	c.layOut(legend)
	return c
}

// withLabel is a stroke with its name in the legend.
func withLabel(s legendItem, label string) legendItem {
	s.Label = label
	return s
}

// layOut places the legend in two columns under the dates and makes the chart tall enough.
func (c *goalChart) layOut(legend []legendItem) {
	mid := (c.Left + c.Right) / 2
	for i := range legend {
		legend[i].X, legend[i].Y = c.Left, goalChartLegendY+legendRow*(i/2)
		if i%2 == 1 {
			legend[i].X = mid
		}
		legend[i].SwatchX2 = legend[i].X + 18
	}
	c.Legend = legend
	c.Height = goalChartLegendY + legendRow*((len(legend)-1)/2) + 10
}

// trendWords says how the trend line moves in a week, in the goal's unit: "The trend line rises
// by 1.5 wcpm a week."
func trendWords(b Base, l app.Line, unit string) string {
	w := l.PerWeek()
	r := math.Round(math.Abs(w)*10) / 10
	amount := strings.TrimSpace(b.Decimal(r) + " " + unit)
	switch {
	case r == 0:
		return b.T("progress.chart.trend_flat")
	case w > 0:
		return b.T("progress.chart.trend_up", amount)
	}
	return b.T("progress.chart.trend_down", amount)
}

// niceRange is an axis for values: from lo to hi in steps of 1, 2 or 5 times a power of ten,
// with at most about n steps, holding every value.
func niceRange(values []float64, n int) (lo, hi, step float64) {
	lo, hi = values[0], values[0]
	for _, v := range values {
		lo, hi = min(lo, v), max(hi, v)
	}
	if lo == hi {
		lo, hi = lo-1, hi+1
	}
	raw := (hi - lo) / float64(n)
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	step = pow
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= raw {
			step = m * pow
			break
		}
	}
	lo, hi = math.Floor(lo/step)*step, math.Ceil(hi/step)*step
	if lo < 0 && values[0] >= 0 && minOf(values) >= 0 {
		lo = 0
	}
	return lo, hi, step
}

func minOf(values []float64) float64 {
	m := values[0]
	for _, v := range values {
		m = min(m, v)
	}
	return m
}

// roundTo rounds f to the precision of step, so that ticks read 0.2 and not 0.20000000000000004.
func roundTo(f, step float64) float64 {
	digits := max(0, -int(math.Floor(math.Log10(step))))
	p := math.Pow(10, float64(digits))
	return math.Round(f*p) / p
}

// monthTicks are the first days of months from from to to, at most n of them, evenly spaced.
func monthTicks(from, to date.Date, n int) []date.Date {
	var months []date.Date
	for m := date.New(from.Year, from.Month, 1); !m.After(to); m = date.New(m.Year, m.Month+1, 1) {
		if !m.Before(from) {
			months = append(months, m)
		}
	}
	if len(months) <= n {
		return months
	}
	every := (len(months) + n - 1) / n
	var out []date.Date
	for i := 0; i < len(months); i += every {
		out = append(out, months[i])
	}
	return out
}
