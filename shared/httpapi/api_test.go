package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"innkeeper/local/testenv"
)

func TestHotels(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})

	r := c.do("GET", "/v1/hotels", nil)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	hotels := r.JSON(t)["hotels"].([]any)
	if len(hotels) != 2 {
		t.Fatalf("want the 2 demo hotels, got %d", len(hotels))
	}
	first := hotels[0].(map[string]any)
	for _, k := range []string{"slug", "name", "city", "country", "timezone", "currency"} {
		if first[k] == nil || first[k] == "" {
			t.Errorf("hotel lacks %s: %v", k, first)
		}
	}

	r = c.do("GET", "/v1/hotels/nyc-midtown", nil)
	h := r.JSON(t)["hotel"].(map[string]any)
	if h["timezone"] != "America/New_York" || len(h["room_types"].([]any)) != 3 || len(h["rate_plans"].([]any)) != 6 {
		t.Fatalf("detail: %s", r.Body)
	}
	c.do("GET", "/v1/hotels/atlantis", nil).Problem(t, 404, "not-found")
	c.do("GET", "/v1/hotels/..%2f..%2fetc", nil).Problem(t, 404, "not-found")
}

func TestAvailability(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	r := c.do("GET", "/v1/hotels/lisbon-riverside/availability?check_in=2027-01-10&check_out=2027-01-13&adults=2&children=0&rooms=1", nil)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	if m["nights"] != float64(3) || m["check_in"] != "2027-01-10" || m["hotel"] != "lisbon-riverside" {
		t.Fatalf("envelope: %s", r.Body)
	}
	offers := m["offers"].([]any)
	if len(offers) != 6 {
		t.Fatalf("want 6 offers (3 room types × 2 plans), got %d", len(offers))
	}
	for _, o := range offers {
		o := o.(map[string]any)
		nightly := o["nightly"].([]any)
		var sum float64
		for _, n := range nightly {
			sum += n.(map[string]any)["amount_cents"].(float64)
		}
		if len(nightly) != 3 || sum != o["total_cents"] {
			t.Fatalf("offer %v: nightly does not add up to the total", o)
		}
		if o["refundable"] == false && o["free_cancellation_until"] != nil {
			t.Fatalf("non-refundable offer with free cancellation: %v", o)
		}
		if o["refundable"] == true && o["free_cancellation_until"] == nil {
			t.Fatalf("refundable offer without a deadline: %v", o)
		}
	}

	// Four adults fit only the family suite; two rooms for 3 adults fit more.
	r = c.do("GET", "/v1/hotels/lisbon-riverside/availability?check_in=2027-01-10&check_out=2027-01-13&adults=4", nil)
	for _, o := range r.JSON(t)["offers"].([]any) {
		if rt := o.(map[string]any)["room_type"]; rt != "FAM" {
			t.Fatalf("4 adults offered %v", rt)
		}
	}
	// Three family suites exist: asking for four offers nothing.
	r = c.do("GET", "/v1/hotels/lisbon-riverside/availability?check_in=2027-01-10&check_out=2027-01-11&adults=4&rooms=4", nil)
	for _, o := range r.JSON(t)["offers"].([]any) {
		if rt := o.(map[string]any)["room_type"]; rt == "FAM" {
			t.Fatal("offered 4 family suites of 3")
		}
	}
	// Sell the last family suites on one night: they vanish from the offers.
	c.api.Exec(t, `UPDATE inventory SET sold = units FROM room_types rt
		WHERE rt.id = inventory.room_type_id AND rt.code = 'FAM' AND night = '2027-01-11'`)
	r = c.do("GET", "/v1/hotels/lisbon-riverside/availability?check_in=2027-01-10&check_out=2027-01-13&adults=4", nil)
	if n := len(r.JSON(t)["offers"].([]any)); n != 0 {
		t.Fatalf("sold-out room type still offered: %s", r.Body)
	}
}

