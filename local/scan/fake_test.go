package scan

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"innkeeper/shared/auth"
	"innkeeper/shared/topology"
)

// The fake API's secrets and data.
const (
	fakeAdmin   = "ink_admin_fake-admin-key-000000"
	fakeStaff   = "ink_staff_fake-staff-key-000000"
	fakeFinance = "ink_finance_fake-finance-key-00"
	fakeMetrics = "fake-metrics-token-0000000000"
	fakeAppKey  = "fake-app-key-0123456789abcdefghijklmnop"
	fakeAppNext = "fake-app-key-next-0123456789abcdefghijk"
	fakeOrigin  = "https://book.example.com"
	fakeHotel   = "lisbon-riverside"
)

var (
	fakeA = Reservation{"INK-A1B2C3", "rat_fake-token-a-000000000000"}
	fakeB = Reservation{"INK-D4E5F6", "rat_fake-token-b-000000000000"}
)

// fakeAPI is a small stand-in for the Innkeeper API that gets right
// everything the scan checks, until a fault tells it to get one thing
// wrong. It serves the manifest's routes.
type fakeAPI struct {
	faults map[string]bool
	mux    *http.ServeMux

	mu       sync.Mutex
	hotels   map[string]bool
	bookings map[string]string // reference → token
	requests int
	// keySecret is the secret of the last key made.
	keySecret string
}

var fakeAdminOnly = map[string]bool{
	"POST /v1/admin/hotels": true, "POST /v1/admin/hotels/{slug}/room-types": true,
	"POST /v1/admin/hotels/{slug}/rate-plans": true, "POST /v1/admin/api-keys": true,
	"POST /v1/admin/queues/events/redrive": true, "GET /v1/admin/api-keys": true, "DELETE /v1/admin/api-keys/{id}": true,
	"GET /v1/admin/audit": true, "PUT /v1/admin/hotels/{slug}/taxes": true,
	"PATCH /v1/admin/hotels/{slug}": true, "POST /v1/admin/hotels/{slug}/archive": true, "POST /v1/admin/hotels/{slug}/unarchive": true, "PATCH /v1/admin/hotels/{slug}/room-types/{code}": true,
	"PATCH /v1/admin/hotels/{slug}/rate-plans/{code}":        true,
	"POST /v1/admin/hotels/{slug}/room-types/{code}/archive": true, "POST /v1/admin/hotels/{slug}/room-types/{code}/unarchive": true,
	"POST /v1/admin/hotels/{slug}/rate-plans/{code}/archive": true, "POST /v1/admin/hotels/{slug}/rate-plans/{code}/unarchive": true,
	"PUT /v1/admin/hotels/{slug}/age-bands": true,
}

// fakePayment is the "payment" member of a booking or a confirmation.
type fakePayment struct {
	PaymentMethod string `json:"payment_method"`
}

func (p *fakePayment) valid() bool { return p != nil && strings.HasPrefix(p.PaymentMethod, "pm_") }

// fakeWebhookSecret signs the Stripe events the fake takes; the scan
// does not know it.
const fakeWebhookSecret = "whsec_fake_0123456789"

// fakeKeyID is the id of every key the fake makes.
const fakeKeyID = "7"

