-- Progress reports are written as drafts and sent to the family (34 CFR 300.320(a)(3)(ii)). A
-- draft lives here, one per plan and period at a time, with a revision so that two people
-- writing it do not overwrite each other; sending moves it, under the same id, into
-- progress_reports, which holds only what the family was given. A sent report is never changed:
-- a correction is a new report. Keep in step with the other dialect's
-- 0026_progress_report_drafts.sql.
CREATE TABLE progress_report_drafts (
	district_id TEXT NOT NULL,
	id TEXT NOT NULL,
	student_id TEXT NOT NULL,
	plan_id TEXT NOT NULL,
	period TEXT NOT NULL DEFAULT '',
	period_end TEXT NOT NULL,
	entries JSONB NOT NULL,
	revision INTEGER NOT NULL,
	updated_by TEXT NOT NULL DEFAULT '',
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (district_id, id),
	UNIQUE (district_id, plan_id, period_end),
	FOREIGN KEY (district_id, student_id, plan_id) REFERENCES plans (district_id, student_id, id)
);

CREATE TRIGGER progress_reports_sent BEFORE UPDATE OR DELETE ON progress_reports
	FOR EACH ROW WHEN (OLD.sent_on IS NOT NULL)
	EXECUTE FUNCTION openiep_refuse_change('a sent progress report is never changed');
CREATE TRIGGER progress_reports_no_truncate BEFORE TRUNCATE ON progress_reports
	FOR EACH STATEMENT EXECUTE FUNCTION openiep_refuse_change('a sent progress report is never changed');
