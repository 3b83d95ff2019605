package app

// Records requests (34 CFR 300.613; FERPA 34 CFR 99.10): the family asks to see the child's
// education records, which starts the pack's records_request clock (45 days federally, 10 in
// Massachusetts, and before any meeting about an IEP); staff record when and how the records
// were provided, which meets it. And the family's page of rights (34 CFR 300.504).

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/store"
)

// Audit record kinds of this file.
const (
	auditRecordsRequest  = "records_request"
	auditRecordsRequests = "records_requests"
	auditRights          = "rights"
)

// RecordsClock is the rule pack's clock of a records request.
const RecordsClock = "records_request"

// RecordsRequestView is a records request with the day the school must answer by, from the
// clock, and who asked.
type RecordsRequestView struct {
	store.RecordsRequestDetail
	// Due is the day the school must let the family see the records by (the clock's due date:
	// the pack's number of days, or the day of an earlier team meeting); zero when the clock has
	// not been computed.
	Due         date.Date
	Provisional bool      // the calendar ran out: Due is an estimate
	Status      DueStatus // the clock's status on today: upcoming, due soon, overdue, met, met late
	// RequestedBy names the guardian who asked; "" for the adult student's own request.
	RequestedBy string
}

// Open reports whether the records have not been provided yet.
func (v RecordsRequestView) Open() bool { return v.FulfilledOn.IsZero() }

// requestViews joins requests with the records clock's deadlines: a request's deadline starts
// the day it was asked and, once provided, was met that day. Each deadline serves one request.
// Newest first.
func requestViews(reqs []store.RecordsRequestDetail, ds []store.Deadline, pack *rules.Pack, today date.Date, guardians []store.GuardianLink) []RecordsRequestView {
	used := make([]bool, len(ds))
	out := make([]RecordsRequestView, 0, len(reqs))
	for _, rq := range reqs {
		v := RecordsRequestView{RecordsRequestDetail: rq}
		for i, d := range ds {
			if used[i] || d.Clock != RecordsClock || d.Start != rq.RequestedOn || d.Open() != rq.FulfilledOn.IsZero() ||
				(!d.Open() && d.MetOn != rq.FulfilledOn) {
				continue
			}
			used[i] = true
			v.Due, v.Provisional, v.Status = d.Due, d.Provisional, statusUnder(pack, d, today)
			break
		}
		for _, g := range guardians {
			if g.ID == rq.GuardianID {
				v.RequestedBy = g.Name()
			}
		}
		out = append(out, v)
	}
	slices.Reverse(out)
	return out
}

// readRecordsRequests is a step of StudentRecord: the student's records requests with their due
// dates (the staff page lists them with a form to record that they were provided).
func (s *Service) readRecordsRequests(ctx context.Context, r *Record) error {
	reqs, err := s.db.ListRecordsRequestDetails(ctx, r.District.ID, r.Student.ID)
	if err != nil || len(reqs) == 0 {
		return err
	}
	ds, err := s.db.ListStudentDeadlines(ctx, r.District.ID, r.Student.ID) // met ones of any age too
	if err != nil {
		return err
	}
	r.RecordsRequests = requestViews(reqs, ds, s.packOf(ctx, &r.District), r.Today, r.Guardians)
	return nil
}

// FamilyRecords is the family's records page of a child: their requests with the days the school
// must answer by, and what the rule pack says about the clock.
type FamilyRecords struct {
	District iep.District
	Student  iep.Student
	Today    date.Date
	Requests []RecordsRequestView // newest first
	// Clock is the district's records_request rule (its amount, unit, citation; whether a
	// meeting brings it forward).
	Clock rules.Rule
	// MayRequest is set when the reader may ask (the guardian holding the rights, the adult
	// student); a parent the adult student shares the record with may read it only.
	MayRequest          bool
	MayViewAccessRecord bool
	// MayDownload is set unless the reader is a minor student reading what a parent shares
	// (the whole record is the parent's to hand over: ExportRecord).
	MayDownload bool
	Documents   int // how many documents the record holds (the download's documents/)
}

