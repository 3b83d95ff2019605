package store

import (
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/openiep/openiep/internal/iep"
)

// The audit trail's contract tests join the suite of store_test.go.
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"AuditRoundTrip", testAuditRoundTrip},
		{"AuditChainLinks", testAuditChainLinks},
		{"AuditConcurrentAppends", testAuditConcurrentAppends},
		{"AuditAppendOnly", testAuditAppendOnly},
		{"VerifyTamperedEntry", testVerifyTamperedEntry},
		{"VerifyDeletedEntry", testVerifyDeletedEntry},
		{"VerifyTamperedVersion", testVerifyTamperedVersion},
	}...)
}

func appendAudit(t testing.TB, db *DB, e AuditEntry) AuditEntry {
	t.Helper()
	mustWrite(t, db, func(tx *Tx) error { return tx.AppendAudit(ctx, &e) })
	return e
}

func readEntry(districtID, studentID string, n int) AuditEntry {
	return AuditEntry{DistrictID: districtID, ActorKind: "staff", ActorID: fmt.Sprintf("staff-%d", n),
		Action: "read", RecordKind: "student", RecordID: studentID, StudentID: studentID,
		FromAddress: "192.0.2.7", Reason: "case review"}
}

func testAuditRoundTrip(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s1 := f.addStudent(t, db, "Au", "Dit")
	s2 := f.addStudent(t, db, "Ot", "Her")
	a := appendAudit(t, db, readEntry(f.district.ID, s1.ID, 1))
	b := appendAudit(t, db, AuditEntry{DistrictID: f.district.ID, ActorKind: "demo_viewer", Action: "read",
		RecordKind: "district", RecordID: f.district.ID})
	c := appendAudit(t, db, readEntry(f.district.ID, s2.ID, 2))
	d := appendAudit(t, db, readEntry(f.district.ID, s1.ID, 3))
	if a.ID == "" || a.At.IsZero() || a.Hash == "" || a.Seq != 1 || d.Seq != 4 {
		t.Fatalf("AppendAudit did not fill seq/id/at/hash: %+v, %+v", a, d)
	}
	got, err := db.ListAudit(ctx, f.district.ID, s1.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "student's record of access", got, []AuditEntry{d, a})
	got, err = db.ListAudit(ctx, f.district.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "district's entries", got, []AuditEntry{d, c, b, a})
	got, err = db.ListAudit(ctx, f.district.ID, "", 2)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "newest two", got, []AuditEntry{d, c})
	other := newFixture(t, db)
	if got, err := db.ListAudit(ctx, other.district.ID, s1.ID, 0); err != nil || len(got) != 0 {
		t.Errorf("another district's list = %+v, %v; want none", got, err)
	}
	err = db.Write(ctx, func(tx *Tx) error { return tx.AppendAudit(ctx, &AuditEntry{DistrictID: f.district.ID}) })
	wantKind(t, err, iep.KindInvalid, "AppendAudit without actor, action, record")
	err = db.Write(ctx, func(tx *Tx) error {
		return tx.AppendAudit(ctx, &AuditEntry{DistrictID: "no-such-district", ActorKind: "staff", Action: "read", RecordKind: "district", RecordID: "x"})
	})
	wantKind(t, err, iep.KindInvalid, "AppendAudit to an unknown district")
}

func testAuditChainLinks(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Ch", "Ain")
	var want []AuditEntry
	for i := range 5 {
		want = append(want, appendAudit(t, db, readEntry(f.district.ID, s.ID, i)))
	}
	got, err := db.ListAudit(ctx, f.district.ID, s.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		e := got[len(got)-1-i]
		if e.Seq != int64(i+1) {
			t.Errorf("entry %d has seq %d", i, e.Seq)
		}
		prev := ""
		if i > 0 {
			prev = want[i-1].Hash
		}
		if e.PrevHash != prev || e.Hash != e.ComputeHash() {
			t.Errorf("entry %d: prev %q (want %q), hash %s (fields hash to %s)", i, e.PrevHash, prev, e.Hash, e.ComputeHash())
		}
	}
	// A district's chain is its own: another district starts at 1.
	o := newFixture(t, db)
	if e := appendAudit(t, db, readEntry(o.district.ID, s.ID, 9)); e.Seq != 1 || e.PrevHash != "" {
		t.Errorf("another district's first entry: seq %d prev %q", e.Seq, e.PrevHash)
	}
	mustVerifyClean(t, db)
}

