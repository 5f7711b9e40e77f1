package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"

	"innkeeper/local/clock"
	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
)

// payments is an API that takes payments through a Stripe emulator of
// its own (every request also checked by stripe-mock), on a clock the
// test can move and the emulator shares, with events left in the outbox
// for work to hand to the cashier as the worker would.
type paying struct {
	*client
	stripe *testenv.Stripe
	clock  *clock.Clock
	seen   int64 // the last outbox row worked
}

func newPaying(t *testing.T) *paying {
	t.Helper()
	clk := &clock.Clock{}
	st := testenv.StartStripeClock(t, "", clk)
	c := newClient(t, testenv.APIOptions{NoRelay: true, Stripe: st, Clock: clk.Now})
	t.Cleanup(func() {
		if st.Checked.Load() == 0 {
			t.Error("stripe-mock checked no request")
		}
	})
	return &paying{client: c, stripe: st, clock: clk}
}

// work hands every outbox event written since the last call to the
// cashier, as the worker does, until none is left.
func (p *paying) work() {
	p.t.Helper()
	for {
		rows, err := p.api.Store.Pool().Query(context.Background(),
			`SELECT id, payload FROM outbox WHERE id > $1 ORDER BY id`, p.seen)
		if err != nil {
			p.t.Fatal(err)
		}
		type row struct {
			id      int64
			payload []byte
		}
		var evs []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.payload); err != nil {
				p.t.Fatal(err)
			}
			evs = append(evs, r)
		}
		rows.Close()
		if len(evs) == 0 {
			return
		}
		for _, r := range evs {
			var ev booking.Event
			if err := json.Unmarshal(r.payload, &ev); err != nil {
				p.t.Fatal(err)
			}
			if err := p.api.Cashier.OnEvent(context.Background(), ev); err != nil {
				p.t.Fatalf("cashier on %s of %s: %v", ev.Type, ev.Reference, err)
			}
			p.seen = r.id
		}
	}
}