var fakeQuery = map[string][]string{
	"GET /v1/hotels/{slug}/availability":              {"check_in", "check_out", "adults", "children", "children_ages", "rooms", "explain"},
	"GET /v1/availability":                            {"city", "check_in", "check_out", "adults", "children", "children_ages", "rooms", "sort", "limit", "cursor"},
	"GET /v1/reservations/{reference}/manage":         {"expires", "signature"},
	"POST /v1/reservations/{reference}/manage/cancel": {"expires", "signature"},
	"GET /v1/admin/hotels/{slug}/reservations":        {"from", "to", "status", "q", "limit", "cursor"},
	"GET /v1/admin/reservations/{reference}":          nil,
	"GET /v1/admin/hotels/{slug}/taxes":               nil,
	"GET /v1/admin/audit":                             {"hotel", "reservation", "actor", "action", "from", "to", "limit", "cursor"},
	"GET /v1/admin/hotels/{slug}/night-audits":        {"from", "to"},
	"GET /v1/admin/hotels/{slug}/restrictions":        {"rate_plan", "from", "to"},
	"GET /v1/finance/costs":                           {"from", "to", "group_by"},
	"GET /v1/finance/unit-economics":                  {"from", "to", "format"},
	"GET /v1/finance/forecast":                        {"bookings_per_day", "stage"},
	"GET /v1/finance/revenue":                         {"hotel", "from", "to", "group_by"},
	"GET /v1/finance/memory":                          {"from", "to"},
	"GET /v1/finance/reconciliation":                  {"from", "to"},
	"GET /v1/finance/reservations/{reference}/cost":   nil,
	"GET /v1/hotels":                                  nil,
}

var (
	fakeSafe = regexp.MustCompile(`^[A-Za-z0-9:+._-]*$`)
	fakeSlug = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	fakeRef  = regexp.MustCompile(`^INK-[0-9A-Z]{6}$`)
	fakeCode = regexp.MustCompile(`^[A-Z0-9]+(-[A-Z0-9]+)*$`)
)

// fakeTarget starts a fake API with faults and returns the target to
// scan it.
func fakeTarget(t *testing.T, faults ...string) Target {
	f := &fakeAPI{faults: map[string]bool{}, hotels: map[string]bool{fakeHotel: true},
		bookings: map[string]string{fakeA.Reference: fakeA.Token, fakeB.Reference: fakeB.Token}}
	for _, x := range faults {
		f.faults[x] = true
	}
	f.mux = http.NewServeMux()
	paths := map[string][]string{}
	for _, rt := range topology.Innkeeper.Routes {
		if rt.Path == topology.DefaultRoute {
			continue
		}
		f.mux.HandleFunc(rt.Key(), f.route(rt))
		paths[rt.Path] = append(paths[rt.Path], rt.Method)
	}
	for p, methods := range paths {
		allow := strings.Join(append(methods, "OPTIONS"), ", ")
		// By method, not the bare path: a bare /v1/reservations/lookup
		// would clash with GET /v1/reservations/{reference}.
		for _, m := range fakeMethods {
			if !slices.Contains(methods, m) {
				f.mux.HandleFunc(m+" "+p, notAllowed405(f, allow))
			}
		}
	}
	f.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if f.faults["unknown-200"] {
			f.json(w, 200, map[string]any{})
			return
		}
		f.problem(w, 404, "There is nothing here.")
	})
	ts := httptest.NewServer(f)
	t.Cleanup(ts.Close)
	return Target{
		URL: ts.URL, StaffKey: fakeStaff, AdminKey: fakeAdmin, FinanceKey: fakeFinance, MetricsToken: fakeMetrics,
		AppKey: fakeAppKey, AppKeyNext: fakeAppNext, AllowedOrigins: []string{fakeOrigin},
		Reservation: fakeA, Other: fakeB, Client: ts.Client(),
	}
}

// fakeMethods are the methods the fake answers 405 for on a known path
// (GET stands for HEAD too, as in ServeMux).
var fakeMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "CONNECT"}

// notAllowed405 answers a method a path does not serve.
func notAllowed405(f *fakeAPI, allow string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if f.faults["405-as-404"] {
			f.problem(w, 404, "Nothing here.")
			return
		}
		w.Header().Set("Allow", allow)
		f.problem(w, 405, "This resource answers "+allow+".")
	}
}

// headerWriter sets the security headers as the status is written, so
// a fault can leave them off some statuses only.
type headerWriter struct {
	http.ResponseWriter
	f     *fakeAPI
	wrote bool
}

