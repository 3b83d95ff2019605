package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/openiep/openiep/internal/iep"
)

// OutboxMail is one e-mail waiting to be sent, or sent, or given up (table mail_outbox). A use
// case writes it with Tx.EnqueueMail in the transaction that creates what the mail carries (an
// invitation or reset link), so that both are stored or neither; a worker (mail.Worker) claims
// due mail with DB.ClaimMail, sends it, and records the outcome with Tx.MarkMailSent or
// Tx.MarkMailFailed.
//
// BodyText holds one-time links, and CalendarICS (a meeting invitation) names the people
// invited: both are blanked when the mail is sent or given up, and ListOutbox returns neither.
type OutboxMail struct {
	DistrictID  string
	ID          string // set by EnqueueMail when empty (UUIDv7)
	Kind        string // what the mail is for: "invite", "reset" (free text, not empty)
	To          string // the recipient's address (column to_address)
	Subject     string // one line
	BodyText    string // plain text; "" once sent or given up, and in ListOutbox
	CalendarICS string // an iCalendar object (with a METHOD) to send beside the text, or none; "" as BodyText is
	CreatedAt   time.Time
	SendAfter   time.Time // not sent before; EnqueueMail defaults it to the transaction's instant
	Attempts    int       // failed attempts so far
	LastError   string    // the last failure, at most MaxMailError bytes
	LockedUntil time.Time // a worker's lease (ClaimMail); zero when none
	SentAt      time.Time // zero until sent
	FailedAt    time.Time // zero unless given up
}

// Limits of an outbox mail's fields.
const (
	MaxMailKind    = 32  // bytes of Kind
	MaxMailSubject = 200 // characters of Subject
	MaxMailError   = 500 // bytes of LastError kept

	MaxMailCalendar = 64 << 10 // bytes of CalendarICS: one meeting is a few kilobytes
)

func (m *OutboxMail) validate() error {
	var ps iep.Problems
	if strings.TrimSpace(m.DistrictID) == "" {
		ps = append(ps, iep.Problem{Field: "district_id", Code: iep.CodeRequired})
	}
	switch {
	case strings.TrimSpace(m.Kind) == "":
		ps = append(ps, iep.Problem{Field: "kind", Code: iep.CodeRequired})
	case len(m.Kind) > MaxMailKind:
		ps = append(ps, iep.Problem{Field: "kind", Code: iep.CodeTooLong, Detail: fmt.Sprint(MaxMailKind)})
	}
	to := m.To
	if at := strings.IndexByte(to, '@'); at < 1 || at == len(to)-1 || len(to) > 254 ||
		strings.ContainsAny(to, " \t\r\n<>,;\"") {
		ps = append(ps, iep.Problem{Field: "to_address", Code: iep.CodeInvalid, Detail: "an e-mail address such as name@district.org"})
	}
	switch {
	case strings.TrimSpace(m.Subject) == "":
		ps = append(ps, iep.Problem{Field: "subject", Code: iep.CodeRequired})
	case strings.ContainsAny(m.Subject, "\r\n"):
		ps = append(ps, iep.Problem{Field: "subject", Code: iep.CodeInvalid, Detail: "one line"})
	case len([]rune(m.Subject)) > MaxMailSubject:
		ps = append(ps, iep.Problem{Field: "subject", Code: iep.CodeTooLong, Detail: fmt.Sprint(MaxMailSubject)})
	}
	if strings.TrimSpace(m.BodyText) == "" {
		ps = append(ps, iep.Problem{Field: "body_text", Code: iep.CodeRequired})
	}
	if p, ok := checkCalendar(m.CalendarICS); !ok {
		ps = append(ps, p)
	}
	return ps.Err()
}

// checkCalendar checks an outbox mail's calendar, when it has one: UTF-8, an iCalendar object
// (it begins BEGIN:VCALENDAR), within MaxMailCalendar. The mail package composes it (and
// checks its METHOD) only when it sends the mail; what is refused here cannot be stored at all.
func checkCalendar(ics string) (iep.Problem, bool) {
	switch {
	case ics == "":
		return iep.Problem{}, true
	case len(ics) > MaxMailCalendar:
		return iep.Problem{Field: "calendar_ics", Code: iep.CodeInvalid,
			Detail: fmt.Sprintf("at most %d bytes", MaxMailCalendar)}, false
	case !utf8.ValidString(ics) || !strings.HasPrefix(strings.ToUpper(ics), "BEGIN:VCALENDAR"):
		return iep.Problem{Field: "calendar_ics", Code: iep.CodeInvalid,
			Detail: "an iCalendar object (BEGIN:VCALENDAR)"}, false
	}
	return iep.Problem{}, true
}

