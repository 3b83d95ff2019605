package demo

import (
	"context"
	"testing"
)

func TestProfile30k(t *testing.T) {
	db := openDB(t, "p.db")
	if _, err := Generate(context.Background(), db, Config{Students: 30000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
}
