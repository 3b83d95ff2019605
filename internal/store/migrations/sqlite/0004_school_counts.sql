-- Per-school student counts, kept by triggers on students so that every write path (the store's
-- methods, imports, raw repairs) keeps them right, and a page that shows every school's counts
-- reads a few hundred rows instead of counting a district's students on every view. Keep in
-- step with ../postgres/0004_school_counts.sql.

CREATE TABLE school_counts (
	district_id TEXT NOT NULL,
	school_id TEXT NOT NULL,
	students INTEGER NOT NULL,
	with_plans INTEGER NOT NULL,
	PRIMARY KEY (district_id, school_id)
);

INSERT INTO school_counts (district_id, school_id, students, with_plans)
	SELECT district_id, school_id, COUNT(*), COUNT(current_plan_id) FROM students
	GROUP BY district_id, school_id;

CREATE TRIGGER school_counts_insert AFTER INSERT ON students BEGIN
	INSERT INTO school_counts (district_id, school_id, students, with_plans)
		VALUES (NEW.district_id, NEW.school_id, 1, NEW.current_plan_id IS NOT NULL)
		ON CONFLICT (district_id, school_id) DO UPDATE SET
			students = students + 1, with_plans = with_plans + excluded.with_plans;
END;

CREATE TRIGGER school_counts_delete AFTER DELETE ON students BEGIN
	UPDATE school_counts SET students = students - 1,
		with_plans = with_plans - (OLD.current_plan_id IS NOT NULL)
	WHERE district_id = OLD.district_id AND school_id = OLD.school_id;
END;

CREATE TRIGGER school_counts_update AFTER UPDATE OF school_id, current_plan_id ON students
WHEN OLD.school_id IS NOT NEW.school_id
	OR (OLD.current_plan_id IS NULL) IS NOT (NEW.current_plan_id IS NULL)
BEGIN
	UPDATE school_counts SET students = students - 1,
		with_plans = with_plans - (OLD.current_plan_id IS NOT NULL)
	WHERE district_id = OLD.district_id AND school_id = OLD.school_id;
	INSERT INTO school_counts (district_id, school_id, students, with_plans)
		VALUES (NEW.district_id, NEW.school_id, 1, NEW.current_plan_id IS NOT NULL)
		ON CONFLICT (district_id, school_id) DO UPDATE SET
			students = students + 1, with_plans = with_plans + excluded.with_plans;
END;
