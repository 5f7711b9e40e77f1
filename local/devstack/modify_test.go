package main

import (
	"sync"
	"testing"
	"time"

	"innkeeper/shared/demo"
)

// A change of booking through the devstack's gateway and the api
// function's binary: the guest's quote and modification, each
// modification's own email through the outbox, queue, worker and
// Mailpit; two guests modifying into the last family suite of a night at
// once (one 200, one 409, the loser's booking intact); and the front
// desk's modification past the guest's limits.
func TestModifyThroughTheDevstack(t *testing.T) {
	s, mp, _, _ := asyncStack(t)
	guest := func(token, key string) []string {
		h := []string{"Authorization", "Bearer " + token}
		if key != "" {
			h = append(h, "Idempotency-Key", key)
		}
		return h
	}
	day := func(days int) string { return time.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly) }

	ref, token := book(t, s, false, 70, "modify-1")
	mp.WaitFor(t, "Booking confirmed: "+ref, 1, 10*time.Second)
	longer := map[string]any{"check_out": day(72)}
	q := call(t, "POST", s.URL+"/v1/reservations/"+ref+"/modification-quote", longer, guest(token, "")...)
	if q.status != 200 || q.body["available"] != true || q.body["nights"] != float64(2) ||
		q.body["difference_cents"].(float64) <= 0 || q.body["difference_cents"] != q.body["total_cents"].(float64)-q.body["current_total_cents"].(float64) {
		t.Fatalf("quote: %d %v", q.status, q.body)
	}
	m := call(t, "POST", s.URL+"/v1/reservations/"+ref+"/modify", longer, guest(token, "modify-2")...)
	if m.status != 200 || m.body["reservation"].(map[string]any)["total_cents"] != q.body["total_cents"] {
		t.Fatalf("modify: %d %v (quoted %v)", m.status, m.body, q.body["total_cents"])
	}
	mp.WaitFor(t, "Booking changed: "+ref, 1, 10*time.Second)
	// A second modification sends a mail of its own.
	if r := call(t, "POST", s.URL+"/v1/reservations/"+ref+"/modify", map[string]any{"adults": 3}, guest(token, "modify-3")...); r.status != 200 {
		t.Fatalf("second modify: %d %v", r.status, r.body)
	}
	mp.WaitFor(t, "Booking changed: "+ref, 2, 10*time.Second)

	// The last family suite of day 80: two of three are taken; two guests
	// of day 81 ask to come a day earlier at once.
	book(t, s, false, 80, "modify-4")
	book(t, s, false, 80, "modify-5")
	a, aToken := book(t, s, false, 81, "modify-6")
	b, bToken := book(t, s, false, 81, "modify-7")
	earlier := map[string]any{"check_in": day(80), "check_out": day(81)}
	replies := make([]reply, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i, g := range []struct{ ref, token string }{{a, aToken}, {b, bToken}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			replies[i], _, errs[i] = try("POST", s.URL+"/v1/reservations/"+g.ref+"/modify", earlier, guest(g.token, "modify-race-"+g.ref)...)
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	winner, loser, loserToken := a, b, bToken
	switch {
	case replies[0].status == 200 && replies[1].status == 409:
	case replies[1].status == 200 && replies[0].status == 409:
		winner, loser, loserToken = b, a, aToken
	default:
		t.Fatalf("race: %d %v and %d %v; want one 200 and one 409", replies[0].status, replies[0].body, replies[1].status, replies[1].body)
	}
	for _, r := range replies {
		if r.status == 409 && r.body["type"] != "https://innkeeper.dev/problems/sold-out" {
			t.Fatalf("the loser's problem: %v", r.body)
		}
	}
	lost := call(t, "GET", s.URL+"/v1/reservations/"+loser, nil, guest(loserToken, "")...).body["reservation"].(map[string]any)
	if lost["check_in"] != day(81) || lost["check_out"] != day(82) {
		t.Fatalf("the loser's booking moved: %v", lost)
	}
	if free := freeFAM(t, s, 80); free != 0 {
		t.Fatalf("%v family suites free on day 80, want 0", free)
	}
	mp.WaitFor(t, "Booking changed: "+winner, 1, 10*time.Second)

	// The front desk moves the loser anyway, to a deluxe room, with a
	// reason, and the guest is told.
	admin := []string{"Authorization", "Bearer " + demo.SampleAdminKey}
	d := call(t, "POST", s.URL+"/v1/admin/reservations/"+loser+"/modify",
		map[string]any{"check_in": day(80), "check_out": day(81), "room_type": "DLX", "rate_plan": "DLX-FLEX", "adults": 2,
			"reason": "No family suite left; upgraded"}, admin...)
	if d.status != 200 || d.body["reservation"].(map[string]any)["room_type"] != "DLX" {
		t.Fatalf("desk modify: %d %v", d.status, d.body)
	}
	mp.WaitFor(t, "Booking changed: "+loser, 1, 10*time.Second)
	if n := mp.Count(t, "Booking changed: "+ref); n != 2 {
		t.Fatalf("%d change mails for two modifications", n)
	}
}
