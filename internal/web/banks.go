package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// The goal bank and the accommodation bank: the search any staff member of the district opens
// (a full page, or with htmx only its results, which the plan editor embeds), and their
// administration (add, edit with the revision it was opened at, retire and restore, load the
// starter bank into an empty bank). Who may do what is decided in internal/app (app/banks.go).
//
// The plan editor includes two templates of bank_results.html with a *bankSearchView:
//
//	{{template "bank-search" .Bank}}   the search box and the area (or place) and grade band
//	                                   filters, with htmx attributes that fetch the results; no
//	                                   <form> of its own. Put it outside the editor's POST form
//	                                   (Enter in a search box would submit that form), inside a
//	                                   GET form of the editor's page if it should work without
//	                                   script.
//	<div id="{{.Bank.ResultsID}}">     the results' container, inside the editor's own POST form:
//	  {{template "bank-results" .Bank}}  a status line and <ul class="bank-results">, each item
//	</div>                               with <button type="submit" name="bank_item" value="ID">
//
// and builds the view with s.bankSearch(r, base, districtID, "goals" | "accommodations", q,
// true), where q is app.BankQuery{} (everything, first page) or bankQueryFrom(kind, values). The
// editor then reads the posted bank_item with app.Service.BankItem and app.GoalFromBank or
// app.AccommodationFromBank.

func init() {
	pageFiles["bank_search"] = []string{"bank_search.html", "bank_results.html"}
	pageFiles["banks"] = []string{"banks.html", "bank_results.html"}
	pageFiles["bank_item"] = []string{"bank_item.html", "bank_results.html", "admin_forms.html"}
}

func (s *server) bankRoutes() []route {
	const a = "/districts/{district}/admin/banks/{kind}"
	return []route{
		{"GET /districts/{district}/banks/{kind}", member, s.bankSearchPage},
		{"GET " + a, member, s.adminBank},
		{"POST " + a, member, s.adminAddBankItem},
		{"GET " + a + "/new", member, s.adminNewBankItem},
		{"POST " + a + "/starter", member, s.adminLoadStarterBank},
		{"GET " + a + "/{item}", member, s.adminBankItem},
		{"POST " + a + "/{item}", member, s.adminSaveBankItem},
		{"POST " + a + "/{item}/retire", member, s.adminRetireBankItem},
	}
}

// bankKinds maps a bank's URL segment to the kind of item it holds.
var bankKinds = map[string]store.BankKind{"goals": store.BankGoal, "accommodations": store.BankAccommodation}

// bankKind is the kind named by the request's {kind}; errNotFound for anything else.
func bankKind(r *http.Request) (string, store.BankKind, error) {
	seg := r.PathValue("kind")
	k, ok := bankKinds[seg]
	if !ok {
		return "", "", errNotFound
	}
	return seg, k, nil
}

// bankSearchPath is the path of the search of a district's bank ("goals", "accommodations").
func bankSearchPath(districtID, kind string) string {
	return districtURL(districtID) + "/banks/" + url.PathEscape(kind)
}

// bankQueryFrom reads a search from a URL's query: q (words), area, grade, context, after.
func bankQueryFrom(kind store.BankKind, v url.Values) app.BankQuery {
	return app.BankQuery{Kind: kind, Text: strings.TrimSpace(v.Get("q")), Area: v.Get("area"), Grade: v.Get("grade"),
		Context: iep.AccommodationContext(v.Get("context")), After: v.Get("after")}
}

// bankSearchView is what the "bank-search" and "bank-results" templates need (see the file's
// comment): the page's Base (language, T and E), the district, the bank's URL segment, the
// search's answer, and Pick (each item gets a "Use this …" submit button named bank_item).
type bankSearchView struct {
	Base
	District string
	Kind     string // "goals" or "accommodations"
	Bank     *app.Bank
	Pick     bool
	// Static leaves out the htmx attributes: the filters of a plain GET form (the administration).
	Static  bool
	NextURL string // the next page of the results (a link to the whole page); "" when picking, or on the last page
}

// bankSearchResults is how many items a search answers at once.
const bankSearchResults = 25

// bankSearch runs the search q of the district's bank kind ("goals", "accommodations") for the
// request's actor and returns the view the two templates render with base.
func (s *server) bankSearch(r *http.Request, base Base, districtID, kind string, q app.BankQuery, pick bool) (*bankSearchView, error) {
	k, ok := bankKinds[kind]
	if !ok {
		return nil, errNotFound
	}
	q.Kind, q.Retired = k, false
	if q.Limit == 0 {
		q.Limit = bankSearchResults
	}
	b, err := s.svc.SearchBank(r.Context(), actor(r), districtID, q)
	if err != nil {
		return nil, err
	}
	return &bankSearchView{Base: base, District: districtID, Kind: kind, Bank: b, Pick: pick}, nil
}

