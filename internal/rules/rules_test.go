package rules

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/iep"
)

func mustLoad(tb testing.TB, id string) Pack {
	tb.Helper()
	p, err := Load(id)
	if err != nil {
		tb.Fatalf("Load(%q) = %v", id, err)
	}
	return p
}

func mustRule(tb testing.TB, p Pack, id string) Rule {
	tb.Helper()
	r, ok := p.Rule(id)
	if !ok {
		tb.Fatalf("pack %s has no rule %q", p.ID, id)
	}
	return r
}

// Every embedded pack loads and validates; this is what start-up does.
func TestEveryPackValidates(t *testing.T) {
	packs, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if len(packs) < 2 {
		t.Fatalf("All() = %d packs, want federal and MA at least", len(packs))
	}
	for id, p := range packs {
		if err := p.Validate(); err != nil {
			t.Errorf("pack %s: %v", id, err)
		}
	}
	if got := IDs(); len(got) != len(packs) || got[0] != "MA" || got[1] != "federal" {
		t.Errorf("IDs() = %v", got)
	}
}

// Each clock of DOMAIN.md §6, with the amount, unit and citation the law gives it.
func TestPackAmounts(t *testing.T) {
	tests := []struct {
		pack, rule string
		amount     int
		unit       Unit
		citation   string
	}{
		{"federal", "initial_evaluation", 60, CalendarDays, "34 CFR 300.301(c)(1)(i)"},
		{"federal", "initial_iep_meeting", 30, CalendarDays, "34 CFR 300.323(c)(1)"},
		{"federal", "services_start", 10, SchoolDays, "34 CFR 300.323(c)(2)"}, // the seed's promise
		{"federal", "annual_review", 1, Years, "34 CFR 300.324(b)(1)(i)"},
		{"federal", "reevaluation", 3, Years, "34 CFR 300.303(b)(2)"},
		{"federal", "reevaluation_min_interval", 1, Years, "34 CFR 300.303(b)(1)"},
		{"federal", "transition_plan", 16, Age, "34 CFR 300.320(b)"},
		{"federal", "majority_notice", 1, Years, "34 CFR 300.320(c)"},
		{"federal", "records_request", 45, CalendarDays, "34 CFR 300.613(a)"},
		{"federal", "meeting_notice", 10, CalendarDays, "34 CFR 300.322(a)(1)"},
		{"MA", "referral_notice", 5, SchoolDays, "603 CMR 28.04(1)(a)"},
		{"MA", "initial_evaluation", 30, SchoolDays, "603 CMR 28.04(2); 603 CMR 28.05(1)"},
		{"MA", "reevaluation_assessments", 30, SchoolDays, "603 CMR 28.05(1)"},
		{"MA", "proposed_iep_after_consent", 45, SchoolDays, "603 CMR 28.05(1)"},
		{"MA", "assessment_summaries", 2, CalendarDays, "603 CMR 28.05(1)"},
		{"MA", "proposed_iep_sent", 5, SchoolDays, "603 CMR 28.05(7); DESE Special Education Policy Memo SY2024-2025-6"},
		{"MA", "parent_response", 30, CalendarDays, "603 CMR 28.05(7)"},
		{"MA", "services_start", 10, SchoolDays, "34 CFR 300.323(c)(2)"}, // inherited
		{"MA", "transition_plan", 14, Age, "M.G.L. c. 71B, § 2; 603 CMR 28.05(4)(c)"},
		{"MA", "majority_notice", 1, Years, "34 CFR 300.320(c)"},
		{"MA", "records_request", 10, CalendarDays, "603 CMR 23.07(2); 34 CFR 300.613(a)"},
		{"MA", "revocation_services_end", 10, SchoolDays, "603 CMR 28.07(1)(a)(4)"},
	}
	for _, tt := range tests {
		r := mustRule(t, mustLoad(t, tt.pack), tt.rule)
		if r.Amount != tt.amount || r.Unit != tt.unit || r.Citation != tt.citation {
			t.Errorf("%s %s = %d %s (%s), want %d %s (%s)", tt.pack, tt.rule, r.Amount, r.Unit, r.Citation, tt.amount, tt.unit, tt.citation)
		}
	}
}

