-- Finding a student (store/search.go) and "my caseload" (store/caseload.go). Keep in step with
-- ../postgres/0019_caseload.sql.
--
-- Search keys: each name and the local id folded as store.SearchKey folds what is typed (ASCII
-- lower-cased; the accents of Spanish letters and ç removed, precomposed or combining; spaces,
-- hyphens, apostrophes and periods dropped), as generated columns, so that the start of a name is
-- one range of an index. The expression is the same on both engines; TestSearchKeyMigrationMatchesCode
-- compares it with the code and the contract test SearchStudents the stored keys with SearchKey.
-- It nests 26 calls: SQLite's parser before 3.45 refuses about 30, and a schema it cannot parse
-- makes the whole database unreadable to that sqlite3 shell. (Combining accents are written as
-- the characters themselves: the quoted strings after ' ' hold U+0301, U+0303, U+0308, U+0327.)
-- A generated column added by ALTER TABLE is VIRTUAL in SQLite: computed when a row is written
-- into the indexes, and when read.

ALTER TABLE students ADD COLUMN search_last TEXT GENERATED ALWAYS AS (
	lower(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(last_name
		, 'á', 'a') , 'Á', 'a') , 'ç', 'c') , 'Ç', 'c') , 'é', 'e') , 'É', 'e') , 'í', 'i') , 'Í', 'i')
		, 'ñ', 'n') , 'Ñ', 'n') , 'ó', 'o') , 'Ó', 'o') , 'ú', 'u') , 'Ú', 'u') , 'ü', 'u') , 'Ü', 'u')
		, '́', '') , '̃', '') , '̈', '') , '̧', '') , ' ', '') , '-', '') , '''', '') , '.', '')
		, '’', ''))
) VIRTUAL;

ALTER TABLE students ADD COLUMN search_first TEXT GENERATED ALWAYS AS (
	lower(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(first_name
		, 'á', 'a') , 'Á', 'a') , 'ç', 'c') , 'Ç', 'c') , 'é', 'e') , 'É', 'e') , 'í', 'i') , 'Í', 'i')
		, 'ñ', 'n') , 'Ñ', 'n') , 'ó', 'o') , 'Ó', 'o') , 'ú', 'u') , 'Ú', 'u') , 'ü', 'u') , 'Ü', 'u')
		, '́', '') , '̃', '') , '̈', '') , '̧', '') , ' ', '') , '-', '') , '''', '') , '.', '')
		, '’', ''))
) VIRTUAL;

ALTER TABLE students ADD COLUMN search_preferred TEXT GENERATED ALWAYS AS (
	lower(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(preferred_name
		, 'á', 'a') , 'Á', 'a') , 'ç', 'c') , 'Ç', 'c') , 'é', 'e') , 'É', 'e') , 'í', 'i') , 'Í', 'i')
		, 'ñ', 'n') , 'Ñ', 'n') , 'ó', 'o') , 'Ó', 'o') , 'ú', 'u') , 'Ú', 'u') , 'ü', 'u') , 'Ü', 'u')
		, '́', '') , '̃', '') , '̈', '') , '̧', '') , ' ', '') , '-', '') , '''', '') , '.', '')
		, '’', ''))
) VIRTUAL;

ALTER TABLE students ADD COLUMN search_local TEXT GENERATED ALWAYS AS (
	lower(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(local_id
		, 'á', 'a') , 'Á', 'a') , 'ç', 'c') , 'Ç', 'c') , 'é', 'e') , 'É', 'e') , 'í', 'i') , 'Í', 'i')
		, 'ñ', 'n') , 'Ñ', 'n') , 'ó', 'o') , 'Ó', 'o') , 'ú', 'u') , 'Ú', 'u') , 'ü', 'u') , 'Ü', 'u')
		, '́', '') , '̃', '') , '̈', '') , '̧', '') , ' ', '') , '-', '') , '''', '') , '.', '')
		, '’', ''))
) VIRTUAL;

CREATE INDEX students_search_last ON students (district_id, search_last, search_first, id, school_id);
CREATE INDEX students_search_first ON students (district_id, search_first, search_last, id, school_id);
CREATE INDEX students_search_preferred ON students (district_id, search_preferred, search_last, id, school_id);
CREATE INDEX students_search_local ON students (district_id, search_local, id, school_id);

-- A case manager's caseload includes the students whose active evaluation they manage. The part
-- comes before the staff id: an index in staff id order lets SQLite's planner walk a district's
-- evaluation staff to sort a student's by id (store.AccessFacts).
CREATE INDEX evaluation_staff_case_manager ON evaluation_staff (district_id, part, staff_id, active);