// EnqueueMail stores a mail to send, in the caller's transaction: a use case writes a link's
// token and the mail that carries it together. It sets m.ID (when empty) and m.CreatedAt, and
// m.SendAfter to the transaction's instant when zero; the outcome fields start empty. Errors:
// invalid (a field; a district that does not exist).
func (tx *Tx) EnqueueMail(ctx context.Context, m *OutboxMail) error {
	if err := m.validate(); err != nil {
		return err
	}
	if err := ensureID(&m.ID); err != nil {
		return err
	}
	m.CreatedAt = tx.now
	if m.SendAfter.IsZero() {
		m.SendAfter = tx.now
	}
	m.SendAfter = m.SendAfter.UTC().Truncate(time.Microsecond)
	m.Attempts, m.LastError = 0, ""
	m.LockedUntil, m.SentAt, m.FailedAt = time.Time{}, time.Time{}, time.Time{}
	d := tx.db.d
	var cal any // NULL for a mail without a calendar
	if m.CalendarICS != "" {
		cal = m.CalendarICS
	}
	_, err := tx.exec(ctx, `INSERT INTO mail_outbox (district_id, id, kind, to_address, subject, body_text,
		created_at, send_after, calendar_ics) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		m.DistrictID, m.ID, m.Kind, m.To, m.Subject, m.BodyText, d.instant(m.CreatedAt), d.instant(m.SendAfter), cal)
	return wrap(err, "enqueue mail %s", m.ID)
}

// outboxCalendar reads calendar_ics, "" for NULL; ListOutbox replaces it, as body_text.
const outboxCalendar = `COALESCE(calendar_ics, '')`

const outboxCols = `district_id, id, kind, to_address, subject, body_text, created_at, send_after,
	attempts, last_error, locked_until, sent_at, failed_at, ` + outboxCalendar

func scanOutbox(r row, m *OutboxMail) error {
	return r.Scan(&m.DistrictID, &m.ID, &m.Kind, &m.To, &m.Subject, &m.BodyText, instant{&m.CreatedAt},
		instant{&m.SendAfter}, &m.Attempts, &m.LastError, instant{&m.LockedUntil}, instant{&m.SentAt},
		instant{&m.FailedAt}, &m.CalendarICS)
}

// ClaimMail takes up to limit due mails of every district — not sent, not given up, SendAfter
// at or before now, and not leased or with a lease that has run out — leases them until now plus
// lease, and returns them (with their bodies and calendars) by SendAfter. The lease keeps other
// workers off while this one sends; if it dies, the mail is due again when the lease runs out,
// so a mail is sent at least once, and twice only when a worker outlives its lease.
//
// It is one statement in its own transaction, safe when several instances claim at once: on
// PostgreSQL the due rows are selected FOR NO KEY UPDATE SKIP LOCKED (a concurrent claimer
// skips them rather than waiting, and re-checks a row another claimer just leased), and
// SQLite's single writer runs the UPDATE … RETURNING alone. Errors: invalid (limit below 1, a
// lease under a second).
func (db *DB) ClaimMail(ctx context.Context, limit int, lease time.Duration) ([]OutboxMail, error) {
	var ps iep.Problems
	if limit < 1 {
		ps = append(ps, iep.Problem{Field: "limit", Code: iep.CodeRange, Detail: "1.."})
	}
	if lease < time.Second {
		ps = append(ps, iep.Problem{Field: "lease", Code: iep.CodeRange, Detail: "1s.."})
	}
	if err := ps.Err(); err != nil {
		return nil, err
	}
	lock := ""
	if db.d.forUpdate != "" {
		lock = db.d.forUpdate + " SKIP LOCKED"
	}
	// MATERIALIZED: the due rows are chosen (and on PostgreSQL locked) once, before the UPDATE.
	q := `WITH due AS MATERIALIZED (SELECT district_id, id FROM mail_outbox
		WHERE sent_at IS NULL AND failed_at IS NULL AND send_after <= $1
		AND (locked_until IS NULL OR locked_until <= $1)
		ORDER BY send_after, id LIMIT $3` + lock + `)
		UPDATE mail_outbox SET locked_until = $2
		WHERE (district_id, id) IN (SELECT district_id, id FROM due)
		RETURNING ` + outboxCols
	var out []OutboxMail
	err := db.Write(ctx, func(tx *Tx) error {
		var err error
		out, err = list(ctx, tx, scanOutbox, q, tx.db.d.instant(tx.now), tx.db.d.instant(tx.now.Add(lease)), int64(limit))
		return err
	})
	if err != nil {
		return nil, wrap(err, "claim mail")
	}
	slices.SortFunc(out, func(a, b OutboxMail) int {
		if c := a.SendAfter.Compare(b.SendAfter); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// MarkMailSent records that the mail was delivered (to the SMTP server): it sets SentAt to the
// transaction's instant (keeping the first one), blanks the body, whose one-time links must not
// stay in the database, and the calendar, and drops the lease. Errors: not found.
func (tx *Tx) MarkMailSent(ctx context.Context, districtID, id string) error {
	ok, err := tx.execOne(ctx, `UPDATE mail_outbox SET sent_at = COALESCE(sent_at, $3), failed_at = NULL,
		body_text = '', calendar_ics = NULL, locked_until = NULL WHERE district_id = $1 AND id = $2`,
		districtID, id, tx.db.d.instant(tx.now))
	if err != nil {
		return wrap(err, "mark mail %s sent", id)
	}
	if !ok {
		return notFound("mail", id)
	}
	return nil
}

// MarkMailFailed records a failed attempt: Attempts + 1, LastError = errText cut to
// MaxMailError bytes (it must name no person: the worker passes the server's reply), and the
// lease dropped. When giveUp, FailedAt is set to the transaction's instant and the body and
// calendar blanked: the mail is never claimed again; otherwise it is due again at retryAt. A
// mail already sent or given up is left as it is. Errors: invalid (a zero retryAt without
// giveUp), not found.
func (tx *Tx) MarkMailFailed(ctx context.Context, districtID, id, errText string, retryAt time.Time, giveUp bool) error {
	if !giveUp && retryAt.IsZero() {
		return iep.Problems{{Field: "retry_at", Code: iep.CodeRequired}}.Err()
	}
	errText = truncateUTF8(errText, MaxMailError)
	d := tx.db.d
	var ok bool
	var err error
	if giveUp {
		ok, err = tx.execOne(ctx, `UPDATE mail_outbox SET attempts = attempts + 1, last_error = $3,
			locked_until = NULL, failed_at = $4, body_text = '', calendar_ics = NULL
			WHERE district_id = $1 AND id = $2 AND sent_at IS NULL AND failed_at IS NULL`,
			districtID, id, errText, d.instant(tx.now))
	} else {
		ok, err = tx.execOne(ctx, `UPDATE mail_outbox SET attempts = attempts + 1, last_error = $3,
			locked_until = NULL, send_after = $4
			WHERE district_id = $1 AND id = $2 AND sent_at IS NULL AND failed_at IS NULL`,
			districtID, id, errText, d.instant(retryAt))
	}
	if err != nil {
		return wrap(err, "mark mail %s failed", id)
	}
	if ok {
		return nil
	}
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM mail_outbox WHERE district_id = $1 AND id = $2`,
		districtID, id).Scan(&n); err != nil {
		return wrap(err, "read mail %s", id)
	}
	if n == 0 {
		return notFound("mail", id)
	}
	return nil
}

