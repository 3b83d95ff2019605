package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/ical"
	"github.com/openiep/openiep/internal/iep"
	"github.com/openiep/openiep/internal/mail/smtptest"
	"github.com/openiep/openiep/internal/store"
	"github.com/openiep/openiep/internal/store/storetest"
)

// The worker's tests run against a real store on both engines (storetest): SQLite in a
// temporary file, and PostgreSQL from $OPENIEP_TEST_POSTGRES (default: local trust auth) in a
// database of each test's own, dropped at the end. Without PostgreSQL that half is skipped
// (failed under CI=true).

// randomHex returns n random bytes in hex: the secret part of a test link.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// clock is a store clock the test moves by hand.
type clock struct{ ns atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }
func (c *clock) set(t time.Time)         { c.ns.Store(t.UnixNano()) }

// lockedBuffer is a log destination safe for the worker's goroutine and the test's.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// env is a store with a district, a test SMTP server and a worker that sends to it.
type env struct {
	engine   string
	db       *store.DB
	clock    *clock
	srv      *smtptest.Server
	w        *Worker
	log      *lockedBuffer
	district string
	private  []string // addresses, subjects and links: never in the log
}

var start = time.Date(2031, 3, 2, 8, 0, 0, 0, time.UTC)

func newEnv(t *testing.T, engine string) *env {
	t.Helper()
	e := &env{engine: engine, clock: &clock{}, log: &lockedBuffer{}}
	e.clock.set(start)
	e.db = storetest.Open(t, engine, store.Options{Now: e.clock.now})
	d := iep.District{Name: "Riverside", StateCode: "MA", LEACode: "0123", RulePack: "MA",
		Timezone: "America/New_York", Languages: []string{"en", "es"}}
	if err := e.db.Write(bg, func(tx *store.Tx) error { return tx.CreateDistrict(bg, &d) }); err != nil {
		t.Fatal(err)
	}
	e.district = d.ID
	e.srv = smtptest.New(t, smtptest.Options{})
	e.w = e.worker(t, e.db)
	t.Cleanup(func() {
		log := e.log.String()
		for _, p := range e.private {
			if strings.Contains(log, p) {
				t.Errorf("the log holds personal data %q:\n%s", p, log)
			}
		}
	})
	return e
}

// open opens another handle on the env's database, with its clock, as a second server
// instance would.
func (e *env) open(t *testing.T) *store.DB {
	t.Helper()
	return storetest.Reopen(t, e.db, store.Options{Now: e.clock.now})
}

