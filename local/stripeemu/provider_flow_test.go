package stripeemu_test

import (
	"errors"
	"maps"
	"net/http"
	"sync"
	"testing"

	"github.com/stripe/stripe-go/v82"

	"innkeeper/shared/payments"
)

func TestThreeDSecureThroughTheControlEndpoints(t *testing.T) {
	rc := newReceiver(t, 0)
	emu, p, sc := provider(t, rc)
	md := map[string]string{"purpose": "prepay", "idempotency_key": "INK-3:prepay"}
	want := map[string]string{"reservation": "INK-3", "purpose": "prepay", "idempotency_key": "INK-3:prepay"}
	for _, tc := range []struct {
		card, result, event string
		status              stripe.PaymentIntentStatus
		lastError           string // last_payment_error's code after
	}{
		{"pm_card_authenticationRequired", "succeed", "payment_intent.succeeded", stripe.PaymentIntentStatusSucceeded, ""},
		{"pm_card_authenticationRequired", "fail", "payment_intent.payment_failed", stripe.PaymentIntentStatusRequiresPaymentMethod, "payment_intent_authentication_failure"},
		{"pm_card_authenticationRequiredChargeDeclinedInsufficientFunds", "succeed", "payment_intent.payment_failed", stripe.PaymentIntentStatusRequiresPaymentMethod, "card_declined"},
	} {
		r, err := p.Pay(ctx, payments.Payment{Amount: 24350, Currency: "EUR", PaymentMethod: tc.card,
			IdempotencyKey: tc.card + tc.result, Reservation: "INK-3", Metadata: md})
		if err != nil || r.Status != payments.StatusRequiresAction || r.NextAction == nil || r.NextAction.Type != "use_stripe_sdk" || r.ClientSecret == "" {
			t.Fatalf("%s: pay %+v, %v", tc.card, r, err)
		}
		if resp := control(t, emu, "/_emulator/payment_intents/"+r.ID+"/authenticate?result="+tc.result); resp.StatusCode != http.StatusOK {
			t.Fatalf("authenticate: %s", resp.Status)
		}
		ev := rc.wait(t, tc.event, r.ID, 1)[0]
		if !maps.Equal(meta(ev), want) || obj(ev, "status") != string(tc.status) || obj(ev, "payment_method") == "" {
			t.Fatalf("%s %s: %s object %v", tc.card, tc.result, tc.event, ev.Data.Object)
		}
		pi, err := sc.V1PaymentIntents.Retrieve(ctx, r.ID, nil)
		if err != nil || pi.Status != tc.status || (pi.LastPaymentError == nil) != (tc.lastError == "") ||
			(pi.LastPaymentError != nil && string(pi.LastPaymentError.Code) != tc.lastError) {
			t.Fatalf("%s %s: retrieved %+v, %v", tc.card, tc.result, pi, err)
		}
		if tc.status == stripe.PaymentIntentStatusSucceeded && pi.AmountReceived != 24350 {
			t.Fatalf("received %d", pi.AmountReceived)
		}
	}

	// The same for a card being saved.
	for result, event := range map[string]string{"succeed": "setup_intent.succeeded", "fail": "setup_intent.setup_failed"} {
		r, err := p.Save(ctx, payments.SaveCard{PaymentMethod: "pm_card_authenticationRequired", IdempotencyKey: "INK-4:" + result, Reservation: "INK-4"})
		if err != nil || r.Status != payments.StatusRequiresAction || r.NextAction == nil {
			t.Fatalf("save: %+v, %v", r, err)
		}
		if resp := control(t, emu, "/_emulator/setup_intents/"+r.ID+"/authenticate?result="+result); resp.StatusCode != http.StatusOK {
			t.Fatalf("authenticate: %s", resp.Status)
		}
		ev := rc.wait(t, event, r.ID, 1)[0]
		si, err := sc.V1SetupIntents.Retrieve(ctx, r.ID, nil)
		if err != nil || string(si.Status) != obj(ev, "status") || si.Customer == nil || si.Customer.ID != r.Customer || meta(ev)["reservation"] != "INK-4" {
			t.Fatalf("%s: retrieved %+v, %v; event %v", result, si, err, ev.Data.Object)
		}
		pm, err := sc.V1PaymentMethods.Retrieve(ctx, si.PaymentMethod.ID, nil)
		if err != nil {
			t.Fatal(err)
		}
		switch result {
		case "succeed":
			if si.Status != stripe.SetupIntentStatusSucceeded || pm.Customer == nil || pm.Customer.ID != r.Customer {
				t.Fatalf("authenticated setup %s, card's customer %+v", si.Status, pm.Customer)
			}
		case "fail":
			if si.Status != stripe.SetupIntentStatusRequiresPaymentMethod || si.LastSetupError == nil ||
				si.LastSetupError.Code != stripe.ErrorCodeSetupIntentAuthenticationFailure || pm.Customer != nil {
				t.Fatalf("failed setup %+v, card's customer %+v", si, pm.Customer)
			}
		}
	}
}