func TestAvailabilityRejectsBadQueries(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	base := "/v1/hotels/lisbon-riverside/availability?"
	tests := []struct {
		name, query, field string
	}{
		{"missing dates", "adults=2", "check_in"},
		{"not a real date", "check_in=2027-02-30&check_out=2027-03-02", "check_in"},
		{"check-out before check-in", "check_in=2027-01-10&check_out=2027-01-09", "check_out"},
		{"same day", "check_in=2027-01-10&check_out=2027-01-10", "check_out"},
		{"31 nights", "check_in=2027-01-10&check_out=2027-02-10", "check_out"},
		{"in the past", "check_in=2026-11-30&check_out=2026-12-02", "check_in"},
		{"beyond 18 months", "check_in=2028-06-05&check_out=2028-06-06", "check_in"},
		{"adults not a number", "check_in=2027-01-10&check_out=2027-01-11&adults=two", "adults"},
		{"zero rooms", "check_in=2027-01-10&check_out=2027-01-11&rooms=0", "rooms"},
		{"unknown parameter", "check_in=2027-01-10&check_out=2027-01-11&chek_out=1", "chek_out"},
		{"repeated parameter", "check_in=2027-01-10&check_in=2027-01-11&check_out=2027-01-12", "check_in"},
		{"SQL in a parameter", "check_in=2027-01-10'%20OR%201=1--&check_out=2027-01-11", "check_in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.do("GET", base+tt.query, nil).FieldError(t, 422, tt.field)
		})
	}
	c.do("GET", "/v1/hotels/nowhere/availability?check_in=2027-01-10&check_out=2027-01-11", nil).Problem(t, 404, "not-found")
}

func TestGuestJourney(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})

	r := c.do("POST", "/v1/reservations", bookingBody(), "Idempotency-Key", newKey())
	if r.Status != http.StatusCreated {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	res := m["reservation"].(map[string]any)
	ref, token := res["reference"].(string), m["access_token"].(string)
	if r.Header.Get("Location") != "/v1/reservations/"+ref || !strings.HasPrefix(ref, "INK-") || len(ref) != 10 {
		t.Fatalf("reference %q, Location %q", ref, r.Header.Get("Location"))
	}
	for _, k := range []string{"reference", "status", "hotel", "room_type", "rate_plan", "check_in", "check_out", "rooms", "adults", "children", "total_cents", "currency", "hold_expires_at", "cancellation_fee_cents", "created_at"} {
		if _, ok := res[k]; !ok {
			t.Errorf("reservation lacks %s", k)
		}
	}
	if res["status"] != "confirmed" || res["currency"] != "EUR" || res["total_cents"].(float64) <= 0 {
		t.Fatalf("reservation: %v", res)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Fatal("a response with a token must not be cached")
	}
	// The token is stored hashed only.
	if n := c.api.Int(t, `SELECT count(*) FROM reservations WHERE access_token_hash = convert_to($1, 'UTF8')`, token); n != 0 {
		t.Fatal("the access token is stored in clear")
	}
	if n := c.api.Int(t, `SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND event_type = 'reservation.confirmed'`, ref); n != 1 {
		t.Fatalf("outbox has %d confirmed events, want 1", n)
	}

	got := c.do("GET", "/v1/reservations/"+ref, nil, bearer(token)...)
	if got.Status != 200 || got.JSON(t)["reservation"].(map[string]any)["reference"] != ref {
		t.Fatalf("get: %d %s", got.Status, got.Body)
	}
	if _, ok := got.JSON(t)["access_token"]; ok {
		t.Fatal("the token is shown once, at creation")
	}
	// Wrong, missing or another's token: 404, as for a reference that does not exist.
	c.do("GET", "/v1/reservations/"+ref, nil, bearer("rat_wrong")...).Problem(t, 404, "not-found")
	c.do("GET", "/v1/reservations/"+ref, nil).Problem(t, 404, "not-found")
	otherRef, otherToken := c.book(bookingBody(set("room_type", "DLX"), set("rate_plan", "DLX-FLEX")))
	c.do("GET", "/v1/reservations/"+ref, nil, bearer(otherToken)...).Problem(t, 404, "not-found")
	c.do("GET", "/v1/reservations/INK-ZZZZZZ", nil, bearer(token)...).Problem(t, 404, "not-found")
	c.do("POST", "/v1/reservations/"+otherRef+"/cancel", nil, with(bearer(token), "Idempotency-Key", newKey())...).Problem(t, 404, "not-found")

	// Quote, then cancel: 2027-01-10 is far ahead, so free.
	q := c.do("GET", "/v1/reservations/"+ref+"/cancellation-quote", nil, bearer(token)...)
	if q.Status != 200 || q.JSON(t)["cancellation_fee_cents"] != float64(0) {
		t.Fatalf("quote: %d %s", q.Status, q.Body)
	}
	if st := c.api.Int(t, `SELECT count(*) FROM reservations WHERE reference = $1 AND status = 'confirmed'`, ref); st != 1 {
		t.Fatal("a quote changed the reservation")
	}
	c.do("POST", "/v1/reservations/"+ref+"/cancel", nil, bearer(token)...).Problem(t, 400, "idempotency-key-missing")
	cancel := c.do("POST", "/v1/reservations/"+ref+"/cancel", nil, with(bearer(token), "Idempotency-Key", newKey())...)
	cres := cancel.JSON(t)["reservation"].(map[string]any)
	if cancel.Status != 200 || cres["status"] != "cancelled" || cres["cancellation_fee_cents"] != float64(0) {
		t.Fatalf("cancel: %d %s", cancel.Status, cancel.Body)
	}
	c.do("POST", "/v1/reservations/"+ref+"/cancel", nil, with(bearer(token), "Idempotency-Key", newKey())...).Problem(t, 409, "invalid-transition")
	c.do("GET", "/v1/reservations/"+ref+"/cancellation-quote", nil, bearer(token)...).Problem(t, 409, "invalid-transition")
	if sold := c.api.Int(t, `SELECT sum(sold) FROM inventory i JOIN room_types rt ON rt.id = i.room_type_id
		WHERE rt.code = 'STD' AND night IN ('2027-01-10', '2027-01-11')`); sold != 0 {
		t.Fatalf("cancelled nights still sold: %d", sold)
	}
}

