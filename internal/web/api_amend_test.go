package web

import (
	"context"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
	"github.com/openiep/openiep/internal/store/storetest"
)

// TestAmendmentSilenceAndExit drives the rest of a plan's life through the API on both engines:
// an amendment agreed in writing without a meeting, the family's silence (MA: rejection after
// 30 days, refused before), the family accepting later on paper recorded by staff (the amended
// plan supersedes the one it amends), a revocation of consent to services, and the exit.
func TestAmendmentSilenceAndExit(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) { testAmendmentSilenceAndExit(t, engine) })
	}
}

func testAmendmentSilenceAndExit(t *testing.T, engine string) {
	x := newE2E(t, engine)
	ctx := context.Background()
	student, district, cm := x.ids["student"], x.ids["district"], x.ids["cm"]
	// A plan in effect, written earlier.
	cur := &iep.Plan{DistrictID: district, StudentID: student, Kind: iep.PlanInitial, Status: iep.StatusDraft,
		CaseManagerID: cm, StartDate: date.MustParse("2025-10-01"), Content: fullContent("")}
	cur.Content.Placement.SchoolID = ""
	err := x.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreatePlan(ctx, cur, cm); err != nil {
			return err
		}
		if _, err := tx.FreezePlan(ctx, district, cur.ID, cm); err != nil {
			return err
		}
		for _, st := range []iep.PlanStatus{iep.StatusProposed, iep.StatusAccepted} {
			cur.Status = st
			if err := tx.UpdatePlanHeader(ctx, cur); err != nil {
				return err
			}
		}
		return tx.CreateConsent(ctx, &iep.Consent{DistrictID: district, StudentID: student, PlanID: cur.ID,
			Kind: iep.ConsentInitialServices, RequestedOn: date.MustParse("2025-09-25"), GuardianID: x.ids["parent"],
			Decision: iep.ConsentGranted, DecidedOn: date.MustParse("2025-09-30"), Method: "electronic"})
	})
	if err != nil {
		t.Fatal(err)
	}

	var am iep.Plan
	x.do("cm", "POST", "/api/v1/students/"+student+"/plans", map[string]any{"kind": "amendment"}, 201, &am)
	if am.PreviousPlanID != cur.ID || am.CaseManagerID != cm {
		t.Errorf("amendment: %+v", am)
	}
	x.do("cm", "POST", "/api/v1/students/"+student+"/plans", map[string]any{"kind": "annual"}, 409, nil) // one open plan at a time
	notice := map[string]any{"reasons": "More speech minutes.", "options_considered": "No change: rejected.",
		"based_on": "The speech therapist's progress data since October."}
	// Without a meeting: the written agreement's scan is required.
	agreement := map[string]any{"guardian_id": x.ids["parent"], "agreed_on": "2026-02-02"}
	x.do("cm", "POST", "/api/v1/plans/"+am.ID+"/proposal", map[string]any{"notice": notice, "without_meeting": agreement}, 400, nil)
	var scan iep.Document
	x.do("cm", "POST", "/api/v1/students/"+student+"/documents?name=agreement.pdf", []byte("%PDF-1.4 signed"), 201, &scan)
	agreement["document_id"] = scan.ID
	var prop app.Proposal
	x.do("cm", "POST", "/api/v1/plans/"+am.ID+"/proposal", map[string]any{"notice": notice, "without_meeting": agreement}, 201, &prop)

	// Silence: not before the 30 days of the MA pack; then it is a rejection.
	x.do("cm", "POST", "/api/v1/plans/"+am.ID+"/no-response", nil, 409, nil)
	x.day("2026-03-05")
	var rejected iep.Plan
	x.do("cm", "POST", "/api/v1/plans/"+am.ID+"/no-response", nil, 200, &rejected)
	if rejected.Status != iep.StatusRejected {
		t.Errorf("after silence: %s", rejected.Status)
	}
	// The family accepts later, on paper recorded by staff: the amendment supersedes the plan.
	paper := map[string]any{"typed_name": "June Park", "signed_on": "2026-03-05", "document_id": scan.ID}
	x.do("cm", "POST", "/api/v1/plans/"+am.ID+"/responses", map[string]any{"version_sha256": prop.Version.SHA256,
		"decision": "accept", "signature": paper}, 400, nil) // whose answer?
	var out app.ResponseOut
	x.do("cm", "POST", "/api/v1/plans/"+am.ID+"/responses", map[string]any{"version_sha256": prop.Version.SHA256,
		"decision": "accept", "guardian_id": x.ids["parent"], "signature": paper}, 201, &out)
	if out.Plan.Status != iep.StatusAccepted || out.Response.Signature.Method != "paper" || out.Response.Signature.ScanID != scan.ID {
		t.Errorf("paper acceptance: %s %+v", out.Plan.Status, out.Response.Signature)
	}
	old, err := x.db.GetPlan(ctx, district, cur.ID)
	if err != nil || old.Status != iep.StatusSuperseded {
		t.Errorf("the amended plan: %v %v", old.Status, err)
	}
	// A state viewer and staff of no relationship cannot answer for the family.
	x.do("teacher", "POST", "/api/v1/plans/"+am.ID+"/responses", map[string]any{"version_sha256": prop.Version.SHA256,
		"decision": "reject", "guardian_id": x.ids["parent"], "signature": paper}, 403, nil)

	// The annual review: a meeting is held only with the required members, and without the
	// parent only after the attempts to reach them are recorded.
	var review iep.Plan
	x.do("cm", "POST", "/api/v1/students/"+student+"/plans", map[string]any{"kind": "annual"}, 201, &review)
	var mv app.MeetingView
	x.do("cm", "POST", "/api/v1/plans/"+review.ID+"/meetings", map[string]any{"purposes": []string{"annual_review"},
		"starts_at": "2026-03-06T18:00:00Z", "video_link": "https://meet.example/iep", "shorter_notice_agreed": true}, 201, &mv)
	mid := mv.Meeting.ID
	x.day("2026-03-06")
	var problem struct {
		Detail string `json:"detail"`
	}
	x.do("cm", "POST", "/api/v1/meetings/"+mid+"/held", map[string]any{"finalizes": true}, 409, &problem)
	if !strings.Contains(problem.Detail, "parent") || !strings.Contains(problem.Detail, "district representative") {
		t.Errorf("missing roles: %q", problem.Detail)
	}
	for _, m := range []map[string]any{
		{"role": "parent", "guardian_id": x.ids["parent"]},
		{"role": "special_education_teacher", "staff_id": cm},
		{"role": "regular_education_teacher", "staff_id": x.ids["teacher"]},
		{"role": "district_representative", "also": []string{"evaluation_interpreter"}, "staff_id": x.ids["rep"]},
		{"role": "student", "student_id": student}, // the plan has a transition plan: the student is invited
	} {
		x.do("cm", "POST", "/api/v1/plans/"+review.ID+"/team", m, 201, nil)
	}
	x.do("cm", "POST", "/api/v1/meetings/"+mid+"/held", map[string]any{"finalizes": true}, 409, &problem)
	if !strings.Contains(problem.Detail, "attempts") {
		t.Errorf("without the parent: %q", problem.Detail)
	}
	for _, m := range []string{"phone", "email"} {
		x.do("cm", "POST", "/api/v1/meetings/"+mid+"/contact-attempts", map[string]any{"method": m, "outcome": "No answer."}, 200, nil)
	}
	var held heldMeeting
	x.do("cm", "POST", "/api/v1/meetings/"+mid+"/held", map[string]any{"finalizes": true}, 200, &held)
	if got, _ := x.db.GetPlan(ctx, district, review.ID); got.MeetingDate != date.MustParse("2026-03-06") || got.NextReviewDate != date.MustParse("2027-03-06") {
		t.Errorf("the finalized review's dates: meeting %s, next review %s", got.MeetingDate, got.NextReviewDate)
	}

	// The parent revokes consent to services in writing; then the student exits.
	var con iep.Consent
	x.do("parent", "POST", "/api/v1/students/"+student+"/consent-revocations", map[string]any{"kind": "initial_services",
		"signature": map[string]any{"typed_name": "June Park", "attest": true}}, 201, &con)
	if con.Decision != iep.ConsentRevoked {
		t.Errorf("revocation: %+v", con)
	}
	var st iep.Student
	x.do("cm", "POST", "/api/v1/students/"+student+"/exit", map[string]any{"reason": "consent_revoked"}, 200, &st)
	x.do("cm", "POST", "/api/v1/students/"+student+"/exit", map[string]any{"reason": "consent_revoked"}, 409, nil)
	got, err := x.db.GetPlan(ctx, district, am.ID)
	if err != nil || got.Status != iep.StatusEnded || st.ExitReason != iep.ExitConsentRevoked {
		t.Errorf("after exit: plan %v, student %+v, %v", got.Status, st.ExitReason, err)
	}
	var svc []iep.EffectiveLine
	x.do("cm", "GET", "/api/v1/students/"+student+"/services", nil, 200, &svc)
	if len(svc) != 0 {
		t.Errorf("services after exit: %v", svc)
	}
}