func testAuditConcurrentAppends(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Con", "Current")
	const workers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				e := readEntry(f.district.ID, s.ID, w*100+i)
				if err := db.Write(ctx, func(tx *Tx) error { return tx.AppendAudit(ctx, &e) }); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent AppendAudit: %v", err)
	}
	got, err := db.ListAudit(ctx, f.district.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != workers*each || got[0].Seq != workers*each {
		t.Fatalf("%d entries, newest seq %d; want %d", len(got), got[0].Seq, workers*each)
	}
	mustVerifyClean(t, db)
}

func testAuditAppendOnly(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "App", "End")
	appendAudit(t, db, readEntry(f.district.ID, s.ID, 1))
	for _, q := range []string{
		`UPDATE audit_entries SET action = 'nothing' WHERE district_id = $1`,
		`DELETE FROM audit_entries WHERE district_id = $1`,
		`DELETE FROM audit_heads WHERE district_id = $1`,
	} {
		_, err := db.Writer().ExecContext(ctx, q, f.district.ID)
		if err == nil || !(strings.Contains(err.Error(), "append-only") || strings.Contains(err.Error(), "permanent")) {
			t.Errorf("raw %q = %v, want the trigger's refusal", q, err)
		}
		if mapped := db.d.mapError(err); iep.KindOf(mapped) != iep.KindConflict {
			t.Errorf("mapError(%v) kind = %s, want conflict", err, iep.KindOf(mapped))
		}
	}
	if got, _ := db.ListAudit(ctx, f.district.ID, s.ID, 0); len(got) != 1 || got[0].Action != "read" {
		t.Errorf("entries after refused changes = %+v", got)
	}
	mustVerifyClean(t, db)
}

// unguarded runs stmts as a hostile DBA would: in one transaction that drops the immutability
// triggers of table, runs them, and creates the triggers again, so other tests stay guarded.
func unguarded(t *testing.T, db *DB, table string, stmts ...func(*sql.Tx) error) {
	t.Helper()
	tx, err := db.Writer().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	trig := triggerDDL[db.Engine()][table]
	for _, q := range trig.drop {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, fn := range stmts {
		if err := fn(tx); err != nil {
			t.Fatalf("tamper: %v", err)
		}
	}
	for _, q := range trig.create {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func execSQL(q string, args ...any) func(*sql.Tx) error {
	return func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("%s changed %d rows, want 1", q, n)
		}
		return nil
	}
}

// triggerDDL is how to drop and re-create the immutability triggers of 0001 and 0002.
var triggerDDL = map[string]map[string]struct{ drop, create []string }{
	"sqlite": {
		"audit_entries": {
			drop: []string{`DROP TRIGGER audit_entries_no_update`, `DROP TRIGGER audit_entries_no_delete`},
			create: []string{
				`CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END`,
				`CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END`,
			},
		},
		"plan_versions": {
			drop: []string{`DROP TRIGGER plan_versions_no_update`, `DROP TRIGGER plan_versions_no_delete`},
			create: []string{
				`CREATE TRIGGER plan_versions_no_update BEFORE UPDATE ON plan_versions BEGIN SELECT RAISE(ABORT, 'plan versions are frozen'); END`,
				`CREATE TRIGGER plan_versions_no_delete BEFORE DELETE ON plan_versions BEGIN SELECT RAISE(ABORT, 'plan versions are frozen'); END`,
			},
		},
	},
	"postgres": {
		"audit_entries": {
			drop: []string{`DROP TRIGGER audit_entries_append_only ON audit_entries`},
			create: []string{`CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
				FOR EACH ROW EXECUTE FUNCTION openiep_refuse_change('audit entries are append-only')`},
		},
		"plan_versions": {
			drop: []string{`DROP TRIGGER plan_versions_frozen ON plan_versions`},
			create: []string{`CREATE TRIGGER plan_versions_frozen BEFORE UPDATE OR DELETE ON plan_versions
				FOR EACH ROW EXECUTE FUNCTION openiep_refuse_change('plan versions are frozen')`},
		},
	},
}

func mustVerify(t *testing.T, db *DB) *VerifyReport {
	t.Helper()
	rep, err := db.Verify(ctx)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return rep
}

func mustVerifyClean(t *testing.T, db *DB) {
	t.Helper()
	rep := mustVerify(t, db)
	if !rep.OK() {
		t.Fatalf("Verify found damage in a clean database: %+v %+v", rep.AuditBreak, rep.BrokenVersions)
	}
	if rep.AuditEntries == 0 || rep.Districts == 0 {
		t.Errorf("Verify checked nothing: %+v", rep)
	}
}

// chainOf appends n entries to a fresh district and returns them, oldest first.
func chainOf(t *testing.T, db *DB, n int) (*fixture, []AuditEntry) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Tam", "Per")
	var es []AuditEntry
	for i := range n {
		es = append(es, appendAudit(t, db, readEntry(f.district.ID, s.ID, i)))
	}
	return f, es
}

