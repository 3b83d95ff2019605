package web

// The whole record as a ZIP (GET …/family/{student}/records/download[?lang=]): index.html, a
// page to read in the family's language that needs nothing else; record.json, the same for
// machines; versions/, each frozen version's canonical bytes (their SHA-256 is in both);
// documents/, every document's bytes as stored (the PDFs a parent signed among them); print/,
// every document of the record printed as PDF (each IEP version, a draft shared with the
// family, the notices, meeting notices, consents and revocations, progress reports) in the
// language ?lang= names, else the reader's (documents.go), or as a self-contained HTML page to
// print from a browser when this server cannot make PDFs. Written straight to the response:
// each document is read or printed, written and dropped before the next, so a large record is
// never held twice; index.html comes last, when it is known what each printed file is.

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/pdf"
)

func init() {
	pageFiles["family_records_export"] = []string{"family_records_export.html"}
}

// exportPage is what index.html is rendered from.
type exportPage struct {
	Base
	W *app.WholeRecord
	// DocFiles and VersionFiles are the names of the files in the ZIP, by document id and by
	// plan id and version number ("planid/3").
	DocFiles     map[string]string
	VersionFiles map[string]string
	lineNames    map[string]string // plan id/line id → the service in words (LineName)
	// Printed are the record's documents as print/ holds them, in the order written.
	Printed []printed
	// PrintLang is the language they are printed in; NoPDF, when set, says why they are HTML.
	PrintLang, NoPDF string
	print            Base // the documents' Base (their language)
	docs             *app.DocumentRecord
}

// printed is one document of the record in print/.
type printed struct {
	Kind, ID, Version string // as a document's address names it (documents.go)
	Title             string
	File              string // its name in the ZIP, once written
}

// familyDownload serves GET …/family/{student}/records/download.
func (s *server) familyDownload(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.svc.ExportRecord(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"))
	if err != nil {
		return err
	}
	docs, err := rec.Printable(r.Context())
	if err != nil {
		return err
	}
	p := &exportPage{Base: s.pageBase(w, r), W: rec, DocFiles: map[string]string{}, VersionFiles: map[string]string{},
		docs: docs, Printed: printList(docs)}
	p.print = p.Base
	p.print.Lang = docLang(r, p.Base)
	if i18n.Supported(p.print.Lang) {
		p.Lang = p.print.Lang // index.html in the language chosen, when pages are written in it
	}
	p.PrintLang = p.print.Lang
	p.Loc = districtLoc(rec.District.Timezone)
	p.Title = p.T("fam.export.title", rec.Student.DisplayName())
	used := map[string]bool{}
	for i, d := range rec.Documents {
		name := "documents/" + uniqueName(used, fmt.Sprintf("%02d-%s", i+1, safeFileName(d.Name)))
		p.DocFiles[d.ID] = name
	}
	for _, pl := range rec.Plans {
		for _, v := range pl.Versions {
			p.VersionFiles[versionKey(pl.Plan.ID, v.Number)] = fmt.Sprintf("versions/%s-v%d.json", safeFileName(pl.Plan.ID), v.Number)
		}
	}
	t := s.pages.sets["family_records_export"]
	if t == nil {
		return fmt.Errorf("render: no page family_records_export")
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": p.zipName()}))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	// From here on the answer has begun: a failure can only cut the archive short, which every
	// unzip reports; it is logged with ids only.
	if err := p.writeZip(w, r, t, s); err != nil {
		s.log.Error("write the whole record", "district", rec.District.ID, "student", rec.Student.ID, "err", err)
	}
	return nil
}

// writeZip writes the archive: record.json, the versions, the documents, the printed
// documents, index.html.
func (p *exportPage) writeZip(w http.ResponseWriter, r *http.Request, t *template.Template, s *server) error {
	zw := zip.NewWriter(w)
	modified := p.W.GeneratedAt
	create := func(name string, method uint16) (io.Writer, error) {
		return zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: modified})
	}
	f, err := create("record.json", zip.Deflate)
	if err != nil {
		return err
	}
	if err := p.W.WriteJSON(f); err != nil {
		return err
	}
	for _, pl := range p.W.Plans {
		for _, v := range pl.Versions {
			if f, err = create(p.VersionFiles[versionKey(pl.Plan.ID, v.Number)], zip.Deflate); err != nil {
				return err
			}
			if _, err := f.Write(v.Canonical); err != nil {
				return err
			}
		}
	}
	err = p.W.EachDocument(r.Context(), func(d iep.Document, data []byte) error {
		method := zip.Deflate
		if strings.HasPrefix(d.MediaType, "image/") || d.MediaType == "application/pdf" ||
			strings.Contains(d.MediaType, "officedocument") {
			method = zip.Store // already compressed
		}
		f, err := zw.CreateHeader(&zip.FileHeader{Name: p.DocFiles[d.ID], Method: method, Modified: d.CreatedAt})
		if err != nil {
			return err
		}
		_, err = f.Write(data)
		return err
	})
	if err != nil {
		return err
	}
	if err := p.writePrinted(r.Context(), w, zw, s); err != nil {
		return err
	}
	if f, err = create("index.html", zip.Deflate); err != nil {
		return err
	}
	if err := t.ExecuteTemplate(f, "export", p); err != nil {
		return fmt.Errorf("index.html: %w", err)
	}
	return zw.Close()
}

