package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The two reads of single sign-on that come before the district is known: the sign-in page asks
// whether any district offers it, and a staff member's e-mail address picks the provider by its
// domain. Like GetAccountByEmail they span the deployment; they return what a sign-in page shows
// anyway (which domains sign in where), never an account.

// SSOProviderOffered reports whether any district of the deployment has an enabled identity
// provider, so that the sign-in page offers single sign-on only where it can work.
func (db *DB) SSOProviderOffered(ctx context.Context) (bool, error) {
	var n int
	err := db.queryRow(ctx, `SELECT 1 FROM sso_providers WHERE enabled LIMIT 1`).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: is any identity provider enabled: %w", err)
	}
	return true, nil
}

// SSOProvidersForDomain returns the enabled identity providers, of every district, whose e-mail
// domains include domain (compared in lower case, a leading '@' ignored), by district and name.
// A provider that lists no domain is never returned: it cannot be chosen by an address. A domain
// that is not a well-formed domain name matches nothing. Client secrets come back sealed.
func (db *DB) SSOProvidersForDomain(ctx context.Context, domain string) ([]SSOProvider, error) {
	domain = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(domain), "@"))
	if !validDomain(domain) {
		return []SSOProvider{}, nil
	}
	// The LIKE narrows the rows on both engines (the JSON array's text holds the domain in
	// quotes; a valid domain has no LIKE wildcard); the exact test is made on the decoded list.
	ps, err := list(ctx, db, scanSSOProvider, `SELECT `+ssoProviderCols+` FROM sso_providers
		WHERE enabled AND CAST(email_domains AS TEXT) LIKE $1 ORDER BY district_id, name, id`, `%"`+domain+`"%`)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ps, func(p SSOProvider) bool { return !slices.Contains(p.EmailDomains, domain) }), nil
}
