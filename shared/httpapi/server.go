// Package httpapi is Innkeeper's HTTP API as a standard http.Handler: the
// public booking endpoints, the staff and admin endpoints, the finance
// reports and the health probes, bound to the routes of the manifest
// (shared/topology). The same handler serves API Gateway through the
// Lambda adapter and the local server, so what is tested locally is what
// runs.
//
// The package is the edge: it decodes requests strictly, calls the
// booking domain and the finance reports, and maps their errors to RFC
// 9457 problem responses. It decides each request's rate-limit policy and
// writes the RateLimit headers and 429s; the budgets themselves are kept
// by whatever RateLimiter it is given (shared/ratelimit, in Redis), and
// the request counts by its Metrics (shared/httpcount). It declares those
// and every store it needs as small interfaces, and links neither Redis
// nor the database.
package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/finance"
	"innkeeper/shared/health"
	"innkeeper/shared/keyring"
	"innkeeper/shared/logging"
	"innkeeper/shared/meter"
	"innkeeper/shared/topology"
)

// Keys finds, creates, lists and revokes staff API keys, and issues the
// WebSocket tickets bought with them.
type Keys interface {
	// APIKey is the live key whose text is token; booking.ErrNotFound
	// when it is unknown, revoked or expired.
	APIKey(ctx context.Context, token string) (auth.Key, error)
	// CreateAPIKeyBy and RevokeAPIKeyBy record by, the acting key, in
	// the audit trail with the key's public id, never its secret.
	CreateAPIKeyBy(ctx context.Context, by booking.Audit, name string, role auth.Role, token string, expires *time.Time) (auth.Key, error)
	APIKeys(ctx context.Context) ([]auth.Key, error)
	// RevokeAPIKeyBy is booking.ErrNotFound for an unknown id and
	// auth.ErrLastAdminKey for the last live admin key.
	RevokeAPIKeyBy(ctx context.Context, by booking.Audit, id int64) error
	CreateWSTicket(ctx context.Context, keyID int64, ticket string, ttl time.Duration) (expires time.Time, err error)
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
	// Gauges are the figures /health shows beside the checks.
	Gauges []health.Gauge
	// LinkKeys verify signed guest links: APP_KEY and, during a
	// rotation, APP_KEY_NEXT. Keys derived from them also seal the
	// responses kept for idempotency and name client addresses
	// (client.go), so New panics without one when the API has a Service
	// or a RateLimiter.
	LinkKeys []string
	// Redrive moves the dead-letter queue's messages back; nil when the
	// API has no queue.
	Redrive func(ctx context.Context) (task string, err error)
	// Ledger answers the finance reports. When nil, Keys is used if it
	// is one too (the store is both).
	Ledger finance.Ledger
	// Revenue answers the revenue report. When nil, Keys is used if it
	// is one too (the store is).
	Revenue finance.RevenueSource
	// Memory answers the memory report. When nil, Keys is used if it is
	// one too (the store is).
	Memory finance.MemorySource
	// Reconciliation answers the reconciliation against the bill. When
	// nil, Keys is used if it is one too (the store is).
	Reconciliation finance.ReconciliationSource
	// Desk reads the front desk's record of a reservation. When nil,
	// Keys is used if it is one too (the store is).
	Desk Desk
	// Audit reads the audit trail. When nil, Keys is used if it is one
	// too (the store is).
	Audit AuditTrail
	// NightAudits reads the night audit's reports. When nil, Keys is
	// used if it is one too (the store is).
	NightAudits booking.NightAuditReader
	// Invoices reads invoices and credit notes. When nil, Keys is used
	// if it is one too (the store is).
	Invoices Invoices
	// Metrics counts every request across invocations (Redis); nil
	// counts nothing.
	Metrics Metrics
	Logger  *slog.Logger
	// RateLimiter counts requests per client (ratelimit.go); nil limits
	// nothing.
	RateLimiter RateLimiter
	// RateLimits is the policy table; DefaultRateLimits when nil. New
	// panics on a table its Check refuses.
	RateLimits *RateLimits
	// CORSOrigins are the only origins browsers may call from.
	CORSOrigins    []string
	RequestTimeout time.Duration
	Version        string
	// MetricsToken (METRICS_TOKEN), sent as a bearer token, shows
	// /health in full, as a staff key does; empty, only keys do.
	MetricsToken string
	// OriginSecrets are the values of OriginHeader the API accepts (the
	// CDN's current one and, during a rotation, the previous); empty
	// accepts every request, as locally (origin.go).
	OriginSecrets []string
	// Payments takes bookings' payments and the provider's webhooks
	// (package cashier); nil takes none. WebhookSecret is the webhook
	// endpoint's signing secret (STRIPE_WEBHOOK_SECRET).
	Payments      Payments
	WebhookSecret string
}

