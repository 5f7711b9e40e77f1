package scan

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"innkeeper/shared/topology"
)

func scanFake(t *testing.T, faults ...string) []Finding {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return Run(ctx, fakeTarget(t, faults...))
}

func listed(findings []Finding) string {
	var b strings.Builder
	for _, f := range findings {
		b.WriteString(f.String())
		b.WriteString("\n")
	}
	return b.String()
}

// An API that gets everything right gives no finding: the rules do not
// fire on what is correct (a 429 with its headers included).
func TestScanFindsNothingOnACleanAPI(t *testing.T) {
	for _, faults := range [][]string{nil, {"rate-limit"}} {
		if got := scanFake(t, faults...); len(got) > 0 {
			t.Errorf("faults %v: %d findings:\n%s", faults, len(got), listed(got))
		}
	}
}

// Each rule fires on an API that breaks it, so none of them is a check
// that cannot fail.
func TestScanRulesCatchTheirFaults(t *testing.T) {
	tests := []struct {
		name  string
		fault string
		rule  rule
		// errors: the finding must be on an error response.
		errors bool
		route  string
	}{
		{name: "nosniff missing", fault: "no-nosniff", rule: ruleContentTypeOptions},
		{name: "nosniff only on successes", fault: "headers-on-success-only", rule: ruleContentTypeOptions, errors: true},
		{name: "HSTS only on successes", fault: "headers-on-success-only", rule: ruleHSTS, errors: true},
		{name: "unknown path 404 bare", fault: "bare-404", rule: ruleContentTypeOptions, errors: true, route: "$default"},
		{name: "anti-clickjacking missing", fault: "no-frame-options", rule: ruleAntiClickjacking},
		{name: "HSTS missing", fault: "no-hsts", rule: ruleHSTS},
		{name: "CSP missing", fault: "no-csp", rule: ruleCSPMissing},
		{name: "CSP wildcard", fault: "weak-csp", rule: ruleCSPWeak},
		{name: "Permissions-Policy missing", fault: "no-permissions-policy", rule: rulePermissionsPolicy},
		{name: "Referrer-Policy missing", fault: "no-referrer-policy", rule: ruleReferrerPolicy},
		{name: "Server version", fault: "server-version", rule: ruleServerLeak},
		{name: "X-Powered-By", fault: "powered-by", rule: rulePoweredBy},
		{name: "booking publicly cacheable", fault: "public-cache", rule: ruleCacheControl, route: keyGet},
		{name: "cookie without HttpOnly", fault: "cookie", rule: ruleCookieHTTPOnly},
		{name: "cookie without Secure", fault: "cookie", rule: ruleCookieSecure},
		{name: "cookie without SameSite", fault: "cookie", rule: ruleCookieSameSite},
		{name: "CORS wildcard", fault: "wildcard-cors", rule: ruleCORS},
		{name: "CORS reflects any origin", fault: "reflect-origin", rule: ruleCORS},
		{name: "CORS refuses the allowed origin", fault: "no-cors-grant", rule: ruleCORS},
		{name: "stack trace", fault: "nul-500 stack-trace", rule: ruleDebugMessages},
		{name: "server error", fault: "nul-500", rule: ruleErrorDisclosure},
		{name: "SQL error", fault: "sql-error", rule: ruleErrorDisclosure},
		{name: "Go error string", fault: "go-error", rule: ruleErrorDisclosure},
		{name: "developer comment", fault: "todo", rule: ruleInfoDisclosure, route: "GET /health"},
		{name: "health detail in public", fault: "health-detail", rule: ruleHealthDetail, route: "GET /health"},
		{name: "token echoed", fault: "echo-secret", rule: ruleInfoDisclosure, route: keyGet},
		{name: "key list shows a secret", fault: "list-secret", rule: ruleInfoDisclosure, route: "GET /v1/admin/api-keys"},
		{name: "traversal redirected", fault: "traversal-redirect", rule: rulePathTraversal},
		{name: "traversal served", fault: "traversal-200", rule: rulePathTraversal},
		{name: "SQL metacharacters served", fault: "sql-200", rule: ruleSQLInjection},
		{name: "NUL byte crashes", fault: "nul-500", rule: ruleParameterTampering},
		{name: "other token is 403", fault: "cross-token-403", rule: ruleAuthorization, route: keyQuote},
		{name: "other token opens", fault: "cross-token-200", rule: ruleAuthorization, route: keyCancel},
		{name: "other token 404 differs", fault: "cross-token-leak", rule: ruleAuthorization, route: keyConfirm},
		{name: "unsigned Stripe event taken", fault: "webhook-unsigned-200", rule: ruleBaseline, route: "POST " + topology.StripeWebhook},
		{name: "staff key on admin route", fault: "staff-admin", rule: ruleAuthorization, route: "POST /v1/admin/api-keys"},
		{name: "finance key on staff route", fault: "finance-staff", rule: ruleAuthorization, route: "PUT /v1/admin/hotels/{slug}/rates"},
		{name: "no key accepted", fault: "no-key-ok", rule: ruleAuthentication, route: "GET /v1/finance/costs"},
		{name: "made-up key is 403", fault: "garbage-key-403", rule: ruleAuthentication},
		{name: "401 without WWW-Authenticate", fault: "no-www-authenticate", rule: ruleStatusHeaders},
		{name: "expired link accepted", fault: "expired-link", rule: ruleAuthentication, route: keyManage},
		{name: "APP_KEY_NEXT refused", fault: "no-next-key", rule: ruleKeyRotation, route: keyManage},
		{name: "no body limit", fault: "no-body-limit", rule: ruleBodyLimit},
		{name: "any media type", fault: "no-media-type", rule: ruleMediaType},
		{name: "plain-text errors", fault: "plain-errors", rule: ruleProblem},
		{name: "problem status differs", fault: "problem-status", rule: ruleProblem},
		{name: "405 as 404", fault: "405-as-404", rule: ruleMethod},
		{name: "unknown path 200", fault: "unknown-200", rule: ruleNotFound, route: "$default"},
		{name: "429 without headers", fault: "rate-limit-bare", rule: ruleContentTypeOptions, errors: true},
		{name: "429 not a problem", fault: "rate-limit-bare", rule: ruleProblem, errors: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := scanFake(t, strings.Fields(tt.fault)...)
			for _, secret := range []string{fakeAdmin, fakeStaff, fakeFinance, fakeMetrics, fakeAppKey, fakeAppNext, fakeA.Token, fakeB.Token, "rat_fake-", "ink_staff_"} {
				if strings.Contains(listed(got), secret) {
					t.Errorf("a finding shows the secret %s", secret)
				}
			}
			for _, f := range got {
				if f.Rule == tt.rule.id && (!tt.errors || f.Status >= 400) && (tt.route == "" || f.Route == tt.route) &&
					f.Request != "" && f.Detail != "" && f.Name == tt.rule.name {
					return
				}
			}
			t.Errorf("fault %s: no %s finding (errors only %v, route %q); got:\n%s", tt.fault, tt.rule.id, tt.errors, tt.route, listed(got))
		})
	}
}

