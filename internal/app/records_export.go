package app

// The whole record for the family to keep (34 CFR 300.613, FERPA 34 CFR 99.10): every plan and
// frozen version, meetings, notices, answers and signatures, consents, evaluations, progress,
// service logs, the ledger, requests for records, and every document. The web writes it as a
// ZIP; the document bytes are read one at a time while it is written (EachDocument), so a large
// record is never held whole.

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// auditExport is the action of a download of the whole record.
const auditExport = "export"

// WholeRecord is a student's whole record as the family may see it.
type WholeRecord struct {
	GeneratedAt     time.Time                    `json:"generated_at"`
	District        iep.District                 `json:"district"`
	Student         iep.Student                  `json:"student"`
	School          *iep.School                  `json:"school,omitempty"`
	Guardians       []ExportGuardian             `json:"guardians"`
	Plans           []ExportPlan                 `json:"plans"` // newest first
	Referrals       []iep.Referral               `json:"referrals"`
	Evaluations     []iep.Evaluation             `json:"evaluations"`
	Eligibility     []iep.Eligibility            `json:"eligibility"`
	Consents        []iep.Consent                `json:"consents"`
	Notices         []iep.Notice                 `json:"notices"`
	Meetings        []iep.Meeting                `json:"meetings"` // newest first
	ServiceLogs     []iep.ServiceLog             `json:"service_logs"`
	Events          []iep.Event                  `json:"events"`
	RecordsRequests []store.RecordsRequestDetail `json:"records_requests"`
	Documents       []iep.Document               `json:"documents"`
	// People names the staff members the record refers to by id (case managers, providers, who
	// recorded a step), so that a reader of the file knows who they were.
	People map[string]string `json:"people"`

	Today date.Date `json:"-"`
	svc   *Service
}

// ExportGuardian is a parent or guardian of the student, as the record names them.
type ExportGuardian struct {
	ID                     string           `json:"id"`
	Name                   string           `json:"name"`
	Relationship           iep.Relationship `json:"relationship"`
	HoldsEducationalRights bool             `json:"holds_educational_rights"`
	PreferredLanguage      string           `json:"preferred_language"`
}

// ExportPlan is one plan with its team, every frozen version, the answers to it and its progress.
type ExportPlan struct {
	Plan            iep.Plan             `json:"plan"` // the header and its current sections (a shared draft's too)
	Team            []ExportMember       `json:"team"`
	Versions        []ExportVersion      `json:"versions"` // oldest first
	Responses       []iep.Response       `json:"responses"`
	ProgressPoints  []iep.ProgressPoint  `json:"progress_points"`
	ProgressReports []iep.ProgressReport `json:"progress_reports"`
}

// ExportMember is a member of a plan's team with their name.
type ExportMember struct {
	iep.TeamMember
	Name string `json:"name"`
}

// ExportVersion is a frozen version: its number, hash and date, and the plan as frozen. The
// canonical bytes (whose SHA-256 is SHA256) go beside record.json as a file of their own.
type ExportVersion struct {
	Number    int       `json:"number"`
	SHA256    string    `json:"sha256"`
	CreatedAt time.Time `json:"created_at"`
	Plan      *iep.Plan `json:"frozen"`
	Canonical []byte    `json:"-"`
}

// ExportRecord returns a student's whole record for the family to download, and records the
// download in the audit trail (one entry: export of the student). Family only: staff are
// answered not found. Errors: the policy's.
func (s *Service) ExportRecord(ctx context.Context, a Actor, districtID, studentID string) (*WholeRecord, error) {
	if err := familyReader(a); err != nil {
		return nil, err
	}
	dec, err := s.authorize(ctx, a, access.ViewRecord, districtID, studentID)
	if err != nil {
		return nil, err
	}
	if dec.Reason == access.ReasonSharedWithStudent {
		// A minor student reads what a parent shares with them; the whole record, evaluations
		// and all, is the parent's to hand over.
		return nil, iep.Errorf(iep.KindForbidden, "the whole record is for the parent who holds the rights")
	}
	w, err := s.readRecord(ctx, districtID, studentID, false)
	if err != nil {
		return nil, fmt.Errorf("student %s: %w", studentID, err)
	}
	if err := s.audit(ctx, a, dec, auditExport, auditStudent, studentID, districtID, studentID); err != nil {
		return nil, err
	}
	return w, nil
}

