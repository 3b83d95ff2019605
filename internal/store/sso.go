package store

import (
	"context"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// SSOProvider is an OpenID Connect identity provider a district's staff may sign in with
// (Google, Microsoft, Clever, ClassLink…). Name is the label of its sign-in button. Issuer is
// the provider's issuer URL exactly as its discovery document and ID tokens name it. ClientSecret
// is opaque to the store: the caller seals it (auth.Sealer, additional data "sso:" + ID) before
// it is stored and opens it after it is read; the store never sees the secret in the clear.
// Scopes empty means the sso package's defaults; EmailDomains empty means any domain, otherwise
// the only domains whose (verified) e-mail addresses may sign in. A disabled provider keeps its
// row and its links to accounts, but offers no sign-in.
type SSOProvider struct {
	DistrictID   string
	ID           string // set by CreateSSOProvider when empty (UUIDv7)
	Name         string
	Issuer       string
	ClientID     string
	ClientSecret string // sealed by the caller
	Scopes       []string
	EmailDomains []string // lower case, without '@'
	Enabled      bool
	CreatedAt    time.Time // set by CreateSSOProvider
}

// MaxSSOProviderName is the longest a provider's name (its button label) may be, in characters.
const MaxSSOProviderName = 64

// normalize trims the provider's text fields and writes its e-mail domains in lower case
// without a leading '@', dropping empty ones.
func (p *SSOProvider) normalize() {
	p.Name = strings.TrimSpace(p.Name)
	p.Issuer = strings.TrimSpace(p.Issuer)
	p.ClientID = strings.TrimSpace(p.ClientID)
	var scopes []string
	for _, s := range p.Scopes {
		if s = strings.TrimSpace(s); s != "" {
			scopes = append(scopes, s)
		}
	}
	p.Scopes = scopes
	var domains []string
	for _, d := range p.EmailDomains {
		if d = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(d), "@")); d != "" {
			domains = append(domains, d)
		}
	}
	p.EmailDomains = domains
}

func (p *SSOProvider) validate() error {
	var ps iep.Problems
	if strings.TrimSpace(p.DistrictID) == "" {
		ps = append(ps, iep.Problem{Field: "district_id", Code: iep.CodeRequired})
	}
	switch n := len([]rune(p.Name)); {
	case n == 0:
		ps = append(ps, iep.Problem{Field: "name", Code: iep.CodeRequired})
	case n > MaxSSOProviderName:
		ps = append(ps, iep.Problem{Field: "name", Code: iep.CodeTooLong, Detail: "64"})
	}
	if p.Issuer == "" {
		ps = append(ps, iep.Problem{Field: "issuer", Code: iep.CodeRequired})
	} else if !validIssuer(p.Issuer) {
		ps = append(ps, iep.Problem{Field: "issuer", Code: iep.CodeInvalid,
			Detail: "an https URL with no query or fragment, such as https://accounts.example.com"})
	}
	if p.ClientID == "" {
		ps = append(ps, iep.Problem{Field: "client_id", Code: iep.CodeRequired})
	}
	for _, s := range p.Scopes {
		if strings.ContainsAny(s, " \t\r\n\"\\") {
			ps = append(ps, iep.Problem{Field: "scopes", Code: iep.CodeInvalid, Detail: "one word per scope, such as openid"})
			break
		}
	}
	for _, d := range p.EmailDomains {
		if !validDomain(d) {
			ps = append(ps, iep.Problem{Field: "email_domains", Code: iep.CodeInvalid, Detail: "domain names such as district.org"})
			break
		}
	}
	return ps.Err()
}

// validIssuer reports whether s is an absolute https URL with a host and no query, fragment or
// user information. Plain http is accepted only for the loopback host (127.0.0.1, ::1,
// localhost), where tests run their fake provider.
func validIssuer(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return false
	}
	switch u.Scheme {
	case "https":
		return true
	case "http":
		h := u.Hostname()
		if h == "localhost" {
			return true
		}
		ip := net.ParseIP(h)
		return ip != nil && ip.IsLoopback()
	}
	return false
}