// A target the scan cannot reach past its doors says so, rather than
// passing: missing credentials and reservations are findings.
func TestScanReportsWhatItCouldNotCheck(t *testing.T) {
	tg := fakeTarget(t)
	tg.StaffKey, tg.Other = "", Reservation{}
	tg.AllowedOrigins = nil
	got := Run(context.Background(), tg)
	for _, want := range []string{"no allowed origin", "no credential", "no second reservation"} {
		if !strings.Contains(listed(got), want) {
			t.Errorf("no finding says %q:\n%s", want, listed(got))
		}
	}
}

// A server that answers nothing is a finding per request, not a pass.
func TestScanReportsAnUnreachableTarget(t *testing.T) {
	tg := fakeTarget(t)
	tg.URL = "http://127.0.0.1:1"
	got := Run(context.Background(), tg)
	if !strings.Contains(listed(got), "["+ruleTransport.id+" ") {
		t.Fatalf("no transport finding:\n%s", listed(got))
	}
}

// Every route of the manifest has a sample, and every sample a route:
// a new route cannot go unscanned.
func TestScanSamplesCoverEveryRoute(t *testing.T) {
	keys := map[string]bool{}
	for _, r := range routes() {
		keys[r.Key()] = true
		if _, ok := samples[r.Key()]; !ok {
			t.Errorf("route %s has no sample", r.Key())
		}
		if r.Auth != topology.Public && samples[r.Key()].cred == credNone {
			t.Errorf("route %s is %s, yet its sample shows no credential", r.Key(), r.Auth)
		}
	}
	for k := range samples {
		if !keys[k] {
			t.Errorf("sample %s names no route", k)
		}
	}
}

