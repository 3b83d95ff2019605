package auth

import (
	"errors"
	"strings"
	"testing"

	"github.com/openiep/openiep/internal/iep"
)

// fastParams keep the tests quick; DefaultParams are measured by the benchmark.
var fastParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashAndVerify(t *testing.T) {
	h := HashPassword("correct horse battery", fastParams)
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("HashPassword = %q, want the PHC form", h)
	}
	if h2 := HashPassword("correct horse battery", fastParams); h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	ok, rehash, err := Verify(h, "correct horse battery")
	if !ok || !rehash || err != nil {
		t.Errorf("Verify(right) = %v, %v, %v; want true, true (not the default params), nil", ok, rehash, err)
	}
	if ok, _, err := Verify(h, "correct horse batterx"); ok || err != nil {
		t.Errorf("Verify(wrong) = %v, %v; want false, nil", ok, err)
	}
	// NFC and NFD forms of "é" are one password.
	hn := HashPassword("caf\u00e9 au lait noir", fastParams)
	if ok, _, _ := Verify(hn, "cafe\u0301 au lait noir"); !ok {
		t.Error("Verify(NFD form of an NFC password) = false, want true")
	}
}

func TestVerifyDefaultNeedsNoRehash(t *testing.T) {
	h := HashPassword("correct horse battery", DefaultParams)
	if ok, rehash, err := Verify(h, "correct horse battery"); !ok || rehash || err != nil {
		t.Errorf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestVerifyMalformed(t *testing.T) {
	good := HashPassword("x", fastParams)
	parts := strings.Split(good, "$")
	for _, h := range []string{
		"", "plain", "$argon2i$v=19$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=18$m=64,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=99999999,t=1,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=0,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1,x=2$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$!!$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$",
		good + "$extra",
	} {
		ok, _, err := Verify(h, "x")
		if ok || !errors.Is(err, ErrMalformedHash) {
			t.Errorf("Verify(%q) = %v, %v; want false, ErrMalformedHash", h, ok, err)
		}
	}
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		HashPassword("correct horse battery staple", DefaultParams)
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		pw, email  string
		code, dets string
	}{
		{"correct horse battery", "ana@x.org", "", ""},
		{"ñandú-ñandú", "", iep.CodeRange, "12..256"},             // 11 characters, 15 bytes
		{"ñandú-ñandú!", "", "", ""},                              // 12 characters
		{"cafe\u0301cafe\u0301caf", "", iep.CodeRange, "12..256"}, // 13 code points, 11 characters after NFC
		{strings.Repeat("a", 256) + "b", "", iep.CodeRange, "12..256"},
		{strings.Repeat("ab", 128), "", "", ""},
		{"Password1234", "", iep.CodeInvalid, "common"},
		{"Teacher.Smith@District.org", "teacher.smith@district.org", iep.CodeInvalid, "email"},
	}
	for _, tt := range tests {
		err := CheckPassword(tt.pw, tt.email)
		if tt.code == "" {
			if err != nil {
				t.Errorf("CheckPassword(%q) = %v, want nil", tt.pw, err)
			}
			continue
		}
		var e *iep.Error
		if !errors.As(err, &e) || len(e.Problems) != 1 {
			t.Fatalf("CheckPassword(%q) = %v, want one problem", tt.pw, err)
		}
		p := e.Problems[0]
		if p.Field != "password" || p.Code != tt.code || p.Detail != tt.dets {
			t.Errorf("CheckPassword(%q) = %+v, want password %s %s", tt.pw, p, tt.code, tt.dets)
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	a, b := GeneratePassword(16), GeneratePassword(16)
	if len(a) != 16 || a == b {
		t.Errorf("GeneratePassword(16) = %q, %q; want 16 characters, different", a, b)
	}
	if err := CheckPassword(a, ""); err != nil {
		t.Errorf("CheckPassword(generated) = %v", err)
	}
	if n := len(GeneratePassword(3)); n != MinPasswordLen {
		t.Errorf("len(GeneratePassword(3)) = %d, want %d", n, MinPasswordLen)
	}
}

func TestTokens(t *testing.T) {
	tok, hash := NewToken()
	tok2, _ := NewToken()
	if len(tok) != 43 || tok == tok2 || strings.ContainsAny(tok, "+/=") {
		t.Errorf("NewToken() = %q; want 43 base64url characters, fresh each time", tok)
	}
	if len(hash) != 64 || HashToken(tok) != hash || HashToken(tok2) == hash {
		t.Errorf("HashToken(token) = %q, hash = %q", HashToken(tok), hash)
	}
}
