// Package smtptest is an SMTP server for tests, started in the test's process on 127.0.0.1 and
// stopped when the test ends. It speaks enough of RFC 5321 for a client such as net/smtp:
// EHLO and HELO, STARTTLS (with a self-signed certificate made for the test) or TLS from the
// first byte, AUTH PLAIN, MAIL, RCPT, DATA (dot-unstuffed, line ends kept), RSET, NOOP, QUIT. It
// records each message it accepts, with its envelope, for the test to inspect, and can be told
// to refuse a step with a reply code of the test's choosing.
//
//	srv := smtptest.New(t, smtptest.Options{STARTTLS: true, Username: "u", Password: "p"})
//	… send to srv.Addr(), trusting srv.CertPool() …
//	got := srv.Wait(t, 1, 5*time.Second)
//	text, _ := got[0].Text()
//
// It is not a mail server: it delivers nothing, keeps everything in memory and trusts its
// clients.
package smtptest

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// Options says how the server behaves. The zero value accepts any mail in plain text.
type Options struct {
	// STARTTLS offers STARTTLS. With it, AUTH is offered only once the connection is encrypted,
	// as real servers do.
	STARTTLS bool
	// ImplicitTLS speaks TLS from the first byte (as on port 465).
	ImplicitTLS bool
	// RequireTLS refuses MAIL (530) on a connection that is not encrypted.
	RequireTLS bool
	// Username and Password, when set, make the server offer AUTH PLAIN and refuse MAIL (530)
	// until a client gives them.
	Username, Password string
}

// Stage is a step the server can be told to refuse.
type Stage string

const (
	StageMail Stage = "MAIL" // the reply to MAIL FROM
	StageRcpt Stage = "RCPT" // the reply to RCPT TO
	StageData Stage = "DATA" // the reply after the message's final dot
)

// Received is one message the server accepted.
type Received struct {
	From     string      // the envelope sender (MAIL FROM)
	To       []string    // the envelope recipients (RCPT TO)
	Data     []byte      // the message as received, dot-unstuffed, with its CRLF line ends
	Header   mail.Header // Data's header, parsed by net/mail (nil when it did not parse)
	Body     []byte      // Data's body, still in its transfer encoding
	TLS      bool        // the message came over an encrypted connection
	AuthUser string      // the user name the client authenticated as; "" when it did not
	Hello    string      // the name the client gave in EHLO or HELO
}

// Subject returns the Subject header, decoded from RFC 2047 encoded words.
func (r Received) Subject() string {
	s := r.Header.Get("Subject")
	if d, err := new(mime.WordDecoder).DecodeHeader(s); err == nil {
		return d
	}
	return s
}

// Text returns the body decoded from its Content-Transfer-Encoding (quoted-printable, base64,
// or none), with its line ends as sent.
func (r Received) Text() (string, error) {
	if r.Header == nil {
		return "", errors.New("smtptest: the message did not parse")
	}
	var rd io.Reader = bytes.NewReader(r.Body)
	switch strings.ToLower(r.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		rd = quotedprintable.NewReader(rd)
	case "base64":
		rd = base64.NewDecoder(base64.StdEncoding, &lineDropper{r: rd})
	}
	b, err := io.ReadAll(rd)
	return string(b), err
}

// lineDropper drops CR and LF, which base64 bodies are wrapped with.
type lineDropper struct{ r io.Reader }

func (l *lineDropper) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	out := p[:0]
	for _, c := range p[:n] {
		if c != '\r' && c != '\n' {
			out = append(out, c)
		}
	}
	return len(out), err
}

type reply struct {
	code int
	text string
}

// Server is a running test server. Its methods are safe for concurrent use.
type Server struct {
	opts    Options
	ln      net.Listener
	tlsConf *tls.Config
	pool    *x509.CertPool

	mu       sync.Mutex
	msgs     []Received
	changed  chan struct{} // closed and replaced when a message arrives
	rejects  map[Stage]reply
	commands []string
	auths    int
	conns    map[net.Conn]struct{}
	closed   bool

	wg sync.WaitGroup
}

// New starts a server on 127.0.0.1 with a port of its own; it stops when the test ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{opts: opts, changed: make(chan struct{}), rejects: map[Stage]reply{}, conns: map[net.Conn]struct{}{}}
	if opts.STARTTLS || opts.ImplicitTLS {
		cert, pool, err := selfSigned()
		if err != nil {
			t.Fatalf("smtptest: certificate: %v", err)
		}
		s.tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		s.pool = pool
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("smtptest: listen: %v", err)
	}
	s.ln = ln
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

// Addr returns the server's "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// CertPool returns a pool that trusts the server's certificate (valid for 127.0.0.1, ::1 and
// localhost), or nil when the server does not speak TLS.
func (s *Server) CertPool() *x509.CertPool { return s.pool }

// Reject makes the server answer stage with code and text (e.g. 451 "4.3.0 try again later",
// 550 "5.1.1 no such user") from now on; code 0 accepts again.
func (s *Server) Reject(stage Stage, code int, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if code == 0 {
		delete(s.rejects, stage)
		return
	}
	s.rejects[stage] = reply{code, text}
}

