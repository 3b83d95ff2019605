package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
)

func init() { pageFiles["accessrecord"] = []string{"accessrecord.html"} }

// accessRecordRoutes is the record of access of one student (34 CFR 300.614, FERPA 99.32). The
// filter and the cursor travel in the query string (show=all, after=<seq>): no student data.
func (s *server) accessRecordRoutes() []route {
	return []route{
		{"GET /districts/{district}/students/{student}/access", member, s.accessRecord},
	}
}

// accessRecordPage is one page of a student's record of access.
type accessRecordPage struct {
	Base
	R          *app.AccessRecord
	Action     string // this page's path: where the filter form submits
	StudentURL string // the student's record
	All        bool   // every entry is shown, not only the disclosures
	NextURL    string // the older entries; "" on the last page
	FirstURL   string // the newest entries; "" on the first page
}

// accessRecord serves GET /districts/{district}/students/{student}/access?show=&after=.
func (s *server) accessRecord(w http.ResponseWriter, r *http.Request) error {
	districtID, studentID := r.PathValue("district"), r.PathValue("student")
	q := r.URL.Query()
	rec, err := s.svc.AccessRecord(r.Context(), actor(r), districtID, studentID, app.AccessFilter(q.Get("show")), q.Get("after"))
	if err != nil {
		return accessRecordProblems(pickLang(r), err)
	}
	p := &accessRecordPage{Base: s.base(w, r), R: rec, StudentURL: studentURL(districtID, studentID),
		All: rec.Filter == app.AccessAll}
	p.Action = p.StudentURL + "/access"
	p.Loc = rec.Location
	p.Title = p.T("accessrecord.title", rec.Student.DisplayName())
	if rec.Next != "" {
		p.NextURL = p.pageURL(rec.Next)
	}
	if rec.After != "" {
		p.FirstURL = p.pageURL("")
	}
	return s.render(w, http.StatusOK, "accessrecord", p)
}

// pageURL is the address of a page of this record of access, with the same filter.
func (p *accessRecordPage) pageURL(after string) string {
	q := url.Values{}
	if p.All {
		q.Set("show", string(app.AccessAll))
	}
	if after != "" {
		q.Set("after", after)
	}
	if len(q) == 0 {
		return p.Action
	}
	return p.Action + "?" + q.Encode()
}

// accessRecordProblems names the fields of an invalid query in the reader's language ("Show",
// "Page"), so that the error page says which part of the address is wrong.
func accessRecordProblems(lang string, err error) error {
	var e *iep.Error
	if !errors.As(err, &e) || e.Kind != iep.KindInvalid || len(e.Problems) == 0 {
		return err
	}
	ps := make(iep.Problems, len(e.Problems))
	for i, pr := range e.Problems {
		if key := "accessrecord.field." + pr.Field; i18n.Has(key) {
			pr.Field = i18n.Message(lang, key)
		}
		if pr.Code == iep.CodeChoice {
			pr.Detail = i18n.Message(lang, "accessrecord.show_others") + "; " + i18n.Message(lang, "accessrecord.show_all")
		}
		ps[i] = pr
	}
	return ps.Err()
}

// AtTag writes an instant, in the district's zone, inside a <time> element carrying it for
// machines.
func (p *accessRecordPage) AtTag(t time.Time) template.HTML {
	return template.HTML(`<time datetime="` + t.Format(time.RFC3339) + `">` + template.HTMLEscapeString(p.When(t)) + `</time>`)
}

// WhoDid names the party of an entry in plain words: a staff member by name and role, "a parent or
// guardian" (never named), the student, the system; a substitute and a state viewer as such.
func (p *accessRecordPage) WhoDid(e app.AccessEntry) string {
	w := e.Who
	if w.You {
		return p.T("accessrecord.who.you")
	}
	var s string
	switch w.Kind {
	case app.PartyStaff:
		s = p.staff(w, "accessrecord.who.staff_unknown")
		if w.Substitute {
			s = p.T("accessrecord.who.substitute", s)
		}
	case app.PartyStateViewer:
		s = p.T("accessrecord.who.state_viewer")
		if w.Name != "" {
			s = p.T("accessrecord.who.state_viewer_named", w.Name)
		}
	default:
		s = p.E("accessrecord.who", w.Kind)
	}
	return s
}

// staff names a staff member with their roles, or says that they are no longer on the list.
func (p *accessRecordPage) staff(w app.Party, unknown string) string {
	switch {
	case w.Name == "":
		return p.T(unknown)
	case len(w.Roles) == 0:
		return w.Name
	}
	return p.T("accessrecord.who.staff", w.Name, p.Es("staff_role", w.Roles))
}

// WhatDone says what was done, in plain words: a message for the action on that kind of record when
// the catalog has one ("read the whole record"), else one for the action ("changed %s"), else
// a general one.
func (p *accessRecordPage) WhatDone(e app.AccessEntry) string {
	if key := "accessrecord.what." + e.Action + "." + e.RecordKind; i18n.Has(key) {
		return p.T(key)
	}
	thing := p.T("accessrecord.thing.other")
	if key := "accessrecord.thing." + e.RecordKind; i18n.Has(key) {
		thing = p.T(key)
	}
	if key := "accessrecord.what." + e.Action; i18n.Has(key) && !strings.Contains(e.Action, ".") {
		return p.T(key, thing)
	}
	return p.T("accessrecord.what.other", thing)
}

// WhyAllowed says on what ground the access was allowed, in plain words; for a temporary grant, until
// when it was given.
func (p *accessRecordPage) WhyAllowed(e app.AccessEntry) string {
	reason := string(e.Reason)
	switch {
	case reason == "":
		return p.T("accessrecord.why.none")
	case e.Who.Substitute && !e.GrantUntil.IsZero():
		return p.T("accessrecord.why."+reason+"_until", p.When(e.GrantUntil))
	case i18n.Has("accessrecord.why." + reason):
		return p.T("accessrecord.why." + reason)
	}
	return p.T("accessrecord.why.other")
}
