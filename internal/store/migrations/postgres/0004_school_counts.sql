-- Per-school student counts, kept by a trigger on students so that every write path (the store's
-- methods, imports, raw repairs) keeps them right, and a page that shows every school's counts
-- reads a few hundred rows instead of counting a district's students on every view. Keep in
-- step with ../sqlite/0004_school_counts.sql.

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

CREATE FUNCTION school_counts_add(d TEXT, s TEXT, n INTEGER, plans INTEGER) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO school_counts (district_id, school_id, students, with_plans) VALUES (d, s, n, plans)
	ON CONFLICT (district_id, school_id) DO UPDATE SET
		students = school_counts.students + excluded.students,
		with_plans = school_counts.with_plans + excluded.with_plans;
$$;

CREATE FUNCTION school_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') THEN
		PERFORM school_counts_add(OLD.district_id, OLD.school_id, -1,
			CASE WHEN OLD.current_plan_id IS NULL THEN 0 ELSE -1 END);
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') THEN
		PERFORM school_counts_add(NEW.district_id, NEW.school_id, 1,
			CASE WHEN NEW.current_plan_id IS NULL THEN 0 ELSE 1 END);
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER school_counts_insert_delete AFTER INSERT OR DELETE ON students
	FOR EACH ROW EXECUTE FUNCTION school_counts_keep();

CREATE TRIGGER school_counts_update AFTER UPDATE OF school_id, current_plan_id ON students
	FOR EACH ROW
	WHEN (OLD.school_id IS DISTINCT FROM NEW.school_id
		OR (OLD.current_plan_id IS NULL) IS DISTINCT FROM (NEW.current_plan_id IS NULL))
	EXECUTE FUNCTION school_counts_keep();
