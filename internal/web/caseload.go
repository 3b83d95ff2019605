package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/i18n"
)

// My caseload and finding a student.

func init() {
	pageFiles["caseload"] = []string{"caseload.html", "search_box.html"}
	pageFiles["search"] = []string{"search.html", "search_box.html"}
	// The overview carries the search box too (render.go).
}

func (s *server) caseloadRoutes() []route {
	return []route{
		{"GET /districts/{district}/caseload", member, s.caseload},
		{"GET /districts/{district}/students", member, s.findStudents},
	}
}

// caseloadPage is a case manager's caseload.
type caseloadPage struct {
	Base
	C      *app.Caseload
	DueURL string // "what is due" of the same caseload
}

// caseload serves GET /districts/{district}/caseload?case_manager=.
func (s *server) caseload(w http.ResponseWriter, r *http.Request) error {
	districtID := r.PathValue("district")
	c, err := s.svc.Caseload(r.Context(), actor(r), districtID, app.CaseloadQuery{CaseManagerID: r.URL.Query().Get("case_manager")})
	if err != nil {
		return err
	}
	p := &caseloadPage{Base: s.base(w, r), C: c, DueURL: districtURL(districtID) + "/due"}
	if loc, err := time.LoadLocation(c.District.Timezone); err == nil {
		p.Loc = loc
	}
	switch {
	case c.CaseManager == nil:
		p.Title = p.T("caseload.title_choose")
	case c.Own:
		p.Title = p.T("caseload.title_mine")
	default:
		p.Title = p.T("caseload.title_of", c.CaseManager.Name())
		p.DueURL += "?" + url.Values{"case_manager": {c.CaseManager.ID}}.Encode()
	}
	return s.render(w, http.StatusOK, "caseload", p)
}

// SearchBox is the caseload page's search box.
func (p *caseloadPage) SearchBox() searchBox {
	return searchBox{Base: p.Base, Action: districtURL(p.C.District.ID) + "/students", ID: "caseload-q"}
}

// searchPage is a page of the students a search found.
type searchPage struct {
	Base
	S        *app.StudentSearch
	NextURL  string // "" on the last page
	FirstURL string // "" on the first page
}

// findStudents serves GET /districts/{district}/students?q=&after=.
func (s *server) findStudents(w http.ResponseWriter, r *http.Request) error {
	districtID := r.PathValue("district")
	q := r.URL.Query()
	res, err := s.svc.FindStudents(r.Context(), actor(r), districtID, q.Get("q"), q.Get("after"))
	if err != nil {
		return err
	}
	p := &searchPage{Base: s.base(w, r), S: res}
	p.Title = p.T("search.title")
	if res.Query != "" && !res.Empty {
		p.Title = p.T("search.title_for", res.Query)
	}
	here := districtURL(districtID) + "/students"
	if res.Next != "" {
		p.NextURL = here + "?" + url.Values{"q": {res.Query}, "after": {res.Next}}.Encode()
	}
	if res.After != "" {
		p.FirstURL = here + "?" + url.Values{"q": {res.Query}}.Encode()
	}
	return s.render(w, http.StatusOK, "search", p)
}

// Showing says how many students the page lists.
func (p *searchPage) Showing() string {
	if len(p.S.Rows) == 1 {
		return p.T("search.showing.one", p.S.Query)
	}
	return p.T("search.showing", len(p.S.Rows), p.S.Query)
}

// SearchBox is the search page's own box, holding what was typed.
func (p *searchPage) SearchBox() searchBox {
	return searchBox{Base: p.Base, Action: districtURL(p.S.District.ID) + "/students", Query: p.S.Query, ID: "search-q"}
}

// SearchBox is the overview's search box (not for a reader who sees counts only).
func (p *overviewPage) SearchBox() searchBox {
	return searchBox{Base: p.Base, Action: districtURL(p.O.District.ID) + "/students", ID: "overview-q"}
}

// searchBox is what the "search-box" template needs: the page's words, where the form goes,
// what was typed, and the input's id (unique in the page).
type searchBox struct {
	Base
	Action, Query, ID string
}

// DeadlineState says a deadline's state in words: "Overdue by 3 days", "Due tomorrow".
func (b Base) DeadlineState(st app.DueStatus) string {
	key := "due.state." + st.Code
	switch {
	case st.Code == "paused" || st.Code == "met" || st.Code == "lapsed":
		return b.T(key)
	case st.Days == 0 && i18n.Has(key+".zero"):
		return b.T(key + ".zero")
	case st.Days == 1 && i18n.Has(key+".one"):
		return b.T(key + ".one")
	}
	return b.T(key, st.Days)
}

// DaysAgo says how long ago something was, in days: "today", "yesterday", "12 days ago".
func (b Base) DaysAgo(n int) string {
	switch {
	case n <= 0:
		return b.T("caseload.days_ago.zero")
	case n == 1:
		return b.T("caseload.days_ago.one")
	}
	return b.T("caseload.days_ago", b.Num(n))
}

// Delivered says what a service delivered of what it promised: "Delivered 90 of 120 minutes".
func (b Base) Delivered(m app.Minutes) string {
	switch {
	case m.Outside:
		return b.T("student.delivery.outside")
	case m.SchoolDays == 0:
		return b.T("student.delivery.no_school_days")
	}
	return b.T("student.delivery.delivered", b.Num(m.Delivered), b.Num(m.Promised))
}

// Sessions says how many sessions were missed and made up, "" when none were missed or made up.
func (b Base) Sessions(m app.Minutes) string {
	switch {
	case m.Missed == 0 && m.MadeUp == 0:
		return ""
	case m.MadeUp == 0:
		return b.T("student.delivery.missed", m.Missed)
	case m.Missed == 0:
		return b.T("student.delivery.made_up", m.MadeUp)
	}
	return b.T("student.delivery.missed_made_up", m.Missed, m.MadeUp)
}
