package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// This file holds what invitations and password resets need beyond signin.go: reading a link
// without spending it (so that its page can say whether it is still good), dropping an account's
// older links when a new one is sent, ending an account's other sessions after a password
// change, and counting requests for reset links (migration 0009), which are throttled.

// GetAccountToken returns the one-time link with this hash, whether or not it is used or
// expired (UsedAt and ExpiresAt say), so that the page it opens can tell the person which. It
// reads and spends nothing. Errors: not found (no such link, or dropped).
func (db *DB) GetAccountToken(ctx context.Context, tokenHash string) (*AccountToken, error) {
	t := AccountToken{TokenHash: tokenHash}
	var purpose string
	err := db.queryRow(ctx, `SELECT district_id, account_id, purpose, created_at, expires_at, used_at
		FROM account_tokens WHERE token_hash = $1`, tokenHash).
		Scan(&t.DistrictID, &t.AccountID, &purpose, instant{&t.CreatedAt}, instant{&t.ExpiresAt}, instant{&t.UsedAt})
	if err := one(err, "link", "(unknown)"); err != nil {
		return nil, err
	}
	t.Purpose = TokenPurpose(purpose)
	return &t, nil
}

// DropAccountTokens deletes the account's unused links of the given purposes (every purpose
// when none is given), so that they stop working, and returns how many it dropped. Used links
// stay. Not audited on its own: callers drop links as part of an audited change (a new link, a
// new password).
func (tx *Tx) DropAccountTokens(ctx context.Context, districtID, accountID string, purposes ...TokenPurpose) (int64, error) {
	if len(purposes) == 0 {
		purposes = []TokenPurpose{TokenInvite, TokenReset}
	}
	var n int64
	for _, p := range purposes {
		res, err := tx.exec(ctx, `DELETE FROM account_tokens
			WHERE district_id = $1 AND account_id = $2 AND purpose = $3 AND used_at IS NULL`,
			districtID, accountID, string(p))
		if err != nil {
			return n, wrap(err, "drop the %s links of account %s", p, accountID)
		}
		k, err := res.RowsAffected()
		if err != nil {
			return n, wrap(err, "drop the %s links of account %s", p, accountID)
		}
		n += k
	}
	return n, nil
}

// DeleteOtherSessions ends every session of the account except the one whose token hash is
// keepHash (the session making the change), and audits "sign_out_others". Errors: not found (no
// such account).
func (tx *Tx) DeleteOtherSessions(ctx context.Context, districtID, accountID, keepHash string, by AuditActor) error {
	_, err := tx.exec(ctx, `DELETE FROM sessions WHERE district_id = $1 AND account_id = $2 AND token_hash <> $3`,
		districtID, accountID, keepHash)
	if err != nil {
		return wrap(err, "delete the other sessions of account %s", accountID)
	}
	return tx.updateAccount(ctx, districtID, accountID, "sign_out_others", by,
		`UPDATE accounts SET id = id WHERE district_id = $1 AND id = $2`)
}

// resetEmailKey is how a reset request keeps the e-mail typed: the SHA-256 of its normalized
// form, so that the addresses of people who have no account are not kept.
func resetEmailKey(email string) string {
	sum := sha256.Sum256([]byte(NormalizeEmail(email)))
	return hex.EncodeToString(sum[:])
}

// RecordResetRequest records a request for a password-reset link for the e-mail typed (which
// need not name an account) from address, at the transaction's instant.
func (tx *Tx) RecordResetRequest(ctx context.Context, email, address string) error {
	_, err := tx.exec(ctx, `INSERT INTO reset_requests (email_hash, address, at) VALUES ($1, $2, $3)`,
		resetEmailKey(email), address, tx.db.d.instant(tx.now))
	return wrap(err, "record a reset request")
}

// RecentResetRequests counts the reset requests since since (inclusive) for the e-mail and,
// separately, from the address, and returns the earliest of the address's in that window (zero
// when none): when it leaves the window, the address may ask again. It reads in the
// transaction, so that requests of one engine's writer queue behind each other.
func (tx *Tx) RecentResetRequests(ctx context.Context, email, address string, since time.Time) (forEmail, forAddress int, firstForAddress time.Time, err error) {
	s := tx.db.d.instant(since)
	err = tx.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM reset_requests WHERE email_hash = $1 AND at >= $3),
		(SELECT COUNT(*) FROM reset_requests WHERE address = $2 AND at >= $3),
		(SELECT MIN(at) FROM reset_requests WHERE address = $2 AND at >= $3)`,
		resetEmailKey(email), address, s).Scan(&forEmail, &forAddress, instant{&firstForAddress})
	if err != nil {
		return 0, 0, time.Time{}, wrap(err, "count reset requests")
	}
	return forEmail, forAddress, firstForAddress, nil
}

// DeleteOldResetRequests deletes the reset requests before before (older than the throttling
// window) and returns how many. Safe to run from several instances at once.
func (tx *Tx) DeleteOldResetRequests(ctx context.Context, before time.Time) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM reset_requests WHERE at < $1`, tx.db.d.instant(before))
	if err != nil {
		return 0, wrap(err, "delete old reset requests")
	}
	return res.RowsAffected()
}
