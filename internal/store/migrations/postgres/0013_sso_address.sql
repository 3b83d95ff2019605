-- Where a pending single sign-on came from (store/sso.go), so that an address that starts many
-- sign-ons it never finishes can be slowed down (app.BeginSSO). Keep in step with
-- ../sqlite/0013_sso_address.sql.
ALTER TABLE sso_flows ADD COLUMN address TEXT NOT NULL DEFAULT '';
CREATE INDEX sso_flows_address ON sso_flows (address, created_at);
