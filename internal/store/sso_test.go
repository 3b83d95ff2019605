package store

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// The single sign-on contract tests join the suite of store_test.go (both engines).
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"SSOProviderRoundTrip", testSSOProviderRoundTrip},
		{"SSOProviderValidationWritesNothing", testSSOProviderValidationWritesNothing},
		{"SSOFlowTakenOnce", testSSOFlowTakenOnce},
		{"SSOFlowRace", testSSOFlowRace},
		{"SSOFlowExpiry", testSSOFlowExpiry},
		{"IdentityLink", testIdentityLink},
		{"PendingSSOFlowsFromAnAddress", testPendingSSOFlowsFrom},
	}...)
}

// addSSOProvider stores an enabled provider of the fixture's district.
func addSSOProvider(t *testing.T, db *DB, f *fixture, name string) SSOProvider {
	t.Helper()
	p := SSOProvider{DistrictID: f.district.ID, Name: name, Issuer: "https://accounts.example.com",
		ClientID: "client-" + randomHex(3), ClientSecret: "v1.sealed-" + randomHex(4), Enabled: true}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateSSOProvider(ctx, &p) })
	return p
}

func testSSOProviderRoundTrip(t *testing.T, db *DB) {
	f := newFixture(t, db)
	p := SSOProvider{DistrictID: f.district.ID, Name: "  Google ", Issuer: "https://accounts.google.com",
		ClientID: " 123.apps ", ClientSecret: "v1.c2VhbGVk", Scopes: []string{"openid", " email", ""},
		EmailDomains: []string{"@Riverside.ORG", " k12.riverside.org", ""}, Enabled: true}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateSSOProvider(ctx, &p) })
	if p.ID == "" || p.CreatedAt.IsZero() || p.Name != "Google" || p.ClientID != "123.apps" {
		t.Fatalf("CreateSSOProvider set %+v", p)
	}
	diff(t, "normalized scopes", p.Scopes, []string{"openid", "email"})
	diff(t, "normalized domains", p.EmailDomains, []string{"riverside.org", "k12.riverside.org"})
	got, err := db.GetSSOProvider(ctx, f.district.ID, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "GetSSOProvider", *got, p)

	// A second provider: no scopes or domains, a local issuer (tests), created disabled.
	q := SSOProvider{DistrictID: f.district.ID, Name: "Clever", Issuer: "http://127.0.0.1:8080/oidc", ClientID: "c"}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateSSOProvider(ctx, &q) })
	ps, err := db.ListSSOProviders(ctx, f.district.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "ListSSOProviders (by name)", ps, []SSOProvider{q, p})
	if ps[0].Enabled {
		t.Errorf("Clever enabled = %v, want false", ps[0].Enabled)
	}

	mustWrite(t, db, func(tx *Tx) error { return tx.SetSSOProviderEnabled(ctx, f.district.ID, p.ID, false) })
	if got, _ := db.GetSSOProvider(ctx, f.district.ID, p.ID); got.Enabled {
		t.Error("provider still enabled after SetSSOProviderEnabled(false)")
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.SetSSOProviderEnabled(ctx, f.district.ID, p.ID, true) })
	if got, _ := db.GetSSOProvider(ctx, f.district.ID, p.ID); !got.Enabled {
		t.Error("provider still disabled after SetSSOProviderEnabled(true)")
	}

	// Tenancy and not found.
	g := newFixture(t, db)
	_, err = db.GetSSOProvider(ctx, g.district.ID, p.ID)
	wantKind(t, err, iep.KindNotFound, "GetSSOProvider(other district)")
	if ps, err := db.ListSSOProviders(ctx, g.district.ID); err != nil || len(ps) != 0 {
		t.Errorf("ListSSOProviders(other district) = %v, %v; want none", ps, err)
	}
	err = db.Write(ctx, func(tx *Tx) error { return tx.SetSSOProviderEnabled(ctx, g.district.ID, p.ID, false) })
	wantKind(t, err, iep.KindNotFound, "SetSSOProviderEnabled(other district)")

	// The name is the button's label: unique in a district, free in another.
	dup := SSOProvider{DistrictID: f.district.ID, Name: "Google", Issuer: "https://login.example.org", ClientID: "x"}
	err = db.Write(ctx, func(tx *Tx) error { return tx.CreateSSOProvider(ctx, &dup) })
	wantKind(t, err, iep.KindConflict, "CreateSSOProvider(same name)")
	if fs := problemFields(err); !slices.Contains(fs, "name") {
		t.Errorf("conflict problems = %v, want name", fs)
	}
	other := SSOProvider{DistrictID: g.district.ID, Name: "Google", Issuer: "https://accounts.google.com", ClientID: "x", Enabled: true}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateSSOProvider(ctx, &other) })
}