// A state pack overrides some fields of an inherited rule and keeps the others.
func TestInheritanceMergesFields(t *testing.T) {
	fed, ma := mustLoad(t, "federal"), mustLoad(t, "MA")
	f, m := mustRule(t, fed, "initial_evaluation"), mustRule(t, ma, "initial_evaluation")
	if len(m.Starts) != 1 || m.Starts[0].Kind != iep.EventEvaluationConsentReceived || !m.Restart || len(m.PausableBy) != len(f.PausableBy) {
		t.Errorf("MA initial_evaluation lost inherited fields: %+v", m)
	}
	if _, ok := fed.Rule("parent_response"); ok {
		t.Errorf("federal pack has parent_response; only MA sets a response window")
	}
	if r := mustRule(t, ma, "parent_response"); r.Silence != SilenceRejection {
		t.Errorf("MA parent_response silence = %q, want rejection (no answer in 30 days)", r.Silence)
	}
	if len(ma.Pauses) != len(fed.Pauses) || ma.MajorityAge != 18 {
		t.Errorf("MA pauses %d, majority %d", len(ma.Pauses), ma.MajorityAge)
	}
	// Loading twice gives independent copies.
	ma.Rules[0].Amount = 999
	if again := mustLoad(t, "MA"); again.Rules[0].Amount == 999 {
		t.Error("Load returns a shared slice")
	}
}

func TestLoadUnknown(t *testing.T) {
	if _, err := Load("XX"); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("Load(XX) = %v, want not found", err)
	}
}

func TestValidateCatchesFaults(t *testing.T) {
	p := mustLoad(t, "federal")
	bad := func(f func(r *Rule)) Pack {
		q := p
		q.Rules = append([]Rule(nil), p.Rules...)
		f(&q.Rules[0])
		return q
	}
	tests := map[string]Pack{
		"unknown event":    bad(func(r *Rule) { r.MetBy = []Match{{Kind: "evaluation_done"}} }),
		"years for within": bad(func(r *Rule) { r.Unit = Years }),
		"no citation":      bad(func(r *Rule) { r.Citation = "" }),
		"above the law":    bad(func(r *Rule) { r.Amount = 61 }),
		"unknown pause":    bad(func(r *Rule) { r.PausableBy = []string{"vacation"} }),
		"duplicate id":     bad(func(r *Rule) { r.ID = p.Rules[1].ID; r.Name = "clock." + r.ID }),
		"silence alone":    bad(func(r *Rule) { r.Silence = SilenceRejection }),
	}
	for name, q := range tests {
		if err := q.Validate(); iep.KindOf(err) != iep.KindInvalid {
			t.Errorf("%s: Validate() = %v, want invalid", name, err)
		}
	}
}

// A district may change an amount, never to something less protective than the law.
func TestWith(t *testing.T) {
	fed, ma := mustLoad(t, "federal"), mustLoad(t, "MA")
	tests := []struct {
		name string
		pack Pack
		rule string
		n    int
		ok   bool
	}{
		{"fewer days to evaluate than 300.301(c)", fed, "initial_evaluation", 45, true},
		{"more days to evaluate than 300.301(c)", fed, "initial_evaluation", 61, false},
		{"services sooner than the promise", fed, "services_start", 5, true},
		{"services later: the law sets no number", fed, "services_start", 15, true},
		{"transition earlier than 14 in MA", ma, "transition_plan", 13, true},
		{"transition later than 14 in MA", ma, "transition_plan", 16, false},
		{"records within 10 days in MA", ma, "records_request", 11, false},
		{"a shorter meeting notice (no legal number)", fed, "meeting_notice", 5, true},
		{"majority notice less than a year ahead", fed, "majority_notice", 0, false},
		{"the MA response window is the parent's", ma, "parent_response", 20, false},
		{"the reevaluation floor is the law's", fed, "reevaluation_min_interval", 2, false},
		{"an unknown rule", fed, "bus_route", 3, false},
		{"zero", fed, "services_start", 0, false},
	}
	for _, tt := range tests {
		got, err := tt.pack.With(map[string]int{tt.rule: tt.n})
		if tt.ok != (err == nil) {
			t.Errorf("%s: With(%s=%d) = %v, want ok %v", tt.name, tt.rule, tt.n, err, tt.ok)
			continue
		}
		if err != nil {
			if iep.KindOf(err) != iep.KindInvalid {
				t.Errorf("%s: error kind %v, want invalid", tt.name, iep.KindOf(err))
			}
			continue
		}
		if r := mustRule(t, got, tt.rule); r.Amount != tt.n || got.Overrides[tt.rule] != tt.n {
			t.Errorf("%s: amount %d, overrides %v", tt.name, r.Amount, got.Overrides)
		}
		if r := mustRule(t, tt.pack, tt.rule); r.Amount == tt.n {
			t.Errorf("%s: With changed the original pack", tt.name)
		}
	}
}

