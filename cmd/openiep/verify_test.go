package main

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/store"
)

// seedAudit makes a SQLite file with one district and three audit entries, and returns them.
func seedAudit(t *testing.T, path string) []store.AuditEntry {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var es []store.AuditEntry
	err = db.Write(ctx, func(tx *store.Tx) error {
		d := &iep.District{Name: "D", StateCode: "MA", RulePack: "MA", Timezone: "America/New_York"}
		if err := tx.CreateDistrict(ctx, d); err != nil {
			return err
		}
		for range 3 {
			e := store.AuditEntry{DistrictID: d.ID, ActorKind: "staff", ActorID: "s1", Action: "read",
				RecordKind: "district", RecordID: d.ID, FromAddress: "127.0.0.1"}
			if err := tx.AppendAudit(ctx, &e); err != nil {
				return err
			}
			es = append(es, e)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return es
}

func TestVerifyCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verify.db")
	es := seedAudit(t, path)
	vars := map[string]string{"OPENIEP_DB": path}
	out, _, err := runCmd(t, vars, "verify")
	if err != nil || !strings.Contains(out, "audit: 3 entries in 1 districts verified; plan versions: 0 verified") {
		t.Fatalf("verify on a clean database = %q, %v", out, err)
	}

	// A hostile DBA drops the trigger and rewrites who read what.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	victim := es[1]
	for _, q := range []string{
		`DROP TRIGGER audit_entries_no_update`,
		`UPDATE audit_entries SET actor_id = 'nobody' WHERE seq = 2`,
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	raw.Close()
	out, _, err = runCmd(t, nil, "verify", "--db", path)
	if err == nil || exitCode(err) != 1 {
		t.Fatalf("verify on a tampered database: err %v, want exit 1\n%s", err, out)
	}
	for _, want := range []string{"district " + victim.DistrictID, "seq 2", "entry " + victim.ID, "hash mismatch"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify output lacks %q:\n%s", want, out)
		}
	}
}