// ListOutbox returns the district's mails newest first, without their bodies and calendars,
// for an administrator's view of what was sent, is waiting or failed. limit caps how many (the
// newest); limit <= 0 returns them all.
func (db *DB) ListOutbox(ctx context.Context, districtID string, limit int) ([]OutboxMail, error) {
	lim := int64(limit)
	if limit <= 0 {
		lim = 1<<63 - 1
	}
	cols := strings.NewReplacer("body_text", "''", outboxCalendar, "''").Replace(outboxCols)
	out, err := list(ctx, db, scanOutbox, `SELECT `+cols+`
		FROM mail_outbox WHERE district_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, districtID, lim)
	if err != nil {
		return nil, fmt.Errorf("store: list the outbox of district %s: %w", districtID, err)
	}
	return out, nil
}

// DeleteOldMail deletes the mails, of every district, sent or given up before before, and
// returns how many: their addresses need not be kept once the outcome is old. Mail still
// waiting is kept whatever its age. Safe to run from several instances at once.
func (tx *Tx) DeleteOldMail(ctx context.Context, before time.Time) (int64, error) {
	b := tx.db.d.instant(before)
	res, err := tx.exec(ctx, `DELETE FROM mail_outbox WHERE sent_at < $1 OR failed_at < $1`, b)
	if err != nil {
		return 0, wrap(err, "delete old mail")
	}
	return res.RowsAffected()
}
