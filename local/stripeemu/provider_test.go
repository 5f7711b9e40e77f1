package stripeemu_test

import (
	"errors"
	"maps"
	"net/http"
	"strings"
	"testing"

	"github.com/stripe/stripe-go/v82"

	"innkeeper/local/stripeemu"
	"innkeeper/shared/payments"
)

// These tests drive the emulator with the provider the functions use,
// payments.Stripe, so every request it sends is one the emulator answers
// as Stripe does.

// provider starts an emulator sending its webhooks to rc, and the payments
// provider and a raw stripe-go client pointed at it.
func provider(t *testing.T, rc *receiver) (*stripeemu.Server, *payments.Stripe, *stripe.Client) {
	t.Helper()
	emu, sc := emulator(t, rc)
	return emu, payments.NewStripe(payments.StripeConfig{SecretKey: apiKey, URL: emu.URL()}), sc
}

// obj reads a string field of an event's object ("" when null).
func obj(ev stripe.Event, field string) string {
	s, _ := ev.Data.Object[field].(string)
	return s
}

// meta is an event object's metadata.
func meta(ev stripe.Event) map[string]string {
	out := map[string]string{}
	m, _ := ev.Data.Object["metadata"].(map[string]any)
	for k, v := range m {
		out[k], _ = v.(string)
	}
	return out
}

func TestSaveMakesACustomerAndChargeSavedChargesItOffSession(t *testing.T) {
	rc := newReceiver(t, 0)
	_, p, sc := provider(t, rc)
	extra := map[string]string{"purpose": "guarantee", "idempotency_key": "INK-G1:guarantee"}
	want := map[string]string{"reservation": "INK-G1", "purpose": "guarantee", "idempotency_key": "INK-G1:guarantee"}
	saved, err := p.Save(ctx, payments.SaveCard{PaymentMethod: "pm_card_visa", IdempotencyKey: "INK-G1:guarantee",
		Reservation: "INK-G1", Name: "Ada Guest", Email: "ada@example.org", Metadata: extra})
	if err != nil || saved.Status != payments.StatusSucceeded || !strings.HasPrefix(saved.ID, "seti_") ||
		!strings.HasPrefix(saved.Customer, "cus_") || !strings.HasPrefix(saved.PaymentMethod, "pm_") || saved.PaymentMethod == "pm_card_visa" {
		t.Fatalf("save: %+v, %v", saved, err)
	}
	cust, err := sc.V1Customers.Retrieve(ctx, saved.Customer, nil)
	if err != nil || cust.Name != "Ada Guest" || cust.Email != "ada@example.org" || !maps.Equal(cust.Metadata, want) {
		t.Fatalf("customer %+v, %v", cust, err)
	}
	pm, err := sc.V1PaymentMethods.Retrieve(ctx, saved.PaymentMethod, nil)
	if err != nil || pm.Customer == nil || pm.Customer.ID != saved.Customer {
		t.Fatalf("the saved card is not the customer's: %+v, %v", pm, err)
	}
	ev := rc.wait(t, "setup_intent.succeeded", saved.ID, 1)[0]
	if !maps.Equal(meta(ev), want) || obj(ev, "customer") != saved.Customer || obj(ev, "payment_method") != saved.PaymentMethod {
		t.Fatalf("setup_intent.succeeded object %v", ev.Data.Object)
	}

	// The late-cancellation fee, charged with no guest present.
	fee, err := p.ChargeSaved(ctx, payments.OffSession{Amount: 6000, Currency: "EUR", Customer: saved.Customer,
		PaymentMethod: saved.PaymentMethod, IdempotencyKey: "INK-G1:fee", Reservation: "INK-G1", Metadata: map[string]string{"purpose": "cancellation_fee"}})
	if err != nil || fee.Status != payments.StatusSucceeded || fee.Amount != 6000 || fee.Currency != "EUR" ||
		fee.Customer != saved.Customer || fee.PaymentMethod != saved.PaymentMethod {
		t.Fatalf("off-session fee: %+v, %v", fee, err)
	}
	ev = rc.wait(t, "payment_intent.succeeded", fee.ID, 1)[0]
	if !maps.Equal(meta(ev), map[string]string{"reservation": "INK-G1", "purpose": "cancellation_fee"}) ||
		obj(ev, "customer") != saved.Customer || obj(ev, "payment_method") != saved.PaymentMethod || obj(ev, "currency") != "eur" ||
		ev.Data.Object["amount"] != float64(6000) || ev.Data.Object["amount_received"] != float64(6000) || ev.Data.Object["last_payment_error"] != nil {
		t.Fatalf("payment_intent.succeeded object %v", ev.Data.Object)
	}

	// The card is this customer's: another may not charge it, nor one
	// that does not exist.
	other, err := p.Save(ctx, payments.SaveCard{PaymentMethod: "pm_card_mastercard", IdempotencyKey: "INK-G2:guarantee", Reservation: "INK-G2"})
	if err != nil || other.Customer == saved.Customer {
		t.Fatalf("second save: %+v, %v", other, err)
	}
	_, err = p.ChargeSaved(ctx, payments.OffSession{Amount: 6000, Currency: "EUR", Customer: other.Customer,
		PaymentMethod: saved.PaymentMethod, IdempotencyKey: "INK-G2:fee"})
	if !errors.Is(err, payments.ErrPaymentMethod) {
		t.Fatalf("another customer charged the card: %v", err)
	}
	_, err = p.ChargeSaved(ctx, payments.OffSession{Amount: 6000, Currency: "EUR", Customer: "cus_nobody",
		PaymentMethod: saved.PaymentMethod, IdempotencyKey: "INK-G3:fee"})
	var pe *payments.Error
	if !errors.As(err, &pe) || pe.Code != "resource_missing" || pe.Param != "customer" {
		t.Fatalf("unknown customer: %v", err)
	}
	if _, err := sc.V1Customers.Retrieve(ctx, "cus_nobody", nil); stripeErr(t, err).HTTPStatusCode != http.StatusNotFound {
		t.Fatalf("retrieve an unknown customer: %v", err)
	}
}

