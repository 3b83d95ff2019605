package main

import (
	"context"
	"fmt"
	"time"

	"github.com/openiep/openiep/internal/date"
	"github.com/openiep/openiep/internal/demo"
)

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate", "Create the database schema, or bring it up to date. Serving does this too.")
	dsn := fs.String("db", defaultDB, dbUsage())
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	db, err := openStore(ctx, *dsn) // Open applies pending migrations
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	n += db.MigratedAtOpen()
	fmt.Fprintf(e.stdout, "The %s database is up to date (%d migrations applied now).\n", db.Engine(), n)
	return nil
}

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo", "Generate a deterministic demo district (schools, staff, students, families, plans in every stage).")
	dsn := fs.String("db", defaultDB, dbUsage())
	students := fs.Int("students", 2000, "how many students the district has")
	seed := fs.Int64("seed", 1, "the seed: the same seed gives the same district")
	today := fs.String("today", "", "the date the district is laid out around, YYYY-MM-DD (default today)")
	if err := parseFlags(e, fs, args); err != nil {
		return helpOK(err)
	}
	if *students < 1 || *students > 10_000_000 {
		return &usageError{fmt.Sprintf("--students must be between 1 and 10000000, got %d", *students)}
	}
	asOf := date.Of(time.Now())
	if *today != "" {
		d, err := date.Parse(*today)
		if err != nil {
			return &usageError{"--today: " + err.Error()}
		}
		asOf = d
	}
	db, err := openStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := demo.Generate(ctx, db, demo.Config{Students: *students, Seed: *seed, Today: asOf, Progress: e.stderr})
	if err != nil {
		return fmt.Errorf("generate the demo district: %w", err)
	}
	printSignIns(e, res)
	return nil
}
