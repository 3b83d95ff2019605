package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// The district administration: the staff directory, inviting staff, their roles, schools and
// accounts, moving a caseload, a student's guardians and temporary grants, and the district's
// security settings. Who may use it is the access policy's ManageDistrict, decided in
// internal/app; a refused form is shown again with what was typed and what to fix.

func init() {
	pageFiles["admin"] = []string{"admin.html"}
	pageFiles["admin_people"] = []string{"admin_people.html"}
	pageFiles["admin_person"] = []string{"admin_person.html", "admin_forms.html"}
	pageFiles["admin_student"] = []string{"admin_student.html", "admin_forms.html"}
	pageFiles["admin_settings"] = []string{"admin_settings.html", "admin_forms.html"}
}

func (s *server) adminRoutes() []route {
	const d = "/districts/{district}/admin"
	return []route{
		{"GET " + d, member, s.adminHome},
		{"GET " + d + "/people", member, s.adminPeople},
		{"GET " + d + "/people/new", member, s.adminNewPerson},
		{"POST " + d + "/people", member, s.adminAddPerson},
		{"GET " + d + "/people/{staff}", member, s.adminPerson},
		{"POST " + d + "/people/{staff}", member, s.adminUpdatePerson},
		{"POST " + d + "/people/{staff}/account", member, s.adminPersonAccount},
		{"POST " + d + "/people/{staff}/caseload", member, s.adminCaseload},
		{"GET " + d + "/students/{student}", member, s.adminStudent},
		{"POST " + d + "/students/{student}/guardians", member, s.adminAddGuardian},
		{"POST " + d + "/students/{student}/guardians/{guardian}", member, s.adminChangeGuardian},
		{"POST " + d + "/students/{student}/account", member, s.adminStudentAccount},
		{"POST " + d + "/students/{student}/grants", member, s.adminGrant},
		{"POST " + d + "/students/{student}/grants/{grant}/revoke", member, s.adminRevoke},
		{"GET " + d + "/settings", member, s.adminSettings},
		{"POST " + d + "/settings", member, s.adminSaveSettings},
	}
}

// adminURL is the path of a page of the district's administration.
func adminURL(districtID string, parts ...string) string {
	u := "/districts/" + url.PathEscape(districtID) + "/admin"
	for _, p := range parts {
		u += "/" + url.PathEscape(p)
	}
	return u
}

