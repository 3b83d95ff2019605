package web

// The plan editor: a draft's every section as its own form, saved by itself (autosave with htmx,
// or the section's Save button without script), with the family's comments and suggested
// changes under each section, the section's history with the differences, the merge view when
// someone else saved first, and the plan's read and print views.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

func init() {
	pageFiles["editor"] = []string{"editor.html", "editor_sections.html", "bank_results.html"}
	pageFiles["plan_read"] = []string{"plan_read.html", "plan.html", "plan_sections.html"}
	pageFiles["section_history"] = []string{"section_history.html", "editor_sections.html"}
}

func (s *server) editorRoutes() []route {
	d := "/districts/{district}"
	return []route{
		{"POST " + d + "/students/{student}/plans", member, s.startDraft},
		{"GET " + d + "/plans/{plan}", member, s.planPage},
		{"GET " + d + "/plans/{plan}/print", member, s.planPrint},
		{"POST " + d + "/plans/{plan}/sections/{section}", member, s.saveSection},
		{"GET " + d + "/plans/{plan}/sections/{section}/history", member, s.sectionHistory},
		{"POST " + d + "/plans/{plan}/comments", member, s.postComment},
		{"POST " + d + "/plans/{plan}/share", member, s.shareDraft},
		{"POST " + d + "/suggestions/{suggestion}/decision", member, s.decideSuggestion},
	}
}

// editorPage is a draft open for writing.
type editorPage struct {
	Base
	Ed       *app.Editor
	Sections []*sectionView
	Totals   app.ServiceTotals
	Missing  []fieldError // what the proposal still needs, each linked to its field
	Notice   string       // what a form just did
	EditorJS string       // the editor's script: the status line when a save fails
	// banks are the goal and accommodation banks' first results, by section.
	banks map[iep.SectionKind]*bankSearchView
}

// sectionView is one section's form: its content (stored, or as just typed when shown again),
// its revision, its problems, and for a conflict the other person's text by field.
type sectionView struct {
	P        *editorPage
	Kind     iep.SectionKind
	C        *iep.Content
	Rev      int
	Form     form              // the posted values and problems when the section is shown again
	Theirs   map[string]string // in the merge view: the stored text of each field that differs
	TheirRev int
	TheirBy  string
	Comments []iep.Comment
	Pending  []suggestionView
	Bank     *bankSearchView // the goal or the accommodation bank, to pick from; nil elsewhere
}

// suggestionView is a suggestion waiting for the team's decision, with its differences.
type suggestionView struct {
	app.SuggestionView
	Author  string
	Changes []fieldChange
}

// fieldChange is one field that differs between two texts of a section.
type fieldChange struct {
	Label string
	Parts []diffPart
}

// editable are the sections in form order, the transition only when it applies.
func editable(e *app.Editor) []iep.SectionKind {
	var ks []iep.SectionKind
	for _, k := range iep.Sections {
		if k == iep.SectionTransition && !e.TransitionDue && !e.Plan.Content.Transition.Applies {
			continue
		}
		ks = append(ks, k)
	}
	return ks
}

// planPage serves a plan: the editor for a draft the reader may write, else the read view.
func (s *server) planPage(w http.ResponseWriter, r *http.Request) error {
	e, err := s.svc.PlanEditor(r.Context(), actor(r), r.PathValue("district"), r.PathValue("plan"))
	if err != nil {
		return err
	}
	if !e.MayEdit {
		return s.renderPlanRead(w, r, e)
	}
	p, err := s.newEditorPage(w, r, e)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "editor", p)
}

func (s *server) newEditorPage(w http.ResponseWriter, r *http.Request, e *app.Editor) (*editorPage, error) {
	p := &editorPage{Base: s.base(w, r), Ed: e, EditorJS: s.assets.URL("editor.js"), banks: map[iep.SectionKind]*bankSearchView{}}
	for k, bank := range map[iep.SectionKind]string{iep.SectionGoals: "goals", iep.SectionAccommodations: "accommodations"} {
		v, err := s.bankSearch(r, p.Base, e.District.ID, bank, app.BankQuery{Limit: 5}, true)
		if err != nil {
			return nil, err
		}
		p.banks[k] = v
	}
	p.Loc = e.Loc
	p.Title = p.T("editor.title", e.Student.DisplayName())
	p.Notice = p.done(r, "editor")
	p.Totals = app.TotalServices(e.Plan.Content.Services.Lines, 0)
	for _, pr := range e.Missing {
		_, inner, _ := strings.Cut(pr.Field, ".")
		p.Missing = append(p.Missing, fieldError{Field: pr.Field, ID: fieldID(inner), Message: fieldLabel(p.Lang, pr.Field)})
	}
	for _, k := range editable(e) {
		p.Sections = append(p.Sections, p.section(k, &e.Plan.Content))
	}
	return p, nil
}

