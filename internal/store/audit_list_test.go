package store

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/access"
	"github.com/openiep/openiep/internal/iep"
)

// The record of access's contract tests join the suite of store_test.go.
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"StudentAuditPages", testStudentAuditPages},
		{"StudentAuditDisclosures", testStudentAuditDisclosures},
		{"StudentAuditInvalid", testStudentAuditInvalid},
		{"StudentAuditUsesIndexes", testStudentAuditUsesIndexes},
	}...)
}

// seedTrail appends n entries about student, cycling through reasons, and returns them newest
// first.
func seedTrail(t *testing.T, db *DB, districtID, studentID string, n int, reasons ...access.Reason) []AuditEntry {
	t.Helper()
	out := make([]AuditEntry, n)
	mustWrite(t, db, func(tx *Tx) error {
		for i := range n {
			e := readEntry(districtID, studentID, i)
			e.Reason = string(reasons[i%len(reasons)])
			if err := tx.AppendAudit(ctx, &e); err != nil {
				return err
			}
			out[n-1-i] = e
		}
		return nil
	})
	return out
}

// pageThrough reads a student's whole record of access a page of size at a time, following the
// keyset cursor, and returns the entries in the order read and the number of pages.
func pageThrough(t *testing.T, db *DB, districtID, studentID string, size int, disclosures bool) ([]AuditEntry, int) {
	t.Helper()
	var all []AuditEntry
	p := AuditPage{StudentID: studentID, Limit: size, Disclosures: disclosures}
	for pages := 1; ; pages++ {
		got, err := db.ListStudentAudit(ctx, districtID, p)
		if err != nil {
			t.Fatalf("ListStudentAudit(%+v): %v", p, err)
		}
		if len(got) > size {
			t.Fatalf("ListStudentAudit(%+v) = %d entries, want at most %d", p, len(got), size)
		}
		all = append(all, got...)
		if len(got) < size {
			return all, pages
		}
		p.Before = got[len(got)-1].Seq
		if pages > 1000 {
			t.Fatal("the pages never end")
		}
	}
}

func testStudentAuditPages(t *testing.T, db *DB) {
	f := newFixture(t, db)
	mia := f.addStudent(t, db, "Mia", "Trail")
	noah := f.addStudent(t, db, "Noah", "Other")
	want := seedTrail(t, db, f.district.ID, mia.ID, 23, access.ReasonTeamMember, access.ReasonSchoolStaff)
	// Entries about another student, about no student, and a newer one about Mia after them.
	seedTrail(t, db, f.district.ID, noah.ID, 5, access.ReasonDistrictAdmin)
	appendAudit(t, db, AuditEntry{DistrictID: f.district.ID, ActorKind: "staff", ActorID: "x", Action: "read",
		RecordKind: "district", RecordID: f.district.ID, Reason: string(access.ReasonDistrictAdmin)})
	want = append(seedTrail(t, db, f.district.ID, mia.ID, 2, access.ReasonDistrictAdmin), want...)

	got, pages := pageThrough(t, db, f.district.ID, mia.ID, 10, false)
	diff(t, "Mia's whole trail, 10 a page", got, want)
	if pages != 3 {
		t.Errorf("25 entries 10 a page took %d pages, want 3", pages)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq >= got[i-1].Seq {
			t.Fatalf("entry %d has seq %d after seq %d: not newest first", i, got[i].Seq, got[i-1].Seq)
		}
	}
	// A page that ends exactly at the end: the next one is empty, not an error.
	got, pages = pageThrough(t, db, f.district.ID, mia.ID, 5, false)
	if len(got) != 25 || pages != 6 {
		t.Errorf("5 a page: %d entries in %d pages, want 25 in 6", len(got), pages)
	}
	// Another district's id finds nothing, even with the right student.
	other := newFixture(t, db)
	if got, err := db.ListStudentAudit(ctx, other.district.ID, AuditPage{StudentID: mia.ID, Limit: 10}); err != nil || len(got) != 0 {
		t.Errorf("Mia's trail read with another district's id = %d entries, %v; want none", len(got), err)
	}
}

