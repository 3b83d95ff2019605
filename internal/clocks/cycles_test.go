package clocks

import (
	"testing"

	"github.com/openiep/openiep/internal/iep"
)

func TestReviewAndReevaluation(t *testing.T) {
	type dl = Deadline
	tests := []struct {
		name  string
		clock string
		build func(b *ledgerB)
		want  []Deadline
	}{
		{
			// The first meeting (Feb 25) did not finish; the plan was finalized at the second
			// (Mar 11). The review is due a year after Mar 11, not Feb 25.
			name: "34 CFR 300.324(b)(1)(i), WI DPI complaint 12-060: the review counts from the finalizing meeting", clock: "annual_review",
			build: func(b *ledgerB) {
				b.add(iep.EventMeetingHeld, "2027-02-25", "p1", "meeting_id", "m1")
				b.add(iep.EventMeetingHeld, "2027-03-11", "p1", "meeting_id", "m2")
				b.add(iep.EventPlanFinalized, "2027-03-11", "p1")
				b.add(iep.EventResponseReceived, "2027-03-20", "p1", "decision", "accept")
			},
			want: []dl{{PlanID: "p1", StartEvent: "e3", Start: d("2027-03-11"), Due: d("2028-03-11")}},
		},
		{
			// 2027-03-01 + 365 days is 2028-02-29; the anniversary is 2028-03-01.
			name: "34 CFR 300.324(b)(1)(i): an anniversary, never 365 days, across a leap day", clock: "annual_review",
			build: func(b *ledgerB) {
				b.add(iep.EventPlanFinalized, "2027-03-01", "p1")
			},
			want: []dl{{PlanID: "p1", StartEvent: "e1", Start: d("2027-03-01"), Due: d("2028-03-01")}},
		},
		{
			name: "an IEP finalized on Feb 29 is reviewed by Feb 28", clock: "annual_review",
			build: func(b *ledgerB) {
				b.add(iep.EventPlanFinalized, "2028-02-29", "p1")
			},
			want: []dl{{PlanID: "p1", StartEvent: "e1", Start: d("2028-02-29"), Due: d("2029-02-28")}},
		},
		{
			name: "300.324(a)(4): an amendment never replaces the annual review; the next plan meets it", clock: "annual_review",
			build: func(b *ledgerB) {
				b.add(iep.EventPlanFinalized, "2026-10-15", "p1")
				b.add(iep.EventResponseReceived, "2026-10-20", "p1", "decision", "accept")
				b.add(iep.EventAmendmentAgreed, "2027-02-01", "p2", "amends", "p1")
				b.add(iep.EventPlanFinalized, "2027-03-02", "p3", "kind", "amendment") // amended at a meeting
				b.add(iep.EventPlanFinalized, "2027-10-19", "p4")
			},
			want: []dl{
				{PlanID: "p1", StartEvent: "e1", Start: d("2026-10-15"), Due: d("2027-10-15"), MetOn: d("2027-10-19"), MetEvent: "e5"},
				{PlanID: "p4", StartEvent: "e5", Start: d("2027-10-19"), Due: d("2028-10-19")},
			},
		},
		{
			name: "a rejected initial IEP puts nothing in effect to review; a rejected annual IEP still held the review", clock: "annual_review",
			build: func(b *ledgerB) {
				b.add(iep.EventPlanFinalized, "2026-10-15", "p1")
				b.add(iep.EventResponseReceived, "2026-11-14", "p1", "decision", "no_response")
				b.add(iep.EventPlanFinalized, "2026-12-08", "p2")
				b.add(iep.EventResponseReceived, "2026-12-10", "p2", "decision", "accept")
				b.add(iep.EventPlanFinalized, "2027-11-30", "p3")
				b.add(iep.EventResponseReceived, "2027-12-04", "p3", "decision", "reject")
			},
			want: []dl{
				{PlanID: "p2", StartEvent: "e3", Start: d("2026-12-08"), Due: d("2027-12-08"), MetOn: d("2027-11-30"), MetEvent: "e5"},
				{PlanID: "p3", StartEvent: "e5", Start: d("2027-11-30"), Due: d("2028-11-30")},
			},
		},
		{
			name: "34 CFR 300.303(b)(2): a reevaluation at least every 3 years from the last evaluation completed", clock: "reevaluation",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationCompleted, "2026-10-15", "")
				b.add(iep.EventEligibilityDetermined, "2026-10-30", "")
				b.add(iep.EventReevaluationConsent, "2029-06-01", "")
				b.add(iep.EventReevaluationCompleted, "2029-09-01", "")
			},
			want: []dl{
				{StartEvent: "e1", Start: d("2026-10-15"), Due: d("2029-10-15"), MetOn: d("2029-09-01"), MetEvent: "e4"},
				{StartEvent: "e4", Start: d("2029-09-01"), Due: d("2032-09-01")},
			},
		},
		{
			name: "no reevaluation is owed to a student found not eligible", clock: "reevaluation",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationCompleted, "2026-10-15", "")
				b.add(iep.EventFoundNotEligible, "2026-10-30", "")
			},
			want: nil,
		},
		{
			name: "three years after Feb 29 is Feb 28", clock: "reevaluation",
			build: func(b *ledgerB) {
				b.add(iep.EventReevaluationCompleted, "2028-02-29", "")
			},
			want: []dl{{StartEvent: "e1", Start: d("2028-02-29"), Due: d("2031-02-28")}},
		},
		{
			// The last evaluation was completed 2026-10-15: no reevaluation before 2027-10-15.
			name: "34 CFR 300.303(b)(1): not more than once a year, unless agreed", clock: "reevaluation_min_interval",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationCompleted, "2026-10-15", "")
				b.add(iep.EventReevaluationConsent, "2027-06-01", "")
				b.add(iep.EventReevaluationConsent, "2027-06-02", "", "agreed", "true")
				b.add(iep.EventReevaluationConsent, "2027-10-15", "")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-10-15"), Due: d("2027-10-15"), MetOn: d("2027-06-01"), MetEvent: "e2", Early: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b ledgerB
			tt.build(&b)
			got := of(mustDeadlines(t, stu, b.evs, calendar(t), pack(t, "federal")), tt.clock)
			for i := range tt.want {
				tt.want[i].Clock = tt.clock
			}
			if s := diff(tt.want, got); s != "" {
				t.Errorf("%s (-want +got):\n%s", tt.clock, s)
			}
		})
	}
}
