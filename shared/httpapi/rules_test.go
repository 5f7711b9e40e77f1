package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"innkeeper/local/testenv"
)

// The rules that protect the hotel, as a guest meets them.

func TestGuestCancellationStopsAtCheckIn(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	now := testenv.Clock // 1 December 10:00 UTC; Lisbon checks in at 15:00, UTC in winter
	c := newClient(t, testenv.APIOptions{Clock: func() time.Time { mu.Lock(); defer mu.Unlock(); return now }})
	setClock := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	stay := bookingBody(set("check_in", "2026-12-01"), set("check_out", "2026-12-03"))
	early, earlyToken := c.book(stay)
	late, lateToken := c.book(stay)
	sold := func() int {
		return c.api.Int(t, `SELECT sum(sold) FROM inventory i JOIN room_types rt ON rt.id = i.room_type_id
			JOIN hotels h ON h.id = rt.hotel_id WHERE h.slug = 'lisbon-riverside' AND rt.code = 'STD'
			AND night IN ('2026-12-01', '2026-12-02')`)
	}

	setClock(time.Date(2026, 12, 1, 14, 59, 0, 0, time.UTC))
	if r := c.do("GET", "/v1/reservations/"+early+"/cancellation-quote", nil, bearer(earlyToken)...); r.Status != http.StatusOK {
		t.Fatalf("quote before check-in: %d %s", r.Status, r.Body)
	}
	if r := c.do("POST", "/v1/reservations/"+early+"/cancel", nil, with(bearer(earlyToken), "Idempotency-Key", newKey())...); r.Status != http.StatusOK {
		t.Fatalf("cancel before check-in: %d %s", r.Status, r.Body)
	}
	before := sold()

	for _, at := range []time.Time{
		time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC), // the check-in instant
		time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC),  // after check-out
	} {
		setClock(at)
		p := c.do("POST", "/v1/reservations/"+late+"/cancel", nil, with(bearer(lateToken), "Idempotency-Key", newKey())...).
			Problem(t, http.StatusConflict, "cancellation-after-check-in")
		if d, _ := p["detail"].(string); !strings.Contains(d, "front desk") {
			t.Fatalf("detail %q does not send the guest to the front desk", d)
		}
		c.do("GET", "/v1/reservations/"+late+"/cancellation-quote", nil, bearer(lateToken)...).
			Problem(t, http.StatusConflict, "cancellation-after-check-in")
		if got := c.do("GET", "/v1/reservations/"+late, nil, bearer(lateToken)...).JSON(t)["reservation"].(map[string]any)["status"]; got != "confirmed" {
			t.Fatalf("at %v the refused cancellation left the booking %v", at, got)
		}
		if after := sold(); after != before {
			t.Fatalf("at %v the refused cancellation changed inventory: sold %d → %d", at, before, after)
		}
	}
}

func TestHoldsAreBoundedPerEmailAndPerNight(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	holds := c.api.Int(t, `SELECT count(*) FROM reservations WHERE status = 'held'`)

	// 20 holds at once from one mailbox, spelt several ways: exactly 3 pass.
	spellings := []string{"zoe@example.com", "Zoe@Example.com", "zoe+%d@example.com", "ZOE+trip%d@EXAMPLE.COM"}
	results := make([]result, 20)
	errs := make([]error, 20)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			email := spellings[i%len(spellings)]
			if strings.Contains(email, "%d") {
				email = fmt.Sprintf(email, i)
			}
			body := bookingBody(set("hold", true), set("guest", map[string]any{"name": "Zoë", "email": email}))
			results[i], errs[i] = c.send("POST", "/v1/reservations", body, "Idempotency-Key", newKey())
		}()
	}
	wg.Wait()
	created := 0
	for i, r := range results {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		switch r.Status {
		case http.StatusCreated:
			created++
		default:
			r.Problem(t, http.StatusConflict, "hold-limit")
		}
	}
	if created != 3 {
		t.Fatalf("%d holds created from one email, want 3", created)
	}
	if n := c.api.Int(t, `SELECT count(*) FROM reservations WHERE status = 'held'`); n != holds+3 {
		t.Fatalf("%d holds in the database, want %d", n, holds+3)
	}

	// FAM has 3 units a night: unpaid holds may take 2 (half, rounded up).
	fam := func(rooms int, email string) map[string]any {
		return bookingBody(set("room_type", "FAM"), set("rate_plan", "FAM-FLEX"), set("hold", true),
			set("rooms", rooms), set("adults", rooms), set("check_in", "2027-02-03"), set("check_out", "2027-02-05"),
			set("guest", map[string]any{"name": "Ann", "email": email}))
	}
	c.book(fam(2, "ann@example.com"))
	c.do("POST", "/v1/reservations", fam(1, "bob@example.com"), "Idempotency-Key", newKey()).
		Problem(t, http.StatusConflict, "hold-capacity")
	// The last unit can still be booked outright.
	paid := fam(1, "bob@example.com")
	paid["hold"] = false
	c.book(paid)
}

func TestGuestNamesAreNames(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	withName := func(name string) map[string]any {
		return bookingBody(set("guest", map[string]any{"name": name, "email": "guest@example.com"}))
	}
	for _, name := range []string{"Zoë O’Brien-Łukasiewicz", "José María", "Nguye\u0302\u0303n Va\u0306n A", "J.R.R. Tolkien"} {
		ref, token := c.book(withName("  " + name + " "))
		got := c.do("GET", "/v1/reservations/"+ref, nil, bearer(token)...).JSON(t)["reservation"].(map[string]any)["guest"].(map[string]any)["name"]
		if got != name {
			t.Fatalf("name stored as %q, want %q trimmed", got, name)
		}
	}

	before := c.api.Int(t, `SELECT (SELECT count(*) FROM reservations) + (SELECT sum(sold) FROM inventory)`)
	for _, name := range []string{"Bob http://x.y", "<b>", "Ann\nBcc: all@example.com", "Agent 007", "Win at prize.example", "ann@example.com"} {
		c.do("POST", "/v1/reservations", withName(name), "Idempotency-Key", newKey()).FieldError(t, http.StatusUnprocessableEntity, "guest.name")
	}
	if after := c.api.Int(t, `SELECT (SELECT count(*) FROM reservations) + (SELECT sum(sold) FROM inventory)`); after != before {
		t.Fatalf("refused names changed the database: %d → %d", before, after)
	}
}