// Stripe's test cards for saving and off-session charges
// (docs.stripe.com/testing, "Authentication and setup").
func TestTestCardsSavedAndChargedOffSession(t *testing.T) {
	type want struct {
		status  payments.Status
		decline string
	}
	for _, tc := range []struct {
		card   string
		save   want // what Save answers
		charge want // the off-session charge once saved (authenticated when asked)
	}{
		{"pm_card_visa", want{payments.StatusSucceeded, ""}, want{payments.StatusSucceeded, ""}},
		{"pm_card_chargeDeclined", want{payments.StatusDeclined, "generic_decline"}, want{}},
		{"pm_card_chargeDeclinedInsufficientFunds", want{payments.StatusDeclined, "insufficient_funds"}, want{}},
		{"pm_card_chargeCustomerFail", want{payments.StatusSucceeded, ""}, want{payments.StatusDeclined, "generic_decline"}},
		{"pm_card_authenticationRequired", want{payments.StatusRequiresAction, ""}, want{payments.StatusDeclined, "authentication_required"}},
		{"pm_card_authenticationRequiredOnSetup", want{payments.StatusRequiresAction, ""}, want{payments.StatusSucceeded, ""}},
		{"pm_card_authenticationRequiredSetupForOffSession", want{payments.StatusRequiresAction, ""}, want{payments.StatusSucceeded, ""}},
		{"pm_card_authenticationRequiredChargeDeclinedInsufficientFunds", want{payments.StatusRequiresAction, ""}, want{payments.StatusDeclined, "insufficient_funds"}},
	} {
		t.Run(tc.card, func(t *testing.T) {
			rc := newReceiver(t, 0)
			emu, p, sc := provider(t, rc)
			saved, err := p.Save(ctx, payments.SaveCard{PaymentMethod: tc.card, IdempotencyKey: "INK-T:save", Reservation: "INK-T"})
			if err != nil || saved.Status != tc.save.status || (saved.Decline == nil) != (tc.save.decline == "") ||
				(saved.Decline != nil && saved.Decline.Code != tc.save.decline) {
				t.Fatalf("save: %+v (decline %+v), %v; want %+v", saved, saved.Decline, err, tc.save)
			}
			switch saved.Status {
			case payments.StatusDeclined:
				rc.wait(t, "setup_intent.setup_failed", saved.ID, 1)
				return
			case payments.StatusRequiresAction:
				if saved.NextAction == nil || saved.ClientSecret == "" {
					t.Fatalf("requires action without a next action: %+v", saved)
				}
				if err := emu.Authenticate(saved.ID, true); err != nil {
					t.Fatal(err)
				}
			}
			ev := rc.wait(t, "setup_intent.succeeded", saved.ID, 1)[0]
			pmID := obj(ev, "payment_method")
			fee, err := p.ChargeSaved(ctx, payments.OffSession{Amount: 4500, Currency: "EUR", Customer: saved.Customer,
				PaymentMethod: pmID, IdempotencyKey: "INK-T:fee", Reservation: "INK-T"})
			if err != nil || fee.Status != tc.charge.status || (fee.Decline == nil) != (tc.charge.decline == "") ||
				(fee.Decline != nil && fee.Decline.Code != tc.charge.decline) {
				t.Fatalf("off-session charge: %+v (decline %+v), %v; want %+v", fee, fee.Decline, err, tc.charge)
			}
			if fee.Status == payments.StatusSucceeded {
				return
			}
			// Declined off session, the intent wants another card, as in
			// Stripe, and the webhook says why.
			pi, err := sc.V1PaymentIntents.Retrieve(ctx, fee.ID, nil)
			if err != nil || pi.Status != stripe.PaymentIntentStatusRequiresPaymentMethod || pi.LastPaymentError == nil ||
				string(pi.LastPaymentError.DeclineCode) != tc.charge.decline || pi.AmountReceived != 0 {
				t.Fatalf("declined intent %+v, %v", pi, err)
			}
			if tc.charge.decline == "authentication_required" && pi.LastPaymentError.Code != stripe.ErrorCodeAuthenticationRequired {
				t.Fatalf("last_payment_error code %s", pi.LastPaymentError.Code)
			}
			ev = rc.wait(t, "payment_intent.payment_failed", fee.ID, 1)[0]
			lpe, _ := ev.Data.Object["last_payment_error"].(map[string]any)
			if lpe["decline_code"] != tc.charge.decline || lpe["type"] != "card_error" || lpe["message"] == "" || meta(ev)["reservation"] != "INK-T" {
				t.Fatalf("payment_failed object %v", ev.Data.Object)
			}
		})
	}
}