func testStudentAuditDisclosures(t *testing.T, db *DB) {
	f := newFixture(t, db)
	st := f.addStudent(t, db, "Dis", "Closure")
	reasons := []access.Reason{
		access.ReasonGuardianWithRights, access.ReasonTeamMember, access.ReasonSchoolStaff, access.ReasonCaseManager,
		access.ReasonProvider, access.ReasonDistrictAdmin, access.ReasonAdultStudent, access.ReasonGrantRead,
		access.ReasonSharedByStudent, access.ReasonStateViewer, "", access.ReasonGrantWrite, access.ReasonDistrictRep,
	}
	all := seedTrail(t, db, f.district.ID, st.ID, 3*len(reasons), reasons...)
	var want []AuditEntry
	for _, e := range all {
		if !IsRoutineAudit(e.Reason) {
			want = append(want, e)
		}
	}
	if len(want) != 3*7 {
		t.Fatalf("%d disclosures among the seeded entries, want 21: IsRoutineAudit is wrong", len(want))
	}
	got, _ := pageThrough(t, db, f.district.ID, st.ID, 4, true)
	diff(t, "disclosures only, 4 a page", got, want)
	for _, e := range got {
		switch access.Reason(e.Reason) {
		case access.ReasonGuardianWithRights, access.ReasonSharedByStudent, access.ReasonAdultStudent,
			access.ReasonCaseManager, access.ReasonTeamMember, access.ReasonProvider:
			t.Errorf("entry %d (reason %q) is the family's or the team's, yet listed as a disclosure", e.Seq, e.Reason)
		}
	}
}

func testStudentAuditInvalid(t *testing.T, db *DB) {
	f := newFixture(t, db)
	st := f.addStudent(t, db, "In", "Valid")
	for _, p := range []AuditPage{
		{Limit: 10},
		{StudentID: st.ID, Limit: 0},
		{StudentID: st.ID, Limit: MaxAuditPage + 1},
		{StudentID: st.ID, Limit: 10, Before: -1},
	} {
		_, err := db.ListStudentAudit(ctx, f.district.ID, p)
		wantKind(t, err, iep.KindInvalid, fmt.Sprintf("ListStudentAudit(%+v)", p))
	}
}

// testStudentAuditUsesIndexes: each page is one range of an index that starts with the district
// and the student — the disclosures' partial index for the default view — on both engines.
// PostgreSQL's plan is asked with the table's statistics up to date (as autovacuum keeps them)
// and sequential and bitmap scans priced out, which its planner otherwise prefers for a table
// this small.
func testStudentAuditUsesIndexes(t *testing.T, db *DB) {
	f := newFixture(t, db)
	st := f.addStudent(t, db, "Ind", "Ex")
	seedTrail(t, db, f.district.ID, st.ID, 30, access.ReasonTeamMember, access.ReasonSchoolStaff)
	for _, tc := range []struct {
		page  AuditPage
		index string
	}{
		{AuditPage{StudentID: st.ID, Limit: 10}, "audit_entries_student"},
		{AuditPage{StudentID: st.ID, Limit: 10, Before: 20}, "audit_entries_student"},
		{AuditPage{StudentID: st.ID, Limit: 10, Disclosures: true}, "audit_entries_disclosures"},
		{AuditPage{StudentID: st.ID, Limit: 10, Disclosures: true, Before: 20}, "audit_entries_disclosures"},
	} {
		var q string
		var args []any
		db.onQuery = func(s string, a []any) { q, args = s, a }
		_, err := db.ListStudentAudit(ctx, f.district.ID, tc.page)
		db.onQuery = nil
		if err != nil {
			t.Fatal(err)
		}
		plan := planOf(t, db, q, args)
		if !strings.Contains(plan, tc.index) || strings.Contains(strings.ToLower(plan), "sort") {
			t.Errorf("ListStudentAudit(%+v): plan %q, want a range of %s without a sort", tc.page, plan, tc.index)
		}
	}
}

// planOf returns the engine's query plan of q as one line.
func planOf(t *testing.T, db *DB, q string, args []any) string {
	t.Helper()
	if db.Engine() == "sqlite" {
		return explain(t, db, q, args)
	}
	tx, err := db.Writer().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, stmt := range []string{"ANALYZE audit_entries", "SET LOCAL enable_seqscan = off", "SET LOCAL enable_bitmapscan = off"} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	rows, err := tx.QueryContext(ctx, "EXPLAIN "+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.TrimSpace(line))
	}
	return strings.Join(lines, "; ")
}

// TestAuditDisclosureIndexMatchesCode: the partial index of migration 0011 is used only when the
// query repeats its predicate, so both dialects' migration must hold disclosureSQL verbatim,
// and the routine reasons must be reasons the policy gives.
func TestAuditDisclosureIndexMatchesCode(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		ms, err := loadMigrations(dialect)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(ms, func(m migration) bool { return m.version == 11 })
		if i < 0 {
			t.Fatalf("%s: no migration 0011", dialect)
		}
		if !strings.Contains(ms[i].sql, "student_id IS NOT NULL AND "+disclosureSQL+";") {
			t.Errorf("%s migration %s does not hold the query's predicate %q", dialect, ms[i].name, disclosureSQL)
		}
	}
	for _, r := range RoutineAuditReasons {
		if strings.ContainsAny(string(r), "' ") || r == "" {
			t.Errorf("routine reason %q cannot go into SQL as it is", r)
		}
	}
}
