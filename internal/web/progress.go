package web

// Progress monitoring for staff (GET /districts/{district}/students/{student}/progress): each goal
// of the plan in effect as the family sees it (the chart and table of family_progress.go) with a
// form to add a measurement (POST …/progress/points), and each reporting period with its reports
// and the form to write one, saved as a draft or sent to the family (POST …/progress/reports).
// Forms post and come back (303) to the page with a confirmation at the goal or period; a
// refused form comes back with what was typed and each problem at its field; a report changed by
// someone else meanwhile comes back (409) with both versions.

import (
	"cmp"
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
)

func init() {
	pageFiles["progress"] = []string{"progress.html", "goal_chart.html"}
}

// progressRoutes are the staff's progress monitoring page and its two forms.
func (s *server) progressRoutes() []route {
	p := "/districts/{district}/students/{student}/progress"
	return []route{
		{"GET " + p, member, s.progressDesk},
		{"POST " + p + "/points", member, s.addProgressPoint},
		{"POST " + p + "/reports", member, s.saveProgressReport},
	}
}

// progressURL is the path of a student's progress monitoring page.
func progressURL(districtID, studentID string) string {
	return studentURL(districtID, studentID) + "/progress"
}

// progressPage is the staff's progress monitoring page.
type progressPage struct {
	Base
	D       *app.ProgressDesk
	URL     string // the page's path; the forms post under it
	Goals   []progressGoal
	Periods []progressPeriod
	// Errors are the problems of the form that came back refused, each linked to its field.
	Errors []fieldError
}

// progressGoal is one goal: its chart, table and summary (the family's goalView), what its trend
// and aim lines say, and the form to add a measurement.
type progressGoal struct {
	goalView
	Trend, Aim string
	Form       subform
	Status     string // the confirmation of a measurement just added
}

// progressPeriod is one reporting period: its reports given to the family and the form to write
// one (its draft, a new report, or a correction of the one sent).
type progressPeriod struct {
	app.ReportPeriod
	ID         string // the fragment: "report-2026-01-30"
	Name       string // the heading: the report's name, else "Progress report 2 of 4"
	Sent       []reportView
	Goals      []reportGoal
	Form       subform
	Correction bool // a report was sent for the period: the form writes a correction
	Expand     bool // the correction's disclosure starts open (a draft, or a form that came back)
	Status     string
	// Conflict says why the form came back unsaved (someone else saved or sent the report), and
	// Theirs is their version; "" and nil otherwise.
	Conflict string
	Theirs   *reportView
}

// reportGoal is one goal's part of a report form: entries[I].
type reportGoal struct {
	I       int
	Heading string // "Goal 1: Reading"
	GoalID  string
}

// subform is one form among several on a page: what was typed and what is wrong, with its
// fields' ids made unique by Prefix.
type subform struct {
	form
	Prefix string
}

// ID is the id of a field's input.
func (f subform) ID(field string) string { return "f-" + f.Prefix + field }

// Aria are an input's attributes when it has a problem: aria-invalid, and aria-describedby naming
// the message.
func (f subform) Aria(field string) template.HTMLAttr {
	return errorAttrs(f.Err(field) != "", f.ID(field), true)
}

// Group is Aria for a group of inputs (a fieldset): aria-describedby only.
func (f subform) Group(field string) template.HTMLAttr {
	return errorAttrs(f.Err(field) != "", f.ID(field), false)
}

// progressForm is the form that came back: which one (a goal's measurement, a period's
// report), what was typed and what is wrong with it, or the report it collided with.
type progressForm struct {
	goalID, period string
	form           form
	conflict       *app.ReportConflictError
}

// progressDesk serves GET …/students/{student}/progress.
func (s *server) progressDesk(w http.ResponseWriter, r *http.Request) error {
	return s.renderProgress(w, r, http.StatusOK, nil)
}