// Server is the HTTP API.
type Server struct {
	svc            *booking.Service
	payments       Payments
	webhookSecret  string
	keys           Keys
	receipts       Receipts
	checks         []health.Check
	gauges         []health.Gauge
	linkKeys       []string
	seal           *keyring.Sealer    // the responses kept for idempotency
	addrs          *keyring.Addresses // client addresses' names
	redrive        func(ctx context.Context) (string, error)
	ledger         finance.Ledger
	revenue        finance.RevenueSource
	memory         finance.MemorySource
	reconciliation finance.ReconciliationSource
	desk           Desk
	audit          AuditTrail
	metrics        Metrics
	limits         *rateLimits
	log            *slog.Logger
	origins        []string
	requestTimeout time.Duration
	version        string
	metricsToken   string
	healthCache    healthCache
	handler        http.Handler
	// nightAuditReader reads the night audit's reports.
	nightAuditReader booking.NightAuditReader
	invoices         Invoices
}

// endpoint is the code behind a route: its handler, the manifest's
// authorisation it implements and, for staff and finance routes, the
// roles allowed.
type endpoint struct {
	handle http.HandlerFunc
	auth   topology.Auth
	roles  []auth.Role
}

// endpoints binds every route key the API serves to its code. The routes
// themselves are listed once, in the topology manifest; New refuses to
// start if the two disagree.
func (s *Server) endpoints() map[string]endpoint {
	pub := func(h http.HandlerFunc) endpoint { return endpoint{h, topology.Public, nil} }
	staff := func(h http.HandlerFunc, roles ...auth.Role) endpoint { return endpoint{h, topology.Staff, roles} }
	// Admin reads finance too: an admin can create a finance key anyway,
	// so refusing would protect nothing. Finance keys stay out of staff
	// routes (auth.Role.Allows).
	fin := func(h http.HandlerFunc) endpoint {
		return endpoint{h, topology.Finance, []auth.Role{auth.RoleFinance, auth.RoleAdmin}}
	}
	return map[string]endpoint{
		"GET /livez":  pub(s.livez),
		"GET /readyz": pub(s.readyz),
		"GET /health": pub(s.health),

		"GET /v1/openapi.json": pub(s.openAPI),

		"GET /v1/hotels":                                       pub(s.listHotels),
		"GET /v1/hotels/{slug}":                                pub(s.getHotel),
		"GET /v1/hotels/{slug}/availability":                   pub(s.availability),
		"GET /v1/availability":                                 pub(s.searchCity),
		"POST /v1/reservations":                                pub(s.createReservation),
		"POST /v1/webhooks/stripe":                             pub(s.stripeWebhook),
		"GET /v1/reservations/{reference}":                     pub(s.getReservation),
		"GET /v1/reservations/{reference}/cancellation-quote":  pub(s.cancellationQuote),
		"GET /v1/reservations/{reference}/manage":              pub(s.manageReservation),
		"GET /v1/reservations/{reference}/invoice":             pub(s.reservationInvoices),
		"POST /v1/reservations/{reference}/confirm":            pub(s.confirmReservation),
		"POST /v1/reservations/{reference}/cancel":             pub(s.cancelReservation),
		"POST /v1/reservations/{reference}/modification-quote": pub(s.modificationQuote),
		"POST /v1/reservations/{reference}/modify":             pub(s.modifyReservation),
		"POST /v1/reservations/lookup":                         pub(s.lookupReservation),
		"POST /v1/reservations/{reference}/manage/cancel":      pub(s.manageCancel),
		"GET /v1/bookings/{reference}":                         pub(s.getBooking),
		"POST /v1/bookings/{reference}/cancel":                 pub(s.cancelBooking),

		"POST /v1/admin/hotels":                   staff(s.createHotel, auth.RoleAdmin),
		"POST /v1/admin/hotels/{slug}/room-types": staff(s.createRoomType, auth.RoleAdmin),
		"POST /v1/admin/hotels/{slug}/rate-plans": staff(s.createRatePlan, auth.RoleAdmin),
		// Catalogue edits, admin like the creation they amend.
		"PATCH /v1/admin/hotels/{slug}":                            staff(s.updateHotel, auth.RoleAdmin),
		"POST /v1/admin/hotels/{slug}/archive":                     staff(s.archiveHotel, auth.RoleAdmin),
		"POST /v1/admin/hotels/{slug}/unarchive":                   staff(s.unarchiveHotel, auth.RoleAdmin),
		"PATCH /v1/admin/hotels/{slug}/room-types/{code}":          staff(s.updateRoomType, auth.RoleAdmin),
		"POST /v1/admin/hotels/{slug}/room-types/{code}/archive":   staff(s.archiveRoomType, auth.RoleAdmin),
		"POST /v1/admin/hotels/{slug}/room-types/{code}/unarchive": staff(s.unarchiveRoomType, auth.RoleAdmin),
		"PATCH /v1/admin/hotels/{slug}/rate-plans/{code}":          staff(s.updateRatePlan, auth.RoleAdmin),
		"POST /v1/admin/hotels/{slug}/rate-plans/{code}/archive":   staff(s.archiveRatePlan, auth.RoleAdmin),
		"POST /v1/admin/hotels/{slug}/rate-plans/{code}/unarchive": staff(s.unarchiveRatePlan, auth.RoleAdmin),
		"PUT /v1/admin/hotels/{slug}/age-bands":                    staff(s.setAgeBands, auth.RoleAdmin),
		"PUT /v1/admin/hotels/{slug}/inventory":                    staff(s.setInventory, auth.RoleStaff),
		"PUT /v1/admin/hotels/{slug}/rates":                        staff(s.setRates, auth.RoleStaff),
		"PUT /v1/admin/hotels/{slug}/restrictions":                 staff(s.setRestrictions, auth.RoleStaff),
		// Taxes are the hotel's terms of sale, set by admins like the
		// catalogue; staff read them.
		"PUT /v1/admin/hotels/{slug}/taxes":        staff(s.setTaxes, auth.RoleAdmin),
		"GET /v1/admin/hotels/{slug}/taxes":        staff(s.getTaxes, auth.RoleStaff),
		"GET /v1/admin/hotels/{slug}/restrictions": staff(s.restrictions, auth.RoleStaff),
		"GET /v1/admin/hotels/{slug}/reservations": staff(s.listReservations, auth.RoleStaff),
		"GET /v1/admin/audit":                      staff(s.auditTrail, auth.RoleAdmin),
		"GET /v1/admin/hotels/{slug}/night-audits": staff(s.nightAudits, auth.RoleStaff),
		"POST /v1/admin/api-keys":                  staff(s.createAPIKey, auth.RoleAdmin),
		"GET /v1/admin/api-keys":                   staff(s.listAPIKeys, auth.RoleAdmin),
		"DELETE /v1/admin/api-keys/{id}":           staff(s.revokeAPIKey, auth.RoleAdmin),
		"POST /v1/ws-tickets":                      staff(s.createWSTicket, auth.RoleStaff),
		// Any key may ask who it is (admin passes as staff).
		"GET /v1/me":                           staff(s.me, auth.RoleStaff, auth.RoleFinance),
		"POST /v1/admin/queues/events/redrive": staff(s.redriveEvents, auth.RoleAdmin),

		"POST /v1/admin/reservations/{reference}/cancel":    staff(s.deskCancel, deskRoles...),
		"POST /v1/admin/reservations/{reference}/check-in":  staff(s.deskCheckIn, deskRoles...),
		"POST /v1/admin/reservations/{reference}/check-out": staff(s.deskCheckOut, deskRoles...),
		"POST /v1/admin/reservations/{reference}/no-show":   staff(s.deskNoShow, deskRoles...),
		"POST /v1/admin/reservations/{reference}/modify":    staff(s.deskModify, deskRoles...),
		"GET /v1/admin/reservations/{reference}":            staff(s.deskReservation, auth.RoleStaff),
		"GET /v1/admin/invoices/{number}":                   staff(s.adminInvoice, invoiceRoles...),

		"GET /v1/finance/costs":                         fin(s.financeCosts),
		"GET /v1/finance/unit-economics":                fin(s.unitEconomics),
		"GET /v1/finance/reservations/{reference}/cost": fin(s.reservationCost),
		"GET /v1/finance/forecast":                      fin(s.forecast),
		"GET /v1/finance/revenue":                       fin(s.financeRevenue),
		"GET /v1/finance/memory":                        fin(s.financeMemory),
		"GET /v1/finance/reconciliation":                fin(s.financeReconciliation),
	}
}

