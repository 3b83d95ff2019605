package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// The prior written notice and the proposal (34 CFR 300.503, 300.322–300.324; 603 CMR 28.05):
// the notice's elements only people know, the proposal that freezes a version, then where the
// proposal stands: the family's answer (a paper one recorded with its signed page), silence
// where the pack gives it a meaning, and reopening the plan.

// proposalPage is the proposal screen.
type proposalPage struct {
	deskPage
	Sections      []iep.SectionKind // the sections a partial acceptance may reject
	RightsHolders []store.GuardianLink
}

func (s *server) newProposalPage(w http.ResponseWriter, r *http.Request, d *app.PlanDesk) *proposalPage {
	p := &proposalPage{deskPage: s.newDeskPage(w, r, d, "proposal")}
	p.Title = p.T("mp.proposal.title", p.StudentName())
	if d.Proposed != nil {
		for _, k := range iep.Sections {
			if k != iep.SectionTransition || d.Proposed.Content.Transition.Applies {
				p.Sections = append(p.Sections, k)
			}
		}
	}
	for _, g := range d.Guardians {
		if g.Link.HoldsEducationalRights {
			p.RightsHolders = append(p.RightsHolders, g)
		}
	}
	return p
}

func (s *server) proposalPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.PlanDesk(r.Context(), actor(r), r.PathValue("district"), r.PathValue("plan"))
	if err != nil {
		return err
	}
	return s.render(w, http.StatusOK, "mp_proposal", s.newProposalPage(w, r, d))
}

// Action is what the notice will say the district proposes, in the reader's language.
func (p *proposalPage) Action() string { return p.T("notice.action.propose." + string(p.D.Plan.Kind)) }

// ProposeBlocked says why the draft cannot be proposed now ("" when it can): the state
// machine, or no meeting has finalized it (an amendment may instead be agreed in writing).
func (p *proposalPage) ProposeBlocked() string {
	if b := p.Blocked("propose"); b != "" {
		return b
	}
	if !p.D.Finalized && p.D.Plan.Kind != iep.PlanTransfer && p.D.Plan.Kind != iep.PlanAmendment {
		return p.T("mp.propose.not_finalized")
	}
	return ""
}

// PartName names a part the family may reject: a section, or a service line of the version.
func (p *proposalPage) PartName(id string) string {
	if slices.Contains(iep.Sections, iep.SectionKind(id)) {
		return p.E("section", id)
	}
	return p.LineName(id)
}

// Comment is the comment field of a part the family may reject (a section or a service line),
// labelled with the part's name.
func (p *proposalPage) Comment(id, name string) mpField {
	f := p.F("comments."+id, "textarea", "", false)
	f.LabelRaw = p.T("mp.field.comments_on", name)
	return f
}

// Decisions are the answers a family may give.
func (p *proposalPage) Decisions() []string {
	return []string{string(iep.AcceptInFull), string(iep.RejectInFull), string(iep.AcceptInPart)}
}

// Lines are the service lines of the version proposed (the summer's too).
func (p *proposalPage) Lines() []iep.ServiceLine {
	if p.D.Proposed == nil {
		return nil
	}
	c := p.D.Proposed.Content
	return append(append([]iep.ServiceLine(nil), c.Services.Lines...), c.ESY.Services...)
}

// LineName names a service line of the version proposed: its kind and how often.
func (p *proposalPage) LineName(id string) string {
	for _, l := range p.Lines() {
		if l.ID == id {
			return p.E("service_type", l.Type) + " (" + p.Frequency(l) + ")"
		}
	}
	return id
}

// DaysLeft is the number of days left to answer (negative once the window has passed).
func (p *proposalPage) DaysLeft() int { return p.D.Today.DaysUntil(p.D.ResponseDue) }

