package web

// Documents: the IEP, the prior written notice, the meeting notice, consent and revocation
// forms and progress reports, each one HTML template that is both the print view and the PDF.
//
//	GET /districts/{d}/students/{s}/documents/{kind}/{id}       the document to read and print
//	GET /districts/{d}/students/{s}/documents/{kind}/{id}.pdf   the same as a tagged PDF
//	GET /districts/{d}/family/{s}/documents/{kind}/{id}[.pdf]   the same for the family
//
// kind is iep (a plan: the draft with a DRAFT mark, or ?version=N, by default the version
// proposed or in effect, with its answers and signatures), proposal (?version=N: what a parent
// signs; its PDF is kept byte for byte the first time it is made and served from the store
// ever after), signed (a response: the PDF its signer was shown, as kept), notice, meeting (the
// meeting notice), consent, revocation (the form to revoke a consent, or the revocation
// recorded) and progress (a progress report). ?lang= picks any language documents are
// printed in; the default is the reader's.

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/pdf"
)

// docFiles lists each document's template files; each is parsed with document.html.
var docFiles = map[string][]string{
	"iep":        {"doc_iep.html", "doc_notice_body.html", "plan.html", "plan_sections.html"},
	"notice":     {"doc_notice.html", "doc_notice_body.html"},
	"meeting":    {"doc_meeting.html"},
	"consent":    {"doc_consent.html"},
	"revocation": {"doc_consent.html"},
	"progress":   {"doc_progress.html"},
}

// documentRoutes serve every document to staff and to the family.
func (s *server) documentRoutes() []route {
	return []route{
		{"GET /districts/{district}/students/{student}/documents/{type}/{file}", member, s.document},
		{"GET /districts/{district}/family/{student}/documents/{type}/{file}", member, s.document},
	}
}

func init() {
	pageFiles["doc_unavailable"] = []string{"doc_unavailable.html"}
}

// docUnavailablePage says that a PDF cannot be made here, what to install, and where the HTML
// view is.
type docUnavailablePage struct {
	Base
	Message, Packages, Link string
}

// docPage is what a document is rendered from.
type docPage struct {
	Base
	D    *app.DocumentRecord
	Kind string
	// ForPDF: rendered for Chromium (styles inline, no toolbar); else the HTML view.
	ForPDF bool
	Style  template.CSS // the document style sheet, inline in a PDF
	Back   string       // the page the HTML view came from
	PDFURL string
	Langs  []LangLink // the document in the other languages
	Family string     // the family's language, marked among Langs
	// The document's subject, by kind.
	Plan    *app.ExportPlan
	Version *app.ExportVersion // nil: the draft as it is now
	SP      *studentPage       // the plan, for the plan's templates
	Draft   bool
	Signing bool // the proposal a parent signs: no answers yet, the form to answer
	Notice  *iep.Notice
	Meeting *iep.Meeting
	Consent *iep.Consent
	Report  *iep.ProgressReport
}

// Dir is the direction the document's language is written in.
func (p *docPage) Dir() string {
	if i18n.RightToLeft(p.Lang) {
		return "rtl"
	}
	return "ltr"
}

// docLang picks a document's language: ?lang= when documents are printed in it, else a
// guardian's preferred language when documents are printed in it and pages are not
// (Vietnamese), else the reader's page language.
func docLang(r *http.Request, b Base) string {
	if q := r.URL.Query().Get("lang"); i18n.DocumentSupported(q) {
		return q
	}
	if si := signedIn(r); si != nil && si.PrintLang != "" {
		return si.PrintLang
	}
	return b.Lang
}

