package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"innkeeper/shared/booking"
)

// insertBooking records a booking (migration 0027) unless a reservation
// holds its reference: a guest's reference names one thing. A
// reservation inserted with the same reference at the same instant could
// still pass; with 32^6 references drawn at random, that is not worth a
// lock on every booking.
const insertBooking = `INSERT INTO bookings (reference, hotel_id, guest_name, guest_email, guest_phone,
		access_token_hash, created_at)
	SELECT $1, $2, $3, $4, $5, $6, $7
	WHERE NOT EXISTS (SELECT 1 FROM reservations WHERE reference = $1)
	RETURNING id`

// linePlan is what BookLines reads once per rate plan of a booking,
// however many lines use it: the plan's terms as committed, its
// restrictions and its nightly prices.
type linePlan struct {
	terms        booking.NewReservation
	termsErr     error
	restrictions []booking.NightRestrictions
	nightly      []booking.NightPrice
}

// lineRooms is one room type of a booking: the rooms all its lines take,
// and what takeNights took of them.
type lineRooms struct {
	id    int64
	rooms int
	first int // the first line of the room type, to name it when refused
	taken int64
}

// BookLines books every line of nb in one transaction, as Book books one.
// The plans are read under their share lock in ascending id, and the
// nights of each room type (the lines of a room type together, with
// their rooms summed) in ascending room type id, each in date order:
// the global lock order (room type, night) that Book and Modify keep, so
// a booking of several room types never deadlocks with another booking or
// a modification. Any line refused rolls back every line.
func (s *Store) BookLines(ctx context.Context, nb booking.NewBooking, receipt *booking.Receipt) (booking.Booking, error) {
	if len(nb.Lines) == 0 {
		return booking.Booking{}, fmt.Errorf("store: book lines: a booking without lines")
	}
	first := nb.Lines[0]
	ci, co := first.Stay.CheckIn.Time(), first.Stay.CheckOut.Time()
	hold := first.Status == booking.StatusHeld
	emailKey := booking.EmailKey(nb.Guest.Email)
	perEmail := hold && first.Quota.PerEmail > 0

	plans := map[int64]*linePlan{}
	var planIDs []int64
	byType := map[int64]*lineRooms{}
	var types []*lineRooms
	for i, n := range nb.Lines {
		if _, ok := plans[n.RatePlan.ID]; !ok {
			plans[n.RatePlan.ID] = &linePlan{terms: n}
			planIDs = append(planIDs, n.RatePlan.ID)
		}
		rt, ok := byType[n.RoomType.ID]
		if !ok {
			rt = &lineRooms{id: n.RoomType.ID, first: i}
			byType[n.RoomType.ID] = rt
			types = append(types, rt)
		}
		rt.rooms += n.Stay.Rooms
	}
	slices.Sort(planIDs)
	slices.SortFunc(types, func(a, b *lineRooms) int { return cmp.Compare(a.id, b.id) })

	held := 0
	var taxes []booking.Tax
	takeAndPrice := func(b *pgx.Batch) {
		held, taxes = 0, nil
		if perEmail {
			b.Queue(holdQuotaLock, ClaimKey("innkeeper.hold-quota", emailKey))
			b.Queue(activeHolds, emailKey, first.Now).QueryRow(func(row pgx.Row) error { return row.Scan(&held) })
		}
		for _, id := range planIDs {
			p := plans[id]
			p.termsErr, p.restrictions, p.nightly = nil, nil, nil
			b.Queue(bookableTerms, id, p.terms.RoomType.ID).QueryRow(func(row pgx.Row) error {
				p.termsErr = scanTerms(row, &p.terms)
				return nil
			})
			b.Queue(stayRestrictions, id, ci, co).Query(func(rows pgx.Rows) (err error) {
				p.restrictions, err = collectRestrictions(rows)
				return err
			})
		}
		// After the terms' share lock on the hotel row, as Book: every
		// line is priced under the taxes committed (hotelTaxes).
		queueTaxes(b, first.Hotel.ID, &taxes)
		for _, rt := range types {
			rt.taken = 0
			b.Queue(takeNights, rt.id, ci, co, rt.rooms).Exec(func(tag pgconn.CommandTag) error {
				rt.taken = tag.RowsAffected()
				return nil
			})
		}
		for _, id := range planIDs {
			p := plans[id]
			b.Queue(nightlyRates, id, ci, co).Query(func(rows pgx.Rows) (err error) {
				p.nightly, err = pgx.CollectRows(rows, scanNightPrice)
				return err
			})
		}
	}

	var out booking.Booking
	err := s.inTx(ctx, "book lines", receipt, takeAndPrice, func(tx pgx.Tx) error {
		lines, err := linesUnderTerms(nb, plans)
		if err != nil {
			return err
		}
		for i := range lines {
			lines[i].Taxes = taxes
		}
		// In Book's order: the terms and restrictions of every line, the
		// email's holds, then the rooms of every room type.
		for i, n := range lines {
			if err := n.CheckRestrictions(plans[n.RatePlan.ID].restrictions); err != nil {
				return lineError(i, n, err)
			}
		}
		if perEmail && held+len(lines) > first.Quota.PerEmail {
			return booking.ErrHoldLimit
		}
		for _, rt := range types {
			if int(rt.taken) != first.Stay.Nights() {
				return lineError(rt.first, lines[rt.first], booking.ErrSoldOut)
			}
		}
		if hold && first.Quota.SharePercent > 0 {
			for _, rt := range types {
				var over int
				if err := tx.QueryRow(ctx, nightsOverHoldShare, rt.id, ci, co, rt.rooms, first.Quota.SharePercent, 0).Scan(&over); err != nil {
					return err
				}
				if over > 0 {
					return lineError(rt.first, lines[rt.first], booking.ErrHoldShare)
				}
			}
		}
		out = booking.Booking{Reference: nb.Reference, HotelID: nb.Hotel.ID, HotelSlug: nb.Hotel.Slug,
			Currency: lines[0].Hotel.Currency, CheckIn: first.Stay.CheckIn, CheckOut: first.Stay.CheckOut,
			Guest: nb.Guest, AccessTokenHash: nb.AccessTokenHash, CreatedAt: nb.Now}
		priced := make([][]booking.NightPrice, len(lines))
		for i, n := range lines {
			res, rooms, err := n.Priced(plans[n.RatePlan.ID].nightly)
			if err != nil {
				return lineError(i, n, err)
			}
			res.BookingReference, res.Line = nb.Reference, i+1
			out.Lines = append(out.Lines, res)
			priced[i] = rooms
		}
		return s.recordBooking(ctx, tx, nb, lines, priced, &out, emailKey, plans, receipt)
	})
	if err != nil {
		return booking.Booking{}, err
	}
	return out, nil
}

