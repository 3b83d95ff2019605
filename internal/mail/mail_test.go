package mail

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"testing"
	"time"
)

var day = time.Date(2030, 9, 1, 14, 30, 0, 0, time.FixedZone("EDT", -4*3600))

func parse(t *testing.T, raw []byte) (*netmail.Message, string) {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the composed message: %v\n%s", err, raw)
	}
	if m.Header.Get("Content-Transfer-Encoding") != "quoted-printable" {
		t.Fatalf("Content-Transfer-Encoding = %q", m.Header.Get("Content-Transfer-Encoding"))
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatalf("body is not quoted-printable: %v", err)
	}
	return m, string(body)
}

func TestComposeHeaders(t *testing.T) {
	raw, err := Compose(Message{From: "OpenIEP <no-reply@riverside.k12.ma.us>", To: "ana@example.org",
		Subject: "Your invitation", Text: "Hello,\nopen the link.\n",
		Headers: map[string]string{"Auto-Submitted": "auto-generated", "X-Kind": "invite"}}, day)
	if err != nil {
		t.Fatal(err)
	}
	m, body := parse(t, raw)
	h := m.Header
	want := map[string]string{
		"From":           `"OpenIEP" <no-reply@riverside.k12.ma.us>`,
		"To":             "<ana@example.org>",
		"Subject":        "Your invitation",
		"Mime-Version":   "1.0",
		"Content-Type":   "text/plain; charset=utf-8",
		"Auto-Submitted": "auto-generated",
		"X-Kind":         "invite",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if d, err := h.Date(); err != nil || !d.Equal(day) {
		t.Errorf("Date = %v, %v; want %v", d, err, day)
	}
	id := h.Get("Message-Id")
	if !regexp.MustCompile(`^<[0-9a-f]{32}@riverside\.k12\.ma\.us>$`).MatchString(id) {
		t.Errorf("Message-ID = %q, want <32 hex digits@the From domain>", id)
	}
	again, _ := Compose(Message{From: "no-reply@riverside.k12.ma.us", To: "ana@example.org", Subject: "x", Text: "y"}, day)
	m2, _ := parse(t, again)
	if m2.Header.Get("Message-Id") == id {
		t.Error("two messages have the same Message-ID")
	}
	if body != "Hello,\r\nopen the link.\r\n" {
		t.Errorf("body = %q", body)
	}
	// CRLF everywhere: no bare LF or CR, and no line over 78 bytes here.
	for i, line := range strings.Split(string(raw), "\r\n") {
		if strings.ContainsAny(line, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i, line)
		}
		if len(line) > 78 {
			t.Errorf("line %d is %d bytes long", i, len(line))
		}
	}
	if !bytes.HasSuffix(raw, []byte("\r\n")) || !bytes.Contains(raw, []byte("\r\n\r\n")) {
		t.Error("message does not end in CRLF or has no blank line after the header")
	}
}