// Goal reports whether the bank holds goals.
func (v *bankSearchView) Goal() bool { return v.Kind == "goals" }

// URL is the search's address, which htmx asks for the results.
func (v *bankSearchView) URL() string { return bankSearchPath(v.District, v.Kind) }

// ResultsID is the id of the results' container the search fills.
func (v *bankSearchView) ResultsID() string { return "bank-results-" + v.Kind }

// Areas, Grades and Contexts are the choices of the filters.
func (v *bankSearchView) Areas() []string                      { return store.BankAreas }
func (v *bankSearchView) Grades() []string                     { return store.GradeBands }
func (v *bankSearchView) Contexts() []iep.AccommodationContext { return store.BankContexts[:2] }

// Count says how many items match, in words.
func (v *bankSearchView) Count() string {
	key := "banks.count." + v.Kind
	switch v.Bank.Total {
	case 0:
		return v.T(key + ".zero")
	case 1:
		return v.T(key + ".one")
	}
	return v.T(key, v.Num(v.Bank.Total))
}

// Use is the label of an item's button.
func (v *bankSearchView) Use() string { return v.T("banks.use." + v.Kind) }

// Short is the beginning of an item's text (about twelve words), which makes each button's
// accessible name its own.
func (v *bankSearchView) Short(text string) string { return bankShort(text, 12) }

func bankShort(text string, words int) string {
	f := strings.Fields(text)
	if len(f) <= words {
		return strings.Join(f, " ")
	}
	return strings.Join(f[:words], " ") + "…"
}

// Describe names an item's area or place, and its grade band.
func (v *bankSearchView) Describe(it store.BankItem) string { return bankDescribe(v.Base, it) }

func bankDescribe(b Base, it store.BankItem) string {
	var parts []string
	if it.Kind == store.BankGoal {
		parts = append(parts, b.E("banks.area", it.Area))
	} else {
		parts = append(parts, b.E("accommodation_kind", it.AccommodationKind), b.E("accommodation_context", it.Context))
	}
	if it.GradeBand != "" {
		parts = append(parts, b.E("banks.grade", it.GradeBand))
	} else {
		parts = append(parts, b.T("banks.grade.any"))
	}
	return strings.Join(parts, " · ")
}

// bankDetailsView is what the "bank-details" template needs: the page's words and one item.
type bankDetailsView struct {
	Base
	Item store.BankItem
}

// Tags lists tags.
func (v bankDetailsView) Tags(tags []string) string {
	return strings.Join(tags, v.T("common.list_separator"))
}

// Details is the view of an item's details.
func (v *bankSearchView) Details(it store.BankItem) bankDetailsView {
	return bankDetailsView{v.Base, it}
}

// bankSearchPage serves GET /districts/{district}/banks/{kind}: the whole page, or with htmx
// (HX-Request: true) only the results (template bank-results). With htmx, ?pick=1 gives each
// item its "Use this …" button (the plan editor's search sends it: bank-search's hidden input).
func (s *server) bankSearchPage(w http.ResponseWriter, r *http.Request) error {
	kind, _, err := bankKind(r)
	if err != nil {
		return err
	}
	district := r.PathValue("district")
	q := r.URL.Query()
	base := s.base(w, r)
	hx := r.Header.Get("HX-Request") == "true"
	// Only the plan editor's fragments pick: the whole page has no form for the buttons.
	v, err := s.bankSearch(r, base, district, kind, bankQueryFrom(bankKinds[kind], q), hx && q.Get("pick") == "1")
	if err != nil {
		return err
	}
	if v.Bank.Next != "" && !v.Pick {
		nq := url.Values{}
		for k, x := range q {
			if k != "after" && k != "lang" && len(x) > 0 && x[0] != "" {
				nq.Set(k, x[0])
			}
		}
		nq.Set("after", v.Bank.Next)
		v.NextURL = v.URL() + "?" + nq.Encode()
	}
	if hx {
		return s.renderBankFragment(w, "bank_search", "bank-results", v)
	}
	v.Title = v.T("banks.search.title." + kind)
	return s.render(bankVary{w}, http.StatusOK, "bank_search", v)
}

// bankVary adds HX-Request to Vary: the same URL answers a page or a fragment.
type bankVary struct{ http.ResponseWriter }