func TestCancellationFeeAfterTheFreePeriod(t *testing.T) {
	t.Parallel()
	// A clock set 1 day before check-in: the 48 h free period is over.
	c := newClient(t, testenv.APIOptions{Clock: func() time.Time { return time.Date(2027, 1, 9, 12, 0, 0, 0, time.UTC) }})
	ref, token := c.book(bookingBody())
	q := c.do("GET", "/v1/reservations/"+ref+"/cancellation-quote", nil, bearer(token)...).JSON(t)
	total := q["total_cents"].(float64)
	want := float64(int64(total*30+50) / 100) // STD-FLEX charges 30%
	if q["cancellation_fee_cents"] != want {
		t.Fatalf("quote fee %v, want 30%% of %v = %v", q["cancellation_fee_cents"], total, want)
	}
	res := c.do("POST", "/v1/reservations/"+ref+"/cancel", nil, with(bearer(token), "Idempotency-Key", newKey())...).JSON(t)["reservation"].(map[string]any)
	if res["cancellation_fee_cents"] != want {
		t.Fatalf("cancel fee %v, want %v", res["cancellation_fee_cents"], want)
	}
	// Non-refundable: the whole total.
	ref, token = c.book(bookingBody(set("rate_plan", "STD-NR")))
	res = c.do("POST", "/v1/reservations/"+ref+"/cancel", nil, with(bearer(token), "Idempotency-Key", newKey())...).JSON(t)["reservation"].(map[string]any)
	if res["cancellation_fee_cents"] != res["total_cents"] {
		t.Fatalf("non-refundable fee %v of %v", res["cancellation_fee_cents"], res["total_cents"])
	}
}