func TestComposeEncoding(t *testing.T) {
	subject := "Invitación a OpenIEP — plan de educación individualizada de su hijo, por favor lea esto con atención"
	text := "Hola María,\r\nabra el enlace: https://iep.example.org/invite/" + strings.Repeat("a", 120) +
		"\rlínea dos\n=3D no es un escape\n.una línea con punto\n"
	raw, err := Compose(Message{From: "Distrito Escolar <no-reply@example.org>", To: "José Pérez <jose@example.org>",
		Subject: subject, Text: text}, day)
	if err != nil {
		t.Fatal(err)
	}
	header, bodyPart, _ := strings.Cut(string(raw), "\r\n\r\n")
	for i, line := range strings.Split(header, "\r\n") {
		if len(line) > 998 {
			t.Errorf("header line %d is %d bytes long", i, len(line))
		}
		for _, w := range regexp.MustCompile(`=\?[^ ]*\?=`).FindAllString(line, -1) {
			if len(w) > 75 {
				t.Errorf("encoded word of %d bytes (RFC 2047: 75 at most): %q", len(w), w)
			}
		}
	}
	for i, line := range strings.Split(bodyPart, "\r\n") {
		if len(line) > 76 {
			t.Errorf("body line %d is %d bytes long (quoted-printable: 76 at most): %q", i, len(line), line)
		}
	}
	for i, line := range strings.Split(string(raw), "\r\n") {
		for j := 0; j < len(line); j++ {
			if line[j] >= 0x80 {
				t.Fatalf("line %d is not 7-bit: %q", i, line)
			}
		}
	}
	m, body := parse(t, raw)
	enc := m.Header.Get("Subject")
	if !strings.HasPrefix(enc, "=?utf-8?q?") {
		t.Errorf("Subject not Q-encoded: %q", enc)
	}
	dec, err := new(mime.WordDecoder).DecodeHeader(enc)
	if err != nil || dec != subject {
		t.Errorf("Subject decodes to %q, %v; want %q", dec, err, subject)
	}
	to, err := m.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "José Pérez" || to[0].Address != "jose@example.org" {
		t.Errorf("To = %v, %v", to, err)
	}
	wantBody := strings.ReplaceAll(strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n"), "\n", "\r\n")
	if body != wantBody {
		t.Errorf("body = %q\nwant  %q", body, wantBody)
	}
	// A body without a final line end gets one.
	raw, _ = Compose(Message{From: "a@example.org", To: "b@example.org", Subject: "s", Text: "no end"}, day)
	if _, body := parse(t, raw); body != "no end\r\n" {
		t.Errorf("body = %q, want a final CRLF", body)
	}
}

func TestComposeRefuses(t *testing.T) {
	ok := Message{From: "no-reply@example.org", To: "ana@example.org", Subject: "Hello", Text: "Body"}
	cases := []struct {
		name      string
		edit      func(*Message)
		injection bool
	}{
		{"subject with CRLF", func(m *Message) { m.Subject = "Hello\r\nBcc: all@example.org" }, true},
		{"subject with LF", func(m *Message) { m.Subject = "Hello\nBcc: all@example.org" }, true},
		{"subject with CR", func(m *Message) { m.Subject = "Hello\rX: y" }, true},
		{"to with CRLF", func(m *Message) { m.To = "ana@example.org\r\nBcc: all@example.org" }, true},
		{"from with LF", func(m *Message) { m.From = "x@example.org\nBcc: all@example.org" }, true},
		{"extra header with CRLF", func(m *Message) { m.Headers = map[string]string{"X-A": "1\r\n\r\nbody"} }, true},
		{"to not an address", func(m *Message) { m.To = "not an address" }, false},
		{"two recipients", func(m *Message) { m.To = "a@example.org, b@example.org" }, false},
		{"no from", func(m *Message) { m.From = "" }, false},
		{"empty subject", func(m *Message) { m.Subject = " " }, false},
		{"replacing Subject", func(m *Message) { m.Headers = map[string]string{"subject": "other"} }, false},
		{"replacing Content-Type", func(m *Message) { m.Headers = map[string]string{"Content-Type": "text/html"} }, false},
		{"bad header name", func(m *Message) { m.Headers = map[string]string{"X A:": "v"} }, false},
		{"invalid UTF-8", func(m *Message) { m.Text = "\xff\xfe" }, false},
		{"too long a line", func(m *Message) { m.Headers = map[string]string{"X-Long": strings.Repeat("a", 1000)} }, false},
	}
	for _, c := range cases {
		m := ok
		c.edit(&m)
		raw, err := Compose(m, day)
		if err == nil {
			t.Errorf("%s: composed\n%s", c.name, raw)
			continue
		}
		if !errors.Is(err, ErrInvalidMessage) || errors.Is(err, ErrHeaderInjection) != c.injection {
			t.Errorf("%s: %v; want ErrInvalidMessage, header injection %v", c.name, err, c.injection)
		}
		for _, secret := range []string{"all@example.org", "ana@example.org", "Hello"} {
			if strings.Contains(err.Error(), secret) {
				t.Errorf("%s: the error %q repeats a value", c.name, err)
			}
		}
	}
	if _, err := Compose(ok, day); err != nil {
		t.Errorf("the valid message: %v", err)
	}
}

func TestLogSender(t *testing.T) {
	var buf bytes.Buffer
	s := &LogSender{W: &buf, From: "OpenIEP <no-reply@example.org>"}
	// A long link with '=' in it comes out as it is, to be copied (not quoted-printable).
	link := "https://iep.example.org/welcome?lang=en&token=" + strings.Repeat("AbC-d_9", 12) + "="
	if err := s.Send(context.Background(), Message{To: "ana@example.org", Subject: "Reset", Text: "Open:\n" + link + "\n"}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"not sent", "To: ana@example.org", "Subject: Reset", "\n" + link + "\n", "no-reply@example.org"} {
		if !strings.Contains(out, want) {
			t.Errorf("log sender output lacks %q:\n%s", want, out)
		}
	}
	if err := s.Send(context.Background(), Message{To: "ana@example.org", Subject: "a\nb", Text: "x"}); !errors.Is(err, ErrHeaderInjection) {
		t.Errorf("log sender with a header injection: %v", err)
	}
}

func TestBackoff(t *testing.T) {
	want := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour, 6 * time.Hour, 6 * time.Hour}
	for i, w := range want {
		d, giveUp := Backoff(i + 1)
		if d != w || giveUp {
			t.Errorf("Backoff(%d) = %v, %v; want %v, false", i+1, d, giveUp, w)
		}
	}
	if _, giveUp := Backoff(MaxAttempts); !giveUp || MaxAttempts != 8 {
		t.Errorf("Backoff(%d) does not give up", MaxAttempts)
	}
}

