package web

// The family's own editor of the concerns and vision: a big text area per field of theirs, no
// length limit, saved exactly as typed (only the browser's CR LF line breaks are turned back
// into the line breaks that were typed), autosaved a moment after typing stops (htmx, with
// static/family.js keeping the request current and warning before leaving unsaved words), with
// a Save button that works without script. When someone else changed the family's words
// meanwhile, nothing is saved and both texts are shown; "Keep my words" then saves the family's.

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/iep"
)

func init() {
	pageFiles["family_concerns"] = []string{"family_concerns.html", "family_nav.html"}
}

// concernsNames are the family's fields, in the form's order (the inputs' names).
var concernsNames = []string{"parent_concerns", "student_concerns", "student_vision", "post_secondary_vision"}

// concernsPage is the family's editor of the concerns and vision.
type concernsPage struct {
	Base
	Nav      familyNav
	V        *app.FamilyConcernsView
	Fields   []concernsField
	Rev      int
	Read     string
	Conflict *concernsConflict
	// Unsaved is set when a save was refused for a reason other than a conflict (the plan is no
	// longer a draft): the words typed are shown to copy, with why.
	Unsaved  string
	Notice   string
	FamilyJS string
}

// concernsField is one text area: its name, label, hint, text, and in a conflict the other text.
type concernsField struct {
	Name, ID, Label, Hint, Value string
	Theirs, TheirsLabel          string
	HasTheirs                    bool
}

// concernsConflict is what the page says when someone else changed the family's words: who,
// and the revision and fingerprint "Keep my words" saves from.
type concernsConflict struct {
	B    Base
	By   string
	Rev  int
	Read string
	N    int // how many fields differ
}

// PlanURL is the family's page of the plan.
func (p *concernsPage) PlanURL() string {
	return familyURL(p.V.District.ID, p.V.Student.ID, "plans", p.V.Plan.ID)
}

// SaveURL is where the form posts.
func (p *concernsPage) SaveURL() string { return p.PlanURL() + "/concerns" }

// wordsField returns the field of words named name.
func wordsField(w *app.FamilyWords, name string) *string {
	switch name {
	case "parent_concerns":
		return &w.ParentConcerns
	case "student_concerns":
		return &w.StudentConcerns
	case "student_vision":
		return &w.StudentVision
	}
	return &w.PostSecondaryVision
}

// newConcernsPage builds the editor showing words (the stored ones, or those typed).
func (s *server) newConcernsPage(w http.ResponseWriter, r *http.Request, v *app.FamilyConcernsView, words app.FamilyWords) *concernsPage {
	p := &concernsPage{Base: s.base(w, r), V: v, Nav: s.familyNav(r, &v.District, &v.Student, "plan"),
		Rev: v.Revision, Read: app.WordsOf(&v.Plan.Content.Concerns).Fingerprint(), FamilyJS: s.assets.URL("family.js")}
	p.Loc = districtLoc(v.District.Timezone)
	p.Title = p.T("fam.concerns.title", v.Student.DisplayName())
	for _, name := range concernsNames {
		p.Fields = append(p.Fields, concernsField{Name: name, ID: "concerns-" + name, Label: p.T("fam.concerns.label." + name),
			Hint: p.T("fam.concerns.hint." + name), Value: *wordsField(&words, name)})
	}
	return p
}

