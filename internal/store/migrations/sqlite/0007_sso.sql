-- Single sign-on with OpenID Connect for staff (internal/sso, store/sso.go). Keep in step with
-- ../postgres/0007_sso.sql. Client secrets are stored sealed (auth.Sealer, bound to
-- "sso:" + provider id), never in the clear; pending sign-ins are stored by the SHA-256 (hex) of
-- their state, never the state itself.

-- The identity providers a district's staff may sign in with (Google, Microsoft, Clever,
-- ClassLink…). name is the label of the sign-in button; scopes and email_domains are JSON arrays
-- of strings (email_domains empty: any domain); a disabled provider keeps its row and its links.
CREATE TABLE sso_providers (
	district_id TEXT NOT NULL REFERENCES districts (id),
	id TEXT NOT NULL,
	name TEXT NOT NULL CHECK (name <> ''),
	issuer TEXT NOT NULL CHECK (issuer <> ''),
	client_id TEXT NOT NULL CHECK (client_id <> ''),
	client_secret TEXT NOT NULL DEFAULT '',
	scopes TEXT NOT NULL DEFAULT '[]',
	email_domains TEXT NOT NULL DEFAULT '[]',
	enabled INTEGER NOT NULL DEFAULT 1,
	created_at TEXT NOT NULL,
	PRIMARY KEY (district_id, id)
) STRICT;
CREATE UNIQUE INDEX sso_providers_name ON sso_providers (district_id, name);

-- One pending sign-in: sent to the provider, not yet back. Taken (deleted) once when the
-- browser returns; an expired one is never taken, and DeleteExpiredSSOFlows removes it. carry is
-- opaque to the store: what the web layer keeps across the round trip (the form being submitted
-- when the session ended).
CREATE TABLE sso_flows (
	state_hash TEXT NOT NULL PRIMARY KEY,
	district_id TEXT NOT NULL,
	provider_id TEXT NOT NULL,
	nonce TEXT NOT NULL,
	pkce_verifier TEXT NOT NULL,
	carry TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	FOREIGN KEY (district_id, provider_id) REFERENCES sso_providers (district_id, id)
) STRICT;
CREATE INDEX sso_flows_expires ON sso_flows (expires_at);
CREATE INDEX sso_flows_provider ON sso_flows (district_id, provider_id);

-- Which account a provider's user is: the provider's subject (its stable user id, never the
-- e-mail, which can change hands) for one account. One account per subject, one subject per
-- account and provider.
CREATE TABLE account_identities (
	district_id TEXT NOT NULL,
	provider_id TEXT NOT NULL,
	subject TEXT NOT NULL CHECK (subject <> ''),
	account_id TEXT NOT NULL,
	created_at TEXT NOT NULL,
	PRIMARY KEY (district_id, provider_id, subject),
	FOREIGN KEY (district_id, provider_id) REFERENCES sso_providers (district_id, id),
	FOREIGN KEY (district_id, account_id) REFERENCES accounts (district_id, id)
) STRICT;
CREATE UNIQUE INDEX account_identities_account ON account_identities (district_id, account_id, provider_id);
