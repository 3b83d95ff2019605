package auth

import (
	"crypto/rand"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/openiep/openiep/internal/iep"
)

// Password length bounds, in Unicode characters after NFC normalization (NIST SP 800-63B
// 3.1.1.2 asks for at least 8 and allows 64 or more; openiep asks for 12 because there is no
// other composition rule).
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// CheckPassword applies the password rules of NIST SP 800-63B: a length between MinPasswordLen
// and MaxPasswordLen characters, not one of the commonly used passwords, not the account's
// e-mail address. No composition rules (digits, symbols) and no expiry, as 800-63B advises. The
// error is of kind invalid with one problem on the field "password": code range (detail
// "12..256") for the length, code invalid with detail "common" or "email" otherwise.
func CheckPassword(password, email string) error {
	p := norm.NFC.String(password)
	n := utf8.RuneCountInString(p)
	var ps iep.Problems
	switch {
	case n < MinPasswordLen || n > MaxPasswordLen:
		ps = iep.Problems{{Field: "password", Code: iep.CodeRange, Detail: "12..256"}}
	case isCommon(p):
		ps = iep.Problems{{Field: "password", Code: iep.CodeInvalid, Detail: "common"}}
	case email != "" && strings.EqualFold(strings.TrimSpace(p), strings.TrimSpace(email)):
		ps = iep.Problems{{Field: "password", Code: iep.CodeInvalid, Detail: "email"}}
	}
	return ps.Err()
}

// commonPasswords are passwords of twelve or more characters that lead the published lists of
// leaked passwords (shorter ones fail the length rule anyway). Compared case-insensitively.
var commonPasswords = map[string]bool{}

func init() {
	for _, p := range strings.Fields(`123456789012 1234567890123 12345678901234 123456789123
		111111111111 000000000000 123123123123 qwertyuiopas qwertyuiop123 qwerty123456
		1q2w3e4r5t6y 1qaz2wsx3edc password1234 password123! passwordpassword iloveyou1234
		abc123456789 abcdefghijkl abcd12345678 welcome12345 letmein12345 changeme1234
		administrator admin1234567 adminadmin123 football1234 baseball1234 sunshine1234
		princess1234 qwertyqwerty aaaaaaaaaaaa asdfghjkl123 zxcvbnm12345 monkey123456
		dragon123456 trustno11234 superman1234 starwars1234 passw0rd1234 p@ssw0rd1234
		p@ssword1234 master123456 whatever1234 987654321098 147258369123 school123456
		teacher12345 student12345 password2024 password2025 password2026 welcome2024
		welcome2025 welcome2026 summer202420 winter202425 openiep12345 changeme123!`) {
		commonPasswords[p] = true
	}
}

func isCommon(p string) bool { return commonPasswords[strings.ToLower(p)] }

// GeneratePassword returns a random password of n characters (at least MinPasswordLen) from an
// alphabet without look-alikes (no 0/O, 1/l/I), for a one-time password an administrator
// passes on and its owner changes at first sign-in.
func GeneratePassword(n int) string {
	const alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	n = max(n, MinPasswordLen)
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[randIntn(len(alphabet))]
	}
	return string(b)
}

// randIntn returns a uniform random number in [0, n), n <= 256, by rejection sampling.
func randIntn(n int) int {
	limit := 256 - 256%n
	var b [1]byte
	for {
		rand.Read(b[:])
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}
