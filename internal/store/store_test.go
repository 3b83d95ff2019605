package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

// The contract suite: every test below runs on SQLite and on PostgreSQL, as
// TestStore/<engine>/<name>. PostgreSQL comes from $OPENIEP_TEST_POSTGRES (default: local trust
// auth); TestMain creates a database of its own there and drops it at the end. Tests isolate
// themselves by creating their own district.

var contract = []struct {
	name string
	fn   func(*testing.T, *DB)
}{
	{"MigrationsIdempotent", testMigrationsIdempotent},
	{"DistrictRoundTrip", testDistrictRoundTrip},
	{"OrgRoundTrip", testOrgRoundTrip},
	{"CalendarUpsert", testCalendarUpsert},
	{"StudentRoundTrip", testStudentRoundTrip},
	{"CreateStudentsBatch", testCreateStudentsBatch},
	{"GuardiansRoundTrip", testGuardiansRoundTrip},
	{"ValidationWritesNothing", testValidationWritesNothing},
	{"NotFound", testNotFound},
	{"Tenancy", testTenancy},
	{"ConflictsAndReferences", testConflictsAndReferences},
	{"ListStudentsPaging", testListStudentsPaging},
	{"CountStudents", testCountStudents},
	{"CountStudentsBySchool", testCountStudentsBySchool},
	{"CurrentPlan", testCurrentPlan},
	{"CurrentPlanRace", testCurrentPlanRace},
	{"PlanRoundTrip", testPlanRoundTrip},
	{"SaveSection", testSaveSection},
	{"SaveSectionConflict", testSaveSectionConflict},
	{"SaveSectionInvalid", testSaveSectionInvalid},
	{"SaveSectionNotDraft", testSaveSectionNotDraft},
	{"SaveSectionRace", testSaveSectionRace},
	{"SectionHistory", testSectionHistory},
	{"UpdatePlanHeader", testUpdatePlanHeader},
	{"FreezePlan", testFreezePlan},
	{"VersionsImmutable", testVersionsImmutable},
	{"EventsAppendOnly", testEventsAppendOnly},
	{"Responses", testResponses},
	{"TeamAndMeetings", testTeamAndMeetings},
	{"ProcessRoundTrip", testProcessRoundTrip},
	{"ProcessRecords", testProcessRecords},
	{"DeliveryRoundTrip", testDeliveryRoundTrip},
	{"EventsOrder", testEventsOrder},
	{"Rollback", testRollback},
	{"SearchStudents", testSearchStudents},
	{"Caseload", testCaseload},
	{"Banks", testBanks},
	{"RecordsRequestDetails", testRecordsRequestDetails},
}

func TestStore(t *testing.T) {
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			db := openTestDB(t, engine)
			for _, c := range contract {
				t.Run(c.name, func(t *testing.T) { c.fn(t, db) })
			}
		})
	}
}

// pgDSN is the DSN of this run's own PostgreSQL database; pgProblem says why there is none.
var pgDSN, pgProblem string

func TestMain(m *testing.M) {
	drop := setupPostgres()
	code := m.Run()
	drop()
	os.Exit(code)
}

func setupPostgres() (drop func()) {
	base := os.Getenv("OPENIEP_TEST_POSTGRES")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	fail := func(err error) func() {
		pgProblem = fmt.Sprintf("PostgreSQL is not reachable at %s: %v", redacted(base), err)
		fmt.Fprintf(os.Stderr, "\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n!! %s\n!! the PostgreSQL half of the store suite will %s\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n",
			pgProblem, map[bool]string{true: "FAIL (CI=true)", false: "be SKIPPED"}[os.Getenv("CI") == "true"])
		return func() {}
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		admin.Close()
		return fail(err)
	}
	name := "openiep_test_" + randomHex(6)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return fail(err)
	}
	u, err := url.Parse(base)
	if err != nil {
		admin.Close()
		return fail(err)
	}
	u.Path = "/" + name
	pgDSN = u.String()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "store tests: drop database %s: %v\n", name, err)
		}
		admin.Close()
	}
}

