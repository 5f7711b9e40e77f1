package main

import (
	"context"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
)

// The devstack runs the Stripe emulator with its test key, and sends the
// emulator's events to the API's webhook route (which answers whatever
// it answers: the attempt is what this checks).
func TestTheDevstackTakesTestPayments(t *testing.T) {
	s, _ := startStack(t)
	if s.PaymentsURL == "" || s.Status().URLs["payments"] != s.PaymentsURL {
		t.Fatalf("payments URL %q, status %v", s.PaymentsURL, s.Status().URLs)
	}
	sc := stripe.NewClient(devStripeSecretKey, stripe.WithBackends(stripe.NewBackendsWithConfig(&stripe.BackendConfig{
		URL: stripe.String(s.PaymentsURL), MaxNetworkRetries: stripe.Int64(0), LeveledLogger: &stripe.LeveledLogger{Level: stripe.LevelNull},
	})))
	pi, err := sc.V1PaymentIntents.Create(context.Background(), &stripe.PaymentIntentCreateParams{Amount: stripe.Int64(24350),
		Currency: stripe.String("eur"), PaymentMethod: stripe.String("pm_card_visa"), Confirm: stripe.Bool(true)})
	if err != nil || pi.Status != stripe.PaymentIntentStatusSucceeded {
		t.Fatalf("payment %+v, %v", pi, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, d := range s.payments.Deliveries() {
			if d.ObjectID == pi.ID && d.Type == "payment_intent.succeeded" && len(d.Attempts) > 0 {
				if a := d.Attempts[0]; a.Status == 0 {
					t.Fatalf("the webhook did not reach the API at %s: %s", s.URL+webhookPath, a.Error)
				}
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no delivery of payment_intent.succeeded for %s to the API: %+v", pi.ID, s.payments.Deliveries())
}
