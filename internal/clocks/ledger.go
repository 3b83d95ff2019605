package clocks

import (
	"slices"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
)

// entry is an event at its place in the sorted ledger.
type entry struct {
	*iep.Event
	pos int
}

// on is the day the event happened.
func (e *entry) on() date.Date { return e.OccurredOn }

// before reports whether e comes before o in the ledger (by day, then as recorded).
func (e *entry) before(o *entry) bool { return e.pos < o.pos }

// ledger is a student's events sorted by the day they occurred, then by when they were
// recorded, then in the order given, with the facts several clocks need.
type ledger struct {
	entries    []*entry
	amendments map[string]bool // plans agreed as amendments
	meetings   []meeting       // by date
}

// meeting is a team meeting known from the ledger: held, or announced with its date.
type meeting struct {
	id    string
	on    date.Date
	entry *entry // the meeting_held event, or the notice announcing it
}

func newLedger(events []iep.Event) *ledger {
	l := &ledger{amendments: map[string]bool{}}
	for i := range events {
		l.entries = append(l.entries, &entry{Event: &events[i], pos: i})
	}
	slices.SortStableFunc(l.entries, func(a, b *entry) int {
		if c := a.OccurredOn.Compare(b.OccurredOn); c != 0 {
			return c
		}
		return a.RecordedAt.Compare(b.RecordedAt)
	})
	for i, e := range l.entries {
		e.pos = i
		if e.Kind == iep.EventAmendmentAgreed && e.PlanID != "" ||
			e.Kind == iep.EventPlanFinalized && rules.DataString(e.Event, "kind") == string(iep.PlanAmendment) {
			l.amendments[e.PlanID] = true
		}
	}
	l.meetings = findMeetings(l.entries)
	return l
}

// findMeetings collects the meetings: each meeting_held (its day), and each meeting announced
// by a notice with Data "meeting_on" and not (yet) held.
func findMeetings(entries []*entry) []meeting {
	var ms []meeting
	index := map[string]int{}
	for _, e := range entries {
		id := rules.DataString(e.Event, "meeting_id")
		switch e.Kind {
		case iep.EventMeetingHeld:
			if id == "" {
				id = "event:" + e.ID
			}
			if i, ok := index[id]; ok {
				ms[i].on, ms[i].entry = e.on(), e
				continue
			}
			index[id] = len(ms)
			ms = append(ms, meeting{id: id, on: e.on(), entry: e})
		case iep.EventMeetingNoticeSent:
			on, err := date.Parse(rules.DataString(e.Event, "meeting_on"))
			if _, seen := index[id]; err != nil || id == "" || seen {
				continue
			}
			index[id] = len(ms)
			ms = append(ms, meeting{id: id, on: on, entry: e})
		}
	}
	slices.SortStableFunc(ms, func(a, b meeting) int { return a.on.Compare(b.on) })
	return ms
}

// matching returns the entries one of ms selects, in ledger order.
func (l *ledger) matching(ms []rules.Match) []*entry {
	var out []*entry
	for _, e := range l.entries {
		if rules.AnyMatches(ms, e.Event) {
			out = append(out, e)
		}
	}
	return out
}

// firstAfter returns the first entry after s in the ledger for which ok is true.
func (l *ledger) firstAfter(s *entry, ok func(*entry) bool) *entry {
	for _, e := range l.entries[s.pos+1:] {
		if ok(e) {
			return e
		}
	}
	return nil
}

// initialAt reports whether a start at s follows an initial evaluation: the last evaluation
// consent before it is for an initial evaluation, or, with no consent recorded, no plan was
// finalized before it.
func (l *ledger) initialAt(s *entry) bool {
	for i := s.pos - 1; i >= 0; i-- {
		switch l.entries[i].Kind {
		case iep.EventEvaluationConsentReceived:
			return true
		case iep.EventReevaluationConsent:
			return false
		}
	}
	for _, e := range l.entries[:s.pos] {
		if e.Kind == iep.EventPlanFinalized {
			return false
		}
	}
	return true
}

// decision is the last recorded answer of the family to a plan ("" when none).
func (l *ledger) decision(planID string) iep.ResponseDecision {
	var d iep.ResponseDecision
	for _, e := range l.entries {
		if e.Kind == iep.EventResponseReceived && e.PlanID == planID {
			d = iep.ResponseDecision(rules.DataString(e.Event, "decision"))
		}
	}
	return d
}

// rejected reports whether the plan's last answer rejects it in full (or silence did).
func (l *ledger) rejected(planID string) bool {
	d := l.decision(planID)
	return d == iep.RejectInFull || d == iep.NoResponse
}

// tookEffect reports whether the plan was accepted (in full or in part) or agreed as an
// amendment at some point.
func (l *ledger) tookEffect(planID string) bool {
	for _, e := range l.entries {
		if e.PlanID != planID {
			continue
		}
		if e.Kind == iep.EventAmendmentAgreed {
			return true
		}
		if d := iep.ResponseDecision(rules.DataString(e.Event, "decision")); e.Kind == iep.EventResponseReceived && (d == iep.AcceptInFull || d == iep.AcceptInPart) {
			return true
		}
	}
	return false
}

// ends reports whether e ends every open clock: the student exited.
func ends(e *entry) bool { return e.Kind == iep.EventExited }

// endOf returns the event that ends a clock started at s before it closed at closed (nil: still
// open): an exit, or one of the rule's ended_by events (of the same plan when both have one).
func (l *ledger) endOf(r rules.Rule, s, closed *entry) *entry {
	for _, e := range l.entries[s.pos+1:] {
		if closed != nil && !e.on().Before(closed.on()) {
			return nil
		}
		if ends(e) {
			return e
		}
		if rules.AnyMatches(r.EndedBy, e.Event) && (e.PlanID == "" || s.PlanID == "" || e.PlanID == s.PlanID) {
			return e
		}
	}
	return nil
}

// nextMeetingAfter returns the first meeting on a day after d.
func (l *ledger) nextMeetingAfter(d date.Date) (meeting, bool) {
	for _, m := range l.meetings {
		if m.on.After(d) {
			return m, true
		}
	}
	return meeting{}, false
}

// planEvents are the events by which a plan was made binding content: its finalization at a
// meeting, or an amendment agreed (without a meeting).
func (l *ledger) planEvents() []*entry {
	var out []*entry
	for _, e := range l.entries {
		if e.PlanID != "" && (e.Kind == iep.EventPlanFinalized || e.Kind == iep.EventAmendmentAgreed) {
			out = append(out, e)
		}
	}
	return out
}

// exitedSince reports whether the student's last exit comes after e (nil: after the start of
// the ledger), i.e. they are out of special education now.
func (l *ledger) exitedSince(e *entry) bool {
	from := 0
	if e != nil {
		from = e.pos + 1
	}
	for _, x := range l.entries[from:] {
		if ends(x) {
			return true
		}
	}
	return false
}
