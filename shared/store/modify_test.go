package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"

	"innkeeper/shared/booking"
)

// withSuite adds a second room type, STE (three adults), with units on
// every night and a flexible plan at 150.00, to f's hotel.
func (f fixture) withSuite(t *testing.T, units int) fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := f.svc.CreateRoomType(ctx, "h", booking.RoomType{Code: "STE", Name: "Suite", MaxAdults: 3, MaxChildren: 2}, bySeed); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateRatePlan(ctx, "h", booking.RatePlan{RoomTypeCode: "STE", Code: "STE-FLEX", Name: "Flex",
		Refundable: true, FreeCancellationHours: 24, PenaltyPercent: 10}, bySeed); err != nil {
		t.Fatal(err)
	}
	rng := booking.DateRange{From: booking.MustDate("2026-12-01"), To: booking.MustDate("2027-02-01")}
	if err := f.svc.SetInventory(ctx, "h", "STE", rng, units, bySeed); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetRates(ctx, "h", "STE-FLEX", rng, 15000, bySeed); err != nil {
		t.Fatal(err)
	}
	return f
}

// soldOf is sold of room type code on night, read by SQL.
func (f fixture) soldOf(t *testing.T, code, night string) int {
	t.Helper()
	var n int
	if err := f.st.Pool().QueryRow(context.Background(), `SELECT i.sold FROM inventory i
		JOIN room_types rt ON rt.id = i.room_type_id WHERE rt.code = $1 AND i.night = $2`,
		code, booking.MustDate(night).Time()).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// overbooked counts inventory rows with more sold than units, or fewer
// than none.
func (f fixture) overbooked(t *testing.T) int {
	t.Helper()
	var n int
	if err := f.st.Pool().QueryRow(context.Background(), `SELECT count(*) FROM inventory WHERE sold > units OR sold < 0`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// written counts the reservation's reservation.modified outbox rows and
// reservation.modify audit rows.
func (f fixture) written(t *testing.T, reference string) (events, audits int) {
	t.Helper()
	if err := f.st.Pool().QueryRow(context.Background(), `SELECT
			(SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND event_type = 'reservation.modified'),
			(SELECT count(*) FROM audit_events WHERE reservation = $1 AND action = 'reservation.modify')`, reference).
		Scan(&events, &audits); err != nil {
		t.Fatal(err)
	}
	return events, audits
}

func intp(n int) *int { return &n }

func TestModifyMovesTheNights(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2).withSuite(t, 2)
	ctx := context.Background()
	r, token, err := f.book(ctx, "2026-12-10", "2026-12-12", 1)
	if err != nil {
		t.Fatal(err)
	}
	c := booking.Change{RoomType: "STE", RatePlan: "STE-FLEX", CheckIn: booking.MustDate("2026-12-11"),
		CheckOut: booking.MustDate("2026-12-14"), Adults: intp(3)}
	f.svc.RequestIDFrom(func(context.Context) string { return "req-1" })
	m, err := f.svc.Modify(ctx, r.Reference, token, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.RoomTypeCode != "STE" || m.RatePlanCode != "STE-FLEX" || m.TotalCents != 3*15000 || m.Adults != 3 || m.ID != r.ID ||
		m.PenaltyPercent != 10 || m.FreeCancellationUntil == nil || m.FreeCancellationUntil.UTC().Format("2006-01-02 15:04") != "2026-12-10 15:00" {
		t.Fatalf("modified %+v", m)
	}
	for _, tt := range []struct {
		code, night string
		want        int
	}{
		{"DBL", "2026-12-10", 0}, {"DBL", "2026-12-11", 0},
		{"STE", "2026-12-10", 0}, {"STE", "2026-12-11", 1}, {"STE", "2026-12-12", 1}, {"STE", "2026-12-13", 1}, {"STE", "2026-12-14", 0},
	} {
		if got := f.soldOf(t, tt.code, tt.night); got != tt.want {
			t.Errorf("sold %s on %s: %d, want %d", tt.code, tt.night, got, tt.want)
		}
	}
	stored, err := f.st.Reservation(ctx, r.Reference)
	if err != nil || stored.RoomTypeCode != "STE" || stored.RatePlanCode != "STE-FLEX" || stored.TotalCents != 45000 ||
		stored.CheckIn.String() != "2026-12-11" || stored.CheckOut.String() != "2026-12-14" || stored.Adults != 3 ||
		!stored.UpdatedAt.Equal(clock) || stored.Status != booking.StatusConfirmed {
		t.Fatalf("stored %+v, %v", stored, err)
	}
	var payload []byte
	if err := f.st.Pool().QueryRow(ctx, `SELECT payload FROM outbox WHERE aggregate_id = $1 AND event_type = 'reservation.modified'`,
		r.Reference).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	var ev booking.Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Type != booking.EventModified || ev.RoomType != "STE" || ev.CheckIn.String() != "2026-12-11" || ev.Previous == nil ||
		*ev.Previous != (booking.StayRef{RoomType: "DBL", CheckIn: r.CheckIn, CheckOut: r.CheckOut, Rooms: 1}) {
		t.Fatalf("event %s", payload)
	}
	var before, after, actor, reqID string
	if err := f.st.Pool().QueryRow(ctx, `SELECT before::text, after::text, actor, request_id FROM audit_events
		WHERE reservation = $1 AND action = 'reservation.modify'`, r.Reference).Scan(&before, &after, &actor, &reqID); err != nil {
		t.Fatal(err)
	}
	var was, is struct {
		RoomType   string `json:"room_type"`
		RatePlan   string `json:"rate_plan"`
		Adults     int    `json:"adults"`
		CheckIn    string `json:"check_in"`
		TotalCents int64  `json:"total_cents"`
	}
	_ = json.Unmarshal([]byte(before), &was)
	_ = json.Unmarshal([]byte(after), &is)
	if was.RoomType != "DBL" || is.RoomType != "STE" || was.RatePlan != "DBL-FLEX" || is.RatePlan != "STE-FLEX" ||
		was.Adults != 1 || is.Adults != 3 || is.CheckIn != "2026-12-11" || was.TotalCents != 20000 || is.TotalCents != 45000 ||
		actor != booking.ActorAccessToken || reqID != "req-1" {
		t.Fatalf("audit %s → %s by %s (%s)", before, after, actor, reqID)
	}
}

func TestSoldOutModifyChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2).withSuite(t, 1)
	ctx := context.Background()
	r, token, err := f.book(ctx, "2026-12-10", "2026-12-12", 1)
	if err != nil {
		t.Fatal(err)
	}
	// Someone takes the only suite on the 12th.
	if _, _, err := f.svc.Book(ctx, booking.BookRequest{Hotel: "h", RoomType: "STE", RatePlan: "STE-FLEX",
		Stay:  booking.Stay{CheckIn: booking.MustDate("2026-12-12"), CheckOut: booking.MustDate("2026-12-13"), Adults: 1, Rooms: 1},
		Guest: booking.Guest{Name: "Other", Email: "o@example.com"}}, nil); err != nil {
		t.Fatal(err)
	}
	before, _ := f.st.Reservation(ctx, r.Reference)
	c := booking.Change{RoomType: "STE", RatePlan: "STE-FLEX", CheckOut: booking.MustDate("2026-12-13")}
	if _, err := f.svc.Modify(ctx, r.Reference, token, c, nil); !errors.Is(err, booking.ErrSoldOut) {
		t.Fatalf("modify into a sold-out night: %v, want ErrSoldOut", err)
	}
	after, _ := f.st.Reservation(ctx, r.Reference)
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Fatalf("the reservation changed:\n%+v\n%+v", before, after)
	}
	for night, want := range map[string][2]int{"2026-12-10": {1, 0}, "2026-12-11": {1, 0}, "2026-12-12": {0, 1}} {
		if d, s := f.soldOf(t, "DBL", night), f.soldOf(t, "STE", night); d != want[0] || s != want[1] {
			t.Errorf("sold on %s: DBL %d, STE %d; want %v", night, d, s, want)
		}
	}
	if ev, au := f.written(t, r.Reference); ev != 0 || au != 0 {
		t.Fatalf("%d events and %d audit rows for a refused modification", ev, au)
	}
}