// readRecord reads a student's whole record; drafts never shared with the family are in it
// only for staff.
func (s *Service) readRecord(ctx context.Context, districtID, studentID string, staff bool) (*WholeRecord, error) {
	d, err := s.db.GetDistrict(ctx, districtID)
	if err != nil {
		return nil, err
	}
	st, err := s.db.GetStudent(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	w := &WholeRecord{GeneratedAt: s.now().UTC(), District: *d, Student: *st, Today: s.today(d.Timezone),
		People: map[string]string{}, svc: s}
	if w.School, err = s.optionalSchool(ctx, districtID, st.SchoolID); err != nil {
		return nil, err
	}
	links, err := s.db.ListGuardians(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	for _, g := range links {
		w.Guardians = append(w.Guardians, ExportGuardian{ID: g.ID, Name: g.Name(), Relationship: g.Link.Relationship,
			HoldsEducationalRights: g.Link.HoldsEducationalRights, PreferredLanguage: g.PreferredLanguage})
	}
	reads := []func() error{
		func() (err error) { w.Referrals, err = s.db.ListReferrals(ctx, districtID, studentID); return },
		func() (err error) { w.Evaluations, err = s.db.ListEvaluations(ctx, districtID, studentID); return },
		func() (err error) { w.Eligibility, err = s.db.ListEligibility(ctx, districtID, studentID); return },
		func() (err error) { w.Consents, err = s.db.ListConsents(ctx, districtID, studentID); return },
		func() (err error) { w.Notices, err = s.db.ListNotices(ctx, districtID, studentID); return },
		func() (err error) { w.Meetings, err = s.db.ListMeetings(ctx, districtID, studentID); return },
		func() (err error) {
			w.ServiceLogs, err = s.db.ListServiceLogs(ctx, districtID, studentID, date.Date{}, date.Date{})
			return
		},
		func() (err error) { w.Events, err = s.db.ListEvents(ctx, districtID, studentID); return },
		func() (err error) {
			w.RecordsRequests, err = s.db.ListRecordsRequestDetails(ctx, districtID, studentID)
			return
		},
		func() (err error) { w.Documents, err = s.db.ListDocuments(ctx, districtID, studentID); return },
		func() error { return s.readExportPlans(ctx, w, staff) },
	}
	for _, read := range reads {
		if err := read(); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(w.Meetings, func(a, b iep.Meeting) int { return b.StartsAt.Compare(a.StartsAt) })
	slices.SortStableFunc(w.Events, func(a, b iep.Event) int {
		return cmp.Or(a.OccurredOn.Compare(b.OccurredOn), a.RecordedAt.Compare(b.RecordedAt))
	})
	return w, s.namePeople(ctx, w)
}

// unseen reports whether the family never saw plan p: a draft, or a draft cancelled, that was
// never shared with them nor proposed.
func unseen(p iep.Plan) bool {
	return (p.Status == iep.StatusDraft || p.Status == iep.StatusCancelled) && p.SharedAt.IsZero() && p.CurrentVersion == 0
}

// readExportPlans reads every plan the family may see (a draft once shared) with its team,
// versions, answers and progress, newest first.
func (s *Service) readExportPlans(ctx context.Context, w *WholeRecord, staff bool) error {
	d, st := w.District.ID, w.Student.ID
	plans, err := s.db.ListPlans(ctx, d, st)
	if err != nil {
		return err
	}
	slices.SortStableFunc(plans, func(a, b iep.Plan) int { return b.CreatedAt.Compare(a.CreatedAt) })
	for _, p := range plans {
		if unseen(p) && !staff {
			continue
		}
		if p.Status == iep.StatusDraft {
			// A draft's words are its sections (the list has the headers only).
			full, err := s.db.GetPlan(ctx, d, p.ID)
			if err != nil {
				return err
			}
			p = *full
		}
		ep := ExportPlan{Plan: p}
		team, err := s.db.ListTeam(ctx, d, p.ID)
		if err != nil {
			return err
		}
		for _, m := range team {
			ep.Team = append(ep.Team, ExportMember{TeamMember: m, Name: m.GuestName})
		}
		versions, err := s.db.ListVersions(ctx, d, p.ID)
		if err != nil {
			return err
		}
		for i := range versions {
			v := &versions[i]
			frozen, err := iep.Thaw(v)
			if err != nil {
				return err
			}
			ep.Versions = append(ep.Versions, ExportVersion{Number: v.Number, SHA256: v.SHA256, CreatedAt: v.CreatedAt,
				Plan: frozen, Canonical: v.Canonical})
		}
		if ep.Responses, err = s.db.ListResponses(ctx, d, p.ID); err != nil {
			return err
		}
		if ep.ProgressPoints, err = s.db.ListProgressPoints(ctx, d, p.ID); err != nil {
			return err
		}
		if ep.ProgressReports, err = s.db.ListProgressReports(ctx, d, p.ID); err != nil {
			return err
		}
		w.Plans = append(w.Plans, ep)
	}
	return nil
}

// namePeople names the staff the record refers to, each read once, and the team's guardians and
// the student.
func (s *Service) namePeople(ctx context.Context, w *WholeRecord) error {
	ids := map[string]bool{}
	for _, p := range w.Plans {
		ids[p.Plan.CaseManagerID] = true
		for _, m := range p.Team {
			ids[m.StaffID] = true
		}
	}
	for _, l := range w.ServiceLogs {
		ids[l.ProviderID], ids[l.ActualProviderID] = true, true
	}
	for _, e := range w.Evaluations {
		ids[e.CaseManagerID] = true
		for _, x := range e.Assessments {
			ids[x.EvaluatorID] = true
		}
	}
	for _, r := range w.RecordsRequests {
		ids[r.ProvidedBy] = true
	}
	delete(ids, "")
	for id := range ids {
		name, err := s.staffName(ctx, w.District.ID, id)
		if err != nil {
			return err
		}
		if name != "" {
			w.People[id] = name
		}
	}
	for _, g := range w.Guardians {
		w.People[g.ID] = g.Name
	}
	w.People[w.Student.ID] = w.Student.DisplayName()
	for i := range w.Plans {
		for j := range w.Plans[i].Team {
			m := &w.Plans[i].Team[j]
			if n := w.People[cmp.Or(m.StaffID, m.GuardianID, m.StudentID)]; n != "" && m.Name == "" {
				m.Name = n
			}
		}
	}
	return nil
}

// Name is the name of the person with id in the record; "" when unknown.
func (w *WholeRecord) Name(id string) string { return w.People[id] }

// EachDocument calls fn with each document of the record and its bytes, one at a time, in the
// order of Documents; it stops at fn's first error.
func (w *WholeRecord) EachDocument(ctx context.Context, fn func(iep.Document, []byte) error) error {
	for _, d := range w.Documents {
		doc, data, err := w.svc.db.GetDocument(ctx, w.District.ID, d.ID)
		if err != nil {
			return fmt.Errorf("document %s: %w", d.ID, err)
		}
		if doc.StudentID != w.Student.ID {
			return iep.Errorf(iep.KindInternal, "document %s is not the student's", d.ID)
		}
		if err := fn(*doc, data); err != nil {
			return err
		}
	}
	return nil
}

// WriteJSON writes the record as one JSON object, field by field and list item by list item, so
// that the encoding never holds the whole record a second time.
func (w *WholeRecord) WriteJSON(out io.Writer) error {
	bw := bufio.NewWriter(out)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	write := func(s string) { bw.WriteString(s) }
	value := func(v any) error { return enc.Encode(v) } // one value and a newline
	list := func(n int, item func(i int) any) error {
		write("[")
		for i := range n {
			if i > 0 {
				write(",")
			}
			if err := value(item(i)); err != nil {
				return err
			}
		}
		write("]")
		return nil
	}
	fields := []struct {
		name string
		emit func() error
	}{
		{"format", func() error { return value("openiep.whole_record.v1") }},
		{"generated_at", func() error { return value(w.GeneratedAt) }},
		{"district", func() error { return value(w.District) }},
		{"student", func() error { return value(w.Student) }},
		{"school", func() error { return value(w.School) }},
		{"guardians", func() error { return value(w.Guardians) }},
		{"plans", func() error { return list(len(w.Plans), func(i int) any { return w.Plans[i] }) }},
		{"referrals", func() error { return value(w.Referrals) }},
		{"evaluations", func() error { return value(w.Evaluations) }},
		{"eligibility", func() error { return value(w.Eligibility) }},
		{"consents", func() error { return value(w.Consents) }},
		{"notices", func() error { return value(w.Notices) }},
		{"meetings", func() error { return value(w.Meetings) }},
		{"service_logs", func() error { return list(len(w.ServiceLogs), func(i int) any { return w.ServiceLogs[i] }) }},
		{"events", func() error { return list(len(w.Events), func(i int) any { return w.Events[i] }) }},
		{"records_requests", func() error { return value(w.RecordsRequests) }},
		{"documents", func() error { return value(w.Documents) }},
		{"people", func() error { return value(w.People) }},
	}
	write("{")
	for i, f := range fields {
		if i > 0 {
			write(",")
		}
		if err := value(f.name); err != nil {
			return err
		}
		write(":")
		if err := f.emit(); err != nil {
			return fmt.Errorf("record.json %s: %w", f.name, err)
		}
	}
	write("}\n")
	return bw.Flush()
}
