package httpapi_test

import (
	"context"
	"net/http"
	"testing"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
)

// paymentOf is the "payment" object of a JSON answer m.
func paymentOf(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	p, ok := m["payment"].(map[string]any)
	if !ok {
		t.Fatalf("no payment in %v", m)
	}
	return p
}

// wantPayment checks a payment object's policy and amounts (JSON numbers).
func wantPayment(t *testing.T, what string, p map[string]any, policy string, now, later float64) {
	t.Helper()
	if p["policy"] != policy || p["due_now_cents"] != now || p["due_later_cents"] != later || p["currency"] != "EUR" {
		t.Errorf("%s: payment %v, want %s now %.0f later %.0f EUR", what, p, policy, now, later)
	}
}

// The Lisbon demo sells STD-FLEX under guarantee, DLX-FLEX with a 30%
// deposit and the NR plans prepaid. January is 85% of the base price;
// VAT is inside the room price and the tourist tax (400 a guest 13 or
// older a night) paid at the hotel, so in neither amount.
func TestPaymentTermsInOffersBookingsAndQuotes(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoRelay: true})

	r := c.do("GET", "/v1/hotels/lisbon-riverside/availability?check_in=2027-01-10&check_out=2027-01-11&adults=2", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	offers := map[string]map[string]any{}
	for _, o := range r.JSON(t)["offers"].([]any) {
		o := o.(map[string]any)
		offers[o["rate_plan"].(string)] = o
	}
	// STD-FLEX: 9500 × 85% = 8075, all later.
	wantPayment(t, "STD-FLEX offer", paymentOf(t, offers["STD-FLEX"]), "guarantee", 0, 8075)
	// DLX-FLEX: 16500 × 85% = 14025; 30% = 4207.5, half up 4208.
	wantPayment(t, "DLX-FLEX offer", paymentOf(t, offers["DLX-FLEX"]), "deposit", 4208, 9817)
	// STD-NR: 8360 × 85% = 7106, all now.
	wantPayment(t, "STD-NR offer", paymentOf(t, offers["STD-NR"]), "prepay", 7106, 0)
	// Cancelled right after booking, in the free window: the deposit
	// comes back whole, a prepayment (non-refundable) not at all.
	if r := paymentOf(t, offers["DLX-FLEX"])["refund_cents"]; r != float64(4208) {
		t.Errorf("DLX-FLEX offer refund %v, want 4208", r)
	}
	if r := paymentOf(t, offers["STD-NR"])["refund_cents"]; r != float64(0) {
		t.Errorf("STD-NR offer refund %v, want 0", r)
	}
	if price := offers["STD-NR"]["price"].(map[string]any); price["pay_at_hotel_cents"] != float64(800) {
		t.Errorf("STD-NR pays %v at the hotel, want 2 guests × 400 = 800 apart", price["pay_at_hotel_cents"])
	}

	// The booking shows the same, as booked.
	b := c.do("POST", "/v1/reservations", bookingBody(set("room_type", "DLX"), set("rate_plan", "DLX-FLEX"),
		set("check_out", "2027-01-11")), "Idempotency-Key", newKey())
	if b.Status != http.StatusCreated {
		t.Fatalf("book: %d %s", b.Status, b.Body)
	}
	env := b.JSON(t)
	res := env["reservation"].(map[string]any)
	wantPayment(t, "DLX-FLEX booking", paymentOf(t, res), "deposit", 4208, 9817)
	ref, token := res["reference"].(string), env["access_token"].(string)

	// Cancelling inside the free window gives back all that was paid:
	// the deposit, once the ledger holds it.
	q := c.do("GET", "/v1/reservations/"+ref+"/cancellation-quote", nil, bearer(token)...)
	if p := paymentOf(t, q.JSON(t)); p["refund_cents"] != float64(0) {
		t.Fatalf("nothing paid yet: refund %v, want 0", p["refund_cents"])
	}
	read, err := c.api.Store.Reservation(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.api.Store.RecordPayment(context.Background(), booking.PaymentRecord{ReservationID: read.ID,
		Kind: booking.PaymentCharge, AmountCents: 4208, Currency: "EUR", ProviderRef: "pi_1", Status: "succeeded",
		IdempotencyKey: "test-" + ref + "-deposit"}); err != nil {
		t.Fatal(err)
	}
	q = c.do("GET", "/v1/reservations/"+ref+"/cancellation-quote", nil, bearer(token)...)
	m := q.JSON(t)
	wantPayment(t, "DLX-FLEX quote", paymentOf(t, m), "deposit", 4208, 9817)
	if p := paymentOf(t, m); p["refund_cents"] != float64(4208) || m["cancellation_fee_cents"] != float64(0) {
		t.Fatalf("inside the free window: refund %v fee %v, want 4208 and 0", p["refund_cents"], m["cancellation_fee_cents"])
	}

	// The desk record lists the ledger.
	d := c.do("GET", "/v1/admin/reservations/"+ref, nil, admin()...).JSON(t)
	ps := d["payments"].([]any)
	if len(ps) != 1 || d["paid_cents"] != float64(4208) {
		t.Fatalf("desk payments %v paid %v, want the one 4208 charge", ps, d["paid_cents"])
	}
	if p := ps[0].(map[string]any); p["kind"] != "charge" || p["amount_cents"] != float64(4208) || p["provider_ref"] != "pi_1" || p["provider"] != "stripe" {
		t.Fatalf("desk payment %v", p)
	}

	// The modification quote to two nights: 28050, 30% = 8415 now.
	mq := c.do("POST", "/v1/reservations/"+ref+"/modification-quote", map[string]any{"check_out": "2027-01-12"}, bearer(token)...)
	if mq.Status != http.StatusOK {
		t.Fatalf("modification quote: %d %s", mq.Status, mq.Body)
	}
	wantPayment(t, "DLX-FLEX modification quote", paymentOf(t, mq.JSON(t)), "deposit", 8415, 19635)
}

// Outside the free window a refund is what was paid minus the fee. On
// 3 December (130%), DLX-FLEX is 21450 a night, its 72 hours long past
// at the test clock (1 December 10:00): the fee is 50%, 10725.
func TestCancellationQuoteRefundOutsideTheFreeWindow(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoRelay: true})
	ref, token := c.book(bookingBody(set("room_type", "DLX"), set("rate_plan", "DLX-FLEX"),
		set("check_in", "2026-12-03"), set("check_out", "2026-12-04")))
	read, err := c.api.Store.Reservation(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	for key, cents := range map[string]int64{"deposit": 6435, "rest": 15015} {
		if _, _, err := c.api.Store.RecordPayment(context.Background(), booking.PaymentRecord{ReservationID: read.ID,
			Kind: booking.PaymentCharge, AmountCents: cents, Currency: "EUR", Status: "succeeded",
			IdempotencyKey: "test-" + ref + "-" + key}); err != nil {
			t.Fatal(err)
		}
	}
	m := c.do("GET", "/v1/reservations/"+ref+"/cancellation-quote", nil, bearer(token)...).JSON(t)
	p := paymentOf(t, m)
	// 30% of 21450 = 6435 now, 15015 later; paid 21450 − fee 10725.
	wantPayment(t, "quote", p, "deposit", 6435, 15015)
	if m["cancellation_fee_cents"] != float64(10725) || p["refund_cents"] != float64(10725) {
		t.Fatalf("fee %v refund %v, want 10725 and 10725", m["cancellation_fee_cents"], p["refund_cents"])
	}
}

