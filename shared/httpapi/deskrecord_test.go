package httpapi_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"innkeeper/local/testenv"
)

// guest books a stay at lisbon-riverside for a named guest and returns
// its reference.
func (c *client) guest(checkIn, checkOut, name, email string) string {
	c.t.Helper()
	ref, _ := c.book(bookingBody(set("check_in", checkIn), set("check_out", checkOut),
		set("guest", map[string]any{"name": name, "email": email})))
	return ref
}

// found lists the references a reservations page holds, and its cursor.
func found(t testing.TB, r result) ([]string, string) {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	refs := []string{}
	for _, x := range m["reservations"].([]any) {
		refs = append(refs, x.(map[string]any)["reference"].(string))
	}
	next, _ := m["next_cursor"].(string)
	return refs, next
}

func TestDeskSearch(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoRelay: true})
	staff := bearer(c.apiKey("staff"))
	joao1 := c.guest("2027-02-01", "2027-02-02", "João Gonçalves", "joao.g@example.pt")
	zoe := c.guest("2027-02-02", "2027-02-03", "Zoë Brontë", "ZOE@Example.com")
	joao2 := c.guest("2027-02-03", "2027-02-04", "JOÃO Gonçalves", "jg@example.pt")
	joao3 := c.guest("2027-02-05", "2027-02-06", "joão gonçalves", "jgg@example.pt")
	list := "/v1/admin/hotels/lisbon-riverside/reservations?"

	for _, tc := range []struct {
		name, q string
		want    []string
	}{
		{"name without accents", "joao goncalves", []string{joao1, joao2, joao3}},
		{"name with other accents and case", "GONÇALVES", []string{joao1, joao2, joao3}},
		{"email in another case", "zoe@example.COM", []string{zoe}},
		{"name's accent folded", "bronte", []string{zoe}},
		{"reference", joao2, []string{joao2}},
		{"reference in lower case", strings.ToLower(joao3), []string{joao3}},
		{"no match", "nobody-at-all", []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, next := found(t, c.do("GET", list+"q="+url.QueryEscape(tc.q), nil, staff...))
			if !slices.Equal(got, tc.want) || next != "" {
				t.Fatalf("q=%q found %v (next %q), want %v", tc.q, got, next, tc.want)
			}
		})
	}

	// Paging with q: two pages, every João once, in check-in order.
	got, next := found(t, c.do("GET", list+"q=joao&limit=2", nil, staff...))
	if !slices.Equal(got, []string{joao1, joao2}) || next == "" {
		t.Fatalf("first page %v next %q", got, next)
	}
	more, last := found(t, c.do("GET", list+"q=joao&limit=2&cursor="+next, nil, staff...))
	if !slices.Equal(more, []string{joao3}) || last != "" {
		t.Fatalf("second page %v next %q, want %s and the end", more, last, joao3)
	}
	// With the other filters: João's stays overlapping 3 to 5 February.
	if got, _ := found(t, c.do("GET", list+"q=joao&from=2027-02-03&to=2027-02-05", nil, staff...)); !slices.Equal(got, []string{joao2}) {
		t.Fatalf("filtered %v, want %s", got, joao2)
	}

	c.do("GET", list+"q="+strings.Repeat("a", 101), nil, staff...).FieldError(t, 422, "q")
	c.do("GET", list+"q=a&q=b", nil, staff...).FieldError(t, 422, "q")
	c.do("GET", list+"q=%00", nil, staff...).FieldError(t, 422, "q")
	c.do("GET", list+"q=joao%27", nil, staff...).FieldError(t, 422, "q")
	c.do("GET", list+"q=..%2Fetc%2Fpasswd", nil, staff...).FieldError(t, 422, "q")
	c.do("GET", list+"q=joao", nil).Problem(t, 401, "unauthorized")
}