// The stay's own nights count as free for its modification: extending a
// stay by a night needs only that night free, even when every other
// night is full.
func TestExtendByTheLastFreeNight(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1)
	ctx := context.Background()
	r, token, err := f.book(ctx, "2026-12-10", "2026-12-12", 1)
	if err != nil {
		t.Fatal(err)
	}
	q, err := f.svc.ModificationQuote(ctx, r.Reference, token, booking.Change{CheckOut: booking.MustDate("2026-12-13")})
	if err != nil || !q.Available || q.New.TotalCents != 30000 || q.DifferenceCents() != 10000 || len(q.Nightly) != 3 {
		t.Fatalf("quote %+v, %v", q, err)
	}
	if f.soldOf(t, "DBL", "2026-12-12") != 0 {
		t.Fatal("the quote took a night")
	}
	m, err := f.svc.Modify(ctx, r.Reference, token, booking.Change{CheckOut: booking.MustDate("2026-12-13")}, nil)
	if err != nil || m.Nights() != 3 || m.TotalCents != 30000 {
		t.Fatalf("extend: %+v, %v", m, err)
	}
	for _, night := range []string{"2026-12-10", "2026-12-11", "2026-12-12"} {
		if got := f.soldOf(t, "DBL", night); got != 1 {
			t.Errorf("sold on %s: %d, want 1", night, got)
		}
	}
	// The 13th goes to someone else; a further night is sold out, and the
	// three nights stay the guest's.
	if _, _, err := f.book(ctx, "2026-12-13", "2026-12-14", 1); err != nil {
		t.Fatal(err)
	}
	q, err = f.svc.ModificationQuote(ctx, r.Reference, token, booking.Change{CheckOut: booking.MustDate("2026-12-14")})
	if err != nil || q.Available {
		t.Fatalf("quote over a sold night: %+v, %v", q, err)
	}
	if _, err := f.svc.Modify(ctx, r.Reference, token, booking.Change{CheckOut: booking.MustDate("2026-12-14")}, nil); !errors.Is(err, booking.ErrSoldOut) {
		t.Fatalf("extend over a sold night: %v", err)
	}
	for _, night := range []string{"2026-12-10", "2026-12-11", "2026-12-12", "2026-12-13"} {
		if got := f.soldOf(t, "DBL", night); got != 1 {
			t.Errorf("sold on %s: %d, want 1", night, got)
		}
	}
	// Shortening gives the night back.
	if _, err := f.svc.Modify(ctx, r.Reference, token, booking.Change{CheckIn: booking.MustDate("2026-12-11")}, nil); err != nil {
		t.Fatal(err)
	}
	if f.soldOf(t, "DBL", "2026-12-10") != 0 || f.soldOf(t, "DBL", "2026-12-11") != 1 {
		t.Fatal("shortening did not give the first night back")
	}
	if ev, au := f.written(t, r.Reference); ev != 2 || au != 2 {
		t.Fatalf("%d events and %d audit rows for two modifications", ev, au)
	}
}

