package web

// The provider's day: GET /districts/{district}/sessions?day= lists the sessions the provider's
// assignments schedule on the day (students seen at the same time form a group), the lines
// assigned without a session that day, and the sessions owed a make-up; POST logs one of them:
// the whole group at once, each student delivered (the line's minutes already filled in) or
// missed with a reason, or a make-up of a missed session. A session is logged in one to three
// interactions: "Log session" as it stands; or "Missed", a reason, "Log session".
//
// Each form carries its key (form=slot-0, item-2, owed-1) so that a refused form comes back
// with what was typed and each problem at its field, the other forms as they were.

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
)

func init() {
	pageFiles["sessions"] = []string{"sessions.html"}
}

func (s *server) sessionRoutes() []route {
	return []route{
		{"GET /districts/{district}/sessions", member, s.providerDay},
		{"POST /districts/{district}/sessions", member, s.logSessions},
	}
}

// sessionsPage is a provider's day.
type sessionsPage struct {
	Base
	D       *app.ProviderDay
	Notice  string
	Reasons []iep.MissedReason
	// Posted is the form refused (its key) with what was typed and its problems.
	Posted     string
	Form       form
	Prev, Next string // the days before and after, to move through the week
}

// providerDay serves GET /districts/{district}/sessions?day=YYYY-MM-DD.
func (s *server) providerDay(w http.ResponseWriter, r *http.Request) error {
	return s.renderSessions(w, r, http.StatusOK, "", newForm(url.Values{}))
}

func (s *server) renderSessions(w http.ResponseWriter, r *http.Request, status int, posted string, f form) error {
	b := s.base(w, r)
	day, err := dayParam(r, posted != "")
	if err != nil {
		return err
	}
	d, err := s.svc.SessionDay(r.Context(), actor(r), r.PathValue("district"), day)
	if err != nil {
		var fe form
		if fe.refuse(b, err) {
			return iep.Errorf(iep.KindInvalid, "%s", fe.Errors[0].Message)
		}
		return err
	}
	p := &sessionsPage{Base: b, D: d, Reasons: iep.MissedReasons, Posted: posted, Form: f}
	p.Loc = districtLoc(d.District.Timezone)
	p.Title = p.T("sessions.title", p.Date(d.Day))
	if d.Day == d.Today {
		p.Title = p.T("sessions.title_today")
	}
	p.Notice = p.done(r, "sessions")
	base := districtURL(d.District.ID) + "/sessions?day="
	p.Prev = base + d.Day.AddDays(-1).String()
	if d.Day.Before(d.Today) {
		p.Next = base + d.Day.AddDays(1).String()
	}
	return s.render(w, status, "sessions", p)
}

// dayParam reads ?day= (or the posted day); "" is today (the zero date).
func dayParam(r *http.Request, posted bool) (date.Date, error) {
	v := r.URL.Query().Get("day")
	if posted {
		v = r.PostFormValue("day")
	}
	if v == "" {
		return date.Date{}, nil
	}
	d, err := date.Parse(v)
	if err != nil {
		return date.Date{}, iep.Problems{{Field: "day", Code: iep.CodeInvalid, Detail: "YYYY-MM-DD"}}.Err()
	}
	return d, nil
}

// entryField maps an app problem's field ("entries[1].minutes") to the form's ("minutes-1").
var entryField = regexp.MustCompile(`^entries\[(\d+)\]\.(\w+)$`)

