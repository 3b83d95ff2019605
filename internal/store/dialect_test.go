package store

import (
	"slices"
	"testing"
)

func TestRebind(t *testing.T) {
	for _, c := range []struct {
		in, out string
		order   []int
	}{
		{"SELECT 1", "SELECT 1", nil},
		{"a = $1 AND b = $2", "a = ? AND b = ?", []int{0, 1}},
		{"SET x = $3 WHERE d = $1 AND id = $2 AND y = $12, z = $3", "SET x = ? WHERE d = ? AND id = ? AND y = ?, z = ?", []int{2, 0, 1, 11, 2}},
		{"price $ 5", "price $ 5", nil},
	} {
		out, order := sqliteDialect.rebind(c.in)
		if out != c.out || !slices.Equal(order, c.order) {
			t.Errorf("rebind(%q) = %q, %v; want %q, %v", c.in, out, order, c.out, c.order)
		}
		if out, order := postgresDialect.rebind(c.in); out != c.in || order != nil {
			t.Errorf("postgres rebind(%q) = %q, %v; want it unchanged", c.in, out, order)
		}
	}
}

func TestErrorColumns(t *testing.T) {
	if got := columnsAfter("UNIQUE constraint failed: students.district_id, students.local_id", "constraint failed: "); !slices.Equal(got, []string{"district_id", "local_id"}) {
		t.Errorf("columnsAfter = %v", got)
	}
	// The SQLite driver ends its message with the error code, which is not a column.
	if got := columnsAfter("UNIQUE constraint failed: districts.id (1555)", "constraint failed: "); !slices.Equal(got, []string{"id"}) {
		t.Errorf("columnsAfter(with driver code) = %q, want [id]", got)
	}
	if got := keyColumns(`Key (district_id, school_id)=(a, b) is not present in table "schools".`); !slices.Equal(got, []string{"district_id", "school_id"}) {
		t.Errorf("keyColumns = %v", got)
	}
	if got := fields([]string{"district_id", "local_id"}); !slices.Equal(got, []string{"local_id"}) {
		t.Errorf("fields = %v", got)
	}
}