// Window says where the family's window to answer stands, in words.
func (p *proposalPage) Window() string {
	d := p.D
	switch {
	case d.ResponseDue.IsZero() && d.Rules.ResponseDays > 0: // the day it was sent is not recorded
		return p.T("common.not_recorded")
	case d.ResponseDue.IsZero():
		return p.T("mp.window.none", d.Rules.Pack)
	case p.DaysLeft() >= 0:
		return p.T("mp.window.open", p.Date(d.ResponseDue), p.Days(p.DaysLeft()))
	}
	return p.T("mp.window.passed", p.Date(d.ResponseDue), p.Days(-p.DaysLeft()))
}

// NoResponseBlocked says why "no response" cannot be recorded now ("" when it can).
func (p *proposalPage) NoResponseBlocked() string {
	switch {
	case p.D.Plan.Status != iep.StatusProposed:
		return p.Blocked("record_no_response")
	case !p.D.Rules.SilenceRejects:
		return p.T("mp.no_response.no_rule", p.D.Rules.Pack)
	case p.DaysLeft() >= 0:
		return p.T("mp.no_response.wait", p.Date(p.D.ResponseDue))
	}
	return p.Blocked("record_no_response")
}

// propose serves POST …/proposal: the notice's elements, and for an amendment agreed without a
// meeting the written agreement with its signed page.
func (s *server) propose(w http.ResponseWriter, r *http.Request) error {
	if err := staffScreen(r); err != nil {
		return err
	}
	b := s.base(w, r)
	const doc = "without_meeting.document_id"
	l := local{}
	parseForm(w, r, b, doc, l)
	v := r.PostFormValue
	in := app.ProposeInput{Notice: app.NoticeInput{Reasons: v("notice.reasons"), BasedOn: v("notice.based_on"),
		OptionsConsidered: v("notice.options_considered"), OtherFactors: v("notice.other_factors")}}
	if v("without_meeting") == "on" {
		in.WithoutMeeting = &app.AgreementInput{GuardianID: v("without_meeting.guardian_id")}
		if d, ok := parseDay(v("without_meeting.agreed_on")); ok {
			in.WithoutMeeting.AgreedOn = d
		} else { // no date, which the use case refuses
			l["without_meeting.agreed_on"] = b.T("mp.problem.date", mpLabel(b, "without_meeting.agreed_on"))
		}
	}
	district, plan := r.PathValue("district"), r.PathValue("plan")
	kept, again, err := s.withDocument(r, plan, doc, len(l) > 0, func(id string) error {
		if in.WithoutMeeting != nil {
			in.WithoutMeeting.DocumentID = id
		}
		_, err := s.svc.Propose(r.Context(), actor(r), district, plan, in)
		return err
	})
	if err != nil {
		return s.proposalRefused(w, r, err, l, func(p *proposalPage) string {
			keepDocument(&p.Form, p.Base, doc, kept, again)
			return p.ProposeBlocked()
		})
	}
	return seeOther(w, r, planURL(district, plan, "proposal"), "proposed")
}

// recordPaperResponse serves POST …/proposal/response: the family's answer on paper, with the
// scan of the signed page.
func (s *server) recordPaperResponse(w http.ResponseWriter, r *http.Request) error {
	if err := staffScreen(r); err != nil {
		return err
	}
	b := s.base(w, r)
	const doc = "signature.document_id"
	l := local{}
	parseForm(w, r, b, doc, l)
	v := r.PostFormValue
	in := app.ResponseInput{VersionSHA256: v("version_sha256"), Decision: iep.ResponseDecision(v("decision")),
		GuardianID: v("guardian_id"), Signature: app.SignatureInput{TypedName: v("signature.typed_name")}}
	if d, ok := parseDay(v("signature.signed_on")); ok {
		in.Signature.SignedOn = d
	} else { // no date, which the use case refuses
		l["signature.signed_on"] = b.T("mp.problem.date", mpLabel(b, "signature.signed_on"))
	}
	if in.Decision == iep.AcceptInPart {
		in.Comments = map[string]string{}
		for _, k := range r.PostForm["rejected_sections"] {
			in.RejectedSections = append(in.RejectedSections, iep.SectionKind(k))
			in.Comments[k] = v("comments." + k)
		}
		for _, id := range r.PostForm["rejected_services"] {
			in.RejectedServices = append(in.RejectedServices, id)
			in.Comments[id] = v("comments." + id)
		}
	}
	district, plan := r.PathValue("district"), r.PathValue("plan")
	kept, again, err := s.withDocument(r, plan, doc, len(l) > 0, func(id string) error {
		in.Signature.DocumentID = id
		_, err := s.svc.Respond(r.Context(), actor(r), district, plan, in)
		return err
	})
	if err != nil {
		return s.proposalRefused(w, r, err, l, func(p *proposalPage) string {
			keepDocument(&p.Form, p.Base, doc, kept, again)
			return p.Blocked("respond")
		})
	}
	return seeOther(w, r, planURL(district, plan, "proposal"), "response_recorded")
}

