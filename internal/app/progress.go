package app

// Progress monitoring for staff (DOMAIN.md §7): the page of a student's plan in effect where the
// providers record each goal's measurements, and where the team writes the progress report of
// each reporting period (34 CFR 300.320(a)(3)(ii)) as a draft, then sends it to the family. The
// goals are the plan's as frozen, the same the family sees (goalSeries). A sent report is never
// changed; a correction is a new report of the same period.

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// Audit record kinds and the outbox kind of progress monitoring.
const (
	auditProgressPoint  = "progress_point"
	auditProgressReport = "progress_report"
	progressMailKind    = "progress_report"
)

// MinTrendPoints is how many measurements a goal needs for a trend line: through fewer, a line
// says more about one good or bad day than about progress.
const MinTrendPoints = 3

// ProgressDesk is the staff's page of progress monitoring for one student.
type ProgressDesk struct {
	District iep.District
	Student  iep.Student
	Today    date.Date // in the district's time zone
	// Plan is the plan in effect with the content of its frozen version (what the family agreed
	// to and sees); nil when no plan is in effect.
	Plan *iep.Plan
	// Goals are the plan's goals, each with its measurements and latest report.
	Goals []GoalSeries
	// Periods are the reporting periods, by their last day: each report date of the plan's
	// progress_reporting section, each other day a report or draft ends on, and, when the plan
	// names no report dates, the period ending today.
	Periods []ReportPeriod
	// MayLog is set when the reader may record measurements (log_service); MayReport when they
	// may write and send progress reports (edit_plan).
	MayLog, MayReport bool
}

// Due are the periods whose report date passed with no report sent for it.
func (d *ProgressDesk) Due() []ReportPeriod {
	var out []ReportPeriod
	for _, p := range d.Periods {
		if p.Due {
			out = append(out, p)
		}
	}
	return out
}

// ReportPeriod is one reporting period of the plan with its reports.
type ReportPeriod struct {
	// N is the period's place among the plan's report dates (1, 2, …) and Of their number; N is
	// 0 for a period that is not one of them.
	N, Of int
	End   date.Date // the period's last day
	// Reports are the reports given to the family for the period, oldest first (a correction
	// comes after the report it corrects).
	Reports []iep.ProgressReport
	// Draft is the report being written for the period; nil when none.
	Draft *store.ProgressDraft
	// Due is set when the period is one of the plan's report dates, it is over (End before
	// today) and no report was sent for it.
	Due bool
	// Open is set for the period ending today that is offered when the plan names no report
	// dates (its name is the writer's to type).
	Open bool
}

// Sent is the period's latest report sent to the family; nil when none was.
func (p ReportPeriod) Sent() *iep.ProgressReport {
	for i := len(p.Reports) - 1; i >= 0; i-- {
		if !p.Reports[i].SentOn.IsZero() {
			return &p.Reports[i]
		}
	}
	return nil
}

