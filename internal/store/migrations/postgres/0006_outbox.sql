-- The e-mail outbox (store/outbox.go, internal/mail). Keep in step with
-- ../sqlite/0006_outbox.sql. A use case that sends an e-mail (an invitation, a password
-- reset) writes it here in its own transaction, beside the token it carries, so that both are
-- stored or neither; a worker (mail.Worker) sends it later, from any server instance.

-- One e-mail to send. A worker claims due mail by setting locked_until (a lease: another
-- instance skips it until then, and takes it over if the worker died), then records sent_at, or
-- a failure: attempts + 1, last_error and a later send_after, or failed_at when it gives up.
-- body_text holds one-time links: it is blanked once the mail is sent or given up (the CHECK
-- holds that).
CREATE TABLE mail_outbox (
	district_id TEXT NOT NULL REFERENCES districts (id),
	id TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind <> ''),
	to_address TEXT NOT NULL CHECK (to_address <> ''),
	subject TEXT NOT NULL,
	body_text TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	send_after TIMESTAMPTZ NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	last_error TEXT NOT NULL DEFAULT '',
	locked_until TIMESTAMPTZ,
	sent_at TIMESTAMPTZ,
	failed_at TIMESTAMPTZ,
	PRIMARY KEY (district_id, id),
	CHECK ((sent_at IS NULL AND failed_at IS NULL) OR body_text = '')
);
-- The due-mail query (ClaimMail): unsent, not given up, by send_after.
CREATE INDEX mail_outbox_due ON mail_outbox (send_after)
	WHERE sent_at IS NULL AND failed_at IS NULL;
-- The district's outbox, newest first (ListOutbox).
CREATE INDEX mail_outbox_created ON mail_outbox (district_id, created_at, id);
