-- Access (internal/access): time-limited grants of one staff member to one student's record (a
-- substitute), and what an adult student shares with a parent after the rights transferred
-- (34 CFR 300.520, FERPA 99.5). Keep in step with ../sqlite/0003_access.sql.

-- A grant is active from starts_at (inclusive) to until (exclusive) unless revoked_at is set
-- and not after the instant asked about. Rows are never deleted: revoking stamps revoked_at.
CREATE TABLE access_grants (
	district_id TEXT NOT NULL REFERENCES districts (id),
	id TEXT NOT NULL,
	staff_id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	scope TEXT NOT NULL CHECK (scope IN ('read', 'write')),
	granted_by TEXT NOT NULL,
	reason TEXT NOT NULL,
	starts_at TIMESTAMPTZ NOT NULL,
	until TIMESTAMPTZ NOT NULL,
	revoked_at TIMESTAMPTZ,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (district_id, id),
	CHECK (until > starts_at),
	FOREIGN KEY (district_id, staff_id) REFERENCES staff (district_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id),
	FOREIGN KEY (district_id, granted_by) REFERENCES staff (district_id, id)
);
CREATE INDEX access_grants_student ON access_grants (district_id, student_id, until);
CREATE INDEX access_grants_staff ON access_grants (district_id, staff_id, until);

-- An adult student's sharing of their record with one of their guardians (view only). Revoking
-- stamps revoked_at; sharing again clears it.
CREATE TABLE access_shares (
	district_id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	guardian_id TEXT NOT NULL,
	shared_at TIMESTAMPTZ NOT NULL,
	revoked_at TIMESTAMPTZ,
	PRIMARY KEY (district_id, student_id, guardian_id),
	FOREIGN KEY (district_id, student_id, guardian_id) REFERENCES student_guardians (district_id, student_id, guardian_id)
);