// ProgressDesk returns the progress monitoring page of a student to staff who may view the
// record, and records the read (one audit entry: read of "progress"). Families are answered not
// found (their page is FamilyProgress). Errors: the policy's.
func (s *Service) ProgressDesk(ctx context.Context, a Actor, districtID, studentID string) (*ProgressDesk, error) {
	if a.SignedIn() && a.IsFamily() {
		return nil, errNotStaffScreen
	}
	c, err := s.begin(ctx, a, access.ViewRecord, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	d, st, err := c.subject(ctx)
	if err != nil {
		return nil, err
	}
	desk := &ProgressDesk{District: *d, Student: *st, Today: c.today}
	if err := s.readDesk(ctx, c, desk); err != nil {
		return nil, fmt.Errorf("student %s: %w", studentID, err)
	}
	if desk.MayLog, err = s.may(ctx, a, access.LogService, districtID, studentID); err != nil {
		return nil, err
	}
	if desk.MayReport, err = s.may(ctx, a, access.EditPlan, districtID, studentID); err != nil {
		return nil, err
	}
	return desk, c.readAudit(ctx, auditProgress, studentID)
}

// readDesk reads the plan in effect, its goals as frozen with their measurements, and its
// reports and drafts sorted into periods.
func (s *Service) readDesk(ctx context.Context, c *step, desk *ProgressDesk) error {
	cur, err := s.planInEffect(ctx, c)
	if err != nil || cur == nil {
		return err
	}
	plan, goals, reports, err := s.goalSeries(ctx, c.district, cur)
	if err != nil {
		return err
	}
	drafts, err := s.db.ListProgressDrafts(ctx, c.district, cur.ID)
	if err != nil {
		return err
	}
	desk.Plan, desk.Goals = plan, goals
	desk.Periods = reportPeriods(plan.Content.ProgressReporting.ReportDates, reports, drafts, c.today)
	return nil
}

// planInEffect is the student's plan in effect (the newest), or nil.
func (s *Service) planInEffect(ctx context.Context, c *step) (*iep.Plan, error) {
	plans, err := s.db.ListPlans(ctx, c.district, c.student)
	if err != nil {
		return nil, err
	}
	return newestInEffect(plans), nil
}

// may asks the policy, at its one seam, whether the actor may also do act; a refusal is false.
func (s *Service) may(ctx context.Context, a Actor, act access.Action, districtID, studentID string) (bool, error) {
	_, err := s.authorize(ctx, a, act, districtID, studentID)
	switch iep.KindOf(err) {
	case iep.KindForbidden, iep.KindNotFound:
		return false, nil
	}
	return err == nil, err
}

// reportPeriods sorts a plan's reports and drafts into periods: one per report date (in order),
// one per other day a report or draft ends on, and without report dates, the period ending
// today.
func reportPeriods(dates []date.Date, reports []iep.ProgressReport, drafts []store.ProgressDraft, today date.Date) []ReportPeriod {
	dates = slices.Clone(dates)
	slices.SortFunc(dates, func(a, b date.Date) int { return a.Compare(b) })
	dates = slices.Compact(dates)
	var out []ReportPeriod
	at := map[date.Date]int{}
	period := func(end date.Date) *ReportPeriod {
		if i, ok := at[end]; ok {
			return &out[i]
		}
		at[end] = len(out)
		out = append(out, ReportPeriod{End: end})
		return &out[len(out)-1]
	}
	for i, d := range dates {
		p := period(d)
		p.N, p.Of = i+1, len(dates)
	}
	for _, r := range reports {
		p := period(r.PeriodEnd)
		p.Reports = append(p.Reports, r)
	}
	for i := range drafts {
		period(drafts[i].PeriodEnd).Draft = &drafts[i]
	}
	if len(dates) == 0 {
		period(today).Open = true
	}
	slices.SortStableFunc(out, func(a, b ReportPeriod) int { return a.End.Compare(b.End) })
	for i := range out {
		out[i].Due = out[i].N > 0 && out[i].End.Before(today) && out[i].Sent() == nil
	}
	return out
}

// DefaultUnit is the unit a new measurement of the goal is taken in unless said otherwise: the
// goal's own, else the latest measurement's.
func (g GoalSeries) DefaultUnit() string {
	if u := strings.TrimSpace(g.Goal.Unit); u != "" {
		return u
	}
	if l := g.Latest(); l != nil {
		return l.Unit
	}
	return ""
}

// Line is a straight line of a goal's value over time: Value(d) = At + PerDay × the days from
// From to d.
type Line struct {
	From   date.Date
	At     float64 // the value on From
	PerDay float64
}

// Value is the line's value on day d.
func (l Line) Value(d date.Date) float64 { return l.At + l.PerDay*float64(l.From.DaysUntil(d)) }

// PerWeek is how much the line rises (or falls, below zero) in a week.
func (l Line) PerWeek() float64 { return l.PerDay * 7 }

// Trend is the ordinary least-squares line through the goal's measurements, x being the days
// since the first one: the slope is Σ(x−x̄)(y−ȳ) / Σ(x−x̄)² and the line goes through (x̄, ȳ). ok is
// false with fewer than MinTrendPoints measurements, or when all were taken on one day.
func (g GoalSeries) Trend() (l Line, ok bool) {
	if len(g.Points) < MinTrendPoints {
		return Line{}, false
	}
	from := g.Points[0].Date
	for _, p := range g.Points {
		if p.Date.Before(from) {
			from = p.Date
		}
	}
	var mx, my float64
	for _, p := range g.Points {
		mx += float64(from.DaysUntil(p.Date))
		my += p.Value
	}
	n := float64(len(g.Points))
	mx, my = mx/n, my/n
	var sxy, sxx float64
	for _, p := range g.Points {
		dx := float64(from.DaysUntil(p.Date)) - mx
		sxy += dx * (p.Value - my)
		sxx += dx * dx
	}
	if sxx == 0 {
		return Line{}, false
	}
	slope := sxy / sxx
	return Line{From: from, At: my - slope*mx, PerDay: slope}, true
}

// Aim is the goal's aim line: from its baseline on the plan's first day (start) to its target on
// the plan's last (end). ok is false without both numbers, or without two days in order.
func (g GoalSeries) Aim(start, end date.Date) (l Line, ok bool) {
	b, t := g.Goal.BaselineValue, g.Goal.TargetValue
	if b == nil || t == nil || start.IsZero() || end.IsZero() || !start.Before(end) {
		return Line{}, false
	}
	return Line{From: start, At: *b, PerDay: (*t - *b) / float64(start.DaysUntil(end))}, true
}

// PointInput is a measurement as staff typed it.
type PointInput struct {
	GoalID string
	Date   date.Date
	Value  *float64 // nil when nothing was typed
	Unit   string   // "" for the goal's unit (GoalSeries.DefaultUnit)
	Note   string
	// Unreadable names the fields the adapter could not read as their type (a value that is not
	// a number, a date that is not one): each is reported invalid, once the policy allows the step.
	Unreadable []string
}

// AddProgressPoint records a measurement of a goal of the student's plan in effect, by staff who
// may log services (the providers, administrators): the point and its audit entry ("create" of
// "progress_point") in one transaction. Families are answered not found.
//
// Errors: invalid (per field: goal_id, date — required, not after today —, value, unit), conflict
// (no plan in effect), the policy's.
func (s *Service) AddProgressPoint(ctx context.Context, a Actor, districtID, studentID string, in PointInput) (*iep.ProgressPoint, error) {
	if a.SignedIn() && a.IsFamily() {
		return nil, errNotStaffScreen
	}
	c, err := s.begin(ctx, a, access.LogService, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	cur, err := s.planInEffect(ctx, c)
	if err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, iep.Errorf(iep.KindConflict, "student %s has no plan in effect", studentID)
	}
	_, goals, _, err := s.goalSeries(ctx, districtID, cur)
	if err != nil {
		return nil, err
	}
	pt, ps := checkPoint(goals, in, c.today)
	if err := ps.Err(); err != nil {
		return nil, err
	}
	pt.DistrictID, pt.StudentID, pt.PlanID, pt.RecordedBy = districtID, studentID, cur.ID, a.ID
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateProgressPoint(ctx, &pt); err != nil {
			return err
		}
		return c.audit(ctx, tx, "create", auditProgressPoint, pt.ID)
	})
	if err != nil {
		return nil, err
	}
	return &pt, nil
}