func TestRatePlanPaymentPolicyOverTheAPI(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoRelay: true})
	plans := "/v1/admin/hotels/lisbon-riverside/rate-plans"
	body := map[string]any{"room_type": "STD", "code": "STD-DEP", "name": "Deposit", "refundable": true,
		"free_cancellation_hours": 24, "penalty_percent": 20, "payment_policy": "deposit"}
	c.do("POST", plans, body, admin()...).FieldError(t, http.StatusUnprocessableEntity, "deposit_percent")
	body["deposit_percent"] = 25
	r := c.do("POST", plans, body, admin()...)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	if p := r.JSON(t)["rate_plan"].(map[string]any); p["payment_policy"] != "deposit" || p["deposit_percent"] != float64(25) {
		t.Fatalf("created %v", p)
	}
	// A non-refundable plan without a policy is prepaid.
	nr := c.do("POST", plans, map[string]any{"room_type": "STD", "code": "STD-NR2", "name": "NR", "refundable": false}, admin()...)
	if p := nr.JSON(t)["rate_plan"].(map[string]any); p["payment_policy"] != "prepay" || p["deposit_percent"] != float64(0) {
		t.Fatalf("default for a non-refundable plan: %v", p)
	}
	c.do("PATCH", plans+"/STD-DEP", map[string]any{"payment_policy": "later"}, admin()...).
		FieldError(t, http.StatusUnprocessableEntity, "payment_policy")
	up := c.do("PATCH", plans+"/STD-DEP", map[string]any{"payment_policy": "guarantee"}, admin()...)
	if p := up.JSON(t)["rate_plan"].(map[string]any); p["payment_policy"] != "guarantee" || p["deposit_percent"] != float64(0) {
		t.Fatalf("patched %v", p)
	}
	// The hotel detail shows each plan's policy.
	h := c.do("GET", "/v1/hotels/lisbon-riverside", nil).JSON(t)
	got := map[string]string{}
	for _, p := range h["hotel"].(map[string]any)["rate_plans"].([]any) {
		p := p.(map[string]any)
		got[p["code"].(string)] = p["payment_policy"].(string)
	}
	if got["STD-FLEX"] != "guarantee" || got["DLX-FLEX"] != "deposit" || got["STD-NR"] != "prepay" || got["STD-DEP"] != "guarantee" {
		t.Fatalf("hotel detail policies %v", got)
	}
}

