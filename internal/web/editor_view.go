package web

import (
	"fmt"
	"reflect"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
)

// The plan editor's template helpers: choices, lists and the service grid's totals.

// option is one choice of a select or a group of boxes, named in the reader's language.
type option struct {
	Value, Label, Hint string
}

// optionSets are the choices of the editor's selects, by name, with the catalog prefix that
// names each value.
var optionSets = map[string]any{
	"provider_roles":      iep.ProviderRoles,
	"categories":          iep.ServiceCategories,
	"types":               iep.ServiceTypes,
	"settings":            iep.Settings,
	"periods":             iep.Periods,
	"accommodation_kinds": []iep.AccommodationKind{iep.Accommodation, iep.Modification},
	"contexts":            []iep.AccommodationContext{iep.ContextClassroom, iep.ContextTesting, iep.ContextBoth},
	"participations":      []iep.Participation{iep.ParticipationStandard, iep.ParticipationWithAccommodations, iep.ParticipationAlternate},
	"environments":        append(append([]iep.EnvironmentCode{}, iep.SchoolAgeEnvironments...), iep.EarlyChildhoodEnvironments...),
	"transports":          []iep.TransportationKind{iep.TransportRegular, iep.TransportSpecial, iep.TransportSpecialAide, iep.TransportLift, iep.TransportReimbursed, iep.TransportNone},
	"esy_decisions":       []iep.ESYDecision{iep.ESYEligible, iep.ESYNotEligible, iep.ESYUndecided},
	"esy_criteria":        iep.ESYCriteria,
}

// choiceField is a select or a group of boxes, for the "choice" and "checks" templates.
type choiceField struct {
	V               *sectionView
	Name, ID, Label string
	Stored          any
	Options         []option
	Theirs          string
	HasTheirs       bool
}

// Choice describes the select of the field at path among the set named set, each value named
// by the catalog's prefix.
func (v *sectionView) Choice(path string, stored any, prefix, set string) choiceField {
	f := choiceField{V: v, Name: path, ID: fieldID(path), Label: v.Label(path), Stored: stored}
	rv := reflect.ValueOf(optionSets[set])
	for i := range rv.Len() {
		val := fmt.Sprint(rv.Index(i).Interface())
		o := option{Value: val, Label: v.P.E(prefix, val)}
		if set == "environments" {
			o.Label = val + " – " + o.Label
		}
		if key := "editor.help." + prefix + "." + val; prefix != "" && i18n.Has(key) {
			o.Hint = v.P.T(key)
		}
		f.Options = append(f.Options, o)
	}
	if t, ok := v.Theirs[path]; ok {
		f.Theirs, f.HasTheirs = v.P.E(prefix, t), true
	}
	return f
}

// Choices is Choice for a group of boxes; set "yes" is one box for a yes-or-no field.
func (v *sectionView) Choices(path string, stored any, prefix, set string) choiceField {
	if set == "yes" {
		return choiceField{V: v, Name: path, ID: fieldID(path), Label: v.Label(path), Stored: stored,
			Options: []option{{Value: "true", Label: v.P.T("common.yes")}}}
	}
	return v.Choice(path, stored, prefix, set)
}

// removeButton is a list item's remove button.
type removeButton struct{ Path, Label string }

// Remove is the remove button of the list item at path, named for what it removes.
func (v *sectionView) Remove(path string) removeButton {
	return removeButton{Path: path, Label: v.P.T("editor.remove", fieldLabel(v.P.Lang, path))}
}

// lineView is one service line of the services or the summer services.
type lineView struct {
	V    *sectionView
	List string
	I    int
	L    iep.ServiceLine
}

// Line is the view of the service line i of list ("lines", or the summer's "services").
func (v *sectionView) Line(list string, i int, l iep.ServiceLine) lineView {
	return lineView{V: v, List: list, I: i, L: l}
}

// totalsView is the service grid's totals.
type totalsView struct {
	B   Base
	T   app.ServiceTotals
	OOB bool // swapped in out of band, after an autosave of the services
}

// TotalsOf is the totals view of t.
func (p *editorPage) TotalsOf(t app.ServiceTotals) totalsView { return totalsView{B: p.Base, T: t} }
