package scan

import (
	"encoding/json"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// passive runs the passive rules on one response, whatever its status:
// what ZAP's baseline scan checks on every message it sees.
func (s *scanner) passive(ex *exchange) {
	s.securityHeaders(ex)
	s.leakyHeaders(ex)
	s.cacheControl(ex)
	s.cookies(ex)
	s.corsHeaders(ex)
	s.bodyLeaks(ex)
	s.problemShape(ex)
	s.statusHeaders(ex)
	// ZAP 10019: a body says what it is.
	if len(ex.body) > 0 && ex.header.Get("Content-Type") == "" {
		s.flag(ex, ruleContentType, "a %d-byte body without Content-Type", len(ex.body))
	}
	// ZAP 90022 raises any server error: the client is owed a 4xx, or
	// the API failed.
	if ex.status >= 500 {
		s.flag(ex, ruleErrorDisclosure, "server error %d: %s", ex.status, s.snippet(ex.body))
	}
}

// securityHeaders: the headers the API sets on every response.
func (s *scanner) securityHeaders(ex *exchange) {
	h := ex.header
	// ZAP 10021.
	if v := h.Values("X-Content-Type-Options"); len(v) != 1 || !strings.EqualFold(strings.TrimSpace(v[0]), "nosniff") {
		s.flag(ex, ruleContentTypeOptions, "X-Content-Type-Options is %s, want nosniff", shown(v))
	}

	csp := h.Values("Content-Security-Policy")
	directives := map[string][]string{}
	for _, policy := range csp {
		for d := range strings.SplitSeq(policy, ";") {
			fields := strings.Fields(d)
			if len(fields) > 0 {
				directives[strings.ToLower(fields[0])] = fields[1:]
			}
		}
	}

	// ZAP 10020: X-Frame-Options DENY or SAMEORIGIN, once, or CSP
	// frame-ancestors.
	xfo := h.Values("X-Frame-Options")
	_, ancestors := directives["frame-ancestors"]
	switch {
	case len(xfo) == 0 && !ancestors:
		s.flag(ex, ruleAntiClickjacking, "no X-Frame-Options and no CSP frame-ancestors")
	case len(xfo) > 1:
		s.flag(ex, ruleAntiClickjacking, "X-Frame-Options sent %d times", len(xfo))
	case len(xfo) == 1 && !strings.EqualFold(xfo[0], "DENY") && !strings.EqualFold(xfo[0], "SAMEORIGIN"):
		s.flag(ex, ruleAntiClickjacking, "X-Frame-Options is %q, want DENY or SAMEORIGIN", xfo[0])
	}

	// ZAP 10035: once, with a positive max-age.
	hsts := h.Values("Strict-Transport-Security")
	switch {
	case len(hsts) == 0:
		s.flag(ex, ruleHSTS, "no Strict-Transport-Security")
	case len(hsts) > 1:
		s.flag(ex, ruleHSTS, "Strict-Transport-Security sent %d times", len(hsts))
	case maxAge(hsts[0]) <= 0:
		s.flag(ex, ruleHSTS, "Strict-Transport-Security is %q, want a positive max-age", hsts[0])
	}

	// ZAP 10038, then 10055's weaknesses: a fallback for every fetch,
	// nothing unsafe or wildcard, frame-ancestors (no fallback covers
	// it; X-Frame-Options above may stand in for it).
	if len(csp) == 0 {
		s.flag(ex, ruleCSPMissing, "no Content-Security-Policy")
	} else {
		if _, ok := directives["default-src"]; !ok {
			s.flag(ex, ruleCSPWeak, "Content-Security-Policy %q has no default-src", strings.Join(csp, ", "))
		}
		for name, sources := range directives {
			for _, src := range sources {
				switch strings.ToLower(src) {
				case "*", "'unsafe-inline'", "'unsafe-eval'", "data:", "http:", "https:":
					s.flag(ex, ruleCSPWeak, "Content-Security-Policy allows %s in %s", src, name)
				}
			}
		}
		if !ancestors && len(xfo) == 0 {
			s.flag(ex, ruleCSPWeak, "Content-Security-Policy has no frame-ancestors")
		}
	}

	// ZAP 10063.
	if h.Get("Permissions-Policy") == "" {
		s.flag(ex, rulePermissionsPolicy, "no Permissions-Policy")
	}
	// The README's promise: Referrer-Policy: no-referrer.
	if v := h.Values("Referrer-Policy"); len(v) != 1 || !strings.EqualFold(strings.TrimSpace(v[0]), "no-referrer") {
		s.flag(ex, ruleReferrerPolicy, "Referrer-Policy is %s, want no-referrer", shown(v))
	}
}

// maxAge is the max-age of an HSTS value; -1 when it has none.
func maxAge(v string) int {
	for part := range strings.SplitSeq(v, ";") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if ok && strings.EqualFold(strings.TrimSpace(name), "max-age") {
			n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(val), `"`))
			if err != nil {
				return -1
			}
			return n
		}
	}
	return -1
}

