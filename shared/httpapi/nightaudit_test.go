package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/shared/jobs"
	"innkeeper/shared/logging"
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

// TestNightAuditReports: the route shows what the job recorded, newest
// first, to staff only, and refuses a bad span with a 422.
func TestNightAuditReports(t *testing.T) {
	t.Parallel()
	c, clock := newDeskClient(t)
	staff, _ := staffKey(t, c, "staff")
	finance, _ := staffKey(t, c, "finance")
	ref, _ := c.book(bookingBody()) // arrives 2027-01-10
	runner := &jobs.Runner{Store: c.api.Store, Log: logging.Discard(), Function: "scheduler"}
	run := func(at time.Time) {
		detail, _ := json.Marshal(map[string]string{"job": jobs.NightAudit})
		if _, err := runner.Handle(context.Background(), events.EventBridgeEvent{Time: at, Detail: detail}); err != nil {
			t.Fatal(err)
		}
	}
	run(time.Date(2027, 1, 10, 3, 30, 0, 0, time.UTC)) // closes the 9th
	run(time.Date(2027, 1, 11, 3, 30, 0, 0, time.UTC)) // closes the 10th
	clock.set("2027-01-11", 12)

	path := lisbon + "/night-audits"
	c.do("GET", path, nil).Problem(t, http.StatusUnauthorized, "unauthorized")
	c.do("GET", path, nil, bearer(finance)...).Problem(t, http.StatusForbidden, "forbidden")
	c.do("GET", path+"?from=2027-01-10&to=2027-01-01", nil, bearer(staff)...).FieldError(t, 422, "from")
	c.do("GET", path+"?from=2026-01-01&to=2027-01-01", nil, bearer(staff)...).FieldError(t, 422, "to")
	c.do("GET", path+"?from=yesterday", nil, bearer(staff)...).FieldError(t, 422, "from")
	c.do("GET", path+"?page=2", nil, bearer(staff)...).FieldError(t, 422, "page")
	c.do("GET", "/v1/admin/hotels/nope/night-audits", nil, bearer(staff)...).Problem(t, http.StatusNotFound, "not-found")

	// Without dates: the 30 days ending yesterday (the 10th).
	r := c.do("GET", path, nil, bearer(staff)...)
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	reps := m["night_audits"].([]any)
	if m["from"] != "2026-12-12" || m["to"] != "2027-01-10" || len(reps) != 2 {
		t.Fatalf("default span %v–%v, %d reports: %s", m["from"], m["to"], len(reps), r.Body)
	}
	day := reps[0].(map[string]any)
	noShows := day["no_shows"].(map[string]any)
	if day["business_date"] != "2027-01-10" || noShows["count"] != 1.0 || noShows["references"].([]any)[0] != ref ||
		day["no_show_fees_cents"].(float64) <= 0 || day["ran_at"] != "2027-01-11T03:30:00Z" {
		t.Fatalf("report of the 10th: %v", day)
	}
	if reps[1].(map[string]any)["business_date"] != "2027-01-09" {
		t.Fatalf("second report: %v", reps[1])
	}
	one := c.do("GET", path+"?from=2027-01-09&to=2027-01-09", nil, bearer(staff)...).JSON(t)["night_audits"].([]any)
	if len(one) != 1 || one[0].(map[string]any)["business_date"] != "2027-01-09" {
		t.Fatalf("one day: %v", one)
	}
}
