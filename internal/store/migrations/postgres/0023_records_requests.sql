-- A family's records request (34 CFR 300.613) says what they want to see and how (inspect at
-- school, or copies); staff record when and how the records were provided, and who did.
-- parts: a JSON array of codes ("all", "plans", "evaluations"…). Keep in step with the other
-- dialect's 0023_records_requests.sql.
ALTER TABLE records_requests ADD COLUMN parts TEXT NOT NULL DEFAULT '[]';
ALTER TABLE records_requests ADD COLUMN delivery TEXT NOT NULL DEFAULT '';
ALTER TABLE records_requests ADD COLUMN provided_how TEXT NOT NULL DEFAULT '';
ALTER TABLE records_requests ADD COLUMN provided_by TEXT NOT NULL DEFAULT '';
