package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
)

// Team, meetings, prior written notice and the proposal: the staff screens around a plan's
// meetings (34 CFR 300.321–300.322, 300.503). Each step is an internal/app use case
// (AddTeamMember, ExcuseMember, ScheduleMeeting, RecordContactAttempt, HoldMeeting, Propose,
// Respond, RecordNoResponse, ReopenPlan); the screens read the plan through app.PlanDesk and
// app.MeetingDesk, which say what the rules allow, so that a step the plan cannot take now is
// explained in words instead of offered as a form that fails. A refused form is shown again
// with everything typed and each problem at its field; a conflict (409) says why.
//
// These are staff screens: a guardian or student is answered "not found" (the family has its
// own portal). Signed pages (an excusal's written agreement, a paper response) are uploaded with
// the step: the step is first tried without the document, and the file is stored only when the
// step is refused for want of it alone, so that a refused form leaves nothing stored.

func init() {
	pageFiles["mp_team"] = []string{"team.html", "mp_parts.html"}
	pageFiles["mp_meeting_new"] = []string{"meeting_new.html", "mp_parts.html"}
	pageFiles["mp_meeting"] = []string{"meeting.html", "mp_parts.html"}
	pageFiles["mp_proposal"] = []string{"proposal.html", "mp_parts.html"}
}

func (s *server) meetingRoutes() []route {
	const plan = "/districts/{district}/plans/{plan}"
	const meeting = "/districts/{district}/meetings/{meeting}"
	return []route{
		{"GET " + plan + "/team", member, s.teamPage},
		{"POST " + plan + "/team", member, s.addTeamMember},
		{"POST " + plan + "/team/{member}/excusal", member, s.excuseTeamMember},
		{"GET " + plan + "/meetings/new", member, s.newMeetingPage},
		{"POST " + plan + "/meetings", member, s.scheduleMeeting},
		{"GET " + meeting, member, s.meetingPage},
		{"POST " + meeting + "/contact-attempts", member, s.recordContactAttempt},
		{"POST " + meeting + "/held", member, s.holdMeeting},
		{"GET " + plan + "/proposal", member, s.proposalPage},
		{"POST " + plan + "/proposal", member, s.propose},
		{"POST " + plan + "/proposal/response", member, s.recordPaperResponse},
		{"POST " + plan + "/proposal/no-response", member, s.recordNoResponse},
		{"POST " + plan + "/proposal/reopen", member, s.reopenPlan},
	}
}

// deskPage is what the team, meeting and proposal screens share: the plan's desk, the form
// shown again after a refusal, the notice of a step just taken, and a refused step in words.
type deskPage struct {
	Base
	D        *app.PlanDesk
	Form     form
	Notice   string
	Conflict string // a step refused by the state of the record (409), in words
	Screen   string // "team", "schedule", "meeting" or "proposal": the screen the navigation marks
}

// newDeskPage fills the page's shared parts from a desk.
func (s *server) newDeskPage(w http.ResponseWriter, r *http.Request, d *app.PlanDesk, screen string) deskPage {
	p := deskPage{Base: s.base(w, r), D: d, Screen: screen, Form: newForm(url.Values{})}
	p.Loc = d.Location
	p.Notice = p.done(r, "mp")
	return p
}

// staffScreen refuses the family on the staff screens' forms as the reads do: not found.
func staffScreen(r *http.Request) error {
	if actor(r).IsFamily() {
		return errNotFound
	}
	return nil
}

// StudentName is the student's name as the screens show it.
func (p *deskPage) StudentName() string { return p.D.Student.DisplayName() }

// PlanTitle names the plan: its kind and the student.
func (p *deskPage) PlanTitle() string {
	return p.T("mp.plan_title", p.E("plan_kind", p.D.Plan.Kind), p.StudentName())
}

