package store

import (
	"context"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// AccountKind is who an account belongs to.
type AccountKind string

const (
	AccountStaff    AccountKind = "staff"    // an iep.Staff
	AccountGuardian AccountKind = "guardian" // an iep.Guardian
	AccountStudent  AccountKind = "student"  // an iep.Student, once the rights have transferred
)

// Account is how one person signs in. SubjectID is the id of the staff member, guardian or
// student (by Kind), a foreign key to that table. Email is stored lower-cased and is unique
// across the deployment, since sign-in starts from it. PasswordHash (auth.HashPassword) is
// empty until the person accepts their invitation; TOTPSecret is empty without two-factor. A
// disabled account keeps its row and history but cannot sign in.
type Account struct {
	DistrictID         string
	ID                 string // set by CreateAccount when empty (UUIDv7)
	Kind               AccountKind
	SubjectID          string
	Email              string
	PasswordHash       string
	TOTPSecret         string
	TOTPLastStep       int64 // the last TOTP step used, refused from then on (auth.VerifyTOTP)
	MustChangePassword bool
	DisabledAt         time.Time // zero: enabled
	CreatedAt          time.Time // set by CreateAccount
	LastSignInAt       time.Time // zero: never
	// Language is the page and mail language the person chose with the language switch (a
	// catalog's tag); "" until they choose.
	Language string
}

// Disabled reports whether the account is disabled.
func (a *Account) Disabled() bool { return !a.DisabledAt.IsZero() }

// AuditActor is who makes a change the store records in the audit trail itself (account
// changes): an actor kind ("staff", "guardian", "student", "system"), id and network address.
type AuditActor struct {
	Kind    string
	ID      string
	Address string
	Reason  string // the access policy's ground for the change (e.g. "district_admin"); may be empty
}

// NormalizeEmail is the form an e-mail address is stored and looked up in: trimmed, lower case.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func (a *Account) validate() error {
	var ps iep.Problems
	if strings.TrimSpace(a.DistrictID) == "" {
		ps = append(ps, iep.Problem{Field: "district_id", Code: iep.CodeRequired})
	}
	switch a.Kind {
	case AccountStaff, AccountGuardian, AccountStudent:
	default:
		ps = append(ps, iep.Problem{Field: "kind", Code: iep.CodeChoice, Detail: "staff, guardian, student"})
	}
	if strings.TrimSpace(a.SubjectID) == "" {
		ps = append(ps, iep.Problem{Field: "subject_id", Code: iep.CodeRequired})
	}
	e := a.Email
	if at := strings.IndexByte(e, '@'); at < 1 || at == len(e)-1 || strings.ContainsAny(e, " \t\r\n") || len(e) > 254 {
		ps = append(ps, iep.Problem{Field: "email", Code: iep.CodeInvalid, Detail: "an e-mail address such as name@district.org"})
	}
	return ps.Err()
}

// subjects returns the staff, guardian and student columns for the account's subject.
func (a *Account) subjects() (staff, guardian, student any) {
	switch a.Kind {
	case AccountStaff:
		return a.SubjectID, nil, nil
	case AccountGuardian:
		return nil, a.SubjectID, nil
	}
	return nil, nil, a.SubjectID
}