// A card never set up off session: the one that wants authentication
// unless set up fails with authentication_required, the one "already set
// up" is charged, the insufficient-funds card is declined.
func TestOffSessionChargesOfCardsNeverSetUp(t *testing.T) {
	rc := newReceiver(t, 0)
	_, p, _ := provider(t, rc)
	cust, err := p.Save(ctx, payments.SaveCard{PaymentMethod: "pm_card_visa", IdempotencyKey: "INK-N:save"})
	if err != nil {
		t.Fatal(err)
	}
	for card, want := range map[string]string{
		"pm_card_authenticationRequiredOnSetup":            "authentication_required",
		"pm_card_authenticationRequiredSetupForOffSession": "",
		"pm_card_chargeDeclinedInsufficientFunds":          "insufficient_funds",
	} {
		r, err := p.ChargeSaved(ctx, payments.OffSession{Amount: 1000, Currency: "EUR", Customer: cust.Customer,
			PaymentMethod: card, IdempotencyKey: "INK-N:" + card})
		switch {
		case err != nil:
			t.Errorf("%s: %v", card, err)
		case want == "" && r.Status != payments.StatusSucceeded:
			t.Errorf("%s: %+v, want succeeded", card, r)
		case want != "" && (r.Status != payments.StatusDeclined || r.Decline == nil || r.Decline.Code != want):
			t.Errorf("%s: %+v (decline %+v), want declined %s", card, r, r.Decline, want)
		}
	}
}