// The revenue report's collected_cents is the payments ledger's net per
// arrival night, beside the revenue booked: on the 4th, the cancelled
// non-refundable stay's 14000 charged and 2000 refunded; on the 2nd, the
// suite's 40000 deposit; the stay of the 1st is outside the range.
func TestFinanceRevenueCollectedFromTheLedger(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoDemo: true})
	revenueStays(t, c)
	ctx := context.Background()
	rows, err := c.api.Store.Pool().Query(ctx, `SELECT r.id, r.check_in::text, r.currency FROM reservations r
		WHERE r.status <> 'held' ORDER BY r.id`)
	if err != nil {
		t.Fatal(err)
	}
	type res struct {
		id       int64
		in, curr string
	}
	var all []res
	for rows.Next() {
		var r res
		if err := rows.Scan(&r.id, &r.in, &r.curr); err != nil {
			t.Fatal(err)
		}
		all = append(all, r)
	}
	rows.Close()
	pay := func(in, kind string, cents int64, key string) {
		t.Helper()
		for _, r := range all {
			if r.in == in && r.curr == "EUR" {
				if _, _, err := c.api.Store.RecordPayment(ctx, booking.PaymentRecord{ReservationID: r.id, Kind: kind,
					AmountCents: cents, Currency: r.curr, Status: "succeeded", IdempotencyKey: key}); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		t.Fatalf("no EUR stay arriving %s", in)
	}
	pay("2027-03-04", booking.PaymentCharge, 14000, "nr-charge")
	pay("2027-03-04", booking.PaymentRefund, 2000, "nr-refund")
	pay("2027-03-02", booking.PaymentCharge, 40000, "suite-deposit")
	pay("2027-03-02", booking.PaymentFailure, 999, "suite-declined")
	pay("2027-03-01", booking.PaymentCharge, 32000, "outside")

	r := c.do("GET", "/v1/finance/revenue?hotel=porto-ribeira&from=2027-03-02&to=2027-03-05", nil, bearer(c.apiKey("finance"))...)
	if r.Status != http.StatusOK {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	got := map[string]float64{}
	for _, x := range m["rows"].([]any) {
		x := x.(map[string]any)
		got[x["day"].(string)] = x["collected_cents"].(float64)
	}
	want := map[string]float64{"2027-03-02": 40000, "2027-03-03": 0, "2027-03-04": 12000}
	for d, w := range want {
		if got[d] != w {
			t.Errorf("collected on %s = %v, want %v (all %v)", d, got[d], w, got)
		}
	}
	if tot := m["totals"].([]any)[0].(map[string]any); tot["collected_cents"] != float64(52000) {
		t.Errorf("total collected %v, want 52000", tot["collected_cents"])
	}
}