// Blocked says why the plan cannot take step now ("" when it can): the state machine in words,
// or that the reader may only read.
func (p *deskPage) Blocked(step string) string {
	if err := iep.CheckPlanStep(p.D.Plan.Status, iep.PlanStep(step)); err != nil {
		return p.T("mp.blocked."+step, p.E("plan_status", p.D.Plan.Status))
	}
	if !p.D.CanEdit {
		return p.T("mp.read_only")
	}
	return ""
}

// MemberName is the name of a team member by id ("" when none).
func (p *deskPage) MemberName(id string) string {
	for _, m := range p.D.Team {
		if m.ID == id {
			return p.Or(m.Name)
		}
	}
	return ""
}

// DocURL is where a document of the student is downloaded.
func (p *deskPage) DocURL(id string) string { return "/api/v1/documents/" + url.PathEscape(id) }

// DocName is a document's file name (the id when unknown).
func (p *deskPage) DocName(id string) string {
	if d, ok := p.D.Documents[id]; ok {
		return d.Name
	}
	return id
}

// Kept is the id of a document kept from a refused attempt at field ("" when none): the form
// carries it so that the person does not choose the file again.
func (p *deskPage) Kept(field string) string {
	id := p.Form.V(field + ".kept")
	if _, ok := p.D.Documents[id]; !ok {
		return ""
	}
	return id
}

// Days says a number of days in words ("1 day", "12 days").
func (p *deskPage) Days(n int) string {
	if n == 1 || n == -1 {
		return p.T("mp.days.one")
	}
	return p.T("mp.days", n)
}

// mpField is one input with its label, hint and problem, for the "mp-field" template.
type mpField struct {
	Base
	Form       form
	Name, Type string // Type "textarea", "date", "time", "number", "url", "text", "file"
	Hint       string // a catalog key, or ""
	Required   bool
	LabelRaw   string // the label itself, when it names something; "" is mp.field.<Name>
	// KeptID and KeptName are a file input's document kept from a refused attempt.
	KeptID, KeptName string
}

// F describes an input of field name for the "mp-field" template.
func (p *deskPage) F(name, typ, hint string, required bool) mpField {
	return mpField{Base: p.Base, Form: p.Form, Name: name, Type: typ, Hint: hint, Required: required}
}

// File describes a file input for a signed page, with the document kept from a refused
// attempt, if any.
func (p *deskPage) File(name, hint string) mpField {
	f := p.F(name, "file", hint, true)
	if f.KeptID = p.Kept(name); f.KeptID != "" {
		f.KeptName, f.Required = p.DocName(f.KeptID), false
	}
	return f
}

// V is what was typed into the field.
func (f mpField) V() string { return f.Form.V(f.Name) }

// LabelText is the field's label.
func (f mpField) LabelText() string {
	if f.LabelRaw != "" {
		return f.LabelRaw
	}
	return mpLabel(f.Base, f.Name)
}

// Described is the ids the input is described by: its hint, the file kept, its problem.
func (f mpField) Described() string {
	var ids []string
	if f.Hint != "" {
		ids = append(ids, "f-"+f.Name+"-hint")
	}
	if f.KeptID != "" {
		ids = append(ids, "f-"+f.Name+"-kept")
	}
	if f.Form.Err(f.Name) != "" {
		ids = append(ids, "f-"+f.Name+"-error")
	}
	return strings.Join(ids, " ")
}

// mpLabel is the label of a field in the reader's language.
func mpLabel(b Base, field string) string {
	switch {
	case i18n.Has("mp.field." + field):
		return b.T("mp.field." + field)
	case strings.HasPrefix(field, "comments."):
		return b.T("mp.field.comments")
	case strings.HasPrefix(field, "plan."):
		// A problem of the draft itself: its section, and where in it.
		section, where, _ := strings.Cut(strings.TrimPrefix(field, "plan."), ".")
		if i18n.Has("section." + section) {
			return b.T("mp.plan_field", b.T("section."+section), where)
		}
		return strings.TrimPrefix(field, "plan.")
	case i18n.Has("field." + field):
		return b.T("field." + field)
	}
	return field
}

