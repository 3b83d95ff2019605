package auth

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealRoundTrip(t *testing.T) {
	s, err := NewSealer(make([]byte, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	a, err := s.Seal("JBSWY3DPEHPK3PXP", "totp:acc-1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Seal("JBSWY3DPEHPK3PXP", "totp:acc-1")
	if a == b || !strings.HasPrefix(a, "v1.") || strings.Contains(a, "JBSWY3DPEHPK3PXP") {
		t.Errorf("sealed values %q, %q: want distinct, prefixed, without the secret", a, b)
	}
	if got, err := s.Open(a, "totp:acc-1"); err != nil || got != "JBSWY3DPEHPK3PXP" {
		t.Errorf("Open = %q, %v", got, err)
	}
	if _, err := s.Open(a, "totp:acc-2"); err != ErrUnseal {
		t.Errorf("Open with other additional data: err = %v, want ErrUnseal", err)
	}
	other, _ := NewSealer([]byte(strings.Repeat("k", KeySize)))
	if _, err := other.Open(a, "totp:acc-1"); err != ErrUnseal {
		t.Errorf("Open with another key: err = %v, want ErrUnseal", err)
	}
	mid := len(a) / 2
	c := byte('A')
	if a[mid] == 'A' {
		c = 'B'
	}
	flipped := a[:mid] + string(c) + a[mid+1:]
	for _, bad := range []string{"JBSWY3DPEHPK3PXP", "v1.", "v1.!!", flipped, a[:10]} {
		if _, err := s.Open(bad, "totp:acc-1"); err != ErrUnseal {
			t.Errorf("Open(%q): err = %v, want ErrUnseal", bad, err)
		}
	}
	if got, err := s.Seal("", "x"); got != "" || err != nil {
		t.Errorf("Seal(\"\") = %q, %v", got, err)
	}
	if got, err := s.Open("", "x"); got != "" || err != nil {
		t.Errorf("Open(\"\") = %q, %v", got, err)
	}
	if _, err := NewSealer(make([]byte, 16)); err == nil {
		t.Error("a 16-byte key was accepted")
	}
}

func TestParseKey(t *testing.T) {
	hexKey := strings.Repeat("ab", 32)
	for _, s := range []string{hexKey, " " + hexKey + "\n", "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=", "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s"} {
		if k, err := ParseKey(s); err != nil || k[0] != 0xab {
			t.Errorf("ParseKey(%q) = %x, %v", s, k, err)
		}
	}
	for _, s := range []string{"", "abcd", strings.Repeat("zz", 32)} {
		if _, err := ParseKey(s); err == nil {
			t.Errorf("ParseKey(%q) accepted", s)
		}
	}
}

func TestLoadSealer(t *testing.T) {
	dir := t.TempDir()
	dsn := filepath.Join(dir, "openiep.db")
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }

	s1, err := LoadSealer(getenv, dsn)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dsn + ".key")
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", fi, err)
	}
	sealed, _ := s1.Seal("secret", "x")
	s2, err := LoadSealer(getenv, dsn) // the same file again
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s2.Open(sealed, "x"); got != "secret" || err != nil {
		t.Errorf("the key file was not reused: %q, %v", got, err)
	}

	env["OPENIEP_SECRET_KEY"] = strings.Repeat("01", 32)
	s3, _ := LoadSealer(getenv, dsn)
	if _, err := s3.Open(sealed, "x"); err != ErrUnseal {
		t.Errorf("OPENIEP_SECRET_KEY was not preferred to the file")
	}
	env["OPENIEP_SECRET_KEY"] = "short"
	if _, err := LoadSealer(getenv, dsn); err == nil || !strings.Contains(err.Error(), "OPENIEP_SECRET_KEY") {
		t.Errorf("a bad key: err = %v", err)
	}
	delete(env, "OPENIEP_SECRET_KEY")
	if _, err := LoadSealer(getenv, "postgres://u@h/db"); err == nil {
		t.Error("PostgreSQL without a key was accepted")
	}
	env["OPENIEP_SECRET_KEY_FILE"] = dsn + ".key"
	s4, err := LoadSealer(getenv, "postgres://u@h/db")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := s4.Open(sealed, "x"); got != "secret" {
		t.Errorf("OPENIEP_SECRET_KEY_FILE was not read")
	}
}
