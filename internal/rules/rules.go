// Package rules holds the rule packs: for each jurisdiction, every compliance clock of the
// special education process (DOMAIN.md §6) as data — how long, in which unit, which ledger
// event starts it and which meets it, the citation, what the parent's silence means, and when
// it is "due soon". The packs are JSON files embedded in the binary (packs/*.json), one per
// jurisdiction; a state pack inherits the federal one and overrides or adds rules. A district
// picks a pack (iep.District.RulePack) and may override amounts, never below what the law
// requires (Pack.With).
//
// The package is pure: the clocks themselves are computed by internal/clocks.
package rules

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/openiep/openiep/internal/iep"
)

// Unit is what a rule's amount counts. The day units have the same names as schoolday.Unit.
type Unit string

const (
	CalendarDays Unit = "calendar" // 34 CFR 300.11(a), 603 CMR 28.02: "day" means calendar day
	BusinessDays Unit = "business" // Monday to Friday except federal and state holidays
	SchoolDays   Unit = "school"   // days children attend for instruction, partial days included, ESY never
	Years        Unit = "years"    // anniversaries: one year after Feb 29 is Feb 28, never "365 days"
	Age          Unit = "age"      // years after the birth date
)

// IsDays reports whether u counts days (so that a calendar adds it).
func (u Unit) IsDays() bool { return u == CalendarDays || u == BusinessDays || u == SchoolDays }

// Kind is how a clock is computed from the ledger (see internal/clocks for each).
type Kind string

const (
	// Within: from a start event, within Amount days, until a met event. Most clocks.
	Within Kind = "within"
	// Review: the annual review, one year from the finalization of each plan (the last meeting
	// of a multi-meeting IEP), met by the next plan finalized; amendments never count.
	Review Kind = "review"
	// Cycle: from each start event, within Amount years, met by the next met event (the
	// reevaluation: three years from the last evaluation completed).
	Cycle Kind = "cycle"
	// NotBefore: a floor, not a deadline: a start event earlier than Amount years after the
	// last met-by event is flagged (a reevaluation more than once a year without agreement).
	NotBefore Kind = "not_before"
	// AgeBy: due on the birthday at age Amount, met by the plan in effect that day including
	// it (the transition plan).
	AgeBy Kind = "age"
	// BeforeMajority: due Amount years before the age of majority, met by a met-by event (the
	// notice that rights transfer).
	BeforeMajority Kind = "before_majority"
	// BeforeMeeting: due Amount days before a team meeting (the meeting notice, assessment
	// summaries).
	BeforeMeeting Kind = "before_meeting"
)

var kinds = []Kind{Within, Review, Cycle, NotBefore, AgeBy, BeforeMajority, BeforeMeeting}

// Silence values: what a window passing without an answer means.
const (
	SilenceNone      = ""          // nothing: the clock stays open
	SilenceRejection = "rejection" // MA: a proposed IEP not answered in 30 days is rejected
)

// Scopes: what ties a clock's met event to its start event.
const (
	ScopeStudent = "student" // any met event of the student
	ScopePlan    = "plan"    // a met event of the same plan (Event.PlanID)
)

// Match selects ledger events: of kind Kind, with a plan when Plan is set, and with each Data
// field listed holding one of the listed values (a JSON string, or true/false as "true"/"false").
type Match struct {
	Kind iep.EventKind       `json:"kind"`
	Plan bool                `json:"plan,omitempty"`
	Data map[string][]string `json:"data,omitempty"`
}

// Matches reports whether e is selected by m.
func (m Match) Matches(e *iep.Event) bool {
	if e.Kind != m.Kind || m.Plan && e.PlanID == "" {
		return false
	}
	for field, allowed := range m.Data {
		if !slices.Contains(allowed, DataString(e, field)) {
			return false
		}
	}
	return true
}

