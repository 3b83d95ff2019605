-- openiep schema, SQLite. Keep in step with ../postgres/0001_init.sql: same tables, columns,
-- keys and indexes. Here: TEXT dates (YYYY-MM-DD) and instants (RFC 3339, UTC, microseconds),
-- INTEGER booleans, TEXT JSON. Every table carries district_id, the tenant, first in its keys.

CREATE TABLE districts (
	id TEXT NOT NULL PRIMARY KEY,
	name TEXT NOT NULL,
	state_code TEXT NOT NULL,
	lea_code TEXT NOT NULL DEFAULT '',
	rule_pack TEXT NOT NULL,
	timezone TEXT NOT NULL,
	languages TEXT NOT NULL DEFAULT 'null',
	created_at TEXT NOT NULL
) STRICT;

CREATE TABLE schools (
	district_id TEXT NOT NULL REFERENCES districts (id),
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	code TEXT NOT NULL DEFAULT '',
	low_grade TEXT NOT NULL,
	high_grade TEXT NOT NULL,
	kind TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (district_id, id)
) STRICT;
CREATE UNIQUE INDEX schools_code ON schools (district_id, code) WHERE code <> '';

CREATE TABLE school_years (
	district_id TEXT NOT NULL REFERENCES districts (id),
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	first_day TEXT NOT NULL,
	last_day TEXT NOT NULL,
	PRIMARY KEY (district_id, id)
) STRICT;

CREATE TABLE calendar_days (
	district_id TEXT NOT NULL,
	day TEXT NOT NULL,
	school_year_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (district_id, day),
	FOREIGN KEY (district_id, school_year_id) REFERENCES school_years (district_id, id)
) STRICT;
CREATE INDEX calendar_days_year ON calendar_days (district_id, school_year_id, day);

CREATE TABLE staff (
	district_id TEXT NOT NULL REFERENCES districts (id),
	id TEXT NOT NULL,
	first_name TEXT NOT NULL,
	last_name TEXT NOT NULL,
	email TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	roles TEXT NOT NULL,
	school_ids TEXT NOT NULL,
	languages TEXT NOT NULL,
	active INTEGER NOT NULL,
	PRIMARY KEY (district_id, id)
) STRICT;
CREATE INDEX staff_name ON staff (district_id, last_name, first_name, id);

CREATE TABLE students (
	district_id TEXT NOT NULL REFERENCES districts (id),
	id TEXT NOT NULL,
	school_id TEXT NOT NULL,
	local_id TEXT NOT NULL DEFAULT '',
	state_id TEXT NOT NULL DEFAULT '',
	first_name TEXT NOT NULL,
	middle_name TEXT NOT NULL DEFAULT '',
	last_name TEXT NOT NULL,
	preferred_name TEXT NOT NULL DEFAULT '',
	birth_date TEXT NOT NULL,
	grade TEXT NOT NULL,
	home_language TEXT NOT NULL,
	pronouns TEXT NOT NULL DEFAULT '',
	enrolled_on TEXT,
	exited_on TEXT,
	exit_reason TEXT NOT NULL DEFAULT '',
	-- The student's current plan (see store.CurrentPlan), kept by the plan writes so that a
	-- roster page is one index range.
	current_plan_id TEXT,
	plan_status TEXT,
	next_review_date TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, school_id) REFERENCES schools (district_id, id),
	FOREIGN KEY (district_id, current_plan_id) REFERENCES plans (district_id, id)
) STRICT;
CREATE INDEX students_name ON students (district_id, last_name, first_name, id);
CREATE INDEX students_school_name ON students (district_id, school_id, last_name, first_name, id);
CREATE INDEX students_with_plan_name ON students (district_id, last_name, first_name, id)
	WHERE current_plan_id IS NOT NULL;
CREATE INDEX students_school_plan ON students (district_id, school_id, current_plan_id);
CREATE UNIQUE INDEX students_local_id ON students (district_id, local_id) WHERE local_id <> '';

CREATE TABLE student_disabilities (
	district_id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	category TEXT NOT NULL,
	position INTEGER NOT NULL,
	is_primary INTEGER NOT NULL,
	PRIMARY KEY (district_id, student_id, category),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id)
) STRICT;

CREATE TABLE guardians (
	district_id TEXT NOT NULL REFERENCES districts (id),
	id TEXT NOT NULL,
	first_name TEXT NOT NULL,
	last_name TEXT NOT NULL,
	preferred_language TEXT NOT NULL,
	needs_interpreter INTEGER NOT NULL,
	contact_methods TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (district_id, id)
) STRICT;

