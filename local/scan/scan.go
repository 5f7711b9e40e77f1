package scan

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Target is the API to scan and what the scan needs to reach past its
// doors.
type Target struct {
	// URL is the API's base URL, e.g. http://127.0.0.1:3000.
	URL string
	// StaffKey is an API key with the staff role, AdminKey one with the
	// admin role. FinanceKey (finance role) is optional: without it the
	// finance reports are read with the admin key and the checks of the
	// finance role are skipped.
	StaffKey   string
	AdminKey   string
	FinanceKey string
	// MetricsToken is GET /metrics's bearer token; optional (without
	// it, GET /metrics is only checked to refuse).
	MetricsToken string
	// AppKey and AppKeyNext are the API's APP_KEY and APP_KEY_NEXT, to
	// sign manage links as its emails do. Without AppKeyNext the
	// rotation check is skipped.
	AppKey     string
	AppKeyNext string
	// AllowedOrigins are the API's CORS_ALLOWED_ORIGINS.
	AllowedOrigins []string
	// Reservation is a guest's booking (its reference and access
	// token); Other is a second one, whose token must not open the
	// first.
	Reservation Reservation
	Other       Reservation
	// Client sends the requests; a client that never follows redirects
	// is made from it (http.DefaultClient's transport when nil).
	Client *http.Client
	// Now is the API's time, for link expiries and dates; time.Now when
	// nil.
	Now func() time.Time
	// Timeout bounds each request; 10 s when 0.
	Timeout time.Duration
}

// Reservation is a booking as its guest knows it.
type Reservation struct {
	Reference string
	Token     string
}

// Finding is one thing the scan found wrong.
type Finding struct {
	// Rule is the ZAP rule id the check mirrors ("10021"), or an "ink-"
	// id; Name says what the rule is about.
	Rule string
	Name string
	// Route is the manifest's route key ("GET /v1/hotels/{slug}"), or
	// "$default" for an unknown path.
	Route string
	// Request is the request that showed it, secrets replaced by their
	// names ("GET /v1/hotels/x (Authorization: Bearer <admin key>)").
	Request string
	// Status is the response's status; 0 when there was none.
	Status int
	// Detail is what was wrong.
	Detail string
	// Count is how many requests showed the same finding; Request is
	// the first.
	Count int
}

// String is the finding as a report shows it: rule, route and what was
// wrong, then the request and its status.
func (f Finding) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s %s] %s: %s", f.Rule, f.Name, f.Route, f.Detail)
	fmt.Fprintf(&b, "\n    request: %s", f.Request)
	if f.Status != 0 {
		fmt.Fprintf(&b, " → %d", f.Status)
	}
	if f.Count > 1 {
		fmt.Fprintf(&b, " (and %d more like it)", f.Count-1)
	}
	return b.String()
}

// Run scans the target and returns what it found, sorted by rule and
// route; none means every check passed. It takes a few hundred
// requests.
func Run(ctx context.Context, t Target) []Finding {
	s := newScanner(t)
	s.discover(ctx)
	s.baseline(ctx)
	s.unknownPaths(ctx)
	s.wrongMethods(ctx)
	s.cors(ctx)
	s.bodies(ctx)
	s.hostileValues(ctx)
	s.crossTokens(ctx)
	s.roles(ctx)
	s.links(ctx)
	s.health(ctx)
	s.finish(ctx)
	s.coverage()
	return s.results()
}

// The origin every request carries unless a check sets its own: one the
// API must not allow, so that every response is a check of CORS.
const foreignOrigin = "https://scan.invalid"

// maxRead caps what is read of a response body.
const maxRead = 1 << 20

// request is one request the scan sends.
type request struct {
	route  string // route key
	method string
	target string // path and query, as sent on the wire
	header http.Header
	body   []byte
	// cacheable marks a request whose response may be publicly cached
	// (the public catalogue and the API's document); every other
	// response is sensitive.
	cacheable bool
	// corsAPI marks a route served by the function that answers CORS.
	corsAPI bool
}

// exchange is a request and its response.
type exchange struct {
	req    *request
	status int
	header http.Header
	body   []byte
}

type scanner struct {
	t        Target
	client   *http.Client
	timeout  time.Duration
	now      func() time.Time
	run      string            // random, to make names unique
	secrets  map[string]string // value → the name it is shown as
	findings map[string]*Finding
	order    []string
	statuses map[int]bool

	// What the scan learnt or made.
	hotel             string // the target reservation's hotel
	checkIn, checkOut string // the target reservation's stay
	own               string // the scan's own hotel
	ownReady          bool   // its room type, rate plan, inventory and rates exist
	booking           Reservation
	keyID             string // the id of the API key the scan made, which it revokes
}

