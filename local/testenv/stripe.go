package testenv

import (
	"testing"
	"time"

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
}

// StartStripe runs a Stripe emulator for t on a free port, sending its
// webhooks to webhookURL (none when empty; SetWebhookURL may set it
// later) and retrying a failed delivery after 50 ms, then 100 ms, …; it
// stops when t ends.
func StartStripe(t testing.TB, webhookURL string) *Stripe {
	t.Helper()
	emu := stripeemu.New(stripeemu.Options{APIKey: StripeSecretKey, WebhookSecret: StripeWebhookSecret,
		WebhookURL: webhookURL, RetryBackoff: 50 * time.Millisecond, MaxAttempts: 6})
	url, err := emu.Start("127.0.0.1:0")
	if err != nil {
		t.Fatalf("testenv: stripe: %v", err)
	}
	t.Cleanup(func() { _ = emu.Close() })
	return &Stripe{Server: emu, URL: url, Env: map[string]string{
		"STRIPE_API_BASE": url, "STRIPE_SECRET_KEY": StripeSecretKey, "STRIPE_WEBHOOK_SECRET": StripeWebhookSecret}}
}