// Accept clears every Reject.
func (s *Server) Accept() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.rejects)
}

// Messages returns the messages accepted so far, in order.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.msgs...)
}

// Commands returns the verbs of every command received so far, from every client, in order
// ("EHLO", "STARTTLS", "AUTH", "MAIL"…): their arguments (addresses, credentials) are not kept.
func (s *Server) Commands() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.commands...)
}

// AuthAttempts returns how many AUTH commands clients sent, successful or not.
func (s *Server) AuthAttempts() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.auths
}

// Wait returns the accepted messages once there are at least n, and fails the test when
// timeout passes first. Call it from the test's goroutine.
func (s *Server) Wait(t testing.TB, n int, timeout time.Duration) []Received {
	t.Helper()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		if len(s.msgs) >= n {
			out := append([]Received(nil), s.msgs...)
			s.mu.Unlock()
			return out
		}
		ch, have := s.changed, len(s.msgs)
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("smtptest: %d messages after %v, want %d", have, timeout, n)
			return nil
		}
	}
}

func (s *Server) close() {
	s.mu.Lock()
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.ln.Close()
	s.wg.Wait()
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = struct{}{}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			(&session{s: s}).serve(c)
		}()
	}
}

func (s *Server) record(verb string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commands = append(s.commands, verb)
	if verb == "AUTH" {
		s.auths++
	}
}

func (s *Server) rejection(st Stage) (reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rejects[st]
	return r, ok
}

