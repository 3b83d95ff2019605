package clocks

import (
	"testing"

	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/schoolday"
)

// A paused evaluation clock (34 CFR 300.301(d)): the paused days do not count and the due date
// moves by them; a pause needs an allowed reason.
func TestPausedClock(t *testing.T) {
	type dl = Deadline
	tests := []struct {
		name  string
		pack  string
		clock string
		build func(b *ledgerB)
		want  []Deadline
	}{
		{
			// Due Nov 30 without the pause. Paused Oct 10, resumed Oct 20: 9 days used (Oct 2-10),
			// 51 left from Oct 20: Dec 10. The due date moved by 10 days.
			name: "300.301(d)(1): the parent did not produce the child for 10 days", pack: "federal", clock: "initial_evaluation",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-10-01", "")
				b.add(iep.EventClockPaused, "2026-10-10", "", "clock", "initial_evaluation", "reason", "parent_fails_to_produce_child")
				b.add(iep.EventClockResumed, "2026-10-20", "", "clock", "initial_evaluation")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-10-01"), Due: d("2026-12-10")}},
		},
		{
			// Due Feb 5 without the pause. Paused Fri Jan 8 (school day 12), resumed Fri Jan 15:
			// Jan 11-15 do not count; 18 left from Jan 15: Jan 19-22 (4), 25 (5), 26 snow,
			// 27-29 (8), Feb 1-5 (13), Feb 8-12 (18). Five school days later: Feb 12.
			name: "300.301(d)(2): school days of a pause do not count (MA)", pack: "MA", clock: "initial_evaluation",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-12-14", "")
				b.add(iep.EventClockPaused, "2027-01-08", "", "clock", "initial_evaluation", "reason", "enrolled_in_other_district")
				b.add(iep.EventClockResumed, "2027-01-15", "", "clock", "initial_evaluation")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-12-14"), Due: d("2027-02-12")}},
		},
		{
			// The pause above named the evaluation clock only: the 45-day clock ran on. Counted
			// from Dec 14: Feb 5 is day 30, Feb 8-12 (35), Feb 22-26 (40), Mar 1-5 (45).
			name: "a pause of one clock does not stop the others", pack: "MA", clock: "proposed_iep_after_consent",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-12-14", "")
				b.add(iep.EventClockPaused, "2027-01-08", "", "clock", "initial_evaluation", "reason", "enrolled_in_other_district")
				b.add(iep.EventClockResumed, "2027-01-15", "", "clock", "initial_evaluation")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-12-14"), Due: d("2027-03-05")}},
		},
		{
			// Without a clock named, the pause stops every clock its reason may: Mar 5 moves by
			// the 5 school days Jan 11-15 to Mar 12.
			name: "a pause without a clock stops every clock its reason may pause", pack: "MA", clock: "proposed_iep_after_consent",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-12-14", "")
				b.add(iep.EventClockPaused, "2027-01-08", "", "reason", "enrolled_in_other_district")
				b.add(iep.EventClockResumed, "2027-01-15", "")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-12-14"), Due: d("2027-03-12")}},
		},
		{
			name: "a pause without an allowed reason does not stop the clock", pack: "MA", clock: "initial_evaluation",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-12-14", "")
				b.add(iep.EventClockPaused, "2027-01-08", "", "clock", "initial_evaluation", "reason", "staff_shortage")
				b.add(iep.EventClockResumed, "2027-01-15", "", "clock", "initial_evaluation")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-12-14"), Due: d("2027-02-05")}},
		},
		{
			// 18 school days left from Jan 8 (as if resumed that day): Feb 5.
			name: "a clock paused and not resumed is Paused, with its reason", pack: "MA", clock: "initial_evaluation",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-12-14", "")
				b.add(iep.EventClockPaused, "2027-01-08", "", "clock", "initial_evaluation", "reason", "parent_fails_to_produce_child")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-12-14"), Due: d("2027-02-05"), Paused: true, PauseReason: "parent_fails_to_produce_child"}},
		},
		{
			name: "a pause after the clock was due does not move it", pack: "federal", clock: "initial_evaluation",
			build: func(b *ledgerB) {
				b.add(iep.EventEvaluationConsentReceived, "2026-10-01", "")
				b.add(iep.EventClockPaused, "2026-12-03", "", "reason", "parent_fails_to_produce_child")
				b.add(iep.EventClockResumed, "2026-12-20", "")
			},
			want: []dl{{StartEvent: "e1", Start: d("2026-10-01"), Due: d("2026-11-30")}},
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

// A snow day added after a deadline was computed moves it: the deadlines are recomputed from
// the calendar as it is now.
func TestSnowDayAddedMovesOpenDeadlines(t *testing.T) {
	var b ledgerB
	b.add(iep.EventEvaluationConsentReceived, "2027-02-01", "") // MA: 30 school days
	b.add(iep.EventConsentRevoked, "2027-03-01", "p1")          // MA: services end 10 school days after
	p := pack(t, "MA")
	// Before the snow day of Mar 3: Feb 2-5 (4), 8-12 (9), vacation, 22-26 (14), Mar 1-5 (19),
	// 8-12 (24), 15-19 (29), Mon Mar 22 (30); and Mar 2-5 (4), 8-12 (9), Mon Mar 15 (10).
	// With it, Mar 3 does not count and both move one school day: Tue Mar 23, Tue Mar 16.
	tests := []struct {
		cal              *schoolday.Calendar
		eval, revocation string
	}{
		{mustCalendar(t, year2026()), "2027-03-22", "2027-03-15"},
		{mustCalendar(t, year2026(snow2)), "2027-03-23", "2027-03-16"},
	}
	for _, tt := range tests {
		ds := mustDeadlines(t, stu, b.evs, tt.cal, p)
		for clock, want := range map[string]string{"initial_evaluation": tt.eval, "revocation_services_end": tt.revocation} {
			if got := of(ds, clock); len(got) != 1 || got[0].Due != d(want) {
				t.Errorf("%s due %+v, want %s", clock, got, want)
			}
		}
	}
}

// A calendar that ends before the deadline: the clock continues into the next school year's
// calendar when there is one; without it the deadline is an estimate, marked Provisional.
func TestCalendarEnds(t *testing.T) {
	var b ledgerB
	b.add(iep.EventEvaluationConsentReceived, "2027-05-24", "")
	p := pack(t, "MA")
	// May 25-28 (4), May 31 closed, Jun 1-4 (8), 7-11 (13), 14-17 (17): the year ends. Then
	// Sep 1-3 2027 (20), Sep 6 closed, 7-10 (24), 13-17 (29), Mon Sep 20 (30).
	got := of(mustDeadlines(t, stu, b.evs, mustCalendar(t, year2026(), year2027()), p), "initial_evaluation")
	if len(got) != 1 || got[0].Due != d("2027-09-20") || got[0].Provisional {
		t.Errorf("with the next year: %+v, want due 2027-09-20, not provisional", got)
	}
	got = of(mustDeadlines(t, stu, b.evs, mustCalendar(t, year2026()), p), "initial_evaluation")
	if len(got) != 1 || !got[0].Provisional || !got[0].Due.After(d("2027-06-17")) {
		t.Errorf("without the next year: %+v, want a provisional estimate after the last day", got)
	}
	// The same student's 60 calendar days (federal) need no school calendar.
	got = of(mustDeadlines(t, stu, b.evs, mustCalendar(t, year2026()), pack(t, "federal")), "initial_evaluation")
	if len(got) != 1 || got[0].Due != d("2027-07-23") || got[0].Provisional {
		t.Errorf("federal: %+v, want 2027-07-23 (May 24 + 60), not provisional", got)
	}
}

// Without any calendar, school days are estimated and said to be estimates.
func TestNoCalendar(t *testing.T) {
	var b ledgerB
	b.add(iep.EventReferralReceived, "2026-11-24", "")
	b.add(iep.EventRecordsRequested, "2026-11-24", "", "request_id", "r1")
	ds := mustDeadlines(t, stu, b.evs, nil, pack(t, "MA"))
	// The estimate is Monday to Friday without federal holidays: after Tue Nov 24, Nov 25 (1),
	// Thanksgiving Nov 26, Nov 27 (2), Nov 30 (3), Dec 1 (4), Dec 2 (5).
	if got := of(ds, "referral_notice"); len(got) != 1 || got[0].Due != d("2026-12-02") || !got[0].Provisional {
		t.Errorf("referral_notice = %+v, want a provisional Dec 2", got)
	}
	if got := of(ds, "records_request"); len(got) != 1 || got[0].Due != d("2026-12-04") || got[0].Provisional {
		t.Errorf("records_request = %+v, want Dec 4, exact (calendar days)", got)
	}
}
