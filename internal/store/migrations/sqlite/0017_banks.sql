-- The district's goal bank and accommodation bank (store/banks.go): items case managers copy
-- into a plan and adapt. Keep in step with ../postgres/0017_banks.sql.
--
-- One table for both kinds; the columns of the other kind stay empty. search_text is the item's
-- words (text, objectives, tags, subjects) folded to lower case without accents by the store
-- (SQLite's LOWER knows ASCII only), so that a search is a plain LIKE '%word%' per word on it.
-- No index serves an infix LIKE, but a district's bank is hundreds of items, read from the range
-- of the index below: under 1 ms for a bank of 1,000 items a kind (BenchmarkSearchBank).
-- sort_key orders a kind's items (area, grade band, text; or where it applies, accommodation
-- before modification, text) and is the keyset of the pages.
CREATE TABLE bank_items (
	district_id TEXT NOT NULL REFERENCES districts (id),
	id TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('goal', 'accommodation')),
	area TEXT NOT NULL DEFAULT '',
	grade_band TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	measurement_method TEXT NOT NULL DEFAULT '',
	schedule TEXT NOT NULL DEFAULT '',
	unit TEXT NOT NULL DEFAULT '',
	objectives TEXT NOT NULL DEFAULT '[]',
	accommodation_kind TEXT NOT NULL DEFAULT '',
	context TEXT NOT NULL DEFAULT '',
	subjects TEXT NOT NULL DEFAULT '',
	tags TEXT NOT NULL DEFAULT '[]',
	search_text TEXT NOT NULL,
	sort_key TEXT NOT NULL,
	revision INTEGER NOT NULL CHECK (revision > 0),
	retired_at TEXT,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	updated_by TEXT,
	PRIMARY KEY (district_id, id),
	FOREIGN KEY (district_id, updated_by) REFERENCES staff (district_id, id)
) STRICT;
-- Searches and pages, of the items in use and of the retired ones (few: one index serves both).
CREATE INDEX bank_items_kind ON bank_items (district_id, kind, sort_key, id);
