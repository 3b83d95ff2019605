package main

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/auth"
	"github.com/openiep/openiep/internal/store"
)

func TestSSOAddListDisable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sso.db")
	ids := seedDistricts(t, path, 1)
	key := auth.NewKey()
	vars := map[string]string{"OPENIEP_DB": path, "OPENIEP_SECRET_KEY": key}
	const secret = "GOCSPX-very secret\\value"
	out, _, err := runCmdInput(t, vars, secret+"\r\n", "sso", "add", "--name", "Google", "--issuer", "https://accounts.google.com",
		"--client-id", "123.apps.example", "--email-domains", "Riverside.org, @k12.riverside.org")
	if err != nil {
		t.Fatalf("sso add: %v", err)
	}
	m := regexp.MustCompile(`\(id (\S+)\) to district (\S+), enabled`).FindStringSubmatch(out)
	if m == nil || m[2] != ids[0] {
		t.Fatalf("sso add printed %q, want the provider's id and the district", out)
	}
	id := m[1]

	ctx := context.Background()
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.GetSSOProvider(ctx, ids[0], id)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "Google" || p.Issuer != "https://accounts.google.com" || p.ClientID != "123.apps.example" || !p.Enabled ||
		!slices.Equal(p.EmailDomains, []string{"riverside.org", "k12.riverside.org"}) || len(p.Scopes) != 0 {
		t.Errorf("the stored provider: %+v", p)
	}
	// The secret is sealed for this provider: it opens with the key and the provider's id only.
	if strings.Contains(p.ClientSecret, "secret") {
		t.Fatalf("the client secret is stored in the clear: %q", p.ClientSecret)
	}
	k, _ := auth.ParseKey(key)
	sealer, _ := auth.NewSealer(k)
	if got, err := sealer.Open(p.ClientSecret, "sso:"+id); err != nil || got != secret {
		t.Errorf("the sealed secret opens to %q, %v; want %q", got, err, secret)
	}
	if _, err := sealer.Open(p.ClientSecret, "sso:another-provider"); err == nil {
		t.Error("the sealed secret opens for another provider")
	}

	// Without e-mail domains nobody could ever sign in: refused.
	if _, _, err = runCmdInput(t, vars, "s3cret\n", "sso", "add", "--district", ids[0], "--name", "Clever",
		"--issuer", "https://clever.com", "--client-id", "cl"); err == nil || !strings.Contains(err.Error(), "--email-domains") {
		t.Fatalf("sso add without domains: %v", err)
	}
	out, _, err = runCmdInput(t, vars, "s3cret\n", "sso", "add", "--district", ids[0], "--name", "Clever",
		"--issuer", "https://clever.com", "--client-id", "cl", "--scopes", "openid,email", "--email-domains", "clever.riverside.org",
		"--public-url", "https://iep.riverside.org/")
	if err != nil || !regexp.MustCompile(`redirect address with the provider: https://iep\.riverside\.org/signin/sso/[0-9a-f-]{36}/callback\n`).MatchString(out) {
		t.Fatalf("sso add Clever = %q, %v", out, err)
	}
	out, _, err = runCmd(t, vars, "sso", "list")
	if err != nil {
		t.Fatalf("sso list: %v", err)
	}
	if !regexp.MustCompile(`(?m)^`+id+`\s+Google\s+https://accounts.google.com\s+123.apps.example\s+riverside.org,k12.riverside.org\s+enabled$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)Clever\s+https://clever.com\s+cl\s+clever.riverside.org\s+enabled$`).MatchString(out) {
		t.Errorf("sso list:\n%s", out)
	}
	if strings.Contains(out, "secret") || strings.Contains(out, p.ClientSecret) || strings.Contains(out, "v1.") {
		t.Errorf("sso list prints a secret:\n%s", out)
	}

	if out, _, err := runCmd(t, vars, "sso", "disable", "--id", id); err != nil || !strings.Contains(out, "Disabled identity provider "+id) {
		t.Fatalf("sso disable = %q, %v", out, err)
	}
	out, _, _ = runCmd(t, vars, "sso", "list", "--district", ids[0])
	if !regexp.MustCompile(`(?m)^` + id + `\s.*disabled$`).MatchString(out) {
		t.Errorf("sso list after disable:\n%s", out)
	}
	if _, _, err := runCmd(t, vars, "sso", "enable", "--id", id); err != nil {
		t.Fatalf("sso enable: %v", err)
	}
	out, _, _ = runCmd(t, vars, "sso", "list")
	if !regexp.MustCompile(`(?m)^` + id + `\s.*\senabled$`).MatchString(out) {
		t.Errorf("sso list after enable:\n%s", out)
	}

	// Mistakes: the same name again, a bad issuer, an unknown provider.
	_, _, err = runCmdInput(t, vars, "x\n", "sso", "add", "--name", "Google", "--issuer", "https://accounts.google.com", "--client-id", "c", "--email-domains", "a.org")
	if err == nil || !strings.Contains(err.Error(), `already has an identity provider named "Google"`) {
		t.Errorf("sso add with a taken name: %v", err)
	}
	_, _, err = runCmdInput(t, vars, "x\n", "sso", "add", "--name", "Evil", "--issuer", "http://accounts.example.com", "--client-id", "c", "--email-domains", "a.org")
	if err == nil || !strings.Contains(err.Error(), "issuer") || !strings.Contains(err.Error(), "https") {
		t.Errorf("sso add with a plain-http issuer: %v", err)
	}
	_, _, err = runCmd(t, vars, "sso", "disable", "--id", "nope")
	if err == nil || !strings.Contains(err.Error(), `has no identity provider "nope"`) {
		t.Errorf("sso disable of an unknown id: %v", err)
	}
}

func TestSSOUsage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "usage.db")
	seedDistricts(t, path, 2)
	vars := map[string]string{"OPENIEP_DB": path, "OPENIEP_SECRET_KEY": auth.NewKey()}
	add := []string{"sso", "add", "--name", "Google", "--issuer", "https://accounts.google.com", "--client-id", "c", "--email-domains", "riverside.org"}
	for _, tt := range []struct {
		input string
		args  []string
		want  string
	}{
		{"", []string{"sso"}, "needs a subcommand"},
		{"", []string{"sso", "frob"}, `unknown sso subcommand "frob"`},
		{"secret\n", []string{"sso", "add", "--name", "Google"}, "needs --name, --issuer, --client-id and --email-domains"},
		{"", add, "standard input, which is empty"},
		{"\n", add, "standard input, which is empty"},
		{"secret\n", add, "several districts"},
		{"", []string{"sso", "disable"}, "needs --id"},
		{"", []string{"sso", "list"}, "several districts"},
	} {
		_, _, err := runCmdInput(t, vars, tt.input, tt.args...)
		if err == nil || exitCode(err) != 2 || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("run(%q) = %v, want a usage error containing %q", tt.args, err, tt.want)
		}
	}
	// With OPENIEP_SECRET_KEY set, no key file is made beside the database.
	out, _, err := runCmd(t, map[string]string{"OPENIEP_DB": path}, "sso", "--help")
	if err != nil || !strings.Contains(out, "Usage: openiep sso") {
		t.Errorf("sso --help = %q, %v", out, err)
	}
	if matches, _ := filepath.Glob(path + ".key"); len(matches) != 0 {
		t.Errorf("a key file was created beside the database though OPENIEP_SECRET_KEY was set: %v", matches)
	}
}