func TestCheckPause(t *testing.T) {
	fed, ma := mustLoad(t, "federal"), mustLoad(t, "MA")
	tests := []struct {
		pack          Pack
		clock, reason string
		ok            bool
	}{
		{fed, "initial_evaluation", "parent_fails_to_produce_child", true}, // 300.301(d)(1)
		{fed, "initial_evaluation", "enrolled_in_other_district", true},    // 300.301(d)(2)
		{fed, "initial_evaluation", "sld_extension_agreed", true},          // 300.309(c)
		{fed, "initial_evaluation", "staff_shortage", false},
		{fed, "initial_evaluation", "", false},
		{fed, "services_start", "parent_fails_to_produce_child", false}, // not an evaluation clock
		{fed, "annual_review", "enrolled_in_other_district", false},
		{ma, "proposed_iep_after_consent", "enrolled_in_other_district", true},
		{ma, "", "parent_fails_to_produce_child", true},
		{ma, "", "winter_break", false},
		{ma, "no_such_clock", "parent_fails_to_produce_child", false},
	}
	for _, tt := range tests {
		err := tt.pack.CheckPause(tt.clock, tt.reason)
		if tt.ok != (err == nil) {
			t.Errorf("%s CheckPause(%q, %q) = %v, want ok %v", tt.pack.ID, tt.clock, tt.reason, err, tt.ok)
		}
		var e *iep.Error
		if err != nil && (!errors.As(err, &e) || e.Kind != iep.KindInvalid) {
			t.Errorf("CheckPause(%q, %q) error %v is not invalid", tt.clock, tt.reason, err)
		}
	}
}

func TestMatch(t *testing.T) {
	accept := Match{Kind: iep.EventResponseReceived, Plan: true, Data: map[string][]string{"decision": {"accept", "accept_in_part"}}}
	services := Match{Kind: iep.EventConsentRevoked, Data: map[string][]string{"consent_kind": {"", "initial_services"}}}
	agreed := Match{Kind: iep.EventReevaluationConsent, Data: map[string][]string{"agreed": {"true"}}}
	ev := func(k iep.EventKind, plan, data string) *iep.Event {
		return &iep.Event{Kind: k, PlanID: plan, Data: json.RawMessage(data)}
	}
	tests := []struct {
		m    Match
		e    *iep.Event
		want bool
	}{
		{accept, ev(iep.EventResponseReceived, "p1", `{"response_id":"r","decision":"accept"}`), true},
		{accept, ev(iep.EventResponseReceived, "p1", `{"decision":"accept_in_part"}`), true},
		{accept, ev(iep.EventResponseReceived, "p1", `{"decision":"reject"}`), false},
		{accept, ev(iep.EventResponseReceived, "", `{"decision":"accept"}`), false}, // no plan
		{accept, ev(iep.EventResponseReceived, "p1", ``), false},
		{accept, ev(iep.EventServicesStarted, "p1", `{"decision":"accept"}`), false},
		{services, ev(iep.EventConsentRevoked, "p1", ``), true}, // the demo's revocation carries no data
		{services, ev(iep.EventConsentRevoked, "", `{"consent_kind":"reevaluation"}`), false},
		{agreed, ev(iep.EventReevaluationConsent, "", `{"agreed":true}`), true},
		{agreed, ev(iep.EventReevaluationConsent, "", `{"agreed":"true"}`), true},
		{agreed, ev(iep.EventReevaluationConsent, "", `{"agreed":false}`), false},
		{agreed, ev(iep.EventReevaluationConsent, "", `not json`), false},
	}
	for i, tt := range tests {
		if got := tt.m.Matches(tt.e); got != tt.want {
			t.Errorf("%d: %v.Matches(%s %s %s) = %v, want %v", i, tt.m, tt.e.Kind, tt.e.PlanID, tt.e.Data, got, tt.want)
		}
	}
}