func (v bankVary) WriteHeader(code int) {
	v.Header().Add("Vary", "HX-Request")
	v.ResponseWriter.WriteHeader(code)
}

// renderBankFragment renders one template of a page's set, without the layout.
func (s *server) renderBankFragment(w http.ResponseWriter, page, name string, data any) error {
	t := s.pages.sets[page]
	if t == nil {
		return fmt.Errorf("render: no page %q", page)
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s/%s: %w", page, name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "HX-Request, Accept-Language, Cookie")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(buf.String()))
	return nil
}

// bankAdminPage is the administration's list of one bank.
type bankAdminPage struct {
	Base
	Search  *bankSearchView // the bank and the filters (Pick false)
	Retired bool            // the retired items are listed
	Notice  string
	NextURL string
}

// adminBank serves GET /districts/{district}/admin/banks/{kind}: the items in use (or with
// ?show=retired the retired ones), searchable, each with its actions; the starter bank when
// the bank is empty.
func (s *server) adminBank(w http.ResponseWriter, r *http.Request) error {
	kind, k, err := bankKind(r)
	if err != nil {
		return err
	}
	district, q := r.PathValue("district"), r.URL.Query()
	bq := bankQueryFrom(k, q)
	bq.Retired, bq.Limit = q.Get("show") == "retired", app.BankPageSize
	b, err := s.svc.SearchBank(r.Context(), actor(r), district, bq)
	if err != nil {
		return err
	}
	if !b.CanManage {
		return iep.Errorf(iep.KindForbidden, "the bank is managed by the district's administrators")
	}
	p := &bankAdminPage{Base: s.base(w, r), Retired: bq.Retired}
	p.Search = &bankSearchView{Base: p.Base, District: district, Kind: kind, Bank: b, Static: true}
	p.Title = p.T("banks.admin.title." + kind)
	p.Notice = p.done(r, "banks.admin")
	if b.Next != "" {
		nq := url.Values{}
		for key, x := range q {
			if key != "after" && key != "lang" && key != "done" && len(x) > 0 && x[0] != "" {
				nq.Set(key, x[0])
			}
		}
		nq.Set("after", b.Next)
		p.NextURL = adminURL(district, "banks", kind) + "?" + nq.Encode()
	}
	return s.render(w, http.StatusOK, "banks", p)
}

// Other is the URL segment of the other bank.
func (p *bankAdminPage) Other() string {
	if p.Search.Kind == "goals" {
		return "accommodations"
	}
	return "goals"
}

// Details is the view of an item's details.
func (p *bankAdminPage) Details(it store.BankItem) bankDetailsView {
	return bankDetailsView{p.Base, it}
}

// Short is the beginning of an item's text, for the accessible names of its actions.
func (p *bankAdminPage) Short(text string) string { return bankShort(text, 12) }

// Describe names an item's area or place and grade band.
func (p *bankAdminPage) Describe(it store.BankItem) string { return bankDescribe(p.Base, it) }

// Changed says who changed an item last and when.
func (p *bankAdminPage) Changed(it store.BankItem) string { return bankChanged(p.Base, it) }

func bankChanged(b Base, it store.BankItem) string {
	who := it.UpdatedByName
	if who == "" {
		who = b.T("banks.admin.system")
	}
	return b.T("banks.admin.changed", who, b.When(it.UpdatedAt))
}

// Filtered reports whether the list is narrowed by a search.
func (p *bankAdminPage) Filtered() bool {
	q := p.Search.Bank.Query
	return q.Text != "" || q.Area != "" || q.Grade != "" || q.Context != ""
}

// bankItemPage is the form of a new item, or of one item with its state and actions.
type bankItemPage struct {
	Base
	District string
	Kind     string
	Item     *store.BankItem // nil for a new item
	Form     form
	Revision int             // the revision the form was opened at (the current one after a conflict)
	Conflict *store.BankItem // someone else's version, saved while this form was open
	Notice   string
	Areas    []string
	Grades   []string
	Contexts []iep.AccommodationContext
	AccKinds []iep.AccommodationKind
}

// Goal reports whether the item is a goal.
func (p *bankItemPage) Goal() bool { return p.Kind == "goals" }

// Describe names an item's area or place and grade band.
func (p *bankItemPage) Describe(it store.BankItem) string { return bankDescribe(p.Base, it) }

// Changed says who changed an item last and when.
func (p *bankItemPage) Changed(it store.BankItem) string { return bankChanged(p.Base, it) }

// bankItemForm fills a form from a stored item.
func bankItemForm(it *store.BankItem) form {
	return newForm(url.Values{"area": {it.Area}, "grade_band": {it.GradeBand}, "text": {it.Text},
		"measurement_method": {it.MeasurementMethod}, "schedule": {it.Schedule}, "unit": {it.Unit},
		"objectives": {strings.Join(it.Objectives, "\n")}, "accommodation_kind": {string(it.AccommodationKind)},
		"context": {string(it.Context)}, "subjects": {it.Subjects}, "tags": {strings.Join(it.Tags, ", ")},
		"revision": {strconv.Itoa(it.Revision)}})
}

// bankInput reads the posted form of an item.
func bankInput(r *http.Request) app.BankInput {
	_ = r.ParseForm() // a malformed body leaves the form empty: every field is then reported
	f := r.PostFormValue
	in := app.BankInput{Area: f("area"), GradeBand: f("grade_band"), Text: f("text"), MeasurementMethod: f("measurement_method"),
		Schedule: f("schedule"), Unit: f("unit"), AccommodationKind: iep.AccommodationKind(f("accommodation_kind")),
		Context: iep.AccommodationContext(f("context")), Subjects: f("subjects")}
	in.Objectives = strings.Split(strings.ReplaceAll(f("objectives"), "\r\n", "\n"), "\n")
	in.Tags = strings.Split(f("tags"), ",")
	return in
}

// bankProblem says a problem of the item's form in the reader's language, with the form's own
// labels; a choice from a list is "choose one" rather than the list of codes.
func bankProblem(b Base, p iep.Problem) string {
	label := p.Field
	if key := "banks.field." + p.Field; i18n.Has(key) {
		label = b.T(key)
	}
	switch {
	case p.Code == iep.CodeChoice:
		return b.T("banks.problem.choose", label)
	case p.Field == "tags" && p.Code == iep.CodeRange:
		return b.T("banks.problem.tags_count", label, store.MaxBankTags)
	case p.Field == "tags" && p.Code == iep.CodeTooLong:
		return b.T("banks.problem.tag_long", label, store.MaxBankTagLen)
	case p.Field == "revision":
		return b.T("banks.problem.revision", label)
	}
	if i18n.Has("problem." + p.Code) {
		return b.T("problem."+p.Code, label, p.Detail)
	}
	return b.T("problem.invalid", label)
}

// renderBankItem renders the form page of an item (p.Item nil: a new one).
func (s *server) renderBankItem(w http.ResponseWriter, r *http.Request, status int, p *bankItemPage) error {
	p.Base = s.base(w, r)
	p.Areas, p.Grades, p.Contexts, p.AccKinds = store.BankAreas, store.GradeBands, store.BankContexts, []iep.AccommodationKind{iep.Accommodation, iep.Modification}
	if p.Item == nil {
		p.Title = p.T("banks.item.new_title." + p.Kind)
	} else {
		p.Title = p.T("banks.item.edit_title." + p.Kind)
		p.Notice = p.done(r, "banks.admin")
	}
	return s.render(w, status, "bank_item", p)
}

func (s *server) adminNewBankItem(w http.ResponseWriter, r *http.Request) error {
	kind, _, err := bankKind(r)
	if err != nil {
		return err
	}
	district := r.PathValue("district")
	if err := s.svc.MayManageBank(r.Context(), actor(r), district); err != nil {
		return err
	}
	return s.renderBankItem(w, r, http.StatusOK, &bankItemPage{District: district, Kind: kind,
		Form: newForm(url.Values{"accommodation_kind": {string(iep.Accommodation)}})})
}

func (s *server) adminAddBankItem(w http.ResponseWriter, r *http.Request) error {
	kind, k, err := bankKind(r)
	if err != nil {
		return err
	}
	district := r.PathValue("district")
	if _, err := s.svc.CreateBankItem(r.Context(), actor(r), district, k, bankInput(r)); err != nil {
		p := &bankItemPage{District: district, Kind: kind, Form: newForm(r.PostForm)}
		b := s.base(w, r)
		if !p.Form.refuseWith(err, func(pr iep.Problem) string { return bankProblem(b, pr) }) {
			return err
		}
		return s.renderBankItem(w, r, http.StatusBadRequest, p)
	}
	return seeOther(w, r, adminURL(district, "banks", kind), "added")
}

func (s *server) adminBankItem(w http.ResponseWriter, r *http.Request) error {
	kind, k, err := bankKind(r)
	if err != nil {
		return err
	}
	district := r.PathValue("district")
	it, err := s.svc.ManagedBankItem(r.Context(), actor(r), district, k, r.PathValue("item"))
	if err != nil {
		return err
	}
	return s.renderBankItem(w, r, http.StatusOK, &bankItemPage{District: district, Kind: kind, Item: it, Form: bankItemForm(it), Revision: it.Revision})
}

// adminSaveBankItem saves an item from the revision the form was opened at. A refused form is
// shown again with what was typed; when someone else saved first, with their version beside it
// (409) and the form now at their revision, so that saving again keeps this one.
func (s *server) adminSaveBankItem(w http.ResponseWriter, r *http.Request) error {
	kind, k, err := bankKind(r)
	if err != nil {
		return err
	}
	district, id := r.PathValue("district"), r.PathValue("item")
	in := bankInput(r)
	base, berr := strconv.Atoi(r.PostFormValue("revision"))
	if berr != nil || base < 1 {
		err = iep.Problems{{Field: "revision", Code: iep.CodeRequired}}.Err()
	} else {
		err = s.svc.UpdateBankItem(r.Context(), actor(r), district, k, id, base, in)
	}
	if err == nil {
		return seeOther(w, r, adminURL(district, "banks", kind), "saved")
	}
	kindOf := iep.KindOf(err)
	if kindOf != iep.KindInvalid && kindOf != iep.KindConflict {
		return err
	}
	cur, cerr := s.svc.ManagedBankItem(r.Context(), actor(r), district, k, id)
	if cerr != nil {
		return cerr
	}
	p := &bankItemPage{District: district, Kind: kind, Item: cur, Form: newForm(r.PostForm), Revision: base}
	if kindOf == iep.KindConflict {
		p.Conflict, p.Revision = cur, cur.Revision
		return s.renderBankItem(w, r, http.StatusConflict, p)
	}
	b := s.base(w, r)
	if !p.Form.refuseWith(err, func(pr iep.Problem) string { return bankProblem(b, pr) }) {
		return err
	}
	if base < 1 {
		p.Revision = cur.Revision
	}
	return s.renderBankItem(w, r, http.StatusBadRequest, p)
}

// adminRetireBankItem retires (op=retire) or restores (op=restore) an item, then goes back to
// the list (back=list) or to the item's page.
func (s *server) adminRetireBankItem(w http.ResponseWriter, r *http.Request) error {
	kind, k, err := bankKind(r)
	if err != nil {
		return err
	}
	district, id := r.PathValue("district"), r.PathValue("item")
	op := r.PostFormValue("op")
	if op != "retire" && op != "restore" {
		if _, err := s.svc.ManagedBankItem(r.Context(), actor(r), district, k, id); err != nil {
			return err
		}
		return iep.Problems{{Field: "op", Code: iep.CodeChoice, Detail: "retire, restore"}}.Err()
	}
	if err := s.svc.RetireBankItem(r.Context(), actor(r), district, k, id, op == "retire"); err != nil {
		return err
	}
	done := map[string]string{"retire": "retired", "restore": "restored"}[op]
	if r.PostFormValue("back") == "list" {
		to := adminURL(district, "banks", kind)
		if op == "restore" {
			return seeOther(w, r, to+"?show=retired&done="+done, "")
		}
		return seeOther(w, r, to, done)
	}
	return seeOther(w, r, adminURL(district, "banks", kind, id), done)
}

// adminLoadStarterBank loads the starter bank into the district's empty bank of this kind.
func (s *server) adminLoadStarterBank(w http.ResponseWriter, r *http.Request) error {
	kind, k, err := bankKind(r)
	if err != nil {
		return err
	}
	district := r.PathValue("district")
	if _, err := s.svc.LoadStarterBank(r.Context(), actor(r), district, k); err != nil {
		return err
	}
	return seeOther(w, r, adminURL(district, "banks", kind), "loaded")
}

// bankFieldView is one input or text box of the item's form, for the "bank-input" template.
type bankFieldView struct {
	Base
	Form          form
	Name, HintKey string
	Required      bool
	Rows          int // a text box of this many rows; 0 is a one-line input
}

// In describes the input of field name with the hint of catalog key hint ("" none).
func (p *bankItemPage) In(name, hint string, required bool) bankFieldView {
	v := bankFieldView{Base: p.Base, Form: p.Form, Name: name, HintKey: hint, Required: required}
	if name == "text" || name == "objectives" {
		text := p.Form.V(name)
		v.Rows = min(12, max(3, utf8.RuneCountInString(text)/60+strings.Count(text, "\n")+2))
	}
	return v
}

// Details is the view of an item's details.
func (p *bankItemPage) Details(it store.BankItem) bankDetailsView { return bankDetailsView{p.Base, it} }
