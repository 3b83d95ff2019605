package app

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
)

func TestPlanDesk(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	d, err := f.svc.PlanDesk(ctx, f.admin, f.district, f.planID)
	if err != nil {
		t.Fatal(err)
	}
	today := date.MustParse("2026-03-15") // New York
	if d.Today != today || !d.CanEdit || d.CaseManager != "Case Manager" || d.Plan.ID != f.planID || d.Proposed != nil {
		t.Errorf("desk: today %s, can edit %v, case manager %q, plan %s, proposed %v", d.Today, d.CanEdit, d.CaseManager, d.Plan.ID, d.Proposed)
	}
	names := []string{}
	for _, m := range d.Team {
		names = append(names, m.Name)
	}
	if strings.Join(names, ",") != "Case Manager,Guest Person" {
		t.Errorf("team names = %v", names)
	}
	want := DeskRules{Pack: "MA", NoticeDays: 10, NoticeUnit: rules.CalendarDays, EarliestMeeting: today.AddDays(10), ResponseDays: 30,
		SilenceRejects: true, TransitionAge: 14, MinContactAttempts: MinContactAttempts}
	if d.Rules != want {
		t.Errorf("rules = %+v, want %+v", d.Rules, want)
	}
	// The case manager fills no required role (only "case manager"): every one is missing.
	if got := d.Readiness.MissingRoles; len(got) != 5 || d.ReadinessOn != today || d.Readiness.StudentRequired {
		t.Errorf("readiness = %+v on %s", d.Readiness, d.ReadinessOn)
	}
	if len(d.Staff) != 0 || d.FamilyLanguage != "en" {
		t.Errorf("staff %v (the team screen asks for them), family language %q", d.Staff, d.FamilyLanguage)
	}
	// The team screen's candidates: the school's and the district-wide staff.
	staff, err := f.svc.TeamCandidates(ctx, f.admin, f.district, f.planID)
	if err != nil || len(staff) != 1 || staff[0].Name() != "Case Manager" {
		t.Errorf("team candidates %v, %v", staff, err)
	}
	family0 := Actor{Kind: ActorGuardian, ID: "g", DistrictID: f.district, AccountID: "a"}
	if _, err := f.svc.TeamCandidates(ctx, family0, f.district, f.planID); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("team candidates for a guardian: %v, want not found", err)
	}
	entries, _ := f.svc.db.ListAudit(ctx, f.district, f.student, 5)
	if len(entries) == 0 || entries[0].Action != auditRead || entries[0].RecordKind != "plan" || entries[0].RecordID != f.planID {
		t.Errorf("the read is not audited: %+v", entries)
	}
	// A family member is told the staff screen does not exist, like another district.
	family := Actor{Kind: ActorGuardian, ID: "g", DistrictID: f.district, AccountID: "a"}
	if _, err := f.svc.PlanDesk(ctx, family, f.district, f.planID); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("a guardian: err = %v, want not found", err)
	}
	if _, err := f.svc.PlanDesk(ctx, f.otherAdmin, f.district, f.planID); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("another district: err = %v, want not found", err)
	}
	if _, err := f.svc.PlanDesk(ctx, f.admin, f.district, "nope"); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("an unknown plan: err = %v, want not found", err)
	}
}

func TestMeetingDeskAndReadiness(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	start := time.Date(2026, 3, 16, 14, 0, 0, 0, time.UTC)
	mv, err := f.svc.ScheduleMeeting(ctx, f.admin, f.district, f.planID, MeetingInput{Purposes: []iep.MeetingPurpose{iep.PurposeInitialIEP},
		StartsAt: start, Location: "Room 1", ShorterNoticeAgreed: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RecordContactAttempt(ctx, f.admin, f.district, mv.Meeting.ID, ContactAttemptInput{Method: iep.ContactPhone, Outcome: "No answer"}); err != nil {
		t.Fatal(err)
	}
	m, err := f.svc.MeetingDesk(ctx, f.admin, f.district, mv.Meeting.ID)
	if err != nil {
		t.Fatal(err)
	}
	if m.Notice == nil || m.Notice.ID != mv.Notice.ID || !strings.Contains(m.Notice.Action, "Room 1") {
		t.Errorf("the meeting's notice: %+v", m.Notice)
	}
	if m.Day != date.MustParse("2026-03-16") || m.ReadinessOn != m.Day || m.Readiness.ContactAttempts != 1 {
		t.Errorf("day %s, readiness on %s, %+v", m.Day, m.ReadinessOn, m.Readiness)
	}
	if name := m.StaffNames[f.admin.ID]; name != "" {
		t.Errorf("the administrator (no staff row) is named %q", name)
	}
	// The plan's desk checks the next scheduled meeting, not today.
	d, err := f.svc.PlanDesk(ctx, f.admin, f.district, f.planID)
	if err != nil || d.ReadinessOn != m.Day || len(d.Meetings) != 1 {
		t.Errorf("the plan's desk: %v, readiness on %s, %d meetings", err, d.ReadinessOn, len(d.Meetings))
	}
	r, err := f.svc.HoldReadiness(ctx, f.admin, f.district, mv.Meeting.ID, nil)
	if err != nil || len(r.MissingRoles) != 5 || r.ParentPresent || r.ContactAttempts != 1 {
		t.Errorf("readiness = %+v, %v", r, err)
	}
	family := Actor{Kind: ActorGuardian, ID: "g", DistrictID: f.district, AccountID: "a"}
	if _, err := f.svc.MeetingDesk(ctx, family, f.district, mv.Meeting.ID); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("a guardian: err = %v, want not found", err)
	}
	if _, err := f.svc.HoldReadiness(ctx, f.otherAdmin, f.district, mv.Meeting.ID, nil); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("another district: err = %v, want not found", err)
	}
}

func TestUploadPlanDocument(t *testing.T) {
	f := newFixture(t, 1)
	ctx := context.Background()
	d, err := f.svc.UploadPlanDocument(ctx, f.admin, f.district, f.planID, "signed.pdf", "application/pdf", []byte("%PDF-1.7\n%%EOF\n"))
	if err != nil || d.StudentID != f.student {
		t.Fatalf("upload: %+v, %v", d, err)
	}
	docs, _ := f.svc.db.ListDocuments(ctx, f.district, f.student)
	if !slices.ContainsFunc(docs, func(x iep.Document) bool { return x.ID == d.ID }) {
		t.Error("the document is not the student's")
	}
	if _, err := f.svc.UploadPlanDocument(ctx, f.admin, f.district, "nope", "signed.pdf", "", []byte("%PDF-1.7")); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("an unknown plan: err = %v", err)
	}
	if _, err := f.svc.UploadPlanDocument(ctx, f.otherAdmin, f.district, f.planID, "signed.pdf", "", []byte("%PDF-1.7")); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("another district: err = %v", err)
	}
}
