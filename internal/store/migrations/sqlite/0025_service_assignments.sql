-- Who delivers a student's service line, and when they see the student. An assignment names the
-- provider of one service line (a plan names only the role: iep.ServiceLine.ProviderRole) and the
-- provider's schedule for it: the weekdays (ISO numbers, "1,3" is Monday and Wednesday; '' not
-- scheduled yet) and the time ("09:30"; ''). Assignments end (ends_on) instead of being deleted,
-- so who was assigned when stays known; the provider's day shows the assignments in force on it.
-- Keep in step with the other dialect's 0025_service_assignments.sql.
CREATE TABLE service_assignments (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	service_line_id TEXT NOT NULL,
	provider_id TEXT NOT NULL,
	weekdays TEXT NOT NULL DEFAULT '',
	start_time TEXT NOT NULL DEFAULT '',
	starts_on TEXT NOT NULL,
	ends_on TEXT,
	created_at TEXT NOT NULL,
	created_by TEXT NOT NULL,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id),
	FOREIGN KEY (district_id, provider_id) REFERENCES staff (district_id, id)
) STRICT;
CREATE INDEX service_assignments_provider ON service_assignments (district_id, provider_id, student_id);
CREATE INDEX service_assignments_student ON service_assignments (district_id, student_id, service_line_id);
