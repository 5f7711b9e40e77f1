package gateway

import (
	"maps"
	"strings"
	"testing"

	"innkeeper/shared/topology"
)

// routes turns route keys ("GET /pets", "$default") into routes, each
// served by a function named after its key so a test can tell them apart.
func routes(keys ...string) []topology.Route {
	var out []topology.Route
	for _, k := range keys {
		if k == topology.DefaultRoute {
			out = append(out, topology.Route{Method: "ANY", Path: k, Function: "fn " + k})
			continue
		}
		method, path, _ := strings.Cut(k, " ")
		out = append(out, topology.Route{Method: method, Path: path, Function: "fn " + k})
	}
	return out
}

func TestRouterMatch(t *testing.T) {
	petstore := routes(
		"GET /pets/dog/1",
		"GET /pets/dog/{id}",
		"ANY /pets/dog/{id}",
		"GET /pets/{proxy+}",
		"ANY /{proxy+}",
		"POST /pets",
		"GET /files/{name}",
		"GET /users/",
		"GET /Case",
		"$default",
	)
	tests := []struct {
		name    string
		routes  []topology.Route
		method  string
		path    string
		wantKey string // "" for no match
		want    map[string]string
	}{
		{name: "literal beats variable", routes: petstore, method: "GET", path: "/pets/dog/1", wantKey: "GET /pets/dog/1"},
		{name: "variable beats greedy", routes: petstore, method: "GET", path: "/pets/dog/2", wantKey: "GET /pets/dog/{id}", want: map[string]string{"id": "2"}},
		{name: "method beats ANY on the same path", routes: routes("ANY /pets/{id}", "GET /pets/{id}"), method: "GET", path: "/pets/7", wantKey: "GET /pets/{id}", want: map[string]string{"id": "7"}},
		{name: "ANY takes other methods", routes: petstore, method: "DELETE", path: "/pets/dog/2", wantKey: "ANY /pets/dog/{id}", want: map[string]string{"id": "2"}},
		{name: "greedy takes the rest", routes: petstore, method: "GET", path: "/pets/cat/1", wantKey: "GET /pets/{proxy+}", want: map[string]string{"proxy": "cat/1"}},
		{name: "longer greedy prefix wins", routes: petstore, method: "GET", path: "/pets/cat", wantKey: "GET /pets/{proxy+}", want: map[string]string{"proxy": "cat"}},
		{name: "greedy needs something to take", routes: petstore, method: "GET", path: "/pets", wantKey: "ANY /{proxy+}", want: map[string]string{"proxy": "pets"}},
		{name: "method of a literal route", routes: petstore, method: "POST", path: "/pets", wantKey: "POST /pets"},
		{name: "greedy last, even after a variable", routes: routes("GET /x/{rest+}", "GET /{a}/{b}"), method: "GET", path: "/x/y", wantKey: "GET /{a}/{b}", want: map[string]string{"a": "x", "b": "y"}},
		{name: "leftmost literal wins", routes: routes("GET /{y}/b/c", "GET /a/{x}/c"), method: "GET", path: "/a/b/c", wantKey: "GET /a/{x}/c", want: map[string]string{"x": "b"}},
		{name: "path over method: ANY literal beats GET variable", routes: routes("GET /pets/{id}", "ANY /pets/dog"), method: "GET", path: "/pets/dog", wantKey: "ANY /pets/dog"},
		{name: "encoded slash stays in its segment", routes: petstore, method: "GET", path: "/files/a%2Fb.txt", wantKey: "GET /files/{name}", want: map[string]string{"name": "a/b.txt"}},
		{name: "decoded once only", routes: petstore, method: "GET", path: "/files/%2541", wantKey: "GET /files/{name}", want: map[string]string{"name": "%41"}},
		{name: "encoded literal matches", routes: petstore, method: "GET", path: "/p%65ts/dog/1", wantKey: "GET /pets/dog/1"},
		{name: "utf-8 decoded", routes: petstore, method: "GET", path: "/files/caf%C3%A9", wantKey: "GET /files/{name}", want: map[string]string{"name": "café"}},
		{name: "greedy decoded", routes: petstore, method: "GET", path: "/pets/a%20b/c", wantKey: "GET /pets/{proxy+}", want: map[string]string{"proxy": "a b/c"}},
		{name: "empty segment is no variable", routes: petstore, method: "GET", path: "/files/", wantKey: "ANY /{proxy+}", want: map[string]string{"proxy": "files/"}},
		{name: "trailing slash matches its route", routes: petstore, method: "GET", path: "/users/", wantKey: "GET /users/"},
		{name: "trailing slash is significant", routes: petstore, method: "GET", path: "/users", wantKey: "ANY /{proxy+}", want: map[string]string{"proxy": "users"}},
		{name: "case-sensitive hit", routes: petstore, method: "GET", path: "/Case", wantKey: "GET /Case"},
		{name: "case-sensitive miss", routes: petstore, method: "GET", path: "/case", wantKey: "ANY /{proxy+}", want: map[string]string{"proxy": "case"}},
		{name: "root goes to $default", routes: petstore, method: "GET", path: "/", wantKey: "$default"},
		{name: "$default when nothing matches", routes: routes("GET /pets", "$default"), method: "PUT", path: "/pets", wantKey: "$default"},
		{name: "no route and no $default", routes: routes("GET /pets"), method: "GET", path: "/dogs"},
		{name: "wrong method and no $default", routes: routes("GET /pets"), method: "POST", path: "/pets"},
		{name: "HEAD is not GET", routes: routes("GET /pets"), method: "HEAD", path: "/pets"},
		{name: "not a path", routes: routes("ANY /{proxy+}"), method: "OPTIONS", path: "*"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rt, err := NewRouter(tt.routes)
			if err != nil {
				t.Fatal(err)
			}
			m, ok := rt.Match(tt.method, tt.path)
			if tt.wantKey == "" {
				if ok {
					t.Fatalf("matched %s, want no match", m.Route.Key())
				}
				return
			}
			if !ok {
				t.Fatalf("no match, want %s", tt.wantKey)
			}
			if got := m.Route.Key(); got != tt.wantKey {
				t.Errorf("route %s, want %s", got, tt.wantKey)
			}
			if m.Route.Function != "fn "+tt.wantKey {
				t.Errorf("function %q, want the matched route's", m.Route.Function)
			}
			if !maps.Equal(m.Params, tt.want) || (tt.want == nil) != (m.Params == nil) {
				t.Errorf("params %v, want %v", m.Params, tt.want)
			}
		})
	}
}

