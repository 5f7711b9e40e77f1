package httpapi_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/httpapi"
	"innkeeper/shared/logging"
	"innkeeper/shared/requestid"
	"innkeeper/shared/topology"
)

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	ref, token := c.book(bookingBody())
	requests := []struct {
		method, path string
		body         any
		headers      []string
	}{
		{"GET", "/v1/hotels", nil, nil},
		{"GET", "/v1/hotels/lisbon-riverside/availability?check_in=2027-01-10&check_out=2027-01-11", nil, nil},
		{"GET", "/v1/reservations/" + ref, nil, bearer(token)},
		{"GET", "/nowhere", nil, nil},                                       // 404
		{"DELETE", "/v1/hotels", nil, nil},                                  // 405
		{"POST", "/v1/reservations", `{`, []string{"Idempotency-Key", "k"}}, // 400
		{"GET", "/v1/admin/hotels/lisbon-riverside/reservations", nil, nil}, // 401
		{"GET", "/livez", nil, nil},
		{"GET", "/health", nil, nil},
	}
	for _, rq := range requests {
		r := c.do(rq.method, rq.path, rq.body, rq.headers...)
		for h, want := range map[string]string{
			"Strict-Transport-Security": "max-age=63072000; includeSubDomains",
			"X-Content-Type-Options":    "nosniff",
			"X-Frame-Options":           "DENY",
			"Referrer-Policy":           "no-referrer",
		} {
			if got := r.Header.Get(h); got != want {
				t.Errorf("%s %s (%d): %s = %q, want %q", rq.method, rq.path, r.Status, h, got, want)
			}
		}
		if csp := r.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("%s %s: CSP %q", rq.method, rq.path, csp)
		}
		if r.Header.Get("Server") != "" || r.Header.Get("X-Powered-By") != "" {
			t.Errorf("%s %s leaks a server banner", rq.method, rq.path)
		}
		if r.Header.Get("X-Request-Id") == "" {
			t.Errorf("%s %s: no X-Request-Id", rq.method, rq.path)
		}
		if r.Status >= 400 && r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: error %d as %q", rq.method, rq.path, r.Status, r.Header.Get("Content-Type"))
		}
	}
	if r := c.do("GET", "/v1/reservations/"+ref, nil, bearer(token)...); r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("private data cacheable: %q", r.Header.Get("Cache-Control"))
	}
}

func TestNotFoundAndMethodNotAllowed(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	c.do("GET", "/v2/hotels", nil).Problem(t, 404, "not-found")
	c.do("GET", "/v1/hotels/", nil).Problem(t, 404, "not-found")
	r := c.do("DELETE", "/v1/reservations", nil)
	r.Problem(t, 405, "method-not-allowed")
	if allow := r.Header.Get("Allow"); !strings.Contains(allow, "POST") {
		t.Fatalf("Allow %q", allow)
	}
}

func TestRequestIDIsEchoedOrMade(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	if got := c.do("GET", "/livez", nil, "X-Request-Id", "trace-abc.123").Header.Get("X-Request-Id"); got != "trace-abc.123" {
		t.Fatalf("echoed %q", got)
	}
	got := c.do("GET", "/livez", nil, "X-Request-Id", "bad id\twith spaces").Header.Get("X-Request-Id")
	if got == "" || strings.Contains(got, " ") {
		t.Fatalf("made %q", got)
	}
}

