package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"innkeeper/local/smoke"
	"innkeeper/local/testenv"
	"innkeeper/shared/demo"
	"innkeeper/shared/topology"
)

// testMetricsToken is the stack's METRICS_TOKEN in the smoke test.
const testMetricsToken = "smoke-test-metrics-token-0123456789"

// metricsRouted says whether the manifest serves GET /metrics yet; until
// it does, the smoke test's metrics checks are skipped.
func metricsRouted() bool {
	for _, r := range topology.Innkeeper.Routes {
		if r.Method == "GET" && r.Path == "/metrics" {
			return true
		}
	}
	return false
}

// The smoke test passes against a whole devstack: health, a booking made,
// read and cancelled, its two emails in Mailpit (through the real worker,
// SQS emulator and SMTP), the worker's record of the confirmation in the
// booking's desk record (the check a deployed stage relies on), a pong
// over the WebSocket API, and the metrics once the stack serves them.
func TestSmokeAgainstTheDevstack(t *testing.T) {
	mailpit := testenv.StartMailpit(t)
	s, log := startStack(t, func(o *Options) {
		o.SMTPAddr = mailpit.SMTPAddr
		getenv := o.Getenv
		o.Getenv = func(k string) string {
			if k == "METRICS_TOKEN" {
				return testMetricsToken
			}
			return getenv(k)
		}
	})
	cfg := smoke.Config{URL: s.URL, WSURL: s.WSURL, MailpitURL: mailpit.APIURL, StaffKey: demo.SampleAdminKey}
	checks := []string{"livez", "readyz", "health", "hotels", "availability", "create-reservation",
		"read-reservation", "email-confirmation", "notice-confirmation", "cancel-reservation", "email-cancellation", "websocket"}
	metrics := metricsRouted()
	if metrics {
		cfg.MetricsToken = testMetricsToken
		checks = append(checks, "metrics-before", "metrics-after")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out bytes.Buffer
	ok := smoke.Run(ctx, cfg, &out)
	t.Logf("smoke output:\n%s", out.String())
	if !ok {
		t.Fatalf("smoke failed against the devstack:\n%s\nstack log:\n%s", out.String(), log.String())
	}
	for _, name := range checks {
		if !strings.Contains(out.String(), "PASS "+name+" ") {
			t.Errorf("no PASS line for %s", name)
		}
	}
	if !metrics {
		for _, name := range []string{"metrics-before", "metrics-after"} {
			if !strings.Contains(out.String(), "SKIP "+name+": no METRICS_TOKEN") {
				t.Errorf("%s neither passed nor was skipped for want of a token", name)
			}
		}
	}
	if !strings.Contains(out.String(), "PASS websocket pong as guest of INK-") {
		t.Error("the WebSocket check did not connect as the booking's guest")
	}
	if !strings.Contains(out.String(), "using lisbon-riverside") {
		t.Error("the smoke test did not book the preferred hotel")
	}
}