func newScanner(t Target) *scanner {
	var b [4]byte
	_, _ = rand.Read(b[:])
	base := t.Client
	if base == nil {
		base = http.DefaultClient
	}
	client := *base
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	s := &scanner{
		t: t, client: &client, timeout: t.Timeout, now: t.Now, run: hex.EncodeToString(b[:]),
		secrets: map[string]string{}, findings: map[string]*Finding{}, statuses: map[int]bool{},
	}
	if s.timeout == 0 {
		s.timeout = 10 * time.Second
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.t.URL = strings.TrimSuffix(t.URL, "/")
	for name, v := range map[string]string{
		"<staff key>": t.StaffKey, "<admin key>": t.AdminKey, "<finance key>": t.FinanceKey,
		"<metrics token>": t.MetricsToken, "<APP_KEY>": t.AppKey, "<APP_KEY_NEXT>": t.AppKeyNext,
		"<reservation token>": t.Reservation.Token, "<other reservation token>": t.Other.Token,
	} {
		if len(v) >= 8 {
			s.secrets[v] = name
		}
	}
	return s
}

// report records a finding, merging it with an earlier one alike.
func (s *scanner) report(r rule, route, req string, status int, format string, args ...any) {
	detail := fmt.Sprintf(format, args...)
	key := r.id + "\x00" + route + "\x00" + strconv.Itoa(status) + "\x00" + detail
	if f, ok := s.findings[key]; ok {
		f.Count++
		return
	}
	s.findings[key] = &Finding{Rule: r.id, Name: r.name, Route: route, Request: req, Status: status, Detail: detail, Count: 1}
	s.order = append(s.order, key)
}

// flag reports a finding about an exchange.
func (s *scanner) flag(ex *exchange, r rule, format string, args ...any) {
	s.report(r, ex.req.route, s.describe(ex.req), ex.status, format, args...)
}

func (s *scanner) results() []Finding {
	out := make([]Finding, 0, len(s.order))
	for _, k := range s.order {
		out = append(out, *s.findings[k])
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Rule != out[j].Rule {
			return out[i].Rule < out[j].Rule
		}
		return out[i].Route < out[j].Route
	})
	return out
}

// redact replaces every secret in s by its name.
func (s *scanner) redact(v string) string {
	for secret, name := range s.secrets {
		v = strings.ReplaceAll(v, secret, name)
	}
	return v
}

// describe is a request as a finding shows it.
func (s *scanner) describe(rq *request) string {
	var extra []string
	for _, h := range []string{"Authorization", "Origin", "Content-Type", "Access-Control-Request-Method"} {
		if v := rq.header.Get(h); v != "" && (h != "Origin" || v != foreignOrigin) {
			extra = append(extra, h+": "+s.redact(v))
		}
	}
	if len(rq.body) > 0 {
		extra = append(extra, fmt.Sprintf("body %d bytes", len(rq.body)))
	}
	out := rq.method + " " + s.redact(rq.target)
	if len(extra) > 0 {
		out += " (" + strings.Join(extra, "; ") + ")"
	}
	return out
}

// send sends rq, runs the passive rules on the response and returns it;
// nil when no response came. A 429 is checked like any response, then
// retried after its Retry-After (at most twice, at most 2 s each); a
// request still limited comes back as the 429.
func (s *scanner) send(ctx context.Context, rq *request) *exchange {
	if rq.header == nil {
		rq.header = http.Header{}
	}
	if _, ok := rq.header["Origin"]; !ok {
		rq.header.Set("Origin", foreignOrigin)
	}
	for attempt := 0; ; attempt++ {
		ex, err := s.roundTrip(ctx, rq)
		if err != nil {
			s.report(ruleTransport, rq.route, s.describe(rq), 0, "%s", s.redact(err.Error()))
			return nil
		}
		s.statuses[ex.status] = true
		s.passive(ex)
		if ex.status != http.StatusTooManyRequests || attempt == 2 {
			return ex
		}
		wait := time.Second
		if n, err := strconv.Atoi(ex.header.Get("Retry-After")); err == nil {
			wait = time.Duration(n) * time.Second
		}
		if wait > 2*time.Second {
			return ex
		}
		select {
		case <-ctx.Done():
			return ex
		case <-time.After(max(wait, 100*time.Millisecond)):
		}
	}
}

func (s *scanner) roundTrip(ctx context.Context, rq *request) (*exchange, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	var body io.Reader
	if rq.body != nil {
		body = bytes.NewReader(rq.body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, s.t.URL+rq.target, body)
	if err != nil {
		return nil, err
	}
	for k, vs := range rq.header {
		req.Header[k] = slices.Clone(vs)
	}
	req.Header.Set("User-Agent", "innkeeper-scan")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxRead))
	if err != nil {
		return nil, err
	}
	return &exchange{req: rq, status: resp.StatusCode, header: resp.Header, body: raw}, nil
}

// unique is a fresh name for something the scan creates.
func (s *scanner) unique(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + s.run + "-" + hex.EncodeToString(b[:])
}