// document serves GET …/documents/{type}/{file}.
func (s *server) document(w http.ResponseWriter, r *http.Request) error {
	kind, file := r.PathValue("type"), r.PathValue("file")
	id, asPDF := strings.CutSuffix(file, ".pdf")
	family := strings.Contains(r.URL.Path, "/family/")
	a := actor(r)
	if family != a.IsFamily() {
		// Each side reads its documents at its own address.
		return iep.Errorf(iep.KindNotFound, "not found")
	}
	rec, err := s.svc.StudentDocuments(r.Context(), a, r.PathValue("district"), r.PathValue("student"))
	if err != nil {
		return err
	}
	p, err := s.docPage(w, r, rec, kind, id)
	if err != nil {
		return err
	}
	if kind == "signed" || (kind == "proposal" && asPDF) {
		return s.keptPDF(w, r, p, kind, id)
	}
	if asPDF {
		return s.servePDF(w, r, p)
	}
	html, err := s.renderDocument(p)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.Write(html)
	return nil
}

// docPage fills the page of document kind id of the record; not found for a kind or id the
// record does not have (a plan, a notice the reader may not see).
func (s *server) docPage(w http.ResponseWriter, r *http.Request, rec *app.DocumentRecord, kind, id string) (*docPage, error) {
	if _, ok := docFiles[kind]; !ok && kind != "signed" && kind != "proposal" {
		return nil, iep.Errorf(iep.KindNotFound, "no document of kind %q", kind)
	}
	if rec.SharedView && kind != "iep" && kind != "progress" {
		// A minor reads the plans and their progress a parent shares, nothing else.
		return nil, iep.Errorf(iep.KindNotFound, "not shared")
	}
	b := s.docBase(w, r)
	p, err := newDocPage(b, rec, kind, id, r.URL.Query().Get("version"))
	if err != nil || kind == "signed" {
		return p, err
	}
	p.links(r, kind, id)
	return p, nil
}

// docBase is a document's Base: its language is docLang's, while the reader's pages keep
// theirs (?lang= on a document picks the document's language, it does not switch the pages').
func (s *server) docBase(w http.ResponseWriter, r *http.Request) Base {
	b := s.pageBase(w, r)
	b.Lang = docLang(r, b)
	return b
}

// pageBase is the Base of a page about documents in the reader's page language, whatever
// document language ?lang= names.
func (s *server) pageBase(w http.ResponseWriter, r *http.Request) Base {
	if q := r.URL.Query(); q.Has("lang") {
		q.Del("lang")
		r = r.Clone(r.Context())
		r.URL.RawQuery = q.Encode()
	}
	return s.base(w, r)
}

// newDocPage fills the page of document kind id of the record in b's language, without a
// toolbar (links adds one): version is an IEP's version number, "" for the one proposed or in
// effect. Not found for an id the record does not have.
func newDocPage(b Base, rec *app.DocumentRecord, kind, id, version string) (*docPage, error) {
	b.Loc = districtLoc(rec.District.Timezone)
	p := &docPage{Base: b, D: rec, Kind: kind}
	if kind == "signed" {
		return p, nil
	}
	found := false
	switch kind {
	case "iep", "proposal":
		found = p.choosePlan(version, id, kind == "proposal")
	case "notice":
		for i := range rec.Notices {
			if rec.Notices[i].ID == id {
				p.Notice, found = &rec.Notices[i], true
			}
		}
	case "meeting":
		for i := range rec.Meetings {
			if rec.Meetings[i].ID == id {
				p.Meeting, found = &rec.Meetings[i], true
				p.Plan = rec.Plan(p.Meeting.PlanID)
			}
		}
	case "consent", "revocation":
		for i := range rec.Consents {
			if rec.Consents[i].ID == id {
				p.Consent, found = &rec.Consents[i], true
			}
		}
	case "progress":
		for i := range rec.Plans {
			for j := range rec.Plans[i].ProgressReports {
				if rep := &rec.Plans[i].ProgressReports[j]; rep.ID == id {
					p.Report, p.Plan, found = rep, &rec.Plans[i], true
				}
			}
		}
	}
	if !found {
		return nil, iep.Errorf(iep.KindNotFound, "no %s %s", kind, id)
	}
	p.Title = p.documentTitle()
	return p, nil
}