// logSessions serves POST /districts/{district}/sessions.
func (s *server) logSessions(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return iep.Errorf(iep.KindInvalid, "unreadable form")
	}
	v := r.PostFormValue
	day, err := dayParam(r, true)
	if err != nil {
		return err
	}
	in := app.SessionsInput{Date: day, Note: v("note"), SubstituteID: v("substitute"), Billable: v("billable") == "on",
		OmitReason: v("omit_reason")}
	for i, e := range r.PostForm["entry"] {
		student, line, _ := strings.Cut(e, "|")
		n := strconv.Itoa(i)
		en := app.SessionEntry{StudentID: student, LineID: line, Status: iep.SessionStatus(v("status-" + n)),
			MissedReason: iep.MissedReason(v("reason-" + n)), MakeUpOf: v("make_up_of")}
		if en.MakeUpOf != "" {
			en.Status = iep.SessionMakeUp
		}
		if en.Status == "" {
			en.Status = iep.SessionDelivered
		}
		if m := strings.TrimSpace(v("minutes-" + n)); m != "" && en.Status != iep.SessionMissed {
			minutes, err := strconv.Atoi(m)
			if err != nil {
				minutes = -1 // refused at its field: a number of minutes
			}
			en.Minutes = minutes
		}
		if en.Status != iep.SessionMissed {
			en.MissedReason = ""
		}
		in.Entries = append(in.Entries, en)
	}
	_, err = s.svc.LogSessions(r.Context(), actor(r), r.PathValue("district"), in)
	if err != nil {
		f := newForm(r.PostForm)
		b := s.base(w, r)
		if f.refuseWith(err, func(p iep.Problem) string { return sessionProblem(b, p) }) {
			key := v("form")
			for i := range f.Errors {
				field := f.Errors[i].Field
				if m := entryField.FindStringSubmatch(field); m != nil {
					field = m[2] + "-" + m[1]
				}
				f.Errors[i].Field = field
				f.Errors[i].ID = "f-" + key + "-" + field
			}
			return s.renderSessions(w, r, http.StatusBadRequest, key, f)
		}
		return err
	}
	to := districtURL(r.PathValue("district")) + "/sessions?" + url.Values{"day": {day.String()}, "done": {"logged"}}.Encode()
	if key := v("form"); isWord(strings.ReplaceAll(key, "-", "_")) {
		to += "#" + key
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// sessionProblem says a problem of a session in the provider's words.
func sessionProblem(b Base, p iep.Problem) string {
	field := p.Field
	if m := entryField.FindStringSubmatch(field); m != nil {
		field = m[2]
	}
	if key := "sessions.problem." + field + "." + p.Code; i18n.Has(key) {
		return b.T(key)
	}
	return problemMessage(b.Lang, iep.Problem{Field: field, Code: p.Code, Detail: p.Detail})
}

// V is what was typed into field of form key when it is the form refused, else def.
func (p *sessionsPage) V(key, field, def string) string {
	if p.Posted == key {
		return p.Form.V(field)
	}
	return def
}

// Err is the problem of field of form key, when it is the form refused.
func (p *sessionsPage) Err(key, field string) string {
	if p.Posted != key {
		return ""
	}
	return p.Form.Err(field)
}

// Missed reports whether entry i of form key was marked missed (in the form refused).
func (p *sessionsPage) Missed(key string, i int) bool {
	return p.Posted == key && p.Form.V("status-"+strconv.Itoa(i)) == string(iep.SessionMissed)
}

// Errors are the refused form's problems, for the summary at its top.
func (p *sessionsPage) Errors(key string) []fieldError {
	if p.Posted != key {
		return nil
	}
	return p.Form.Errors
}

// Week says a line's week so far: "This week: 30 of 60 minutes (30 excused)".
func (p *sessionsPage) Week(it app.SessionItem) string {
	w := it.Week
	s := p.T("sessions.week", p.Num(w.Delivered), p.Num(w.Required))
	if w.Excused > 0 {
		s += " " + p.T("sessions.week_excused", p.Num(w.Excused))
	}
	return s
}

// formKey names the i-th form of a kind ("slot-0").
func formKey(kind string, i int) string { return fmt.Sprintf("%s-%d", kind, i) }

// SlotName says a slot: its time, a group of how many, the service.
func (p *sessionsPage) SlotName(s app.SessionSlot) string {
	what := p.E("service_type", s.Items[0].Line.Type)
	when := s.Time
	if when == "" {
		when = p.T("sessions.no_time")
	}
	if s.Group() {
		return p.T("sessions.slot_group", when, len(s.Items), what)
	}
	return p.T("sessions.slot", when, what)
}

// Schedule says an assignment's weekdays and time ("Tuesday, Thursday at 09:30").
func (p Base) Schedule(a iep.Assignment) string {
	if len(a.Weekdays) == 0 {
		return p.T("sessions.unscheduled")
	}
	var days []string
	for _, d := range a.Weekdays {
		days = append(days, p.T("weekday."+strconv.Itoa(int(d))))
	}
	s := strings.Join(days, p.T("common.list_separator"))
	if a.StartTime != "" {
		s = p.T("sessions.at", s, a.StartTime)
	}
	return s
}

// entryView is one student's part of a form of the day.
type entryView struct {
	P    *sessionsPage
	Key  string
	I    int
	Item app.SessionItem
}

// Entry pairs entry i of form key with the page.
func (p *sessionsPage) Entry(key string, i int, it app.SessionItem) entryView {
	return entryView{P: p, Key: key, I: i, Item: it}
}

// N is the entry's number as its fields are named ("minutes-0").
func (e entryView) N() string { return strconv.Itoa(e.I) }

// Minutes is the minutes field's value: what was typed, else the line's minutes a session.
func (e entryView) Minutes() string {
	return e.P.V(e.Key, "minutes-"+e.N(), strconv.Itoa(e.Item.Line.MinutesPerSession))
}

// formView is one form of the day: its key, its items, and for a make-up the session missed.
type formView struct {
	P      *sessionsPage
	Key    string
	Legend string
	Items  []app.SessionItem
	Missed *iep.ServiceLog
}

// SlotForm is the form of slot i.
func (p *sessionsPage) SlotForm(i int, s app.SessionSlot) formView {
	return formView{P: p, Key: formKey("slot", i), Legend: p.SlotName(s), Items: s.Items}
}

// ItemForm is the form of unscheduled line i.
func (p *sessionsPage) ItemForm(i int, it app.SessionItem) formView {
	return formView{P: p, Key: formKey("item", i), Legend: p.T("sessions.item", it.Student.DisplayName(), p.E("service_type", it.Line.Type)),
		Items: []app.SessionItem{it}}
}

// OwedForm is the make-up form of owed session i.
func (p *sessionsPage) OwedForm(i int, o app.OwedSession) formView {
	return formView{P: p, Key: formKey("owed", i), Items: []app.SessionItem{o.SessionItem}, Missed: &o.Missed,
		Legend: p.T("sessions.owed_item", o.Student.DisplayName(), p.E("service_type", o.Line.Type), p.Date(o.Missed.Date),
			p.E("missed_reason", o.Missed.MissedReason))}
}

// Done reports whether every item of the form was logged on the day (a make-up never is).
func (f formView) Done() bool {
	if f.Missed != nil {
		return false
	}
	for _, it := range f.Items {
		if !it.Done() {
			return false
		}
	}
	return true
}

// providesServices reports whether staff with roles deliver services to students (and so have a
// day of sessions): every role but the district's administration and the state's.
func providesServices(roles []iep.StaffRole) bool {
	for _, r := range roles {
		switch r {
		case iep.RoleAdministrator, iep.RoleDistrictRepresentative, iep.RoleStateViewer, iep.RoleInterpreter:
		default:
			return true
		}
	}
	return false
}
