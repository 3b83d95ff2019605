package web

// The whole record as a ZIP (GET …/family/{student}/records/download): index.html, a page to read
// in the family's language that needs nothing else; record.json, the same for machines;
// versions/, each frozen version's canonical bytes (their SHA-256 is in both); documents/, every
// document's bytes as stored. Written straight to the response: each document is read, written
// and dropped before the next, so a large record is never held twice.

import (
	"archive/zip"
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
	"github.com/openiep/openiep/internal/iep"
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
}

// familyDownload serves GET …/family/{student}/records/download.
func (s *server) familyDownload(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.svc.ExportRecord(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"))
	if err != nil {
		return err
	}
	p := &exportPage{Base: s.base(w, r), W: rec, DocFiles: map[string]string{}, VersionFiles: map[string]string{}}
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
	if err := p.writeZip(w, r, t); err != nil {
		s.log.Error("write the whole record", "district", rec.District.ID, "student", rec.Student.ID, "err", err)
	}
	return nil
}

// writeZip writes the archive: index.html, record.json, the versions, the documents.
func (p *exportPage) writeZip(w io.Writer, r *http.Request, t *template.Template) error {
	zw := zip.NewWriter(w)
	modified := p.W.GeneratedAt
	create := func(name string, method uint16) (io.Writer, error) {
		return zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: modified})
	}
	f, err := create("index.html", zip.Deflate)
	if err != nil {
		return err
	}
	if err := t.ExecuteTemplate(f, "export", p); err != nil {
		return fmt.Errorf("index.html: %w", err)
	}
	if f, err = create("record.json", zip.Deflate); err != nil {
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
	return zw.Close()
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
