package rules

import (
	"fmt"
	"slices"
	"strings"

	"github.com/openiep/openiep/internal/iep"
)

// units allowed for each kind of clock.
var kindUnits = map[Kind][]Unit{
	Within:         {CalendarDays, BusinessDays, SchoolDays},
	Review:         {Years},
	Cycle:          {Years},
	NotBefore:      {Years},
	AgeBy:          {Age},
	BeforeMajority: {Years},
	BeforeMeeting:  {CalendarDays}, // counted back from the meeting
}

// Validate reports what is wrong with the pack (KindInvalid with one problem per fault): every
// rule needs a unique id, a known kind, a positive amount in a unit its kind counts, the events
// its kind needs (known event kinds), a citation, a name and a due-soon threshold; an amount
// within its own legal bounds; known pause reasons, on day clocks only.
func (p Pack) Validate() error {
	var ps iep.Problems
	add := func(field, code, detail string) {
		ps = append(ps, iep.Problem{Field: field, Code: code, Detail: detail})
	}
	if p.MajorityAge < 18 || p.MajorityAge > 21 {
		add("majority_age", iep.CodeRange, "18..21")
	}
	seen := map[string]bool{}
	for _, pr := range p.Pauses {
		if pr.ID == "" || pr.Citation == "" || pr.Name == "" {
			add("pauses."+pr.ID, iep.CodeRequired, "id, citation and name")
		}
		seen["pause:"+pr.ID] = true
	}
	for i, r := range p.Rules {
		f := fmt.Sprintf("rules[%d:%s].", i, r.ID)
		if r.ID == "" {
			add(f+"id", iep.CodeRequired, "")
		} else if seen[r.ID] {
			add(f+"id", iep.CodeDuplicate, r.ID)
		}
		seen[r.ID] = true
		for _, pr := range r.problems() {
			add(f+pr.Field, pr.Code, pr.Detail)
		}
		for _, reason := range r.PausableBy {
			if !seen["pause:"+reason] {
				add(f+"pausable_by", iep.CodeChoice, reason)
			}
		}
	}
	return ps.Err()
}

func (r Rule) problems() iep.Problems {
	var ps iep.Problems
	add := func(field, code, detail string) {
		ps = append(ps, iep.Problem{Field: field, Code: code, Detail: detail})
	}
	units, ok := kindUnits[r.Kind]
	if !ok {
		add("kind", iep.CodeChoice, joinKinds())
	} else if !slices.Contains(units, r.Unit) {
		add("unit", iep.CodeChoice, fmt.Sprint(units))
	}
	if r.Amount < 1 {
		add("amount", iep.CodeRange, "1..")
	}
	if r.LawMax > 0 && r.Amount > r.LawMax || r.LawMin > 0 && r.Amount < r.LawMin {
		add("amount", iep.CodeRange, "outside the law's bounds")
	}
	if r.LawMax > 0 && r.LawMin > 0 {
		add("law_min", iep.CodeInvalid, "a law sets a maximum or a minimum, not both")
	}
	if needsStarts(r.Kind) && len(r.Starts) == 0 {
		add("starts", iep.CodeRequired, "")
	}
	if r.Kind != AgeBy && len(r.MetBy) == 0 {
		add("met_by", iep.CodeRequired, "")
	}
	for name, ms := range map[string][]Match{"starts": r.Starts, "met_by": r.MetBy, "lapsed_by": r.LapsedBy, "ended_by": r.EndedBy} {
		for _, m := range ms {
			if !slices.Contains(iep.EventKinds, m.Kind) {
				add(name, iep.CodeChoice, string(m.Kind))
			}
		}
	}
	if r.Scope != "" && r.Scope != ScopeStudent && r.Scope != ScopePlan {
		add("scope", iep.CodeChoice, ScopeStudent+", "+ScopePlan)
	}
	if r.Silence != SilenceNone && r.Silence != SilenceRejection {
		add("silence", iep.CodeChoice, SilenceRejection)
	}
	if (r.Silence != "") != (len(r.LapsedBy) > 0) {
		add("lapsed_by", iep.CodeInvalid, "a silence needs the events that record it, and only then")
	}
	if len(r.PausableBy) > 0 && r.Kind != Within {
		add("pausable_by", iep.CodeInvalid, "only day clocks pause")
	}
	if strings.TrimSpace(r.Citation) == "" {
		add("citation", iep.CodeRequired, "")
	}
	if r.Name != "clock."+r.ID {
		add("name", iep.CodeInvalid, "clock."+r.ID)
	}
	if r.DueSoon < 0 {
		add("due_soon", iep.CodeRange, "0..")
	}
	if r.LawMax == 0 && r.LawMin == 0 && !r.Fixed && r.Note == "" {
		add("note", iep.CodeRequired, "where the number comes from, when the law sets none")
	}
	return ps
}

func needsStarts(k Kind) bool { return k == Within || k == Review || k == Cycle || k == NotBefore }

func joinKinds() string {
	s := make([]string, len(kinds))
	for i, k := range kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
