package auth

import (
	"strings"
	"testing"
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