// checkPoint makes the measurement of a goal of goals from what was typed, and says what is
// wrong with it, field by field.
func checkPoint(goals []GoalSeries, in PointInput, today date.Date) (iep.ProgressPoint, iep.Problems) {
	var ps iep.Problems
	unreadable := func(f string) bool { return slices.Contains(in.Unreadable, f) }
	for _, f := range in.Unreadable {
		ps = append(ps, iep.Problem{Field: f, Code: iep.CodeInvalid})
	}
	i := slices.IndexFunc(goals, func(g GoalSeries) bool { return g.Goal.ID == in.GoalID })
	if i < 0 {
		ps = append(ps, iep.Problem{Field: "goal_id", Code: iep.CodeChoice, Detail: "a goal of the plan in effect"})
	}
	switch {
	case unreadable("date"):
	case in.Date.IsZero():
		ps = append(ps, iep.Problem{Field: "date", Code: iep.CodeRequired})
	case in.Date.After(today):
		ps = append(ps, iep.Problem{Field: "date", Code: iep.CodeInvalid, Detail: "a date in the future"})
	}
	switch {
	case unreadable("value"):
	case in.Value == nil:
		ps = append(ps, iep.Problem{Field: "value", Code: iep.CodeRequired})
	case math.IsNaN(*in.Value) || math.IsInf(*in.Value, 0):
		ps = append(ps, iep.Problem{Field: "value", Code: iep.CodeInvalid})
	}
	pt := iep.ProgressPoint{GoalID: in.GoalID, Date: in.Date, Unit: strings.TrimSpace(in.Unit), Note: strings.TrimSpace(in.Note)}
	if in.Value != nil {
		pt.Value = *in.Value
	}
	if pt.Unit == "" && i >= 0 {
		pt.Unit = goals[i].DefaultUnit()
	}
	if pt.Unit == "" && !unreadable("unit") {
		ps = append(ps, iep.Problem{Field: "unit", Code: iep.CodeRequired})
	}
	return pt, ps
}

