package web

import (
	"fmt"
	"html/template"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
)

// langCookie remembers a language chosen with ?lang= so that it follows the reader from page
// to page.
const langCookie = "lang"

// Base is what every page has: its language, its title, the links to the other languages, and
// the formatting of words, dates and numbers in that language. Templates call its methods as
// {{$.T "key"}}.
type Base struct {
	Lang     string
	Title    string
	Switches []LangLink
	CSS, JS  string         // the content-hash URLs of the style sheet and of htmx
	Loc      *time.Location // the zone instants are shown in: the district's, else UTC
	// SessionJS is the content-hash URL of the session script (the idle-timeout warning).
	SessionJS string
	// Who is the signed-in person's name; empty when nobody is signed in or the session is
	// still pending a step (then the header offers only signing out).
	Who      string
	SignedIn bool
	// AdminURL is the district administration's address when the signed-in person is a district
	// administrator or representative (the link in the header); "" otherwise.
	AdminURL string
	// DueURL is "what is due" for case managers and administrators; "" otherwise.
	DueURL string
	// CaseloadURL is "my caseload" for case managers; DashboardURL the district dashboard for
	// administrators and representatives; "" otherwise.
	CaseloadURL, DashboardURL string
	// SessionsURL is the provider's day, for staff who deliver services.
	SessionsURL string
	Session     sessionStatus // the countdown the session script starts from
	Here        string        // this page's path and query, to come back to
}

// LangLink is a link to the same page in another language, named in that language.
type LangLink struct {
	Lang, Name, URL, Label string
}

// base picks the reader's language (?lang=, then the cookie, then Accept-Language), remembers
// an explicit choice in a cookie, and fills the page's shared parts.
func (s *server) base(w http.ResponseWriter, r *http.Request) Base {
	lang := pickLang(r)
	if q := r.URL.Query().Get("lang"); q == lang {
		http.SetCookie(w, &http.Cookie{
			Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode,
		})
	}
	b := Base{Lang: lang, CSS: s.assets.URL("app.css"), JS: s.assets.URL("htmx.min.js"),
		SessionJS: s.assets.URL("session.js"), Loc: time.UTC, Here: localPath(r.URL.RequestURI())}
	if si := signedIn(r); si != nil {
		if r.URL.Query().Get("lang") == lang && si.Pending == "" && si.Actor.IsFamily() {
			// A family member used the switch: their pages and mail follow it from now on, on
			// every device (staff keep the cookie's choice).
			if err := s.svc.SetLanguage(r.Context(), si, lang); err != nil {
				s.log.Warn("remember the chosen language", "account", si.Account.ID, "err", err)
			}
		}
		b.SignedIn, b.Session = true, s.status(si)
		if si.Pending == "" {
			b.Who = si.Name
			if a := si.Actor; a.Kind == app.ActorStaff && (a.HasRole(iep.RoleAdministrator) || a.HasRole(iep.RoleDistrictRepresentative)) {
				b.AdminURL = adminURL(a.DistrictID)
			}
			if a := si.Actor; a.Kind == app.ActorStaff && (b.AdminURL != "" || a.HasRole(iep.RoleCaseManager)) {
				b.DueURL = districtURL(a.DistrictID) + "/due"
			}
			if a := si.Actor; a.Kind == app.ActorStaff && a.HasRole(iep.RoleCaseManager) {
				b.CaseloadURL = districtURL(a.DistrictID) + "/caseload"
			}
			if a := si.Actor; a.Kind == app.ActorStaff && providesServices(a.Roles) {
				b.SessionsURL = districtURL(a.DistrictID) + "/sessions"
			}
			if b.AdminURL != "" {
				b.DashboardURL = districtURL(si.Actor.DistrictID) + "/dashboard"
			}
		}
	}
	for _, other := range i18n.Languages() {
		if other == lang {
			continue
		}
		q := r.URL.Query()
		q.Set("lang", other)
		name := i18n.Message(other, "language.self")
		b.Switches = append(b.Switches, LangLink{
			Lang: other, Name: name, URL: r.URL.EscapedPath() + "?" + q.Encode(),
			Label: i18n.Message(other, "nav.switch_language", name),
		})
	}
	return b
}

