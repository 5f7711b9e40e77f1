package main

import (
	"testing"
	"time"

	"innkeeper/shared/demo"
)

// Stay restrictions through the devstack's gateway and the api
// function's binary: staff close an arrival date for one plan; the
// plain search drops the plan, explain=1 says why and when, a booking
// is refused 409 restricted naming it, and the other plan still books.
func TestRestrictionsEndToEnd(t *testing.T) {
	s, _ := startStack(t)
	admin := []string{"Authorization", "Bearer " + demo.SampleAdminKey}
	ci := time.Now().UTC().AddDate(0, 0, 20)
	in, out := ci.Format(time.DateOnly), ci.AddDate(0, 0, 1).Format(time.DateOnly)
	search := s.URL + "/v1/hotels/lisbon-riverside/availability?adults=2&check_in=" + in + "&check_out=" + out
	plans := func(r reply) map[string]bool {
		t.Helper()
		if r.status != 200 {
			t.Fatalf("availability: %d %v", r.status, r.body)
		}
		got := map[string]bool{}
		for _, o := range r.body["offers"].([]any) {
			got[o.(map[string]any)["rate_plan"].(string)] = true
		}
		return got
	}
	if got := plans(call(t, "GET", search, nil)); !got["STD-FLEX"] || !got["STD-NR"] {
		t.Fatalf("before: %v", got)
	}

	r := call(t, "PUT", s.URL+"/v1/admin/hotels/lisbon-riverside/restrictions", map[string]any{
		"rate_plan": "STD-FLEX", "from": in, "to": out, "closed_to_arrival": true, "min_stay_through": 2,
	}, admin...)
	if r.status != 200 || r.body["nights"] != float64(1) {
		t.Fatalf("put restrictions: %d %v", r.status, r.body)
	}

	if got := plans(call(t, "GET", search, nil)); got["STD-FLEX"] || !got["STD-NR"] {
		t.Fatalf("after: %v", got)
	}
	ex := call(t, "GET", search+"&explain=1", nil)
	un, _ := ex.body["unavailable"].([]any)
	if len(un) != 1 {
		t.Fatalf("explained: %v", ex.body)
	}
	u := un[0].(map[string]any)
	reasons := u["reasons"].([]any)
	if u["rate_plan"] != "STD-FLEX" || len(reasons) != 2 {
		t.Fatalf("unavailable: %v", u)
	}
	cta, mst := reasons[0].(map[string]any), reasons[1].(map[string]any)
	if cta["restriction"] != "closed_to_arrival" || cta["date"] != in ||
		mst["restriction"] != "min_stay_through" || mst["date"] != in || mst["limit"] != float64(2) {
		t.Fatalf("reasons: %v", reasons)
	}

	booking := func(plan, key string) reply {
		return call(t, "POST", s.URL+"/v1/reservations", map[string]any{
			"hotel": "lisbon-riverside", "room_type": "STD", "rate_plan": plan, "check_in": in, "check_out": out,
			"adults": 2, "guest": map[string]any{"name": "Ana", "email": "ana@example.com"},
			"payment": card("pm_card_visa"),
		}, "Idempotency-Key", key)
	}
	r = booking("STD-FLEX", "restricted-1")
	if r.status != 409 || r.body["type"] != "https://innkeeper.dev/problems/restricted" {
		t.Fatalf("restricted booking: %d %v", r.status, r.body)
	}
	if v := r.body["violations"].([]any)[0].(map[string]any); v["restriction"] != "closed_to_arrival" || v["date"] != in {
		t.Fatalf("violations: %v", r.body["violations"])
	}
	if r := booking("STD-NR", "restricted-2"); r.status != 201 {
		t.Fatalf("the other plan: %d %v", r.status, r.body)
	}
}
