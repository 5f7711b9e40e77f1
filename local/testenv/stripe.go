package testenv

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"innkeeper/local/clock"
	"innkeeper/local/stripeemu"
)

// Test-mode secrets of the Stripe emulators tests start: public, local
// only.
const (
	StripeSecretKey     = "sk_test_innkeeper_tests_0123456789"
	StripeWebhookSecret = "whsec_innkeeper_tests_0123456789"
)

// Stripe is a Stripe emulator of a test's own.
type Stripe struct {
	*stripeemu.Server
	URL string
	Env map[string]string // STRIPE_API_BASE, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET
	// Checked counts the requests stripe-mock checked (Client).
	Checked atomic.Int64
}

// StartStripe runs a Stripe emulator for t on a free port, sending its
// webhooks to webhookURL (none when empty; SetWebhookURL may set it
// later) and retrying a failed delivery after 50 ms, then 100 ms, …; it
// stops when t ends.
func StartStripe(t testing.TB, webhookURL string) *Stripe {
	t.Helper()
	return StartStripeClock(t, webhookURL, nil)
}

// StartStripeClock is StartStripe with the emulator on clk (real time
// when nil): the API's, so that the webhooks it signs are within the
// tolerance of the API's clock when a test moves it.
func StartStripeClock(t testing.TB, webhookURL string, clk *clock.Clock) *Stripe {
	t.Helper()
	emu := stripeemu.New(stripeemu.Options{APIKey: StripeSecretKey, WebhookSecret: StripeWebhookSecret,
		WebhookURL: webhookURL, RetryBackoff: 50 * time.Millisecond, MaxAttempts: 6, Clock: clk})
	url, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: stripe: %v", err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return &Stripe{Server: emu, URL: url, Env: map[string]string{
		"STRIPE_API_BASE": url, "STRIPE_SECRET_KEY": StripeSecretKey, "STRIPE_WEBHOOK_SECRET": StripeWebhookSecret}}
}

// Client is an HTTP client for a Stripe client (payments.StripeConfig)
// that has stripe-mock, Stripe's official mock, check every request
// before it goes to the emulator (StripeMockCheck). Checked counts them.
func (s *Stripe) Client(t testing.TB) *http.Client {
	t.Helper()
	check := StripeMockCheck(t, &s.Checked)
	return &http.Client{Timeout: 10 * time.Second, Transport: roundTrip(func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			b, err := io.ReadAll(req.Body)
			_ = req.Body.Close()
			if err != nil {
				return nil, err
			}
			body = b
		}
		check(req, body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		return http.DefaultTransport.RoundTrip(req)
	})}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// StripeMockCheck is a check of Stripe API requests by a stripe-mock of
// t's own: each request (with its body) is sent to it too, and one it
// refuses as not Stripe's API (any 4xx but a card's 402) fails t. So
// every request the tests send the stateful emulator is also one
// Stripe's published API accepts. checked, when given, counts them.
func StripeMockCheck(t testing.TB, checked *atomic.Int64) func(r *http.Request, body []byte) {
	t.Helper()
	return StripeMockCheckAt(t, StartStripeMock(t), checked)
}

// StripeMockCheckAt is StripeMockCheck with the stripe-mock at mock (a
// test binary's SharedStripeMock).
func StripeMockCheckAt(t testing.TB, mock string, checked *atomic.Int64) func(r *http.Request, body []byte) {
	return func(r *http.Request, body []byte) {
		req, err := http.NewRequestWithContext(context.WithoutCancel(r.Context()), r.Method, mock+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			t.Errorf("stripe-mock: %v", err)
			return
		}
		for k, vs := range r.Header {
			if k != "Idempotency-Key" { // stripe-mock answers fixtures: no replay to confuse
				req.Header[k] = vs
			}
		}
		// stripe-mock takes only keys of its own shape (sk_test_ and
		// letters and digits).
		req.Header.Set("Authorization", "Bearer sk_test_123")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Errorf("stripe-mock: %v", err)
			return
		}
		answer, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode >= 400 && resp.StatusCode != http.StatusPaymentRequired {
			t.Errorf("stripe-mock refused %s %s %s: %d %s", r.Method, r.URL.Path, body, resp.StatusCode, answer)
		}
		if checked != nil {
			checked.Add(1)
		}
	}
}