// ReportInput is a progress report as the team wrote it, to save as a draft or to send.
type ReportInput struct {
	// DraftID is the draft it is saved over, and Base the draft's revision the writer started
	// from; DraftID is "" for a new report of the period (a correction, when one was sent).
	DraftID string
	Base    int
	Period  string    // the period's name ("Term 1 2025-2026")
	End     date.Date // the period's last day
	Entries []iep.ProgressEntry
	Send    bool // send it to the family now
	// Unreadable names the fields the adapter could not read as their type.
	Unreadable []string
}

// ReportSaved is a report saved as a draft, or sent.
type ReportSaved struct {
	Report   iep.ProgressReport
	Revision int  // the draft's revision; 0 once sent
	Sent     bool // given to the family today (Report.SentOn)
	Mailed   int  // the e-mails queued to tell the family
}

// ReportConflictError says that a report changed since the writer read it: another draft of the
// period was started, the draft was saved by someone else, or it was sent. It carries the report
// as it is now, so that the writer's words and theirs can both be shown. Its kind is conflict.
type ReportConflictError struct {
	Current *store.ProgressDraft // the draft as saved now; nil when it was sent
	Sent    *iep.ProgressReport  // the report as sent; nil when it is still a draft
}

func (e *ReportConflictError) Error() string {
	if e.Sent != nil {
		return fmt.Sprintf("progress report %s was sent on %s", e.Sent.ID, e.Sent.SentOn)
	}
	return fmt.Sprintf("progress report draft %s was saved by someone else (revision %d)", e.Current.ID, e.Current.Revision)
}

func (e *ReportConflictError) Unwrap() error { return iep.ErrConflict }

