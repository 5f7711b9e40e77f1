package httpapi

import (
	"fmt"
	"net/http"
	"strings"

	"innkeeper/shared/keyring"
)

// How the API names a caller without keeping what identifies it. An
// address is named by an HMAC under a key derived from the application
// key (shared/keyring), one name per purpose: the rate-limit bucket, the
// idempotency scope of an anonymous caller, the client in the cost ledger
// that finance reads. None of them can be recomputed, nor an IPv4 address
// found by trying every one, without that key. The access log alone keeps
// the address itself, as operators need it to block an abuser.
//
// A rotation of the application key renames every address: rate-limit
// budgets start afresh and the ledger's client changes once, which is
// harmless; an idempotency key sent before the rotation is still found
// under the caller's former name (scopesOf).

// The purposes, so that a name given for one matches no other.
const (
	purposeRateLimit   = "ratelimit"
	purposeIdempotency = "idempotency-scope"
	purposeCost        = "cost-client"
)

// addressKey is the rate-limit bucket of a client address.
func (s *Server) addressKey(ip string) string {
	return s.addrs.Name(purposeRateLimit, ip, 12)
}

// clientKey is an opaque key of the caller for cost attribution, which
// links a booking to the searches the same caller made before it without
// keeping the address; "" (not attributed) when the API has no key.
func (s *Server) clientKey(r *http.Request) string {
	if s.addrs == nil {
		return ""
	}
	return "c-" + s.addrs.Name(purposeCost, clientIP(r), 6)
}

// scopesOf names the client an idempotency key belongs to: the holder of
// a bearer credential, or else the address it calls from, so a caller who
// learns another's key and body gets no replay of the other's response.
// before are the names the same anonymous caller had under the keys of a
// rotation still under way, where a retry finds what it stored then.
func (s *Server) scopesOf(r *http.Request) (scope string, before []string) {
	if authz := strings.TrimSpace(r.Header.Get("Authorization")); authz != "" {
		return "bearer:" + hashHex(authz)[:32], nil
	}
	names := s.addrs.Names(purposeIdempotency, clientIP(r), 16)
	for i := range names {
		names[i] = "addr:" + names[i]
	}
	return names[0], names[1:]
}

// receiptPurpose names the key stored responses are sealed under.
const receiptPurpose = "idempotency-receipts"

// useKeys derives the API's keys from d.LinkKeys. Without a key it fails
// only for an API that would need one: one that stores responses (a
// Service) or counts addresses (a RateLimiter).
func (s *Server) useKeys(d Deps) error {
	seal, err := keyring.NewSealer(receiptPurpose, d.LinkKeys...)
	if err != nil {
		if d.Service == nil && d.RateLimiter == nil {
			return nil
		}
		return fmt.Errorf("httpapi: LinkKeys: %w (they seal stored responses and name client addresses)", err)
	}
	s.seal = seal
	s.addrs, err = keyring.NewAddresses(d.LinkKeys...)
	return err
}
