-- The counts of "what is due" (store.CountDue) read a few hundred rows at most, whatever the
-- district's size and however far its deadlines reach. Keep in step with
-- ../postgres/0021_due_counts_by.sql.
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
) STRICT, WITHOUT ROWID;

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
) STRICT, WITHOUT ROWID;

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
-- due_counts_by_add(...) does on PostgreSQL: inserting into this view (which has no rows) runs
-- it. A deadline counts on its due day (due, or paused) and, unless paused, on its "due soon"
-- day: two rows of the change for each grain, which may fall on one row of a table (an upsert
-- of SQLite takes them one after the other).
CREATE VIEW due_counts_by_change (district_id, school_id, clock, due_on, soon_on, paused, n) AS
	SELECT '', '', '', '', '', 0, 0 WHERE 0;

CREATE TRIGGER due_counts_by_apply INSTEAD OF INSERT ON due_counts_by_change
BEGIN
	INSERT INTO due_counts_by_period (district_id, grain, period, clock, due, soon, paused)
		SELECT NEW.district_id, g.grain, substr(x.day, 1, g.grain), NEW.clock, x.due, x.soon, x.paused
		FROM (SELECT NEW.due_on AS day, CASE WHEN NEW.paused THEN 0 ELSE NEW.n END AS due, 0 AS soon,
				CASE WHEN NEW.paused THEN NEW.n ELSE 0 END AS paused
			UNION ALL SELECT NEW.soon_on, 0, NEW.n, 0 WHERE NOT NEW.paused) AS x,
			(SELECT 4 AS grain UNION ALL SELECT 7 UNION ALL SELECT 10) AS g
		WHERE true
		ON CONFLICT (district_id, grain, period, clock) DO UPDATE SET
			due = due + excluded.due, soon = soon + excluded.soon, paused = paused + excluded.paused;
	INSERT INTO due_counts_by_school_period (district_id, school_id, grain, period, clock, due, soon, paused)
		SELECT NEW.district_id, NEW.school_id, g.grain, substr(x.day, 1, g.grain), NEW.clock, x.due, x.soon, x.paused
		FROM (SELECT NEW.due_on AS day, CASE WHEN NEW.paused THEN 0 ELSE NEW.n END AS due, 0 AS soon,
				CASE WHEN NEW.paused THEN NEW.n ELSE 0 END AS paused
			UNION ALL SELECT NEW.soon_on, 0, NEW.n, 0 WHERE NOT NEW.paused) AS x,
			(SELECT 4 AS grain UNION ALL SELECT 7 UNION ALL SELECT 10) AS g
		WHERE true
		ON CONFLICT (district_id, school_id, grain, period, clock) DO UPDATE SET
			due = due + excluded.due, soon = soon + excluded.soon, paused = paused + excluded.paused;
	-- Counted out: the rows it touched that fell to 0.
	DELETE FROM due_counts_by_period
	WHERE NEW.n < 0 AND district_id = NEW.district_id AND grain IN (4, 7, 10)
		AND period IN (substr(NEW.due_on, 1, 4), substr(NEW.due_on, 1, 7), NEW.due_on,
			substr(NEW.soon_on, 1, 4), substr(NEW.soon_on, 1, 7), NEW.soon_on)
		AND clock = NEW.clock AND due = 0 AND soon = 0 AND paused = 0;
	DELETE FROM due_counts_by_school_period
	WHERE NEW.n < 0 AND district_id = NEW.district_id AND school_id = NEW.school_id AND grain IN (4, 7, 10)
		AND period IN (substr(NEW.due_on, 1, 4), substr(NEW.due_on, 1, 7), NEW.due_on,
			substr(NEW.soon_on, 1, 4), substr(NEW.soon_on, 1, 7), NEW.soon_on)
		AND clock = NEW.clock AND due = 0 AND soon = 0 AND paused = 0;
END;

-- The triggers on deadlines, beside 0020's (the same rows count: open ones).
CREATE TRIGGER due_counts_by_insert AFTER INSERT ON deadlines
WHEN NEW.met_on IS NULL
BEGIN
	INSERT INTO due_counts_by_change (district_id, school_id, clock, due_on, soon_on, paused, n)
		VALUES (NEW.district_id, COALESCE(NEW.school_id, ''), NEW.clock, NEW.due_on, NEW.soon_on, NEW.paused, 1);
END;

CREATE TRIGGER due_counts_by_delete AFTER DELETE ON deadlines
WHEN OLD.met_on IS NULL
BEGIN
	INSERT INTO due_counts_by_change (district_id, school_id, clock, due_on, soon_on, paused, n)
		VALUES (OLD.district_id, COALESCE(OLD.school_id, ''), OLD.clock, OLD.due_on, OLD.soon_on, OLD.paused, -1);
END;

-- An update (a repair by hand; the store replaces deadlines whole) counts the new row in before
-- counting the old one out, so that a row both touch is not deleted and made again.
CREATE TRIGGER due_counts_by_update AFTER UPDATE OF district_id, school_id, clock, due_on, soon_on, met_on, paused ON deadlines
WHEN OLD.district_id IS NOT NEW.district_id OR OLD.school_id IS NOT NEW.school_id OR OLD.clock IS NOT NEW.clock
	OR OLD.due_on IS NOT NEW.due_on OR OLD.soon_on IS NOT NEW.soon_on OR OLD.met_on IS NOT NEW.met_on
	OR OLD.paused IS NOT NEW.paused
BEGIN
	INSERT INTO due_counts_by_change (district_id, school_id, clock, due_on, soon_on, paused, n)
		SELECT NEW.district_id, COALESCE(NEW.school_id, ''), NEW.clock, NEW.due_on, NEW.soon_on, NEW.paused, 1
		WHERE NEW.met_on IS NULL;
	INSERT INTO due_counts_by_change (district_id, school_id, clock, due_on, soon_on, paused, n)
		SELECT OLD.district_id, COALESCE(OLD.school_id, ''), OLD.clock, OLD.due_on, OLD.soon_on, OLD.paused, -1
		WHERE OLD.met_on IS NULL;
END;
