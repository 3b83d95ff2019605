package web

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
)

// Importing past service logs: the administrator uploads a CSV file (the layout is on the page
// and in docs/service-log-import.md); the page answers with the counts and a table of every
// problem by line and column. A file with problems stores nothing unless "import the rows
// without problems" is ticked. Who may is decided in internal/app (ManageDistrict).

func init() {
	pageFiles["service_import"] = []string{"service_import.html", "admin_forms.html"}
}

func (s *server) serviceImportRoutes() []route {
	const p = "/districts/{district}/admin/service-logs/import"
	return []route{
		{"GET " + p, member, s.serviceImportPage},
		{"POST " + p, member, s.serviceImport},
	}
}

// serviceImportView is the import page: the form, and after an upload what it found and did.
type serviceImportView struct {
	Base
	District *iep.District
	Form     form
	Result   *app.ServiceLogImport
	Problems []rowProblemView
	Columns  []importColumn
}

// rowProblemView is one line of the problems table.
type rowProblemView struct {
	Line            int
	Column, Message string
}

// importColumn is one column of the layout, as the page describes it.
type importColumn struct {
	Name   string
	Needed string // required, optional, either_student, either_service (one of two columns)
	Text   string // what it holds
}

// importColumns describes the layout's columns in the reader's language.
func importColumns(b Base) []importColumn {
	needed := map[string]string{"student_local_id": "either_student", "student_id": "either_student",
		"service_type": "either_service", "service_line_id": "either_service",
		"date": "required", "minutes": "required", "status": "required", "provider_email": "required"}
	codes := map[string]string{"service_type": importCodes(iep.ServiceTypes), "missed_reason": importCodes(iep.MissedReasons),
		"status": importCodes([]iep.SessionStatus{iep.SessionDelivered, iep.SessionMissed, iep.SessionMakeUp})}
	out := make([]importColumn, len(app.ServiceLogColumns))
	for i, c := range app.ServiceLogColumns {
		out[i] = importColumn{Name: c, Needed: cmp.Or(needed[c], "optional"), Text: b.T("import.column." + c)}
		if codes[c] != "" {
			out[i].Text = b.T("import.column."+c, codes[c])
		}
	}
	return out
}

// importCodes lists codes as a file writes them.
func importCodes[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

func (s *server) renderServiceImport(w http.ResponseWriter, r *http.Request, status int, d *iep.District, f form, res *app.ServiceLogImport) error {
	p := &serviceImportView{Base: s.base(w, r), District: d, Form: f, Result: res}
	p.Columns = importColumns(p.Base)
	p.Title = p.T("import.title")
	if res != nil {
		for _, pr := range res.Problems {
			p.Problems = append(p.Problems, rowProblemView{Line: pr.Line, Column: pr.Field, Message: importProblem(p.Base, pr.Problem)})
		}
	}
	return s.render(w, status, "service_import", p)
}

func (s *server) serviceImportPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.svc.ServiceLogImportForm(r.Context(), actor(r), r.PathValue("district"))
	if err != nil {
		return err
	}
	return s.renderServiceImport(w, r, http.StatusOK, d, newForm(nil), nil)
}

// serviceImport takes the upload. The administrator is authorized before the body is read, so
// nobody else can make the server read a 20 MB file.
func (s *server) serviceImport(w http.ResponseWriter, r *http.Request) error {
	a, district := actor(r), r.PathValue("district")
	d, err := s.svc.ServiceLogImportForm(r.Context(), a, district)
	if err != nil {
		return err
	}
	b := s.base(w, r)
	f := newForm(nil)
	refuse := func(code string) error {
		f.addError("file", importFileProblem(b, iep.Problem{Field: "file", Code: code}))
		return s.renderServiceImport(w, r, http.StatusBadRequest, d, f, nil)
	}
	r.Body = http.MaxBytesReader(w, r.Body, app.MaxImportBytes+1<<20)
	err = r.ParseMultipartForm(1 << 20) // the file beyond 1 MB waits on disk
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return refuse("too_large")
	case err != nil && !errors.Is(err, http.ErrNotMultipart):
		return refuse("unreadable")
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	f = newForm(r.PostForm)
	fh := postedFile(r, "file")
	if fh == nil {
		return refuse("required")
	}
	file, err := fh.Open()
	if err != nil {
		return err
	}
	defer file.Close()
	res, err := s.svc.ImportServiceLogs(r.Context(), a, district, file, r.PostFormValue("skip_invalid") == "yes")
	if err != nil {
		if f.refuseWith(err, func(p iep.Problem) string { return importFileProblem(b, p) }) {
			return s.renderServiceImport(w, r, http.StatusBadRequest, d, f, nil)
		}
		return err
	}
	if !res.Written {
		// The summary's entry leads to the table of problems.
		f.Errors = append(f.Errors, fieldError{Field: "rows", ID: "import-problems", Message: b.T("import.rows_refused", b.Num(res.Invalid))})
		return s.renderServiceImport(w, r, http.StatusBadRequest, d, f, res)
	}
	return s.renderServiceImport(w, r, http.StatusOK, d, newForm(nil), res)
}

// importFileProblem says what is wrong with the file as a whole.
func importFileProblem(b Base, p iep.Problem) string {
	key := "import.file." + p.Code
	switch {
	case !i18n.Has(key):
		return b.T("import.file.unreadable")
	case slices.Contains([]string{"missing_column", "unknown_column", "duplicate_column", "csv"}, p.Code):
		return b.T(key, p.Detail)
	}
	return b.T(key)
}

// importProblem says what is wrong with one cell (or a whole line), without the column's name:
// the table shows it beside.
func importProblem(b Base, p iep.Problem) string {
	key := "import.problem." + p.Code
	switch {
	case !i18n.Has(key):
		return b.T("import.problem.invalid")
	case p.Code == iep.CodeRange:
		lo, hi, _ := strings.Cut(p.Detail, "..")
		return b.T(key, lo, hi)
	case slices.Contains([]string{iep.CodeChoice, "ambiguous_line", "missed_has_errors", "line_type", "field_count"}, p.Code):
		return b.T(key, p.Detail)
	}
	return b.T(key)
}
