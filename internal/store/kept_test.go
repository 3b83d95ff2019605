package store

import (
	"bytes"
	"errors"
	"testing"

	"github.com/openiep/openiep/internal/iep"
)

func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"KeptDocuments", testKeptDocuments},
	}...)
}

// testKeptDocuments: the first PDF kept for a version and language is the one found ever
// after (a second is dropped, not stored), each language has its own, a hash finds it, and the
// database refuses to change or delete a document or its keeping.
func testKeptDocuments(t *testing.T, db *DB) {
	f := newFixture(t, db)
	s := f.addStudent(t, db, "Kept", "Docs")
	d := f.district.ID
	first := []byte("%PDF-1.7\nfirst")
	keep := func(lang string, data []byte) (*iep.Document, bool) {
		t.Helper()
		var got *iep.Document
		var created bool
		mustWrite(t, db, func(tx *Tx) error {
			doc := iep.Document{DistrictID: d, StudentID: s.ID, Name: "iep-" + lang + ".pdf", MediaType: "application/pdf"}
			var err error
			got, created, err = tx.KeepDocument(ctx, "proposal", "version-1", lang, &doc, data)
			return err
		})
		return got, created
	}
	a, created := keep("en", first)
	if !created || a.SHA256 == "" {
		t.Fatalf("first keeping: %+v created=%v", a, created)
	}
	b, created := keep("en", []byte("%PDF-1.7\nsecond"))
	if created || b.ID != a.ID || b.SHA256 != a.SHA256 {
		t.Errorf("second keeping replaced the first: %+v created=%v, want %s", b, created, a.ID)
	}
	doc, data, err := db.KeptDocument(ctx, d, "proposal", "version-1", "en")
	if err != nil || doc == nil || doc.ID != a.ID || !bytes.Equal(data, first) {
		t.Fatalf("KeptDocument = %+v %q %v", doc, data, err)
	}
	es, created := keep("es", []byte("%PDF-1.7\nespañol"))
	if !created || es.ID == a.ID {
		t.Errorf("Spanish: %+v created=%v", es, created)
	}
	if doc, _, err := db.KeptDocument(ctx, d, "proposal", "version-2", "en"); doc != nil || err != nil {
		t.Errorf("another version: %+v %v", doc, err)
	}
	if doc, err := db.KeptDocumentBySHA(ctx, d, "proposal", "version-1", es.SHA256); err != nil || doc == nil || doc.ID != es.ID {
		t.Errorf("by hash: %+v %v", doc, err)
	}
	if doc, err := db.KeptDocumentBySHA(ctx, d, "proposal", "version-1", "0000"); doc != nil || err != nil {
		t.Errorf("an unknown hash: %+v %v", doc, err)
	}
	for _, q := range []string{
		`UPDATE documents SET name = 'x' WHERE district_id = $1`,
		`DELETE FROM documents WHERE district_id = $1`,
		`UPDATE kept_documents SET language = 'fr' WHERE district_id = $1`,
		`DELETE FROM kept_documents WHERE district_id = $1`,
	} {
		err := db.Write(ctx, func(tx *Tx) error { _, err := tx.exec(ctx, q, d); return err })
		if !errors.Is(err, iep.ErrConflict) {
			t.Errorf("%s: %v, want the database to refuse it (conflict)", q, err)
		}
	}
	if _, data, err := db.KeptDocument(ctx, d, "proposal", "version-1", "en"); err != nil || !bytes.Equal(data, first) {
		t.Errorf("after the refused changes: %q %v", data, err)
	}
}