CREATE TABLE student_guardians (
	district_id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	guardian_id TEXT NOT NULL,
	relationship TEXT NOT NULL,
	holds_educational_rights INTEGER NOT NULL,
	lives_with_student INTEGER NOT NULL,
	emergency_contact INTEGER NOT NULL,
	contact_order INTEGER NOT NULL,
	PRIMARY KEY (district_id, student_id, guardian_id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id),
	FOREIGN KEY (district_id, guardian_id) REFERENCES guardians (district_id, id)
) STRICT;
CREATE INDEX student_guardians_guardian ON student_guardians (district_id, guardian_id);

CREATE TABLE plans (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	status TEXT NOT NULL,
	previous_plan_id TEXT,
	case_manager_id TEXT,
	school_id TEXT,
	start_date TEXT,
	end_date TEXT,
	meeting_date TEXT,
	next_review_date TEXT,
	next_reeval_date TEXT,
	current_version INTEGER NOT NULL DEFAULT 0,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	created_by TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (district_id, id),
	UNIQUE (district_id, student_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id),
	FOREIGN KEY (district_id, previous_plan_id) REFERENCES plans (district_id, id),
	FOREIGN KEY (district_id, case_manager_id) REFERENCES staff (district_id, id),
	FOREIGN KEY (district_id, school_id) REFERENCES schools (district_id, id)
) STRICT;

CREATE TABLE plan_sections (
	district_id TEXT NOT NULL,
	plan_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	revision INTEGER NOT NULL CHECK (revision > 0),
	content TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	updated_by TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (district_id, plan_id, kind),
	FOREIGN KEY (district_id, plan_id) REFERENCES plans (district_id, id)
) STRICT;

CREATE TABLE plan_versions (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	plan_id TEXT NOT NULL,
	number INTEGER NOT NULL CHECK (number > 0),
	canonical BLOB NOT NULL,
	sha256 TEXT NOT NULL,
	created_at TEXT NOT NULL,
	created_by TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (district_id, id),
	UNIQUE (district_id, plan_id, number),
	UNIQUE (district_id, plan_id, id),
	FOREIGN KEY (district_id, plan_id) REFERENCES plans (district_id, id)
) STRICT;

-- What was proposed or signed never changes.
CREATE TRIGGER plan_versions_no_update BEFORE UPDATE ON plan_versions
BEGIN
	SELECT RAISE(ABORT, 'plan versions are frozen');
END;
CREATE TRIGGER plan_versions_no_delete BEFORE DELETE ON plan_versions
BEGIN
	SELECT RAISE(ABORT, 'plan versions are frozen');
END;

-- Queryable projections of each version: its service lines (ESY lines flagged) and goals.
CREATE TABLE plan_service_lines (
	district_id TEXT NOT NULL,
	plan_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	esy INTEGER NOT NULL,
	line_id TEXT NOT NULL,
	category TEXT NOT NULL,
	type TEXT NOT NULL,
	provider_role TEXT NOT NULL,
	setting TEXT NOT NULL,
	location TEXT NOT NULL DEFAULT '',
	group_size INTEGER NOT NULL,
	minutes_per_session INTEGER NOT NULL,
	sessions_per_period INTEGER NOT NULL,
	period TEXT NOT NULL,
	cycle_days INTEGER NOT NULL,
	start_date TEXT,
	end_date TEXT,
	PRIMARY KEY (district_id, plan_id, version, esy, line_id),
	FOREIGN KEY (district_id, plan_id, version) REFERENCES plan_versions (district_id, plan_id, number)
) STRICT;

CREATE TABLE plan_goals (
	district_id TEXT NOT NULL,
	plan_id TEXT NOT NULL,
	version INTEGER NOT NULL,
	goal_id TEXT NOT NULL,
	area TEXT NOT NULL,
	statement TEXT NOT NULL,
	unit TEXT NOT NULL DEFAULT '',
	baseline TEXT NOT NULL DEFAULT '',
	baseline_value REAL,
	target TEXT NOT NULL DEFAULT '',
	target_value REAL,
	PRIMARY KEY (district_id, plan_id, version, goal_id),
	FOREIGN KEY (district_id, plan_id, version) REFERENCES plan_versions (district_id, plan_id, number)
) STRICT;

