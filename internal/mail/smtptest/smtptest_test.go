package smtptest

import (
	"encoding/base64"
	"net/textproto"
	"runtime"
	"slices"
	"testing"
	"time"
)

// converse sends each command and checks the code of its reply.
func converse(t *testing.T, c *textproto.Conn, steps [][2]any) {
	t.Helper()
	for _, s := range steps {
		cmd, want := s[0].(string), s[1].(int)
		if err := c.PrintfLine("%s", cmd); err != nil {
			t.Fatal(err)
		}
		if _, _, err := c.ReadResponse(want); err != nil {
			t.Fatalf("%q: %v, want %d", cmd, err, want)
		}
	}
}

func TestProtocol(t *testing.T) {
	srv := New(t, Options{Username: "u", Password: "p"})
	c, err := textproto.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, _, err := c.ReadResponse(220); err != nil {
		t.Fatal(err)
	}
	plain := base64.StdEncoding.EncodeToString([]byte("\x00u\x00p"))
	converse(t, c, [][2]any{
		{"MAIL FROM:<a@example.org>", 503}, // no EHLO yet
		{"EHLO client.test", 250},
		{"MAIL FROM:<a@example.org>", 530}, // not authenticated
		{"AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00u\x00wrong")), 535},
		{"AUTH PLAIN", 334},
		{plain, 235},
		{"RCPT TO:<b@example.org>", 503}, // no MAIL yet
		{"DATA", 503},
		{"NOOP", 250},
		{"MAIL FROM:<a@example.org> BODY=8BITMIME", 250},
		{"RSET", 250},
		{"RCPT TO:<b@example.org>", 503}, // RSET ended the transaction
		{"MAIL FROM:<a@example.org>", 250},
		{"RCPT TO:<b@example.org>", 250},
		{"RCPT TO:<c@example.org>", 250},
		{"BOGUS", 500},
		{"DATA", 354},
	})
	// Dot-stuffed lines come back with one dot less; line ends are kept.
	w := c.W
	w.WriteString("Subject: =?utf-8?q?caf=C3=A9?=\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	w.WriteString("..leading dot\r\n...\r\nsoft=\r\n break caf=C3=A9\r\n.\r\n")
	w.Flush()
	if _, _, err := c.ReadResponse(250); err != nil {
		t.Fatal(err)
	}
	converse(t, c, [][2]any{{"QUIT", 221}})
	got := srv.Wait(t, 1, 5*time.Second)[0]
	if got.From != "a@example.org" || !slices.Equal(got.To, []string{"b@example.org", "c@example.org"}) ||
		got.AuthUser != "u" || got.TLS || got.Hello != "client.test" {
		t.Errorf("envelope: %+v", got)
	}
	if string(got.Body) != ".leading dot\r\n..\r\nsoft=\r\n break caf=C3=A9\r\n" {
		t.Errorf("body %q", got.Body)
	}
	if text, err := got.Text(); err != nil || text != ".leading dot\r\n..\r\nsoft break café\r\n" {
		t.Errorf("Text() = %q, %v", text, err)
	}
	if got.Subject() != "café" {
		t.Errorf("Subject() = %q", got.Subject())
	}
	if srv.AuthAttempts() != 2 {
		t.Errorf("AuthAttempts = %d, want 2", srv.AuthAttempts())
	}

	// Rejections, then acceptance again.
	srv.Reject(StageRcpt, 550, "5.1.1 no such user")
	c2, err := textproto.Dial("tcp", srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.ReadResponse(220)
	converse(t, c2, [][2]any{{"HELO x", 250}, {"AUTH PLAIN " + plain, 235}, {"MAIL FROM:<>", 250}, {"RCPT TO:<b@example.org>", 550}})
	srv.Reject(StageRcpt, 0, "")
	converse(t, c2, [][2]any{{"RCPT TO:<b@example.org>", 250}, {"QUIT", 221}})
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

func TestWaitFails(t *testing.T) {
	srv := New(t, Options{})
	ft := &fakeT{TB: t}
	done := make(chan struct{})
	go func() { defer close(done); srv.Wait(ft, 1, 50*time.Millisecond) }()
	<-done
	if !ft.failed {
		t.Error("Wait for a message that never comes did not fail the test")
	}
}

// fakeT records a Fatalf instead of failing the real test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper() {}
func (f *fakeT) Fatalf(string, ...any) {
	f.failed = true
	runtime.Goexit()
}
