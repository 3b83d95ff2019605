package web

import (
	"net/http"
	"slices"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// The team of a plan (34 CFR 300.321): its members, the required roles in words, adding a
// member, and excusing a required member in writing (300.321(e)).

// teamPage is the team screen.
type teamPage struct {
	deskPage
	Required       []roleCheck    // each required role and who fills it
	StaffRoles     []iep.TeamRole // the roles a staff member may take
	AlsoRoles      []iep.TeamRole // the roles (required ones, case manager) a member may fill besides their own
	StaffHere      []iep.Staff    // active staff of the student's school and district-wide staff
	StaffElsewhere []iep.Staff    // the district's other active staff
	Guardians      []store.GuardianLink
	StudentOnTeam  bool
	Excusing       *app.TeamMember // the member the excusal form is about
	Scheduled      []iep.Meeting   // the meetings an excusal may name
}

// roleCheck is one required role: the members who fill it (excused in writing or not).
type roleCheck struct {
	Role    iep.TeamRole
	Members []app.TeamMember
}

// newTeamPage builds the team screen from a desk; excuse is the member whose excusal form is
// shown ("" for none).
func (s *server) newTeamPage(w http.ResponseWriter, r *http.Request, d *app.PlanDesk, excuse string) *teamPage {
	p := &teamPage{deskPage: s.newDeskPage(w, r, d, "team"), AlsoRoles: append(slices.Clone(iep.RequiredTeamRoles[1:]), iep.TeamCaseManager)}
	p.Title = p.T("mp.team.title", p.StudentName())
	for _, role := range iep.TeamRoles {
		if role != iep.TeamParent && role != iep.TeamStudent && role != iep.TeamGuest {
			p.StaffRoles = append(p.StaffRoles, role)
		}
	}
	required := slices.Clone(iep.RequiredTeamRoles)
	if d.Readiness.StudentRequired {
		required = append(required, iep.TeamStudent)
	}
	for _, role := range required {
		rc := roleCheck{Role: role}
		for _, m := range d.Team {
			if m.Fills(role) {
				rc.Members = append(rc.Members, m)
			}
		}
		// The regular education teacher is required only while the child is or may be in
		// regular education: the check leaves the role out when it is not.
		if role == iep.TeamRegularEducationTeacher && rc.Members == nil && !slices.Contains(d.Readiness.MissingRoles, role) {
			continue
		}
		p.Required = append(p.Required, rc)
	}
	onTeam := map[string]bool{}
	for _, m := range d.Team {
		onTeam[m.StaffID+"|"+m.GuardianID] = true
		p.StudentOnTeam = p.StudentOnTeam || m.StudentID != ""
		if m.ID == excuse && p.Excusable(m) {
			p.Excusing = &m
		}
	}
	for _, st := range d.Staff {
		switch {
		case onTeam[st.ID+"|"]:
		case len(st.SchoolIDs) == 0 || slices.Contains(st.SchoolIDs, d.Student.SchoolID):
			p.StaffHere = append(p.StaffHere, st)
		default:
			p.StaffElsewhere = append(p.StaffElsewhere, st)
		}
	}
	for _, g := range d.Guardians {
		if !onTeam["|"+g.ID] {
			p.Guardians = append(p.Guardians, g)
		}
	}
	for _, m := range d.Meetings {
		if m.Status == iep.MeetingScheduled {
			p.Scheduled = append(p.Scheduled, m)
		}
	}
	return p
}

// Excusable reports whether a member may be excused in writing: a required member other than
// the parent, not excused yet.
func (p *teamPage) Excusable(m app.TeamMember) bool {
	return m.Excusal == nil && m.Role != iep.TeamParent && slices.ContainsFunc(iep.RequiredTeamRoles, m.Fills)
}

// MemberWho describes a member beyond their name: a guest's title and who announced them when, a
// guardian's relationship.
func (p *teamPage) MemberWho(m app.TeamMember) string {
	switch {
	case m.GuestName != "":
		by := p.T("mp.team.invited_by."+string(m.InvitedBy), p.Date(m.AnnouncedOn))
		if m.GuestTitle != "" {
			return m.GuestTitle + p.T("common.list_separator") + by
		}
		return by
	case m.GuardianID != "":
		for _, g := range p.D.Guardians {
			if g.ID == m.GuardianID {
				return p.E("relationship", g.Link.Relationship)
			}
		}
	case m.StudentID != "":
		return p.T("mp.team.the_student")
	}
	return ""
}

// Missing says a required role no one fills, in words; the student's says why from which age.
func (p *teamPage) Missing(role iep.TeamRole) string {
	if role == iep.TeamStudent {
		return p.T("mp.team.missing_student", p.D.Rules.TransitionAge)
	}
	return p.T("mp.team.missing", p.E("team_role", role))
}

func (s *server) teamPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.teamDesk(r)
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "mp_team", s.newTeamPage(w, r, d, r.URL.Query().Get("excuse")))
}

