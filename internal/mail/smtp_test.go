package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/mail/smtptest"
)

var bg = context.Background()

func invitation() Message {
	return Message{To: "Ana Pérez <ana@example.org>", Subject: "Su invitación",
		Text: "Hola Ana,\nabra https://iep.example.org/invite/abc123 para empezar.\n.\n..dos puntos\n"}
}

func newSMTP(t *testing.T, cfg Config) *SMTP {
	t.Helper()
	if cfg.From == "" {
		cfg.From = "OpenIEP <no-reply@riverside.example>"
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	s, err := NewSMTP(cfg)
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	return s
}

// checkDelivered checks the one message srv received against invitation().
func checkDelivered(t *testing.T, srv *smtptest.Server, wantTLS bool, wantUser string) {
	t.Helper()
	got := srv.Wait(t, 1, 5*time.Second)
	if len(got) != 1 {
		t.Fatalf("server received %d messages, want 1", len(got))
	}
	m := got[0]
	if m.From != "no-reply@riverside.example" || !slices.Equal(m.To, []string{"ana@example.org"}) {
		t.Errorf("envelope from %q to %v", m.From, m.To)
	}
	if m.TLS != wantTLS || m.AuthUser != wantUser {
		t.Errorf("received over TLS %v as %q; want TLS %v as %q", m.TLS, m.AuthUser, wantTLS, wantUser)
	}
	if m.Subject() != "Su invitación" || m.Header.Get("From") != `"OpenIEP" <no-reply@riverside.example>` {
		t.Errorf("header: subject %q, from %q", m.Subject(), m.Header.Get("From"))
	}
	text, err := m.Text()
	want := strings.ReplaceAll(invitation().Text, "\n", "\r\n")
	if err != nil || text != want {
		t.Errorf("text = %q, %v\nwant   %q", text, err, want)
	}
}

func TestSMTPPlain(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{})
	s := newSMTP(t, Config{Addr: srv.Addr(), HelloName: "openiep.test"})
	if err := s.Send(bg, invitation()); err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, srv, false, "")
	if got := srv.Messages()[0].Hello; got != "openiep.test" {
		t.Errorf("EHLO %q", got)
	}
	diff := slices.Compare(srv.Commands(), []string{"EHLO", "MAIL", "RCPT", "DATA", "QUIT"})
	if diff != 0 {
		t.Errorf("commands %v", srv.Commands())
	}
}

func TestSMTPStartTLSAuth(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{STARTTLS: true, RequireTLS: true, Username: "openiep", Password: "s3cret"})
	s := newSMTP(t, Config{Addr: srv.Addr(), Username: "openiep", Password: "s3cret",
		TLSConfig: &tls.Config{RootCAs: srv.CertPool()}})
	if err := s.Send(bg, invitation()); err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, srv, true, "openiep")
	cmds := srv.Commands()
	if i, j := slices.Index(cmds, "STARTTLS"), slices.Index(cmds, "AUTH"); i < 0 || j < i {
		t.Errorf("commands %v: want STARTTLS before AUTH", cmds)
	}

	// A wrong password is the server's 535, a permanent error of step AUTH; nothing is sent.
	bad := newSMTP(t, Config{Addr: srv.Addr(), Username: "openiep", Password: "wrong",
		TLSConfig: &tls.Config{RootCAs: srv.CertPool()}})
	err := bad.Send(bg, invitation())
	var e *Error
	if !errors.As(err, &e) || e.Step != "AUTH" || e.Code != 535 || e.Temporary() {
		t.Errorf("wrong password: %v (%+v)", err, e)
	}
	// A certificate the client does not trust stops it before anything is sent.
	untrusted := newSMTP(t, Config{Addr: srv.Addr(), Username: "openiep", Password: "s3cret"})
	err = untrusted.Send(bg, invitation())
	if !errors.As(err, &e) || e.Step != "STARTTLS" {
		t.Errorf("untrusted certificate: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("server has %d messages, want only the first", n)
	}
}

func TestSMTPImplicitTLS(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{ImplicitTLS: true, Username: "u", Password: "p"})
	s := newSMTP(t, Config{Addr: srv.Addr(), TLS: TLSImplicit, Username: "u", Password: "p",
		TLSConfig: &tls.Config{RootCAs: srv.CertPool()}})
	if err := s.Send(bg, invitation()); err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, srv, true, "u")
	if slices.Contains(srv.Commands(), "STARTTLS") {
		t.Errorf("STARTTLS inside implicit TLS: %v", srv.Commands())
	}
}

func TestSMTPOpportunisticAndNone(t *testing.T) {
	// STARTTLS when offered, even without a password.
	srv := smtptest.New(t, smtptest.Options{STARTTLS: true})
	s := newSMTP(t, Config{Addr: srv.Addr(), TLSConfig: &tls.Config{RootCAs: srv.CertPool()}})
	if err := s.Send(bg, invitation()); err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, srv, true, "")
	// Mode "none" never starts TLS.
	srv2 := smtptest.New(t, smtptest.Options{STARTTLS: true})
	s2 := newSMTP(t, Config{Addr: srv2.Addr(), TLS: TLSNone})
	if err := s2.Send(bg, invitation()); err != nil {
		t.Fatal(err)
	}
	checkDelivered(t, srv2, false, "")
}

// nonLocal returns a sender that believes it talks to mail.example.org while it reaches srv.
func nonLocal(t *testing.T, srv *smtptest.Server, cfg Config) *SMTP {
	t.Helper()
	cfg.Addr = "mail.example.org:587"
	s := newSMTP(t, cfg)
	s.dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, srv.Addr())
	}
	return s
}

