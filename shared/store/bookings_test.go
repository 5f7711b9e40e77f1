package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"innkeeper/shared/booking"
)

// withTwin adds a second room type, TWN (two adults, two children), with
// units on every night and a flexible plan at 90.00, to f's hotel.
func (f fixture) withTwin(t *testing.T, units int) fixture {
	t.Helper()
	ctx := context.Background()
	if _, err := f.svc.CreateRoomType(ctx, "h", booking.RoomType{Code: "TWN", Name: "Twin", MaxAdults: 2, MaxChildren: 2}, bySeed); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateRatePlan(ctx, "h", booking.RatePlan{RoomTypeCode: "TWN", Code: "TWN-FLEX", Name: "Flex",
		Refundable: true, FreeCancellationHours: 48, PenaltyPercent: 25}, bySeed); err != nil {
		t.Fatal(err)
	}
	rng := booking.DateRange{From: booking.MustDate("2026-12-01"), To: booking.MustDate("2027-02-01")}
	if err := f.svc.SetInventory(ctx, "h", "TWN", rng, units, bySeed); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetRates(ctx, "h", "TWN-FLEX", rng, 9000, bySeed); err != nil {
		t.Fatal(err)
	}
	return f
}

var (
	doubleLine = booking.RoomLine{RoomType: "DBL", RatePlan: "DBL-FLEX", Adults: 2}
	twinLine   = booking.RoomLine{RoomType: "TWN", RatePlan: "TWN-FLEX", Adults: 1, Children: 2, ChildrenAges: []int{7, 9}}
)

// family asks for lines over [in, in+nights).
func family(in booking.Date, nights int, lines ...booking.RoomLine) booking.BookLinesRequest {
	return booking.BookLinesRequest{Hotel: "h", CheckIn: in, CheckOut: in.AddDays(nights), Lines: lines,
		Guest: booking.Guest{Name: "Family", Email: "family@example.com"}}
}

// bookingRows counts the bookings rows and the reservations that are
// lines of one.
func (f fixture) bookingRows(t *testing.T) (bookings, lines int) {
	t.Helper()
	if err := f.st.Pool().QueryRow(context.Background(), `SELECT (SELECT count(*) FROM bookings),
		(SELECT count(*) FROM reservations WHERE booking_id IS NOT NULL)`).Scan(&bookings, &lines); err != nil {
		t.Fatal(err)
	}
	return bookings, lines
}