// The family's sources of help: MA's own first (the parent center, the procedural safeguards,
// mediation, the state complaint, hearings), then what it inherits from the federal pack; the
// federal pack has only its own.
func TestResources(t *testing.T) {
	ids := func(rs []Resource) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = r.ID
		}
		return out
	}
	fed, ma := mustLoad(t, "federal"), mustLoad(t, "MA")
	if got, want := ids(fed.Resources), []string{"cpir", "osep_idea"}; !slices.Equal(got, want) {
		t.Errorf("federal resources = %v, want %v", got, want)
	}
	want := []string{"ma_fcsn", "ma_pnps", "ma_bsea_mediation", "ma_prs", "ma_bsea_hearing", "cpir", "osep_idea"}
	if got := ids(ma.Resources); !slices.Equal(got, want) {
		t.Errorf("MA resources = %v, want %v (the state's first)", got, want)
	}
	if got := ids(ma.ResourcesOf(ResourceHearing, ResourceMediation)); !slices.Equal(got, []string{"ma_bsea_mediation", "ma_bsea_hearing"}) {
		t.Errorf("MA ResourcesOf(hearing, mediation) = %v", got)
	}
	for _, r := range ma.Resources {
		if !strings.HasPrefix(r.URL, "https://") {
			t.Errorf("resource %s has no https address: %q", r.ID, r.URL)
		}
	}
	if prs := ma.ResourcesOf(ResourceComplaint); len(prs) != 1 || prs[0].Phone != "781-338-3700" || prs[0].Citation != "34 CFR 300.151-300.153" {
		t.Errorf("MA's state complaint office = %+v", prs)
	}
	// Loading gives independent copies.
	ma.Resources[0].Name = "changed"
	if again := mustLoad(t, "MA"); again.Resources[0].Name == "changed" {
		t.Error("Load returns a shared resources slice")
	}
}

// A state's entry with an inherited id replaces the inherited one, in the state's place.
func TestResourcesOverrideByID(t *testing.T) {
	raws := map[string]rawPack{
		"federal": {ID: "federal", MajorityAge: 18, LegalLanguage: "en", Resources: []Resource{
			{ID: "a", Kind: ResourceParentCenter, Name: "A", URL: "https://a.example/"},
			{ID: "b", Kind: ResourceFederalAgency, Name: "B", URL: "https://b.example/"}}},
		"XX": {ID: "XX", Inherits: "federal", Resources: []Resource{{ID: "b", Kind: ResourceStateAgency, Name: "B of XX", Phone: "555-0100 123"}}},
	}
	p, err := resolve(raws, "XX", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Resources) != 2 || p.Resources[0].Name != "B of XX" || p.Resources[1].ID != "a" || p.LegalLanguage != "en" {
		t.Errorf("resolve(XX) resources = %+v, legal language %q", p.Resources, p.LegalLanguage)
	}
}

// Where a pack says so, the English version is the legal one: a page in Spanish is a
// translation, one in English (any region) is not; a pack that says nothing has no legal language.
func TestLegalLanguage(t *testing.T) {
	for _, id := range []string{"federal", "MA"} {
		p := mustLoad(t, id)
		if p.LegalLanguage != "en" {
			t.Errorf("%s legal_language = %q, want en", id, p.LegalLanguage)
		}
		tests := []struct {
			lang       string
			translated bool
		}{{"es", true}, {"en", false}, {"en-US", false}, {"EN", false}, {"pt-BR", true}}
		for _, tt := range tests {
			if legal, tr := p.Translated(tt.lang); legal != "en" || tr != tt.translated {
				t.Errorf("%s Translated(%q) = %q, %v; want en, %v", id, tt.lang, legal, tr, tt.translated)
			}
		}
	}
	if legal, tr := (Pack{}).Translated("es"); legal != "" || tr {
		t.Errorf("a pack without a legal language: Translated(es) = %q, %v", legal, tr)
	}
}

