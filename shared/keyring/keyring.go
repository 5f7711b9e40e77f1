// Package keyring derives, from the application keys (APP_KEY and, during a
// rotation, APP_KEY_NEXT), one sub-key per purpose, and provides the two
// things the API does with them: sealing data it keeps at rest (AES-256-GCM),
// and naming client addresses by a keyed hash (HMAC-SHA256), so that neither
// a database dump nor Redis nor the cost ledger holds a guest token or an
// address that can be recovered without the key.
//
// The keys are given current first. Sealing and hashing use the current
// key; opening tries every key, and hashes are offered under every key, so
// data written before a rotation (APP_KEY_NEXT becomes APP_KEY, the old key
// becomes APP_KEY_NEXT) is still read after it. No new secret is needed:
// each purpose's key is derived with HKDF-SHA256 under its own label, so
// one purpose's outputs say nothing about another's key or the link key.
package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"slices"
)

// ErrNoKey means no application key was given.
var ErrNoKey = errors.New("keyring: no application key")

// derive is the 32-byte key of purpose under the application key appKey.
func derive(appKey, purpose string) []byte {
	k, err := hkdf.Key(sha256.New, []byte(appKey), nil, "innkeeper/"+purpose, 32)
	if err != nil {
		// Only a length beyond 255 hash blocks fails; 32 bytes never does.
		panic(fmt.Sprintf("keyring: derive: %v", err))
	}
	return k
}

// present is appKeys without the empty ones (an unset APP_KEY_NEXT) and
// without repeats, current first.
func present(appKeys []string) []string {
	var out []string
	for _, k := range appKeys {
		if k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// sealMagic starts every sealed value. Its first byte, NUL, cannot start
// JSON or text, so a value stored in clear before sealing existed is told
// apart from a sealed one (IsSealed).
var sealMagic = []byte{0, 'k', 's', '1'}

// ErrCannotOpen means a sealed value was sealed under none of the keys
// (one retired too early), for another context, or altered.
var ErrCannotOpen = errors.New("keyring: sealed value cannot be opened with the current keys")

// Sealer seals values kept at rest with AES-256-GCM under the current key
// of its purpose, and opens those sealed under any of the keys.
type Sealer struct {
	aeads []cipher.AEAD // current first
}

// NewSealer returns the Sealer of purpose (a fixed label such as
// "idempotency-receipts") under appKeys, current first; empty keys are
// skipped. It fails with ErrNoKey when none is left.
func NewSealer(purpose string, appKeys ...string) (*Sealer, error) {
	keys := present(appKeys)
	if len(keys) == 0 {
		return nil, ErrNoKey
	}
	s := &Sealer{}
	for _, k := range keys {
		block, err := aes.NewCipher(derive(k, "seal/"+purpose))
		if err != nil {
			return nil, fmt.Errorf("keyring: sealer %s: %w", purpose, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("keyring: sealer %s: %w", purpose, err)
		}
		s.aeads = append(s.aeads, aead)
	}
	return s, nil
}

// Seal encrypts plain under the current key, bound to context: Open gives
// it back only with the same context, so a sealed value copied to another
// row does not open there. A random nonce per value: the same plain text
// seals differently each time.
func (s *Sealer) Seal(plain, context []byte) []byte {
	aead := s.aeads[0]
	out := make([]byte, len(sealMagic)+aead.NonceSize(), len(sealMagic)+aead.NonceSize()+len(plain)+aead.Overhead())
	copy(out, sealMagic)
	nonce := out[len(sealMagic):]
	if _, err := rand.Read(nonce); err != nil {
		panic(fmt.Sprintf("keyring: crypto/rand failed: %v", err))
	}
	return aead.Seal(out, nonce, plain, context)
}

// Open decrypts a value Seal made under any of the keys with the same
// context, or fails with ErrCannotOpen.
func (s *Sealer) Open(sealed, context []byte) ([]byte, error) {
	if !IsSealed(sealed) {
		return nil, ErrCannotOpen
	}
	body := sealed[len(sealMagic):]
	for _, aead := range s.aeads {
		if len(body) < aead.NonceSize()+aead.Overhead() {
			return nil, ErrCannotOpen
		}
		nonce, ct := body[:aead.NonceSize()], body[aead.NonceSize():]
		if plain, err := aead.Open(nil, nonce, ct, context); err == nil {
			return plain, nil
		}
	}
	return nil, ErrCannotOpen
}

// IsSealed reports whether b has the form Seal gives: anything else was
// stored in clear.
func IsSealed(b []byte) bool {
	return len(b) >= len(sealMagic) && string(b[:len(sealMagic)]) == string(sealMagic)
}

// Addresses names client addresses by an HMAC-SHA256 under a key derived
// from the application key, so a name cannot be recomputed, nor an IPv4
// address found by trying all 2³² of them, without that key.
type Addresses struct {
	keys [][]byte // current first
}

// NewAddresses returns the address hasher under appKeys, current first;
// empty keys are skipped. It fails with ErrNoKey when none is left.
func NewAddresses(appKeys ...string) (*Addresses, error) {
	keys := present(appKeys)
	if len(keys) == 0 {
		return nil, ErrNoKey
	}
	a := &Addresses{}
	for _, k := range keys {
		a.keys = append(a.keys, derive(k, "client-address"))
	}
	return a, nil
}

// Name is ip's name for purpose (a fixed label: "ratelimit", "client", …,
// so names given for one purpose do not match another's) under the
// current key: n bytes of the HMAC, in hex. An IPv6 address is named by
// its /64, which one subscriber usually holds whole; an IPv4-mapped one
// as its IPv4 address.
func (a *Addresses) Name(purpose, ip string, n int) string {
	return name(a.keys[0], purpose, normal(ip), n)
}

// Names is Name under every key, current first: what the same client was
// called before a rotation, to find what was stored under that name.
func (a *Addresses) Names(purpose, ip string, n int) []string {
	ip = normal(ip)
	out := make([]string, len(a.keys))
	for i, k := range a.keys {
		out[i] = name(k, purpose, ip, n)
	}
	return out
}

func name(key []byte, purpose, ip string, n int) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(ip))
	sum := m.Sum(nil)
	return hex.EncodeToString(sum[:min(max(n, 1), len(sum))])
}

// normal is the form of an address that is hashed: without a zone,
// IPv4-mapped addresses as IPv4, IPv6 as its /64; anything unparsable as
// it is.
func normal(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.WithZone("").Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}