// FamilyRecords returns the records page of a child for the family. Staff are answered not
// found. One audit entry: read of "records_requests".
func (s *Service) FamilyRecords(ctx context.Context, a Actor, districtID, studentID string) (*FamilyRecords, error) {
	dec, d, st, err := s.familyPage(ctx, a, access.ViewRecord, districtID, studentID)
	if err != nil {
		return nil, err
	}
	r := &Record{District: *d, Student: *st, Today: s.today(d.Timezone), Reason: dec.Reason, family: true}
	if r.Guardians, err = s.db.ListGuardians(ctx, districtID, studentID); err != nil {
		return nil, err
	}
	if err := s.readRecordsRequests(ctx, r); err != nil {
		return nil, err
	}
	docs, err := s.db.ListDocuments(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	pack, err := s.districtPack(ctx, d)
	if err != nil {
		return nil, err
	}
	clock, _ := pack.Rule(RecordsClock)
	fr := &FamilyRecords{District: *d, Student: *st, Today: r.Today, Requests: r.RecordsRequests, Clock: clock,
		MayRequest: mayAsk(dec.Reason), MayViewAccessRecord: r.MayViewAccessRecord(), Documents: len(docs),
		MayDownload: dec.Reason != access.ReasonSharedWithStudent}
	if err := s.audit(ctx, a, dec, auditRead, auditRecordsRequests, studentID, districtID, studentID); err != nil {
		return nil, err
	}
	return fr, nil
}

// mayAsk reports whether a reader let in for reason may ask for the records and answer plans:
// the guardian holding the rights, the adult student.
func mayAsk(reason access.Reason) bool {
	return reason == access.ReasonGuardianWithRights || reason == access.ReasonAdultStudent
}

// RecordsRequestInput is a family's request to see the records.
type RecordsRequestInput struct {
	// Parts are what they want to see (store.RecordsParts: "all", "plans", "evaluations",
	// "progress", "services", "meetings", "other"); "all" alone when ticked with others.
	Parts []string `json:"parts"`
	// Delivery is how: "inspect" at school, or "copies".
	Delivery string `json:"delivery"`
	// Note says more, in the family's words (required with "other"). Never logged.
	Note string `json:"note,omitempty"`
}

// RequestRecords records a family's request to see the child's records: the request, the
// records_requested event that starts the clock, and the audit entry, in one transaction; it
// returns the request with the day the school must answer by. Family only (staff: not found);
// the policy's participate (the guardian with the rights, the adult student). Errors: invalid
// (parts, delivery, note), the policy's.
func (s *Service) RequestRecords(ctx context.Context, a Actor, districtID, studentID string, in RecordsRequestInput) (*RecordsRequestView, error) {
	if a.SignedIn() && !a.IsFamily() {
		return nil, errFamilyOnly
	}
	c, err := s.begin(ctx, a, access.Participate, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	rq := store.RecordsRequestDetail{RecordsRequest: iep.RecordsRequest{DistrictID: districtID, StudentID: studentID,
		RequestedOn: c.today, Note: strings.TrimSpace(in.Note)}, Parts: normalParts(in.Parts), Delivery: in.Delivery}
	if a.Kind == ActorGuardian {
		rq.GuardianID = a.ID
	}
	var ps iep.Problems
	if slices.Contains(rq.Parts, store.RecordsOther) && rq.Note == "" {
		ps = append(ps, iep.Problem{Field: "note", Code: iep.CodeRequired, Detail: "say what else you want to see"})
	}
	if err := rq.Validate(); err != nil {
		var e *iep.Error
		if !errors.As(err, &e) || e.Kind != iep.KindInvalid {
			return nil, err
		}
		ps = append(ps, e.Problems...)
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.CreateRecordsRequestDetail(ctx, &rq); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventRecordsRequested, "", c.today, map[string]any{"request_id": rq.ID}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "create", auditRecordsRequest, rq.ID)
	})
	if err != nil {
		return nil, err
	}
	return s.requestView(ctx, c, rq)
}

