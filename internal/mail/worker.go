package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"time"

	"github.com/openiep/openiep/internal/store"
)

// MaxAttempts is how many times the Worker tries a mail before it gives up.
const MaxAttempts = 8

// backoff is the wait after the first, second… failed attempt; the last value repeats.
var backoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour}

// Backoff says what to do after a mail's attempts-th failed attempt (1 for the first): wait
// delay before the next (1 min, 5 min, 30 min, 2 h, then 6 h), or give up at MaxAttempts. A
// mail given up has been tried for about 21 hours.
func Backoff(attempts int) (delay time.Duration, giveUp bool) {
	if attempts >= MaxAttempts {
		return 0, true
	}
	return backoff[min(max(attempts, 1), len(backoff))-1], false
}

// Worker sends the outbox's mail: it claims due mail of every district (store.DB.ClaimMail,
// with a lease, so that several instances share the work and a dead one's mail is taken over),
// hands each to Sender, and records it sent (which blanks its body) or failed, to retry after
// Backoff or give up. Set the fields before Run or RunOnce; zero values take the defaults.
//
// It logs mail ids, districts, kinds, attempts and SMTP reply codes: never an address, subject,
// body or the server's reply text, which may echo the address.
type Worker struct {
	DB        *store.DB
	Sender    Sender
	From      string        // the From of every mail; "" leaves it to the Sender (SMTP's Config.From)
	Log       *slog.Logger  // default: discard
	Interval  time.Duration // Run: how long to wait when the outbox has nothing due; default 30s
	Lease     time.Duration // how long a claimed mail is kept from other workers; default 10 min
	BatchSize int           // most mails claimed at once; default 10
}

func (w *Worker) defaults() (log *slog.Logger, interval, lease time.Duration, batch int) {
	log, interval, lease, batch = w.Log, w.Interval, w.Lease, w.BatchSize
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if interval <= 0 {
		interval = 30 * time.Second
	}
	if lease <= 0 {
		lease = 10 * time.Minute
	}
	if batch <= 0 {
		batch = 10
	}
	return log, interval, lease, batch
}

// Run sends due mail until ctx is done, then returns nil. It runs RunOnce at once, again
// straight away while batches come back full, else every Interval; a failure of the database is
// logged and tried again at the next turn.
func (w *Worker) Run(ctx context.Context) error {
	log, interval, _, batch := w.defaults()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		sent, failed, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("mail: outbox", "err", err)
		}
		next := interval
		if err == nil && sent+failed == batch {
			next = 0
		}
		timer.Reset(next)
	}
}

// markTimeout bounds recording an outcome, which runs even when ctx was cancelled meanwhile: a
// mail that was handed over must be recorded sent, or it will be sent again.
const markTimeout = 15 * time.Second

// RunOnce claims one batch of due mail and tries to send each. It returns how many were sent,
// how many failed (to be retried, or given up), and the first error of the database. It stops
// early when ctx is done, or when half the lease has gone by (to keep within the lease); the
// mails it did not try are due again when their lease runs out. A send cut short by ctx does
// not count as an attempt.
func (w *Worker) RunOnce(ctx context.Context) (sent, failed int, err error) {
	if w.DB == nil || w.Sender == nil {
		return 0, 0, errors.New("mail: the worker needs a DB and a Sender")
	}
	log, _, lease, batch := w.defaults()
	ms, err := w.DB.ClaimMail(ctx, batch, lease)
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	keep := func(e error) {
		if err == nil {
			err = e
		}
	}
	for i, m := range ms {
		if ctx.Err() != nil || time.Since(start) > lease/2 {
			log.Info("mail: leaving mail for later", "count", len(ms)-i)
			break
		}
		attrs := []any{"mail", m.ID, "district", m.DistrictID, "kind", m.Kind, "attempt", m.Attempts + 1}
		sendErr := w.Sender.Send(ctx, message(w.From, m))
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
		if sendErr == nil {
			e := w.DB.Write(mctx, func(tx *store.Tx) error { return tx.MarkMailSent(mctx, m.DistrictID, m.ID) })
			cancel()
			if e != nil {
				log.Error("mail: sent, but not recorded (it will be sent again)", append(attrs, "err", e)...)
				keep(e)
				continue
			}
			sent++
			log.Info("mail: sent", attrs...)
			continue
		}
		if ctx.Err() != nil {
			cancel()
			log.Info("mail: sending interrupted", attrs...)
			break
		}
		delay, giveUp := Backoff(m.Attempts + 1)
		if errors.Is(sendErr, ErrInvalidMessage) {
			giveUp = true // it will not compose next time either
		}
		e := w.DB.Write(mctx, func(tx *store.Tx) error {
			return tx.MarkMailFailed(mctx, m.DistrictID, m.ID, sendErr.Error(), tx.Now().Add(delay), giveUp)
		})
		cancel()
		if e != nil {
			log.Error("mail: failed, and not recorded", append(attrs, "err", e)...)
			keep(e)
			continue
		}
		failed++
		attrs = append(attrs, failure(sendErr)...)
		if giveUp {
			log.Warn("mail: failed, given up", attrs...)
		} else {
			log.Warn("mail: failed, will retry", append(attrs, "retry_in", delay.String())...)
		}
	}
	return sent, failed, err
}

// message is the e-mail of an outbox mail, from from: its text, and its calendar when it has
// one. Auto-Submitted keeps out-of-office replies away from a no-reply address.
func message(from string, m store.OutboxMail) Message {
	msg := Message{From: from, To: m.To, Subject: m.Subject, Text: m.BodyText,
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}}
	if m.CalendarICS != "" {
		msg.Calendar = []byte(m.CalendarICS)
	}
	return msg
}

// failure describes a send error for the log without personal data: the SMTP step and reply
// code (a reply's text may echo the address); the error's text only when it cannot name the
// recipient — a step before any address was sent, a network error (it names the relay), a
// message that did not compose (it names the field, not the value).
func failure(err error) []any {
	var e *Error
	var ne net.Error
	switch {
	case errors.As(err, &e) && e.Code != 0:
		return []any{"step", e.Step, "code", e.Code}
	case errors.As(err, &e) && (slices.Contains(stepsBeforeAddress, e.Step) || errors.As(e.Err, &ne)):
		return []any{"step", e.Step, "err", e.Err.Error()}
	case errors.As(err, &e):
		return []any{"step", e.Step, "err_type", fmt.Sprintf("%T", e.Err)}
	case errors.Is(err, ErrInvalidMessage):
		return []any{"err", err.Error()}
	}
	return []any{"err_type", fmt.Sprintf("%T", err)}
}

// stepsBeforeAddress are the steps of an SMTP conversation before MAIL FROM.
var stepsBeforeAddress = []string{"dial", "TLS", "connect", "EHLO", "STARTTLS", "AUTH"}
