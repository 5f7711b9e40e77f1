package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/finance"
)

// The readers of the fully loaded unit economics: the ledger's
// invocations by hotel and by day, the bookings beside them, and the
// stage's fixed cost per day (fixed_cost_days, written by the daily
// accrual; this file only reads it).

// fixedByDay sums the fixed cost rows of the UTC days [$1, $2), one row
// per day that has any. The table holds one stage's rows (each stage has
// its database), so every row of a day is that day's fixed cost.
const fixedByDay = `
	SELECT to_char(day, 'YYYY-MM-DD'), count(*), sum(amount_nanos)::bigint
	FROM fixed_cost_days WHERE day >= $1::date AND day < $2::date
	GROUP BY day ORDER BY day`

// FixedCostByDay is the fixed cost of each UTC day from the day of from
// up to the day of to, to's day excluded unless to is past its midnight
// (the days a period [from, to) touches), for the days that have fixed
// rows; a day without rows is absent, not zero.
func (s *Store) FixedCostByDay(ctx context.Context, from, to time.Time) ([]finance.FixedCostDay, error) {
	lo, hi := dayBounds(from, to)
	rows, err := s.pool.Query(ctx, fixedByDay, lo, hi)
	if err != nil {
		return nil, classify("fixed cost by day", err)
	}
	out, err := pgx.CollectRows(rows, scanFixedDay)
	if err != nil {
		return nil, classify("fixed cost by day", err)
	}
	return out, nil
}

// dayBounds are the dates of the first day [from, to) touches and of
// the day after the last, as YYYY-MM-DD (no time zone to shift them).
func dayBounds(from, to time.Time) (string, string) {
	w := finance.Period{From: from, To: to}.WholeDays()
	return utcDate(w.From), utcDate(w.To)
}

func scanFixedDay(row pgx.CollectableRow) (finance.FixedCostDay, error) {
	var d finance.FixedCostDay
	err := row.Scan(&d.Day, &d.Items, &d.Cost)
	return d, err
}

// usageByHotel splits a period's invocations into the allocation's
// buckets — no attribution line (finance.Unattributed), attributed
// without a hotel (finance.NoHotel), each hotel — and counts each
// hotel's bookings as confirmedBookings does; a hotel with bookings and
// no invocations has a row too.
const usageByHotel = `
	WITH inv AS (
		SELECT CASE WHEN attribution = 'none' THEN $3 ELSE coalesce(hotel, $4) END AS bucket,
			count(*) AS n, sum(cost_nanos)::bigint AS cost
		FROM invocation_costs WHERE ended_at >= $1 AND ended_at < $2
		GROUP BY 1),
	booked AS (
		SELECT h.slug AS bucket, count(*) AS n FROM reservations r JOIN hotels h ON h.id = r.hotel_id
		WHERE r.` + bookedStatus + ` AND r.confirmed_at >= $1 AND r.confirmed_at < $2
		GROUP BY 1)
	SELECT bucket, coalesce(inv.n, 0), coalesce(inv.cost, 0)::bigint, coalesce(booked.n, 0)
	FROM inv FULL JOIN booked USING (bucket)
	ORDER BY 2 DESC, 1`

// usageByDay is a period's invocations, searches and bookings by UTC
// day (of the invocation's end, of the booking's confirmation).
const usageByDay = `
	WITH inv AS (
		SELECT to_char(ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS n,
			sum(cost_nanos)::bigint AS cost, count(*) FILTER (WHERE trigger = $3) AS searches,
			coalesce(sum(cost_nanos) FILTER (WHERE trigger = $3), 0)::bigint AS search_cost
		FROM invocation_costs WHERE ended_at >= $1 AND ended_at < $2
		GROUP BY 1),
	booked AS (
		SELECT to_char(confirmed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, count(*) AS n
		FROM reservations WHERE ` + bookedStatus + ` AND confirmed_at >= $1 AND confirmed_at < $2
		GROUP BY 1)
	SELECT day, coalesce(inv.n, 0), coalesce(inv.cost, 0)::bigint, coalesce(booked.n, 0),
		coalesce(inv.searches, 0), coalesce(inv.search_cost, 0)::bigint
	FROM inv FULL JOIN booked USING (day)
	ORDER BY 1`

// UnitFacts is what the fully loaded unit economics of p are built from
// (finance.BuildUnitEconomics): the summary, the invocations by hotel
// and by day, and the fixed cost per day, read in one round trip.
func (s *Store) UnitFacts(ctx context.Context, p finance.Period) (finance.UnitFacts, error) {
	var f finance.UnitFacts
	b := &pgx.Batch{}
	queueSummary(b, p, &f.Summary)
	b.Queue(usageByHotel, p.From, p.To, finance.Unattributed, finance.NoHotel).Query(func(rows pgx.Rows) error {
		var err error
		f.Hotels, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (finance.HotelUsage, error) {
			var h finance.HotelUsage
			err := r.Scan(&h.Hotel, &h.Invocations, &h.Cost, &h.Bookings)
			return h, err
		})
		return err
	})
	b.Queue(usageByDay, p.From, p.To, finance.SearchRoute).Query(func(rows pgx.Rows) error {
		var err error
		f.Days, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (finance.DayUsage, error) {
			var d finance.DayUsage
			err := r.Scan(&d.Day, &d.Invocations, &d.Cost, &d.Bookings, &d.Searches, &d.SearchCost)
			return d, err
		})
		return err
	})
	lo, hi := dayBounds(p.From, p.To)
	b.Queue(fixedByDay, lo, hi).Query(func(rows pgx.Rows) error {
		var err error
		f.Fixed, err = pgx.CollectRows(rows, scanFixedDay)
		return err
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return finance.UnitFacts{}, classify("unit facts", err)
	}
	f.Summary.Invocations, f.Summary.Cost = finance.Totals(f.Summary.Functions)
	f.Days = finance.FillUsageDays(f.Days, p)
	if f.Hotels == nil {
		f.Hotels = []finance.HotelUsage{}
	}
	if f.Fixed == nil {
		f.Fixed = []finance.FixedCostDay{}
	}
	return f, nil
}
