package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/openiep/openiep/internal/mail/smtptest"
)

// served is a running `openiep serve` of a test.
type served struct {
	base        string
	out, stderr *syncBuffer
}

// serveFor starts serve on a free port with the arguments and variables given, and stops it
// when the test ends (failing the test if it does not stop cleanly).
func serveFor(t *testing.T, vars map[string]string, args ...string) *served {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{out: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"openiep", "serve", "--addr", "127.0.0.1:0"}, args...), fakeEnv(vars),
			strings.NewReader(""), s.out, s.stderr)
	}()
	s.base = waitForAddress(t, s.out, done)
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after shutdown, want nil", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30 s of its context ending")
		}
	})
	return s
}

// accountDB makes a SQLite database with a district and a staff account that signs in with
// email and password, and returns its path.
func accountDB(t *testing.T, email, password string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mail.db")
	seedDistricts(t, path, 1)
	_, _, err := runCmdInput(t, map[string]string{"OPENIEP_DB": path}, password+"\n", "user", "add", "--email", email,
		"--first", "Ada", "--last", "Admin", "--role", "administrator", "--password-stdin")
	if err != nil {
		t.Fatalf("user add: %v", err)
	}
	return path
}

// client is an HTTP client with a cookie jar, as a browser.
func client(t *testing.T) *http.Client {
	t.Helper()
	j, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: j, Timeout: 30 * time.Second}
}

