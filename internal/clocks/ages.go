package clocks

import (
	"slices"

	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/schoolday"
)

// ageBy computes the transition plan clock of a student in special education: one with a plan
// made binding in the ledger (a draft owes nothing until it is finalized; the initial IEP's own
// clocks cover it).
//
// The law: "beginning not later than the first IEP to be in effect when the child turns 16"
// (34 CFR 300.320(b)); 14 in Massachusetts (M.G.L. c. 71B, § 2; 603 CMR 28.05(4)(c)). The IEP
// in effect on the birthday is the last plan made binding (finalized at a meeting, or an
// amendment agreed) on or before that day and not rejected in full; so:
//
//   - Due is the birthday (the first day of age Amount);
//   - it is met on the day that plan was finalized when it includes a transition plan (on time:
//     it was finalized before the birthday);
//   - otherwise it is met, late, by the first later plan that includes one;
//   - a student whose first plan comes after the birthday (found eligible at 15 in
//     Massachusetts) owes it in that first plan: Due is the day it was finalized.
//
// A plan includes a transition plan when Facts.TransitionPlanIDs lists it or its event's Data
// says {"transition": true}. An open clock of a student who has exited since their last plan
// is dropped, as every open clock at exit.
func ageBy(r rules.Rule, f Facts, l *ledger) []Deadline {
	if f.BirthDate.IsZero() {
		return nil
	}
	var plans []*entry
	for _, e := range l.planEvents() {
		if !l.rejected(e.PlanID) {
			plans = append(plans, e)
		}
	}
	if len(plans) == 0 {
		return nil // no IEP yet (a draft owes nothing until it is finalized) or none in effect
	}
	turns := schoolday.Anniversary(f.BirthDate, r.Amount)
	d := Deadline{Start: f.BirthDate, Due: turns}
	from := len(plans) // where to look for the plan that meets it
	for i, e := range plans {
		if !e.on().After(turns) {
			from, d.PlanID = i, e.PlanID
		}
	}
	if d.PlanID == "" {
		from, d.Due, d.PlanID = 0, plans[0].on(), plans[0].PlanID
	}
	has := func(e *entry) bool {
		return slices.Contains(f.TransitionPlanIDs, e.PlanID) || rules.DataString(e.Event, "transition") == "true"
	}
	for _, e := range plans[min(from, len(plans)):] {
		if has(e) {
			d.MetOn, d.MetEvent, d.PlanID = e.on(), e.ID, e.PlanID
			return []Deadline{d}
		}
	}
	if l.exitedSince(lastOf(plans)) {
		return nil
	}
	return []Deadline{d}
}

// beforeMajority computes the notice that the rights transfer at the age of majority (34 CFR
// 300.320(c), 300.520): due Amount years before it (at 17 where majority is 18), met by the
// first notice recorded. For a student whose first plan comes after that day, it is due in that
// plan (the day it was finalized).
func beforeMajority(r rules.Rule, f Facts, l *ledger, pack rules.Pack) []Deadline {
	age := majorityAge(f, pack) - r.Amount
	plans := l.planEvents()
	if f.BirthDate.IsZero() || age < 1 || len(plans) == 0 {
		return nil
	}
	d := Deadline{Start: f.BirthDate, Due: schoolday.Anniversary(f.BirthDate, age)}
	if plans[0].on().After(d.Due) {
		d.Due = plans[0].on()
	}
	for _, e := range l.matching(r.MetBy) {
		d.MetOn, d.MetEvent, d.PlanID = e.on(), e.ID, e.PlanID
		return []Deadline{d}
	}
	if l.exitedSince(lastOf(plans)) {
		return nil
	}
	return []Deadline{d}
}

func lastOf(es []*entry) *entry {
	if len(es) == 0 {
		return nil
	}
	return es[len(es)-1]
}

// beforeMeeting computes lead times before team meetings. Without start events (the meeting
// notice) each meeting has one, met by a met event of the same meeting (Data "meeting_id").
// With start events (MA assessment summaries, from the evaluation consent) each start has one
// for the Team meeting that reviews the evaluation — the first meeting on a day after it, or the
// eligibility determination (made at a Team meeting) if that comes first — met by the first met
// event after the start (the evaluation completed, so its summaries exist); a later start
// before that meeting supersedes it. Due is Amount calendar days before the meeting.
func beforeMeeting(r rules.Rule, l *ledger) []Deadline {
	if len(r.Starts) == 0 {
		return meetingLeads(r, l)
	}
	var out []Deadline
	starts := l.matching(r.Starts)
	for i, s := range starts {
		m, ok := l.teamMeetingAfter(s)
		if !ok || i+1 < len(starts) && starts[i+1].on().Before(m.on) {
			continue
		}
		met := l.firstAfter(s, func(e *entry) bool { return rules.AnyMatches(r.MetBy, e.Event) })
		if l.endOf(r, s, met) != nil {
			continue
		}
		d := Deadline{PlanID: m.entry.PlanID, StartEvent: s.ID, Start: s.on(), Due: m.on.AddDays(-r.Amount)}
		if met != nil {
			d.MetOn, d.MetEvent = met.on(), met.ID
		}
		out = append(out, d)
	}
	return out
}

// meetingLeads: one lead time per meeting; Start is the meeting (the day it counts back from).
func meetingLeads(r rules.Rule, l *ledger) []Deadline {
	var out []Deadline
	for _, m := range l.meetings {
		d := Deadline{PlanID: m.entry.PlanID, StartEvent: m.entry.ID, Start: m.on, Due: m.on.AddDays(-r.Amount)}
		for _, e := range l.matching(r.MetBy) {
			if id := rules.DataString(e.Event, "meeting_id"); id != "" && id == m.id {
				d.MetOn, d.MetEvent = e.on(), e.ID
				break
			}
		}
		if d.MetOn.IsZero() && l.endOf(r, m.entry, nil) != nil {
			continue
		}
		out = append(out, d)
	}
	return out
}

// teamMeetingAfter returns the Team meeting that follows the start s: the first meeting on a
// later day, or the first eligibility determination on a later day if it comes first.
func (l *ledger) teamMeetingAfter(s *entry) (meeting, bool) {
	m, ok := l.nextMeetingAfter(s.on())
	for _, e := range l.entries[s.pos+1:] {
		if e.Kind != iep.EventEligibilityDetermined && e.Kind != iep.EventFoundNotEligible || !e.on().After(s.on()) {
			continue
		}
		if !ok || e.on().Before(m.on) {
			return meeting{id: "event:" + e.ID, on: e.on(), entry: e}, true
		}
		break
	}
	return m, ok
}