// section builds the view of one section from content c.
func (p *editorPage) section(k iep.SectionKind, c *iep.Content) *sectionView {
	v := &sectionView{P: p, Kind: k, C: c, Rev: p.Ed.Plan.SectionRevisions[k], Form: newForm(nil), Bank: p.banks[k]}
	for _, cm := range p.Ed.Comments {
		if cm.Section == k {
			v.Comments = append(v.Comments, cm)
		}
	}
	for _, sg := range p.Ed.Suggestions {
		if sg.Section != k || sg.Status != iep.SuggestionOpen {
			continue
		}
		var theirs iep.Content
		if err := json.Unmarshal(sg.Content, theirs.Section(k)); err != nil {
			continue
		}
		v.Pending = append(v.Pending, suggestionView{SuggestionView: sg, Author: p.Ed.Names[sg.AuthorID],
			Changes: changes(p.Lang, k, c, &theirs)})
	}
	return v
}

// changes lists the fields of section k that differ from a to b, with their differences.
func changes(lang string, k iep.SectionKind, a, b *iep.Content) []fieldChange {
	before, after := map[string]string{}, flatten(b.Section(k))
	for _, f := range flatten(a.Section(k)) {
		before[f.Path] = f.Value
	}
	var out []fieldChange
	seen := map[string]bool{}
	for _, f := range after {
		seen[f.Path] = true
		if before[f.Path] != f.Value && !isID(f.Path) {
			out = append(out, fieldChange{Label: fieldLabel(lang, string(k)+"."+f.Path), Parts: wordDiff(before[f.Path], f.Value)})
		}
	}
	for _, f := range flatten(a.Section(k)) {
		if !seen[f.Path] && !isID(f.Path) {
			out = append(out, fieldChange{Label: fieldLabel(lang, string(k)+"."+f.Path), Parts: wordDiff(f.Value, "")})
		}
	}
	return out
}

// isID reports whether path names an item's id (not shown: the system gives it).
func isID(path string) bool { return path == "id" || strings.HasSuffix(path, ".id") }

// saveSection serves POST .../sections/{section}: the section's form, saved; or one of its
// buttons: add or remove a list item, take an item from the bank, take the other person's text
// after a conflict. With htmx an autosave answers with the status line only.
func (s *server) saveSection(w http.ResponseWriter, r *http.Request) error {
	district, planID := r.PathValue("district"), r.PathValue("plan")
	kind := iep.SectionKind(r.PathValue("section"))
	if (&iep.Content{}).Section(kind) == nil {
		return errNotFound
	}
	if err := r.ParseForm(); err != nil {
		return iep.Errorf(iep.KindInvalid, "unreadable form")
	}
	a := actor(r)
	e, err := s.svc.PlanEditor(r.Context(), a, district, planID)
	if err != nil {
		return err
	}
	if !e.MayEdit {
		if e.Draft {
			return iep.Errorf(iep.KindForbidden, "only the team writes the draft")
		}
		return iep.Errorf(iep.KindConflict, "the plan is %s: it is no longer a draft", e.Plan.Status)
	}
	op := r.PostForm.Get("op")
	if op == "theirs" {
		return seeOther(w, r, planURL(district, planID)+"#sec-"+string(kind), "")
	}
	// The section as typed: the stored content, with the form over it.
	c := e.Plan.Content
	sec := c.Section(kind)
	ps := bindForm(r.PostForm, "", sec)
	structural := op != "" || r.PostForm.Get("bank_item") != ""
	if ps == nil {
		if err := s.applyOp(r, a, e, kind, &c, op); err != nil {
			return err
		}
	}
	base, _ := strconv.Atoi(r.PostForm.Get("base_revision"))
	// The whole page (the banks' searches, every section) is built only to show the section
	// again; an autosave that lands answers with its status line alone.
	refused := func(err error) error {
		p, perr := s.newEditorPage(w, r, e)
		if perr != nil {
			return perr
		}
		return s.sectionRefused(w, r, p, kind, &c, base, err)
	}
	if ps != nil {
		return refused(ps.Err())
	}
	content, err := json.Marshal(sec)
	if err != nil {
		return err
	}
	rev, err := s.svc.SaveSection(r.Context(), a, district, planID, kind, app.SectionInput{BaseRevision: base, Content: content})
	if err != nil {
		return refused(err)
	}
	if !isHX(r) {
		return seeOther(w, r, planURL(district, planID)+"#sec-"+string(kind), "")
	}
	if structural {
		// Show the section again as stored (with its new ids), focus on what was added.
		e, err := s.svc.PlanEditor(r.Context(), a, district, planID)
		if err != nil {
			return err
		}
		p, err := s.newEditorPage(w, r, e)
		if err != nil {
			return err
		}
		v := p.section(kind, &e.Plan.Content)
		return s.renderFragment(w, "#sec-"+string(kind), "outerHTML", "editor", "section", v)
	}
	b := s.base(w, r)
	b.Loc = e.Loc
	v := savedView{B: b, Kind: kind, Rev: rev, At: b.When(s.now())}
	if kind == iep.SectionServices {
		v.Totals = &totalsView{B: b, T: app.TotalServices(c.Services.Lines, 0), OOB: true}
	}
	return s.renderFragment(w, "", "", "editor", "saved", v)
}