// Validation refuses a resource or a legal language that a family page could not use.
func TestValidateResourceFaults(t *testing.T) {
	p := mustLoad(t, "MA")
	bad := func(f func(p *Pack)) Pack {
		q := p
		q.Resources = slices.Clone(p.Resources)
		f(&q)
		return q
	}
	tests := map[string]struct {
		pack  Pack
		field string
	}{
		"unknown kind":        {bad(func(q *Pack) { q.Resources[0].Kind = "hotline" }), "resources[0:ma_fcsn].kind"},
		"no name":             {bad(func(q *Pack) { q.Resources[0].Name = " " }), "resources[0:ma_fcsn].name"},
		"plain http":          {bad(func(q *Pack) { q.Resources[0].URL = "http://fcsn.org/" }), "resources[0:ma_fcsn].url"},
		"not an address":      {bad(func(q *Pack) { q.Resources[0].URL = "fcsn.org" }), "resources[0:ma_fcsn].url"},
		"no way to reach":     {bad(func(q *Pack) { q.Resources[0].URL, q.Resources[0].Phone = "", "" }), "resources[0:ma_fcsn].url"},
		"a phone of words":    {bad(func(q *Pack) { q.Resources[3].Phone = "call us" }), "resources[3:ma_prs].phone"},
		"a phone too short":   {bad(func(q *Pack) { q.Resources[3].Phone = "338-37" }), "resources[3:ma_prs].phone"},
		"duplicate id":        {bad(func(q *Pack) { q.Resources[1].ID = "ma_fcsn" }), "resources[1:ma_fcsn].id"},
		"an id with capitals": {bad(func(q *Pack) { q.Resources[1].ID = "MA-PNPS" }), "resources[1:MA-PNPS].id"},
		"a language name":     {bad(func(q *Pack) { q.LegalLanguage = "English" }), "legal_language"},
	}
	for name, tt := range tests {
		err := tt.pack.Validate()
		var e *iep.Error
		if !errors.As(err, &e) || e.Kind != iep.KindInvalid {
			t.Errorf("%s: Validate() = %v, want invalid", name, err)
			continue
		}
		if !slices.ContainsFunc(e.Problems, func(p iep.Problem) bool { return p.Field == tt.field }) {
			t.Errorf("%s: Validate() problems %v, want one at %s", name, e.Problems, tt.field)
		}
	}
	// A phone number as organisations publish it passes.
	for _, phone := range []string{"781-338-3700", "(781) 338-3700", "+1 781 338 3700", "1-800-439-2370", "1-800-FLOWERS"} {
		q := bad(func(q *Pack) { q.Resources[3].Phone = phone })
		if err := q.Validate(); err != nil {
			t.Errorf("phone %q: Validate() = %v", phone, err)
		}
	}
}

// TestDocumentSections: every pack orders the plan's sections for its form, each once, and a
// pack that lists a section twice or leaves one out is refused.
func TestDocumentSections(t *testing.T) {
	ma, err := Load("MA")
	if err != nil {
		t.Fatal(err)
	}
	if ma.DocumentSections[2] != iep.SectionAccommodations {
		t.Errorf("MA's form puts accommodations third (PLEP A), got %v", ma.DocumentSections)
	}
	fed, err := Load("federal")
	if err != nil {
		t.Fatal(err)
	}
	if len(fed.DocumentSections) != len(iep.Sections) {
		t.Errorf("federal: %v", fed.DocumentSections)
	}
	bad := fed
	bad.DocumentSections = append(slices.Clone(fed.DocumentSections[:10]), iep.SectionGoals)
	err = bad.Validate()
	if err == nil || !strings.Contains(err.Error(), "document_sections") {
		t.Errorf("a section twice and one left out: %v", err)
	}
}