// seeOther answers a form that did its work with a redirect to the page that shows it, with a
// notice key (done) the page says in the reader's language.
func seeOther(w http.ResponseWriter, r *http.Request, to, done string) error {
	if done != "" {
		to += "?done=" + url.QueryEscape(done)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// done is the notice of a form that just did its work (?done=), when the catalog knows it.
func (b Base) done(r *http.Request, prefix string) string {
	if v := r.URL.Query().Get("done"); v != "" && isWord(v) {
		return b.T(prefix + ".done." + v)
	}
	return ""
}

func isWord(s string) bool {
	for _, c := range s {
		if (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return len(s) <= 40
}

type adminHomePage struct {
	Base
	District string
}

func (s *server) adminHome(w http.ResponseWriter, r *http.Request) error {
	_, d, err := s.svc.DistrictSettings(r.Context(), actor(r), r.PathValue("district"))
	if err != nil {
		return err
	}
	p := &adminHomePage{Base: s.base(w, r), District: d.ID}
	p.Title = p.T("admin.title", d.Name)
	return s.render(w, http.StatusOK, "admin", p)
}

type adminPeoplePage struct {
	Base
	*app.StaffDirectory
	NextURL string
}

func (s *server) adminPeople(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	dir, err := s.svc.StaffDirectory(r.Context(), actor(r), r.PathValue("district"), q.Get("q"), q.Get("after"))
	if err != nil {
		return err
	}
	p := &adminPeoplePage{Base: s.base(w, r), StaffDirectory: dir}
	p.Title = p.T("admin.people.title")
	if dir.Next != "" {
		v := url.Values{"after": {dir.Next}}
		if dir.Query != "" {
			v.Set("q", dir.Query)
		}
		p.NextURL = adminURL(dir.District.ID, "people") + "?" + v.Encode()
	}
	return s.render(w, http.StatusOK, "admin_people", p)
}

// adminPersonPage is the page of one staff member (or of a new one, when Member is nil).
type adminPersonPage struct {
	Base
	District string
	Member   *app.StaffMember
	Schools  []iep.School
	Roles    []iep.StaffRole
	Form     form
	Notice   string
}

// personForm fills a form from a stored staff member.
func personForm(st iep.Staff) form {
	v := url.Values{"first_name": {st.FirstName}, "last_name": {st.LastName}, "email": {st.Email}, "phone": {st.Phone}}
	for _, r := range st.Roles {
		v.Add("roles", string(r))
	}
	v["school_ids"] = append([]string(nil), st.SchoolIDs...)
	if st.Active {
		v.Set("active", "on")
	}
	return newForm(v)
}

func staffInput(r *http.Request) app.StaffInput {
	_ = r.ParseForm() // a malformed body leaves the form empty: every field is then reported
	in := app.StaffInput{FirstName: r.PostFormValue("first_name"), LastName: r.PostFormValue("last_name"),
		Email: r.PostFormValue("email"), Phone: r.PostFormValue("phone"), SchoolIDs: r.PostForm["school_ids"],
		Active: r.PostFormValue("active") == "on"}
	for _, role := range r.PostForm["roles"] {
		in.Roles = append(in.Roles, iep.StaffRole(role))
	}
	return in
}

func (s *server) renderPerson(w http.ResponseWriter, r *http.Request, status int, p *adminPersonPage) error {
	p.Base = s.base(w, r)
	p.Roles = iep.StaffRoles
	if p.Member != nil {
		p.Title = p.Member.Staff.Name()
		p.Schools = p.Member.Schools
		p.Notice = p.done(r, "admin.person")
	} else {
		p.Title = p.T("admin.person.new_title")
		schools, err := s.svc.DistrictSchools(r.Context(), actor(r), p.District)
		if err != nil {
			return err
		}
		p.Schools = schools
	}
	return s.render(w, status, "admin_person", p)
}

func (s *server) adminNewPerson(w http.ResponseWriter, r *http.Request) error {
	return s.renderPerson(w, r, http.StatusOK, &adminPersonPage{District: r.PathValue("district"),
		Form: newForm(url.Values{"invite": {"on"}})})
}

func (s *server) adminAddPerson(w http.ResponseWriter, r *http.Request) error {
	district := r.PathValue("district")
	id, err := s.svc.AddStaff(r.Context(), actor(r), district, staffInput(r), r.PostFormValue("invite") == "on")
	if err != nil {
		p := &adminPersonPage{District: district, Form: newForm(r.PostForm)}
		if id == "" && p.Form.refuse(s.base(w, r), err) {
			return s.renderPerson(w, r, http.StatusBadRequest, p)
		}
		if id == "" {
			return err
		}
		// Stored, but the invitation could not be sent: say so on their page.
		s.log.WarnContext(r.Context(), "invitation not sent", "staff", id, "err", err)
		return seeOther(w, r, adminURL(district, "people", id), "not_invited")
	}
	done := "added"
	if r.PostFormValue("invite") == "on" {
		done = "invited"
	}
	return seeOther(w, r, adminURL(district, "people", id), done)
}

func (s *server) adminPerson(w http.ResponseWriter, r *http.Request) error {
	m, err := s.svc.StaffMemberDetail(r.Context(), actor(r), r.PathValue("district"), r.PathValue("staff"))
	if err != nil {
		return err
	}
	return s.renderPerson(w, r, http.StatusOK, &adminPersonPage{District: m.District.ID, Member: m, Form: personForm(m.Staff)})
}

// personRefused shows a staff member's page again with the refused form.
func (s *server) personRefused(w http.ResponseWriter, r *http.Request, err error) error {
	p := &adminPersonPage{District: r.PathValue("district"), Form: newForm(r.PostForm)}
	if !p.Form.refuse(s.base(w, r), err) {
		return err
	}
	m, merr := s.svc.StaffMemberDetail(r.Context(), actor(r), p.District, r.PathValue("staff"))
	if merr != nil {
		return merr
	}
	p.Member = m
	if r.PostFormValue("first_name") == "" && r.PostFormValue("last_name") == "" {
		// Not the details form (an account or caseload action): keep the details as stored.
		errs := p.Form.Errors
		p.Form = personForm(m.Staff)
		p.Form.Errors = errs
	}
	return s.renderPerson(w, r, http.StatusBadRequest, p)
}

func (s *server) adminUpdatePerson(w http.ResponseWriter, r *http.Request) error {
	district, staff := r.PathValue("district"), r.PathValue("staff")
	if err := s.svc.UpdateStaff(r.Context(), actor(r), district, staff, staffInput(r)); err != nil {
		return s.personRefused(w, r, err)
	}
	return seeOther(w, r, adminURL(district, "people", staff), "saved")
}

func (s *server) adminPersonAccount(w http.ResponseWriter, r *http.Request) error {
	district, staff := r.PathValue("district"), r.PathValue("staff")
	op := app.AccountOp(r.PostFormValue("op"))
	if err := s.svc.SetStaffAccess(r.Context(), actor(r), district, staff, op); err != nil {
		return s.personRefused(w, r, err)
	}
	return seeOther(w, r, adminURL(district, "people", staff), string(op))
}

func (s *server) adminCaseload(w http.ResponseWriter, r *http.Request) error {
	district, staff := r.PathValue("district"), r.PathValue("staff")
	_ = r.ParseForm()
	students := r.PostForm["students"]
	if r.PostFormValue("all") == "on" {
		students = nil
	} else if len(students) == 0 {
		return s.personRefused(w, r, iep.Problems{{Field: "students", Code: iep.CodeRequired}}.Err())
	}
	n, err := s.svc.ReassignCaseload(r.Context(), actor(r), district, staff, r.PostFormValue("to"), students)
	if err != nil {
		return s.personRefused(w, r, err)
	}
	if n == 0 {
		return seeOther(w, r, adminURL(district, "people", staff), "moved_none")
	}
	return seeOther(w, r, adminURL(district, "people", staff), "moved")
}

// guardianLanguages are the languages offered for a guardian: those the catalogs can name, the
// most spoken in US schools first.
var guardianLanguages = []string{"en", "es", "zh", "yue", "vi", "ar", "ht", "pt", "kea", "ru", "so", "ko",
	"km", "ne", "tl", "uk", "fr", "hmn", "ase"}

type adminStudentPage struct {
	Base
	*app.StudentAccess
	Relationships []iep.Relationship
	Languages     []string
	Scopes        []access.GrantScope
	Form          form
	Notice        string
	Today         date.Date
	MaxUntil      date.Date
}

func (s *server) renderStudentAccess(w http.ResponseWriter, r *http.Request, status int, f form) error {
	sa, err := s.svc.StudentAccessDetail(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"))
	if err != nil {
		return err
	}
	p := &adminStudentPage{Base: s.base(w, r), StudentAccess: sa, Relationships: iep.Relationships,
		Languages: guardianLanguages, Scopes: access.GrantScopes, Form: f, Today: date.Of(sa.Now), MaxUntil: date.Of(sa.Now.Add(app.MaxGrant - 24*time.Hour))}
	p.Loc = sa.Now.Location()
	p.Title = p.T("admin.student.title", sa.Student.DisplayName())
	p.Notice = p.done(r, "admin.student")
	return s.render(w, status, "admin_student", p)
}

func (s *server) adminStudent(w http.ResponseWriter, r *http.Request) error {
	return s.renderStudentAccess(w, r, http.StatusOK, newForm(url.Values{"relationship": {string(iep.RelParent)}, "rights": {"on"}, "language": {"en"}}))
}

// studentRefused shows the student's access page again with the refused form.
func (s *server) studentRefused(w http.ResponseWriter, r *http.Request, err error) error {
	f := newForm(r.PostForm)
	if !f.refuse(s.base(w, r), err) {
		return err
	}
	return s.renderStudentAccess(w, r, http.StatusBadRequest, f)
}

func (s *server) adminAddGuardian(w http.ResponseWriter, r *http.Request) error {
	district, student := r.PathValue("district"), r.PathValue("student")
	in := app.GuardianInput{FirstName: r.PostFormValue("first_name"), LastName: r.PostFormValue("last_name"),
		Email: r.PostFormValue("email"), Language: r.PostFormValue("language"),
		Relationship: iep.Relationship(r.PostFormValue("relationship")), HoldsEducationalRights: r.PostFormValue("rights") == "on",
		Invite: r.PostFormValue("invite") == "on"}
	if err := s.svc.AddGuardian(r.Context(), actor(r), district, student, in); err != nil {
		return s.studentRefused(w, r, err)
	}
	done := "linked"
	if in.Invite {
		done = "invited"
	}
	return seeOther(w, r, adminURL(district, "students", student), done)
}

func (s *server) adminChangeGuardian(w http.ResponseWriter, r *http.Request) error {
	district, student := r.PathValue("district"), r.PathValue("student")
	op := app.GuardianOp(r.PostFormValue("op"))
	if err := s.svc.ChangeGuardian(r.Context(), actor(r), district, student, r.PathValue("guardian"), op); err != nil {
		return s.studentRefused(w, r, err)
	}
	return seeOther(w, r, adminURL(district, "students", student), string(op))
}

// adminStudentAccount invites, disables or enables an adult student's own account.
func (s *server) adminStudentAccount(w http.ResponseWriter, r *http.Request) error {
	district, student := r.PathValue("district"), r.PathValue("student")
	op := app.AccountOp(r.PostFormValue("op"))
	var err error
	switch op {
	case app.AccountInvite:
		err = s.svc.InviteStudent(r.Context(), actor(r), district, student, r.PostFormValue("student_email"))
	case app.AccountDisable, app.AccountEnable:
		err = s.svc.SetStudentAccountEnabled(r.Context(), actor(r), district, student, op == app.AccountEnable)
	default:
		err = iep.Problems{{Field: "op", Code: iep.CodeChoice, Detail: "invite, disable, enable"}}.Err()
	}
	if err != nil {
		return s.studentRefused(w, r, err)
	}
	return seeOther(w, r, adminURL(district, "students", student), "student_"+string(op))
}

func (s *server) adminGrant(w http.ResponseWriter, r *http.Request) error {
	district, student := r.PathValue("district"), r.PathValue("student")
	in := app.GrantInput{StaffID: r.PostFormValue("staff_id"), Scope: access.GrantScope(r.PostFormValue("scope")),
		Reason: r.PostFormValue("reason")}
	if v := r.PostFormValue("until"); v != "" {
		d, err := date.Parse(v)
		if err != nil {
			return s.studentRefused(w, r, iep.Problems{{Field: "until", Code: iep.CodeInvalid}}.Err())
		}
		in.Until = d
	}
	if err := s.svc.GrantAccess(r.Context(), actor(r), district, student, in); err != nil {
		return s.studentRefused(w, r, err)
	}
	return seeOther(w, r, adminURL(district, "students", student), "granted")
}

func (s *server) adminRevoke(w http.ResponseWriter, r *http.Request) error {
	district, student := r.PathValue("district"), r.PathValue("student")
	if err := s.svc.RevokeAccess(r.Context(), actor(r), district, student, r.PathValue("grant")); err != nil {
		return err
	}
	return seeOther(w, r, adminURL(district, "students", student), "revoked")
}

type adminSettingsPage struct {
	Base
	District string
	Settings store.Settings
	Form     form
	Notice   string
}

func settingsForm(set store.Settings) form {
	v := url.Values{"idle_minutes": {strconv.Itoa(int(set.IdleTimeout / time.Minute))},
		"session_hours": {strconv.Itoa(int(set.SessionMax / time.Hour))}}
	if set.RequireStaffTOTP {
		v.Set("require_totp", "on")
	}
	return newForm(v)
}

func (s *server) renderSettings(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	set, d, err := s.svc.DistrictSettings(r.Context(), actor(r), r.PathValue("district"))
	if err != nil {
		return err
	}
	p := &adminSettingsPage{Base: s.base(w, r), District: d.ID, Settings: set}
	if f == nil {
		p.Form = settingsForm(set)
	} else {
		p.Form = *f
	}
	p.Title = p.T("admin.settings.title")
	p.Notice = p.done(r, "admin.settings")
	return s.render(w, status, "admin_settings", p)
}

func (s *server) adminSettings(w http.ResponseWriter, r *http.Request) error {
	return s.renderSettings(w, r, http.StatusOK, nil)
}

func (s *server) adminSaveSettings(w http.ResponseWriter, r *http.Request) error {
	district := r.PathValue("district")
	var ps iep.Problems
	number := func(field string, lo, hi int) int {
		n, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue(field)))
		if err != nil || n < lo || n > hi {
			ps = append(ps, iep.Problem{Field: field, Code: field + "_range"})
		}
		return n
	}
	idle, hours := number("idle_minutes", 1, 720), number("session_hours", 1, 168)
	if len(ps) == 0 && hours*60 < idle {
		ps = append(ps, iep.Problem{Field: "session_hours", Code: "session_shorter"})
	}
	set := store.Settings{IdleTimeout: time.Duration(idle) * time.Minute, SessionMax: time.Duration(hours) * time.Hour,
		RequireStaffTOTP: r.PostFormValue("require_totp") == "on"}
	err := ps.Err()
	if err == nil {
		err = s.svc.SaveDistrictSettings(r.Context(), actor(r), district, set)
	}
	if err != nil {
		// The store names its fields by what it keeps; the form by what is typed.
		err = renameFields(err, map[string]string{"idle_timeout": "idle_minutes", "session_max": "session_hours"})
		f := newForm(r.PostForm)
		if !f.refuse(s.base(w, r), err) {
			return err
		}
		return s.renderSettings(w, r, http.StatusBadRequest, &f)
	}
	return seeOther(w, r, adminURL(district, "settings"), "saved")
}

// renameFields returns err with its problems' fields renamed by names.
func renameFields(err error, names map[string]string) error {
	e, ok := err.(*iep.Error)
	if !ok {
		return err
	}
	ps := make(iep.Problems, len(e.Problems))
	for i, p := range e.Problems {
		if n, ok := names[p.Field]; ok {
			p.Field = n
		}
		ps[i] = p
	}
	return ps.Err()
}
