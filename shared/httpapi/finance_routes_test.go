package httpapi

import (
	"strings"
	"testing"

	"innkeeper/shared/topology"
)

// Every /v1/finance route, and only those, is a finance route.
func TestFinanceRoutesAreFinanceOnly(t *testing.T) {
	for _, r := range topology.Innkeeper.RoutesOf(Function) {
		if strings.HasPrefix(r.Path, "/v1/finance/") != (r.Auth == topology.Finance) {
			t.Errorf("route %s: auth %s", r.Key(), r.Auth)
		}
	}
}

// The manifest refuses an authorisation nobody checks.
func TestManifestKnowsFinanceAuth(t *testing.T) {
	m := topology.Innkeeper
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	m.Routes = withAuth(m.Routes, "GET /v1/finance/costs", "accountant")
	if err := m.Validate(); err == nil || !strings.Contains(err.Error(), "auth accountant") {
		t.Fatalf("got %v, want the unknown auth named", err)
	}
}