// savedView is the status line after an autosave, with the new revision swapped into the form
// and, after a save of the services, their totals.
type savedView struct {
	B      Base
	Kind   iep.SectionKind
	Rev    int
	At     string
	Totals *totalsView
}

// applyOp does what a section's button asks to the content as typed.
func (s *server) applyOp(r *http.Request, a app.Actor, e *app.Editor, kind iep.SectionKind, c *iep.Content, op string) error {
	if id := r.PostForm.Get("bank_item"); id != "" {
		it, err := s.svc.BankItem(r.Context(), a, e.District.ID, id)
		if err != nil {
			return err
		}
		blanks := map[string]string{app.BlankStudent: e.Student.DisplayName()}
		if !e.Plan.EndDate.IsZero() {
			blanks[app.BlankDate] = Base{Lang: pickLang(r)}.Date(e.Plan.EndDate)
		}
		switch {
		case kind == iep.SectionGoals && it.Kind == store.BankGoal:
			c.Goals.Goals = append(c.Goals.Goals, app.GoalFromBank(it, blanks))
		case kind == iep.SectionAccommodations && it.Kind == store.BankAccommodation:
			c.Accommodations.Items = append(c.Accommodations.Items, app.AccommodationFromBank(it, blanks))
		default:
			return iep.Problems{{Field: "bank_item", Code: iep.CodeInvalid, Detail: "an item of this section's bank"}}.Err()
		}
		return nil
	}
	verb, path, _ := strings.Cut(op, ":")
	switch verb {
	case "":
		return nil
	case "add":
		return addItem(c.Section(kind), path)
	case "remove":
		return removeItem(c.Section(kind), path)
	case "derive":
		// The placement from the service grid: the share of the week in the regular class and
		// its EDFacts code (the team may still choose a separate school or facility instead).
		t := app.TotalServices(c.Services.Lines, 0)
		c.Placement.PercentInRegularClass, c.Placement.EnvironmentCode = t.PercentInRegularClass, t.Environment
		return nil
	}
	return iep.Problems{{Field: "op", Code: iep.CodeInvalid, Detail: op}}.Err()
}

