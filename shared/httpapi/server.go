// Package httpapi is Innkeeper's HTTP API as a standard http.Handler: the
// public booking endpoints, the staff endpoints and the health probes. The
// same handler serves API Gateway through the Lambda adapter and the local
// server, so what is tested locally is what runs.
//
// The package is the edge: it decodes requests strictly, calls the
// booking domain, and maps its errors to RFC 9457 problem responses.
package httpapi

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/health"
)

// Keys finds and creates staff API keys.
type Keys interface {
	APIKey(ctx context.Context, token string) (auth.Key, error)
	CreateAPIKey(ctx context.Context, name string, role auth.Role, token string) (auth.Key, error)
}

// Receipts finds stored idempotency outcomes.
type Receipts interface {
	LookupReceipt(ctx context.Context, scope, key string, now time.Time) (fingerprint []byte, resp booking.StoredResponse, found bool, err error)
}

// Deps is what the API is built from.
type Deps struct {
	Service  *booking.Service
	Keys     Keys
	Receipts Receipts
	Checks   []health.Check
	Logger   *slog.Logger
	// CORSOrigins are the only origins browsers may call from.
	CORSOrigins    []string
	RequestTimeout time.Duration
	Version        string
}

// Server is the HTTP API.
type Server struct {
	svc            *booking.Service
	keys           Keys
	receipts       Receipts
	checks         []health.Check
	log            *slog.Logger
	origins        []string
	requestTimeout time.Duration
	version        string
	handler        http.Handler
}

// Route is one endpoint: its method, its path pattern (the API Gateway
// route key form) and whether it needs a staff key.
type Route struct {
	Method  string
	Pattern string
	Staff   bool
}

// Key is the route as API Gateway names it, e.g. "GET /v1/hotels/{slug}".
func (r Route) Key() string { return r.Method + " " + r.Pattern }

type route struct {
	Route
	handle http.HandlerFunc
}

// Routes lists every endpoint of the API, for the deployment manifest and
// the tests that keep the two in step.
func Routes() []Route {
	s := &Server{}
	out := make([]Route, 0, 32)
	for _, r := range s.routes() {
		out = append(out, r.Route)
	}
	return out
}

func (s *Server) routes() []route {
	pub := func(method, pattern string, h http.HandlerFunc) route {
		return route{Route{method, pattern, false}, h}
	}
	staff := func(method, pattern string, h http.HandlerFunc, roles ...auth.Role) route {
		return route{Route{method, pattern, true}, s.requireRole(h, roles...)}
	}
	return []route{
		pub("GET", "/livez", s.livez),
		pub("GET", "/readyz", s.readyz),
		pub("GET", "/health", s.health),

		pub("GET", "/v1/hotels", s.listHotels),
		pub("GET", "/v1/hotels/{slug}", s.getHotel),
		pub("GET", "/v1/hotels/{slug}/availability", s.availability),
		pub("POST", "/v1/reservations", s.createReservation),
		pub("GET", "/v1/reservations/{reference}", s.getReservation),
		pub("GET", "/v1/reservations/{reference}/cancellation-quote", s.cancellationQuote),
		pub("POST", "/v1/reservations/{reference}/confirm", s.confirmReservation),
		pub("POST", "/v1/reservations/{reference}/cancel", s.cancelReservation),

		staff("POST", "/v1/admin/hotels", s.createHotel, auth.RoleAdmin),
		staff("POST", "/v1/admin/hotels/{slug}/room-types", s.createRoomType, auth.RoleAdmin),
		staff("POST", "/v1/admin/hotels/{slug}/rate-plans", s.createRatePlan, auth.RoleAdmin),
		staff("PUT", "/v1/admin/hotels/{slug}/inventory", s.setInventory, auth.RoleStaff),
		staff("PUT", "/v1/admin/hotels/{slug}/rates", s.setRates, auth.RoleStaff),
		staff("GET", "/v1/admin/hotels/{slug}/reservations", s.listReservations, auth.RoleStaff),
		staff("POST", "/v1/admin/api-keys", s.createAPIKey, auth.RoleAdmin),
	}
}

// New builds the API handler.
func New(d Deps) *Server {
	s := &Server{
		svc: d.Service, keys: d.Keys, receipts: d.Receipts, checks: d.Checks,
		log: d.Logger, origins: d.CORSOrigins, requestTimeout: d.RequestTimeout, version: d.Version,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.requestTimeout == 0 {
		s.requestTimeout = 10 * time.Second
	}
	mux := http.NewServeMux()
	methods := map[string][]string{}
	for _, rt := range s.routes() {
		mux.Handle(rt.Key(), named(rt.Key(), rt.handle))
		methods[rt.Pattern] = append(methods[rt.Pattern], rt.Method)
	}
	// A known path with another method is a 405 naming the allowed ones;
	// any other path is a 404. Both as problems, never the mux's plain text.
	for pattern, ms := range methods {
		allow := strings.Join(append(ms, "OPTIONS"), ", ")
		if slices.Contains(ms, "GET") {
			allow = strings.Join(append(ms, "HEAD", "OPTIONS"), ", ")
		}
		mux.Handle(pattern, named("405 "+pattern, func(w http.ResponseWriter, r *http.Request) {
			p := problem(http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed",
				"This resource answers "+allow+".")
			p.header = map[string]string{"Allow": allow}
			writeProblem(w, p)
		}))
	}
	mux.Handle("/", named("404", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, notFound("There is nothing at "+r.URL.Path+"."))
	}))
	s.handler = s.observe(secure(s.cors(mux)))
	return s
}

// named records which route served the request, for the access log.
func named(name string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r.Context()); info != nil {
			info.route = name
		}
		h(w, r)
	})
}

// ServeHTTP serves the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// writeJSON sends v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeProblem(w, problem(http.StatusInternalServerError, "internal", "Internal error", "The response could not be encoded."))
		return
	}
	writeBody(w, status, body)
}

func writeBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
	_, _ = w.Write([]byte("\n"))
}
