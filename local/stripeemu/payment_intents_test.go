package stripeemu_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stripe/stripe-go/v82"
)

func TestVisaPaysAtOnceAndTheWebhookSaysSo(t *testing.T) {
	rc := newReceiver(t, 0)
	_, sc := emulator(t, rc)
	params := pay(24350, "eur", "pm_card_visa")
	params.AddMetadata("reservation", "R-1")
	pi, err := sc.V1PaymentIntents.Create(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if pi.Status != stripe.PaymentIntentStatusSucceeded || pi.Amount != 24350 || pi.AmountReceived != 24350 || pi.Currency != "eur" {
		t.Fatalf("intent %s %d/%d %s, want succeeded 24350/24350 eur", pi.Status, pi.Amount, pi.AmountReceived, pi.Currency)
	}
	if !strings.HasPrefix(pi.ID, "pi_") || !strings.HasPrefix(pi.ClientSecret, pi.ID+"_secret_") || pi.LatestCharge == nil || !strings.HasPrefix(pi.LatestCharge.ID, "ch_") {
		t.Fatalf("id %q, secret %q, charge %+v: not Stripe's shapes", pi.ID, pi.ClientSecret, pi.LatestCharge)
	}
	// As in Stripe, the test id makes a new PaymentMethod of that card.
	if pi.Metadata["reservation"] != "R-1" || pi.PaymentMethod == nil || !strings.HasPrefix(pi.PaymentMethod.ID, "pm_") || pi.PaymentMethod.ID == "pm_card_visa" {
		t.Fatalf("metadata %v, payment method %+v", pi.Metadata, pi.PaymentMethod)
	}
	if pm, err := sc.V1PaymentMethods.Retrieve(ctx, pi.PaymentMethod.ID, nil); err != nil || pm.Card == nil || pm.Card.Last4 != "4242" {
		t.Fatalf("payment method %+v, %v", pm, err)
	}
	got, err := sc.V1PaymentIntents.Retrieve(ctx, pi.ID, nil)
	if err != nil || got.Status != stripe.PaymentIntentStatusSucceeded || got.LatestCharge.ID != pi.LatestCharge.ID {
		t.Fatalf("retrieved %+v, %v", got, err)
	}
	ev := rc.wait(t, "payment_intent.succeeded", pi.ID, 1)[0]
	if ev.APIVersion != stripe.APIVersion || ev.Data.Object["amount_received"] != float64(24350) || !strings.HasPrefix(ev.ID, "evt_") {
		t.Fatalf("event %s %s %v", ev.ID, ev.APIVersion, ev.Data.Object)
	}
}

func TestDeclinedCardsAre402AndLeaveTheIntentWantingAnotherCard(t *testing.T) {
	for pm, decline := range map[string]string{"pm_card_chargeDeclined": "generic_decline", "pm_card_chargeDeclinedInsufficientFunds": "insufficient_funds", "pm_card_insufficientFunds": "insufficient_funds"} {
		t.Run(pm, func(t *testing.T) {
			rc := newReceiver(t, 0)
			_, sc := emulator(t, rc)
			_, err := sc.V1PaymentIntents.Create(ctx, pay(9900, "eur", pm))
			se := stripeErr(t, err)
			if se.HTTPStatusCode != http.StatusPaymentRequired || se.Type != stripe.ErrorTypeCard || se.Code != stripe.ErrorCodeCardDeclined || string(se.DeclineCode) != decline {
				t.Fatalf("error %d %s %s %s, want 402 card_error card_declined %s", se.HTTPStatusCode, se.Type, se.Code, se.DeclineCode, decline)
			}
			if se.PaymentIntent == nil || se.PaymentIntent.Status != stripe.PaymentIntentStatusRequiresPaymentMethod || se.ChargeID == "" {
				t.Fatalf("the error's intent %+v, charge %q", se.PaymentIntent, se.ChargeID)
			}
			pi, err := sc.V1PaymentIntents.Retrieve(ctx, se.PaymentIntent.ID, nil)
			if err != nil || pi.AmountReceived != 0 || pi.LastPaymentError == nil || string(pi.LastPaymentError.DeclineCode) != decline {
				t.Fatalf("retrieved %+v, %v", pi, err)
			}
			rc.wait(t, "payment_intent.payment_failed", pi.ID, 1)
			// Another card on the same intent pays it.
			pi, err = sc.V1PaymentIntents.Confirm(ctx, pi.ID, &stripe.PaymentIntentConfirmParams{PaymentMethod: stripe.String("pm_card_visa")})
			if err != nil || pi.Status != stripe.PaymentIntentStatusSucceeded || pi.AmountReceived != 9900 {
				t.Fatalf("confirmed with visa: %+v, %v", pi, err)
			}
		})
	}
}

func TestAuthenticationRequiredWaitsForThreeDSecureThenTheWebhookConfirms(t *testing.T) {
	rc := newReceiver(t, 0)
	emu, sc := emulator(t, rc)
	pi, err := sc.V1PaymentIntents.Create(ctx, pay(15000, "eur", "pm_card_authenticationRequired"))
	if err != nil {
		t.Fatal(err)
	}
	if pi.Status != stripe.PaymentIntentStatusRequiresAction || pi.NextAction == nil || pi.NextAction.Type != "use_stripe_sdk" || pi.AmountReceived != 0 || pi.ClientSecret == "" {
		t.Fatalf("intent %s next %+v received %d", pi.Status, pi.NextAction, pi.AmountReceived)
	}
	if n := count(emu, "payment_intent.succeeded"); n != 0 {
		t.Fatalf("%d succeeded events before authentication", n)
	}
	if resp := control(t, emu, "/_emulator/payment_intents/"+pi.ID+"/authenticate?result=succeed"); resp.StatusCode != http.StatusOK {
		t.Fatalf("authenticate: %s", resp.Status)
	}
	ev := rc.wait(t, "payment_intent.succeeded", pi.ID, 1)[0]
	if ev.Data.Object["status"] != "succeeded" || ev.Data.Object["amount_received"] != float64(15000) {
		t.Fatalf("event object %v", ev.Data.Object)
	}
	pi, err = sc.V1PaymentIntents.Retrieve(ctx, pi.ID, nil)
	if err != nil || pi.Status != stripe.PaymentIntentStatusSucceeded || pi.NextAction != nil {
		t.Fatalf("after authentication: %+v, %v", pi, err)
	}
	// Authenticating twice is refused: the intent is no longer waiting.
	if resp := control(t, emu, "/_emulator/payment_intents/"+pi.ID+"/authenticate?result=succeed"); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("second authentication: %s, want 400", resp.Status)
	}
}

