package httpapi_test

import (
	"net/http"
	"testing"

	"innkeeper/local/testenv"
)

const lisbon = "/v1/admin/hotels/lisbon-riverside"

// offered lists the rate plans the public availability offers for the
// stay of bookingBody.
func offered(t *testing.T, c *client) map[string]bool {
	t.Helper()
	r := c.do("GET", "/v1/hotels/lisbon-riverside/availability?check_in=2027-01-10&check_out=2027-01-12&adults=2&children=0&rooms=1", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	out := map[string]bool{}
	for _, o := range r.JSON(t)["offers"].([]any) {
		out[o.(map[string]any)["rate_plan"].(string)] = true
	}
	return out
}

func TestCatalogueEditRoles(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	staff, _ := createKey(t, c, map[string]any{"name": "desk", "role": "staff"})
	finance, _ := createKey(t, c, map[string]any{"name": "books", "role": "finance"})
	routes := []struct{ method, path string }{
		{"PATCH", lisbon},
		{"PATCH", lisbon + "/room-types/STD"},
		{"POST", lisbon + "/room-types/STD/archive"},
		{"POST", lisbon + "/room-types/STD/unarchive"},
		{"PATCH", lisbon + "/rate-plans/STD-FLEX"},
		{"POST", lisbon + "/rate-plans/STD-FLEX/archive"},
		{"POST", lisbon + "/rate-plans/STD-FLEX/unarchive"},
	}
	body := map[string]any{"name": "Renamed"}
	for _, rt := range routes {
		t.Run(rt.method+" "+rt.path, func(t *testing.T) {
			var b any
			if rt.method == "PATCH" {
				b = body
			}
			c.do(rt.method, rt.path, b).Problem(t, http.StatusUnauthorized, "unauthorized")
			c.do(rt.method, rt.path, b, bearer(staff)...).Problem(t, http.StatusForbidden, "forbidden")
			c.do(rt.method, rt.path, b, bearer(finance)...).Problem(t, http.StatusForbidden, "forbidden")
		})
	}
	if got := c.do("GET", "/v1/hotels/lisbon-riverside", nil).JSON(t)["hotel"].(map[string]any)["name"]; got == "Renamed" {
		t.Fatal("a refused edit renamed the hotel")
	}
}

func TestPatchCatalogue(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	tests := []struct {
		name   string
		path   string
		body   map[string]any
		status int
		field  string // the field a 422 names
		check  func(t *testing.T, m map[string]any)
	}{
		{"hotel name and check-in time", lisbon, map[string]any{"name": "Riverside Lisbon", "check_in_time": "14:00"}, 200, "",
			func(t *testing.T, m map[string]any) {
				h := m["hotel"].(map[string]any)
				if h["name"] != "Riverside Lisbon" || h["check_in_time"] != "14:00" || h["slug"] != "lisbon-riverside" || h["city"] != "Lisbon" {
					t.Fatalf("hotel %v", h)
				}
			}},
		{"hotel night audit cutoff", lisbon, map[string]any{"night_audit_time": "02:30"}, 200, "",
			func(t *testing.T, m map[string]any) {
				if h := m["hotel"].(map[string]any); h["night_audit_time"] != "02:30" || h["check_in_time"] != "14:00" {
					t.Fatalf("hotel %v", h)
				}
			}},
		{"hotel night audit cutoff as a clock", lisbon, map[string]any{"night_audit_time": "3am"}, 422, "night_audit_time", nil},
		{"hotel slug is immutable", lisbon, map[string]any{"slug": "other"}, 422, "slug", nil},
		{"hotel country", lisbon, map[string]any{"country": "Portugal"}, 422, "country", nil},
		{"hotel currency once booked", lisbon, map[string]any{"currency": "USD"}, 409, "", nil},
		{"empty patch", lisbon, map[string]any{}, 422, "body", nil},
		{"room type", lisbon + "/room-types/DLX", map[string]any{"max_children": 1}, 200, "",
			func(t *testing.T, m map[string]any) {
				rt := m["room_type"].(map[string]any)
				if rt["code"] != "DLX" || rt["max_children"] != 1.0 || rt["name"] == "" {
					t.Fatalf("room type %v", rt)
				}
			}},
		{"room type code is immutable", lisbon + "/room-types/DLX", map[string]any{"code": "DLX2"}, 422, "code", nil},
		{"room type adults", lisbon + "/room-types/DLX", map[string]any{"max_adults": 21}, 422, "max_adults", nil},
		{"rate plan terms", lisbon + "/rate-plans/DLX-FLEX", map[string]any{"free_cancellation_hours": 24, "penalty_percent": 40}, 200, "",
			func(t *testing.T, m map[string]any) {
				p := m["rate_plan"].(map[string]any)
				if p["free_cancellation_hours"] != 24.0 || p["penalty_percent"] != 40.0 || p["refundable"] != true || p["room_type"] != "DLX" {
					t.Fatalf("rate plan %v", p)
				}
			}},
		{"rate plan room type is immutable", lisbon + "/rate-plans/DLX-FLEX", map[string]any{"room_type": "STD"}, 422, "room_type", nil},
		{"rate plan penalty", lisbon + "/rate-plans/DLX-FLEX", map[string]any{"penalty_percent": -1}, 422, "penalty_percent", nil},
		{"unknown hotel", "/v1/admin/hotels/nowhere", map[string]any{"name": "x"}, 404, "", nil},
		{"unknown room type", lisbon + "/room-types/NOPE", map[string]any{"name": "x"}, 404, "", nil},
		{"unknown rate plan", lisbon + "/rate-plans/NOPE", map[string]any{"name": "x"}, 404, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do("PATCH", tt.path, tt.body, admin()...)
			switch {
			case tt.status == 422:
				r.FieldError(t, 422, tt.field)
			case tt.status == 404:
				r.Problem(t, 404, "not-found")
			case tt.status == 409:
				r.Problem(t, 409, "conflict")
			case r.Status != tt.status:
				t.Fatalf("%d %s", r.Status, r.Body)
			default:
				tt.check(t, r.JSON(t))
			}
		})
	}
	// What the public reads follows the edits.
	h := c.do("GET", "/v1/hotels/lisbon-riverside", nil).JSON(t)["hotel"].(map[string]any)
	if h["name"] != "Riverside Lisbon" || h["currency"] != "EUR" || h["country"] != "PT" {
		t.Fatalf("hotel after the edits %v", h)
	}
}