// The rules' header parsing, case by case.
func TestScanPassiveRules(t *testing.T) {
	good := http.Header{
		"X-Content-Type-Options":    {"nosniff"},
		"X-Frame-Options":           {"DENY"},
		"Strict-Transport-Security": {"max-age=63072000; includeSubDomains"},
		"Content-Security-Policy":   {"default-src 'none'; frame-ancestors 'none'"},
		"Permissions-Policy":        {"camera=()"},
		"Referrer-Policy":           {"no-referrer"},
		"Cache-Control":             {"no-store"},
		"Content-Type":              {"application/problem+json"},
	}
	tests := []struct {
		name   string
		status int
		set    map[string]string
		del    []string
		body   string
		want   string // a rule id; "" for none
	}{
		{name: "good", status: 404, body: `{"type":"t","title":"Not found","status":404}`},
		{name: "nosniff misspelt", status: 200, set: map[string]string{"X-Content-Type-Options": "no-sniff"}, want: "10021"},
		{name: "frame ancestors suffice", status: 200, del: []string{"X-Frame-Options"}},
		{name: "ALLOW-FROM", status: 200, set: map[string]string{"X-Frame-Options": "ALLOW-FROM https://x"}, want: "10020"},
		{name: "HSTS max-age 0", status: 200, set: map[string]string{"Strict-Transport-Security": "max-age=0"}, want: "10035"},
		{name: "HSTS garbage", status: 200, set: map[string]string{"Strict-Transport-Security": "max-age=soon"}, want: "10035"},
		{name: "CSP unsafe-inline", status: 200, set: map[string]string{"Content-Security-Policy": "default-src 'self' 'unsafe-inline'; frame-ancestors 'none'"}, want: "10055"},
		{name: "CSP without default-src", status: 200, set: map[string]string{"Content-Security-Policy": "frame-ancestors 'none'"}, want: "10055"},
		{name: "Server without version", status: 200, set: map[string]string{"Server": "innkeeper"}},
		{name: "Server with version", status: 200, set: map[string]string{"Server": "Apache/2.4.1"}, want: "10036"},
		{name: "cacheable error", status: 404, set: map[string]string{"Cache-Control": "public, max-age=60"}, body: `{"type":"t","title":"x","status":404}`, want: "10015"},
		{name: "no-cache is not no-store", status: 200, set: map[string]string{"Cache-Control": "no-cache"}, want: "10015"},
		{name: "problem without title", status: 422, body: `{"type":"t","status":422}`, want: "ink-problem"},
		{name: "problem as JSON", status: 422, set: map[string]string{"Content-Type": "application/json"}, body: `{"type":"t","title":"x","status":422}`, want: "ink-problem"},
		{name: "SQL in a JSON string", status: 400, body: `{"type":"t","title":"x","status":400,"detail":"pq: relation \"hotels\" does not exist"}`, want: "90022"},
		{name: "stack in text", status: 200, set: map[string]string{"Content-Type": "text/plain"}, body: "goroutine 7 [running]:", want: "10023"},
		{name: "source line", status: 200, set: map[string]string{"Content-Type": "text/plain"}, body: "at server.go:118", want: "10023"},
		{name: "connection string", status: 200, set: map[string]string{"Content-Type": "application/json"}, body: `{"db":"postgres://u:p@db/x"}`, want: "10027"},
		{name: "a key named redis is fine", status: 200, set: map[string]string{"Content-Type": "application/json"}, body: `{"redis": {"status": "ok"}}`},
		{name: "body without type", status: 200, del: []string{"Content-Type"}, body: "x", want: "10019"},
		{name: "405 without Allow", status: 405, body: `{"type":"t","title":"x","status":405}`, want: "ink-status-headers"},
		{name: "429 without Retry-After", status: 429, body: `{"type":"t","title":"x","status":429}`, want: "ink-status-headers"},
		{name: "CORS null", status: 200, set: map[string]string{"Access-Control-Allow-Origin": "null", "Vary": "Origin"}, want: "10098"},
		{name: "CORS without Vary", status: 200, set: map[string]string{"Access-Control-Allow-Origin": fakeOrigin}, want: "10098"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScanner(Target{AllowedOrigins: []string{fakeOrigin}})
			h := good.Clone()
			for k, v := range tt.set {
				h.Set(k, v)
			}
			for _, k := range tt.del {
				h.Del(k)
			}
			origin := foreignOrigin
			if strings.Contains(tt.name, "Vary") {
				origin = fakeOrigin
			}
			s.passive(&exchange{
				req:    &request{route: "GET /x", method: "GET", target: "/x", header: http.Header{"Origin": {origin}}},
				status: tt.status, header: h, body: []byte(tt.body),
			})
			got := s.results()
			if tt.want == "" {
				if len(got) > 0 {
					t.Fatalf("findings on a good response:\n%s", listed(got))
				}
				return
			}
			for _, f := range got {
				if f.Rule == tt.want {
					return
				}
			}
			t.Fatalf("no %s finding:\n%s", tt.want, listed(got))
		})
	}
}
