-- The district dashboard (store/dashboard.go): compliance by school and clock, and its trend
-- over the school year, at 100,000 students without counting the deadlines table on each view.
-- Keep in step with ../sqlite/0018_dashboard.sql.

-- What is overdue or due soon now: an open deadline is either only when its "due soon" day has
-- come (soon_on <= due_on), so one range of this index holds both, with the school and clock the
-- counts are grouped by and every column they read.
CREATE INDEX deadlines_open_soon ON deadlines (district_id, soon_on, school_id, clock, due_on, paused, met_on)
	WHERE met_on IS NULL;

-- Met deadlines counted by the month of their due date, school, clock and whether they were
-- met by that date (late = 0) or after it (late = 1), kept by a trigger on deadlines so that every
-- write path keeps them right. Deadlines closed by the family's silence (lapsed) or steps taken
-- too early (early) are not deadlines met and are not counted. A count that falls to 0 keeps its
-- row (it comes back with the next recomputation).
CREATE TABLE deadline_tallies (
	district_id TEXT NOT NULL,
	due_month TEXT NOT NULL,  -- YYYY-MM of due_on
	school_id TEXT NOT NULL,  -- '' when the deadline has no school
	clock TEXT NOT NULL,
	late INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (district_id, due_month, school_id, clock, late)
);

INSERT INTO deadline_tallies (district_id, due_month, school_id, clock, late, n)
	SELECT district_id, substr(due_on, 1, 7), COALESCE(school_id, ''), clock,
		CASE WHEN met_on > due_on THEN 1 ELSE 0 END, COUNT(*)
	FROM deadlines WHERE met_on IS NOT NULL AND NOT lapsed AND NOT early
	GROUP BY 1, 2, 3, 4, 5;

CREATE FUNCTION deadline_tallies_add(d TEXT, due TEXT, met TEXT, s TEXT, c TEXT, k INTEGER) RETURNS void
LANGUAGE sql AS $$
	INSERT INTO deadline_tallies (district_id, due_month, school_id, clock, late, n)
		VALUES (d, substr(due, 1, 7), COALESCE(s, ''), c, CASE WHEN met > due THEN 1 ELSE 0 END, k)
	ON CONFLICT (district_id, due_month, school_id, clock, late) DO UPDATE SET
		n = deadline_tallies.n + excluded.n;
$$;

CREATE FUNCTION deadline_tallies_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.met_on IS NOT NULL AND NOT OLD.lapsed AND NOT OLD.early THEN
		PERFORM deadline_tallies_add(OLD.district_id, OLD.due_on, OLD.met_on, OLD.school_id, OLD.clock, -1);
	END IF;
	IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.met_on IS NOT NULL AND NOT NEW.lapsed AND NOT NEW.early THEN
		PERFORM deadline_tallies_add(NEW.district_id, NEW.due_on, NEW.met_on, NEW.school_id, NEW.clock, 1);
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER deadline_tallies_keep AFTER INSERT OR UPDATE OR DELETE ON deadlines
	FOR EACH ROW EXECUTE FUNCTION deadline_tallies_keep();
