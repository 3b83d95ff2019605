package web

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"

	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
)

// The family's plan pages' helpers: the fields a family may change in a suggestion, and the
// glossary in alphabetical order.

// suggestable are the fields of each section the family may change in a suggestion, by the
// last part of their path: the words (and for services how long and how often), never the
// choices, codes and dates the team records. The concerns and vision are not here: the family
// writes its own part directly (family_concerns.go).
var suggestable = map[iep.SectionKind][]string{
	iep.SectionPresentLevels:     {"area", "strengths", "needs", "performance", "impact"},
	iep.SectionGoals:             {"area", "statement", "baseline", "target", "measurement_method", "schedule", "criterion"},
	iep.SectionProgressReporting: {"method", "frequency"},
	iep.SectionServices:          {"description", "location", "minutes_per_session", "sessions_per_period"},
	iep.SectionAccommodations:    {"description", "subjects", "frequency"},
	iep.SectionAssessments:       {"why_not_regular", "why_alternate_fits"},
	iep.SectionPlacement:         {"setting", "removal_justification", "nonacademic_settings"},
	iep.SectionTransportation:    {"details"},
	iep.SectionESY:               {"rationale", "description", "location", "minutes_per_session", "sessions_per_period", "after_school"},
	iep.SectionTransition: {"age_appropriate_assessment", "education_goal", "employment_goal", "independent_living_goal",
		"area", "description", "responsible", "course_of_study", "agency_linkages"},
}

// shortFields are one-line inputs; the other text fields of a suggestion are text areas.
var shortFields = map[string]bool{"area": true, "schedule": true, "criterion": true, "location": true, "subjects": true,
	"frequency": true, "setting": true, "responsible": true}

// suggestField is one field of the suggestion form: its path inside the section (the input's
// name), its label and its text as stored.
type suggestField struct {
	Path, ID, Label, Value string
	Long, Number           bool
}

// suggestGroup is the fields of one item of a section ("Goal 1"), or of the section itself
// (Legend "").
type suggestGroup struct {
	Legend string
	Fields []suggestField
}

// suggestID is the id of the suggestion form's input of the field at path of section kind.
func suggestID(kind iep.SectionKind, path string) string {
	return "s-" + string(kind) + "-" + idReplacer.Replace(path)
}

// suggestGroups lists the fields of the section sec points to (of kind kind) that the family may
// change, item by item, in the order of the form.
func suggestGroups(lang string, kind iep.SectionKind, sec any) []suggestGroup {
	allowed := suggestable[kind]
	if allowed == nil || sec == nil {
		return nil
	}
	var groups []suggestGroup
	var walk func(prefix string, v reflect.Value)
	walk = func(prefix string, v reflect.Value) {
		g := suggestGroup{}
		if prefix != "" {
			r := []rune(fieldLabel(lang, prefix))
			g.Legend = strings.ToUpper(string(r[:1])) + string(r[1:])
		}
		var items []func()
		t := v.Type()
		for i := range t.NumField() {
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name == "" || name == "-" || !t.Field(i).IsExported() {
				continue
			}
			path, fv := name, v.Field(i)
			if prefix != "" {
				path = prefix + "." + name
			}
			switch {
			case fv.Kind() == reflect.String && slices.Contains(allowed, name):
				g.Fields = append(g.Fields, suggestField{Path: path, ID: suggestID(kind, path), Label: fieldLabel(lang, name),
					Value: fv.String(), Long: !shortFields[name] || len(fv.String()) > 60})
			case fv.Kind() == reflect.Int && slices.Contains(allowed, name):
				g.Fields = append(g.Fields, suggestField{Path: path, ID: suggestID(kind, path), Label: fieldLabel(lang, name),
					Value: textOf(int(fv.Int())), Number: true})
			case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Struct:
				for j := range fv.Len() {
					items = append(items, func() { walk(fmt.Sprintf("%s[%d]", path, j), fv.Index(j)) })
				}
			}
		}
		if len(g.Fields) > 0 {
			groups = append(groups, g)
		}
		for _, item := range items {
			item()
		}
	}
	walk("", reflect.ValueOf(sec).Elem())
	return groups
}

// sortedGlossary is the glossary in lang in that language's alphabetical order.
func sortedGlossary(lang string) []i18n.Term {
	ts := i18n.Glossary(lang)
	c := collate.New(language.Make(lang), collate.IgnoreCase)
	slices.SortStableFunc(ts, func(a, b i18n.Term) int { return c.CompareString(a.Word, b.Word) })
	return ts
}

// firstLetter is the letter a word is listed under in the glossary's index: its first letter,
// capital, without accents (but Ñ, a letter of its own in Spanish).
func firstLetter(word string) string {
	for _, r := range norm.NFC.String(word) {
		if !unicode.IsLetter(r) {
			continue
		}
		if r == 'ñ' || r == 'Ñ' {
			return "Ñ"
		}
		base := []rune(norm.NFD.String(string(r)))[0]
		return string(unicode.ToUpper(base))
	}
	return "#"
}
