package web

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/app"
	"github.com/openiep/openiep/internal/i18n"
	"github.com/openiep/openiep/internal/iep"
)

// timelineLength is how many of the latest events the student page shows.
const timelineLength = 20

// studentPage is a student's record, read-only.
type studentPage struct {
	Base
	R          *app.Record
	InEffect   bool          // R.Plan binds the school
	Sections   []sectionLink // the plan's sections in form order, for the table of contents
	Events     []iep.Event   // the latest events, newest first
	MoreEvents int           // how many older events are not shown
	Glossary   []i18n.Term
	// Staff: the reader is staff (the progress desk is theirs; a family reads the family pages).
	Staff bool
	// PlanDoc is the address of R.Plan's IEP document, linked above the plan on the student
	// page ("" elsewhere: a document does not link to itself).
	PlanDoc string
}

// sectionLink is one entry of the plan's table of contents.
type sectionLink struct {
	ID   string // the fragment, "section-goals"
	Name string
	Kind iep.SectionKind
}

// sectionLinks is the plan's table of contents in the form's order: every section, the
// transition plan only when the plan has one.
func sectionLinks(b Base, p *iep.Plan, order []iep.SectionKind) []sectionLink {
	var out []sectionLink
	for _, k := range order {
		if k == iep.SectionTransition && !p.Content.Transition.Applies {
			continue
		}
		out = append(out, sectionLink{ID: "section-" + string(k), Name: b.T("section." + string(k)), Kind: k})
	}
	return out
}

// student serves GET /districts/{district}/students/{student}.
func (s *server) student(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.svc.StudentRecord(r.Context(), actor(r), r.PathValue("district"), r.PathValue("student"))
	if err != nil {
		return err
	}
	p := &studentPage{Base: s.base(w, r), R: rec, Events: rec.Events, Staff: actor(r).Kind == app.ActorStaff}
	p.Title = rec.Student.DisplayName()
	if loc, err := time.LoadLocation(rec.District.Timezone); err == nil {
		p.Loc = loc
	}
	if len(p.Events) > timelineLength {
		p.MoreEvents = len(p.Events) - timelineLength
		p.Events = p.Events[:timelineLength]
	}
	if rec.Plan != nil {
		p.InEffect = rec.Plan.Status.InEffect()
		p.Sections = sectionLinks(p.Base, rec.Plan, app.FormOrder(&rec.District))
		p.PlanDoc = documentURL(false, rec.District.ID, rec.Student.ID, "iep", rec.Plan.ID)
	}
	p.Glossary = i18n.Glossary(p.Lang)
	return s.render(w, http.StatusOK, "student", p)
}

// Weekly writes the minutes per week of a service line, marked "about" when approximate.
func (b Base) Weekly(l iep.ServiceLine) string {
	m, exact := app.WeeklyMinutes(l)
	if exact {
		return b.Num(m)
	}
	return b.T("services.weekly_about", b.Num(m))
}

// Frequency writes how often a service line is delivered: "30 minutes × 2 per week".
func (b Base) Frequency(l iep.ServiceLine) string {
	if l.Period == iep.PerCycle {
		return b.T("services.per_cycle", l.MinutesPerSession, l.SessionsPerPeriod, l.CycleDays)
	}
	return b.T("services.per_period", l.MinutesPerSession, l.SessionsPerPeriod, b.E("period", l.Period))
}

// Group writes a service's group size: "Individual" or "Group of 4".
func (b Base) Group(n int) string {
	if n <= 1 {
		return b.T("services.individual")
	}
	return b.T("services.group_of", n)
}

// serviceTable is what the "services" template needs: the page, the lines, and the table's
// caption and its id (a page may hold two service tables: the plan's and the summer's).
type serviceTable struct {
	P       *studentPage
	Lines   []iep.ServiceLine
	ID      string
	Caption string
}

func newServiceTable(p *studentPage, lines []iep.ServiceLine, id, caption string) serviceTable {
	return serviceTable{P: p, Lines: lines, ID: id, Caption: caption}
}

// WorkPlan is the plan the staff's actions are about: the plan being written or waiting for an
// answer, else the plan shown; nil when the student has none.
func (p *studentPage) WorkPlan() *iep.Plan {
	if p.R.OpenPlan != nil {
		return p.R.OpenPlan
	}
	return p.R.Plan
}

// DocumentURL is where a document is downloaded: the API's route, which the session cookie
// opens for whoever may view the record.
func (p *studentPage) DocumentURL(id string) string { return "/api/v1/documents/" + url.PathEscape(id) }

// minutesCell is what the "minutes" template needs: the page and one period's minutes.
type minutesCell struct {
	P *studentPage
	M app.Minutes
}

// MinutesOf pairs one period's minutes with the page, for the "minutes" template.
func (p *studentPage) MinutesOf(m app.Minutes) minutesCell { return minutesCell{p, m} }

// Decimal writes a measurement with the language's decimal separator and no useless zeros
// ("42", "3,5").
func (b Base) Decimal(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	return strings.Replace(s, ".", b.T("number.decimal_separator"), 1)
}

// FileSize writes a size in bytes as KB or MB ("12 KB", "1,4 MB"), at least 1 KB.
func (b Base) FileSize(n int64) string {
	if n < 1<<20 {
		return b.T("student.documents.kb", b.Num(int(max(1, (n+512)>>10))))
	}
	s := strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64)
	return b.T("student.documents.mb", strings.Replace(strings.TrimSuffix(s, ".0"), ".", b.T("number.decimal_separator"), 1))
}

// FileKind names a document's type in words ("PDF document", "JPEG image"), else its media type.
func (b Base) FileKind(mediaType string) string {
	mt, _, err := mime.ParseMediaType(mediaType)
	if err != nil {
		return b.T("common.not_recorded")
	}
	return b.E("media_type", mt)
}
