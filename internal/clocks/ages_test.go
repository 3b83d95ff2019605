package clocks

import (
	"testing"

	"github.com/openiep/openiep/internal/iep"
)

func TestAgeClocks(t *testing.T) {
	type dl = Deadline
	tests := []struct {
		name  string
		pack  string
		clock string
		facts Facts
		build func(b *ledgerB)
		want  []Deadline
	}{
		{
			// Turns 14 on 2026-12-05; the IEP finalized 2026-11-17 is the one in effect that day.
			name: "M.G.L. c. 71B § 2: the IEP in effect at 14 includes the transition plan", pack: "MA", clock: "transition_plan",
			facts: Facts{BirthDate: d("2012-12-05"), TransitionPlanIDs: []string{"p2"}},
			build: func(b *ledgerB) {
				b.add(iep.EventPlanFinalized, "2025-11-18", "p1")
				b.add(iep.EventPlanFinalized, "2026-11-17", "p2")
			},
			want: []dl{{PlanID: "p2", Start: d("2012-12-05"), Due: d("2026-12-05"), MetOn: d("2026-11-17"), MetEvent: "e2"}},
		},
		{
			// Turns 16 on 2026-11-30 during the plan finalized 2026-05-14, which has none: the
			// amendment agreed 2027-01-12 adds one, 43 days late.
			name: "34 CFR 300.320(b): turning 16 during a plan without a transition plan", pack: "federal", clock: "transition_plan",
			facts: Facts{BirthDate: d("2010-11-30")},
			build: func(b *ledgerB) {
				b.add(iep.EventPlanFinalized, "2026-05-14", "p1")
				b.add(iep.EventAmendmentAgreed, "2027-01-12", "p2", "amends", "p1", "transition", "true")
			},
			want: []dl{{PlanID: "p2", Start: d("2010-11-30"), Due: d("2026-11-30"), MetOn: d("2027-01-12"), MetEvent: "e2"}},
		},
		{
			// The same student in Massachusetts turned 14 in 2024, before any IEP: the first IEP
			// (2026-05-14) owed it.
			name: "M.G.L. c. 71B § 2: found eligible after 14, the first IEP owes it", pack: "MA", clock: "transition_plan",
			facts: Facts{BirthDate: d("2010-11-30")},
			build: func(b *ledgerB) {
				b.add(iep.EventPlanFinalized, "2026-05-14", "p1")
				b.add(iep.EventAmendmentAgreed, "2027-01-12", "p2", "amends", "p1", "transition", "true")
			},
			want: []dl{{PlanID: "p2", Start: d("2010-11-30"), Due: d("2026-05-14"), MetOn: d("2027-01-12"), MetEvent: "e2"}},
		},
		{
			name: "a plan rejected in full is not the one in effect", pack: "MA", clock: "transition_plan",
			facts: Facts{BirthDate: d("2012-12-05"), TransitionPlanIDs: []string{"p2"}},
			build: func(b *ledgerB) {
				b.add(iep.EventPlanFinalized, "2025-11-18", "p1")
				b.add(iep.EventPlanFinalized, "2026-11-17", "p2")
				b.add(iep.EventResponseReceived, "2026-11-30", "p2", "decision", "reject")
			},
			want: []dl{{PlanID: "p1", Start: d("2012-12-05"), Due: d("2026-12-05")}},
		},
		{
			name: "no transition clock for a student never in special education", pack: "MA", clock: "transition_plan",
			facts: Facts{BirthDate: d("2012-12-05")},
			build: func(b *ledgerB) { b.add(iep.EventReferralReceived, "2026-11-02", "") },
		},
		{
			// Found eligible at 16; the initial IEP is still a draft: its own clocks run.
			name: "a draft IEP owes nothing until it is finalized", pack: "MA", clock: "transition_plan",
			facts: Facts{BirthDate: d("2010-11-30"), CurrentPlanID: "p1"},
			build: func(b *ledgerB) {
				b.add(iep.EventEligibilityDetermined, "2026-11-13", "")
				b.add(iep.EventTeamFormed, "2026-11-13", "p1")
			},
		},
		{
			name: "an open transition clock ends when the student exits", pack: "federal", clock: "transition_plan",
			facts: Facts{BirthDate: d("2010-11-30")},
			build: func(b *ledgerB) {
				b.add(iep.EventPlanFinalized, "2026-05-14", "p1")
				b.add(iep.EventExited, "2026-06-20", "p1", "reason", "moved")
			},
		},
		{
			// Majority at 18 (MA): the notice is due on the 17th birthday, 2026-04-10.
			name: "34 CFR 300.320(c): notice of the transfer of rights a year before majority", pack: "MA", clock: "majority_notice",
			facts: Facts{BirthDate: d("2009-04-10"), CurrentPlanID: "p1"},
			build: func(b *ledgerB) {
				b.add(iep.EventPlanFinalized, "2025-06-01", "p1")
				b.add(iep.EventRightsTransferNotice, "2026-03-02", "p1")
			},
			want: []dl{{PlanID: "p1", Start: d("2009-04-10"), Due: d("2026-04-10"), MetOn: d("2026-03-02"), MetEvent: "e2"}},
		},
		{
			name: "300.520(a): where majority is 19, the notice is due at 18", pack: "federal", clock: "majority_notice",
			facts: Facts{BirthDate: d("2009-04-10"), MajorityAge: 19, CurrentPlanID: "p1"},
			build: func(b *ledgerB) { b.add(iep.EventPlanFinalized, "2025-06-01", "p1") },
			want:  []dl{{Start: d("2009-04-10"), Due: d("2027-04-10")}},
		},
		{
			name: "born on Feb 29: 17 on Feb 28 of a common year", pack: "federal", clock: "majority_notice",
			facts: Facts{BirthDate: d("2008-02-29"), CurrentPlanID: "p1"},
			build: func(b *ledgerB) { b.add(iep.EventPlanFinalized, "2024-06-01", "p1") },
			want:  []dl{{Start: d("2008-02-29"), Due: d("2025-02-28")}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b ledgerB
			tt.build(&b)
			got := of(mustDeadlines(t, tt.facts, b.evs, calendar(t), pack(t, tt.pack)), tt.clock)
			for i := range tt.want {
				tt.want[i].Clock = tt.clock
			}
			if s := diff(tt.want, got); s != "" {
				t.Errorf("%s (-want +got):\n%s", tt.clock, s)
			}
		})
	}
}

