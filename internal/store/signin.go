package store

import (
	"context"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// TokenPurpose is what a one-time link is for.
type TokenPurpose string

const (
	TokenInvite TokenPurpose = "invite" // set a first password (families, new staff)
	TokenReset  TokenPurpose = "reset"  // set a new password
)

// AccountToken is a one-time link sent by e-mail. TokenHash is auth.HashToken of the token in
// the link: the token itself is never stored. It may be used once, before ExpiresAt.
type AccountToken struct {
	TokenHash  string
	DistrictID string
	AccountID  string
	Purpose    TokenPurpose
	CreatedAt  time.Time // set by CreateAccountToken
	ExpiresAt  time.Time
	UsedAt     time.Time // zero until used
}

// CreateAccountToken stores a one-time link for an account and audits "invite" or
// "request_reset" (by), in one transaction. Errors: invalid (a field; an expiry not after now;
// an account not in the district), conflict (the hash exists).
func (tx *Tx) CreateAccountToken(ctx context.Context, t *AccountToken, by AuditActor) error {
	var ps iep.Problems
	for _, f := range []struct{ name, v string }{
		{"token_hash", t.TokenHash}, {"district_id", t.DistrictID}, {"account_id", t.AccountID},
	} {
		if strings.TrimSpace(f.v) == "" {
			ps = append(ps, iep.Problem{Field: f.name, Code: iep.CodeRequired})
		}
	}
	if t.Purpose != TokenInvite && t.Purpose != TokenReset {
		ps = append(ps, iep.Problem{Field: "purpose", Code: iep.CodeChoice, Detail: "invite, reset"})
	}
	if !t.ExpiresAt.After(tx.now) {
		ps = append(ps, iep.Problem{Field: "expires_at", Code: iep.CodeDateOrder, Detail: "now"})
	}
	if err := ps.Err(); err != nil {
		return err
	}
	t.CreatedAt, t.UsedAt = tx.now, time.Time{}
	d := tx.db.d
	_, err := tx.exec(ctx, `INSERT INTO account_tokens (token_hash, district_id, account_id, purpose, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, t.TokenHash, t.DistrictID, t.AccountID, string(t.Purpose),
		d.instant(t.CreatedAt), d.instant(t.ExpiresAt))
	if err != nil {
		return wrap(err, "create a %s link for account %s", t.Purpose, t.AccountID)
	}
	action := "invite"
	if t.Purpose == TokenReset {
		action = "request_reset"
	}
	return tx.auditAccount(ctx, t.DistrictID, t.AccountID, action, by)
}

// UseAccountToken spends the one-time link with this hash and purpose and returns it. It is one
// conditional UPDATE (unused and not expired at the transaction's instant), so of two
// concurrent uses exactly one wins, on either engine. A link that is unknown, of another
// purpose, used already or expired is not found, all alike. Errors: not found.
func (tx *Tx) UseAccountToken(ctx context.Context, tokenHash string, purpose TokenPurpose) (*AccountToken, error) {
	now := tx.db.d.instant(tx.now)
	t := AccountToken{TokenHash: tokenHash, Purpose: purpose, UsedAt: tx.now}
	err := tx.queryRow(ctx, `UPDATE account_tokens SET used_at = $3
		WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
		RETURNING district_id, account_id, created_at, expires_at`, tokenHash, string(purpose), now).
		Scan(&t.DistrictID, &t.AccountID, instant{&t.CreatedAt}, instant{&t.ExpiresAt})
	if err := one(err, "link", "(unknown, used or expired)"); err != nil {
		return nil, err
	}
	return &t, nil
}

// RecordSignInFailure records a failed sign-in for the e-mail typed (lower-cased; it need not
// name an account) from address, at the transaction's instant.
func (tx *Tx) RecordSignInFailure(ctx context.Context, email, address string) error {
	_, err := tx.exec(ctx, `INSERT INTO sign_in_failures (email, address, at) VALUES ($1, $2, $3)`,
		NormalizeEmail(email), address, tx.db.d.instant(tx.now))
	return wrap(err, "record a failed sign-in")
}

// RecentSignInFailures counts the failed sign-ins since since (inclusive) for the e-mail and,
// separately, from the address, and returns the instant of the latest of them (zero when none):
// what auth.Throttle takes.
func (db *DB) RecentSignInFailures(ctx context.Context, email, address string, since time.Time) (forAccount, forAddress int, last time.Time, err error) {
	s := db.d.instant(since)
	var lastE, lastA time.Time
	err = db.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM sign_in_failures WHERE email = $1 AND at >= $3),
		(SELECT COUNT(*) FROM sign_in_failures WHERE address = $2 AND at >= $3),
		(SELECT MAX(at) FROM sign_in_failures WHERE email = $1 AND at >= $3),
		(SELECT MAX(at) FROM sign_in_failures WHERE address = $2 AND at >= $3)`,
		NormalizeEmail(email), address, s).Scan(&forAccount, &forAddress, instant{&lastE}, instant{&lastA})
	if err != nil {
		return 0, 0, time.Time{}, wrap(err, "count failed sign-ins")
	}
	if lastA.After(lastE) {
		lastE = lastA
	}
	return forAccount, forAddress, lastE, nil
}

// ClearSignInFailures forgets the failed sign-ins for the e-mail: called after a successful
// sign-in, so that the account's owner is never slowed by an attacker's earlier guesses. They
// still count for their addresses (the rows stay, without the e-mail).
func (tx *Tx) ClearSignInFailures(ctx context.Context, email string) error {
	_, err := tx.exec(ctx, `UPDATE sign_in_failures SET email = '' WHERE email = $1`, NormalizeEmail(email))
	return wrap(err, "clear failed sign-ins")
}

// DeleteOldSignInFailures deletes the failures before before (older than the throttling
// window) and returns how many.
func (tx *Tx) DeleteOldSignInFailures(ctx context.Context, before time.Time) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM sign_in_failures WHERE at < $1`, tx.db.d.instant(before))
	if err != nil {
		return 0, wrap(err, "delete old failed sign-ins")
	}
	return res.RowsAffected()
}
