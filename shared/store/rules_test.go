package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"innkeeper/shared/booking"
)

func TestGuestCannotCancelAtOrAfterCheckIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	var mu sync.Mutex
	now := clock // 10:00 in Lisbon, UTC in December; check-in is at 15:00
	svc := booking.NewService(f.st, func() time.Time { mu.Lock(); defer mu.Unlock(); return now })
	setClock := func(t time.Time) { mu.Lock(); now = t; mu.Unlock() }
	book := func() (booking.Reservation, string) {
		t.Helper()
		r, token, err := svc.Book(ctx, booking.BookRequest{Hotel: "h", RoomType: "DBL", RatePlan: "DBL-FLEX",
			Stay:  booking.Stay{CheckIn: booking.MustDate("2026-12-01"), CheckOut: booking.MustDate("2026-12-03"), Adults: 1, Rooms: 1},
			Guest: booking.Guest{Name: "Guest", Email: "g@example.com"}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r, token
	}
	early, earlyToken := book()
	late, lateToken := book()
	if f.sold(t, "2026-12-01") != 2 || f.sold(t, "2026-12-02") != 2 {
		t.Fatal("the bookings did not take their nights")
	}

	setClock(time.Date(2026, 12, 1, 14, 59, 59, 0, time.UTC))
	if _, _, err := svc.CancellationQuote(ctx, early.Reference, earlyToken); err != nil {
		t.Fatalf("quote a second before check-in: %v", err)
	}
	if c, err := svc.Cancel(ctx, early.Reference, earlyToken, nil); err != nil || c.Status != booking.StatusCancelled {
		t.Fatalf("cancel a second before check-in: %+v %v", c, err)
	}

	var events int
	_ = f.st.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox`).Scan(&events)
	for _, at := range []time.Time{
		time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC), // the check-in instant itself
		time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC),  // during the stay
		time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC), // after check-out
	} {
		setClock(at)
		if _, _, err := svc.CancellationQuote(ctx, late.Reference, lateToken); !errors.Is(err, booking.ErrCheckedIn) {
			t.Fatalf("quote at %v: want ErrCheckedIn, got %v", at, err)
		}
		if _, err := svc.Cancel(ctx, late.Reference, lateToken, nil); !errors.Is(err, booking.ErrCheckedIn) {
			t.Fatalf("cancel at %v: want ErrCheckedIn, got %v", at, err)
		}
		stored, err := f.st.Reservation(ctx, late.Reference)
		if err != nil || stored.Status != booking.StatusConfirmed || stored.CancellationFeeCents != nil {
			t.Fatalf("at %v the refused cancellation changed the reservation: %+v %v", at, stored, err)
		}
		if f.sold(t, "2026-12-01") != 1 || f.sold(t, "2026-12-02") != 1 {
			t.Fatalf("at %v the refused cancellation gave nights back", at)
		}
		var after int
		_ = f.st.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox`).Scan(&after)
		if after != events {
			t.Fatalf("at %v the refused cancellation wrote %d events", at, after-events)
		}
	}
}

// hold asks for a 1-room hold of the fixture's room type for [ci, co).
func (f fixture) hold(ctx context.Context, svc *booking.Service, email, ci, co string) (booking.Reservation, string, error) {
	return svc.Book(ctx, booking.BookRequest{Hotel: "h", RoomType: "DBL", RatePlan: "DBL-FLEX",
		Stay:  booking.Stay{CheckIn: booking.MustDate(ci), CheckOut: booking.MustDate(co), Adults: 1, Rooms: 1},
		Guest: booking.Guest{Name: "Guest", Email: email}, Hold: true}, nil)
}

// race runs n holds at once and returns their errors.
func race(n int, hold func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = hold(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

func count(errs []error, target error) (ok, matched int, other error) {
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, target):
			matched++
		default:
			other = err
		}
	}
	return ok, matched, other
}

func TestAtMostThreeActiveHoldsPerEmailUnderConcurrency(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 100)
	ctx := context.Background()
	// One mailbox, written many ways.
	spellings := []string{"ana@example.com", "Ana@Example.com", "ANA@EXAMPLE.COM", "ana+%d@example.com", "Ana+Hold%d@example.com"}
	errs := race(20, func(i int) error {
		email := spellings[i%len(spellings)]
		if i%len(spellings) >= 3 {
			email = fmt.Sprintf(email, i)
		}
		_, _, err := f.hold(ctx, f.svc, email, "2026-12-10", "2026-12-12")
		return err
	})
	ok, limited, other := count(errs, booking.ErrHoldLimit)
	if other != nil {
		t.Fatalf("unexpected error: %v", other)
	}
	if ok != 3 || limited != 17 {
		t.Fatalf("%d holds succeeded and %d were refused, want 3 and 17", ok, limited)
	}
	if f.sold(t, "2026-12-10") != 3 {
		t.Fatalf("sold %d, want the 3 holds only", f.sold(t, "2026-12-10"))
	}

	// Another guest is not affected, nor is a paid booking by the same one.
	if _, _, err := f.hold(ctx, f.svc, "bea@example.com", "2026-12-10", "2026-12-12"); err != nil {
		t.Fatalf("another email: %v", err)
	}
	if _, _, err := f.svc.Book(ctx, booking.BookRequest{Hotel: "h", RoomType: "DBL", RatePlan: "DBL-FLEX",
		Stay:  booking.Stay{CheckIn: booking.MustDate("2026-12-10"), CheckOut: booking.MustDate("2026-12-12"), Adults: 1, Rooms: 1},
		Guest: booking.Guest{Name: "Ana", Email: "ana@example.com"}}, nil); err != nil {
		t.Fatalf("a confirmed booking from the same email: %v", err)
	}

	// A hold that ends frees its place: confirmed, or past its expiry.
	var ref string
	_ = f.st.Pool().QueryRow(ctx, `SELECT reference FROM reservations WHERE guest_email_key = 'ana@example.com' AND status = 'held' LIMIT 1`).Scan(&ref)
	if _, err := f.st.Transition(ctx, ref, func(r booking.Reservation) (booking.Transition, error) { return booking.Confirm(r, clock) }, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.hold(ctx, f.svc, "ana@example.com", "2026-12-20", "2026-12-21"); err != nil {
		t.Fatalf("after one hold was confirmed: %v", err)
	}
	if _, _, err := f.hold(ctx, f.svc, "ana@example.com", "2026-12-20", "2026-12-21"); !errors.Is(err, booking.ErrHoldLimit) {
		t.Fatalf("a fourth active hold: want ErrHoldLimit, got %v", err)
	}
	later := booking.NewService(f.st, func() time.Time { return clock.Add(booking.HoldTTL) })
	if _, _, err := f.hold(ctx, later, "ana@example.com", "2026-12-20", "2026-12-21"); err != nil {
		t.Fatalf("holds past their expiry still counted: %v", err)
	}
}

