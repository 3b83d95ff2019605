package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/openiep/openiep/internal/iep"
)

// ensureID gives *id a new UUIDv7 (time-ordered, so it indexes well) when it is empty.
func ensureID(id *string) error {
	if *id != "" {
		return nil
	}
	u, err := uuid.NewV7()
	if err != nil {
		return fmt.Errorf("store: new id: %w", err)
	}
	*id = u.String()
	return nil
}

// checked returns the domain's validation error unchanged, else a KindInvalid error when the
// record names no district (a few Validate methods leave the tenant to the store).
func checked(validateErr error, districtID string) error {
	if validateErr != nil {
		return validateErr
	}
	if strings.TrimSpace(districtID) == "" {
		return iep.Problems{{Field: "district_id", Code: iep.CodeRequired}}.Err()
	}
	return nil
}

// notFound is the error for a record that is not in the district (or does not exist at all:
// the two are not told apart).
func notFound(what, id string) error {
	return iep.Errorf(iep.KindNotFound, "%s %s not found", what, id)
}

// one turns sql.ErrNoRows from a single-row read into a not-found error.
func one(err error, what, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what, id)
	}
	if err != nil {
		return fmt.Errorf("store: read %s %s: %w", what, id, err)
	}
	return nil
}

// opt binds an optional reference: NULL when empty, so that foreign keys skip it. Reads turn
// NULL back into the empty string with COALESCE.
func opt(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// instant scans a TIMESTAMPTZ (PostgreSQL) or RFC 3339 TEXT (SQLite) column into a UTC time;
// NULL is the zero time.
type instant struct{ t *time.Time }

func (i instant) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*i.t = time.Time{}
	case time.Time:
		*i.t = v.UTC()
	case string:
		return i.parse(v)
	case []byte:
		return i.parse(string(v))
	default:
		return fmt.Errorf("store: cannot scan %T into an instant", src)
	}
	return nil
}

func (i instant) parse(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("store: bad instant %q", s)
	}
	*i.t = t.UTC()
	return nil
}

// jsonCol scans a JSON column (TEXT on SQLite, JSONB on PostgreSQL) into v, a pointer.
type jsonCol struct{ v any }

func (j jsonCol) Scan(src any) error {
	var b []byte
	switch s := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(s)
	case []byte:
		b = s
	default:
		return fmt.Errorf("store: cannot scan %T as JSON", src)
	}
	return json.Unmarshal(b, j.v)
}

// jsonArgs encodes the JSON columns of one record, keeping the first error.
type jsonArgs struct{ err error }

func (j *jsonArgs) of(v any) string {
	b, err := json.Marshal(v)
	if err != nil && j.err == nil {
		j.err = fmt.Errorf("store: encode JSON column: %w", err)
	}
	return string(b)
}

// list runs a query and scans every row with scan. It returns an empty, non-nil slice when no
// row matches.
func list[T any](ctx context.Context, q queryer, scan func(row, *T) error, query string, args ...any) ([]T, error) {
	rows, err := q.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: query: %w", err)
	}
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, fmt.Errorf("store: scan: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: query: %w", err)
	}
	return out, nil
}

// wrap adds what was being done to an error from the database, keeping its kind.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("store: "+format+": %w", append(args, err)...)
}

// NewID gives *id a new id of the kind the store assigns when it is empty: for a use case that
// must name a record (in a link, an invitation) before the transaction that stores it.
func NewID(id *string) error { return ensureID(id) }
