package store

import (
	"testing"
)

// The sign-in reads of single sign-on join the suite of store_test.go (both engines).
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"SSOProvidersForDomain", testSSOProvidersForDomain},
	}...)
}

// testSSOProvidersForDomain: an address's domain finds the enabled providers that list it
// exactly, in every district; disabled providers, providers without domains, subdomains,
// neighbours in the text of the list and malformed domains find nothing. The suite shares one
// database, so the domains are this run's own.
func testSSOProvidersForDomain(t *testing.T, db *DB) {
	f, g := newFixture(t, db), newFixture(t, db)
	x, y := "x"+randomHex(4)+".example", "y"+randomHex(4)+".example"
	add := func(f *fixture, name string, enabled bool, domains ...string) SSOProvider {
		t.Helper()
		p := SSOProvider{DistrictID: f.district.ID, Name: name, Issuer: "https://idp.example.com", ClientID: "c",
			ClientSecret: "v1.sealed", EmailDomains: domains, Enabled: enabled}
		mustWrite(t, db, func(tx *Tx) error { return tx.CreateSSOProvider(ctx, &p) })
		return p
	}
	a := add(f, "Google", true, "@"+y, x)
	b := add(g, "Microsoft", true, x)
	add(f, "Clever", false, x)           // disabled
	add(f, "ClassLink", true)            // no domains: any address, chosen by no address
	sub := add(g, "Sub", true, "sub."+x) // a subdomain is another domain

	for _, tc := range []struct {
		domain string
		want   []SSOProvider
	}{
		{x, []SSOProvider{a, b}},
		{" @" + "X" + x[1:] + " ", []SSOProvider{a, b}},
		{y, []SSOProvider{a}},
		{"sub." + x, []SSOProvider{sub}},
		{x[1:], nil},        // a suffix of a listed domain
		{x[:len(x)-1], nil}, // a prefix
		{"example", nil},    // not a domain name
		{"%", nil},          // a LIKE wildcard
		{`x", "` + y, nil},  // text that spans two entries
		{"nobody.example", nil},
	} {
		got, err := db.SSOProvidersForDomain(ctx, tc.domain)
		if err != nil {
			t.Fatalf("SSOProvidersForDomain(%q): %v", tc.domain, err)
		}
		diff(t, "SSOProvidersForDomain("+tc.domain+")", got, tc.want)
	}

	// Offered: true while any district has an enabled provider (this test added some).
	offered, err := db.SSOProviderOffered(ctx)
	if err != nil || !offered {
		t.Errorf("SSOProviderOffered = %v, %v; want true", offered, err)
	}
	for _, p := range []SSOProvider{a, b, sub} {
		mustWrite(t, db, func(tx *Tx) error { return tx.SetSSOProviderEnabled(ctx, p.DistrictID, p.ID, false) })
	}
	if got, err := db.SSOProvidersForDomain(ctx, x); err != nil || len(got) != 0 {
		t.Errorf("SSOProvidersForDomain(%q) with its providers disabled = %v, %v; want none", x, got, err)
	}
	// Whether none is offered depends on the other tests' providers: count them by hand.
	var enabled int
	if err := db.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM sso_providers WHERE enabled`).Scan(&enabled); err != nil {
		t.Fatal(err)
	}
	if offered, err := db.SSOProviderOffered(ctx); err != nil || offered != (enabled > 0) {
		t.Errorf("SSOProviderOffered with %d enabled = %v, %v", enabled, offered, err)
	}
}
