package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/rules"
	"github.com/openiep/openiep/internal/store"
)

// problemsAt returns the fields of an invalid error's problems.
func problemsAt(err error) []string {
	var e *iep.Error
	if !errors.As(err, &e) || e.Kind != iep.KindInvalid {
		return nil
	}
	var fs []string
	for _, p := range e.Problems {
		fs = append(fs, p.Field)
	}
	return fs
}

// A family asks to see the records: the request lands with the day the school must answer by
// (MA: 10 days), the ledger has the event that starts the clock, the audit trail one entry; the
// staff record that they were provided meets the clock, once.
func TestRecordsRequestClock(t *testing.T) {
	f := newFamilyFixture(t)
	ctx := context.Background()
	today := date.MustParse("2026-03-15") // testNow in New York

	// Refusals name their fields and write nothing.
	for _, tt := range []struct {
		in    RecordsRequestInput
		field string
	}{
		{RecordsRequestInput{Delivery: store.RecordsCopies}, "parts"},
		{RecordsRequestInput{Parts: []string{"diary"}, Delivery: store.RecordsCopies}, "parts"},
		{RecordsRequestInput{Parts: []string{store.RecordsPlans}}, "delivery"},
		{RecordsRequestInput{Parts: []string{store.RecordsPlans}, Delivery: "fax"}, "delivery"},
		{RecordsRequestInput{Parts: []string{store.RecordsOther}, Delivery: store.RecordsInspect, Note: "  "}, "note"},
	} {
		_, err := f.svc.RequestRecords(ctx, f.parent, f.district, f.student, tt.in)
		if !slices.Contains(problemsAt(err), tt.field) {
			t.Errorf("RequestRecords(%+v) = %v, want a problem at %s", tt.in, err, tt.field)
		}
	}
	if rs, _ := f.svc.db.ListRecordsRequestDetails(ctx, f.district, f.student); len(rs) != 0 {
		t.Fatalf("refused requests were stored: %+v", rs)
	}
	// Staff do not ask through the family's page; another family finds nothing.
	for name, a := range map[string]Actor{"staff": f.staff, "another family": f.stranger} {
		_, err := f.svc.RequestRecords(ctx, a, f.district, f.student, RecordsRequestInput{Parts: []string{store.RecordsAll}, Delivery: store.RecordsCopies})
		if iep.KindOf(err) != iep.KindNotFound {
			t.Errorf("%s: RequestRecords = %v, want not found", name, err)
		}
	}

	v, err := f.svc.RequestRecords(ctx, f.parent, f.district, f.student, RecordsRequestInput{
		Parts: []string{store.RecordsServices, store.RecordsEvaluations, store.RecordsServices}, Delivery: store.RecordsCopies, Note: " The therapist's notes "})
	if err != nil {
		t.Fatal(err)
	}
	if v.RequestedOn != today || v.Due != today.AddDays(10) || v.Status.Code != "upcoming" || v.RequestedBy != "Rosa Family" ||
		!slices.Equal(v.Parts, []string{store.RecordsEvaluations, store.RecordsServices}) || v.Note != "The therapist's notes" || !v.Open() {
		t.Errorf("request = %+v, want asked today, due in 10 days (MA)", v)
	}
	events, _ := f.svc.db.ListEvents(ctx, f.district, f.student)
	if n := slices.IndexFunc(events, func(e iep.Event) bool { return e.Kind == iep.EventRecordsRequested }); n < 0 ||
		rules.DataString(&events[n], "request_id") != v.ID || events[n].OccurredOn != today {
		t.Errorf("no records_requested event naming the request: %+v", events)
	}
	entries, _ := f.svc.db.ListAudit(ctx, f.district, f.student, 0)
	if len(entries) != 1 || entries[0].Action != "create" || entries[0].RecordKind != "records_request" || entries[0].RecordID != v.ID {
		t.Errorf("audit = %+v", entries)
	}

	// The family's page lists it with its due date; so does the staff's record.
	fr, err := f.svc.FamilyRecords(ctx, f.parent, f.district, f.student)
	if err != nil {
		t.Fatal(err)
	}
	if len(fr.Requests) != 1 || fr.Requests[0].Due != v.Due || fr.Clock.Amount != 10 || !fr.MayRequest || !fr.MayViewAccessRecord {
		t.Errorf("family records page = %+v", fr)
	}
	rec, err := f.svc.StudentRecord(ctx, f.staff, f.district, f.student)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.RecordsRequests) != 1 || rec.RecordsRequests[0].Due != v.Due || !rec.MayEdit {
		t.Errorf("staff record's requests = %+v (may edit %v)", rec.RecordsRequests, rec.MayEdit)
	}

	// Staff record that they were provided: refused for the family, in the future, before the
	// request, an unknown way; then met, once.
	provide := func(a Actor, on date.Date, how string) (*RecordsRequestView, error) {
		return f.svc.ProvideRecords(ctx, a, f.district, f.student, v.ID, ProvideRecordsInput{ProvidedOn: on, How: how})
	}
	if _, err := provide(f.parent, today, store.ProvidedSent); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("the family recording it provided: %v, want not found", err)
	}
	for _, tt := range []struct {
		on    date.Date
		how   string
		field string
	}{{today.AddDays(1), store.ProvidedSent, "provided_on"}, {today.AddDays(-1), store.ProvidedSent, "provided_on"},
		{date.Date{}, store.ProvidedSent, "provided_on"}, {today, "carrier pigeon", "provided_how"}, {today, "", "provided_how"}} {
		if _, err := provide(f.staff, tt.on, tt.how); !slices.Contains(problemsAt(err), tt.field) {
			t.Errorf("ProvideRecords(%s, %q) = %v, want a problem at %s", tt.on, tt.how, err, tt.field)
		}
	}
	done, err := provide(f.staff, today, store.ProvidedSent)
	if err != nil {
		t.Fatal(err)
	}
	if done.FulfilledOn != today || done.Status.Code != "met" || done.ProvidedBy != f.staff.ID || done.Open() {
		t.Errorf("provided = %+v, want met today", done)
	}
	if _, err := provide(f.admin, today, store.ProvidedGiven); iep.KindOf(err) != iep.KindConflict {
		t.Errorf("providing twice = %v, want a conflict", err)
	}
	ds, _ := f.svc.db.ListStudentDeadlines(ctx, f.district, f.student)
	if i := slices.IndexFunc(ds, func(d store.Deadline) bool { return d.Clock == RecordsClock }); i < 0 || ds[i].MetOn != today {
		t.Errorf("the records clock is not met: %+v", ds)
	}
	// The staff's page of the request.
	sv, err := f.svc.StaffRecordsRequest(ctx, f.admin, f.district, f.student, v.ID)
	if err != nil || sv.Status.Code != "met" || sv.Student.ID != f.student || sv.Today != today {
		t.Errorf("StaffRecordsRequest = %+v, %v", sv, err)
	}
	if _, err := f.svc.StaffRecordsRequest(ctx, f.parent, f.district, f.student, v.ID); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("StaffRecordsRequest as the family = %v, want not found", err)
	}
}

