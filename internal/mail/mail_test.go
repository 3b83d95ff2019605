package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	netmail "net/mail"
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