// SaveProgressReport saves the report of a period of the student's plan in effect as a draft
// (not sent: the family does not see it) or, with in.Send, sends it: the report is given to the
// family today, the ledger records progress_report_sent, and an e-mail that a report is ready is
// queued to each guardian holding the educational rights (the adult student once the rights
// have passed) in their language, all in one transaction with the audit entry ("create",
// "update" or "send" of "progress_report"). Staff who may edit the plan (the team,
// administrators); families are answered not found.
//
// A draft may be unfinished; sending needs the period's name and a rating for every goal.
// Errors: invalid (per field: period, period_end — one of the plan's report dates, or without
// them a day not after today —, entries[i].rating, entries[i].goal_id), conflict (no plan in
// effect; a *ReportConflictError when the report changed since it was read), the policy's.
func (s *Service) SaveProgressReport(ctx context.Context, a Actor, districtID, studentID string, in ReportInput) (*ReportSaved, error) {
	if a.SignedIn() && a.IsFamily() {
		return nil, errNotStaffScreen
	}
	c, err := s.begin(ctx, a, access.EditPlan, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	desk := &ProgressDesk{Today: c.today}
	if err := s.readDesk(ctx, c, desk); err != nil {
		return nil, err
	}
	if desk.Plan == nil {
		return nil, iep.Errorf(iep.KindConflict, "student %s has no plan in effect", studentID)
	}
	r, ps := checkReport(desk, in)
	if err := ps.Err(); err != nil {
		return nil, err
	}
	r.DistrictID, r.StudentID, r.PlanID = districtID, studentID, desk.Plan.ID
	var mail reportMail
	if in.Send {
		if mail, err = s.reportMail(ctx, c); err != nil {
			return nil, err
		}
	}
	out := &ReportSaved{}
	err = s.db.Write(ctx, func(tx *store.Tx) error { return s.writeReport(ctx, tx, c, r, in, mail, out) })
	if iep.KindOf(err) == iep.KindConflict {
		return nil, s.reportConflict(ctx, c, desk.Plan.ID, r, in, err)
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// writeReport creates or saves the draft and, to send it, moves it into the plan's reports with
// the ledger's event and the e-mails; then the audit entry.
func (s *Service) writeReport(ctx context.Context, tx *store.Tx, c *step, r iep.ProgressReport, in ReportInput, mail reportMail, out *ReportSaved) error {
	d := store.ProgressDraft{ProgressReport: r}
	action := "update"
	if in.DraftID == "" {
		if err := tx.CreateProgressDraft(ctx, &d, c.a.ID); err != nil {
			return err
		}
		action = "create"
	} else {
		d.ID = in.DraftID
		if err := tx.SaveProgressDraft(ctx, &d, in.Base, c.a.ID); err != nil {
			return err
		}
	}
	out.Report, out.Revision = d.ProgressReport, d.Revision
	if !in.Send {
		return c.audit(ctx, tx, action, auditProgressReport, d.ID)
	}
	sent, err := tx.SendProgressDraft(ctx, c.district, r.PlanID, d.ID, d.Revision, c.today)
	if err != nil {
		return err
	}
	if err := c.event(ctx, tx, iep.EventProgressReportSent, r.PlanID, c.today, map[string]any{"report_id": sent.ID}); err != nil {
		return err
	}
	mails := s.reportMails(c, mail.district, sent, mail.to)
	for i := range mails {
		if err := tx.EnqueueMail(ctx, &mails[i]); err != nil {
			return err
		}
	}
	out.Report, out.Revision, out.Sent, out.Mailed = *sent, 0, true, len(mails)
	return c.audit(ctx, tx, "send", auditProgressReport, sent.ID)
}

// checkReport makes the report of one period from what was typed, with an entry for each goal
// of the plan in its order, and says what is wrong with it, field by field (entries[i] is the
// plan's i-th goal).
func checkReport(desk *ProgressDesk, in ReportInput) (iep.ProgressReport, iep.Problems) {
	var ps iep.Problems
	for _, f := range in.Unreadable {
		ps = append(ps, iep.Problem{Field: f, Code: iep.CodeInvalid})
	}
	r := iep.ProgressReport{Period: strings.TrimSpace(in.Period), PeriodEnd: in.End}
	if in.Send && r.Period == "" {
		ps = append(ps, iep.Problem{Field: "period", Code: iep.CodeRequired})
	}
	dates := desk.Plan.Content.ProgressReporting.ReportDates
	known := slices.ContainsFunc(desk.Periods, func(p ReportPeriod) bool { return p.End == in.End && !p.Open })
	switch {
	case slices.Contains(in.Unreadable, "period_end"):
	case in.End.IsZero():
		ps = append(ps, iep.Problem{Field: "period_end", Code: iep.CodeRequired})
	case len(dates) > 0 && !known:
		ps = append(ps, iep.Problem{Field: "period_end", Code: iep.CodeChoice, Detail: "a report date of the plan"})
	case len(dates) == 0 && !known && in.End.After(desk.Today):
		ps = append(ps, iep.Problem{Field: "period_end", Code: iep.CodeInvalid, Detail: "a date in the future"})
	}
	typed := map[string]iep.ProgressEntry{}
	for i, e := range in.Entries {
		if !slices.ContainsFunc(desk.Goals, func(g GoalSeries) bool { return g.Goal.ID == e.GoalID }) {
			ps = append(ps, iep.Problem{Field: fmt.Sprintf("entries[%d].goal_id", i), Code: iep.CodeChoice, Detail: "a goal of the plan in effect"})
		}
		typed[e.GoalID] = e
	}
	ratings := []iep.ProgressRating{iep.RatingSufficient, iep.RatingInsufficient, iep.RatingMet, iep.RatingNotIntroduced}
	for i, g := range desk.Goals {
		e := typed[g.Goal.ID]
		e.GoalID, e.Narrative = g.Goal.ID, strings.TrimSpace(strings.ReplaceAll(e.Narrative, "\r\n", "\n"))
		field := fmt.Sprintf("entries[%d].rating", i)
		switch {
		case e.Rating != "" && !slices.Contains(ratings, e.Rating):
			ps = append(ps, iep.Problem{Field: field, Code: iep.CodeChoice, Detail: "sufficient, insufficient, met, not_introduced"})
		case e.Rating == "" && in.Send:
			ps = append(ps, iep.Problem{Field: field, Code: iep.CodeRequired})
		}
		r.Entries = append(r.Entries, e)
	}
	return r, ps
}

// reportConflict turns the conflict of a save into a *ReportConflictError carrying the report as
// it is now: the draft of the period (saved by someone else, or started by someone else when this
// one was new), or the report sent under the draft's id. Another conflict is returned as it is.
func (s *Service) reportConflict(ctx context.Context, c *step, planID string, r iep.ProgressReport, in ReportInput, cause error) error {
	if in.DraftID != "" {
		reports, err := s.db.ListProgressReports(ctx, c.district, planID)
		if err != nil {
			return err
		}
		if i := slices.IndexFunc(reports, func(x iep.ProgressReport) bool { return x.ID == in.DraftID }); i >= 0 {
			return &ReportConflictError{Sent: &reports[i]}
		}
	}
	drafts, err := s.db.ListProgressDrafts(ctx, c.district, planID)
	if err != nil {
		return err
	}
	for i := range drafts {
		if drafts[i].ID == in.DraftID || (in.DraftID == "" && drafts[i].PeriodEnd == r.PeriodEnd) {
			return &ReportConflictError{Current: &drafts[i]}
		}
	}
	return cause
}

// recipient is someone told by e-mail that a progress report is ready: a guardian holding the
// rights, or the adult student (adult).
type recipient struct {
	to, lang, name string
	adult          bool
}

// reportMail is what the e-mails of a sent report are made from, read before the transaction
// that sends it.
type reportMail struct {
	district string // the district's name
	to       []recipient
}

// reportMail reads the district's name and the recipients of a report's e-mails.
func (s *Service) reportMail(ctx context.Context, c *step) (reportMail, error) {
	d, err := s.db.GetDistrict(ctx, c.district)
	if err != nil {
		return reportMail{}, err
	}
	to, err := s.reportRecipients(ctx, c)
	return reportMail{district: d.Name, to: to}, err
}

// reportRecipients are who is told that a progress report was sent: each guardian holding the
// educational rights who has an e-mail address, in their language (guardianMailLanguage); once
// the rights have passed to the student (34 CFR 300.520), the adult student, at their account's
// address, in the language they chose or their home language.
func (s *Service) reportRecipients(ctx context.Context, c *step) ([]recipient, error) {
	adult, err := s.rightsTransferred(ctx, c.district, c.student, s.now().In(c.loc))
	if err != nil {
		return nil, err
	}
	if adult {
		acc, err := s.db.GetAccountBySubject(ctx, c.district, store.AccountStudent, c.student)
		if iep.KindOf(err) == iep.KindNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		st, err := s.db.GetStudent(ctx, c.district, c.student)
		if err != nil {
			return nil, err
		}
		lang := st.HomeLanguage
		if i18n.Supported(acc.Language) {
			lang = acc.Language
		}
		return []recipient{{to: acc.Email, lang: mailLanguage(lang), name: st.DisplayName(), adult: true}}, nil
	}
	links, err := s.db.ListGuardians(ctx, c.district, c.student)
	if err != nil {
		return nil, err
	}
	var out []recipient
	for _, l := range links {
		if !l.Link.HoldsEducationalRights || l.Guardian.Email() == "" {
			continue
		}
		lang, err := s.guardianMailLanguage(ctx, c.district, &l.Guardian)
		if err != nil {
			return nil, err
		}
		out = append(out, recipient{to: l.Guardian.Email(), lang: lang, name: l.Guardian.Name()})
	}
	return out, nil
}

// reportMails are the e-mails that a progress report is ready, one per recipient, in their
// language: the district, the period's last day and the link to the family's progress page. The
// child is not named and nothing of the report is in it (e-mail leaves the system): the page, after
// signing in, has it all.
func (s *Service) reportMails(c *step, district string, r *iep.ProgressReport, to []recipient) []store.OutboxMail {
	link := s.publicURL + "/districts/" + url.PathEscape(c.district) + "/family/" + url.PathEscape(c.student) + "/progress"
	out := make([]store.OutboxMail, 0, len(to))
	for _, p := range to {
		t := func(key string, args ...any) string { return i18n.Message(p.lang, key, args...) }
		day := t("date.long", r.PeriodEnd.Day, t("month."+strconv.Itoa(int(r.PeriodEnd.Month))), r.PeriodEnd.Year)
		var b strings.Builder
		if p.name != "" {
			b.WriteString(t("password.mail.hello_name", p.name))
		} else {
			b.WriteString(t("password.mail.hello"))
		}
		ready := "progress.mail.ready"
		if p.adult {
			ready = "progress.mail.ready_adult"
		}
		fmt.Fprintf(&b, "\n\n%s\n\n%s\n%s\n\n%s\n", t(ready, district, day), t("progress.mail.see"), link, t("progress.mail.questions"))
		out = append(out, store.OutboxMail{DistrictID: c.district, Kind: progressMailKind, To: p.to,
			Subject: t("progress.mail.subject"), BodyText: b.String()})
	}
	return out
}
