package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/booking"
)

// lockStays locks every inventory row of a reservation's old stay and of
// its new one in one global order, (room_type_id, night), before anything
// changes. Book and a cancellation lock one room type's nights in date
// order, which is that same order restricted to one room type, so no
// two of them can wait on each other in a cycle: two modifications
// across the same two room types, or a modification beside a booking,
// take their common rows in the same order. Once these rows are held,
// releaseNights and takeNights only re-take locks this transaction has.
const lockStays = `SELECT 1 FROM inventory
	WHERE (room_type_id = $1 AND night >= $2 AND night < $3)
		OR (room_type_id = $4 AND night >= $5 AND night < $6)
	ORDER BY room_type_id, night
	FOR UPDATE`

// freeForModification counts the nights of the new stay with $4 rooms
// free, where the rooms the reservation holds on its own nights ($5–$8)
// count as free: it would give them back first.
const freeForModification = `SELECT count(*) FROM inventory i
	WHERE i.room_type_id = $1 AND i.night >= $2 AND i.night < $3
		AND i.units - i.sold
			+ CASE WHEN i.room_type_id = $5 AND i.night >= $6 AND i.night < $7 THEN $8 ELSE 0 END >= $4`

// Modify locks the reservation row, lets decide choose the new stay, and
// in the same transaction reads the new plan's terms under a share lock
// (bookableTerms, as Book), the hotel's taxes and the plan's restrictions
// (refusing a stay they forbid, unless the change is exempt), locks both
// stays' nights (lockStays), gives
// the old nights back, takes the new ones, prices them and writes the
// reservation, the new nights' prices in place of the old ones
// (reservation_nights), its reservation.modified event, the audit row
// and the receipt. If any new night lacks the rooms, the transaction rolls back
// whole: the old booking keeps its nights.
func (s *Store) Modify(ctx context.Context, reference string, decide func(booking.Reservation) (booking.Modification, error), receipt *booking.Receipt) (booking.Reservation, error) {
	var res booking.Reservation
	err := s.onLocked(ctx, "modify", reference, receipt, func(tx pgx.Tx, r booking.Reservation) error {
		m, err := decide(r)
		if err != nil {
			return err
		}
		n := m.New
		if err := scanTerms(tx.QueryRow(ctx, bookableTerms, n.RatePlan.ID, n.RoomType.ID), &n); err != nil {
			return err
		}
		// The taxes as committed, under bookableTerms' lock, as Book.
		if n.Taxes, err = readTaxes(ctx, tx, n.Hotel.ID); err != nil {
			return err
		}
		// The new plan's restrictions, read without a lock before the
		// nights, as Book does.
		restrictions, err := readRestrictions(ctx, tx, n.RatePlan.ID, n.Stay)
		if err != nil {
			return err
		}
		if err := n.CheckRestrictions(restrictions); err != nil {
			return err
		}
		oldIn, oldOut := r.CheckIn.Time(), r.CheckOut.Time()
		newIn, newOut := n.Stay.CheckIn.Time(), n.Stay.CheckOut.Time()
		if _, err := tx.Exec(ctx, lockStays, r.RoomTypeID, oldIn, oldOut, n.RoomType.ID, newIn, newOut); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, releaseNights, r.RoomTypeID, oldIn, oldOut, r.Rooms)
		if err != nil {
			return err
		}
		if int(tag.RowsAffected()) != r.Nights() {
			return fmt.Errorf("release %s: %d of %d nights in inventory", r.Reference, tag.RowsAffected(), r.Nights())
		}
		tag, err = tx.Exec(ctx, takeNights, n.RoomType.ID, newIn, newOut, n.Stay.Rooms)
		if err != nil {
			return err
		}
		if int(tag.RowsAffected()) != n.Stay.Nights() {
			return booking.ErrSoldOut
		}
		// A hold moved onto other nights or more rooms stays within the
		// share of units that may be held unpaid, as a new hold must.
		if n.Status == booking.StatusHeld && n.Quota.SharePercent > 0 {
			var over int
			if err := tx.QueryRow(ctx, nightsOverHoldShare, n.RoomType.ID, newIn, newOut, n.Stay.Rooms, n.Quota.SharePercent, r.ID).Scan(&over); err != nil {
				return err
			}
			if over > 0 {
				return booking.ErrHoldShare
			}
		}
		nightly, err := readNightly(ctx, tx, n.RatePlan.ID, newIn, newOut)
		if err != nil {
			return err
		}
		var priced []booking.NightPrice
		res, priced, err = n.Priced(nightly)
		if err != nil {
			return err
		}
		// What the price does not decide stays the reservation's own.
		res.ID, res.CreatedAt, res.UpdatedAt = r.ID, r.CreatedAt, m.At
		res.CancellationFeeCents, res.NoShowFeeCents = r.CancellationFeeCents, r.NoShowFeeCents

		b := &pgx.Batch{}
		b.Queue(`UPDATE reservations SET room_type_id = $2, rate_plan_id = $3, check_in = $4, check_out = $5,
				rooms = $6, adults = $7, children = $8, total_cents = $9, refundable = $10,
				free_cancellation_until = $11, penalty_percent = $12, updated_at = $13,
				price = $14, children_ages = $15, payment_policy = $16, deposit_percent = $17
			WHERE id = $1`,
			r.ID, n.RoomType.ID, n.RatePlan.ID, newIn, newOut,
			res.Rooms, res.Adults, res.Children, res.TotalCents, res.Refundable,
			res.FreeCancellationUntil, res.PenaltyPercent, m.At, res.Price, ages(res.ChildrenAges),
			res.Payment.Policy, res.Payment.DepositPercent)
		// The old stay's nights give way to the new stay's, at the prices
		// just charged.
		b.Queue(`DELETE FROM reservation_nights WHERE reservation_id = $1`, r.ID)
		queueNights(b, r.Reference, nightly, priced)
		if m.Audit != nil {
			if err := queueAudit(b, *m.Audit, r, res, m.At); err != nil {
				return err
			}
		}
		ev := booking.EventFor(res, m.At)
		ev.Type = booking.EventModified
		ev.Previous = &booking.StayRef{RoomType: r.RoomTypeCode, CheckIn: r.CheckIn, CheckOut: r.CheckOut, Rooms: r.Rooms}
		if err := queueOutbox(b, ev); err != nil {
			return err
		}
		if err := queueReceipt(b, receipt, booking.Outcome{Reservation: res}, m.At); err != nil {
			return err
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		// A prepaid booking's invoice follows it (invoices.go).
		return reissueInvoices(ctx, tx, r, res, m.At)
	})
	if err != nil {
		return booking.Reservation{}, err
	}
	return res, nil
}

