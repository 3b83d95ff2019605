package app

import (
	"context"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

func TestReportingYear(t *testing.T) {
	for _, c := range []struct{ day, from, to string }{
		{"2026-03-15", "2025-07-01", "2026-06-30"},
		{"2026-06-30", "2025-07-01", "2026-06-30"},
		{"2026-07-01", "2026-07-01", "2027-06-30"},
		{"2026-12-31", "2026-07-01", "2027-06-30"},
	} {
		from, to := ReportingYear(date.MustParse(c.day))
		if from.String() != c.from || to.String() != c.to {
			t.Errorf("ReportingYear(%s) = %s, %s; want %s, %s", c.day, from, to, c.from, c.to)
		}
	}
}

// TestDistrictDashboard: administrators and state viewers see the same counts (only the first
// may open the students behind them), other staff are refused, another district finds nothing;
// the family's window is left out; the read is audited; an unknown school is refused.
func TestDistrictDashboard(t *testing.T) {
	f := newFixture(t, 2)
	ctx := context.Background()
	db := f.svc.db
	today := date.MustParse("2026-03-15") // testNow in New York
	err := db.Write(ctx, func(tx *store.Tx) error {
		return tx.ReplaceDeadlines(ctx, f.district, f.student, []store.Deadline{
			{Clock: "services_start", Citation: "c", SchoolID: f.school, Start: today.AddDays(-20), Due: today.AddDays(-3), Soon: today.AddDays(-8)},
			{Clock: "services_start", Citation: "c", SchoolID: f.school, Start: today.AddDays(-90), Due: today.AddDays(-80), MetOn: today.AddDays(-82)},
			{Clock: "annual_review", Citation: "c", SchoolID: f.school, Start: today.AddDays(-400), Due: today.AddDays(-35), MetOn: today.AddDays(-30)},
			{Clock: "annual_review", Citation: "c", SchoolID: f.school, Start: today.AddDays(-300), Due: today.AddDays(2), Soon: today.AddDays(-28)},
			{Clock: "parent_response", Citation: "c", SchoolID: f.school, Start: today.AddDays(-50), Due: today.AddDays(-20), Soon: today.AddDays(-27)},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	dash, err := f.svc.DistrictDashboard(ctx, f.admin, f.district, "")
	if err != nil {
		t.Fatal(err)
	}
	if !dash.Drill || dash.Today != today || dash.From.String() != "2025-07-01" || dash.Through.String() != "2026-03-31" {
		t.Errorf("drill %v, today %s, from %s, through %s", dash.Drill, dash.Today, dash.From, dash.Through)
	}
	want := store.Compliance{Overdue: 1, DueSoon: 1, OverdueThisYear: 1, OnTime: 1, Late: 1}
	if dash.Total.Compliance != want || dash.Total.Decided() != 3 || int(dash.Total.Rate()+0.5) != 33 {
		t.Errorf("total = %+v (decided %d, rate %.1f), want %+v", dash.Total, dash.Total.Decided(), dash.Total.Rate(), want)
	}
	if len(dash.BySchool) != 1 || dash.BySchool[0].ID != f.school || dash.BySchool[0].Compliance != dash.Total {
		t.Errorf("by school = %+v", dash.BySchool)
	}
	byClock := map[string]store.Compliance{}
	for _, r := range dash.ByClock {
		byClock[r.ID] = r.Compliance.Compliance
	}
	if _, ok := byClock["parent_response"]; ok || len(dash.Excluded) != 1 || dash.Excluded[0] != "parent_response" {
		t.Errorf("the family's window is counted: %v, excluded %v", byClock, dash.Excluded)
	}
	if byClock["services_start"] != (store.Compliance{Overdue: 1, OverdueThisYear: 1, OnTime: 1}) || byClock["annual_review"] != (store.Compliance{DueSoon: 1, Late: 1}) {
		t.Errorf("by clock = %+v", byClock)
	}
	if _, ok := byClock["referral_notice"]; !ok {
		t.Error("a clock of the pack with nothing to count has no row")
	}
	var months []string
	for _, m := range dash.Months {
		months = append(months, m.Month.String()[:7])
	}
	if len(months) != 9 || months[0] != "2025-07" || months[8] != "2026-03" || dash.Months[8].Overdue != 1 || dash.Months[7].Late != 1 {
		t.Errorf("months = %v %+v", months, dash.Months)
	}

	viewer := Actor{Kind: ActorStateViewer, ID: "viewer", AccountID: "acc", Roles: []iep.StaffRole{iep.RoleStateViewer}}
	seen, err := f.svc.DistrictDashboard(ctx, viewer, f.district, f.school)
	if err != nil || seen.Drill || seen.Total != dash.Total || seen.School == nil || len(seen.BySchool) != 0 {
		t.Errorf("the state viewer: %+v, %v", seen, err)
	}
	caseManager := Actor{Kind: ActorStaff, ID: "cm", DistrictID: f.district, AccountID: "acc-cm", Roles: []iep.StaffRole{iep.RoleCaseManager}}
	if _, err := f.svc.DistrictDashboard(ctx, caseManager, f.district, ""); iep.KindOf(err) != iep.KindForbidden {
		t.Errorf("a case manager: %v", err)
	}
	if _, err := f.svc.DistrictDashboard(ctx, f.otherAdmin, f.district, ""); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("another district's administrator: %v", err)
	}
	if _, err := f.svc.DistrictDashboard(ctx, Anonymous, f.district, ""); iep.KindOf(err) != iep.KindUnauthenticated {
		t.Errorf("the anonymous: %v", err)
	}
	if _, err := f.svc.DistrictDashboard(ctx, f.admin, f.district, "no-such-school"); iep.KindOf(err) != iep.KindInvalid {
		t.Errorf("an unknown school: %v", err)
	}
	entries, err := db.ListAudit(ctx, f.district, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	var reads []string
	for _, e := range entries {
		if e.Action == "read_dashboard" {
			reads = append(reads, e.ActorKind+" "+e.Reason+" "+e.RecordKind+" "+e.RecordID)
		}
	}
	if len(reads) != 2 || reads[0] != "state_viewer state_viewer district "+f.district || reads[1] != "staff district_admin district "+f.district {
		t.Errorf("audit = %v", reads)
	}
}
