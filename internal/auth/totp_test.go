package auth

import (
	"encoding/base32"
	"net/url"
	"testing"
	"time"
)

// rfcSecret is the SHA-1 seed of RFC 6238 appendix B ("12345678901234567890"), base32.
var rfcSecret = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))

func TestTOTPCodeRFC6238(t *testing.T) {
	// Appendix B's SHA-1 codes have eight digits; six-digit codes are their last six.
	tests := []struct {
		unix int64
		want string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"},
		{1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"},
	}
	for _, tt := range tests {
		got, err := TOTPCode(rfcSecret, time.Unix(tt.unix, 0))
		if err != nil || got != tt.want {
			t.Errorf("TOTPCode(RFC seed, %d) = %q, %v; want %q", tt.unix, got, err, tt.want)
		}
	}
	if _, err := TOTPCode("not base32!", time.Unix(59, 0)); err == nil {
		t.Error("TOTPCode(malformed secret) = nil error")
	}
}

func TestVerifyTOTP(t *testing.T) {
	at := time.Unix(1111111111, 0) // step 37037037, code 050471
	step := TOTPStep(at)
	prev, _ := TOTPCode(rfcSecret, at.Add(-TOTPPeriod))
	next, _ := TOTPCode(rfcSecret, at.Add(TOTPPeriod))
	far, _ := TOTPCode(rfcSecret, at.Add(-2*TOTPPeriod))
	tests := []struct {
		code     string
		last     int64
		ok       bool
		wantStep int64
	}{
		{"050471", 0, true, step},
		{prev, 0, true, step - 1},
		{next, 0, true, step + 1},
		{far, 0, false, 0},
		{"050471", step, false, 0},       // used already
		{"050471", step - 1, true, step}, // the step before was used, this one not
		{"050472", 0, false, 0},
		{"50471", 0, false, 0},
	}
	for _, tt := range tests {
		ok, s := VerifyTOTP(rfcSecret, tt.code, at, tt.last)
		if ok != tt.ok || s != tt.wantStep {
			t.Errorf("VerifyTOTP(%q, last %d) = %v, %d; want %v, %d", tt.code, tt.last, ok, s, tt.ok, tt.wantStep)
		}
	}
	if ok, _ := VerifyTOTP("###", "050471", at, 0); ok {
		t.Error("VerifyTOTP(malformed secret) = true")
	}
}

func TestNewTOTPSecretAndURI(t *testing.T) {
	s := NewTOTPSecret()
	if len(s) != 32 || s == NewTOTPSecret() {
		t.Errorf("NewTOTPSecret() = %q, want 32 base32 characters, fresh each time", s)
	}
	u, err := url.Parse(TOTPURI(s, "openiep Riverside", "ana@riverside.org"))
	if err != nil || u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/openiep Riverside:ana@riverside.org" {
		t.Fatalf("TOTPURI = %v, %v", u, err)
	}
	q := u.Query()
	if q.Get("secret") != s || q.Get("issuer") != "openiep Riverside" || q.Get("digits") != "6" || q.Get("period") != "30" || q.Get("algorithm") != "SHA1" {
		t.Errorf("TOTPURI query = %v", q)
	}
}

func TestThrottle(t *testing.T) {
	now := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		account, address int
		ago              time.Duration
		want             time.Duration
	}{
		{0, 0, 0, 0},
		{5, 0, 0, 0},
		{6, 0, 0, time.Second},
		{7, 0, 0, 2 * time.Second},
		{7, 0, time.Second, time.Second},
		{7, 0, time.Minute, 0}, // the delay has passed
		{15, 0, 0, 512 * time.Second},
		{16, 0, 0, MaxThrottleDelay},
		{10_000, 0, 0, MaxThrottleDelay}, // never more, never a lock
		{10_000, 0, MaxThrottleDelay, 0},
		{0, 20, 0, 0},
		{0, 21, 0, time.Second},
		{6, 23, 0, 4 * time.Second}, // the larger of the two
		{0, 1_000_000, 0, MaxThrottleDelay},
	}
	for _, tt := range tests {
		got := Throttle(tt.account, tt.address, now.Add(-tt.ago), now)
		if got != tt.want {
			t.Errorf("Throttle(%d, %d, %v ago) = %v, want %v", tt.account, tt.address, tt.ago, got, tt.want)
		}
	}
}
