-- The counts of "what is due" (store.CountDue): the open deadlines of a district, a school or a
-- clock by status on the district's today, at 100,000 students without counting the deadlines on
-- each view. Keep in step with ../postgres/0020_due_counts.sql.
--
-- On a day t an open deadline is paused, or else overdue (due_on < t), due soon (soon_on <= t <=
-- due_on) or upcoming (t < soon_on). Counting the open deadlines that are not paused by their due
-- day and, separately, by their "due soon" day gives every status from two sums over days:
-- overdue = the due ones of days before t; upcoming = the "soon" ones of days after t; due soon =
-- the due ones of days from t on, less the upcoming ones, which holds because a deadline's "due
-- soon" day is never after its due day (the rule's threshold is days before it). A case manager's
-- counts are read from the deadlines themselves: a caseload is small whatever the district's size.

-- The order of the days: what ReplaceDeadlines checks, guarded here for every other write path.
-- (No deadline has ever been stored otherwise: the clocks compute soon_on as due_on less the
-- rule's threshold, never negative; the UPDATE only makes the rule true of any repaired by hand.)
UPDATE deadlines SET soon_on = due_on WHERE soon_on > due_on;

CREATE TRIGGER deadlines_soon_by_due_insert BEFORE INSERT ON deadlines
WHEN NEW.soon_on > NEW.due_on
BEGIN
	SELECT RAISE(ABORT, 'a deadline''s "due soon" day (soon_on) is after its due day (due_on)');
END;

CREATE TRIGGER deadlines_soon_by_due_update BEFORE UPDATE OF soon_on, due_on ON deadlines
WHEN NEW.soon_on > NEW.due_on
BEGIN
	SELECT RAISE(ABORT, 'a deadline''s "due soon" day (soon_on) is after its due day (due_on)');
END;

-- The open deadlines by school, clock and day, kept by triggers on deadlines so that every write
-- path keeps them right. A row whose counts all fall to 0 is deleted: days pass, and the table
-- holds only days that still have an open deadline (a few hundred rows per school).
CREATE TABLE due_counts (
	district_id TEXT NOT NULL,
	school_id TEXT NOT NULL,  -- '' when the deadline has no school
	clock TEXT NOT NULL,
	day TEXT NOT NULL,
	due INTEGER NOT NULL,     -- open, not paused, due on day
	soon INTEGER NOT NULL,    -- open, not paused, due soon from day (soon_on)
	paused INTEGER NOT NULL,  -- open, paused, due on day
	PRIMARY KEY (district_id, school_id, clock, day)
) STRICT, WITHOUT ROWID;

INSERT INTO due_counts (district_id, school_id, clock, day, due, soon, paused)
	SELECT district_id, school_id, clock, day, SUM(due), SUM(soon), SUM(paused) FROM (
		SELECT district_id, COALESCE(school_id, '') AS school_id, clock, due_on AS day,
			CASE WHEN paused THEN 0 ELSE 1 END AS due, 0 AS soon, CASE WHEN paused THEN 1 ELSE 0 END AS paused
		FROM deadlines WHERE met_on IS NULL
		UNION ALL
		SELECT district_id, COALESCE(school_id, ''), clock, soon_on, 0, 1, 0
		FROM deadlines WHERE met_on IS NULL AND NOT paused
	) AS x
	GROUP BY district_id, school_id, clock, day;

CREATE TRIGGER due_counts_insert AFTER INSERT ON deadlines
WHEN NEW.met_on IS NULL
BEGIN
	INSERT INTO due_counts (district_id, school_id, clock, day, due, soon, paused)
		VALUES (NEW.district_id, COALESCE(NEW.school_id, ''), NEW.clock, NEW.due_on,
			CASE WHEN NEW.paused THEN 0 ELSE 1 END, 0, CASE WHEN NEW.paused THEN 1 ELSE 0 END)
		ON CONFLICT (district_id, school_id, clock, day) DO UPDATE SET
			due = due + excluded.due, paused = paused + excluded.paused;
	INSERT INTO due_counts (district_id, school_id, clock, day, due, soon, paused)
		SELECT NEW.district_id, COALESCE(NEW.school_id, ''), NEW.clock, NEW.soon_on, 0, 1, 0
		WHERE NOT NEW.paused
		ON CONFLICT (district_id, school_id, clock, day) DO UPDATE SET soon = soon + 1;
END;

CREATE TRIGGER due_counts_delete AFTER DELETE ON deadlines
WHEN OLD.met_on IS NULL
BEGIN
	UPDATE due_counts SET due = due - (CASE WHEN OLD.paused THEN 0 ELSE 1 END),
		paused = paused - (CASE WHEN OLD.paused THEN 1 ELSE 0 END)
	WHERE district_id = OLD.district_id AND school_id = COALESCE(OLD.school_id, '') AND clock = OLD.clock
		AND day = OLD.due_on;
	UPDATE due_counts SET soon = soon - 1
	WHERE NOT OLD.paused AND district_id = OLD.district_id AND school_id = COALESCE(OLD.school_id, '')
		AND clock = OLD.clock AND day = OLD.soon_on;
	DELETE FROM due_counts
	WHERE district_id = OLD.district_id AND school_id = COALESCE(OLD.school_id, '') AND clock = OLD.clock
		AND day IN (OLD.due_on, OLD.soon_on) AND due = 0 AND soon = 0 AND paused = 0;
END;

-- An update (a repair by hand; the store replaces deadlines whole) counts the new row before
-- taking the old one away, so that a row of due_counts both touch is not deleted and made again.
CREATE TRIGGER due_counts_update AFTER UPDATE OF district_id, school_id, clock, due_on, soon_on, met_on, paused ON deadlines
BEGIN
	INSERT INTO due_counts (district_id, school_id, clock, day, due, soon, paused)
		SELECT NEW.district_id, COALESCE(NEW.school_id, ''), NEW.clock, NEW.due_on,
			CASE WHEN NEW.paused THEN 0 ELSE 1 END, 0, CASE WHEN NEW.paused THEN 1 ELSE 0 END
		WHERE NEW.met_on IS NULL
		ON CONFLICT (district_id, school_id, clock, day) DO UPDATE SET
			due = due + excluded.due, paused = paused + excluded.paused;
	INSERT INTO due_counts (district_id, school_id, clock, day, due, soon, paused)
		SELECT NEW.district_id, COALESCE(NEW.school_id, ''), NEW.clock, NEW.soon_on, 0, 1, 0
		WHERE NEW.met_on IS NULL AND NOT NEW.paused
		ON CONFLICT (district_id, school_id, clock, day) DO UPDATE SET soon = soon + 1;
	UPDATE due_counts SET due = due - (CASE WHEN OLD.paused THEN 0 ELSE 1 END),
		paused = paused - (CASE WHEN OLD.paused THEN 1 ELSE 0 END)
	WHERE OLD.met_on IS NULL AND district_id = OLD.district_id AND school_id = COALESCE(OLD.school_id, '')
		AND clock = OLD.clock AND day = OLD.due_on;
	UPDATE due_counts SET soon = soon - 1
	WHERE OLD.met_on IS NULL AND NOT OLD.paused AND district_id = OLD.district_id
		AND school_id = COALESCE(OLD.school_id, '') AND clock = OLD.clock AND day = OLD.soon_on;
	DELETE FROM due_counts
	WHERE OLD.met_on IS NULL AND district_id = OLD.district_id AND school_id = COALESCE(OLD.school_id, '')
		AND clock = OLD.clock AND day IN (OLD.due_on, OLD.soon_on) AND due = 0 AND soon = 0 AND paused = 0;
END;