// DataString returns the field of e's Data as a string: a JSON string as is, a boolean or number
// in its JSON form, "" when absent or not an object.
func DataString(e *iep.Event, field string) string {
	if len(e.Data) == 0 {
		return ""
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(e.Data, &obj) != nil {
		return ""
	}
	raw, ok := obj[field]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return strings.TrimSpace(string(raw))
}

// AnyMatches reports whether one of ms selects e.
func AnyMatches(ms []Match, e *iep.Event) bool {
	for _, m := range ms {
		if m.Matches(e) {
			return true
		}
	}
	return false
}

// Rule is one clock of a pack.
type Rule struct {
	ID     string `json:"id"`   // stable: "services_start", "annual_review"…
	Kind   Kind   `json:"kind"` // how it is computed
	Amount int    `json:"amount"`
	Unit   Unit   `json:"unit"`
	// Starts are the events that start the clock (day 0 is the day they occurred on).
	Starts []Match `json:"starts,omitempty"`
	// MetBy are the events that meet it.
	MetBy []Match `json:"met_by,omitempty"`
	// LapsedBy close the clock by silence (a "no response" recorded when the window passed).
	LapsedBy []Match `json:"lapsed_by,omitempty"`
	// EndedBy end an open clock without meeting it: it no longer binds and is dropped (exit
	// ends every clock; see internal/clocks).
	EndedBy []Match `json:"ended_by,omitempty"`
	Scope   string  `json:"scope,omitempty"` // ScopeStudent (default) or ScopePlan
	// Key ties a met event to its start by a Data field both carry (records: "request_id").
	Key string `json:"key,omitempty"`
	// Restart: a start while the clock is open supersedes it (a new consent restarts the
	// evaluation clock). Otherwise such a start is ignored.
	Restart bool `json:"restart,omitempty"`
	// Once: one clock per scope, ever (services start after the first acceptance of a plan).
	Once bool `json:"once,omitempty"`
	// InitialOnly: only starts that follow an initial evaluation (not a reevaluation).
	InitialOnly bool `json:"initial_only,omitempty"`
	// SkipAmendments: no clock for an amendment plan (one with an amendment_agreed event).
	SkipAmendments bool `json:"skip_amendments,omitempty"`
	// ByNextMeeting: due at the latest on the day of the next team meeting after the start
	// (records before any meeting about an IEP, 300.613(a)).
	ByNextMeeting bool `json:"by_next_meeting,omitempty"`
	// PausableBy lists the pause reasons (Pack.Pauses) that may stop this clock.
	PausableBy []string `json:"pausable_by,omitempty"`
	// Silence is what the window passing without an answer means (SilenceRejection).
	Silence  string `json:"silence,omitempty"`
	Citation string `json:"citation"`
	Name     string `json:"name"` // the i18n catalog key of its plain-language name
	// DueSoon is how many calendar days before Due the clock is "due soon".
	DueSoon int `json:"due_soon"`
	// LawMax is the largest amount the law allows (0: the law sets none), LawMin the smallest
	// (lead times, years before majority); Fixed forbids any override.
	LawMax int  `json:"law_max,omitempty"`
	LawMin int  `json:"law_min,omitempty"`
	Fixed  bool `json:"fixed,omitempty"`
	// Note says where a number without a legal maximum comes from (the product's promise).
	Note string `json:"note,omitempty"`
}

// CanPause reports whether reason may pause this clock.
func (r Rule) CanPause(reason string) bool { return slices.Contains(r.PausableBy, reason) }

// PauseReason is an allowed reason for stopping a clock (34 CFR 300.301(d)).
type PauseReason struct {
	ID       string `json:"id"`
	Citation string `json:"citation"`
	Name     string `json:"name"` // i18n catalog key
}

// Pack is the rules of one jurisdiction.
type Pack struct {
	ID          string        `json:"id"` // "federal", "MA"
	Inherits    string        `json:"inherits,omitempty"`
	MajorityAge int           `json:"majority_age"` // 300.520(a): the state's age of majority
	Rules       []Rule        `json:"rules"`
	Pauses      []PauseReason `json:"pauses"`
	// Overrides are the district's changed amounts, by rule id (Pack.With).
	Overrides map[string]int `json:"overrides,omitempty"`
	// DraftBeforeMeeting is how many calendar days before a meeting a draft must be shared with a
	// family who asked for it (some states' rules; 0: no such rule, the draft is shared when ready).
	DraftBeforeMeeting int `json:"draft_before_meeting_days,omitempty"`
	// Resources are where a family finds help: the parent center, the state's offices for
	// complaints, mediation and hearings, the federal pages. A state pack's own come first, then
	// those it inherits (an inherited entry with the same id is the state's).
	Resources []Resource `json:"resources,omitempty"`
	// LegalLanguage is the BCP 47 tag of the language whose version of a document is the legal
	// one where the pack says so ("en"); "" when the pack does not say. Inherited.
	LegalLanguage string `json:"legal_language,omitempty"`
	// DocumentSections are the plan's sections in the order of the jurisdiction's IEP form,
	// every section once (the printed IEP follows it). Inherited.
	DocumentSections []iep.SectionKind `json:"document_sections,omitempty"`
}

// ResourceKind says what a source of help is.
type ResourceKind string

const (
	ResourceParentCenter  ResourceKind = "parent_center"  // the state's parent training and information center (IDEA section 671)
	ResourceStateAgency   ResourceKind = "state_agency"   // the state education agency's pages for families
	ResourceFederalAgency ResourceKind = "federal_agency" // the U.S. Department of Education's
	ResourceMediation     ResourceKind = "mediation"      // 34 CFR 300.506
	ResourceComplaint     ResourceKind = "complaint"      // the state complaint, 34 CFR 300.151-300.153
	ResourceHearing       ResourceKind = "hearing"        // the due process hearing, 34 CFR 300.507-300.518
	ResourceLegalAid      ResourceKind = "legal_aid"      // free or low-cost legal help (34 CFR 300.507(b))
)

// ResourceKinds lists every kind, in the order a family page shows them.
var ResourceKinds = []ResourceKind{ResourceParentCenter, ResourceStateAgency, ResourceMediation, ResourceComplaint,
	ResourceHearing, ResourceLegalAid, ResourceFederalAgency}

// Resource is one source of help for families, named, linked and numbered as the organisation
// itself publishes it (never translated: a family searches for it by that name).
type Resource struct {
	ID       string       `json:"id"` // stable: "ma_bsea_hearing"
	Kind     ResourceKind `json:"kind"`
	Name     string       `json:"name"`
	URL      string       `json:"url,omitempty"`   // https only
	Phone    string       `json:"phone,omitempty"` // as published; left out when not sure
	Citation string       `json:"citation,omitempty"`
}

// ResourcesOf returns the pack's resources of the given kinds (every one when none is given), in
// the pack's order.
func (p Pack) ResourcesOf(kinds ...ResourceKind) []Resource {
	var out []Resource
	for _, r := range p.Resources {
		if len(kinds) == 0 || slices.Contains(kinds, r.Kind) {
			out = append(out, r)
		}
	}
	return out
}

// Translated reports whether a document shown in language lang is a translation and not the
// legal version, and names the legal version's language: true when the pack sets a legal
// language and lang is another language (compared by their base languages: "en-US" is "en").
func (p Pack) Translated(lang string) (legal string, translated bool) {
	if p.LegalLanguage == "" {
		return "", false
	}
	base := func(tag string) string {
		b, _, _ := strings.Cut(strings.ToLower(tag), "-")
		return b
	}
	return p.LegalLanguage, base(lang) != base(p.LegalLanguage)
}

// Rule returns the rule with id.
func (p Pack) Rule(id string) (Rule, bool) {
	for _, r := range p.Rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// Pause returns the pause reason with id.
func (p Pack) Pause(id string) (PauseReason, bool) {
	for _, r := range p.Pauses {
		if r.ID == id {
			return r, true
		}
	}
	return PauseReason{}, false
}

// With returns the pack with a district's amounts in place of the pack's, by rule id. An
// override is refused (KindInvalid, one problem per rule) when the rule is unknown or fixed,
// when the amount is not positive, or when it is less protective than the law: above LawMax
// where the law sets a maximum (more days to evaluate, an older age for the transition plan),
// below LawMin where it sets a minimum (a shorter meeting notice). Where the law sets no
// number (the 10 school days to start services are the product's promise, 300.323(c)(2) says
// "as soon as possible"), any amount from 1 to 365 is accepted.
func (p Pack) With(overrides map[string]int) (Pack, error) {
	var ps iep.Problems
	out := p
	out.Rules = slices.Clone(p.Rules)
	out.Overrides = map[string]int{}
	for id, n := range p.Overrides {
		out.Overrides[id] = n
	}
	ids := make([]string, 0, len(overrides))
	for id := range overrides {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		n := overrides[id]
		i := slices.IndexFunc(out.Rules, func(r Rule) bool { return r.ID == id })
		if i < 0 {
			ps = append(ps, iep.Problem{Field: "overrides." + id, Code: iep.CodeChoice, Detail: strings.Join(p.ruleIDs(), ", ")})
			continue
		}
		if pr := checkOverride(out.Rules[i], n); pr != nil {
			pr.Field = "overrides." + id
			ps = append(ps, *pr)
			continue
		}
		out.Rules[i].Amount = n
		out.Overrides[id] = n
	}
	if err := ps.Err(); err != nil {
		return p, err
	}
	return out, nil
}

func checkOverride(r Rule, n int) *iep.Problem {
	lo, hi := 1, 365
	switch {
	case r.Fixed:
		return &iep.Problem{Code: iep.CodeInvalid, Detail: "set by law: " + r.Citation}
	case r.LawMax > 0:
		hi = r.LawMax
	case r.LawMin > 0:
		lo = r.LawMin
	}
	if n < lo || n > hi {
		return &iep.Problem{Code: iep.CodeRange, Detail: strconv.Itoa(lo) + ".." + strconv.Itoa(hi)}
	}
	return nil
}

func (p Pack) ruleIDs() []string {
	ids := make([]string, len(p.Rules))
	for i, r := range p.Rules {
		ids[i] = r.ID
	}
	return ids
}

// CheckPause returns nil when a clock may be paused for reason: reason is one of the pack's
// pause reasons and clock (a rule id) lists it. An empty clock means "every open clock the
// reason may pause"; then the reason must pause at least one rule. Otherwise it returns a
// KindInvalid error: a pause without an allowed reason is refused.
func (p Pack) CheckPause(clock, reason string) error {
	var allowed []string
	for _, r := range p.Rules {
		if clock == "" || r.ID == clock {
			allowed = append(allowed, r.PausableBy...)
		}
	}
	if clock != "" {
		if _, ok := p.Rule(clock); !ok {
			return iep.Problems{{Field: "clock", Code: iep.CodeChoice, Detail: strings.Join(p.ruleIDs(), ", ")}}.Err()
		}
	}
	if strings.TrimSpace(reason) == "" {
		return iep.Problems{{Field: "reason", Code: iep.CodeRequired}}.Err()
	}
	if !slices.Contains(allowed, reason) {
		slices.Sort(allowed)
		return iep.Problems{{Field: "reason", Code: iep.CodeChoice, Detail: strings.Join(slices.Compact(allowed), ", ")}}.Err()
	}
	return nil
}
