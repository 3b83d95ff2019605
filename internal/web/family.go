package web

// The family portal: a child's home for the parent or guardian who holds the rights (and for an
// adult student), written phone-first and in plain words. Every family page sits under
// /districts/{district}/family/{student} and shares one navigation (familyNav); staff get "not
// found" on these pages (their page of a student is the student record), and a family member
// gets "not found" for a child who is not theirs — both through the one access policy in
// internal/app.

import (
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
)

func init() {
	pageFiles["family_child"] = []string{"family_child.html", "family_nav.html"}
}

// familyRoutes are the child's home; the other family pages register their own groups
// (familyPlanRoutes, familyRespondRoutes, familyRecordsRoutes).
func (s *server) familyRoutes() []route {
	f := "/districts/{district}/family/{student}"
	return []route{
		{"GET " + f, member, s.familyChild},
		{"POST " + f + "/student-access", member, s.familyStudentAccess},
	}
}

// familyURL is the path of a family page of a child, with more path parts after it ("plan",
// "progress", "records", "rights", "glossary", "meetings", id…).
func familyURL(districtID, studentID string, parts ...string) string {
	u := districtURL(districtID) + "/family/" + url.PathEscape(studentID)
	for _, p := range parts {
		u += "/" + url.PathEscape(p)
	}
	return u
}

// familyNav is the navigation every family page of a child shows: the child's name and the tabs.
type familyNav struct {
	DistrictID, StudentID string
	Child                 string // the child's name as the family knows it (preferred name first)
	Active                string // the current tab: home, plan, progress, records, rights
	// Legal is the language whose version of the documents is the legal one, when the district's
	// rule pack names one and the page is in another language ("" otherwise): every family
	// page then says so.
	Legal string
}

// familyTab is one entry of the family navigation.
type familyTab struct {
	ID, URL, Label string
	Current        bool
}

// Tabs are the family navigation's entries, in order, in the page's language.
func (b Base) FamilyTabs(n familyNav) []familyTab {
	ids := []string{"home", "plan", "progress", "records", "rights"}
	out := make([]familyTab, len(ids))
	for i, id := range ids {
		u := familyURL(n.DistrictID, n.StudentID)
		if id != "home" {
			u = familyURL(n.DistrictID, n.StudentID, id)
		}
		out[i] = familyTab{ID: id, URL: u, Label: b.T("fam.tab." + id), Current: id == n.Active}
	}
	return out
}

// familyNav is the navigation of a child's family pages, with tab active ("home", "plan",
// "progress", "records", "rights"; "" for none) marked current. Every family page of a child
// builds its navigation here.
func (s *server) familyNav(r *http.Request, d *iep.District, st *iep.Student, active string) familyNav {
	n := familyNav{DistrictID: d.ID, StudentID: st.ID, Child: st.DisplayName(), Active: active}
	if legal, translated := app.Translated(d, pickLang(r)); translated {
		n.Legal = legal
	}
	return n
}

// districtLoc is the district's time zone, UTC when it cannot be loaded.
func districtLoc(tz string) *time.Location {
	if loc, err := time.LoadLocation(tz); err == nil {
		return loc
	}
	return time.UTC
}

// homeTerms are the words the child's home explains inline; the glossary page has them all.
var homeTerms = []string{"iep", "present_levels", "prior_written_notice", "esy", "lre", "procedural_safeguards"}

// familyChildPage is a child's home in the family portal.
type familyChildPage struct {
	Base
	Nav      familyNav
	C        *app.FamilyChild
	Glossary []i18n.Term
	Form     form   // the student-access form as typed, with its problems
	Notice   string // what a form just did
}

// familyChild serves GET /districts/{district}/family/{student}: what waits for the family, what
// happens next with its dates, the plan at a glance, meetings and the team.
func (s *server) familyChild(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.FamilyHome(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"))
	if err != nil {
		return err
	}
	return s.renderFamilyChild(w, r, c, http.StatusOK, newForm(url.Values{}))
}

func (s *server) renderFamilyChild(w http.ResponseWriter, r *http.Request, c *app.FamilyChild, status int, f form) error {
	p := &familyChildPage{Base: s.base(w, r), C: c, Nav: s.familyNav(r, &c.District, &c.Student, "home"), Form: f}
	p.Loc = districtLoc(c.District.Timezone)
	p.Title = p.T("fam.home.title", c.Student.DisplayName())
	for _, term := range i18n.Glossary(p.Lang) {
		if slices.Contains(homeTerms, term.ID) {
			p.Glossary = append(p.Glossary, term)
		}
	}
	p.Notice = p.done(r, "fam.home")
	return s.render(w, status, "family_child", p)
}

// familyStudentAccess serves POST /districts/{district}/family/{student}/student-access: the
// parent holding the rights lets their child read their own record (read only), with the
// child's e-mail when they have no account yet, or stops it. A refused form comes back with
// what was typed and the problem at its field.
func (s *server) familyStudentAccess(w http.ResponseWriter, r *http.Request) error {
	district, student := r.PathValue("district"), r.PathValue("student")
	if err := r.ParseForm(); err != nil {
		return iep.Errorf(iep.KindInvalid, "unreadable form")
	}
	share := r.PostForm.Get("share") == "on"
	err := s.svc.ShareWithStudent(r.Context(), actor(r), district, student, share, r.PostForm.Get("student_email"))
	if f := newForm(r.PostForm); f.refuse(s.base(w, r), err) {
		c, cerr := s.svc.FamilyHome(r.Context(), actor(r), district, student)
		if cerr != nil {
			return cerr
		}
		return s.renderFamilyChild(w, r, c, http.StatusBadRequest, f)
	}
	if err != nil {
		return err
	}
	done := "student_unshared"
	if share {
		done = "student_shared"
	}
	http.Redirect(w, r, familyURL(district, student)+"?done="+done+"#fam-student", http.StatusSeeOther)
	return nil
}
