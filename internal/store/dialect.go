package store

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"

	"github.com/openiep/openiep/internal/iep"
)

// dialect holds everything that differs between SQLite and PostgreSQL. The SQL elsewhere is
// written once, with $1…$n placeholders (rebind adapts them for SQLite), ON CONFLICT … DO
// UPDATE, row values and partial indexes, which both engines run. Column types and triggers
// differ only in the migration files; opening (DSN, pools) in store.go.
type dialect struct {
	name string // "sqlite" or "postgres"

	// prepare says whether the store caches prepared statements itself. SQLite's driver
	// prepares a statement on every call; pgx caches prepared statements per connection.
	prepare bool

	// forUpdate ends a SELECT that must lock the rows it reads against other writers until the
	// transaction ends. On PostgreSQL it is FOR NO KEY UPDATE, not FOR UPDATE: inserting a row
	// that references the locked one (a plan of the student, a section of the plan) takes FOR
	// KEY SHARE on it, which FOR UPDATE would conflict with, and two such transactions would
	// deadlock. SQLite has one writer, so a write transaction already holds the only lock there is.
	forUpdate string

	// idsIn is a condition "column IN (the ids of a JSON array parameter)"; %[1]s is the
	// column and %[2]s the parameter.
	idsIn string

	// migrationLock is run first in each migration's transaction, so that two processes
	// starting at once apply each migration once.
	migrationLock string
}

var sqliteDialect = &dialect{
	name:    "sqlite",
	prepare: true,
	idsIn:   "%[1]s IN (SELECT value FROM json_each(%[2]s))",
}

var postgresDialect = &dialect{
	name:          "postgres",
	forUpdate:     " FOR NO KEY UPDATE",
	idsIn:         "%[1]s IN (SELECT jsonb_array_elements_text(CAST(%[2]s AS jsonb)))",
	migrationLock: "SELECT pg_advisory_xact_lock(7260511)", // any constant shared by every openiep
}

// rebind rewrites a statement written with $1…$n for the engine. PostgreSQL takes it as it is.
// For SQLite each $N becomes an anonymous ?, and order says which argument each ? takes: the
// driver looks a named parameter up by a linear search per parameter, which costs more than the
// row itself in a wide multi-row INSERT. (The store's SQL has no '$' in its literals.)
func (d *dialect) rebind(q string) (out string, order []int) {
	if d.name != "sqlite" || !strings.Contains(q, "$") {
		return q, nil
	}
	var b strings.Builder
	b.Grow(len(q))
	for i := 0; i < len(q); i++ {
		j := i + 1
		if q[i] == '$' {
			for j < len(q) && q[j] >= '0' && q[j] <= '9' {
				j++
			}
		}
		if j == i+1 {
			b.WriteByte(q[i])
			continue
		}
		n, _ := strconv.Atoi(q[i+1 : j])
		order = append(order, n-1)
		b.WriteByte('?')
		i = j - 1
	}
	return b.String(), order
}

// instantLayout is how SQLite stores an instant: RFC 3339 in UTC with a fixed six-digit
// fraction, so that text order is time order. PostgreSQL's TIMESTAMPTZ keeps microseconds too.
const instantLayout = "2006-01-02T15:04:05.000000Z"

// instant returns the value to bind for an instant: NULL for the zero time, else the time in UTC
// to the microsecond (TEXT on SQLite, TIMESTAMPTZ on PostgreSQL).
func (d *dialect) instant(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	t = t.UTC().Truncate(time.Microsecond)
	if d.name == "sqlite" {
		return t.Format(instantLayout)
	}
	return t
}

// SQLite extended result codes (https://sqlite.org/rescode.html).
const (
	sqliteConstraintCheck      = 275
	sqliteConstraintForeignKey = 787
	sqliteConstraintNotNull    = 1299
	sqliteConstraintPrimaryKey = 1555
	sqliteConstraintTrigger    = 1811
	sqliteConstraintUnique     = 2067
)

// mapError turns a driver error into an *iep.Error of the right kind where the database refused
// the data (unique, foreign key, not null, check, an immutability trigger); anything else is
// returned unchanged (KindInternal).
func (d *dialect) mapError(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return mapSQLiteError(se, err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return mapPostgresError(pe, err)
	}
	return err
}

