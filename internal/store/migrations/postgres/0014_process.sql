-- The IEP process (issue 5): where each evaluation is and who works on it, uploaded documents,
-- comment threads and the family's suggested changes on a draft, and when a draft was shared
-- with the family. Keep in step with ../sqlite/0014_process.sql.
ALTER TABLE evaluations ADD COLUMN stage TEXT NOT NULL DEFAULT 'evaluated';
ALTER TABLE evaluations ADD COLUMN case_manager_id TEXT;
ALTER TABLE evaluations ADD COLUMN source TEXT NOT NULL DEFAULT '';

-- Staff working on an evaluation (its case manager and each assessment's evaluator): the access
-- policy lets them open the student's record while the evaluation is active.
CREATE TABLE evaluation_staff (
	district_id TEXT NOT NULL,
	evaluation_id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	staff_id TEXT NOT NULL,
	part TEXT NOT NULL, -- case_manager, evaluator
	active BOOLEAN NOT NULL DEFAULT TRUE,
	PRIMARY KEY (district_id, evaluation_id, staff_id, part),
	FOREIGN KEY (district_id, evaluation_id) REFERENCES evaluations (district_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id),
	FOREIGN KEY (district_id, staff_id) REFERENCES staff (district_id, id)
);
CREATE INDEX evaluation_staff_student ON evaluation_staff (district_id, student_id);

CREATE TABLE documents (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	name TEXT NOT NULL,
	media_type TEXT NOT NULL,
	size INTEGER NOT NULL,
	sha256 TEXT NOT NULL,
	data BYTEA NOT NULL,
	uploaded_by TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id)
);
CREATE INDEX documents_student ON documents (district_id, student_id, created_at);

CREATE TABLE plan_comments (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	plan_id TEXT NOT NULL,
	section TEXT NOT NULL,
	reply_to TEXT,
	author_kind TEXT NOT NULL,
	author_id TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, plan_id) REFERENCES plans (district_id, id),
	FOREIGN KEY (district_id, reply_to) REFERENCES plan_comments (district_id, id)
);
CREATE INDEX plan_comments_plan ON plan_comments (district_id, plan_id, created_at);

CREATE TABLE plan_suggestions (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	plan_id TEXT NOT NULL,
	section TEXT NOT NULL,
	base_revision INTEGER NOT NULL,
	content TEXT NOT NULL,
	note TEXT NOT NULL,
	author_kind TEXT NOT NULL,
	author_id TEXT NOT NULL,
	status TEXT NOT NULL,
	answer TEXT NOT NULL DEFAULT '',
	decided_by TEXT NOT NULL DEFAULT '',
	decided_at TIMESTAMPTZ,
	applied_revision INTEGER NOT NULL DEFAULT 0,
	created_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, plan_id) REFERENCES plans (district_id, id)
);
CREATE INDEX plan_suggestions_plan ON plan_suggestions (district_id, plan_id, created_at);

ALTER TABLE plans ADD COLUMN shared_at TIMESTAMPTZ;
