package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeEnv returns a getenv that knows only the given variables.
func fakeEnv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func runCmd(t *testing.T, vars map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	return runCmdInput(t, vars, "", args...)
}

// runCmdInput is runCmd with input as the command's standard input.
func runCmdInput(t *testing.T, vars map[string]string, input string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = run(context.Background(), append([]string{"openiep"}, args...), fakeEnv(vars), strings.NewReader(input), &out, &errb)
	return out.String(), errb.String(), err
}

func TestHelpForEveryCommand(t *testing.T) {
	for _, c := range commands() {
		out, _, err := runCmd(t, nil, c.name, "--help")
		if err != nil {
			t.Errorf("%s --help: %v", c.name, err)
		}
		if !strings.Contains(out, "Usage: openiep "+c.name) {
			t.Errorf("%s --help printed %q, want its usage", c.name, out)
		}
	}
	out, _, err := runCmd(t, nil, "help")
	if err != nil || !strings.Contains(out, "serve") || !strings.Contains(out, "demo") {
		t.Errorf("help = %q, %v", out, err)
	}
	serveHelp, _, _ := runCmd(t, nil, "serve", "--help")
	for _, want := range []string{"--db", "OPENIEP_DB", "--addr", "OPENIEP_ADDR", "localhost:8080", "openiep.db"} {
		if !strings.Contains(serveHelp, want) {
			t.Errorf("serve --help lacks %q:\n%s", want, serveHelp)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		vars map[string]string
		want string
	}{
		{[]string{}, nil, "no command"},
		{[]string{"frobnicate"}, nil, `unknown command "frobnicate"`},
		{[]string{"serve", "--nope"}, nil, "flag provided but not defined: -nope"},
		{[]string{"demo", "--students", "many"}, nil, `invalid value "many"`},
		{[]string{"demo", "--students", "0"}, nil, "--students must be between"},
		{[]string{"demo", "--today", "2026-02-30"}, nil, "--today"},
		{[]string{"demo"}, map[string]string{"OPENIEP_STUDENTS": "lots"}, `OPENIEP_STUDENTS="lots"`},
		{[]string{"version", "extra"}, nil, "takes no arguments"},
	}
	for _, tt := range tests {
		_, _, err := runCmd(t, tt.vars, tt.args...)
		var u *usageError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%q) = %v, want a usage error containing %q", tt.args, err, tt.want)
		}
		if exitCode(err) != 2 {
			t.Errorf("run(%q): exit code %d, want 2", tt.args, exitCode(err))
		}
	}
}

func TestVersion(t *testing.T) {
	out, _, err := runCmd(t, nil, "version")
	if err != nil || !strings.HasPrefix(out, "openiep ") {
		t.Errorf("version = %q, %v", out, err)
	}
}

func TestMigrateAndDemoWithEnvironment(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "test.db")
	vars := map[string]string{"OPENIEP_DB": dbPath}
	out, _, err := runCmd(t, vars, "migrate")
	if err != nil || !strings.Contains(out, "up to date") || strings.Contains(out, "(0 migrations") {
		t.Fatalf("migrate of a new database = %q, %v; want it to report the migrations it applied", out, err)
	}
	out, _, err = runCmd(t, vars, "migrate")
	if err != nil || !strings.Contains(out, "(0 migrations applied now)") {
		t.Fatalf("second migrate = %q, %v; want nothing left to apply", out, err)
	}
	out, _, err = runCmd(t, map[string]string{"OPENIEP_DB": dbPath, "OPENIEP_STUDENTS": "150", "OPENIEP_TODAY": "2026-11-24"}, "demo", "--seed", "7")
	if err != nil {
		t.Fatalf("demo: %v", err)
	}
	if !strings.Contains(out, "150 students") {
		t.Errorf("demo output %q does not report 150 students", out)
	}
}

// syncBuffer is a bytes.Buffer safe for the server goroutine to write while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServeDemoEndToEnd(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "serve.db")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"openiep", "serve", "--demo", "--demo-students", "200", "--addr", "127.0.0.1:0", "--db", dbPath},
			fakeEnv(nil), strings.NewReader(""), &out, io.Discard)
	}()
	base := waitForAddress(t, &out, done)
	for _, path := range []string{"/healthz", "/"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200: %s", path, resp.StatusCode, body)
		}
	}
	if !strings.Contains(out.String(), "Demo people, one per role") {
		t.Errorf("serve --demo did not print the demo people:\n%s", out.String())
	}
	signInAsDemoAdmin(t, base, out.String())
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v after shutdown, want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop within 30 s of its context ending")
	}
}

// signInAsDemoAdmin signs in with the administrator's e-mail and the demo password that serve
// printed, and opens the district overview.
func signInAsDemoAdmin(t *testing.T, base, out string) {
	t.Helper()
	var email, password string
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && f[0] == "administrator" {
			email = f[len(f)-1]
		}
		if _, p, ok := strings.Cut(line, "this password: "); ok {
			password = strings.TrimSpace(p)
		}
	}
	if email == "" || password == "" {
		t.Fatalf("no administrator e-mail (%q) or demo password (%q) in:\n%s", email, password, out)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(base+"/signin", url.Values{"email": {email}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "<h1>") || strings.Contains(string(body), `action="/signin"`) {
		t.Fatalf("sign in as the demo administrator = %d:\n%.2000s", resp.StatusCode, body)
	}
	resp, err = c.PostForm(base+"/signin", url.Values{"email": {email}, "password": {"not the password"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a wrong password = %d, want 401", resp.StatusCode)
	}
}

// waitForAddress reads the "serving at" line from the server's output.
func waitForAddress(t *testing.T, out *syncBuffer, done <-chan error) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		sc := bufio.NewScanner(strings.NewReader(out.String()))
		for sc.Scan() {
			if _, rest, ok := strings.Cut(sc.Text(), "serving at "); ok {
				return strings.TrimSuffix(rest, "/")
			}
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended before listening: %v\n%s", err, out.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("serve printed no address within 60 s:\n%s", out.String())
	return ""
}