// platformHeaders name the platform that answered (ZAP 10037, 10061).
var platformHeaders = []string{"X-Powered-By", "X-AspNet-Version", "X-AspNetMvc-Version", "X-Generator", "X-Runtime"}

var digit = regexp.MustCompile(`\d`)

// leakyHeaders: ZAP 10036 and 10037.
func (s *scanner) leakyHeaders(ex *exchange) {
	for _, v := range ex.header.Values("Server") {
		// ZAP 10036 raises a Server header with a version in it.
		if digit.MatchString(v) {
			s.flag(ex, ruleServerLeak, "Server: %q", v)
		}
	}
	for _, name := range platformHeaders {
		if v := ex.header.Values(name); len(v) > 0 {
			s.flag(ex, rulePoweredBy, "%s: %q", name, strings.Join(v, ", "))
		}
	}
}

// cacheControl: ZAP 10015. Only the public catalogue and the API's
// OpenAPI document may be cached; everything else (a guest's booking,
// staff and finance data, errors, health) is no-store.
func (s *scanner) cacheControl(ex *exchange) {
	if ex.req.cacheable && ex.status >= 200 && ex.status < 300 {
		return
	}
	cc := strings.ToLower(strings.Join(ex.header.Values("Cache-Control"), ", "))
	var noStore, public bool
	for d := range strings.SplitSeq(cc, ",") {
		switch strings.TrimSpace(d) {
		case "no-store":
			noStore = true
		case "public":
			public = true
		}
	}
	if !noStore || public {
		s.flag(ex, ruleCacheControl, "Cache-Control is %q on a sensitive response, want no-store", cc)
	}
}

// cookies: ZAP 10010, 10011, 10054 on any cookie set.
func (s *scanner) cookies(ex *exchange) {
	for _, line := range ex.header.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err != nil {
			continue
		}
		if !c.HttpOnly {
			s.flag(ex, ruleCookieHTTPOnly, "cookie %s without HttpOnly", c.Name)
		}
		if !c.Secure {
			s.flag(ex, ruleCookieSecure, "cookie %s without Secure", c.Name)
		}
		if c.SameSite == 0 || c.SameSite == http.SameSiteDefaultMode {
			s.flag(ex, ruleCookieSameSite, "cookie %s without SameSite", c.Name)
		}
	}
}

// allowed reports whether origin is one of the API's CORS origins.
func (s *scanner) allowed(origin string) bool {
	return origin != "" && slices.Contains(s.t.AllowedOrigins, origin)
}

// corsHeaders: ZAP 10098 on every response. An origin that is not
// allowed gets no CORS grant at all; one that is gets itself, never a
// wildcard, and a Vary: Origin so caches keep the answers apart.
func (s *scanner) corsHeaders(ex *exchange) {
	origin := ex.req.header.Get("Origin")
	acao := ex.header.Values("Access-Control-Allow-Origin")
	if len(acao) == 0 {
		if !s.allowed(origin) {
			for _, name := range []string{"Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Allow-Credentials"} {
				if v := ex.header.Get(name); v != "" {
					s.flag(ex, ruleCORS, "origin %q is not allowed, yet %s: %q", origin, name, v)
				}
			}
		}
		return
	}
	got := strings.Join(acao, ", ")
	switch {
	case len(acao) > 1:
		s.flag(ex, ruleCORS, "Access-Control-Allow-Origin sent %d times: %q", len(acao), got)
	case got == "*":
		s.flag(ex, ruleCORS, "Access-Control-Allow-Origin: * (any site may read the response)")
	case !s.allowed(origin):
		s.flag(ex, ruleCORS, "origin %q is not allowed, yet Access-Control-Allow-Origin: %q", origin, got)
	case got != origin:
		s.flag(ex, ruleCORS, "Access-Control-Allow-Origin: %q for origin %q", got, origin)
	}
	if !headerHas(ex.header, "Vary", "Origin") {
		s.flag(ex, ruleCORS, "Access-Control-Allow-Origin without Vary: Origin")
	}
}

// headerHas reports whether a comma-separated header lists token.
func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// leak is a pattern a response must never contain.
type leak struct {
	rule rule
	what string
	re   *regexp.Regexp
}

