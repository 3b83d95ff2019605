// Package mail sends openiep's e-mail: invitations and password resets, whose links let a
// person set a password. Nothing sends mail directly from a request: a use case writes the mail
// to the store's outbox (store.Tx.EnqueueMail) in the transaction that creates the link, and a
// Worker, running beside the web server in every instance, claims due mail, hands it to a Sender
// and records the outcome, retrying with backoff and giving up after MaxAttempts. A mail is
// sent at least once; twice only when a worker outlives its lease on it.
//
// Compose builds the message (RFC 5322, UTF-8 plain text, quoted-printable; with a meeting
// invitation, multipart/alternative with a text/calendar part beside the text) and refuses
// header values with CR or LF. SMTP sends it through a relay with the standard library's
// net/smtp: STARTTLS when offered (required before a password leaves for another host),
// implicit TLS, AUTH PLAIN. LogSender writes it to a stream instead, for a demo without a mail
// server.
//
// Privacy: a mail's address, subject and body are personal data (the body holds a one-time
// link). This package never logs them: the Worker logs ids, kinds, attempts and SMTP reply
// codes, and the store blanks the body (and a meeting invitation's calendar, which names the
// people invited) once the mail is sent or given up.
package mail

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Message is one e-mail to compose. From and To are addresses, bare ("a@b.org") or with a
// display name ("OpenIEP <no-reply@b.org>"); Subject is one line; Text is the plain-text body
// (any line ends: Compose writes CRLF). Headers adds headers such as "Auto-Submitted"; it may
// not replace the ones Compose writes. Calendar, optional, is an iCalendar object with a METHOD
// (a meeting invitation or cancellation, see package ical), sent beside the text so that the
// recipient's mail program offers to add the meeting to a calendar.
type Message struct {
	From     string
	To       string
	Subject  string
	Text     string
	Headers  map[string]string
	Calendar []byte
}

// ErrInvalidMessage is the error, wrapped, for a message that cannot be composed: it will not
// compose on a later attempt either.
var ErrInvalidMessage = errors.New("mail: invalid message")

// ErrHeaderInjection is the error, wrapped, for a header value containing CR or LF, which would
// let it add headers (a Bcc) or start the body. It wraps ErrInvalidMessage.
var ErrHeaderInjection = fmt.Errorf("%w: a header value contains CR or LF", ErrInvalidMessage)

// invalid returns an ErrInvalidMessage naming the field; never its value, which may be
// personal data.
func invalid(field, why string) error {
	return fmt.Errorf("%w: %s %s", ErrInvalidMessage, field, why)
}

// ownHeaders are the headers Compose writes itself.
var ownHeaders = []string{"Date", "From", "To", "Subject", "Message-Id", "Mime-Version",
	"Content-Type", "Content-Transfer-Encoding"}

// maxLine is the longest line RFC 5322 allows, without its CRLF.
const maxLine = 998