func TestHolds(t *testing.T) {
	t.Parallel()
	now := testenv.Clock
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := newClient(t, testenv.APIOptions{Clock: clock})

	r := c.do("POST", "/v1/reservations", bookingBody(set("hold", true)), "Idempotency-Key", newKey())
	res := r.JSON(t)["reservation"].(map[string]any)
	if r.Status != 201 || res["status"] != "held" || res["hold_expires_at"] == nil {
		t.Fatalf("hold: %d %s", r.Status, r.Body)
	}
	exp, _ := time.Parse(time.RFC3339, res["hold_expires_at"].(string))
	if !exp.Equal(now.Add(15 * time.Minute)) {
		t.Fatalf("hold expires %v, want 15 minutes after %v", exp, now)
	}
	ref, token := res["reference"].(string), r.JSON(t)["access_token"].(string)
	conf := c.do("POST", "/v1/reservations/"+ref+"/confirm", nil, with(bearer(token), "Idempotency-Key", newKey())...)
	if conf.Status != 200 || conf.JSON(t)["reservation"].(map[string]any)["status"] != "confirmed" {
		t.Fatalf("confirm: %d %s", conf.Status, conf.Body)
	}
	c.do("POST", "/v1/reservations/"+ref+"/confirm", nil, with(bearer(token), "Idempotency-Key", newKey())...).Problem(t, 409, "invalid-transition")

	// A hold confirmed too late is expired and its nights given back.
	ref, token = c.book(bookingBody(set("hold", true)))
	mu.Lock()
	now = now.Add(16 * time.Minute)
	mu.Unlock()
	c.do("POST", "/v1/reservations/"+ref+"/confirm", nil, with(bearer(token), "Idempotency-Key", newKey())...).Problem(t, 409, "hold-expired")
	got := c.do("GET", "/v1/reservations/"+ref, nil, bearer(token)...).JSON(t)["reservation"].(map[string]any)
	if got["status"] != "expired" {
		t.Fatalf("status %v after a late confirm, want expired", got["status"])
	}
	if sold := c.api.Int(t, `SELECT sold FROM inventory i JOIN room_types rt ON rt.id = i.room_type_id
		JOIN hotels h ON h.id = rt.hotel_id WHERE h.slug = 'lisbon-riverside' AND rt.code = 'STD' AND night = '2027-01-10'`); sold != 1 {
		t.Fatalf("sold %d on the night: want 1 (the confirmed hold only)", sold)
	}
}