// recordNoResponse serves POST …/proposal/no-response.
func (s *server) recordNoResponse(w http.ResponseWriter, r *http.Request) error {
	if err := staffScreen(r); err != nil {
		return err
	}
	district, plan := r.PathValue("district"), r.PathValue("plan")
	if _, err := s.svc.RecordNoResponse(r.Context(), actor(r), district, plan); err != nil {
		return s.proposalRefused(w, r, err, nil, (*proposalPage).NoResponseBlocked)
	}
	return seeOther(w, r, planURL(district, plan, "proposal"), "no_response_recorded")
}

// reopenPlan serves POST …/proposal/reopen.
func (s *server) reopenPlan(w http.ResponseWriter, r *http.Request) error {
	if err := staffScreen(r); err != nil {
		return err
	}
	district, plan := r.PathValue("district"), r.PathValue("plan")
	if _, err := s.svc.ReopenPlan(r.Context(), actor(r), district, plan); err != nil {
		return s.proposalRefused(w, r, err, nil, func(p *proposalPage) string { return p.Blocked("reopen") })
	}
	return seeOther(w, r, planURL(district, plan, "proposal"), "reopened")
}

// proposalRefused shows the proposal screen again after a refused step: the form as typed with
// its problems (the draft's own problems listed with the sections they are in), or the conflict
// in words; prepare finishes the form and returns the screen's reason for a conflict.
func (s *server) proposalRefused(w http.ResponseWriter, r *http.Request, err error, l local, prepare func(*proposalPage) string) error {
	kind := iep.KindOf(err)
	if kind != iep.KindInvalid && kind != iep.KindConflict {
		return err
	}
	d, derr := s.svc.PlanDesk(r.Context(), actor(r), r.PathValue("district"), r.PathValue("plan"))
	if derr != nil {
		return derr
	}
	p := s.newProposalPage(w, r, d)
	p.Notice, p.Form = "", newForm(r.PostForm)
	rename := func(pr iep.Problem) iep.Problem {
		switch {
		case strings.HasPrefix(pr.Field, "rejected_services["):
			pr.Field = "rejected_services"
		case documentAliases[pr.Field] != "":
			pr.Field = documentAliases[pr.Field]
		}
		return pr
	}
	if !refuseDesk(&p.Form, p.Base, err, rename) && kind == iep.KindInvalid {
		return err
	}
	for i, e := range p.Form.Errors {
		if strings.HasPrefix(e.Field, "plan.") {
			p.Form.Errors[i].ID = "f-plan"
		}
		if id, ok := strings.CutPrefix(e.Field, "comments."); ok {
			p.Form.Errors[i].Message = p.T("mp.problem.comment", p.PartName(id))
		}
	}
	l.apply(&p.Form)
	reason := prepare(p)
	if kind == iep.KindConflict {
		p.Conflict = conflictText(p.Base, err, reason)
	}
	return s.render(w, statusFor(err), "mp_proposal", p)
}

// PlanErrors are the draft's own problems of a refused proposal.
func (p *proposalPage) PlanErrors() []string {
	var out []string
	for _, e := range p.Form.Errors {
		if strings.HasPrefix(e.Field, "plan.") {
			out = append(out, e.Message)
		}
	}
	return out
}
