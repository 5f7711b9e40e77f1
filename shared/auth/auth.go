// Package auth holds the secrets of Innkeeper: the tokens guests and staff
// present, how they are stored (hashed, never in clear) and the roles that
// staff API keys carry.
package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Role is what a staff API key may do.
type Role string

// The roles: staff manage inventory and rates and read bookings; admin also
// creates hotels and keys; finance reads finance reports only.
const (
	RoleStaff   Role = "staff"
	RoleAdmin   Role = "admin"
	RoleFinance Role = "finance"
)

// ValidRole reports whether s names a role.
func ValidRole(s string) bool {
	switch Role(s) {
	case RoleStaff, RoleAdmin, RoleFinance:
		return true
	}
	return false
}

// Allows reports whether a key with role r may act where any of want is
// accepted. Admin may do whatever staff may; finance stays apart.
func (r Role) Allows(want ...Role) bool {
	for _, w := range want {
		if r == w || (r == RoleAdmin && w == RoleStaff) {
			return true
		}
	}
	return false
}

// Key is a stored staff API key; its secret is known only by its hash.
type Key struct {
	ID     int64
	Name   string
	Role   Role
	Prefix string // the first characters, to recognise a key in lists and logs
}

// NewToken returns a random 256-bit secret, URL-safe with prefix, and the
// hash to store. The token is shown once.
func NewToken(prefix string) (token string, hash []byte) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("auth: crypto/rand failed: %v", err))
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, Hash(token)
}

// Hash is the stored form of a token. Tokens carry 256 bits of entropy, so
// a fast hash cannot be brute-forced and lookups stay one index probe.
func Hash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// Equal compares two hashes in constant time.
func Equal(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// Bearer extracts the token from an Authorization header value.
func Bearer(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	if token == "" || len(token) > 512 {
		return "", false
	}
	return token, true
}

// KeyPrefix is how a key is recognised without revealing it.
func KeyPrefix(token string) string {
	if len(token) > 10 {
		return token[:10]
	}
	return token
}

// Guest links: a reservation reference and an expiry, signed with
// HMAC-SHA256 under the application key, so an email can carry a link that
// opens the booking without the access token, for a limited time.

// ErrBadLink means a signed link is malformed, forged or expired.
var ErrBadLink = errors.New("auth: invalid or expired link")

func linkMAC(key, reference string, expires int64) []byte {
	m := hmac.New(sha256.New, []byte(key))
	fmt.Fprintf(m, "innkeeper.manage\x00%s\x00%d", reference, expires)
	return m.Sum(nil)
}

// SignLink signs reference until expires with key.
func SignLink(key, reference string, expires time.Time) string {
	return base64.RawURLEncoding.EncodeToString(linkMAC(key, reference, expires.Unix()))
}

// VerifyLink checks a signature made by SignLink with any of keys (the
// current key and, during a rotation, the next), and that it has not
// expired at now.
func VerifyLink(keys []string, reference string, expires int64, signature string, now time.Time) error {
	sig, err := base64.RawURLEncoding.DecodeString(signature)
	if err != nil || len(sig) != sha256.Size {
		return ErrBadLink
	}
	ok := false
	for _, k := range keys {
		if k != "" && hmac.Equal(sig, linkMAC(k, reference, expires)) {
			ok = true
		}
	}
	if !ok || now.Unix() > expires {
		return ErrBadLink
	}
	return nil
}
