package web

// Answering the proposed plan in the family portal (DOMAIN.md §5, §10; 34 CFR 300.503,
// 300.518): exactly what is signed — the version as frozen, its number, date and SHA-256, every
// section, the prior written notice and the days left to answer — then the answer: accept in
// full, reject in full, or accept in part with a comment for each section or service rejected,
// signed with the typed name and an attestation that names the version. Once signed, the same
// address is the confirmation: what was decided and when, what takes effect and what does not
// (and what holds instead), the day the services must start, what happens next, a printable
// copy with the signature, and how to change the answer. Only a guardian holding the rights, or
// the adult student, may answer; others read it with the reason.

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/pdf"
)

func init() {
	pageFiles["family_respond"] = []string{"family_respond.html", "family_nav.html", "family_respond_parts.html"}
	pageFiles["family_respond_print"] = []string{"family_respond_print.html", "family_respond_parts.html"}
}

// familyRespondRoutes are the family's meetings and their answer to a proposed plan.
func (s *server) familyRespondRoutes() []route {
	f := "/districts/{district}/family/{student}"
	return []route{
		{"GET " + f + "/meetings/{meeting}", member, s.familyMeeting},
		{"POST " + f + "/meetings/{meeting}", member, s.answerFamilyMeeting},
		{"GET " + f + "/meetings/{meeting}/invitation.ics", member, s.familyInvitation},
		{"GET " + f + "/plans/{plan}/respond", member, s.familyRespondPage},
		{"POST " + f + "/plans/{plan}/respond", member, s.familyRespond},
		{"GET " + f + "/plans/{plan}/respond/print", member, s.familyRespondPrint},
	}
}

// familyRespondPage is the page of a proposed plan's answer (and its print view).
type familyRespondPage struct {
	Base
	Nav      familyNav
	P        *app.FamilyProposal
	Form     form
	Notice   string
	Conflict string
	// Stale: the answer was refused because a new version was proposed since the page was read.
	Stale bool
	// Change: the reader asked to give a new answer in place of theirs.
	Change   bool
	Glossary []i18n.Term
	// PDF is the version as a PDF, kept byte for byte, that the signer is shown and signs (its
	// hash goes with the answer); nil when no PDF can be made here (the page is what is shown).
	PDF    *iep.Document
	PDFURL string
}

func (s *server) newFamilyRespondPage(w http.ResponseWriter, r *http.Request, p *app.FamilyProposal) *familyRespondPage {
	pg := &familyRespondPage{Base: s.base(w, r), P: p, Nav: s.familyNav(r, &p.District, &p.Student, ""), Form: newForm(nil),
		Change: r.URL.Query().Get("change") == "1"}
	pg.Loc = p.Location
	pg.Title = pg.T("fam.respond.title", p.Student.DisplayName())
	pg.Notice = pg.done(r, "fam.respond")
	pg.Glossary = i18n.Glossary(pg.Lang)
	return pg
}

// familyRespondPage serves GET …/family/{student}/plans/{plan}/respond.
func (s *server) familyRespondPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.FamilyProposal(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"), r.PathValue("plan"))
	if err != nil {
		return err
	}
	pg := s.newFamilyRespondPage(w, r, p)
	s.attachSigningPDF(w, r, pg)
	return s.render(w, http.StatusOK, "family_respond", pg)
}

// attachSigningPDF makes (the first time) and names the kept PDF of the version proposed now,
// in the page's language, when the reader may answer it. Without Chromium the page goes on
// without it: the answer is then signed on the version's hash alone.
func (s *server) attachSigningPDF(w http.ResponseWriter, r *http.Request, pg *familyRespondPage) {
	p := pg.P
	if !p.MayRespond || !p.Open() || p.Version == nil {
		return
	}
	defer func() {
		if pg.PDF != nil {
			pg.PDFURL = documentURL(true, p.District.ID, p.Student.ID, "proposal", p.Plan.ID) + ".pdf?" +
				url.Values{"lang": {pg.Lang}, "version": {strconv.Itoa(p.Number)}}.Encode()
		}
	}()
	doc, _, err := s.svc.SigningDocument(r.Context(), actor(r), p.District.ID, p.Plan.ID, p.Number, pg.Lang)
	if err != nil {
		s.log.Error("the proposal's PDF", "plan", p.Plan.ID, "err", err)
		return
	}
	if pg.PDF = doc; doc != nil {
		return // kept already: nothing to read or make
	}
	rec, err := s.svc.StudentDocuments(r.Context(), actor(r), p.District.ID, p.Student.ID)
	if err != nil {
		s.log.Warn("the proposal's PDF: read the record", "plan", p.Plan.ID, "err", err)
		return
	}
	dp, err := s.docPage(w, r, rec, "proposal", p.Plan.ID)
	if err != nil {
		s.log.Warn("the proposal's PDF: the document", "plan", p.Plan.ID, "err", err)
		return
	}
	doc, _, err = s.keepProposal(r, dp)
	var un *pdf.UnavailableError
	switch {
	case errors.As(err, &un):
		return
	case err != nil:
		s.log.Error("the proposal's PDF", "plan", p.Plan.ID, "err", err)
		return
	}
	pg.PDF = doc
}

