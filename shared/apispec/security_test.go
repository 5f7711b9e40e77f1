package apispec_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"innkeeper/shared/auth"
	"innkeeper/shared/httpapi"
	"innkeeper/shared/topology"
)

// TestKeyedRoutesNameTheirSchemes fails when a staff or finance route of
// the manifest does not list, as its security, exactly the key schemes
// whose roles its handler admits: always an admin key (an admin passes
// staff and finance routes, shared/auth.Role.Allows), a staff key where
// staff may call it, a finance key where finance may.
func TestKeyedRoutesNameTheirSchemes(t *testing.T) {
	paths := documentPaths(t)
	roles := httpapi.RouteRoles()
	for _, r := range topology.Innkeeper.Routes {
		if r.Auth != topology.Staff && r.Auth != topology.Finance {
			continue
		}
		raw, ok := paths[r.Path][strings.ToLower(r.Method)]
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
		want := []string{"AdminKey"}
		for _, role := range roles[r.Key()] {
			switch role {
			case auth.RoleStaff:
				want = append(want, "StaffKey")
			case auth.RoleFinance:
				want = append(want, "FinanceKey")
			}
		}
		slices.Sort(want)
		allowed := slices.Equal(schemes, want)
		if !allowed {
			t.Errorf("%s admits %v; its security names %v, want %v", r.Key(), roles[r.Key()], schemes, want)
		}
	}
}