func TestBookingRejectsBadInput(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	count := func() int {
		return c.api.Int(t, `SELECT (SELECT count(*) FROM reservations) + (SELECT sum(sold) FROM inventory)`)
	}
	before := count()

	type check func(t *testing.T, r result)
	field := func(status int, f string) check {
		return func(t *testing.T, r result) { r.FieldError(t, status, f) }
	}
	kind := func(status int, k string) check {
		return func(t *testing.T, r result) { r.Problem(t, status, k) }
	}
	body := func(edits ...func(map[string]any)) any { return bookingBody(edits...) }
	tests := []struct {
		name    string
		body    any
		headers []string
		want    check
	}{
		{"malformed JSON", `{"hotel": "lisbon-riverside",`, nil, kind(400, "bad-request")},
		{"not an object", `[1,2]`, nil, kind(400, "bad-request")},
		{"two objects", `{} {}`, nil, kind(400, "bad-request")},
		{"empty body", ``, nil, kind(400, "bad-request")},
		{"unknown field", body(set("coupon", "FREE")), nil, field(400, "coupon")},
		{"wrong type", body(set("adults", "two")), nil, field(400, "adults")},
		{"not a real date", body(set("check_in", "2027-02-29")), nil, field(422, "check_in")},
		{"date in another format", body(set("check_in", "10/01/2027")), nil, field(422, "check_in")},
		{"check-out not after check-in", body(set("check_out", "2027-01-10")), nil, field(422, "check_out")},
		{"over 30 nights", body(set("check_out", "2027-02-12")), nil, field(422, "check_out")},
		{"in the past", body(set("check_in", "2026-11-20")), nil, field(422, "check_in")},
		{"over 18 months ahead", body(set("check_in", "2028-07-01"), set("check_out", "2028-07-02")), nil, field(422, "check_in")},
		{"too many adults for the room", body(set("adults", 3)), nil, field(422, "adults")},
		{"too many children", body(set("children", 2)), nil, field(422, "children")},
		{"no adults field", body(func(m map[string]any) { delete(m, "adults") }), nil, field(422, "adults")},
		{"bad email", body(set("guest", map[string]any{"name": "A", "email": "not-an-email"})), nil, field(422, "guest.email")},
		{"no guest name", body(set("guest", map[string]any{"email": "a@example.com"})), nil, field(422, "guest.name")},
		{"unknown hotel", body(set("hotel", "atlantis")), nil, kind(404, "not-found")},
		{"unknown room type", body(set("room_type", "PENTHOUSE")), nil, kind(404, "not-found")},
		{"plan of another room type", body(set("rate_plan", "DLX-FLEX")), nil, kind(404, "not-found")},
		{"SQL in a field", body(set("hotel", "x' OR '1'='1")), nil, kind(404, "not-found")},
		{"wrong content type", `hotel=lisbon`, []string{"Content-Type", "application/x-www-form-urlencoded"}, kind(415, "unsupported-media-type")},
		{"no content type", `{}`, []string{"Content-Type", ""}, kind(415, "unsupported-media-type")},
		{"over 64 KiB", `{"hotel":"` + strings.Repeat("a", 70<<10) + `"}`, nil, kind(413, "too-large")},
		{"no idempotency key", body(), []string{"Idempotency-Key", ""}, kind(400, "idempotency-key-missing")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			headers := append([]string{"Idempotency-Key", newKey()}, tt.headers...)
			tt.want(t, c.do("POST", "/v1/reservations", tt.body, headers...))
		})
	}
	if after := count(); after != before {
		t.Fatalf("bad input changed the database: %d → %d", before, after)
	}
}