// waitWebhook waits until the API has received n webhook events of type
// typ, then works them.
func (p *paying) waitWebhook(typ string, n int) {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for p.api.Int(p.t, `SELECT count(*) FROM payment_events WHERE type = $1`, typ) < n {
		if time.Now().After(deadline) {
			p.t.Fatalf("no %d %s webhook", n, typ)
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.work()
}

// ledger is the reservation's ledger as "kind:amount" rows in order.
func (p *paying) ledger(ref string) []string {
	p.t.Helper()
	rows, err := p.api.Store.Pool().Query(context.Background(), `SELECT kind || ':' || amount_cents
		FROM payments WHERE reservation_id = (SELECT id FROM reservations WHERE reference = $1) ORDER BY id`, ref)
	if err != nil {
		p.t.Fatal(err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			p.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

func card(pm string) func(map[string]any) {
	return set("payment", map[string]any{"payment_method": pm})
}

// reservation reads ref with its token.
func (p *paying) reservation(ref, token string) map[string]any {
	p.t.Helper()
	r := p.do("GET", "/v1/reservations/"+ref, nil, bearer(token)...)
	if r.Status != http.StatusOK {
		p.t.Fatalf("GET %s: %d %s", ref, r.Status, r.Body)
	}
	return r.JSON(p.t)["reservation"].(map[string]any)
}

func sameLedger(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("%s: ledger %v, want %v", what, got, want)
	}
}

// STD-NR is prepaid: 2 nights of 8360 × 85% = 7106 in January, 14212.
func TestPrepayWithACardThatSucceeds(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	ref, _, res := p.bookCard(bookingBody(set("rate_plan", "STD-NR")), "pm_card_visa")
	pay := res["payment"].(map[string]any)
	// Non-refundable: cancelling gives nothing back.
	if res["status"] != "confirmed" || pay["status"] != "succeeded" || pay["paid_cents"] != float64(14212) ||
		pay["due_now_cents"] != float64(14212) || pay["refund_cents"] != float64(0) {
		t.Fatalf("prepaid booking %v, payment %v", res["status"], pay)
	}
	sameLedger(t, "prepay", p.ledger(ref), "charge:14212")
	// The webhook of the same payment records nothing more.
	p.waitWebhook("payment_intent.succeeded", 1)
	sameLedger(t, "prepay after its webhook", p.ledger(ref), "charge:14212")
}

// A declined card is a 402 problem with the decline code, and nothing is
// held: the units left are as before, and the same request again is the
// same 402.
func TestDeclinedCardHoldsNothing(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	units := func() float64 {
		r := p.do("GET", "/v1/hotels/lisbon-riverside/availability?check_in=2027-01-10&check_out=2027-01-12&adults=2", nil)
		for _, o := range r.JSON(t)["offers"].([]any) {
			if o := o.(map[string]any); o["rate_plan"] == "STD-NR" {
				return o["available"].(float64)
			}
		}
		t.Fatal("no STD-NR offer")
		return 0
	}
	before := units()
	key := newKey()
	body := bookingBody(set("rate_plan", "STD-NR"), card("pm_card_chargeDeclined"))
	r := p.do("POST", "/v1/reservations", body, "Idempotency-Key", key)
	prob := r.Problem(t, http.StatusPaymentRequired, "payment-declined")
	if prob["decline_code"] != "generic_decline" {
		t.Errorf("decline %v", prob)
	}
	if after := units(); after != before {
		t.Errorf("units left %v after a declined card, %v before", after, before)
	}
	again := p.do("POST", "/v1/reservations", body, "Idempotency-Key", key)
	again.Problem(t, http.StatusPaymentRequired, "payment-declined")
	if again.Header.Get("Idempotent-Replayed") != "true" {
		t.Error("the retry was not the stored 402")
	}
	if n := p.api.Int(t, `SELECT count(*) FROM reservations WHERE status = 'held' AND guest_email = 'ana@example.com'`); n != 0 {
		t.Errorf("%d holds left", n)
	}
	if n := p.api.Int(t, `SELECT count(*) FROM payments WHERE kind = 'failure'`); n != 1 {
		t.Errorf("%d failures in the ledger, want 1", n)
	}
	// A PaymentMethod the provider does not know is a 422, and holds
	// nothing either, however often it is sent.
	bogus := bookingBody(set("rate_plan", "STD-NR"), card("pm_doesnotexist"))
	for range 2 {
		p.do("POST", "/v1/reservations", bogus, "Idempotency-Key", newKey()).FieldError(t, http.StatusUnprocessableEntity, "payment.payment_method")
	}
	if after := units(); after != before {
		t.Errorf("units left %v after unknown cards, %v before", after, before)
	}
}

// A card that needs 3-D Secure leaves a hold with what the client does
// next; the webhook of the authenticated payment confirms it.
func TestAuthenticationRequiredConfirmsOnTheWebhook(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	ref, token, res := p.bookCard(bookingBody(set("rate_plan", "STD-NR")), "pm_card_authenticationRequired")
	pay := res["payment"].(map[string]any)
	next, _ := pay["next_action"].(map[string]any)
	secret, _ := pay["client_secret"].(string)
	if res["status"] != "held" || pay["status"] != "requires_action" || next["type"] != "use_stripe_sdk" ||
		!strings.Contains(secret, "_secret_") || pay["paid_cents"] != float64(0) {
		t.Fatalf("3-D Secure booking %v, payment %v", res["status"], pay)
	}
	pi := pay["pending"].(string)
	if err := p.stripe.Authenticate(pi, true); err != nil {
		t.Fatal(err)
	}
	p.waitWebhook("payment_intent.succeeded", 1)
	got := p.reservation(ref, token)
	if got["status"] != "confirmed" || got["payment"].(map[string]any)["paid_cents"] != float64(14212) {
		t.Errorf("after the webhook: %v %v", got["status"], got["payment"])
	}
	sameLedger(t, "3-D Secure", p.ledger(ref), "charge:14212")
}

// The same booking sent 20 times at once with one Idempotency-Key
// charges once.
func TestTwentyConcurrentRetriesChargeOnce(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	key := newKey()
	body := bookingBody(set("rate_plan", "STD-NR"), card("pm_card_visa"),
		set("guest", map[string]any{"name": "Ana Silva", "email": "twenty@example.com"}))
	var wg sync.WaitGroup
	statuses := make([]int, 20)
	errs := make([]error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := p.send("POST", "/v1/reservations", body, "Idempotency-Key", key)
			statuses[i], errs[i] = r.Status, err
		}()
	}
	wg.Wait()
	created := 0
	for i, s := range statuses {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		switch s {
		case http.StatusCreated:
			created++
		case http.StatusConflict:
		default:
			t.Errorf("retry %d: %d", i, s)
		}
	}
	if created == 0 {
		t.Error("no retry got the booking")
	}
	if n := p.api.Int(t, `SELECT count(*) FROM reservations WHERE guest_email = 'twenty@example.com'`); n != 1 {
		t.Errorf("%d reservations, want 1", n)
	}
	if n := p.api.Int(t, `SELECT count(*) FROM payments WHERE kind = 'charge'`); n != 1 {
		t.Errorf("%d charges in the ledger, want 1", n)
	}
	p.waitWebhook("payment_intent.succeeded", 1)
	time.Sleep(100 * time.Millisecond)
	if n := p.api.Int(t, `SELECT count(*) FROM payment_events WHERE type = 'payment_intent.succeeded'`); n != 1 {
		t.Errorf("the provider charged %d times, want once", n)
	}
}

// postEvent sends a webhook event body signed with secret at signedAt,
// its Stripe-Signature split at its commas into several values as API
// Gateway's adapter hands it on.
func (p *paying) postEvent(body []byte, secret string, signedAt time.Time) result {
	p.t.Helper()
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: body, Secret: secret, Timestamp: signedAt})
	req, err := http.NewRequest("POST", p.api.URL+"/v1/webhooks/stripe", bytes.NewReader(body))
	if err != nil {
		p.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	for _, v := range strings.Split(signed.Header, ",") {
		req.Header.Add("Stripe-Signature", v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		p.t.Fatal(err)
	}
	return result{resp.StatusCode, resp.Header, raw}
}

// threeDS books STD-NR with a card that needs authentication and returns
// the reference, token and the pending PaymentIntent.
func (p *paying) threeDS(email string) (string, string, string) {
	p.t.Helper()
	ref, token, res := p.bookCard(bookingBody(set("rate_plan", "STD-NR"),
		set("guest", map[string]any{"name": "Ana Silva", "email": email})), "pm_card_authenticationRequired")
	return ref, token, res["payment"].(map[string]any)["pending"].(string)
}

// A webhook not signed with the endpoint's secret, or signed more than 5
// minutes ago, is a 400 and records nothing; a replayed delivery and an
// event that arrives out of order change nothing.
func TestWebhookForgedReplayedAndReordered(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	ref, token, pi := p.threeDS("webhooks@example.com")
	if err := p.stripe.Authenticate(pi, true); err != nil {
		t.Fatal(err)
	}
	p.waitWebhook("payment_intent.succeeded", 1)
	sameLedger(t, "authenticated", p.ledger(ref), "charge:14212")

	var succeeded, failed []byte
	for _, d := range p.stripe.Deliveries() {
		if d.Type == "payment_intent.succeeded" && d.ObjectID == pi {
			succeeded = d.Event
		}
	}
	if succeeded == nil {
		t.Fatal("no succeeded delivery")
	}
	// The same PaymentIntent failing, as an event that comes late.
	failed = []byte(strings.NewReplacer(`"payment_intent.succeeded"`, `"payment_intent.payment_failed"`,
		`"status":"succeeded"`, `"status":"requires_payment_method"`).Replace(string(succeeded)))
	failed = []byte(strings.Replace(string(failed), `"id":"evt_`, `"id":"evt_late`, 1))

	events := func() int { return p.api.Int(t, `SELECT count(*) FROM payment_events`) }
	before := events()
	forged := p.postEvent(failed, "whsec_not_the_endpoints", p.clock.Now())
	forged.Problem(t, http.StatusBadRequest, "webhook-signature")
	stale := p.postEvent(failed, testenv.StripeWebhookSecret, p.clock.Now().Add(-6*time.Minute))
	stale.Problem(t, http.StatusBadRequest, "webhook-signature")
	xml := p.do("POST", "/v1/webhooks/stripe", "<event/>", "Content-Type", "application/xml")
	xml.Problem(t, http.StatusUnsupportedMediaType, "unsupported-media-type")
	big := p.do("POST", "/v1/webhooks/stripe", `{"pad":"`+strings.Repeat("x", 70<<10)+`"}`, "Content-Type", "application/json")
	big.Problem(t, http.StatusRequestEntityTooLarge, "too-large")
	if events() != before {
		t.Error("a forged, stale, mistyped or oversized event was recorded")
	}

	replay := p.postEvent(succeeded, testenv.StripeWebhookSecret, p.clock.Now())
	if replay.Status != http.StatusOK || replay.JSON(t)["duplicate"] != true {
		t.Errorf("replay: %d %s", replay.Status, replay.Body)
	}
	late := p.postEvent(failed, testenv.StripeWebhookSecret, p.clock.Now())
	if late.Status != http.StatusOK || late.JSON(t)["duplicate"] != false {
		t.Errorf("late failure: %d %s", late.Status, late.Body)
	}
	p.work()
	sameLedger(t, "after a replay and a late failure", p.ledger(ref), "charge:14212")
	if got := p.reservation(ref, token); got["status"] != "confirmed" {
		t.Errorf("status %v after a late failure", got["status"])
	}
	if n := p.api.Int(t, `SELECT count(*) FROM payment_events WHERE processed_at IS NULL`); n != 0 {
		t.Errorf("%d events left unprocessed", n)
	}
}

// A payment that succeeds after its hold expired is refunded in full,
// and the guest is told.
func TestPaymentAfterTheHoldExpiredIsRefunded(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	ref, token, pi := p.threeDS("late@example.com")
	p.stripe.PauseWebhooks()
	if err := p.stripe.Authenticate(pi, true); err != nil {
		t.Fatal(err)
	}
	p.clock.Advance(booking.HoldTTL + time.Minute)
	if n, err := p.api.Service.ExpireHolds(context.Background()); err != nil || n == 0 {
		t.Fatalf("expired %d: %v", n, err)
	}
	p.work()
	p.stripe.ResumeWebhooks()
	p.waitWebhook("payment_intent.succeeded", 1)
	sameLedger(t, "late payment", p.ledger(ref), "charge:14212", "refund:14212")
	if got := p.reservation(ref, token); got["status"] != "expired" || got["payment"].(map[string]any)["paid_cents"] != float64(0) {
		t.Errorf("after the late payment: %v %v", got["status"], got["payment"])
	}
	if n := p.api.Int(t, `SELECT count(*) FROM outbox WHERE event_type = $1 AND aggregate_id = $2`,
		booking.EventPaymentRefunded, ref); n != 1 {
		t.Errorf("%d refund notices, want 1", n)
	}
	// The refund is in the provider's books too.
	refunds := 0
	for _, d := range p.stripe.Deliveries() {
		if strings.HasPrefix(d.Type, "charge.refunded") || strings.HasPrefix(d.Type, "refund.") {
			refunds++
		}
	}
	if refunds == 0 {
		t.Error("the provider saw no refund")
	}
}

// A hold whose payment never succeeds expires, and its PaymentIntent is
// cancelled.
func TestExpiredHoldCancelsItsPaymentIntent(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	ref, _, pi := p.threeDS("expired@example.com")
	p.clock.Advance(booking.HoldTTL + time.Minute)
	if _, err := p.api.Service.ExpireHolds(context.Background()); err != nil {
		t.Fatal(err)
	}
	p.work()
	p.waitWebhook("payment_intent.canceled", 1)
	if n := p.api.Int(t, `SELECT count(*) FROM reservations WHERE reference = $1 AND payment_intent IS NULL AND status = 'expired'`, ref); n != 1 {
		t.Errorf("the expired hold still waits on %s", pi)
	}
	sameLedger(t, "expired unpaid", p.ledger(ref))
}

// A prepaid (non-refundable) booking cancelled gets nothing back: the fee
// is what was paid.
func TestCancellingAPrepaidBookingRefundsNothing(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	ref, token := p.book(bookingBody(set("rate_plan", "STD-NR"), card("pm_card_visa")))
	q := p.do("GET", "/v1/reservations/"+ref+"/cancellation-quote", nil, bearer(token)...)
	if pay := q.JSON(t)["payment"].(map[string]any); pay["refund_cents"] != float64(0) {
		t.Errorf("quote: %v", pay)
	}
	c := p.do("POST", "/v1/reservations/"+ref+"/cancel", nil, with(bearer(token), "Idempotency-Key", newKey())...)
	if c.Status != http.StatusOK {
		t.Fatalf("%d %s", c.Status, c.Body)
	}
	p.work()
	sameLedger(t, "non-refundable cancelled", p.ledger(ref), "charge:14212")
}

// bookCard books body with the card pm and returns the reference, token
// and reservation as answered.
func (p *paying) bookCard(body map[string]any, pm string) (string, string, map[string]any) {
	p.t.Helper()
	card(pm)(body)
	r := p.do("POST", "/v1/reservations", body, "Idempotency-Key", newKey())
	if r.Status != http.StatusCreated {
		p.t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(p.t)
	res := m["reservation"].(map[string]any)
	return res["reference"].(string), m["access_token"].(string), res
}

func (p *paying) cancel(ref, token string) map[string]any {
	p.t.Helper()
	c := p.do("POST", "/v1/reservations/"+ref+"/cancel", nil, with(bearer(token), "Idempotency-Key", newKey())...)
	if c.Status != http.StatusOK {
		p.t.Fatalf("cancel: %d %s", c.Status, c.Body)
	}
	p.work()
	return c.JSON(p.t)["reservation"].(map[string]any)
}

// STD-FLEX guarantees with a card: nothing is charged when booking; a
// cancellation inside its 48 hours costs nothing, one after charges 30%
// of 2 × 8075 = 16150, 4845, off-session to the saved card.
func TestGuaranteeSavesTheCardAndChargesALateCancellation(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	free, freeToken, res := p.bookCard(bookingBody(), "pm_card_visa")
	pay := res["payment"].(map[string]any)
	if res["status"] != "confirmed" || pay["card_saved"] != true || pay["paid_cents"] != float64(0) || pay["status"] != "succeeded" {
		t.Fatalf("guarantee: %v %v", res["status"], pay)
	}
	sameLedger(t, "guarantee", p.ledger(free), "setup:0")
	p.cancel(free, freeToken)
	sameLedger(t, "cancelled in the free window", p.ledger(free), "setup:0")

	late, lateToken, _ := p.bookCard(bookingBody(), "pm_card_visa")
	// 2027-01-10 15:00 in Lisbon less 48 h is 2027-01-08 15:00 (UTC+0).
	p.clock.Advance(time.Date(2027, 1, 9, 12, 0, 0, 0, time.UTC).Sub(p.clock.Now()))
	q := p.do("GET", "/v1/reservations/"+late+"/cancellation-quote", nil, bearer(lateToken)...).JSON(t)
	if q["cancellation_fee_cents"] != float64(4845) || q["payment"].(map[string]any)["refund_cents"] != float64(0) {
		t.Errorf("late quote: %v %v", q["cancellation_fee_cents"], q["payment"])
	}
	got := p.cancel(late, lateToken)
	if got["cancellation_fee_cents"] != float64(4845) {
		t.Errorf("fee %v", got["cancellation_fee_cents"])
	}
	sameLedger(t, "cancelled late", p.ledger(late), "setup:0", "fee:4845")
	// The worker running it again charges nothing more.
	if err := p.api.Cashier.Settle(context.Background(), late); err != nil {
		t.Fatal(err)
	}
	sameLedger(t, "settled twice", p.ledger(late), "setup:0", "fee:4845")
}

// DLX-FLEX takes a 30% deposit of 2 × 14025 = 28050, 8415: cancelled in
// its 72 hours it is refunded; after, the fee is 50%, 14025, and the
// 5610 the deposit does not cover is charged to the card it saved.
func TestDepositRefundedOrTopedUpByTheTerms(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	dlx := func() map[string]any { return bookingBody(set("room_type", "DLX"), set("rate_plan", "DLX-FLEX")) }
	free, freeToken, res := p.bookCard(dlx(), "pm_card_visa")
	// In the free window, the whole deposit would come back.
	if pay := res["payment"].(map[string]any); pay["paid_cents"] != float64(8415) || pay["due_later_cents"] != float64(19635) ||
		pay["refund_cents"] != float64(8415) {
		t.Fatalf("deposit: %v", pay)
	}
	q := p.do("GET", "/v1/reservations/"+free+"/cancellation-quote", nil, bearer(freeToken)...).JSON(t)
	if q["payment"].(map[string]any)["refund_cents"] != float64(8415) {
		t.Errorf("free quote: %v", q["payment"])
	}
	p.cancel(free, freeToken)
	sameLedger(t, "deposit cancelled in the free window", p.ledger(free), "charge:8415", "refund:8415")

	late, lateToken, _ := p.bookCard(dlx(), "pm_card_visa")
	p.clock.Advance(time.Date(2027, 1, 9, 12, 0, 0, 0, time.UTC).Sub(p.clock.Now()))
	p.cancel(late, lateToken)
	sameLedger(t, "deposit cancelled late", p.ledger(late), "charge:8415", "fee:5610")
}

// A guarantee whose card fails off-session: the no-show fee's failure is
// recorded and shown on the desk record; a card that works pays it.
func TestNoShowFeeChargedOrItsFailureShownToStaff(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	ok, _, _ := p.bookCard(bookingBody(set("check_out", "2027-01-11")), "pm_card_visa")
	failing, _, _ := p.bookCard(bookingBody(set("check_out", "2027-01-11")), "pm_card_chargeCustomerFail")
	p.clock.Advance(time.Date(2027, 1, 11, 9, 0, 0, 0, time.UTC).Sub(p.clock.Now()))
	fees := map[string]float64{}
	for _, ref := range []string{ok, failing} {
		r := p.do("POST", "/v1/admin/reservations/"+ref+"/no-show", nil, with(admin(), "Idempotency-Key", newKey())...)
		if r.Status != http.StatusOK {
			t.Fatalf("no-show %s: %d %s", ref, r.Status, r.Body)
		}
		fees[ref] = r.JSON(t)["reservation"].(map[string]any)["no_show_fee_cents"].(float64)
	}
	p.work()
	if fees[ok] <= 0 {
		t.Fatalf("no-show fee %v", fees[ok])
	}
	sameLedger(t, "no-show", p.ledger(ok), "setup:0", "fee:"+strconv.Itoa(int(fees[ok])))
	sameLedger(t, "no-show, card failing", p.ledger(failing), "setup:0", "failure:"+strconv.Itoa(int(fees[failing])))
	d := p.do("GET", "/v1/admin/reservations/"+failing, nil, admin()...)
	if !strings.Contains(string(d.Body), `"failure"`) || !strings.Contains(string(d.Body), "decline") {
		t.Errorf("the desk record does not show the failed fee: %s", d.Body)
	}
}

// A guarantee card that needs 3-D Secure when saved waits for the
// webhook, as a payment does.
func TestGuaranteeWithAuthenticationConfirmsOnTheWebhook(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	ref, token, res := p.bookCard(bookingBody(), "pm_card_authenticationRequired")
	pay := res["payment"].(map[string]any)
	if res["status"] != "held" || pay["status"] != "requires_action" || pay["client_secret"] == nil {
		t.Fatalf("guarantee with 3-D Secure: %v %v", res["status"], pay)
	}
	if err := p.stripe.Authenticate(pay["pending"].(string), true); err != nil {
		t.Fatal(err)
	}
	p.waitWebhook("setup_intent.succeeded", 1)
	got := p.reservation(ref, token)
	if got["status"] != "confirmed" || got["payment"].(map[string]any)["card_saved"] != true {
		t.Errorf("after the webhook: %v %v", got["status"], got["payment"])
	}
	sameLedger(t, "guarantee after 3-D Secure", p.ledger(ref), "setup:0")
	// Declined when saved: 402, nothing held.
	r := p.do("POST", "/v1/reservations", bookingBody(card("pm_card_chargeDeclined")), "Idempotency-Key", newKey())
	r.Problem(t, http.StatusPaymentRequired, "payment-declined")
}

// A booking of a guaranteed STD-FLEX and a 30%-deposit DLX-FLEX is paid
// with one payment, the deposit (2 × 14025 × 30% = 8415); each line
// records its share. Cancelling the DLX line in its free window gives
// its share back alone. A declined card holds no line.
func TestBookingOfSeveralRoomsPaysOnce(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	body := func(pm string) map[string]any {
		return map[string]any{"hotel": "lisbon-riverside", "check_in": "2027-01-10", "check_out": "2027-01-12",
			"rooms": []map[string]any{{"room_type": "STD", "rate_plan": "STD-FLEX", "adults": 2},
				{"room_type": "DLX", "rate_plan": "DLX-FLEX", "adults": 2}},
			"guest":   map[string]any{"name": "Ana Silva", "email": "family@example.com"},
			"payment": map[string]any{"payment_method": pm}}
	}
	r := p.do("POST", "/v1/reservations", body("pm_card_visa"), "Idempotency-Key", newKey())
	if r.Status != http.StatusCreated {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	b := m["booking"].(map[string]any)
	if b["status"] != "confirmed" || m["payment"].(map[string]any)["status"] != "succeeded" {
		t.Fatalf("booking %v, payment %v", b["status"], m["payment"])
	}
	lines := b["lines"].([]any)
	std, dlx := lines[0].(map[string]any)["reference"].(string), lines[1].(map[string]any)["reference"].(string)
	sameLedger(t, "STD line", p.ledger(std), "setup:0")
	sameLedger(t, "DLX line", p.ledger(dlx), "charge:8415")
	if n := p.api.Int(t, `SELECT count(DISTINCT provider_ref) FROM payments WHERE reservation_id IN
		(SELECT id FROM reservations WHERE guest_email = 'family@example.com')`); n != 1 {
		t.Errorf("%d payments for one booking", n)
	}
	p.cancel(dlx, m["access_token"].(string))
	sameLedger(t, "DLX line cancelled", p.ledger(dlx), "charge:8415", "refund:8415")
	sameLedger(t, "STD line stays", p.ledger(std), "setup:0")

	d := p.do("POST", "/v1/reservations", body("pm_card_chargeDeclined"), "Idempotency-Key", newKey())
	d.Problem(t, http.StatusPaymentRequired, "payment-declined")
	if n := p.api.Int(t, `SELECT count(*) FROM reservations WHERE guest_email = 'family@example.com' AND status = 'held'`); n != 0 {
		t.Errorf("%d lines held after a decline", n)
	}
}

// A modification of a deposit booking charges the policy's share of the
// difference to the card the deposit saved, or refunds it: 2 nights of
// DLX-FLEX (deposit 8415) to 3 (42075, deposit 12623: 4208 more), then
// to 1 (14025, deposit 4208: 8415 back, 4208 of it from the top-up).
func TestModificationChargesOrRefundsTheDifference(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	ref, token, _ := p.bookCard(bookingBody(set("room_type", "DLX"), set("rate_plan", "DLX-FLEX")), "pm_card_visa")
	modify := func(checkOut string) map[string]any {
		r := p.do("POST", "/v1/reservations/"+ref+"/modify", map[string]any{"check_out": checkOut},
			with(bearer(token), "Idempotency-Key", newKey())...)
		if r.Status != http.StatusOK {
			t.Fatalf("modify to %s: %d %s", checkOut, r.Status, r.Body)
		}
		p.work()
		return p.reservation(ref, token)["payment"].(map[string]any)
	}
	if pay := modify("2027-01-13"); pay["due_now_cents"] != float64(12623) || pay["paid_cents"] != float64(12623) {
		t.Errorf("3 nights: %v", pay)
	}
	sameLedger(t, "longer", p.ledger(ref), "charge:8415", "charge:4208")
	if pay := modify("2027-01-11"); pay["due_now_cents"] != float64(4208) || pay["paid_cents"] != float64(4208) {
		t.Errorf("1 night: %v", pay)
	}
	// Refunded from the latest payment back: all of the top-up, then
	// the rest from the deposit.
	sameLedger(t, "shorter", p.ledger(ref), "charge:8415", "charge:4208", "refund:4208", "refund:4207")
	// Longer again: what is paid (4208) was paid before, yet the top-up
	// (8415) is a new charge, under a key of its own.
	if pay := modify("2027-01-13"); pay["paid_cents"] != float64(12623) {
		t.Errorf("3 nights again: %v", pay)
	}
	sameLedger(t, "longer again", p.ledger(ref), "charge:8415", "charge:4208", "refund:4208", "refund:4207", "charge:8415")
}

// Stripe not answering is a 503 naming the hold, in the provider's
// timeout, never a hang; the same request again pays the hold under the
// same provider key, once.
func TestStripeDownIsA503AndTheRetryPaysOnce(t *testing.T) {
	t.Parallel()
	clk := &clock.Clock{}
	st := testenv.StartStripeClock(t, "", clk)
	proxy := testenv.NewStallProxy(t, strings.TrimPrefix(st.URL, "http://"))
	direct := st.URL
	st.URL = "http://" + proxy.Addr()
	p := &paying{client: newClient(t, testenv.APIOptions{NoRelay: true, Stripe: st, Clock: clk.Now}), stripe: st, clock: clk}
	st.URL = direct

	proxy.Stall()
	key := newKey()
	body := bookingBody(set("rate_plan", "STD-NR"), card("pm_card_visa"),
		set("guest", map[string]any{"name": "Ana Silva", "email": "down@example.com"}))
	start := time.Now()
	r := p.do("POST", "/v1/reservations", body, "Idempotency-Key", key)
	r.Problem(t, http.StatusServiceUnavailable, "payment-unavailable")
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("the 503 took %s", took)
	}
	if n := p.api.Int(t, `SELECT count(*) FROM reservations WHERE guest_email = 'down@example.com' AND status = 'held'`); n != 1 {
		t.Errorf("%d holds after the outage, want the one the 503 names", n)
	}
	proxy.Resume()
	again := p.do("POST", "/v1/reservations", body, "Idempotency-Key", key)
	if again.Status != http.StatusCreated {
		t.Fatalf("retry: %d %s", again.Status, again.Body)
	}
	res := again.JSON(t)["reservation"].(map[string]any)
	if res["status"] != "confirmed" || res["payment"].(map[string]any)["paid_cents"] != float64(14212) {
		t.Errorf("retry: %v %v", res["status"], res["payment"])
	}
	sameLedger(t, "paid after the outage", p.ledger(res["reference"].(string)), "charge:14212")
	// The stalled first call reached nothing or the same key: one payment.
	time.Sleep(200 * time.Millisecond)
	intents := map[string]bool{}
	for _, d := range p.stripe.Deliveries() {
		if d.Type == "payment_intent.succeeded" {
			intents[d.ObjectID] = true
		}
	}
	if len(intents) != 1 {
		t.Errorf("%d payments succeeded, want 1", len(intents))
	}

	// A booking of several rooms too.
	proxy.Stall()
	key = newKey()
	rooms := map[string]any{"hotel": "lisbon-riverside", "check_in": "2027-01-10", "check_out": "2027-01-12",
		"rooms":   []map[string]any{{"room_type": "STD", "rate_plan": "STD-NR", "adults": 2}, {"room_type": "STD", "rate_plan": "STD-NR", "adults": 1}},
		"guest":   map[string]any{"name": "Ana Silva", "email": "down-rooms@example.com"},
		"payment": map[string]any{"payment_method": "pm_card_visa"}}
	p.do("POST", "/v1/reservations", rooms, "Idempotency-Key", key).Problem(t, http.StatusServiceUnavailable, "payment-unavailable")
	proxy.Resume()
	b := p.do("POST", "/v1/reservations", rooms, "Idempotency-Key", key)
	if b.Status != http.StatusCreated || b.JSON(t)["booking"].(map[string]any)["status"] != "confirmed" {
		t.Fatalf("booking retried: %d %s", b.Status, b.Body)
	}
	if n := p.api.Int(t, `SELECT count(*) FROM payments WHERE kind = 'charge' AND reservation_id IN
		(SELECT id FROM reservations WHERE guest_email = 'down-rooms@example.com')`); n != 2 {
		t.Errorf("%d charge rows for two lines, want 2", n)
	}
}

// A hold is paid when it is confirmed: a declined card is a 402 and the
// hold stays for another card, which confirms it.
func TestConfirmingAHoldPaysIt(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	ref, token := p.book(bookingBody(set("hold", true), set("rate_plan", "STD-NR")))
	confirm := func(pm string) result {
		var body any
		if pm != "" {
			body = map[string]any{"payment": map[string]any{"payment_method": pm}}
		}
		return p.do("POST", "/v1/reservations/"+ref+"/confirm", body, with(bearer(token), "Idempotency-Key", newKey())...)
	}
	confirm("").FieldError(t, http.StatusUnprocessableEntity, "payment.payment_method")
	confirm("pm_card_chargeDeclined").Problem(t, http.StatusPaymentRequired, "payment-declined")
	if got := p.reservation(ref, token); got["status"] != "held" {
		t.Fatalf("after a declined card: %v", got["status"])
	}
	ok := confirm("pm_card_visa")
	if ok.Status != http.StatusOK {
		t.Fatalf("%d %s", ok.Status, ok.Body)
	}
	if m := ok.JSON(t); m["reservation"].(map[string]any)["status"] != "confirmed" || m["access_token"] != nil {
		t.Errorf("confirmed with a card: %v (the token is shown once, at booking: %v)", m["reservation"].(map[string]any)["status"], m["access_token"])
	}
	sameLedger(t, "hold paid", p.ledger(ref), "failure:14212", "charge:14212")
}

// A hold waiting on a 3-D Secure payment cannot be paid again with
// another card until that payment fails (then it can); two
// confirmations at once with two keys charge once.
func TestAHoldIsPaidOnceWhateverTheConfirmations(t *testing.T) {
	t.Parallel()
	p := newPaying(t)
	ref, token := p.book(bookingBody(set("hold", true), set("rate_plan", "STD-NR")))
	confirm := func(pm string) result {
		return p.do("POST", "/v1/reservations/"+ref+"/confirm", map[string]any{"payment": map[string]any{"payment_method": pm}},
			with(bearer(token), "Idempotency-Key", newKey())...)
	}
	first := confirm("pm_card_authenticationRequired")
	if first.Status != http.StatusOK {
		t.Fatalf("%d %s", first.Status, first.Body)
	}
	pi := first.JSON(t)["reservation"].(map[string]any)["payment"].(map[string]any)["pending"].(string)
	confirm("pm_card_visa").Problem(t, http.StatusConflict, "conflict")
	if err := p.stripe.Authenticate(pi, false); err != nil {
		t.Fatal(err)
	}
	p.waitWebhook("payment_intent.payment_failed", 1)

	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := p.send("POST", "/v1/reservations/"+ref+"/confirm", map[string]any{"payment": map[string]any{"payment_method": "pm_card_visa"}},
				with(bearer(token), "Idempotency-Key", newKey())...)
			if err != nil {
				t.Error(err)
			}
			statuses[i] = r.Status
		}()
	}
	wg.Wait()
	slices.Sort(statuses)
	if statuses[0] != http.StatusOK || statuses[1] != http.StatusConflict {
		t.Errorf("two confirmations at once: %v, want one 200 and one 409", statuses)
	}
	sameLedger(t, "paid once", p.ledger(ref), "failure:14212", "charge:14212")
}
