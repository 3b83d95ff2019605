// Package storetest opens a real store for the tests of other packages, on both engines, so
// that what they check of the store holds on SQLite and on PostgreSQL alike: SQLite in a file of
// the test's temporary directory, PostgreSQL in a database of the test's own, created on the
// server named by $OPENIEP_TEST_POSTGRES (default: local trust auth) and dropped when the test
// ends. Without PostgreSQL that half of a test is skipped, or failed under CI=true, where a
// skipped half would hide a broken engine.
//
// Only tests import it. The store's own tests cannot (they are inside the package it imports);
// they have the same helpers of their own in store_test.go.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/store"
)

// Engines are the engines a test runs on, for a loop of subtests named after them.
var Engines = []string{"sqlite", "postgres"}

// defaultPostgres is the server used when $OPENIEP_TEST_POSTGRES is unset: a local one with
// trust auth, as on a developer's machine and in CI.
const defaultPostgres = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// dsns remembers the DSN each store was opened with, for Reopen.
var dsns sync.Map // *store.DB → string

// Open opens a store on engine ("sqlite" or "postgres") in an empty database of the test's own,
// migrated, with opt (its clock, pool sizes). The store is closed, and a PostgreSQL database
// dropped, when the test ends. When PostgreSQL is not reachable, the test is skipped with the
// reason, or failed under CI=true.
func Open(t testing.TB, engine string, opt store.Options) *store.DB {
	t.Helper()
	var dsn string
	switch engine {
	case "sqlite":
		dsn = filepath.Join(t.TempDir(), "openiep.db")
	case "postgres":
		dsn = postgresDatabase(t)
	default:
		t.Fatalf("storetest: unknown engine %q (want one of %v)", engine, Engines)
	}
	return open(t, engine, dsn, opt)
}

// Reopen opens another handle on the database of db, which Open returned, with opt: for a test
// of what two server instances sharing one database do. It is closed when the test ends.
func Reopen(t testing.TB, db *store.DB, opt store.Options) *store.DB {
	t.Helper()
	dsn, ok := dsns.Load(db)
	if !ok {
		t.Fatalf("storetest: Reopen of a store that storetest.Open did not open")
	}
	return open(t, db.Engine(), dsn.(string), opt)
}

// open opens the store at dsn and closes it at the test's end.
func open(t testing.TB, engine, dsn string, opt store.Options) *store.DB {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := store.Open(ctx, dsn, opt)
	if err != nil {
		t.Fatalf("storetest: open %s: %v", engine, err)
	}
	dsns.Store(db, dsn)
	t.Cleanup(func() {
		dsns.Delete(db)
		if err := db.Close(); err != nil {
			t.Errorf("storetest: close %s: %v", engine, err)
		}
	})
	return db
}

// postgresDatabase creates a database named openiep_test_<12 hex digits> for the test, to be
// dropped (with its connections) when the test ends, and returns its DSN. It skips the test, or
// fails it under CI=true, when the server is not reachable.
func postgresDatabase(t testing.TB) string {
	t.Helper()
	base := os.Getenv("OPENIEP_TEST_POSTGRES")
	if base == "" {
		base = defaultPostgres
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := sql.Open("pgx", base)
	if err == nil {
		err = admin.PingContext(ctx)
		if err != nil {
			admin.Close()
		}
	}
	if err != nil {
		unreachable(t, base, err)
	}
	name := "openiep_test_" + randomHex(t, 6)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("storetest: create database %s: %v", name, err)
	}
	// Registered before the store's own cleanup, so it runs after the store is closed.
	t.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("storetest: $OPENIEP_TEST_POSTGRES is not a URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// unreachable skips the test because PostgreSQL cannot be reached, or fails it under CI=true.
// It names the server without its password.
func unreachable(t testing.TB, dsn string, err error) {
	t.Helper()
	msg := fmt.Sprintf("PostgreSQL is not reachable at %s: %v", redacted(dsn), err)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// redacted returns dsn with its password hidden, for a message.
func redacted(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(a DSN that does not parse)"
	}
	return u.Redacted()
}

// randomHex returns n random bytes in hex, for a database name no other run uses.
func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("storetest: random name: %v", err)
	}
	return hex.EncodeToString(b)
}