// Compose builds m as an RFC 5322 message dated now: Date, From, To, Subject (RFC 2047
// Q-encoded when not ASCII), a random Message-ID at the From address's domain, MIME-Version,
// then the extra headers in name order, and the body as UTF-8 text/plain, quoted-printable
// (so that no line is too long and any text survives a 7-bit relay). With a Calendar, the body
// is multipart/alternative instead: that text part, then the calendar as text/calendar with the
// object's METHOD (REQUEST when it has none), in base64. Every line ends in CRLF. Errors wrap
// ErrInvalidMessage: an address that does not parse, a header value with CR or LF
// (ErrHeaderInjection), a header Compose writes itself, a header name or line that is not
// allowed, a Calendar that is not UTF-8 or whose METHOD is not a token. They name the field,
// never its value.
func Compose(m Message, now time.Time) ([]byte, error) {
	for _, f := range []struct{ name, v string }{{"From", m.From}, {"To", m.To}, {"Subject", m.Subject}} {
		if strings.ContainsAny(f.v, "\r\n") {
			return nil, fmt.Errorf("%w (%s)", ErrHeaderInjection, f.name)
		}
	}
	from, err := netmail.ParseAddress(m.From)
	if err != nil {
		return nil, invalid("From", "is not an e-mail address")
	}
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return nil, invalid("To", "is not an e-mail address")
	}
	if strings.TrimSpace(m.Subject) == "" {
		return nil, invalid("Subject", "is empty")
	}
	if !utf8.ValidString(m.Subject) || !utf8.ValidString(m.Text) {
		return nil, invalid("Subject or Text", "is not UTF-8")
	}
	id, err := messageID(from.Address)
	if err != nil {
		return nil, err
	}
	var cal *calendarPart
	if len(m.Calendar) > 0 {
		if cal, err = newCalendarPart(m.Calendar); err != nil {
			return nil, err
		}
	}

	var b strings.Builder
	header := func(name, value string) error {
		line := name + ": " + value
		for l := range strings.SplitSeq(line, "\r\n") {
			if len(l) > maxLine {
				return invalid(name, "makes a line longer than 998 bytes")
			}
		}
		b.WriteString(line + "\r\n")
		return nil
	}
	headers := [][2]string{
		{"Date", now.Format(time.RFC1123Z)},
		{"From", from.String()},
		{"To", to.String()},
		{"Subject", encodeHeader(m.Subject)},
		{"Message-ID", id},
		{"MIME-Version", "1.0"},
	}
	if cal == nil {
		headers = append(headers, textHeaders...)
	} else {
		headers = append(headers, [2]string{"Content-Type", "multipart/alternative; boundary=" + cal.boundary})
	}
	names := make([]string, 0, len(m.Headers))
	for name := range m.Headers {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		v := m.Headers[name]
		if !validHeaderName(name) {
			return nil, invalid("a header name", "is not a valid field name")
		}
		if slices.Contains(ownHeaders, textproto.CanonicalMIMEHeaderKey(name)) {
			return nil, invalid(name, "is written by Compose")
		}
		if strings.ContainsAny(v, "\r\n") {
			return nil, fmt.Errorf("%w (%s)", ErrHeaderInjection, name)
		}
		if !utf8.ValidString(v) {
			return nil, invalid(name, "is not UTF-8")
		}
		headers = append(headers, [2]string{name, encodeHeader(v)})
	}
	for _, h := range headers {
		if err := header(h[0], h[1]); err != nil {
			return nil, err
		}
	}
	b.WriteString("\r\n")

	if cal == nil {
		err = writeText(&b, m.Text)
	} else {
		err = cal.writeAlternative(&b, m.Text)
	}
	if err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

// textHeaders describe the text part: the whole body of a message without a calendar, the first
// part of one with.
var textHeaders = [][2]string{
	{"Content-Type", "text/plain; charset=utf-8"},
	{"Content-Transfer-Encoding", "quoted-printable"},
}

// writeText writes text quoted-printable, its line ends made CRLF and a last one added.
func writeText(w io.Writer, text string) error {
	// One form of line end in, CRLF out (quotedprintable's text mode writes CRLF).
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	qp := quotedprintable.NewWriter(w)
	if _, err := io.WriteString(qp, text); err != nil {
		return fmt.Errorf("mail: encode the body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return fmt.Errorf("mail: encode the body: %w", err)
	}
	return nil
}

// calendarPart is a message's iCalendar object, checked, with the boundary of the
// multipart/alternative body that carries it.
type calendarPart struct {
	ics         []byte
	contentType string // text/calendar with the charset and the object's method
	boundary    string
}

// newCalendarPart checks ics (UTF-8, a METHOD that is a token) and picks a random boundary.
func newCalendarPart(ics []byte) (*calendarPart, error) {
	if !utf8.Valid(ics) {
		return nil, invalid("Calendar", "is not UTF-8")
	}
	method := calendarMethod(ics)
	if !ianaToken(method) {
		return nil, invalid("Calendar", "has a METHOD that is not a token")
	}
	ct := mime.FormatMediaType("text/calendar", map[string]string{"charset": "utf-8", "method": method})
	boundary, err := newBoundary()
	if err != nil {
		return nil, err
	}
	return &calendarPart{ics: ics, contentType: ct, boundary: boundary}, nil
}

// newBoundary returns a random multipart boundary of 32 hex digits: they need no quoting, keep
// the Content-Type line within 78 characters, and cannot occur in the parts (quoted-printable
// and base64 lines never begin with "--").
func newBoundary() (string, error) {
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", fmt.Errorf("mail: boundary: %w", err)
	}
	return hex.EncodeToString(r[:]), nil
}

// calendarMethod returns the value of the object's METHOD property (RFC 5545, after
// unfolding), upper-cased, or REQUEST when it has none.
func calendarMethod(ics []byte) string {
	s := strings.NewReplacer("\r\n ", "", "\r\n\t", "", "\n ", "", "\n\t", "").Replace(string(ics))
	for line := range strings.Lines(s) {
		name, value, ok := strings.Cut(strings.TrimRight(line, "\r\n"), ":")
		if ok && strings.EqualFold(name, "METHOD") {
			return strings.ToUpper(strings.TrimSpace(value))
		}
	}
	return "REQUEST"
}