// sectionRefused shows a section again after a refused save: with the problems by field and
// everything typed (a new draft from the form), or, when someone else saved first, the merge
// view. With htmx only the section is sent.
func (s *server) sectionRefused(w http.ResponseWriter, r *http.Request, p *editorPage, kind iep.SectionKind, c *iep.Content, base int, err error) error {
	v := p.section(kind, c)
	v.Rev = base
	v.Form = newForm(r.PostForm)
	var ce *iep.ConflictError
	status := http.StatusBadRequest
	switch {
	case errors.As(err, &ce):
		status = http.StatusConflict
		var theirs iep.Content
		if jerr := json.Unmarshal(ce.Current, theirs.Section(kind)); jerr != nil {
			return jerr
		}
		v.Rev, v.TheirRev, v.TheirBy = ce.CurrentRevision, ce.CurrentRevision, p.Ed.Names[ce.CurrentBy]
		v.Theirs = map[string]string{}
		mine := map[string]string{}
		for _, f := range flatten(c.Section(kind)) {
			mine[f.Path] = f.Value
		}
		for _, f := range flatten(theirs.Section(kind)) {
			if mine[f.Path] != f.Value {
				v.Theirs[f.Path] = f.Value
			}
		}
	case v.Form.refuseWith(err, func(pr iep.Problem) string {
		return problemMessage(p.Lang, iep.Problem{Field: strings.TrimPrefix(pr.Field, string(kind)+"."), Code: pr.Code, Detail: pr.Detail})
	}):
		for i := range v.Form.Errors {
			f := strings.TrimPrefix(v.Form.Errors[i].Field, string(kind)+".")
			v.Form.Errors[i].Field, v.Form.Errors[i].ID = f, fieldID(f)
			v.Form.Errors[i].Message = fieldLabel(p.Lang, string(kind)+"."+f) + ": " + v.Form.Errors[i].Message
		}
	default:
		return err
	}
	if isHX(r) {
		return s.renderFragment(w, "#sec-"+string(kind), "outerHTML", "editor", "section", v)
	}
	for i, x := range p.Sections {
		if x.Kind == kind {
			p.Sections[i] = v
		}
	}
	return s.render(w, status, "editor", p)
}

// renderFragment writes one template of a page set alone (an htmx answer), retargeted when
// target is given. htmx swaps only 2xx answers, so refusals shown in place are 200 here.
func (s *server) renderFragment(w http.ResponseWriter, target, swap, page, name string, data any) error {
	t := s.pages.sets[page]
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s/%s: %w", page, name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	if target != "" {
		h.Set("HX-Retarget", target)
		h.Set("HX-Reswap", swap)
	}
	w.Write([]byte(buf.String()))
	return nil
}