// mpProblem says one problem in the reader's language: the screen's own words for it when the
// catalog has them (mp.problem.<field>.<code>), else the common message with the field's label.
func mpProblem(b Base, p iep.Problem) string {
	if key := "mp.problem." + p.Field + "." + p.Code; i18n.Has(key) {
		return b.T(key)
	}
	if key := "mp.problem." + p.Code; i18n.Has(key) {
		return b.T(key, mpLabel(b, p.Field))
	}
	label := mpLabel(b, p.Field)
	if i18n.Has("problem." + p.Code) {
		return b.T("problem."+p.Code, label, p.Detail)
	}
	return b.T("problem.invalid", label)
}

// refuseDesk fills the form's errors from an invalid-input error; rename maps a problem's
// field to the field of the form that shows it ("" keeps it). It reports whether err was one.
func refuseDesk(f *form, b Base, err error, rename func(iep.Problem) iep.Problem) bool {
	var e *iep.Error
	if iep.KindOf(err) != iep.KindInvalid || !errors.As(err, &e) || len(e.Problems) == 0 {
		return false
	}
	ps := make(iep.Problems, len(e.Problems))
	for i, pr := range e.Problems {
		if rename != nil {
			pr = rename(pr)
		}
		ps[i] = pr
	}
	return f.refuseWith(ps.Err(), func(pr iep.Problem) string { return mpProblem(b, pr) })
}

// addError adds a problem in the page's own words at field (merged with one already there).
func (f *form) addError(field, message string) {
	for i := range f.Errors {
		if f.Errors[i].Field == field {
			f.Errors[i].Message += " " + message
			return
		}
	}
	f.Errors = append(f.Errors, fieldError{Field: field, ID: "f-" + field, Message: message})
}

// dropError removes the problem at field.
func (f *form) dropError(field string) {
	for i := range f.Errors {
		if f.Errors[i].Field == field {
			f.Errors = append(f.Errors[:i], f.Errors[i+1:]...)
			return
		}
	}
}

// local are the problems a handler finds itself while reading a form (a date that is not one):
// each replaces whatever the use case said at the same field. A handler that has local
// problems always makes the use case refuse too (by giving it a value it refuses at that field),
// so that the policy and the state machine answer first and nothing is stored.
type local map[string]string

// apply puts the local problems on the form.
func (l local) apply(f *form) {
	for field, msg := range l {
		f.dropError(field)
		f.addError(field, msg)
	}
}

// parseForm reads a posted form, multipart (with a file) or not, within the largest upload; a
// body too large (or unreadable) is a problem at fileField in the local problems.
func parseForm(w http.ResponseWriter, r *http.Request, b Base, fileField string, l local) {
	r.Body = http.MaxBytesReader(w, r.Body, iep.MaxDocumentBytes+1<<20)
	err := r.ParseMultipartForm(1 << 20)
	if err == nil || errors.Is(err, http.ErrNotMultipart) {
		return
	}
	if r.PostForm == nil {
		r.PostForm = url.Values{}
	}
	l[fileField] = b.T("mp.problem.file_size", mpLabel(b, fileField))
}

// postedFile is the file posted at field, if any.
func postedFile(r *http.Request, field string) *multipart.FileHeader {
	if r.MultipartForm == nil || len(r.MultipartForm.File[field]) == 0 {
		return nil
	}
	fh := r.MultipartForm.File[field][0]
	if fh.Size == 0 && fh.Filename == "" {
		return nil
	}
	return fh
}

