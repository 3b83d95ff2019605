-- Requests for a password-reset link (store/password.go), for throttling them: the SHA-256 of
-- the e-mail typed (lower-cased; it may name no account, and is kept only as its hash) and the
-- client's address. Not a district's record: nobody is signed in. Keep in step with
-- ../sqlite/0009_reset_requests.sql.
CREATE TABLE reset_requests (
	email_hash TEXT NOT NULL,
	address TEXT NOT NULL,
	at TIMESTAMPTZ NOT NULL
);
CREATE INDEX reset_requests_email ON reset_requests (email_hash, at);
CREATE INDEX reset_requests_address ON reset_requests (address, at);
CREATE INDEX reset_requests_at ON reset_requests (at);
