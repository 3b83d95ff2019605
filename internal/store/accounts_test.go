package store

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/openiep/openiep/internal/iep"
)

// The account and session contract tests join the suite of store_test.go (both engines).
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"AccountRoundTrip", testAccountRoundTrip},
		{"AccountEmailUnique", testAccountEmailUnique},
		{"AccountAudit", testAccountAudit},
		{"SessionExpiry", testSessionExpiry},
		{"SignOutEverywhere", testSignOutEverywhere},
		{"AccountTokenSingleUse", testAccountTokenSingleUse},
		{"AccountTokenRace", testAccountTokenRace},
		{"SignInFailures", testSignInFailures},
		{"AccountLanguage", testAccountLanguage},
	}...)
}

var cli = AuditActor{Kind: "system", ID: "cli"}

// manualClock is a clock the test moves by hand.
type manualClock struct{ ns atomic.Int64 }

func newManualClock(t time.Time) *manualClock {
	c := &manualClock{}
	c.ns.Store(t.UnixNano())
	return c
}
func (c *manualClock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *manualClock) advance(d time.Duration) { c.ns.Add(int64(d)) }
func (c *manualClock) set(t time.Time)         { c.ns.Store(t.UnixNano()) }

// reopenWithClock opens the test's database again with a clock of its own.
func reopenWithClock(t *testing.T, db *DB, c *manualClock) *DB {
	t.Helper()
	dsn, _ := dsns.Load(db)
	again, err := Open(ctx, dsn.(string), Options{Now: c.now})
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	t.Cleanup(func() { again.Close() })
	return again
}

// addAccount stores an account for the fixture's teacher (or the given staff member).
func addAccount(t *testing.T, db *DB, f *fixture, staffID, email string) Account {
	t.Helper()
	a := Account{DistrictID: f.district.ID, Kind: AccountStaff, SubjectID: staffID, Email: email,
		PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"}
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateAccount(ctx, &a, cli) })
	return a
}

func uniqueEmail(name string) string { return name + "-" + randomHex(4) + "@Riverside.org" }