func TestFailedAuthenticationAndTheRedirectFlow(t *testing.T) {
	rc := newReceiver(t, 0)
	emu, sc := emulator(t, rc)
	params := pay(15000, "eur", "pm_card_authenticationRequired")
	params.ReturnURL = stripe.String("https://app.example/return")
	pi, err := sc.V1PaymentIntents.Create(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if pi.NextAction == nil || pi.NextAction.Type != "redirect_to_url" || pi.NextAction.RedirectToURL == nil ||
		!strings.HasPrefix(pi.NextAction.RedirectToURL.URL, emu.URL()+"/_emulator/payment_intents/"+pi.ID+"/authenticate") ||
		pi.NextAction.RedirectToURL.ReturnURL != "https://app.example/return" {
		t.Fatalf("next action %+v", pi.NextAction)
	}
	if resp := control(t, emu, "/_emulator/payment_intents/"+pi.ID+"/authenticate?result=fail"); resp.StatusCode != http.StatusOK {
		t.Fatalf("authenticate: %s", resp.Status)
	}
	rc.wait(t, "payment_intent.payment_failed", pi.ID, 1)
	pi, err = sc.V1PaymentIntents.Retrieve(ctx, pi.ID, nil)
	if err != nil || pi.Status != stripe.PaymentIntentStatusRequiresPaymentMethod || pi.LastPaymentError == nil ||
		pi.LastPaymentError.Code != "payment_intent_authentication_failure" || pi.AmountReceived != 0 {
		t.Fatalf("after failed authentication: %+v, %v", pi, err)
	}
}

func TestCancelOnlyWhatHasNotSucceeded(t *testing.T) {
	rc := newReceiver(t, 0)
	_, sc := emulator(t, rc)
	pi, err := sc.V1PaymentIntents.Create(ctx, pay(15000, "eur", "pm_card_authenticationRequired"))
	if err != nil {
		t.Fatal(err)
	}
	pi, err = sc.V1PaymentIntents.Cancel(ctx, pi.ID, &stripe.PaymentIntentCancelParams{CancellationReason: stripe.String("abandoned")})
	if err != nil || pi.Status != stripe.PaymentIntentStatusCanceled || pi.CancellationReason != "abandoned" || pi.CanceledAt == 0 {
		t.Fatalf("cancelled %+v, %v", pi, err)
	}
	rc.wait(t, "payment_intent.canceled", pi.ID, 1)
	paid, err := sc.V1PaymentIntents.Create(ctx, pay(15000, "eur", "pm_card_visa"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = sc.V1PaymentIntents.Cancel(ctx, paid.ID, nil)
	if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusBadRequest || se.Code != stripe.ErrorCodePaymentIntentUnexpectedState {
		t.Fatalf("cancel a succeeded intent: %d %s", se.HTTPStatusCode, se.Code)
	}
}

func TestIdempotencyKeysReplayTheFirstAnswer(t *testing.T) {
	emu, sc := emulator(t, nil)
	first := pay(24350, "eur", "pm_card_visa")
	first.SetIdempotencyKey("reservation-R-1-charge")
	a, err := sc.V1PaymentIntents.Create(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	retry := pay(24350, "eur", "pm_card_visa")
	retry.SetIdempotencyKey("reservation-R-1-charge")
	b, err := sc.V1PaymentIntents.Create(ctx, retry)
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != b.ID || b.LastResponse.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry made %s (replayed %q), want %s replayed", b.ID, b.LastResponse.Header.Get("Idempotent-Replayed"), a.ID)
	}
	if n := count(emu, "payment_intent.succeeded"); n != 1 {
		t.Fatalf("%d charges for one key, want 1", n)
	}
	other := pay(30000, "eur", "pm_card_visa")
	other.SetIdempotencyKey("reservation-R-1-charge")
	_, err = sc.V1PaymentIntents.Create(ctx, other)
	if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusBadRequest || se.Type != stripe.ErrorTypeIdempotency {
		t.Fatalf("same key, other amount: %d %s", se.HTTPStatusCode, se.Type)
	}
	// A decline is replayed too: the retry does not try the card again.
	for range 2 {
		p := pay(5000, "eur", "pm_card_chargeDeclined")
		p.SetIdempotencyKey("reservation-R-2-charge")
		if se := stripeErr(t, func() error { _, err := sc.V1PaymentIntents.Create(ctx, p); return err }()); se.HTTPStatusCode != http.StatusPaymentRequired {
			t.Fatalf("declined retry: %d", se.HTTPStatusCode)
		}
	}
	if n := count(emu, "payment_intent.payment_failed"); n != 1 {
		t.Fatalf("%d declines for one key, want 1", n)
	}
}

func TestTwentyConcurrentRetriesMakeOnePaymentIntent(t *testing.T) {
	emu, sc := emulator(t, nil)
	const n = 20
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := pay(48700, "eur", "pm_card_visa")
			p.SetIdempotencyKey("booking-B-7-deposit")
			<-start
			pi, err := sc.V1PaymentIntents.Create(ctx, p)
			errs[i] = err
			if err == nil {
				ids[i] = pi.ID
			}
		}()
	}
	close(start)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("request %d: %s, %v; request 0: %s", i, ids[i], errs[i], ids[0])
		}
	}
	if got := count(emu, "payment_intent.succeeded"); got != 1 {
		t.Fatalf("%d payments for 20 retries of one booking, want 1", got)
	}
}

