package apispec_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"innkeeper/shared/apispec"
	"innkeeper/shared/topology"
)

// TestKeyedRoutesNameTheirSchemes fails when a staff or finance route of
// the manifest does not list, as its security, the key schemes whose
// roles may call it: a finance route takes a finance or an admin key; a
// staff route an admin key, and a staff key unless it is admin-only;
// neither ever takes the other side's key (shared/auth.Role.Allows).
func TestKeyedRoutesNameTheirSchemes(t *testing.T) {
	doc, err := apispec.Document()
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	for _, r := range topology.Innkeeper.Routes {
		if r.Auth != topology.Staff && r.Auth != topology.Finance {
			continue
		}
		raw, ok := d.Paths[r.Path][strings.ToLower(r.Method)]
		if !ok {
			continue // TestDocumentHasTheManifestsRoutes reports it
		}
		var op struct {
			Security []map[string][]string `json:"security"`
		}
		if err := json.Unmarshal(raw, &op); err != nil {
			t.Fatalf("%s: %v", r.Key(), err)
		}
		var schemes []string
		for _, req := range op.Security {
			for name := range req {
				schemes = append(schemes, name)
			}
		}
		slices.Sort(schemes)
		var allowed bool
		switch r.Auth {
		case topology.Finance:
			allowed = slices.Equal(schemes, []string{"AdminKey", "FinanceKey"})
		case topology.Staff:
			allowed = slices.Equal(schemes, []string{"AdminKey"}) || slices.Equal(schemes, []string{"AdminKey", "StaffKey"})
		}
		if !allowed {
			t.Errorf("%s is a %s route; its security names %v", r.Key(), r.Auth, schemes)
		}
	}
}
