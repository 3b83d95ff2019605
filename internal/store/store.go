// Package store is openiep's database: one store over two engines, embedded SQLite (the
// default) and PostgreSQL (for districts and states). The same methods, the same SQL and the same
// contract tests run on both; what differs lives in dialect.go and the migration folders.
//
// Every row carries its district (the tenant) and every read filters on it. Writes happen in
// one transaction per DB.Write, through the methods of Tx; each validates its argument with the
// domain's Validate first and maps what the database refuses to an iep error kind. Reads are
// methods of DB; a missing record is an error of kind iep.KindNotFound, never (nil, nil).
package store

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/openiep/openiep/internal/iep"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Options tunes a DB. The zero value is ready to use.
type Options struct {
	Now       func() time.Time // the clock for every timestamp the store sets; default time.Now().UTC()
	ReadConns int              // SQLite: size of the read-only connection pool; default 4
	MaxConns  int              // PostgreSQL: most connections the pool opens; default 16
}

// DB is an open store. It is safe for concurrent use.
type DB struct {
	d   *dialect
	rw  *sql.DB // SQLite: the one writer connection; PostgreSQL: the pool
	ro  *sql.DB // SQLite: the read-only pool; PostgreSQL: the same pool as rw
	now func() time.Time

	reads *stmtCache // SQLite: statements prepared on the read pool; nil on PostgreSQL

	migrated int // how many migrations Open applied

	// onQuery, when set (by tests only), sees every read query and its arguments before it runs.
	onQuery func(q string, args []any)

	// eventHook runs inside the transaction after each appended event (OnEvent).
	eventHook func(ctx context.Context, tx *Tx, e *iep.Event) error
}

// Open opens the database named by dsn and applies pending migrations. A dsn starting with
// "postgres://" or "postgresql://" opens PostgreSQL; anything else is the path of a SQLite file,
// created when missing (query parameters the SQLite driver understands may follow a '?').
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	db := &DB{now: opt.Now}
	if db.now == nil {
		db.now = func() time.Time { return time.Now().UTC() }
	}
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		err = db.openPostgres(dsn, opt.MaxConns)
	} else {
		err = db.openSQLite(dsn, opt.ReadConns)
	}
	if err != nil {
		return nil, err
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.migrated, err = db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) openPostgres(dsn string, maxConns int) error {
	db.d = postgresDialect
	if maxConns <= 0 {
		maxConns = 16
	}
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("store: open postgres: %w", err)
	}
	pool.SetMaxOpenConns(maxConns)
	pool.SetMaxIdleConns(min(maxConns, 8))
	pool.SetConnMaxIdleTime(5 * time.Minute)
	db.rw, db.ro = pool, pool
	return nil
}

// sqlitePragmas are set on every SQLite connection; busy_timeout comes first so that the
// others wait for a lock instead of failing. temp_store keeps statement journals and sorts in
// memory instead of temporary files.
const sqlitePragmas = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
	"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)"

func (db *DB) openSQLite(path string, readConns int) error {
	db.d = sqliteDialect
	if path == "" || strings.Contains(path, ":memory:") || strings.Contains(path, "mode=memory") {
		return fmt.Errorf("store: SQLite needs a file (the writer and the readers share it), not %q", path)
	}
	if readConns <= 0 {
		readConns = 4
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	base := path + sep + sqlitePragmas
	// The writer keeps up to 64 MiB of pages, so that a large transaction (an import, a generated
	// district) does not spill to the WAL and read it back; each reader keeps 16 MiB.
	w, err := sql.Open("sqlite", base+"&_pragma=cache_size(-65536)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	r, err := sql.Open("sqlite", base+"&_pragma=cache_size(-16384)&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("store: open sqlite readers: %w", err)
	}
	r.SetMaxOpenConns(readConns)
	r.SetMaxIdleConns(readConns)
	r.SetConnMaxIdleTime(0)
	db.rw, db.ro = w, r
	db.reads = &stmtCache{db: r, d: db.d, m: map[string]prepared{}}
	return nil
}

// MigratedAtOpen returns how many migrations Open applied to bring the schema up to date.
func (db *DB) MigratedAtOpen() int { return db.migrated }

// Close closes every connection.
func (db *DB) Close() error {
	var first error
	if db.reads != nil {
		db.reads.close()
	}
	if db.ro != db.rw {
		first = db.ro.Close()
	}
	if err := db.rw.Close(); err != nil && first == nil {
		first = err
	}
	return first
}

// Engine returns "sqlite" or "postgres".
func (db *DB) Engine() string { return db.d.name }

// Ping checks that the database answers, on the writer and on the readers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.rw.PingContext(ctx); err != nil {
		return fmt.Errorf("store: %s: %w", db.d.name, err)
	}
	if db.ro != db.rw {
		if err := db.ro.PingContext(ctx); err != nil {
			return fmt.Errorf("store: %s readers: %w", db.d.name, err)
		}
	}
	return nil
}

// Writer returns the raw handle that writes (SQLite: its single connection), for tests that
// issue raw SQL and for tools. Using it while a Write runs on SQLite waits for that Write.
func (db *DB) Writer() *sql.DB { return db.rw }