// validDomain reports whether d looks like a domain name: labels of letters, digits and hyphens
// separated by dots, at least two of them.
func validDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// CreateSSOProvider stores a new identity provider of a district. It trims the text fields,
// writes the e-mail domains in lower case without '@', and sets p.ID (when empty) and
// p.CreatedAt. p.ClientSecret is stored as given: seal it first. Errors: invalid (name, issuer,
// client_id, scopes, email_domains, or a district that does not exist), conflict (the id, or the
// name, is taken in the district: Problems name "name").
func (tx *Tx) CreateSSOProvider(ctx context.Context, p *SSOProvider) error {
	p.normalize()
	if err := p.validate(); err != nil {
		return err
	}
	if err := ensureID(&p.ID); err != nil {
		return err
	}
	p.CreatedAt = tx.now
	var j jsonArgs
	scopes, domains := j.of(nonNil(p.Scopes)), j.of(nonNil(p.EmailDomains))
	if j.err != nil {
		return j.err
	}
	_, err := tx.exec(ctx, `INSERT INTO sso_providers (district_id, id, name, issuer, client_id, client_secret,
		scopes, email_domains, enabled, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		p.DistrictID, p.ID, p.Name, p.Issuer, p.ClientID, p.ClientSecret, scopes, domains, p.Enabled,
		tx.db.d.instant(p.CreatedAt))
	return wrap(err, "create identity provider %s", p.ID)
}

// nonNil makes a nil list encode as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const ssoProviderCols = `district_id, id, name, issuer, client_id, client_secret, scopes, email_domains,
	enabled, created_at`

func scanSSOProvider(r row, p *SSOProvider) error {
	return r.Scan(&p.DistrictID, &p.ID, &p.Name, &p.Issuer, &p.ClientID, &p.ClientSecret,
		jsonCol{&p.Scopes}, jsonCol{&p.EmailDomains}, &p.Enabled, instant{&p.CreatedAt})
}

// ListSSOProviders returns every identity provider of the district, enabled or not, by name.
// The client secrets come back sealed, as stored.
func (db *DB) ListSSOProviders(ctx context.Context, districtID string) ([]SSOProvider, error) {
	return list(ctx, db, scanSSOProvider, `SELECT `+ssoProviderCols+` FROM sso_providers
		WHERE district_id = $1 ORDER BY name, id`, districtID)
}

// GetSSOProvider returns one identity provider of the district, enabled or not; its client
// secret comes back sealed, as stored. Errors: not found.
func (db *DB) GetSSOProvider(ctx context.Context, districtID, id string) (*SSOProvider, error) {
	var p SSOProvider
	err := scanSSOProvider(db.queryRow(ctx, `SELECT `+ssoProviderCols+` FROM sso_providers
		WHERE district_id = $1 AND id = $2`, districtID, id), &p)
	if err := one(err, "identity provider", id); err != nil {
		return nil, err
	}
	return &p, nil
}

// SetSSOProviderEnabled turns an identity provider's sign-in on or off. Its links to accounts
// are kept either way; pending sign-ins are not cancelled (the caller checks Enabled when one
// comes back). Errors: not found.
func (tx *Tx) SetSSOProviderEnabled(ctx context.Context, districtID, id string, enabled bool) error {
	ok, err := tx.execOne(ctx, `UPDATE sso_providers SET enabled = $3 WHERE district_id = $1 AND id = $2`,
		districtID, id, enabled)
	if err != nil {
		return wrap(err, "enable or disable identity provider %s", id)
	}
	if !ok {
		return notFound("identity provider", id)
	}
	return nil
}

// SSOFlow is one pending single sign-on: the browser was sent to the provider and has not come
// back yet. It is stored under StateHash, the SHA-256 in hex of the state parameter
// (auth.HashToken): the state itself is never stored. Nonce and PKCEVerifier are what the sso
// package needs to complete the sign-in. Carry is opaque to the store: what the web layer keeps
// across the round trip (the form a user was submitting when their session ended), at most
// MaxSSOCarry bytes.
type SSOFlow struct {
	StateHash    string
	DistrictID   string
	ProviderID   string
	Nonce        string
	PKCEVerifier string
	Carry        string
	Address      string    // the network address the sign-on started from; may be empty
	CreatedAt    time.Time // set by CreateSSOFlow
	ExpiresAt    time.Time
}

// MaxSSOCarry is the most bytes an SSOFlow's Carry may hold.
const MaxSSOCarry = 1 << 20

// CreateSSOFlow stores a pending sign-in; CreatedAt is the transaction's instant. Errors:
// invalid (a field missing; an expiry not after now; a carry over MaxSSOCarry bytes; a provider
// not in the district), conflict (the state hash exists).
func (tx *Tx) CreateSSOFlow(ctx context.Context, f *SSOFlow) error {
	var ps iep.Problems
	for _, fl := range []struct{ name, v string }{
		{"state_hash", f.StateHash}, {"district_id", f.DistrictID}, {"provider_id", f.ProviderID},
		{"nonce", f.Nonce}, {"pkce_verifier", f.PKCEVerifier},
	} {
		if strings.TrimSpace(fl.v) == "" {
			ps = append(ps, iep.Problem{Field: fl.name, Code: iep.CodeRequired})
		}
	}
	if !f.ExpiresAt.After(tx.now) {
		ps = append(ps, iep.Problem{Field: "expires_at", Code: iep.CodeDateOrder, Detail: "now"})
	}
	if len(f.Carry) > MaxSSOCarry {
		ps = append(ps, iep.Problem{Field: "carry", Code: iep.CodeTooLong, Detail: "1048576"})
	}
	if err := ps.Err(); err != nil {
		return err
	}
	f.CreatedAt = tx.now
	d := tx.db.d
	_, err := tx.exec(ctx, `INSERT INTO sso_flows (state_hash, district_id, provider_id, nonce, pkce_verifier,
		carry, address, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		f.StateHash, f.DistrictID, f.ProviderID, f.Nonce, f.PKCEVerifier, f.Carry, f.Address,
		d.instant(f.CreatedAt), d.instant(f.ExpiresAt))
	return wrap(err, "create a pending sign-in with identity provider %s", f.ProviderID)
}

// TakeSSOFlow removes the pending sign-in with this state hash and returns it. It is one
// DELETE … RETURNING that matches only a flow not expired at the transaction's instant, so a
// flow is taken at most once: of two concurrent takes exactly one gets it, on either engine. A
// flow that is unknown, taken already or expired is not found, all alike (an expired one stays
// until DeleteExpiredSSOFlows). Errors: not found.
func (tx *Tx) TakeSSOFlow(ctx context.Context, stateHash string) (*SSOFlow, error) {
	f := SSOFlow{StateHash: stateHash}
	err := tx.queryRow(ctx, `DELETE FROM sso_flows WHERE state_hash = $1 AND expires_at > $2
		RETURNING district_id, provider_id, nonce, pkce_verifier, carry, created_at, expires_at`,
		stateHash, tx.db.d.instant(tx.now)).
		Scan(&f.DistrictID, &f.ProviderID, &f.Nonce, &f.PKCEVerifier, &f.Carry, instant{&f.CreatedAt}, instant{&f.ExpiresAt})
	if err := one(err, "pending sign-in", "(unknown, used or expired)"); err != nil {
		return nil, err
	}
	return &f, nil
}

// DeleteExpiredSSOFlows deletes every pending sign-in that had expired at before, and returns how
// many. Safe to run from several instances at once.
func (tx *Tx) DeleteExpiredSSOFlows(ctx context.Context, before time.Time) (int64, error) {
	res, err := tx.exec(ctx, `DELETE FROM sso_flows WHERE expires_at <= $1`, tx.db.d.instant(before))
	if err != nil {
		return 0, wrap(err, "delete expired pending sign-ins")
	}
	return res.RowsAffected()
}

// LinkIdentity records that the provider's user subject (the "sub" of its ID tokens: stable,
// unlike the e-mail) is the account accountID, so that their next sign-ins find the account by
// AccountIDByIdentity. The caller decides when to link (for example after the first sign-in
// whose verified e-mail matches an enabled staff account). Errors: invalid (a field missing; a
// provider or account not in the district), conflict (the subject is linked already, or the
// account already has an identity with this provider).
func (tx *Tx) LinkIdentity(ctx context.Context, districtID, providerID, subject, accountID string) error {
	var ps iep.Problems
	for _, fl := range []struct{ name, v string }{
		{"district_id", districtID}, {"provider_id", providerID}, {"subject", subject}, {"account_id", accountID},
	} {
		if strings.TrimSpace(fl.v) == "" {
			ps = append(ps, iep.Problem{Field: fl.name, Code: iep.CodeRequired})
		}
	}
	if err := ps.Err(); err != nil {
		return err
	}
	_, err := tx.exec(ctx, `INSERT INTO account_identities (district_id, provider_id, subject, account_id, created_at)
		VALUES ($1, $2, $3, $4, $5)`, districtID, providerID, subject, accountID, tx.db.d.instant(tx.now))
	return wrap(err, "link account %s to identity provider %s", accountID, providerID)
}

// AccountIDByIdentity returns the id of the account linked to the provider's user subject. It
// does not look at whether the provider or the account is enabled: the caller does. Errors: not
// found (the message names no subject).
func (db *DB) AccountIDByIdentity(ctx context.Context, districtID, providerID, subject string) (string, error) {
	var id string
	err := db.queryRow(ctx, `SELECT account_id FROM account_identities
		WHERE district_id = $1 AND provider_id = $2 AND subject = $3`, districtID, providerID, subject).Scan(&id)
	if err := one(err, "account", "of this identity"); err != nil {
		return "", err
	}
	return id, nil
}

// PendingSSOFlowsFrom counts the sign-ons started from address since since and not finished
// (a finished one is taken, so it is gone) nor expired-and-deleted.
func (db *DB) PendingSSOFlowsFrom(ctx context.Context, address string, since time.Time) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM sso_flows WHERE address = $1 AND created_at >= $2`,
		address, db.d.instant(since)).Scan(&n)
	return n, wrap(err, "count the pending sign-ons of an address")
}
