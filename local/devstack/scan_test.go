package main

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"innkeeper/local/scan"
	"innkeeper/shared/demo"
)

// The scan's stack signs links with these, as a stack in the middle of
// a key rotation does, and serves GET /metrics for this token.
const (
	scanAppKey       = "scan-test-app-key-0123456789abcdefghijklmn"
	scanAppKeyNext   = "scan-test-app-key-next-0123456789abcdefghi"
	scanMetricsToken = "scan-test-metrics-token-0123456789"
)

// The security scan (local/scan, modelled on ZAP's baseline rules)
// finds nothing on a whole devstack: every route, with real values and
// hostile ones, every error status, CORS, access control and signed
// links.
func TestScanTheDevstack(t *testing.T) {
	var origins string
	begin := time.Now()
	s, log := startStack(t, func(o *Options) {
		getenv := o.Getenv
		o.Getenv = func(k string) string {
			switch k {
			case "APP_KEY":
				return scanAppKey
			case "APP_KEY_NEXT":
				return scanAppKeyNext
			case "METRICS_TOKEN":
				return scanMetricsToken
			case "RATE_LIMITS":
				// The test default, said out loud: the scan sends some
				// 900 requests from one address.
				return "off"
			}
			return getenv(k)
		}
		origins = o.Getenv("CORS_ALLOWED_ORIGINS")
	})

	t.Logf("the stack started in %v", time.Since(begin).Round(time.Millisecond))

	book := func(key string) scan.Reservation {
		ci := time.Now().UTC().AddDate(0, 0, 40).Format(time.DateOnly)
		co := time.Now().UTC().AddDate(0, 0, 42).Format(time.DateOnly)
		r := call(t, "POST", s.URL+"/v1/reservations", map[string]any{
			"hotel": "lisbon-riverside", "room_type": "DLX", "rate_plan": "DLX-FLEX", "check_in": ci, "check_out": co,
			"adults": 2, "children": 0, "rooms": 1, "guest": map[string]any{"name": "Scan Target", "email": "target@example.com"},
			"payment": card("pm_card_visa"),
		}, "Idempotency-Key", key)
		if r.status != 201 {
			t.Fatalf("book: %d %v\n%s", r.status, r.body, log.String())
		}
		return scan.Reservation{
			Reference: r.body["reservation"].(map[string]any)["reference"].(string),
			Token:     r.body["access_token"].(string),
		}
	}
	key := func(role string) string {
		r := call(t, "POST", s.URL+"/v1/admin/api-keys", map[string]any{"name": "scan " + role, "role": role},
			"Authorization", "Bearer "+demo.SampleAdminKey)
		if r.status != 201 {
			t.Fatalf("%s key: %d %v", role, r.status, r.body)
		}
		return r.body["secret"].(string)
	}
	target := scan.Target{
		URL:          s.URL,
		StaffKey:     key("staff"),
		AdminKey:     demo.SampleAdminKey,
		FinanceKey:   key("finance"),
		MetricsToken: scanMetricsToken,
		AppKey:       scanAppKey,
		AppKeyNext:   scanAppKeyNext,
		Reservation:  book("scan-target-1"),
		Other:        book("scan-target-2"),
	}
	for o := range strings.SplitSeq(origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			target.AllowedOrigins = append(target.AllowedOrigins, o)
		}
	}
	if len(target.AllowedOrigins) == 0 {
		t.Fatal("the stack has no CORS_ALLOWED_ORIGINS to check")
	}

	var sent countingTransport
	target.Client = &http.Client{Transport: &sent}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	start := time.Now()
	findings := scan.Run(ctx, target)
	t.Logf("the scan sent %d requests in %v", sent.n.Load(), time.Since(start).Round(time.Millisecond))
	if len(findings) > 0 {
		var b strings.Builder
		for _, f := range findings {
			b.WriteString(f.String())
			b.WriteString("\n")
		}
		// The functions' own error lines say why a request failed.
		var errs []string
		for line := range strings.SplitSeq(log.String(), "\n") {
			if strings.Contains(line, `"level":"ERROR"`) && len(errs) < 20 {
				errs = append(errs, line)
			}
		}
		t.Fatalf("the scan found %d problems:\n%s\nerror lines of the stack:\n%s", len(findings), b.String(), strings.Join(errs, "\n"))
	}
}

// countingTransport counts the requests it carries.
type countingTransport struct{ n atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}