func (s *Server) deliver(m Received) {
	if hdr, err := mail.ReadMessage(bytes.NewReader(m.Data)); err == nil {
		m.Header = hdr.Header
		m.Body, _ = io.ReadAll(hdr.Body)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.msgs = append(s.msgs, m)
	close(s.changed)
	s.changed = make(chan struct{})
}

// Limits that keep a broken client from filling the test's memory.
const (
	maxLine    = 4096     // bytes of a command line
	maxMessage = 10 << 20 // bytes of a message
)

// session is one client's connection.
type session struct {
	s     *Server
	conn  net.Conn
	r     *bufio.Reader
	w     *bufio.Writer
	tls   bool
	hello string
	user  string // authenticated as
	from  string
	to    []string
	inTx  bool // MAIL was accepted
}

func (c *session) use(conn net.Conn) {
	c.conn = conn
	c.r = bufio.NewReader(conn)
	c.w = bufio.NewWriter(conn)
}

func (c *session) reply(code int, text string) error {
	fmt.Fprintf(c.w, "%d %s\r\n", code, text)
	return c.w.Flush()
}

func (c *session) replyLines(code int, lines []string) error {
	for i, l := range lines {
		sep := "-"
		if i == len(lines)-1 {
			sep = " "
		}
		fmt.Fprintf(c.w, "%d%s%s\r\n", code, sep, l)
	}
	return c.w.Flush()
}

// readLine reads one line and returns it without its line end.
func (c *session) readLine() (string, error) {
	var b []byte
	for {
		part, err := c.r.ReadSlice('\n')
		b = append(b, part...)
		if len(b) > maxLine {
			return "", errors.New("line too long")
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return "", err
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
}

func (c *session) resetTx() { c.from, c.to, c.inTx = "", nil, false }

func (c *session) authOffered() bool {
	return c.s.opts.Username != "" && (c.tls || !c.s.opts.STARTTLS)
}

func (c *session) serve(conn net.Conn) {
	conn.SetDeadline(time.Now().Add(2 * time.Minute))
	if c.s.opts.ImplicitTLS {
		tc := tls.Server(conn, c.s.tlsConf)
		if err := tc.Handshake(); err != nil {
			return
		}
		conn, c.tls = tc, true
	}
	c.use(conn)
	if c.reply(220, "127.0.0.1 smtptest ESMTP ready") != nil {
		return
	}
	for {
		line, err := c.readLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		c.s.record(verb)
		if err := c.command(verb, strings.TrimSpace(arg)); err != nil {
			return
		}
	}
}

// errQuit ends a session after QUIT.
var errQuit = errors.New("quit")

func (c *session) command(verb, arg string) error {
	switch verb {
	case "EHLO", "HELO":
		if arg == "" {
			return c.reply(501, "5.5.4 a name, please")
		}
		c.hello = arg
		c.resetTx()
		if verb == "HELO" {
			return c.reply(250, "127.0.0.1")
		}
		lines := []string{"127.0.0.1 greets " + arg, "8BITMIME", "PIPELINING", fmt.Sprintf("SIZE %d", maxMessage)}
		if c.s.opts.STARTTLS && !c.tls {
			lines = append(lines, "STARTTLS")
		}
		if c.authOffered() {
			lines = append(lines, "AUTH PLAIN")
		}
		return c.replyLines(250, append(lines, "HELP"))
	case "STARTTLS":
		if !c.s.opts.STARTTLS || c.tls {
			return c.reply(502, "5.5.1 STARTTLS not available")
		}
		if err := c.reply(220, "2.0.0 ready to start TLS"); err != nil {
			return err
		}
		tc := tls.Server(c.conn, c.s.tlsConf)
		if err := tc.Handshake(); err != nil {
			return err
		}
		c.use(tc)
		c.tls = true
		c.hello, c.user = "", "" // RFC 3207: the client starts over with EHLO
		c.resetTx()
		return nil
	case "AUTH":
		return c.auth(arg)
	case "MAIL":
		switch {
		case c.hello == "":
			return c.reply(503, "5.5.1 EHLO first")
		case c.s.opts.RequireTLS && !c.tls:
			return c.reply(530, "5.7.0 must issue a STARTTLS command first")
		case c.s.opts.Username != "" && c.user == "":
			return c.reply(530, "5.7.0 authentication required")
		case c.inTx:
			return c.reply(503, "5.5.1 MAIL already given")
		}
		addr, ok := path(arg, "FROM:")
		if !ok {
			return c.reply(501, "5.5.4 syntax: MAIL FROM:<address>")
		}
		if r, ok := c.s.rejection(StageMail); ok {
			return c.reply(r.code, r.text)
		}
		c.from, c.inTx = addr, true
		return c.reply(250, "2.1.0 OK")
	case "RCPT":
		if !c.inTx {
			return c.reply(503, "5.5.1 MAIL first")
		}
		addr, ok := path(arg, "TO:")
		if !ok || addr == "" {
			return c.reply(501, "5.5.4 syntax: RCPT TO:<address>")
		}
		if r, ok := c.s.rejection(StageRcpt); ok {
			return c.reply(r.code, r.text)
		}
		c.to = append(c.to, addr)
		return c.reply(250, "2.1.5 OK")
	case "DATA":
		if len(c.to) == 0 {
			return c.reply(503, "5.5.1 RCPT first")
		}
		return c.data()
	case "RSET":
		c.resetTx()
		return c.reply(250, "2.0.0 OK")
	case "NOOP":
		return c.reply(250, "2.0.0 OK")
	case "VRFY":
		return c.reply(252, "2.1.5 cannot verify, will try")
	case "QUIT":
		c.reply(221, "2.0.0 bye")
		return errQuit
	}
	return c.reply(500, "5.5.2 command not recognized")
}

// path reads "FROM:<a@b.org> PARAMS" (prefix "FROM:") into a@b.org.
func path(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

func (c *session) auth(arg string) error {
	mech, initial, _ := strings.Cut(arg, " ")
	switch {
	case !c.authOffered():
		return c.reply(503, "5.5.1 AUTH not available")
	case c.hello == "":
		return c.reply(503, "5.5.1 EHLO first")
	case c.user != "":
		return c.reply(503, "5.5.1 already authenticated")
	case c.inTx:
		return c.reply(503, "5.5.1 not during a mail transaction")
	case !strings.EqualFold(mech, "PLAIN"):
		return c.reply(504, "5.5.4 unrecognized authentication type")
	}
	if initial == "" {
		if err := c.reply(334, ""); err != nil {
			return err
		}
		line, err := c.readLine()
		if err != nil {
			return err
		}
		initial = line
	}
	if initial == "*" {
		return c.reply(501, "5.0.0 authentication cancelled")
	}
	raw, err := base64.StdEncoding.DecodeString(initial)
	if err != nil {
		return c.reply(501, "5.5.2 cannot decode")
	}
	// authorization identity \0 user \0 password
	parts := strings.Split(string(raw), "\x00")
	if len(parts) != 3 || parts[1] != c.s.opts.Username || parts[2] != c.s.opts.Password {
		return c.reply(535, "5.7.8 authentication credentials invalid")
	}
	c.user = parts[1]
	return c.reply(235, "2.7.0 authentication successful")
}

// data reads the message up to the line holding one dot, undoing the dot-stuffing of RFC 5321
// 4.5.2 and keeping the line ends as sent.
func (c *session) data() error {
	if err := c.reply(354, "end data with <CR><LF>.<CR><LF>"); err != nil {
		return err
	}
	var buf bytes.Buffer
	tooBig := false
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			return err
		}
		if line == ".\r\n" || line == ".\n" {
			break
		}
		if strings.HasPrefix(line, ".") {
			line = line[1:]
		}
		if buf.Len()+len(line) > maxMessage {
			tooBig = true
			continue
		}
		buf.WriteString(line)
	}
	m := Received{From: c.from, To: c.to, Data: buf.Bytes(), TLS: c.tls, AuthUser: c.user, Hello: c.hello}
	c.resetTx()
	if tooBig {
		return c.reply(552, "5.3.4 message too big")
	}
	if r, ok := c.s.rejection(StageData); ok {
		return c.reply(r.code, r.text)
	}
	c.s.deliver(m)
	return c.reply(250, "2.0.0 OK queued")
}

// selfSigned makes a certificate for 127.0.0.1, ::1 and localhost, valid for a day, and a pool
// that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "smtptest"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}
