package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
)

//go:embed templates/*.html
var templateFS embed.FS

// pageFiles lists each page's template files; each page is parsed with layout.html into a
// template set of its own.
var pageFiles = map[string][]string{
	"districts": {"districts.html"},
	"overview":  {"overview.html", "search_box.html"},
	"student":   {"student.html", "plan.html", "plan_sections.html"},
	"error":     {"error.html"},
	"signin":    {"signin.html", "carry.html"},
	"code":      {"code.html", "carry.html"},
	"twofactor": {"twofactor.html"},
	"account":   {"account.html"},
	"family":    {"family.html"},
}

// pages holds every page's parsed template set.
type pages struct {
	sets map[string]*template.Template
}

// parsePages parses layout.html with each page file once, at start-up.
func parsePages(a *assets) (*pages, error) {
	funcs := templateFuncs(a)
	p := &pages{sets: map[string]*template.Template{}}
	for name, files := range pageFiles {
		patterns := []string{"templates/layout.html"}
		for _, f := range files {
			patterns = append(patterns, "templates/"+f)
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, patterns...)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		p.sets[name] = t
	}
	return p, nil
}

// parseDocuments parses document.html with each document's files.
func parseDocuments(a *assets) (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for name, files := range docFiles {
		patterns := []string{"templates/document.html"}
		for _, f := range files {
			patterns = append(patterns, "templates/"+f)
		}
		t, err := template.New(name).Funcs(templateFuncs(a)).ParseFS(templateFS, patterns...)
		if err != nil {
			return nil, fmt.Errorf("parse document %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// templateFuncs are the functions every template may call.
func templateFuncs(a *assets) template.FuncMap {
	return template.FuncMap{
		"inc":          func(i int) int { return i + 1 },
		"districtURL":  districtURL,
		"studentURL":   studentURL,
		"planURL":      planURL,
		"meetingURL":   meetingURL,
		"familyURL":    familyURL,
		"asset":        a.URL,
		"serviceTable": newServiceTable,
		"documentURL":  documentURL,
		"planDocument": planDocumentURL,
		"noticeOf":     noticeOf,
	}
}

// render executes page name into a buffer and writes it with status only when it succeeded;
// on error nothing is written and the error is returned. Pages carry student records, so no
// cache keeps them.
func (s *server) render(w http.ResponseWriter, status int, name string, data any) error {
	t := s.pages.sets[name]
	if t == nil {
		return fmt.Errorf("render: no page %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(status)
	w.Write(buf.Bytes()) // a failed write means the client left; there is nobody to tell
	return nil
}

// districtURL is the path of a district's overview.
func districtURL(districtID string) string { return "/districts/" + url.PathEscape(districtID) }

// studentURL is the path of a student's record.
func studentURL(districtID, studentID string) string {
	return districtURL(districtID) + "/students/" + url.PathEscape(studentID)
}

// planURL is the path of a plan's page (the editor while it is a draft), with more path parts
// after it ("print", "team", "proposal"…).
func planURL(districtID, planID string, parts ...string) string {
	u := districtURL(districtID) + "/plans/" + url.PathEscape(planID)
	for _, p := range parts {
		u += "/" + url.PathEscape(p)
	}
	return u
}

// meetingURL is the path of a meeting's page.
func meetingURL(districtID, meetingID string) string {
	return districtURL(districtID) + "/meetings/" + url.PathEscape(meetingID)
}