// RouteRoles gives each keyed route the roles its handler admits (an
// admin key passes wherever staff does: auth.Role.Allows), for the
// checks that the API's document names the same keys.
func RouteRoles() map[string][]auth.Role {
	out := map[string][]auth.Role{}
	for k, ep := range (&Server{}).endpoints() {
		if len(ep.roles) > 0 {
			out[k] = ep.roles
		}
	}
	return out
}

// Function is the name the manifest gives the function serving this API.
const Function = "api"

// bind pairs the manifest's routes with the endpoints, or explains how
// they disagree.
func (s *Server) bind(routes []topology.Route) (map[string]http.HandlerFunc, error) {
	eps := s.endpoints()
	out := map[string]http.HandlerFunc{}
	var problems []string
	for _, r := range routes {
		ep, ok := eps[r.Key()]
		switch {
		case !ok:
			problems = append(problems, "manifest route "+r.Key()+" has no handler")
			continue
		case r.Auth != ep.auth || (ep.auth == topology.Public) != (len(ep.roles) == 0):
			problems = append(problems, "route "+r.Key()+": manifest says "+string(r.Auth)+", handler disagrees")
		}
		h := ep.handle
		if len(ep.roles) > 0 {
			h = s.requireRole(h, ep.roles...)
		}
		out[r.Key()] = h
	}
	for key := range eps {
		if _, ok := out[key]; !ok {
			problems = append(problems, "handler for "+key+" has no route in the manifest")
		}
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		return nil, fmt.Errorf("httpapi: routes and manifest disagree: %s", strings.Join(problems, "; "))
	}
	return out, nil
}

