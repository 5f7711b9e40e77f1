package httpapi_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// familyBody is the list form: a Standard for two adults at the flexible
// rate and a Deluxe for one adult and two children at the non-refundable
// one, 10–12 January (January is 85%: 80.75 and 123.42 a night).
func familyBody(edits ...func(map[string]any)) map[string]any {
	b := map[string]any{
		"hotel": "lisbon-riverside", "check_in": "2027-01-10", "check_out": "2027-01-12",
		"rooms": []any{
			map[string]any{"room_type": "STD", "rate_plan": "STD-FLEX", "adults": 2},
			map[string]any{"room_type": "DLX", "rate_plan": "DLX-NR", "adults": 1, "children": 2, "children_ages": []int{4, 9}},
		},
		"guest": map[string]any{"name": "Ana Silva", "email": "ana@example.com"},
	}
	for _, e := range edits {
		e(b)
	}
	return b
}

func linesOf(t *testing.T, m map[string]any) (map[string]any, []map[string]any) {
	t.Helper()
	b, _ := m["booking"].(map[string]any)
	raw, _ := b["lines"].([]any)
	var lines []map[string]any
	for _, l := range raw {
		lines = append(lines, l.(map[string]any))
	}
	return b, lines
}

func TestBookingOfSeveralRooms(t *testing.T) {
	t.Parallel()
	c, _ := newDeskClient(t)
	soldBefore := c.api.Int(t, `SELECT coalesce(sum(sold), 0)::int FROM inventory`)
	key := newKey()
	r := c.do("POST", "/v1/reservations", familyBody(), "Idempotency-Key", key)
	if r.Status != http.StatusCreated {
		t.Fatalf("book: %d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	b, lines := linesOf(t, m)
	ref, _ := b["reference"].(string)
	token, _ := m["access_token"].(string)
	if !strings.HasPrefix(ref, "INK-") || !strings.HasPrefix(token, "rat_") || r.Header.Get("Location") != "/v1/bookings/"+ref {
		t.Fatalf("reference %q, token %q, Location %q", ref, token, r.Header.Get("Location"))
	}
	// Each line priced on its own: 2 × 80.75 and 2 × 123.42.
	for k, want := range map[string]any{"hotel": "lisbon-riverside", "check_in": "2027-01-10", "check_out": "2027-01-12",
		"status": "confirmed", "total_cents": 40834.0, "currency": "EUR"} {
		if b[k] != want {
			t.Errorf("booking %s = %v, want %v", k, b[k], want)
		}
	}
	if len(lines) != 2 {
		t.Fatalf("lines %v", b["lines"])
	}
	for i, want := range []map[string]any{
		{"line": 1.0, "booking": ref, "room_type": "STD", "rate_plan": "STD-FLEX", "adults": 2.0, "children": 0.0, "rooms": 1.0,
			"nights": 2.0, "total_cents": 16150.0, "refundable": true, "status": "confirmed"},
		{"line": 2.0, "booking": ref, "room_type": "DLX", "rate_plan": "DLX-NR", "adults": 1.0, "children": 2.0, "rooms": 1.0,
			"nights": 2.0, "total_cents": 24684.0, "refundable": false, "status": "confirmed"},
	} {
		for k, v := range want {
			if lines[i][k] != v {
				t.Errorf("line %d %s = %v, want %v", i+1, k, lines[i][k], v)
			}
		}
	}
	if lines[0]["reference"] == lines[1]["reference"] || lines[0]["reference"] == ref {
		t.Fatalf("lines share a reference: %v, %v, booking %s", lines[0]["reference"], lines[1]["reference"], ref)
	}
	if sold := c.api.Int(t, `SELECT coalesce(sum(sold), 0)::int FROM inventory`); sold != soldBefore+4 {
		t.Fatalf("sold %d after the booking, was %d; want two rooms for two nights more", sold, soldBefore)
	}

	// A retry replays the same answer and books nothing more.
	again := c.do("POST", "/v1/reservations", familyBody(), "Idempotency-Key", key)
	if again.Status != http.StatusCreated || again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.Body, r.Body) {
		t.Fatalf("retry: %d %q\n%s", again.Status, again.Header.Get("Idempotent-Replayed"), again.Body)
	}
	if n := c.api.Int(t, `SELECT count(*)::int FROM bookings`); n != 1 {
		t.Fatalf("%d bookings after a retry", n)
	}

	// The booking and each line, with the one token.
	got := c.do("GET", "/v1/bookings/"+ref, nil, bearer(token)...)
	if got.Status != 200 {
		t.Fatalf("get booking: %d %s", got.Status, got.Body)
	}
	if gb, gl := linesOf(t, got.JSON(t)); gb["total_cents"] != 40834.0 || len(gl) != 2 || gl[1]["reference"] != lines[1]["reference"] {
		t.Fatalf("booking read back: %s", got.Body)
	}
	line1, line2 := lines[0]["reference"].(string), lines[1]["reference"].(string)
	// Read as a reservation, a line names its booking and its place in it.
	if r := c.do("GET", "/v1/reservations/"+line2, nil, bearer(token)...); r.Status != 200 || r.JSON(t)["reservation"].(map[string]any)["total_cents"] != 24684.0 ||
		r.JSON(t)["reservation"].(map[string]any)["booking"] != ref || r.JSON(t)["reservation"].(map[string]any)["line"] != 2.0 {
		t.Fatalf("line 2 as a reservation: %d %s", r.Status, r.Body)
	}
	c.do("GET", "/v1/bookings/"+ref, nil, bearer("rat_not-this-one")...).Problem(t, 404, "not-found")
	c.do("GET", "/v1/bookings/"+ref, nil).Problem(t, 404, "not-found")
	c.do("GET", "/v1/bookings/"+line1, nil, bearer(token)...).Problem(t, 404, "not-found")

	// Cancelling one line, under its own terms (free until 48 hours
	// before), leaves the other.
	if r := c.do("POST", "/v1/reservations/"+line1+"/cancel", nil, with(bearer(token), "Idempotency-Key", newKey())...); r.Status != 200 {
		t.Fatalf("cancel line 1: %d %s", r.Status, r.Body)
	}
	gb, gl := linesOf(t, c.do("GET", "/v1/bookings/"+ref, nil, bearer(token)...).JSON(t))
	if gl[0]["status"] != "cancelled" || gl[0]["cancellation_fee_cents"] != 0.0 || gl[1]["status"] != "confirmed" ||
		gb["status"] != "mixed" || gb["total_cents"] != 24684.0 {
		t.Fatalf("after cancelling line 1: booking %v %v, lines %v %v %v; want mixed 24684, cancelled free, confirmed",
			gb["status"], gb["total_cents"], gl[0]["status"], gl[0]["cancellation_fee_cents"], gl[1]["status"])
	}
	if sold := c.api.Int(t, `SELECT coalesce(sum(sold), 0)::int FROM inventory`); sold != soldBefore+2 {
		t.Fatalf("sold %d after cancelling a line, was %d before the booking; want the Deluxe's two nights", sold, soldBefore)
	}

	// Staff see the booking on a line's desk record.
	desk := c.do("GET", "/v1/admin/reservations/"+line2, nil, admin()...)
	if res, _ := desk.JSON(t)["reservation"].(map[string]any); desk.Status != 200 || res["booking"] != ref || res["line"] != 2.0 {
		t.Fatalf("desk record of line 2: %d %s", desk.Status, desk.Body)
	}

	// Cancelling the booking cancels what is left, under its own terms:
	// the non-refundable Deluxe costs its whole price.
	cancelKey := newKey()
	c.do("POST", "/v1/bookings/"+ref+"/cancel", nil, with(bearer("rat_not-this-one"), "Idempotency-Key", newKey())...).Problem(t, 404, "not-found")
	cancelled := c.do("POST", "/v1/bookings/"+ref+"/cancel", nil, with(bearer(token), "Idempotency-Key", cancelKey)...)
	if cancelled.Status != 200 {
		t.Fatalf("cancel booking: %d %s", cancelled.Status, cancelled.Body)
	}
	gb, gl = linesOf(t, cancelled.JSON(t))
	if gb["status"] != "cancelled" || gb["total_cents"] != 24684.0 || gl[1]["status"] != "cancelled" || gl[1]["cancellation_fee_cents"] != 24684.0 {
		t.Fatalf("after cancelling the booking: %s", cancelled.Body)
	}
	if sold := c.api.Int(t, `SELECT coalesce(sum(sold), 0)::int FROM inventory`); sold != soldBefore {
		t.Fatalf("sold %d after cancelling the booking, was %d before it", sold, soldBefore)
	}
	replayed := c.do("POST", "/v1/bookings/"+ref+"/cancel", nil, with(bearer(token), "Idempotency-Key", cancelKey)...)
	if replayed.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(replayed.Body, cancelled.Body) {
		t.Fatalf("cancel retried: %d %s", replayed.Status, replayed.Body)
	}
	// Nothing is left to cancel: the first line's reason, naming it.
	if p := c.do("POST", "/v1/bookings/"+ref+"/cancel", nil, with(bearer(token), "Idempotency-Key", newKey())...).Problem(t, 409, "invalid-transition"); p["line"] != 1.0 {
		t.Fatalf("problem %v; want line 1", p)
	}
}

// A refused line refuses the booking whole, naming the line, and every
// invalid line's fields are named in one answer.
func TestBookingOfSeveralRoomsRefused(t *testing.T) {
	t.Parallel()
	c, _ := newDeskClient(t)
	if r := c.do("PUT", "/v1/admin/hotels/lisbon-riverside/inventory",
		map[string]any{"room_type": "FAM", "from": "2027-01-10", "to": "2027-01-12", "units": 0}, admin()...); r.Status != 200 {
		t.Fatalf("inventory: %d %s", r.Status, r.Body)
	}
	soldBefore := c.api.Int(t, `SELECT coalesce(sum(sold), 0)::int FROM inventory`)
	outboxBefore := c.api.Int(t, `SELECT count(*)::int FROM outbox`)
	soldOut := familyBody(set("rooms", []any{
		map[string]any{"room_type": "STD", "rate_plan": "STD-FLEX", "adults": 2},
		map[string]any{"room_type": "FAM", "rate_plan": "FAM-FLEX", "adults": 3},
	}))
	p := c.do("POST", "/v1/reservations", soldOut, "Idempotency-Key", newKey()).Problem(t, 409, "sold-out")
	if p["line"] != 2.0 || !strings.Contains(p["detail"].(string), "FAM") {
		t.Fatalf("problem %v; want line 2 (FAM)", p)
	}
	if sold, out := c.api.Int(t, `SELECT coalesce(sum(sold), 0)::int FROM inventory`), c.api.Int(t, `SELECT count(*)::int FROM outbox`); sold != soldBefore || out != outboxBefore {
		t.Fatalf("the refused booking left sold %d (was %d), outbox %d (was %d)", sold, soldBefore, out, outboxBefore)
	}
	if n := c.api.Int(t, `SELECT (SELECT count(*) FROM bookings) + (SELECT count(*) FROM reservations WHERE booking_id IS NOT NULL)`); n != 0 {
		t.Fatalf("the refused booking wrote %d rows", n)
	}

	invalid := familyBody(set("rooms", []any{
		map[string]any{"room_type": "STD", "rate_plan": "STD-FLEX", "adults": 3},
		map[string]any{"room_type": "DLX", "rate_plan": "STD-FLEX", "adults": 1},
		map[string]any{"room_type": "DLX", "rate_plan": "DLX-NR"},
		map[string]any{"room_type": "DLX", "rate_plan": "DLX-NR", "adults": 1, "children": 1, "children_ages": []int{4, 9}},
	}))
	r := c.do("POST", "/v1/reservations", invalid, "Idempotency-Key", newKey())
	for _, f := range []string{"rooms[0].adults", "rooms[2].adults", "rooms[3].children_ages"} {
		r.FieldError(t, 422, f)
	}
	// What a room is goes in its line, not at the top.
	c.do("POST", "/v1/reservations", familyBody(set("room_type", "STD")), "Idempotency-Key", newKey()).FieldError(t, 422, "room_type")
	// The lines are looked up once the request is well formed.
	invalid = familyBody(set("rooms", []any{
		map[string]any{"room_type": "STD", "rate_plan": "STD-FLEX", "adults": 3},
		map[string]any{"room_type": "DLX", "rate_plan": "STD-FLEX", "adults": 1},
		map[string]any{"room_type": "PENTHOUSE", "rate_plan": "PH-FLEX", "adults": 1},
	}))
	r = c.do("POST", "/v1/reservations", invalid, "Idempotency-Key", newKey())
	for _, f := range []string{"rooms[0].adults", "rooms[1].rate_plan", "rooms[2].room_type"} {
		r.FieldError(t, 422, f)
	}
	c.do("POST", "/v1/reservations", familyBody(set("rooms", []any{})), "Idempotency-Key", newKey()).FieldError(t, 422, "rooms")
	tooMany := []any{}
	for range 10 {
		tooMany = append(tooMany, map[string]any{"room_type": "STD", "rate_plan": "STD-FLEX", "adults": 1})
	}
	c.do("POST", "/v1/reservations", familyBody(set("rooms", tooMany)), "Idempotency-Key", newKey()).FieldError(t, 422, "rooms")
	c.do("POST", "/v1/reservations", familyBody(set("rooms", []any{map[string]any{"room_type": "STD", "bogus": 1}})),
		"Idempotency-Key", newKey()).FieldError(t, 400, "rooms[0].bogus")
	c.do("POST", "/v1/reservations", familyBody(set("rooms", "two")), "Idempotency-Key", newKey()).FieldError(t, 400, "rooms")
	if n := c.api.Int(t, `SELECT count(*)::int FROM bookings`); n != 0 {
		t.Fatalf("invalid requests wrote %d bookings", n)
	}
}