func testSSOProviderValidationWritesNothing(t *testing.T, db *DB) {
	f := newFixture(t, db)
	valid := func() SSOProvider {
		return SSOProvider{DistrictID: f.district.ID, Name: "Microsoft",
			Issuer: "https://login.microsoftonline.com/tenant/v2.0", ClientID: "abc", Enabled: true}
	}
	tests := []struct {
		name  string
		edit  func(*SSOProvider)
		field string
	}{
		{"no name", func(p *SSOProvider) { p.Name = "  " }, "name"},
		{"long name", func(p *SSOProvider) { p.Name = strings.Repeat("é", MaxSSOProviderName+1) }, "name"},
		{"no issuer", func(p *SSOProvider) { p.Issuer = "" }, "issuer"},
		{"http issuer", func(p *SSOProvider) { p.Issuer = "http://accounts.example.com" }, "issuer"},
		{"http lookalike", func(p *SSOProvider) { p.Issuer = "http://127.0.0.1.example.com" }, "issuer"},
		{"relative issuer", func(p *SSOProvider) { p.Issuer = "accounts.example.com" }, "issuer"},
		{"issuer with query", func(p *SSOProvider) { p.Issuer = "https://accounts.example.com/?x=1" }, "issuer"},
		{"issuer with user", func(p *SSOProvider) { p.Issuer = "https://u:p@accounts.example.com" }, "issuer"},
		{"other scheme", func(p *SSOProvider) { p.Issuer = "ftp://accounts.example.com" }, "issuer"},
		{"no client id", func(p *SSOProvider) { p.ClientID = " " }, "client_id"},
		{"no district", func(p *SSOProvider) { p.DistrictID = "" }, "district_id"},
		{"bad scope", func(p *SSOProvider) { p.Scopes = []string{"openid email"} }, "scopes"},
		{"bad domain", func(p *SSOProvider) { p.EmailDomains = []string{"name@riverside.org"} }, "email_domains"},
		{"bare domain", func(p *SSOProvider) { p.EmailDomains = []string{"org"} }, "email_domains"},
		{"unknown district", func(p *SSOProvider) { p.DistrictID = "no-such-district" }, ""},
	}
	for _, tt := range tests {
		p := valid()
		tt.edit(&p)
		err := db.Write(ctx, func(tx *Tx) error { return tx.CreateSSOProvider(ctx, &p) })
		wantKind(t, err, iep.KindInvalid, "CreateSSOProvider("+tt.name+")")
		if tt.field != "" && !slices.Contains(problemFields(err), tt.field) {
			t.Errorf("CreateSSOProvider(%s): problems %v, want %s", tt.name, problemFields(err), tt.field)
		}
	}
	if n := countRows(t, db, "sso_providers", f.district.ID); n != 0 {
		t.Fatalf("%d providers stored after invalid input, want 0", n)
	}
	// Loopback hosts may use plain http (the tests' fake provider); the control case passes.
	for _, issuer := range []string{"http://localhost:9999", "http://127.0.0.1:1234/x", "http://[::1]:80", "https://accounts.example.com"} {
		p := valid()
		p.Name, p.Issuer = "P "+randomHex(3), issuer
		if err := db.Write(ctx, func(tx *Tx) error { return tx.CreateSSOProvider(ctx, &p) }); err != nil {
			t.Errorf("CreateSSOProvider(issuer %s) = %v", issuer, err)
		}
	}

	// A flow and a link that refer to nothing write nothing either.
	a := addAccount(t, db, f, f.teacher.ID, uniqueEmail("Val"))
	p := addSSOProvider(t, db, f, "Valid")
	badFlows := []struct {
		name string
		f    SSOFlow
	}{
		{"no state", SSOFlow{DistrictID: f.district.ID, ProviderID: p.ID, Nonce: "n", PKCEVerifier: "v", ExpiresAt: time.Now().Add(time.Hour)}},
		{"no nonce", SSOFlow{StateHash: randomHex(32), DistrictID: f.district.ID, ProviderID: p.ID, PKCEVerifier: "v", ExpiresAt: time.Now().Add(time.Hour)}},
		{"no verifier", SSOFlow{StateHash: randomHex(32), DistrictID: f.district.ID, ProviderID: p.ID, Nonce: "n", ExpiresAt: time.Now().Add(time.Hour)}},
		{"expired", SSOFlow{StateHash: randomHex(32), DistrictID: f.district.ID, ProviderID: p.ID, Nonce: "n", PKCEVerifier: "v"}},
		{"unknown provider", SSOFlow{StateHash: randomHex(32), DistrictID: f.district.ID, ProviderID: "nope", Nonce: "n", PKCEVerifier: "v", ExpiresAt: time.Now().Add(time.Hour)}},
		{"carry too big", SSOFlow{StateHash: randomHex(32), DistrictID: f.district.ID, ProviderID: p.ID, Nonce: "n", PKCEVerifier: "v",
			Carry: strings.Repeat("x", MaxSSOCarry+1), ExpiresAt: time.Now().Add(time.Hour)}},
	}
	for _, bf := range badFlows {
		err := db.Write(ctx, func(tx *Tx) error { return tx.CreateSSOFlow(ctx, &bf.f) })
		wantKind(t, err, iep.KindInvalid, "CreateSSOFlow("+bf.name+")")
	}
	if n := countRows(t, db, "sso_flows", f.district.ID); n != 0 {
		t.Errorf("%d flows stored after invalid input, want 0", n)
	}
	for _, args := range [][4]string{
		{f.district.ID, p.ID, "", a.ID},
		{f.district.ID, p.ID, "sub", ""},
		{f.district.ID, "nope", "sub", a.ID},
		{f.district.ID, p.ID, "sub", "nope"},
	} {
		err := db.Write(ctx, func(tx *Tx) error { return tx.LinkIdentity(ctx, args[0], args[1], args[2], args[3]) })
		wantKind(t, err, iep.KindInvalid, "LinkIdentity("+strings.Join(args[1:], ", ")+")")
	}
	if n := countRows(t, db, "account_identities", f.district.ID); n != 0 {
		t.Errorf("%d identities stored after invalid input, want 0", n)
	}
}