// With a meeting before the pack's days run out, the school must answer by the meeting
// (34 CFR 300.613(a): before any meeting regarding an IEP).
func TestRecordsRequestDueBeforeMeeting(t *testing.T) {
	f := newFamilyFixture(t)
	ctx := context.Background()
	meetingOn := date.MustParse("2026-03-19")
	err := f.svc.db.Write(ctx, func(tx *store.Tx) error {
		return tx.AppendEvent(ctx, &iep.Event{DistrictID: f.district, StudentID: f.student, PlanID: f.plan, Kind: iep.EventMeetingNoticeSent,
			OccurredOn: date.MustParse("2026-03-09"), ActorID: f.staff.ID,
			Data: json.RawMessage(`{"meeting_id":"m1","meeting_on":"` + meetingOn.String() + `"}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.RequestRecords(ctx, f.parent, f.district, f.student, RecordsRequestInput{Parts: []string{store.RecordsAll}, Delivery: store.RecordsInspect})
	if err != nil {
		t.Fatal(err)
	}
	if v.Due != meetingOn {
		t.Errorf("due %s, want the meeting's day %s", v.Due, meetingOn)
	}
}

func TestFamilyRights(t *testing.T) {
	f := newFamilyFixture(t)
	ctx := context.Background()
	fr, err := f.svc.FamilyRights(ctx, f.parent, f.district, f.student)
	if err != nil {
		t.Fatal(err)
	}
	if fr.Pack.ID != "MA" || fr.Records.Amount != 10 || fr.ParentResponse.Amount != 30 || fr.Adult ||
		fr.MajorityOn != date.MustParse("2033-01-01") || !fr.MayViewAccessRecord {
		t.Errorf("rights = pack %s, records %d days, response %d days, majority %s, adult %v", fr.Pack.ID, fr.Records.Amount,
			fr.ParentResponse.Amount, fr.MajorityOn, fr.Adult)
	}
	if rs := fr.Pack.ResourcesOf(rules.ResourceComplaint); len(rs) == 0 || rs[0].ID != "ma_prs" {
		t.Errorf("MA's complaint office: %+v", rs)
	}
	entries, _ := f.svc.db.ListAudit(ctx, f.district, f.student, 0)
	if len(entries) != 1 || entries[0].RecordKind != "rights" {
		t.Errorf("audit = %+v, want one read of rights", entries)
	}
	for name, a := range map[string]Actor{"staff": f.staff, "another family": f.stranger} {
		if _, err := f.svc.FamilyRights(ctx, a, f.district, f.student); iep.KindOf(err) != iep.KindNotFound {
			t.Errorf("%s: FamilyRights = %v, want not found", name, err)
		}
	}
}

// The whole record: every plan the family may see with its frozen versions, the logs, the
// ledger, the documents byte for byte, and a JSON form that decodes; one audit entry (export).
func TestExportRecord(t *testing.T) {
	f := newFamilyFixture(t)
	ctx := context.Background()
	pdf := []byte("%PDF-1.4 the evaluation report\n%%EOF\n")
	err := f.svc.db.Write(ctx, func(tx *store.Tx) error {
		return tx.CreateDocument(ctx, &iep.Document{DistrictID: f.district, StudentID: f.student, Name: "evaluation.pdf",
			MediaType: "application/pdf", UploadedBy: f.staff.ID}, pdf)
	})
	if err != nil {
		t.Fatal(err)
	}
	w, err := f.svc.ExportRecord(ctx, f.parent, f.district, f.student)
	if err != nil {
		t.Fatal(err)
	}
	// The cancelled draft was never shared: the family does not see it.
	if len(w.Plans) != 1 || w.Plans[0].Plan.ID != f.plan || len(w.Plans[0].Versions) != 1 ||
		w.Plans[0].Versions[0].Plan.Content.Goals.Goals[0].ID != "g1" || len(w.Plans[0].ProgressReports) != 2 {
		t.Fatalf("plans = %+v", w.Plans)
	}
	if v := w.Plans[0].Versions[0]; !iep.VerifyVersion(&iep.Version{Canonical: v.Canonical, SHA256: v.SHA256}) {
		t.Error("the version's canonical bytes do not match its hash")
	}
	if len(w.ServiceLogs) != 5 || len(w.Documents) != 1 || w.Name(f.staff.ID) != "Case Manager" || w.Name(f.parent.ID) != "Rosa Family" {
		t.Errorf("logs %d, documents %d, people %v", len(w.ServiceLogs), len(w.Documents), w.People)
	}
	var got [][]byte
	if err := w.EachDocument(ctx, func(d iep.Document, b []byte) error { got = append(got, b); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !bytes.Equal(got[0], pdf) {
		t.Errorf("documents = %q", got)
	}
	var buf bytes.Buffer
	if err := w.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	var decoded struct {
		Format string `json:"format"`
		Plans  []struct {
			Versions []struct {
				SHA256 string   `json:"sha256"`
				Frozen iep.Plan `json:"frozen"`
			} `json:"versions"`
		} `json:"plans"`
		ServiceLogs []iep.ServiceLog `json:"service_logs"`
		Events      []iep.Event      `json:"events"`
	}
	if err := json.Unmarshal(buf.Bytes(), &decoded); err != nil {
		t.Fatalf("record.json does not decode: %v\n%s", err, buf.String())
	}
	if decoded.Format != "openiep.whole_record.v1" || len(decoded.Plans) != 1 || decoded.Plans[0].Versions[0].SHA256 != w.Plans[0].Versions[0].SHA256 ||
		len(decoded.ServiceLogs) != 5 {
		t.Errorf("record.json = %+v", decoded)
	}
	entries, _ := f.svc.db.ListAudit(ctx, f.district, f.student, 0)
	if len(entries) != 1 || entries[0].Action != "export" || entries[0].RecordKind != "student" {
		t.Errorf("audit = %+v, want one export", entries)
	}
	for name, a := range map[string]Actor{"staff": f.staff, "administrator": f.admin, "another family": f.stranger} {
		if _, err := f.svc.ExportRecord(ctx, a, f.district, f.student); iep.KindOf(err) != iep.KindNotFound {
			t.Errorf("%s: ExportRecord = %v, want not found", name, err)
		}
	}
}