// Archiving a rate plan hides it from availability and the public
// catalogue and refuses its bookings; a reservation made before still
// reads; unarchiving sells it again. A room type's archive does the same
// for all of its plans.
func TestArchiveHidesAndRefuses(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	ref, token := c.book(bookingBody())
	if !offered(t, c)["STD-FLEX"] {
		t.Fatal("STD-FLEX is not offered before the archive")
	}
	r := c.do("POST", lisbon+"/rate-plans/STD-FLEX/archive", nil, admin()...)
	if r.Status != 200 || r.JSON(t)["rate_plan"].(map[string]any)["archived_at"] == nil {
		t.Fatalf("archive: %d %s", r.Status, r.Body)
	}
	c.do("POST", lisbon+"/rate-plans/STD-FLEX/archive", nil, admin()...).Problem(t, 409, "conflict")
	if o := offered(t, c); o["STD-FLEX"] || !o["STD-NR"] {
		t.Fatalf("offers after archiving STD-FLEX: %v", o)
	}
	for _, p := range c.do("GET", "/v1/hotels/lisbon-riverside", nil).JSON(t)["hotel"].(map[string]any)["rate_plans"].([]any) {
		if p.(map[string]any)["code"] == "STD-FLEX" {
			t.Fatal("the public catalogue shows an archived plan")
		}
	}
	c.do("POST", "/v1/reservations", bookingBody(), "Idempotency-Key", newKey()).Problem(t, 409, "conflict")
	got := c.do("GET", "/v1/reservations/"+ref, nil, bearer(token)...)
	if got.Status != 200 || got.JSON(t)["reservation"].(map[string]any)["rate_plan"] != "STD-FLEX" {
		t.Fatalf("the reservation made before the archive: %d %s", got.Status, got.Body)
	}
	if r := c.do("POST", lisbon+"/rate-plans/STD-FLEX/unarchive", nil, admin()...); r.Status != 200 {
		t.Fatalf("unarchive: %d %s", r.Status, r.Body)
	}
	if !offered(t, c)["STD-FLEX"] {
		t.Fatal("STD-FLEX is not offered after unarchiving")
	}

	if r := c.do("POST", lisbon+"/room-types/STD/archive", nil, admin()...); r.Status != 200 {
		t.Fatalf("archive room type: %d %s", r.Status, r.Body)
	}
	if o := offered(t, c); o["STD-FLEX"] || o["STD-NR"] {
		t.Fatalf("offers after archiving STD: %v", o)
	}
	c.do("POST", "/v1/reservations", bookingBody(set("rate_plan", "STD-NR")), "Idempotency-Key", newKey()).Problem(t, 409, "conflict")
	c.do("POST", lisbon+"/room-types/NOPE/archive", nil, admin()...).Problem(t, 404, "not-found")

	// Every edit is one audit row, by the admin key.
	var n int
	var actions []string
	rows, err := c.api.Store.Pool().Query(t.Context(), `SELECT action FROM audit_events
		WHERE hotel = 'lisbon-riverside' AND actor_kind = 'api_key' AND actor_role = 'admin' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		actions = append(actions, a)
		n++
	}
	rows.Close()
	if n != 3 || actions[0] != "rate_plan.archive" || actions[1] != "rate_plan.unarchive" || actions[2] != "room_type.archive" {
		t.Fatalf("audit actions %v", actions)
	}
}
