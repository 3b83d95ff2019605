package web

// The family's records and rights: GET …/family/{student}/records lists the family's requests to
// see the records with the day the school must answer by, and the form to ask (POST); …/records/
// download is the whole record as a ZIP (family_records_export.go); …/rights is the procedural
// safeguards in plain words, how to settle a disagreement and the state's sources of help from the
// rule pack. The staff side of a request: the student page lists them (student.html) and
// GET/POST /districts/{district}/students/{student}/records-requests/{request} records that the
// records were provided, which meets the clock.

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/store"
)

func init() {
	pageFiles["family_records"] = []string{"family_records.html", "family_nav.html"}
	pageFiles["family_rights"] = []string{"family_rights.html", "family_nav.html"}
	pageFiles["family_records_staff"] = []string{"family_records_staff.html"}
}

// familyRecordsRoutes are the family's progress, records and rights pages, the download of the
// whole record, and the staff's page of one records request.
func (s *server) familyRecordsRoutes() []route {
	f := "/districts/{district}/family/{student}"
	rq := "/districts/{district}/students/{student}/records-requests/{request}"
	return []route{
		{"GET " + f + "/progress", member, s.familyProgress},
		{"GET " + f + "/records", member, s.familyRecords},
		{"POST " + f + "/records", member, s.familyRequestRecords},
		{"GET " + f + "/records/download", member, s.familyDownload},
		{"GET " + f + "/rights", member, s.familyRights},
		{"GET " + rq, member, s.staffRecordsRequest},
		{"POST " + rq, member, s.staffProvideRecords},
	}
}

// familyRecordsPage is the family's records page.
type familyRecordsPage struct {
	Base
	Nav  familyNav
	R    *app.FamilyRecords
	Form form
	// Sent is the request just made (the confirmation says its due date); nil otherwise.
	Sent *app.RecordsRequestView
	// Parts and Deliveries are the form's choices.
	Parts, Deliveries []string
	// PrintLangs are the languages the download's documents print in (each named in itself);
	// PrintLang is the one chosen first (docLang).
	PrintLangs []LangLink
	PrintLang  string
}

// familyRecords serves GET …/family/{student}/records.
func (s *server) familyRecords(w http.ResponseWriter, r *http.Request) error {
	return s.renderFamilyRecords(w, r, http.StatusOK, newForm(url.Values{}))
}

