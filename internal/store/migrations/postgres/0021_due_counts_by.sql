-- The counts of "what is due" (store.CountDue) read a few hundred rows at most, whatever the
-- district's size and however far its deadlines reach. Keep in step with
-- ../sqlite/0021_due_counts_by.sql.
--
-- due_counts (migration 0020) holds one row per school, clock and day with an open deadline: at
-- 100,000 students 91,094 rows, which the district's view summed whole (25 ms), and a clock's
-- view too (its key starts with the school). The two tables here hold the same counts (due,
-- soon, paused: see 0020) by clock, for the district and for each school, at three grains: by
-- year (grain 4, period 'YYYY'), by month (7, 'YYYY-MM') and by day (10, 'YYYY-MM-DD'), the
-- period being the first grain characters of the day. Every day falls in exactly one of: another
-- year than today's (its year's row), today's year but another month (its month's row), today's
-- month (its own row). So a count reads every year, this year's months and this month's days:
-- three ranges of a primary key, a row per clock in each period (the clock comes last in the key:
-- a clock's count reads the rows of its district's or school's ranges and sums its own; at
-- 100,000 students 209 rows for the district, 98 at most for a school). A period other than
-- today's year and month compares with today as each of its days does ('2025' < '2026-11-02' <
-- '2026-12'), so the sums of 0020 hold as they are. As in due_counts, a row whose counts all
-- fall to 0 is deleted.
CREATE TABLE due_counts_by_period (
	district_id TEXT NOT NULL,
	grain INTEGER NOT NULL,   -- 4, 7 or 10: the length of period
	period TEXT NOT NULL,     -- 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'
	clock TEXT NOT NULL,
	due INTEGER NOT NULL,
	soon INTEGER NOT NULL,
	paused INTEGER NOT NULL,
	PRIMARY KEY (district_id, grain, period, clock)
);

CREATE TABLE due_counts_by_school_period (
	district_id TEXT NOT NULL,
	school_id TEXT NOT NULL,  -- '' when the deadline has no school
	grain INTEGER NOT NULL,
	period TEXT NOT NULL,
	clock TEXT NOT NULL,
	due INTEGER NOT NULL,
	soon INTEGER NOT NULL,
	paused INTEGER NOT NULL,
	PRIMARY KEY (district_id, school_id, grain, period, clock)
);

-- Filled from due_counts, which holds the same counts by school, clock and day.
INSERT INTO due_counts_by_period (district_id, grain, period, clock, due, soon, paused)
	SELECT c.district_id, g.grain, substr(c.day, 1, g.grain), c.clock, SUM(c.due), SUM(c.soon), SUM(c.paused)
	FROM due_counts c, (SELECT 4 AS grain UNION ALL SELECT 7 UNION ALL SELECT 10) AS g
	GROUP BY c.district_id, g.grain, substr(c.day, 1, g.grain), c.clock;

INSERT INTO due_counts_by_school_period (district_id, school_id, grain, period, clock, due, soon, paused)
	SELECT c.district_id, c.school_id, g.grain, substr(c.day, 1, g.grain), c.clock, SUM(c.due), SUM(c.soon), SUM(c.paused)
	FROM due_counts c, (SELECT 4 AS grain UNION ALL SELECT 7 UNION ALL SELECT 10) AS g
	GROUP BY c.district_id, c.school_id, g.grain, substr(c.day, 1, g.grain), c.clock;