// together runs fns at once, released together by a barrier.
func together(fns ...func()) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn()
		}()
	}
	close(start)
	wg.Wait()
}

// Two guests modify into the last suite of a night at once: exactly one
// wins, the other is sold out and keeps the old booking. Each round uses
// its own night.
func TestTwoModifiesIntoTheLastRoom(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2).withSuite(t, 1)
	ctx := context.Background()
	const rounds = 20
	for i := range rounds {
		in := booking.MustDate("2026-12-05").AddDays(i)
		ci, co := in.String(), in.AddDays(1).String()
		a, ta, err := f.book(ctx, ci, co, 1)
		if err != nil {
			t.Fatal(err)
		}
		b, tb, err := f.book(ctx, ci, co, 1)
		if err != nil {
			t.Fatal(err)
		}
		c := booking.Change{RoomType: "STE", RatePlan: "STE-FLEX"}
		var errA, errB error
		together(func() { _, errA = f.svc.Modify(ctx, a.Reference, ta, c, nil) },
			func() { _, errB = f.svc.Modify(ctx, b.Reference, tb, c, nil) })
		won, lost := a, b
		switch {
		case errA == nil && errors.Is(errB, booking.ErrSoldOut):
		case errB == nil && errors.Is(errA, booking.ErrSoldOut):
			won, lost = b, a
		default:
			t.Fatalf("round %d: %v and %v; want one win and one sold out", i, errA, errB)
		}
		if w, _ := f.st.Reservation(ctx, won.Reference); w.RoomTypeCode != "STE" {
			t.Fatalf("round %d: the winner is in %s", i, w.RoomTypeCode)
		}
		if l, _ := f.st.Reservation(ctx, lost.Reference); l.RoomTypeCode != "DBL" || l.TotalCents != 10000 {
			t.Fatalf("round %d: the loser's booking changed: %+v", i, l)
		}
		if s, d := f.soldOf(t, "STE", ci), f.soldOf(t, "DBL", ci); s != 1 || d != 1 {
			t.Fatalf("round %d: sold STE %d, DBL %d; want 1 and 1", i, s, d)
		}
	}
	if n := f.overbooked(t); n != 0 {
		t.Fatalf("%d nights sold beyond their units", n)
	}
}

