-- Each student's computed deadlines (store/deadlines.go), replaced whole whenever an event of the
-- student is appended: the clocks are a pure function of the ledger, the district calendar and the
-- rule pack (internal/clocks); this table only makes "what is due" fast to list.
-- Keep in step with ../postgres/0012_deadlines.sql.
CREATE TABLE deadlines (
	district_id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	n INTEGER NOT NULL,                  -- the deadline's place in the student's set
	clock TEXT NOT NULL,                 -- the rule's id
	citation TEXT NOT NULL,
	plan_id TEXT,
	school_id TEXT,                      -- the student's school when computed (filters)
	case_manager_id TEXT,                -- their current plan's case manager when computed (filters, digests)
	start_on TEXT NOT NULL,
	due_on TEXT NOT NULL,
	soon_on TEXT NOT NULL,               -- from this day it is "due soon" (the rule's threshold)
	provisional INTEGER NOT NULL DEFAULT 0,  -- the calendar ran out: due_on is an estimate
	met_on TEXT,                         -- NULL while open
	paused INTEGER NOT NULL DEFAULT 0,
	pause_reason TEXT NOT NULL DEFAULT '',
	lapsed INTEGER NOT NULL DEFAULT 0,  -- closed by the family's silence (the rule says what it means)
	early INTEGER NOT NULL DEFAULT 0,   -- a step taken before the earliest day allowed
	computed_at TEXT NOT NULL,
	PRIMARY KEY (district_id, student_id, n),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id)
) STRICT;
-- "What is due": open deadlines by due date, for the district, a school, a case manager. Each
-- index also holds what the counts by status read (soon_on, paused), so that counting a
-- district's open deadlines reads the index alone.
CREATE INDEX deadlines_open ON deadlines (district_id, due_on, student_id, n, soon_on, paused, met_on) WHERE met_on IS NULL;
CREATE INDEX deadlines_open_school ON deadlines (district_id, school_id, due_on, student_id, n, soon_on, paused, met_on) WHERE met_on IS NULL;
CREATE INDEX deadlines_open_case_manager ON deadlines (district_id, case_manager_id, due_on, student_id, n, soon_on, paused, met_on) WHERE met_on IS NULL;

-- The daily "what is due" digest to case managers (app.SendDueDigests): one row per district and
-- day, written in the transaction that queues the e-mails, so that several instances send it once.
CREATE TABLE due_digests (
	district_id TEXT NOT NULL REFERENCES districts (id),
	day TEXT NOT NULL,
	mails INTEGER NOT NULL,
	PRIMARY KEY (district_id, day)
) STRICT;

-- A district's own amounts for rules of its pack (rules.Pack.With checks them against the law):
-- e.g. services to start within 5 school days instead of 10.
CREATE TABLE district_rule_overrides (
	district_id TEXT NOT NULL REFERENCES districts (id),
	rule_id TEXT NOT NULL,
	amount INTEGER NOT NULL CHECK (amount > 0),
	PRIMARY KEY (district_id, rule_id)
) STRICT;