// withDocument takes a step that needs a signed page (field names the document's problem and
// the file input). A document kept from a refused attempt (field.kept) is used as it is, and the
// use case checks it is the student's. Otherwise the step is tried without it: when it is
// refused for nothing but the missing document and a file was posted, the file is uploaded and
// the step taken with it. With force (the handler found problems of its own) the step is only
// tried, so that it refuses. It returns the id of a document to keep for the next attempt (one
// stored now for a step still refused, or the one kept when the step was forced), and whether a
// file posted was not stored and must be chosen again.
func (s *server) withDocument(r *http.Request, planID, field string, force bool, step func(docID string) error) (kept string, fileAgain bool, err error) {
	posted := r.PostFormValue(field + ".kept")
	if posted != "" && !force {
		return "", false, step(posted)
	}
	err = step("")
	fh := postedFile(r, field)
	if err == nil || force || !onlyMissing(err, field) || fh == nil {
		return posted, fh != nil && err != nil && posted == "", err
	}
	f, err := fh.Open()
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, iep.MaxDocumentBytes+1))
	if err != nil {
		return "", false, err
	}
	a := actor(r)
	doc, err := s.svc.UploadPlanDocument(r.Context(), a, r.PathValue("district"), planID, fh.Filename, fh.Header.Get("Content-Type"), data)
	if err != nil {
		var e *iep.Error
		if iep.KindOf(err) == iep.KindInvalid && errors.As(err, &e) && len(e.Problems) > 0 {
			code := "file_type"
			switch x := e.Problems[0]; {
			case x.Field == "content" && x.Code == iep.CodeRange:
				code = "file_size"
			case x.Field == "content" && x.Code == iep.CodeRequired:
				code = "file_empty"
			}
			return "", false, iep.Problems{{Field: field, Code: code}}.Err()
		}
		return "", false, err
	}
	return doc.ID, false, step(doc.ID)
}

// documentAliases are the other fields a use case names a missing document by (a paper
// signature's scan is checked as the input's document and as the signature's scan).
var documentAliases = map[string]string{"signature.scan_id": "signature.document_id"}

// onlyMissing reports whether err is an invalid-input error whose only problem is that the
// document of field is missing.
func onlyMissing(err error, field string) bool {
	var e *iep.Error
	if iep.KindOf(err) != iep.KindInvalid || !errors.As(err, &e) || len(e.Problems) == 0 {
		return false
	}
	for _, p := range e.Problems {
		if (p.Field != field && documentAliases[p.Field] != field) || p.Code != iep.CodeRequired {
			return false
		}
	}
	return true
}

// parseDay reads a date input (YYYY-MM-DD); "" is the zero date.
func parseDay(s string) (date.Date, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return date.Date{}, true
	}
	d, err := date.Parse(s)
	return d, err == nil
}

// parseWhen reads a date and a time of day (15:04) in loc; ok is false when either is given
// and is not one, or when only one of them is given.
func parseWhen(day, clock string, loc *time.Location) (t time.Time, ok bool) {
	day, clock = strings.TrimSpace(day), strings.TrimSpace(clock)
	if day == "" && clock == "" {
		return time.Time{}, true
	}
	d, err := date.Parse(day)
	if err != nil {
		return time.Time{}, false
	}
	hm, err := time.Parse("15:04", clock)
	if err != nil {
		return time.Time{}, false
	}
	return time.Date(d.Year, d.Month, d.Day, hm.Hour(), hm.Minute(), 0, 0, loc), true
}

// districtZone is the time zone of the district in the path, for reading the times typed into
// a form. Errors: not found when the reader's districts do not include it.
func (s *server) districtZone(r *http.Request) (*time.Location, error) {
	ds, err := s.svc.Districts(r.Context(), actor(r))
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d.ID == r.PathValue("district") {
			if loc, err := time.LoadLocation(d.Timezone); err == nil {
				return loc, nil
			}
			return time.UTC, nil
		}
	}
	return nil, errNotFound
}

// conflictText is a refused step (409) in words: the screen's own reason when it knows one,
// else the use case's explanation under a sentence in the reader's language.
func conflictText(b Base, err error, reason string) string {
	if reason != "" {
		return reason
	}
	msg := err.Error()
	var e *iep.Error
	if errors.As(err, &e) {
		msg = e.Message
	}
	return b.T("mp.conflict", msg)
}

// statusFor is the status a page shown again after a refusal answers with.
func statusFor(err error) int {
	if iep.KindOf(err) == iep.KindConflict {
		return http.StatusConflict
	}
	return http.StatusBadRequest
}