CREATE TABLE team_members (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	plan_id TEXT NOT NULL,
	role TEXT NOT NULL,
	also TEXT NOT NULL,
	staff_id TEXT,
	guardian_id TEXT,
	student_id TEXT,
	guest_name TEXT NOT NULL DEFAULT '',
	guest_title TEXT NOT NULL DEFAULT '',
	invited_by TEXT NOT NULL DEFAULT '',
	announced_on TEXT,
	excusal TEXT NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, plan_id) REFERENCES plans (district_id, id),
	FOREIGN KEY (district_id, staff_id) REFERENCES staff (district_id, id),
	FOREIGN KEY (district_id, guardian_id) REFERENCES guardians (district_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id)
) STRICT;
CREATE INDEX team_members_plan ON team_members (district_id, plan_id, id);
CREATE INDEX team_members_staff ON team_members (district_id, staff_id) WHERE staff_id IS NOT NULL;

CREATE TABLE meetings (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	plan_id TEXT,
	purposes TEXT NOT NULL,
	status TEXT NOT NULL,
	starts_at TEXT NOT NULL,
	duration_minutes INTEGER NOT NULL,
	location TEXT NOT NULL DEFAULT '',
	video_link TEXT NOT NULL DEFAULT '',
	interpreter_language TEXT NOT NULL DEFAULT '',
	notice_sent_on TEXT,
	family_reply TEXT NOT NULL DEFAULT '',
	contact_attempts TEXT NOT NULL,
	attendance TEXT NOT NULL,
	notes TEXT NOT NULL DEFAULT '',
	finalizes INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id),
	FOREIGN KEY (district_id, plan_id) REFERENCES plans (district_id, id)
) STRICT;
CREATE INDEX meetings_student ON meetings (district_id, student_id, starts_at, id);
CREATE INDEX meetings_starts ON meetings (district_id, starts_at);

CREATE TABLE referrals (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	referred_on TEXT NOT NULL,
	source TEXT NOT NULL,
	reason TEXT NOT NULL DEFAULT '',
	areas TEXT NOT NULL,
	from_part_c INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id)
) STRICT;
CREATE INDEX referrals_student ON referrals (district_id, student_id, referred_on, id);

CREATE TABLE consents (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	plan_id TEXT,
	kind TEXT NOT NULL,
	requested_on TEXT NOT NULL,
	guardian_id TEXT,
	decision TEXT NOT NULL,
	decided_on TEXT,
	method TEXT NOT NULL DEFAULT '',
	note TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id),
	FOREIGN KEY (district_id, plan_id) REFERENCES plans (district_id, id),
	FOREIGN KEY (district_id, guardian_id) REFERENCES guardians (district_id, id)
) STRICT;
CREATE INDEX consents_student ON consents (district_id, student_id, requested_on, id);

CREATE TABLE evaluations (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	referral_id TEXT,
	kind TEXT NOT NULL,
	consent_id TEXT,
	consent_on TEXT,
	assessments TEXT NOT NULL,
	completed_on TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id),
	FOREIGN KEY (district_id, referral_id) REFERENCES referrals (district_id, id),
	FOREIGN KEY (district_id, consent_id) REFERENCES consents (district_id, id)
) STRICT;
CREATE INDEX evaluations_student ON evaluations (district_id, student_id, id);

CREATE TABLE eligibility (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	evaluation_id TEXT NOT NULL,
	determined_on TEXT NOT NULL,
	eligible INTEGER NOT NULL,
	disabilities TEXT NOT NULL,
	basis TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id),
	FOREIGN KEY (district_id, evaluation_id) REFERENCES evaluations (district_id, id)
) STRICT;
CREATE INDEX eligibility_student ON eligibility (district_id, student_id, determined_on, id);

CREATE TABLE notices (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	plan_id TEXT,
	kind TEXT NOT NULL,
	language TEXT NOT NULL,
	sent_on TEXT,
	delivered_by TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL DEFAULT '',
	reasons TEXT NOT NULL DEFAULT '',
	based_on TEXT NOT NULL DEFAULT '',
	options_considered TEXT NOT NULL DEFAULT '',
	other_factors TEXT NOT NULL DEFAULT '',
	safeguards TEXT NOT NULL DEFAULT '',
	help_sources TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id),
	FOREIGN KEY (district_id, plan_id) REFERENCES plans (district_id, id)
) STRICT;
CREATE INDEX notices_student ON notices (district_id, student_id, created_at, id);