// New builds the API handler.
func New(d Deps) *Server {
	s := &Server{
		svc: d.Service, keys: d.Keys, receipts: d.Receipts, checks: d.Checks, gauges: d.Gauges,
		linkKeys: d.LinkKeys, redrive: d.Redrive, ledger: d.Ledger, revenue: d.Revenue, memory: d.Memory,
		reconciliation: d.Reconciliation, desk: d.Desk, audit: d.Audit, metrics: d.Metrics,
		log: d.Logger, origins: d.CORSOrigins, requestTimeout: d.RequestTimeout, version: d.Version,
		metricsToken: d.MetricsToken, payments: d.Payments, webhookSecret: d.WebhookSecret,
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if l, ok := d.Keys.(finance.Ledger); ok && s.ledger == nil {
		s.ledger = l
	}
	if rs, ok := d.Keys.(finance.RevenueSource); ok && s.revenue == nil {
		s.revenue = rs
	}
	if ms, ok := d.Keys.(finance.MemorySource); ok && s.memory == nil {
		s.memory = ms
	}
	if rs, ok := d.Keys.(finance.ReconciliationSource); ok && s.reconciliation == nil {
		s.reconciliation = rs
	}
	if ds, ok := d.Keys.(Desk); ok && s.desk == nil {
		s.desk = ds
	}
	if at, ok := d.Keys.(AuditTrail); ok && s.audit == nil {
		s.audit = at
	}
	s.nightAuditReader = d.NightAudits
	if nr, ok := d.Keys.(booking.NightAuditReader); ok && s.nightAuditReader == nil {
		s.nightAuditReader = nr
	}
	s.invoices = d.Invoices
	if iv, ok := d.Keys.(Invoices); ok && s.invoices == nil {
		s.invoices = iv
	}
	if err := s.useKeys(d); err != nil {
		panic(err) // the wiring checks the keys first (config)
	}
	if d.Service != nil {
		// A request's hotel, for its cost line, once it is a real one:
		// a slug as sent may be anything up to the body's size.
		d.Service.OnHotel(func(ctx context.Context, slug string) { meter.From(ctx).Hotel(slug) })
		// A guest's writes carry the request id into the audit trail.
		d.Service.RequestIDFrom(logging.RequestID)
	}
	if s.requestTimeout == 0 {
		s.requestTimeout = 10 * time.Second
	}
	if d.RateLimiter != nil {
		s.limits = newRateLimits(d.RateLimiter, d.RateLimits)
	}
	routes := topology.Innkeeper.RoutesOf(Function)
	handlers, err := s.bind(routes)
	if err != nil {
		panic(err) // a build defect, caught by the tests; never a request's fault
	}
	// One pattern per path, not per route: ServeMux checks every pattern
	// it is given against all those before it, and registering each route
	// and each path's 405 apart cost the cold start 0.6 ms. The path's
	// handler picks the method's route itself, as ServeMux would (HEAD as
	// GET), and answers any other method with a 405 problem naming the
	// allowed ones; any other path is a 404. Never the mux's plain text.
	mux := http.NewServeMux()
	byPath := map[string][]topology.Route{}
	var paths []string
	for _, rt := range routes {
		if byPath[rt.Path] == nil {
			paths = append(paths, rt.Path)
		}
		byPath[rt.Path] = append(byPath[rt.Path], rt)
	}
	for _, path := range paths {
		mux.Handle(path, s.methodsOf(path, byPath[path], handlers))
	}
	mux.Handle("/", s.named("404", s.limit("404", func(w http.ResponseWriter, r *http.Request) {
		writeProblem(w, notFound("There is nothing at "+r.URL.Path+"."))
	})))
	s.handler = s.observe(secure(s.fromOrigin(d.OriginSecrets, s.cors(clean(mux)))))
	return s
}

// methodsOf serves the routes of one path (in the manifest's order), by
// method, HEAD by GET's route, and any other method with a 405 problem
// naming those allowed.
func (s *Server) methodsOf(path string, routes []topology.Route, handlers map[string]http.HandlerFunc) http.Handler {
	byMethod := map[string]http.Handler{}
	var ms []string
	for _, rt := range routes {
		byMethod[rt.Method] = s.named(rt.Key(), s.limit(rt.Key(), handlers[rt.Key()]))
		ms = append(ms, rt.Method)
	}
	allow := strings.Join(append(ms, "OPTIONS"), ", ")
	if slices.Contains(ms, "GET") {
		allow = strings.Join(append(ms, "HEAD", "OPTIONS"), ", ")
	}
	notAllowed := s.named("405 "+path, s.limit("405 "+path, func(w http.ResponseWriter, r *http.Request) {
		p := problem(http.StatusMethodNotAllowed, "method-not-allowed", "Method not allowed",
			"This resource answers "+allow+".")
		p.header = map[string]string{"Allow": allow}
		writeProblem(w, p)
	}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := byMethod[r.Method]
		if h == nil && r.Method == http.MethodHead {
			h = byMethod[http.MethodGet]
		}
		if h == nil {
			h = notAllowed
		}
		h.ServeHTTP(w, r)
	})
}

// named records which route served the request, for the access log.
func (s *Server) named(name string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r.Context()); info != nil {
			info.route = name
		}
		// What the request works on, for its invocation's cost line.
		// Finance reading a booking's receipt is not part of its cost.
		// The hotel is recorded by the Service once the slug named a
		// real one (see New), never as sent.
		inv := meter.From(r.Context())
		inv.Client(s.clientKey(r))
		if !strings.Contains(name, " /v1/finance/") {
			inv.Reservation(r.PathValue("reference"))
		}
		h(w, r)
	})
}

// Metrics counts requests.
type Metrics interface {
	ObserveHTTP(ctx context.Context, method, route string, status int, d time.Duration)
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