// choosePlan sets the plan and the version the IEP shows: version q (?version=N), else the version
// proposed or in effect, else the draft as it is (marked DRAFT). A proposal needs a version.
func (p *docPage) choosePlan(q, id string, proposal bool) bool {
	p.Plan = p.D.Plan(id)
	if p.Plan == nil {
		return false
	}
	n := p.Plan.Plan.CurrentVersion
	if q != "" {
		v, err := strconv.Atoi(q)
		if err != nil {
			return false
		}
		n = v
	}
	for i := range p.Plan.Versions {
		if p.Plan.Versions[i].Number == n {
			p.Version = &p.Plan.Versions[i]
		}
	}
	switch {
	case p.Version == nil && (proposal || n != 0):
		return false
	case p.Version == nil:
		p.Draft = true
	}
	p.Signing = proposal
	shown := p.Plan.Plan
	if p.Version != nil {
		shown = *p.Version.Plan
		shown.Status = p.Plan.Plan.Status
		if n != p.Plan.Plan.CurrentVersion {
			shown.Status = iep.StatusSuperseded
		}
	}
	rec := &app.Record{District: p.D.District, Student: p.D.Student, Plan: &shown, Today: p.D.Today,
		CaseManager: p.D.Name(cmp.Or(shown.CaseManagerID, p.Plan.Plan.CaseManagerID))}
	if sc := p.D.School; sc != nil && cmp.Or(shown.SchoolID, p.Plan.Plan.SchoolID, sc.ID) == sc.ID {
		rec.PlanSchool = sc
	}
	sp := &studentPage{Base: p.Base, R: rec, InEffect: !p.Draft && shown.Status.InEffect()}
	sp.Sections = sectionLinks(p.Base, &shown, p.D.Order)
	p.SP = sp
	if p.Signing || (p.Version != nil && p.Version.Number == p.Plan.Plan.CurrentVersion) {
		p.Notice = p.proposalNotice()
	}
	return true
}

// proposalNotice is the prior written notice sent with the plan's proposal (the latest).
func (p *docPage) proposalNotice() *iep.Notice {
	var out *iep.Notice
	for i := range p.D.Notices {
		n := &p.D.Notices[i]
		if n.PlanID == p.Plan.Plan.ID && n.Kind == iep.NoticePriorWritten {
			out = n
		}
	}
	return out
}

// documentTitle names the document and the child, in the document's language.
func (p *docPage) documentTitle() string {
	name := p.D.Student.DisplayName()
	switch p.Kind {
	case "iep":
		if p.Draft {
			return p.T("doc.iep.title_draft", name)
		}
		return p.T("doc.iep.title_version", name, p.Version.Number)
	case "proposal":
		return p.T("doc.iep.title_proposal", name, p.Version.Number)
	case "notice":
		return p.T("doc.notice.title", p.E("doc.notice.kind", p.Notice.Kind), name)
	case "meeting":
		return p.T("doc.meeting.title", name)
	case "consent":
		return p.T("doc.consent.title", p.E("doc.consent.kind", p.Consent.Kind), name)
	case "revocation":
		return p.T("doc.revocation.title", name)
	case "progress":
		return p.T("doc.progress.title", p.Report.Period, name)
	}
	return name
}

// links fills the HTML view's toolbar: back, the PDF, the other languages.
func (p *docPage) links(r *http.Request, kind, id string) {
	q := r.URL.Query()
	q.Set("lang", p.Lang)
	p.PDFURL = r.URL.EscapedPath() + ".pdf?" + q.Encode()
	p.Back = studentURL(p.D.District.ID, p.D.Student.ID)
	if !p.D.Staff {
		p.Back = familyURL(p.D.District.ID, p.D.Student.ID)
	}
	for _, g := range p.D.Guardians {
		if g.HoldsEducationalRights && i18n.DocumentSupported(baseLang(g.PreferredLanguage)) {
			p.Family = baseLang(g.PreferredLanguage)
			break
		}
	}
	for _, other := range i18n.DocumentLanguages() {
		q := r.URL.Query()
		q.Set("lang", other)
		name := i18n.Message(other, "language.self")
		p.Langs = append(p.Langs, LangLink{Lang: other, Name: name, URL: r.URL.EscapedPath() + "?" + q.Encode(),
			Label: i18n.Message(p.Lang, "doc.in_language", name)})
	}
}

