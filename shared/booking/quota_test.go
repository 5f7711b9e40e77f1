package booking

import "testing"

func TestEmailKey(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"ana@example.com", "ana@example.com"},
		{"Ana@Example.COM", "ana@example.com"},
		{"ana+hold1@example.com", "ana@example.com"},
		{"ANA+x+y@example.com", "ana@example.com"},
		{"+ana@example.com", "+ana@example.com"}, // no local part left to keep
		{"ana.silva@example.com", "ana.silva@example.com"},
	} {
		if got := EmailKey(tt.in); got != tt.want {
			t.Errorf("EmailKey(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHoldQuota(t *testing.T) {
	if DefaultHoldQuota != (HoldQuota{PerEmail: 3, SharePercent: 50}) {
		t.Fatalf("defaults %+v, want 3 per email and 50%%", DefaultHoldQuota)
	}
	s := NewService(nil, nil)
	if s.quota != DefaultHoldQuota {
		t.Fatalf("a new service enforces %+v, want the defaults", s.quota)
	}
	for _, bad := range []HoldQuota{{PerEmail: -1}, {SharePercent: 101}, {SharePercent: -5}} {
		if err := s.SetHoldQuota(bad); err == nil {
			t.Errorf("SetHoldQuota(%+v) accepted", bad)
		}
	}
	if err := s.SetHoldQuota(HoldQuota{PerEmail: 1, SharePercent: 20}); err != nil || s.quota.PerEmail != 1 {
		t.Fatalf("SetHoldQuota: %v, quota %+v", err, s.quota)
	}
}