func mapSQLiteError(se *sqlite.Error, err error) error {
	msg := se.Error()
	switch se.Code() {
	case sqliteConstraintUnique, sqliteConstraintPrimaryKey:
		return conflictOn(columnsAfter(msg, "constraint failed: "))
	case sqliteConstraintForeignKey:
		return missingReference(nil)
	case sqliteConstraintNotNull:
		return required(columnsAfter(msg, "constraint failed: "))
	case sqliteConstraintCheck:
		return iep.Errorf(iep.KindInvalid, "the database refused a value (%s)", msg)
	case sqliteConstraintTrigger:
		return iep.Errorf(iep.KindConflict, "%s", strings.TrimPrefix(msg, "constraint failed: "))
	}
	return err
}

func mapPostgresError(pe *pgconn.PgError, err error) error {
	switch pe.Code {
	case "23505": // unique_violation
		return conflictOn(keyColumns(pe.Detail))
	case "23503": // foreign_key_violation
		return missingReference(keyColumns(pe.Detail))
	case "23502": // not_null_violation
		return required([]string{pe.ColumnName})
	case "23514": // check_violation
		return iep.Errorf(iep.KindInvalid, "the database refused a value (%s)", pe.ConstraintName)
	case "23000": // raised by the immutability triggers
		return iep.Errorf(iep.KindConflict, "%s", pe.Message)
	case "40001", "40P01": // serialization failure, deadlock: the caller may retry
		return iep.Errorf(iep.KindConflict, "a concurrent change got in the way; try again")
	}
	return err
}

// columnsAfter reads SQLite's "UNIQUE constraint failed: t.a, t.b" into [a b].
func columnsAfter(msg, marker string) []string {
	msg = sqliteCodeSuffix.ReplaceAllString(msg, "")
	i := strings.Index(msg, marker)
	if i < 0 {
		return nil
	}
	var cols []string
	for _, c := range strings.Split(msg[i+len(marker):], ",") {
		c = strings.TrimSpace(c)
		if j := strings.LastIndexByte(c, '.'); j >= 0 {
			c = c[j+1:]
		}
		cols = append(cols, c)
	}
	return cols
}

// sqliteCodeSuffix is the " (1555)" the SQLite driver appends to a message: the error code, not
// part of the column list.
var sqliteCodeSuffix = regexp.MustCompile(` \(\d+\)$`)

var keyDetail = regexp.MustCompile(`^Key \(([^)]*)\)`)

// keyColumns reads PostgreSQL's "Key (a, b)=(…) …" detail into [a b]; the values are not kept.
func keyColumns(detail string) []string {
	m := keyDetail.FindStringSubmatch(detail)
	if m == nil {
		return nil
	}
	var cols []string
	for _, c := range strings.Split(m[1], ",") {
		cols = append(cols, strings.TrimSpace(c))
	}
	return cols
}

// fields drops the tenancy column: every key has it, it says nothing to the caller.
func fields(cols []string) []string {
	var out []string
	for _, c := range cols {
		if c != "district_id" && c != "" {
			out = append(out, c)
		}
	}
	return out
}

func conflictOn(cols []string) error {
	f := fields(cols)
	if len(f) == 0 {
		return iep.Errorf(iep.KindConflict, "a record with this id already exists")
	}
	return &iep.Error{
		Kind:     iep.KindConflict,
		Message:  "a record like this already exists",
		Problems: iep.Problems{{Field: strings.Join(f, ","), Code: iep.CodeDuplicate}},
	}
}

// missingReference is a foreign key violation: the record refers to one that does not exist
// in its district. It is the caller's input that is wrong, so the kind is invalid.
func missingReference(cols []string) error {
	const msg = "it refers to a record that does not exist in this district"
	f := fields(cols)
	if len(f) == 0 {
		return iep.Errorf(iep.KindInvalid, msg)
	}
	ps := make(iep.Problems, len(f))
	for i, c := range f {
		ps[i] = iep.Problem{Field: c, Code: iep.CodeInvalid, Detail: "no such record in this district"}
	}
	return &iep.Error{Kind: iep.KindInvalid, Message: msg, Problems: ps}
}

func required(cols []string) error {
	var ps iep.Problems
	for _, c := range fields(cols) {
		ps = append(ps, iep.Problem{Field: c, Code: iep.CodeRequired})
	}
	if len(ps) == 0 {
		return iep.Errorf(iep.KindInvalid, "a required value is missing")
	}
	return ps.Err()
}
