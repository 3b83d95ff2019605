-- The audit trail (34 CFR 300.614, FERPA 99.32): who read or changed which record, when, from
-- where and why. Keep in step with ../postgres/0002_audit.sql.
--
-- Each district's entries form a hash chain: seq counts 1, 2, 3… per district, prev_hash is the
-- hash of the entry before (empty for the first) and hash is the SHA-256 of the entry's other
-- fields (store.AuditEntry.ComputeHash). audit_heads keeps each district's last seq and hash;
-- appending locks that row, so a district's appends are serialized and the chain cannot fork.
CREATE TABLE audit_entries (
	district_id TEXT NOT NULL REFERENCES districts (id),
	seq INTEGER NOT NULL CHECK (seq > 0),
	id TEXT NOT NULL,
	at TEXT NOT NULL,
	actor_kind TEXT NOT NULL,
	actor_id TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL,
	record_kind TEXT NOT NULL,
	record_id TEXT NOT NULL,
	student_id TEXT,
	from_address TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '',
	prev_hash TEXT NOT NULL,
	hash TEXT NOT NULL,
	PRIMARY KEY (district_id, seq),
	UNIQUE (district_id, id)
) STRICT;
-- The record of access of one student, newest first.
CREATE INDEX audit_entries_student ON audit_entries (district_id, student_id, seq) WHERE student_id IS NOT NULL;

CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
	SELECT RAISE(ABORT, 'audit entries are append-only');
END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
	SELECT RAISE(ABORT, 'audit entries are append-only');
END;

CREATE TABLE audit_heads (
	district_id TEXT NOT NULL PRIMARY KEY REFERENCES districts (id),
	seq INTEGER NOT NULL,
	hash TEXT NOT NULL
) STRICT;

CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
BEGIN
	SELECT RAISE(ABORT, 'audit heads are permanent');
END;
