package keyring_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"innkeeper/shared/keyring"
)

var (
	oldKey = strings.Repeat("o", 40)
	newKey = strings.Repeat("n", 40)
)

func sealer(t *testing.T, keys ...string) *keyring.Sealer {
	t.Helper()
	s, err := keyring.NewSealer("test", keys...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// A value sealed before a rotation opens after it (the old key is then
// APP_KEY_NEXT) and while it is prepared (the new key is APP_KEY_NEXT);
// once the old key is gone it does not.
func TestSealerAcrossARotation(t *testing.T) {
	t.Parallel()
	plain := []byte(`{"access_token":"rat_secret"}`)
	ctx := []byte("scope\x00key")
	sealed := sealer(t, oldKey, "").Seal(plain, ctx)
	if bytes.Contains(sealed, []byte("rat_secret")) || !keyring.IsSealed(sealed) {
		t.Fatalf("sealed value %q shows its plain text or lacks the sealed form", sealed)
	}
	tests := []struct {
		name string
		keys []string
		ok   bool
	}{
		{"same key", []string{oldKey}, true},
		{"next key provisioned", []string{oldKey, newKey}, true},
		{"switched", []string{newKey, oldKey}, true},
		{"old key removed", []string{newKey}, false},
		{"no next key set", []string{newKey, ""}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sealer(t, tt.keys...).Open(sealed, ctx)
			if tt.ok && (err != nil || !bytes.Equal(got, plain)) {
				t.Fatalf("Open = %q, %v; want the plain text", got, err)
			}
			if !tt.ok && !errors.Is(err, keyring.ErrCannotOpen) {
				t.Fatalf("Open = %q, %v; want ErrCannotOpen", got, err)
			}
		})
	}
}

func TestSealerRefusesOtherContextsAndAlterations(t *testing.T) {
	t.Parallel()
	s := sealer(t, oldKey)
	sealed := s.Seal([]byte("body"), []byte("a"))
	if bytes.Equal(sealed, s.Seal([]byte("body"), []byte("a"))) {
		t.Fatal("the same value sealed twice gives the same bytes: the nonce is not random")
	}
	altered := bytes.Clone(sealed)
	altered[len(altered)-1] ^= 1
	other, _ := keyring.NewSealer("another purpose", oldKey)
	tests := []struct {
		name   string
		s      *keyring.Sealer
		sealed []byte
		ctx    string
	}{
		{"other context", s, sealed, "b"},
		{"altered", s, altered, "a"},
		{"truncated", s, sealed[:10], "a"},
		{"in clear", s, []byte(`{"a":1}`), "a"},
		{"other purpose", other, sealed, "a"},
	}
	for _, tt := range tests {
		if _, err := tt.s.Open(tt.sealed, []byte(tt.ctx)); !errors.Is(err, keyring.ErrCannotOpen) {
			t.Errorf("%s: Open err %v, want ErrCannotOpen", tt.name, err)
		}
	}
	if keyring.IsSealed([]byte(`{"reservation":{}}`)) {
		t.Error("JSON in clear taken for sealed")
	}
}

func TestNoKeyIsRefused(t *testing.T) {
	t.Parallel()
	if _, err := keyring.NewSealer("test", "", ""); !errors.Is(err, keyring.ErrNoKey) {
		t.Errorf("NewSealer without keys: %v", err)
	}
	if _, err := keyring.NewAddresses(); !errors.Is(err, keyring.ErrNoKey) {
		t.Errorf("NewAddresses without keys: %v", err)
	}
}

// An address's name is stable under one key, differs under another and
// for another purpose, and is not the unkeyed hash anyone could compute
// for each of the 2³² IPv4 addresses.
func TestAddressNamesNeedTheKey(t *testing.T) {
	t.Parallel()
	a, _ := keyring.NewAddresses(oldKey)
	b, _ := keyring.NewAddresses(newKey, oldKey)
	const ip = "198.51.100.7"
	name := a.Name("ratelimit", ip, 12)
	if len(name) != 24 || name != a.Name("ratelimit", ip, 12) {
		t.Fatalf("name %q unstable or not 12 bytes", name)
	}
	unkeyed := sha256.Sum256([]byte("innkeeper-ratelimit:" + ip))
	for _, forged := range []string{hex.EncodeToString(unkeyed[:12]), sha256Hex(ip)[:24]} {
		if name == forged {
			t.Fatalf("name %q is computable without the key", name)
		}
	}
	if b.Name("ratelimit", ip, 12) == name || a.Name("client", ip, 12) == name || a.Name("ratelimit", "198.51.100.8", 12) == name {
		t.Fatal("names agree across keys, purposes or addresses")
	}
	if got := b.Names("ratelimit", ip, 12); len(got) != 2 || got[0] != b.Name("ratelimit", ip, 12) || got[1] != name {
		t.Fatalf("Names = %v, want the current key's name then the old key's %q", got, name)
	}
	same := [][2]string{
		{"2001:db8:1:2::1", "2001:db8:1:2:ffff::9"}, // one /64
		{"::ffff:198.51.100.7", ip},                 // mapped
		{"fe80::1%eth0", "fe80::2"},                 // zone
	}
	for _, p := range same {
		if a.Name("x", p[0], 8) != a.Name("x", p[1], 8) {
			t.Errorf("%s and %s named apart", p[0], p[1])
		}
	}
	if a.Name("x", "2001:db8:1:2::1", 8) == a.Name("x", "2001:db8:1:3::1", 8) {
		t.Error("two /64s share a name")
	}
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
