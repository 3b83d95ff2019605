package store

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/openiep/openiep/internal/iep"
)

// The outbox contract tests join the suite of store_test.go (both engines).
func init() {
	contract = append(contract, []struct {
		name string
		fn   func(*testing.T, *DB)
	}{
		{"OutboxRoundTrip", testOutboxRoundTrip},
		{"OutboxValidationWritesNothing", testOutboxValidationWritesNothing},
		{"MailClaimLease", testMailClaimLease},
		{"MailClaimRace", testMailClaimRace},
		{"MailSentBlanksBody", testMailSentBlanksBody},
		{"MailFailureBackoff", testMailFailureBackoff},
	}...)
}

func newMail(f *fixture, kind string) OutboxMail {
	return OutboxMail{DistrictID: f.district.ID, Kind: kind, To: "parent-" + randomHex(3) + "@example.org",
		Subject: "Votre invitation — OpenIEP", BodyText: "Open https://iep.example.org/invite/" + randomHex(16) + "\n"}
}

func enqueue(t *testing.T, db *DB, ms ...*OutboxMail) {
	t.Helper()
	mustWrite(t, db, func(tx *Tx) error {
		for _, m := range ms {
			if err := tx.EnqueueMail(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
}

// mine keeps the mails of one district: ClaimMail serves every district, and other tests of the
// suite leave mail of their own districts.
func mine(ms []OutboxMail, districtID string) []OutboxMail {
	var out []OutboxMail
	for _, m := range ms {
		if m.DistrictID == districtID {
			out = append(out, m)
		}
	}
	return out
}

func ids(ms []OutboxMail) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// claimMine claims every due mail (a large batch) and returns the district's.
func claimMine(t *testing.T, db *DB, districtID string, lease time.Duration) []OutboxMail {
	t.Helper()
	ms, err := db.ClaimMail(ctx, 1000, lease)
	if err != nil {
		t.Fatalf("ClaimMail: %v", err)
	}
	return mine(ms, districtID)
}

// mailRow reads a mail's body and outcome through raw SQL, beside the store's methods.
func mailRow(t *testing.T, db *DB, districtID, id string) (body string, sent, failed bool) {
	t.Helper()
	err := db.Writer().QueryRowContext(ctx, `SELECT body_text, sent_at IS NOT NULL, failed_at IS NOT NULL
		FROM mail_outbox WHERE district_id = $1 AND id = $2`, districtID, id).Scan(&body, &sent, &failed)
	if err != nil {
		t.Fatalf("read mail %s: %v", id, err)
	}
	return body, sent, failed
}

func testOutboxRoundTrip(t *testing.T, db *DB) {
	f := newFixture(t, db)
	a, b := newMail(f, "invite"), newMail(f, "reset")
	later := time.Date(2031, 5, 6, 7, 8, 9, 123456789, time.UTC)
	b.SendAfter = later
	var now time.Time
	mustWrite(t, db, func(tx *Tx) error {
		now = tx.Now()
		if err := tx.EnqueueMail(ctx, &a); err != nil {
			return err
		}
		return tx.EnqueueMail(ctx, &b)
	})
	if a.ID == "" || a.ID == b.ID || !a.CreatedAt.Equal(now) || !a.SendAfter.Equal(now) {
		t.Fatalf("EnqueueMail set id %q, created %v, send after %v; want an id and %v", a.ID, a.CreatedAt, a.SendAfter, now)
	}
	if !b.SendAfter.Equal(later.Truncate(time.Microsecond)) {
		t.Errorf("SendAfter = %v, want %v kept (to the microsecond)", b.SendAfter, later)
	}
	got, err := db.ListOutbox(ctx, f.district.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Newest first (same instant: by id, and b's UUIDv7 is the later one); never the body.
	wantA, wantB := a, b
	wantA.BodyText, wantB.BodyText = "", ""
	diff(t, "ListOutbox", got, []OutboxMail{wantB, wantA})
	if got, _ := db.ListOutbox(ctx, f.district.ID, 1); len(got) != 1 || got[0].ID != b.ID {
		t.Errorf("ListOutbox(limit 1) = %v, want only the newest", ids(got))
	}
	if body, _, _ := mailRow(t, db, f.district.ID, a.ID); body != a.BodyText {
		t.Errorf("stored body = %q, want %q", body, a.BodyText)
	}
	if got, _ := db.ListOutbox(ctx, newFixture(t, db).district.ID, 0); len(got) != 0 {
		t.Errorf("another district's outbox = %v, want empty", ids(got))
	}
	// The mail belongs to its transaction: rolled back with it, as a link's token would be.
	c := newMail(f, "invite")
	boom := errors.New("boom")
	err = db.Write(ctx, func(tx *Tx) error {
		if err := tx.EnqueueMail(ctx, &c); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || countRows(t, db, "mail_outbox", f.district.ID) != 2 {
		t.Errorf("after a rolled-back enqueue: %v, %d mails; want boom and 2", err, countRows(t, db, "mail_outbox", f.district.ID))
	}
	// A district that does not exist.
	d := newMail(f, "invite")
	d.DistrictID = "no-such-district"
	err = db.Write(ctx, func(tx *Tx) error { return tx.EnqueueMail(ctx, &d) })
	wantKind(t, err, iep.KindInvalid, "EnqueueMail(unknown district)")
}

func testOutboxValidationWritesNothing(t *testing.T, db *DB) {
	f := newFixture(t, db)
	cases := []struct {
		field string
		edit  func(*OutboxMail)
	}{
		{"district_id", func(m *OutboxMail) { m.DistrictID = " " }},
		{"kind", func(m *OutboxMail) { m.Kind = "" }},
		{"kind", func(m *OutboxMail) { m.Kind = strings.Repeat("k", MaxMailKind+1) }},
		{"to_address", func(m *OutboxMail) { m.To = "" }},
		{"to_address", func(m *OutboxMail) { m.To = "no-at-sign.example.org" }},
		{"to_address", func(m *OutboxMail) { m.To = "a@example.org\r\nBcc: x@evil.example" }},
		{"to_address", func(m *OutboxMail) { m.To = "a@example.org, b@example.org" }},
		{"subject", func(m *OutboxMail) { m.Subject = "  " }},
		{"subject", func(m *OutboxMail) { m.Subject = "Hello\r\nBcc: x@evil.example" }},
		{"subject", func(m *OutboxMail) { m.Subject = strings.Repeat("é", MaxMailSubject+1) }},
		{"body_text", func(m *OutboxMail) { m.BodyText = "\n" }},
	}
	for _, c := range cases {
		m := newMail(f, "invite")
		c.edit(&m)
		err := db.Write(ctx, func(tx *Tx) error { return tx.EnqueueMail(ctx, &m) })
		wantKind(t, err, iep.KindInvalid, "EnqueueMail(bad "+c.field+")")
		if fs := problemFields(err); !slices.Contains(fs, c.field) {
			t.Errorf("bad %s: problems name %v", c.field, fs)
		}
		if m.ID != "" {
			t.Errorf("bad %s: an invalid mail was given an id", c.field)
		}
	}
	// Several problems at once are all reported.
	err := db.Write(ctx, func(tx *Tx) error { return tx.EnqueueMail(ctx, &OutboxMail{DistrictID: f.district.ID}) })
	diff(t, "problems of an empty mail", problemFields(err), []string{"kind", "to_address", "subject", "body_text"})
	if n := countRows(t, db, "mail_outbox", f.district.ID); n != 0 {
		t.Errorf("%d mails stored after invalid enqueues", n)
	}
	// A subject of exactly the limit passes.
	ok := newMail(f, "invite")
	ok.Subject = strings.Repeat("é", MaxMailSubject)
	enqueue(t, db, &ok)
	_, err = db.ClaimMail(ctx, 0, time.Minute)
	wantKind(t, err, iep.KindInvalid, "ClaimMail(limit 0)")
	_, err = db.ClaimMail(ctx, 1, time.Millisecond)
	wantKind(t, err, iep.KindInvalid, "ClaimMail(lease 1ms)")
}

func testMailClaimLease(t *testing.T, db *DB) {
	start := time.Date(2032, 4, 1, 9, 0, 0, 0, time.UTC)
	c := newManualClock(start)
	cdb := reopenWithClock(t, db, c)
	f := newFixture(t, cdb)
	now, soon := newMail(f, "invite"), newMail(f, "reset")
	soon.SendAfter = start.Add(10 * time.Minute)
	enqueue(t, cdb, &now, &soon)

	got := claimMine(t, cdb, f.district.ID, 5*time.Minute)
	if len(got) != 1 || got[0].ID != now.ID {
		t.Fatalf("first claim = %v, want only the due mail %s", ids(got), now.ID)
	}
	if !got[0].LockedUntil.Equal(start.Add(5*time.Minute)) || got[0].BodyText != now.BodyText || got[0].To != now.To {
		t.Errorf("claimed %+v; want the body, the address and a lease until +5m", got[0])
	}
	// Leased: nobody else gets it, until the lease runs out.
	if got := claimMine(t, cdb, f.district.ID, 5*time.Minute); len(got) != 0 {
		t.Fatalf("claim during the lease = %v, want none", ids(got))
	}
	c.advance(4*time.Minute + 59*time.Second)
	if got := claimMine(t, cdb, f.district.ID, 5*time.Minute); len(got) != 0 {
		t.Fatalf("claim a second before the lease ends = %v, want none", ids(got))
	}
	c.advance(time.Second) // 09:05: the worker that held it is presumed dead
	got = claimMine(t, cdb, f.district.ID, 10*time.Minute)
	if len(got) != 1 || got[0].ID != now.ID || !got[0].LockedUntil.Equal(start.Add(15*time.Minute)) {
		t.Fatalf("claim after the lease = %+v, want %s again, leased until +15m", got, now.ID)
	}
	c.advance(5 * time.Minute) // 09:10: the second mail is due; the first is still leased
	got = claimMine(t, cdb, f.district.ID, time.Minute)
	if len(got) != 1 || got[0].ID != soon.ID {
		t.Fatalf("claim at +10m = %v, want only %s", ids(got), soon.ID)
	}
	// The batch size is honoured.
	c.advance(time.Hour)
	more := []*OutboxMail{ptr(newMail(f, "invite")), ptr(newMail(f, "invite")), ptr(newMail(f, "invite"))}
	enqueue(t, cdb, more...)
	b, err := cdb.ClaimMail(ctx, 2, time.Minute)
	if err != nil || len(b) != 2 {
		t.Fatalf("ClaimMail(limit 2) = %d mails, %v; want 2", len(b), err)
	}
	if !b[0].SendAfter.Before(b[1].SendAfter) && !(b[0].SendAfter.Equal(b[1].SendAfter) && b[0].ID < b[1].ID) {
		t.Errorf("claimed mails out of order: %v", ids(b))
	}
}

func testMailClaimRace(t *testing.T, db *DB) {
	f := newFixture(t, db)
	const n = 30
	var want []string
	var ms []*OutboxMail
	for range n {
		m := newMail(f, "invite")
		ms = append(ms, &m)
	}
	enqueue(t, db, ms...)
	for _, m := range ms {
		want = append(want, m.ID)
	}
	var mu sync.Mutex
	var claimed []string // every mail claimed, of any district
	var wg sync.WaitGroup
	begin := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			<-begin
			for range n { // at most n claims each: a claimer that gets mail forever fails, not hangs
				got, err := db.ClaimMail(ctx, 3, time.Hour)
				if err != nil {
					t.Errorf("ClaimMail: %v", err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				claimed = append(claimed, ids(got)...)
				mu.Unlock()
			}
		})
	}
	close(begin)
	wg.Wait()
	seen := map[string]int{}
	for _, id := range claimed {
		seen[id]++
		if seen[id] == 2 {
			t.Errorf("mail %s claimed twice", id)
		}
	}
	for _, id := range want {
		if seen[id] != 1 {
			t.Errorf("mail %s claimed %d times, want once", id, seen[id])
		}
	}
	if got := claimMine(t, db, f.district.ID, time.Hour); len(got) != 0 {
		t.Errorf("claim after the race = %v, want none (all leased)", ids(got))
	}
}

func testMailSentBlanksBody(t *testing.T, db *DB) {
	start := time.Date(2032, 5, 1, 9, 0, 0, 0, time.UTC)
	c := newManualClock(start)
	cdb := reopenWithClock(t, db, c)
	f := newFixture(t, cdb)
	m := newMail(f, "invite")
	enqueue(t, cdb, &m)
	if got := claimMine(t, cdb, f.district.ID, time.Minute); len(got) != 1 {
		t.Fatalf("claim = %v, want %s", ids(got), m.ID)
	}
	c.advance(10 * time.Second)
	mustWrite(t, cdb, func(tx *Tx) error { return tx.MarkMailSent(ctx, f.district.ID, m.ID) })
	body, sent, failed := mailRow(t, cdb, f.district.ID, m.ID)
	if body != "" || !sent || failed {
		t.Errorf("after MarkMailSent: body %q, sent %v, failed %v; want a blank body, sent", body, sent, failed)
	}
	list, _ := cdb.ListOutbox(ctx, f.district.ID, 0)
	if len(list) != 1 || !list[0].SentAt.Equal(start.Add(10*time.Second)) || !list[0].LockedUntil.IsZero() {
		t.Errorf("ListOutbox after sent = %+v", list)
	}
	// Sent mail is never claimed again, nor failed after the fact.
	c.advance(time.Hour)
	if got := claimMine(t, cdb, f.district.ID, time.Minute); len(got) != 0 {
		t.Errorf("claim after sent = %v, want none", ids(got))
	}
	mustWrite(t, cdb, func(tx *Tx) error {
		return tx.MarkMailFailed(ctx, f.district.ID, m.ID, "late failure", c.now().Add(time.Minute), false)
	})
	if list, _ := cdb.ListOutbox(ctx, f.district.ID, 0); list[0].Attempts != 0 || list[0].LastError != "" {
		t.Errorf("a sent mail took a failure: %+v", list[0])
	}
	// The database itself refuses a sent mail with a body.
	_, err := cdb.Writer().ExecContext(ctx, `UPDATE mail_outbox SET body_text = 'link' WHERE district_id = $1 AND id = $2`,
		f.district.ID, m.ID)
	if err == nil {
		t.Error("the database kept a body beside sent_at")
	}
	for _, who := range []struct{ district, id string }{{f.district.ID, "nope"}, {"other-district", m.ID}} {
		err := cdb.Write(ctx, func(tx *Tx) error { return tx.MarkMailSent(ctx, who.district, who.id) })
		wantKind(t, err, iep.KindNotFound, "MarkMailSent(unknown)")
		err = cdb.Write(ctx, func(tx *Tx) error {
			return tx.MarkMailFailed(ctx, who.district, who.id, "x", c.now().Add(time.Minute), false)
		})
		wantKind(t, err, iep.KindNotFound, "MarkMailFailed(unknown)")
	}
	// Cleanup deletes what was sent before the cut, not what waits.
	waiting := newMail(f, "reset")
	enqueue(t, cdb, &waiting)
	var n int64
	mustWrite(t, cdb, func(tx *Tx) (err error) { n, err = tx.DeleteOldMail(ctx, c.now()); return err })
	left, _ := cdb.ListOutbox(ctx, f.district.ID, 0)
	if n < 1 || len(left) != 1 || left[0].ID != waiting.ID {
		t.Errorf("DeleteOldMail = %d, left %v; want at least 1 deleted and %s left", n, ids(left), waiting.ID)
	}
}

func testMailFailureBackoff(t *testing.T, db *DB) {
	start := time.Date(2032, 6, 1, 9, 0, 0, 0, time.UTC)
	c := newManualClock(start)
	cdb := reopenWithClock(t, db, c)
	f := newFixture(t, cdb)
	m := newMail(f, "reset")
	enqueue(t, cdb, &m)
	if got := claimMine(t, cdb, f.district.ID, time.Hour); len(got) != 1 {
		t.Fatalf("claim = %v", ids(got))
	}
	long := "451 4.3.0 " + strings.Repeat("é", 400) // 810 bytes
	retry := start.Add(time.Minute)
	mustWrite(t, cdb, func(tx *Tx) error { return tx.MarkMailFailed(ctx, f.district.ID, m.ID, long, retry, false) })
	list, _ := cdb.ListOutbox(ctx, f.district.ID, 0)
	got := list[0]
	if got.Attempts != 1 || !got.SendAfter.Equal(retry) || !got.LockedUntil.IsZero() || !got.FailedAt.IsZero() {
		t.Errorf("after a failure: %+v; want 1 attempt, due at +1m, no lease", got)
	}
	if len(got.LastError) > MaxMailError || len(got.LastError) < MaxMailError-1 || !utf8.ValidString(got.LastError) ||
		!strings.HasPrefix(got.LastError, "451 4.3.0 ") {
		t.Errorf("last error of %d bytes (valid UTF-8: %v), want the first %d bytes", len(got.LastError),
			utf8.ValidString(got.LastError), MaxMailError)
	}
	if body, _, _ := mailRow(t, cdb, f.district.ID, m.ID); body != m.BodyText {
		t.Errorf("body after a temporary failure = %q, want it kept for the retry", body)
	}
	// Not due before retryAt, although its lease is gone.
	c.advance(59 * time.Second)
	if got := claimMine(t, cdb, f.district.ID, time.Hour); len(got) != 0 {
		t.Fatalf("claim before the retry = %v", ids(got))
	}
	c.advance(time.Second)
	if got := claimMine(t, cdb, f.district.ID, time.Hour); len(got) != 1 || got[0].Attempts != 1 {
		t.Fatalf("claim at the retry = %+v, want the mail with 1 attempt", got)
	}
	err := cdb.Write(ctx, func(tx *Tx) error { return tx.MarkMailFailed(ctx, f.district.ID, m.ID, "x", time.Time{}, false) })
	wantKind(t, err, iep.KindInvalid, "MarkMailFailed(no retry time)")
	// Giving up: failed_at, the body blanked, never claimed again.
	mustWrite(t, cdb, func(tx *Tx) error {
		return tx.MarkMailFailed(ctx, f.district.ID, m.ID, "550 5.1.1 no such user", time.Time{}, true)
	})
	list, _ = cdb.ListOutbox(ctx, f.district.ID, 0)
	got = list[0]
	if got.Attempts != 2 || !got.FailedAt.Equal(c.now()) || !got.SentAt.IsZero() || got.LastError != "550 5.1.1 no such user" {
		t.Errorf("after giving up: %+v", got)
	}
	if body, sent, failed := mailRow(t, cdb, f.district.ID, m.ID); body != "" || sent || !failed {
		t.Errorf("after giving up: body %q, sent %v, failed %v; want blank, not sent, failed", body, sent, failed)
	}
	c.advance(24 * time.Hour)
	if got := claimMine(t, cdb, f.district.ID, time.Hour); len(got) != 0 {
		t.Errorf("claim after giving up = %v, want none", ids(got))
	}
}

// TestOutboxClaimUsesIndexSQLite checks that the due-mail query searches its partial index
// rather than walking the outbox, which keeps every mail ever sent.
func TestOutboxClaimUsesIndexSQLite(t *testing.T) {
	db := openSQLite(t)
	now := db.d.instant(time.Now())
	plan := explain(t, db, `SELECT district_id, id FROM mail_outbox
		WHERE sent_at IS NULL AND failed_at IS NULL AND send_after <= $1
		AND (locked_until IS NULL OR locked_until <= $1) ORDER BY send_after, id LIMIT 10`, []any{now})
	if !strings.Contains(plan, "mail_outbox_due") {
		t.Errorf("the due-mail query does not use mail_outbox_due: %s", plan)
	}
	plan = explain(t, db, `SELECT id FROM mail_outbox WHERE district_id = $1 ORDER BY created_at DESC, id DESC LIMIT 50`,
		[]any{"d"})
	if !strings.Contains(plan, "mail_outbox_created") || strings.Contains(plan, "TEMP B-TREE") {
		t.Errorf("the outbox list does not read mail_outbox_created in order: %s", plan)
	}
}

// The calendar of an outbox mail joins the suite too.
func init() {
	contract = append(contract, struct {
		name string
		fn   func(*testing.T, *DB)
	}{"OutboxCalendar", testOutboxCalendar})
}

// outboxICS is a meeting invitation as package ical writes it: CRLF, a folded line, UTF-8.
const outboxICS = "BEGIN:VCALENDAR\r\nPRODID:-//openiep//openiep//EN\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n" +
	"BEGIN:VEVENT\r\nUID:m-1@openiep\r\nSUMMARY:Réunion annuelle du PEI\\, révision des services — \r\n" +
	" salle 12\r\nATTENDEE;CN=\"Pérez, Ana\":mailto:ana@example.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// mailCalendar reads a mail's calendar_ics through raw SQL; null reports a NULL.
func mailCalendar(t *testing.T, db *DB, districtID, id string) (ics string, null bool) {
	t.Helper()
	var v *string
	err := db.Writer().QueryRowContext(ctx, `SELECT calendar_ics FROM mail_outbox WHERE district_id = $1 AND id = $2`,
		districtID, id).Scan(&v)
	if err != nil {
		t.Fatalf("read the calendar of mail %s: %v", id, err)
	}
	if v == nil {
		return "", true
	}
	return *v, false
}

func testOutboxCalendar(t *testing.T, db *DB) {
	f := newFixture(t, db)
	withCal, plain, givenUp := newMail(f, "meeting"), newMail(f, "invite"), newMail(f, "meeting")
	withCal.CalendarICS, givenUp.CalendarICS = outboxICS, outboxICS
	enqueue(t, db, &withCal, &plain, &givenUp)
	if ics, null := mailCalendar(t, db, f.district.ID, withCal.ID); ics != outboxICS || null {
		t.Errorf("stored calendar = %q (NULL %v), want it byte for byte", ics, null)
	}
	if _, null := mailCalendar(t, db, f.district.ID, plain.ID); !null {
		t.Error("a mail without a calendar stores one")
	}
	// ClaimMail returns it; ListOutbox does not.
	claimed := map[string]OutboxMail{}
	for _, m := range claimMine(t, db, f.district.ID, time.Hour) {
		claimed[m.ID] = m
	}
	if claimed[withCal.ID].CalendarICS != outboxICS || claimed[plain.ID].CalendarICS != "" || len(claimed) != 3 {
		t.Errorf("claimed calendars: %q, %q (of %d mails)", claimed[withCal.ID].CalendarICS, claimed[plain.ID].CalendarICS, len(claimed))
	}
	list, err := db.ListOutbox(ctx, f.district.ID, 0)
	if err != nil || len(list) != 3 {
		t.Fatalf("ListOutbox = %d mails, %v", len(list), err)
	}
	for _, m := range list {
		if m.CalendarICS != "" || m.BodyText != "" {
			t.Errorf("ListOutbox returned the calendar or body of %s", m.ID)
		}
	}
	// Sent or given up: blanked with the body.
	mustWrite(t, db, func(tx *Tx) error {
		if err := tx.MarkMailSent(ctx, f.district.ID, withCal.ID); err != nil {
			return err
		}
		return tx.MarkMailFailed(ctx, f.district.ID, givenUp.ID, "550 5.1.1", time.Time{}, true)
	})
	for _, id := range []string{withCal.ID, givenUp.ID} {
		if _, null := mailCalendar(t, db, f.district.ID, id); !null {
			t.Errorf("the calendar of mail %s is kept after it was sent or given up", id)
		}
	}
	// The database itself refuses a calendar beside sent_at or failed_at.
	for _, id := range []string{withCal.ID, givenUp.ID} {
		_, err := db.Writer().ExecContext(ctx, `UPDATE mail_outbox SET calendar_ics = 'BEGIN:VCALENDAR' WHERE district_id = $1 AND id = $2`,
			f.district.ID, id)
		if err == nil {
			t.Errorf("the database kept a calendar beside the outcome of mail %s", id)
		}
	}
	// What is not an iCalendar object is refused, and stores nothing.
	for name, ics := range map[string]string{
		"not iCalendar": "Meeting on Monday",
		"not UTF-8":     "BEGIN:VCALENDAR\r\n\xff\r\nEND:VCALENDAR\r\n",
		"too long":      "BEGIN:VCALENDAR\r\n" + strings.Repeat("X", MaxMailCalendar),
	} {
		m := newMail(f, "meeting")
		m.CalendarICS = ics
		err := db.Write(ctx, func(tx *Tx) error { return tx.EnqueueMail(ctx, &m) })
		wantKind(t, err, iep.KindInvalid, "EnqueueMail(calendar "+name+")")
		if fs := problemFields(err); !slices.Equal(fs, []string{"calendar_ics"}) {
			t.Errorf("calendar %s: problems name %v", name, fs)
		}
	}
	if n := countRows(t, db, "mail_outbox", f.district.ID); n != 3 {
		t.Errorf("%d mails stored, want 3", n)
	}
}
