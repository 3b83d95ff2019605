package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
)

// Calendar administration: the district's school years and the days that are not ordinary
// school days, a day added or removed at a time. Each change recomputes every student's
// deadlines (internal/app), and the page then says how many were recomputed and moved.

func init() {
	pageFiles["calendar"] = []string{"calendar.html", "admin_forms.html"}
}

func (s *server) calendarRoutes() []route {
	const c = "/districts/{district}/admin/calendar"
	return []route{
		{"GET " + c, member, s.calendarPage},
		{"POST " + c + "/days", member, s.addCalendarDay},
		{"POST " + c + "/days/{day}/remove", member, s.removeCalendarDay},
	}
}

type calendarPage struct {
	Base
	*app.CalendarAdmin
	Kinds  []iep.CalendarDayKind
	Form   form
	Notice string
}

func (s *server) renderCalendar(w http.ResponseWriter, r *http.Request, status int, f form) error {
	c, err := s.svc.DistrictCalendar(r.Context(), actor(r), r.PathValue("district"))
	if err != nil {
		return err
	}
	p := &calendarPage{Base: s.base(w, r), CalendarAdmin: c, Kinds: app.CalendarDayKinds, Form: f}
	p.Title = p.T("calendar.title")
	if status == http.StatusOK {
		p.Notice = p.changeNotice(r.URL.Query())
	}
	return s.render(w, status, "calendar", p)
}

func (s *server) calendarPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderCalendar(w, r, http.StatusOK, newForm(url.Values{"kind": {string(iep.DayEmergency)}}))
}

func (s *server) addCalendarDay(w http.ResponseWriter, r *http.Request) error {
	_ = r.ParseForm() // a malformed body leaves the form empty: every field is then reported
	district := r.PathValue("district")
	ch, err := s.svc.AddCalendarDay(r.Context(), actor(r), district, app.CalendarDayInput{
		Date: r.PostFormValue("date"), Kind: r.PostFormValue("kind"), Note: r.PostFormValue("note")})
	if err != nil {
		f := newForm(r.PostForm)
		b := s.base(w, r)
		if f.refuseWith(err, func(p iep.Problem) string { return calendarProblem(b, p) }) {
			return s.renderCalendar(w, r, http.StatusBadRequest, f)
		}
		return err
	}
	return calendarDone(w, r, district, "added", ch)
}

func (s *server) removeCalendarDay(w http.ResponseWriter, r *http.Request) error {
	district := r.PathValue("district")
	ch, err := s.svc.RemoveCalendarDay(r.Context(), actor(r), district, r.PathValue("day"))
	if err != nil {
		return err
	}
	return calendarDone(w, r, district, "removed", ch)
}

// calendarDone sends the administrator back to the calendar with what the change did.
func calendarDone(w http.ResponseWriter, r *http.Request, district, done string, ch *app.CalendarChange) error {
	v := url.Values{"done": {done}, "day": {ch.Day.Date.String()}, "kind": {string(ch.Day.Kind)},
		"students": {strconv.Itoa(ch.Students)}, "moved": {strconv.Itoa(ch.Moved)}}
	http.Redirect(w, r, adminURL(district, "calendar")+"?"+v.Encode(), http.StatusSeeOther)
	return nil
}

// changeNotice says what the last change did, from the redirect's query: "A snow day on March 2,
// 2027 was added. The deadlines of 120 students were recomputed: 3 of them moved." Values that
// are not what calendarDone writes are ignored.
func (p *calendarPage) changeNotice(q url.Values) string {
	done := q.Get("done")
	day, err := date.Parse(q.Get("day"))
	kind := iep.CalendarDayKind(q.Get("kind"))
	students, err1 := strconv.Atoi(q.Get("students"))
	moved, err2 := strconv.Atoi(q.Get("moved"))
	if (done != "added" && done != "removed") || err != nil || err1 != nil || err2 != nil ||
		!slices.Contains(iep.CalendarDayKinds, kind) || students < 0 || moved < 0 {
		return ""
	}
	what := p.T("calendar.done."+done, p.E("calendar.kind", kind), p.Date(day))
	return what + " " + p.recomputed(students, moved)
}

func (p *calendarPage) recomputed(students, moved int) string {
	switch {
	case students == 0:
		return p.T("calendar.recomputed.none")
	case moved == 0:
		return p.T("calendar.recomputed.unmoved", p.Num(students))
	}
	return p.T("calendar.recomputed.moved", p.Num(students), p.Num(moved))
}

// Month names a month and its year ("March 2027", "marzo de 2027").
func (p *calendarPage) Month(m date.Date) string {
	return upperFirst(p.T("calendar.month_year", p.T("month."+strconv.Itoa(int(m.Month))), m.Year))
}

// upperFirst capitalizes the first letter of s (Spanish writes its months in lower case, but a
// caption starts with a capital).
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// Weekday names a day's weekday.
func (p *calendarPage) Weekday(d date.Date) string {
	return p.T("calendar.weekday." + strconv.Itoa(int(d.Weekday())))
}

// calendarProblem says a problem with the calendar form in the reader's words.
func calendarProblem(b Base, p iep.Problem) string {
	label := b.T("calendar.field." + p.Field)
	key := "calendar.problem." + p.Field + "." + p.Code
	if !i18n.Has(key) {
		key = "calendar.problem." + p.Code
	}
	if !i18n.Has(key) {
		return b.T("problem.invalid", label)
	}
	detail := p.Detail
	if p.Code == iep.CodeDuplicate {
		detail = b.E("calendar.kind", p.Detail)
	}
	return b.T(key, label, detail)
}