// ianaToken reports whether s is an RFC 5545 iana-token (letters, digits and '-'), as a METHOD
// is: such a value goes into the Content-Type header as it is.
func ianaToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// writeAlternative writes the multipart/alternative body: the text, quoted-printable, then the
// calendar, base64 in lines of 76.
func (c *calendarPart) writeAlternative(w io.Writer, text string) error {
	mw := multipart.NewWriter(w)
	if err := mw.SetBoundary(c.boundary); err != nil {
		return fmt.Errorf("mail: boundary: %w", err)
	}
	th := textproto.MIMEHeader{}
	for _, h := range textHeaders {
		th.Set(h[0], h[1])
	}
	pw, err := mw.CreatePart(th)
	if err != nil {
		return fmt.Errorf("mail: text part: %w", err)
	}
	if err := writeText(pw, text); err != nil {
		return err
	}
	pw, err = mw.CreatePart(textproto.MIMEHeader{"Content-Type": {c.contentType}, "Content-Transfer-Encoding": {"base64"}})
	if err != nil {
		return fmt.Errorf("mail: calendar part: %w", err)
	}
	if _, err := io.WriteString(pw, base64Lines(c.ics)); err != nil {
		return fmt.Errorf("mail: calendar part: %w", err)
	}
	if err := mw.Close(); err != nil {
		return fmt.Errorf("mail: close the body: %w", err)
	}
	return nil
}

// base64Lines encodes b in base64, in lines of at most 76 characters (RFC 2045), each ending
// in CRLF.
func base64Lines(b []byte) string {
	enc := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for len(enc) > 76 {
		out.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	out.WriteString(enc + "\r\n")
	return out.String()
}

// encodeHeader returns v as is when it is printable ASCII, else as RFC 2047 Q-encoded words of
// UTF-8, one per folded line (each encoded word is at most 75 characters).
func encodeHeader(v string) string {
	ascii := true
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			ascii = false
			break
		}
	}
	if ascii {
		return v
	}
	// The encoded text has no spaces (Q-encoding writes them as '_'), so the spaces of the result
	// separate the encoded words.
	return strings.ReplaceAll(mime.QEncoding.Encode("utf-8", v), " ", "\r\n ")
}

// validHeaderName reports whether name is an RFC 5322 field name: printable ASCII but colon.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= 0x20 || c >= 0x7f || c == ':' {
			return false
		}
	}
	return true
}

// messageID returns a new random Message-ID at the domain of the address from.
func messageID(from string) (string, error) {
	at := strings.LastIndexByte(from, '@')
	if at < 0 || at == len(from)-1 {
		return "", invalid("From", "has no domain")
	}
	var r [16]byte
	if _, err := rand.Read(r[:]); err != nil {
		return "", fmt.Errorf("mail: message id: %w", err)
	}
	return "<" + hex.EncodeToString(r[:]) + "@" + from[at+1:] + ">", nil
}

// Sender delivers one message, or says why not. An error of a failed SMTP step is an *Error.
// Send must be safe for concurrent use.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// LogSender is a Sender that writes each message to W instead of sending it, readably (the
// From, To and Subject, then the text as typed, not in its transfer encoding, so that a link can
// be copied from it, and the method of a calendar part, not its content), after a line saying
// so: for a demo or a development machine without a mail server. The messages hold one-time
// links and addresses, so W must not be a log that is kept or shipped: never use it in
// production. From is used for a message without one. Use it by pointer.
type LogSender struct {
	W    io.Writer
	From string

	mu sync.Mutex
}

// Send composes m with the current time and writes it to s.W.
func (s *LogSender) Send(ctx context.Context, m Message) error {
	if m.From == "" {
		m.From = s.From
	}
	// Composed only to refuse what a server would refuse (header injection, bad addresses).
	if _, err := Compose(m, time.Now()); err != nil {
		return err
	}
	cal := ""
	if len(m.Calendar) > 0 {
		cal = "(with a calendar part, method " + calendarMethod(m.Calendar) + ")\n"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := fmt.Fprintf(s.W, "----- mail not sent (log sender) -----\nFrom: %s\nTo: %s\nSubject: %s\n\n%s\n%s----- end of mail -----\n",
		m.From, m.To, m.Subject, strings.TrimRight(m.Text, "\n"), cal); err != nil {
		return fmt.Errorf("mail: log sender: %w", err)
	}
	return nil
}
