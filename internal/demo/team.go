package demo

import (
	"fmt"
	"slices"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

var familyGuests = []struct{ name, title string }{
	{"Dana Whitfield", "Special education advocate"},
	{"Dr. Priya Raman", "Outside speech-language pathologist"},
	{"Gloria Mendes", "Grandmother and after-school caregiver"},
	{"Kevin O'Neil", "Outside therapist"},
	{"Rosa Almeida", "Family friend"},
}

// team writes the plan's team for its meeting on day on: the rights holders (or the adult student,
// who then fills the parent's place), the student from 14, a general education teacher
// unless the student is in a separate school, the case manager as special education teacher,
// a district representative, someone who interprets the evaluations, the providers of the
// plan's related services, an interpreter when a parent needs one, and sometimes an agency
// representative or a guest the family announced.
func (cb *caseGen) team(k *kid, planID string, lines []iep.ServiceLine, on date.Date) []iep.TeamMember {
	g, r := cb.g, cb.r
	var ms []iep.TeamMember
	add := func(m iep.TeamMember) {
		m.ID, m.DistrictID, m.PlanID = cb.ids.next(), g.district.ID, planID
		ms = append(ms, m)
	}
	adult := k.adultOn(on)
	interp := ""
	if !adult || k.shared {
		for _, gd := range k.guardians {
			if gd.holds {
				add(iep.TeamMember{Role: iep.TeamParent, GuardianID: gd.id})
				if gd.interp && interp == "" {
					interp = gd.lang
				}
			}
		}
	}
	if k.birth.AgeOn(on) >= 14 || adult {
		m := iep.TeamMember{Role: iep.TeamStudent, StudentID: k.st.ID}
		if adult {
			m.Also = []iep.TeamRole{iep.TeamParent}
		}
		add(m)
	}
	if !k.separate {
		m := iep.TeamMember{Role: iep.TeamRegularEducationTeacher, StaffID: g.staffFor(r, k.sc, iep.RoleGeneralEducationTeacher).ID}
		if r.chance(0.05) {
			m.Excusal = &iep.Excusal{AreaDiscussed: true, ParentAgreedOn: on.AddDays(-r.between(3, 8)), WrittenInputOn: on.AddDays(-r.between(1, 3))}
		}
		add(m)
	}
	add(iep.TeamMember{Role: iep.TeamSpecialEducationTeacher, Also: []iep.TeamRole{iep.TeamCaseManager}, StaffID: k.cm.ID})
	add(iep.TeamMember{Role: iep.TeamDistrictRepresentative, StaffID: g.staffFor(r, k.sc, iep.RoleDistrictRepresentative).ID})
	var roles []iep.StaffRole
	for _, l := range lines {
		switch l.ProviderRole {
		case iep.RoleSpecialEducationTeacher, iep.RoleGeneralEducationTeacher, iep.RoleParaprofessional:
			continue
		}
		if !slices.Contains(roles, l.ProviderRole) {
			roles = append(roles, l.ProviderRole)
		}
	}
	interpreted := false
	for _, role := range roles {
		m := iep.TeamMember{Role: iep.TeamRelatedServiceProvider, StaffID: g.staffFor(r, k.sc, role).ID}
		if role == iep.RoleSpeechLanguage && !interpreted && k.primary == iep.SpeechLanguageImpairment {
			m.Also, interpreted = []iep.TeamRole{iep.TeamEvaluationInterpreter}, true
		}
		add(m)
	}
	if !interpreted {
		add(iep.TeamMember{Role: iep.TeamEvaluationInterpreter, StaffID: g.staffFor(r, k.sc, iep.RoleSchoolPsychologist).ID})
	}
	if list := g.interp[interp]; interp != "" && len(list) > 0 {
		add(iep.TeamMember{Role: iep.TeamLanguageInterpreter, StaffID: g.staff[list[r.IntN(len(list))]].ID})
	}
	if k.birth.AgeOn(on) >= 16 && r.chance(0.3) {
		add(iep.TeamMember{Role: iep.TeamAgencyRepresentative, GuestName: "Jordan Ellis", GuestTitle: "Massachusetts Rehabilitation Commission counselor", InvitedBy: iep.InvitedByDistrict})
	}
	if r.chance(0.12) {
		gst := pick(r, familyGuests)
		add(iep.TeamMember{Role: iep.TeamGuest, GuestName: gst.name, GuestTitle: gst.title, InvitedBy: iep.InvitedByFamily, AnnouncedOn: on.AddDays(-r.between(3, 10))})
	}
	cb.b.members = append(cb.b.members, ms...)
	return ms
}

// meeting records a team meeting on day day and, when noticeOn is set, its notice. A held
// meeting records who came; a plan's finalizing meeting is flagged.
func (cb *caseGen) meeting(k *kid, planID string, purposes []iep.MeetingPurpose, status iep.MeetingStatus, day, noticeOn date.Date, finalizes bool, members []iep.TeamMember) string {
	g, r := cb.g, cb.r
	m := iep.Meeting{ID: cb.ids.next(), DistrictID: g.district.ID, StudentID: k.st.ID, PlanID: planID, Purposes: purposes,
		Status: status, StartsAt: at(day, r.between(8, 14), 30*r.IntN(2), g.loc), DurationMinutes: pick(r, []int{45, 60, 60, 90}),
		NoticeSentOn: noticeOn, Finalizes: finalizes}
	if r.chance(0.25) {
		m.VideoLink = "https://meet.pinebrookps.example.org/iep-" + m.ID[len(m.ID)-8:]
	} else {
		m.Location = "Conference room, " + k.sc.Name
	}
	h := k.holder()
	if h.interp && !k.adultOn(day) {
		m.InterpreterLanguage = h.lang
	}
	switch status {
	case iep.MeetingHeld:
		m.FamilyReply = iep.ReplyAccepted
		for _, mb := range members {
			present := r.chance(0.93) && mb.Excusal == nil
			mode := ""
			if present {
				mode = []string{"in_person", "video", "phone"}[r.weighted([]float64{65, 25, 10})]
				if m.VideoLink != "" {
					mode = "video"
				}
			}
			m.Attendance = append(m.Attendance, iep.Attendance{MemberID: mb.ID, Present: present, Mode: mode, Signed: present})
		}
		m.Notes = "The team reviewed the evaluation results and the family's concerns, and discussed each section of the draft."
		cb.event(k, iep.EventMeetingHeld, day, planID, k.cm.ID, jsonData("meeting_id", m.ID))
	case iep.MeetingScheduled, iep.MeetingProposed:
		m.FamilyReply = []iep.FamilyReply{iep.ReplyAccepted, iep.ReplyNone, iep.ReplyOtherTimeProposed}[r.weighted([]float64{70, 20, 10})]
		if m.FamilyReply == iep.ReplyNone && !noticeOn.IsZero() {
			m.ContactAttempts = []iep.ContactAttempt{
				{At: at(noticeOn.AddDays(3), 15, 10, g.loc), Method: iep.ContactPhone, Outcome: "Left a voicemail", ByStaff: k.cm.ID},
				{At: at(noticeOn.AddDays(5), 10, 0, g.loc), Method: iep.ContactEmail, Outcome: "E-mail sent with the notice attached", ByStaff: k.cm.ID},
			}
		}
	}
	if !noticeOn.IsZero() {
		n := cb.notice(k, iep.NoticeMeeting, planID, noticeOn)
		n.Action = fmt.Sprintf("Team meeting on %s about: %s", day, purposeList(purposes))
		cb.event(k, iep.EventMeetingNoticeSent, noticeOn, planID, k.cm.ID, jsonData("meeting_id", m.ID))
	}
	cb.b.meetings = append(cb.b.meetings, m)
	cb.touch(k, day)
	return m.ID
}

func purposeList(ps []iep.MeetingPurpose) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += ", "
		}
		s += string(p)
	}
	return s
}
