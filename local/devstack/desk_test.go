package main

import (
	"testing"
	"time"

	"innkeeper/shared/demo"
)

// The front desk through the devstack's gateway and the api function's
// binary: a check-in before the arrival day is refused and changes
// nothing; a guest arriving today checks in and leaves a day early,
// shortening the stay; a desk cancellation waives the fee.
func TestFrontDeskEndToEnd(t *testing.T) {
	s, _ := startStack(t)
	admin := []string{"Authorization", "Bearer " + demo.SampleAdminKey}
	desk := func(ref, action string, body any) reply {
		t.Helper()
		return call(t, "POST", s.URL+"/v1/admin/reservations/"+ref+"/"+action, body, admin...)
	}
	status := func(ref, token string) map[string]any {
		t.Helper()
		r := call(t, "GET", s.URL+"/v1/reservations/"+ref, nil, "Authorization", "Bearer "+token)
		if r.status != 200 {
			t.Fatalf("reservation: %d %v", r.status, r.body)
		}
		return r.body["reservation"].(map[string]any)
	}

	later, laterToken := book(t, s, false, 3, "desk-1")
	if r := desk(later, "check-in", nil); r.status != 409 || r.body["type"] != "https://innkeeper.dev/problems/before-arrival" {
		t.Fatalf("check-in before arrival: %d %v", r.status, r.body)
	}
	if st := status(later, laterToken)["status"]; st != "confirmed" {
		t.Fatalf("a refused check-in left %v", st)
	}
	if r := desk(later, "cancel", map[string]any{"reason": "double booking", "waive_fee": true}); r.status != 200 ||
		r.body["reservation"].(map[string]any)["cancellation_fee_cents"] != float64(0) {
		t.Fatalf("desk cancel: %d %v", r.status, r.body)
	}

	// Today at the hotel, whatever the UTC date.
	lisbon, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(lisbon)
	r := call(t, "POST", s.URL+"/v1/reservations", map[string]any{
		"hotel": "lisbon-riverside", "room_type": "FAM", "rate_plan": "FAM-FLEX",
		"check_in": today.Format(time.DateOnly), "check_out": today.AddDate(0, 0, 2).Format(time.DateOnly),
		"adults": 2, "guest": map[string]any{"name": "Rui", "email": "rui@example.com"},
		"payment": card("pm_card_visa"),
	}, "Idempotency-Key", "desk-2")
	if r.status != 201 {
		t.Fatalf("book for today: %d %v", r.status, r.body)
	}
	ref, token := r.body["reservation"].(map[string]any)["reference"].(string), r.body["access_token"].(string)
	if r := desk(ref, "check-in", nil); r.status != 200 || r.body["reservation"].(map[string]any)["status"] != "checked_in" {
		t.Fatalf("check-in: %d %v", r.status, r.body)
	}
	if r := desk(ref, "check-out", map[string]any{"reason": "leaving early"}); r.status != 200 {
		t.Fatalf("check-out: %d %v", r.status, r.body)
	}
	got := status(ref, token)
	if got["status"] != "checked_out" || got["check_out"] != today.AddDate(0, 0, 1).Format(time.DateOnly) || got["nights"] != float64(1) {
		t.Fatalf("after an early check-out: %v", got)
	}
}