func TestSMTPRefusesPasswordInPlainText(t *testing.T) {
	// Caught by the configuration check.
	for _, cfg := range []Config{
		{Addr: "mail.example.org:25", TLS: TLSNone, Username: "u", Password: "p"},
		{Addr: "192.0.2.7:25", TLS: TLSNone, Username: "u", Password: "p"},
	} {
		if _, err := NewSMTP(cfg); err == nil || !strings.Contains(err.Error(), "plain text") {
			t.Errorf("NewSMTP(%s, none, password) = %v, want a refusal", cfg.Addr, err)
		}
	}
	for _, addr := range []string{"localhost:25", "127.0.0.1:25", "[::1]:25"} {
		if _, err := NewSMTP(Config{Addr: addr, TLS: TLSNone, Username: "u", Password: "p"}); err != nil {
			t.Errorf("NewSMTP(%s, none, password) = %v, want it allowed on this host", addr, err)
		}
	}
	// At run time: a remote server that offers no STARTTLS gets no password, and no mail.
	srv := smtptest.New(t, smtptest.Options{Username: "u", Password: "p"})
	s := nonLocal(t, srv, Config{Username: "u", Password: "p"})
	err := s.Send(bg, invitation())
	var e *Error
	if !errors.As(err, &e) || e.Step != "STARTTLS" || !strings.Contains(err.Error(), "plain text") {
		t.Errorf("password to a server without STARTTLS: %v", err)
	}
	if srv.AuthAttempts() != 0 || len(srv.Messages()) != 0 || slices.Contains(srv.Commands(), "MAIL") {
		t.Errorf("the server saw %v", srv.Commands())
	}
	// Without a password the client goes on in plain text: this server wants AUTH, so it is
	// its 530 that stops the mail, not the client; a server without AUTH takes it.
	s = nonLocal(t, srv, Config{})
	if err := s.Send(bg, invitation()); err == nil || !strings.Contains(err.Error(), "530") {
		t.Errorf("without credentials to a server requiring AUTH: %v, want its 530", err)
	}
	open := smtptest.New(t, smtptest.Options{})
	if err := nonLocal(t, open, Config{}).Send(bg, invitation()); err != nil {
		t.Errorf("plain text without a password to a remote relay: %v", err)
	}
}

func TestNewSMTPChecksConfig(t *testing.T) {
	for _, cfg := range []Config{
		{Addr: "mail.example.org"},                                // no port
		{Addr: ":25"},                                             // no host
		{Addr: "mail.example.org:25", TLS: "ssl"},                 // unknown mode
		{Addr: "mail.example.org:25", From: "not an address"},     // bad From
		{Addr: "mail.example.org:25", Username: "u"},              // user without password
		{Addr: "mail.example.org:25", Password: "hunter2-secret"}, // password without user
	} {
		if _, err := NewSMTP(cfg); err == nil {
			t.Errorf("NewSMTP(%+v) accepted", cfg)
		} else if cfg.Password != "" && strings.Contains(err.Error(), cfg.Password) {
			t.Errorf("error repeats the password: %v", err)
		}
	}
	s, err := NewSMTP(Config{Addr: "mail.example.org:587"})
	if err != nil || s.cfg.TLS != TLSStartTLS || s.cfg.Timeout != 30*time.Second || s.cfg.HelloName == "" {
		t.Errorf("defaults: %+v, %v", s, err)
	}
}

func TestSMTPRejections(t *testing.T) {
	srv := smtptest.New(t, smtptest.Options{})
	s := newSMTP(t, Config{Addr: srv.Addr()})
	for _, c := range []struct {
		stage smtptest.Stage
		code  int
		step  string
		temp  bool
	}{
		{smtptest.StageMail, 451, "MAIL FROM", true},
		{smtptest.StageRcpt, 550, "RCPT TO", false},
		{smtptest.StageRcpt, 452, "RCPT TO", true},
		{smtptest.StageData, 554, "DATA", false},
	} {
		srv.Accept()
		srv.Reject(c.stage, c.code, "no thanks")
		err := s.Send(bg, invitation())
		var e *Error
		if !errors.As(err, &e) || e.Step != c.step || e.Code != c.code || e.Temporary() != c.temp {
			t.Errorf("%s %d: %v (%+v)", c.stage, c.code, err, e)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages accepted while refusing", n)
	}
	srv.Accept()
	if err := s.Send(bg, invitation()); err != nil {
		t.Errorf("after Accept: %v", err)
	}
	// A message that does not compose never reaches the server.
	bad := invitation()
	bad.Subject = "x\r\nBcc: all@example.org"
	if err := s.Send(bg, bad); !errors.Is(err, ErrHeaderInjection) {
		t.Errorf("header injection: %v", err)
	}
	if n := len(srv.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
}

func TestSMTPTimeoutAndCancel(t *testing.T) {
	// A server that accepts the connection and never says a word.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	s := newSMTP(t, Config{Addr: ln.Addr().String(), Timeout: 200 * time.Millisecond})
	start := time.Now()
	err = s.Send(bg, invitation())
	if err == nil || time.Since(start) > 3*time.Second {
		t.Errorf("silent server with a 200ms timeout: %v after %v", err, time.Since(start))
	}
	s = newSMTP(t, Config{Addr: ln.Addr().String(), Timeout: time.Minute})
	ctx, cancel := context.WithCancel(bg)
	time.AfterFunc(200*time.Millisecond, cancel)
	start = time.Now()
	err = s.Send(ctx, invitation())
	if !errors.Is(err, context.Canceled) || time.Since(start) > 3*time.Second {
		t.Errorf("cancelled send: %v after %v", err, time.Since(start))
	}
}
