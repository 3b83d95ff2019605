package web

// Who delivers a student's services: GET /districts/{district}/students/{student}/services lists
// the services in force under the plan in effect, who is assigned to each and when they see the
// student; POST assigns a provider to a line with their schedule (a new schedule of the same
// provider replaces the old one from its first day); POST …/services/{assignment}/end ends one.
// The provider's day (sessions.go) is made of these assignments.

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

func init() {
	pageFiles["student_services"] = []string{"student_services.html"}
}

func (s *server) assignmentRoutes() []route {
	st := "/districts/{district}/students/{student}/services"
	return []route{
		{"GET " + st, member, s.studentServices},
		{"POST " + st, member, s.assignProvider},
		{"POST " + st + "/{assignment}/end", member, s.endAssignment},
	}
}

// studentServicesPage is a student's services and their providers.
type studentServicesPage struct {
	Base
	S      *app.StudentServices
	Notice string
	Posted string // the line whose form was refused
	Form   form
	Days   []time.Weekday
}

// studentServices serves GET …/students/{student}/services.
func (s *server) studentServices(w http.ResponseWriter, r *http.Request) error {
	return s.renderStudentServices(w, r, http.StatusOK, "", newForm(url.Values{}))
}

func (s *server) renderStudentServices(w http.ResponseWriter, r *http.Request, status int, posted string, f form) error {
	ss, err := s.svc.StudentServiceAssignments(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"))
	if err != nil {
		return err
	}
	p := &studentServicesPage{Base: s.base(w, r), S: ss, Posted: posted, Form: f,
		Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}}
	p.Loc = districtLoc(ss.District.Timezone)
	p.Title = p.T("assign.title", ss.Student.DisplayName())
	p.Notice = p.done(r, "assign")
	return s.render(w, status, "student_services", p)
}

// assignProvider serves POST …/students/{student}/services.
func (s *server) assignProvider(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return iep.Errorf(iep.KindInvalid, "unreadable form")
	}
	v := r.PostFormValue
	in := app.ServiceAssignmentInput{LineID: v("line_id"), ProviderID: v("provider_id"), StartTime: v("start_time")}
	var ps iep.Problems
	for _, d := range r.PostForm["weekdays"] {
		n, err := strconv.Atoi(d)
		if err != nil {
			ps = append(ps, iep.Problem{Field: "weekdays", Code: iep.CodeInvalid})
			continue
		}
		in.Weekdays = append(in.Weekdays, time.Weekday(n))
	}
	if q := strings.TrimSpace(v("starts_on")); q != "" {
		d, err := date.Parse(q)
		if err != nil {
			ps = append(ps, iep.Problem{Field: "starts_on", Code: iep.CodeInvalid, Detail: "YYYY-MM-DD"})
		}
		in.StartsOn = d
	}
	err := ps.Err()
	if err == nil {
		_, err = s.svc.AssignProvider(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"), in)
	}
	if err != nil {
		f := newForm(r.PostForm)
		if f.refuse(s.base(w, r), err) {
			for i := range f.Errors {
				f.Errors[i].ID = "f-" + in.LineID + "-" + f.Errors[i].Field
			}
			return s.renderStudentServices(w, r, http.StatusBadRequest, in.LineID, f)
		}
		return err
	}
	return seeOther(w, r, studentURL(r.PathValue("district"), r.PathValue("student"))+"/services", "assigned")
}

// endAssignment serves POST …/services/{assignment}/end.
func (s *server) endAssignment(w http.ResponseWriter, r *http.Request) error {
	d, st := r.PathValue("district"), r.PathValue("student")
	if err := s.svc.EndServiceAssignment(r.Context(), actor(r), d, st, r.PathValue("assignment")); err != nil {
		return err
	}
	return seeOther(w, r, studentURL(d, st)+"/services", "ended")
}

// V is what was typed into field of line's form when it is the one refused, else def.
func (p *studentServicesPage) V(line, field, def string) string {
	if p.Posted == line {
		return p.Form.V(field)
	}
	return def
}

// Err is a problem of line's form.
func (p *studentServicesPage) Err(line, field string) string {
	if p.Posted != line {
		return ""
	}
	return p.Form.Err(field)
}

// Day reports whether weekday d is ticked in line's refused form.
func (p *studentServicesPage) Day(line string, d time.Weekday) bool {
	return p.Posted == line && p.Form.Has("weekdays", strconv.Itoa(int(d)))
}

// DayNum is a weekday's ISO number as the form sends it.
func (p *studentServicesPage) DayNum(d time.Weekday) string { return strconv.Itoa(int(d)) }
