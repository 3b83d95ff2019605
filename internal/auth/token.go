package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// NewToken returns a new opaque token for a session cookie or a one-time link (32 random bytes,
// unpadded base64url: 43 characters) and its hash, the only form the database keeps. Someone who
// reads the database therefore cannot sign in with what they read.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the SHA-256 of token in lower-case hex. A token has 256 bits of entropy,
// so a fast unsalted hash suffices: there is nothing to guess.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
