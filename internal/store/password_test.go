package store

import (
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/iep"
)

// The contract tests of invitations and resets (password.go) join the suite of store_test.go.
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"GetAccountToken", testGetAccountToken},
		{"DropAccountTokens", testDropAccountTokens},
		{"DeleteOtherSessions", testDeleteOtherSessions},
		{"ResetRequests", testResetRequests},
	}...)
}

func testGetAccountToken(t *testing.T, db *DB) {
	start := time.Date(2030, 4, 1, 8, 0, 0, 0, time.UTC)
	c := newManualClock(start)
	cdb := reopenWithClock(t, db, c)
	f := newFixture(t, cdb)
	a := addAccount(t, cdb, f, f.teacher.ID, uniqueEmail("Get"))
	link := newLink(f, a.ID, TokenInvite, start.Add(time.Hour))
	mustWrite(t, cdb, func(tx *Tx) error { return tx.CreateAccountToken(ctx, &link, cli) })
	got, err := cdb.GetAccountToken(ctx, link.TokenHash)
	if err != nil {
		t.Fatal(err)
	}
	diff(t, "GetAccountToken", *got, link)
	// Reading spends nothing; a used link reads with its instant, an expired one too.
	c.advance(time.Minute)
	if _, err := useLink(cdb, link.TokenHash, TokenInvite); err != nil {
		t.Fatalf("use after a read: %v", err)
	}
	got, err = cdb.GetAccountToken(ctx, link.TokenHash)
	if err != nil || !got.UsedAt.Equal(start.Add(time.Minute)) {
		t.Errorf("GetAccountToken(used) = %+v, %v; want UsedAt %v", got, err, start.Add(time.Minute))
	}
	c.advance(2 * time.Hour)
	if got, err = cdb.GetAccountToken(ctx, link.TokenHash); err != nil || !got.ExpiresAt.Before(c.now()) {
		t.Errorf("GetAccountToken(expired) = %+v, %v", got, err)
	}
	_, err = cdb.GetAccountToken(ctx, "no such hash")
	wantKind(t, err, iep.KindNotFound, "GetAccountToken(unknown)")
}

func testDropAccountTokens(t *testing.T, db *DB) {
	f := newFixture(t, db)
	a := addAccount(t, db, f, f.teacher.ID, uniqueEmail("Drop"))
	b := addAccount(t, db, f, f.provider.ID, uniqueEmail("Keep"))
	later := time.Now().Add(24 * time.Hour)
	inv1, inv2 := newLink(f, a.ID, TokenInvite, later), newLink(f, a.ID, TokenInvite, later)
	used := newLink(f, a.ID, TokenInvite, later)
	reset := newLink(f, a.ID, TokenReset, later)
	other := newLink(f, b.ID, TokenInvite, later)
	mustWrite(t, db, func(tx *Tx) error {
		for _, l := range []*AccountToken{&inv1, &inv2, &used, &reset, &other} {
			if err := tx.CreateAccountToken(ctx, l, cli); err != nil {
				return err
			}
		}
		return nil
	})
	if _, err := useLink(db, used.TokenHash, TokenInvite); err != nil {
		t.Fatal(err)
	}
	var n int64
	mustWrite(t, db, func(tx *Tx) (err error) {
		n, err = tx.DropAccountTokens(ctx, f.district.ID, a.ID, TokenInvite)
		return err
	})
	if n != 2 {
		t.Errorf("DropAccountTokens(invite) = %d, want 2 (the unused invitations)", n)
	}
	for _, l := range []AccountToken{inv1, inv2} {
		if _, err := db.GetAccountToken(ctx, l.TokenHash); iep.KindOf(err) != iep.KindNotFound {
			t.Errorf("a dropped invitation still reads: %v", err)
		}
	}
	for what, l := range map[string]AccountToken{"used invitation": used, "reset link": reset, "another account's": other} {
		if _, err := db.GetAccountToken(ctx, l.TokenHash); err != nil {
			t.Errorf("the %s was dropped too: %v", what, err)
		}
	}
	mustWrite(t, db, func(tx *Tx) (err error) {
		n, err = tx.DropAccountTokens(ctx, f.district.ID, a.ID)
		return err
	})
	if n != 1 {
		t.Errorf("DropAccountTokens(every purpose) = %d, want 1 (the reset link)", n)
	}
	if _, err := useLink(db, reset.TokenHash, TokenReset); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("a dropped reset link still works: %v", err)
	}
	if _, err := useLink(db, other.TokenHash, TokenInvite); err != nil {
		t.Errorf("another account's link stopped working: %v", err)
	}
}