// printList is every document of the record to print, in the order index.html lists them:
// each plan (newest first) with its versions (oldest first; a shared draft as it is) and its
// progress reports, then the notices, the meeting notices, the consents and revocations.
func printList(d *app.DocumentRecord) []printed {
	var out []printed
	for _, pl := range d.Plans {
		if len(pl.Versions) == 0 {
			out = append(out, printed{Kind: "iep", ID: pl.Plan.ID})
		}
		for _, v := range pl.Versions {
			out = append(out, printed{Kind: "iep", ID: pl.Plan.ID, Version: strconv.Itoa(v.Number)})
		}
		for _, rep := range pl.ProgressReports {
			out = append(out, printed{Kind: "progress", ID: rep.ID})
		}
	}
	for _, n := range d.Notices {
		out = append(out, printed{Kind: "notice", ID: n.ID})
	}
	for _, m := range d.Meetings {
		out = append(out, printed{Kind: "meeting", ID: m.ID})
	}
	for _, c := range d.Consents {
		out = append(out, printed{Kind: "consent", ID: c.ID})
		if c.Decision == iep.ConsentRevoked {
			out = append(out, printed{Kind: "revocation", ID: c.ID})
		}
	}
	return out
}

// printTime is how long one printed document may take to make and write before the answer's
// write deadline: a record of many documents takes longer than the server's whole-answer limit.
const printTime = time.Minute

// writePrinted prints each document of p.Printed into print/: a PDF, or its HTML when PDFs
// cannot be made here (p.NoPDF says why) or this one failed (logged with ids).
func (p *exportPage) writePrinted(ctx context.Context, w http.ResponseWriter, zw *zip.Writer, s *server) error {
	rc := http.NewResponseController(w)
	used := map[string]bool{}
	for i := range p.Printed {
		d := &p.Printed[i]
		doc, err := newDocPage(p.print, p.docs, d.Kind, d.ID, d.Version)
		if err != nil {
			return fmt.Errorf("print %s %s: %w", d.Kind, d.ID, err)
		}
		d.Title = doc.Title
		_ = rc.SetWriteDeadline(time.Now().Add(printTime)) // not every writer has one
		data, ext := p.printOne(ctx, s, doc)
		if data == nil {
			return fmt.Errorf("print %s %s: nothing rendered", d.Kind, d.ID)
		}
		d.File = "print/" + uniqueName(used, fmt.Sprintf("%02d-%s", i+1, safeFileName(doc.Title))+ext)
		method := zip.Deflate
		if ext == ".pdf" {
			method = zip.Store
		}
		f, err := zw.CreateHeader(&zip.FileHeader{Name: d.File, Method: method, Modified: p.W.GeneratedAt})
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			return err
		}
	}
	return nil
}