func TestNewRouterRejects(t *testing.T) {
	tests := []struct {
		name   string
		routes []topology.Route
		want   string
	}{
		{name: "unknown method", routes: routes("FETCH /pets"), want: `method "FETCH"`},
		{name: "lower-case method", routes: routes("get /pets"), want: `method "get"`},
		{name: "relative path", routes: routes("GET pets"), want: "must start with /"},
		{name: "unclosed variable", routes: routes("GET /pets/{id"), want: "whole segment"},
		{name: "variable inside a segment", routes: routes("GET /pets/x{id}"), want: "whole segment"},
		{name: "nameless variable", routes: routes("GET /pets/{}"), want: "bad variable name"},
		{name: "nameless greedy", routes: routes("GET /pets/{+}"), want: "bad variable name"},
		{name: "greedy not last", routes: routes("GET /{proxy+}/x"), want: "must be last"},
		{name: "variable twice", routes: routes("GET /{a}/{a}"), want: "twice"},
		{name: "route twice", routes: routes("GET /pets", "GET /pets"), want: "route GET /pets twice"},
		{name: "$default twice", routes: routes("$default", "$default"), want: "route $default twice"},
		{name: "no function", routes: []topology.Route{{Method: "GET", Path: "/pets"}}, want: "no function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewRouter(tt.routes)
			if err == nil {
				t.Fatalf("no error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// The manifest's own routes must be ones the gateway can serve.
func TestRouterAcceptsTheManifest(t *testing.T) {
	rt, err := NewRouter(topology.Innkeeper.Routes)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, path, wantKey string
	}{
		{name: "literal", method: "GET", path: "/v1/hotels", wantKey: "GET /v1/hotels"},
		{name: "variable", method: "GET", path: "/v1/hotels/grand", wantKey: "GET /v1/hotels/{slug}"},
		{name: "deeper literal after a variable", method: "POST", path: "/v1/reservations/ABC/cancel", wantKey: "POST /v1/reservations/{reference}/cancel"},
		{name: "unknown path", method: "GET", path: "/nope", wantKey: "$default"},
		{name: "known path, other method", method: "DELETE", path: "/v1/hotels", wantKey: "$default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, ok := rt.Match(tt.method, tt.path)
			if !ok || m.Route.Key() != tt.wantKey {
				t.Errorf("Match(%s %s) = %s, %v; want %s", tt.method, tt.path, m.Route.Key(), ok, tt.wantKey)
			}
		})
	}
}
