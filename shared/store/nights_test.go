package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/booking"
	"innkeeper/shared/store"
)

// keptNights reads the reservation_nights rows of reference, in date
// order.
func (f fixture) keptNights(t *testing.T, reference string) []booking.NightPrice {
	t.Helper()
	rows, err := f.st.Pool().Query(context.Background(), `SELECT n.night, n.amount_cents FROM reservation_nights n
		JOIN reservations r ON r.id = n.reservation_id WHERE r.reference = $1 ORDER BY n.night`, reference)
	if err != nil {
		t.Fatal(err)
	}
	nights, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (booking.NightPrice, error) {
		var n booking.NightPrice
		var night time.Time
		err := row.Scan(&night, &n.AmountCents)
		n.Date = booking.DateOf(night)
		return n, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return nights
}

// nights builds the prices of consecutive nights from the first date.
func nights(first string, amounts ...int64) []booking.NightPrice {
	d := booking.MustDate(first)
	var out []booking.NightPrice
	for i, a := range amounts {
		out = append(out, booking.NightPrice{Date: d.AddDays(i), AmountCents: a})
	}
	return out
}

// deskRecord reads reference's desk record and checks that its nights
// add up to the rooms' price.
func (f fixture) deskRecord(t *testing.T, reference string) booking.DeskRecord {
	t.Helper()
	d, err := f.st.DeskRecord(context.Background(), reference)
	if err != nil {
		t.Fatal(err)
	}
	if d.NightsCents() != d.Reservation.Price.RoomCents {
		t.Fatalf("%s: nights %v × %d rooms sum to %d, want the rooms' price %d",
			reference, d.Nights, d.Reservation.Rooms, d.NightsCents(), d.Reservation.Price.RoomCents)
	}
	return d
}

func TestBookKeepsEachNightsPrice(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	if err := f.svc.SetRates(ctx, "h", "DBL-FLEX", booking.DateRange{From: booking.MustDate("2026-12-03"), To: booking.MustDate("2026-12-04")}, 13000, bySeed); err != nil {
		t.Fatal(err)
	}
	r, _, err := f.book(ctx, "2026-12-02", "2026-12-05", 2)
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := f.book(ctx, "2026-12-04", "2026-12-06", 1)
	if err != nil {
		t.Fatal(err)
	}
	booked := nights("2026-12-02", 10000, 13000, 10000)
	if got := f.keptNights(t, r.Reference); !slices.Equal(got, booked) {
		t.Fatalf("kept %v, want one room's price of each night %v", got, booked)
	}
	if r.TotalCents != 66000 {
		t.Fatalf("total %d, want (10000+13000+10000) × 2", r.TotalCents)
	}
	if got := f.keptNights(t, other.Reference); !slices.Equal(got, nights("2026-12-04", 10000, 10000)) {
		t.Fatalf("the other booking kept %v", got)
	}

	// Every rate of the stay changes, one is removed: the record still
	// shows what was booked.
	if _, err := f.st.Pool().Exec(ctx, `UPDATE rates SET amount_cents = amount_cents + 777`); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Pool().Exec(ctx, `DELETE FROM rates WHERE night = '2026-12-02'`); err != nil {
		t.Fatal(err)
	}
	if d := f.deskRecord(t, r.Reference); !slices.Equal(d.Rates, booked) {
		t.Fatalf("rates of desk record nights %v, want the booked %v", d.Rates, booked)
	}
}

func TestModifyReplacesTheNightsPrices(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3).withSuite(t, 3)
	ctx := context.Background()
	if err := f.svc.SetRates(ctx, "h", "STE-FLEX", booking.DateRange{From: booking.MustDate("2026-12-12"), To: booking.MustDate("2026-12-13")}, 17000, bySeed); err != nil {
		t.Fatal(err)
	}
	r, token, err := f.book(ctx, "2026-12-10", "2026-12-12", 1)
	if err != nil {
		t.Fatal(err)
	}

	// Another room type, other dates, two rooms.
	c := booking.Change{RoomType: "STE", RatePlan: "STE-FLEX", CheckIn: booking.MustDate("2026-12-11"),
		CheckOut: booking.MustDate("2026-12-14"), Adults: intp(2), Rooms: intp(2)}
	m, err := f.svc.Modify(ctx, r.Reference, token, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := nights("2026-12-11", 15000, 17000, 15000)
	if m.TotalCents != 94000 {
		t.Fatalf("modified total %d, want (15000+17000+15000) × 2", m.TotalCents)
	}
	if d := f.deskRecord(t, r.Reference); !slices.Equal(d.Rates, want) {
		t.Fatalf("rates of nights after the modification %v, want the suite's %v", d.Rates, want)
	}

	// Rates change, then the stay moves again: the new nights are priced
	// at the rates of the modification, and none of the old rows stays.
	if _, err := f.st.Pool().Exec(ctx, `UPDATE rates SET amount_cents = 20000`); err != nil {
		t.Fatal(err)
	}
	if d := f.deskRecord(t, r.Reference); !slices.Equal(d.Rates, want) {
		t.Fatalf("rates of nights after a rate change %v, want those booked %v", d.Rates, want)
	}
	c = booking.Change{CheckIn: booking.MustDate("2026-12-13"), CheckOut: booking.MustDate("2026-12-15")}
	m, err = f.svc.Modify(ctx, r.Reference, token, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	want = nights("2026-12-13", 20000, 20000)
	if m.TotalCents != 80000 {
		t.Fatalf("total after the second modification %d, want 20000 × 2 nights × 2 rooms", m.TotalCents)
	}
	if d := f.deskRecord(t, r.Reference); !slices.Equal(d.Rates, want) {
		t.Fatalf("rates of nights after the second modification %v, want %v", d.Rates, want)
	}
	if got := f.keptNights(t, r.Reference); !slices.Equal(got, want) {
		t.Fatalf("rows %v, want exactly the new stay's %v", got, want)
	}
}

func TestSoldOutModifyKeepsTheNightsPrices(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2).withSuite(t, 1)
	ctx := context.Background()
	r, token, err := f.book(ctx, "2026-12-10", "2026-12-12", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.Book(ctx, booking.BookRequest{Hotel: "h", RoomType: "STE", RatePlan: "STE-FLEX",
		Stay:  booking.Stay{CheckIn: booking.MustDate("2026-12-12"), CheckOut: booking.MustDate("2026-12-13"), Adults: 1, Rooms: 1},
		Guest: booking.Guest{Name: "Other", Email: "o@example.com"}}, nil); err != nil {
		t.Fatal(err)
	}
	c := booking.Change{RoomType: "STE", RatePlan: "STE-FLEX", CheckOut: booking.MustDate("2026-12-13")}
	if _, err := f.svc.Modify(ctx, r.Reference, token, c, nil); !errors.Is(err, booking.ErrSoldOut) {
		t.Fatalf("modify into a sold-out night: %v, want ErrSoldOut", err)
	}
	want := nights("2026-12-10", 10000, 10000)
	if got := f.keptNights(t, r.Reference); !slices.Equal(got, want) {
		t.Fatalf("rows after a refused modification %v, want the booked %v", got, want)
	}
	f.deskRecord(t, r.Reference)
}

func TestEarlyCheckOutKeepsTheBookedNights(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3)
	ctx := context.Background()
	r, _, err := f.book(ctx, "2026-12-02", "2026-12-05", 2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.deskAt(time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)).Desk(ctx, r.Reference, booking.DeskCommand{Action: booking.ActionCheckIn, By: clerk}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.deskAt(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)).Desk(ctx, r.Reference, booking.DeskCommand{Action: booking.ActionCheckOut, By: clerk}); err != nil {
		t.Fatal(err)
	}
	d := f.deskRecord(t, r.Reference)
	if want := nights("2026-12-02", 10000, 10000, 10000); !slices.Equal(d.Rates, want) {
		t.Fatalf("rates of nights after an early check-out %v, want every booked night %v", d.Rates, want)
	}
	if d.Reservation.CheckOut.String() != "2026-12-03" {
		t.Fatalf("stay ends %s, want 2026-12-03", d.Reservation.CheckOut)
	}
	for i, want := range []bool{false, true, true} {
		if got := d.Released(d.Nights[i]); got != want {
			t.Errorf("night %s released %v, want %v", d.Nights[i].Date, got, want)
		}
	}
}

// Migration 0019 fills the nights of the reservations made before it from
// the rates of the day it runs, over the stay as it stands; its insert
// leaves reservations that have rows alone, so it can run again.
func TestMigrationBackfillsTheNights(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 5)
	ctx := context.Background()
	ms, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(ms, func(m store.Migration) bool { return m.Version == 19 })
	if i < 0 {
		t.Fatal("no migration 0019")
	}
	sql := ms[i].SQL
	backfill := sql[strings.Index(sql, "INSERT INTO reservation_nights"):]

	two, _, err := f.book(ctx, "2026-12-02", "2026-12-05", 2)
	if err != nil {
		t.Fatal(err)
	}
	gap, _, err := f.book(ctx, "2026-12-10", "2026-12-13", 1)
	if err != nil {
		t.Fatal(err)
	}
	left, _, err := f.book(ctx, "2026-12-02", "2026-12-05", 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.deskAt(time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)).Desk(ctx, left.Reference, booking.DeskCommand{Action: booking.ActionCheckIn, By: clerk}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.deskAt(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)).Desk(ctx, left.Reference, booking.DeskCommand{Action: booking.ActionCheckOut, By: clerk}); err != nil {
		t.Fatal(err)
	}
	exec := func(q string) {
		t.Helper()
		if _, err := f.st.Pool().Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`UPDATE rates SET amount_cents = 11000 WHERE night = '2026-12-03'`)
	exec(`DELETE FROM rates WHERE night = '2026-12-11'`)
	// The schema as it was before 0019, with these reservations in it.
	exec(`DROP TABLE reservation_nights`)
	exec(sql)

	for _, tc := range []struct {
		name, reference string
		want            []booking.NightPrice
	}{
		{"nights at the rates of the day", two.Reference, nights("2026-12-02", 10000, 11000, 10000)},
		{"a night without a rate is left out", gap.Reference, []booking.NightPrice{
			{Date: booking.MustDate("2026-12-10"), AmountCents: 10000}, {Date: booking.MustDate("2026-12-12"), AmountCents: 10000}}},
		{"an early check-out's stay as it stands", left.Reference, nights("2026-12-02", 10000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.keptNights(t, tc.reference); !slices.Equal(got, tc.want) {
				t.Fatalf("backfilled %v, want %v", got, tc.want)
			}
		})
	}

	// Run again: only a reservation without rows is filled.
	exec(`DELETE FROM reservation_nights WHERE reservation_id = (SELECT id FROM reservations WHERE reference = '` + two.Reference + `')`)
	exec(`UPDATE rates SET amount_cents = 12345`)
	exec(backfill)
	if got, want := f.keptNights(t, two.Reference), nights("2026-12-02", 12345, 12345, 12345); !slices.Equal(got, want) {
		t.Fatalf("refilled %v, want %v", got, want)
	}
	if got := f.keptNights(t, left.Reference); !slices.Equal(got, nights("2026-12-02", 10000)) {
		t.Fatalf("a reservation with rows changed on the second run: %v", got)
	}
}