func isHX(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

// startDraft serves POST /districts/{district}/students/{student}/plans: a new draft of the
// chosen kind, then its editor.
func (s *server) startDraft(w http.ResponseWriter, r *http.Request) error {
	district := r.PathValue("district")
	p, err := s.svc.CreatePlan(r.Context(), actor(r), district, r.PathValue("student"),
		app.NewPlanInput{Kind: iep.PlanKind(r.PostFormValue("kind"))})
	if err != nil {
		return err
	}
	return seeOther(w, r, planURL(district, p.ID), "started")
}

// postComment serves POST .../plans/{plan}/comments: a comment on a section, or a reply.
func (s *server) postComment(w http.ResponseWriter, r *http.Request) error {
	district, planID := r.PathValue("district"), r.PathValue("plan")
	section := iep.SectionKind(r.PostFormValue("section"))
	_, err := s.svc.Comment(r.Context(), actor(r), district, planID, app.CommentInput{Section: section,
		Body: r.PostFormValue("body"), ReplyTo: r.PostFormValue("reply_to")})
	if err != nil {
		return err
	}
	return seeOther(w, r, planURL(district, planID)+"#comments-"+string(section), "")
}

// shareDraft serves POST .../plans/{plan}/share.
func (s *server) shareDraft(w http.ResponseWriter, r *http.Request) error {
	district, planID := r.PathValue("district"), r.PathValue("plan")
	if _, err := s.svc.ShareDraft(r.Context(), actor(r), district, planID); err != nil {
		return err
	}
	return seeOther(w, r, planURL(district, planID), "shared")
}

// decideSuggestion serves POST /districts/{district}/suggestions/{suggestion}/decision: take a
// family's suggested change into the draft, or answer it.
func (s *server) decideSuggestion(w http.ResponseWriter, r *http.Request) error {
	district := r.PathValue("district")
	base, _ := strconv.Atoi(r.PostFormValue("base_revision"))
	sg, err := s.svc.DecideSuggestion(r.Context(), actor(r), district, r.PathValue("suggestion"), app.SuggestionDecision{
		Accept: r.PostFormValue("accept") == "yes", BaseRevision: base, Answer: r.PostFormValue("answer")})
	if err != nil {
		return err
	}
	return seeOther(w, r, planURL(district, sg.PlanID)+"#sec-"+string(sg.Section), "")
}

// historyPage is a section's history: its revisions, and the differences of one from the one
// before.
type historyPage struct {
	Base
	District, PlanID string
	Kind             iep.SectionKind
	Revisions        []app.SectionRevision
	Shown            int // the revision whose differences are shown
	Previous         int // the revision it is compared with; 0 for the first
	Changes          []fieldChange
}

func (s *server) sectionHistory(w http.ResponseWriter, r *http.Request) error {
	district, planID := r.PathValue("district"), r.PathValue("plan")
	kind := iep.SectionKind(r.PathValue("section"))
	revs, err := s.svc.SectionHistory(r.Context(), actor(r), district, planID, kind)
	if err != nil {
		return err
	}
	p := &historyPage{Base: s.base(w, r), District: district, PlanID: planID, Kind: kind, Revisions: revs}
	p.Title = p.T("history_section.title", p.T("section."+string(kind)))
	i := 0
	if n, err := strconv.Atoi(r.URL.Query().Get("rev")); err == nil {
		i = slices.IndexFunc(revs, func(x app.SectionRevision) bool { return x.Revision == n })
		if i < 0 {
			return errNotFound
		}
	}
	if len(revs) > 0 {
		p.Shown = revs[i].Revision
		var before iep.Content
		if i+1 < len(revs) {
			p.Previous = revs[i+1].Revision
			before = revs[i+1].Content
		}
		p.Changes = changes(p.Lang, kind, &before, &revs[i].Content)
	}
	return s.render(w, http.StatusOK, "section_history", p)
}

// planPrint serves the plan's print view: every section in order, no forms.
func (s *server) planPrint(w http.ResponseWriter, r *http.Request) error {
	e, err := s.svc.PlanEditor(r.Context(), actor(r), r.PathValue("district"), r.PathValue("plan"))
	if err != nil {
		return err
	}
	u := planDocumentURL(actor(r).IsFamily(), e, "")
	if lang := r.URL.Query().Get("lang"); lang != "" {
		u += "&lang=" + url.QueryEscape(lang)
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
	return nil
}

// planDocumentURL is the address of the plan's IEP document on the staff's or the family's
// side (ext ".pdf" for the PDF, "" for the page to read and print): the draft as it is while
// it is one, else the version proposed or in effect.
func planDocumentURL(family bool, e *app.Editor, ext string) string {
	version := ""
	if e.Draft {
		version = "0"
	}
	return documentURL(family, e.District.ID, e.Student.ID, "iep", e.Plan.ID) + ext + "?version=" + version
}

// planReadPage is a plan to read (not a draft the reader writes), or its print view.
type planReadPage struct {
	*studentPage
	SP     *studentPage // the same, by a name templates can pass on
	Ed     *app.Editor
	Family bool // the reader is of the family (their documents are at the family's addresses)
}

func (s *server) renderPlanRead(w http.ResponseWriter, r *http.Request, e *app.Editor) error {
	plan := e.Plan
	rec := &app.Record{District: e.District, Student: e.Student, Plan: &plan, CaseManager: e.Names[plan.CaseManagerID], Today: e.Today}
	sp := &studentPage{Base: s.base(w, r), R: rec, InEffect: plan.Status.InEffect()}
	sp.Loc = e.Loc
	sp.Title = sp.T("editor.read_title", e.Student.DisplayName())
	sp.Sections = sectionLinks(sp.Base, &plan, app.FormOrder(&e.District))
	return s.render(w, http.StatusOK, "plan_read", &planReadPage{studentPage: sp, SP: sp, Ed: e, Family: actor(r).IsFamily()})
}

// pathPart matches one step of a field's path: a name and an optional index.
var pathPart = regexp.MustCompile(`^([a-z_]+)(?:\[(\d+)\])?$`)

// fieldLabel names a field of a plan by its path ("goals.goals[1].baseline" → "Goals: goal 2:
// baseline") in the reader's language, from the catalog's editor.item.* and editor.label.*.
func fieldLabel(lang, path string) string {
	parts := strings.Split(path, ".")
	var out []string
	for i, part := range parts {
		m := pathPart.FindStringSubmatch(part)
		if m == nil {
			out = append(out, part)
			continue
		}
		if i == 0 && i18n.Has("section."+m[1]) && m[2] == "" && len(parts) > 1 {
			out = append(out, i18n.Message(lang, "section."+m[1]))
			continue
		}
		if m[2] != "" {
			n, _ := strconv.Atoi(m[2])
			if key := "editor.item." + m[1]; i18n.Has(key) {
				out = append(out, i18n.Message(lang, key, n+1))
				continue
			}
		}
		if key := "editor.label." + m[1]; i18n.Has(key) {
			out = append(out, i18n.Message(lang, key))
			continue
		}
		out = append(out, strings.ReplaceAll(m[1], "_", " "))
	}
	return strings.Join(out, i18n.Message(lang, "editor.path_separator"))
}

// Label is the label of a field of this section, by its path inside the section: the field's
// own name (the section's heading and the item's legend say where it is).
func (v *sectionView) Label(path string) string {
	if i := strings.LastIndex(path, "."); i >= 0 {
		path = path[i+1:]
	}
	return fieldLabel(v.P.Lang, path)
}

// ItemLabel names a list item inside the section, capitalized: "Goal 2", "Goal 2: objective 1".
func (v *sectionView) ItemLabel(path string) string {
	s := fieldLabel(v.P.Lang, path)
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// fieldID is the id of the input of the field at path: "goals[0].baseline" is
// "f-goals-0-baseline" (ids without brackets, so links to them need no escaping).
func fieldID(path string) string {
	return "f-" + idReplacer.Replace(path)
}

var idReplacer = strings.NewReplacer("[", "-", "]", "", ".", "-")

// edField is one input of a section's form, for the "field" template.
type edField struct {
	V               *sectionView
	Name, ID, Label string
	Value           string
	Type            string // text, textarea, number, date
	Hint            string
	Theirs          string
	HasTheirs       bool
}

// F describes the input of the field at path, showing value unless the form was posted with
// it; typ is text, textarea, number or date; hint a catalog key ("" for none).
func (v *sectionView) F(path, typ string, value any, hint string) edField {
	f := edField{V: v, Name: path, ID: fieldID(path), Label: v.Label(path), Type: typ}
	if hint != "" {
		f.Hint = v.P.T(hint)
	}
	if got, ok := v.Form.Values[path]; ok && len(got) > 0 {
		f.Value = got[len(got)-1]
	} else {
		f.Value = textOf(value)
	}
	f.Theirs, f.HasTheirs = v.Theirs[path]
	return f
}

// textOf writes a field's stored value as the input shows it.
func textOf(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int:
		if x == 0 {
			return ""
		}
		return strconv.Itoa(x)
	case *float64:
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'f', -1, 64)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case fmt.Stringer:
		return x.String() // a date: "" when not given
	}
	return fmt.Sprint(v)
}

// Path joins a list's name and an index and a field: (Path "goals" 2 "baseline") is
// "goals[2].baseline"; without a field, "goals[2]".
func (v *sectionView) Path(list string, i int, field ...string) string {
	p := fmt.Sprintf("%s[%d]", list, i)
	for _, f := range field {
		p += "." + f
	}
	return p
}

// Chosen reports whether value is among the field's values (a ticked box, a chosen option):
// from the posted form when it was posted, else from stored.
func (v *sectionView) Chosen(path string, stored any, value string) bool {
	if got, ok := v.Form.Values[path]; ok {
		return slices.Contains(got, value)
	}
	if v.Form.Values != nil && v.Form.Values.Has(path+"-present") {
		return false
	}
	if rv := reflect.ValueOf(stored); rv.Kind() == reflect.Slice {
		for i := range rv.Len() {
			if fmt.Sprint(rv.Index(i).Interface()) == value {
				return true
			}
		}
		return false
	}
	if b, ok := stored.(bool); ok {
		return b == (value == "true")
	}
	return fmt.Sprint(stored) == value
}

// URL is where this section's form posts.
func (v *sectionView) URL() string {
	return planURL(v.P.Ed.District.ID, v.P.Ed.Plan.ID, "sections", string(v.Kind))
}

// HistoryURL is the section's history.
func (v *sectionView) HistoryURL() string { return v.URL() + "/history" }