func TestCancelAndRefundThroughTheProvider(t *testing.T) {
	rc := newReceiver(t, 0)
	_, p, sc := provider(t, rc)
	held, err := p.Pay(ctx, payments.Payment{Amount: 15000, Currency: "EUR", PaymentMethod: "pm_card_authenticationRequired", IdempotencyKey: "INK-C:pay", Reservation: "INK-C"})
	if err != nil || held.Status != payments.StatusRequiresAction {
		t.Fatalf("pay: %+v, %v", held, err)
	}
	if err := p.Cancel(ctx, held.ID, "INK-C:expire"); err != nil {
		t.Fatalf("cancel the hold's intent: %v", err)
	}
	if ev := rc.wait(t, "payment_intent.canceled", held.ID, 1)[0]; obj(ev, "status") != "canceled" || meta(ev)["reservation"] != "INK-C" {
		t.Fatalf("canceled object %v", ev.Data.Object)
	}

	paid, err := p.Pay(ctx, payments.Payment{Amount: 10000, Currency: "EUR", PaymentMethod: "pm_card_visa", IdempotencyKey: "INK-R:pay", Reservation: "INK-R"})
	if err != nil || paid.Status != payments.StatusSucceeded {
		t.Fatalf("pay: %+v, %v", paid, err)
	}
	err = p.Cancel(ctx, paid.ID, "INK-R:cancel")
	var pe *payments.Error
	if !errors.Is(err, payments.ErrState) || !errors.As(err, &pe) || pe.Code != "payment_intent_unexpected_state" || pe.HTTPStatus != http.StatusBadRequest {
		t.Fatalf("cancel a succeeded payment: %v", err)
	}
	refund := func(amount int64, key string) (payments.Result, error) {
		return p.Refund(ctx, payments.RefundRequest{Payment: paid.ID, Amount: amount, Currency: "EUR", IdempotencyKey: key,
			Reservation: "INK-R", Metadata: map[string]string{"purpose": "refund"}})
	}
	r, err := refund(3000, "INK-R:refund-1")
	if err != nil || r.Status != payments.StatusSucceeded || r.Amount != 3000 {
		t.Fatalf("refund: %+v, %v", r, err)
	}
	if ev := rc.wait(t, "refund.created", r.ID, 1)[0]; obj(ev, "payment_intent") != paid.ID || ev.Data.Object["amount"] != float64(3000) ||
		!maps.Equal(meta(ev), map[string]string{"reservation": "INK-R", "purpose": "refund"}) {
		t.Fatalf("refund.created object %v", ev.Data.Object)
	}
	_, err = refund(7001, "INK-R:refund-2")
	if !errors.Is(err, payments.ErrState) || !errors.As(err, &pe) || pe.Code != "amount_too_large" {
		t.Fatalf("refund more than is left: %v", err)
	}
	if r, err = refund(7000, "INK-R:refund-3"); err != nil || r.Amount != 7000 {
		t.Fatalf("refund the rest: %+v, %v", r, err)
	}
	pi, err := sc.V1PaymentIntents.Retrieve(ctx, paid.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	evs := rc.wait(t, "charge.refunded", pi.LatestCharge.ID, 2)
	var refunded float64
	for _, ev := range evs {
		refunded = max(refunded, ev.Data.Object["amount_refunded"].(float64))
		if obj(ev, "payment_intent") != paid.ID || meta(ev)["reservation"] != "INK-R" {
			t.Fatalf("charge.refunded object %v", ev.Data.Object)
		}
	}
	if refunded != 10000 {
		t.Fatalf("refunded %v of 10000", refunded)
	}
}

// Twenty retries of one booking at once, through the provider: one
// PaymentIntent, one charge; the key with another amount is refused.
func TestTwentyConcurrentPaysThroughTheProviderChargeOnce(t *testing.T) {
	emu, p, _ := provider(t, nil)
	const n = 20
	results := make([]payments.Result, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			results[i], errs[i] = p.Pay(ctx, payments.Payment{Amount: 48700, Currency: "EUR", PaymentMethod: "pm_card_visa",
				IdempotencyKey: "INK-B7:deposit", Reservation: "INK-B7"})
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || results[i].Status != payments.StatusSucceeded || results[i].ID != results[0].ID {
			t.Fatalf("pay %d: %+v, %v; pay 0: %s", i, results[i], errs[i], results[0].ID)
		}
	}
	if got := count(emu, "payment_intent.succeeded"); got != 1 {
		t.Fatalf("%d charges for 20 retries of one booking, want 1", got)
	}
	_, err := p.Pay(ctx, payments.Payment{Amount: 50000, Currency: "EUR", PaymentMethod: "pm_card_visa", IdempotencyKey: "INK-B7:deposit", Reservation: "INK-B7"})
	if !errors.Is(err, payments.ErrIdempotency) {
		t.Fatalf("same key, other amount: %v, want ErrIdempotency", err)
	}
	if got := count(emu, "payment_intent.succeeded"); got != 1 {
		t.Fatalf("%d charges after the refused retry, want 1", got)
	}
}

// Twenty retries of one guarantee at once: one customer, one SetupIntent.
func TestTwentyConcurrentSavesMakeOneCustomer(t *testing.T) {
	emu, p, _ := provider(t, nil)
	const n = 20
	results := make([]payments.Result, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			results[i], errs[i] = p.Save(ctx, payments.SaveCard{PaymentMethod: "pm_card_visa", IdempotencyKey: "INK-S1:guarantee",
				Reservation: "INK-S1", Name: "Ada Guest"})
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || results[i] != results[0] || results[i].Status != payments.StatusSucceeded {
			t.Fatalf("save %d: %+v, %v; save 0: %+v", i, results[i], errs[i], results[0])
		}
	}
	if got := count(emu, "setup_intent.succeeded"); got != 1 {
		t.Fatalf("%d setups for 20 retries, want 1", got)
	}
}
