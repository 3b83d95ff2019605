package clocks

import (
	"testing"

	"github.com/openiep/openiep/internal/iep"
)

// Every "within" clock of DOMAIN.md §6, counted by hand on the calendar of helpers_test.go.
func TestWithinClocks(t *testing.T) {
	type dl = Deadline
	tests := []struct {
		name  string
		pack  string
		clock string
		build func(b *ledgerB)
		want  []Deadline
	}{
		{
			// Tue Nov 24 is day 0; Wed 25 (early release) 1, Thu 26 – Fri 27 closed, Mon 30 2,
			// Dec 1 3, Dec 2 4, Dec 3 5.
			name: "603 CMR 28.04(1)(a): notice within 5 school days of the referral", pack: "MA", clock: "referral_notice",
			build: func(b *ledgerB) {
				b.add(iep.EventReferralReceived, "2026-11-24", "")
				b.add(iep.EventEvaluationNoticeSent, "2026-12-02", "")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-11-24"), Due: d("2026-12-03"), MetOn: d("2026-12-02"), MetEvent: "e2"}},
		},
		{
			name: "603 CMR 28.04(1)(a): a notice on day 6 is late", pack: "MA", clock: "referral_notice",
			build: func(b *ledgerB) {
				b.add(iep.EventReferralReceived, "2026-11-24", "")
				b.add(iep.EventEvaluationNoticeSent, "2026-12-04", "")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-11-24"), Due: d("2026-12-03"), MetOn: d("2026-12-04"), MetEvent: "e2"}},
		},
		{
			// Oct 1 + 30 = Oct 31, + 30 = Nov 30.
			name: "34 CFR 300.301(c)(1)(i): evaluation within 60 days of consent", pack: "federal", clock: "initial_evaluation",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-10-01", "")
				b.add(iep.EventEvaluationCompleted, "2026-12-02", "")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-10-01"), Due: d("2026-11-30"), MetOn: d("2026-12-02"), MetEvent: "e2"}},
		},
		{
			// Dec 15-18, 21-23 (7); Jan 4-8 (12), 11-15 (17); 18 closed; 19-22 (21), 25 (22);
			// 26 snow; 27-29 (25); Feb 1-5 (30).
			name: "603 CMR 28.05(1): assessments within 30 school days, across the winter break and a snow day", pack: "MA", clock: "initial_evaluation",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-12-14", "")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-12-14"), Due: d("2027-02-05")}},
		},
		{
			name: "34 CFR 300.301(c): a new consent restarts the evaluation clock (the open one is superseded)", pack: "federal", clock: "initial_evaluation",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-10-01", "")
				b.add(iep.EventEvaluationConsentReceived, "2026-10-15", "")
				b.add(iep.EventEvaluationCompleted, "2026-12-10", "")
			},
			want: []dl{{StartEvent: "e2", Start: d("2026-10-15"), Due: d("2026-12-14"), MetOn: d("2026-12-10"), MetEvent: "e3"}},
		},
		{
			name: "exit ends every open clock", pack: "federal", clock: "initial_evaluation",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-10-01", "")
				b.add(iep.EventExited, "2026-10-20", "", "reason", "moved")
			},
			want: nil,
		},
		{
			// Sep 15-18 (4), 21-25 (9), 28-30 (12); Oct 1-2 (14), 5-9 (19), 12 closed, 13-16 (23),
			// 19-23 (28), 26-30 (33); Nov 2-6 (38), 9-10 (40), 11 closed, 12-13 (42), 16-18 (45).
			name: "603 CMR 28.05(1): proposed IEP within 45 school days of consent", pack: "MA", clock: "proposed_iep_after_consent",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-09-14", "")
				b.add(iep.EventPlanProposed, "2026-11-18", "p1")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-09-14"), Due: d("2026-11-18"), MetOn: d("2026-11-18"), MetEvent: "e2"}},
		},
		{
			name: "603 CMR 28.05(1): or the written finding that the student is not eligible", pack: "MA", clock: "proposed_iep_after_consent",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-09-14", "")
				b.add(iep.EventFoundNotEligible, "2026-11-20", "")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-09-14"), Due: d("2026-11-18"), MetOn: d("2026-11-20"), MetEvent: "e2"}},
		},
		{
			// Oct 5 + 30 = Nov 4. An eligibility meeting without a plan does not meet it.
			name: "34 CFR 300.323(c)(1): IEP meeting within 30 days of eligibility", pack: "federal", clock: "initial_iep_meeting",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-09-01", "")
				b.add(iep.EventEligibilityDetermined, "2026-10-05", "")
				b.add(iep.EventMeetingHeld, "2026-10-05", "", "meeting_id", "m0")
				b.add(iep.EventMeetingHeld, "2026-10-28", "p1", "meeting_id", "m1")
			},
			want: []dl{{StartEvent: "e2", Start: d("2026-10-05"), Due: d("2026-11-04"), MetOn: d("2026-10-28"), MetEvent: "e4"}},
		},
		{
			name: "34 CFR 300.323(c)(1) is about the initial IEP, not a determination after a reevaluation", pack: "federal", clock: "initial_iep_meeting",
			build: func(b *ledgerB) {
				b.add(iep.EventReevaluationConsent, "2026-09-01", "")
				b.add(iep.EventEligibilityDetermined, "2026-10-05", "")
			},
			want: nil,
		},
		{
			// Fri Nov 20 is day 0: Nov 23 1, 24 2, 25 (early release) 3, Nov 30 4, Dec 1 5.
			name: "603 CMR 28.05(7): proposed IEP sent within 5 school days of the meeting", pack: "MA", clock: "proposed_iep_sent",
			build: func(b *ledgerB) {
				b.add(iep.EventMeetingHeld, "2026-11-20", "p1", "meeting_id", "m1")
				b.add(iep.EventPlanFinalized, "2026-11-20", "p1")
				b.add(iep.EventPlanProposed, "2026-11-30", "p1")
			},
			want: []dl{{PlanID: "p1", StartEvent: "e2", Start: d("2026-11-20"), Due: d("2026-12-01"), MetOn: d("2026-11-30"), MetEvent: "e3"}},
		},
		{
			// Nov 2 + 30 = Dec 2.
			name: "603 CMR 28.05(7): the parent's 30 days, answered", pack: "MA", clock: "parent_response",
			build: func(b *ledgerB) {
				b.add(iep.EventPlanProposed, "2026-11-02", "p1")
				b.add(iep.EventResponseReceived, "2026-11-20", "p1", "decision", "reject")
			},
			want: []dl{{PlanID: "p1", StartEvent: "e1", Start: d("2026-11-02"), Due: d("2026-12-02"), MetOn: d("2026-11-20"), MetEvent: "e2"}},
		},
		{
			name: "603 CMR 28.05(7): silence for 30 days counts as rejection (Lapsed)", pack: "MA", clock: "parent_response",
			build: func(b *ledgerB) {
				b.add(iep.EventPlanProposed, "2026-11-02", "p1")
				b.add(iep.EventResponseReceived, "2026-12-02", "p1", "decision", "no_response")
			},
			want: []dl{{PlanID: "p1", StartEvent: "e1", Start: d("2026-11-02"), Due: d("2026-12-02"), MetOn: d("2026-12-02"), MetEvent: "e2", Lapsed: true}},
		},
		{
			name: "a plan proposed again (reopened and revised) restarts the parent's window", pack: "MA", clock: "parent_response",
			build: func(b *ledgerB) {
				b.add(iep.EventPlanProposed, "2026-11-02", "p1")
				b.add(iep.EventPlanProposed, "2026-11-16", "p1")
			},
			want: []dl{{PlanID: "p1", StartEvent: "e2", Start: d("2026-11-16"), Due: d("2026-12-16")}},
		},
		{
			// Fri Dec 18 is day 0: Dec 21-23 (3), winter break, Jan 4-8 (8), Jan 11 9, Jan 12 10.
			name: "the seed: services within 10 school days of the parent's signature", pack: "federal", clock: "services_start",
			build: func(b *ledgerB) {
				b.add(iep.EventPlanProposed, "2026-12-10", "p1")
				b.add(iep.EventResponseReceived, "2026-12-18", "p1", "decision", "accept")
				b.add(iep.EventServicesStarted, "2027-01-11", "p1")
			},
			want: []dl{{PlanID: "p1", StartEvent: "e2", Start: d("2026-12-18"), Due: d("2027-01-12"), MetOn: d("2027-01-11"), MetEvent: "e3"}},
		},
		{
			name: "the seed, MA: accepted in part, the accepted parts start within 10 school days", pack: "MA", clock: "services_start",
			build: func(b *ledgerB) {
				b.add(iep.EventResponseReceived, "2026-12-18", "p1", "decision", "accept_in_part")
				b.add(iep.EventServicesStarted, "2027-01-13", "p1")
				b.add(iep.EventResponseReceived, "2027-01-20", "p1", "decision", "accept") // the rest, later: no second clock
			},
			want: []dl{{PlanID: "p1", StartEvent: "e1", Start: d("2026-12-18"), Due: d("2027-01-12"), MetOn: d("2027-01-13"), MetEvent: "e2"}},
		},
		{
			name: "no services clock for a rejection, for an amendment, or another plan's services", pack: "federal", clock: "services_start",
			build: func(b *ledgerB) {
				b.add(iep.EventResponseReceived, "2026-12-18", "p1", "decision", "reject")
				b.add(iep.EventResponseReceived, "2026-12-18", "p2", "decision", "accept")
				b.add(iep.EventAmendmentAgreed, "2026-12-18", "p2", "amends", "p0")
				b.add(iep.EventResponseReceived, "2027-01-04", "p3", "decision", "accept")
				b.add(iep.EventServicesStarted, "2027-01-05", "p1")
			},
			want: []dl{{PlanID: "p3", StartEvent: "e4", Start: d("2027-01-04"), Due: d("2027-01-19")}},
		},
		{
			// Oct 1 + 45 = Nov 15, but a meeting is held on Oct 20: before any meeting.
			name: "34 CFR 300.613(a): records within 45 days and before any meeting", pack: "federal", clock: "records_request",
			build: func(b *ledgerB) {
				b.add(iep.EventRecordsRequested, "2026-10-01", "", "request_id", "r1")
				b.add(iep.EventMeetingHeld, "2026-10-20", "p1", "meeting_id", "m1")
				b.add(iep.EventRecordsProvided, "2026-10-19", "", "request_id", "r1")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-10-01"), Due: d("2026-10-20"), MetOn: d("2026-10-19"), MetEvent: "e3"}},
		},
		{
			name: "603 CMR 23.07(2): records within 10 days in Massachusetts; another request's answer does not count", pack: "MA", clock: "records_request",
			build: func(b *ledgerB) {
				b.add(iep.EventRecordsRequested, "2026-10-01", "", "request_id", "r1")
				b.add(iep.EventRecordsRequested, "2026-10-05", "", "request_id", "r2")
				b.add(iep.EventRecordsProvided, "2026-10-09", "", "request_id", "r2")
			},
			want: []dl{
				{StartEvent: "e1", Start: d("2026-10-01"), Due: d("2026-10-11")},
				{StartEvent: "e2", Start: d("2026-10-05"), Due: d("2026-10-15"), MetOn: d("2026-10-09"), MetEvent: "e3"},
			},
		},
		{
			// Mon Mar 1 is day 0: Mar 2-5 (4), 8-12 (9), Mon 15 10.
			name: "603 CMR 28.07(1)(a)(4): services end 10 school days after the revocation", pack: "MA", clock: "revocation_services_end",
			build: func(b *ledgerB) {
				b.add(iep.EventConsentRevoked, "2027-03-01", "p1")
				b.add(iep.EventExited, "2027-03-15", "p1", "reason", "consent_revoked")
			},
			want: []dl{{StartEvent: "e1", Start: d("2027-03-01"), Due: d("2027-03-15"), MetOn: d("2027-03-15"), MetEvent: "e2"}},
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

// The ledger's order does not matter: the same events shuffled give the same deadlines.
func TestLedgerOrder(t *testing.T) {
	var b ledgerB
	b.add(iep.EventEvaluationConsentReceived, "2026-09-14", "")
	b.add(iep.EventEvaluationCompleted, "2026-10-20", "")
	b.add(iep.EventEligibilityDetermined, "2026-10-30", "")
	b.add(iep.EventMeetingHeld, "2026-10-30", "p1", "meeting_id", "m1")
	b.add(iep.EventPlanFinalized, "2026-10-30", "p1")
	b.add(iep.EventPlanProposed, "2026-11-02", "p1")
	b.add(iep.EventResponseReceived, "2026-11-10", "p1", "decision", "accept")
	b.add(iep.EventServicesStarted, "2026-11-16", "p1")
	p := pack(t, "MA")
	want := mustDeadlines(t, stu, b.evs, calendar(t), p)
	rev := make([]iep.Event, len(b.evs))
	for i, e := range b.evs {
		rev[len(b.evs)-1-i] = e
	}
	if s := diff(want, mustDeadlines(t, stu, rev, calendar(t), p)); s != "" {
		t.Errorf("reversed ledger (-in order +reversed):\n%s", s)
	}
	if len(want) < 8 {
		t.Errorf("got %d deadlines, want every clock of an initial IEP: %+v", len(want), want)
	}
	for i := 1; i < len(want); i++ {
		if want[i].Due.Before(want[i-1].Due) {
			t.Errorf("deadlines not sorted by due date: %s before %s", want[i-1].Due, want[i].Due)
		}
	}
}

// BenchmarkDeadlines computes the clocks of a student with a full initial IEP, an annual
// review and a reevaluation (the store recomputes them with each event).
func BenchmarkDeadlines(b *testing.B) {
	var l ledgerB
	l.add(iep.EventReferralReceived, "2026-09-08", "")
	l.add(iep.EventEvaluationNoticeSent, "2026-09-10", "")
	l.add(iep.EventEvaluationConsentReceived, "2026-09-14", "")
	for _, on := range []string{"2026-10-01", "2026-10-08", "2026-10-15"} {
		l.add(iep.EventAssessmentCompleted, on, "", "evaluation_id", "v1")
	}
	l.add(iep.EventEvaluationCompleted, "2026-10-15", "", "evaluation_id", "v1")
	l.add(iep.EventMeetingNoticeSent, "2026-10-16", "p1", "meeting_id", "m1")
	l.add(iep.EventEligibilityDetermined, "2026-10-30", "")
	l.add(iep.EventMeetingHeld, "2026-10-30", "p1", "meeting_id", "m1")
	l.add(iep.EventPlanFinalized, "2026-10-30", "p1")
	l.add(iep.EventPlanProposed, "2026-11-02", "p1")
	l.add(iep.EventResponseReceived, "2026-11-10", "p1", "decision", "accept")
	l.add(iep.EventServicesConsentReceived, "2026-11-10", "p1")
	l.add(iep.EventServicesStarted, "2026-11-16", "p1")
	l.add(iep.EventMeetingNoticeSent, "2027-10-12", "p2", "meeting_id", "m2")
	l.add(iep.EventMeetingHeld, "2027-10-26", "p2", "meeting_id", "m2")
	l.add(iep.EventPlanFinalized, "2027-10-26", "p2")
	l.add(iep.EventPlanProposed, "2027-10-27", "p2")
	l.add(iep.EventResponseReceived, "2027-11-03", "p2", "decision", "accept_in_part")
	l.add(iep.EventServicesStarted, "2027-11-08", "p2")
	l.add(iep.EventRecordsRequested, "2027-12-01", "", "request_id", "r1")
	l.add(iep.EventRecordsProvided, "2027-12-06", "", "request_id", "r1")
	cal, p := mustCalendar(b, year2026(), year2027()), pack(b, "MA")
	f := Facts{BirthDate: d("2012-05-05"), TransitionPlanIDs: []string{"p2"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Deadlines(f, l.evs, cal, p); err != nil {
			b.Fatal(err)
		}
	}
}