// The request id is the client's X-Request-Id when it is sane, else API
// Gateway's, which the Lambda adapter puts in the context, else a fresh
// one.
func TestRequestIDPrefersHeaderThenGateway(t *testing.T) {
	t.Parallel()
	api := httpapi.New(httpapi.Deps{Logger: logging.Discard()})
	fresh := regexp.MustCompile(`^[0-9a-f]{24}$`)
	tests := []struct {
		name, header, gateway string
		want                  string // "" for a fresh one
	}{
		{"header and gateway", "trace-abc.123", "LV7fzho-PHcEJPw=", "trace-abc.123"},
		{"gateway only", "", "LV7fzho-PHcEJPw=", "LV7fzho-PHcEJPw="},
		{"insane header, gateway", "bad id\twith spaces", "LV7fzho-PHcEJPw=", "LV7fzho-PHcEJPw="},
		{"header only", "trace-abc.123", "", "trace-abc.123"},
		{"neither", "", "", ""},
		{"insane gateway id", "", "gw id with spaces", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/livez", nil)
			if tt.header != "" {
				r.Header.Set("X-Request-Id", tt.header)
			}
			r = r.WithContext(requestid.WithGateway(r.Context(), tt.gateway))
			w := httptest.NewRecorder()
			api.ServeHTTP(w, r)
			got := w.Header().Get("X-Request-Id")
			if tt.want != "" && got != tt.want || tt.want == "" && !fresh.MatchString(got) {
				t.Fatalf("X-Request-Id %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCORS(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	ok := c.do("GET", "/v1/hotels", nil, "Origin", "https://book.example.com")
	if ok.Header.Get("Access-Control-Allow-Origin") != "https://book.example.com" {
		t.Fatalf("allowed origin: ACAO %q", ok.Header.Get("Access-Control-Allow-Origin"))
	}
	if !strings.Contains(ok.Header.Get("Access-Control-Expose-Headers"), "Idempotent-Replayed") {
		t.Fatal("replay header not exposed to browsers")
	}
	bad := c.do("GET", "/v1/hotels", nil, "Origin", "https://evil.example.net")
	for h := range bad.Header {
		if strings.HasPrefix(h, "Access-Control-") {
			t.Fatalf("disallowed origin got %s", h)
		}
	}
	pre := c.do("OPTIONS", "/v1/reservations", nil, "Origin", "https://book.example.com", "Access-Control-Request-Method", "POST")
	if pre.Status != 204 || !strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "Idempotency-Key") ||
		!strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "POST") {
		t.Fatalf("preflight: %d %v", pre.Status, pre.Header)
	}
	pre = c.do("OPTIONS", "/v1/reservations", nil, "Origin", "https://evil.example.net", "Access-Control-Request-Method", "POST")
	if pre.Header.Get("Access-Control-Allow-Origin") != "" || pre.Header.Get("Access-Control-Allow-Methods") != "" {
		t.Fatal("preflight from a disallowed origin got CORS headers")
	}
	if ok.Header.Get("Access-Control-Allow-Origin") == "*" {
		t.Fatal("never *")
	}
}

func TestStaffAuthAndRoles(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	newKey := func(role string) string {
		r := c.do("POST", "/v1/admin/api-keys", map[string]any{"name": role + " key", "role": role}, admin()...)
		if r.Status != 201 {
			t.Fatalf("create %s key: %d %s", role, r.Status, r.Body)
		}
		return r.JSON(t)["secret"].(string)
	}
	staff, finance := newKey("staff"), newKey("finance")
	list := "/v1/admin/hotels/lisbon-riverside/reservations"
	hotel := map[string]any{"slug": "porto-ribeira", "name": "Ribeira", "city": "Porto", "country": "PT", "timezone": "Europe/Lisbon", "currency": "EUR"}

	r := c.do("GET", list, nil)
	r.Problem(t, 401, "unauthorized")
	if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatal("401 without WWW-Authenticate")
	}
	c.do("GET", list, nil, bearer("ink_admin_unknown")...).Problem(t, 401, "unauthorized")
	c.do("GET", list, nil, "Authorization", "Basic dXNlcjpwYXNz").Problem(t, 401, "unauthorized")
	if r := c.do("GET", list, nil, bearer(staff)...); r.Status != 200 {
		t.Fatalf("staff reads bookings: %d", r.Status)
	}
	c.do("GET", list, nil, bearer(finance)...).Problem(t, 403, "forbidden")
	c.do("POST", "/v1/admin/hotels", hotel, bearer(staff)...).Problem(t, 403, "forbidden")
	c.do("POST", "/v1/admin/api-keys", map[string]any{"name": "x", "role": "admin"}, bearer(staff)...).Problem(t, 403, "forbidden")
	c.do("PUT", "/v1/admin/hotels/lisbon-riverside/inventory", map[string]any{"room_type": "STD", "from": "2027-01-01", "to": "2027-01-02", "units": 5}, bearer(finance)...).Problem(t, 403, "forbidden")
	if r := c.do("PUT", "/v1/admin/hotels/lisbon-riverside/inventory", map[string]any{"room_type": "STD", "from": "2027-01-01", "to": "2027-01-02", "units": 5}, bearer(staff)...); r.Status != 200 {
		t.Fatalf("staff sets inventory: %d %s", r.Status, r.Body)
	}
	if n := c.api.Int(t, `SELECT count(*) FROM hotels WHERE slug = 'porto-ribeira'`); n != 0 {
		t.Fatal("a forbidden request created a hotel")
	}
}

func TestStaffBuildsAHotel(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoDemo: true})
	h := admin()
	r := c.do("POST", "/v1/admin/hotels", map[string]any{"slug": "porto-ribeira", "name": "Ribeira", "city": "Porto",
		"country": "PT", "timezone": "Europe/Lisbon", "currency": "EUR"}, h...)
	if r.Status != 201 || r.Header.Get("Location") != "/v1/hotels/porto-ribeira" {
		t.Fatalf("create hotel: %d %s", r.Status, r.Body)
	}
	c.do("POST", "/v1/admin/hotels", map[string]any{"slug": "porto-ribeira", "name": "Again", "city": "Porto",
		"country": "PT", "timezone": "Europe/Lisbon", "currency": "EUR"}, h...).Problem(t, 409, "conflict")
	c.do("POST", "/v1/admin/hotels", map[string]any{"slug": "Bad Slug", "name": "", "city": "Porto",
		"country": "Portugal", "timezone": "Mars/Base", "currency": "euro"}, h...).FieldError(t, 422, "timezone")

	if r := c.do("POST", "/v1/admin/hotels/porto-ribeira/room-types", map[string]any{"code": "TWIN", "name": "Twin", "max_adults": 2, "max_children": 0}, h...); r.Status != 201 {
		t.Fatalf("room type: %d %s", r.Status, r.Body)
	}
	c.do("POST", "/v1/admin/hotels/nowhere/room-types", map[string]any{"code": "TWIN", "name": "Twin", "max_adults": 2, "max_children": 0}, h...).Problem(t, 404, "not-found")
	if r := c.do("POST", "/v1/admin/hotels/porto-ribeira/rate-plans", map[string]any{"room_type": "TWIN", "code": "TWIN-FLEX", "name": "Flexible",
		"refundable": true, "free_cancellation_hours": 24, "penalty_percent": 50}, h...); r.Status != 201 {
		t.Fatalf("rate plan: %d %s", r.Status, r.Body)
	}
	c.do("POST", "/v1/admin/hotels/porto-ribeira/rate-plans", map[string]any{"room_type": "NOPE", "code": "X", "name": "X", "refundable": true}, h...).FieldError(t, 422, "room_type")
	c.do("POST", "/v1/admin/hotels/porto-ribeira/rate-plans", map[string]any{"room_type": "TWIN", "code": "Y", "name": "Y"}, h...).FieldError(t, 422, "refundable")

	inv := map[string]any{"room_type": "TWIN", "from": "2027-03-01", "to": "2027-03-08", "units": 2}
	if r := c.do("PUT", "/v1/admin/hotels/porto-ribeira/inventory", inv, h...); r.Status != 200 || r.JSON(t)["nights"] != float64(7) {
		t.Fatalf("inventory: %d %s", r.Status, r.Body)
	}
	c.do("PUT", "/v1/admin/hotels/porto-ribeira/inventory", map[string]any{"room_type": "TWIN", "from": "2027-03-08", "to": "2027-03-01", "units": 2}, h...).FieldError(t, 422, "to")
	c.do("PUT", "/v1/admin/hotels/porto-ribeira/inventory", map[string]any{"room_type": "TWIN", "from": "2027-03-01", "to": "2027-03-08", "units": -1}, h...).FieldError(t, 422, "units")
	if r := c.do("PUT", "/v1/admin/hotels/porto-ribeira/rates", map[string]any{"rate_plan": "TWIN-FLEX", "from": "2027-03-01", "to": "2027-03-08", "amount_cents": 8000}, h...); r.Status != 200 {
		t.Fatalf("rates: %d %s", r.Status, r.Body)
	}
	c.do("PUT", "/v1/admin/hotels/porto-ribeira/rates", map[string]any{"rate_plan": "NOPE", "from": "2027-03-01", "to": "2027-03-08", "amount_cents": 8000}, h...).FieldError(t, 422, "rate_plan")

	// Bookable now; and units cannot go below what is sold.
	ref, _ := c.book(map[string]any{"hotel": "porto-ribeira", "room_type": "TWIN", "rate_plan": "TWIN-FLEX", "check_in": "2027-03-02",
		"check_out": "2027-03-04", "adults": 2, "rooms": 2, "guest": map[string]any{"name": "B", "email": "b@example.com"}})
	c.do("PUT", "/v1/admin/hotels/porto-ribeira/inventory", map[string]any{"room_type": "TWIN", "from": "2027-03-01", "to": "2027-03-08", "units": 1}, h...).Problem(t, 409, "conflict")
	if n := c.api.Int(t, `SELECT min(units) FROM inventory`); n != 2 {
		t.Fatalf("a refused inventory change left units at %d", n)
	}
	list := c.do("GET", "/v1/admin/hotels/porto-ribeira/reservations", nil, h...).JSON(t)["reservations"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["reference"] != ref || list[0].(map[string]any)["total_cents"] != float64(32000) {
		t.Fatalf("list: %v", list)
	}
}

