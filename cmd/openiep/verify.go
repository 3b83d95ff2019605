package main

import (
	"context"
	"fmt"
)

// runVerify checks the audit trail's hash chains and the frozen plan versions' hashes, and fails
// (exit 1) when anything does not hold, naming the first broken audit entry and every broken
// version (ids and numbers only, never student data).
func runVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "verify", "Check that the audit trail and the frozen plan versions are intact: every district's\n"+
		"hash chain of audit entries, and every version's SHA-256. Exits 1 when something was changed.")
	dsn := fs.String("db", defaultDB, dbUsage())
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.Verify(ctx)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	fmt.Fprintf(e.stdout, "audit: %d entries in %d districts verified; plan versions: %d verified\n",
		rep.AuditEntries, rep.Districts, rep.Versions)
	if rep.OK() {
		return nil
	}
	if b := rep.AuditBreak; b != nil {
		fmt.Fprintf(e.stdout, "BROKEN audit chain (first of %d): district %s, seq %d, entry %s: %s (%s)\n",
			rep.BrokenChains, b.DistrictID, b.Seq, b.EntryID, b.Problem, b.Detail)
	}
	for _, v := range rep.BrokenVersions {
		fmt.Fprintf(e.stdout, "BROKEN plan version: district %s, plan %s, version %d: its content does not match its SHA-256\n",
			v.DistrictID, v.PlanID, v.Number)
	}
	if more := rep.VersionsBroken - int64(len(rep.BrokenVersions)); more > 0 {
		fmt.Fprintf(e.stdout, "… and %d more broken plan versions\n", more)
	}
	return fmt.Errorf("verify: the database was tampered with or damaged (%d broken audit chains, %d broken plan versions)",
		rep.BrokenChains, rep.VersionsBroken)
}