// CreateAccount stores a new account and appends an audit entry (action "create") in the same
// transaction. It lower-cases a.Email and sets a.ID (when empty) and a.CreatedAt. Errors:
// invalid (a field, or a subject that is not in the district), conflict (the e-mail, or the
// subject, has an account already: Problems name "email" or the subject's column).
func (tx *Tx) CreateAccount(ctx context.Context, a *Account, by AuditActor) error {
	a.Email = NormalizeEmail(a.Email)
	if err := a.validate(); err != nil {
		return err
	}
	if err := ensureID(&a.ID); err != nil {
		return err
	}
	a.CreatedAt = tx.now
	staff, guardian, student := a.subjects()
	_, err := tx.exec(ctx, `INSERT INTO accounts (district_id, id, kind, staff_id, guardian_id, student_id, email,
		password_hash, totp_secret, totp_last_step, must_change_password, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		a.DistrictID, a.ID, string(a.Kind), staff, guardian, student, a.Email, opt(a.PasswordHash),
		opt(a.TOTPSecret), a.TOTPLastStep, a.MustChangePassword, tx.db.d.instant(a.CreatedAt))
	if err != nil {
		return wrap(err, "create account %s", a.ID)
	}
	return tx.auditAccount(ctx, a.DistrictID, a.ID, "create", by)
}

// auditAccount appends one audit entry about an account: ids only, never the e-mail, password
// or secret.
func (tx *Tx) auditAccount(ctx context.Context, districtID, accountID, action string, by AuditActor) error {
	kind := by.Kind
	if kind == "" {
		kind = "system"
	}
	return tx.AppendAudit(ctx, &AuditEntry{DistrictID: districtID, ActorKind: kind, ActorID: by.ID,
		Action: action, RecordKind: "account", RecordID: accountID, FromAddress: by.Address, Reason: by.Reason})
}

const accountCols = `district_id, id, kind, COALESCE(staff_id, guardian_id, student_id), email,
	COALESCE(password_hash, ''), COALESCE(totp_secret, ''), totp_last_step, must_change_password,
	disabled_at, created_at, last_sign_in_at, language`

func scanAccount(r row, a *Account) error {
	return r.Scan(&a.DistrictID, &a.ID, &a.Kind, &a.SubjectID, &a.Email, &a.PasswordHash, &a.TOTPSecret,
		&a.TOTPLastStep, &a.MustChangePassword, instant{&a.DisabledAt}, instant{&a.CreatedAt}, instant{&a.LastSignInAt}, &a.Language)
}

// GetAccount returns one account of the district. Errors: not found.
func (db *DB) GetAccount(ctx context.Context, districtID, id string) (*Account, error) {
	var a Account
	err := scanAccount(db.queryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE district_id = $1 AND id = $2`,
		districtID, id), &a)
	if err := one(err, "account", id); err != nil {
		return nil, err
	}
	return &a, nil
}

// GetAccountByEmail returns the account with this e-mail address (compared case-insensitively)
// in any district: sign-in starts from the e-mail alone, before the district is known. Errors:
// not found (the message names no address).
func (db *DB) GetAccountByEmail(ctx context.Context, email string) (*Account, error) {
	var a Account
	err := scanAccount(db.queryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE email = $1`,
		NormalizeEmail(email)), &a)
	if err := one(err, "account", "with this e-mail"); err != nil {
		return nil, err
	}
	return &a, nil
}

// ListAccounts returns the district's accounts, by e-mail.
func (db *DB) ListAccounts(ctx context.Context, districtID string) ([]Account, error) {
	return list(ctx, db, scanAccount, `SELECT `+accountCols+` FROM accounts WHERE district_id = $1
		ORDER BY email`, districtID)
}

// updateAccount runs an UPDATE of one account that must match a row, then audits action.
func (tx *Tx) updateAccount(ctx context.Context, districtID, id, action string, by AuditActor, q string, args ...any) error {
	ok, err := tx.execOne(ctx, q, append([]any{districtID, id}, args...)...)
	if err != nil {
		return wrap(err, "%s account %s", action, id)
	}
	if !ok {
		return notFound("account", id)
	}
	return tx.auditAccount(ctx, districtID, id, action, by)
}

// SetPassword stores a new password hash (auth.HashPassword) and whether it must be changed at
// the next sign-in (true for a one-time password an administrator handed out), and audits
// "set_password". It does not end the account's other sessions: call DeleteAccountSessions for
// that. Errors: invalid (an empty hash), not found.
func (tx *Tx) SetPassword(ctx context.Context, districtID, id, hash string, mustChange bool, by AuditActor) error {
	if hash == "" {
		return iep.Problems{{Field: "password_hash", Code: iep.CodeRequired}}.Err()
	}
	return tx.updateAccount(ctx, districtID, id, "set_password", by,
		`UPDATE accounts SET password_hash = $3, must_change_password = $4 WHERE district_id = $1 AND id = $2`,
		hash, mustChange)
}

// SetAccountLanguage records the language the person chose for their pages and mail (a tag of
// at most 35 characters; "" forgets the choice). Audited as "set_language". Errors: invalid,
// not found.
func (tx *Tx) SetAccountLanguage(ctx context.Context, districtID, id, lang string, by AuditActor) error {
	if len(lang) > 35 {
		return iep.Problems{{Field: "language", Code: iep.CodeTooLong}}.Err()
	}
	return tx.updateAccount(ctx, districtID, id, "set_language", by,
		`UPDATE accounts SET language = $3 WHERE district_id = $1 AND id = $2`, lang)
}

// SetTOTP turns two-factor on with secret (auth.NewTOTPSecret), or off with "", and resets the
// last used step; it audits "set_totp" or "remove_totp". Errors: not found.
func (tx *Tx) SetTOTP(ctx context.Context, districtID, id, secret string, by AuditActor) error {
	action := "set_totp"
	if secret == "" {
		action = "remove_totp"
	}
	return tx.updateAccount(ctx, districtID, id, action, by,
		`UPDATE accounts SET totp_secret = $3, totp_last_step = 0 WHERE district_id = $1 AND id = $2`, opt(secret))
}

// UseTOTPStep records that the TOTP code of step was used, unless a step at or after it was
// already: it reports whether it was recorded, so that of two concurrent sign-ins with the same
// code only one passes. Not audited (the sign-in is). Errors: not found.
func (tx *Tx) UseTOTPStep(ctx context.Context, districtID, id string, step int64) (bool, error) {
	ok, err := tx.execOne(ctx, `UPDATE accounts SET totp_last_step = $3
		WHERE district_id = $1 AND id = $2 AND totp_last_step < $3`, districtID, id, step)
	if err != nil || ok {
		return ok, wrap(err, "use a TOTP step of account %s", id)
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM accounts WHERE district_id = $1 AND id = $2`, districtID, id).Scan(&n); err != nil {
		return false, wrap(err, "read account %s", id)
	}
	if n == 0 {
		return false, notFound("account", id)
	}
	return false, nil
}

