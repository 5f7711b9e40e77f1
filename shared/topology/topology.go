// Package topology is the one manifest of what Innkeeper deploys: every
// function with its memory, timeout, architecture and the settings it
// needs, and every HTTP route with the function that serves it (queues,
// schedules and WebSocket routes join as they are built).
//
// Nothing else lists these: the HTTP API registers its handlers for the
// routes here, the devstack runs the functions and routes here, and the
// CDK app deploys them. Tests fail when the code and the manifest drift
// apart, so parity is by construction.
package topology

import (
	"fmt"
	"strings"
	"time"
)

// Function is one Lambda function.
type Function struct {
	// Name is the function's short name; its code is functions/<Name>.
	Name        string
	Description string
	MemoryMB    int
	Timeout     time.Duration
	// Arch is the deployed architecture: arm64 (Graviton).
	Arch string
	// Env names the configuration variables (see .env.example) the
	// function reads; the devstack passes exactly these, the CDK app sets
	// or wires exactly these.
	Env []string
	// ReservedConcurrency caps concurrent executions; 0 means unreserved.
	ReservedConcurrency int
}

// Handler is the folder of the function's main package.
func (f Function) Handler() string { return "functions/" + f.Name }

// Auth is who may call a route.
type Auth string

// Route authorisation: anyone, or a staff API key (checked by the API).
const (
	Public Auth = "public"
	Staff  Auth = "staff"
)

// Route is one HTTP API route, in API Gateway's route key form.
type Route struct {
	Method   string // GET, POST, PUT, … or ANY
	Path     string // /v1/hotels/{slug}; $default for the catch-all route
	Function string
	Auth     Auth
}

// Key is the route key, e.g. "GET /v1/hotels/{slug}" or "$default".
func (r Route) Key() string {
	if r.Path == DefaultRoute {
		return DefaultRoute
	}
	return r.Method + " " + r.Path
}

// DefaultRoute is API Gateway's catch-all route key: requests no other
// route matches go to its function, so unknown paths still get the API's
// own 404 problem and security headers.
const DefaultRoute = "$default"

// Manifest is the whole deployment.
type Manifest struct {
	Functions []Function
	Routes    []Route
}

// arm64 is where every function runs in the cloud.
const arm64 = "arm64"

// apiEnv is what the HTTP API reads.
var apiEnv = []string{
	"APP_ENV", "APP_VERSION", "LOG_LEVEL",
	"DATABASE_URL", "DB_MAX_CONNS", "DB_CONNECT_TIMEOUT", "DB_STATEMENT_TIMEOUT",
	"REDIS_URL", "REDIS_KEY_PREFIX", "REDIS_TIMEOUT",
	"CORS_ALLOWED_ORIGINS", "REQUEST_TIMEOUT",
}

// Innkeeper is the manifest.
var Innkeeper = Manifest{
	Functions: []Function{
		{
			Name: "api", Description: "The HTTP API: public booking, staff endpoints and health",
			MemoryMB: 512, Timeout: 15 * time.Second, Arch: arm64, Env: apiEnv,
		},
		{
			Name: "migrate", Description: "Applies the schema migrations after each deployment",
			MemoryMB: 256, Timeout: 5 * time.Minute, Arch: arm64, ReservedConcurrency: 1,
			Env: []string{"APP_ENV", "APP_VERSION", "LOG_LEVEL", "DATABASE_URL", "DB_CONNECT_TIMEOUT"},
		},
	},
	Routes: []Route{
		{"GET", "/livez", "api", Public},
		{"GET", "/readyz", "api", Public},
		{"GET", "/health", "api", Public},

		{"GET", "/v1/hotels", "api", Public},
		{"GET", "/v1/hotels/{slug}", "api", Public},
		{"GET", "/v1/hotels/{slug}/availability", "api", Public},
		{"POST", "/v1/reservations", "api", Public},
		{"GET", "/v1/reservations/{reference}", "api", Public},
		{"GET", "/v1/reservations/{reference}/cancellation-quote", "api", Public},
		{"POST", "/v1/reservations/{reference}/confirm", "api", Public},
		{"POST", "/v1/reservations/{reference}/cancel", "api", Public},

		{"POST", "/v1/admin/hotels", "api", Staff},
		{"POST", "/v1/admin/hotels/{slug}/room-types", "api", Staff},
		{"POST", "/v1/admin/hotels/{slug}/rate-plans", "api", Staff},
		{"PUT", "/v1/admin/hotels/{slug}/inventory", "api", Staff},
		{"PUT", "/v1/admin/hotels/{slug}/rates", "api", Staff},
		{"GET", "/v1/admin/hotels/{slug}/reservations", "api", Staff},
		{"POST", "/v1/admin/api-keys", "api", Staff},

		{"ANY", DefaultRoute, "api", Public},
	},
}

// Function finds a function by name.
func (m Manifest) Function(name string) (Function, bool) {
	for _, f := range m.Functions {
		if f.Name == name {
			return f, true
		}
	}
	return Function{}, false
}

// RoutesOf lists the routes a function serves, the catch-all excluded.
func (m Manifest) RoutesOf(function string) []Route {
	var out []Route
	for _, r := range m.Routes {
		if r.Function == function && r.Path != DefaultRoute {
			out = append(out, r)
		}
	}
	return out
}

// Validate checks the manifest is self-consistent: names unique, limits
// within Lambda's, every route served by a function that exists.
func (m Manifest) Validate() error {
	var problems []string
	seen := map[string]bool{}
	for _, f := range m.Functions {
		switch {
		case seen[f.Name]:
			problems = append(problems, "function "+f.Name+" twice")
		case f.MemoryMB < 128 || f.MemoryMB > 10240:
			problems = append(problems, fmt.Sprintf("function %s: memory %d MB outside 128–10240", f.Name, f.MemoryMB))
		case f.Timeout < time.Second || f.Timeout > 15*time.Minute:
			problems = append(problems, fmt.Sprintf("function %s: timeout %v outside 1s–15m", f.Name, f.Timeout))
		case f.Arch != "arm64" && f.Arch != "x86_64":
			problems = append(problems, fmt.Sprintf("function %s: architecture %q", f.Name, f.Arch))
		}
		seen[f.Name] = true
	}
	keys := map[string]bool{}
	for _, r := range m.Routes {
		if _, ok := m.Function(r.Function); !ok {
			problems = append(problems, "route "+r.Key()+": no function "+r.Function)
		}
		if keys[r.Key()] {
			problems = append(problems, "route "+r.Key()+" twice")
		}
		keys[r.Key()] = true
		if r.Path != DefaultRoute && !strings.HasPrefix(r.Path, "/") {
			problems = append(problems, "route "+r.Key()+": path must start with /")
		}
		if r.Auth != Public && r.Auth != Staff {
			problems = append(problems, "route "+r.Key()+": auth "+string(r.Auth))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("topology: %s", strings.Join(problems, "; "))
	}
	return nil
}
