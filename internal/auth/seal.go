package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Sealer encrypts the few secrets openiep must keep in its database in a form it can read back
// (TOTP secrets, single sign-on client secrets) with AES-256-GCM under the deployment's key, so
// that a copy of the database alone does not give them away. Each sealed value is bound to what
// it belongs to (the additional data, e.g. "totp:" + account id): a sealed value copied onto
// another row does not open there.
//
// A sealed value is "v1." followed by the base64url (no padding) of a 12-byte random nonce and
// the ciphertext with its tag. It is safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
}

// KeySize is the size of the deployment key: 32 bytes (AES-256).
const KeySize = 32

const sealPrefix = "v1."

// NewSealer returns a sealer for a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("auth: the secret key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext bound to aad. The empty string seals to the empty string, so that
// "no secret" stays recognisable.
func (s *Sealer) Seal(plaintext, aad string) (string, error) {
	if plaintext == "" {
		return "", nil
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, []byte(plaintext), []byte(aad))
	return sealPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// ErrUnseal is returned when a sealed value does not open: it was sealed under another key or
// for other additional data, or it was altered.
var ErrUnseal = errors.New("auth: the sealed value does not open with this key")

// Open decrypts a value sealed for aad. The empty string opens to the empty string.
func (s *Sealer) Open(sealed, aad string) (string, error) {
	if sealed == "" {
		return "", nil
	}
	rest, ok := strings.CutPrefix(sealed, sealPrefix)
	if !ok {
		return "", ErrUnseal
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(raw) < s.aead.NonceSize()+s.aead.Overhead() {
		return "", ErrUnseal
	}
	n := s.aead.NonceSize()
	out, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(aad))
	if err != nil {
		return "", ErrUnseal
	}
	return string(out), nil
}

// ParseKey reads a key written as 64 hexadecimal digits or as base64 (standard or URL, padded
// or not) of 32 bytes.
func ParseKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if b, err := hex.DecodeString(s); err == nil && len(b) == KeySize {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == KeySize {
			return b, nil
		}
	}
	return nil, fmt.Errorf("auth: a secret key is %d bytes written as 64 hexadecimal digits or as base64", KeySize)
}

// NewKey returns a fresh random key written in hexadecimal.
func NewKey() string {
	b := make([]byte, KeySize)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// LoadSealer returns the sealer of the deployment's key, found in this order:
//
//  1. OPENIEP_SECRET_KEY: the key itself (ParseKey);
//  2. OPENIEP_SECRET_KEY_FILE: a file holding it;
//  3. for a SQLite database (dsn is a file path), the file dsn + ".key" beside it, created with a
//     new key (mode 0600) when missing: a single-machine deployment works out of the box. Keep
//     that file out of the database's backups, or the backups give the secrets away.
//
// A PostgreSQL deployment (dsn is a postgres:// URL) must set one of the variables.
func LoadSealer(getenv func(string) string, dsn string) (*Sealer, error) {
	if k := getenv("OPENIEP_SECRET_KEY"); k != "" {
		key, err := ParseKey(k)
		if err != nil {
			return nil, fmt.Errorf("OPENIEP_SECRET_KEY: %w", err)
		}
		return NewSealer(key)
	}
	if f := getenv("OPENIEP_SECRET_KEY_FILE"); f != "" {
		return sealerFromFile(f, false)
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return nil, errors.New("auth: set OPENIEP_SECRET_KEY (or OPENIEP_SECRET_KEY_FILE) to the deployment's secret key " +
			"(64 hexadecimal digits; 'openssl rand -hex 32' makes one)")
	}
	return sealerFromFile(dsn+".key", true)
}

func sealerFromFile(path string, create bool) (*Sealer, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && create {
		k := NewKey()
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("auth: create the secret key file %s: %w", path, err)
		}
		if _, err := f.WriteString(k + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("auth: write the secret key file %s: %w", path, err)
		}
		if err := f.Close(); err != nil {
			return nil, fmt.Errorf("auth: write the secret key file %s: %w", path, err)
		}
		b = []byte(k)
	} else if err != nil {
		return nil, fmt.Errorf("auth: read the secret key file: %w", err)
	}
	key, err := ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return NewSealer(key)
}
