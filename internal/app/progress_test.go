package app

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// progressFixture is newFixture with the first student's plan in effect (2025-09-01 to
// 2026-08-31; a reading goal with numbers and a unit, a math goal without; four report dates,
// the first reported), its case manager (edit_plan) and a speech-language pathologist on its team
// (log_service and, as a team member, edit_plan), a teacher of the school on no team, a mother holding the rights (Spanish, with an e-mail address) and a father
// without them. Today is March 15, 2026 in the district.
type progressFixture struct {
	*fixture
	cm, slp, mother Actor
	teacher         Actor // a teacher of the student's school, on no team: directory only
	plan            string
}

var reportDates = []date.Date{date.MustParse("2025-11-21"), date.MustParse("2026-01-30"), date.MustParse("2026-04-10"), date.MustParse("2026-06-19")}

func newProgressFixture(t *testing.T) *progressFixture {
	t.Helper()
	f := &progressFixture{fixture: newFixture(t, 2)}
	ctx := context.Background()
	err := f.svc.db.Write(ctx, func(tx *store.Tx) error {
		draft, err := tx.GetPlan(ctx, f.district, f.planID)
		if err != nil {
			return err
		}
		slp := &iep.Staff{DistrictID: f.district, FirstName: "Sam", LastName: "Speech", Roles: []iep.StaffRole{iep.RoleSpeechLanguage}, Active: true}
		teacher := &iep.Staff{DistrictID: f.district, FirstName: "Gen", LastName: "Ed", Roles: []iep.StaffRole{iep.RoleGeneralEducationTeacher},
			SchoolIDs: []string{f.school}, Active: true}
		for _, st := range []*iep.Staff{slp, teacher} {
			if err := tx.CreateStaff(ctx, st); err != nil {
				return err
			}
		}
		f.teacher = Actor{Kind: ActorStaff, ID: teacher.ID, DistrictID: f.district, AccountID: "account-teacher", Roles: teacher.Roles, SchoolIDs: teacher.SchoolIDs}
		base, target := 40.0, 90.0
		p := &iep.Plan{DistrictID: f.district, StudentID: f.student, Kind: iep.PlanAnnual, Status: iep.StatusAccepted, SchoolID: f.school,
			CaseManagerID: draft.CaseManagerID, StartDate: date.MustParse("2025-09-01"), EndDate: date.MustParse("2026-08-31"),
			Content: iep.Content{
				Goals: iep.Goals{Goals: []iep.Goal{
					{ID: "g1", Area: "Reading", Statement: "Reads 90 words a minute", Baseline: "40", BaselineValue: &base, Target: "90",
						TargetValue: &target, Unit: "wcpm", MeasurementMethod: "probes", Schedule: "biweekly"},
					{ID: "g2", Area: "Math", Statement: "Solves two-step problems", Baseline: "2 of 10", Target: "8 of 10",
						MeasurementMethod: "work samples", Schedule: "monthly"}}},
				ProgressReporting: iep.ProgressReporting{Method: "written", Frequency: "quarterly", ReportDates: reportDates},
			}}
		draft.Status = iep.StatusCancelled
		if err := tx.UpdatePlanHeader(ctx, draft); err != nil {
			return err
		}
		if err := tx.CreatePlan(ctx, p, draft.CaseManagerID); err != nil {
			return err
		}
		if _, err := tx.FreezePlan(ctx, f.district, p.ID, draft.CaseManagerID); err != nil {
			return err
		}
		f.plan = p.ID
		if err := tx.AddTeamMember(ctx, &iep.TeamMember{DistrictID: f.district, PlanID: p.ID, Role: iep.TeamRelatedServiceProvider, StaffID: slp.ID}); err != nil {
			return err
		}
		mother := &iep.Guardian{DistrictID: f.district, FirstName: "Rosa", LastName: "Family", PreferredLanguage: "es-MX",
			ContactMethods: []iep.ContactMethod{{Kind: iep.ContactEmail, Value: "rosa@example.org", Preferred: true}}}
		father := &iep.Guardian{DistrictID: f.district, FirstName: "Pat", LastName: "Family", PreferredLanguage: "en",
			ContactMethods: []iep.ContactMethod{{Kind: iep.ContactEmail, Value: "pat@example.org"}}}
		for i, g := range []*iep.Guardian{mother, father} {
			if err := tx.CreateGuardian(ctx, g); err != nil {
				return err
			}
			if err := tx.LinkGuardian(ctx, &iep.StudentGuardian{DistrictID: f.district, StudentID: f.student, GuardianID: g.ID,
				Relationship: iep.RelMother, HoldsEducationalRights: i == 0, ContactOrder: i + 1}); err != nil {
				return err
			}
		}
		f.cm = Actor{Kind: ActorStaff, ID: draft.CaseManagerID, DistrictID: f.district, AccountID: "account-cm", Roles: []iep.StaffRole{iep.RoleCaseManager}}
		f.slp = Actor{Kind: ActorStaff, ID: slp.ID, DistrictID: f.district, AccountID: "account-slp", Roles: slp.Roles}
		f.mother = Actor{Kind: ActorGuardian, ID: mother.ID, DistrictID: f.district, AccountID: "account-mother"}
		return tx.CreateProgressReport(ctx, &iep.ProgressReport{DistrictID: f.district, PlanID: p.ID, Period: "Report 1", PeriodEnd: reportDates[0],
			SentOn: date.MustParse("2025-11-24"), Entries: []iep.ProgressEntry{{GoalID: "g1", Rating: iep.RatingSufficient}, {GoalID: "g2", Rating: iep.RatingNotIntroduced}}})
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return f
}

func ptr(f float64) *float64 { return &f }

// problemFields are the fields an invalid error names, in order.
func problemFields(err error) []string {
	var e *iep.Error
	if !errors.As(err, &e) {
		return nil
	}
	var out []string
	for _, p := range e.Problems {
		out = append(out, p.Field+":"+p.Code)
	}
	return out
}

// TestTrendLine: the least-squares line through known points has a known slope and intercept;
// fewer than three points, or points on one day, have none.
func TestTrendLine(t *testing.T) {
	day := date.MustParse("2026-01-05")
	series := func(vs ...[2]float64) GoalSeries {
		var g GoalSeries
		for _, v := range vs {
			g.Points = append(g.Points, iep.ProgressPoint{Date: day.AddDays(int(v[0])), Value: v[1]})
		}
		return g
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	for _, tt := range []struct {
		name       string
		g          GoalSeries
		ok         bool
		at, perDay float64
	}{
		// x 0, 7, 14; y 10, 12, 17: x̄ 7, ȳ 13, Σdxdy 49, Σdx² 98 → 0.5 a day, 9.5 on the first day.
		{"three points", series([2]float64{0, 10}, [2]float64{7, 12}, [2]float64{14, 17}), true, 9.5, 0.5},
		// Exactly on a line: y = 20 − 2x/7 (falling 2 a week).
		{"a falling line", series([2]float64{0, 20}, [2]float64{7, 18}, [2]float64{14, 16}, [2]float64{28, 12}), true, 20, -2.0 / 7},
		{"out of order", series([2]float64{14, 17}, [2]float64{0, 10}, [2]float64{7, 12}), true, 9.5, 0.5},
		{"flat", series([2]float64{0, 5}, [2]float64{3, 5}, [2]float64{9, 5}), true, 5, 0},
		{"two points", series([2]float64{0, 10}, [2]float64{7, 12}), false, 0, 0},
		{"one day", series([2]float64{3, 10}, [2]float64{3, 12}, [2]float64{3, 17}), false, 0, 0},
		{"none", GoalSeries{}, false, 0, 0},
	} {
		l, ok := tt.g.Trend()
		if ok != tt.ok || !near(l.At, tt.at) || !near(l.PerDay, tt.perDay) {
			t.Errorf("%s: Trend() = %+v, %v; want at %v, %v a day, %v", tt.name, l, ok, tt.at, tt.perDay, tt.ok)
		}
		if ok && l.From != tt.g.Points[slices.IndexFunc(tt.g.Points, func(p iep.ProgressPoint) bool { return p.Date == l.From })].Date {
			t.Errorf("%s: the line starts on %s, not on a measurement", tt.name, l.From)
		}
	}
	if l, _ := series([2]float64{0, 10}, [2]float64{7, 12}, [2]float64{14, 17}).Trend(); !near(l.Value(day.AddDays(10)), 14.5) || !near(l.PerWeek(), 3.5) {
		t.Errorf("Value(day 10) = %v, PerWeek = %v; want 14.5, 3.5", l.Value(day.AddDays(10)), l.PerWeek())
	}
}

// TestAimLine: from the baseline on the plan's first day to the target on its last.
func TestAimLine(t *testing.T) {
	start, end := date.MustParse("2025-09-01"), date.MustParse("2026-08-31") // 364 days
	g := GoalSeries{Goal: iep.Goal{BaselineValue: ptr(40), TargetValue: ptr(90)}}
	l, ok := g.Aim(start, end)
	if !ok || l.From != start || l.At != 40 || math.Abs(l.PerDay-50.0/364) > 1e-12 || math.Abs(l.Value(end)-90) > 1e-9 {
		t.Errorf("Aim = %+v, %v; want 40 on %s rising 50/364 a day to 90 on %s", l, ok, start, end)
	}
	for name, x := range map[string]struct {
		g          GoalSeries
		start, end date.Date
	}{
		"no target":     {GoalSeries{Goal: iep.Goal{BaselineValue: ptr(40)}}, start, end},
		"no baseline":   {GoalSeries{Goal: iep.Goal{TargetValue: ptr(90)}}, start, end},
		"no dates":      {g, date.Date{}, end},
		"end not after": {g, end, start},
	} {
		if _, ok := x.g.Aim(x.start, x.end); ok {
			t.Errorf("%s: Aim is drawn", name)
		}
	}
}

func TestAddProgressPoint(t *testing.T) {
	f := newProgressFixture(t)
	ctx := context.Background()
	today := date.MustParse("2026-03-15")
	// The provider adds a point; the unit is the goal's.
	pt, err := f.svc.AddProgressPoint(ctx, f.slp, f.district, f.student, PointInput{GoalID: "g1", Date: today, Value: ptr(47.5), Note: " cold read "})
	if err != nil {
		t.Fatal(err)
	}
	if pt.Unit != "wcpm" || pt.PlanID != f.plan || pt.RecordedBy != f.slp.ID || pt.Note != "cold read" {
		t.Errorf("point = %+v", pt)
	}
	desk, err := f.svc.ProgressDesk(ctx, f.admin, f.district, f.student)
	if err != nil {
		t.Fatal(err)
	}
	if got := desk.Goals[0].Points; len(got) != 1 || got[0].ID != pt.ID || got[0].Value != 47.5 {
		t.Errorf("the desk's points of g1 = %+v", got)
	}
	entries, _ := f.svc.db.ListAudit(ctx, f.district, f.student, 0)
	if i := slices.IndexFunc(entries, func(e store.AuditEntry) bool { return e.Action == "create" && e.RecordKind == "progress_point" }); i < 0 ||
		entries[i].RecordID != pt.ID || entries[i].ActorID != f.slp.ID || entries[i].Reason != "assigned_provider" {
		t.Errorf("audit = %+v, want the provider's create of the point", entries)
	}

	// A goal without a unit: the first point needs one, the next takes the last point's.
	_, err = f.svc.AddProgressPoint(ctx, f.admin, f.district, f.student, PointInput{GoalID: "g2", Date: today, Value: ptr(3)})
	if got := problemFields(err); !slices.Equal(got, []string{"unit:required"}) {
		t.Errorf("a point without a unit: problems %v (%v)", got, err)
	}
	if _, err := f.svc.AddProgressPoint(ctx, f.admin, f.district, f.student, PointInput{GoalID: "g2", Date: today.AddDays(-7), Value: ptr(3), Unit: "of 10"}); err != nil {
		t.Fatal(err)
	}
	if pt, err := f.svc.AddProgressPoint(ctx, f.admin, f.district, f.student, PointInput{GoalID: "g2", Date: today, Value: ptr(4)}); err != nil || pt.Unit != "of 10" {
		t.Errorf("the next point: %+v, %v; want the last point's unit", pt, err)
	}

	// What is wrong is said at its field, and nothing is written.
	for name, tt := range map[string]struct {
		in   PointInput
		want []string
	}{
		"nothing":         {PointInput{}, []string{"goal_id:choice", "date:required", "value:required", "unit:required"}},
		"a future date":   {PointInput{GoalID: "g1", Date: today.AddDays(1), Value: ptr(50)}, []string{"date:invalid"}},
		"not a number":    {PointInput{GoalID: "g1", Date: today, Unreadable: []string{"value"}}, []string{"value:invalid"}},
		"not a date":      {PointInput{GoalID: "g1", Value: ptr(50), Unreadable: []string{"date"}}, []string{"date:invalid"}},
		"another goal":    {PointInput{GoalID: "g9", Date: today, Value: ptr(50), Unit: "x"}, []string{"goal_id:choice"}},
		"an infinite one": {PointInput{GoalID: "g1", Date: today, Value: ptr(math.Inf(1))}, []string{"value:invalid"}},
	} {
		_, err := f.svc.AddProgressPoint(ctx, f.admin, f.district, f.student, tt.in)
		if iep.KindOf(err) != iep.KindInvalid || !slices.Equal(problemFields(err), tt.want) {
			t.Errorf("%s: AddProgressPoint = %v; want problems %v", name, err, tt.want)
		}
	}
	if points, _ := f.svc.db.ListProgressPoints(ctx, f.district, f.plan); len(points) != 3 {
		t.Errorf("%d points stored, want 3", len(points))
	}

	// Who: the case manager may not log (edit_plan is not log_service); the family and another
	// district find nothing.
	in := PointInput{GoalID: "g1", Date: today, Value: ptr(50)}
	for name, x := range map[string]struct {
		a    Actor
		want iep.Kind
	}{
		"case manager": {f.cm, iep.KindForbidden}, "parent": {f.mother, iep.KindNotFound}, "another district": {f.otherAdmin, iep.KindNotFound},
		"anonymous": {Anonymous, iep.KindUnauthenticated},
	} {
		if _, err := f.svc.AddProgressPoint(ctx, x.a, f.district, f.student, in); iep.KindOf(err) != x.want {
			t.Errorf("%s: AddProgressPoint = %v, want %s", name, err, x.want)
		}
	}
}

// TestProgressDeskPeriods: the plan's report dates are the periods; the one passed without a
// report sent is due; the page says who may log and who may report, and is read once.
func TestProgressDeskPeriods(t *testing.T) {
	f := newProgressFixture(t)
	ctx := context.Background()
	desk, err := f.svc.ProgressDesk(ctx, f.cm, f.district, f.student)
	if err != nil {
		t.Fatal(err)
	}
	if desk.Plan == nil || desk.Plan.ID != f.plan || len(desk.Goals) != 2 || desk.Today != date.MustParse("2026-03-15") {
		t.Fatalf("desk: plan %v, %d goals, today %s", desk.Plan, len(desk.Goals), desk.Today)
	}
	var ends []date.Date
	for _, p := range desk.Periods {
		ends = append(ends, p.End)
		if p.Of != 4 || p.N != len(ends) {
			t.Errorf("period %s: %d of %d", p.End, p.N, p.Of)
		}
	}
	if !slices.Equal(ends, reportDates) {
		t.Errorf("periods end %v, want the report dates %v", ends, reportDates)
	}
	if due := desk.Due(); len(due) != 1 || due[0].End != reportDates[1] {
		t.Errorf("Due() = %+v, want the period ending %s only (the first was sent, the others are not over)", due, reportDates[1])
	}
	if s := desk.Periods[0].Sent(); s == nil || s.Period != "Report 1" {
		t.Errorf("the first period's sent report = %+v", s)
	}
	if !desk.MayReport || desk.MayLog {
		t.Errorf("case manager: may report %v, may log %v; want true, false", desk.MayReport, desk.MayLog)
	}
	// A provider on the team logs and, being on the team, reports too.
	if d, err := f.svc.ProgressDesk(ctx, f.slp, f.district, f.student); err != nil || !d.MayReport || !d.MayLog {
		t.Errorf("provider: %v; may report %v, may log %v; want true, true", err, d != nil && d.MayReport, d != nil && d.MayLog)
	}
	if _, err := f.svc.ProgressDesk(ctx, f.teacher, f.district, f.student); iep.KindOf(err) != iep.KindForbidden {
		t.Errorf("a teacher of the school, on no team: ProgressDesk = %v, want forbidden", err)
	}
	entries, _ := f.svc.db.ListAudit(ctx, f.district, f.student, 0)
	if len(entries) != 2 || entries[0].Action != "read" || entries[0].RecordKind != "progress" || entries[1].Reason != "case_manager" {
		t.Errorf("audit = %+v, want two reads of progress, the first the case manager's", entries)
	}
	for name, a := range map[string]Actor{"parent": f.mother, "another district": f.otherAdmin} {
		if _, err := f.svc.ProgressDesk(ctx, a, f.district, f.student); iep.KindOf(err) != iep.KindNotFound {
			t.Errorf("%s: ProgressDesk = %v, want not found", name, err)
		}
	}
}

// TestProgressReportLifecycle: a report saved as a draft (unfinished, unseen by the family),
// edited, refused from a stale revision with the other version, refused to be sent unfinished,
// then sent: today's date, the ledger's event, the e-mail to the guardian holding the rights in
// her language; a sent report is never changed, and a correction is a new report.
func TestProgressReportLifecycle(t *testing.T) {
	f := newProgressFixture(t)
	ctx := context.Background()
	end := reportDates[1]
	draftIn := ReportInput{Period: "Report 2", End: end, Entries: []iep.ProgressEntry{
		{GoalID: "g1", Rating: iep.RatingSufficient, Narrative: "Up 6 wcpm.\r\nSteady."}, {GoalID: "g2", Narrative: "Started."}}}
	saved, err := f.svc.SaveProgressReport(ctx, f.cm, f.district, f.student, draftIn)
	if err != nil {
		t.Fatal(err)
	}
	if saved.Sent || saved.Revision != 1 || saved.Report.Entries[0].Narrative != "Up 6 wcpm.\nSteady." || saved.Report.Entries[1].Rating != "" {
		t.Errorf("draft = %+v", saved)
	}
	id := saved.Report.ID
	fp, err := f.svc.FamilyProgress(ctx, f.mother, f.district, f.student)
	if err != nil {
		t.Fatal(err)
	}
	if len(fp.Reports) != 1 {
		t.Errorf("the family sees %d reports, want only the one sent (not the draft)", len(fp.Reports))
	}

	// Edited from revision 1; a second writer still at revision 1 is told, with the current text.
	edit := draftIn
	edit.DraftID, edit.Base = id, 1
	edit.Entries = []iep.ProgressEntry{{GoalID: "g1", Rating: iep.RatingSufficient, Narrative: "Up 8 wcpm."}, {GoalID: "g2", Narrative: "Started."}}
	if saved, err = f.svc.SaveProgressReport(ctx, f.cm, f.district, f.student, edit); err != nil || saved.Revision != 2 {
		t.Fatalf("edit: %+v, %v", saved, err)
	}
	stale := draftIn
	stale.DraftID, stale.Base = id, 1
	_, err = f.svc.SaveProgressReport(ctx, f.admin, f.district, f.student, stale)
	var ce *ReportConflictError
	if !errors.As(err, &ce) || iep.KindOf(err) != iep.KindConflict || ce.Current == nil || ce.Current.Revision != 2 || ce.Current.Entries[0].Narrative != "Up 8 wcpm." {
		t.Errorf("stale save = %v, want a conflict carrying revision 2", err)
	}
	// Another draft of the same period, started meanwhile, is the same conflict.
	if _, err = f.svc.SaveProgressReport(ctx, f.admin, f.district, f.student, draftIn); !errors.As(err, &ce) || ce.Current == nil || ce.Current.ID != id {
		t.Errorf("a second new draft of the period = %v, want a conflict with the first", err)
	}

	// Sending needs every goal rated; the draft stays.
	send := edit
	send.Base, send.Send = 2, true
	_, err = f.svc.SaveProgressReport(ctx, f.cm, f.district, f.student, send)
	if got := problemFields(err); !slices.Equal(got, []string{"entries[1].rating:required"}) {
		t.Errorf("send unfinished: problems %v (%v)", got, err)
	}
	send.Entries[1].Rating = iep.RatingInsufficient
	sent, err := f.svc.SaveProgressReport(ctx, f.cm, f.district, f.student, send)
	if err != nil {
		t.Fatal(err)
	}
	if !sent.Sent || sent.Report.ID != id || sent.Report.SentOn != date.MustParse("2026-03-15") || sent.Mailed != 1 {
		t.Errorf("sent = %+v, want report %s sent on March 15, one mail", sent, id)
	}
	if reports, _ := f.svc.db.ListProgressReports(ctx, f.district, f.plan); len(reports) != 2 || reports[1].ID != id || reports[1].Entries[1].Rating != iep.RatingInsufficient {
		t.Errorf("reports = %+v", reports)
	}
	if drafts, _ := f.svc.db.ListProgressDrafts(ctx, f.district, f.plan); len(drafts) != 0 {
		t.Errorf("drafts after sending = %+v", drafts)
	}
	events, _ := f.svc.db.ListEvents(ctx, f.district, f.student)
	if i := slices.IndexFunc(events, func(e iep.Event) bool { return e.Kind == iep.EventProgressReportSent }); i < 0 ||
		!strings.Contains(string(events[i].Data), id) || events[i].PlanID != f.plan || events[i].ActorID != f.cm.ID {
		t.Errorf("events = %+v, want progress_report_sent naming the report", events)
	}
	mails, err := f.svc.db.ClaimMail(ctx, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var mine []store.OutboxMail
	for _, m := range mails {
		if m.Kind == progressMailKind {
			mine = append(mine, m)
		}
	}
	if len(mine) != 1 || mine[0].To != "rosa@example.org" || mine[0].Subject != i18n.Message("es", "progress.mail.subject") {
		t.Fatalf("mails = %+v, want one to the mother holding the rights, in Spanish", mine)
	}
	body := mine[0].BodyText
	for _, want := range []string{"Hola, Rosa Family:", "30 de enero de 2026", "/districts/" + f.district + "/family/" + f.student + "/progress"} {
		if !strings.Contains(body, want) {
			t.Errorf("the mail lacks %q:\n%s", want, body)
		}
	}
	for _, never := range []string{"L000", "Up 8", "Started", "Report 2"} { // the child's name, the narratives, the period
		if strings.Contains(body, never) {
			t.Errorf("the mail says %q:\n%s", never, body)
		}
	}

	// A sent report is never changed; a correction is a new draft of the period.
	send.Base = 3
	if _, err = f.svc.SaveProgressReport(ctx, f.cm, f.district, f.student, send); !errors.As(err, &ce) || ce.Sent == nil || ce.Sent.ID != id {
		t.Errorf("changing the sent report = %v, want a conflict carrying it", err)
	}
	correction := draftIn
	correction.Period = "Report 2 (correction)"
	if c, err := f.svc.SaveProgressReport(ctx, f.cm, f.district, f.student, correction); err != nil || c.Report.ID == id {
		t.Errorf("a correction: %+v, %v", c, err)
	}
	desk, err := f.svc.ProgressDesk(ctx, f.cm, f.district, f.student)
	if err != nil {
		t.Fatal(err)
	}
	if p := desk.Periods[1]; p.Due || p.Sent() == nil || p.Sent().ID != id || p.Draft == nil || p.Draft.Period != "Report 2 (correction)" {
		t.Errorf("the second period: due %v, sent %+v, draft %+v", p.Due, p.Sent(), p.Draft)
	}
	if len(desk.Due()) != 0 {
		t.Errorf("Due() = %+v after sending", desk.Due())
	}
	entries, _ := f.svc.db.ListAudit(ctx, f.district, f.student, 0)
	var actions []string
	for _, e := range slices.Backward(entries) { // oldest first
		if e.RecordKind == "progress_report" {
			actions = append(actions, e.Action)
		}
	}
	if !slices.Equal(actions, []string{"create", "update", "send", "create"}) {
		t.Errorf("audit of the reports = %v", actions)
	}
}

// TestProgressReportRules: the period must be one of the plan's report dates; staff who are not
// on the team may not write reports, nor may the family.
func TestProgressReportRules(t *testing.T) {
	f := newProgressFixture(t)
	ctx := context.Background()
	in := ReportInput{Period: "Odd", End: date.MustParse("2026-02-14")}
	if _, err := f.svc.SaveProgressReport(ctx, f.cm, f.district, f.student, in); !slices.Equal(problemFields(err), []string{"period_end:choice"}) {
		t.Errorf("a day that is no report date: %v", err)
	}
	in = ReportInput{End: reportDates[2], Send: true, Entries: []iep.ProgressEntry{{GoalID: "g7", Rating: "great"}},
		Unreadable: []string{"period_end"}}
	_, err := f.svc.SaveProgressReport(ctx, f.cm, f.district, f.student, in)
	if got := problemFields(err); !slices.Equal(got, []string{"period_end:invalid", "period:required", "entries[0].goal_id:choice",
		"entries[0].rating:required", "entries[1].rating:required"}) {
		t.Errorf("everything wrong: problems %v", got)
	}
	in = ReportInput{Period: "Report 3", End: reportDates[2]}
	for name, x := range map[string]struct {
		a    Actor
		want iep.Kind
	}{
		"a teacher on no team": {f.teacher, iep.KindForbidden}, "parent": {f.mother, iep.KindNotFound},
		"another district": {f.otherAdmin, iep.KindNotFound},
	} {
		if _, err := f.svc.SaveProgressReport(ctx, x.a, f.district, f.student, in); iep.KindOf(err) != x.want {
			t.Errorf("%s: SaveProgressReport = %v, want %s", name, err, x.want)
		}
	}
	if drafts, _ := f.svc.db.ListProgressDrafts(ctx, f.district, f.plan); len(drafts) != 0 {
		t.Errorf("refused reports were written: %+v", drafts)
	}
}

// TestProgressReportWithoutDates: a plan that names no report dates offers the period ending
// today, named by the writer; a period may not end in the future. No guardian has an e-mail
// address: the report is sent and nobody is mailed.
func TestProgressReportWithoutDates(t *testing.T) {
	f := newFamilyFixture(t)
	ctx := context.Background()
	desk, err := f.svc.ProgressDesk(ctx, f.staff, f.district, f.student)
	if err != nil {
		t.Fatal(err)
	}
	today := date.MustParse("2026-03-15")
	last := desk.Periods[len(desk.Periods)-1]
	if !last.Open || last.End != today || len(desk.Due()) != 0 {
		t.Errorf("periods = %+v, want the open period ending today last, none due", desk.Periods)
	}
	in := ReportInput{Period: "Winter check-in", End: today.AddDays(1), Entries: []iep.ProgressEntry{{GoalID: "g1", Rating: iep.RatingMet}}, Send: true}
	if _, err := f.svc.SaveProgressReport(ctx, f.staff, f.district, f.student, in); !slices.Equal(problemFields(err), []string{"period_end:invalid"}) {
		t.Errorf("a period ending tomorrow: %v", err)
	}
	in.End = today
	out, err := f.svc.SaveProgressReport(ctx, f.staff, f.district, f.student, in)
	if err != nil || !out.Sent || out.Mailed != 0 || out.Report.Period != "Winter check-in" {
		t.Errorf("sent: %+v, %v", out, err)
	}
}