func redacted(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparsable DSN)"
	}
	return u.Redacted()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// dsns remembers the DSN each test DB was opened with (for tests that open it again).
var dsns sync.Map

// testClock is an injected clock: each reading is one second after the previous one.
func testClock() func() time.Time {
	var n atomic.Int64
	base := time.Date(2026, 9, 1, 12, 0, 0, 123456000, time.UTC)
	return func() time.Time { return base.Add(time.Duration(n.Add(1)) * time.Second) }
}

func openTestDB(t *testing.T, engine string) *DB {
	t.Helper()
	var dsn string
	switch engine {
	case "sqlite":
		dsn = filepath.Join(t.TempDir(), "openiep.db")
	case "postgres":
		if pgDSN == "" {
			if os.Getenv("CI") == "true" {
				t.Fatal(pgProblem)
			}
			t.Skip(pgProblem)
		}
		dsn = pgDSN
	}
	db, err := Open(context.Background(), dsn, Options{Now: testClock()})
	if err != nil {
		t.Fatalf("Open(%s) = %v", engine, err)
	}
	dsns.Store(db, dsn)
	t.Cleanup(func() { db.Close() })
	if db.Engine() != engine {
		t.Fatalf("Engine() = %q, want %q", db.Engine(), engine)
	}
	return db
}

func mustWrite(t testing.TB, db *DB, fn func(tx *Tx) error) {
	t.Helper()
	if err := db.Write(context.Background(), fn); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

// wantKind fails the test unless err is of kind k.
func wantKind(t testing.TB, err error, k iep.Kind, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s = nil error, want kind %s", what, k)
	}
	if got := iep.KindOf(err); got != k {
		t.Fatalf("%s: kind = %s (%v), want %s", what, got, err, k)
	}
}

// fields returns the field names of an invalid error's problems.
func problemFields(err error) []string {
	var e *iep.Error
	if !errors.As(err, &e) {
		return nil
	}
	var fs []string
	for _, p := range e.Problems {
		fs = append(fs, p.Field)
	}
	return fs
}

func diff(t testing.TB, what string, got, want any) {
	t.Helper()
	if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, d)
	}
}

var ctx = context.Background()

// fixture is a district of its own with a school, a second school, two staff members and a
// school year.
type fixture struct {
	district          iep.District
	school, school2   iep.School
	teacher, provider iep.Staff
	year              iep.SchoolYear
}