// testCalendar is a meeting invitation as package ical writes it: CRLF, folded, UTF-8.
const testCalendar = "BEGIN:VCALENDAR\r\nPRODID:-//openiep//openiep//EN\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\n" +
	"METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:m-1@openiep\r\nSEQUENCE:0\r\nDTSTAMP:20300901T183000Z\r\n" +
	"DTSTART:20300915T140000Z\r\nDTEND:20300915T150000Z\r\nSUMMARY:Réunion annuelle du PEI — révision des \r\n" +
	" services\r\nORGANIZER;CN=Dana Ortiz:mailto:dana@example.org\r\nSTATUS:CONFIRMED\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

// part is one part of a multipart body, decoded from its transfer encoding.
type part struct {
	header textproto.MIMEHeader
	body   string
}

// alternativeParts reads raw as a multipart/alternative message with net/mail and
// mime/multipart, and returns its header and its parts, decoded.
func alternativeParts(t *testing.T, raw []byte) (netmail.Header, []part) {
	t.Helper()
	m, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("net/mail cannot read the composed message: %v\n%s", err, raw)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" || params["boundary"] == "" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative with a boundary", m.Header.Get("Content-Type"), err)
	}
	// multipart.Reader decodes quoted-printable itself (and drops the header); base64 is ours.
	mr := multipart.NewReader(m.Body, params["boundary"])
	var out []part
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("part %d: %v", len(out)+1, err)
		}
		var r io.Reader = p
		switch p.Header.Get("Content-Transfer-Encoding") {
		case "quoted-printable":
			r = quotedprintable.NewReader(p)
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("part %d does not decode: %v", len(out)+1, err)
		}
		out = append(out, part{header: p.Header, body: string(b)})
	}
	return m.Header, out
}

