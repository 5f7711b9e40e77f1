package auth

import (
	"strings"
	"testing"
	"time"
)

func TestBearer(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"Bearer abc", "abc", true},
		{"bearer   abc ", "abc", true},
		{"Basic abc", "", false},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"", "", false},
		{"Bearer " + strings.Repeat("x", 600), "", false},
	}
	for _, tt := range tests {
		got, ok := Bearer(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Bearer(%.20q) = %q %v, want %q %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRoles(t *testing.T) {
	tests := []struct {
		role  Role
		wants []Role
		ok    bool
	}{
		{RoleAdmin, []Role{RoleStaff}, true},
		{RoleAdmin, []Role{RoleAdmin}, true},
		{RoleStaff, []Role{RoleStaff}, true},
		{RoleStaff, []Role{RoleAdmin}, false},
		{RoleFinance, []Role{RoleStaff}, false},
		{RoleFinance, []Role{RoleFinance}, true},
		{RoleAdmin, []Role{RoleFinance}, false},
	}
	for _, tt := range tests {
		if got := tt.role.Allows(tt.wants...); got != tt.ok {
			t.Errorf("%s allows %v = %v, want %v", tt.role, tt.wants, got, tt.ok)
		}
	}
}

func TestNewToken(t *testing.T) {
	a, ha := NewToken("rat_")
	b, _ := NewToken("rat_")
	if a == b || !strings.HasPrefix(a, "rat_") || len(a) < 40 {
		t.Fatalf("tokens %q %q", a, b)
	}
	if !Equal(ha, Hash(a)) || Equal(ha, Hash(b)) {
		t.Fatal("hash does not identify its token")
	}
}

func TestSignedLinks(t *testing.T) {
	now := time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC)
	exp := now.Add(24 * time.Hour)
	key, next := strings.Repeat("k", 32), strings.Repeat("n", 32)
	sig := SignLink(key, "INK-7K3Q9P", exp)
	nextSig := SignLink(next, "INK-7K3Q9P", exp)
	tests := []struct {
		name      string
		keys      []string
		reference string
		expires   int64
		sig       string
		now       time.Time
		ok        bool
	}{
		{"valid", []string{key}, "INK-7K3Q9P", exp.Unix(), sig, now, true},
		{"signed with the next key during rotation", []string{key, next}, "INK-7K3Q9P", exp.Unix(), nextSig, now, true},
		{"the next key before rotation", []string{key}, "INK-7K3Q9P", exp.Unix(), nextSig, now, false},
		{"expired", []string{key}, "INK-7K3Q9P", exp.Unix(), sig, exp.Add(time.Second), false},
		{"another reference", []string{key}, "INK-7K3Q9Q", exp.Unix(), sig, now, false},
		{"expiry moved", []string{key}, "INK-7K3Q9P", exp.Unix() + 3600, sig, now, false},
		{"garbage", []string{key}, "INK-7K3Q9P", exp.Unix(), "not-a-signature", now, false},
		{"empty key never verifies", []string{""}, "INK-7K3Q9P", exp.Unix(), SignLink("", "INK-7K3Q9P", exp), now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifyLink(tt.keys, tt.reference, tt.expires, tt.sig, tt.now)
			if (err == nil) != tt.ok {
				t.Fatalf("err %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestAPIKeyText(t *testing.T) {
	a, idA := NewAPIKey(RoleStaff)
	b, idB := NewAPIKey(RoleStaff)
	if idA == idB || a == b {
		t.Fatal("two keys alike")
	}
	if PublicIDOf(a) != idA || !strings.HasPrefix(a, "ink_staff_"+idA+"_") || KeyPrefix(a) != "ink_staff_"+idA {
		t.Fatalf("key %q, public id %q, prefix %q", a, idA, KeyPrefix(a))
	}
	tests := []struct {
		name, token, want string
	}{
		{"a new key", a, idA},
		{"a key from before public ids", "ink_admin_local-dev-key-0123456789", ""},
		{"an unknown role", strings.Replace(a, "_staff_", "_chef_", 1), ""},
		{"a short secret", "ink_staff_" + idA + "_short", ""},
		{"a public id with a letter outside the alphabet", "ink_staff_" + "u" + idA[1:] + a[len("ink_staff_")+12:], ""},
		{"no prefix", "rat_" + a, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PublicIDOf(tt.token); got != tt.want {
				t.Fatalf("PublicIDOf(%q) = %q, want %q", tt.token, got, tt.want)
			}
		})
	}
	if KeyPrefix("ink_admin_local-dev-key-0123456789") != "ink_admin_" {
		t.Fatal("an old key's prefix is its first 10 characters")
	}
}

func TestKeyLive(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	past, future := now.Add(-time.Second), now.Add(time.Second)
	tests := []struct {
		name string
		key  Key
		want bool
	}{
		{"no expiry", Key{}, true},
		{"expires later", Key{ExpiresAt: &future}, true},
		{"expired", Key{ExpiresAt: &past}, false},
		{"expires now", Key{ExpiresAt: &now}, false},
		{"revoked", Key{RevokedAt: &past, ExpiresAt: &future}, false},
	}
	for _, tt := range tests {
		if got := tt.key.Live(now); got != tt.want {
			t.Errorf("%s: Live = %v, want %v", tt.name, got, tt.want)
		}
	}
}