func (e *env) worker(t *testing.T, db *store.DB) *Worker {
	t.Helper()
	sender, err := NewSMTP(Config{Addr: e.srv.Addr(), From: "OpenIEP <no-reply@riverside.example>", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &Worker{DB: db, Sender: sender, From: "Riverside Schools <no-reply@riverside.example>",
		Log: slog.New(slog.NewTextHandler(e.log, nil)), Interval: 20 * time.Millisecond}
}

// enqueue writes one mail to the outbox, as a use case does, and returns it with its link.
func (e *env) enqueue(t *testing.T, kind, to string) (store.OutboxMail, string) {
	t.Helper()
	link := "https://iep.riverside.example/" + kind + "/" + randomHex(16)
	m := store.OutboxMail{DistrictID: e.district, Kind: kind, To: to,
		Subject: "Your OpenIEP " + kind + " — Ana Pérez", BodyText: "Hello Ana,\n\nOpen " + link + " within 72 hours.\n"}
	if err := e.db.Write(bg, func(tx *store.Tx) error { return tx.EnqueueMail(bg, &m) }); err != nil {
		t.Fatal(err)
	}
	e.private = append(e.private, to, link, "Ana Pérez", "Hello Ana")
	return m, link
}

func (e *env) runOnce(t *testing.T, wantSent, wantFailed int) {
	t.Helper()
	sent, failed, err := e.w.RunOnce(bg)
	if err != nil || sent != wantSent || failed != wantFailed {
		t.Fatalf("RunOnce = %d sent, %d failed, %v; want %d, %d", sent, failed, err, wantSent, wantFailed)
	}
}

// outbox returns the district's mail by id.
func (e *env) outbox(t *testing.T) map[string]store.OutboxMail {
	t.Helper()
	ms, err := e.db.ListOutbox(bg, e.district, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.OutboxMail{}
	for _, m := range ms {
		out[m.ID] = m
	}
	return out
}

// body reads the stored body of a mail with raw SQL.
func (e *env) body(t *testing.T, id string) string {
	t.Helper()
	var b string
	if err := e.db.Writer().QueryRowContext(bg, `SELECT body_text FROM mail_outbox WHERE id = $1`, id).Scan(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestWorker(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			t.Run("Sends", func(t *testing.T) { testWorkerSends(t, engine) })
			t.Run("RetriesTemporaryFailure", func(t *testing.T) { testWorkerRetries(t, engine) })
			t.Run("GivesUp", func(t *testing.T) { testWorkerGivesUp(t, engine) })
			t.Run("TwoWorkers", func(t *testing.T) { testTwoWorkers(t, engine) })
			t.Run("Run", func(t *testing.T) { testWorkerRun(t, engine) })
		})
	}
}

func testWorkerSends(t *testing.T, engine string) {
	e := newEnv(t, engine)
	inv, invLink := e.enqueue(t, "invite", "ana.perez@example.org")
	reset, resetLink := e.enqueue(t, "reset", "sam.lee@example.org")
	e.clock.advance(3 * time.Second)
	e.runOnce(t, 2, 0)
	got := e.srv.Wait(t, 2, 5*time.Second)
	links := map[string]string{"ana.perez@example.org": invLink, "sam.lee@example.org": resetLink}
	for _, m := range got {
		if len(m.To) != 1 || links[m.To[0]] == "" {
			t.Fatalf("a message to %v", m.To)
		}
		text, err := m.Text()
		if err != nil || !strings.Contains(text, links[m.To[0]]) || !strings.HasPrefix(text, "Hello Ana,\r\n\r\n") {
			t.Errorf("text to %s = %q, %v; want its link", m.To[0], text, err)
		}
		if !strings.HasPrefix(m.Subject(), "Your OpenIEP ") || m.Header.Get("Auto-Submitted") != "auto-generated" ||
			m.Header.Get("From") != `"Riverside Schools" <no-reply@riverside.example>` {
			t.Errorf("header: %v", m.Header)
		}
		delete(links, m.To[0])
	}
	if len(links) != 0 {
		t.Errorf("not delivered to %v", links)
	}
	for _, m := range []store.OutboxMail{inv, reset} {
		o := e.outbox(t)[m.ID]
		if !o.SentAt.Equal(start.Add(3*time.Second)) || o.Attempts != 0 || !o.LockedUntil.IsZero() {
			t.Errorf("outbox after sending: %+v", o)
		}
		if b := e.body(t, m.ID); b != "" {
			t.Errorf("the body of a sent mail is still stored: %q", b)
		}
	}
	e.clock.advance(time.Hour)
	e.runOnce(t, 0, 0)
	if n := len(e.srv.Messages()); n != 2 {
		t.Errorf("%d messages after a second run, want 2", n)
	}
	log := e.log.String()
	for _, want := range []string{inv.ID, reset.ID, "kind=invite", "kind=reset", "mail: sent"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
}

func testWorkerRetries(t *testing.T, engine string) {
	e := newEnv(t, engine)
	// The reply echoes the address, as real ones do: it is stored, never logged.
	e.srv.Reject(smtptest.StageRcpt, 451, "4.2.0 <ana.perez@example.org>: mailbox busy, try later")
	m, link := e.enqueue(t, "invite", "ana.perez@example.org")
	e.runOnce(t, 0, 1)
	o := e.outbox(t)[m.ID]
	if o.Attempts != 1 || !o.SendAfter.Equal(start.Add(time.Minute)) || !o.LockedUntil.IsZero() || !o.FailedAt.IsZero() ||
		!strings.Contains(o.LastError, "451") || !strings.Contains(o.LastError, "RCPT TO") {
		t.Fatalf("outbox after a 451: %+v", o)
	}
	if e.body(t, m.ID) == "" {
		t.Fatal("the body was dropped before the mail was sent")
	}
	e.runOnce(t, 0, 0) // not due yet
	e.clock.advance(59 * time.Second)
	e.runOnce(t, 0, 0)
	e.srv.Accept()
	e.clock.advance(time.Second)
	e.runOnce(t, 1, 0)
	got := e.srv.Wait(t, 1, 5*time.Second)
	if text, _ := got[0].Text(); len(got) != 1 || !strings.Contains(text, link) {
		t.Errorf("delivered %d messages; text %q", len(got), text)
	}
	if o := e.outbox(t)[m.ID]; o.SentAt.IsZero() || o.Attempts != 1 || e.body(t, m.ID) != "" {
		t.Errorf("outbox after the retry: %+v", o)
	}
	log := e.log.String()
	if !strings.Contains(log, "code=451") || !strings.Contains(log, "retry_in=1m0s") || !strings.Contains(log, m.ID) {
		t.Errorf("the log does not say what failed and when it is retried:\n%s", log)
	}
}

func testWorkerGivesUp(t *testing.T, engine string) {
	e := newEnv(t, engine)
	e.srv.Reject(smtptest.StageRcpt, 550, "5.1.1 <nobody@example.org>: no such user")
	m, _ := e.enqueue(t, "reset", "nobody@example.org")
	var delays []time.Duration
	for attempt := 1; attempt <= MaxAttempts; attempt++ {
		e.runOnce(t, 0, 1)
		o := e.outbox(t)[m.ID]
		if o.Attempts != attempt {
			t.Fatalf("attempt %d: outbox says %d attempts", attempt, o.Attempts)
		}
		if attempt < MaxAttempts {
			if !o.FailedAt.IsZero() {
				t.Fatalf("gave up after %d attempts", attempt)
			}
			delays = append(delays, o.SendAfter.Sub(e.clock.now()))
			e.clock.set(o.SendAfter)
			continue
		}
		if !o.FailedAt.Equal(e.clock.now()) || !o.SentAt.IsZero() || !strings.Contains(o.LastError, "550") {
			t.Errorf("after %d attempts: %+v; want it given up", attempt, o)
		}
	}
	want := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour, 6 * time.Hour, 6 * time.Hour}
	if !slices.Equal(delays, want) {
		t.Errorf("retry delays %v, want %v", delays, want)
	}
	if b := e.body(t, m.ID); b != "" {
		t.Errorf("the body of a mail given up is still stored: %q", b)
	}
	e.srv.Accept()
	e.clock.advance(48 * time.Hour)
	e.runOnce(t, 0, 0)
	if n := len(e.srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered", n)
	}
	if log := e.log.String(); !strings.Contains(log, "given up") || !strings.Contains(log, "code=550") {
		t.Errorf("the log does not say it gave up:\n%s", log)
	}

	// A mail that cannot be composed is given up at once: it would not compose later either.
	bad, _ := e.enqueue(t, "invite", "a@b@example.org")
	e.runOnce(t, 0, 1)
	if o := e.outbox(t)[bad.ID]; o.Attempts != 1 || o.FailedAt.IsZero() {
		t.Errorf("a mail that does not compose: %+v; want it given up after one attempt", o)
	}
}

// testTwoWorkers runs two workers, as two server instances would, each with its own handle on
// the database, over one outbox: every mail goes out exactly once.
func testTwoWorkers(t *testing.T, engine string) {
	e := newEnv(t, engine)
	const n = 24
	for i := range n {
		e.enqueue(t, "invite", "parent"+string(rune('a'+i))+"@example.org")
	}
	workers := []*Worker{e.w, e.worker(t, e.open(t))}
	var total atomic.Int32
	var wg sync.WaitGroup
	for _, w := range workers {
		w.BatchSize = 3
		wg.Go(func() {
			for range n {
				sent, failed, err := w.RunOnce(bg)
				if err != nil || failed != 0 {
					t.Errorf("RunOnce: %d failed, %v", failed, err)
					return
				}
				if sent == 0 {
					return
				}
				total.Add(int32(sent))
			}
		})
	}
	wg.Wait()
	got := e.srv.Messages()
	seen := map[string]bool{}
	for _, m := range got {
		if seen[m.To[0]] {
			t.Errorf("%s got two messages", m.To[0])
		}
		seen[m.To[0]] = true
	}
	if len(got) != n || len(seen) != n || total.Load() != n {
		t.Errorf("%d messages to %d recipients, %d counted sent; want %d", len(got), len(seen), total.Load(), n)
	}
}

func testWorkerRun(t *testing.T, engine string) {
	e := newEnv(t, engine)
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- e.w.Run(ctx) }()
	time.Sleep(50 * time.Millisecond) // Run has found the outbox empty at least once
	m, _ := e.enqueue(t, "invite", "ana.perez@example.org")
	e.srv.Wait(t, 1, 5*time.Second)
	// The server keeps the message before its reply reaches the worker: wait for the record.
	deadline := time.Now().Add(5 * time.Second)
	for e.outbox(t)[m.ID].SentAt.IsZero() {
		if time.Now().After(deadline) {
			t.Fatalf("the mail Run delivered is not recorded sent:\n%s", e.log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v, want nil after cancel", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	if n := len(e.srv.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

// blockingSender waits for ctx to end, as a send cut short by shutdown does.
type blockingSender struct{ started chan struct{} }

func (b blockingSender) Send(ctx context.Context, m Message) error {
	close(b.started)
	<-ctx.Done()
	return ctx.Err()
}

// TestWorkerInterrupted checks that a send cut short by the worker's own shutdown is not
// counted as a failed attempt: the mail keeps its lease and goes out once it runs out.
func TestWorkerInterrupted(t *testing.T) {
	e := newEnv(t, "sqlite")
	m, _ := e.enqueue(t, "invite", "ana.perez@example.org")
	b := blockingSender{started: make(chan struct{})}
	w := &Worker{DB: e.db, Sender: b, Lease: 5 * time.Minute, Log: slog.New(slog.NewTextHandler(e.log, nil))}
	ctx, cancel := context.WithCancel(bg)
	go func() { <-b.started; cancel() }()
	sent, failed, err := w.RunOnce(ctx)
	if sent != 0 || failed != 0 || err != nil {
		t.Errorf("interrupted RunOnce = %d, %d, %v; want 0, 0, nil", sent, failed, err)
	}
	o := e.outbox(t)[m.ID]
	if o.Attempts != 0 || o.LastError != "" || !o.LockedUntil.Equal(start.Add(5*time.Minute)) || e.body(t, m.ID) == "" {
		t.Errorf("outbox after an interrupted send: %+v", o)
	}
	e.clock.advance(5 * time.Minute)
	e.runOnce(t, 1, 0)
}

// TestWorkerCalendar checks that a mail enqueued with a meeting invitation reaches the SMTP
// server with it, as a text/calendar part beside the text, and that the stored calendar, which
// names the people invited, is blanked once the mail is sent.
func TestWorkerCalendar(t *testing.T) {
	for _, engine := range storetest.Engines {
		t.Run(engine, func(t *testing.T) {
			e := newEnv(t, engine)
			meeting := start.Add(14 * 24 * time.Hour)
			ics, err := ical.Invitation{UID: "meeting-" + randomHex(8) + "@openiep", Start: meeting, End: meeting.Add(time.Hour),
				Summary: "Revisión anual del IEP — Ana Pérez", Location: "Sala 12, Riverside Elementary",
				Organizer: ical.Person{Name: "Dana Ortiz", Email: "dana.ortiz@riverside.example"},
				Attendees: []ical.Person{{Name: "María Pérez", Email: "maria.perez@example.org"}},
				Stamp:     start}.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			m := store.OutboxMail{DistrictID: e.district, Kind: "meeting", To: "maria.perez@example.org",
				Subject: "Invitación: revisión anual del IEP", BodyText: "Hola María,\n\nla reunión es el 16 de marzo.\n",
				CalendarICS: string(ics)}
			if err := e.db.Write(bg, func(tx *store.Tx) error { return tx.EnqueueMail(bg, &m) }); err != nil {
				t.Fatal(err)
			}
			e.private = append(e.private, m.To, "María", "Pérez", "Dana Ortiz", "Revisi")
			e.runOnce(t, 1, 0)
			got := e.srv.Wait(t, 1, 5*time.Second)
			if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != m.To {
				t.Fatalf("delivered %d messages", len(got))
			}
			h, parts := alternativeParts(t, got[0].Data)
			if h.Get("Auto-Submitted") != "auto-generated" || len(parts) != 2 {
				t.Fatalf("header %v, %d parts; want multipart/alternative of 2", h, len(parts))
			}
			if parts[0].header.Get("Content-Type") != "text/plain; charset=utf-8" ||
				parts[0].body != "Hola María,\r\n\r\nla reunión es el 16 de marzo.\r\n" {
				t.Errorf("text part %v: %q", parts[0].header, parts[0].body)
			}
			if ct := parts[1].header.Get("Content-Type"); ct != "text/calendar; charset=utf-8; method=REQUEST" ||
				parts[1].body != string(ics) {
				t.Errorf("calendar part %q: %q\nwant %q", ct, parts[1].body, ics)
			}
			var cal sql.NullString
			if err := e.db.Writer().QueryRowContext(bg, `SELECT calendar_ics FROM mail_outbox WHERE id = $1`, m.ID).Scan(&cal); err != nil {
				t.Fatal(err)
			}
			if cal.Valid || e.body(t, m.ID) != "" {
				t.Errorf("the calendar (%v) or body of a sent mail is still stored", cal.Valid)
			}
		})
	}
}
