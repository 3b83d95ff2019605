package web

// The family's plan pages: the plan a family should read now, in plain words (every section
// explained, the words of the glossary inline, phone-first cards instead of wide tables), with
// the discussion of a shared draft under each section (comments and replies, the family's
// suggested changes and the team's answers, word by word); a print view; the glossary; and the
// family's own editor of the concerns and vision (family_concerns.go).

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
)

func init() {
	pageFiles["family_plan"] = []string{"family_plan.html", "family_plan_sections.html", "family_plan_talk.html", "family_nav.html"}
	pageFiles["family_glossary"] = []string{"family_glossary.html", "family_nav.html"}
}

func (s *server) familyPlanRoutes() []route {
	f := "/districts/{district}/family/{student}"
	return []route{
		{"GET " + f + "/plan", member, s.familyPlanNow},
		{"GET " + f + "/plans/{plan}", member, s.familyPlanPage},
		{"GET " + f + "/plans/{plan}/print", member, s.familyPlanPrint},
		{"POST " + f + "/plans/{plan}/comments", member, s.familyComment},
		{"POST " + f + "/plans/{plan}/suggestions", member, s.familySuggest},
		{"GET " + f + "/plans/{plan}/concerns", member, s.familyConcernsPage},
		{"POST " + f + "/plans/{plan}/concerns", member, s.familyConcernsSave},
		{"GET " + f + "/glossary", member, s.familyGlossary},
	}
}

// sectionTerms are the glossary's words each section of the plan uses, shown with it.
var sectionTerms = map[iep.SectionKind][]string{
	iep.SectionConcerns:          {"iep", "fape"},
	iep.SectionPresentLevels:     {"present_levels", "evaluation"},
	iep.SectionGoals:             {"annual_goal", "short_term_objective"},
	iep.SectionProgressReporting: {"progress_report"},
	iep.SectionServices:          {"related_services", "supplementary_aids", "service_minutes"},
	iep.SectionAccommodations:    {"accommodation", "modification"},
	iep.SectionAssessments:       {"accommodation"},
	iep.SectionPlacement:         {"placement", "lre"},
	iep.SectionTransportation:    {"related_services"},
	iep.SectionESY:               {"esy"},
	iep.SectionTransition:        {"transition", "age_of_majority"},
}

// disagreeTerms are the words of "if you do not agree", at the end of the plan.
var disagreeTerms = []string{"consent", "prior_written_notice", "procedural_safeguards", "mediation", "state_complaint",
	"due_process_hearing", "stay_put"}

// familyPlanPage is one plan as the family reads it, or its print view.
type familyPlanPage struct {
	Base
	Nav      familyNav
	V        *app.FamilyPlanView
	Sections []*famSection
	Disagree []i18n.Term
	Words    []i18n.Term // the print view's list of every word used
	Print    bool
	Notice   string
}

// famSection is one section of the plan with its discussion: the threads of comments, the
// family's suggestions, and the forms to comment and to suggest a change (shown again with what
// was typed and what is wrong when a post was refused).
type famSection struct {
	P           *familyPlanPage
	Kind        iep.SectionKind
	Terms       []i18n.Term
	Threads     []famThread
	Suggestions []famSuggestion
	Groups      []suggestGroup // the suggestion form's fields, by item
	Rev         int            // the section's revision the suggestion form was filled from
	// Form is what was posted to this section's comment or suggestion form (FormOf says
	// which) when it is shown again; Theirs, after the section moved on, its text now by path.
	Form   form
	FormOf string // "comment", "suggest" or ""
	Theirs map[string]string
}

// famComment is a comment with who wrote it.
type famComment struct {
	iep.Comment
	Who  string
	Mine bool
}

// famThread is a comment and its replies, oldest first.
type famThread struct {
	famComment
	Replies []famComment
}

// famSuggestion is a suggested change with who made it and who answered, and its words changed.
type famSuggestion struct {
	app.FamilySuggestionView
	Who, DecidedBy string
	Mine           bool
	Changes        []fieldChange
}

// familyPlanNow serves GET …/family/{student}/plan: the plan to read now.
func (s *server) familyPlanNow(w http.ResponseWriter, r *http.Request) error {
	return s.showFamilyPlan(w, r, "", false, nil)
}

