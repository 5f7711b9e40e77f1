package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/finance"
)

var _ finance.RevenueSource = (*Store)(nil)

// netRoomCents is a reservation's room revenue, as hotels report ADR
// and RevPAR: the rooms' price (booking.Price.RoomCents) less the taxes
// included in it (VAT), which are the state's, not the hotel's; the
// taxes and fees added on top, and what is paid at the hotel, are not
// room revenue either. A reservation booked before prices were kept line
// by line (migration 0022, price NULL) counts its total_cents, which was
// then the rooms alone.
const netRoomCents = `coalesce((r.price->>'room_cents')::bigint - (
		SELECT coalesce(sum((l->>'amount_cents')::bigint), 0)::bigint
		FROM jsonb_array_elements(r.price->'lines') l WHERE (l->>'included')::boolean), r.total_cents)`

// revenueNights are the figures of each room type and night of [$1, $2)
// for hotel $3 (” for all): inventory, room-nights sold and their
// revenue (netRoomCents), and cancellations by arrival night. A
// confirmed stay is cut into its nights with generate_series, and its
// room revenue spread over them by integer division (night k of n:
// ⌊T(k+1)/n⌋ − ⌊Tk/n⌋, the amounts being non-negative), so the nights of
// a stay add up to its room revenue to the cent. The full joins keep a night that has inventory but no sale,
// a sale without inventory (inventory reduced after booking) and a
// cancellation alone.
const revenueNights = `
	WITH rt AS (
		SELECT t.id, t.code, h.slug, h.currency FROM room_types t JOIN hotels h ON h.id = t.hotel_id
		WHERE $3 = '' OR h.slug = $3),
	inv AS (
		SELECT i.room_type_id, i.night, i.units::bigint AS units
		FROM inventory i JOIN rt ON rt.id = i.room_type_id
		WHERE i.night >= $1::date AND i.night < $2::date),
	stay AS (
		SELECT r.room_type_id, r.check_in + k AS night, r.rooms::bigint AS rooms,
			n.cents * (k + 1) / (r.check_out - r.check_in) - n.cents * k / (r.check_out - r.check_in) AS cents
		FROM reservations r JOIN rt ON rt.id = r.room_type_id
			CROSS JOIN LATERAL (SELECT ` + netRoomCents + ` AS cents) n,
			generate_series(0, r.check_out - r.check_in - 1) AS k
		WHERE r.status IN ('confirmed', 'checked_in', 'checked_out') AND r.check_in < $2::date AND r.check_out > $1::date),
	sold AS (
		SELECT room_type_id, night, sum(rooms)::bigint AS rooms, sum(cents)::bigint AS cents
		FROM stay WHERE night >= $1::date AND night < $2::date GROUP BY 1, 2),
	cancelled AS (
		SELECT r.room_type_id, r.check_in AS night, count(*) AS n,
			coalesce(sum(r.cancellation_fee_cents), 0)::bigint AS fees
		FROM reservations r JOIN rt ON rt.id = r.room_type_id
		WHERE r.status = 'cancelled' AND r.check_in >= $1::date AND r.check_in < $2::date
		GROUP BY 1, 2),
	collected AS (
		SELECT r.room_type_id, r.check_in AS night, coalesce(sum(CASE p.kind WHEN 'refund' THEN -p.amount_cents
			WHEN 'charge' THEN p.amount_cents WHEN 'fee' THEN p.amount_cents ELSE 0 END), 0)::bigint AS paid
		FROM reservations r JOIN rt ON rt.id = r.room_type_id JOIN payments p ON p.reservation_id = r.id
		WHERE r.check_in >= $1::date AND r.check_in < $2::date
		GROUP BY 1, 2)
	SELECT rt.slug, rt.currency, rt.code, f.night, coalesce(f.units, 0), coalesce(f.rooms, 0),
		coalesce(f.cents, 0), coalesce(f.n, 0), coalesce(f.fees, 0), coalesce(f.paid, 0)
	FROM (SELECT * FROM inv FULL JOIN sold USING (room_type_id, night)
		FULL JOIN cancelled USING (room_type_id, night)
		FULL JOIN collected USING (room_type_id, night)) f JOIN rt ON rt.id = f.room_type_id
	ORDER BY 1, 3, 4`

// hotelDayCosts is the ledger's cost of the invocations attributed to
// hotel $3 (” for all) that ended in [$1, $2), by hotel and UTC day. An
// attribution that names no hotel of the catalogue (an unknown slug a
// caller sent) is no hotel's.
const hotelDayCosts = `
	SELECT h.slug, h.currency, (c.ended_at AT TIME ZONE 'UTC')::date, sum(c.cost_nanos)::bigint
	FROM invocation_costs c JOIN hotels h ON h.slug = c.hotel
	WHERE c.ended_at >= $1 AND c.ended_at < $2 AND ($3 = '' OR h.slug = $3)
	GROUP BY 1, 2, 3 ORDER BY 1, 3`

// RevenueFacts reads the revenue report's figures for hotel ("" for
// all) over the nights n, in one round trip.
func (s *Store) RevenueFacts(ctx context.Context, hotel string, n finance.Nights) ([]finance.NightFacts, []finance.HotelCost, error) {
	known := hotel == ""
	var facts []finance.NightFacts
	var costs []finance.HotelCost
	b := &pgx.Batch{}
	if hotel != "" {
		b.Queue(`SELECT EXISTS (SELECT 1 FROM hotels WHERE slug = $1)`, hotel).QueryRow(func(row pgx.Row) error {
			return row.Scan(&known)
		})
	}
	b.Queue(revenueNights, n.From, n.To, hotel).Query(func(rows pgx.Rows) error {
		var err error
		facts, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (finance.NightFacts, error) {
			var f finance.NightFacts
			err := r.Scan(&f.Hotel, &f.Currency, &f.RoomType, &f.Night, &f.Available, &f.Sold,
				&f.RevenueCents, &f.Cancellations, &f.CancellationFeesCents, &f.CollectedCents)
			return f, err
		})
		return err
	})
	p := n.Period()
	b.Queue(hotelDayCosts, p.From, p.To, hotel).Query(func(rows pgx.Rows) error {
		var err error
		costs, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (finance.HotelCost, error) {
			var c finance.HotelCost
			err := r.Scan(&c.Hotel, &c.Currency, &c.Day, &c.Cost)
			return c, err
		})
		return err
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, nil, classify("revenue", err)
	}
	if !known {
		return nil, nil, fmt.Errorf("store: revenue: hotel %q: %w", hotel, finance.ErrUnknownHotel)
	}
	return facts, costs, nil
}