func TestBookLinesPricesEachLineAndSharesTheToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 3).withTwin(t, 3)
	ctx := context.Background()
	in := booking.MustDate("2026-12-10")
	b, token, err := f.svc.BookLines(ctx, family(in, 2, doubleLine, twinLine), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Lines) != 2 || b.Status() != booking.StatusConfirmed {
		t.Fatalf("booking %+v; want two confirmed lines", b)
	}
	dbl, twn := b.Lines[0], b.Lines[1]
	// Two nights at 100.00 and two at 90.00, one room each.
	if dbl.RoomTypeCode != "DBL" || dbl.TotalCents != 20000 || dbl.Adults != 2 || dbl.Rooms != 1 || dbl.Line != 1 {
		t.Fatalf("line 1 %+v; want DBL 20000 for 2 adults", dbl)
	}
	if twn.RoomTypeCode != "TWN" || twn.TotalCents != 18000 || twn.Adults != 1 || twn.Children != 2 || twn.Line != 2 {
		t.Fatalf("line 2 %+v; want TWN 18000 for 1 adult and 2 children", twn)
	}
	if b.TotalCents() != 38000 || dbl.Price.TotalCents != 20000 || twn.Price.TotalCents != 18000 {
		t.Fatalf("total %d, line prices %d and %d; want 38000 = 20000 + 18000", b.TotalCents(), dbl.Price.TotalCents, twn.Price.TotalCents)
	}
	if f.soldOf(t, "DBL", "2026-12-11") != 1 || f.soldOf(t, "TWN", "2026-12-11") != 1 {
		t.Fatal("each line takes one room of its type")
	}
	// The one token opens each line as a reservation, and the booking.
	for _, l := range b.Lines {
		r, err := f.svc.Reservation(ctx, l.Reference, token)
		if err != nil || r.TotalCents != l.TotalCents {
			t.Fatalf("line %s with the booking's token: %+v, %v", l.Reference, r, err)
		}
	}
	read, err := f.svc.Booking(ctx, b.Reference, token)
	if err != nil || len(read.Lines) != 2 || read.Lines[1].Reference != twn.Reference || read.TotalCents() != 38000 {
		t.Fatalf("booking read back: %+v, %v", read, err)
	}
	if got := read.Lines[1].ChildrenAges; len(got) != 2 || got[0] != 7 || got[1] != 9 {
		t.Fatalf("line 2's children's ages read back as %v", got)
	}
	if _, err := f.svc.Booking(ctx, b.Reference, "rat_wrong"); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("another token: %v; want not found", err)
	}
	// Cancelling one line, under its own terms, leaves the other.
	if _, err := f.svc.Cancel(ctx, dbl.Reference, token, nil); err != nil {
		t.Fatal(err)
	}
	read, err = f.svc.Booking(ctx, b.Reference, token)
	if err != nil {
		t.Fatal(err)
	}
	if read.Lines[0].Status != booking.StatusCancelled || read.Lines[1].Status != booking.StatusConfirmed ||
		read.Status() != booking.StatusMixed || read.TotalCents() != 18000 {
		t.Fatalf("after cancelling line 1: %s, %s, %s, total %d; want cancelled, confirmed, mixed, 18000",
			read.Lines[0].Status, read.Lines[1].Status, read.Status(), read.TotalCents())
	}
	if f.soldOf(t, "DBL", "2026-12-11") != 0 || f.soldOf(t, "TWN", "2026-12-11") != 1 {
		t.Fatal("the cancelled line gives its room back, the other keeps its own")
	}
	// Modifying one line, under its own terms, moves that room alone.
	moved, err := f.svc.Modify(ctx, twn.Reference, token, booking.Change{CheckOut: in.AddDays(3)}, nil)
	if err != nil || moved.TotalCents != 27000 {
		t.Fatalf("modify line 2 to three nights: %+v, %v; want 27000", moved, err)
	}
	read, err = f.svc.Booking(ctx, b.Reference, token)
	if err != nil || read.Lines[1].CheckOut != in.AddDays(3) || read.CheckOut != in.AddDays(3) || read.TotalCents() != 27000 {
		t.Fatalf("after modifying line 2: %+v, %v", read, err)
	}
	if f.soldOf(t, "TWN", "2026-12-12") != 1 || f.soldOf(t, "DBL", "2026-12-12") != 0 {
		t.Fatal("the modified line takes its third night alone")
	}
	d, err := f.st.DeskRecord(ctx, twn.Reference)
	if err != nil || d.Reservation.BookingReference != b.Reference || d.Reservation.Line != 2 {
		t.Fatalf("desk record of line 2 names booking %q line %d (%v); want %s line 2",
			d.Reservation.BookingReference, d.Reservation.Line, err, b.Reference)
	}
}