func newFlow(f *fixture, providerID string, expires time.Time) (SSOFlow, string) {
	hash := randomHex(32)
	return SSOFlow{StateHash: hash, DistrictID: f.district.ID, ProviderID: providerID, Nonce: "nonce-" + randomHex(8),
		PKCEVerifier: "verifier-" + randomHex(16), Carry: `{"form":"é\u0000<script>"}`, ExpiresAt: expires}, hash
}

func takeFlow(db *DB, hash string) (*SSOFlow, error) {
	var f *SSOFlow
	err := db.Write(ctx, func(tx *Tx) (err error) { f, err = tx.TakeSSOFlow(ctx, hash); return err })
	return f, err
}

func testSSOFlowTakenOnce(t *testing.T, db *DB) {
	start := time.Date(2030, 4, 1, 8, 0, 0, 0, time.UTC)
	c := newManualClock(start)
	cdb := reopenWithClock(t, db, c)
	f := newFixture(t, cdb)
	p := addSSOProvider(t, cdb, f, "Google")
	fl, hash := newFlow(f, p.ID, start.Add(10*time.Minute))
	mustWrite(t, cdb, func(tx *Tx) error { return tx.CreateSSOFlow(ctx, &fl) })
	if !fl.CreatedAt.Equal(start) {
		t.Errorf("CreatedAt = %v, want %v", fl.CreatedAt, start)
	}
	dup := fl
	err := cdb.Write(ctx, func(tx *Tx) error { return tx.CreateSSOFlow(ctx, &dup) })
	wantKind(t, err, iep.KindConflict, "CreateSSOFlow(same state hash)")

	c.advance(time.Minute)
	got, err := takeFlow(cdb, hash)
	if err != nil {
		t.Fatalf("TakeSSOFlow = %v", err)
	}
	diff(t, "TakeSSOFlow", *got, fl)
	_, err = takeFlow(cdb, hash)
	wantKind(t, err, iep.KindNotFound, "TakeSSOFlow a second time")
	_, err = takeFlow(cdb, "unknown")
	wantKind(t, err, iep.KindNotFound, "TakeSSOFlow(unknown)")
	if n := countRows(t, cdb, "sso_flows", f.district.ID); n != 0 {
		t.Errorf("%d flows left after the take, want 0", n)
	}
	// A failed transaction gives the flow back: the take is part of the caller's transaction.
	fl2, hash2 := newFlow(f, p.ID, start.Add(10*time.Minute))
	mustWrite(t, cdb, func(tx *Tx) error { return tx.CreateSSOFlow(ctx, &fl2) })
	boom := errors.New("boom")
	err = cdb.Write(ctx, func(tx *Tx) error {
		if _, err := tx.TakeSSOFlow(ctx, hash2); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Write = %v, want boom", err)
	}
	if _, err := takeFlow(cdb, hash2); err != nil {
		t.Errorf("TakeSSOFlow after a rolled-back take = %v, want the flow", err)
	}
}

func testSSOFlowRace(t *testing.T, db *DB) {
	f := newFixture(t, db)
	p := addSSOProvider(t, db, f, "Google")
	for round := range 5 {
		fl, hash := newFlow(f, p.ID, time.Now().Add(10*365*24*time.Hour))
		mustWrite(t, db, func(tx *Tx) error { return tx.CreateSSOFlow(ctx, &fl) })
		var wins, misses atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 4 {
			wg.Go(func() {
				<-start
				got, err := takeFlow(db, hash)
				switch {
				case err == nil && got.Nonce == fl.Nonce:
					wins.Add(1)
				case errors.Is(err, iep.ErrNotFound):
					misses.Add(1)
				default:
					t.Errorf("round %d: TakeSSOFlow = %+v, %v", round, got, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if wins.Load() != 1 || misses.Load() != 3 {
			t.Fatalf("round %d: %d takes won, %d refused; want 1 and 3", round, wins.Load(), misses.Load())
		}
	}
}

func testSSOFlowExpiry(t *testing.T, db *DB) {
	start := time.Date(2030, 4, 2, 8, 0, 0, 0, time.UTC)
	c := newManualClock(start)
	cdb := reopenWithClock(t, db, c)
	f := newFixture(t, cdb)
	p := addSSOProvider(t, cdb, f, "Microsoft")
	short, shortHash := newFlow(f, p.ID, start.Add(10*time.Minute))
	long, longHash := newFlow(f, p.ID, start.Add(time.Hour))
	mustWrite(t, cdb, func(tx *Tx) error {
		if err := tx.CreateSSOFlow(ctx, &short); err != nil {
			return err
		}
		return tx.CreateSSOFlow(ctx, &long)
	})
	c.advance(10 * time.Minute) // the short one expires exactly now
	_, err := takeFlow(cdb, shortHash)
	wantKind(t, err, iep.KindNotFound, "TakeSSOFlow(expired)")
	if n := countRows(t, cdb, "sso_flows", f.district.ID); n != 2 {
		t.Errorf("%d flows after taking an expired one, want 2 (it stays until cleaned up)", n)
	}
	var n int64
	mustWrite(t, cdb, func(tx *Tx) (err error) { n, err = tx.DeleteExpiredSSOFlows(ctx, c.now()); return err })
	if n != 1 || countRows(t, cdb, "sso_flows", f.district.ID) != 1 {
		t.Errorf("DeleteExpiredSSOFlows = %d (left %d), want 1 (left 1)", n, countRows(t, cdb, "sso_flows", f.district.ID))
	}
	c.advance(49 * time.Minute)
	if _, err := takeFlow(cdb, longHash); err != nil {
		t.Errorf("TakeSSOFlow a minute before its expiry = %v", err)
	}
}

func testIdentityLink(t *testing.T, db *DB) {
	f := newFixture(t, db)
	a := addAccount(t, db, f, f.teacher.ID, uniqueEmail("Sso"))
	b := addAccount(t, db, f, f.provider.ID, uniqueEmail("Other"))
	google := addSSOProvider(t, db, f, "Google")
	clever := addSSOProvider(t, db, f, "Clever")
	link := func(providerID, subject, accountID string) error {
		return db.Write(ctx, func(tx *Tx) error { return tx.LinkIdentity(ctx, f.district.ID, providerID, subject, accountID) })
	}
	if err := link(google.ID, "g-123", a.ID); err != nil {
		t.Fatal(err)
	}
	if err := link(clever.ID, "g-123", b.ID); err != nil { // the same subject at another provider is someone else
		t.Fatal(err)
	}
	for _, c := range []struct{ provider, subject, want string }{
		{google.ID, "g-123", a.ID}, {clever.ID, "g-123", b.ID},
	} {
		got, err := db.AccountIDByIdentity(ctx, f.district.ID, c.provider, c.subject)
		if err != nil || got != c.want {
			t.Errorf("AccountIDByIdentity(%s, %s) = %q, %v; want %q", c.provider, c.subject, got, err, c.want)
		}
	}
	for _, c := range []struct{ district, provider, subject string }{
		{f.district.ID, google.ID, "G-123"}, {f.district.ID, google.ID, "nobody"}, {"other", google.ID, "g-123"},
	} {
		_, err := db.AccountIDByIdentity(ctx, c.district, c.provider, c.subject)
		wantKind(t, err, iep.KindNotFound, "AccountIDByIdentity("+c.subject+")")
	}
	// One account per subject, one subject per account and provider.
	err := link(google.ID, "g-123", b.ID)
	wantKind(t, err, iep.KindConflict, "LinkIdentity(subject linked already)")
	err = link(google.ID, "g-456", a.ID)
	wantKind(t, err, iep.KindConflict, "LinkIdentity(account linked already at this provider)")
	if fs := problemFields(err); !slices.Contains(fs, "account_id,provider_id") {
		t.Errorf("conflict problems = %v, want account_id,provider_id", fs)
	}
	if err := link(clever.ID, "c-789", a.ID); err != nil {
		t.Errorf("LinkIdentity(same account, another provider) = %v", err)
	}
	if n := countRows(t, db, "account_identities", f.district.ID); n != 3 {
		t.Errorf("%d identities, want 3", n)
	}
	// A provider of another district cannot be linked to this district's account.
	g := newFixture(t, db)
	foreign := addSSOProvider(t, db, g, "Google")
	err = link(foreign.ID, "g-999", a.ID)
	wantKind(t, err, iep.KindInvalid, "LinkIdentity(provider of another district)")
}

// testPendingSSOFlowsFrom: the pending sign-ons of an address are counted from a time on; a
// finished (taken) one no longer counts, nor does another address's.
func testPendingSSOFlowsFrom(t *testing.T, db *DB) {
	start := time.Date(2030, 4, 1, 8, 0, 0, 0, time.UTC)
	c := newManualClock(start)
	cdb := reopenWithClock(t, db, c)
	f := newFixture(t, cdb)
	p := addSSOProvider(t, cdb, f, "Google")
	addr := "198.51.100." + randomHex(1)
	var hashes []string
	for i := range 3 {
		fl, hash := newFlow(f, p.ID, start.Add(time.Hour))
		fl.Address = addr
		if i == 2 {
			fl.Address = "203.0.113.9"
		}
		mustWrite(t, cdb, func(tx *Tx) error { return tx.CreateSSOFlow(ctx, &fl) })
		hashes = append(hashes, hash)
		c.advance(time.Minute)
	}
	for _, tt := range []struct {
		since time.Time
		want  int
	}{{start, 2}, {start.Add(30 * time.Second), 1}, {start.Add(time.Hour), 0}} {
		if n, err := cdb.PendingSSOFlowsFrom(ctx, addr, tt.since); err != nil || n != tt.want {
			t.Errorf("pending since %v = %d, %v; want %d", tt.since, n, err, tt.want)
		}
	}
	if _, err := takeFlow(cdb, hashes[0]); err != nil {
		t.Fatal(err)
	}
	if n, _ := cdb.PendingSSOFlowsFrom(ctx, addr, start); n != 1 {
		t.Errorf("after one finished: %d pending, want 1", n)
	}
}