func testDeleteOtherSessions(t *testing.T, db *DB) {
	f := newFixture(t, db)
	a := addAccount(t, db, f, f.teacher.ID, uniqueEmail("Others"))
	b := addAccount(t, db, f, f.provider.ID, uniqueEmail("Bystander"))
	now := time.Now()
	keep, keepHash := newSession(f, a.ID, now)
	gone, goneHash := newSession(f, a.ID, now)
	theirs, theirsHash := newSession(f, b.ID, now)
	mustWrite(t, db, func(tx *Tx) error {
		for _, s := range []*Session{&keep, &gone, &theirs} {
			if err := tx.CreateSession(ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	before := countRows(t, db, "audit_entries", f.district.ID)
	mustWrite(t, db, func(tx *Tx) error {
		return tx.DeleteOtherSessions(ctx, f.district.ID, a.ID, keepHash, AuditActor{Kind: "staff", ID: f.teacher.ID})
	})
	if _, err := db.GetSession(ctx, keepHash); err != nil {
		t.Errorf("the session kept is gone: %v", err)
	}
	if _, err := db.GetSession(ctx, goneHash); iep.KindOf(err) != iep.KindNotFound {
		t.Errorf("the other session lives on: %v", err)
	}
	if _, err := db.GetSession(ctx, theirsHash); err != nil {
		t.Errorf("another account's session was ended: %v", err)
	}
	if after := countRows(t, db, "audit_entries", f.district.ID); after != before+1 {
		t.Errorf("audit entries: %d after, %d before; want one more", after, before)
	}
	entries, err := db.ListAudit(ctx, f.district.ID, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Action == "sign_out_others" && e.RecordID == a.ID && e.ActorID == f.teacher.ID {
			found = true
		}
	}
	if !found {
		t.Error("no sign_out_others audit entry for the account")
	}
	err = db.Write(ctx, func(tx *Tx) error { return tx.DeleteOtherSessions(ctx, f.district.ID, "nobody", keepHash, cli) })
	wantKind(t, err, iep.KindNotFound, "DeleteOtherSessions(unknown account)")
}

func testResetRequests(t *testing.T, db *DB) {
	start := time.Date(2030, 5, 1, 8, 0, 0, 0, time.UTC)
	c := newManualClock(start)
	cdb := reopenWithClock(t, db, c)
	email, addr, other := uniqueEmail("Reset"), "198.51.100."+randomHex(2), "203.0.113."+randomHex(2)
	record := func(email, address string) {
		mustWrite(t, cdb, func(tx *Tx) error { return tx.RecordResetRequest(ctx, email, address) })
		c.advance(time.Minute)
	}
	record(email, addr)                       // 08:00
	record(" "+strings.ToUpper(email), other) // 08:01: the same e-mail, however typed
	record("someone-else@nowhere.org", addr)  // 08:02
	check := func(since time.Time, wantEmail, wantAddr int, wantFirst time.Time) {
		t.Helper()
		var e, a int
		var first time.Time
		mustWrite(t, cdb, func(tx *Tx) (err error) {
			e, a, first, err = tx.RecentResetRequests(ctx, email, addr, since)
			return err
		})
		if e != wantEmail || a != wantAddr || !first.Equal(wantFirst) {
			t.Errorf("RecentResetRequests(since +%v) = %d, %d, +%v; want %d, %d, +%v",
				since.Sub(start), e, a, first.Sub(start), wantEmail, wantAddr, wantFirst.Sub(start))
		}
	}
	check(start, 2, 2, start)
	check(start.Add(time.Minute), 1, 1, start.Add(2*time.Minute))
	check(start.Add(3*time.Minute), 0, 0, time.Time{})
	// The e-mail is kept only as its hash.
	var stored int
	if err := cdb.Writer().QueryRowContext(ctx, `SELECT COUNT(*) FROM reset_requests WHERE email_hash = $1 OR email_hash = $2`,
		email, NormalizeEmail(email)).Scan(&stored); err != nil || stored != 0 {
		t.Errorf("reset_requests holds the e-mail in clear (%d rows, %v)", stored, err)
	}
	var n int64
	mustWrite(t, cdb, func(tx *Tx) (err error) {
		n, err = tx.DeleteOldResetRequests(ctx, start.Add(90*time.Second))
		return err
	})
	if n < 2 {
		t.Errorf("DeleteOldResetRequests = %d, want at least 2", n)
	}
	check(start, 0, 1, start.Add(2*time.Minute))
}
