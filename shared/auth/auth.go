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
	ID int64
	// PublicID names the key in lists and logs and is part of its text
	// (ink_<role>_<public id>_<secret>); it reveals nothing of the secret.
	PublicID string
	Name     string
	Role     Role
	Prefix   string // the text's first characters, to recognise a key
	// CreatedAt, ExpiresAt (nil: never), LastUsedAt (to the minute; nil:
	// never used) and RevokedAt (nil: live) are the key's life cycle.
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// ErrLastAdminKey refuses to revoke the last live admin key: without one,
// no key could be made or revoked through the API again.
var ErrLastAdminKey = errors.New("auth: the last live admin key")

// NewToken returns a random 256-bit secret, URL-safe with prefix, and the
// hash to store. The token is shown once.
func NewToken(prefix string) (token string, hash []byte) {
	token = prefix + randomText(32)
	return token, Hash(token)
}

func randomText(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("auth: crypto/rand failed: %v", err))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// publicIDAlphabet is Crockford's base 32 in lower case: no "_" (it
// separates the parts of a key's text), nothing easily misread, and 32
// letters, so a random byte picks one without bias.
const publicIDAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"

// NewAPIKey returns the text of a new API key with role,
// ink_<role>_<public id>_<secret>, and its public id: 12 characters (60
// bits, so two keys never share one in practice) and a 256-bit secret.
func NewAPIKey(role Role) (token, publicID string) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("auth: crypto/rand failed: %v", err))
	}
	id := make([]byte, len(b))
	for i, c := range b {
		id[i] = publicIDAlphabet[int(c)%len(publicIDAlphabet)]
	}
	publicID = string(id)
	return "ink_" + string(role) + "_" + publicID + "_" + randomText(32), publicID
}

// PublicIDOf is the public id in a key's text, or "" when the text is not
// of the form NewAPIKey makes (keys made before public ids, which keep
// working: keys are found by the hash of their whole text).
func PublicIDOf(token string) string {
	rest, ok := strings.CutPrefix(token, "ink_")
	if !ok {
		return ""
	}
	role, rest, ok := strings.Cut(rest, "_")
	if !ok || !ValidRole(role) {
		return ""
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || len(id) != 12 || len(secret) < 43 || strings.Trim(id, publicIDAlphabet) != "" {
		return ""
	}
	return id
}

// Live reports whether the key may act at now: not revoked, not expired.
func (k Key) Live(now time.Time) bool {
	return k.RevokedAt == nil && (k.ExpiresAt == nil || now.Before(*k.ExpiresAt))
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

// KeyPrefix is how a key is recognised without revealing it: up to its
// public id for keys that have one in their text, else its first 10
// characters.
func KeyPrefix(token string) string {
	if id := PublicIDOf(token); id != "" {
		return token[:strings.Index(token, id)+len(id)]
	}
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
