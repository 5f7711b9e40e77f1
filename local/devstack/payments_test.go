package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"

	"innkeeper/shared/demo"
)

// The devstack runs the Stripe emulator with its test key, and sends the
// emulator's events, signed with the devstack's webhook secret, to the
// API's webhook route, which verifies and takes them (200).
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
				if a := d.Attempts[0]; a.Status != http.StatusOK {
					t.Fatalf("the webhook to the API at %s: %d %s (0: not reached)", s.URL+webhookPath, a.Status, a.Error)
				}
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no delivery of payment_intent.succeeded for %s to the API: %+v", pi.ID, s.payments.Deliveries())
}

// card is the "payment" member of a booking or a confirmation: a
// PaymentMethod by Stripe's test id, which the devstack's emulator knows.
func card(pm string) map[string]any {
	return map[string]any{"payment_method": pm}
}

// TestPaymentsThroughTheDevstack pays through the whole devstack: a
// prepaid booking whose card needs 3-D Secure is held until the guest
// authenticates at the emulator, then confirmed by the webhook (emulator
// → API → outbox → SQS → worker); a deposit cancelled in its free window
// is refunded by the worker; a declined card is a 402 and holds nothing.
func TestPaymentsThroughTheDevstack(t *testing.T) {
	s, log := startStack(t)
	day := func(n int) string { return time.Now().UTC().AddDate(0, 0, n).Format(time.DateOnly) }
	stay := func(room, plan, pm, email string, in int) map[string]any {
		return map[string]any{"hotel": "lisbon-riverside", "room_type": room, "rate_plan": plan,
			"check_in": day(in), "check_out": day(in + 2), "adults": 2,
			"guest": map[string]any{"name": "Ana Pagadora", "email": email}, "payment": card(pm)}
	}
	// poll reads url until done says the body is what it waits for.
	poll := func(what, url string, done func(map[string]any) bool, headers ...string) map[string]any {
		t.Helper()
		var last reply
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if last = call(t, "GET", url, nil, headers...); last.status == http.StatusOK && done(last.body) {
				return last.body
			}
		}
		t.Fatalf("%s: still %d %v\n%s", what, last.status, last.body, log.String())
		return nil
	}
	cents := func(m map[string]any, k string) int64 {
		f, ok := m[k].(float64)
		if !ok {
			t.Fatalf("%s is %v in %v", k, m[k], m)
		}
		return int64(f)
	}

	// A declined card: 402 with the decline code, and the room is not held.
	left := func() float64 {
		t.Helper()
		a := call(t, "GET", s.URL+"/v1/hotels/lisbon-riverside/availability?adults=2&check_in="+day(47)+"&check_out="+day(49), nil)
		offers, _ := a.body["offers"].([]any)
		for _, o := range offers {
			if o := o.(map[string]any); o["rate_plan"] == "STD-NR" {
				return o["available"].(float64)
			}
		}
		t.Fatalf("no STD-NR offer: %d %v", a.status, a.body)
		return 0
	}
	before := left()
	d := call(t, "POST", s.URL+"/v1/reservations", stay("STD", "STD-NR", "pm_card_chargeDeclined", "declined@example.com", 47),
		"Idempotency-Key", "pay-declined-1")
	if d.status != http.StatusPaymentRequired || d.header.Get("Content-Type") != "application/problem+json" ||
		d.body["decline_code"] != "generic_decline" {
		t.Fatalf("declined card: %d %v %v", d.status, d.header.Get("Content-Type"), d.body)
	}
	if after := left(); after != before {
		t.Errorf("%v STD-NR rooms left after a declined card, %v before", after, before)
	}

	// Deposit (DLX-FLEX, 30%) charged at booking, refunded in full when
	// cancelled inside its 72 free hours.
	r := call(t, "POST", s.URL+"/v1/reservations", stay("DLX", "DLX-FLEX", "pm_card_visa", "deposit@example.com", 46),
		"Idempotency-Key", "pay-deposit-1")
	if r.status != http.StatusCreated {
		t.Fatalf("deposit booking: %d %v", r.status, r.body)
	}
	res := r.body["reservation"].(map[string]any)
	pay := res["payment"].(map[string]any)
	deposit := cents(pay, "due_now_cents")
	if res["status"] != "confirmed" || pay["policy"] != "deposit" || pay["status"] != "succeeded" ||
		deposit <= 0 || cents(pay, "paid_cents") != deposit || deposit != (cents(res, "total_cents")*30+50)/100 {
		t.Fatalf("deposit booking: %v, total %v, payment %v", res["status"], res["total_cents"], pay)
	}
	dref, dtoken := res["reference"].(string), r.body["access_token"].(string)
	q := call(t, "GET", s.URL+"/v1/reservations/"+dref+"/cancellation-quote", nil, "Authorization", "Bearer "+dtoken)
	if q.status != http.StatusOK || q.body["payment"].(map[string]any)["refund_cents"] != float64(deposit) {
		t.Fatalf("quote inside the free window: %d %v", q.status, q.body)
	}
	if c := call(t, "POST", s.URL+"/v1/reservations/"+dref+"/cancel", nil,
		"Authorization", "Bearer "+dtoken, "Idempotency-Key", "pay-deposit-2"); c.status != http.StatusOK {
		t.Fatalf("cancel: %d %v", c.status, c.body)
	}
	refunds := func(b map[string]any) (out []string) {
		rows, _ := b["payments"].([]any)
		for _, p := range rows {
			if p := p.(map[string]any); p["kind"] == "refund" {
				out = append(out, fmt.Sprint(p["amount_cents"]))
			}
		}
		return out
	}
	desk := poll("the refund of "+dref+" on the desk record", s.URL+"/v1/admin/reservations/"+dref, func(b map[string]any) bool {
		return len(refunds(b)) > 0
	}, "Authorization", "Bearer "+demo.SampleAdminKey)
	if got := refunds(desk); len(got) != 1 || got[0] != fmt.Sprint(float64(deposit)) || desk["paid_cents"] != float64(0) {
		t.Errorf("refunds %v of a deposit of %d, paid_cents %v: %v", got, deposit, desk["paid_cents"], desk["payments"])
	}

	// Prepay (STD-NR) with 3-D Secure: held, with what the client does next.
	r = call(t, "POST", s.URL+"/v1/reservations", stay("STD", "STD-NR", "pm_card_authenticationRequired", "sca@example.com", 45),
		"Idempotency-Key", "pay-sca-1")
	if r.status != http.StatusCreated {
		t.Fatalf("3-D Secure booking: %d %v\n%s", r.status, r.body, log.String())
	}
	res = r.body["reservation"].(map[string]any)
	pay = res["payment"].(map[string]any)
	secret, _ := pay["client_secret"].(string)
	pi, _ := pay["pending"].(string)
	if res["status"] != "held" || pay["status"] != "requires_action" || secret == "" || pay["next_action"] == nil ||
		pay["policy"] != "prepay" || cents(pay, "paid_cents") != 0 || pi == "" {
		t.Fatalf("3-D Secure booking: %v, payment %v", res["status"], pay)
	}
	due := cents(pay, "due_now_cents")
	if due <= 0 || due != cents(res, "total_cents") {
		t.Fatalf("a prepayment of %d for a total of %v", due, res["total_cents"])
	}
	ref, token := res["reference"].(string), r.body["access_token"].(string)

	// The guest authenticates, as the page next_action opens would.
	auth := call(t, "POST", s.PaymentsURL+"/_emulator/payment_intents/"+pi+"/authenticate?result=succeed", nil)
	if auth.status != http.StatusOK || auth.body["status"] != "succeeded" {
		t.Fatalf("authenticate %s: %d %v", pi, auth.status, auth.body)
	}
	got := poll("the webhook confirming "+ref, s.URL+"/v1/reservations/"+ref, func(b map[string]any) bool {
		res := b["reservation"].(map[string]any)
		return res["status"] == "confirmed" && res["payment"].(map[string]any)["paid_cents"] == float64(due)
	}, "Authorization", "Bearer "+token)
	if p := got["reservation"].(map[string]any)["payment"].(map[string]any); p["pending"] != nil {
		t.Errorf("confirmed, still pending: %v", p)
	}
}

// The banner says how to pay: the demo's three policies, the three test
// cards and the 3-D Secure step at this stack's emulator.
func TestBannerSaysHowToPay(t *testing.T) {
	s := &Stack{URL: "http://127.0.0.1:3999", PaymentsURL: "http://127.0.0.1:4999"}
	got := paymentsLines(s)
	for _, want := range []string{
		"STD-FLEX guarantee", "DLX-FLEX 30% deposit", "STD-NR prepay",
		"pm_card_visa", "pm_card_chargeDeclined", "pm_card_authenticationRequired", `"payment": {"payment_method": "pm_card_visa"}`,
		"POST http://127.0.0.1:4999/_emulator/payment_intents/{id}/authenticate?result=succeed",
		"http://127.0.0.1:3999" + webhookPath,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the banner's payments lack %q:\n%s", want, got)
		}
	}
}
