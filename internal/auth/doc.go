// Package auth holds the pure parts of signing in: argon2id password hashes in the PHC string
// form, the password rules (NIST SP 800-63B), opaque tokens for sessions and one-time links
// (stored only as SHA-256 hashes), TOTP two-factor codes (RFC 6238) and the throttling policy
// for failed sign-ins. It does no I/O besides reading crypto/rand, and keeps no clock: the
// caller passes the time.
package auth