// A modification races a new booking for the last suite of a night:
// exactly one gets it, and the loser of a modification keeps its booking.
func TestModifyRacesABookingForTheLastRoom(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1).withSuite(t, 1)
	ctx := context.Background()
	const rounds = 20
	for i := range rounds {
		in := booking.MustDate("2026-12-05").AddDays(i)
		ci, co := in.String(), in.AddDays(1).String()
		suite := booking.BookRequest{Hotel: "h", RoomType: "STE", RatePlan: "STE-FLEX",
			Stay:  booking.Stay{CheckIn: in, CheckOut: in.AddDays(1), Adults: 1, Rooms: 1},
			Guest: booking.Guest{Name: "Walk In", Email: "w@example.com"}}
		a, ta, err := f.book(ctx, ci, co, 1)
		if err != nil {
			t.Fatal(err)
		}
		var errMod, errBook error
		together(func() {
			_, errMod = f.svc.Modify(ctx, a.Reference, ta, booking.Change{RoomType: "STE", RatePlan: "STE-FLEX"}, nil)
		}, func() {
			_, _, errBook = f.svc.Book(ctx, suite, nil)
		})
		wantDbl := 0
		switch {
		case errMod == nil && errors.Is(errBook, booking.ErrSoldOut):
		case errBook == nil && errors.Is(errMod, booking.ErrSoldOut):
			wantDbl = 1
			if l, _ := f.st.Reservation(ctx, a.Reference); l.RoomTypeCode != "DBL" {
				t.Fatalf("round %d: the refused modification moved the booking", i)
			}
		default:
			t.Fatalf("round %d: modify %v, book %v; want one win and one sold out", i, errMod, errBook)
		}
		if s, d := f.soldOf(t, "STE", ci), f.soldOf(t, "DBL", ci); s != 1 || d != wantDbl {
			t.Fatalf("round %d: sold STE %d, DBL %d; want 1 and %d", i, s, d, wantDbl)
		}
	}
	if n := f.overbooked(t); n != 0 {
		t.Fatalf("%d nights sold beyond their units", n)
	}
}