func TestHoldsTakeAtMostHalfOfANightUnderConcurrency(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 10)
	ctx := context.Background()
	errs := race(20, func(i int) error {
		_, _, err := f.hold(ctx, f.svc, fmt.Sprintf("guest%d@example.com", i), "2026-12-10", "2026-12-12")
		return err
	})
	ok, capped, other := count(errs, booking.ErrHoldShare)
	if other != nil {
		t.Fatalf("unexpected error: %v", other)
	}
	if ok != 5 || capped != 15 {
		t.Fatalf("%d holds succeeded and %d were refused, want 5 and 15", ok, capped)
	}
	if f.sold(t, "2026-12-10") != 5 || f.sold(t, "2026-12-11") != 5 {
		t.Fatal("refused holds took nights")
	}

	// Paid bookings are not capped.
	if _, _, err := f.book(ctx, "2026-12-10", "2026-12-12", 1); err != nil {
		t.Fatalf("a confirmed booking: %v", err)
	}
	// A hold is refused if any night of it is at the cap, not otherwise.
	if _, _, err := f.hold(ctx, f.svc, "x@example.com", "2026-12-11", "2026-12-13"); !errors.Is(err, booking.ErrHoldShare) {
		t.Fatalf("a hold overlapping a capped night: want ErrHoldShare, got %v", err)
	}
	if _, _, err := f.hold(ctx, f.svc, "x@example.com", "2026-12-12", "2026-12-13"); err != nil {
		t.Fatalf("a hold after the capped nights: %v", err)
	}
	// A confirmed hold is no longer unpaid: its place is free again.
	var ref string
	_ = f.st.Pool().QueryRow(ctx, `SELECT reference FROM reservations WHERE status = 'held' AND check_in = '2026-12-10' LIMIT 1`).Scan(&ref)
	if _, err := f.st.Transition(ctx, ref, func(r booking.Reservation) (booking.Transition, error) { return booking.Confirm(r, clock) }, nil); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.hold(ctx, f.svc, "y@example.com", "2026-12-10", "2026-12-11"); err != nil {
		t.Fatalf("after a hold was confirmed: %v", err)
	}

	// Half rounds up: of 3 units, 2 may be held; of 1, 1.
	if err := f.svc.SetInventory(ctx, "h", "DBL", booking.DateRange{From: booking.MustDate("2026-12-20"), To: booking.MustDate("2026-12-21")}, 3, bySeed); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetInventory(ctx, "h", "DBL", booking.DateRange{From: booking.MustDate("2026-12-21"), To: booking.MustDate("2026-12-22")}, 1, bySeed); err != nil {
		t.Fatal(err)
	}
	for i, want := range []error{nil, nil, booking.ErrHoldShare} {
		if _, _, err := f.hold(ctx, f.svc, fmt.Sprintf("r%d@example.com", i), "2026-12-20", "2026-12-21"); !errors.Is(err, want) && !(want == nil && err == nil) {
			t.Fatalf("hold %d of 3 units: want %v, got %v", i+1, want, err)
		}
	}
	if _, _, err := f.hold(ctx, f.svc, "single@example.com", "2026-12-21", "2026-12-22"); err != nil {
		t.Fatalf("a single unit: %v", err)
	}
}

func TestHoldQuotaIsConfigurable(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 10)
	ctx := context.Background()
	if err := f.svc.SetHoldQuota(booking.HoldQuota{PerEmail: 1, SharePercent: 20}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.hold(ctx, f.svc, "a@example.com", "2026-12-10", "2026-12-11"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.hold(ctx, f.svc, "a@example.com", "2026-12-10", "2026-12-11"); !errors.Is(err, booking.ErrHoldLimit) {
		t.Fatalf("a second hold with PerEmail 1: want ErrHoldLimit, got %v", err)
	}
	if _, _, err := f.hold(ctx, f.svc, "b@example.com", "2026-12-10", "2026-12-11"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.hold(ctx, f.svc, "c@example.com", "2026-12-10", "2026-12-11"); !errors.Is(err, booking.ErrHoldShare) {
		t.Fatalf("a third unit of 10 held with SharePercent 20: want ErrHoldShare, got %v", err)
	}
	// No limits: the zero quota.
	if err := f.svc.SetHoldQuota(booking.HoldQuota{}); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, _, err := f.hold(ctx, f.svc, "a@example.com", "2026-12-10", "2026-12-11"); err != nil {
			t.Fatalf("hold %d without limits: %v", i, err)
		}
	}
}