// baseLang is the language of a tag without its region ("es-MX" → "es").
func baseLang(tag string) string {
	b, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	return b
}

// renderDocument executes the document's template: the whole HTML document.
func (s *server) renderDocument(p *docPage) ([]byte, error) {
	name := p.Kind
	if name == "proposal" {
		name = "iep"
	}
	t := s.docs[name]
	if t == nil {
		return nil, fmt.Errorf("render: no document %q", name)
	}
	if p.ForPDF {
		p.Style = template.CSS(s.docStyle)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "document", p); err != nil {
		return nil, fmt.Errorf("render document %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// renderPDF renders p as a PDF.
func (s *server) renderPDF(ctx context.Context, p *docPage) ([]byte, error) {
	p.ForPDF = true
	defer func() { p.ForPDF = false }()
	html, err := s.renderDocument(p)
	if err != nil {
		return nil, err
	}
	if s.pdf == nil {
		return nil, &pdf.UnavailableError{Reason: "this server was started without documents"}
	}
	foot := `<div style="font-family:'Noto Sans',sans-serif;font-size:8pt;width:100%;margin:0 0.75in;display:flex;justify-content:space-between;color:#444">` +
		`<span>` + template.HTMLEscapeString(p.Title) + `</span><span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>`
	return s.pdf.Render(ctx, html, pdf.Page{Footer: foot})
}

// servePDF answers with p as a PDF, or with the page that says what to install.
func (s *server) servePDF(w http.ResponseWriter, r *http.Request, p *docPage) error {
	out, err := s.renderPDF(r.Context(), p)
	if err != nil {
		return s.pdfError(w, r, p, err)
	}
	writePDF(w, p.fileName(), out)
	return nil
}

// writePDF writes a PDF as a download named name.
func writePDF(w http.ResponseWriter, name string, data []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.Write(data)
}

// fileName is the PDF's name: the child, the document, the language.
func (p *docPage) fileName() string {
	return safeFileName(p.D.Student.DisplayName()+"-"+p.Kind) + "-" + p.Lang + ".pdf"
}

// pdfError answers a PDF that cannot be made: without Chromium, 503 with what to install and a
// link to the HTML view; anything else is the handler's error.
func (s *server) pdfError(w http.ResponseWriter, r *http.Request, p *docPage, err error) error {
	var un *pdf.UnavailableError
	if !errors.As(err, &un) {
		return err
	}
	s.log.Warn("a PDF was asked for and cannot be made", "kind", p.Kind, "err", err)
	html := strings.TrimSuffix(r.URL.EscapedPath(), ".pdf")
	if r.URL.RawQuery != "" {
		html += "?" + r.URL.RawQuery
	}
	page := &docUnavailablePage{Base: s.pageBase(w, r), Packages: pdf.Packages, Link: html}
	page.Message = page.T("doc.no_pdf", un.Reason)
	page.Title = page.T("doc.no_pdf_title")
	return s.render(w, http.StatusServiceUnavailable, "doc_unavailable", page)
}

// keptPDF serves a kept PDF: the proposal's (made and kept the first time) or the one a
// response was signed on.
func (s *server) keptPDF(w http.ResponseWriter, r *http.Request, p *docPage, kind, id string) error {
	ctx, a := r.Context(), actor(r)
	if kind == "signed" {
		resp := p.response(id)
		if resp == nil || resp.Signature == nil || resp.Signature.PDFDocumentID == "" {
			return iep.Errorf(iep.KindNotFound, "no PDF was signed with response %s", id)
		}
		doc, data, err := s.svc.Document(ctx, a, p.D.District.ID, resp.Signature.PDFDocumentID)
		if err != nil {
			return err
		}
		writePDF(w, doc.Name, data)
		return nil
	}
	doc, data, err := s.keepProposal(r, p)
	if err != nil {
		return s.pdfError(w, r, p, err)
	}
	writePDF(w, doc.Name, data)
	return nil
}

// keepProposal returns the kept PDF of the proposal p shows, making and keeping it first when
// there is none in p's language.
func (s *server) keepProposal(r *http.Request, p *docPage) (*iep.Document, []byte, error) {
	ctx, a := r.Context(), actor(r)
	d, planID, n := p.D.District.ID, p.Plan.Plan.ID, p.Version.Number
	doc, data, err := s.svc.SigningDocument(ctx, a, d, planID, n, p.Lang)
	if err != nil || doc != nil {
		return doc, data, err
	}
	out, err := s.renderPDF(r.Context(), p)
	if err != nil {
		return nil, nil, err
	}
	if _, err := s.svc.KeepSigningDocument(ctx, a, d, planID, n, p.Lang, out); err != nil {
		return nil, nil, err
	}
	// Read it back: when another request kept one first, that one is what was shown.
	return s.svc.SigningDocument(ctx, a, d, planID, n, p.Lang)
}

// response finds a response to one of the record's plans.
func (p *docPage) response(id string) *iep.Response {
	for i := range p.D.Plans {
		for j := range p.D.Plans[i].Responses {
			if r := &p.D.Plans[i].Responses[j]; r.ID == id {
				return r
			}
		}
	}
	return nil
}

// documentURL is the address of a document (staff or family side), with ".pdf" for the PDF.
func documentURL(family bool, districtID, studentID, kind, id string) string {
	base := studentURL(districtID, studentID)
	if family {
		base = familyURL(districtID, studentID)
	}
	return base + "/documents/" + url.PathEscape(kind) + "/" + url.PathEscape(id)
}

// noticeArgs is a notice and the document it is printed in.
type noticeArgs struct {
	P *docPage
	N *iep.Notice
}

func noticeOf(p *docPage, n *iep.Notice) noticeArgs { return noticeArgs{p, n} }

// LegalNote says, on a document in another language than the pack's legal one, which version
// is the legal one; "" otherwise.
func (p *docPage) LegalNote() string {
	legal, translated := app.Translated(&p.D.District, p.Lang)
	if !translated {
		return ""
	}
	return p.T("doc.legal_note", p.Language(legal))
}

// CommentLabel names what a comment on an answer is about: a section, or a service line.
func (p *docPage) CommentLabel(key string) string {
	if i18n.Has("section." + key) {
		return p.T("section." + key)
	}
	if p.Version != nil {
		for _, l := range p.Version.Plan.Content.Services.Lines {
			if l.ID == key {
				return p.E("service_type", l.Type)
			}
		}
	}
	return key
}

// planContent is the content of the plan the report's goals come from: the version in effect
// at the report, else the plan's current content.
func (p *docPage) planContent() *iep.Content {
	if p.Plan == nil {
		return nil
	}
	if n := len(p.Plan.Versions); n > 0 {
		return &p.Plan.Versions[n-1].Plan.Content
	}
	return &p.Plan.Plan.Content
}

// Goal is the plan's goal id; nil when the plan no longer has it.
func (p *docPage) Goal(id string) *iep.Goal {
	c := p.planContent()
	if c == nil {
		return nil
	}
	for i := range c.Goals.Goals {
		if c.Goals.Goals[i].ID == id {
			return &c.Goals.Goals[i]
		}
	}
	return nil
}

// Points are the goal's measurements up to the report's period end, oldest first.
func (p *docPage) Points(goalID string) []iep.ProgressPoint {
	var out []iep.ProgressPoint
	for _, pt := range p.Plan.ProgressPoints {
		if pt.GoalID == goalID && (p.Report == nil || !pt.Date.After(p.Report.PeriodEnd)) {
			out = append(out, pt)
		}
	}
	return out
}