func TestRefundsNeverExceedWhatWasCaptured(t *testing.T) {
	rc := newReceiver(t, 0)
	_, sc := emulator(t, rc)
	pi, err := sc.V1PaymentIntents.Create(ctx, pay(10000, "eur", "pm_card_visa"))
	if err != nil {
		t.Fatal(err)
	}
	// The late-cancellation fee is 3000: 7000 goes back, in two parts.
	re, err := sc.V1Refunds.Create(ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(3000)})
	if err != nil || re.Amount != 3000 || re.Status != stripe.RefundStatusSucceeded || re.PaymentIntent.ID != pi.ID || re.Charge.ID != pi.LatestCharge.ID {
		t.Fatalf("refund %+v, %v", re, err)
	}
	_, err = sc.V1Refunds.Create(ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(8000)})
	se := stripeErr(t, err)
	if se.HTTPStatusCode != http.StatusBadRequest || se.Code != stripe.ErrorCodeAmountTooLarge ||
		se.Msg != "Refund amount (80.00 EUR) is greater than unrefunded amount on charge (70.00 EUR)" {
		t.Fatalf("over-refund: %d %s %q", se.HTTPStatusCode, se.Code, se.Msg)
	}
	re, err = sc.V1Refunds.Create(ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID)})
	if err != nil || re.Amount != 7000 {
		t.Fatalf("refund of the rest: %+v, %v", re, err)
	}
	_, err = sc.V1Refunds.Create(ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(1)})
	if se := stripeErr(t, err); se.Code != stripe.ErrorCodeChargeAlreadyRefunded {
		t.Fatalf("refund of a refunded charge: %s", se.Code)
	}
	evs := rc.wait(t, "charge.refunded", pi.LatestCharge.ID, 2)
	refunded := map[float64]bool{}
	for _, ev := range evs {
		refunded[ev.Data.Object["amount_refunded"].(float64)] = ev.Data.Object["refunded"].(bool)
	}
	if len(refunded) != 2 || refunded[3000] || !refunded[10000] {
		t.Fatalf("charge.refunded events: amount_refunded→refunded %v, want 3000→false and 10000→true", refunded)
	}

	// Nothing captured, nothing to refund.
	waiting, err := sc.V1PaymentIntents.Create(ctx, pay(10000, "eur", "pm_card_authenticationRequired"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = sc.V1Refunds.Create(ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(waiting.ID)})
	if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusBadRequest || se.Code != stripe.ErrorCodeChargeNotRefundable {
		t.Fatalf("refund of an unpaid intent: %d %s", se.HTTPStatusCode, se.Code)
	}

	// Zero-decimal currencies are whole units.
	yen, err := sc.V1PaymentIntents.Create(ctx, pay(5000, "jpy", "pm_card_visa"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = sc.V1Refunds.Create(ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(yen.ID), Amount: stripe.Int64(5001)})
	if se := stripeErr(t, err); se.Msg != "Refund amount (5001 JPY) is greater than unrefunded amount on charge (5000 JPY)" {
		t.Fatalf("yen over-refund: %q", se.Msg)
	}
}

func TestStripeErrorsForWhatIsWrongOrMissing(t *testing.T) {
	emu, sc := emulator(t, nil)
	_, err := sc.V1PaymentIntents.Retrieve(ctx, "pi_nothing", nil)
	if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusNotFound || se.Code != stripe.ErrorCodeResourceMissing || se.Type != stripe.ErrorTypeInvalidRequest {
		t.Fatalf("unknown intent: %d %s %s", se.HTTPStatusCode, se.Code, se.Type)
	}
	_, err = sc.V1PaymentIntents.Create(ctx, pay(1000, "eur", "pm_card_unknown"))
	if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusBadRequest || se.Code != stripe.ErrorCodeResourceMissing || se.Param != "payment_method" {
		t.Fatalf("unknown card: %d %s %s", se.HTTPStatusCode, se.Code, se.Param)
	}
	_, err = sc.V1PaymentIntents.Create(ctx, &stripe.PaymentIntentCreateParams{Currency: stripe.String("eur")})
	if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusBadRequest || se.Code != stripe.ErrorCodeParameterMissing || se.Param != "amount" {
		t.Fatalf("no amount: %d %s %s", se.HTTPStatusCode, se.Code, se.Param)
	}
	for _, key := range []string{"sk_test_other", "sk_live_real"} {
		_, err = client(emu.URL(), key).V1PaymentIntents.Retrieve(ctx, "pi_x", nil)
		if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusUnauthorized {
			t.Fatalf("key %s: %d, want 401", key, se.HTTPStatusCode)
		}
	}
	pm, err := sc.V1PaymentMethods.Retrieve(ctx, "pm_card_visa", nil)
	if err != nil || pm.Card == nil || pm.Card.Last4 != "4242" || pm.Card.Brand != "visa" {
		t.Fatalf("payment method %+v, %v", pm, err)
	}
}

func ExampleSign() {
	fmt.Println(strings.HasPrefix(stripeemuSign(), "t=1700000000,v1="))
	// Output: true
}

// A request that failed validation leaves no answer under its key, as in
// Stripe: the corrected request with the same key runs.
func TestAKeyIsFreeAgainAfterAValidationError(t *testing.T) {
	emu, sc := emulator(t, nil)
	bad := pay(24350, "eur", "pm_card_nothing")
	bad.SetIdempotencyKey("INK-V:pay")
	_, err := sc.V1PaymentIntents.Create(ctx, bad)
	if se := stripeErr(t, err); se.HTTPStatusCode != http.StatusBadRequest || se.Code != stripe.ErrorCodeResourceMissing {
		t.Fatalf("unknown card: %d %s", se.HTTPStatusCode, se.Code)
	}
	good := pay(24350, "eur", "pm_card_visa")
	good.SetIdempotencyKey("INK-V:pay")
	pi, err := sc.V1PaymentIntents.Create(ctx, good)
	if err != nil || pi.Status != stripe.PaymentIntentStatusSucceeded || pi.LastResponse.Header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("corrected retry: %+v, %v", pi, err)
	}
	if n := count(emu, "payment_intent.succeeded"); n != 1 {
		t.Fatalf("%d payments, want 1", n)
	}
}
