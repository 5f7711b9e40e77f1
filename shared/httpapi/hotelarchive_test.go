package httpapi_test

import (
	"net/http"
	"testing"
)

// TestArchiveHotelHidesAndRefuses: an archived hotel is neither listed,
// shown, searched nor booked; staff still read and work its bookings;
// each archive and unarchive is one audit row by the admin key.
func TestArchiveHotelHidesAndRefuses(t *testing.T) {
	t.Parallel()
	c, clock := newDeskClient(t)
	staff, _ := staffKey(t, c, "staff")
	ref, token := c.book(bookingBody())
	listed := func() bool {
		for _, h := range c.do("GET", "/v1/hotels", nil).JSON(t)["hotels"].([]any) {
			if h.(map[string]any)["slug"] == "lisbon-riverside" {
				return true
			}
		}
		return false
	}
	if !listed() {
		t.Fatal("the hotel is not listed before the archive")
	}
	c.do("POST", lisbon+"/archive", nil).Problem(t, http.StatusUnauthorized, "unauthorized")
	c.do("POST", lisbon+"/archive", nil, bearer(staff)...).Problem(t, http.StatusForbidden, "forbidden")
	c.do("POST", lisbon+"/archive", map[string]any{"x": 1}, admin()...).Problem(t, http.StatusBadRequest, "malformed")
	if !listed() {
		t.Fatal("a refused archive hid the hotel")
	}
	r := c.do("POST", lisbon+"/archive", nil, admin()...)
	if r.Status != 200 || r.JSON(t)["hotel"].(map[string]any)["archived_at"] == nil {
		t.Fatalf("archive: %d %s", r.Status, r.Body)
	}
	c.do("POST", lisbon+"/archive", nil, admin()...).Problem(t, http.StatusConflict, "conflict")
	c.do("POST", "/v1/admin/hotels/nope/archive", nil, admin()...).Problem(t, http.StatusNotFound, "not-found")
	if listed() {
		t.Fatal("an archived hotel is listed")
	}
	c.do("GET", "/v1/hotels/lisbon-riverside", nil).Problem(t, http.StatusNotFound, "not-found")
	c.do("GET", "/v1/hotels/lisbon-riverside/availability?check_in=2027-01-10&check_out=2027-01-12&adults=2&children=0&rooms=1", nil).
		Problem(t, http.StatusNotFound, "not-found")
	c.do("POST", "/v1/reservations", bookingBody(), "Idempotency-Key", newKey()).Problem(t, http.StatusConflict, "conflict")

	// The booking made before stays the guest's and the desk's.
	if got := c.do("GET", "/v1/reservations/"+ref, nil, bearer(token)...); got.Status != 200 {
		t.Fatalf("the guest's reservation: %d %s", got.Status, got.Body)
	}
	if got := c.do("GET", lisbon+"/reservations?q="+ref, nil, bearer(staff)...); got.Status != 200 ||
		len(got.JSON(t)["reservations"].([]any)) != 1 {
		t.Fatalf("staff search: %d %s", got.Status, got.Body)
	}
	clock.set("2027-01-10", 16)
	if got := desk(c, ref, "check-in", nil, staff); got.Status != 200 {
		t.Fatalf("check-in at an archived hotel: %d %s", got.Status, got.Body)
	}
	clock.set("2026-12-01", 10)

	if r := c.do("POST", lisbon+"/unarchive", nil, admin()...); r.Status != 200 || r.JSON(t)["hotel"].(map[string]any)["archived_at"] != nil {
		t.Fatalf("unarchive: %d %s", r.Status, r.Body)
	}
	c.do("POST", lisbon+"/unarchive", nil, admin()...).Problem(t, http.StatusConflict, "conflict")
	if !listed() || len(offered(t, c)) == 0 {
		t.Fatal("the unarchived hotel is not offered")
	}
	c.book(bookingBody(set("check_in", "2027-01-20"), set("check_out", "2027-01-21")))

	var actions []string
	rows, err := c.api.Store.Pool().Query(t.Context(), `SELECT action FROM audit_events
		WHERE hotel = 'lisbon-riverside' AND entity_kind = 'hotel' AND actor_kind = 'api_key' AND actor_role = 'admin' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		actions = append(actions, a)
	}
	rows.Close()
	if len(actions) != 2 || actions[0] != "hotel.archive" || actions[1] != "hotel.unarchive" {
		t.Fatalf("audit actions %v; want hotel.archive, hotel.unarchive", actions)
	}
}
