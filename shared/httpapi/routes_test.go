package httpapi

import (
	"strings"
	"testing"

	"innkeeper/shared/topology"
)

func TestEveryManifestRouteHasItsHandler(t *testing.T) {
	s := &Server{}
	handlers, err := s.bind(topology.Innkeeper.RoutesOf(Function))
	if err != nil {
		t.Fatal(err)
	}
	if len(handlers) != len(s.endpoints()) {
		t.Fatalf("%d bound of %d endpoints", len(handlers), len(s.endpoints()))
	}
}

func TestBindRefusesDrift(t *testing.T) {
	s := &Server{}
	routes := topology.Innkeeper.RoutesOf(Function)
	tests := []struct {
		name   string
		routes []topology.Route
		want   string
	}{
		{"a route without a handler", append(routes[:len(routes):len(routes)], topology.Route{Method: "GET", Path: "/v1/nowhere", Function: "api", Auth: topology.Public}), "/v1/nowhere has no handler"},
		{"a handler without a route", routes[1:], "has no route in the manifest"},
		{"a staff route made public", withAuth(routes, "POST /v1/admin/hotels", topology.Public), "POST /v1/admin/hotels: manifest says public"},
		{"a public route made staff", withAuth(routes, "GET /v1/hotels", topology.Staff), "GET /v1/hotels: manifest says staff"},
		// The finance routes are bound as finance routes only.
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
}

func withAuth(routes []topology.Route, key string, a topology.Auth) []topology.Route {
	out := append([]topology.Route(nil), routes...)
	for i := range out {
		if out[i].Key() == key {
			out[i].Auth = a
		}
	}
	return out
}