// linesUnderTerms is nb's lines under their plans' terms as read in the
// transaction (refundable, penalty, the hotel's currency and clock), or
// the error of the first line whose plan is gone or archived.
func linesUnderTerms(nb booking.NewBooking, plans map[int64]*linePlan) ([]booking.NewReservation, error) {
	lines := make([]booking.NewReservation, len(nb.Lines))
	for i, n := range nb.Lines {
		p := plans[n.RatePlan.ID]
		if p.termsErr != nil {
			return nil, lineError(i, n, p.termsErr)
		}
		n.RatePlan, n.Hotel, n.AgeBands = p.terms.RatePlan, p.terms.Hotel, p.terms.AgeBands
		lines[i] = n
	}
	return lines, nil
}

// lineError names line i (from 0) in err.
func lineError(i int, n booking.NewReservation, err error) error {
	return &booking.LineError{Line: i + 1, RoomType: n.RoomType.Code, Err: err}
}

// recordBooking writes the priced booking out: its row, then each line's
// reservation, nights, event and audit row, and the receipt, in one batch.
func (s *Store) recordBooking(ctx context.Context, tx pgx.Tx, nb booking.NewBooking, lines []booking.NewReservation,
	priced [][]booking.NightPrice, out *booking.Booking, emailKey string, plans map[int64]*linePlan, receipt *booking.Receipt) error {
	b := &pgx.Batch{}
	b.Queue(insertBooking, nb.Reference, nb.Hotel.ID, nb.Guest.Name, nb.Guest.Email, nb.Guest.Phone,
		nb.AccessTokenHash, nb.Now).QueryRow(func(row pgx.Row) error {
		err := row.Scan(&out.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return booking.DuplicateReference()
		}
		return err
	})
	for i, n := range lines {
		res := &out.Lines[i]
		queueReservation(b, n, res, emailKey, nb.Reference, res.Line)
		queueNights(b, res.Reference, plans[n.RatePlan.ID].nightly, priced[i])
		if err := queueOutbox(b, booking.BookingEventFor(*res, nb.Now)); err != nil {
			return err
		}
		if n.Audit != nil {
			if err := queueAudit(b, *n.Audit, booking.Reservation{}, *res, nb.Now); err != nil {
				return err
			}
		}
	}
	if err := queueReceipt(b, receipt, booking.Outcome{Booking: out, AccessToken: nb.AccessToken}, nb.Now); err != nil {
		return err
	}
	err := tx.SendBatch(ctx, b).Close()
	if c, constraint := pgCode(err); c == uniqueViolation &&
		(constraint == "reservations_reference_key" || constraint == "bookings_reference_key") {
		return booking.DuplicateReference()
	}
	if err != nil {
		return err
	}
	// Each prepaid line is invoiced as a booking of one room would be, in
	// this transaction (invoices.go).
	for _, res := range out.Lines {
		if err := issueInvoices(ctx, tx, booking.Reservation{}, res, "", nb.Now); err != nil {
			return err
		}
	}
	return nil
}