// addTeamMember serves POST …/team: one of the four forms (kind staff, guardian, student,
// guest) adds a member.
func (s *server) addTeamMember(w http.ResponseWriter, r *http.Request) error {
	if err := staffScreen(r); err != nil {
		return err
	}
	_ = r.ParseForm() // a malformed body leaves the form empty: the use case then names what is missing
	kind := r.PostFormValue("kind")
	in := app.MemberInput{}
	who := "staff_id" // the field that names the person, where "no one named" is shown
	switch kind {
	case "guardian":
		in.Role, in.GuardianID, who = iep.TeamParent, r.PostFormValue("guardian_id"), "guardian_id"
	case "student":
		in.Role, in.StudentID, who = iep.TeamStudent, r.PostFormValue("student_id"), "student_id"
	case "guest":
		in.Role, in.GuestName, in.GuestTitle, who = iep.TeamGuest, r.PostFormValue("guest_name"), r.PostFormValue("guest_title"), "guest_name"
	default:
		in.Role, in.StaffID = iep.TeamRole(r.PostFormValue("role")), r.PostFormValue("staff_id")
		for _, x := range r.PostForm["also"] {
			if x != string(in.Role) {
				in.Also = append(in.Also, iep.TeamRole(x))
			}
		}
	}
	district, plan := r.PathValue("district"), r.PathValue("plan")
	if _, err := s.svc.AddTeamMember(r.Context(), actor(r), district, plan, in); err != nil {
		rename := func(pr iep.Problem) iep.Problem {
			switch {
			case pr.Field == "member" && pr.Code == iep.CodeInvalid:
				return iep.Problem{Field: who, Code: iep.CodeRequired}
			case pr.Field == "member":
				return iep.Problem{Field: who, Code: pr.Code}
			case pr.Field == "also":
				return iep.Problem{Field: "also", Code: pr.Code, Detail: pr.Detail}
			}
			return pr
		}
		return s.teamRefused(w, r, err, rename, nil, "")
	}
	return seeOther(w, r, planURL(district, plan, "team"), "member_added")
}

// excuseTeamMember serves POST …/team/{member}/excusal: the written agreement, uploaded with it.
func (s *server) excuseTeamMember(w http.ResponseWriter, r *http.Request) error {
	if err := staffScreen(r); err != nil {
		return err
	}
	b := s.base(w, r)
	const doc = "agreement_document_id"
	l := local{}
	parseForm(w, r, b, doc, l)
	in := app.ExcusalInput{AreaDiscussed: r.PostFormValue("area_discussed") == "on", MeetingID: r.PostFormValue("meeting_id")}
	if d, ok := parseDay(r.PostFormValue("written_input_on")); ok {
		in.WrittenInputOn = d
	} else {
		l["written_input_on"] = b.T("mp.problem.date", mpLabel(b, "written_input_on"))
	}
	district, plan, member := r.PathValue("district"), r.PathValue("plan"), r.PathValue("member")
	kept, again, err := s.withDocument(r, plan, doc, len(l) > 0, func(id string) error {
		in.AgreementDocumentID = id
		_, err := s.svc.ExcuseMember(r.Context(), actor(r), district, plan, member, in)
		return err
	})
	if err != nil {
		f := func(f *form) { keepDocument(f, b, doc, kept, again) }
		return s.teamRefused(w, r, err, nil, l, member, f)
	}
	return seeOther(w, r, planURL(district, plan, "team"), "member_excused")
}

// keepDocument shows a refused form's document: one stored and kept for the next attempt
// replaces the problem of its absence; a file chosen but not stored must be chosen again.
func keepDocument(f *form, b Base, field, kept string, again bool) {
	if kept != "" {
		f.Values.Set(field+".kept", kept)
		f.dropError(field)
		return
	}
	if again {
		f.dropError(field)
		f.addError(field, b.T("mp.problem.file_again", mpLabel(b, field)))
	}
}

// teamRefused shows the team screen again after a refused step: the form as typed with its
// problems, or the conflict in words. Other errors are returned.
func (s *server) teamRefused(w http.ResponseWriter, r *http.Request, err error, rename func(iep.Problem) iep.Problem, l local, excuse string, more ...func(*form)) error {
	kind := iep.KindOf(err)
	if kind != iep.KindInvalid && kind != iep.KindConflict {
		return err
	}
	d, derr := s.teamDesk(r)
	if derr != nil {
		return derr
	}
	p := s.newTeamPage(w, r, d, excuse)
	p.Notice = ""
	p.Form = newForm(r.PostForm)
	if !refuseDesk(&p.Form, p.Base, err, rename) && kind == iep.KindInvalid {
		return err
	}
	if kind == iep.KindConflict {
		p.Conflict = conflictText(p.Base, err, p.Blocked("change_team"))
	}
	l.apply(&p.Form)
	for _, f := range more {
		f(&p.Form)
	}
	return s.render(w, statusFor(err), "mp_team", p)
}

// teamDesk is the plan's desk with the staff who may be added to the team, for those who may
// edit it.
func (s *server) teamDesk(r *http.Request) (*app.PlanDesk, error) {
	d, err := s.svc.PlanDesk(r.Context(), actor(r), r.PathValue("district"), r.PathValue("plan"))
	if err != nil || !d.CanEdit {
		return d, err
	}
	d.Staff, err = s.svc.TeamCandidates(r.Context(), actor(r), r.PathValue("district"), r.PathValue("plan"))
	return d, err
}