// familyConcernsPage serves GET …/plans/{plan}/concerns.
func (s *server) familyConcernsPage(w http.ResponseWriter, r *http.Request) error {
	v, err := s.svc.FamilyConcerns(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"), r.PathValue("plan"))
	if err != nil {
		return err
	}
	p := s.newConcernsPage(w, r, v, app.WordsOf(&v.Plan.Content.Concerns))
	p.Notice = p.done(r, "fam.concerns")
	return s.render(w, http.StatusOK, "family_concerns", p)
}

// concernsSaved is the status line after an autosave, with the new revision and fingerprint
// swapped into the form and the conflict box emptied.
type concernsSaved struct {
	B    Base
	At   string
	Rev  int
	Read string
}

// familyConcernsSave serves POST …/plans/{plan}/concerns: the family's words saved as typed.
// With htmx (an autosave, or Save with script) the answer is the status line; without, the
// page again.
func (s *server) familyConcernsSave(w http.ResponseWriter, r *http.Request) error {
	district, student, planID := r.PathValue("district"), r.PathValue("student"), r.PathValue("plan")
	if err := r.ParseForm(); err != nil {
		return iep.Errorf(iep.KindInvalid, "unreadable form")
	}
	a := actor(r)
	var in app.ConcernsInput
	for _, name := range concernsNames {
		vals, ok := r.PostForm[name]
		if !ok || len(vals) != 1 {
			// Not this page's form: refused whole, never half-applied; asked of the policy
			// first, so that whoever may not see the plan learns nothing from the refusal.
			if _, err := s.svc.FamilyConcerns(r.Context(), a, district, student, planID); err != nil {
				return err
			}
			return iep.Problems{{Field: name, Code: iep.CodeRequired}}.Err()
		}
		*wordsField(&in.Words, name) = crlf(vals[0])
	}
	in.BaseRevision, _ = strconv.Atoi(r.PostForm.Get("base_revision"))
	in.Read = r.PostForm.Get("read")
	if r.PostForm.Get("op") == "keep" {
		in.BaseRevision, _ = strconv.Atoi(r.PostForm.Get("keep_revision"))
		in.Read = r.PostForm.Get("keep_read")
	}
	saved, err := s.svc.SaveFamilyConcerns(r.Context(), a, district, student, planID, in)
	b := s.base(w, r)
	var cc *app.ConcernsConflict
	switch {
	case err == nil && isHX(r):
		v := concernsSaved{B: b, At: saved.At.Format(b.T("date.time_layout")), Rev: saved.Revision, Read: saved.Read}
		return s.renderPart(w, http.StatusOK, "family_concerns", "concerns-saved", v)
	case err == nil:
		return seeOther(w, r, familyURL(district, student, "plans", planID, "concerns")+"?done=saved", "")
	case errors.As(err, &cc):
		c := &concernsConflict{B: b, By: cc.By, Rev: cc.CurrentRevision, Read: cc.Read}
		for _, name := range concernsNames {
			if *wordsField(&cc.Theirs, name) != *wordsField(&in.Words, name) {
				c.N++
			}
		}
		if isHX(r) {
			return s.renderPart(w, http.StatusConflict, "family_concerns", "concerns-conflict-hx",
				struct {
					C      *concernsConflict
					Fields []concernsField
				}{c, theirFields(b, cc.By, cc.Theirs, in.Words)})
		}
		v, verr := s.svc.FamilyConcerns(r.Context(), a, district, student, planID)
		if verr != nil {
			return verr
		}
		p := s.newConcernsPage(w, r, v, in.Words)
		p.Rev, p.Read, p.Conflict = in.BaseRevision, in.Read, c
		for i, f := range theirFields(b, cc.By, cc.Theirs, in.Words) {
			p.Fields[i].Theirs, p.Fields[i].HasTheirs, p.Fields[i].TheirsLabel = f.Theirs, f.HasTheirs, f.TheirsLabel
		}
		return s.render(w, http.StatusConflict, "family_concerns", p)
	}
	kind := iep.KindOf(err)
	if kind != iep.KindConflict && kind != iep.KindForbidden {
		return err
	}
	why := b.T("fam.concerns.not_saved." + kindKey(kind))
	if isHX(r) {
		return s.renderPart(w, statusOf(err), "family_concerns", "concerns-failed", why)
	}
	// Without script: the page again, with the words typed there to copy and why they were not saved.
	v, verr := s.svc.FamilyConcerns(r.Context(), a, district, student, planID)
	if verr != nil {
		return verr
	}
	p := s.newConcernsPage(w, r, v, in.Words)
	p.Unsaved = why
	return s.render(w, statusOf(err), "family_concerns", p)
}

// theirFields are the fields whose other text differs from the words typed, with that text.
func theirFields(b Base, by string, theirs, mine app.FamilyWords) []concernsField {
	var out []concernsField
	for _, name := range concernsNames {
		f := concernsField{Name: name, ID: "concerns-" + name, Label: b.T("fam.concerns.label." + name)}
		if t := *wordsField(&theirs, name); t != *wordsField(&mine, name) {
			f.Theirs, f.HasTheirs, f.TheirsLabel = t, true, b.T("fam.concerns.theirs_label", b.Or(by))
		}
		out = append(out, f)
	}
	return out
}

// renderPart writes one template of a page set alone, with status: an htmx answer that is
// swapped in whatever its status (htmx 4 swaps every status but 204 and 304).
func (s *server) renderPart(w http.ResponseWriter, status int, page, name string, data any) error {
	var buf bytes.Buffer
	if err := s.pages.sets[page].ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render %s/%s: %w", page, name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}