func (s *server) renderProgress(w http.ResponseWriter, r *http.Request, status int, in *progressForm) error {
	d, err := s.svc.ProgressDesk(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"))
	if err != nil {
		return err
	}
	p := &progressPage{Base: s.base(w, r), D: d, URL: progressURL(d.District.ID, d.Student.ID)}
	p.Loc = districtLoc(d.District.Timezone)
	p.Title = p.T("progress.page.title", d.Student.DisplayName())
	if d.Plan == nil {
		return s.render(w, status, "progress", p)
	}
	q := r.URL.Query()
	if status != http.StatusOK {
		q = url.Values{} // the confirmations are of the request that redirected here
	}
	for i, g := range d.Goals {
		p.Goals = append(p.Goals, p.goal(i+1, g, in, q.Get("added")))
	}
	for _, rp := range d.Periods {
		if rp.Open && rp.Draft == nil && len(rp.Reports) == 0 && !d.MayReport {
			continue // the period offered to be written, to someone who may not write it
		}
		p.Periods = append(p.Periods, p.period(rp, in, q))
	}
	if in != nil {
		for _, e := range in.form.Errors {
			p.Errors = append(p.Errors, e)
		}
	}
	return s.render(w, status, "progress", p)
}

// goal builds goal n's view and its measurement form: the date today and the goal's unit, or
// what was typed when this form came back.
func (p *progressPage) goal(n int, g app.GoalSeries, in *progressForm, added string) progressGoal {
	v := progressGoal{goalView: newGoalView(p.Base, p.D.Plan, n, g)}
	v.Form = subform{form: newForm(url.Values{"date": {p.D.Today.String()}, "unit": {g.DefaultUnit()}}),
		Prefix: "pt" + strconv.Itoa(n) + "-"}
	if in != nil && in.period == "" && in.goalID == g.Goal.ID {
		v.Form.form = in.form
		for i := range in.form.Errors {
			in.form.Errors[i].ID = v.Form.ID(in.form.Errors[i].Field)
		}
	}
	if l, ok := g.Trend(); ok {
		v.Trend = p.T("progress.goal.trend", len(g.Points), signedRate(p.Base, l.PerWeek(), g.DefaultUnit()))
	} else {
		v.Trend = p.T("progress.goal.no_trend", app.MinTrendPoints, len(g.Points))
	}
	if l, ok := g.Aim(p.D.Plan.StartDate, p.D.Plan.EndDate); ok {
		v.Aim = p.T("progress.goal.aim", signedRate(p.Base, l.PerWeek(), g.DefaultUnit()))
	} else {
		v.Aim = p.T("progress.goal.no_aim")
	}
	for _, pt := range g.Points {
		if added != "" && pt.ID == added {
			v.Status = p.T("progress.point.added", strings.TrimSpace(p.Decimal(pt.Value)+" "+pt.Unit), p.Date(pt.Date))
		}
	}
	return v
}

// signedRate writes a rate of change with its sign and unit: "+1.5 wcpm", "-0.3 wcpm", "0 wcpm".
func signedRate(b Base, perWeek float64, unit string) string {
	r := math.Round(perWeek*100) / 100
	s := b.Decimal(math.Abs(r))
	switch {
	case r > 0:
		s = "+" + s
	case r < 0:
		s = "−" + s
	}
	return strings.TrimSpace(s + " " + unit)
}

// period builds one reporting period with its reports and its form: the draft being written, or
// a new report (prefilled from the report sent, for a correction), or what was typed when this
// form came back.
func (p *progressPage) period(rp app.ReportPeriod, in *progressForm, q url.Values) progressPeriod {
	key := rp.End.String()
	v := progressPeriod{ReportPeriod: rp, ID: "report-" + key, Form: subform{Prefix: "rp" + key + "-"}}
	for _, g := range p.D.Goals {
		v.Goals = append(v.Goals, reportGoal{I: len(v.Goals), GoalID: g.Goal.ID, Heading: p.T("fam.progress.goal_heading", len(v.Goals)+1, g.Goal.Area)})
	}
	for _, r := range rp.Reports {
		v.Sent = append(v.Sent, p.reportView(r))
	}
	sent := rp.Sent()
	v.Correction = sent != nil
	vals := url.Values{"period_end": {key}}
	switch {
	case rp.Draft != nil:
		v.fill(vals, rp.Draft.ProgressReport)
		vals.Set("draft", rp.Draft.ID)
		vals.Set("base", strconv.Itoa(rp.Draft.Revision))
		v.Expand = true
	case sent != nil:
		v.fill(vals, *sent)
	case !rp.Open:
		vals.Set("period", p.T("progress.period.default_name", rp.N, rp.Of))
	}
	v.Name = p.T("progress.period.open_name")
	if rp.N > 0 {
		v.Name = p.T("progress.period.default_name", rp.N, rp.Of)
	}
	switch {
	case rp.Draft != nil:
		v.Name = cmp.Or(rp.Draft.Period, v.Name)
	case sent != nil:
		v.Name = sent.Period
	}
	v.Form.form = newForm(vals)
	if in != nil && in.period == key {
		v.Form.form, v.Expand = in.form, true
		for i := range in.form.Errors {
			in.form.Errors[i].ID = v.Form.ID(in.form.Errors[i].Field)
		}
		p.conflict(&v, in.conflict)
	}
	switch id := q.Get("saved") + q.Get("sent"); {
	case id == "":
	case rp.Draft != nil && rp.Draft.ID == id:
		v.Status = p.T("progress.report.saved")
	case sent != nil && sent.ID == id:
		mailed, _ := strconv.Atoi(q.Get("mailed"))
		v.Status = p.T("progress.report.sent", p.Date(sent.SentOn), mailed)
	}
	return v
}

// fill puts report r's name and entries into a form's values.
func (v *progressPeriod) fill(vals url.Values, r iep.ProgressReport) {
	vals.Set("period", r.Period)
	for _, g := range v.Goals {
		for _, e := range r.Entries {
			if e.GoalID == g.GoalID {
				vals.Set(fmt.Sprintf("entries[%d].rating", g.I), string(e.Rating))
				vals.Set(fmt.Sprintf("entries[%d].narrative", g.I), e.Narrative)
			}
		}
	}
}

// conflict explains a report that changed since the writer read it and shows their version; the
// form keeps what was typed, now based on the current draft (so that saving again replaces it),
// or on none when the report was sent (so that saving writes a correction).
func (p *progressPage) conflict(v *progressPeriod, c *app.ReportConflictError) {
	switch {
	case c == nil:
	case c.Sent != nil:
		v.Form.Values.Set("draft", "")
		v.Form.Values.Set("base", "0")
		v.Conflict = p.T("progress.report.conflict_sent", p.Date(c.Sent.SentOn))
		theirs := p.reportView(*c.Sent)
		v.Theirs = &theirs
	case c.Current != nil:
		v.Form.Values.Set("draft", c.Current.ID)
		v.Form.Values.Set("base", strconv.Itoa(c.Current.Revision))
		v.Conflict = p.T("progress.report.conflict", p.When(c.Current.UpdatedAt))
		theirs := p.reportView(c.Current.ProgressReport)
		v.Theirs = &theirs
	}
}

// reportView is a report with each goal's rating in the staff's words.
func (p *progressPage) reportView(r iep.ProgressReport) reportView {
	rv := reportView{R: r}
	for _, e := range r.Entries {
		name := p.T("fam.progress.goal_gone")
		for i, g := range p.D.Goals {
			if g.Goal.ID == e.GoalID {
				name = p.T("fam.progress.goal_heading", i+1, g.Goal.Area)
			}
		}
		rating := p.T("progress.report.not_rated")
		if e.Rating != "" {
			rating = p.E("progress_rating", e.Rating)
		}
		rv.Entries = append(rv.Entries, reportEntry{Goal: name, Rating: rating, Narrative: e.Narrative})
	}
	return rv
}

// Ratings are the choices of a report's rating.
func (p *progressPage) Ratings() []iep.ProgressRating {
	return []iep.ProgressRating{iep.RatingSufficient, iep.RatingInsufficient, iep.RatingMet, iep.RatingNotIntroduced}
}

// Entry is the name of field f of goal g's entry in a report form: "entries[1].rating".
func (p *progressPage) Entry(g reportGoal, f string) string {
	return fmt.Sprintf("entries[%d].%s", g.I, f)
}

// addProgressPoint serves POST …/progress/points: a measurement, then the page again with it.
func (s *server) addProgressPoint(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return iep.Errorf(iep.KindInvalid, "unreadable form")
	}
	f := r.PostForm
	in := app.PointInput{GoalID: f.Get("goal_id"), Unit: f.Get("unit"), Note: strings.ReplaceAll(f.Get("note"), "\r\n", "\n")}
	if raw := strings.TrimSpace(f.Get("date")); raw != "" {
		if d, err := date.Parse(raw); err != nil {
			in.Unreadable = append(in.Unreadable, "date")
		} else {
			in.Date = d
		}
	}
	if raw := strings.TrimSpace(f.Get("value")); raw != "" {
		if v, ok := parseDecimal(raw); ok {
			in.Value = &v
		} else {
			in.Unreadable = append(in.Unreadable, "value")
		}
	}
	d, st := r.PathValue("district"), r.PathValue("student")
	pt, err := s.svc.AddProgressPoint(r.Context(), actor(r), d, st, in)
	if err != nil {
		return s.refusedProgress(w, r, err, &progressForm{goalID: in.GoalID})
	}
	to := progressURL(d, st) + "?" + url.Values{"added": {pt.ID}}.Encode()
	if n, err := strconv.Atoi(f.Get("n")); err == nil && n > 0 {
		to += "#goal-" + strconv.Itoa(n)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// saveProgressReport serves POST …/progress/reports: a report saved as a draft, or sent ("op"
// send), then the page again with it.
func (s *server) saveProgressReport(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return iep.Errorf(iep.KindInvalid, "unreadable form")
	}
	f := r.PostForm
	in := app.ReportInput{DraftID: f.Get("draft"), Period: f.Get("period"), Send: f.Get("op") == "send"}
	in.Base, _ = strconv.Atoi(f.Get("base"))
	key := strings.TrimSpace(f.Get("period_end"))
	if key != "" {
		if end, err := date.Parse(key); err != nil {
			in.Unreadable = append(in.Unreadable, "period_end")
		} else {
			in.End = end
		}
	}
	for i := 0; f.Has(fmt.Sprintf("entries[%d].goal_id", i)); i++ {
		e := func(name string) string { return f.Get(fmt.Sprintf("entries[%d].%s", i, name)) }
		in.Entries = append(in.Entries, iep.ProgressEntry{GoalID: e("goal_id"), Rating: iep.ProgressRating(e("rating")),
			Narrative: strings.ReplaceAll(e("narrative"), "\r\n", "\n")})
	}
	d, st := r.PathValue("district"), r.PathValue("student")
	out, err := s.svc.SaveProgressReport(r.Context(), actor(r), d, st, in)
	if err != nil {
		return s.refusedProgress(w, r, err, &progressForm{period: key})
	}
	q := url.Values{"saved": {out.Report.ID}}
	if out.Sent {
		q = url.Values{"sent": {out.Report.ID}, "mailed": {strconv.Itoa(out.Mailed)}}
	}
	http.Redirect(w, r, progressURL(d, st)+"?"+q.Encode()+"#report-"+out.Report.PeriodEnd.String(), http.StatusSeeOther)
	return nil
}

// refusedProgress shows the page again with the form that was refused: 400 with each problem at
// its field, 409 with the other version of a report that changed; any other error is returned.
func (s *server) refusedProgress(w http.ResponseWriter, r *http.Request, err error, in *progressForm) error {
	in.form = newForm(r.PostForm)
	var ce *app.ReportConflictError
	if errors.As(err, &ce) && in.period != "" {
		in.conflict = ce
		return s.renderProgress(w, r, http.StatusConflict, in)
	}
	b := s.base(w, r)
	if in.form.refuseWith(err, func(p iep.Problem) string { return progressProblem(b, p) }) {
		return s.renderProgress(w, r, http.StatusBadRequest, in)
	}
	return err
}

// fieldIndex matches the positions in a field's name: "entries[1].rating" is "entries.rating".
var fieldIndex = regexp.MustCompile(`\[\d+\]`)

// progressProblem says a problem of the progress forms in the page's words:
// "progress.problem.<field without positions>.<code>", else the general message.
func progressProblem(b Base, p iep.Problem) string {
	if key := "progress.problem." + fieldIndex.ReplaceAllString(p.Field, "") + "." + p.Code; i18n.Has(key) {
		return b.T(key)
	}
	return problemMessage(b.Lang, p)
}

// parseDecimal reads a number as people type it: "42", "42.5", or with a decimal comma, "42,5".
func parseDecimal(s string) (float64, bool) {
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}