// normalParts keeps each part once, in the form's order; "all" stands alone.
func normalParts(parts []string) []string {
	if slices.Contains(parts, store.RecordsAll) {
		return []string{store.RecordsAll}
	}
	var out []string
	for _, p := range store.RecordsParts {
		if slices.Contains(parts, p) {
			out = append(out, p)
		}
	}
	for _, p := range parts { // unknown ones stay, for Validate to name
		if !slices.Contains(store.RecordsParts, p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// requestView is one request with its clock, as stored after the step's transaction.
func (s *Service) requestView(ctx context.Context, c *step, rq store.RecordsRequestDetail) (*RecordsRequestView, error) {
	ds, err := s.db.ListStudentDeadlines(ctx, c.district, c.student)
	if err != nil {
		return nil, err
	}
	d, err := s.db.GetDistrict(ctx, c.district)
	if err != nil {
		return nil, err
	}
	guardians, err := s.db.ListGuardians(ctx, c.district, c.student)
	if err != nil {
		return nil, err
	}
	all, err := s.db.ListRecordsRequestDetails(ctx, c.district, c.student)
	if err != nil {
		return nil, err
	}
	for _, v := range requestViews(all, ds, s.packOf(ctx, d), c.today, guardians) {
		if v.ID == rq.ID {
			return &v, nil
		}
	}
	return nil, iep.Errorf(iep.KindInternal, "records request %s was not stored", rq.ID)
}

// ProvideRecordsInput is staff's record that a family's request was answered.
type ProvideRecordsInput struct {
	ProvidedOn date.Date `json:"provided_on"`
	// How is one of store.RecordsProvisions: inspected, copies_given, copies_sent, portal_export.
	How string `json:"provided_how"`
}

// StaffRecordsRequest is one records request as staff see it: the request, the student's
// directory entry, and today in the district.
type StaffRecordsRequest struct {
	RecordsRequestView
	Student iep.Student
	Today   date.Date
}

// StaffRecordsRequest returns one records request of a student for staff who may edit the
// student's plans (the form that records it provided). Families are answered not found. One
// audit entry: read of the request.
func (s *Service) StaffRecordsRequest(ctx context.Context, a Actor, districtID, studentID, requestID string) (*StaffRecordsRequest, error) {
	if a.SignedIn() && a.IsFamily() {
		return nil, iep.Errorf(iep.KindNotFound, "not found")
	}
	c, err := s.begin(ctx, a, access.EditPlan, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	rq, err := s.db.GetRecordsRequestDetail(ctx, districtID, studentID, requestID)
	if err != nil {
		return nil, err
	}
	v, err := s.requestView(ctx, c, *rq)
	if err != nil {
		return nil, err
	}
	st, err := s.db.GetStudent(ctx, districtID, studentID)
	if err != nil {
		return nil, err
	}
	return &StaffRecordsRequest{RecordsRequestView: *v, Student: directoryView(*st), Today: c.today},
		c.readAudit(ctx, auditRecordsRequest, requestID)
}

// ProvideRecords records that a family's records request was answered: the day and how, the
// records_provided event that meets the clock, and the audit entry, in one transaction. Staff
// who may edit the student's plans (the team, administrators); families are answered not found.
// Errors: invalid (no day, a day in the future or before the request, an unknown how), not found
// (no such request of the student), conflict (already provided), the policy's.
func (s *Service) ProvideRecords(ctx context.Context, a Actor, districtID, studentID, requestID string, in ProvideRecordsInput) (*RecordsRequestView, error) {
	if a.SignedIn() && a.IsFamily() {
		return nil, iep.Errorf(iep.KindNotFound, "not found")
	}
	c, err := s.begin(ctx, a, access.EditPlan, districtID, "student", studentID)
	if err != nil {
		return nil, err
	}
	rq, err := s.db.GetRecordsRequestDetail(ctx, districtID, studentID, requestID)
	if err != nil {
		return nil, err
	}
	if !rq.FulfilledOn.IsZero() {
		return nil, iep.Errorf(iep.KindConflict, "the records were already provided on %s", rq.FulfilledOn)
	}
	var ps iep.Problems
	switch {
	case in.ProvidedOn.IsZero():
		ps = append(ps, iep.Problem{Field: "provided_on", Code: iep.CodeRequired})
	case in.ProvidedOn.After(c.today):
		ps = append(ps, iep.Problem{Field: "provided_on", Code: iep.CodeInvalid, Detail: "a date in the future"})
	case in.ProvidedOn.Before(rq.RequestedOn):
		ps = append(ps, iep.Problem{Field: "provided_on", Code: iep.CodeDateOrder, Detail: "requested_on"})
	}
	if !slices.Contains(store.RecordsProvisions, in.How) {
		code := iep.CodeChoice
		if in.How == "" {
			code = iep.CodeRequired
		}
		ps = append(ps, iep.Problem{Field: "provided_how", Code: code, Detail: strings.Join(store.RecordsProvisions, ", ")})
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		if err := tx.ProvideRecords(ctx, districtID, studentID, requestID, in.ProvidedOn, in.How, a.ID); err != nil {
			return err
		}
		if err := c.event(ctx, tx, iep.EventRecordsProvided, "", in.ProvidedOn, map[string]any{"request_id": requestID}); err != nil {
			return err
		}
		return c.audit(ctx, tx, "update", auditRecordsRequest, requestID)
	})
	if err != nil {
		return nil, err
	}
	rq.FulfilledOn, rq.ProvidedHow, rq.ProvidedBy = in.ProvidedOn, in.How, a.ID
	return s.requestView(ctx, c, *rq)
}

// FamilyRights is the family's page of rights for a child: the district's rule pack (its clocks,
// its age of majority, its resources), and the child's age against the age of majority.
type FamilyRights struct {
	District iep.District
	Student  iep.Student
	Today    date.Date
	Pack     rules.Pack
	// Records is the records_request clock; ParentResponse the window to answer a proposed IEP
	// when the pack sets one (MA: 30 days; zero Amount otherwise).
	Records, ParentResponse rules.Rule
	// MajorityOn is the day the rights pass to the student (the pack's age of majority).
	MajorityOn date.Date
	// Adult is set when the reader is the student who holds their own rights.
	Adult               bool
	MayViewAccessRecord bool
}

// FamilyRights returns the rights page of a child for the family. Staff are answered not found.
// One audit entry: read of "rights".
func (s *Service) FamilyRights(ctx context.Context, a Actor, districtID, studentID string) (*FamilyRights, error) {
	dec, d, st, err := s.familyPage(ctx, a, access.ViewRecord, districtID, studentID)
	if err != nil {
		return nil, err
	}
	pack, err := s.districtPack(ctx, d)
	if err != nil {
		return nil, err
	}
	fr := &FamilyRights{District: *d, Student: *st, Today: s.today(d.Timezone), Pack: pack,
		Adult: dec.Reason == access.ReasonAdultStudent, MayViewAccessRecord: (&Record{Reason: dec.Reason}).MayViewAccessRecord()}
	fr.Records, _ = pack.Rule(RecordsClock)
	fr.ParentResponse, _ = pack.Rule("parent_response")
	if !st.BirthDate.IsZero() {
		fr.MajorityOn = st.BirthDate.AddYears(cmp.Or(pack.MajorityAge, access.DefaultMajorityAge))
	}
	if err := s.audit(ctx, a, dec, auditRead, auditRights, studentID, districtID, studentID); err != nil {
		return nil, err
	}
	return fr, nil
}
