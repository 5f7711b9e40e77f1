package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/finance"
)

// deskAt is the service of f's store with the clock at instant at (the
// fixture's hotel is in Lisbon, on UTC in winter).
func (f fixture) deskAt(at time.Time) *booking.Service {
	return booking.NewService(f.st, func() time.Time { return at })
}

var clerk = booking.Audit{ActorKind: "api_key", Actor: "k_clerk", ActorRole: "staff"}

func TestTwoCheckInsAtOnceOneWins(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	ctx := context.Background()
	r, _, err := f.book(ctx, "2026-12-02", "2026-12-04", 1)
	if err != nil {
		t.Fatal(err)
	}
	svc := f.deskAt(time.Date(2026, 12, 2, 16, 0, 0, 0, time.UTC))
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = svc.Desk(ctx, r.Reference, booking.DeskCommand{Action: booking.ActionCheckIn, By: clerk})
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, booking.ErrTransition):
			t.Fatalf("a losing check-in: %v, want ErrTransition", err)
		}
	}
	var audits, events int
	if err := f.st.Pool().QueryRow(ctx, `SELECT
			(SELECT count(*) FROM audit_events WHERE reservation = $1 AND action = 'reservation.check_in'),
			(SELECT count(*) FROM outbox WHERE aggregate_id = $1 AND event_type = 'reservation.checked_in')`, r.Reference).
		Scan(&audits, &events); err != nil {
		t.Fatal(err)
	}
	if won != 1 || audits != 1 || events != 1 {
		t.Fatalf("%d check-ins won, %d audit rows, %d events; want 1 of each", won, audits, events)
	}
	stored, err := f.st.Reservation(ctx, r.Reference)
	if err != nil || stored.Status != booking.StatusCheckedIn || stored.CheckedInAt == nil {
		t.Fatalf("stored %+v, %v", stored, err)
	}
}

func TestEarlyCheckOutGivesTheUnusedNightsBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	r, _, err := f.book(ctx, "2026-12-02", "2026-12-05", 2)
	if err != nil {
		t.Fatal(err)
	}
	in := booking.DeskCommand{Action: booking.ActionCheckIn, By: clerk}
	if _, err := f.deskAt(time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)).Desk(ctx, r.Reference, in); err != nil {
		t.Fatal(err)
	}
	// Leaving on the morning of the 3rd: the nights of the 3rd and 4th
	// go back; the night of the 2nd was slept in.
	out := booking.DeskCommand{Action: booking.ActionCheckOut, Reason: "called away", By: clerk}
	c, err := f.deskAt(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)).Desk(ctx, r.Reference, out)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != booking.StatusCheckedOut || c.CheckOut.String() != "2026-12-03" || c.CheckedOutAt == nil {
		t.Fatalf("checked out %+v", c)
	}
	for night, want := range map[string]int{"2026-12-02": 2, "2026-12-03": 0, "2026-12-04": 0} {
		if got := f.sold(t, night); got != want {
			t.Errorf("sold on %s: %d, want %d", night, got, want)
		}
	}
	// The nights given back sell again.
	if _, _, err := f.book(ctx, "2026-12-03", "2026-12-05", 3); err != nil {
		t.Fatalf("the released nights do not sell: %v", err)
	}
	var before, after, reason string
	if err := f.st.Pool().QueryRow(ctx, `SELECT before->>'check_out', after->>'check_out', reason FROM audit_events
		WHERE reservation = $1 AND action = 'reservation.check_out'`, r.Reference).Scan(&before, &after, &reason); err != nil {
		t.Fatal(err)
	}
	if before != "2026-12-05" || after != "2026-12-03" || reason != "called away" {
		t.Fatalf("audit check_out %s → %s (%q)", before, after, reason)
	}
}

func TestARefusedDeskActionWritesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1)
	ctx := context.Background()
	r, _, err := f.book(ctx, "2026-12-02", "2026-12-04", 1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.deskAt(clock).Desk(ctx, r.Reference, booking.DeskCommand{Action: booking.ActionCheckIn, By: clerk})
	if !errors.Is(err, booking.ErrBeforeArrival) {
		t.Fatalf("check-in the day before: %v", err)
	}
	var audits, events int
	if err := f.st.Pool().QueryRow(ctx, `SELECT (SELECT count(*) FROM audit_events WHERE actor_kind = 'api_key'), (SELECT count(*) FROM outbox)`).Scan(&audits, &events); err != nil {
		t.Fatal(err)
	}
	stored, _ := f.st.Reservation(ctx, r.Reference)
	if audits != 0 || events != 1 || stored.Status != booking.StatusConfirmed || !stored.UpdatedAt.Equal(r.UpdatedAt) {
		t.Fatalf("%d audit rows, %d events, stored %s; want 0, the booking's 1, confirmed", audits, events, stored.Status)
	}
}

// A stay sells its nights whether the guest is still to come, in the
// house or gone: the revenue report counts all three; an early
// check-out's total is spread over the nights slept.
func TestRevenueCountsStaysInTheHouse(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	r, _, err := f.book(ctx, "2026-12-02", "2026-12-04", 1)
	if err != nil {
		t.Fatal(err)
	}
	in := booking.DeskCommand{Action: booking.ActionCheckIn, By: clerk}
	if _, err := f.deskAt(time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)).Desk(ctx, r.Reference, in); err != nil {
		t.Fatal(err)
	}
	nights := finance.Nights{From: booking.MustDate("2026-12-02").Time(), To: booking.MustDate("2026-12-04").Time()}
	sold := func() (rooms, cents int64) {
		facts, _, err := f.st.RevenueFacts(ctx, "h", nights)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range facts {
			rooms, cents = rooms+n.Sold, cents+n.RevenueCents
		}
		return rooms, cents
	}
	if rooms, cents := sold(); rooms != 2 || cents != r.TotalCents {
		t.Fatalf("checked in: %d room-nights, %d cents; want 2 and %d", rooms, cents, r.TotalCents)
	}
	out := booking.DeskCommand{Action: booking.ActionCheckOut, By: clerk}
	if _, err := f.deskAt(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)).Desk(ctx, r.Reference, out); err != nil {
		t.Fatal(err)
	}
	if rooms, cents := sold(); rooms != 1 || cents != r.TotalCents {
		t.Fatalf("checked out early: %d room-nights, %d cents; want 1 and %d", rooms, cents, r.TotalCents)
	}
}

// A booking counts for finance on the day it was confirmed, whatever
// the front desk does later: checked in the next day, it stays in its
// confirmation day's count and is not counted again on the day of the
// check-in. A cancelled one does not count.
func TestDeskActionsKeepABookingOnItsConfirmationDay(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	kept, _, err := f.book(ctx, "2026-12-02", "2026-12-04", 1) // confirmed at the fixture's clock, 1 December
	if err != nil {
		t.Fatal(err)
	}
	gone, _, err := f.book(ctx, "2026-12-02", "2026-12-03", 1)
	if err != nil {
		t.Fatal(err)
	}
	desk := f.deskAt(time.Date(2026, 12, 2, 16, 0, 0, 0, time.UTC))
	if _, err := desk.Desk(ctx, kept.Reference, booking.DeskCommand{Action: booking.ActionCheckIn, By: clerk}); err != nil {
		t.Fatal(err)
	}
	if _, err := desk.Desk(ctx, gone.Reference, booking.DeskCommand{Action: booking.ActionCancel, By: clerk, Reason: "called"}); err != nil {
		t.Fatal(err)
	}
	count := func(from, to time.Time) int64 {
		t.Helper()
		s, err := f.st.Summary(ctx, finance.Period{From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		u, err := f.st.UnitFacts(ctx, finance.Period{From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		var perDay, perHotel int64
		for _, d := range u.Days {
			perDay += d.Bookings
		}
		for _, h := range u.Hotels {
			perHotel += h.Bookings
		}
		if perDay != s.Bookings || perHotel != s.Bookings {
			t.Fatalf("bookings %d, by day %d, by hotel %d", s.Bookings, perDay, perHotel)
		}
		return s.Bookings
	}
	dec1 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if n := count(dec1, dec1.AddDate(0, 0, 1)); n != 1 {
		t.Errorf("1 December: %d bookings; want the one checked in since", n)
	}
	if n := count(dec1.AddDate(0, 0, 1), dec1.AddDate(0, 0, 2)); n != 0 {
		t.Errorf("2 December (the check-in): %d bookings; want none", n)
	}
}
