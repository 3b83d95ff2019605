package app

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// importFixture is the app fixture with a student's plan history for the import of past
// service logs. Student "0":
//   - withdrawn: 2023-09-01 – 2024-08-31, proposed then ended without an answer (never in effect);
//   - earlier: 2024-09-01 – 2025-08-31, superseded; speech "sp" and occupational therapy "ot"
//     (the "ot" line runs to 2026-08-31);
//   - current: 2025-09-01 – 2026-08-31, accepted in part: the family rejected its "ot" line, so
//     the earlier plan's "ot" line holds; speech "sp", counseling "c1" and "c2" at once.
//
// Student "1" has no plan. Staff: slp@, sub@ and super@d.example; a stored missed speech
// session on 2025-10-01.
type importFixture struct {
	*fixture
	withdrawn, earlier, current string
	slp, sub, super             string
	storedMissed                string
}

func newImportFixture(t *testing.T) *importFixture {
	t.Helper()
	f := &importFixture{fixture: newFixture(t, 2)}
	ctx := context.Background()
	if err := f.svc.db.Write(ctx, f.seed); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return f
}

func importLine(id string, t iep.ServiceType, role iep.StaffRole, from, to string) iep.ServiceLine {
	return iep.ServiceLine{ID: id, Category: iep.CategoryRelated, Type: t, ProviderRole: role, Setting: iep.OutsideGeneralEducation,
		GroupSize: 1, MinutesPerSession: 30, SessionsPerPeriod: 2, Period: iep.PerWeek,
		StartDate: date.MustParse(from), EndDate: date.MustParse(to)}
}

func (f *importFixture) seed(tx *store.Tx) error {
	ctx := context.Background()
	for _, x := range []struct {
		id    *string
		email string
		role  iep.StaffRole
	}{{&f.slp, "slp@d.example", iep.RoleSpeechLanguage}, {&f.sub, "sub@d.example", iep.RoleSpeechLanguage}, {&f.super, "super@d.example", iep.RoleSpeechLanguage}} {
		st := iep.Staff{DistrictID: f.district, FirstName: "P", LastName: x.email, Email: x.email, Roles: []iep.StaffRole{x.role}, Active: true}
		if err := tx.CreateStaff(ctx, &st); err != nil {
			return err
		}
		*x.id = st.ID
	}
	g := &iep.Guardian{DistrictID: f.district, FirstName: "G", LastName: "Parent", PreferredLanguage: "en"}
	if err := tx.CreateGuardian(ctx, g); err != nil {
		return err
	}
	plan := func(id *string, status iep.PlanStatus, prev, from, to string, lines ...iep.ServiceLine) (*iep.Version, error) {
		p := &iep.Plan{DistrictID: f.district, StudentID: f.student, Kind: iep.PlanAnnual, Status: status, SchoolID: f.school,
			PreviousPlanID: prev, StartDate: date.MustParse(from), EndDate: date.MustParse(to),
			Content: iep.Content{Services: iep.Services{Lines: lines}}}
		if err := tx.CreatePlan(ctx, p, f.slp); err != nil {
			return nil, err
		}
		*id = p.ID
		return tx.FreezePlan(ctx, f.district, p.ID, f.slp)
	}
	if _, err := plan(&f.withdrawn, iep.StatusEnded, "", "2023-09-01", "2024-08-31",
		importLine("sp", iep.ServiceSpeechLanguage, iep.RoleSpeechLanguage, "2023-09-01", "2024-08-31")); err != nil {
		return err
	}
	if _, err := plan(&f.earlier, iep.StatusSuperseded, "", "2024-09-01", "2025-08-31",
		importLine("sp", iep.ServiceSpeechLanguage, iep.RoleSpeechLanguage, "2024-09-01", "2025-08-31"),
		importLine("ot", iep.ServiceOccupationalTherapy, iep.RoleOccupationalTherapist, "2024-09-01", "2026-08-31")); err != nil {
		return err
	}
	v, err := plan(&f.current, iep.StatusAcceptedInPart, f.earlier, "2025-09-01", "2026-08-31",
		importLine("sp", iep.ServiceSpeechLanguage, iep.RoleSpeechLanguage, "2025-09-01", "2026-08-31"),
		importLine("ot", iep.ServiceOccupationalTherapy, iep.RoleOccupationalTherapist, "2025-09-01", "2026-08-31"),
		importLine("c1", iep.ServiceCounseling, iep.RoleSchoolCounselor, "2025-09-01", "2026-08-31"),
		importLine("c2", iep.ServiceCounseling, iep.RoleSchoolCounselor, "2025-09-01", "2026-08-31"))
	if err != nil {
		return err
	}
	if err := tx.CreateResponse(ctx, &iep.Response{DistrictID: f.district, PlanID: f.current, VersionID: v.ID, VersionSHA256: v.SHA256,
		GuardianID: g.ID, Decision: iep.AcceptInPart, RejectedServices: []string{"ot"}, RespondedOn: date.MustParse("2025-08-25"),
		Signature: &iep.Signature{Method: "electronic", TypedName: "G Parent", Attestation: "I agree"}}); err != nil {
		return err
	}
	// The fixture's draft is cancelled: the plans above are the student's history.
	draft, err := tx.GetPlan(ctx, f.district, f.planID)
	if err != nil {
		return err
	}
	draft.Status = iep.StatusCancelled
	if err := tx.UpdatePlanHeader(ctx, draft); err != nil {
		return err
	}
	l := &iep.ServiceLog{DistrictID: f.district, StudentID: f.student, PlanID: f.current, ServiceLineID: "sp", Date: date.MustParse("2025-10-01"),
		Status: iep.SessionMissed, MissedReason: iep.MissedProviderAbsent, GroupSize: 1, ProviderID: f.slp}
	err = tx.CreateServiceLog(ctx, l)
	f.storedMissed = l.ID
	return err
}

