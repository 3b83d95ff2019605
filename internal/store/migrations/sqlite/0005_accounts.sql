-- Accounts and sessions (internal/auth, store/accounts.go, store/sessions.go). Keep in step with
-- ../postgres/0005_accounts.sql. Passwords are argon2id PHC strings; session, invitation and
-- reset tokens are stored only as their SHA-256 (hex), never as the token itself.

-- One account per person who signs in: a staff member, a guardian, or an adult student. The
-- person is the one of staff_id, guardian_id, student_id that matches kind (each a foreign key).
-- E-mail is lower-cased and unique across the deployment: sign-in starts from it. A disabled
-- account keeps its row (and so its history); it just cannot sign in.
CREATE TABLE accounts (
	district_id TEXT NOT NULL REFERENCES districts (id),
	id TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('staff', 'guardian', 'student')),
	staff_id TEXT,
	guardian_id TEXT,
	student_id TEXT,
	email TEXT NOT NULL CHECK (email = lower(email) AND email <> ''),
	password_hash TEXT,
	totp_secret TEXT,
	totp_last_step INTEGER NOT NULL DEFAULT 0,
	must_change_password INTEGER NOT NULL DEFAULT 0,
	disabled_at TEXT,
	created_at TEXT NOT NULL,
	last_sign_in_at TEXT,
	PRIMARY KEY (district_id, id),
	CHECK ((kind = 'staff') = (staff_id IS NOT NULL)),
	CHECK ((kind = 'guardian') = (guardian_id IS NOT NULL)),
	CHECK ((kind = 'student') = (student_id IS NOT NULL)),
	FOREIGN KEY (district_id, staff_id) REFERENCES staff (district_id, id),
	FOREIGN KEY (district_id, guardian_id) REFERENCES guardians (district_id, id),
	FOREIGN KEY (district_id, student_id) REFERENCES students (district_id, id)
) STRICT;
CREATE UNIQUE INDEX accounts_email ON accounts (email);
CREATE UNIQUE INDEX accounts_staff ON accounts (district_id, staff_id) WHERE staff_id IS NOT NULL;
CREATE UNIQUE INDEX accounts_guardian ON accounts (district_id, guardian_id) WHERE guardian_id IS NOT NULL;
CREATE UNIQUE INDEX accounts_student ON accounts (district_id, student_id) WHERE student_id IS NOT NULL;

-- A signed-in browser. It ends at absolute_expires_at, or at idle_expires_at (last_seen_at plus
-- idle_timeout_seconds, kept with it so that expiry is a plain comparison), or when deleted.
CREATE TABLE sessions (
	token_hash TEXT NOT NULL PRIMARY KEY,
	district_id TEXT NOT NULL,
	account_id TEXT NOT NULL,
	created_at TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	idle_timeout_seconds INTEGER NOT NULL CHECK (idle_timeout_seconds > 0),
	idle_expires_at TEXT NOT NULL,
	absolute_expires_at TEXT NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT '',
	mfa_passed INTEGER NOT NULL DEFAULT 0,
	FOREIGN KEY (district_id, account_id) REFERENCES accounts (district_id, id)
) STRICT;
CREATE INDEX sessions_account ON sessions (district_id, account_id);
CREATE INDEX sessions_absolute ON sessions (absolute_expires_at);
CREATE INDEX sessions_idle ON sessions (idle_expires_at);

-- One-time links: an invitation to set a first password, or a password reset.
CREATE TABLE account_tokens (
	token_hash TEXT NOT NULL PRIMARY KEY,
	district_id TEXT NOT NULL,
	account_id TEXT NOT NULL,
	purpose TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	used_at TEXT,
	FOREIGN KEY (district_id, account_id) REFERENCES accounts (district_id, id)
) STRICT;
CREATE INDEX account_tokens_account ON account_tokens (district_id, account_id);

-- Failed sign-ins, for throttling (auth.Throttle): the e-mail typed (lower-cased; it may name no
-- account) and the client's address. Not a district's record: nobody was signed in.
CREATE TABLE sign_in_failures (
	email TEXT NOT NULL,
	address TEXT NOT NULL,
	at TEXT NOT NULL
) STRICT;
CREATE INDEX sign_in_failures_email ON sign_in_failures (email, at);
CREATE INDEX sign_in_failures_address ON sign_in_failures (address, at);
CREATE INDEX sign_in_failures_at ON sign_in_failures (at);