func TestComposeCalendar(t *testing.T) {
	raw, err := Compose(Message{From: "OpenIEP <no-reply@riverside.k12.ma.us>", To: "ana@example.org",
		Subject: "Invitation: annual IEP review", Text: "Hello,\nthe meeting is on September 15.\n",
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}, Calendar: []byte(testCalendar)}, day)
	if err != nil {
		t.Fatal(err)
	}
	h, parts := alternativeParts(t, raw)
	if h.Get("Mime-Version") != "1.0" || h.Get("Auto-Submitted") != "auto-generated" || h.Get("Content-Transfer-Encoding") != "" {
		t.Errorf("header: %v", h)
	}
	if len(parts) != 2 {
		t.Fatalf("%d parts, want 2", len(parts))
	}
	text, cal := parts[0], parts[1]
	if text.header.Get("Content-Type") != "text/plain; charset=utf-8" || text.header.Get("Content-Transfer-Encoding") != "quoted-printable" ||
		text.body != "Hello,\r\nthe meeting is on September 15.\r\n" {
		t.Errorf("text part %v: %q", text.header, text.body)
	}
	if cal.header.Get("Content-Type") != "text/calendar; charset=utf-8; method=REQUEST" ||
		cal.header.Get("Content-Transfer-Encoding") != "base64" || cal.body != testCalendar {
		t.Errorf("calendar part %v: %q", cal.header, cal.body)
	}
	// 7-bit, CRLF everywhere, and base64 lines of 76 at most.
	for i, line := range strings.Split(string(raw), "\r\n") {
		if strings.ContainsAny(line, "\r\n") || len(line) > 78 {
			t.Errorf("line %d: %q", i, line)
		}
		for j := 0; j < len(line); j++ {
			if line[j] >= 0x80 {
				t.Fatalf("line %d is not 7-bit: %q", i, line)
			}
		}
	}
	if !bytes.HasSuffix(raw, []byte("--\r\n")) {
		t.Errorf("the multipart body is not closed: %q", raw[len(raw)-40:])
	}
}

func TestComposeCalendarMethod(t *testing.T) {
	cancel := strings.Replace(testCalendar, "METHOD:REQUEST", "METHOD:CANCEL", 1)
	none := strings.Replace(testCalendar, "METHOD:REQUEST\r\n", "", 1)
	folded := strings.Replace(testCalendar, "METHOD:REQUEST", "METH\r\n OD:cancel", 1)
	for _, c := range []struct{ ics, want string }{{cancel, "CANCEL"}, {none, "REQUEST"}, {folded, "CANCEL"}} {
		raw, err := Compose(Message{From: "a@example.org", To: "b@example.org", Subject: "s", Text: "t", Calendar: []byte(c.ics)}, day)
		if err != nil {
			t.Fatal(err)
		}
		_, parts := alternativeParts(t, raw)
		if got := parts[1].header.Get("Content-Type"); got != "text/calendar; charset=utf-8; method="+c.want || parts[1].body != c.ics {
			t.Errorf("Content-Type %q, want method %s", got, c.want)
		}
	}
	for name, ics := range map[string]string{
		"not UTF-8":           testCalendar + "\xff",
		"a METHOD with space": strings.Replace(testCalendar, "METHOD:REQUEST", "METHOD:REQUEST X", 1),
		"an empty METHOD":     strings.Replace(testCalendar, "METHOD:REQUEST", "METHOD:", 1),
		"a non-ASCII METHOD":  strings.Replace(testCalendar, "METHOD:REQUEST", "METHOD:RÉQUEST", 1),
	} {
		_, err := Compose(Message{From: "a@example.org", To: "b@example.org", Subject: "s", Text: "t", Calendar: []byte(ics)}, day)
		if !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("a calendar with %s: %v; want ErrInvalidMessage", name, err)
		}
	}
}

func TestLogSenderCalendar(t *testing.T) {
	var buf bytes.Buffer
	s := &LogSender{W: &buf, From: "no-reply@example.org"}
	if err := s.Send(context.Background(), Message{To: "ana@example.org", Subject: "Meeting", Text: "See you.",
		Calendar: []byte(testCalendar)}); err != nil {
		t.Fatal(err)
	}
	if out := buf.String(); !strings.Contains(out, "method REQUEST") || strings.Contains(out, "Dana Ortiz") {
		t.Errorf("log sender output with a calendar:\n%s", out)
	}
}
