-- Documents are evidence: an upload, a scan, the PDF a parent was shown when they signed. None
-- is ever changed or deleted. kept_documents names the documents the system made and keeps for
-- a record (kind "proposal": the PDF of a proposed version, one per language), so that the
-- one a parent saw is found again and never made twice. Keep in step with the other dialect's
-- 0024_kept_documents.sql.
CREATE TRIGGER documents_kept BEFORE UPDATE OR DELETE ON documents
	FOR EACH ROW EXECUTE FUNCTION openiep_refuse_change('documents are kept as they are');
CREATE TRIGGER documents_no_truncate BEFORE TRUNCATE ON documents
	FOR EACH STATEMENT EXECUTE FUNCTION openiep_refuse_change('documents are kept as they are');

CREATE TABLE kept_documents (
	district_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	subject_id TEXT NOT NULL,
	language TEXT NOT NULL,
	document_id TEXT NOT NULL,
	PRIMARY KEY (district_id, kind, subject_id, language),
	FOREIGN KEY (district_id, document_id) REFERENCES documents (district_id, id)
);
CREATE TRIGGER kept_documents_kept BEFORE UPDATE OR DELETE ON kept_documents
	FOR EACH ROW EXECUTE FUNCTION openiep_refuse_change('kept documents are kept as they are');
CREATE TRIGGER kept_documents_no_truncate BEFORE TRUNCATE ON kept_documents
	FOR EACH STATEMENT EXECUTE FUNCTION openiep_refuse_change('kept documents are kept as they are');
