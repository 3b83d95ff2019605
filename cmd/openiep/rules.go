package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/openiep/openiep/internal/app"
)

const rulesSummary = "List a district's deadline rules, or give the district its own amount for one.\n\n" +
	"  openiep rules list [--district ID]\n" +
	"  openiep rules set --rule ID --amount N [--district ID]   (N = 0: back to the rule pack's amount)\n\n" +
	"An amount less protective than the law (more days than it allows) is refused. Setting one\n" +
	"recomputes every deadline of the district."

// runRules dispatches to rules list and set.
func runRules(ctx context.Context, e *env, args []string) error {
	sub, err := subcommand(e, "rules", rulesSummary, args, "list", "set")
	if sub == "" {
		return err
	}
	fs := newFlags(e, "rules "+sub, rulesSummary)
	dsn := fs.String("db", defaultDB, dbUsage())
	district := fs.String("district", "", "the district's id (may be left out when the database has one district)")
	rule := fs.String("rule", "", "with set: the rule's id (see rules list)")
	amount := fs.Int("amount", -1, "with set: the district's amount, in the rule's unit; 0 goes back to the pack's")
	if err := parseFlags(e, fs, args[1:]); err != nil {
		return helpOK(err)
	}
	if sub == "set" && (*rule == "" || *amount < 0) {
		return &usageError{"rules set needs --rule ID and --amount N"}
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	d, err := pickDistrict(ctx, db, *district)
	if err != nil {
		return err
	}
	svc := app.New(db, now)
	if sub == "set" {
		n, err := svc.SetRuleAmount(ctx, d.ID, *rule, *amount)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Rule %s of district %s set; the deadlines of %d students were recomputed.\n", *rule, d.ID, n)
		return nil
	}
	pack, err := svc.DistrictRules(ctx, d.ID)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(e.stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintf(w, "RULE\tAMOUNT\tUNIT\tCITATION\n")
	for _, r := range pack.Rules {
		amount := fmt.Sprint(r.Amount)
		if _, own := pack.Overrides[r.ID]; own {
			amount += " (district)"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", r.ID, amount, r.Unit, r.Citation)
	}
	return w.Flush()
}