func TestDeskReservation(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{NoRelay: true})
	ctx := context.Background()
	staff := bearer(c.apiKey("staff"))
	ref := c.guest("2027-02-10", "2027-02-13", "Inês Sá", "ines@example.pt")
	other := c.guest("2027-02-10", "2027-02-11", "Rui Sá", "rui@example.pt")
	path := "/v1/admin/reservations/" + ref

	pool := c.api.Store.Pool()
	if _, err := pool.Exec(ctx, `INSERT INTO notifications (reservation_id, kind, message_id, sent_at)
		SELECT id, 'confirmation', '<conf@innkeeper>', '2027-01-05 09:00Z' FROM reservations WHERE reference = $1`, ref); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO audit_events (at, actor_kind, actor, actor_role, action, hotel, reservation, before, after, reason) VALUES
		('2027-02-10 15:30Z', 'api_key', 'key_9', 'staff', 'reservation.check_in', 'lisbon-riverside', $1, '{"status":"confirmed"}', '{"status":"checked_in"}', NULL),
		('2027-01-06 09:00Z', 'guest', 'guest', NULL, 'reservation.cancel', 'lisbon-riverside', $2, NULL, NULL, 'plans changed')`,
		ref, other); err != nil {
		t.Fatal(err)
	}

	// Every rate changes after booking: the record shows the prices booked.
	if _, err := pool.Exec(ctx, `UPDATE rates SET amount_cents = amount_cents + 3333`); err != nil {
		t.Fatal(err)
	}

	r := c.do("GET", path, nil, staff...)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	res := m["reservation"].(map[string]any)
	if res["reference"] != ref || res["guest"].(map[string]any)["name"] != "Inês Sá" {
		t.Fatalf("reservation %v", res)
	}
	nights := m["nights"].([]any)
	if len(nights) != 3 {
		t.Fatalf("nights %v, want 3", nights)
	}
	var sum float64
	for i, x := range nights {
		n := x.(map[string]any)
		if want := "2027-02-1" + string(rune('0'+i)); n["date"] != want {
			t.Errorf("night %d is %v, want %s", i, n["date"], want)
		}
		// One room: the amount is the rate.
		if n["rate_cents"] != n["amount_cents"] || n["rate_cents"].(float64) <= 0 || n["released"] != false {
			t.Errorf("night %v", n)
		}
		sum += n["amount_cents"].(float64)
	}
	// The nights are the rooms' price; the total adds the taxes and
	// fees on top (none added in the demo's Lisbon: VAT is included).
	rooms := res["price"].(map[string]any)["room_cents"]
	if sum != rooms || m["nights_total_cents"] != rooms || m["nights_note"] == "" ||
		strings.Contains(m["nights_note"].(string), "today") {
		t.Errorf("nights sum to %v (nights_total_cents %v), want the rooms' price %v", sum, m["nights_total_cents"], rooms)
	}
	if p, ok := m["payments"].([]any); !ok || len(p) != 0 || m["payments_note"] == "" {
		t.Errorf("payments %v (%v), want an empty list and why", m["payments"], m["payments_note"])
	}
	emails := m["emails"].([]any)
	if len(emails) != 1 || emails[0].(map[string]any)["kind"] != "confirmation" || emails[0].(map[string]any)["message_id"] != "<conf@innkeeper>" {
		t.Errorf("emails %v", emails)
	}
	history := m["history"].([]any)
	if len(history) != 2 {
		t.Fatalf("history %v, want this booking's two events (its booking, the check-in)", history)
	}
	first, last := history[0].(map[string]any), history[1].(map[string]any)
	if first["action"] != "reservation.create" || first["actor"] != "access-token" || last["action"] != "reservation.check_in" {
		t.Fatalf("history %v, want oldest first", history)
	}
	// Instants in the hotel's offset (Lisbon is UTC in February).
	if last["at"] != "2027-02-10T15:30:00Z" || last["actor"] != "key_9" || last["actor_role"] != "staff" ||
		last["before"].(map[string]any)["status"] != "confirmed" || last["after"].(map[string]any)["status"] != "checked_in" {
		t.Errorf("check-in event %v", last)
	}
	if first["before"] != nil {
		t.Errorf("book event %v: want before null", first)
	}

	c.do("GET", "/v1/admin/reservations/INK-000000", nil, staff...).Problem(t, 404, "not-found")
	c.do("GET", "/v1/admin/reservations/not-a-reference", nil, staff...).Problem(t, 404, "not-found")
	c.do("GET", path+"%00", nil, staff...).Problem(t, 404, "not-found")
	c.do("GET", path+"?x=1", nil, staff...).FieldError(t, 422, "x")
	c.do("GET", path, nil).Problem(t, 401, "unauthorized")
	c.do("GET", path, nil, bearer(c.apiKey("finance"))...).Problem(t, 403, "forbidden")
	// The guest's own token is not a staff key.
	_, token := c.book(bookingBody(set("check_in", "2027-02-20"), set("check_out", "2027-02-21")))
	c.do("GET", path, nil, bearer(token)...).Problem(t, 401, "unauthorized")
}

// An early check-out keeps every booked night in the record, at its
// booked price, and marks those given back; the nights still add up to
// the total, which stands.
func TestDeskReservationAfterEarlyCheckOut(t *testing.T) {
	t.Parallel()
	c, clock := newDeskClient(t)
	staff, _ := staffKey(t, c, "staff")
	ref, _ := c.book(bookingBody(set("check_in", "2027-01-10"), set("check_out", "2027-01-13"), set("rooms", 2), set("adults", 2)))
	path := "/v1/admin/reservations/" + ref
	record := func() (map[string]any, []map[string]any) {
		t.Helper()
		r := c.do("GET", path, nil, bearer(staff)...)
		if r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		m := r.JSON(t)
		var nights []map[string]any
		for _, x := range m["nights"].([]any) {
			nights = append(nights, x.(map[string]any))
		}
		return m, nights
	}
	_, booked := record()
	if len(booked) != 3 {
		t.Fatalf("nights %v, want 3", booked)
	}

	clock.set("2027-01-10", 15)
	if r := desk(c, ref, "check-in", nil, staff); r.Status != 200 {
		t.Fatalf("check-in: %d %s", r.Status, r.Body)
	}
	if _, err := c.api.Store.Pool().Exec(context.Background(), `UPDATE rates SET amount_cents = amount_cents * 2`); err != nil {
		t.Fatal(err)
	}
	clock.set("2027-01-11", 9)
	if r := desk(c, ref, "check-out", nil, staff); r.Status != 200 {
		t.Fatalf("check-out: %d %s", r.Status, r.Body)
	}

	m, nights := record()
	res := m["reservation"].(map[string]any)
	if res["check_out"] != "2027-01-11" || len(nights) != 3 {
		t.Fatalf("check_out %v, nights %v: want the stay ended on the 11th and its 3 booked nights", res["check_out"], nights)
	}
	var sum float64
	for i, n := range nights {
		if n["date"] != booked[i]["date"] || n["rate_cents"] != booked[i]["rate_cents"] || n["amount_cents"] != 2*n["rate_cents"].(float64) {
			t.Errorf("night %v, booked as %v (two rooms)", n, booked[i])
		}
		if want := i > 0; n["released"] != want {
			t.Errorf("night %v: released %v, want %v", n["date"], n["released"], want)
		}
		sum += n["amount_cents"].(float64)
	}
	if rooms := res["price"].(map[string]any)["room_cents"]; sum != rooms || m["nights_total_cents"] != rooms {
		t.Errorf("nights sum to %v (nights_total_cents %v), want the rooms' price %v", sum, m["nights_total_cents"], rooms)
	}
}
