package clocks

import (
	"strings"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
)

// clock is a clock of a "within" rule while it is being worked out.
type clock struct {
	start      *entry
	key        string
	closed     *entry // the event that met it or closed it by silence
	lapsed     bool
	superseded bool
}

// openOn reports whether the clock is still open on the day of s.
func (c *clock) openOn(s *entry) bool { return c.closed == nil || c.closed.on().After(s.on()) }

// within computes the clocks of a rule that counts days from a start event to a met event.
func within(r rules.Rule, l *ledger, c counter) ([]Deadline, error) {
	var clocks []*clock
	used := map[int]bool{} // closing events already taken by a clock
	for _, s := range l.matching(r.Starts) {
		if !startCounts(r, l, s) {
			continue
		}
		k := keyOf(r, s.Event)
		if prev := lastWithKey(clocks, k); prev != nil {
			if r.Once || prev.openOn(s) && !r.Restart {
				continue
			}
			if prev.openOn(s) {
				prev.superseded = true
				if prev.closed != nil {
					delete(used, prev.closed.pos)
				}
			}
		}
		cl := &clock{start: s, key: k}
		cl.closed, cl.lapsed = closing(r, l, s, k, used)
		if cl.closed != nil {
			used[cl.closed.pos] = true
		}
		clocks = append(clocks, cl)
	}
	var out []Deadline
	for _, cl := range clocks {
		if cl.superseded || l.endOf(r, cl.start, cl.closed) != nil {
			continue
		}
		d, err := withinDeadline(r, l, c, cl)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// startCounts applies the rule's conditions on a start event.
func startCounts(r rules.Rule, l *ledger, s *entry) bool {
	switch {
	case r.Scope == rules.ScopePlan && s.PlanID == "":
		return false
	case r.SkipAmendments && l.amendments[s.PlanID]:
		return false
	case r.InitialOnly && !l.initialAt(s):
		return false
	}
	return true
}

// keyOf is what ties an event to a clock of the rule: its plan, and the rule's Data field.
func keyOf(r rules.Rule, e *iep.Event) string {
	k := ""
	if r.Scope == rules.ScopePlan {
		k = e.PlanID
	}
	if r.Key != "" {
		k += "|" + rules.DataString(e, r.Key)
	}
	return k
}

// sameKey reports whether an event's key fits a clock's: the plans must be equal, a Data key
// missing on either side fits any.
func sameKey(r rules.Rule, clockKey string, e *iep.Event) bool {
	k := keyOf(r, e)
	if r.Key == "" {
		return k == clockKey
	}
	if r.Scope == rules.ScopePlan && e.PlanID != "" && !strings.HasPrefix(clockKey, e.PlanID+"|") {
		return false
	}
	return k == clockKey || strings.HasSuffix(k, "|") || strings.HasSuffix(clockKey, "|")
}

func lastWithKey(clocks []*clock, k string) *clock {
	for i := len(clocks) - 1; i >= 0; i-- {
		if !clocks[i].superseded && clocks[i].key == k {
			return clocks[i]
		}
	}
	return nil
}

// closing finds the first event on or after the start's day that meets the clock (or closes it
// by silence), not already taken by an earlier clock.
func closing(r rules.Rule, l *ledger, s *entry, k string, used map[int]bool) (*entry, bool) {
	for _, e := range l.entries {
		if e.pos == s.pos || e.on().Before(s.on()) || used[e.pos] || !sameKey(r, k, e.Event) {
			continue
		}
		if rules.AnyMatches(r.MetBy, e.Event) {
			return e, false
		}
		if rules.AnyMatches(r.LapsedBy, e.Event) {
			return e, true
		}
	}
	return nil, false
}

// withinDeadline works out the due date of a clock, its pauses and the next meeting cap.
func withinDeadline(r rules.Rule, l *ledger, c counter, cl *clock) (Deadline, error) {
	d := Deadline{StartEvent: cl.start.ID, Start: cl.start.on(), Lapsed: cl.lapsed}
	if r.Scope == rules.ScopePlan {
		d.PlanID = cl.start.PlanID
	}
	if cl.closed != nil {
		d.MetOn, d.MetEvent = cl.closed.on(), cl.closed.ID
	}
	ps := pauses(r, l, cl)
	due, prov, err := dueWithPauses(c, cl.start.on(), r.Amount, r.Unit, ps)
	if err != nil {
		return d, err
	}
	d.Due, d.Provisional = due, prov
	if n := len(ps); n > 0 && ps[n-1].open && cl.closed == nil {
		d.Paused, d.PauseReason = true, ps[n-1].reason
	}
	if r.ByNextMeeting {
		if m, ok := l.nextMeetingAfter(d.Start); ok && m.on.Before(d.Due) {
			d.Due, d.Provisional = m.on, false
		}
	}
	return d, nil
}

// pause is a stretch during which a clock did not count: the days after from up to and
// including to. An open pause has no resume yet (to is the day it was paused).
type pause struct {
	from, to date.Date
	reason   string
	open     bool
}

// pauses lists the clock's pauses with an allowed reason, from its start to its close (a pause
// still running when the clock closed ends that day).
func pauses(r rules.Rule, l *ledger, cl *clock) []pause {
	if len(r.PausableBy) == 0 {
		return nil
	}
	var out []pause
	var cur *pause
	for _, e := range l.entries[cl.start.pos+1:] {
		if cl.closed != nil && !e.before(cl.closed) {
			break
		}
		target := rules.DataString(e.Event, "clock")
		if target != "" && target != r.ID {
			continue
		}
		switch {
		case e.Kind == iep.EventClockPaused && cur == nil:
			reason := rules.DataString(e.Event, "reason")
			if r.CanPause(reason) {
				cur = &pause{from: e.on(), to: e.on(), reason: reason, open: true}
			}
		case e.Kind == iep.EventClockResumed && cur != nil:
			cur.to, cur.open = e.on(), false
			out, cur = append(out, *cur), nil
		}
	}
	if cur != nil {
		if cl.closed != nil {
			cur.to, cur.open = cl.closed.on(), false
		}
		out = append(out, *cur)
	}
	return out
}

// dueWithPauses adds n units to start, not counting the days of each pause: the units used
// before a pause are kept, and the rest are counted from its resume. A pause that begins after
// the clock was already due does not move it. While a pause is open the due date is given as if
// the clock resumed the day it paused.
func dueWithPauses(c counter, start date.Date, n int, u rules.Unit, ps []pause) (date.Date, bool, error) {
	from, left, provisional := start, n, false
	for _, p := range ps {
		due, prov, err := c.add(from, left, u)
		if err != nil {
			return date.Date{}, false, err
		}
		if p.from.After(due) {
			return due, provisional || prov, nil
		}
		usedDays, prov2, err := c.count(from, p.from, u)
		if err != nil {
			return date.Date{}, false, err
		}
		provisional = provisional || prov2
		left = max(0, left-usedDays)
		from = p.to
	}
	due, prov, err := c.add(from, left, u)
	return due, provisional || prov, err
}