// Booking reads a booking and its lines, in line order, from one
// snapshot.
func (s *Store) Booking(ctx context.Context, reference string) (booking.Booking, error) {
	var b booking.Booking
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var guestEmail, guestName, guestPhone string
		err := tx.QueryRow(ctx, `SELECT b.id, b.reference, b.hotel_id, h.slug, h.currency, b.guest_name, b.guest_email,
				b.guest_phone, b.access_token_hash, b.created_at
			FROM bookings b JOIN hotels h ON h.id = b.hotel_id WHERE b.reference = $1`, reference).
			Scan(&b.ID, &b.Reference, &b.HotelID, &b.HotelSlug, &b.Currency, &guestName, &guestEmail,
				&guestPhone, &b.AccessTokenHash, &b.CreatedAt)
		if err != nil {
			return err
		}
		b.Guest = booking.Guest{Name: guestName, Email: guestEmail, Phone: guestPhone}
		rows, err := tx.Query(ctx, `SELECT `+reservationColumns+reservationFrom+`
			WHERE r.booking_id = $1 ORDER BY r.line_no`, b.ID)
		if err != nil {
			return err
		}
		b.Lines, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.Reservation, error) { return scanReservation(r) })
		return err
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return b, fmt.Errorf("booking %s: %w", reference, booking.ErrNotFound)
	}
	if err != nil {
		return booking.Booking{}, classify("booking", err)
	}
	// Lines are numbered from 1 in their one transaction and never
	// removed, so a line's number is its place.
	for i := range b.Lines {
		b.Lines[i].BookingReference, b.Lines[i].Line = b.Reference, i+1
	}
	b.CheckIn, b.CheckOut = span(b.Lines)
	return b, nil
}

// span is the dates a booking's lines cover together: they start alike,
// but a line modified on its own may not.
func span(lines []booking.Reservation) (in, out booking.Date) {
	for _, l := range lines {
		if in.IsZero() || l.CheckIn.Before(in) {
			in = l.CheckIn
		}
		if out.IsZero() || l.CheckOut.After(out) {
			out = l.CheckOut
		}
	}
	return in, out
}