func newFixture(t testing.TB, db *DB) *fixture {
	t.Helper()
	f := &fixture{
		district: iep.District{Name: "Riverside " + randomHex(3), StateCode: "MA", LEACode: "0123",
			RulePack: "MA", Timezone: "America/New_York", Languages: []string{"en", "es"}},
	}
	mustWrite(t, db, func(tx *Tx) error {
		if err := tx.CreateDistrict(ctx, &f.district); err != nil {
			return err
		}
		d := f.district.ID
		f.school = iep.School{DistrictID: d, Name: "Hillside Elementary", Code: "H" + randomHex(2), LowGrade: "K", HighGrade: "05", Kind: iep.SchoolPublic}
		f.school2 = iep.School{DistrictID: d, Name: "Lakeview Middle", LowGrade: "06", HighGrade: "08", Kind: iep.SchoolPublic, Address: "1 Lake Rd"}
		f.teacher = iep.Staff{DistrictID: d, FirstName: "Ana", LastName: "Teach", Email: "ana@riverside.org", Roles: []iep.StaffRole{iep.RoleCaseManager, iep.RoleSpecialEducationTeacher}, Active: true}
		f.provider = iep.Staff{DistrictID: d, FirstName: "Sam", LastName: "Speech", Roles: []iep.StaffRole{iep.RoleSpeechLanguage}, Languages: []string{"pt"}, Active: true}
		f.year = iep.SchoolYear{DistrictID: d, Name: "2026-2027", FirstDay: date.MustParse("2026-09-02"), LastDay: date.MustParse("2027-06-18")}
		for _, err := range []error{
			tx.CreateSchool(ctx, &f.school), tx.CreateSchool(ctx, &f.school2),
			tx.CreateStaff(ctx, &f.teacher), tx.CreateStaff(ctx, &f.provider),
			tx.CreateSchoolYear(ctx, &f.year),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	return f
}

// student returns a valid student of the fixture's first school (not stored).
func (f *fixture) student(first, last string) iep.Student {
	return iep.Student{
		DistrictID: f.district.ID, SchoolID: f.school.ID, LocalID: "L" + randomHex(5),
		FirstName: first, LastName: last, BirthDate: date.MustParse("2017-03-14"), Grade: "03",
		HomeLanguage: "es", EnrolledOn: date.MustParse("2022-09-01"),
		Disabilities: []iep.Disability{
			{Category: iep.SpecificLearningDisability, Order: 1, Primary: true},
			{Category: iep.SpeechLanguageImpairment, Order: 2},
		},
	}
}

func (f *fixture) addStudent(t testing.TB, db *DB, first, last string) iep.Student {
	t.Helper()
	s := f.student(first, last)
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateStudent(ctx, &s) })
	return s
}

func ptr[T any](v T) *T { return &v }

// plan returns a valid draft plan for a student (not stored), with goals, services and ESY.
func (f *fixture) plan(studentID string) iep.Plan {
	start, end := date.MustParse("2026-10-01"), date.MustParse("2027-09-30")
	line := func(id string, t iep.ServiceType, role iep.StaffRole) iep.ServiceLine {
		return iep.ServiceLine{ID: id, Category: iep.CategorySpecialEducation, Type: t, ProviderRole: role,
			Setting: iep.OutsideGeneralEducation, GroupSize: 3, MinutesPerSession: 30, SessionsPerPeriod: 2,
			Period: iep.PerWeek, StartDate: start, EndDate: end, GoalIDs: []string{"g1"}}
	}
	return iep.Plan{
		DistrictID: f.district.ID, StudentID: studentID, Kind: iep.PlanInitial, Status: iep.StatusDraft,
		CaseManagerID: f.teacher.ID, SchoolID: f.school.ID, StartDate: start, EndDate: end,
		NextReviewDate: date.MustParse("2027-09-15"),
		Content: iep.Content{
			Concerns: iep.Concerns{ParentConcerns: "Reading is hard.\n\nShe loves stories.", StudentVision: "To read chapter books"},
			Goals: iep.Goals{Goals: []iep.Goal{{
				ID: "g1", Area: "reading", Statement: "Reads grade 3 text at 90 wcpm", Baseline: "42 wcpm",
				BaselineValue: ptr(42.0), Target: "90 wcpm", TargetValue: ptr(90.0), Unit: "wcpm",
				MeasurementMethod: "CBM", Schedule: "biweekly",
			}, {
				ID: "g2", Area: "communication", Statement: "Asks for help", Baseline: "rarely", Target: "4 of 5",
				MeasurementMethod: "observation", Schedule: "monthly",
			}}},
			Services: iep.Services{Lines: []iep.ServiceLine{
				line("l1", iep.ServiceSpecializedInstruction, iep.RoleSpecialEducationTeacher),
				line("l2", iep.ServiceSpeechLanguage, iep.RoleSpeechLanguage),
			}},
			ESY: iep.ESY{Decision: iep.ESYEligible, Rationale: "regression", Services: []iep.ServiceLine{
				line("l1", iep.ServiceSpecializedInstruction, iep.RoleSpecialEducationTeacher),
			}},
		},
	}
}

func (f *fixture) addPlan(t testing.TB, db *DB, studentID string, edit func(*iep.Plan)) iep.Plan {
	t.Helper()
	p := f.plan(studentID)
	if edit != nil {
		edit(&p)
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreatePlan(ctx, &p, f.teacher.ID) })
	return p
}

// countRows counts rows of a table of the fixture's district, through the raw writer.
func countRows(t testing.TB, db *DB, table, districtID string) int {
	t.Helper()
	var n int
	if err := db.Writer().QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table+" WHERE district_id = $1", districtID).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}
