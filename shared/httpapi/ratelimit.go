package httpapi

// Rate limits per client, counted by a RateLimiter (shared/ratelimit:
// GCRA in Redis, so that every Lambda process counts against the same
// budget). This file is the API's side: which routes share a limit,
// whose budget a request spends, and how a client is told.
//
// A client is its API key when it sends a staff or finance key
// (Authorization: Bearer ink_…) that the store knows, and its address
// otherwise, guest reservation tokens (rat_…) included. A key is
// trusted only once looked up: before that its request is charged to
// its address, so inventing keys buys nothing.
//
// The limits fail open. A limiter that cannot check (Redis down or
// slow) lets the request through without RateLimit headers, with a
// warning in the log: rate limiting never answers 5xx and never holds a
// request up longer than the limiter's timeout.

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"innkeeper/shared/auth"
	"innkeeper/shared/topology"
)

// RateClass groups the routes that share a limit.
type RateClass string

// The classes. A route the table does not name is a read.
const (
	// Exempt routes are never limited: the liveness and readiness
	// probes, which load balancers call on their own schedule. /health,
	// which reads queues and gauges, is a read like any other.
	Exempt RateClass = "exempt"
	// Reads are searches and reads.
	Reads RateClass = "reads"
	// Writes are booking writes: they hold inventory and send mail.
	Writes RateClass = "writes"
)

// Caller is how the API knows a client whose requests it counts.
type Caller string

// The callers.
const (
	// ByIP counts a client by its address (an IPv6 client by its /64,
	// which one subscriber usually holds whole).
	ByIP Caller = "ip"
	// ByKey counts a client by its staff or finance API key.
	ByKey Caller = "key"
)

// RateLimit is one row of the policy table: the limit of a class of
// routes for a kind of caller.
type RateLimit struct {
	// Policy names the limit in the RateLimit-Policy and RateLimit
	// headers and in Redis: lower-case letters, digits and dashes.
	Policy string
	Class  RateClass
	Caller Caller
	// Rate requests per Per are allowed in the long run; Per is whole
	// seconds, as the headers' w parameter is.
	Rate int
	Per  time.Duration
	// Burst requests are allowed at once, after a quiet spell.
	Burst int
}

// RateLimits is the policy table: the class of each route, and the
// limit of each class for each kind of caller.
type RateLimits struct {
	// Classes maps route keys ("POST /v1/reservations", as in the
	// topology manifest) to their class; a route not listed is a read.
	Classes map[string]RateClass
	// Limits has one row per class (reads, writes) and caller.
	Limits []RateLimit
}

// DefaultRateLimits is the production policy table, a fresh copy each
// call so a test may change its own.
//
//	policy      routes                     caller   rate       burst
//	writes      booking writes             address  10/min     5
//	reads       everything else limited    address  300/min    60
//	key-writes  booking writes             API key  120/min    30
//	key-reads   everything else limited    API key  1200/min   200
//
// Booking writes are POST /v1/reservations, its confirm and cancel, the
// lookup of a lost link, the cancel through the link and a booking's
// cancel; they are ten
// times stricter than reads because each one holds rooms or sends mail.
// /livez and /readyz are not limited. API keys belong to staff tools
// and finance reports that legitimately make many calls, often from one
// office address.
func DefaultRateLimits() RateLimits {
	return RateLimits{
		Classes: map[string]RateClass{
			"GET /livez":  Exempt,
			"GET /readyz": Exempt,

			"POST /v1/reservations":                     Writes,
			"POST /v1/reservations/{reference}/confirm": Writes,
			"POST /v1/reservations/{reference}/cancel":  Writes,
			// A lookup sends mail; a cancel by link is a cancel.
			"POST /v1/reservations/lookup":                    Writes,
			"POST /v1/reservations/{reference}/manage/cancel": Writes,
			// A booking's cancel is a cancel of each of its lines.
			"POST /v1/bookings/{reference}/cancel": Writes,
		},
		Limits: []RateLimit{
			{Policy: "writes", Class: Writes, Caller: ByIP, Rate: 10, Per: time.Minute, Burst: 5},
			{Policy: "reads", Class: Reads, Caller: ByIP, Rate: 300, Per: time.Minute, Burst: 60},
			{Policy: "key-writes", Class: Writes, Caller: ByKey, Rate: 120, Per: time.Minute, Burst: 30},
			{Policy: "key-reads", Class: Reads, Caller: ByKey, Rate: 1200, Per: time.Minute, Burst: 200},
		},
	}
}

// RateLimiter keeps the clients' request budgets where every process
// counts against the same ones; shared/ratelimit implements it with GCRA
// in Redis.
type RateLimiter interface {
	// Allow spends one request of the budget named key, which holds
	// burst requests at once and refills rate of them per per. It says
	// whether the request is within the budget, the requests left, and
	// how long until the budget is whole again or, for a refused
	// request, until the next may pass. An error means the budget was
	// not checked: the request goes through.
	Allow(ctx context.Context, key string, rate, burst int, per time.Duration) (allowed bool, remaining int, after time.Duration, err error)
	// FailedOpen is how many Allows failed so far, for the warning.
	FailedOpen() int64
}

