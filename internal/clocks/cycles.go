package clocks

import (
	"cmp"
	"maps"
	"slices"

	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/schoolday"
)

// review computes the annual reviews: one per plan finalized (its last finalization: the
// meeting that completed it), due on the anniversary, met by the next plan finalized.
// Amendments neither start nor meet it; an initial plan rejected in full with no plan in effect
// before it starts none (there is no IEP to review).
func review(r rules.Rule, l *ledger) []Deadline {
	lastOf := map[string]*entry{} // each plan's last finalization
	for _, e := range l.matching(r.Starts) {
		if !l.amendments[e.PlanID] {
			lastOf[e.PlanID] = e
		}
	}
	finals := slices.SortedFunc(maps.Values(lastOf), func(a, b *entry) int { return cmp.Compare(a.pos, b.pos) })
	var kept []*entry
	for _, e := range finals {
		if l.rejected(e.PlanID) && !anyTookEffect(l, kept) {
			continue
		}
		kept = append(kept, e)
	}
	var out []Deadline
	for i, s := range kept {
		var met *entry
		if i+1 < len(kept) && rules.AnyMatches(r.MetBy, kept[i+1].Event) {
			met = kept[i+1]
		}
		if l.endOf(r, s, met) != nil {
			continue
		}
		out = append(out, cycleDeadline(r, s, met))
	}
	return out
}

func anyTookEffect(l *ledger, es []*entry) bool {
	for _, e := range es {
		if l.tookEffect(e.PlanID) {
			return true
		}
	}
	return false
}

// cycle computes a clock restarted by each start (the reevaluation: three years from each
// evaluation completed), met by the next met event after it.
func cycle(r rules.Rule, l *ledger) []Deadline {
	var out []Deadline
	for _, s := range l.matching(r.Starts) {
		met := l.firstAfter(s, func(e *entry) bool { return rules.AnyMatches(r.MetBy, e.Event) })
		if l.endOf(r, s, met) != nil {
			continue
		}
		out = append(out, cycleDeadline(r, s, met))
	}
	return out
}

func cycleDeadline(r rules.Rule, s, met *entry) Deadline {
	d := Deadline{PlanID: s.PlanID, StartEvent: s.ID, Start: s.on(), Due: schoolday.Anniversary(s.on(), r.Amount)}
	if met != nil {
		d.MetOn, d.MetEvent = met.on(), met.ID
	}
	return d
}

// notBefore flags each start earlier than Amount years after the last met-by event before it
// (a reevaluation consent within a year of the last evaluation completed), unless the start's
// Data says {"agreed": true}. The flag is a closed Deadline: Start and StartEvent are the last
// evaluation, Due the earliest day allowed, MetOn and MetEvent the early step, Early set.
func notBefore(r rules.Rule, l *ledger) []Deadline {
	var out []Deadline
	for _, s := range l.matching(r.Starts) {
		if rules.DataString(s.Event, "agreed") == "true" {
			continue
		}
		var last *entry
		for _, e := range l.entries[:s.pos] {
			if rules.AnyMatches(r.MetBy, e.Event) {
				last = e
			}
		}
		if last == nil {
			continue
		}
		earliest := schoolday.Anniversary(last.on(), r.Amount)
		if !s.on().Before(earliest) {
			continue
		}
		out = append(out, Deadline{PlanID: s.PlanID, StartEvent: last.ID, Start: last.on(), Due: earliest,
			MetOn: s.on(), MetEvent: s.ID, Early: true})
	}
	return out
}
