package httpapi_test

import (
	"encoding/json"
	"testing"

	"innkeeper/local/testenv"
)

// Every role learns its role and its key's name from GET /v1/me, and
// nothing more; no key or an unknown key is 401.
func TestMe(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoDemo: true})
	staff, _ := createKey(t, c, map[string]any{"name": "front desk", "role": "staff"})
	finance, _ := createKey(t, c, map[string]any{"name": "books", "role": "finance"})
	for _, tc := range []struct {
		name, key, role, keyName string
	}{
		{"staff", staff, "staff", "front desk"},
		{"finance", finance, "finance", "books"},
		{"admin", testenv.AdminKey, "admin", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := c.do("GET", "/v1/me", nil, bearer(tc.key)...)
			if r.Status != 200 || r.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("me: %d %s", r.Status, r.Body)
			}
			var m map[string]any
			if err := json.Unmarshal(r.Body, &m); err != nil {
				t.Fatal(err)
			}
			if len(m) != 2 || m["role"] != tc.role {
				t.Fatalf("me = %v, want exactly role %q and name", m, tc.role)
			}
			if tc.keyName != "" && m["name"] != tc.keyName {
				t.Fatalf("name = %v, want %q", m["name"], tc.keyName)
			}
		})
	}
	c.do("GET", "/v1/me", nil).Problem(t, 401, "unauthorized")
	c.do("GET", "/v1/me", nil, bearer("ink_staff_nope_nope")...).Problem(t, 401, "unauthorized")
}