func pickLang(r *http.Request) string {
	if q := r.URL.Query().Get("lang"); i18n.Supported(q) {
		return q
	}
	if si := signedIn(r); si != nil && si.Lang != "" {
		return si.Lang
	}
	if c, err := r.Cookie(langCookie); err == nil && i18n.Supported(c.Value) {
		return c.Value
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

// T returns the message key in the page's language.
func (b Base) T(key string, args ...any) string { return i18n.Message(b.Lang, key, args...) }

// E names the value v of an enumeration (catalog key prefix.v); a value the catalog does not
// know is shown as it is, and an empty one as "not recorded".
func (b Base) E(prefix string, v any) string {
	s := fmt.Sprint(v)
	if s == "" {
		return b.T("common.not_recorded")
	}
	if key := prefix + "." + s; i18n.Has(key) {
		return b.T(key)
	}
	return s
}

// Es names every value of a slice of enumeration values, joined into one list.
func (b Base) Es(prefix string, vs any) string {
	rv := reflect.ValueOf(vs)
	if rv.Kind() != reflect.Slice {
		return b.E(prefix, vs)
	}
	words := make([]string, rv.Len())
	for i := range words {
		words[i] = b.E(prefix, rv.Index(i).Interface())
	}
	return strings.Join(words, b.T("common.list_separator"))
}

// Or returns s, or "not recorded" when s is blank.
func (b Base) Or(s string) string {
	if strings.TrimSpace(s) == "" {
		return b.T("common.not_recorded")
	}
	return s
}

// YesNo says yes or no.
func (b Base) YesNo(v bool) string {
	if v {
		return b.T("common.yes")
	}
	return b.T("common.no")
}

// Date writes a civil date in words ("March 4, 2026", "4 de marzo de 2026"); the zero date is
// "not recorded".
func (b Base) Date(d date.Date) string {
	if d.IsZero() {
		return b.T("common.not_recorded")
	}
	return b.T("date.long", d.Day, b.T("month."+strconv.Itoa(int(d.Month))), d.Year)
}

// DateTag is Date inside a <time> element that carries the ISO date for machines.
func (b Base) DateTag(d date.Date) template.HTML {
	if d.IsZero() {
		return template.HTML(template.HTMLEscapeString(b.T("common.not_recorded")))
	}
	return template.HTML(`<time datetime="` + d.String() + `">` + template.HTMLEscapeString(b.Date(d)) + `</time>`)
}

// When writes an instant as a date and a time of day in the page's zone.
func (b Base) When(t time.Time) string {
	if t.IsZero() {
		return b.T("common.not_recorded")
	}
	t = t.In(b.Loc)
	return b.T("date.at", b.Date(date.Of(t)), t.Format(b.T("date.time_layout")))
}

// Num writes a whole number with the language's digit grouping ("12,345", "12.345").
func (b Base) Num(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := b.T("number.group_separator")
	var out strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out.WriteString(sep)
		}
		out.WriteRune(c)
	}
	if neg {
		return "-" + out.String()
	}
	return out.String()
}

// Pct writes a percentage with at most one decimal ("80%", "62,5 %").
func (b Base) Pct(f float64) string {
	s := strconv.FormatFloat(f, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	s = strings.Replace(s, ".", b.T("number.decimal_separator"), 1)
	return b.T("number.percent", s)
}

// Language names a BCP 47 language tag in the page's language ("es" → "Spanish"), trying the
// full tag, then its base language, then showing the tag itself.
func (b Base) Language(tag string) string {
	if tag == "" {
		return b.T("common.not_recorded")
	}
	if i18n.Has("language." + tag) {
		return b.T("language." + tag)
	}
	if base, _, ok := strings.Cut(tag, "-"); ok && i18n.Has("language."+base) {
		return b.T("language." + base)
	}
	return tag
}
