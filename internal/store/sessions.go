package store

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openiep/openiep/internal/iep"
)

// Session is one signed-in browser. TokenHash is auth.HashToken of the cookie's token: the
// token itself is never stored. A session ends AbsoluteExpiresAt, or IdleTimeout after it was
// last seen (the district's idle timeout), or when deleted (sign-out). Sessions are looked up by
// token hash alone, across districts: the cookie is all a request has.
type Session struct {
	TokenHash         string
	DistrictID        string
	AccountID         string
	CreatedAt         time.Time // set by CreateSession
	LastSeenAt        time.Time // set by CreateSession and TouchSession
	IdleTimeout       time.Duration
	AbsoluteExpiresAt time.Time
	Address           string // the client's network address at sign-in
	UserAgent         string // cut to MaxUserAgent bytes
	MFAPassed         bool   // the second factor was given
}

// MaxUserAgent is how much of a browser's User-Agent a session keeps.
const MaxUserAgent = 256

func (s *Session) validate(now time.Time) error {
	var ps iep.Problems
	for _, f := range []struct{ name, v string }{
		{"token_hash", s.TokenHash}, {"district_id", s.DistrictID}, {"account_id", s.AccountID},
	} {
		if strings.TrimSpace(f.v) == "" {
			ps = append(ps, iep.Problem{Field: f.name, Code: iep.CodeRequired})
		}
	}
	if s.IdleTimeout < time.Second {
		ps = append(ps, iep.Problem{Field: "idle_timeout", Code: iep.CodeRange, Detail: "1s..24h"})
	}
	if !s.AbsoluteExpiresAt.After(now) {
		ps = append(ps, iep.Problem{Field: "absolute_expires_at", Code: iep.CodeDateOrder, Detail: "now"})
	}
	return ps.Err()
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// CreateSession stores a new session of an account; CreatedAt and LastSeenAt are the
// transaction's instant, UserAgent is cut to MaxUserAgent bytes. The caller checks that the
// account is enabled. Errors: invalid (a field; an expiry not after now; an account not in the
// district), conflict (the token hash exists).
func (tx *Tx) CreateSession(ctx context.Context, s *Session) error {
	if err := s.validate(tx.now); err != nil {
		return err
	}
	s.CreatedAt, s.LastSeenAt = tx.now, tx.now
	s.UserAgent = truncateUTF8(s.UserAgent, MaxUserAgent)
	d := tx.db.d
	_, err := tx.exec(ctx, `INSERT INTO sessions (token_hash, district_id, account_id, created_at, last_seen_at,
		idle_timeout_seconds, idle_expires_at, absolute_expires_at, address, user_agent, mfa_passed)
		VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10)`,
		s.TokenHash, s.DistrictID, s.AccountID, d.instant(tx.now), int64(s.IdleTimeout/time.Second),
		d.instant(tx.now.Add(s.IdleTimeout)), d.instant(s.AbsoluteExpiresAt), s.Address, s.UserAgent, s.MFAPassed)
	return wrap(err, "create a session of account %s", s.AccountID)
}

// GetSession returns the live session with this token hash. A session past its absolute expiry
// or idle longer than its timeout (by the store's clock), or whose account is disabled, is not
// found, exactly like one that never existed. Errors: not found.
func (db *DB) GetSession(ctx context.Context, tokenHash string) (*Session, error) {
	now := db.d.instant(db.clock())
	var s Session
	var idle int64
	err := db.queryRow(ctx, `SELECT s.token_hash, s.district_id, s.account_id, s.created_at, s.last_seen_at,
		s.idle_timeout_seconds, s.absolute_expires_at, s.address, s.user_agent, s.mfa_passed
		FROM sessions s JOIN accounts a ON a.district_id = s.district_id AND a.id = s.account_id
		WHERE s.token_hash = $1 AND s.absolute_expires_at > $2 AND s.idle_expires_at > $2
		AND a.disabled_at IS NULL`, tokenHash, now).Scan(&s.TokenHash, &s.DistrictID, &s.AccountID,
		instant{&s.CreatedAt}, instant{&s.LastSeenAt}, &idle, instant{&s.AbsoluteExpiresAt},
		&s.Address, &s.UserAgent, &s.MFAPassed)
	if err := one(err, "session", "of this token"); err != nil {
		return nil, err
	}
	s.IdleTimeout = time.Duration(idle) * time.Second
	return &s, nil
}

// TouchSession records that the session s (from GetSession) was seen now, which moves its idle
// expiry to now plus s.IdleTimeout; it sets s.LastSeenAt. It is one UPDATE by primary key;
// callers may skip it when the session was seen under a minute ago. Touching a missing session
// does nothing.
func (tx *Tx) TouchSession(ctx context.Context, s *Session) error {
	d := tx.db.d
	_, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = $2, idle_expires_at = $3 WHERE token_hash = $1`,
		s.TokenHash, d.instant(tx.now), d.instant(tx.now.Add(s.IdleTimeout)))
	if err != nil {
		return wrap(err, "touch a session")
	}
	s.LastSeenAt = tx.now
	return nil
}

// PassSessionMFA records that the session's second factor was given. Errors: not found.
func (tx *Tx) PassSessionMFA(ctx context.Context, tokenHash string) error {
	ok, err := tx.execOne(ctx, `UPDATE sessions SET mfa_passed = $2 WHERE token_hash = $1`, tokenHash, true)
	if err != nil {
		return wrap(err, "pass the second factor of a session")
	}
	if !ok {
		return notFound("session", "of this token")
	}
	return nil
}

// DeleteSession ends one session (sign-out). Deleting a missing session does nothing.
func (tx *Tx) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := tx.exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
	return wrap(err, "delete a session")
}

// DeleteAccountSessions ends every session of the account ("sign out everywhere") and audits
// "sign_out_everywhere". Errors: not found (no such account).
func (tx *Tx) DeleteAccountSessions(ctx context.Context, districtID, accountID string, by AuditActor) error {
	if err := tx.deleteAccountSessions(ctx, districtID, accountID); err != nil {
		return err
	}
	return tx.updateAccount(ctx, districtID, accountID, "sign_out_everywhere", by,
		`UPDATE accounts SET id = id WHERE district_id = $1 AND id = $2`)
}

func (tx *Tx) deleteAccountSessions(ctx context.Context, districtID, accountID string) error {
	_, err := tx.exec(ctx, `DELETE FROM sessions WHERE district_id = $1 AND account_id = $2`, districtID, accountID)
	return wrap(err, "delete the sessions of account %s", accountID)
}

// DeleteExpiredSessions deletes every session that had expired, absolutely or by idleness, at
// before, and returns how many. Safe to run from several instances at once.
func (tx *Tx) DeleteExpiredSessions(ctx context.Context, before time.Time) (int64, error) {
	b := tx.db.d.instant(before)
	res, err := tx.exec(ctx, `DELETE FROM sessions WHERE absolute_expires_at <= $1 OR idle_expires_at <= $1`, b)
	if err != nil {
		return 0, wrap(err, "delete expired sessions")
	}
	return res.RowsAffected()
}