// printOne prints doc as a PDF, else as a page of HTML that needs nothing else (its style
// inline): the extension says which.
func (p *exportPage) printOne(ctx context.Context, s *server, doc *docPage) ([]byte, string) {
	if p.NoPDF == "" {
		out, err := s.renderPDF(ctx, doc)
		if err == nil {
			return out, ".pdf"
		}
		var un *pdf.UnavailableError
		if errors.As(err, &un) {
			p.NoPDF = un.Reason
		} else {
			s.log.Error("print a document of the whole record", "district", p.W.District.ID, "student", p.W.Student.ID,
				"kind", doc.Kind, "err", err)
		}
	}
	doc.ForPDF = true // the style inline, no toolbar
	defer func() { doc.ForPDF = false }()
	out, err := s.renderDocument(doc)
	if err != nil {
		s.log.Error("print a document of the whole record as HTML", "district", p.W.District.ID, "student", p.W.Student.ID,
			"kind", doc.Kind, "err", err)
		return nil, ""
	}
	return out, ".html"
}

// zipName is the archive's file name: the child's name and today, "Mia-Ortiz-record-2026-03-16.zip".
func (p *exportPage) zipName() string {
	return safeFileName(p.W.Student.DisplayName()) + "-" + p.T("fam.export.file_word") + "-" + p.W.Today.String() + ".zip"
}

func versionKey(planID string, n int) string { return planID + "/" + strconv.Itoa(n) }

// safeFileName keeps letters, digits, dots, dashes and underscores of a name (spaces become
// dashes), never a path: "../x" is "x", an empty result "file".
func safeFileName(s string) string {
	s = path.Base(strings.ReplaceAll(s, "\\", "/"))
	var b strings.Builder
	for _, c := range s {
		switch {
		case unicode.IsLetter(c) || unicode.IsDigit(c) || c == '.' || c == '-' || c == '_':
			b.WriteRune(c)
		case unicode.IsSpace(c):
			b.WriteRune('-')
		}
	}
	out := strings.Trim(b.String(), ".-")
	if out == "" {
		return "file"
	}
	return out
}

// uniqueName returns name, or name with a number before its extension when already used.
func uniqueName(used map[string]bool, name string) string {
	base, ext := strings.TrimSuffix(name, path.Ext(name)), path.Ext(name)
	for n := 2; used[name]; n++ {
		name = base + "-" + strconv.Itoa(n) + ext
	}
	used[name] = true
	return name
}

// Doc is the file name of a document in the ZIP.
func (p *exportPage) Doc(id string) string { return p.DocFiles[id] }

// VersionFile is the file name of a frozen version in the ZIP.
func (p *exportPage) VersionFile(planID string, n int) string {
	return p.VersionFiles[versionKey(planID, n)]
}

// Name names a person of the record by id, else says the id is not known.
func (p *exportPage) Name(id string) string {
	if id == "" {
		return p.T("common.not_recorded")
	}
	if n := p.W.Name(id); n != "" {
		return n
	}
	return p.T("fam.export.someone")
}

// Generated is when the file was made, in the district's zone.
func (p *exportPage) Generated() string { return p.When(p.W.GeneratedAt.In(p.Loc)) }

// Instant writes an instant in the district's zone (a zero one as "not recorded").
func (p *exportPage) Instant(t time.Time) string { return p.When(t) }

// exportSections is what the "export-sections" template needs: the page and a plan's sections.
type exportSections struct {
	*exportPage
	C iep.Content
}

// Sections pairs a plan's sections with the page.
func (p *exportPage) Sections(c iep.Content) exportSections { return exportSections{p, c} }

// exportLines is what the "export-lines" template needs: the page and service lines.
type exportLines struct {
	*exportPage
	Lines []iep.ServiceLine
}

// Lines pairs service lines with the page.
func (p *exportPage) Lines(ls []iep.ServiceLine) exportLines { return exportLines{p, ls} }

// LineName names the service of a plan's line id in words, from the plan's versions and sections;
// the id itself when the plan no longer says.
func (p *exportPage) LineName(planID, lineID string) string {
	if p.lineNames == nil {
		p.lineNames = map[string]string{}
		add := func(id string, c iep.Content) {
			for _, ls := range [][]iep.ServiceLine{c.Services.Lines, c.ESY.Services} {
				for _, l := range ls {
					p.lineNames[id+"/"+l.ID] = p.E("service_type", l.Type)
				}
			}
		}
		for _, pl := range p.W.Plans {
			add(pl.Plan.ID, pl.Plan.Content)
			for _, v := range pl.Versions {
				add(pl.Plan.ID, v.Plan.Content)
			}
		}
	}
	if n := p.lineNames[planID+"/"+lineID]; n != "" {
		return n
	}
	return lineID
}