func (s *server) renderFamilyRecords(w http.ResponseWriter, r *http.Request, status int, f form) error {
	fr, err := s.svc.FamilyRecords(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"))
	if err != nil {
		return err
	}
	p := &familyRecordsPage{Base: s.base(w, r), R: fr, Form: f, Nav: s.familyNav(r, &fr.District, &fr.Student, "records"),
		Parts: store.RecordsParts, Deliveries: store.RecordsDeliveries}
	p.Loc = districtLoc(fr.District.Timezone)
	p.Title = p.T("fam.records.title", fr.Student.DisplayName())
	p.PrintLang = docLang(r, p.Base)
	for _, l := range i18n.DocumentLanguages() {
		p.PrintLangs = append(p.PrintLangs, LangLink{Lang: l, Name: i18n.Message(l, "language.self")})
	}
	if sent := r.URL.Query().Get("sent"); sent != "" && status == http.StatusOK {
		for i := range fr.Requests {
			if fr.Requests[i].ID == sent {
				p.Sent = &fr.Requests[i]
			}
		}
	}
	return s.render(w, status, "family_records", p)
}

// familyRequestRecords serves POST …/family/{student}/records: the request is stored and the page
// comes back with its due date; a refused form comes back with what was typed.
func (s *server) familyRequestRecords(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return iep.Errorf(iep.KindInvalid, "unreadable form")
	}
	in := app.RecordsRequestInput{Parts: r.PostForm["parts"], Delivery: r.PostFormValue("delivery"), Note: r.PostFormValue("note")}
	v, err := s.svc.RequestRecords(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"), in)
	if err != nil {
		f := newForm(r.PostForm)
		b := s.base(w, r)
		if f.refuseWith(err, func(p iep.Problem) string { return recordsProblem(b, p) }) {
			return s.renderFamilyRecords(w, r, http.StatusBadRequest, f)
		}
		return err
	}
	u := familyURL(r.PathValue("district"), r.PathValue("student"), "records") + "?" + url.Values{"sent": {v.ID}}.Encode() + "#fam-sent"
	http.Redirect(w, r, u, http.StatusSeeOther)
	return nil
}

// recordsProblem says a problem of the records forms in the family's words.
func recordsProblem(b Base, p iep.Problem) string {
	if key := "fam.records.problem." + p.Field + "." + p.Code; i18n.Has(key) {
		return b.T(key)
	}
	return problemMessage(b.Lang, p)
}

// Checked reports whether the form had choice v of field ticked.
func (p *familyRecordsPage) Checked(field, v string) bool { return p.Form.Has(field, v) }

// ClockWords says the records clock in words: "within 10 days", "within 45 days".
func (b Base) ClockWords(r rules.Rule) string {
	if r.Amount == 0 {
		return ""
	}
	return b.T("fam.records.within."+string(r.Unit), r.Amount)
}

// RequestStatus says where a request stands: provided (on time or late), due on a day, late.
func (b Base) RequestStatus(v app.RecordsRequestView) string {
	switch {
	case !v.FulfilledOn.IsZero() && v.Status.Code == "met_late":
		return b.T("fam.records.status.provided_late", b.Date(v.FulfilledOn), v.Status.Days)
	case !v.FulfilledOn.IsZero():
		return b.T("fam.records.status.provided", b.Date(v.FulfilledOn))
	case v.Due.IsZero():
		return b.T("fam.records.status.waiting")
	case v.Status.Code == "overdue":
		return b.T("fam.records.status.late", b.Date(v.Due), v.Status.Days)
	}
	return b.T("fam.records.status.due", b.Date(v.Due))
}

// PartsWords names what a request asked to see.
func (b Base) PartsWords(parts []string) string { return b.Es("fam.records.part", parts) }

// familyRightsPage is the family's rights page.
type familyRightsPage struct {
	Base
	Nav    familyNav
	R      *app.FamilyRights
	Groups []resourceGroup
}

// resourceGroup is the pack's resources of one kind.
type resourceGroup struct {
	Kind      rules.ResourceKind
	Resources []rules.Resource
}

// familyRights serves GET …/family/{student}/rights.
func (s *server) familyRights(w http.ResponseWriter, r *http.Request) error {
	fr, err := s.svc.FamilyRights(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"))
	if err != nil {
		return err
	}
	p := &familyRightsPage{Base: s.base(w, r), R: fr, Nav: s.familyNav(r, &fr.District, &fr.Student, "rights")}
	p.Loc = districtLoc(fr.District.Timezone)
	p.Title = p.T("fam.rights.title", fr.Student.DisplayName())
	for _, k := range rules.ResourceKinds {
		if rs := fr.Pack.ResourcesOf(k); len(rs) > 0 {
			p.Groups = append(p.Groups, resourceGroup{Kind: k, Resources: rs})
		}
	}
	return s.render(w, http.StatusOK, "family_rights", p)
}

// Tel is a phone number as a tel: address (digits and a leading +); built here from digits only,
// so it is safe as a link (html/template would refuse the scheme of a plain string).
func (b Base) Tel(phone string) template.URL {
	var out strings.Builder
	for i, c := range phone {
		if c >= '0' && c <= '9' || c == '+' && i == 0 {
			out.WriteRune(c)
		}
	}
	return template.URL("tel:" + out.String())
}

// Resources are the pack's resources of the given kinds, for a step of "settling a disagreement".
func (p *familyRightsPage) Resources(kinds ...string) []rules.Resource {
	ks := make([]rules.ResourceKind, len(kinds))
	for i, k := range kinds {
		ks[i] = rules.ResourceKind(k)
	}
	return p.R.Pack.ResourcesOf(ks...)
}

// staffRecordsPage is the staff's page of one records request: what the family asked for, by
// when, and the form to record that the records were provided.
type staffRecordsPage struct {
	Base
	DistrictID string
	V          *app.StaffRecordsRequest
	Form       form
	Provisions []string
}

// staffRecordsRequest serves GET /districts/{district}/students/{student}/records-requests/{request}.
func (s *server) staffRecordsRequest(w http.ResponseWriter, r *http.Request) error {
	return s.renderStaffRecords(w, r, http.StatusOK, newForm(url.Values{}))
}

func (s *server) renderStaffRecords(w http.ResponseWriter, r *http.Request, status int, f form) error {
	d := r.PathValue("district")
	v, err := s.svc.StaffRecordsRequest(r.Context(), actor(r), d, r.PathValue("student"), r.PathValue("request"))
	if err != nil {
		return err
	}
	p := &staffRecordsPage{Base: s.base(w, r), DistrictID: d, V: v, Form: f, Provisions: store.RecordsProvisions}
	p.Title = p.T("fam.records.staff.title", v.Student.DisplayName())
	return s.render(w, status, "family_records_staff", p)
}

// staffProvideRecords serves POST …/records-requests/{request}: staff record the day and how the
// records were provided; back to the student page, or the form again with each problem at its
// field.
func (s *server) staffProvideRecords(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return iep.Errorf(iep.KindInvalid, "unreadable form")
	}
	b := s.base(w, r)
	f := newForm(r.PostForm)
	in := app.ProvideRecordsInput{How: r.PostFormValue("provided_how")}
	if raw := strings.TrimSpace(r.PostFormValue("provided_on")); raw != "" {
		on, err := date.Parse(raw)
		if err != nil {
			f.Errors = append(f.Errors, fieldError{Field: "provided_on", ID: "f-provided_on", Message: b.T("fam.records.problem.provided_on.invalid")})
			return s.renderStaffRecords(w, r, http.StatusBadRequest, f)
		}
		in.ProvidedOn = on
	}
	d, st := r.PathValue("district"), r.PathValue("student")
	_, err := s.svc.ProvideRecords(r.Context(), actor(r), d, st, r.PathValue("request"), in)
	if err != nil {
		if f.refuseWith(err, func(p iep.Problem) string { return recordsProblem(b, p) }) {
			return s.renderStaffRecords(w, r, http.StatusBadRequest, f)
		}
		return err
	}
	http.Redirect(w, r, studentURL(d, st)+"#records-requests-heading", http.StatusSeeOther)
	return nil
}

// ProvisionWords names how records were provided.
func (b Base) ProvisionWords(how string) string { return b.E("fam.records.provided", how) }

// disagreeStep is one way of settling a disagreement, in the order a family tries them, with the
// pack's resources for it.
type disagreeStep struct {
	ID        string // talk, facilitation, mediation, complaint, hearing: its catalog keys' part
	Resources []rules.Resource
	Citation  string
}

// Steps are the ways of settling a disagreement, gentlest first.
func (p *familyRightsPage) Steps() []disagreeStep {
	return []disagreeStep{
		{ID: "talk"},
		{ID: "facilitation"},
		{ID: "mediation", Resources: p.R.Pack.ResourcesOf(rules.ResourceMediation), Citation: "34 CFR 300.506"},
		{ID: "complaint", Resources: p.R.Pack.ResourcesOf(rules.ResourceComplaint), Citation: "34 CFR 300.151-300.153"},
		{ID: "hearing", Resources: p.R.Pack.ResourcesOf(rules.ResourceHearing, rules.ResourceLegalAid), Citation: "34 CFR 300.507-300.518"},
	}
}

// resourceItem is what the "fam-resource" template needs: the page, one resource, and whether to
// show its citation (the list of sources of help does; a step, which cites its own rule, does not).
type resourceItem struct {
	P        *familyRightsPage
	R        rules.Resource
	Citation bool
}

// Res pairs a resource with the page, with its citation.
func (p *familyRightsPage) Res(r rules.Resource) resourceItem { return resourceItem{p, r, true} }

// StepRes pairs a resource with the page, for a step of settling a disagreement.
func (p *familyRightsPage) StepRes(r rules.Resource) resourceItem { return resourceItem{p, r, false} }

// RecordsProvisions are the ways records are provided, for the staff's form on the student page.
func (p *studentPage) RecordsProvisions() []string { return store.RecordsProvisions }

// Terms are the glossary's words with the given ids, in that order, in the page's language; an
// id the glossary does not hold is left out.
func (b Base) Terms(ids ...string) []i18n.Term {
	all := i18n.Glossary(b.Lang)
	var out []i18n.Term
	for _, id := range ids {
		for _, t := range all {
			if t.ID == id {
				out = append(out, t)
			}
		}
	}
	return out
}
