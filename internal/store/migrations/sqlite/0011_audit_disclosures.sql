-- The record of access (34 CFR 300.614, FERPA 99.32; store/audit_list.go): by default it lists a
-- student's entries by parties other than the family and the staff who work with the student,
-- newest first, a page at a time. This index holds only those entries, so that a page is one
-- index range however many routine reads the trail holds. Keep in step with
-- ../postgres/0011_audit_disclosures.sql.
--
-- The predicate must be the very text store.ListStudentAudit adds to its query (disclosureSQL,
-- built from store.RoutineAuditReasons): a planner uses a partial index only for a query that
-- implies its predicate. TestAuditDisclosureIndexMatchesCode compares them.
CREATE INDEX audit_entries_disclosures ON audit_entries (district_id, student_id, seq)
	WHERE student_id IS NOT NULL AND reason NOT IN ('guardian_with_rights', 'shared_by_student', 'adult_student', 'case_manager', 'team_member', 'assigned_provider');