func testVerifyTamperedEntry(t *testing.T, db *DB) {
	f, es := chainOf(t, db, 5)
	mustVerifyClean(t, db)
	victim := es[2]
	unguarded(t, db, "audit_entries", execSQL(`UPDATE audit_entries SET action = 'nothing', actor_id = 'someone-else'
		WHERE district_id = $1 AND seq = $2`, f.district.ID, victim.Seq))
	rep := mustVerify(t, db)
	b := rep.AuditBreak
	if b == nil || b.DistrictID != f.district.ID || b.Seq != victim.Seq || b.EntryID != victim.ID || b.Problem != BreakHash {
		t.Errorf("Verify after changing seq %d: break %+v, want that entry's hash mismatch", victim.Seq, b)
	}
	if rep.BrokenChains != 1 {
		t.Errorf("BrokenChains = %d, want 1", rep.BrokenChains)
	}
	// Put it back: the chain verifies again (and the tests after this one find it clean).
	unguarded(t, db, "audit_entries", execSQL(`UPDATE audit_entries SET action = $3, actor_id = $4
		WHERE district_id = $1 AND seq = $2`, f.district.ID, victim.Seq, victim.Action, victim.ActorID))
	mustVerifyClean(t, db)
}

func testVerifyDeletedEntry(t *testing.T, db *DB) {
	f, es := chainOf(t, db, 5)
	victim := es[2]
	unguarded(t, db, "audit_entries", execSQL(`DELETE FROM audit_entries WHERE district_id = $1 AND seq = $2`, f.district.ID, victim.Seq))
	b := mustVerify(t, db).AuditBreak
	if b == nil || b.DistrictID != f.district.ID || b.Seq != victim.Seq+1 || b.EntryID != es[3].ID || b.Problem != BreakSeqGap {
		t.Errorf("Verify after deleting seq %d: break %+v, want a seq gap at %d", victim.Seq, b, victim.Seq+1)
	}
	restore := func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_entries (district_id, seq, id, at, actor_kind, actor_id, action,
			record_kind, record_id, student_id, from_address, reason, prev_hash, hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
			victim.DistrictID, victim.Seq, victim.ID, db.d.instant(victim.At), victim.ActorKind, victim.ActorID, victim.Action,
			victim.RecordKind, victim.RecordID, opt(victim.StudentID), victim.FromAddress, victim.Reason, victim.PrevHash, victim.Hash)
		return err
	}
	unguarded(t, db, "audit_entries", restore)
	mustVerifyClean(t, db)

	// Cutting the newest entry off leaves a chain that links, but the head tells.
	last := es[len(es)-1]
	unguarded(t, db, "audit_entries", execSQL(`DELETE FROM audit_entries WHERE district_id = $1 AND seq = $2`, f.district.ID, last.Seq))
	b = mustVerify(t, db).AuditBreak
	if b == nil || b.DistrictID != f.district.ID || b.Seq != last.Seq-1 || b.Problem != BreakHead {
		t.Errorf("Verify after deleting the newest entry: break %+v, want a head mismatch", b)
	}
	victim = last
	unguarded(t, db, "audit_entries", restore)
	mustVerifyClean(t, db)
}

func testVerifyTamperedVersion(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Ver", "Sion")
	p := f.addPlan(t, db, s.ID, nil)
	var v *iep.Version
	mustWrite(t, db, func(tx *Tx) error {
		var err error
		v, err = tx.FreezePlan(ctx, f.district.ID, p.ID, "")
		return err
	})
	appendAudit(t, db, readEntry(f.district.ID, s.ID, 1))
	before := mustVerify(t, db)
	if !before.OK() || before.Versions == 0 {
		t.Fatalf("Verify before tampering: %+v", before)
	}
	forged := []byte(strings.Replace(string(v.Canonical), "Reading is hard.", "Reading is easy.", 1))
	unguarded(t, db, "plan_versions", execSQL(`UPDATE plan_versions SET canonical = $3 WHERE district_id = $1 AND id = $2`,
		f.district.ID, v.ID, forged))
	rep := mustVerify(t, db)
	want := []BrokenVersion{{f.district.ID, p.ID, 1}}
	diff(t, "broken versions", rep.BrokenVersions, want)
	if rep.VersionsBroken != 1 || rep.AuditBreak != nil || rep.Versions != before.Versions {
		t.Errorf("report after tampering a version: %+v", rep)
	}
	unguarded(t, db, "plan_versions", execSQL(`UPDATE plan_versions SET canonical = $3 WHERE district_id = $1 AND id = $2`,
		f.district.ID, v.ID, v.Canonical))
	mustVerifyClean(t, db)
}
