package httpapi_test

import (
	"bytes"
	"testing"
)

// modState is what a refused modification must leave as it was: the
// row's stay, room, total and the inventory of every room type, the
// outbox and the audit trail.
type modState struct {
	row                    string
	sold, outbox, auditRow int
}

func modStateOf(t *testing.T, c *client, ref string) modState {
	t.Helper()
	var s modState
	s.sold = c.api.Int(t, `SELECT coalesce(sum(sold), 0)::int FROM inventory`)
	s.outbox = c.api.Int(t, `SELECT count(*)::int FROM outbox WHERE aggregate_id = $1`, ref)
	s.auditRow = c.api.Int(t, `SELECT count(*)::int FROM audit_events WHERE reservation = $1`, ref)
	if err := c.api.Store.Pool().QueryRow(t.Context(), `SELECT concat_ws(' ', status, room_type_id, rate_plan_id, check_in, check_out,
			adults, children, rooms, total_cents, refundable, free_cancellation_until, updated_at)
		FROM reservations WHERE reference = $1`, ref).Scan(&s.row); err != nil {
		t.Fatal(err)
	}
	return s
}

func quote(c *client, ref, token string, body any) result {
	return c.do("POST", "/v1/reservations/"+ref+"/modification-quote", body, bearer(token)...)
}

func modify(c *client, ref, token, key string, body any) result {
	return c.do("POST", "/v1/reservations/"+ref+"/modify", body, with(bearer(token), "Idempotency-Key", key)...)
}