// QuoteModification reads the new plan's nightly prices and whether the
// new nights are free, counting the reservation's own rooms as given
// back; it locks and writes nothing, so the answer may be stale by the
// time the guest modifies (Modify decides again under its locks).
func (s *Store) QuoteModification(ctx context.Context, r booking.Reservation, n booking.NewReservation) ([]booking.NightPrice, bool, error) {
	var nightly []booking.NightPrice
	var free int
	newIn, newOut := n.Stay.CheckIn.Time(), n.Stay.CheckOut.Time()
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		if nightly, err = readNightly(ctx, tx, n.RatePlan.ID, newIn, newOut); err != nil {
			return err
		}
		return tx.QueryRow(ctx, freeForModification, n.RoomType.ID, newIn, newOut, n.Stay.Rooms,
			r.RoomTypeID, r.CheckIn.Time(), r.CheckOut.Time(), r.Rooms).Scan(&free)
	})
	if err != nil {
		return nil, false, classify("quote modification "+r.Reference, err)
	}
	return nightly, free == n.Stay.Nights(), nil
}

// readNightly reads a rate plan's prices over [from, to), in date order.
func readNightly(ctx context.Context, tx pgx.Tx, ratePlanID int64, from, to time.Time) ([]booking.NightPrice, error) {
	rows, err := tx.Query(ctx, nightlyRates, ratePlanID, from, to)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanNightPrice)
}

func scanNightPrice(r pgx.CollectableRow) (booking.NightPrice, error) {
	var p booking.NightPrice
	var night time.Time
	err := r.Scan(&night, &p.AmountCents)
	p.Date = booking.DateOf(night)
	return p, err
}