// A line that cannot be had refuses the booking whole: nothing is taken
// or written, and the error names the line.
func TestBookLinesIsAllOrNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1).withTwin(t, 1)
	ctx := context.Background()
	in := booking.MustDate("2026-12-10")
	if _, _, err := f.svc.Book(ctx, booking.BookRequest{Hotel: "h", RoomType: "TWN", RatePlan: "TWN-FLEX",
		Stay:  booking.Stay{CheckIn: in.AddDays(1), CheckOut: in.AddDays(2), Adults: 1, Rooms: 1},
		Guest: booking.Guest{Name: "First", Email: "first@example.com"}}, nil); err != nil {
		t.Fatal(err)
	}
	var events int
	countEvents := func() int {
		t.Helper()
		if err := f.st.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox`).Scan(&events); err != nil {
			t.Fatal(err)
		}
		return events
	}
	before := countEvents()
	_, _, err := f.svc.BookLines(ctx, family(in, 2, doubleLine, twinLine), nil)
	var le *booking.LineError
	if !errors.Is(err, booking.ErrSoldOut) || !errors.As(err, &le) || le.Line != 2 || le.RoomType != "TWN" {
		t.Fatalf("err %v; want line 2 (TWN) sold out", err)
	}
	if f.soldOf(t, "DBL", "2026-12-10") != 0 || f.soldOf(t, "DBL", "2026-12-11") != 0 {
		t.Fatal("the refused booking kept the double")
	}
	if b, l := f.bookingRows(t); b != 0 || l != 0 || countEvents() != before {
		t.Fatalf("the refused booking wrote %d bookings, %d lines, %d events", b, l, events-before)
	}

	// A restriction on one line's plan refuses the booking, naming it.
	if err := f.svc.SetRestrictions(ctx, "h", "DBL-FLEX", booking.DateRange{From: in.AddDays(5), To: in.AddDays(6)},
		booking.RestrictionPatch{MinStayArrival: booking.RestrictionValue{Set: true, Value: intp(3)}}, bySeed); err != nil {
		t.Fatal(err)
	}
	_, _, err = f.svc.BookLines(ctx, family(in.AddDays(5), 2, twinLine, doubleLine), nil)
	var re *booking.RestrictedError
	if !errors.As(err, &re) || !errors.As(err, &le) || le.Line != 2 || le.RoomType != "DBL" {
		t.Fatalf("err %v; want line 2 (DBL) restricted", err)
	}
	if f.soldOf(t, "TWN", in.AddDays(5).String()) != 0 {
		t.Fatal("the restricted booking kept the twin")
	}

	// Every line of a hold is a hold, and counts toward the email's
	// limit (3 by default): four lines are one too many.
	four := family(in.AddDays(10), 1, doubleLine, twinLine, doubleLine, twinLine)
	four.Hold = true
	f2 := newFixture(t, 5).withTwin(t, 5)
	if _, _, err := f2.svc.BookLines(ctx, four, nil); !errors.Is(err, booking.ErrHoldLimit) {
		t.Fatalf("four held lines: %v; want the hold limit", err)
	}
	four.Lines = four.Lines[:3]
	held, _, err := f2.svc.BookLines(ctx, four, nil)
	if err != nil || held.Status() != booking.StatusHeld {
		t.Fatalf("three held lines: %+v, %v", held, err)
	}
	if d := f2.soldOf(t, "DBL", in.AddDays(10).String()); d != 2 {
		t.Fatalf("two held doubles took %d", d)
	}

	// Every line's problem is in one validation error.
	_, _, err = f.svc.BookLines(ctx, family(in, 2,
		booking.RoomLine{RoomType: "DBL", RatePlan: "DBL-FLEX", Adults: 3},
		booking.RoomLine{RoomType: "STE", RatePlan: "STE-FLEX", Adults: 1},
		booking.RoomLine{RoomType: "TWN", RatePlan: "DBL-FLEX", Adults: 1},
		booking.RoomLine{RoomType: "TWN", RatePlan: "TWN-FLEX", Adults: 0}), nil)
	var v *booking.ValidationError
	if !errors.As(err, &v) {
		t.Fatalf("err %v; want a validation error", err)
	}
	for _, field := range []string{"rooms[0].adults", "rooms[1].room_type", "rooms[2].rate_plan", "rooms[3].adults"} {
		if v.Fields[field] == "" {
			t.Errorf("no error for %s in %v", field, v.Fields)
		}
	}
	if len(v.Fields) != 4 {
		t.Errorf("errors %v; want the four lines' alone", v.Fields)
	}
}

// Families book the last double and the last twin together while single
// guests book either alone: every booking is whole or absent, the rooms
// are never sold twice, the rooms sold are those of the live
// reservations, and the lock order lets PostgreSQL find no deadlock.
// Half the families list the twin first: the order of the lines is not
// the order of the locks.
func TestFamiliesRaceForTheLastDoubleAndTwin(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 1).withTwin(t, 1)
	ctx := context.Background()
	const rounds, families, singles = 20, 4, 2
	wonFamilies := 0
	for i := range rounds {
		in := booking.MustDate("2026-12-05").AddDays(2 * i)
		famErrs := make([]error, families)
		fams := make([]booking.Booking, families)
		dblErrs, twnErrs := make([]error, singles), make([]error, singles)
		dbls, twns := make([]booking.Reservation, singles), make([]booking.Reservation, singles)
		var fns []func()
		for j := range families {
			lines := []booking.RoomLine{doubleLine, twinLine}
			if j%2 == 1 {
				lines = []booking.RoomLine{twinLine, doubleLine}
			}
			fns = append(fns, func() { fams[j], _, famErrs[j] = f.svc.BookLines(ctx, family(in, 2, lines...), nil) })
		}
		single := func(rt, plan string) booking.BookRequest {
			return booking.BookRequest{Hotel: "h", RoomType: rt, RatePlan: plan,
				Stay:  booking.Stay{CheckIn: in, CheckOut: in.AddDays(2), Adults: 1, Rooms: 1},
				Guest: booking.Guest{Name: "Solo", Email: "solo@example.com"}}
		}
		for j := range singles {
			fns = append(fns,
				func() { dbls[j], _, dblErrs[j] = f.svc.Book(ctx, single("DBL", "DBL-FLEX"), nil) },
				func() { twns[j], _, twnErrs[j] = f.svc.Book(ctx, single("TWN", "TWN-FLEX"), nil) })
		}
		together(fns...)

		holders := map[string]int{}
		var winners []string
		for j, err := range famErrs {
			switch {
			case err == nil:
				wonFamilies++
				for _, l := range fams[j].Lines {
					holders[l.RoomTypeCode]++
					winners = append(winners, l.Reference)
				}
			case !errors.Is(err, booking.ErrSoldOut):
				t.Fatalf("round %d: family %d: %v; want a booking or sold out", i, j, err)
			}
		}
		for code, errs := range map[string][]error{"DBL": dblErrs, "TWN": twnErrs} {
			for j, err := range errs {
				switch {
				case err == nil:
					holders[code]++
					winners = append(winners, map[string][]booking.Reservation{"DBL": dbls, "TWN": twns}[code][j].Reference)
				case !errors.Is(err, booking.ErrSoldOut):
					t.Fatalf("round %d: single %s %d: %v; want a booking or sold out", i, code, j, err)
				}
			}
		}
		// Someone always wants each room, so each is sold, to exactly
		// one winner: a family holds both or neither.
		if holders["DBL"] != 1 || holders["TWN"] != 1 {
			t.Fatalf("round %d: winners hold DBL %d, TWN %d; want exactly one of each", i, holders["DBL"], holders["TWN"])
		}
		for _, night := range []booking.Date{in, in.AddDays(1)} {
			if d, w := f.soldOf(t, "DBL", night.String()), f.soldOf(t, "TWN", night.String()); d != 1 || w != 1 {
				t.Fatalf("round %d: sold on %s DBL %d, TWN %d; want 1 and 1", i, night, d, w)
			}
		}
		// The rooms are held by exactly the winners' reservations.
		var holding []string
		rows, err := f.st.Pool().Query(ctx, `SELECT reference FROM reservations
			WHERE status = 'confirmed' AND check_in = $1 ORDER BY reference`, in.Time())
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var ref string
			if err := rows.Scan(&ref); err != nil {
				t.Fatal(err)
			}
			holding = append(holding, ref)
		}
		rows.Close()
		slices.Sort(winners)
		if !slices.Equal(holding, winners) {
			t.Fatalf("round %d: reservations %v hold the rooms, the winners are %v", i, holding, winners)
		}
	}

	var partial, unsold, mismatched int
	if err := f.st.Pool().QueryRow(ctx, `SELECT
			(SELECT count(*) FROM bookings b WHERE (SELECT count(*) FROM reservations r WHERE r.booking_id = b.id) <> 2),
			(SELECT count(*) FROM reservations r WHERE r.booking_id IS NOT NULL
				AND (SELECT count(*) FROM reservations o WHERE o.booking_id = r.booking_id) <> 2),
			(SELECT count(*) FROM inventory i WHERE i.sold <> (SELECT coalesce(sum(r.rooms), 0) FROM reservations r
				WHERE r.room_type_id = i.room_type_id AND r.status IN ('held', 'confirmed')
					AND r.check_in <= i.night AND r.check_out > i.night))`).Scan(&partial, &unsold, &mismatched); err != nil {
		t.Fatal(err)
	}
	if partial != 0 || unsold != 0 {
		t.Fatalf("%d bookings without both lines, %d lines of an incomplete booking", partial, unsold)
	}
	if mismatched != 0 {
		t.Fatalf("%d nights whose sold is not the rooms of their live reservations", mismatched)
	}
	if b, l := f.bookingRows(t); b != wonFamilies || l != 2*wonFamilies {
		t.Fatalf("%d bookings and %d lines for %d winning families", b, l, wonFamilies)
	}
	if n := f.overbooked(t); n != 0 {
		t.Fatalf("%d nights sold beyond their units", n)
	}
	if n := f.st.DeadlocksRetried(); n != 0 {
		t.Fatalf("%d transactions deadlocked (40P01) and were retried; the lock order must prevent any", n)
	}
	t.Logf("%d of %d rounds won by a family", wonFamilies, rounds)
}

// Families book a twin and a double while two guests cross between the
// same room types by modification, over the same nights: the one lock
// order (room type, then night) of bookings, booked lines and
// modifications lets every one of them finish without a deadlock, and
// the counts add up.
func TestFamiliesAndCrossingModifications(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 4).withTwin(t, 4)
	ctx := context.Background()
	const rounds = 20
	for i := range rounds {
		in := booking.MustDate("2026-12-05").AddDays(2 * i)
		single := func(rt, plan string) booking.BookRequest {
			return booking.BookRequest{Hotel: "h", RoomType: rt, RatePlan: plan,
				Stay:  booking.Stay{CheckIn: in, CheckOut: in.AddDays(2), Adults: 1, Rooms: 1},
				Guest: booking.Guest{Name: "Solo", Email: "solo@example.com"}}
		}
		a, ta, err := f.svc.Book(ctx, single("DBL", "DBL-FLEX"), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, tb, err := f.svc.Book(ctx, single("TWN", "TWN-FLEX"), nil)
		if err != nil {
			t.Fatal(err)
		}
		errs := make([]error, 4)
		together(func() {
			_, errs[0] = f.svc.Modify(ctx, a.Reference, ta, booking.Change{RoomType: "TWN", RatePlan: "TWN-FLEX"}, nil)
		}, func() {
			_, errs[1] = f.svc.Modify(ctx, b.Reference, tb, booking.Change{RoomType: "DBL", RatePlan: "DBL-FLEX"}, nil)
		}, func() {
			_, _, errs[2] = f.svc.BookLines(ctx, family(in, 2, twinLine, doubleLine), nil)
		}, func() {
			_, _, errs[3] = f.svc.BookLines(ctx, family(in, 2, doubleLine, twinLine), nil)
		})
		for j, err := range errs {
			if err != nil {
				t.Fatalf("round %d: command %d: %v", i, j, err)
			}
		}
		for _, night := range []booking.Date{in, in.AddDays(1)} {
			if d, w := f.soldOf(t, "DBL", night.String()), f.soldOf(t, "TWN", night.String()); d != 3 || w != 3 {
				t.Fatalf("round %d: sold on %s DBL %d, TWN %d; want 3 and 3", i, night, d, w)
			}
		}
	}
	if n := f.overbooked(t); n != 0 {
		t.Fatalf("%d nights sold beyond their units", n)
	}
	if n := f.st.DeadlocksRetried(); n != 0 {
		t.Fatalf("%d transactions deadlocked (40P01) and were retried", n)
	}
}
