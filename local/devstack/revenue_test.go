package main

import (
	"testing"
	"time"

	"innkeeper/shared/demo"
)

// The revenue report through the devstack's gateway: a confirmed stay
// adds its room-night and its net room revenue to the night's figures; a cancelled
// one adds a cancellation, and its fee, and no revenue.
func TestRevenueReportEndToEnd(t *testing.T) {
	s, _ := startStack(t)
	night := time.Now().UTC().AddDate(0, 0, 70)
	url := s.URL + "/v1/finance/revenue?hotel=lisbon-riverside&group_by=room_type&from=" +
		night.Format(time.DateOnly) + "&to=" + night.AddDate(0, 0, 1).Format(time.DateOnly)
	fam := func() map[string]any {
		t.Helper()
		r := call(t, "GET", url, nil, "Authorization", "Bearer "+demo.SampleAdminKey)
		if r.status != 200 {
			t.Fatalf("revenue: %d %v", r.status, r.body)
		}
		for _, row := range r.body["rows"].([]any) {
			if row := row.(map[string]any); row["room_type"] == "FAM" {
				return row
			}
		}
		t.Fatalf("no FAM row: %v", r.body)
		return nil
	}
	before := fam()
	reservation := func(ref, token string) map[string]any {
		t.Helper()
		r := call(t, "GET", s.URL+"/v1/reservations/"+ref, nil, "Authorization", "Bearer "+token)
		if r.status != 200 {
			t.Fatalf("reservation: %d %v", r.status, r.body)
		}
		return r.body["reservation"].(map[string]any)
	}
	kept := reservation(book(t, s, false, 70, "revenue-1"))
	cref, token := book(t, s, false, 70, "revenue-2")
	if r := call(t, "POST", s.URL+"/v1/reservations/"+cref+"/cancel", nil, "Authorization", "Bearer "+token, "Idempotency-Key", "revenue-3"); r.status != 200 {
		t.Fatalf("cancel: %d %v", r.status, r.body)
	}
	cancelled := reservation(cref, token)
	after := fam()
	diff := func(k string) float64 { return after[k].(float64) - before[k].(float64) }
	fee, _ := cancelled["cancellation_fee_cents"].(float64)
	// The demo's Lisbon VAT is included: revenue is below the rooms' price.
	net := netRoomCents(kept)
	if cancelled["status"] != "cancelled" || diff("room_nights_sold") != 1 || diff("room_revenue_cents") != net ||
		net >= kept["price"].(map[string]any)["room_cents"].(float64) ||
		diff("cancellations") != 1 || diff("cancellation_fees_cents") != fee ||
		after["room_nights_available"] != before["room_nights_available"] {
		t.Fatalf("before %v\nafter %v\nkept %v\ncancelled %v", before, after, kept, cancelled)
	}
}

// netRoomCents is a reservation's room revenue as the report counts it:
// the rooms' price less the taxes included in it (VAT); the tourist tax
// paid at the hotel, and fees added on top, are not room revenue.
func netRoomCents(reservation map[string]any) float64 {
	price := reservation["price"].(map[string]any)
	net := price["room_cents"].(float64)
	for _, l := range price["lines"].([]any) {
		if l := l.(map[string]any); l["included"] == true {
			net -= l["amount_cents"].(float64)
		}
	}
	return net
}