func TestGuestModification(t *testing.T) {
	t.Parallel()
	c, _ := newDeskClient(t)
	// Standard, 10–12 January at 80.75 a night (January is 85%).
	ref, token := c.book(bookingBody())
	other, otherToken := c.book(bookingBody())
	before := modStateOf(t, c, ref)
	toDeluxe := map[string]any{"room_type": "DLX", "rate_plan": "DLX-FLEX", "check_out": "2027-01-13"}

	q := quote(c, ref, token, toDeluxe)
	if q.Status != 200 {
		t.Fatalf("quote: %d %s", q.Status, q.Body)
	}
	m := q.JSON(t)
	for k, want := range map[string]any{
		"available": true, "room_type": "DLX", "rate_plan": "DLX-FLEX", "check_in": "2027-01-10", "check_out": "2027-01-13",
		"nights": 3.0, "adults": 2.0, "total_cents": 42075.0, "current_total_cents": 16150.0, "difference_cents": 25925.0,
		"currency": "EUR", "refundable": true, "penalty_percent": 50.0, "free_cancellation_until": "2027-01-07T15:00:00Z",
	} {
		if m[k] != want {
			t.Errorf("quote %s = %v, want %v", k, m[k], want)
		}
	}
	if n, _ := m["nightly"].([]any); len(n) != 3 {
		t.Errorf("nightly %v", m["nightly"])
	}
	// Cheaper: one night less in the same room.
	if d := quote(c, ref, token, map[string]any{"check_out": "2027-01-11"}).JSON(t)["difference_cents"]; d != -8075.0 {
		t.Errorf("a shorter stay's difference %v, want -8075", d)
	}
	if after := modStateOf(t, c, ref); after != before {
		t.Fatalf("a quote changed something: %+v, was %+v", after, before)
	}

	// Not the guest's: 404, as every guest route.
	quote(c, ref, "", toDeluxe).Problem(t, 404, "not-found")
	quote(c, ref, otherToken, toDeluxe).Problem(t, 404, "not-found")
	modify(c, ref, "", newKey(), toDeluxe).Problem(t, 404, "not-found")
	modify(c, ref, otherToken, newKey(), toDeluxe).Problem(t, 404, "not-found")
	modify(c, "INK-000000", token, newKey(), toDeluxe).Problem(t, 404, "not-found")
	c.do("POST", "/v1/reservations/"+ref+"/modify", toDeluxe, bearer(token)...).Problem(t, 400, "idempotency-key-missing")

	// Bad input: a problem naming the field, and nothing changed.
	for _, tt := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"check_out": "2027-01-09"}, "check_out"},
		{map[string]any{"check_in": "2027-02-30"}, "check_in"},
		{map[string]any{"check_in": "2026-11-30"}, "check_in"},
		{map[string]any{"room_type": "VILLA"}, "room_type"},
		{map[string]any{"rate_plan": "DLX-FLEX"}, "rate_plan"},
		{map[string]any{"adults": 3}, "adults"},
		{map[string]any{"rooms": 0}, "rooms"},
	} {
		quote(c, ref, token, tt.body).FieldError(t, 422, tt.field)
		modify(c, ref, token, newKey(), tt.body).FieldError(t, 422, tt.field)
	}
	modify(c, ref, token, newKey(), map[string]any{"adults": 2, "check_in": "2027-01-10"}).Problem(t, 422, "modification-unchanged")
	modify(c, ref, token, newKey(), map[string]any{"nights": 3}).Problem(t, 400, "malformed")
	if after := modStateOf(t, c, ref); after != before {
		t.Fatalf("refused modifications changed something: %+v, was %+v", after, before)
	}

	key := newKey()
	r := modify(c, ref, token, key, toDeluxe)
	if r.Status != 200 {
		t.Fatalf("modify: %d %s", r.Status, r.Body)
	}
	res := r.JSON(t)["reservation"].(map[string]any)
	if res["room_type"] != "DLX" || res["total_cents"] != 42075.0 || res["nights"] != 3.0 || res["status"] != "confirmed" {
		t.Fatalf("modified %s", r.Body)
	}
	replay := modify(c, ref, token, key, toDeluxe)
	if replay.Status != 200 || replay.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(replay.Body, r.Body) {
		t.Fatalf("replay: %d %v %s", replay.Status, replay.Header, replay.Body)
	}
	modify(c, ref, token, key, map[string]any{"check_out": "2027-01-14"}).Problem(t, 422, "idempotency-key-reused")
	if n := c.api.Int(t, `SELECT count(*)::int FROM outbox WHERE aggregate_id = $1 AND event_type = 'reservation.modified'`, ref); n != 1 {
		t.Fatalf("%d modified events after a replay, want 1", n)
	}
	if n := c.api.Int(t, `SELECT sold FROM inventory i JOIN room_types rt ON rt.id = i.room_type_id
		WHERE rt.code = 'DLX' AND i.night = '2027-01-12'`); n != 1 {
		t.Fatalf("deluxe sold %d on the 12th, want 1", n)
	}
	// The other booking is untouched.
	if o := c.do("GET", "/v1/reservations/"+other, nil, bearer(otherToken)...).JSON(t)["reservation"].(map[string]any); o["room_type"] != "STD" {
		t.Fatalf("the other booking changed: %v", o)
	}
}

