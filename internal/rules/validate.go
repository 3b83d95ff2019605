package rules

import (
	"fmt"
	"net/url"
	"regexp"
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
// within its own legal bounds; known pause reasons, on day clocks only. A legal language is a
// BCP 47 tag; every resource has a unique id, a known kind, a name and an https address or a
// phone number, each well formed.
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
	if len(p.DocumentSections) > 0 {
		for _, k := range iep.Sections {
			if n := countOf(p.DocumentSections, k); n != 1 {
				add("document_sections", iep.CodeInvalid, fmt.Sprintf("every section once: %s is there %d times", k, n))
			}
		}
		if len(p.DocumentSections) != len(iep.Sections) {
			add("document_sections", iep.CodeInvalid, "only the plan's sections")
		}
	}
	if p.LegalLanguage != "" && !languageTag.MatchString(p.LegalLanguage) {
		add("legal_language", iep.CodeInvalid, "a BCP 47 language tag such as en or en-US")
	}
	ids := map[string]bool{}
	for i, r := range p.Resources {
		f := fmt.Sprintf("resources[%d:%s].", i, r.ID)
		switch {
		case !resourceID.MatchString(r.ID):
			add(f+"id", iep.CodeInvalid, "lower-case letters, digits and _")
		case ids[r.ID]:
			add(f+"id", iep.CodeDuplicate, r.ID)
		}
		ids[r.ID] = true
		for _, pr := range r.problems() {
			add(f+pr.Field, pr.Code, pr.Detail)
		}
	}
	return ps.Err()
}

var (
	// languageTag is the shape of a BCP 47 tag: a language, then subtags ("en", "es-419", "zh-Hant").
	languageTag = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	resourceID  = regexp.MustCompile(`^[a-z0-9_]+$`)
	// phoneNumber is a number as published: digits with spaces, dots, dashes, parentheses, a
	// leading + and letters of a vanity number (1-800-FLOWERS): 7 to 25 characters.
	phoneNumber = regexp.MustCompile(`^\+?[0-9A-Z() .-]{7,25}$`)
)

// problems reports what is wrong with a resource: a known kind, a name, a way to reach it (an
// https address or a phone number), and each of them well formed.
func (r Resource) problems() iep.Problems {
	var ps iep.Problems
	add := func(field, code, detail string) {
		ps = append(ps, iep.Problem{Field: field, Code: code, Detail: detail})
	}
	if !slices.Contains(ResourceKinds, r.Kind) {
		kinds := make([]string, len(ResourceKinds))
		for i, k := range ResourceKinds {
			kinds[i] = string(k)
		}
		add("kind", iep.CodeChoice, strings.Join(kinds, ", "))
	}
	if strings.TrimSpace(r.Name) == "" {
		add("name", iep.CodeRequired, "")
	}
	if r.URL == "" && r.Phone == "" {
		add("url", iep.CodeRequired, "an address or a phone number")
	}
	if r.URL != "" {
		u, err := url.Parse(r.URL)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil {
			add("url", iep.CodeInvalid, "an https address")
		}
	}
	if r.Phone != "" && (!phoneNumber.MatchString(r.Phone) || dialed(r.Phone) < 7) {
		add("phone", iep.CodeInvalid, "a phone number as published")
	}
	return ps
}

// dialed counts the keys a number dials: its digits and the letters of a vanity number.
func dialed(s string) int {
	n := 0
	for _, c := range s {
		if c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' {
			n++
		}
	}
	return n
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

// countOf is how many times k is in ks.
func countOf(ks []iep.SectionKind, k iep.SectionKind) int {
	n := 0
	for _, x := range ks {
		if x == k {
			n++
		}
	}
	return n
}
