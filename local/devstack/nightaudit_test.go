package main

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"innkeeper/shared/demo"
)

// The night audit through the devstack: a stay booked through the API
// for three days ahead, nobody checks in, the clock moves past the
// arrival day's cutoff (03:00 the morning after, Lisbon time) and the
// scheduler's night-audit marks it a no-show with its fee, in the job's
// name, and keeps the day's report, which staff read through the route.
func TestNightAuditThroughTheDevstack(t *testing.T) {
	s, log := startStack(t)
	admin := []string{"Authorization", "Bearer " + demo.SampleAdminKey}
	lisbon, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().In(lisbon)
	arrival := time.Date(now.Year(), now.Month(), now.Day()+3, 0, 0, 0, 0, lisbon)
	day := arrival.Format(time.DateOnly)
	r := call(t, "POST", s.URL+"/v1/reservations", map[string]any{
		"hotel": "lisbon-riverside", "room_type": "FAM", "rate_plan": "FAM-FLEX",
		"check_in": day, "check_out": arrival.AddDate(0, 0, 2).Format(time.DateOnly),
		"adults": 2, "guest": map[string]any{"name": "Noé Show", "email": "noe@example.com"},
		"payment": card("pm_card_visa"),
	}, "Idempotency-Key", "night-audit-1")
	if r.status != http.StatusCreated {
		t.Fatalf("book: %d %v", r.status, r.body)
	}
	ref := r.body["reservation"].(map[string]any)["reference"].(string)

	// Fired before the cutoff, the audit leaves the booking alone.
	if r := call(t, "POST", s.ControlURL+"/_devstack/schedules/night-audit/fire", nil); r.status != http.StatusOK || r.body["function_error"] != "" {
		t.Fatalf("fire night-audit: %d %v\n%s", r.status, r.body, log.String())
	}
	record := func() map[string]any {
		t.Helper()
		r := call(t, "GET", s.URL+"/v1/admin/reservations/"+ref, nil, admin...)
		if r.status != http.StatusOK {
			t.Fatalf("desk record: %d %v", r.status, r.body)
		}
		return r.body
	}
	if st := record()["reservation"].(map[string]any)["status"]; st != "confirmed" {
		t.Fatalf("before the cutoff the booking is %v", st)
	}

	// 04:00 on the morning after the arrival day, Lisbon time.
	past := arrival.AddDate(0, 0, 1).Add(4 * time.Hour)
	by := time.Until(past).Round(time.Minute) + time.Minute
	if r := call(t, "POST", s.ControlURL+"/_devstack/clock/advance?by="+url.QueryEscape(by.String()), nil); r.status != http.StatusOK {
		t.Fatalf("advance the clock: %d %v", r.status, r.body)
	}
	if r := call(t, "POST", s.ControlURL+"/_devstack/schedules/night-audit/fire", nil); r.status != http.StatusOK || r.body["function_error"] != "" {
		t.Fatalf("fire night-audit: %d %v\n%s", r.status, r.body, log.String())
	}
	// The scheduler may have fired it too as the clock jumped; whichever
	// run took the day, its report shows within a moment.
	var rep map[string]any
	deadline := time.Now().Add(10 * time.Second)
	for rep == nil {
		r := call(t, "GET", s.URL+"/v1/admin/hotels/lisbon-riverside/night-audits?from="+day+"&to="+day, nil, admin...)
		if r.status != http.StatusOK {
			t.Fatalf("night audits: %d %v", r.status, r.body)
		}
		if reps := r.body["night_audits"].([]any); len(reps) == 1 {
			rep = reps[0].(map[string]any)
		} else if time.Now().After(deadline) {
			t.Fatalf("no report of %s: %v\n%s", day, r.body, log.String())
		} else {
			time.Sleep(100 * time.Millisecond)
		}
	}
	noShows := rep["no_shows"].(map[string]any)
	found := false
	for _, x := range noShows["references"].([]any) {
		found = found || x == ref
	}
	if rep["business_date"] != day || !found || noShows["count"].(float64) < 1 || rep["no_show_fees_cents"].(float64) <= 0 {
		t.Fatalf("report of %s: %v", day, rep)
	}

	d := record()
	res := d["reservation"].(map[string]any)
	if res["status"] != "no_show" {
		t.Fatalf("after the audit the booking is %v", res["status"])
	}
	var db = stackDB(t, s)
	fee := queryInt(t, db, `SELECT coalesce(no_show_fee_cents, -1) FROM reservations WHERE reference = $1`, ref)
	// FAM-FLEX: refundable, so the no-show fee is its penalty share of the total.
	total := queryInt(t, db, `SELECT total_cents FROM reservations WHERE reference = $1`, ref)
	if fee <= 0 || fee > total {
		t.Fatalf("no_show_fee_cents %d of a total of %d", fee, total)
	}
	byJob := false
	for _, e := range d["history"].([]any) {
		e := e.(map[string]any)
		byJob = byJob || (e["action"] == "reservation.no_show" && e["actor_kind"] == "job" && e["actor"] == "night-audit")
	}
	if !byJob {
		t.Fatalf("no audit row by the night audit: %v", d["history"])
	}
	if n := queryInt(t, db, `SELECT count(*) FROM audit_events WHERE reservation = $1 AND action = 'reservation.no_show'`, ref); n != 1 {
		t.Fatalf("%d no-show audit rows; want 1", n)
	}
	// Fired again: the day is not audited twice.
	if r := call(t, "POST", s.ControlURL+"/_devstack/schedules/night-audit/fire", nil); r.status != http.StatusOK || r.body["function_error"] != "" {
		t.Fatalf("fire night-audit again: %d %v", r.status, r.body)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM night_audits a JOIN hotels h ON h.id = a.hotel_id
		WHERE h.slug = 'lisbon-riverside' AND a.business_date = $1`, arrival); n != 1 {
		t.Fatalf("%d night audits of %s; want 1", n, day)
	}
}
