-- A district's security settings (store/settings.go). Keep in step with ../sqlite/0008_settings.sql.
-- A district without a row has the defaults of store.DefaultSettings.
CREATE TABLE district_settings (
	district_id TEXT NOT NULL PRIMARY KEY REFERENCES districts (id),
	idle_timeout_seconds INTEGER NOT NULL CHECK (idle_timeout_seconds BETWEEN 60 AND 43200),
	session_max_seconds INTEGER NOT NULL CHECK (session_max_seconds BETWEEN 3600 AND 604800),
	require_staff_totp BOOLEAN NOT NULL DEFAULT FALSE,
	updated_at TIMESTAMPTZ NOT NULL
);


-- A staff member's caseload (store.ListStaffStudents): plans by case manager.
CREATE INDEX plans_case_manager ON plans (district_id, case_manager_id) WHERE case_manager_id IS NOT NULL;