// familyPlanPage serves GET …/family/{student}/plans/{plan}.
func (s *server) familyPlanPage(w http.ResponseWriter, r *http.Request) error {
	return s.showFamilyPlan(w, r, r.PathValue("plan"), false, nil)
}

// familyPlanPrint serves GET …/plans/{plan}/print: every section in order with its
// explanation, the words used, no forms.
func (s *server) familyPlanPrint(w http.ResponseWriter, r *http.Request) error {
	return s.showFamilyPlan(w, r, r.PathValue("plan"), true, nil)
}

// refusedPost is a comment or suggestion form shown again: its section, what it is, the status,
// and how to mark the section's view.
type refusedPost struct {
	Kind   iep.SectionKind
	Status int
	Mark   func(*famSection)
}

// showFamilyPlan renders the plan page (planID "" is the plan to read now), its print view, or
// the page again after a refused post.
func (s *server) showFamilyPlan(w http.ResponseWriter, r *http.Request, planID string, print bool, refused *refusedPost) error {
	v, err := s.svc.FamilyPlan(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"), planID)
	if err != nil {
		return err
	}
	p := &familyPlanPage{Base: s.base(w, r), V: v, Print: print, Nav: s.familyNav(r, &v.District, &v.Student, "plan")}
	p.Loc = districtLoc(v.District.Timezone)
	p.Title = p.T("fam.plan.title", v.Student.DisplayName())
	p.Notice = p.done(r, "fam.plan")
	p.Disagree = terms(p.Lang, disagreeTerms)
	if v.Plan != nil {
		used := map[string]bool{}
		for _, k := range iep.Sections {
			if k == iep.SectionTransition && !v.Plan.Content.Transition.Applies {
				continue
			}
			sec := p.section(k)
			p.Sections = append(p.Sections, sec)
			for _, id := range sectionTerms[k] {
				used[id] = true
			}
		}
		for _, t := range i18n.Glossary(p.Lang) {
			if used[t.ID] {
				p.Words = append(p.Words, t)
			}
		}
	}
	status := http.StatusOK
	if refused != nil {
		status = refused.Status
		for _, sec := range p.Sections {
			if sec.Kind == refused.Kind {
				refused.Mark(sec)
			}
		}
	}
	return s.render(w, status, "family_plan", p)
}

// terms are the glossary's entries of ids, in that order, in lang.
func terms(lang string, ids []string) []i18n.Term {
	all := i18n.Glossary(lang)
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

// section builds the view of section k of the plan shown.
func (p *familyPlanPage) section(k iep.SectionKind) *famSection {
	v := p.V
	sec := &famSection{P: p, Kind: k, Terms: terms(p.Lang, sectionTerms[k]), Rev: v.Plan.SectionRevisions[k], Form: newForm(nil)}
	byID := map[string]int{}
	for _, c := range v.Comments {
		if c.Section != k {
			continue
		}
		fc := famComment{Comment: c, Who: p.who(c.AuthorKind, c.AuthorID), Mine: c.AuthorID == v.ReaderID}
		if i, ok := byID[c.ReplyTo]; ok && c.ReplyTo != "" {
			sec.Threads[i].Replies = append(sec.Threads[i].Replies, fc)
			byID[c.ID] = i // a reply to a reply joins the same thread
			continue
		}
		byID[c.ID] = len(sec.Threads)
		sec.Threads = append(sec.Threads, famThread{famComment: fc})
	}
	for _, sg := range v.Suggestions {
		if sg.Section != k {
			continue
		}
		fs := famSuggestion{FamilySuggestionView: sg, Who: p.who(sg.AuthorKind, sg.AuthorID), Mine: sg.AuthorID == v.ReaderID,
			Changes: changes(p.Lang, k, &sg.Before, &sg.After)}
		if sg.DecidedBy != "" {
			fs.DecidedBy = p.Or(v.Names[sg.DecidedBy])
		}
		sec.Suggestions = append(sec.Suggestions, fs)
	}
	if v.Editable() && k != iep.SectionConcerns {
		c := v.Plan.Content
		sec.Groups = suggestGroups(p.Lang, k, c.Section(k))
	}
	return sec
}

// who names the author of a comment or suggestion for the family: "you", a name, or "someone
// at school" when the name is not known.
func (p *familyPlanPage) who(kind iep.AuthorKind, id string) string {
	if id == p.V.ReaderID {
		return p.T("fam.plan.you")
	}
	if name := p.V.Names[id]; name != "" {
		if kind == iep.AuthorStaff {
			return p.T("fam.plan.from_school", name)
		}
		return name
	}
	if kind == iep.AuthorStaff {
		return p.T("fam.plan.someone_at_school")
	}
	return p.T("common.not_recorded")
}

// PlanURL is the family's page of a plan of the child, with more path parts after it.
func (p *familyPlanPage) PlanURL(planID string, parts ...string) string {
	return familyURL(p.V.District.ID, p.V.Student.ID, append([]string{"plans", planID}, parts...)...)
}

// ThreadsOpen reports whether the section's discussion starts open: it has comments, or a
// comment was just refused.
func (v *famSection) ThreadsOpen() bool { return len(v.Threads) > 0 || v.FormOf == "comment" }

// SuggestOpen reports whether the suggestion form starts open (it was just refused).
func (v *famSection) SuggestOpen() bool { return v.FormOf == "suggest" }

// Typed is what was posted to the section's form of kind form for field, else value.
func (v *famSection) Typed(of, field, value string) string {
	if v.FormOf == of {
		if got, ok := v.Form.Values[field]; ok && len(got) > 0 {
			return got[len(got)-1]
		}
	}
	return value
}

// Err is the problem of field of the form of kind of, "" when none.
func (v *famSection) Err(of, field string) string {
	if v.FormOf != of {
		return ""
	}
	return v.Form.Err(field)
}

// familyComment serves POST …/plans/{plan}/comments: the family's comment on a section, or a
// reply in a thread. A refused comment comes back with the page, the text kept, the problem at
// the field.
func (s *server) familyComment(w http.ResponseWriter, r *http.Request) error {
	district, student, planID := r.PathValue("district"), r.PathValue("student"), r.PathValue("plan")
	if err := r.ParseForm(); err != nil {
		return iep.Errorf(iep.KindInvalid, "unreadable form")
	}
	section := iep.SectionKind(r.PostForm.Get("section"))
	in := app.CommentInput{Section: section, Body: crlf(r.PostForm.Get("body")), ReplyTo: r.PostForm.Get("reply_to")}
	_, err := s.svc.FamilyComment(r.Context(), actor(r), district, student, planID, in)
	if err == nil {
		return seeOther(w, r, familyURL(district, student, "plans", planID)+"?done=commented#talk-"+string(section), "")
	}
	var ie *iep.Error
	if !errors.As(err, &ie) || ie.Kind != iep.KindInvalid || (&iep.Content{}).Section(section) == nil {
		return err
	}
	b := Base{Lang: pickLang(r)}
	return s.showFamilyPlan(w, r, planID, false, &refusedPost{Kind: section, Status: http.StatusBadRequest, Mark: func(v *famSection) {
		v.FormOf, v.Form = "comment", newForm(r.PostForm)
		id := "comment-" + string(section)
		if in.ReplyTo != "" {
			id = "reply-" + in.ReplyTo
		}
		for _, pr := range ie.Problems {
			v.Form.Errors = append(v.Form.Errors, fieldError{Field: "body", ID: id, Message: b.T("fam.plan.comment_problem." + pr.Code)})
		}
	}})
}

// crlf turns the line breaks a browser sends (CR LF) back into the ones that were typed.
func crlf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// familySuggest serves POST …/plans/{plan}/suggestions: a change the family suggests to a
// section. The section's text fields come from the form; everything else stays as stored. A
// refused suggestion comes back with the page and everything typed; when the team changed the
// section meanwhile, the form comes back with the team's new text beside the family's.
func (s *server) familySuggest(w http.ResponseWriter, r *http.Request) error {
	district, student, planID := r.PathValue("district"), r.PathValue("student"), r.PathValue("plan")
	if err := r.ParseForm(); err != nil {
		return iep.Errorf(iep.KindInvalid, "unreadable form")
	}
	kind := iep.SectionKind(r.PostForm.Get("section"))
	base, _ := strconv.Atoi(r.PostForm.Get("base_revision"))
	lang := pickLang(r)
	in := app.FamilySuggestionInput{Section: kind, BaseRevision: base, Note: strings.TrimSpace(crlf(r.PostForm.Get("note"))),
		Edit: func(sec any) iep.Problems {
			allowed := url.Values{} // only the text fields the form shows: nothing else changes
			for _, g := range suggestGroups(lang, kind, sec) {
				for _, f := range g.Fields {
					if vals, ok := r.PostForm[f.Path]; ok {
						allowed[f.Path] = []string{crlf(vals[len(vals)-1])}
					}
				}
			}
			return bindForm(allowed, "", sec)
		}}
	_, err := s.svc.FamilySuggest(r.Context(), actor(r), district, student, planID, in)
	if err == nil {
		return seeOther(w, r, familyURL(district, student, "plans", planID)+"?done=suggested#talk-"+string(kind), "")
	}
	if (&iep.Content{}).Section(kind) == nil {
		return err
	}
	b := Base{Lang: lang}
	var ce *iep.ConflictError
	var ie *iep.Error
	switch {
	case errors.As(err, &ce):
		return s.showFamilyPlan(w, r, planID, false, &refusedPost{Kind: kind, Status: http.StatusConflict, Mark: func(v *famSection) {
			v.FormOf, v.Form, v.Rev = "suggest", newForm(r.PostForm), ce.CurrentRevision
			var now iep.Content
			if json.Unmarshal(ce.Current, now.Section(kind)) == nil {
				v.Theirs = map[string]string{}
				typed := r.PostForm
				for _, g := range suggestGroups(lang, kind, now.Section(kind)) {
					for _, f := range g.Fields {
						if typed.Get(f.Path) != f.Value {
							v.Theirs[f.Path] = f.Value
						}
					}
				}
			}
		}})
	case errors.As(err, &ie) && ie.Kind == iep.KindInvalid:
		return s.showFamilyPlan(w, r, planID, false, &refusedPost{Kind: kind, Status: http.StatusBadRequest, Mark: func(v *famSection) {
			v.FormOf, v.Form = "suggest", newForm(r.PostForm)
			for _, pr := range ie.Problems {
				path := strings.TrimPrefix(strings.TrimPrefix(pr.Field, "content."), string(kind)+".")
				msg := b.T("fam.plan.suggest_unchanged")
				if pr.Code != "unchanged" {
					msg = fieldLabel(lang, path) + ": " + problemMessage(lang, iep.Problem{Field: path, Code: pr.Code, Detail: pr.Detail})
				}
				id := "suggest-note-" + string(kind)
				if path != "note" && path != "base_revision" && path != "section" {
					id = suggestID(kind, path)
				}
				v.Form.Errors = append(v.Form.Errors, fieldError{Field: path, ID: id, Message: msg})
			}
		}})
	}
	return err
}

// glossaryPage is every word of the glossary, alphabetical in the page's language.
type glossaryPage struct {
	Base
	Nav     familyNav
	Terms   []i18n.Term
	Letters []glossaryLetter
}

// glossaryLetter is one letter of the glossary's index and the id of its first word.
type glossaryLetter struct{ Letter, ID string }

// familyGlossary serves GET …/family/{student}/glossary.
func (s *server) familyGlossary(w http.ResponseWriter, r *http.Request) error {
	d, st, err := s.svc.FamilyChildHeader(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"))
	if err != nil {
		return err
	}
	p := &glossaryPage{Base: s.base(w, r), Nav: s.familyNav(r, d, st, "")}
	p.Title = p.T("fam.glossary.title")
	p.Terms = sortedGlossary(p.Lang)
	seen := map[string]bool{}
	for _, t := range p.Terms {
		if l := firstLetter(t.Word); !seen[l] {
			seen[l] = true
			p.Letters = append(p.Letters, glossaryLetter{Letter: l, ID: "term-" + t.ID})
		}
	}
	return s.render(w, http.StatusOK, "family_glossary", p)
}

// TheirText is the section's text now at path, after it moved on since the suggestion form
// was filled ("" when it did not change there).
func (v *famSection) TheirText(path string) string { return v.Theirs[path] }

// HasTheirs reports whether the section's text at path changed since the form was filled.
func (v *famSection) HasTheirs(path string) bool {
	_, ok := v.Theirs[path]
	return ok
}

// famLine is a service line with the page, for the "fam-line" template.
type famLine struct {
	P *familyPlanPage
	L iep.ServiceLine
}

// Line is the view of a service line.
func (p *familyPlanPage) Line(l iep.ServiceLine) famLine { return famLine{P: p, L: l} }