// rateLimits is the API's side of rate limiting: the policy table, a
// route's class, and who a request is.
type rateLimits struct {
	limiter RateLimiter
	classes map[string]RateClass
	limits  map[RateClass]map[Caller]RateLimit
	known   keyCache
}

// newRateLimits puts table (DefaultRateLimits when nil) over l. A table
// Check refuses is a build defect: the wiring checks it first.
func newRateLimits(l RateLimiter, table *RateLimits) *rateLimits {
	t := DefaultRateLimits()
	if table != nil {
		t = *table
	}
	if err := t.Check(); err != nil {
		panic(err)
	}
	rl := &rateLimits{limiter: l, classes: t.Classes, limits: map[RateClass]map[Caller]RateLimit{}}
	for _, lim := range t.Limits {
		if rl.limits[lim.Class] == nil {
			rl.limits[lim.Class] = map[Caller]RateLimit{}
		}
		rl.limits[lim.Class][lim.Caller] = lim
	}
	return rl
}

// Check reports every defect of the table at once: a bad row, a missing
// or doubled one, a class given to a route the API does not serve.
func (t RateLimits) Check() error {
	var problems []string
	routes := map[string]bool{}
	for _, r := range topology.Innkeeper.RoutesOf(Function) {
		routes[r.Key()] = true
	}
	for key, class := range t.Classes {
		if !routes[key] {
			problems = append(problems, "no route "+key)
		}
		if class != Exempt && class != Reads && class != Writes {
			problems = append(problems, fmt.Sprintf("route %s: unknown class %q", key, class))
		}
	}
	seen := map[string]bool{}
	names := map[string]bool{}
	for _, l := range t.Limits {
		if !validPolicyName(l.Policy) || names[l.Policy] {
			problems = append(problems, fmt.Sprintf("policy %q: want a unique name of a-z, 0-9 and -", l.Policy))
		}
		names[l.Policy] = true
		if l.Rate <= 0 || l.Burst <= 0 || l.Per < time.Second || l.Per%time.Second != 0 {
			problems = append(problems, fmt.Sprintf("policy %s: want rate and burst above 0 per whole seconds", l.Policy))
		}
		if (l.Class != Reads && l.Class != Writes) || (l.Caller != ByIP && l.Caller != ByKey) {
			problems = append(problems, fmt.Sprintf("policy %s: class %q or caller %q unknown", l.Policy, l.Class, l.Caller))
			continue
		}
		row := string(l.Class) + " by " + string(l.Caller)
		if seen[row] {
			problems = append(problems, "two policies for "+row)
		}
		seen[row] = true
	}
	for _, class := range []RateClass{Reads, Writes} {
		for _, caller := range []Caller{ByIP, ByKey} {
			if row := string(class) + " by " + string(caller); !seen[row] {
				problems = append(problems, "no policy for "+row)
			}
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return fmt.Errorf("httpapi: rate limits: %s", strings.Join(problems, "; "))
	}
	return nil
}

func validPolicyName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// classOf is route's class; route is a route key, or the name of the
// API's own 404 and 405 handlers (reads).
func (rl *rateLimits) classOf(route string) RateClass {
	if c, ok := rl.classes[route]; ok {
		return c
	}
	return Reads
}

// verdict is one check's outcome.
type verdict struct {
	limit     RateLimit
	allowed   bool
	remaining int
	// after is the time until the quota is whole again or, when
	// refused, until the next request may pass.
	after time.Duration
}

// take spends one request of who's budget under lim. An error means the
// budget was not checked: the caller lets the request through.
func (rl *rateLimits) take(ctx context.Context, lim RateLimit, who string) (verdict, error) {
	allowed, remaining, after, err := rl.limiter.Allow(ctx, lim.Policy+":"+who, lim.Rate, lim.Burst, lim.Per)
	if err != nil {
		return verdict{}, fmt.Errorf("httpapi: rate limit %s: %w", lim.Policy, err)
	}
	return verdict{limit: lim, allowed: allowed, remaining: remaining, after: after}, nil
}

// limit puts the rate limit of route's class in front of h.
func (s *Server) limit(route string, h http.HandlerFunc) http.HandlerFunc {
	rl := s.limits
	if rl == nil {
		return h
	}
	class := rl.classOf(route)
	if class == Exempt {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := s.admit(r, class)
		if err != nil {
			s.log.WarnContext(r.Context(), "rate limit not checked; request let through",
				slog.String("error", err.Error()), slog.Int64("failed_open", rl.limiter.FailedOpen()))
			h(w, r)
			return
		}
		v.header(w.Header())
		if !v.allowed {
			writeRateLimited(w, v)
			return
		}
		h(w, r)
	}
}

// admit charges the request to its client and returns the verdict.
//
// A key this process has seen in the store is charged as the key. Any
// other request is charged to its address first; a key among them is
// then looked up and, when known, charged as the key too and remembered
// for a minute. Made-up keys so cost their sender its address's budget
// and never reach the store once that is spent.
func (s *Server) admit(r *http.Request, class RateClass) (verdict, error) {
	rl, ctx := s.limits, r.Context()
	token, keyed := apiKey(r)
	var hash string
	if keyed {
		hash = string(auth.Hash(token))
		if id, ok := rl.known.get(hash, time.Now()); ok {
			return rl.take(ctx, rl.limits[class][ByKey], "key:"+id)
		}
	}
	v, err := rl.take(ctx, rl.limits[class][ByIP], "ip:"+s.addressKey(clientIP(r)))
	if err != nil || !keyed || !v.allowed || s.keys == nil {
		return v, err
	}
	key, err := s.keys.APIKey(ctx, token)
	if err != nil {
		// Unknown, revoked or not verifiable now: it stays an address.
		// Routes that need a key answer 401 or 503 themselves.
		return v, nil
	}
	id := strconv.FormatInt(key.ID, 10)
	rl.known.put(hash, id, time.Now())
	return rl.take(ctx, rl.limits[class][ByKey], "key:"+id)
}

// apiKey is the staff or finance API key the request carries, if any.
// Guest reservation tokens (rat_…) are not API keys.
func apiKey(r *http.Request) (string, bool) {
	token, ok := auth.Bearer(r.Header.Get("Authorization"))
	if !ok || !strings.HasPrefix(token, "ink_") {
		return "", false
	}
	return token, true
}

// header sets the RateLimit-Policy and RateLimit fields of
// draft-ietf-httpapi-ratelimit-headers (structured-field lists, one
// item: the policy that applied). r is the requests left now; t the
// seconds until the quota is whole again, or, when refused, until the
// next request may pass (which Retry-After repeats).
func (v verdict) header(h http.Header) {
	name := `"` + v.limit.Policy + `"`
	h.Set("RateLimit-Policy", name+";q="+strconv.Itoa(v.limit.Rate)+";w="+strconv.Itoa(int(v.limit.Per/time.Second)))
	t := seconds(v.after)
	if !v.allowed {
		t = v.retryAfter()
	}
	h.Set("RateLimit", name+";r="+strconv.Itoa(max(v.remaining, 0))+";t="+strconv.Itoa(t))
}

// retryAfter is the whole seconds, rounded up and at least 1, until a
// refused client may try again.
func (v verdict) retryAfter() int { return max(seconds(v.after), 1) }

// seconds is d in whole seconds, rounded up; 0 for none.
func seconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

// rateLimited is the 429 problem, with the member the draft's own
// quota-exceeded problem type defines.
type rateLimited struct {
	*Problem
	ViolatedPolicies []string `json:"violated-policies"`
}

// writeRateLimited answers a refused request: 429, Retry-After, and a
// problem that says when to come back.
func writeRateLimited(w http.ResponseWriter, v verdict) {
	secs := v.retryAfter()
	unit := "seconds"
	if secs == 1 {
		unit = "second"
	}
	p := problem(http.StatusTooManyRequests, "rate-limited", "Too many requests", fmt.Sprintf(
		"This client has used its %s allowance (%d requests per %d seconds, %d at once). Retry in %d %s.",
		v.limit.Policy, v.limit.Rate, int(v.limit.Per/time.Second), v.limit.Burst, secs, unit))
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	h.Set("Retry-After", strconv.Itoa(secs))
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(rateLimited{Problem: p, ViolatedPolicies: []string{v.limit.Policy}})
}

// keyCache remembers, for a minute, which API key hashes the store knew
// and their ids, so a key's requests need no lookup to be counted as the
// key. A revoked key may be counted as a key for that minute; whether it
// is accepted is still decided by the store on every request.
type keyCache struct {
	mu sync.Mutex
	m  map[string]knownKey
}

type knownKey struct {
	id    string
	until time.Time
}

const (
	keyCacheTTL  = time.Minute
	keyCacheSize = 1024
)

func (c *keyCache) get(hash string, now time.Time) (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.m[hash]
	if !ok || now.After(k.until) {
		return "", false
	}
	return k.id, true
}

func (c *keyCache) put(hash, id string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]knownKey{}
	}
	if len(c.m) >= keyCacheSize {
		for h, k := range c.m {
			if now.After(k.until) {
				delete(c.m, h)
			}
		}
		if len(c.m) >= keyCacheSize {
			clear(c.m)
		}
	}
	c.m[hash] = knownKey{id: id, until: now.Add(keyCacheTTL)}
}