// cleanFile has a byte-order mark, CRLF line ends, a quoted note with a comma and a quote, and
// e-mail addresses in mixed case: eight rows, every one good.
const cleanFile = "\ufeffstudent_local_id,date,service_type,service_line_id,minutes,status,missed_reason,make_up_of_date,provider_email,substitute_email,group_size,note,medicaid_billable,medicaid_supervisor_email,medicaid_omit_reason\r\n" +
	"0,2025-10-06,speech_language_therapy,,30,delivered,,,slp@d.example,,,\"Worked on /r/, then \"\"th\"\"\",no,,\r\n" + // 2
	"0,2025-10-08,speech_language_therapy,,,missed,student_absent,,slp@d.example,,,,,,\r\n" + // 3
	"0,2025-10-10,Speech_Language_Therapy,,30,make_up,,2025-10-08,SLP@d.example,sub@d.example,2,,yes,super@d.example,\r\n" + // 4
	"0,2025-10-13,speech_language_therapy,,25,make_up,,2025-10-01,slp@d.example,,,,,,\r\n" + // 5: makes up the stored one
	"0,2025-10-15,occupational_therapy,,45,delivered,,,slp@d.example,,,,,,\r\n" + // 6: the earlier plan's line holds
	"0,2025-03-03,speech_language_therapy,,30,delivered,,,slp@d.example,,,,,,\r\n" + // 7: the superseded plan's line
	"0,2025-10-20,,c2,40,delivered,,,slp@d.example,,,,,,\r\n" + // 8
	"0,2025-10-21,speech_language_therapy,,30,delivered,,,slp@d.example,,1,,yes,,No parental consent on file\r\n" // 9

func (f *importFixture) importFile(t *testing.T, a Actor, file string, skipInvalid bool) (*ServiceLogImport, error) {
	t.Helper()
	return f.svc.ImportServiceLogs(context.Background(), a, f.district, strings.NewReader(file), skipInvalid)
}

func (f *importFixture) logs(t *testing.T) []iep.ServiceLog {
	t.Helper()
	logs, err := f.svc.db.ListServiceLogs(context.Background(), f.district, f.student, date.Date{}, date.Date{})
	if err != nil {
		t.Fatal(err)
	}
	return logs
}

