package web

import (
	"net/http"
	"net/url"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/store"
)

// "What is due" (a district's, a school's, a case manager's open deadlines, overdue first) and
// the JSON API of a student's deadlines.

func init() {
	pageFiles["due"] = []string{"due.html"}
}

func (s *server) dueRoutes() []route {
	return []route{
		{"GET /districts/{district}/due", member, s.due},
	}
}

type duePage struct {
	Base
	*app.Due
	Statuses []store.DueStatus
	NextURL  string
	Filtered bool
}

func (s *server) due(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d, err := s.svc.WhatIsDue(r.Context(), actor(r), r.PathValue("district"), app.DueQuery{
		SchoolID: q.Get("school"), CaseManagerID: q.Get("case_manager"), Clock: q.Get("clock"),
		Status: store.DueStatus(q.Get("status")), After: q.Get("after")})
	if err != nil {
		return err
	}
	p := &duePage{Base: s.base(w, r), Due: d, Statuses: store.DueStatuses}
	p.Title = p.T("due.title")
	if d.CaseloadOnly {
		p.Title = p.T("due.title_mine")
	}
	p.Filtered = d.Query.SchoolID != "" || d.Query.Clock != "" || d.Query.Status != "" || (d.Query.CaseManagerID != "" && !d.CaseloadOnly)
	if d.Next != "" {
		v := url.Values{"after": {d.Next}}
		for k, x := range map[string]string{"school": d.Query.SchoolID, "clock": d.Query.Clock, "status": string(d.Query.Status)} {
			if x != "" {
				v.Set(k, x)
			}
		}
		if !d.CaseloadOnly && d.Query.CaseManagerID != "" {
			v.Set("case_manager", d.Query.CaseManagerID)
		}
		p.NextURL = r.URL.Path + "?" + v.Encode()
	}
	return s.render(w, http.StatusOK, "due", p)
}

// deadlineJSON is one deadline in the API.
type deadlineJSON struct {
	Clock       string    `json:"clock"`
	Citation    string    `json:"citation"`
	PlanID      string    `json:"plan_id,omitempty"`
	Start       date.Date `json:"start"`
	Due         date.Date `json:"due"`
	Provisional bool      `json:"provisional"`
	MetOn       *string   `json:"met_on"`
	Paused      bool      `json:"paused"`
	PauseReason string    `json:"pause_reason,omitempty"`
	Status      string    `json:"status"`
	Days        int       `json:"days"` // late (overdue, met late) or left (due soon, upcoming)
}

// deadlinesJSON is a student's deadlines in the API.
type deadlinesJSON struct {
	StudentID string         `json:"student_id"`
	Today     date.Date      `json:"today"`
	Deadlines []deadlineJSON `json:"deadlines"`
}

// studentDeadlinesJSON serves GET /api/v1/students/{student}/deadlines: the student's
// deadlines in the reader's district, for whoever may view the record.
func (s *server) studentDeadlinesJSON(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	ds, today, err := s.svc.StudentDeadlines(r.Context(), a, a.DistrictID, r.PathValue("student"))
	if err != nil {
		return apiProblem(w, r, err)
	}
	out := deadlinesJSON{StudentID: r.PathValue("student"), Today: today, Deadlines: []deadlineJSON{}}
	for _, d := range ds {
		j := deadlineJSON{Clock: d.Clock, Citation: d.Citation, PlanID: d.PlanID, Start: d.Start, Due: d.Due,
			Provisional: d.Provisional, Paused: d.Paused, PauseReason: d.PauseReason, Status: d.Status.Code, Days: d.Status.Days}
		if !d.MetOn.IsZero() {
			m := d.MetOn.String()
			j.MetOn = &m
		}
		out.Deadlines = append(out.Deadlines, j)
	}
	return writeJSON(w, out)
}

// State says a deadline's state in words: "Overdue by 3 days", "Due in 1 day".
func (p *duePage) State(st app.DueStatus) string {
	key := "due.state." + st.Code
	switch {
	case st.Code == "paused" || st.Code == "met":
		return p.T(key)
	case st.Days == 0 && i18n.Has(key+".zero"):
		return p.T(key + ".zero")
	case st.Days == 1 && i18n.Has(key+".one"):
		return p.T(key + ".one")
	}
	return p.T(key, st.Days)
}