func TestConcurrentBookingsNeverOversell(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	// FAM has 3 units; leave the nights as they are and count the rest.
	const fam = `SELECT i.night, i.units, i.sold FROM inventory i JOIN room_types rt ON rt.id = i.room_type_id
		JOIN hotels h ON h.id = rt.hotel_id WHERE h.slug = 'lisbon-riverside' AND rt.code = 'FAM'`
	othersBefore := c.api.Int(t, `SELECT sum(sold) FROM inventory i JOIN room_types rt ON rt.id = i.room_type_id WHERE rt.code <> 'FAM'`)
	if n := c.api.Int(t, `SELECT units - sold FROM (`+fam+`) f WHERE night = '2027-02-03'`); n != 3 {
		t.Fatalf("fixture: %d family suites free, want 3", n)
	}

	const parallel = 50
	statuses := make([]int, parallel)
	kinds := make([]string, parallel)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			// Guest Aa, Guest Ab, …: a name holds no digits.
			r, err := c.send("POST", "/v1/reservations", bookingBody(
				set("room_type", "FAM"), set("rate_plan", "FAM-FLEX"),
				set("check_in", "2027-02-02"), set("check_out", "2027-02-05"), set("adults", 2),
				set("guest", map[string]any{"name": fmt.Sprintf("Guest %c%c", 'A'+i/26, 'a'+i%26), "email": fmt.Sprintf("g%d@example.com", i)}),
			), "Idempotency-Key", newKey())
			if err != nil {
				t.Errorf("request %d: %v", i, err)
				return
			}
			statuses[i] = r.Status
			if r.Status != http.StatusCreated {
				m, err := r.object()
				if err != nil {
					t.Errorf("request %d: %v", i, err)
					return
				}
				typ, _ := m["type"].(string)
				kinds[i] = typ
			}
		}()
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		t.FailNow() // a request above failed: what follows would only repeat it
	}

	created := 0
	for i, s := range statuses {
		switch {
		case s == http.StatusCreated:
			created++
		case s == http.StatusConflict && strings.HasSuffix(kinds[i], "/sold-out"):
		default:
			t.Errorf("request %d: %d %s, want 201 or 409 sold-out", i, s, kinds[i])
		}
	}
	if created != 3 {
		t.Fatalf("%d bookings succeeded, want exactly 3", created)
	}
	for _, night := range []string{"2027-02-02", "2027-02-03", "2027-02-04"} {
		if n := c.api.Int(t, `SELECT units - sold FROM (`+fam+`) f WHERE night = $1`, night); n != 0 {
			t.Errorf("%s: %d units free, want 0 (sold = units)", night, n)
		}
	}
	if n := c.api.Int(t, `SELECT sum(sold) FROM (`+fam+`) f WHERE night NOT BETWEEN '2027-02-02' AND '2027-02-04'`); n != 0 {
		t.Errorf("other nights changed: %d sold", n)
	}
	if after := c.api.Int(t, `SELECT sum(sold) FROM inventory i JOIN room_types rt ON rt.id = i.room_type_id WHERE rt.code <> 'FAM'`); after != othersBefore {
		t.Errorf("other room types changed: %d → %d", othersBefore, after)
	}
	if n := c.api.Int(t, `SELECT count(*) FROM reservations WHERE check_in = '2027-02-02'`); n != 3 {
		t.Errorf("%d reservations written, want 3", n)
	}
	if n := c.api.Int(t, `SELECT count(*) FROM outbox o JOIN reservations r ON r.reference = o.aggregate_id WHERE r.check_in = '2027-02-02'`); n != 3 {
		t.Errorf("%d outbox rows, want 3", n)
	}
}