func (f *importFixture) importAudits(t *testing.T) []store.AuditEntry {
	t.Helper()
	entries, err := f.svc.db.ListAudit(context.Background(), f.district, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(entries, func(e store.AuditEntry) bool { return e.Action != "import" })
}

// TestImportServiceLogsClean: every row of a clean file is stored on the right plan and line,
// with its status, minutes, substitute, Medicaid fields and note; each make-up points at the
// missed log it makes up (one of the file, one stored before); one audit entry of counts, no
// ledger event. Importing the same file again adds nothing.
func TestImportServiceLogsClean(t *testing.T) {
	f := newImportFixture(t)
	ctx := context.Background()
	events, _ := f.svc.db.ListEvents(ctx, f.district, f.student)
	res, err := f.importFile(t, f.admin, cleanFile, false)
	if err != nil {
		t.Fatal(err)
	}
	want := ServiceLogImport{Rows: 8, Valid: 8, Imported: 8, Written: true}
	if diff := cmp.Diff(want, *res); diff != "" {
		t.Fatalf("import (-want +got):\n%s", diff)
	}
	type got struct {
		Plan, Line, Status string
		Minutes, Group     int
		MakeUpOf, Sub      string
		Billable, Omit     bool
		Super, OmitReason  string
		Note               string
	}
	byDay := map[string]iep.ServiceLog{}
	for _, l := range f.logs(t) {
		byDay[l.Date.String()] = l
	}
	missedInFile := byDay["2025-10-08"].ID
	for _, tt := range []struct {
		day  string
		want got
	}{
		{"2025-10-06", got{Plan: f.current, Line: "sp", Status: "delivered", Minutes: 30, Group: 1, Note: `Worked on /r/, then "th"`}},
		{"2025-10-08", got{Plan: f.current, Line: "sp", Status: "missed", Group: 1}},
		{"2025-10-10", got{Plan: f.current, Line: "sp", Status: "make_up", Minutes: 30, Group: 2, MakeUpOf: missedInFile, Sub: f.sub, Billable: true, Super: f.super}},
		{"2025-10-13", got{Plan: f.current, Line: "sp", Status: "make_up", Minutes: 25, Group: 1, MakeUpOf: f.storedMissed}},
		{"2025-10-15", got{Plan: f.earlier, Line: "ot", Status: "delivered", Minutes: 45, Group: 1}},
		{"2025-03-03", got{Plan: f.earlier, Line: "sp", Status: "delivered", Minutes: 30, Group: 1}},
		{"2025-10-20", got{Plan: f.current, Line: "c2", Status: "delivered", Minutes: 40, Group: 1}},
		{"2025-10-21", got{Plan: f.current, Line: "sp", Status: "delivered", Minutes: 30, Group: 1, Billable: true, Omit: true, OmitReason: "No parental consent on file"}},
	} {
		l, ok := byDay[tt.day]
		if !ok {
			t.Errorf("no log stored on %s", tt.day)
			continue
		}
		g := got{l.PlanID, l.ServiceLineID, string(l.Status), l.Minutes, l.GroupSize, l.MakeUpOf, l.ActualProviderID,
			l.Medicaid.Billable, l.Medicaid.OmitFromBilling, l.Medicaid.SupervisorID, l.Medicaid.OmitReason, l.Note}
		if diff := cmp.Diff(tt.want, g); diff != "" {
			t.Errorf("log of %s (-want +got):\n%s", tt.day, diff)
		}
		if l.ProviderID != f.slp {
			t.Errorf("log of %s: provider %s, want %s", tt.day, l.ProviderID, f.slp)
		}
	}
	if missedInFile == "" || byDay["2025-10-08"].MissedReason != iep.MissedStudentAbsent {
		t.Errorf("the missed session of 2025-10-08 = %+v", byDay["2025-10-08"])
	}
	audits := f.importAudits(t)
	if len(audits) != 1 || audits[0].RecordKind != "service_log" || audits[0].RecordID != "imported=8 present=0 skipped=0" ||
		audits[0].ActorID != f.admin.ID || audits[0].Reason != "district_admin" || audits[0].StudentID != "" {
		t.Errorf("audit = %+v, want one import entry of counts", audits)
	}
	if after, _ := f.svc.db.ListEvents(ctx, f.district, f.student); len(after) != len(events) {
		t.Errorf("the import recorded %d ledger events, want none", len(after)-len(events))
	}

	// Again: every row is already there.
	again, err := f.importFile(t, f.admin, cleanFile, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := (ServiceLogImport{Rows: 8, Valid: 8, Present: 8, Written: true}); !cmp.Equal(want, *again) {
		t.Errorf("second import = %+v, want %+v", *again, want)
	}
	if n := len(f.logs(t)); n != 9 {
		t.Errorf("%d logs after the second import, want 9 (the stored one and eight)", n)
	}
}

// errorFile has one good row and a problem on every other line.
const errorFile = "student_local_id,date,service_type,service_line_id,minutes,status,missed_reason,make_up_of_date,provider_email\n" +
	"0,2025-10-06,speech_language_therapy,,30,delivered,,,slp@d.example\n" + // 2: good
	"nope,2025-10-06,speech_language_therapy,,30,delivered,,,slp@d.example\n" + // 3
	"0,10/06/2025,speech_language_therapy,,30,delivered,,,slp@d.example\n" + // 4
	"0,2024-01-10,speech_language_therapy,,30,delivered,,,slp@d.example\n" + // 5: the withdrawn plan was never in effect
	"1,2025-10-06,speech_language_therapy,,30,delivered,,,slp@d.example\n" + // 6: no plan at all
	"0,2025-10-06,speech_language_therapy,,30,delivered,,,nobody@d.example\n" + // 7
	"0,2025-10-06,counseling,,30,delivered,,,slp@d.example\n" + // 8: c1 and c2
	"0,2025-10-06,speech_language_therapy,,abc,done,,,slp@d.example\n" + // 9
	"0,2025-10-10,speech_language_therapy,,30,make_up,,2025-10-07,slp@d.example\n" + // 10: nothing missed that day
	"0,2025-10-09,speech_language_therapy,,30,missed,student_absent,,slp@d.example\n" + // 11: minutes on a missed session
	"0,2025-10-12,speech_language_therapy,,30,make_up,,2025-10-09,slp@d.example\n" + // 12: makes up line 11
	"0,2026-04-01,speech_language_therapy,,30,delivered,,,slp@d.example\n" + // 13: after today
	"0,2025-10-06,speech_language_therapy,c1,30,delivered,student_absent,,slp@d.example\n" + // 14
	"0,2025-10-06\n" // 15

// TestImportServiceLogsErrors: a file with problems imports nothing and names each problem by
// line and column; asked for the good rows, it imports those only and lists the lines skipped.
func TestImportServiceLogsErrors(t *testing.T) {
	f := newImportFixture(t)
	res, err := f.importFile(t, f.admin, errorFile, false)
	if err != nil {
		t.Fatal(err)
	}
	type at struct {
		Line         int
		Column, Code string
	}
	var got []at
	for _, p := range res.Problems {
		got = append(got, at{p.Line, p.Field, p.Code})
	}
	want := []at{
		{3, "student_local_id", "unknown_student"},
		{4, "date", "date"},
		{5, "date", "no_plan"},
		{6, "date", "no_plan"},
		{7, "provider_email", "unknown_staff"},
		{8, "service_type", "ambiguous_line"},
		{9, "minutes", "whole_number"},
		{9, "status", "choice"},
		{10, "make_up_of_date", "no_missed"},
		{11, "minutes", "range"},
		{12, "make_up_of_date", "missed_has_errors"},
		{13, "date", "future"},
		{14, "service_type", "line_type"},
		{14, "missed_reason", "only_missed"},
		{15, "", "field_count"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if res.Rows != 14 || res.Valid != 1 || res.Invalid != 13 || res.Written || res.Imported != 0 {
		t.Errorf("counts = %+v, want 14 rows, 1 valid, 13 with problems, nothing written", res)
	}
	for _, p := range res.Problems {
		switch p.Line {
		case 8:
			if p.Detail != "c1, c2" {
				t.Errorf("ambiguous line detail = %q, want the two lines", p.Detail)
			}
		case 12:
			if p.Detail != "11" {
				t.Errorf("missed_has_errors detail = %q, want line 11", p.Detail)
			}
		}
	}
	if n := len(f.logs(t)); n != 1 || len(f.importAudits(t)) != 0 {
		t.Fatalf("a refused file wrote %d logs and %d audit entries", n-1, len(f.importAudits(t)))
	}

	res, err = f.importFile(t, f.admin, errorFile, true)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Written || res.Imported != 1 || !slices.Equal(res.Skipped, []int{3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}) {
		t.Errorf("good rows only = %+v, want line 2 imported and the others skipped", res)
	}
	logs := f.logs(t)
	if len(logs) != 2 || !slices.ContainsFunc(logs, func(l iep.ServiceLog) bool { return l.Date == date.MustParse("2025-10-06") && l.ServiceLineID == "sp" }) {
		t.Errorf("logs after importing the good rows = %+v", logs)
	}
	if a := f.importAudits(t); len(a) != 1 || a[0].RecordID != "imported=1 present=0 skipped=13" {
		t.Errorf("audit = %+v", a)
	}
}

// TestImportServiceLogsFile: a file that cannot be read as a whole is refused at "file", with
// nothing written.
func TestImportServiceLogsFile(t *testing.T) {
	f := newImportFixture(t)
	many := "student_id,date,service_type,minutes,status,provider_email\n" + strings.Repeat("x,2025-10-06,counseling,30,delivered,a@b\n", MaxImportRows+1)
	for _, tt := range []struct {
		name, file, code string
	}{
		{"empty", "", "empty"},
		{"header only", "student_id,date,service_type,minutes,status,provider_email\n", "no_rows"},
		{"a student column missing", "date,service_type,minutes,status,provider_email\nx,y,z,1,2\n", "missing_student_column"},
		{"a service column missing", "student_id,date,minutes,status,provider_email\nx,y,z,1,2\n", "missing_service_column"},
		{"minutes missing", "student_id,date,service_type,status,provider_email\nx,y,z,1,2\n", "missing_column"},
		{"an unknown column", "student_id,date,service_type,minutes,status,provider_email,minuts\n0,2025-10-06,counseling,30,delivered,a@b,1\n", "unknown_column"},
		{"a column twice", "student_id,date,service_type,minutes,status,provider_email,date\n0,2025-10-06,counseling,30,delivered,a@b,x\n", "duplicate_column"},
		{"a stray quote", "student_id,date,service_type,minutes,status,provider_email\n0,2025-10-06,coun\"seling,30,delivered,a@b\n", "csv"},
		{"too many rows", many, "too_many_rows"},
	} {
		_, err := f.importFile(t, f.admin, tt.file, true)
		var codes []string
		var e *iep.Error
		if errors.As(err, &e) && e.Kind == iep.KindInvalid {
			for _, p := range e.Problems {
				if p.Field == "file" {
					codes = append(codes, p.Code)
				}
			}
		}
		if !slices.Contains(codes, tt.code) {
			t.Errorf("%s: err = %v, want a problem %s at file", tt.name, err, tt.code)
		}
	}
	if n := len(f.logs(t)); n != 1 || len(f.importAudits(t)) != 0 {
		t.Errorf("refused files wrote %d logs, %d audit entries", n-1, len(f.importAudits(t)))
	}
}

// TestImportServiceLogsInvalidUTF8: a cell that is not UTF-8 is a problem at its column.
func TestImportServiceLogsInvalidUTF8(t *testing.T) {
	f := newImportFixture(t)
	file := "student_local_id,date,service_type,minutes,status,provider_email,note\n0,2025-10-06,speech_language_therapy,30,delivered,slp@d.example,caf\xe9\n"
	res, err := f.importFile(t, f.admin, file, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Problems) != 1 || res.Problems[0].Field != "note" || res.Problems[0].Code != "encoding" {
		t.Errorf("problems = %+v, want encoding at note", res.Problems)
	}
}

// TestImportServiceLogsRefused: only the district's administrators import; nothing is read or
// written for anyone else.
func TestImportServiceLogsRefused(t *testing.T) {
	f := newImportFixture(t)
	caseManager := Actor{Kind: ActorStaff, ID: f.slp, DistrictID: f.district, AccountID: "acc-slp", Roles: []iep.StaffRole{iep.RoleCaseManager, iep.RoleSpeechLanguage}}
	for _, tt := range []struct {
		name string
		a    Actor
		kind iep.Kind
	}{
		{"a case manager", caseManager, iep.KindForbidden},
		{"another district's administrator", f.otherAdmin, iep.KindNotFound},
		{"nobody", Anonymous, iep.KindUnauthenticated},
	} {
		if _, err := f.importFile(t, tt.a, cleanFile, true); iep.KindOf(err) != tt.kind {
			t.Errorf("%s: err = %v, want kind %v", tt.name, err, tt.kind)
		}
		if _, err := f.svc.ServiceLogImportForm(context.Background(), tt.a, f.district); iep.KindOf(err) != tt.kind {
			t.Errorf("%s: the form: err = %v, want kind %v", tt.name, err, tt.kind)
		}
	}
	if n := len(f.logs(t)); n != 1 || len(f.importAudits(t)) != 0 {
		t.Errorf("refused imports wrote %d logs, %d audit entries", n-1, len(f.importAudits(t)))
	}
}

// TestImportServiceLogsVolume imports 10,000 sessions of one student in one file, and again
// (every row then present); -v shows how long each took.
func TestImportServiceLogsVolume(t *testing.T) {
	const rows = 10_000
	var sb strings.Builder
	sb.WriteString("student_local_id,date,service_type,minutes,status,provider_email,note\n")
	day := date.MustParse("2025-09-01")
	for i := range rows {
		fmt.Fprintf(&sb, "0,%s,speech_language_therapy,%d,delivered,slp@d.example,session %d\n", day.AddDays(i%190), 1+i%480, i)
	}
	f := newImportFixture(t)
	for _, want := range []ServiceLogImport{{Rows: rows, Valid: rows, Imported: rows, Written: true}, {Rows: rows, Valid: rows, Present: rows, Written: true}} {
		start := time.Now()
		res, err := f.importFile(t, f.admin, sb.String(), false)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d rows: %d imported, %d present in %v", rows, res.Imported, res.Present, time.Since(start))
		if !cmp.Equal(want, *res) {
			t.Errorf("import = %+v, want %+v", *res, want)
		}
	}
	if n := len(f.logs(t)); n != rows+1 {
		t.Errorf("%d logs stored, want %d", n, rows+1)
	}
}