var leaks = []leak{
	// ZAP 10023: debug output.
	{ruleDebugMessages, "a Go stack trace", regexp.MustCompile(`goroutine \d+ \[|runtime\.gopanic|runtime/debug\.Stack`)},
	{ruleDebugMessages, "a panic", regexp.MustCompile(`panic: |runtime error: `)},
	{ruleDebugMessages, "a source file and line", regexp.MustCompile(`\w\.go:\d+\b`)},
	{ruleDebugMessages, "a build path", regexp.MustCompile(`/usr/local/go/src/|/go/pkg/mod/`)},
	// ZAP 90022: the database's and the platform's own error messages.
	{ruleErrorDisclosure, "an SQL error", regexp.MustCompile(`(?i)SQLSTATE|syntax error at or near|duplicate key value|violates (foreign key|unique|check|not-null) constraint|relation "[^"]*" does not exist|column "[^"]*" does not exist|no rows in result set|invalid byte sequence for encoding|unterminated quoted (string|identifier)`)},
	{ruleErrorDisclosure, "a database driver error", regexp.MustCompile(`\bpgx?: |\bpgconn\b|\bpq: |\bsql: |\bredis: |\bWRONGTYPE\b`)},
	{ruleErrorDisclosure, "a Go error string", regexp.MustCompile(`invalid character '|\bjson: |\bstrconv\.\w+: |parsing time "|unexpected end of JSON input|\bdial tcp\b|connection refused|i/o timeout|context deadline exceeded|context canceled|\bnet/http: |\bx509: |\btls: `)},
	// ZAP 10027: what a response should never reveal.
	{ruleInfoDisclosure, "a developer comment", regexp.MustCompile(`\b(TODO|FIXME|XXX|HACK)\b`)},
	{ruleInfoDisclosure, "a connection string", regexp.MustCompile(`(?i)\b(postgres|postgresql|redis|rediss|amqp|mongodb|mysql)://`)},
	{ruleInfoDisclosure, "a Go version", regexp.MustCompile(`\bgo1\.\d+`)},
	// ZAP 6 recognises a traversal by the file it reads.
	{rulePathTraversal, "the contents of /etc/passwd", regexp.MustCompile(`root:[^:\n]*:0:0:`)},
}

// bodyLeaks: ZAP 10023, 90022, 10027 on the body (its string values,
// when it is JSON) and secrets in the body or headers.
func (s *scanner) bodyLeaks(ex *exchange) {
	text := jsonText(ex.body)
	for _, l := range leaks {
		if m := l.re.FindStringIndex(text); m != nil {
			s.flag(ex, l.rule, "the body holds %s: %s", l.what, s.around(text, m[0], m[1]))
		}
	}
	for secret, name := range s.secrets {
		if strings.Contains(string(ex.body), secret) {
			s.flag(ex, ruleInfoDisclosure, "the body holds the %s", name)
		}
		for k, vs := range ex.header {
			for _, v := range vs {
				if strings.Contains(v, secret) {
					s.flag(ex, ruleInfoDisclosure, "header %s holds the %s", k, name)
				}
			}
		}
	}
}

// jsonText is what a body says: the string values of a JSON body, one a
// line (so escaping does not hide a pattern and keys do not count), or
// the body itself.
func jsonText(body []byte) string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return string(body)
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x)
			b.WriteByte('\n')
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return b.String()
}

// problemShape: every error is application/problem+json with a type, a
// title and the response's own status (RFC 9457).
func (s *scanner) problemShape(ex *exchange) {
	if ex.status < 400 {
		return
	}
	mt, _, _ := mime.ParseMediaType(ex.header.Get("Content-Type"))
	if mt != "application/problem+json" {
		s.flag(ex, ruleProblem, "Content-Type %q, want application/problem+json", ex.header.Get("Content-Type"))
	}
	var p map[string]any
	if err := json.Unmarshal(ex.body, &p); err != nil || p == nil {
		s.flag(ex, ruleProblem, "the body is not a JSON object: %s", s.snippet(ex.body))
		return
	}
	for _, member := range []string{"type", "title"} {
		if v, _ := p[member].(string); strings.TrimSpace(v) == "" {
			s.flag(ex, ruleProblem, "no %q member: %s", member, s.snippet(ex.body))
		}
	}
	if st, ok := p["status"].(float64); !ok || int(st) != ex.status {
		s.flag(ex, ruleProblem, "\"status\" is %v in a %d response", p["status"], ex.status)
	}
}

// statusHeaders: the headers some statuses require (RFC 9110, RFC 6585).
func (s *scanner) statusHeaders(ex *exchange) {
	need := map[int]string{
		http.StatusUnauthorized:     "WWW-Authenticate",
		http.StatusMethodNotAllowed: "Allow",
		http.StatusTooManyRequests:  "Retry-After",
	}[ex.status]
	if need != "" && ex.header.Get(need) == "" {
		s.flag(ex, ruleStatusHeaders, "%d without %s", ex.status, need)
	}
}

// shown is a header's values for a message.
func shown(v []string) string {
	if len(v) == 0 {
		return "missing"
	}
	return strconv.Quote(strings.Join(v, ", "))
}

// snippet is the start of a body, redacted, for a finding.
func (s *scanner) snippet(body []byte) string {
	return s.around(string(body), 0, 0)
}

// around is text near [from, to), redacted and at most ~160 bytes.
func (s *scanner) around(text string, from, to int) string {
	start := max(from-60, 0)
	end := min(max(to+100, start+160), len(text))
	out := strings.ReplaceAll(text[start:end], "\n", " ")
	if end < len(text) {
		out += "…"
	}
	return strconv.Quote(s.redact(out))
}
