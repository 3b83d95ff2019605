package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/iep"
)

// districtsPage lists the districts of a deployment that has several.
type districtsPage struct {
	Base
	Districts []iep.District
}

// overviewPage is one page of a district's overview.
type overviewPage struct {
	Base
	O        *app.Overview
	SchoolID string // the school filter, "" for all
	Page     int    // 1-based page number, shown in the caption; carried in the URL as a hint only
	Action   string // the URL the school filter form submits to
	NextURL  string // "" on the last page
	FirstURL string // "" on the first page
}

// familyPage is a family's home: the children whose records they may open.
type familyPage struct {
	Base
	DistrictID string
	Children   []app.Child
}

// home serves GET /: for a family, their children; for staff, the overview of their district
// (or the list of districts of a state viewer).
func (s *server) home(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if a.Kind == app.ActorGuardian || a.Kind == app.ActorStudent {
		kids, err := s.svc.Family(r.Context(), a)
		if err != nil {
			return err
		}
		p := &familyPage{Base: s.base(w, r), DistrictID: a.DistrictID, Children: kids}
		p.Title = p.T("family.title")
		return s.render(w, http.StatusOK, "family", p)
	}
	ds, err := s.svc.Districts(r.Context(), a)
	if err != nil {
		return err
	}
	if len(ds) == 1 {
		return s.overview(w, r, ds[0].ID)
	}
	p := &districtsPage{Base: s.base(w, r), Districts: ds}
	p.Title = p.T("districts.title")
	return s.render(w, http.StatusOK, "districts", p)
}

// district serves GET /districts/{district}?school=&after=&page=.
func (s *server) district(w http.ResponseWriter, r *http.Request) error {
	return s.overview(w, r, r.PathValue("district"))
}

func (s *server) overview(w http.ResponseWriter, r *http.Request, districtID string) error {
	q := r.URL.Query()
	schoolID, after := q.Get("school"), q.Get("after")
	o, err := s.svc.DistrictOverview(r.Context(), actor(r), districtID, schoolID, after)
	if err != nil {
		return err
	}
	p := &overviewPage{Base: s.base(w, r), O: o, SchoolID: schoolID, Page: 1, Action: districtURL(districtID)}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 && after != "" {
		p.Page = n
	}
	p.Title = o.District.Name
	if o.Next != "" {
		p.NextURL = pageURL(districtID, schoolID, o.Next, p.Page+1)
	}
	if after != "" {
		p.FirstURL = pageURL(districtID, schoolID, "", 1)
	}
	return s.render(w, http.StatusOK, "overview", p)
}

// pageURL is the URL of a page of a district's students.
func pageURL(districtID, schoolID, after string, page int) string {
	q := url.Values{}
	if schoolID != "" {
		q.Set("school", schoolID)
	}
	if after != "" {
		q.Set("after", after)
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return districtURL(districtID)
	}
	return districtURL(districtID) + "?" + q.Encode()
}