CREATE TABLE responses (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	plan_id TEXT NOT NULL,
	version_id TEXT NOT NULL,
	version_sha256 TEXT NOT NULL,
	guardian_id TEXT,
	student_id TEXT,
	decision TEXT NOT NULL,
	rejected_sections TEXT NOT NULL,
	rejected_services TEXT NOT NULL,
	comments TEXT NOT NULL,
	responded_on TEXT NOT NULL,
	signature TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, plan_id, version_id) REFERENCES plan_versions (district_id, plan_id, id),
	FOREIGN KEY (district_id, guardian_id) REFERENCES guardians (district_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id)
) STRICT;
CREATE INDEX responses_plan ON responses (district_id, plan_id, responded_on, id);

CREATE TABLE records_requests (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	guardian_id TEXT,
	requested_on TEXT NOT NULL,
	fulfilled_on TEXT,
	note TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id),
	FOREIGN KEY (district_id, guardian_id) REFERENCES guardians (district_id, id)
) STRICT;
CREATE INDEX records_requests_student ON records_requests (district_id, student_id, requested_on, id);

CREATE TABLE service_logs (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	plan_id TEXT NOT NULL,
	service_line_id TEXT NOT NULL,
	day TEXT NOT NULL,
	minutes INTEGER NOT NULL,
	status TEXT NOT NULL,
	missed_reason TEXT NOT NULL DEFAULT '',
	make_up_of TEXT,
	group_session_id TEXT NOT NULL DEFAULT '',
	group_size INTEGER NOT NULL,
	provider_id TEXT NOT NULL,
	actual_provider_id TEXT,
	note TEXT NOT NULL DEFAULT '',
	medicaid_billable INTEGER NOT NULL,
	medicaid_supervisor_id TEXT,
	medicaid_omit INTEGER NOT NULL,
	medicaid_omit_reason TEXT NOT NULL DEFAULT '',
	logged_at TEXT NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, student_id, plan_id) REFERENCES plans (district_id, student_id, id),
	FOREIGN KEY (district_id, provider_id) REFERENCES staff (district_id, id),
	FOREIGN KEY (district_id, actual_provider_id) REFERENCES staff (district_id, id),
	FOREIGN KEY (district_id, medicaid_supervisor_id) REFERENCES staff (district_id, id),
	FOREIGN KEY (district_id, make_up_of) REFERENCES service_logs (district_id, id)
) STRICT;
CREATE INDEX service_logs_student ON service_logs (district_id, student_id, day, id);
CREATE INDEX service_logs_plan_line ON service_logs (district_id, plan_id, service_line_id, day);
CREATE INDEX service_logs_provider ON service_logs (district_id, provider_id, day);

CREATE TABLE progress_points (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	plan_id TEXT NOT NULL,
	goal_id TEXT NOT NULL,
	day TEXT NOT NULL,
	value REAL NOT NULL,
	unit TEXT NOT NULL,
	note TEXT NOT NULL DEFAULT '',
	recorded_by TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, student_id, plan_id) REFERENCES plans (district_id, student_id, id)
) STRICT;
CREATE INDEX progress_points_plan ON progress_points (district_id, plan_id, goal_id, day, id);

CREATE TABLE progress_reports (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	plan_id TEXT NOT NULL,
	period TEXT NOT NULL,
	period_end TEXT NOT NULL,
	entries TEXT NOT NULL,
	sent_on TEXT,
	created_at TEXT NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, student_id, plan_id) REFERENCES plans (district_id, student_id, id)
) STRICT;
CREATE INDEX progress_reports_plan ON progress_reports (district_id, plan_id, period_end, id);

-- The ledger: append-only. seq keeps the order rows were appended in (an INTEGER PRIMARY KEY
-- is the rowid, which VACUUM keeps; rows are never deleted, so it only grows).
CREATE TABLE events (
	seq INTEGER PRIMARY KEY,
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	plan_id TEXT,
	kind TEXT NOT NULL,
	occurred_on TEXT NOT NULL,
	recorded_at TEXT NOT NULL,
	actor_id TEXT NOT NULL DEFAULT '',
	data TEXT,
	UNIQUE (district_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id),
	FOREIGN KEY (district_id, plan_id) REFERENCES plans (district_id, id)
) STRICT;
CREATE INDEX events_student ON events (district_id, student_id, occurred_on, seq);
CREATE INDEX events_kind ON events (district_id, kind, occurred_on);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
	SELECT RAISE(ABORT, 'events are append-only');
END;
