package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP as in RFC 6238 with the parameters every authenticator app supports: HMAC-SHA-1, six
// digits, 30-second steps. VerifyTOTP accepts the step before and after the current one, for
// clocks a little apart.
const (
	TOTPDigits = 6
	TOTPPeriod = 30 * time.Second
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret returns a new 160-bit secret in unpadded base32, the form authenticator apps
// take.
func NewTOTPSecret() string {
	b := make([]byte, 20)
	rand.Read(b)
	return b32.EncodeToString(b)
}

// TOTPStep returns the RFC 6238 time step of t.
func TOTPStep(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }

// TOTPCode returns the six-digit code of secret (base32) at t. Errors: the secret is not base32.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	return hotp(key, TOTPStep(t)), nil
}

// VerifyTOTP reports whether code is the code of secret at t, or one step before or after; step
// is the step it matched. A step at or before lastUsedStep is refused, so that a code seen over
// someone's shoulder cannot be used again: the caller stores step as the new lastUsedStep on
// success. A malformed secret never matches.
func VerifyTOTP(secret, code string, t time.Time, lastUsedStep int64) (ok bool, step int64) {
	key, err := decodeSecret(secret)
	if err != nil || len(code) != TOTPDigits {
		return false, 0
	}
	now := TOTPStep(t)
	for s := now - 1; s <= now+1; s++ {
		if s > lastUsedStep && subtle.ConstantTimeCompare([]byte(hotp(key, s)), []byte(code)) == 1 {
			return true, s
		}
	}
	return false, 0
}

// TOTPURI returns the otpauth:// provisioning URI an authenticator app reads from a QR code.
func TOTPURI(secret, issuer, account string) string {
	label := url.PathEscape(issuer + ":" + account)
	q := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"},
		"digits": {fmt.Sprint(TOTPDigits)}, "period": {fmt.Sprint(int(TOTPPeriod / time.Second))}}
	return "otpauth://totp/" + label + "?" + q.Encode()
}

func decodeSecret(secret string) ([]byte, error) {
	key, err := b32.DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil || len(key) == 0 {
		return nil, fmt.Errorf("auth: the TOTP secret is not base32")
	}
	return key, nil
}

// hotp is RFC 4226's HOTP with dynamic truncation to TOTPDigits digits.
func hotp(key []byte, counter int64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(counter))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:]) & 0x7fffffff
	return fmt.Sprintf("%0*d", TOTPDigits, v%1_000_000)
}