func TestReservationListPages(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	var made []string
	for i, ci := range []string{"2027-01-10", "2027-01-10", "2027-01-15", "2027-01-20", "2027-02-01"} {
		co := map[string]string{"2027-01-10": "2027-01-12", "2027-01-15": "2027-01-16", "2027-01-20": "2027-01-22", "2027-02-01": "2027-02-02"}[ci]
		ref, _ := c.book(bookingBody(set("check_in", ci), set("check_out", co), set("guest", map[string]any{"name": "G", "email": "g" + string(rune('a'+i)) + "@example.com"})))
		made = append(made, ref)
	}
	path := "/v1/admin/hotels/lisbon-riverside/reservations?from=2027-01-01&to=2027-01-31&limit=2"
	var seen []string
	for page := 0; page < 5; page++ {
		r := c.do("GET", path, nil, admin()...)
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		m := r.JSON(t)
		for _, x := range m["reservations"].([]any) {
			seen = append(seen, x.(map[string]any)["reference"].(string))
		}
		next, _ := m["next_cursor"].(string)
		if next == "" {
			break
		}
		path = "/v1/admin/hotels/lisbon-riverside/reservations?from=2027-01-01&to=2027-01-31&limit=2&cursor=" + next
	}
	// Pages walk the stays overlapping January in (check-in, id) order,
	// the demo's among them, each once; the February stay is out.
	var want []string
	rows, err := c.api.Store.Pool().Query(context.Background(), `SELECT reference FROM reservations
		WHERE check_out > '2027-01-01' AND check_in < '2027-01-31' ORDER BY check_in, id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var ref string
		_ = rows.Scan(&ref)
		want = append(want, ref)
	}
	if !slices.Equal(seen, want) || len(want) < 5 || slices.Contains(seen, made[4]) {
		t.Fatalf("pages gave %v, want %v", seen, want)
	}
	held := c.do("GET", "/v1/admin/hotels/lisbon-riverside/reservations?status=held", nil, admin()...).JSON(t)["reservations"].([]any)
	if len(held) != 1 || held[0].(map[string]any)["status"] != "held" {
		t.Fatalf("status filter: %v", held)
	}
	c.do("GET", "/v1/admin/hotels/lisbon-riverside/reservations?cursor=garbage", nil, admin()...).FieldError(t, 422, "cursor")
	c.do("GET", "/v1/admin/hotels/lisbon-riverside/reservations?limit=1000", nil, admin()...).FieldError(t, 422, "limit")
	c.do("GET", "/v1/admin/hotels/lisbon-riverside/reservations?status=lost", nil, admin()...).FieldError(t, 422, "status")
}

func TestHealth(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoDemo: true})
	if r := c.do("GET", "/livez", nil); r.Status != 200 {
		t.Fatalf("livez %d", r.Status)
	}
	if r := c.do("GET", "/readyz", nil); r.Status != 200 {
		t.Fatalf("readyz %d %s", r.Status, r.Body)
	}
	h := c.do("GET", "/health", nil, admin()...).JSON(t)
	if h["status"] != "ok" || h["version"] == "" {
		t.Fatalf("health: %v", h)
	}
	names := []string{}
	for _, ch := range h["checks"].([]any) {
		ch := ch.(map[string]any)
		names = append(names, ch["name"].(string))
		if ch["status"] != "ok" || ch["latency_ms"] == nil {
			t.Fatalf("check %v", ch)
		}
	}
	if !slices.Equal(names, []string{"postgres", "redis", "sqs"}) {
		t.Fatalf("checks %v", names)
	}
	gauges, _ := h["gauges"].(map[string]any)
	for _, g := range []string{"queue", "outbox", "jobs"} {
		if gauges[g] == nil {
			t.Errorf("health lacks the %s gauge: %v", g, gauges)
		}
	}
	jobs, _ := gauges["jobs"].(map[string]any)
	// One per scheduled job of the manifest.
	if len(jobs) != len(topology.Innkeeper.Schedules) || jobs["accrue-fixed-costs"] == nil || jobs["reconcile-bill"] == nil {
		t.Errorf("jobs gauge %v; want one per schedule", jobs)
	}
}

func TestHealthNamesTheFailingDependency(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoDemo: true, Env: map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0", "REDIS_TIMEOUT": "200ms"}})
	r := c.do("GET", "/readyz", nil)
	m := r.Problem(t, 503, "unavailable")
	if failing, _ := m["failing"].([]any); len(failing) != 1 || failing[0] != "redis" {
		t.Fatalf("failing %v", m["failing"])
	}
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
	h := c.do("GET", "/health", nil, admin()...)
	if h.Status != 200 || h.JSON(t)["status"] != "warning" {
		t.Fatalf("health with Redis down: %d %s", h.Status, h.Body)
	}
	// Bookings do not need Redis.
	if r := c.do("GET", "/v1/hotels", nil); r.Status != 200 {
		t.Fatalf("hotels without Redis: %d", r.Status)
	}
}

func TestDatabaseDownIs503(t *testing.T) {
	t.Parallel()
	u, _ := url.Parse(testenv.DatabaseURL())
	proxy := testenv.NewProxy(t, u.Host)
	u.Host = proxy.Addr()
	c := newClient(t, testenv.APIOptions{NoDemo: true, Env: map[string]string{"DATABASE_URL": u.String()}})
	if r := c.do("GET", "/v1/hotels", nil); r.Status != 200 {
		t.Fatalf("through the proxy: %d %s", r.Status, r.Body)
	}

	proxy.Cut()
	start := time.Now()
	r := c.do("GET", "/v1/hotels", nil)
	r.Problem(t, 503, "unavailable")
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("503 took %v", took)
	}
	c.do("POST", "/v1/reservations", bookingBody(), "Idempotency-Key", newKey()).Problem(t, 503, "unavailable")
	m := c.do("GET", "/readyz", nil).Problem(t, 503, "unavailable")
	if failing, _ := m["failing"].([]any); len(failing) != 1 || failing[0] != "postgres" {
		t.Fatalf("failing %v", m["failing"])
	}
	if h := c.do("GET", "/health", nil); h.Status != 503 || h.JSON(t)["status"] != "failed" {
		t.Fatalf("health: %d %s", h.Status, h.Body)
	}

	// Back again: served without a restart.
	proxy.Restore()
	if r := c.do("GET", "/v1/hotels", nil); r.Status != 200 {
		t.Fatalf("after restore: %d %s", r.Status, r.Body)
	}
}