-- One routine counts a deadline in (n = 1) or out (n = -1) of both tables at every grain, as
-- inserting into the view due_counts_by_change does on SQLite. A deadline counts on its due day
-- (due, or paused) and, unless paused, on its "due soon" day; the two days may share a period,
-- so each table's change is summed by period first (an upsert may touch a row once).
CREATE FUNCTION due_counts_by_add(d TEXT, s TEXT, c TEXT, due_on TEXT, soon_on TEXT, p BOOLEAN, n INTEGER)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO due_counts_by_period AS t (district_id, grain, period, clock, due, soon, paused)
		SELECT d, g.grain, substr(x.day, 1, g.grain), c, SUM(x.due), SUM(x.soon), SUM(x.paused)
		FROM (VALUES (due_on, CASE WHEN p THEN 0 ELSE n END, 0, CASE WHEN p THEN n ELSE 0 END),
				(soon_on, 0, CASE WHEN p THEN 0 ELSE n END, 0)) AS x (day, due, soon, paused),
			(VALUES (4), (7), (10)) AS g (grain)
		GROUP BY g.grain, substr(x.day, 1, g.grain)
		HAVING SUM(x.due) <> 0 OR SUM(x.soon) <> 0 OR SUM(x.paused) <> 0
		ON CONFLICT (district_id, grain, period, clock) DO UPDATE SET
			due = t.due + excluded.due, soon = t.soon + excluded.soon, paused = t.paused + excluded.paused;
	INSERT INTO due_counts_by_school_period AS t (district_id, school_id, grain, period, clock, due, soon, paused)
		SELECT d, s, g.grain, substr(x.day, 1, g.grain), c, SUM(x.due), SUM(x.soon), SUM(x.paused)
		FROM (VALUES (due_on, CASE WHEN p THEN 0 ELSE n END, 0, CASE WHEN p THEN n ELSE 0 END),
				(soon_on, 0, CASE WHEN p THEN 0 ELSE n END, 0)) AS x (day, due, soon, paused),
			(VALUES (4), (7), (10)) AS g (grain)
		GROUP BY g.grain, substr(x.day, 1, g.grain)
		HAVING SUM(x.due) <> 0 OR SUM(x.soon) <> 0 OR SUM(x.paused) <> 0
		ON CONFLICT (district_id, school_id, grain, period, clock) DO UPDATE SET
			due = t.due + excluded.due, soon = t.soon + excluded.soon, paused = t.paused + excluded.paused;
	IF n < 0 THEN -- counted out: the rows it touched that fell to 0
		DELETE FROM due_counts_by_period t
		WHERE t.district_id = d AND t.grain IN (4, 7, 10)
			AND t.period IN (substr(due_on, 1, 4), substr(due_on, 1, 7), due_on, substr(soon_on, 1, 4), substr(soon_on, 1, 7), soon_on)
			AND t.clock = c AND t.due = 0 AND t.soon = 0 AND t.paused = 0;
		DELETE FROM due_counts_by_school_period t
		WHERE t.district_id = d AND t.school_id = s AND t.grain IN (4, 7, 10)
			AND t.period IN (substr(due_on, 1, 4), substr(due_on, 1, 7), due_on, substr(soon_on, 1, 4), substr(soon_on, 1, 7), soon_on)
			AND t.clock = c AND t.due = 0 AND t.soon = 0 AND t.paused = 0;
	END IF;
END;
$$;
-- The trigger on deadlines, beside 0020's (the same rows count: open ones). An update (a repair
-- by hand; the store replaces deadlines whole) counts the new row in before counting the old one
-- out, so that a row both touch is not deleted and made again.
CREATE FUNCTION due_counts_by_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.met_on IS NULL THEN
		PERFORM due_counts_by_add(NEW.district_id, COALESCE(NEW.school_id, ''), NEW.clock, NEW.due_on, NEW.soon_on, NEW.paused, 1);
	END IF;
	IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.met_on IS NULL THEN
		PERFORM due_counts_by_add(OLD.district_id, COALESCE(OLD.school_id, ''), OLD.clock, OLD.due_on, OLD.soon_on, OLD.paused, -1);
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER due_counts_by_insert_delete AFTER INSERT OR DELETE ON deadlines
	FOR EACH ROW EXECUTE FUNCTION due_counts_by_keep();

CREATE TRIGGER due_counts_by_update AFTER UPDATE OF district_id, school_id, clock, due_on, soon_on, met_on, paused ON deadlines
	FOR EACH ROW
	WHEN (OLD.district_id IS DISTINCT FROM NEW.district_id OR OLD.school_id IS DISTINCT FROM NEW.school_id
		OR OLD.clock IS DISTINCT FROM NEW.clock OR OLD.due_on IS DISTINCT FROM NEW.due_on
		OR OLD.soon_on IS DISTINCT FROM NEW.soon_on OR OLD.met_on IS DISTINCT FROM NEW.met_on
		OR OLD.paused IS DISTINCT FROM NEW.paused)
	EXECUTE FUNCTION due_counts_by_keep();
