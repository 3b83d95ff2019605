// Package mail sends openiep's e-mail: invitations and password resets, whose links let a
// person set a password. Nothing sends mail directly from a request: a use case writes the mail
// to the store's outbox (store.Tx.EnqueueMail) in the transaction that creates the link, and a
// Worker, running beside the web server in every instance, claims due mail, hands it to a Sender
// and records the outcome, retrying with backoff and giving up after MaxAttempts. A mail is
// sent at least once; twice only when a worker outlives its lease on it.
//
// Compose builds the message (RFC 5322, UTF-8 plain text, quoted-printable) and refuses header
// values with CR or LF. SMTP sends it through a relay with the standard library's net/smtp:
// STARTTLS when offered (required before a password leaves for another host), implicit TLS,
// AUTH PLAIN. LogSender writes it to a stream instead, for a demo without a mail server.
//
// Privacy: a mail's address, subject and body are personal data (the body holds a one-time
// link). This package never logs them: the Worker logs ids, kinds, attempts and SMTP reply
// codes, and the store blanks the body once the mail is sent or given up.
package mail

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
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
// not replace the ones Compose writes.
type Message struct {
	From    string
	To      string
	Subject string
	Text    string
	Headers map[string]string
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
// (so that no line is too long and any text survives a 7-bit relay). Every line ends in CRLF.
// Errors wrap ErrInvalidMessage: an address that does not parse, a header value with CR or LF
// (ErrHeaderInjection), a header Compose writes itself, a header name or line that is not
// allowed. They name the field, never its value.
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
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "quoted-printable"},
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

	// One form of line end in, CRLF out (quotedprintable's text mode writes CRLF).
	text := strings.ReplaceAll(strings.ReplaceAll(m.Text, "\r\n", "\n"), "\r", "\n")
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	qp := quotedprintable.NewWriter(&b)
	if _, err := io.WriteString(qp, text); err != nil {
		return nil, fmt.Errorf("mail: encode the body: %w", err)
	}
	if err := qp.Close(); err != nil {
		return nil, fmt.Errorf("mail: encode the body: %w", err)
	}
	return []byte(b.String()), nil
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
// be copied from it), after a line saying so: for a demo or a development machine without a mail
// server. The messages hold one-time links and addresses, so W must not be a log that is kept
// or shipped: never use it in production. From is used for a message without one. Use it by
// pointer.
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
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := fmt.Fprintf(s.W, "----- mail not sent (log sender) -----\nFrom: %s\nTo: %s\nSubject: %s\n\n%s\n----- end of mail -----\n",
		m.From, m.To, m.Subject, strings.TrimRight(m.Text, "\n")); err != nil {
		return fmt.Errorf("mail: log sender: %w", err)
	}
	return nil
}
