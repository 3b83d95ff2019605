package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes
	SaltLen uint32 // bytes of random salt
	KeyLen  uint32 // bytes of derived key
}

// DefaultParams suit a small server with two cores: 64 MiB, two passes, two lanes (OWASP's
// minimum for argon2id is 19 MiB with two passes). BenchmarkHashPassword measures one hash; on
// the two-core development server it takes about 80 ms, a delay a person does not notice at
// sign-in, while every guess costs an attacker 64 MiB for as long.
var DefaultParams = Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}

var b64 = base64.RawStdEncoding

// ErrMalformedHash is returned by Verify for an encoded hash it cannot read. It is never a match.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// HashPassword returns the argon2id hash of password (NFC-normalized first, so that the same
// characters typed on different keyboards give the same hash) in the PHC string form
// $argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>, salt and hash in unpadded standard base64.
func HashPassword(password string, p Params) string {
	salt := make([]byte, p.SaltLen)
	rand.Read(salt) // never fails (crypto/rand since Go 1.24)
	key := argon2.IDKey([]byte(norm.NFC.String(password)), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// Verify reports whether password matches encoded, a hash from HashPassword, comparing in
// constant time. needsRehash is true on a match whose parameters differ from DefaultParams:
// the caller should store HashPassword(password, DefaultParams) now that it knows the password.
// A malformed hash is ErrMalformedHash and never a match.
func Verify(encoded, password string) (ok, needsRehash bool, err error) {
	p, salt, want, err := decodeHash(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(norm.NFC.String(password)), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	d := DefaultParams
	return true, p.Memory != d.Memory || p.Time != d.Time || p.Threads != d.Threads ||
		p.SaltLen != d.SaltLen || p.KeyLen != d.KeyLen, nil
}

// decodeHash reads the PHC string form; it refuses parameters outside sane bounds, so that a
// doctored hash cannot make Verify allocate gigabytes.
func decodeHash(encoded string) (p Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformedHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return p, nil, nil, ErrMalformedHash
	}
	var canon string
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err == nil {
		canon = fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads)
	}
	if canon != parts[3] || p.Memory < 8 || p.Memory > 1<<22 || p.Time < 1 || p.Time > 100 || p.Threads < 1 {
		return p, nil, nil, ErrMalformedHash
	}
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(key) < 16 || len(key) > 128 {
		return p, nil, nil, ErrMalformedHash
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