// Two modifications cross room types in opposite directions over the
// same nights, beside a booking of each: the global lock order lets all
// of them finish, and the counts add up.
func TestCrossingModifications(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3).withSuite(t, 3)
	ctx := context.Background()
	const rounds = 20
	for i := range rounds {
		in := booking.MustDate("2026-12-05").AddDays(2 * i)
		stay := booking.Stay{CheckIn: in, CheckOut: in.AddDays(2), Adults: 1, Rooms: 1}
		req := func(rt, plan string) booking.BookRequest {
			return booking.BookRequest{Hotel: "h", RoomType: rt, RatePlan: plan, Stay: stay, Guest: booking.Guest{Name: "G", Email: "g@example.com"}}
		}
		a, ta, err := f.svc.Book(ctx, req("DBL", "DBL-FLEX"), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, tb, err := f.svc.Book(ctx, req("STE", "STE-FLEX"), nil)
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]error, 4)
		together(func() {
			_, errs[0] = f.svc.Modify(ctx, a.Reference, ta, booking.Change{RoomType: "STE", RatePlan: "STE-FLEX"}, nil)
		}, func() {
			_, errs[1] = f.svc.Modify(ctx, b.Reference, tb, booking.Change{RoomType: "DBL", RatePlan: "DBL-FLEX"}, nil)
		}, func() {
			_, _, errs[2] = f.svc.Book(ctx, req("DBL", "DBL-FLEX"), nil)
		}, func() {
			_, _, errs[3] = f.svc.Book(ctx, req("STE", "STE-FLEX"), nil)
		})
		for j, err := range errs {
			if err != nil {
				t.Fatalf("round %d: command %d: %v", i, j, err)
			}
		}
		for _, night := range stay.Dates() {
			if s, d := f.soldOf(t, "STE", night.String()), f.soldOf(t, "DBL", night.String()); s != 2 || d != 2 {
				t.Fatalf("round %d: sold on %s STE %d, DBL %d; want 2 and 2", i, night, s, d)
			}
		}
	}
	if n := f.overbooked(t); n != 0 {
		t.Fatalf("%d nights sold beyond their units", n)
	}
}

// A hold moved to more rooms stays within the share of a night's units
// that unpaid holds may take (half, by default), counting itself once.
func TestModifiedHoldKeepsTheHoldShare(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 4)
	ctx := context.Background()
	hold := func(email string) (booking.Reservation, string) {
		r, token, err := f.svc.Book(ctx, booking.BookRequest{Hotel: "h", RoomType: "DBL", RatePlan: "DBL-FLEX", Hold: true,
			Stay:  booking.Stay{CheckIn: booking.MustDate("2026-12-10"), CheckOut: booking.MustDate("2026-12-11"), Adults: 1, Rooms: 1},
			Guest: booking.Guest{Name: "G", Email: email}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r, token
	}
	a, ta := hold("a@example.com")
	hold("b@example.com")
	// Two of four units held: a third is over the share.
	if _, err := f.svc.Modify(ctx, a.Reference, ta, booking.Change{Rooms: intp(2), Adults: intp(2)}, nil); !errors.Is(err, booking.ErrHoldShare) {
		t.Fatalf("a hold grown past the share: %v, want ErrHoldShare", err)
	}
	if f.soldOf(t, "DBL", "2026-12-10") != 2 {
		t.Fatal("a refused hold change kept its nights")
	}
	// The same rooms with another guest count the hold once.
	m, err := f.svc.Modify(ctx, a.Reference, ta, booking.Change{Adults: intp(2)}, nil)
	if err != nil || m.Status != booking.StatusHeld || m.HoldExpiresAt == nil || !m.HoldExpiresAt.Equal(*a.HoldExpiresAt) {
		t.Fatalf("a hold's change within the share: %+v, %v", m, err)
	}
}
