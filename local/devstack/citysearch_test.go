package main

import (
	"testing"
	"time"

	"innkeeper/shared/demo"
)

// The city search through the devstack's gateway and the api function's
// binary, over the demo catalogue: each city's hotel with the cheapest
// offer its own search shows, found whatever the case typed; a booking
// and inventory set by staff show in the next search, though answers are
// cached in Redis; a bad query is a problem naming the parameter.
func TestCitySearchEndToEnd(t *testing.T) {
	s, _ := startStack(t)
	admin := []string{"Authorization", "Bearer " + demo.SampleAdminKey}
	in := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	out := time.Now().AddDate(0, 0, 13).Format(time.DateOnly)
	stay := "check_in=" + in + "&check_out=" + out + "&adults=2"

	best := func(city, slug string) map[string]any {
		t.Helper()
		r := call(t, "GET", s.URL+"/v1/availability?city="+city+"&"+stay, nil)
		if r.status != 200 {
			t.Fatalf("%s: %d %v", city, r.status, r.body)
		}
		hotels := r.body["hotels"].([]any)
		if len(hotels) != 1 || r.body["next_cursor"] != nil {
			t.Fatalf("%s: %v", city, r.body)
		}
		h := hotels[0].(map[string]any)
		if got := h["hotel"].(map[string]any)["slug"]; got != slug {
			t.Fatalf("%s: hotel %v, want %s", city, got, slug)
		}
		// The hotel's own search, uncached: its cheapest offer is the best.
		own := call(t, "GET", s.URL+"/v1/hotels/"+slug+"/availability?"+stay, nil)
		var cheapest map[string]any
		for _, o := range own.body["offers"].([]any) {
			o := o.(map[string]any)
			if cheapest == nil || o["total_cents"].(float64) < cheapest["total_cents"].(float64) {
				cheapest = o
			}
		}
		b := h["best_offer"].(map[string]any)
		if b["rate_plan"] != cheapest["rate_plan"] || b["total_cents"] != cheapest["total_cents"] || b["available"] != cheapest["available"] {
			t.Fatalf("%s: best offer %v, the hotel's cheapest %v", city, b, cheapest)
		}
		return b
	}
	if b := best("LISBON", "lisbon-riverside"); b["rate_plan"] != "STD-NR" || b["currency"] != "EUR" {
		t.Fatalf("Lisbon's best offer %v", b)
	}
	best("new%20york", "nyc-midtown")
	before := best("Lisbon", "lisbon-riverside")["available"].(float64)

	r := call(t, "POST", s.URL+"/v1/reservations", map[string]any{
		"hotel": "lisbon-riverside", "room_type": "STD", "rate_plan": "STD-NR", "check_in": in, "check_out": out,
		"adults": 2, "guest": map[string]any{"name": "Ana", "email": "ana@example.com"},
		"payment": card("pm_card_visa"),
	}, "Idempotency-Key", "city-1")
	if r.status != 201 {
		t.Fatalf("book: %d %v", r.status, r.body)
	}
	if got := best("Lisbon", "lisbon-riverside")["available"].(float64); got != before-1 {
		t.Fatalf("after a booking %v free, want %v", got, before-1)
	}

	// Staff close the standard rooms: the deluxe is the best offer now.
	if r := call(t, "PUT", s.URL+"/v1/admin/hotels/lisbon-riverside/inventory",
		map[string]any{"room_type": "STD", "from": in, "to": out, "units": 1}, admin...); r.status != 200 {
		t.Fatalf("set inventory: %d %v", r.status, r.body)
	}
	if b := best("lisbon", "lisbon-riverside"); b["rate_plan"] != "DLX-NR" {
		t.Fatalf("after closing STD, best offer %v", b)
	}

	r = call(t, "GET", s.URL+"/v1/availability?city=Lisbon&children=2&children_ages=7&"+stay, nil)
	if r.status != 422 || r.header.Get("Content-Type") != "application/problem+json" ||
		r.body["errors"].(map[string]any)["children_ages"] == nil {
		t.Fatalf("children_ages for fewer children: %d %v", r.status, r.body)
	}
}