func TestBeforeMeeting(t *testing.T) {
	type dl = Deadline
	tests := []struct {
		name  string
		pack  string
		clock string
		build func(b *ledgerB)
		want  []Deadline
	}{
		{
			// Meeting m1 on Nov 19: notice due Nov 9, sent Nov 5. Meeting m2 on Dec 10: due Nov 30,
			// sent Dec 4 (4 days late). Meeting m3 announced for Dec 17 (not yet held): due Dec 7.
			name: "34 CFR 300.322(a)(1): the meeting notice early enough (10 days by default)", pack: "federal", clock: "meeting_notice",
			build: func(b *ledgerB) {
				b.add(iep.EventMeetingNoticeSent, "2026-11-05", "p1", "meeting_id", "m1")
				b.add(iep.EventMeetingHeld, "2026-11-19", "p1", "meeting_id", "m1")
				b.add(iep.EventMeetingNoticeSent, "2026-12-04", "p1", "meeting_id", "m2")
				b.add(iep.EventMeetingHeld, "2026-12-10", "p1", "meeting_id", "m2")
				b.add(iep.EventMeetingNoticeSent, "2026-12-05", "p2", "meeting_id", "m3", "meeting_on", "2026-12-17")
			},
			want: []dl{
				{PlanID: "p1", StartEvent: "e2", Start: d("2026-11-19"), Due: d("2026-11-09"), MetOn: d("2026-11-05"), MetEvent: "e1"},
				{PlanID: "p1", StartEvent: "e4", Start: d("2026-12-10"), Due: d("2026-11-30"), MetOn: d("2026-12-04"), MetEvent: "e3"},
				{PlanID: "p2", StartEvent: "e5", Start: d("2026-12-17"), Due: d("2026-12-07"), MetOn: d("2026-12-05"), MetEvent: "e5"},
			},
		},
		{
			// The Team meeting after the consent is on Mon Nov 16: summaries due Sat Nov 14;
			// the evaluation was complete Fri Nov 13.
			name: "603 CMR 28.05(1): assessment summaries available two days before the Team meeting", pack: "MA", clock: "assessment_summaries",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-09-14", "")
				b.add(iep.EventEvaluationCompleted, "2026-11-13", "")
				b.add(iep.EventMeetingHeld, "2026-11-16", "p1", "meeting_id", "m1")
			},
			want: []dl{{PlanID: "p1", StartEvent: "e1", Start: d("2026-09-14"), Due: d("2026-11-14"), MetOn: d("2026-11-13"), MetEvent: "e2"}},
		},
		{
			// No meeting recorded: the eligibility determination on Mon Nov 16 was the Team's.
			name: "603 CMR 28.05(1): the Team meeting is the one that determines eligibility", pack: "MA", clock: "assessment_summaries",
			build: func(b *ledgerB) {
				b.add(iep.EventReevaluationConsent, "2026-09-14", "")
				b.add(iep.EventReevaluationCompleted, "2026-11-13", "")
				b.add(iep.EventEligibilityDetermined, "2026-11-16", "")
				b.add(iep.EventMeetingHeld, "2027-03-01", "p2", "meeting_id", "m9")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-09-14"), Due: d("2026-11-14"), MetOn: d("2026-11-13"), MetEvent: "e2"}},
		},
		{
			name: "603 CMR 28.05(1): an evaluation finished on the meeting day is 2 days late", pack: "MA", clock: "assessment_summaries",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-09-14", "")
				b.add(iep.EventMeetingHeld, "2026-11-16", "p1", "meeting_id", "m1")
				b.add(iep.EventEvaluationCompleted, "2026-11-16", "")
			},
			want: []dl{{PlanID: "p1", StartEvent: "e1", Start: d("2026-09-14"), Due: d("2026-11-14"), MetOn: d("2026-11-16"), MetEvent: "e3"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b ledgerB
			tt.build(&b)
			got := of(mustDeadlines(t, stu, b.evs, calendar(t), pack(t, tt.pack)), tt.clock)
			for i := range tt.want {
				tt.want[i].Clock = tt.clock
			}
			if s := diff(tt.want, got); s != "" {
				t.Errorf("%s (-want +got):\n%s", tt.clock, s)
			}
		})
	}
}