// postForm posts and returns the final status, path and body.
func postForm(t *testing.T, c *http.Client, target string, form url.Values) (int, string, string) {
	t.Helper()
	res, err := c.PostForm(target, form)
	if err != nil {
		t.Fatalf("POST %s: %v", target, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Request.URL.Path, string(body)
}

// TestServeSendsMailOverSMTP: serve starts the mail worker with the SMTP flags (the password
// from OPENIEP_SMTP_PASSWORD); a password reset asked for on the web arrives at the relay, its
// link (at the public address) sets a new password, and the person signs in with it.
func TestServeSendsMailOverSMTP(t *testing.T) {
	const email, old = "ada@riverside.example", "the first password of ada"
	path := accountDB(t, email, old)
	relay := smtptest.New(t, smtptest.Options{Username: "openiep", Password: "relay secret"})
	s := serveFor(t, map[string]string{"OPENIEP_DB": path, "OPENIEP_SMTP_PASSWORD": "relay secret"},
		"--smtp-addr", relay.Addr(), "--smtp-user", "openiep", "--smtp-tls", "none",
		"--mail-from", "Riverside IEPs <no-reply@riverside.example>")
	if !strings.Contains(s.out.String(), "E-mail goes out through "+relay.Addr()) {
		t.Errorf("serve did not say where e-mail goes:\n%s", s.out.String())
	}
	c := client(t)
	if status, _, body := postForm(t, c, s.base+"/signin/forgot", url.Values{"email": {email}}); status != http.StatusOK ||
		!strings.Contains(body, "Check your e-mail") {
		t.Fatalf("ask for a reset link = %d:\n%.1000s", status, body)
	}
	got := relay.Wait(t, 1, 30*time.Second)
	if got[0].AuthUser != "openiep" || got[0].From != "no-reply@riverside.example" || got[0].To[0] != email {
		t.Errorf("delivered as %q from %q to %v", got[0].AuthUser, got[0].From, got[0].To)
	}
	text, err := got[0].Text()
	if err != nil {
		t.Fatal(err)
	}
	link := regexp.MustCompile(regexp.QuoteMeta(s.base) + `/reset\?\S+`).FindString(text)
	if link == "" {
		t.Fatalf("no link to %s in the mail:\n%s", s.base, text)
	}
	u, _ := url.Parse(link)
	status, _, body := postForm(t, c, s.base+"/reset", url.Values{"token": {u.Query().Get("token")},
		"password": {"ada's new passphrase"}, "password_confirm": {"ada's new passphrase"}})
	if status != http.StatusOK || strings.Contains(body, `action="/reset"`) {
		t.Fatalf("set the new password = %d:\n%.1500s", status, body)
	}
	postForm(t, c, s.base+"/signout", nil)
	if status, where, _ := postForm(t, c, s.base+"/signin", url.Values{"email": {email}, "password": {"ada's new passphrase"}}); status != http.StatusOK || where != "/" {
		t.Errorf("sign in with the new password = %d at %s", status, where)
	}
	for _, secret := range []string{email, u.Query().Get("token"), "relay secret"} {
		if strings.Contains(s.stderr.String(), secret) {
			t.Errorf("the log holds %q", secret)
		}
	}
}

// TestServeMailWithoutRelay: without --smtp-addr, serve says that e-mail is not delivered. With
// --mail-to-stdout (as with --demo) each mail is printed to standard output, never to the log;
// otherwise it waits in the outbox and nothing is printed.
func TestServeMailWithoutRelay(t *testing.T) {
	const email = "ada@riverside.example"
	path := accountDB(t, email, "the first password of ada")
	s := serveFor(t, map[string]string{"OPENIEP_DB": path, "OPENIEP_MAIL_TO_STDOUT": "true"})
	if !strings.Contains(s.out.String(), "E-mail is not being delivered (no --smtp-addr): each e-mail, one-time links included, is printed here instead.") {
		t.Errorf("serve --mail-to-stdout did not say so:\n%s", s.out.String())
	}
	postForm(t, client(t), s.base+"/signin/forgot", url.Values{"email": {email}})
	// The mail is printed, then the worker logs that it went out: wait for both (on a busy
	// machine the log line came a moment after the mail, and the test read the log too soon).
	deadline := time.Now().Add(30 * time.Second)
	for !(strings.Contains(s.out.String(), "end of mail") && strings.Contains(s.stderr.String(), "mail: sent")) &&
		time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	link := regexp.MustCompile(regexp.QuoteMeta(s.base) + `/reset\?\S+`).FindString(s.out.String())
	if !strings.Contains(s.out.String(), "mail not sent (log sender)") || link == "" {
		t.Fatalf("the mail was not printed:\n%s", s.out.String())
	}
	if log := s.stderr.String(); strings.Contains(log, email) || strings.Contains(log, "token=") || !strings.Contains(log, "mail: sent") {
		t.Errorf("the log names the address or the link, or not the mail's id:\n%s", log)
	}

	quiet := serveFor(t, map[string]string{"OPENIEP_DB": accountDB(t, email, "the first password of ada")})
	if !strings.Contains(quiet.out.String(), "E-mail is not being delivered: no --smtp-addr was given.") {
		t.Errorf("serve without a relay did not say so:\n%s", quiet.out.String())
	}
	postForm(t, client(t), quiet.base+"/signin/forgot", url.Values{"email": {email}})
	time.Sleep(200 * time.Millisecond)
	if strings.Contains(quiet.out.String(), "mail not sent") || strings.Contains(quiet.out.String(), "token=") {
		t.Errorf("serve printed a mail without --mail-to-stdout:\n%s", quiet.out.String())
	}
}

func TestServeMailUsageErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "usage.db")
	for _, c := range []struct {
		args []string
		vars map[string]string
		want string
	}{
		{[]string{"--smtp-addr", "127.0.0.1:2525"}, nil, "--mail-from"},
		{[]string{"--smtp-addr", "127.0.0.1:2525", "--mail-from", "x@y.org", "--smtp-tls", "carrier-pigeon"}, nil, "TLS mode"},
		{[]string{"--smtp-addr", "no-port", "--mail-from", "x@y.org"}, nil, "host:port"},
		{[]string{"--smtp-addr", "127.0.0.1:2525", "--mail-from", "x@y.org", "--smtp-user", "u"}, nil, "password"},
		{[]string{"--smtp-user", "u"}, map[string]string{"OPENIEP_SMTP_PASSWORD": "p"}, "need --smtp-addr"},
	} {
		vars := map[string]string{"OPENIEP_DB": path}
		for k, v := range c.vars {
			vars[k] = v
		}
		_, _, err := runCmd(t, vars, append([]string{"serve", "--addr", "127.0.0.1:0"}, c.args...)...)
		var u *usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("serve %q = %v, want a usage error about %q", c.args, err, c.want)
		}
	}
	help, _, _ := runCmd(t, nil, "serve", "--help")
	for _, want := range []string{"--smtp-addr", "OPENIEP_SMTP_ADDR", "--smtp-user", "--smtp-tls", "--mail-from", "--mail-to-stdout", "OPENIEP_SMTP_PASSWORD"} {
		if !strings.Contains(help, want) {
			t.Errorf("serve --help lacks %q", want)
		}
	}
}
