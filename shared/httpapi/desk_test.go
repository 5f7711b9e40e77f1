package httpapi_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
)

// deskClock is a clock a test moves: the hotel (Lisbon) is on UTC in
// winter, so a UTC instant is the hotel's wall time.
type deskClock struct{ ns atomic.Int64 }

func (c *deskClock) set(day string, hour int) {
	d := booking.MustDate(day)
	c.ns.Store(time.Date(d.Year(), d.Month(), d.Day(), hour, 0, 0, 0, time.UTC).UnixNano())
}

func (c *deskClock) now() time.Time { return time.Unix(0, c.ns.Load()).UTC() }

func newDeskClient(t *testing.T) (*client, *deskClock) {
	clock := &deskClock{}
	clock.set("2026-12-01", 10)
	return newClient(t, testenv.APIOptions{Clock: clock.now}), clock
}

// staffKey makes a key of role and returns its secret and public id.
func staffKey(t *testing.T, c *client, role string) (string, string) {
	t.Helper()
	r := c.do("POST", "/v1/admin/api-keys", map[string]any{"name": "desk " + role, "role": role}, admin()...)
	if r.Status != 201 {
		t.Fatalf("create key: %d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	return m["secret"].(string), m["api_key"].(map[string]any)["public_id"].(string)
}

// deskState is what a refused action must leave as it was.
type deskState struct {
	status      string
	checkOut    string
	sold, audit int
}

func stateOf(t *testing.T, c *client, ref string) deskState {
	t.Helper()
	var s deskState
	err := c.api.Store.Pool().QueryRow(context.Background(), `SELECT status, check_out::text,
			(SELECT coalesce(sum(sold), 0)::int FROM inventory i WHERE i.room_type_id = r.room_type_id
				AND i.night >= r.check_in AND i.night < $2::date),
			(SELECT count(*)::int FROM audit_events WHERE reservation = r.reference AND actor_kind = 'api_key')
		FROM reservations r WHERE reference = $1`, ref, "2027-12-31").Scan(&s.status, &s.checkOut, &s.sold, &s.audit)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func desk(c *client, ref, action string, body any, key string) result {
	return c.do("POST", "/v1/admin/reservations/"+ref+"/"+action, body, bearer(key)...)
}

func TestDeskRefusals(t *testing.T) {
	t.Parallel()
	c, clock := newDeskClient(t)
	staff, _ := staffKey(t, c, "staff")
	finance, _ := staffKey(t, c, "finance")
	ref, _ := c.book(bookingBody())
	before := stateOf(t, c, ref)

	for _, action := range []string{"cancel", "check-in", "check-out", "no-show"} {
		path := "/v1/admin/reservations/" + ref + "/" + action
		c.do("POST", path, map[string]any{"reason": "x"}).Problem(t, 401, "unauthorized")
		c.do("POST", path, map[string]any{"reason": "x"}, bearer(finance)...).Problem(t, 403, "forbidden")
		desk(c, "INK-000000", action, map[string]any{"reason": "x"}, staff).Problem(t, 404, "not-found")
		desk(c, "nonsense", action, map[string]any{"reason": "x"}, staff).Problem(t, 404, "not-found")
		desk(c, ref, action, map[string]any{"reason": "x", "extra": 1}, staff).Problem(t, 400, "malformed")
		desk(c, ref, action, map[string]any{"reason": string(make([]byte, 501))}, staff).FieldError(t, 422, "reason")
	}
	desk(c, ref, "cancel", nil, staff).Problem(t, 415, "unsupported-media-type")
	desk(c, ref, "cancel", "", staff).Problem(t, 400, "bad-request")
	desk(c, ref, "cancel", map[string]any{"reason": "  "}, staff).FieldError(t, 422, "reason")
	desk(c, ref, "cancel", map[string]any{"waive_fee": true}, staff).FieldError(t, 422, "reason")
	desk(c, ref, "check-in", map[string]any{"waive_fee": true}, staff).FieldError(t, 422, "waive_fee")

	clock.set("2027-01-09", 23) // the evening before arrival
	desk(c, ref, "check-in", nil, staff).Problem(t, 409, "before-arrival")
	desk(c, ref, "no-show", nil, staff).Problem(t, 409, "arrival-day-not-over")
	clock.set("2027-01-10", 23) // the arrival day is not over yet
	desk(c, ref, "no-show", nil, staff).Problem(t, 409, "arrival-day-not-over")
	desk(c, ref, "check-out", nil, staff).Problem(t, 409, "invalid-transition")
	clock.set("2027-01-12", 9) // the departure day
	desk(c, ref, "check-in", nil, staff).Problem(t, 409, "stay-over")

	if after := stateOf(t, c, ref); after != before {
		t.Fatalf("refused actions changed the reservation: %+v, was %+v", after, before)
	}
}

func TestDeskStay(t *testing.T) {
	t.Parallel()
	c, clock := newDeskClient(t)
	staff, publicID := staffKey(t, c, "staff")
	ref, _ := c.book(bookingBody(set("check_in", "2027-01-10"), set("check_out", "2027-01-13")))
	soldOn := func(night string) int {
		return c.api.Int(t, `SELECT sold FROM inventory i JOIN room_types rt ON rt.id = i.room_type_id
			WHERE rt.code = 'STD' AND rt.hotel_id = (SELECT id FROM hotels WHERE slug = 'lisbon-riverside') AND night = $1::date`, night)
	}
	was := map[string]int{}
	for _, n := range []string{"2027-01-10", "2027-01-11", "2027-01-12"} {
		was[n] = soldOn(n)
	}

	clock.set("2027-01-10", 8) // the arrival day, before the check-in time
	r := desk(c, ref, "check-in", nil, staff)
	res := r.JSON(t)["reservation"].(map[string]any)
	if r.Status != 200 || res["status"] != "checked_in" || res["checked_in_at"] == nil {
		t.Fatalf("check-in: %d %s", r.Status, r.Body)
	}
	desk(c, ref, "check-in", nil, staff).Problem(t, 409, "invalid-transition")
	c.do("POST", "/v1/reservations/"+ref+"/cancel", nil, with(admin(), "Idempotency-Key", newKey())...).Problem(t, 404, "not-found")

	clock.set("2027-01-11", 11) // a day early: the nights of the 11th and 12th go back
	r = desk(c, ref, "check-out", map[string]any{"reason": "flight moved"}, staff)
	res = r.JSON(t)["reservation"].(map[string]any)
	if r.Status != 200 || res["status"] != "checked_out" || res["check_out"] != "2027-01-11" || res["nights"] != float64(1) {
		t.Fatalf("check-out: %d %s", r.Status, r.Body)
	}
	for night, want := range map[string]int{"2027-01-10": was["2027-01-10"], "2027-01-11": was["2027-01-11"] - 1, "2027-01-12": was["2027-01-12"] - 1} {
		if got := soldOn(night); got != want {
			t.Errorf("sold on %s: %d, want %d", night, got, want)
		}
	}

	var actor, role, action, before, after, reason string
	rows, err := c.api.Store.Pool().Query(context.Background(), `SELECT actor, actor_role, action, before->>'status', after->>'status', coalesce(reason, '')
		FROM audit_events WHERE reservation = $1 AND actor_kind = 'api_key' AND hotel = 'lisbon-riverside' ORDER BY id`, ref)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		if err := rows.Scan(&actor, &role, &action, &before, &after, &reason); err != nil {
			t.Fatal(err)
		}
		if actor != publicID || role != "staff" {
			t.Errorf("actor %s (%s), want %s (staff)", actor, role, publicID)
		}
		got = append(got, fmt.Sprintf("%s %s→%s %q", action, before, after, reason))
	}
	want := []string{`reservation.check_in confirmed→checked_in ""`, `reservation.check_out checked_in→checked_out "flight moved"`}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("audit trail %q, want %q", got, want)
	}
}

func TestDeskCancelAndNoShowFees(t *testing.T) {
	t.Parallel()
	c, clock := newDeskClient(t)
	staff, _ := staffKey(t, c, "staff")
	// STD-FLEX: refundable, 24 h free, then a penalty (the demo plan's).
	waived, _ := c.book(bookingBody())
	charged, _ := c.book(bookingBody())
	noShow, _ := c.book(bookingBody())
	total := c.api.Int(t, `SELECT total_cents FROM reservations WHERE reference = $1`, noShow)
	pct := c.api.Int(t, `SELECT penalty_percent FROM reservations WHERE reference = $1`, noShow)
	fee := (int64(total)*int64(pct) + 50) / 100 // half up, in cents
	if fee == 0 {
		t.Fatal("the demo plan's penalty is zero: the test would not see a fee")
	}
	soldBefore := stateOf(t, c, waived).sold

	clock.set("2027-01-10", 16) // after the check-in instant: only the desk may cancel
	r := desk(c, waived, "cancel", map[string]any{"reason": "storm", "waive_fee": true}, staff)
	res := r.JSON(t)["reservation"].(map[string]any)
	if r.Status != 200 || res["status"] != "cancelled" || res["cancellation_fee_cents"] != float64(0) {
		t.Fatalf("waived cancel: %d %s", r.Status, r.Body)
	}
	if s := stateOf(t, c, waived); s.sold != soldBefore-2 || s.audit != 1 {
		t.Fatalf("after the cancel: %+v, sold was %d", s, soldBefore)
	}
	r = desk(c, charged, "cancel", map[string]any{"reason": "guest asked", "waive_fee": false}, staff)
	res = r.JSON(t)["reservation"].(map[string]any)
	if r.Status != 200 || res["cancellation_fee_cents"] != float64(fee) {
		t.Fatalf("charged cancel, want fee %d: %d %s", fee, r.Status, r.Body)
	}
	if got := c.api.Int(t, `SELECT count(*) FROM audit_events WHERE reservation = $1 AND reason = 'guest asked'`, charged); got != 1 {
		t.Fatalf("%d audit rows with the reason", got)
	}
	desk(c, charged, "cancel", map[string]any{"reason": "again"}, staff).Problem(t, 409, "invalid-transition")

	clock.set("2027-01-11", 0) // the arrival day is over
	r = desk(c, noShow, "no-show", nil, staff)
	res = r.JSON(t)["reservation"].(map[string]any)
	if r.Status != 200 || res["status"] != "no_show" || res["no_show_fee_cents"] != float64(fee) {
		t.Fatalf("no-show, want fee %d: %d %s", fee, r.Status, r.Body)
	}
	if s := stateOf(t, c, noShow); s.sold != soldBefore-6 {
		t.Fatalf("a no-show gives its nights back: %+v, sold was %d", s, soldBefore)
	}
	if got := c.api.Int(t, `SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND event_type = 'reservation.no_show'`, noShow); got != 1 {
		t.Fatalf("%d no-show events in the outbox", got)
	}
}

// TestDeskRoutesObeyTheStatusTable puts a reservation in every status and
// sends every front-desk action on a day that action's own conditions
// allow: the API acts exactly when booking's table allows, and otherwise
// answers 409 invalid-transition changing nothing.
func TestDeskRoutesObeyTheStatusTable(t *testing.T) {
	t.Parallel()
	c, clock := newDeskClient(t)
	staff, _ := staffKey(t, c, "staff")
	routes := map[string]struct {
		action booking.Action
		day    int // days after check-in for the request
	}{
		"cancel":    {booking.ActionCancel, -1},
		"check-in":  {booking.ActionCheckIn, 0},
		"check-out": {booking.ActionCheckOut, 2},
		"no-show":   {booking.ActionNoShow, 1},
	}
	type tc struct {
		status booking.Status
		route  string
		ref    string
		in     booking.Date
	}
	var cases []tc
	start := booking.MustDate("2027-01-05")
	for _, st := range booking.Statuses {
		for route := range routes {
			in := start.AddDays(2 * len(cases))
			ref, _ := c.book(bookingBody(set("check_in", in.String()), set("check_out", in.AddDays(2).String())))
			c.api.Exec(t, `UPDATE reservations SET status = $2,
					hold_expires_at = CASE WHEN $2 = 'held' THEN $3::timestamptz END,
					checked_in_at = CASE WHEN $2 IN ('checked_in', 'checked_out') THEN $3::timestamptz END,
					checked_out_at = CASE WHEN $2 = 'checked_out' THEN $3::timestamptz END
				WHERE reference = $1`, ref, string(st), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))
			cases = append(cases, tc{st, route, ref, in})
		}
	}
	for _, k := range cases {
		rt := routes[k.route]
		clock.set(k.in.AddDays(rt.day).String(), 12)
		before := stateOf(t, c, k.ref)
		r := desk(c, k.ref, k.route, map[string]any{"reason": "table"}, staff)
		want, err := booking.Next(k.status, rt.action)
		if err != nil {
			r.Problem(t, 409, "invalid-transition")
			if after := stateOf(t, c, k.ref); after != before {
				t.Errorf("%s from %s refused but changed %+v to %+v", k.route, k.status, before, after)
			}
			continue
		}
		if r.Status != 200 || r.JSON(t)["reservation"].(map[string]any)["status"] != string(want) {
			t.Errorf("%s from %s: %d %s, want 200 and %s", k.route, k.status, r.Status, r.Body, want)
		}
		if a := stateOf(t, c, k.ref).audit; a != 1 {
			t.Errorf("%s from %s: %d audit rows", k.route, k.status, a)
		}
	}
}
