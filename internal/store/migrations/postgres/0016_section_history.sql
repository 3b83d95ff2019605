-- Every saved revision of a draft's sections (store/plans.go SaveSection, history.go), so the
-- editor shows a section's history with the differences between revisions. Saves by the same
-- person within ten minutes of each other (autosave) are kept as one revision: the latest text
-- of that sitting. Revisions are never changed afterwards. Keep in step with
-- ../sqlite/0016_section_history.sql.
CREATE TABLE plan_section_revisions (
	district_id TEXT NOT NULL,
	plan_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	revision INTEGER NOT NULL CHECK (revision > 0),
	content TEXT NOT NULL,
	saved_at TIMESTAMPTZ NOT NULL,
	saved_by TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (district_id, plan_id, kind, revision),
	FOREIGN KEY (district_id, plan_id) REFERENCES plans (district_id, id)
);

-- The sections as they are now are their first recorded revision.
INSERT INTO plan_section_revisions (district_id, plan_id, kind, revision, content, saved_at, saved_by)
	SELECT district_id, plan_id, kind, revision, content, updated_at, updated_by FROM plan_sections;
