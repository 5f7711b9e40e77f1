package httpapi

import (
	"strings"
	"testing"

	"innkeeper/shared/topology"
)

// The finance routes are bound as finance routes only: the manifest and
// the handlers must agree on who may call them.
func TestBindRefusesFinanceDrift(t *testing.T) {
	s := &Server{}
	routes := topology.Innkeeper.RoutesOf(Function)
	tests := []struct {
		name   string
		routes []topology.Route
		want   string
	}{
		{"a finance route made staff", withAuth(routes, "GET /v1/finance/costs", topology.Staff), "GET /v1/finance/costs: manifest says staff"},
		{"a finance route made public", withAuth(routes, "GET /v1/finance/forecast", topology.Public), "GET /v1/finance/forecast: manifest says public"},
		{"a staff route made finance", withAuth(routes, "POST /v1/admin/hotels", topology.Finance), "POST /v1/admin/hotels: manifest says finance"},
		{"a public route made finance", withAuth(routes, "GET /v1/hotels", topology.Finance), "GET /v1/hotels: manifest says finance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.bind(tt.routes)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
	for _, r := range routes {
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