func (w *headerWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		w.f.decorate(w.Header(), code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *headerWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (f *fakeAPI) decorate(h http.Header, status int) {
	if f.faults["headers-on-success-only"] && status >= 400 || f.faults["bare-404"] && status == 404 {
		return
	}
	set := func(fault, name, value string) {
		if !f.faults[fault] {
			h.Set(name, value)
		}
	}
	set("no-hsts", "Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	set("no-nosniff", "X-Content-Type-Options", "nosniff")
	set("no-frame-options", "X-Frame-Options", "DENY")
	set("no-referrer-policy", "Referrer-Policy", "no-referrer")
	set("no-permissions-policy", "Permissions-Policy", "camera=()")
	csp := "default-src 'none'; frame-ancestors 'none'"
	switch {
	case f.faults["weak-csp"]:
		csp = "default-src *; frame-ancestors 'none'"
	case f.faults["no-frame-options"]:
		csp = "default-src 'none'"
	}
	set("no-csp", "Content-Security-Policy", csp)
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	if f.faults["server-version"] {
		h.Set("Server", "nginx/1.25.3")
	}
	if f.faults["powered-by"] {
		h.Set("X-Powered-By", "Go")
	}
	if f.faults["cookie"] {
		h.Add("Set-Cookie", "session=abc; Path=/")
	}
}

func (f *fakeAPI) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w := &headerWriter{ResponseWriter: rw, f: f}
	f.mu.Lock()
	f.requests++
	n := f.requests
	f.mu.Unlock()
	if (f.faults["rate-limit"] || f.faults["rate-limit-bare"]) && n%97 == 0 {
		w.Header().Set("Retry-After", "0")
		if f.faults["rate-limit-bare"] {
			rw.WriteHeader(http.StatusTooManyRequests)
			return
		}
		f.problem(w, http.StatusTooManyRequests, "Slow down.")
		return
	}
	origin := r.Header.Get("Origin")
	allowed := origin == fakeOrigin && !f.faults["no-cors-grant"]
	w.Header().Add("Vary", "Origin")
	switch {
	case f.faults["wildcard-cors"]:
		w.Header().Set("Access-Control-Allow-Origin", "*")
	case allowed, f.faults["reflect-origin"] && origin != "":
		w.Header().Set("Access-Control-Allow-Origin", origin)
	}
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		if allowed {
			w.Header().Set("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE, OPTIONS")
			w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Idempotency-Key")
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if !f.faults["traversal-redirect"] {
		// The mux would redirect a path with dot segments; the API
		// answers 404 instead.
		p := r.URL.EscapedPath()
		clean := path.Clean(p)
		if strings.HasSuffix(p, "/") && clean != "/" {
			clean += "/"
		}
		if clean != p {
			f.problem(w, 404, "There is nothing here.")
			return
		}
	}
	f.mux.ServeHTTP(w, r)
}

func (f *fakeAPI) problem(w http.ResponseWriter, status int, detail string) {
	if f.faults["plain-errors"] {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, detail)
		return
	}
	inBody := status
	if f.faults["problem-status"] {
		inBody = 400
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"type": "https://fake.example/problems/" + strconv.Itoa(status), "title": http.StatusText(status),
		"status": inBody, "detail": detail,
	})
}

func (f *fakeAPI) json(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fakeNew(prefix string) string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	var b [6]byte
	_, _ = rand.Read(b[:])
	out := []byte(prefix)
	for _, c := range b {
		out = append(out, alphabet[int(c)%len(alphabet)])
	}
	return string(out)
}

// route is the handler of one manifest route: access, body, parameters,
// then a plausible success.
func (f *fakeAPI) route(rt topology.Route) http.HandlerFunc {
	key := rt.Key()
	return func(w http.ResponseWriter, r *http.Request) {
		everything := r.URL.Path + "|" + fmt.Sprint(r.URL.Query())
		if f.faults["nul-500"] && strings.Contains(everything, "\x00") {
			if f.faults["stack-trace"] {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(500)
				_, _ = io.WriteString(w, "panic: boom\n\ngoroutine 1 [running]:\nmain.handler()\n\t/src/main.go:42 +0x1d")
				return
			}
			f.problem(w, 500, "Something went wrong.")
			return
		}
		if !f.authorised(w, r, rt) {
			return
		}
		if !f.readBody(w, r) {
			return
		}
		quote := strings.Contains(everything, "'")
		switch {
		case quote && f.faults["sql-200"]:
			f.json(w, 200, map[string]any{"rows": []string{"a", "b"}})
			return
		case quote && f.faults["sql-error"]:
			f.problem(w, 400, `ERROR: syntax error at or near "'" (SQLSTATE 42601)`)
			return
		}
		if slug := r.PathValue("slug"); strings.Contains(r.Pattern, "{slug}") {
			if f.faults["traversal-200"] && strings.Contains(slug, "etc/passwd") {
				f.json(w, 200, map[string]any{"file": "root:x:0:0:root:/root:/bin/bash"})
				return
			}
			f.mu.Lock()
			known := f.hotels[slug]
			f.mu.Unlock()
			if !fakeSlug.MatchString(slug) || !known {
				f.problem(w, 404, "No such hotel.")
				return
			}
		}
		if code := r.PathValue("code"); strings.Contains(r.Pattern, "{code}") && !fakeCode.MatchString(code) {
			f.problem(w, 404, "No such room type or rate plan.")
			return
		}
		if n := r.PathValue("number"); strings.Contains(r.Pattern, "{number}") && n != scanInvoiceNumber {
			f.problem(w, 404, "No such invoice.")
			return
		}
		if names, ok := fakeQuery[key]; ok || strings.Contains(key, "finance") {
			for name, vs := range r.URL.Query() {
				known := false
				for _, n := range names {
					known = known || n == name
				}
				if !known || len(vs) != 1 || !fakeSafe.MatchString(vs[0]) {
					status, detail := 422, "The query has invalid parameters."
					if strings.Contains(key, "finance") {
						status = 400
					}
					if f.faults["go-error"] {
						detail = `strconv.Atoi: parsing "` + vs[0] + `": invalid syntax`
					}
					f.problem(w, status, detail)
					return
				}
			}
		}
		if strings.Contains(r.Pattern, "{reference}") && !f.reservation(w, r, key) {
			return
		}
		f.succeed(w, r, key)
	}
}

// authorised checks the route's credential; false when it has answered.
func (f *fakeAPI) authorised(w http.ResponseWriter, r *http.Request, rt topology.Route) bool {
	token, hasToken := auth.Bearer(r.Header.Get("Authorization"))
	unauthorised := func() bool {
		if !f.faults["no-www-authenticate"] {
			w.Header().Set("WWW-Authenticate", `Bearer realm="fake"`)
		}
		f.problem(w, 401, "Send a key.")
		return false
	}
	switch rt.Auth {
	case topology.Token:
		if token != fakeMetrics {
			return unauthorised()
		}
	case topology.Staff, topology.Finance:
		if !hasToken && f.faults["no-key-ok"] {
			return true
		}
		role, known := map[string]string{fakeAdmin: "admin", fakeStaff: "staff", fakeFinance: "finance"}[token]
		switch {
		case !hasToken:
			return unauthorised()
		case !known && f.faults["garbage-key-403"]:
			f.problem(w, 403, "Forbidden.")
			return false
		case !known:
			return unauthorised()
		}
		var ok bool
		switch {
		case rt.Auth == topology.Finance:
			ok = role == "finance" || role == "admin"
		case fakeAdminOnly[rt.Key()]:
			ok = role == "admin" || role == "staff" && f.faults["staff-admin"]
		default:
			ok = role == "staff" || role == "admin" || role == "finance" && f.faults["finance-staff"]
		}
		if !ok {
			f.problem(w, 403, "Not for this role.")
			return false
		}
	}
	return true
}

// readBody checks a POST or PUT body; false when it has answered.
func (f *fakeAPI) readBody(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost && r.Method != http.MethodPut {
		return true
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	r.Body = io.NopCloser(bytes.NewReader(body))
	if len(body) == 0 && r.Header.Get("Content-Type") == "" {
		return true
	}
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !f.faults["no-media-type"] && (mt != "application/json" || params["charset"] != "" && params["charset"] != "utf-8") {
		f.problem(w, 415, "Send JSON.")
		return false
	}
	if !f.faults["no-body-limit"] && len(body) > 64<<10 {
		f.problem(w, 413, "Too large.")
		return false
	}
	if !json.Valid(body) && !f.faults["no-media-type"] {
		f.problem(w, 400, "Not JSON.")
		return false
	}
	return true
}

// reservation checks {reference} and its credential; false when it has
// answered.
func (f *fakeAPI) reservation(w http.ResponseWriter, r *http.Request, key string) bool {
	ref := r.PathValue("reference")
	f.mu.Lock()
	token, exists := f.bookings[ref]
	f.mu.Unlock()
	exists = exists && fakeRef.MatchString(ref)
	switch {
	case strings.HasSuffix(key, "/manage"), strings.HasSuffix(key, "/manage/cancel"):
		keys := []string{fakeAppKey, fakeAppNext}
		if f.faults["no-next-key"] {
			keys = keys[:1]
		}
		now := time.Now()
		if f.faults["expired-link"] {
			now = time.Unix(0, 0)
		}
		exp, _ := strconv.ParseInt(r.URL.Query().Get("expires"), 10, 64)
		if auth.VerifyLink(keys, ref, exp, r.URL.Query().Get("signature"), now) != nil {
			f.problem(w, 403, "Link invalid or expired.")
			return false
		}
	case strings.HasPrefix(key, "GET /v1/finance"), strings.HasPrefix(key, "GET /v1/admin/reservations"), deskRoute(key):
	default:
		given, _ := auth.Bearer(r.Header.Get("Authorization"))
		switch {
		case !exists, given == token:
		case f.faults["cross-token-200"]:
		case f.faults["cross-token-403"] && given != "":
			f.problem(w, 403, "Not your booking.")
			return false
		case f.faults["cross-token-leak"]:
			f.problem(w, 404, "This booking exists, but the token is not its own.")
			return false
		default:
			exists = false
		}
	}
	if !exists {
		f.problem(w, 404, "No such resource, or it is not yours to see.")
		return false
	}
	return true
}

// succeed answers a request that passed every check.
func (f *fakeAPI) succeed(w http.ResponseWriter, r *http.Request, key string) {
	ref := r.PathValue("reference")
	reservation := map[string]any{"reference": ref, "hotel": fakeHotel,
		"check_in": time.Now().AddDate(0, 0, 40).Format(time.DateOnly), "check_out": time.Now().AddDate(0, 0, 42).Format(time.DateOnly)}
	switch key {
	case "GET /metrics":
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = io.WriteString(w, "# TYPE requests counter\nrequests 1\n")
	case "GET /health":
		body := map[string]any{"status": "ok", "version": "test"}
		if f.faults["todo"] {
			body["note"] = "TODO: remove before launch"
		}
		if f.faults["health-detail"] {
			body["gauges"] = map[string]any{"jobs": map[string]any{"cleanup": map[string]any{"last_error": "dial tcp 10.0.3.17:5432: refused"}}}
		}
		f.json(w, 200, body)
	case "GET /v1/hotels", "GET /v1/hotels/{slug}":
		w.Header().Set("Cache-Control", "public, max-age=60")
		f.json(w, 200, map[string]any{"hotels": []map[string]any{{"slug": fakeHotel}}})
	case "GET /v1/reservations/{reference}":
		if f.faults["public-cache"] {
			w.Header().Set("Cache-Control", "public, max-age=60")
		}
		body := map[string]any{"reservation": reservation}
		if f.faults["echo-secret"] {
			body["seen"] = r.Header.Get("Authorization")
		}
		f.json(w, 200, body)
	case "POST /v1/admin/hotels":
		var in struct{ Slug string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.hotels[in.Slug] {
			f.problem(w, 409, "Exists.")
			return
		}
		f.hotels[in.Slug] = true
		f.json(w, 201, map[string]any{"hotel": map[string]any{"slug": in.Slug}})
	case "POST /v1/reservations":
		// As the API with payments on: a booking pays with a card, a
		// hold takes none (it pays when confirmed).
		var in struct {
			Hold    bool         `json:"hold"`
			Payment *fakePayment `json:"payment"`
		}
		_ = json.NewDecoder(r.Body).Decode(&in)
		switch {
		case in.Hold && in.Payment != nil:
			f.problem(w, 422, "payment: is not taken by a hold; pay when confirming it")
			return
		case !in.Hold && !in.Payment.valid():
			f.problem(w, 422, "payment.payment_method: is required")
			return
		}
		ref, token := fakeNew("INK-"), fakeNew("rat_fake-")
		f.mu.Lock()
		f.bookings[ref] = token
		f.mu.Unlock()
		reservation["reference"] = ref
		w.Header().Set("Location", "/v1/reservations/"+ref)
		f.json(w, 201, map[string]any{"reservation": reservation, "access_token": token})
	case "POST /v1/admin/hotels/{slug}/room-types", "POST /v1/admin/hotels/{slug}/rate-plans":
		f.json(w, 201, map[string]any{})
	case "POST /v1/admin/api-keys":
		secret := fakeNew("ink_staff_")
		f.mu.Lock()
		f.keySecret = secret
		f.mu.Unlock()
		f.json(w, 201, map[string]any{"api_key": map[string]any{"id": 7}, "secret": secret})
	case "GET /v1/admin/api-keys":
		key := map[string]any{"id": 7, "public_id": "abc"}
		if f.faults["list-secret"] {
			f.mu.Lock()
			key["secret"] = f.keySecret
			f.mu.Unlock()
		}
		f.json(w, 200, map[string]any{"api_keys": []map[string]any{key}})
	case "DELETE /v1/admin/api-keys/{id}":
		if r.PathValue("id") != fakeKeyID {
			f.problem(w, 404, "No such key.")
			return
		}
		w.WriteHeader(204)
	case "POST /v1/ws-tickets":
		w.Header().Set("Cache-Control", "no-store")
		f.json(w, 201, map[string]any{"ticket": fakeNew("wst_"), "expires_at": time.Now().Add(30 * time.Second).UTC()})
	case "POST /v1/admin/queues/events/redrive":
		f.json(w, 202, map[string]any{"task_handle": "t"})
	case "POST /v1/reservations/lookup":
		f.json(w, 202, map[string]any{"status": "accepted"})
	case "POST /v1/reservations/{reference}/confirm":
		var in struct {
			Payment *fakePayment `json:"payment"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || !in.Payment.valid() {
			f.problem(w, 422, "payment.payment_method: is required")
			return
		}
		f.json(w, 200, map[string]any{"reservation": reservation})
	case "POST " + topology.StripeWebhook:
		// Only an event signed with the endpoint's secret is taken.
		body, _ := io.ReadAll(r.Body)
		_, err := webhook.ConstructEventWithOptions(body, r.Header.Get("Stripe-Signature"), fakeWebhookSecret,
			webhook.ConstructEventOptions{IgnoreAPIVersionMismatch: true})
		if err != nil && !f.faults["webhook-unsigned-200"] {
			f.problem(w, 400, "The Stripe-Signature does not verify; nothing was recorded.")
			return
		}
		f.json(w, 200, map[string]any{"received": true})
	default:
		f.json(w, 200, map[string]any{"reservation": reservation})
	}
}
