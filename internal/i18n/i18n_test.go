package i18n

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSameKeys checks that every catalog has exactly the default catalog's keys and glossary
// entries, so that a page is never half translated.
func TestSameKeys(t *testing.T) {
	want := slices.Sorted(maps.Keys(catalogs[Default].Messages))
	wantTerms := termIDs(catalogs[Default].Glossary)
	for _, lang := range Languages() {
		got := slices.Sorted(maps.Keys(catalogs[lang].Messages))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("catalog %s: keys differ from %s (-%s +%s):\n%s", lang, Default, Default, lang, diff)
		}
		if diff := cmp.Diff(wantTerms, termIDs(catalogs[lang].Glossary)); diff != "" {
			t.Errorf("catalog %s: glossary differs from %s:\n%s", lang, Default, diff)
		}
	}
	if !slices.Contains(Languages(), "es") {
		t.Errorf("Languages() = %v, want es among them", Languages())
	}
	// A catalog of the documents' words only has no key English lacks (the documents test
	// checks that it has every key a document says).
	for _, lang := range DocumentLanguages() {
		c := catalogs[lang]
		if c.Scope == "" {
			continue
		}
		if c.Scope != scopeDocuments {
			t.Errorf("catalog %s: scope %q, want %q or none", lang, c.Scope, scopeDocuments)
		}
		for key := range c.Messages {
			if _, ok := catalogs[Default].Messages[key]; !ok {
				t.Errorf("catalog %s: key %s is not in %s", lang, key, Default)
			}
		}
		if slices.Contains(Languages(), lang) || Supported(lang) || !DocumentSupported(lang) {
			t.Errorf("catalog %s (documents only) is offered for the pages", lang)
		}
	}
}

var verb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// TestSameVerbs checks that a translation takes the same arguments as English: the same fmt
// verbs, in any order.
func TestSameVerbs(t *testing.T) {
	for key, en := range catalogs[Default].Messages {
		want := verbs(en)
		for _, lang := range DocumentLanguages() {
			msg, ok := catalogs[lang].Messages[key]
			if !ok {
				continue // TestSameKeys reports it
			}
			if got := verbs(msg); !slices.Equal(got, want) {
				t.Errorf("%s %q: verbs %v, want %v (as in %s)", lang, key, got, want, Default)
			}
		}
	}
}

// verbs returns the kinds of the fmt verbs in s (the letter), sorted, ignoring %% and indexes.
func verbs(s string) []string {
	var out []string
	for _, v := range verb.FindAllString(s, -1) {
		if v == "%%" {
			continue
		}
		out = append(out, v[len(v)-1:])
	}
	slices.Sort(out)
	return out
}

func termIDs(ts []Term) []string {
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids
}

func TestGlossary(t *testing.T) {
	want := []string{"iep", "idea", "present_levels", "accommodation", "modification", "related_services", "lre", "esy",
		"transition", "prior_written_notice", "fape", "evaluation", "annual_goal", "short_term_objective", "supplementary_aids",
		"placement", "consent", "procedural_safeguards", "mediation", "state_complaint", "due_process_hearing",
		"age_of_majority", "service_minutes", "progress_report", "case_manager", "stay_put"}
	for _, lang := range []string{"en", "es", "xx"} {
		g := Glossary(lang)
		if diff := cmp.Diff(want, termIDs(g)); diff != "" {
			t.Errorf("Glossary(%q) ids (-want +got):\n%s", lang, diff)
		}
		for _, term := range g {
			if strings.TrimSpace(term.Word) == "" || strings.TrimSpace(term.Meaning) == "" {
				t.Errorf("Glossary(%q) entry %s is empty", lang, term.ID)
			}
		}
	}
	if en, es := Glossary("en")[0].Word, Glossary("es")[0].Word; en == es {
		t.Errorf("Glossary: the Spanish IEP entry %q is not translated", es)
	}
}

func TestMessage(t *testing.T) {
	tests := []struct {
		lang, key string
		args      []any
		want      string
	}{
		{"en", "common.yes", nil, "Yes"},
		{"es", "common.yes", nil, "Sí"},
		{"fr", "common.yes", nil, "Yes"},          // no catalog: English
		{"es", "no.such.key", nil, "no.such.key"}, // missing everywhere: the key
		{"en", "goals.heading", []any{2, "Reading"}, "Goal 2: Reading"},
		{"es", "date.long", []any{4, "marzo", 2026}, "4 de marzo de 2026"},
		{"en", "date.long", []any{4, "March", 2026}, "March 4, 2026"},
	}
	for _, tt := range tests {
		if got := Message(tt.lang, tt.key, tt.args...); got != tt.want {
			t.Errorf("Message(%q, %q, %v) = %q, want %q", tt.lang, tt.key, tt.args, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", "en"},
		{"es", "es"},
		{"es-MX,es;q=0.9,en;q=0.8", "es"},
		{"en-US,en;q=0.9,es;q=0.8", "en"},
		{"fr-FR,fr;q=0.9,es;q=0.5", "es"},
		{"fr, de", "en"},
		{"es;q=0, en", "en"},
		{"en;q=0.2, es;q=0.7", "es"},
		{"*", "en"},
		{"es;q=abc", "en"},
		{"ES-419", "es"},
	}
	for _, tt := range tests {
		if got := Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}
