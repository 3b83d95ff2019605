package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/iep"
)

func openSQLite(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(ctx, filepath.Join(tb.TempDir(), "bench.db"), Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// TestQueryPlansSQLite checks that the roster's queries are index ranges in SQLite: no table
// scan, no sort of the whole district, whatever its size.
func TestQueryPlansSQLite(t *testing.T) {
	db := openSQLite(t)
	for _, c := range []struct {
		q     string
		args  []any
		index string
	}{
		{listStudentsSQL(0, false, false), []any{"d", 50}, "students_name"},
		{listStudentsSQL(0, false, true), []any{"d", "l", "f", "i", 50}, "students_name"},
		{listStudentsSQL(1, false, true), []any{"d", "s", "l", "f", "i", 50}, "students_school_name"},
		{listStudentsSQL(0, true, true), []any{"d", "l", "f", "i", 50}, "students_with_plan_name"},
		{listStudentsSQL(1, true, false), []any{"d", "s", 50}, "students_school_name"},
	} {
		text := explain(t, db, c.q, c.args)
		if !strings.Contains(text, "SEARCH students USING") || !strings.Contains(text, "INDEX "+c.index+" ") ||
			strings.Contains(text, "TEMP B-TREE") {
			t.Errorf("query plan of\n%s\n= %s; want a search of index %s without a sort", c.q, text, c.index)
		}
	}
}

func benchStudents(f *fixture, n, offset int) []iep.Student {
	out := make([]iep.Student, n)
	for i := range out {
		s := f.student(fmt.Sprintf("First%d", offset+i), fmt.Sprintf("Last%07d", (offset+i)*7919%1000003))
		s.LocalID = fmt.Sprintf("L%08d", offset+i)
		out[i] = s
	}
	return out
}

// BenchmarkCreateStudents inserts students one CreateStudent call each, 1,000 per transaction.
func BenchmarkCreateStudents(b *testing.B) {
	db := openSQLite(b)
	f := newFixture(b, db)
	b.ResetTimer()
	for done := 0; done < b.N; done += 1000 {
		batch := benchStudents(f, min(1000, b.N-done), done)
		mustWrite(b, db, func(tx *Tx) error {
			for i := range batch {
				if err := tx.CreateStudent(ctx, &batch[i]); err != nil {
					return err
				}
			}
			return nil
		})
	}
}

// BenchmarkCreateStudentsBatch is BenchmarkCreateStudents through the multi-row CreateStudents.
func BenchmarkCreateStudentsBatch(b *testing.B) {
	db := openSQLite(b)
	f := newFixture(b, db)
	b.ResetTimer()
	for done := 0; done < b.N; done += 1000 {
		batch := benchStudents(f, min(1000, b.N-done), done)
		mustWrite(b, db, func(tx *Tx) error { return tx.CreateStudents(ctx, batch) })
	}
}

// BenchmarkSaveSection saves one section of a draft plan, one transaction per save (as the web
// application does).
func BenchmarkSaveSection(b *testing.B) {
	db := openSQLite(b)
	f := newFixture(b, db)
	s := f.addStudent(b, db, "Bench", "Mark")
	p := f.addPlan(b, db, s.ID, nil)
	content := []byte(`{"parent_concerns":"We worry about reading and about friendships at recess.","student_vision":"Read chapter books"}`)
	rev := 1
	b.ResetTimer()
	for range b.N {
		mustWrite(b, db, func(tx *Tx) error {
			var err error
			rev, err = tx.SaveSection(ctx, f.district.ID, p.ID, iep.SectionConcerns, content, rev, f.teacher.ID)
			return err
		})
	}
}

// BenchmarkListStudents reads the next page of the roster of a district of 20,000 students.
func BenchmarkListStudents(b *testing.B) {
	db := openSQLite(b)
	f := newFixture(b, db)
	for done := 0; done < 20000; done += 1000 {
		batch := benchStudents(f, 1000, done)
		mustWrite(b, db, func(tx *Tx) error { return tx.CreateStudents(ctx, batch) })
	}
	b.ResetTimer()
	after := ""
	for range b.N {
		page, err := db.ListStudents(ctx, f.district.ID, StudentFilter{After: after})
		if err != nil {
			b.Fatal(err)
		}
		after = ""
		if len(page) == defaultPageSize {
			after = page[len(page)-1].Cursor
		}
	}
}

// BenchmarkDemoDistrict writes what a generated district holds per student, through the Tx
// methods in transactions of 5,000 students: the student, 1.5 guardians and their links, and for
// one student in seven a plan (11 sections) with five team members, frozen, accepted, with four
// events. Run it with -benchtime=100000x for the demo's 100,000 students.
func BenchmarkDemoDistrict(b *testing.B) {
	db := openSQLite(b)
	f := newFixture(b, db)
	d := f.district.ID
	b.ResetTimer()
	for done := 0; done < b.N; done += 5000 {
		students := benchStudents(f, min(5000, b.N-done), done)
		mustWrite(b, db, func(tx *Tx) error {
			for i := range students {
				if err := demoStudent(tx, f, &students[i], done+i); err != nil {
					return err
				}
			}
			return nil
		})
	}
	b.StopTimer()
	total, plans, _ := db.CountStudents(ctx, d, "")
	b.ReportMetric(float64(total), "students")
	b.ReportMetric(float64(plans), "plans")
}

func demoStudent(tx *Tx, f *fixture, s *iep.Student, n int) error {
	d := f.district.ID
	if err := tx.CreateStudent(ctx, s); err != nil {
		return err
	}
	for g := range 1 + n%2 {
		gu := iep.Guardian{DistrictID: d, FirstName: "G", LastName: s.LastName, PreferredLanguage: "en",
			ContactMethods: []iep.ContactMethod{{Kind: iep.ContactEmail, Value: "g@example.org", Preferred: true}}}
		if err := tx.CreateGuardian(ctx, &gu); err != nil {
			return err
		}
		l := iep.StudentGuardian{DistrictID: d, StudentID: s.ID, GuardianID: gu.ID, Relationship: iep.RelParent,
			HoldsEducationalRights: true, ContactOrder: g + 1}
		if err := tx.LinkGuardian(ctx, &l); err != nil {
			return err
		}
	}
	if n%7 != 0 {
		return nil
	}
	p := f.plan(s.ID)
	if err := tx.CreatePlan(ctx, &p, f.teacher.ID); err != nil {
		return err
	}
	for _, r := range []iep.TeamRole{iep.TeamCaseManager, iep.TeamSpecialEducationTeacher, iep.TeamRegularEducationTeacher, iep.TeamDistrictRepresentative, iep.TeamRelatedServiceProvider} {
		m := iep.TeamMember{DistrictID: d, PlanID: p.ID, Role: r, StaffID: f.teacher.ID}
		if err := tx.AddTeamMember(ctx, &m); err != nil {
			return err
		}
	}
	if _, err := tx.FreezePlan(ctx, d, p.ID, f.teacher.ID); err != nil {
		return err
	}
	for _, st := range []iep.PlanStatus{iep.StatusProposed, iep.StatusAccepted} {
		p.Status = st
		if err := tx.UpdatePlanHeader(ctx, &p); err != nil {
			return err
		}
	}
	for _, k := range []iep.EventKind{iep.EventReferralReceived, iep.EventMeetingHeld, iep.EventPlanProposed, iep.EventResponseReceived} {
		e := iep.Event{DistrictID: d, StudentID: s.ID, PlanID: p.ID, Kind: k, OccurredOn: date.MustParse("2026-09-15")}
		if err := tx.AppendEvent(ctx, &e); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkWhatIsDue100k reads the first page of "what is due" and its counts in a district of
// 100,000 students with three open deadlines and one met each (a district-wide view, then one
// case manager's of 40 case managers). The setup takes a minute or two. On SQLite, or on the
// test PostgreSQL with OPENIEP_BENCH_ENGINE=postgres.
func BenchmarkWhatIsDue100k(b *testing.B) {
	db := openSQLite(b)
	if os.Getenv("OPENIEP_BENCH_ENGINE") == "postgres" {
		if pgDSN == "" {
			b.Fatal(pgProblem)
		}
		var err error
		if db, err = Open(ctx, pgDSN, Options{}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
	}
	f := newFixture(b, db)
	d := f.district.ID
	today := date.MustParse("2026-11-02")
	const students, managers = 100000, 40
	for done := 0; done < students; done += 5000 {
		batch := benchStudents(f, 5000, done)
		mustWrite(b, db, func(tx *Tx) error {
			if err := tx.CreateStudents(ctx, batch); err != nil {
				return err
			}
			for i, s := range batch {
				n := done + i
				cm := "cm-" + strconv.Itoa(n%managers)
				ds := []Deadline{
					{Clock: "proposed_iep_sent", Start: today.AddDays(-20), Due: today.AddDays(-n % 30), Soon: today.AddDays(-40)},
					{Clock: "services_start", Start: today, Due: today.AddDays(n % 20), Soon: today.AddDays(n%20 - 7)},
					{Clock: "annual_review", Start: today.AddDays(-200), Due: today.AddDays(n % 365), Soon: today.AddDays(n%365 - 30)},
					{Clock: "referral_notice", Start: today.AddDays(-100), Due: today.AddDays(-90), MetOn: today.AddDays(-91)},
				}
				for j := range ds {
					ds[j].CaseManagerID, ds[j].SchoolID, ds[j].Citation = cm, s.SchoolID, "c"
				}
				if err := tx.ReplaceDeadlines(ctx, d, s.ID, ds); err != nil {
					return err
				}
			}
			return nil
		})
	}
	if _, err := db.Writer().ExecContext(ctx, "ANALYZE"); err != nil { // both engines: fresh statistics
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		f    DueFilter
	}{
		{"district", DueFilter{Today: today}},
		{"overdue", DueFilter{Today: today, Status: DueOverdue}},
		{"case-manager", DueFilter{Today: today, CaseManagerID: "cm-7"}},
		{"school", DueFilter{Today: today, SchoolID: f.school.ID}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := db.CountDue(ctx, d, bc.f); err != nil {
					b.Fatal(err)
				}
				page, err := db.ListDue(ctx, d, bc.f)
				if err != nil || len(page) != defaultPageSize {
					b.Fatalf("%d rows, %v", len(page), err)
				}
			}
		})
	}
}
