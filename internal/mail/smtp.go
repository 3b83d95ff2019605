package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/smtp"
	"net/textproto"
	"os"
	"time"
)

// TLS modes of Config.TLS.
const (
	TLSStartTLS = "starttls" // upgrade with STARTTLS when offered; required when a password goes to another host
	TLSImplicit = "tls"      // TLS from the first byte (SMTPS, usually port 465)
	TLSNone     = "none"     // never TLS: only for a relay on this host or a trusted network without a password
)

// Config is how to reach the SMTP relay that sends openiep's mail.
type Config struct {
	Addr      string        // "host:port" of the relay, e.g. "smtp.district.org:587"
	Username  string        // for AUTH PLAIN; empty: no authentication
	Password  string        // sent only over TLS, or to this host
	From      string        // the From of a message without one, e.g. "OpenIEP <no-reply@district.org>"
	TLS       string        // TLSStartTLS (the default when empty), TLSImplicit or TLSNone
	HelloName string        // the name given in EHLO; default: this host's name
	Timeout   time.Duration // the longest one message may take, connection to QUIT; default 30s

	// TLSConfig, when set, is the base of the TLS settings: RootCAs for a relay with a private
	// certificate authority, for example. ServerName defaults to the host of Addr; TLS 1.2 at
	// least.
	TLSConfig *tls.Config
}

// SMTP is a Sender that delivers each message through one SMTP conversation with the relay of
// its Config: connect (implicit TLS when asked), EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA,
// QUIT. It is safe for concurrent use: each Send has its own connection.
type SMTP struct {
	cfg  Config
	host string
	// dial opens the connection; tests replace it to reach a local server under another name.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Error is a failed step of an SMTP conversation. Step is the command or phase ("dial", "TLS",
// "EHLO", "STARTTLS", "AUTH", "MAIL FROM", "RCPT TO", "DATA", "QUIT"); Code is the server's reply
// code when it refused (a 4xx is temporary, a 5xx permanent), 0 when the connection or TLS
// failed. The message of Err is the server's reply, which may echo an address: log Step and
// Code, not Error().
type Error struct {
	Step string
	Code int
	Err  error
}

func (e *Error) Error() string { return "mail: " + e.Step + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Temporary reports whether the failure may pass: a 4xx reply, or a connection that failed.
func (e *Error) Temporary() bool { return e.Code == 0 || e.Code/100 == 4 }

func stepError(step string, err error) *Error {
	e := &Error{Step: step, Err: err}
	var te *textproto.Error
	if errors.As(err, &te) {
		e.Code = te.Code
	}
	return e
}

// NewSMTP checks cfg and returns a sender. It refuses a TLS mode it does not know, an Addr that
// is not host:port, a From that is not an address, a password without a user name or the
// other way round, and a password that would travel in plain text (TLS "none") to a host other
// than this one.
func NewSMTP(cfg Config) (*SMTP, error) {
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	switch cfg.TLS {
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("mail: TLS mode %q: want %s, %s or %s", cfg.TLS, TLSStartTLS, TLSImplicit, TLSNone)
	}
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil || host == "" || port == "" {
		return nil, fmt.Errorf("mail: SMTP address %q: want host:port", cfg.Addr)
	}
	if cfg.From != "" {
		if _, err := netmail.ParseAddress(cfg.From); err != nil {
			return nil, fmt.Errorf("mail: From %q is not an e-mail address", cfg.From)
		}
	}
	if (cfg.Username == "") != (cfg.Password == "") {
		return nil, errors.New("mail: give both an SMTP user name and a password, or neither")
	}
	if cfg.Password != "" && cfg.TLS == TLSNone && !isLocal(host) {
		return nil, fmt.Errorf("mail: refusing to send the SMTP password in plain text to %s: use TLS %q or %q",
			host, TLSStartTLS, TLSImplicit)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.HelloName == "" {
		if cfg.HelloName, err = os.Hostname(); err != nil || cfg.HelloName == "" {
			cfg.HelloName = "localhost"
		}
	}
	var d net.Dialer
	return &SMTP{cfg: cfg, host: host, dial: d.DialContext}, nil
}

// isLocal reports whether host is this machine: "localhost" or a loopback address.
func isLocal(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *SMTP) tlsConfig() *tls.Config {
	c := &tls.Config{}
	if s.cfg.TLSConfig != nil {
		c = s.cfg.TLSConfig.Clone()
	}
	if c.ServerName == "" {
		c.ServerName = s.host
	}
	if c.MinVersion == 0 {
		c.MinVersion = tls.VersionTLS12
	}
	return c
}

// Send delivers m (with the Config's From when m has none) in one SMTP conversation that ends
// by the Config's Timeout or ctx, whichever comes first. Errors: ErrInvalidMessage (wrapped)
// when m does not compose, an *Error when a step fails, ctx's error when it ended the
// conversation.
func (s *SMTP) Send(ctx context.Context, m Message) (err error) {
	if m.From == "" {
		m.From = s.cfg.From
	}
	msg, err := Compose(m, time.Now())
	if err != nil {
		return err
	}
	from, _ := netmail.ParseAddress(m.From) // Compose parsed both
	to, _ := netmail.ParseAddress(m.To)

	deadline := time.Now().Add(s.cfg.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	defer func() {
		// A conversation cut short by ctx reports ctx's error, not the broken connection.
		if err != nil && ctx.Err() != nil {
			err = fmt.Errorf("mail: %w: %w", ctx.Err(), err)
		}
	}()

	conn, err := s.dial(dctx, "tcp", s.cfg.Addr)
	if err != nil {
		return stepError("dial", err)
	}
	defer conn.Close()
	conn.SetDeadline(deadline)
	// Cancelling ctx interrupts whatever read or write is under way.
	stop := context.AfterFunc(dctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if s.cfg.TLS == TLSImplicit {
		tc := tls.Client(conn, s.tlsConfig())
		if err := tc.HandshakeContext(dctx); err != nil {
			return stepError("TLS", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		return stepError("connect", err)
	}
	defer c.Close()
	if err := c.Hello(s.cfg.HelloName); err != nil {
		return stepError("EHLO", err)
	}
	_, isTLS := c.TLSConnectionState()
	if s.cfg.TLS == TLSStartTLS && !isTLS {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(s.tlsConfig()); err != nil {
				return stepError("STARTTLS", err)
			}
			isTLS = true
		} else if s.cfg.Password != "" && !isLocal(s.host) {
			return &Error{Step: "STARTTLS", Err: fmt.Errorf("%s offers no STARTTLS: refusing to send the password in plain text", s.host)}
		}
	}
	if s.cfg.Username != "" {
		if !isTLS && !isLocal(s.host) {
			return &Error{Step: "AUTH", Err: errors.New("refusing to send the password in plain text")}
		}
		if ok, _ := c.Extension("AUTH"); !ok {
			return &Error{Step: "AUTH", Err: fmt.Errorf("%s offers no AUTH", s.host)}
		}
		if err := c.Auth(smtp.PlainAuth("", s.cfg.Username, s.cfg.Password, s.host)); err != nil {
			return stepError("AUTH", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return stepError("MAIL FROM", err)
	}
	if err := c.Rcpt(to.Address); err != nil {
		return stepError("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return stepError("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return stepError("DATA", err)
	}
	if err := w.Close(); err != nil {
		return stepError("DATA", err)
	}
	// The relay has taken the message: a failed QUIT does not make it unsent.
	_ = c.Quit()
	return nil
}