// RecordSignIn stamps the account's last sign-in with the transaction's instant and audits
// "sign_in" by the account's owner from address. Errors: not found.
func (tx *Tx) RecordSignIn(ctx context.Context, districtID, id, address string) error {
	var a Account
	err := scanAccount(tx.queryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE district_id = $1 AND id = $2`,
		districtID, id), &a)
	if err := one(err, "account", id); err != nil {
		return err
	}
	return tx.updateAccount(ctx, districtID, id, "sign_in",
		AuditActor{Kind: string(a.Kind), ID: a.SubjectID, Address: address},
		`UPDATE accounts SET last_sign_in_at = $3 WHERE district_id = $1 AND id = $2`, tx.db.d.instant(tx.now))
}

// DisableAccount disables the account (keeping its row and history), ends all its sessions,
// drops its unused invitation and reset links, and audits "disable". Disabling a disabled
// account keeps its first instant. Errors: not found.
func (tx *Tx) DisableAccount(ctx context.Context, districtID, id string, by AuditActor) error {
	err := tx.updateAccount(ctx, districtID, id, "disable", by,
		`UPDATE accounts SET disabled_at = COALESCE(disabled_at, $3) WHERE district_id = $1 AND id = $2`,
		tx.db.d.instant(tx.now))
	if err != nil {
		return err
	}
	if err := tx.deleteAccountSessions(ctx, districtID, id); err != nil {
		return err
	}
	_, err = tx.exec(ctx, `DELETE FROM account_tokens WHERE district_id = $1 AND account_id = $2 AND used_at IS NULL`,
		districtID, id)
	return wrap(err, "drop the links of account %s", id)
}

// EnableAccount enables a disabled account again and audits "enable". Errors: not found.
func (tx *Tx) EnableAccount(ctx context.Context, districtID, id string, by AuditActor) error {
	return tx.updateAccount(ctx, districtID, id, "enable", by,
		`UPDATE accounts SET disabled_at = NULL WHERE district_id = $1 AND id = $2`)
}
