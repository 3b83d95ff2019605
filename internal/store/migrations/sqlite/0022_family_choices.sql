-- The family's own choices. Keep in step with the other dialect's 0022_family_choices.sql.
--
-- accounts.language: the language a person chose for their pages and e-mail (the switch on
-- every page); '' until they choose, then a guardian's pages and mail follow it rather than
-- the guardian's preferred language on file.
ALTER TABLE accounts ADD COLUMN language TEXT NOT NULL DEFAULT '';

-- students.view_shared_by: the guardian (holding the educational rights) who let the student,
-- before the age of majority, read their own record (read only); NULL when nobody did or the
-- sharing was stopped. The policy honours it only while that guardian still holds the rights.
ALTER TABLE students ADD COLUMN view_shared_by TEXT;