// lockBooking queues the read of a booking and, under their row locks in
// id order (which is line order), its lines: the first statements of a
// command on every line of a booking. Rows are always locked before
// inventory, and several reservation rows only here, in id order, so the
// lock order stays acyclic.
func lockBooking(reference string, b *booking.Booking, readErr *error) func(*pgx.Batch) {
	return func(batch *pgx.Batch) {
		*b, *readErr = booking.Booking{}, nil
		batch.Queue(`SELECT b.id, b.reference, b.hotel_id, h.slug, h.currency, b.guest_name, b.guest_email,
				b.guest_phone, b.access_token_hash, b.created_at
			FROM bookings b JOIN hotels h ON h.id = b.hotel_id WHERE b.reference = $1`, reference).
			QueryRow(func(row pgx.Row) error {
				*readErr = row.Scan(&b.ID, &b.Reference, &b.HotelID, &b.HotelSlug, &b.Currency, &b.Guest.Name,
					&b.Guest.Email, &b.Guest.Phone, &b.AccessTokenHash, &b.CreatedAt)
				return nil
			})
		batch.Queue(`SELECT `+reservationColumns+reservationFrom+`
			WHERE r.booking_id = (SELECT id FROM bookings WHERE reference = $1) ORDER BY r.id FOR UPDATE OF r`, reference).
			Query(func(rows pgx.Rows) (err error) {
				b.Lines, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.Reservation, error) { return scanReservation(r) })
				return err
			})
	}
}

// TransitionBooking locks a booking's lines and, in one transaction,
// applies to every line what decide chooses for it, as Transition does
// for one: a line decide refuses is left as it is. Nights are given back
// room type by room type in ascending id, each in date order. If decide
// refuses every line, nothing changes and the first line's refusal is
// the error.
func (s *Store) TransitionBooking(ctx context.Context, reference string, decide func(booking.Reservation) (booking.Transition, error), receipt *booking.Receipt) (booking.Booking, error) {
	var b booking.Booking
	var readErr error
	err := s.inTx(ctx, "transition booking", receipt, lockBooking(reference, &b, &readErr), func(tx pgx.Tx) error {
		if errors.Is(readErr, pgx.ErrNoRows) || (readErr == nil && len(b.Lines) == 0) {
			return fmt.Errorf("booking %s: %w", reference, booking.ErrNotFound)
		}
		if readErr != nil {
			return readErr
		}
		for i := range b.Lines {
			b.Lines[i].BookingReference, b.Lines[i].Line = b.Reference, i+1
		}
		b.CheckIn, b.CheckOut = span(b.Lines)
		// Decided in line order, written in the lock order.
		ts := make([]*booking.Transition, len(b.Lines))
		var refused error
		for i, l := range b.Lines {
			t, err := decide(l)
			switch {
			case errors.Is(err, booking.ErrNotFound):
				return err
			case err != nil:
				if refused == nil {
					refused = &booking.LineError{Line: i + 1, RoomType: l.RoomTypeCode, Err: err}
				}
			default:
				ts[i] = &t
			}
		}
		order := make([]int, 0, len(b.Lines))
		for i, t := range ts {
			if t != nil {
				order = append(order, i)
			}
		}
		if len(order) == 0 {
			return refused
		}
		slices.SortStableFunc(order, func(i, j int) int { return cmp.Compare(b.Lines[i].RoomTypeID, b.Lines[j].RoomTypeID) })
		batch := &pgx.Batch{}
		at := ts[order[0]].At
		before := slices.Clone(b.Lines)
		for _, i := range order {
			line, err := queueTransition(batch, b.Lines[i], *ts[i])
			if err != nil {
				return err
			}
			b.Lines[i] = line
		}
		if err := queueReceipt(batch, receipt, booking.Outcome{Booking: &b}, at); err != nil {
			return err
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return err
		}
		// The credit notes or fee invoices each changed line calls for, as
		// for a reservation of one room (invoices.go).
		for _, i := range order {
			if err := issueInvoices(ctx, tx, before[i], b.Lines[i], ts[i].PaymentMethod, ts[i].At); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return booking.Booking{}, err
	}
	return b, nil
}