// clock reads the injected clock once, to the microsecond both engines keep.
func (db *DB) clock() time.Time { return db.now().UTC().Truncate(time.Microsecond) }

// Write runs fn in one transaction and commits it when fn returns nil. When fn returns an
// error or panics, everything it wrote is rolled back (and the panic goes on). A method of Tx
// that fails may leave part of its own writes in the transaction: return its error.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := db.rw.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", db.d.mapError(err))
	}
	tx := &Tx{db: db, tx: sqlTx, now: db.clock()}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", db.d.mapError(err))
	}
	return nil
}

// Tx is one write transaction, given to the function passed to DB.Write. It must not be used
// after that function returns, nor from several goroutines at once.
type Tx struct {
	db    *DB
	tx    *sql.Tx
	now   time.Time
	stmts map[string]prepared // SQLite: statements prepared in this transaction, by SQL text
}

// prepared is a statement prepared for SQLite with its argument order (see dialect.rebind).
type prepared struct {
	st    *sql.Stmt
	order []int
}

// args puts the caller's arguments in the order of the statement's anonymous parameters.
func (p prepared) args(args []any) []any {
	if p.order == nil {
		return args
	}
	out := make([]any, len(p.order))
	for i, j := range p.order {
		out[i] = args[j]
	}
	return out
}

// Now returns the instant of this transaction: the store's clock read once when it began. Every
// timestamp the transaction sets is this one.
func (tx *Tx) Now() time.Time { return tx.now }

func (tx *Tx) stmt(ctx context.Context, q string) (prepared, error) {
	if p, ok := tx.stmts[q]; ok {
		return p, nil
	}
	text, order := tx.db.d.rebind(q)
	st, err := tx.tx.PrepareContext(ctx, text)
	if err != nil {
		return prepared{}, fmt.Errorf("store: prepare: %w", err)
	}
	if tx.stmts == nil {
		tx.stmts = map[string]prepared{}
	}
	p := prepared{st, order}
	tx.stmts[q] = p
	return p, nil
}

// exec runs a statement in the transaction; refusals by the database come back as iep errors.
func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if !tx.db.d.prepare {
		res, err := tx.tx.ExecContext(ctx, q, args...)
		return res, tx.db.d.mapError(err)
	}
	p, err := tx.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	res, err := p.st.ExecContext(ctx, p.args(args)...)
	return res, tx.db.d.mapError(err)
}

// execOne runs a statement that must change exactly one row; it reports whether it did.
func (tx *Tx) execOne(ctx context.Context, q string, args ...any) (bool, error) {
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if !tx.db.d.prepare {
		return tx.tx.QueryContext(ctx, q, args...)
	}
	p, err := tx.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return p.st.QueryContext(ctx, p.args(args)...)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) row {
	if !tx.db.d.prepare {
		return tx.tx.QueryRowContext(ctx, q, args...)
	}
	p, err := tx.stmt(ctx, q)
	if err != nil {
		return errRow{err}
	}
	return p.st.QueryRowContext(ctx, p.args(args)...)
}

func (tx *Tx) dialect() *dialect { return tx.db.d }

func (db *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if db.onQuery != nil {
		db.onQuery(q, args)
	}
	if db.reads == nil {
		return db.ro.QueryContext(ctx, q, args...)
	}
	p, err := db.reads.get(ctx, q)
	if err != nil {
		return nil, err
	}
	return p.st.QueryContext(ctx, p.args(args)...)
}

func (db *DB) queryRow(ctx context.Context, q string, args ...any) row {
	if db.onQuery != nil {
		db.onQuery(q, args)
	}
	if db.reads == nil {
		return db.ro.QueryRowContext(ctx, q, args...)
	}
	p, err := db.reads.get(ctx, q)
	if err != nil {
		return errRow{err}
	}
	return p.st.QueryRowContext(ctx, p.args(args)...)
}

func (db *DB) dialect() *dialect { return db.d }

// queryer is what reads need; both DB (the read pool) and Tx (inside a write) provide it.
type queryer interface {
	query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	queryRow(ctx context.Context, q string, args ...any) row
	dialect() *dialect
}

// row is a *sql.Row or *sql.Rows positioned on a row.
type row interface{ Scan(dest ...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// stmtCache keeps statements prepared on a pool, by SQL text. The set of texts is the store's
// own constants, so it stays small.
type stmtCache struct {
	db *sql.DB
	d  *dialect
	mu sync.Mutex
	m  map[string]prepared
}

func (c *stmtCache) get(ctx context.Context, q string) (prepared, error) {
	c.mu.Lock()
	p, ok := c.m[q]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	text, order := c.d.rebind(q)
	st, err := c.db.PrepareContext(ctx, text)
	if err != nil {
		return prepared{}, fmt.Errorf("store: prepare: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.m[q]; ok {
		st.Close()
		return prev, nil
	}
	p = prepared{st, order}
	c.m[q] = p
	return p, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, p := range c.m {
		p.st.Close()
		delete(c.m, q)
	}
}
