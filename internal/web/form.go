package web

import (
	"errors"
	"html/template"
	"net/url"
	"slices"

	"github.com/openiep/openiep/internal/iep"
)

// form is a form's state when it is shown again after a refusal: what was typed (so that
// nothing is lost) and what is wrong, field by field, in the reader's language. Templates show
// the summary (each problem a link to its field) and mark each field with Attrs.
type form struct {
	Values url.Values
	Errors []fieldError
}

// fieldError is one problem with one field. ID is the id of the field's input ("f-" and the
// field's name), which the summary links to and whose message the input is described by.
type fieldError struct {
	Field, ID, Message string
}

// newForm returns the form holding what r posted.
func newForm(values url.Values) form { return form{Values: values} }

// refuse fills the form's errors from err when err is an invalid-input error with problems, and
// reports whether it did; any other error is for the caller to return. Each problem is said as
// "problem.<code>" with the field's label ("field.<name>").
func (f *form) refuse(b Base, err error) bool {
	return f.refuseWith(err, func(p iep.Problem) string { return problemMessage(b.Lang, p) })
}

// refuseWith is refuse with the page's own words for each problem.
func (f *form) refuseWith(err error, message func(iep.Problem) string) bool {
	var e *iep.Error
	if iep.KindOf(err) != iep.KindInvalid || !errors.As(err, &e) || len(e.Problems) == 0 {
		return false
	}
	for _, p := range e.Problems {
		msg := message(p)
		if i := slices.IndexFunc(f.Errors, func(x fieldError) bool { return x.Field == p.Field }); i >= 0 {
			f.Errors[i].Message += " " + msg
			continue
		}
		f.Errors = append(f.Errors, fieldError{Field: p.Field, ID: "f-" + p.Field, Message: msg})
	}
	return true
}

// V is what was typed into field.
func (f form) V(field string) string { return f.Values.Get(field) }

// Has reports whether value is among the field's values (a ticked checkbox, a chosen option).
func (f form) Has(field, value string) bool { return slices.Contains(f.Values[field], value) }

// Err is the message of the field's problem; "" when it has none.
func (f form) Err(field string) string {
	for _, e := range f.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Attrs are the attributes of a field's input: aria-invalid and aria-describedby naming its
// message when it has a problem.
func (f form) Attrs(field string) template.HTMLAttr {
	return errorAttrs(f.Err(field) != "", "f-"+field, true)
}

// Describe is Attrs for a group of inputs (a fieldset): aria-describedby only, since
// aria-invalid belongs on inputs.
func (f form) Describe(field string) template.HTMLAttr {
	return errorAttrs(f.Err(field) != "", "f-"+field, false)
}

// errorAttrs are the attributes of an input (or, input false, a group of inputs) with id whose
// value has a problem: aria-invalid on an input, and aria-describedby naming the message
// (id-error); none without a problem.
func errorAttrs(problem bool, id string, input bool) template.HTMLAttr {
	if !problem {
		return ""
	}
	a := `aria-describedby="` + template.HTMLEscapeString(id) + `-error"`
	if input {
		a = `aria-invalid="true" ` + a
	}
	return template.HTMLAttr(a)
}

// fieldView is one text input with its label, hint and problem, for the "text-field" template
// (admin_forms.html).
type fieldView struct {
	Base
	Form                form
	Name, Type, HintKey string
	Required            bool
}

// Field describes the text input of field name (of HTML type typ; "" is text) for the
// "text-field" template, with the hint of catalog key hint when not empty.
func (f form) Field(b Base, name, typ, hint string, required bool) fieldView {
	return fieldView{Base: b, Form: f, Name: name, Type: typ, HintKey: hint, Required: required}
}