func testAccountRoundTrip(t *testing.T, db *DB) {
	f := newFixture(t, db)
	email := uniqueEmail("Ana")
	a := addAccount(t, db, f, f.teacher.ID, email)
	if a.Email != NormalizeEmail(email) || a.ID == "" || a.CreatedAt.IsZero() {
		t.Fatalf("CreateAccount set %+v", a)
	}
	got, err := db.GetAccount(ctx, f.district.ID, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "GetAccount", *got, a)
	byMail, err := db.GetAccountByEmail(ctx, "  "+email+" ")
	if err != nil || byMail.ID != a.ID {
		t.Fatalf("GetAccountByEmail(mixed case) = %v, %v", byMail, err)
	}
	mustWrite(t, db, func(tx *Tx) error {
		for _, err := range []error{
			tx.SetPassword(ctx, f.district.ID, a.ID, "$argon2id$new", true, cli),
			tx.SetTOTP(ctx, f.district.ID, a.ID, "JBSWY3DPEHPK3PXP", cli),
			tx.RecordSignIn(ctx, f.district.ID, a.ID, "192.0.2.1"),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	got, _ = db.GetAccount(ctx, f.district.ID, a.ID)
	if got.PasswordHash != "$argon2id$new" || !got.MustChangePassword || got.TOTPSecret != "JBSWY3DPEHPK3PXP" || got.LastSignInAt.IsZero() {
		t.Errorf("after updates: %+v", got)
	}
	mustWrite(t, db, func(tx *Tx) error {
		for _, step := range []struct {
			n    int64
			want bool
		}{{100, true}, {100, false}, {99, false}, {101, true}} {
			ok, err := tx.UseTOTPStep(ctx, f.district.ID, a.ID, step.n)
			if err != nil || ok != step.want {
				t.Errorf("UseTOTPStep(%d) = %v, %v; want %v", step.n, ok, err, step.want)
			}
		}
		_, err := tx.UseTOTPStep(ctx, f.district.ID, "nobody", 1)
		wantKind(t, err, iep.KindNotFound, "UseTOTPStep(unknown account)")
		return nil
	})
	list, err := db.ListAccounts(ctx, f.district.ID)
	if err != nil || len(list) != 1 || list[0].ID != a.ID {
		t.Errorf("ListAccounts = %v, %v", list, err)
	}
	_, err = db.GetAccount(ctx, "other-district", a.ID)
	wantKind(t, err, iep.KindNotFound, "GetAccount(other district)")
	_, err = db.GetAccountByEmail(ctx, "nobody@nowhere.org")
	wantKind(t, err, iep.KindNotFound, "GetAccountByEmail(unknown)")

	// A subject that does not exist in the district, an unknown kind, a bad e-mail.
	for _, bad := range []Account{
		{DistrictID: f.district.ID, Kind: AccountGuardian, SubjectID: f.teacher.ID, Email: uniqueEmail("g")},
		{DistrictID: f.district.ID, Kind: "robot", SubjectID: f.teacher.ID, Email: uniqueEmail("r")},
		{DistrictID: f.district.ID, Kind: AccountStaff, SubjectID: f.provider.ID, Email: "not an e-mail"},
	} {
		err := db.Write(ctx, func(tx *Tx) error { return tx.CreateAccount(ctx, &bad, cli) })
		wantKind(t, err, iep.KindInvalid, "CreateAccount("+string(bad.Kind)+")")
	}
	err = db.Write(ctx, func(tx *Tx) error { return tx.SetPassword(ctx, f.district.ID, "nobody", "$x", false, cli) })
	wantKind(t, err, iep.KindNotFound, "SetPassword(unknown account)")
}

func testAccountEmailUnique(t *testing.T, db *DB) {
	f := newFixture(t, db)
	g := newFixture(t, db) // another district: e-mail is unique across the deployment
	email := uniqueEmail("Dup")
	addAccount(t, db, f, f.teacher.ID, email)
	a := Account{DistrictID: g.district.ID, Kind: AccountStaff, SubjectID: g.teacher.ID, Email: " " + NormalizeEmail(email)}
	err := db.Write(ctx, func(tx *Tx) error { return tx.CreateAccount(ctx, &a, cli) })
	wantKind(t, err, iep.KindConflict, "CreateAccount(same e-mail, other case, other district)")
	if fs := problemFields(err); !slices.Contains(fs, "email") {
		t.Errorf("conflict problems = %v, want email", fs)
	}
	// One account per person.
	b := Account{DistrictID: f.district.ID, Kind: AccountStaff, SubjectID: f.teacher.ID, Email: uniqueEmail("Second")}
	err = db.Write(ctx, func(tx *Tx) error { return tx.CreateAccount(ctx, &b, cli) })
	wantKind(t, err, iep.KindConflict, "CreateAccount(second account of one staff member)")
}

func testAccountAudit(t *testing.T, db *DB) {
	f := newFixture(t, db)
	a := addAccount(t, db, f, f.teacher.ID, uniqueEmail("Audit"))
	admin := AuditActor{Kind: "staff", ID: f.provider.ID, Address: "192.0.2.9"}
	mustWrite(t, db, func(tx *Tx) error {
		for _, err := range []error{
			tx.SetPassword(ctx, f.district.ID, a.ID, "$argon2id$secret-hash", false, admin),
			tx.SetTOTP(ctx, f.district.ID, a.ID, "SECRETSECRET", admin),
			tx.SetTOTP(ctx, f.district.ID, a.ID, "", admin),
			tx.DisableAccount(ctx, f.district.ID, a.ID, admin),
			tx.EnableAccount(ctx, f.district.ID, a.ID, admin),
			tx.DeleteAccountSessions(ctx, f.district.ID, a.ID, admin),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	})
	es, err := db.ListAudit(ctx, f.district.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for i := len(es) - 1; i >= 0; i-- {
		e := es[i]
		if e.RecordKind != "account" || e.RecordID != a.ID {
			continue
		}
		actions = append(actions, e.Action)
		for _, v := range []string{e.Reason, e.ActorID, e.FromAddress, e.StudentID} {
			if v == a.Email || v == "SECRETSECRET" || v == "$argon2id$secret-hash" {
				t.Errorf("audit entry %d holds a secret or the e-mail: %+v", e.Seq, e)
			}
		}
	}
	diff(t, "account audit actions", actions, []string{"create", "set_password", "set_totp", "remove_totp",
		"disable", "enable", "sign_out_everywhere"})
	// A failed change writes no audit entry (the transaction is rolled back).
	before := countRows(t, db, "audit_entries", f.district.ID)
	_ = db.Write(ctx, func(tx *Tx) error { return tx.DisableAccount(ctx, f.district.ID, "nobody", admin) })
	if after := countRows(t, db, "audit_entries", f.district.ID); after != before {
		t.Errorf("audit entries after a failed change: %d, want %d", after, before)
	}
}

func newSession(f *fixture, accountID string, now time.Time) (Session, string) {
	hash := randomHex(32)
	return Session{TokenHash: hash, DistrictID: f.district.ID, AccountID: accountID,
		IdleTimeout: 30 * time.Minute, AbsoluteExpiresAt: now.Add(12 * time.Hour), Address: "192.0.2.1",
		UserAgent: "Mozilla/5.0" + strings.Repeat("é", 500)}, hash
}

func testSessionExpiry(t *testing.T, db *DB) {
	start := time.Date(2030, 1, 7, 8, 0, 0, 0, time.UTC)
	c := newManualClock(start)
	cdb := reopenWithClock(t, db, c)
	f := newFixture(t, cdb)
	a := addAccount(t, cdb, f, f.teacher.ID, uniqueEmail("Sess"))
	s, hash := newSession(f, a.ID, start)
	mustWrite(t, cdb, func(tx *Tx) error { return tx.CreateSession(ctx, &s) })
	if len(s.UserAgent) != MaxUserAgent-1 || !utf8.ValidString(s.UserAgent) {
		t.Errorf("stored user agent of %d bytes, want %d, cut between characters", len(s.UserAgent), MaxUserAgent-1)
	}
	get := func() error { _, err := cdb.GetSession(ctx, hash); return err }
	// Seen every 25 minutes, the session lives until its absolute expiry.
	for range 30 {
		c.advance(25 * time.Minute)
		got, err := cdb.GetSession(ctx, hash)
		if err != nil {
			if c.now().Before(start.Add(12 * time.Hour)) {
				t.Fatalf("GetSession at %v = %v, want it alive", c.now().Sub(start), err)
			}
			break
		}
		mustWrite(t, cdb, func(tx *Tx) error { return tx.TouchSession(ctx, got) })
	}
	wantKind(t, get(), iep.KindNotFound, "GetSession after the absolute expiry")

	// Idle for longer than its timeout, a session is gone.
	c.set(start)
	s2, hash2 := newSession(f, a.ID, start)
	mustWrite(t, cdb, func(tx *Tx) error { return tx.CreateSession(ctx, &s2) })
	c.advance(29 * time.Minute)
	if _, err := cdb.GetSession(ctx, hash2); err != nil {
		t.Fatalf("GetSession after 29 idle minutes = %v", err)
	}
	c.advance(time.Minute)
	_, err := cdb.GetSession(ctx, hash2)
	wantKind(t, err, iep.KindNotFound, "GetSession after 30 idle minutes")

	// Cleanup: the idle one goes, the first (touched until its absolute expiry, 12 h) stays.
	var n int64
	mustWrite(t, cdb, func(tx *Tx) (err error) { n, err = tx.DeleteExpiredSessions(ctx, start.Add(time.Hour)); return err })
	if n != 1 || countRows(t, cdb, "sessions", f.district.ID) != 1 {
		t.Errorf("DeleteExpiredSessions = %d (left %d), want 1 (left 1)", n, countRows(t, cdb, "sessions", f.district.ID))
	}
	c.set(start)
	s3, hash3 := newSession(f, a.ID, start)
	mustWrite(t, cdb, func(tx *Tx) error { return tx.CreateSession(ctx, &s3) })
	mustWrite(t, cdb, func(tx *Tx) error { return tx.PassSessionMFA(ctx, hash3) })
	if got, err := cdb.GetSession(ctx, hash3); err != nil || !got.MFAPassed || got.AccountID != a.ID {
		t.Errorf("GetSession after PassSessionMFA = %+v, %v", got, err)
	}
	mustWrite(t, cdb, func(tx *Tx) error { return tx.DeleteSession(ctx, hash3) })
	_, err = cdb.GetSession(ctx, hash3)
	wantKind(t, err, iep.KindNotFound, "GetSession after sign-out")
	bad := Session{TokenHash: "x", DistrictID: f.district.ID, AccountID: a.ID, IdleTimeout: time.Minute, AbsoluteExpiresAt: start}
	err = cdb.Write(ctx, func(tx *Tx) error { return tx.CreateSession(ctx, &bad) })
	wantKind(t, err, iep.KindInvalid, "CreateSession(already expired)")
}

func testSignOutEverywhere(t *testing.T, db *DB) {
	f := newFixture(t, db)
	a := addAccount(t, db, f, f.teacher.ID, uniqueEmail("Everywhere"))
	b := addAccount(t, db, f, f.provider.ID, uniqueEmail("Other"))
	now := time.Now()
	var mine []string
	for range 3 {
		s, h := newSession(f, a.ID, now.Add(24*time.Hour))
		s.AbsoluteExpiresAt = now.Add(24 * 365 * time.Hour)
		mustWrite(t, db, func(tx *Tx) error { return tx.CreateSession(ctx, &s) })
		mine = append(mine, h)
	}
	other, oh := newSession(f, b.ID, now)
	other.AbsoluteExpiresAt = now.Add(24 * 365 * time.Hour)
	mustWrite(t, db, func(tx *Tx) error { return tx.CreateSession(ctx, &other) })
	mustWrite(t, db, func(tx *Tx) error { return tx.DeleteAccountSessions(ctx, f.district.ID, a.ID, cli) })
	for _, h := range mine {
		_, err := db.GetSession(ctx, h)
		wantKind(t, err, iep.KindNotFound, "GetSession after sign-out everywhere")
	}
	if _, err := db.GetSession(ctx, oh); err != nil {
		t.Errorf("another account's session after sign-out everywhere: %v", err)
	}
	// Disabling an account ends its sessions; enabling it does not bring them back.
	mustWrite(t, db, func(tx *Tx) error { return tx.DisableAccount(ctx, f.district.ID, b.ID, cli) })
	_, err := db.GetSession(ctx, oh)
	wantKind(t, err, iep.KindNotFound, "GetSession of a disabled account")
	if n := countRows(t, db, "sessions", f.district.ID); n != 0 {
		t.Errorf("sessions left after disable: %d", n)
	}
	got, _ := db.GetAccount(ctx, f.district.ID, b.ID)
	if !got.Disabled() {
		t.Error("account not disabled")
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.EnableAccount(ctx, f.district.ID, b.ID, cli) })
	if got, _ := db.GetAccount(ctx, f.district.ID, b.ID); got.Disabled() {
		t.Error("account still disabled after EnableAccount")
	}
}

func newLink(f *fixture, accountID string, purpose TokenPurpose, expires time.Time) AccountToken {
	return AccountToken{TokenHash: randomHex(32), DistrictID: f.district.ID, AccountID: accountID, Purpose: purpose, ExpiresAt: expires}
}

func useLink(db *DB, hash string, p TokenPurpose) (*AccountToken, error) {
	var t *AccountToken
	err := db.Write(ctx, func(tx *Tx) (err error) { t, err = tx.UseAccountToken(ctx, hash, p); return err })
	return t, err
}

func testAccountTokenSingleUse(t *testing.T, db *DB) {
	start := time.Date(2030, 2, 1, 8, 0, 0, 0, time.UTC)
	c := newManualClock(start)
	cdb := reopenWithClock(t, db, c)
	f := newFixture(t, cdb)
	a := addAccount(t, cdb, f, f.teacher.ID, uniqueEmail("Link"))
	inv := newLink(f, a.ID, TokenInvite, start.Add(72*time.Hour))
	reset := newLink(f, a.ID, TokenReset, start.Add(time.Hour))
	mustWrite(t, cdb, func(tx *Tx) error {
		if err := tx.CreateAccountToken(ctx, &inv, cli); err != nil {
			return err
		}
		return tx.CreateAccountToken(ctx, &reset, cli)
	})
	_, err := useLink(cdb, inv.TokenHash, TokenReset)
	wantKind(t, err, iep.KindNotFound, "UseAccountToken(wrong purpose)")
	got, err := useLink(cdb, inv.TokenHash, TokenInvite)
	if err != nil || got.AccountID != a.ID || got.DistrictID != f.district.ID || !got.UsedAt.Equal(start) {
		t.Fatalf("UseAccountToken = %+v, %v", got, err)
	}
	_, err = useLink(cdb, inv.TokenHash, TokenInvite)
	wantKind(t, err, iep.KindNotFound, "UseAccountToken a second time")
	c.advance(time.Hour)
	_, err = useLink(cdb, reset.TokenHash, TokenReset)
	wantKind(t, err, iep.KindNotFound, "UseAccountToken(expired)")
	_, err = useLink(cdb, "nope", TokenReset)
	wantKind(t, err, iep.KindNotFound, "UseAccountToken(unknown)")
	// Disabling drops the unused links.
	late := newLink(f, a.ID, TokenReset, c.now().Add(time.Hour))
	mustWrite(t, cdb, func(tx *Tx) error { return tx.CreateAccountToken(ctx, &late, cli) })
	mustWrite(t, cdb, func(tx *Tx) error { return tx.DisableAccount(ctx, f.district.ID, a.ID, cli) })
	_, err = useLink(cdb, late.TokenHash, TokenReset)
	wantKind(t, err, iep.KindNotFound, "UseAccountToken of a disabled account")
	bad := newLink(f, a.ID, TokenReset, c.now())
	err = cdb.Write(ctx, func(tx *Tx) error { return tx.CreateAccountToken(ctx, &bad, cli) })
	wantKind(t, err, iep.KindInvalid, "CreateAccountToken(expiring now)")
}

func testAccountTokenRace(t *testing.T, db *DB) {
	f := newFixture(t, db)
	a := addAccount(t, db, f, f.teacher.ID, uniqueEmail("Race"))
	for round := range 5 {
		link := newLink(f, a.ID, TokenInvite, time.Now().Add(time.Hour*24*365*10))
		mustWrite(t, db, func(tx *Tx) error { return tx.CreateAccountToken(ctx, &link, cli) })
		var wins, misses atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 4 {
			wg.Go(func() {
				<-start
				_, err := useLink(db, link.TokenHash, TokenInvite)
				switch {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, iep.ErrNotFound):
					misses.Add(1)
				default:
					t.Errorf("round %d: UseAccountToken = %v", round, err)
				}
			})
		}
		close(start)
		wg.Wait()
		if wins.Load() != 1 || misses.Load() != 3 {
			t.Fatalf("round %d: %d uses won, %d refused; want 1 and 3", round, wins.Load(), misses.Load())
		}
	}
}

func testSignInFailures(t *testing.T, db *DB) {
	start := time.Date(2030, 3, 1, 8, 0, 0, 0, time.UTC)
	c := newManualClock(start)
	cdb := reopenWithClock(t, db, c)
	email, addr, other := uniqueEmail("Fail"), "198.51.100."+randomHex(2), "203.0.113."+randomHex(2)
	record := func(email, address string) {
		mustWrite(t, cdb, func(tx *Tx) error { return tx.RecordSignInFailure(ctx, email, address) })
		c.advance(time.Minute)
	}
	record(email, addr)     // 08:00
	record(email, other)    // 08:01
	record("x@y.org", addr) // 08:02
	check := func(since time.Time, wantAcc, wantAddr int, wantLast time.Time) {
		t.Helper()
		acc, ad, last, err := cdb.RecentSignInFailures(ctx, NormalizeEmail(email), addr, since)
		if err != nil || acc != wantAcc || ad != wantAddr || !last.Equal(wantLast) {
			t.Errorf("RecentSignInFailures(since %v) = %d, %d, %v, %v; want %d, %d, %v",
				since.Sub(start), acc, ad, last.Sub(start), err, wantAcc, wantAddr, wantLast.Sub(start))
		}
	}
	check(start, 2, 2, start.Add(2*time.Minute))
	check(start.Add(time.Minute), 1, 1, start.Add(2*time.Minute))
	check(start.Add(3*time.Minute), 0, 0, time.Time{})
	mustWrite(t, cdb, func(tx *Tx) error { return tx.ClearSignInFailures(ctx, email) })
	check(start, 0, 2, start.Add(2*time.Minute)) // the address still counts
	var n int64
	mustWrite(t, cdb, func(tx *Tx) (err error) {
		n, err = tx.DeleteOldSignInFailures(ctx, start.Add(90*time.Second))
		return err
	})
	if n < 2 {
		t.Errorf("DeleteOldSignInFailures = %d, want at least 2", n)
	}
	check(start, 0, 1, start.Add(2*time.Minute))
}

// testAccountLanguage: the language a person chose is kept on the account, audited, and a tag
// too long for a language is refused with nothing written.
func testAccountLanguage(t *testing.T, db *DB) {
	f := newFixture(t, db)
	a := addAccount(t, db, f, f.teacher.ID, uniqueEmail("Lang"))
	if a.Language != "" {
		t.Fatalf("a new account's language = %q, want none", a.Language)
	}
	mustWrite(t, db, func(tx *Tx) error { return tx.SetAccountLanguage(ctx, f.district.ID, a.ID, "es", cli) })
	got, _ := db.GetAccount(ctx, f.district.ID, a.ID)
	if got.Language != "es" {
		t.Fatalf("language after SetAccountLanguage = %q, want es", got.Language)
	}
	err := db.Write(ctx, func(tx *Tx) error {
		return tx.SetAccountLanguage(ctx, f.district.ID, a.ID, strings.Repeat("x", 36), cli)
	})
	if iep.KindOf(err) != iep.KindInvalid {
		t.Fatalf("a 36-character tag: %v, want invalid", err)
	}
	if got, _ := db.GetAccount(ctx, f.district.ID, a.ID); got.Language != "es" {
		t.Errorf("a refused change wrote %q", got.Language)
	}
	if err := db.Write(ctx, func(tx *Tx) error { return tx.SetAccountLanguage(ctx, f.district.ID, "no-such", "en", cli) }); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("unknown account: %v, want not found", err)
	}
	entries, err := db.ListAudit(ctx, f.district.ID, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		found = found || e.Action == "set_language" && e.RecordID == a.ID
	}
	if !found {
		t.Error("the change of language is not in the audit trail")
	}
}
