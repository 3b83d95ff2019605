package store

import (
	"context"
	"database/sql"
	"errors"

	"github.com/openiep/openiep/internal/iep"
)

// KeepDocument stores d and its bytes as the kept document of (kind, subject, language) —
// the PDF of a proposed version in one language — unless one is kept already: then that one is
// returned with created false, and data is not stored. Documents are never changed or deleted
// (the database refuses it). Errors: invalid (see CreateDocument).
func (tx *Tx) KeepDocument(ctx context.Context, kind, subjectID, lang string, d *iep.Document, data []byte) (kept *iep.Document, created bool, err error) {
	have, err := tx.keptID(ctx, d.DistrictID, kind, subjectID, lang)
	if err != nil {
		return nil, false, err
	}
	if have != "" {
		var k iep.Document
		err := scanDocument(tx.queryRow(ctx, `SELECT `+documentCols+` FROM documents WHERE district_id = $1 AND id = $2`,
			d.DistrictID, have), &k)
		return &k, false, one(err, "document", have)
	}
	if err := tx.CreateDocument(ctx, d, data); err != nil {
		return nil, false, err
	}
	_, err = tx.exec(ctx, `INSERT INTO kept_documents (district_id, kind, subject_id, language, document_id)
		VALUES ($1, $2, $3, $4, $5)`, d.DistrictID, kind, subjectID, lang, d.ID)
	if err != nil {
		return nil, false, wrap(err, "keep document %s", d.ID)
	}
	return d, true, nil
}

func (tx *Tx) keptID(ctx context.Context, districtID, kind, subjectID, lang string) (string, error) {
	var id string
	err := tx.queryRow(ctx, `SELECT document_id FROM kept_documents
		WHERE district_id = $1 AND kind = $2 AND subject_id = $3 AND language = $4`,
		districtID, kind, subjectID, lang).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, wrap(err, "kept document of %s %s", kind, subjectID)
}

// KeptDocument returns the kept document of (kind, subject, language) with its bytes; nil when
// none is kept.
func (db *DB) KeptDocument(ctx context.Context, districtID, kind, subjectID, lang string) (*iep.Document, []byte, error) {
	var id string
	err := db.queryRow(ctx, `SELECT document_id FROM kept_documents
		WHERE district_id = $1 AND kind = $2 AND subject_id = $3 AND language = $4`,
		districtID, kind, subjectID, lang).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, wrap(err, "kept document of %s %s", kind, subjectID)
	}
	return db.GetDocument(ctx, districtID, id)
}

// KeptDocumentBySHA returns the kept document of (kind, subject) in any language whose SHA-256
// is sha; nil when there is none.
func (db *DB) KeptDocumentBySHA(ctx context.Context, districtID, kind, subjectID, sha string) (*iep.Document, error) {
	var d iep.Document
	err := db.queryRow(ctx, `SELECT d.district_id, d.id, d.student_id, d.name, d.media_type, d.size, d.sha256,
		d.uploaded_by, d.created_at FROM kept_documents k JOIN documents d ON d.district_id = k.district_id AND d.id = k.document_id
		WHERE k.district_id = $1 AND k.kind = $2 AND k.subject_id = $3 AND d.sha256 = $4`,
		districtID, kind, subjectID, sha).Scan(&d.DistrictID, &d.ID, &d.StudentID, &d.Name, &d.MediaType, &d.Size,
		&d.SHA256, &d.UploadedBy, instant{&d.CreatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, wrap(err, "kept document of %s %s", kind, subjectID)
	}
	return &d, nil
}