// familyRespondPrint serves GET …/respond/print: the version as signed, every section, and the
// signature block, laid out for paper.
func (s *server) familyRespondPrint(w http.ResponseWriter, r *http.Request) error {
	p, err := s.svc.FamilyProposal(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"), r.PathValue("plan"))
	if err != nil {
		return err
	}
	pg := s.newFamilyRespondPage(w, r, p)
	pg.Title = pg.T("fam.respond.print_title", p.Student.DisplayName(), p.Number)
	return s.render(w, http.StatusOK, "family_respond_print", pg)
}

// Form fields of the answer (ids "f-" and the field): decision (radios f-decision-accept,
// f-decision-reject, f-decision-accept_in_part), rejected_sections and rejected_services
// (checkboxes f-reject-section-<kind>, f-reject-line-<line id>), comment_<kind or line id>
// (their comments), signature_name, signature_attest, version_sha256 (hidden).
const (
	respondParts   = "parts" // the fieldset of the parts rejected (f-parts)
	respondName    = "signature_name"
	respondAttest  = "signature_attest"
	respondComment = "comment_"
)

// familyRespond serves POST …/respond: the signed answer. Done, it goes to the confirmation
// (and the receipt is on its way); refused, the page comes back with everything typed and each
// problem at its field — a new version proposed meanwhile is said plainly and shown.
func (s *server) familyRespond(w http.ResponseWriter, r *http.Request) error {
	_ = r.ParseForm()
	district, student, plan := r.PathValue("district"), r.PathValue("student"), r.PathValue("plan")
	v := r.PostFormValue
	in := app.ResponseInput{VersionSHA256: v("version_sha256"), Decision: iep.ResponseDecision(v("decision")),
		Signature: app.SignatureInput{TypedName: v(respondName), Attest: v(respondAttest) == "on", PDFSHA256: v("pdf_sha256")}}
	if in.Decision == iep.AcceptInPart {
		in.Comments = map[string]string{}
		for _, k := range r.PostForm["rejected_sections"] {
			in.RejectedSections = append(in.RejectedSections, iep.SectionKind(k))
			in.Comments[k] = v(respondComment + k)
		}
		for _, id := range r.PostForm["rejected_services"] {
			in.RejectedServices = append(in.RejectedServices, id)
			in.Comments[id] = v(respondComment + id)
		}
	}
	ans, err := s.svc.FamilyRespond(r.Context(), actor(r), district, student, plan, in)
	if err == nil {
		done := "answered"
		if ans.ReceiptTo == "" {
			done = "answered_nomail"
		}
		if ans.ReceiptErr != nil {
			s.log.ErrorContext(r.Context(), "receipt not queued", "district", district, "plan", plan, "response", ans.Response.ID, "err", ans.ReceiptErr)
		}
		http.Redirect(w, r, familyURL(district, student, "plans", plan, "respond")+"?done="+done+"#confirmation", http.StatusSeeOther)
		return nil
	}
	kind := iep.KindOf(err)
	if kind != iep.KindInvalid && kind != iep.KindConflict {
		return err
	}
	p, perr := s.svc.FamilyProposal(r.Context(), actor(r), district, student, plan)
	if perr != nil {
		return perr
	}
	pg := s.newFamilyRespondPage(w, r, p)
	s.attachSigningPDF(w, r, pg)
	pg.Notice, pg.Form, pg.Change = "", newForm(r.PostForm), true
	if !pg.Form.refuseWith(err, pg.problem) && kind == iep.KindInvalid {
		return err
	}
	pg.fixFields()
	pg.Form.Errors = slices.DeleteFunc(pg.Form.Errors, func(e fieldError) bool { return e.Field == "version_sha256" })
	if pg.Stale {
		pg.Form.Values.Del(respondAttest) // the new version is not the one attested
	}
	if kind == iep.KindConflict {
		pg.Conflict = pg.T("fam.respond.problem.closed")
		if c := pg.ClosedText(); c != "" {
			pg.Conflict += " " + c
		}
	}
	return s.render(w, statusFor(err), "family_respond", pg)
}

// problem says a refused field of the answer in the family's words, and moves it to the form's
// field that shows it (the error's ID); a stale version is not a field's problem but the page's.
func (p *familyRespondPage) problem(pr iep.Problem) string {
	switch {
	case pr.Field == "version_sha256":
		p.Stale = true
		return ""
	case pr.Field == "decision":
		return p.T("fam.respond.problem.decision")
	case pr.Field == "rejected_sections" && pr.Code == iep.CodeRequired:
		return p.T("fam.respond.problem.parts")
	case pr.Field == "rejected_sections", strings.HasPrefix(pr.Field, "rejected_services"):
		return p.T("fam.respond.problem.unknown_part")
	case strings.HasPrefix(pr.Field, "comments."):
		return p.T("fam.respond.problem.comment", p.PartName(strings.TrimPrefix(pr.Field, "comments.")))
	case pr.Field == "signature.typed_name":
		return p.T("fam.respond.problem.name")
	case pr.Field == "signature.attest":
		return p.T("fam.respond.problem.attest", p.P.Number)
	}
	return problemMessage(p.Lang, pr)
}

// refuseWith's fields are the use case's; the answer's form names them its own way.
func (p *familyRespondPage) fixFields() {
	for i, e := range p.Form.Errors {
		f := e.Field
		switch {
		case f == "rejected_sections", strings.HasPrefix(f, "rejected_services"):
			f = respondParts
		case strings.HasPrefix(f, "comments."):
			f = respondComment + strings.TrimPrefix(f, "comments.")
		case f == "signature.typed_name":
			f = respondName
		case f == "signature.attest":
			f = respondAttest
		}
		p.Form.Errors[i].Field, p.Form.Errors[i].ID = f, "f-"+f
	}
}

// ShowForm reports whether the answer form is shown: the plan takes the reader's answer, and
// they have none yet, asked to change theirs, or were just refused.
func (p *familyRespondPage) ShowForm() bool {
	return p.P.Open() && (p.P.Mine == nil || p.Change)
}

// Confirmation reports whether the reader's answer is shown as the page's subject.
func (p *familyRespondPage) Confirmation() bool { return p.P.Mine != nil && !p.ShowForm() }

// Child is the child's name as the family knows it.
func (p *familyRespondPage) Child() string { return p.P.Student.DisplayName() }

// ShortSHA is the start of the version's fingerprint, for reading aloud or comparing by eye.
func (p *familyRespondPage) ShortSHA() string {
	if len(p.P.SHA256) < 12 {
		return p.P.SHA256
	}
	return p.P.SHA256[:12]
}

// Days says a number of days in words.
func (p *familyRespondPage) Days(n int) string {
	if n == 1 {
		return p.T("fam.respond.days.one")
	}
	return p.T("fam.respond.days", n)
}

// Window says where the window to answer stands ("" when the pack sets none and the day the
// version was sent is known).
func (p *familyRespondPage) Window() string {
	due := p.P.ResponseDue
	switch left := p.P.Today.DaysUntil(due); {
	case due.IsZero():
		return p.T("fam.respond.no_window")
	case left > 0:
		return p.T("fam.respond.window", p.Date(due), p.Days(left))
	case left == 0:
		return p.T("fam.respond.window_today", p.Date(due))
	}
	return p.T("fam.respond.window_passed", p.Date(due))
}

// Attestation is the sentence the signer ticks: it names the version, the child and the day it
// was proposed.
func (p *familyRespondPage) Attestation() string {
	on := p.P.ProposedOn
	if on.IsZero() {
		on = frDateIn(p.P.FrozenAt, p.Loc)
	}
	return p.T("fam.respond.attest", p.P.Number, p.Child(), p.Date(on))
}

// ProposedOn is the day the version was sent, else the day it was frozen.
func (p *familyRespondPage) ProposedOn() string {
	if !p.P.ProposedOn.IsZero() {
		return p.Date(p.P.ProposedOn)
	}
	return p.Date(frDateIn(p.P.FrozenAt, p.Loc))
}

// FrozenOn is the day the version was written down (frozen), in words.
func (p *familyRespondPage) FrozenOn() string { return p.Date(frDateIn(p.P.FrozenAt, p.Loc)) }

// ReadOnlyText says why the reader may only read ("" when they may answer).
func (p *familyRespondPage) ReadOnlyText() string {
	if p.P.MayRespond {
		return ""
	}
	return familyReadOnly(p.Base, "fam.respond.readonly.", string(p.P.Reason))
}

// ClosedText says why the plan takes no answer now, for a reader who may answer ("" when it does).
func (p *familyRespondPage) ClosedText() string {
	if !p.P.MayRespond || p.P.Open() {
		return ""
	}
	return familyReadOnly(p.Base, "fam.respond.closed.", string(p.P.Plan.Status))
}

// LegalNote says which language's version is the legal one, when the rule pack says so and the
// page is in another language ("" otherwise): the print view's (the pages have the family
// navigation's).
func (p *familyRespondPage) LegalNote() string {
	l := p.P.LegalLanguage
	if l == "" || l == p.Lang {
		return ""
	}
	return p.T("fam.respond.legal_language", p.Language(l))
}

// PartLabel names a service line the family may reject: its kind, how often, and for a summer
// line that it is the summer's.
func (p *familyRespondPage) PartLabel(l iep.ServiceLine) string {
	if p.Summer(l.ID) {
		return p.LineName(l) + " – " + p.T("fam.respond.summer")
	}
	return p.LineName(l)
}

// LineName names a service line: its kind and how often.
func (p *familyRespondPage) LineName(l iep.ServiceLine) string {
	return p.E("service_type", l.Type) + " (" + p.Frequency(l) + ")"
}

// PartName names a part the family may reject: a section, or a service line of the version.
func (p *familyRespondPage) PartName(id string) string {
	if slices.Contains(iep.Sections, iep.SectionKind(id)) {
		return p.E("section", id)
	}
	if l := p.P.Line(id); l != nil {
		return p.LineName(*l)
	}
	return id
}

// Summer reports whether a line is a summer (ESY) line of the version or of the previous plan.
func (p *familyRespondPage) Summer(id string) bool {
	in := func(ls []iep.ServiceLine) bool {
		return slices.ContainsFunc(ls, func(l iep.ServiceLine) bool { return l.ID == id })
	}
	if in(p.P.Version.Content.ESY.Services) {
		return true
	}
	return p.P.PreviousContent != nil && in(p.P.PreviousContent.ESY.Services) && !in(p.P.Version.Content.Services.Lines)
}

// SchoolYearServices and SummerServices are the lines in effect, by when they are given.
func (p *familyRespondPage) SchoolYearServices() []iep.EffectiveLine {
	return slices.DeleteFunc(slices.Clone(p.P.Services), func(l iep.EffectiveLine) bool { return p.Summer(l.ID) })
}

func (p *familyRespondPage) SummerServices() []iep.EffectiveLine {
	return slices.DeleteFunc(slices.Clone(p.P.Services), func(l iep.EffectiveLine) bool { return !p.Summer(l.ID) })
}

// AcceptedSections are the version's sections in effect (every one not rejected; the services
// section also when only some of its lines were).
func (p *familyRespondPage) AcceptedSections() []iep.SectionKind {
	return slices.DeleteFunc(slices.Clone(p.P.Sections), func(k iep.SectionKind) bool {
		return slices.Contains(p.P.RejectedSections, k)
	})
}

// frNotInEffect is a part of the version not in effect: its name, the reader's comment on it and
// what holds instead.
type frNotInEffect struct {
	ID, Name, Comment, Instead string
}

// NotInEffect are the parts rejected (by anyone holding the rights), each with what holds
// instead: the previous plan's section or line, or nothing.
func (p *familyRespondPage) NotInEffect() []frNotInEffect {
	var out []frNotInEffect
	comment := func(id string) string {
		if p.P.Mine != nil {
			return p.P.Mine.Comments[id]
		}
		return ""
	}
	for _, k := range p.P.RejectedSections {
		n := frNotInEffect{ID: string(k), Name: p.E("section", k), Comment: comment(string(k)), Instead: p.T("fam.respond.instead_nothing")}
		if p.P.PreviousContent != nil {
			n.Instead = p.T("fam.respond.instead_prev_section")
		}
		out = append(out, n)
	}
	for _, id := range p.P.RejectedServices {
		n := frNotInEffect{ID: id, Name: p.PartName(id), Comment: comment(id), Instead: p.T("fam.respond.instead_nothing")}
		if l := p.P.PreviousLine(id); l != nil {
			n.Instead = p.T("fam.respond.instead_prev_line", p.LineName(*l))
		}
		out = append(out, n)
	}
	return out
}

// StartText says when the services must start, by the clock of the services' start ("" when the
// plan is not in effect and no clock runs).
func (p *familyRespondPage) StartText() string {
	d := p.P.ServicesStart
	switch {
	case d == nil && p.P.Plan.Status.InEffect():
		return p.T("fam.respond.start_none")
	case d == nil:
		return ""
	case !d.MetOn.IsZero():
		return p.T("fam.respond.start_met", p.Date(d.MetOn))
	case d.Status.Code == "overdue":
		return p.T("fam.respond.start_late", p.Date(d.Due))
	case d.Provisional:
		return p.T("fam.respond.start_estimate", p.Date(d.Due))
	}
	return p.T("fam.respond.start_due", p.Date(d.Due))
}

// Signed says when and how an answer was signed.
func (p *familyRespondPage) Signed(r *app.DeskResponse) string {
	sig := r.Signature
	switch {
	case sig == nil:
		return p.Date(r.RespondedOn)
	case sig.Method == "paper":
		return p.T("fam.respond.conf.signed_paper", p.Date(r.RespondedOn))
	}
	return p.T("fam.respond.conf.signed_electronic", p.When(sig.SignedAt), sig.TypedName)
}

// AnswerLine says one answer to the version: who, what, when.
func (p *familyRespondPage) AnswerLine(r app.DeskResponse) string {
	who := r.Responder
	if p.P.Mine != nil && r.ID == p.P.Mine.ID {
		who = p.T("fam.respond.answer_by_you")
	}
	return p.T("fam.respond.answer_line", who, p.E("fam.respond.who_answered", r.Decision), p.Date(r.RespondedOn))
}

// Decisions are the answers a family may give, in order.
func (p *familyRespondPage) Decisions() []string {
	return []string{string(iep.AcceptInFull), string(iep.AcceptInPart), string(iep.RejectInFull)}
}

// SHA is the fingerprint the form answers: the version shown.
func (p *familyRespondPage) SHA() string { return p.P.SHA256 }

// Name is the typed name kept from a refused attempt.
func (p *familyRespondPage) Name() string { return p.Form.V(respondName) }

// Comment is the comment of a part kept from a refused attempt.
func (p *familyRespondPage) Comment(id string) string { return p.Form.V(respondComment + id) }

// Ticked reports whether a part was ticked in a refused attempt.
func (p *familyRespondPage) Ticked(field, id string) bool { return p.Form.Has(field, id) }

// frDateIn is the civil day an instant falls on in loc.
func frDateIn(t time.Time, loc *time.Location) date.Date { return date.Of(t.In(loc)) }

// frLineCard is a service line with the page, for the "fr-line" template.
type frLineCard struct {
	P    *familyRespondPage
	L    iep.ServiceLine
	Held bool // it comes from the previous plan
}

// LineCard is a line of the version for the "fr-line" template.
func (p *familyRespondPage) LineCard(l iep.ServiceLine) frLineCard { return frLineCard{P: p, L: l} }

// EffectiveCard is a line in effect for the "fr-line" template.
func (p *familyRespondPage) EffectiveCard(l iep.EffectiveLine) frLineCard {
	return frLineCard{P: p, L: l.ServiceLine, Held: l.Held}
}

// ChangeURL is the page asking for a new answer.
func (p *familyRespondPage) ChangeURL() string {
	return familyURL(p.P.District.ID, p.P.Student.ID, "plans", p.P.Plan.ID, "respond") + "?" + url.Values{"change": {"1"}}.Encode() + "#answer"
}
