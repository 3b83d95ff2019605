-- The district dashboard (store/dashboard.go): compliance by school and clock, and its trend
-- over the school year, at 100,000 students without counting the deadlines table on each view.
-- Keep in step with ../postgres/0018_dashboard.sql.

-- What is overdue or due soon now: an open deadline is either only when its "due soon" day has
-- come (soon_on <= due_on), so one range of this index holds both, with the school and clock the
-- counts are grouped by and every column they read.
CREATE INDEX deadlines_open_soon ON deadlines (district_id, soon_on, school_id, clock, due_on, paused, met_on)
	WHERE met_on IS NULL;

-- Met deadlines counted by the month of their due date, school, clock and whether they were
-- met by that date (late = 0) or after it (late = 1), kept by triggers on deadlines so that every
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
) STRICT, WITHOUT ROWID;

INSERT INTO deadline_tallies (district_id, due_month, school_id, clock, late, n)
	SELECT district_id, substr(due_on, 1, 7), COALESCE(school_id, ''), clock, met_on > due_on, COUNT(*)
	FROM deadlines WHERE met_on IS NOT NULL AND NOT lapsed AND NOT early
	GROUP BY district_id, substr(due_on, 1, 7), COALESCE(school_id, ''), clock, met_on > due_on;

CREATE TRIGGER deadline_tallies_insert AFTER INSERT ON deadlines
WHEN NEW.met_on IS NOT NULL AND NOT NEW.lapsed AND NOT NEW.early
BEGIN
	INSERT INTO deadline_tallies (district_id, due_month, school_id, clock, late, n)
		VALUES (NEW.district_id, substr(NEW.due_on, 1, 7), COALESCE(NEW.school_id, ''), NEW.clock, NEW.met_on > NEW.due_on, 1)
		ON CONFLICT (district_id, due_month, school_id, clock, late) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER deadline_tallies_delete AFTER DELETE ON deadlines
WHEN OLD.met_on IS NOT NULL AND NOT OLD.lapsed AND NOT OLD.early
BEGIN
	UPDATE deadline_tallies SET n = n - 1
	WHERE district_id = OLD.district_id AND due_month = substr(OLD.due_on, 1, 7)
		AND school_id = COALESCE(OLD.school_id, '') AND clock = OLD.clock AND late = (OLD.met_on > OLD.due_on);
END;

CREATE TRIGGER deadline_tallies_update AFTER UPDATE ON deadlines
BEGIN
	UPDATE deadline_tallies SET n = n - 1
	WHERE OLD.met_on IS NOT NULL AND NOT OLD.lapsed AND NOT OLD.early
		AND district_id = OLD.district_id AND due_month = substr(OLD.due_on, 1, 7)
		AND school_id = COALESCE(OLD.school_id, '') AND clock = OLD.clock AND late = (OLD.met_on > OLD.due_on);
	INSERT INTO deadline_tallies (district_id, due_month, school_id, clock, late, n)
		SELECT NEW.district_id, substr(NEW.due_on, 1, 7), COALESCE(NEW.school_id, ''), NEW.clock, NEW.met_on > NEW.due_on, 1
		WHERE NEW.met_on IS NOT NULL AND NOT NEW.lapsed AND NOT NEW.early
		ON CONFLICT (district_id, due_month, school_id, clock, late) DO UPDATE SET n = n + 1;
END;