func TestIdempotency(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	key := newKey()

	first := c.do("POST", "/v1/reservations", bookingBody(), "Idempotency-Key", key)
	if first.Status != 201 {
		t.Fatalf("%d %s", first.Status, first.Body)
	}

	t.Run("replay", func(t *testing.T) {
		// The same request, formatted differently and with the key quoted
		// as a structured-field string, gets the first response again.
		raw := `{"guest":{"phone":"+351 912 345 678","email":"ana@example.com","name":"Ana Silva"},"hold":false,"rooms":1,"children":0,"adults":2,
			"check_out":"2027-01-12","check_in":"2027-01-10","rate_plan":"STD-FLEX","room_type":"STD","hotel":"lisbon-riverside"}`
		again := c.do("POST", "/v1/reservations", raw, "Idempotency-Key", `"`+key+`"`)
		if again.Status != 201 || string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %q\n%s\nwant\n%s", again.Status, again.Header.Get("Idempotent-Replayed"), again.Body, first.Body)
		}
		if again.Header.Get("Location") != first.Header.Get("Location") {
			t.Fatal("replay lost the Location header")
		}
		if n := c.api.Int(t, `SELECT count(*) FROM reservations WHERE guest_email = 'ana@example.com'`); n != 1 {
			t.Fatalf("%d reservations after a replay, want 1", n)
		}
	})

	t.Run("mismatch", func(t *testing.T) {
		c.do("POST", "/v1/reservations", bookingBody(set("rooms", 2), set("adults", 2)), "Idempotency-Key", key).
			Problem(t, 422, "idempotency-key-reused")
		if n := c.api.Int(t, `SELECT count(*) FROM reservations WHERE guest_email = 'ana@example.com'`); n != 1 {
			t.Fatalf("%d reservations after a mismatch, want 1", n)
		}
	})

	t.Run("in flight", func(t *testing.T) {
		// Hold the FAM inventory rows so the first request blocks inside
		// its transaction with the key taken.
		ctx := context.Background()
		tx, err := c.api.Store.Pool().Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `SELECT 1 FROM inventory i JOIN room_types rt ON rt.id = i.room_type_id
			WHERE rt.code = 'FAM' AND night = '2027-01-20' FOR UPDATE`); err != nil {
			t.Fatal(err)
		}
		key := newKey()
		body := bookingBody(set("room_type", "FAM"), set("rate_plan", "FAM-FLEX"), set("check_in", "2027-01-20"), set("check_out", "2027-01-21"))
		done := make(chan result)
		go func() {
			r, err := c.send("POST", "/v1/reservations", body, "Idempotency-Key", key)
			if err != nil {
				t.Errorf("the first request: %v", err)
			}
			done <- r
		}()

		// Wait until the first request holds the key's claim: an advisory
		// lock held by the session that waits for this transaction.
		var blocker int
		if err := tx.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&blocker); err != nil {
			t.Fatal(err)
		}
		held := func() bool {
			return c.api.Int(t, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
				AND $1 = ANY(pg_blocking_pids(pid))`, blocker) > 0
		}
		for deadline := time.Now().Add(5 * time.Second); !held(); {
			if time.Now().After(deadline) {
				t.Fatal("the first request never took the lock")
			}
			time.Sleep(5 * time.Millisecond)
		}
		second := c.do("POST", "/v1/reservations", body, "Idempotency-Key", key)
		second.Problem(t, 409, "idempotency-in-flight")
		_ = tx.Rollback(ctx)
		firstResult := <-done
		if firstResult.Status != 201 {
			t.Fatalf("the first request: %d %s", firstResult.Status, firstResult.Body)
		}
		third := c.do("POST", "/v1/reservations", body, "Idempotency-Key", key)
		if third.Status != 201 || third.Header.Get("Idempotent-Replayed") != "true" || string(third.Body) != string(firstResult.Body) {
			t.Fatalf("after the first finished: %d %s", third.Status, third.Body)
		}
	})

	t.Run("scoped per client", func(t *testing.T) {
		// The same key from another client (another bearer) is another key.
		ref, token := c.book(bookingBody(set("room_type", "DLX"), set("rate_plan", "DLX-FLEX")))
		r := c.do("POST", "/v1/reservations/"+ref+"/cancel", nil, with(bearer(token), "Idempotency-Key", key)...)
		if r.Status != 200 {
			t.Fatalf("cancel with a key used by the public scope: %d %s", r.Status, r.Body)
		}
		again := c.do("POST", "/v1/reservations/"+ref+"/cancel", nil, with(bearer(token), "Idempotency-Key", key)...)
		if again.Status != 200 || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("retried cancel: %d %s", again.Status, again.Body)
		}
	})

	t.Run("bad keys", func(t *testing.T) {
		c.do("POST", "/v1/reservations", bookingBody(), "Idempotency-Key", strings.Repeat("k", 256)).Problem(t, 400, "bad-request")
		c.do("POST", "/v1/reservations", bookingBody(), "Idempotency-Key", "with space").Problem(t, 400, "bad-request")
	})
}

func TestReplayWithoutRedis(t *testing.T) {
	t.Parallel()
	// Idempotency lives in PostgreSQL alone: Redis down changes nothing.
	c := newClient(t, testenv.APIOptions{Env: map[string]string{"REDIS_URL": "redis://127.0.0.1:1/0", "REDIS_TIMEOUT": "200ms"}})
	key := newKey()
	first := c.do("POST", "/v1/reservations", bookingBody(), "Idempotency-Key", key)
	again := c.do("POST", "/v1/reservations", bookingBody(), "Idempotency-Key", key)
	if first.Status != 201 || again.Status != 201 || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("without Redis: %d then %d %q", first.Status, again.Status, again.Header.Get("Idempotent-Replayed"))
	}
	if n := c.api.Int(t, `SELECT count(*) FROM reservations WHERE guest_email = 'ana@example.com'`); n != 1 {
		t.Fatalf("%d reservations, want 1", n)
	}
}
