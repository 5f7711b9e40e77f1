package httpapi_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/local/testsync"
	"innkeeper/shared/bootstrap/apiserver"
	"innkeeper/shared/config"
	"innkeeper/shared/httpapi"
	"innkeeper/shared/logging"
	"innkeeper/shared/ratelimit"
	"innkeeper/shared/redisclient"
)

// limitedAPI is an API with rate limits on, served in process so each
// request can come from the address a test chooses. Its schema holds
// API keys and nothing else: the limits do not care what a route finds.
type limitedAPI struct {
	*apiserver.API
	t      testing.TB
	prefix string
	log    *testsync.Buffer
}

func newLimitedAPI(t *testing.T, o apiserver.Options, env map[string]string) *limitedAPI {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "test:rl" + hex.EncodeToString(b[:]) + ":"
	vars := map[string]string{
		"APP_ENV":          "test",
		"DATABASE_URL":     testenv.DatabaseURL(),
		"REDIS_URL":        testenv.RedisURL(),
		"REDIS_KEY_PREFIX": prefix,
		"REDIS_TIMEOUT":    "1s",
		"DB_MAX_CONNS":     "10",
		"RATE_LIMITS":      "on",
	}
	for k, v := range env {
		vars[k] = v
	}
	cfg, err := config.Load(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	log := &testsync.Buffer{}
	ctx := context.Background()
	o.SearchPath = testenv.Schema(t)
	api, err := apiserver.New(ctx, cfg, logging.New(log, "warn"), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	if _, err := api.Store.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Store.CreateAPIKey(ctx, "test admin", "admin", testenv.AdminKey, nil); err != nil {
		t.Fatal(err)
	}
	// The buckets expire by themselves; a test removes its own anyway.
	t.Cleanup(func() {
		rdb := testenv.Redis(t).Redis()
		iter := rdb.Scan(ctx, 0, "rate:"+prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
	})
	return &limitedAPI{API: api, t: t, prefix: prefix, log: log}
}

// send serves one request from ip; headers are pairs.
func (a *limitedAPI) send(ip, method, path string, headers ...string) result {
	a.t.Helper()
	var body *strings.Reader
	if method == http.MethodPost {
		body = strings.NewReader(`{}`)
	} else {
		body = strings.NewReader("")
	}
	r := httptest.NewRequest(method, path, body)
	r.RemoteAddr = net.JoinHostPort(ip, "40000")
	if method == http.MethodPost {
		r.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	a.ServeHTTP(w, r)
	return result{w.Code, w.Result().Header, w.Body.Bytes()}
}

// patient is the limiter's timeout in tests of the limits themselves:
// on a loaded machine the production 50 ms would let requests through.
const patient = 2 * time.Second

// production is the production table, with a patient limiter.
func production() apiserver.Options {
	return apiserver.Options{RateLimiter: ratelimit.Options{Timeout: patient}}
}

// limits is a table with small, slow budgets, so a test reaches them in
// a few requests and nothing refills while it runs.
func limits(ipReads, ipWrites, keyReads, keyWrites int) apiserver.Options {
	t := httpapi.DefaultRateLimits()
	t.Limits = []httpapi.RateLimit{
		{Policy: "reads", Class: httpapi.Reads, Caller: httpapi.ByIP, Rate: 1, Per: time.Hour, Burst: ipReads},
		{Policy: "writes", Class: httpapi.Writes, Caller: httpapi.ByIP, Rate: 1, Per: time.Hour, Burst: ipWrites},
		{Policy: "key-reads", Class: httpapi.Reads, Caller: httpapi.ByKey, Rate: 1, Per: time.Hour, Burst: keyReads},
		{Policy: "key-writes", Class: httpapi.Writes, Caller: httpapi.ByKey, Rate: 1, Per: time.Hour, Burst: keyWrites},
	}
	return apiserver.Options{RateLimits: &t, RateLimiter: ratelimit.Options{Timeout: patient}}
}

// sfItem parses a one-item structured-field list such as
// `"reads";r=4;t=12` into its string and integer parameters.
func sfItem(t testing.TB, field, v string) (string, map[string]int) {
	t.Helper()
	parts := strings.Split(v, ";")
	name, err := strconv.Unquote(parts[0])
	if err != nil || len(parts) < 2 || strings.Contains(v, ",") || strings.Contains(v, " ") {
		t.Fatalf("%s: %q is not one item with parameters", field, v)
	}
	params := map[string]int{}
	for _, p := range parts[1:] {
		k, val, ok := strings.Cut(p, "=")
		n, err := strconv.Atoi(val)
		if !ok || err != nil || n < 0 {
			t.Fatalf("%s: parameter %q of %q is not a non-negative integer", field, p, v)
		}
		params[k] = n
	}
	return name, params
}

// quota checks both headers name policy and returns the RateLimit
// parameters.
func (r result) quota(t testing.TB, policy string, q, w int) map[string]int {
	t.Helper()
	name, pol := sfItem(t, "RateLimit-Policy", r.Header.Get("RateLimit-Policy"))
	if name != policy || pol["q"] != q || pol["w"] != w || len(pol) != 2 {
		t.Fatalf("RateLimit-Policy %q, want %q;q=%d;w=%d", r.Header.Get("RateLimit-Policy"), policy, q, w)
	}
	name, lim := sfItem(t, "RateLimit", r.Header.Get("RateLimit"))
	if _, hasR := lim["r"]; name != policy || !hasR || len(lim) != 2 {
		t.Fatalf("RateLimit %q, want %q;r=…;t=…", r.Header.Get("RateLimit"), policy)
	}
	return lim
}

func TestRateLimitHeadersUnderTheLimit(t *testing.T) {
	t.Parallel()
	a := newLimitedAPI(t, production(), nil)
	for i := range 3 {
		r := a.send("203.0.113.10", "GET", "/v1/hotels")
		if r.Status != 200 {
			t.Fatalf("request %d: %d %s", i, r.Status, r.Body)
		}
		if got := r.Header.Get("RateLimit-Policy"); got != `"reads";q=300;w=60` {
			t.Fatalf("RateLimit-Policy %q", got)
		}
		lim := r.quota(t, "reads", 300, 60)
		// Five a second come back, so a slow machine may see more left.
		if lim["r"] < 60-1-i || lim["r"] > 59 || lim["t"] < 1 || lim["t"] > 60 {
			t.Fatalf("request %d: RateLimit %q, want r=%d and t within the window", i, r.Header.Get("RateLimit"), 59-i)
		}
		if r.Header.Get("Retry-After") != "" {
			t.Fatal("Retry-After on a request within its limit")
		}
	}
}

func TestRateLimitOverTheLimit(t *testing.T) {
	t.Parallel()
	a := newLimitedAPI(t, limits(5, 2, 5, 5), map[string]string{"CORS_ALLOWED_ORIGINS": "https://book.example.com"})
	ip := "198.51.100.7"
	for i := range 2 {
		if r := a.send(ip, "POST", "/v1/reservations", "Idempotency-Key", "k"+strconv.Itoa(i)); r.Status == 429 || r.Status >= 500 {
			t.Fatalf("write %d within the limit: %d %s", i, r.Status, r.Body)
		}
	}
	r := a.send(ip, "POST", "/v1/reservations", "Idempotency-Key", "k3", "Origin", "https://book.example.com")
	m := r.Problem(t, 429, "rate-limited")
	retry, err := strconv.Atoi(r.Header.Get("Retry-After"))
	// One request an hour: the next one is due in just under an hour.
	if err != nil || retry < 3500 || retry > 3600 {
		t.Fatalf("Retry-After %q, want whole seconds up to 3600", r.Header.Get("Retry-After"))
	}
	lim := r.quota(t, "writes", 1, 3600)
	if lim["r"] != 0 || lim["t"] != retry {
		t.Fatalf("RateLimit %q, want r=0;t=%d", r.Header.Get("RateLimit"), retry)
	}
	if detail := m["detail"].(string); !strings.Contains(detail, "Retry in "+strconv.Itoa(retry)+" seconds") {
		t.Fatalf("detail does not say when to retry: %q", detail)
	}
	if vp, _ := m["violated-policies"].([]any); len(vp) != 1 || vp[0] != "writes" {
		t.Fatalf("violated-policies %v", m["violated-policies"])
	}
	if r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("429 lacks the usual headers: %v", r.Header)
	}
	// A browser may read them.
	expose := r.Header.Get("Access-Control-Expose-Headers")
	for _, h := range []string{"Retry-After", "RateLimit", "RateLimit-Policy"} {
		if !strings.Contains(", "+expose+",", ", "+h+",") {
			t.Errorf("CORS does not expose %s: %q", h, expose)
		}
	}
	// Confirm and cancel are writes too; reads have their own budget.
	a.send(ip, "POST", "/v1/reservations/INK-NOPE/confirm").Problem(t, 429, "rate-limited")
	a.send(ip, "POST", "/v1/reservations/INK-NOPE/cancel").Problem(t, 429, "rate-limited")
	if r := a.send(ip, "GET", "/v1/hotels"); r.Status != 200 {
		t.Fatalf("a read after the writes ran out: %d %s", r.Status, r.Body)
	}
}

// The production table: five booking writes at once, then 429, while
// reads go on up to sixty.
func TestDefaultRateLimitsWritesStricterThanReads(t *testing.T) {
	t.Parallel()
	a := newLimitedAPI(t, production(), nil)
	ip := "203.0.113.70"
	writes := []string{"/v1/reservations", "/v1/reservations/INK-NOPE/confirm", "/v1/reservations/INK-NOPE/cancel"}
	// Ten a minute, five at once.
	r := untilRefused(t, "write", 5, time.Minute/10, func(i int) result {
		r := a.send(ip, "POST", writes[i%3], "Idempotency-Key", newKey())
		if r.Status != 429 {
			if r.Status >= 500 {
				t.Fatalf("write %d: %d %s", i, r.Status, r.Body)
			}
			r.quota(t, "writes", 10, 60)
		}
		return r
	})
	r.Problem(t, 429, "rate-limited")
	// Ten a minute: one every six seconds.
	if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 || ra > 6 {
		t.Fatalf("Retry-After %q, want 1 to 6", r.Header.Get("Retry-After"))
	}
	// Three hundred a minute, sixty at once.
	r = untilRefused(t, "read after the writes ran out", 60, time.Minute/300, func(i int) result {
		r := a.send(ip, "GET", "/v1/hotels")
		if r.Status != 429 && r.Status != 200 {
			t.Fatalf("read %d after the writes ran out: %d %s", i, r.Status, r.Body)
		}
		return r
	})
	r.Problem(t, 429, "rate-limited")
	r.quota(t, "reads", 300, 60)
	if a.RateLimiter.FailedOpen() != 0 {
		t.Fatal("no limiter, or it failed open with Redis up")
	}
}

// untilRefused sends requests (send(0), send(1), …) against a fresh
// budget until the first 429, and returns that. The 429 must come after
// the burst, and no later than the burst plus one request for each
// interval every (the rate's) that passed since the first was sent: a
// slow machine sees what refilled while it sent. One more is allowed
// because Redis measures on its own clock (TIME, in floating-point
// seconds) and the test on Go's; a budget that never refuses fails at
// four bursts.
func untilRefused(t *testing.T, what string, burst int, every time.Duration, send func(i int) result) result {
	t.Helper()
	start := time.Now()
	for i := 0; ; i++ {
		r := send(i)
		if r.Status == 429 {
			if i < burst {
				t.Fatalf("%s %d refused, want %d at once: %s", what, i, burst, r.Body)
			}
			t.Logf("%d requests (%s) allowed in %v, then 429", i, what, time.Since(start))
			return r
		}
		took := time.Since(start)
		if most := burst + int(took/every) + 1; i+1 > most || i+1 >= 4*burst {
			t.Fatalf("%d requests (%s) allowed in %v, want at most %d: no limit", i+1, what, took, min(most, 4*burst-1))
		}
	}
}

func TestRateLimitIsPerAddress(t *testing.T) {
	t.Parallel()
	a := newLimitedAPI(t, limits(5, 1, 5, 5), nil)
	tests := []struct {
		name        string
		first, then string
		shared      bool
	}{
		{"two IPv4 addresses", "192.0.2.1", "192.0.2.2", false},
		{"IPv4 and the same as IPv6-mapped", "192.0.2.3", "::ffff:192.0.2.3", true},
		{"one IPv6 /64", "2001:db8:1:1::1", "2001:db8:1:1:ffff::2", true},
		{"two IPv6 /64s", "2001:db8:1:2::1", "2001:db8:1:3::1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := a.send(tt.first, "POST", "/v1/reservations"); r.Status == 429 {
				t.Fatalf("first write: %d", r.Status)
			}
			a.send(tt.first, "POST", "/v1/reservations").Problem(t, 429, "rate-limited")
			r := a.send(tt.then, "POST", "/v1/reservations")
			if shared := r.Status == 429; shared != tt.shared {
				t.Fatalf("%s after %s ran out: %d, want shared=%v", tt.then, tt.first, r.Status, tt.shared)
			}
		})
	}
}

func TestRateLimitIsPerAPIKey(t *testing.T) {
	t.Parallel()
	a := newLimitedAPI(t, limits(2, 1, 4, 4), nil)
	other := "ink_staff_" + newKey()
	if _, err := a.Store.CreateAPIKey(context.Background(), "other", "staff", other, nil); err != nil {
		t.Fatal(err)
	}
	ip := "203.0.113.20"
	path := "/v1/admin/hotels/none/reservations"

	// A known key is counted as itself, beyond its address's budget.
	for i := range 4 {
		r := a.send(ip, "GET", path, admin()...)
		if r.Status == 429 {
			t.Fatalf("key request %d: 429", i)
		}
		if lim := r.quota(t, "key-reads", 1, 3600); lim["r"] != 3-i {
			t.Fatalf("key request %d: RateLimit %q", i, r.Header.Get("RateLimit"))
		}
	}
	r := a.send(ip, "GET", path, admin()...)
	r.Problem(t, 429, "rate-limited")
	r.quota(t, "key-reads", 1, 3600)
	// Another key from the same address has its own budget.
	if r := a.send(ip, "GET", path, bearer(other)...); r.Status == 429 {
		t.Fatalf("second key: 429 %s", r.Body)
	} else {
		r.quota(t, "key-reads", 1, 3600)
	}
	// Each key's first request in a process paid one request of the
	// address's budget (2): anonymous requests from it are now refused,
	// under their own policy.
	r = a.send(ip, "GET", "/v1/hotels")
	r.Problem(t, 429, "rate-limited")
	r.quota(t, "reads", 1, 3600)
	// And the same key from elsewhere is still the same key.
	a.send("203.0.113.21", "GET", path, admin()...).Problem(t, 429, "rate-limited")
}

// Keys nobody issued and guest tokens are counted by address, so making
// up keys buys no requests, and no key reaches Redis.
func TestRateLimitUnknownKeysCountByAddress(t *testing.T) {
	t.Parallel()
	a := newLimitedAPI(t, limits(3, 1, 50, 50), nil)
	ip := "203.0.113.30"
	tokens := []string{"ink_admin_" + newKey(), "ink_staff_" + newKey(), "rat_" + newKey()}
	for i, tok := range tokens {
		r := a.send(ip, "GET", "/v1/hotels", bearer(tok)...)
		if r.Status != 200 {
			t.Fatalf("request %d: %d %s", i, r.Status, r.Body)
		}
		r.quota(t, "reads", 1, 3600)
	}
	r := a.send(ip, "GET", "/v1/hotels", bearer("ink_finance_"+newKey())...)
	r.Problem(t, 429, "rate-limited")
	r.quota(t, "reads", 1, 3600)

	// A known key leaves its id in Redis, never the key or its hash.
	if r := a.send("203.0.113.31", "GET", "/v1/hotels", admin()...); r.Status != 200 {
		t.Fatalf("known key: %d", r.Status)
	}
	ctx := context.Background()
	keys, err := testenv.Redis(t).Redis().Keys(ctx, "rate:"+a.prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, k := range keys {
		if strings.Contains(k, "ink_") || strings.Contains(k, "local-dev-key") || strings.Contains(k, ip) {
			t.Fatalf("a secret or an address in Redis: %q", k)
		}
		found = found || strings.Contains(k, ":key-reads:key:")
	}
	if !found {
		t.Fatalf("no bucket for the key among %v", keys)
	}
}

// The liveness and readiness probes are never limited; /health, which
// reads queues and gauges, is a read like the others.
func TestHealthRoutesAreNotLimited(t *testing.T) {
	t.Parallel()
	a := newLimitedAPI(t, limits(1, 1, 1, 1), nil)
	ip := "203.0.113.40"
	a.send(ip, "GET", "/v1/hotels")
	a.send(ip, "GET", "/v1/hotels").Problem(t, 429, "rate-limited")
	a.send(ip, "GET", "/health").Problem(t, 429, "rate-limited")
	for range 5 {
		for _, path := range []string{"/livez", "/readyz"} {
			r := a.send(ip, "GET", path)
			if r.Status != 200 || r.Header.Get("RateLimit") != "" || r.Header.Get("RateLimit-Policy") != "" {
				t.Fatalf("%s: %d, RateLimit %q", path, r.Status, r.Header.Get("RateLimit"))
			}
		}
	}
	// Not found and wrong methods count as reads.
	a.send(ip, "GET", "/nowhere").Problem(t, 429, "rate-limited")
	a.send(ip, "DELETE", "/v1/hotels").Problem(t, 429, "rate-limited")
}

// With Redis gone, requests go on without a limit, at once, with a
// warning and a count; when it is back, so are the limits.
func TestRateLimitFailsOpenWhenRedisIsDown(t *testing.T) {
	t.Parallel()
	proxy := testenv.NewProxy(t, strings.TrimSuffix(strings.TrimPrefix(testenv.RedisURL(), "redis://"), "/0"))
	a := newLimitedAPI(t, limits(100, 1, 100, 100), map[string]string{"REDIS_URL": "redis://" + proxy.Addr() + "/0"})
	ip := "203.0.113.50"
	if r := a.send(ip, "POST", "/v1/reservations"); r.Status == 429 || r.Header.Get("RateLimit") == "" {
		t.Fatalf("through the proxy: %d, RateLimit %q", r.Status, r.Header.Get("RateLimit"))
	}
	a.send(ip, "POST", "/v1/reservations").Problem(t, 429, "rate-limited")

	proxy.Cut()
	before := a.RateLimiter.FailedOpen()
	for i := range 5 {
		for _, rq := range [][2]string{{"POST", "/v1/reservations"}, {"GET", "/v1/hotels"}} {
			start := time.Now()
			r := a.send(ip, rq[0], rq[1])
			if took := time.Since(start); took > 200*time.Millisecond {
				t.Fatalf("%s %s with Redis down took %v", rq[0], rq[1], took)
			}
			if r.Status == 429 || r.Status >= 500 || r.Header.Get("RateLimit") != "" {
				t.Fatalf("%s %s %d with Redis down: %d %s", rq[0], rq[1], i, r.Status, r.Body)
			}
		}
	}
	if got := a.RateLimiter.FailedOpen() - before; got != 10 {
		t.Fatalf("FailedOpen rose by %d, want 10", got)
	}
	if n := strings.Count(a.log.String(), "rate limit not checked"); n != 10 {
		t.Fatalf("%d warnings, want 10:\n%s", n, a.log.String())
	}

	proxy.Restore()
	deadline := time.Now().Add(5 * time.Second)
	for a.send(ip, "POST", "/v1/reservations").Status != 429 {
		if time.Now().After(deadline) {
			t.Fatal("limits did not come back with Redis")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// A Redis that accepts connections and never answers costs a request at
// most the limiter's timeout, whatever the client's own timeouts. The
// limiter stands alone here: the API's other Redis users (the request
// counters) have their own bounds.
func TestRateLimitFailsOpenWhenRedisHangs(t *testing.T) {
	t.Parallel()
	silent := testenv.SilentServer(t)
	// Slow as the deployed client: a second before it gives up alone.
	c, err := redisclient.Open("redis://"+silent+"/0", redisclient.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	l := ratelimit.New(c.Redis(), ratelimit.Options{})
	log := &testsync.Buffer{}
	api := httpapi.New(httpapi.Deps{RateLimiter: l, LinkKeys: testLinkKeys, Logger: logging.New(log, "warn")})
	for i := range 4 {
		start := time.Now()
		w := httptest.NewRecorder()
		api.ServeHTTP(w, httptest.NewRequest("GET", "/nowhere", nil))
		if took := time.Since(start); took > 200*time.Millisecond {
			t.Fatalf("request %d with Redis hanging took %v", i, took)
		}
		if w.Code != 404 || w.Header().Get("RateLimit") != "" {
			t.Fatalf("request %d: %d, RateLimit %q", i, w.Code, w.Header().Get("RateLimit"))
		}
	}
	if n := l.FailedOpen(); n != 4 {
		t.Fatalf("FailedOpen %d, want 4", n)
	}
	if n := strings.Count(log.String(), "rate limit not checked"); n != 4 {
		t.Fatalf("%d warnings, want 4:\n%s", n, log.String())
	}
}

func TestRateLimitsOffByConfig(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoDemo: true, NoRelay: true}) // testenv turns them off
	if c.api.RateLimiter != nil {
		t.Fatal("a limiter with RATE_LIMITS=off")
	}
	for range 3 {
		if r := c.do("POST", "/v1/reservations", `{}`); r.Status == 429 || r.Header.Get("RateLimit") != "" {
			t.Fatalf("limited with RATE_LIMITS=off: %d %v", r.Status, r.Header)
		}
	}
}

func TestRateLimitTableIsChecked(t *testing.T) {
	t.Parallel()
	edit := func(f func(*httpapi.RateLimits)) *httpapi.RateLimits {
		l := httpapi.DefaultRateLimits()
		f(&l)
		return &l
	}
	tests := []struct {
		name   string
		limits *httpapi.RateLimits
		want   string // in the error; "" for none
	}{
		{"default", nil, ""},
		{"missing row", edit(func(l *httpapi.RateLimits) { l.Limits = l.Limits[1:] }), "no policy for writes by ip"},
		{"doubled row", edit(func(l *httpapi.RateLimits) {
			l.Limits = append(l.Limits, httpapi.RateLimit{Policy: "more", Class: httpapi.Reads, Caller: httpapi.ByIP, Rate: 1, Per: time.Second, Burst: 1})
		}), "two policies for reads by ip"},
		{"unknown route", edit(func(l *httpapi.RateLimits) { l.Classes["POST /v1/nothing"] = httpapi.Writes }), "no route POST /v1/nothing"},
		{"bad name", edit(func(l *httpapi.RateLimits) { l.Limits[0].Policy = `wri"tes` }), `policy "wri\"tes"`},
		{"zero burst", edit(func(l *httpapi.RateLimits) { l.Limits[0].Burst = 0 }), "want rate and burst above 0"},
		{"sub-second window", edit(func(l *httpapi.RateLimits) { l.Limits[0].Per = 1500 * time.Millisecond }), "per whole seconds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			table := httpapi.DefaultRateLimits()
			if tt.limits != nil {
				table = *tt.limits
			}
			err := table.Check()
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// What the table promises: writes stricter than reads, keys more
// generous than addresses, health never limited.
func TestDefaultRateLimitsTable(t *testing.T) {
	t.Parallel()
	d := httpapi.DefaultRateLimits()
	get := func(class httpapi.RateClass, caller httpapi.Caller) httpapi.RateLimit {
		for _, l := range d.Limits {
			if l.Class == class && l.Caller == caller {
				return l
			}
		}
		t.Fatalf("no row for %s by %s", class, caller)
		return httpapi.RateLimit{}
	}
	perMinute := func(l httpapi.RateLimit) float64 { return float64(l.Rate) / l.Per.Minutes() }
	for _, caller := range []httpapi.Caller{httpapi.ByIP, httpapi.ByKey} {
		w, r := get(httpapi.Writes, caller), get(httpapi.Reads, caller)
		if perMinute(w) >= perMinute(r) || w.Burst >= r.Burst {
			t.Errorf("by %s: writes %+v not stricter than reads %+v", caller, w, r)
		}
	}
	for _, class := range []httpapi.RateClass{httpapi.Reads, httpapi.Writes} {
		if perMinute(get(class, httpapi.ByKey)) <= perMinute(get(class, httpapi.ByIP)) {
			t.Errorf("%s: an API key gets no more than an address", class)
		}
	}
	for _, route := range []string{"GET /livez", "GET /readyz"} {
		if d.Classes[route] != httpapi.Exempt {
			t.Errorf("%s is limited", route)
		}
	}
	if d.Classes["GET /health"] == httpapi.Exempt {
		t.Error("GET /health is not limited")
	}
}

// fakeLimiter answers every Allow the same and notes what it was asked.
type fakeLimiter struct {
	answer limiterAnswer

	mu    sync.Mutex
	calls []limiterCall
}

type limiterAnswer struct {
	allowed   bool
	remaining int
	after     time.Duration
	err       error
}

type limiterCall struct {
	key   string
	limit string // rate/per burst
}

func (f *fakeLimiter) Allow(_ context.Context, key string, rate, burst int, per time.Duration) (bool, int, time.Duration, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, limiterCall{key, fmt.Sprintf("%d/%v burst %d", rate, per, burst)})
	a := f.answer
	return a.allowed, a.remaining, a.after, a.err
}

func (f *fakeLimiter) FailedOpen() int64 { return 0 }

// What the API asks its RateLimiter and what it tells the client, with
// no Redis: the key and limit of the route's policy in, the headers and
// the 429 out.
func TestRateLimiterAnswersBecomeHeaders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		method, path string
		answer       limiterAnswer
		status       int
		key, limit   string // what the limiter is asked; "" for nothing
		rateLimit    string // the RateLimit field
		retryAfter   string
		warned       bool
	}{
		{"allowed", "GET", "/nowhere", limiterAnswer{allowed: true, remaining: 59, after: 200 * time.Millisecond},
			404, "reads:ip:", "300/1m0s burst 60", `"reads";r=59;t=1`, "", false},
		{"a booking write", "POST", "/v1/reservations/INK-NOPE/cancel", limiterAnswer{allowed: true, remaining: 4, after: 6 * time.Second},
			404, "writes:ip:", "10/1m0s burst 5", `"writes";r=4;t=6`, "", false},
		{"refused", "GET", "/nowhere", limiterAnswer{after: 5200 * time.Millisecond},
			429, "reads:ip:", "300/1m0s burst 60", `"reads";r=0;t=6`, "6", false},
		{"refused, due now", "GET", "/nowhere", limiterAnswer{},
			429, "reads:ip:", "300/1m0s burst 60", `"reads";r=0;t=1`, "1", false},
		{"not checked", "GET", "/nowhere", limiterAnswer{err: errors.New("no answer")},
			404, "reads:ip:", "300/1m0s burst 60", "", "", true},
		{"exempt", "GET", "/livez", limiterAnswer{},
			200, "", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log := &testsync.Buffer{}
			l := &fakeLimiter{answer: tt.answer}
			api := httpapi.New(httpapi.Deps{RateLimiter: l, LinkKeys: testLinkKeys, Logger: logging.New(log, "warn")})
			r := httptest.NewRequest(tt.method, tt.path, nil)
			r.RemoteAddr = "203.0.113.80:40000"
			w := httptest.NewRecorder()
			api.ServeHTTP(w, r)
			res := result{w.Code, w.Header(), w.Body.Bytes()}
			if tt.status == 429 {
				res.Problem(t, 429, "rate-limited")
			} else if res.Status != tt.status {
				t.Fatalf("status %d, want %d", res.Status, tt.status)
			}
			switch {
			case tt.key == "" && len(l.calls) != 0:
				t.Fatalf("limiter asked %+v, want nothing", l.calls)
			case tt.key != "" && (len(l.calls) != 1 || !strings.HasPrefix(l.calls[0].key, tt.key) || l.calls[0].limit != tt.limit):
				t.Fatalf("limiter asked %+v, want once for %s… at %s", l.calls, tt.key, tt.limit)
			}
			if got := res.Header.Get("RateLimit"); got != tt.rateLimit {
				t.Fatalf("RateLimit %q, want %q", got, tt.rateLimit)
			}
			if got := res.Header.Get("Retry-After"); got != tt.retryAfter {
				t.Fatalf("Retry-After %q, want %q", got, tt.retryAfter)
			}
			if warned := strings.Contains(log.String(), "rate limit not checked"); warned != tt.warned {
				t.Fatalf("warned %v, want %v:\n%s", warned, tt.warned, log.String())
			}
		})
	}
}

func TestBadRateLimitsAreABuildDefect(t *testing.T) {
	t.Parallel()
	table := httpapi.DefaultRateLimits()
	table.Limits = table.Limits[1:]
	defer func() {
		if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), "no policy for writes by ip") {
			t.Fatalf("New with a bad table: recovered %v", v)
		}
	}()
	httpapi.New(httpapi.Deps{RateLimiter: &fakeLimiter{}, RateLimits: &table, LinkKeys: testLinkKeys, Logger: logging.Discard()})
}
