package stripeemu_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82"
	"github.com/stripe/stripe-go/v82/webhook"

	"innkeeper/local/stripeemu"
	"innkeeper/local/testenv"
)

func stripeemuSign() string {
	return stripeemu.Sign([]byte(`{}`), webhookSecret, time.Unix(1700000000, 0))
}

func TestTheEmulatorsVersionIsStripeGos(t *testing.T) {
	if stripeemu.APIVersion != stripe.APIVersion {
		t.Fatalf("emulator %s, stripe-go %s: webhook.ConstructEvent would refuse the events", stripeemu.APIVersion, stripe.APIVersion)
	}
}

func TestAWebhookTheReceiverFailedIsRetriedUntilItIsTaken(t *testing.T) {
	rc := newReceiver(t, 2)
	emu, sc := emulator(t, rc)
	pi, err := sc.V1PaymentIntents.Create(ctx, pay(12000, "eur", "pm_card_visa"))
	if err != nil {
		t.Fatal(err)
	}
	ev := rc.wait(t, "payment_intent.succeeded", pi.ID, 1)[0]
	var d stripeemu.Delivery
	deadline := time.Now().Add(5 * time.Second)
	for !d.Delivered && time.Now().Before(deadline) {
		for _, x := range emu.Deliveries() {
			if x.EventID == ev.ID {
				d = x
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	if !d.Delivered || len(d.Attempts) != 3 || d.Attempts[0].Status != 500 || d.Attempts[1].Status != 500 || d.Attempts[2].Status != 200 {
		t.Fatalf("delivery %+v, want 500, 500, 200", d)
	}
	if gap := d.Attempts[2].At.Sub(d.Attempts[1].At); gap < 40*time.Millisecond {
		t.Fatalf("second retry %v after the first, want the backoff doubled to 40 ms", gap)
	}
}

func TestAnEventIsResentOnDemandWithAFreshSignature(t *testing.T) {
	rc := newReceiver(t, 0)
	emu, sc := emulator(t, rc)
	pi, err := sc.V1PaymentIntents.Create(ctx, pay(12000, "eur", "pm_card_visa"))
	if err != nil {
		t.Fatal(err)
	}
	ev := rc.wait(t, "payment_intent.succeeded", pi.ID, 1)[0]
	resp := control(t, emu, "/_emulator/events/"+ev.ID+"/resend")
	var out struct {
		EventID string `json:"event_id"`
		Status  int    `json:"status"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.Status != http.StatusOK || out.EventID != ev.ID {
		t.Fatalf("resend: %s %+v %v", resp.Status, out, err)
	}
	replays := rc.wait(t, "payment_intent.succeeded", pi.ID, 2)
	if replays[1].ID != ev.ID {
		t.Fatalf("replayed %s, want the same event %s", replays[1].ID, ev.ID)
	}
	if status, err := emu.Resend("evt_none"); err == nil {
		t.Fatalf("resend of an unknown event: %d, want an error", status)
	}
}

func TestSignaturesAreStripes(t *testing.T) {
	payload := []byte(`{"id":"evt_1","object":"event","api_version":"` + stripe.APIVersion + `","type":"payment_intent.succeeded","data":{"object":{"id":"pi_1","object":"payment_intent"}}}`)
	now := time.Now()
	if _, err := webhook.ConstructEvent(payload, stripeemu.Sign(payload, webhookSecret, now), webhookSecret); err != nil {
		t.Fatalf("stripe-go refused the emulator's signature: %v", err)
	}
	if _, err := webhook.ConstructEvent(payload, stripeemu.Sign(payload, "whsec_other", now), webhookSecret); err == nil {
		t.Fatal("stripe-go accepted a signature with another secret")
	}
	if _, err := webhook.ConstructEvent(payload, stripeemu.Sign(payload, webhookSecret, now.Add(-6*time.Minute)), webhookSecret); err == nil {
		t.Fatal("stripe-go accepted a signature six minutes old")
	}
}

// testenv's emulator, as other packages' tests start it: a card saved
// after 3-D Secure, completed through the Go API, and its event signed
// with testenv's secret.
func TestASetupIntentAuthenticatedThroughTheGoAPI(t *testing.T) {
	rc := newReceiver(t, 0)
	rc.secret = testenv.StripeWebhookSecret
	emu := testenv.StartStripe(t, rc.srv.URL)
	sc := client(emu.Env["STRIPE_API_BASE"], emu.Env["STRIPE_SECRET_KEY"])
	si, err := sc.V1SetupIntents.Create(ctx, &stripe.SetupIntentCreateParams{PaymentMethod: stripe.String("pm_card_authenticationRequired"),
		Confirm: stripe.Bool(true), Usage: stripe.String("off_session")})
	if err != nil || si.Status != stripe.SetupIntentStatusRequiresAction {
		t.Fatalf("setup intent %+v, %v", si, err)
	}
	if err := emu.Authenticate(si.ID, true); err != nil {
		t.Fatal(err)
	}
	ev := rc.wait(t, "setup_intent.succeeded", si.ID, 1)[0]
	if ev.Data.Object["status"] != "succeeded" || ev.Data.Object["payment_method"] != si.PaymentMethod.ID ||
		!strings.HasPrefix(si.PaymentMethod.ID, "pm_emu") {
		t.Fatalf("event object %v", ev.Data.Object)
	}
	if err := emu.Authenticate(si.ID, true); err == nil {
		t.Fatal("a succeeded setup intent authenticated again")
	}
	if err := emu.Authenticate("pi_nothing", true); err == nil {
		t.Fatal("an unknown intent authenticated")
	}
}

// Paused, the events wait: one resent first arrives before the one that
// happened before it, and resuming sends only what is still undelivered.
func TestPausedWebhooksArriveLateAndInTheOrderResent(t *testing.T) {
	rc := newReceiver(t, 0)
	emu, sc := emulator(t, rc)
	if resp := control(t, emu, "/_emulator/webhooks/pause"); resp.StatusCode != http.StatusOK {
		t.Fatalf("pause: %s", resp.Status)
	}
	pi, err := sc.V1PaymentIntents.Create(ctx, pay(10000, "eur", "pm_card_visa"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sc.V1Refunds.Create(ctx, &stripe.RefundCreateParams{PaymentIntent: stripe.String(pi.ID), Amount: stripe.Int64(2500)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond)
	if got := rc.types(); len(got) != 0 {
		t.Fatalf("paused, yet the receiver got %v", got)
	}
	ds := emu.Deliveries()
	if len(ds) != 3 || ds[0].Type != "payment_intent.succeeded" || ds[1].Type != "refund.created" || ds[2].Type != "charge.refunded" {
		t.Fatalf("deliveries %+v", ds)
	}
	if status, err := emu.Resend(ds[2].EventID); err != nil || status != http.StatusOK {
		t.Fatalf("resend the refund: %d, %v", status, err)
	}
	if resp := control(t, emu, "/_emulator/webhooks/resume"); resp.StatusCode != http.StatusOK {
		t.Fatalf("resume: %s", resp.Status)
	}
	rc.wait(t, "payment_intent.succeeded", pi.ID, 1)
	rc.wait(t, "refund.created", ds[1].ObjectID, 1)
	time.Sleep(100 * time.Millisecond)
	got := rc.types()
	if len(got) != 3 || got[0] != "charge.refunded "+pi.LatestCharge.ID || slices.Contains(got[1:], got[0]) {
		t.Fatalf("received %v, want charge.refunded %s first and delivered once, then the two others", got, pi.LatestCharge.ID)
	}
}
