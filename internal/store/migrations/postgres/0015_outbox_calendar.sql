-- A meeting invitation sent with a mail (store/outbox.go, internal/mail, internal/ical): the
-- iCalendar object that goes beside the text, so that a team member's calendar program offers
-- to add the meeting. NULL for a mail without one. Like body_text it is blanked (NULL) once the
-- mail is sent or given up, since it names the people invited (the CHECK holds that). Keep in
-- step with ../sqlite/0015_outbox_calendar.sql.
ALTER TABLE mail_outbox ADD COLUMN calendar_ics TEXT,
	ADD CONSTRAINT mail_outbox_calendar_blanked
	CHECK (calendar_ics IS NULL OR (sent_at IS NULL AND failed_at IS NULL));