func TestGuestModificationLimits(t *testing.T) {
	t.Parallel()
	c, clock := newDeskClient(t)
	staff, publicID := staffKey(t, c, "staff")
	finance, _ := staffKey(t, c, "finance")

	// Non-refundable: the guest may not, the desk may.
	nr, nrToken := c.book(bookingBody(set("rate_plan", "STD-NR")))
	before := modStateOf(t, c, nr)
	quote(c, nr, nrToken, map[string]any{"check_out": "2027-01-13"}).Problem(t, 409, "modification-non-refundable")
	modify(c, nr, nrToken, newKey(), map[string]any{"check_out": "2027-01-13"}).Problem(t, 409, "modification-non-refundable")
	if after := modStateOf(t, c, nr); after != before {
		t.Fatalf("a refused modification changed something: %+v, was %+v", after, before)
	}

	// Past the free-cancellation deadline (48 hours before 15:00 on the
	// 10th): the guest may not, the desk may.
	ref, token := c.book(bookingBody())
	clock.set("2027-01-08", 16)
	modify(c, ref, token, newKey(), map[string]any{"check_out": "2027-01-13"}).Problem(t, 409, "modification-deadline-passed")

	path := "/v1/admin/reservations/" + ref + "/modify"
	body := map[string]any{"check_out": "2027-01-13", "reason": "Guest called to stay longer"}
	c.do("POST", path, body).Problem(t, 401, "unauthorized")
	c.do("POST", path, body, bearer(finance)...).Problem(t, 403, "forbidden")
	c.do("POST", "/v1/admin/reservations/INK-000000/modify", body, bearer(staff)...).Problem(t, 404, "not-found")
	c.do("POST", path, map[string]any{"check_out": "2027-01-09"}, bearer(staff)...).FieldError(t, 422, "check_out")
	c.do("POST", path, map[string]any{"reason": string(make([]byte, 501)), "adults": 1}, bearer(staff)...).FieldError(t, 422, "reason")
	key := newKey()
	r := c.do("POST", path, body, with(bearer(staff), "Idempotency-Key", key)...)
	if r.Status != 200 {
		t.Fatalf("desk modify: %d %s", r.Status, r.Body)
	}
	if res := r.JSON(t)["reservation"].(map[string]any); res["check_out"] != "2027-01-13" || res["total_cents"] != 3*8075.0 {
		t.Fatalf("desk modified %s", r.Body)
	}
	if rp := c.do("POST", path, body, with(bearer(staff), "Idempotency-Key", key)...); rp.Status != 200 || rp.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("desk replay: %d %s", rp.Status, rp.Body)
	}
	var actor, reason, was, is string
	if err := c.api.Store.Pool().QueryRow(t.Context(), `SELECT actor, reason, before->>'check_out', after->>'check_out'
		FROM audit_events WHERE reservation = $1 AND action = 'reservation.modify'`, ref).Scan(&actor, &reason, &was, &is); err != nil {
		t.Fatal(err)
	}
	if actor != publicID || reason != "Guest called to stay longer" || was != "2027-01-12" || is != "2027-01-13" {
		t.Fatalf("audit by %s (%q): %s → %s", actor, reason, was, is)
	}
	// Without a key the desk's command runs once per request.
	if r := c.do("POST", path, map[string]any{"adults": 1}, bearer(staff)...); r.Status != 200 {
		t.Fatalf("desk modify without a key: %d %s", r.Status, r.Body)
	}
	// A cancelled booking cannot be modified, by anyone.
	c.do("POST", "/v1/admin/reservations/"+ref+"/cancel", map[string]any{"reason": "x"}, bearer(staff)...)
	c.do("POST", path, map[string]any{"adults": 2}, bearer(staff)...).Problem(t, 409, "invalid-transition")
}

// A modification into nights without the rooms is a sold-out problem and
// the booking keeps its own nights.
func TestSoldOutModification(t *testing.T) {
	t.Parallel()
	c, _ := newDeskClient(t)
	ref, token := c.book(bookingBody())
	// The three family suites of the 11th go to one party.
	c.book(bookingBody(set("room_type", "FAM"), set("rate_plan", "FAM-FLEX"), set("rooms", 3), set("adults", 3),
		set("check_in", "2027-01-11"), set("check_out", "2027-01-12")))
	before := modStateOf(t, c, ref)
	toFamily := map[string]any{"room_type": "FAM", "rate_plan": "FAM-FLEX"}
	if q := quote(c, ref, token, toFamily).JSON(t); q["available"] != false || q["total_cents"] != 2*20400.0 {
		t.Fatalf("quote over a sold-out night: %v", q)
	}
	modify(c, ref, token, newKey(), toFamily).Problem(t, 409, "sold-out")
	if after := modStateOf(t, c, ref); after != before {
		t.Fatalf("a sold-out modification changed something: %+v, was %+v", after, before)
	}
}
