package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"innkeeper/shared/demo"
)

// The rest of the front desk's day through the devstack's gateway:
// search with an accented name typed plainly, the reservation's record
// with its nights, emails and history, a no-show marked at the desk once
// the arrival day is over, a guest's modification racing a new booking
// for the last room (exactly one wins), and the catalogue edits: a rate
// plan's terms, a room type and then a whole hotel archived and back.
func TestHotelDayAtTheDesk(t *testing.T) {
	s, mp, _, _ := asyncStack(t)
	db := stackDB(t, s)
	ctx := context.Background()
	admin := []string{"Authorization", "Bearer " + demo.SampleAdminKey}
	day := func(days int) string { return time.Now().UTC().AddDate(0, 0, days).Format(time.DateOnly) }
	lisbon, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		t.Fatal(err)
	}

	// Search: "joao" finds João, whatever the case and accents.
	r := call(t, "POST", s.URL+"/v1/reservations", map[string]any{
		"hotel": "lisbon-riverside", "room_type": "FAM", "rate_plan": "FAM-FLEX",
		"check_in": day(60), "check_out": day(62), "adults": 2,
		"guest":   map[string]any{"name": "João Gonçalves", "email": "jg@example.com"},
		"payment": card("pm_card_visa"),
	}, "Idempotency-Key", "deskday-1")
	if r.status != 201 {
		t.Fatalf("book: %d %v", r.status, r.body)
	}
	joao := r.body["reservation"].(map[string]any)["reference"].(string)
	found := call(t, "GET", s.URL+"/v1/admin/hotels/lisbon-riverside/reservations?q=JOAO+goncalves", nil, admin...)
	if rs, _ := found.body["reservations"].([]any); found.status != 200 || len(rs) != 1 || rs[0].(map[string]any)["reference"] != joao {
		t.Fatalf("search: %d %v", found.status, found.body)
	}

	// The record: two nights summing to the total, the guest's and the
	// hotel's emails once the worker has sent them, and the booking in the
	// history.
	mp.WaitFor(t, "Booking confirmed: "+joao, 1, 10*time.Second)
	var rec reply
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		rec = call(t, "GET", s.URL+"/v1/admin/reservations/"+joao, nil, admin...)
		if es, _ := rec.body["emails"].([]any); rec.status == 200 && len(es) >= 2 || time.Now().After(deadline) {
			break
		}
	}
	total := rec.body["reservation"].(map[string]any)["total_cents"]
	nights, _ := rec.body["nights"].([]any)
	emails, _ := rec.body["emails"].([]any)
	history, _ := rec.body["history"].([]any)
	kinds := map[any]bool{}
	for _, e := range emails {
		kinds[e.(map[string]any)["kind"]] = true
	}
	if rec.status != 200 || len(nights) != 2 || rec.body["nights_total_cents"] != total || !kinds["confirmation"] ||
		len(history) == 0 || history[0].(map[string]any)["action"] != "reservation.create" {
		t.Fatalf("desk record: %d %v", rec.status, rec.body)
	}

	// No-show at the desk: a guest due yesterday (hotel time). The API
	// books from today on, so the stay is moved back a day in the
	// database, nights and all, as if booked yesterday.
	today := time.Now().In(lisbon)
	r = call(t, "POST", s.URL+"/v1/reservations", map[string]any{
		"hotel": "lisbon-riverside", "room_type": "FAM", "rate_plan": "FAM-FLEX",
		"check_in": today.Format(time.DateOnly), "check_out": today.AddDate(0, 0, 2).Format(time.DateOnly),
		"adults": 2, "guest": map[string]any{"name": "Late Guest", "email": "late@example.com"},
		"payment": card("pm_card_visa"),
	}, "Idempotency-Key", "deskday-2")
	if r.status != 201 {
		t.Fatalf("book for today: %d %v", r.status, r.body)
	}
	late := r.body["reservation"].(map[string]any)["reference"].(string)
	if r := call(t, "POST", s.URL+"/v1/admin/reservations/"+late+"/no-show", nil, admin...); r.status != 409 {
		t.Fatalf("no-show on the arrival day: %d %v, want 409", r.status, r.body)
	}
	yesterday, last := today.AddDate(0, 0, -1).Format(time.DateOnly), today.AddDate(0, 0, 1).Format(time.DateOnly)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO inventory (room_type_id, night, units)
			SELECT room_type_id, $1::date, 3 FROM reservations WHERE reference = $2 ON CONFLICT DO NOTHING`, []any{yesterday, late}},
		{`UPDATE inventory i SET sold = sold + 1 FROM reservations r
			WHERE r.reference = $2 AND i.room_type_id = r.room_type_id AND i.night = $1::date`, []any{yesterday, late}},
		{`UPDATE inventory i SET sold = sold - 1 FROM reservations r
			WHERE r.reference = $2 AND i.room_type_id = r.room_type_id AND i.night = $1::date`, []any{last, late}},
		{`UPDATE reservations SET check_in = check_in - 1, check_out = check_out - 1 WHERE reference = $1`, []any{late}},
	} {
		if _, err := db.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("%v\n%s", err, q.sql)
		}
	}
	ns := call(t, "POST", s.URL+"/v1/admin/reservations/"+late+"/no-show", nil, admin...)
	res, _ := ns.body["reservation"].(map[string]any)
	if ns.status != 200 || res["status"] != "no_show" || res["no_show_fee_cents"] == nil || res["no_show_fee_cents"].(float64) <= 0 {
		t.Fatalf("no-show: %d %v", ns.status, ns.body)
	}
	if n := queryInt(t, db, `SELECT sold FROM inventory i JOIN reservations r ON r.room_type_id = i.room_type_id
		WHERE r.reference = $1 AND i.night = $2::date`, late, yesterday); n != 0 {
		t.Fatalf("the no-show's night still holds %d rooms", n)
	}

	// A guest's modification into the last family suite of day 90 races
	// a new booking of it: one wins, the other is sold out, and the
	// suite is sold exactly once.
	book(t, s, false, 90, "deskday-3")
	book(t, s, false, 90, "deskday-4")
	moving, movingToken := book(t, s, false, 91, "deskday-5")
	var modify, booking reply
	var errs [2]error
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Add(2)
	go func() {
		defer wg.Done()
		<-start
		modify, _, errs[0] = try("POST", s.URL+"/v1/reservations/"+moving+"/modify",
			map[string]any{"check_in": day(90), "check_out": day(91)},
			"Authorization", "Bearer "+movingToken, "Idempotency-Key", "deskday-6")
	}()
	go func() {
		defer wg.Done()
		<-start
		booking, _, errs[1] = try("POST", s.URL+"/v1/reservations", map[string]any{
			"hotel": "lisbon-riverside", "room_type": "FAM", "rate_plan": "FAM-FLEX",
			"check_in": day(90), "check_out": day(91), "adults": 2,
			"guest":   map[string]any{"name": "Rival", "email": "rival@example.com"},
			"payment": card("pm_card_visa"),
		}, "Idempotency-Key", "deskday-7")
	}()
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if !(modify.status == 200 && booking.status == 409 || modify.status == 409 && booking.status == 201) {
		t.Fatalf("race: modify %d %v, booking %d %v; want exactly one to win", modify.status, modify.body, booking.status, booking.body)
	}
	if free := freeFAM(t, s, 90); free != 0 {
		t.Fatalf("%v family suites free on day 90 after the race, want 0", free)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM inventory WHERE sold > units`); n != 0 {
		t.Fatalf("%d nights oversold", n)
	}
	if modify.status == 409 {
		kept := call(t, "GET", s.URL+"/v1/reservations/"+moving, nil, "Authorization", "Bearer "+movingToken).body["reservation"].(map[string]any)
		if kept["check_in"] != day(91) {
			t.Fatalf("the losing modification moved the booking: %v", kept)
		}
	}

	// Catalogue edits: new terms, a room type archived and back, a hotel
	// archived (gone for guests, still the desk's) and back.
	if r := call(t, "PATCH", s.URL+"/v1/admin/hotels/lisbon-riverside/rate-plans/FAM-FLEX",
		map[string]any{"penalty_percent": 50}, admin...); r.status != 200 {
		t.Fatalf("patch rate plan: %d %v", r.status, r.body)
	}
	offers := func() map[string]bool {
		t.Helper()
		r := call(t, "GET", s.URL+"/v1/hotels/lisbon-riverside/availability?adults=2&check_in="+day(100)+"&check_out="+day(101), nil)
		got := map[string]bool{}
		for _, o := range r.body["offers"].([]any) {
			got[o.(map[string]any)["room_type"].(string)] = true
		}
		return got
	}
	if !offers()["FAM"] {
		t.Fatal("no family suite offered before the archive")
	}
	for _, step := range []struct {
		path string
		want int
	}{{"/room-types/FAM/archive", 200}, {"/room-types/FAM/archive", 409}} {
		if r := call(t, "POST", s.URL+"/v1/admin/hotels/lisbon-riverside"+step.path, nil, admin...); r.status != step.want {
			t.Fatalf("%s: %d %v, want %d", step.path, r.status, r.body, step.want)
		}
	}
	if offers()["FAM"] {
		t.Fatal("an archived room type is still offered")
	}
	if r := call(t, "POST", s.URL+"/v1/admin/hotels/lisbon-riverside/room-types/FAM/unarchive", nil, admin...); r.status != 200 || !offers()["FAM"] {
		t.Fatalf("unarchive room type: %d %v", r.status, r.body)
	}
	if r := call(t, "POST", s.URL+"/v1/admin/hotels/lisbon-riverside/archive", nil, admin...); r.status != 200 {
		t.Fatalf("archive hotel: %d %v", r.status, r.body)
	}
	if r := call(t, "GET", s.URL+"/v1/hotels/lisbon-riverside", nil); r.status != 404 {
		t.Fatalf("an archived hotel's page: %d, want 404", r.status)
	}
	if r := call(t, "GET", s.URL+"/v1/admin/reservations/"+joao, nil, admin...); r.status != 200 {
		t.Fatalf("the desk lost an archived hotel's booking: %d %v", r.status, r.body)
	}
	if r := call(t, "POST", s.URL+"/v1/admin/hotels/lisbon-riverside/unarchive", nil, admin...); r.status != 200 {
		t.Fatalf("unarchive hotel: %d %v", r.status, r.body)
	}
	if r := call(t, "GET", s.URL+"/v1/hotels/lisbon-riverside", nil); r.status != 200 {
		t.Fatalf("an unarchived hotel's page: %d", r.status)
	}
}
