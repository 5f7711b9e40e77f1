package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/booking"
)

// NightAuditLease is how long a claimed business day without its report
// stays another run's to finish: a run that crashed mid-day leaves its
// claim, and the next hourly run, later than this, takes it over.
const NightAuditLease = 15 * time.Minute

// NightAuditHotels lists every hotel with its cutoff and the latest
// business date audited. Archived hotels are audited too: their bookings
// still arrive or do not.
func (s *Store) NightAuditHotels(ctx context.Context) ([]booking.NightAuditHotel, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+hotelColumns+`,
			(SELECT max(a.business_date) FROM night_audits a WHERE a.hotel_id = h.id AND a.ran_at IS NOT NULL)
		FROM hotels h ORDER BY h.slug`)
	if err != nil {
		return nil, classify("night audit hotels", err)
	}
	hs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.NightAuditHotel, error) {
		var h booking.NightAuditHotel
		var last *time.Time
		err := r.Scan(&h.ID, &h.Slug, &h.Name, &h.City, &h.Country, &h.Timezone, &h.Currency, &h.CheckInTime,
			&h.NightAuditTime, &h.ArchivedAt, &last)
		if last != nil {
			h.Last = booking.DateOf(*last)
		}
		return h, err
	})
	return hs, classify("night audit hotels", err)
}

// ClaimNightAudit takes the hotel's business date for the run at at, or
// reports false when another run holds it (within NightAuditLease) or
// has audited it. The claim is its own statement, committed at once, so
// a second run at the same time finds it.
func (s *Store) ClaimNightAudit(ctx context.Context, hotelID int64, day booking.Date, at time.Time) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `INSERT INTO night_audits (hotel_id, business_date, claimed_at) VALUES ($1, $2, $3)
		ON CONFLICT (hotel_id, business_date) DO UPDATE SET claimed_at = EXCLUDED.claimed_at
			WHERE night_audits.ran_at IS NULL AND night_audits.claimed_at <= EXCLUDED.claimed_at - make_interval(secs => $4)
		RETURNING true`, hotelID, day.Time(), at, NightAuditLease.Seconds()).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, classify("claim night audit", err)
	}
	return ok, nil
}

// DueNoShows lists the hotel's confirmed reservations arriving on day or
// before, which the audit of day marks as no-shows: by then nobody
// checked them in.
func (s *Store) DueNoShows(ctx context.Context, hotelID int64, day booking.Date) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT reference FROM reservations
		WHERE hotel_id = $1 AND status = 'confirmed' AND check_in <= $2 ORDER BY check_in, id`, hotelID, day.Time())
	if err != nil {
		return nil, classify("due no-shows", err)
	}
	refs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return refs, classify("due no-shows", err)
}

// nightAuditFacts reads the report's lists from the reservations as the
// day ended: $1 the hotel, $2 the business date, $3 the references the
// audit marked no-show. The definitions are booking.NightAuditReport's.
const nightAuditFacts = `SELECT h.slug, h.currency,
		coalesce(array_agg(r.reference ORDER BY r.reference) FILTER (WHERE r.check_in = $2 AND r.status IN ('checked_in', 'checked_out')), '{}'),
		coalesce(array_agg(r.reference ORDER BY r.reference) FILTER (WHERE r.check_out = $2 AND r.status = 'checked_out'), '{}'),
		coalesce(array_agg(r.reference ORDER BY r.reference) FILTER (WHERE r.status IN ('checked_in', 'checked_out') AND r.check_in <= $2 AND r.check_out > $2), '{}'),
		coalesce(array_agg(r.reference ORDER BY r.reference) FILTER (WHERE r.status = 'no_show' AND (r.check_in = $2 OR r.reference = ANY($3))), '{}'),
		coalesce(sum(r.no_show_fee_cents) FILTER (WHERE r.status = 'no_show' AND (r.check_in = $2 OR r.reference = ANY($3))), 0)
	FROM hotels h LEFT JOIN reservations r ON r.hotel_id = h.id
		AND ((r.check_in <= $2 AND r.check_out >= $2) OR r.reference = ANY($3))
	WHERE h.id = $1
	GROUP BY h.slug, h.currency`

// FinishNightAudit computes the report of the hotel's business day from
// the reservations, with marked the no-shows this audit made, and
// stores it in the row claimed at at. A claim a later run took over, or
// a day audited meanwhile, is booking.ErrAuditTakenOver and writes
// nothing.
func (s *Store) FinishNightAudit(ctx context.Context, hotelID int64, day booking.Date, at time.Time, marked []string) (booking.NightAuditReport, error) {
	rep := booking.NightAuditReport{BusinessDate: day, RanAt: at}
	if marked == nil {
		marked = []string{}
	}
	var fees int64
	err := s.pool.QueryRow(ctx, nightAuditFacts, hotelID, day.Time(), marked).Scan(&rep.Hotel, &rep.Currency,
		&rep.Arrivals.References, &rep.Departures.References, &rep.InHouse.References, &rep.NoShows.References, &fees)
	if err != nil {
		return rep, classify("night audit report", err)
	}
	rep.NoShowFeesCents = fees
	for _, r := range []*booking.Refs{&rep.Arrivals, &rep.Departures, &rep.InHouse, &rep.NoShows} {
		r.Count = len(r.References)
	}
	body, err := json.Marshal(rep)
	if err != nil {
		return rep, fmt.Errorf("store: encode night audit: %w", err)
	}
	// Only the run that holds the claim writes the report: a run whose
	// lease a later run took over (claimed_at moved on) or whose day was
	// audited meanwhile writes nothing, so a day has one report.
	tag, err := s.pool.Exec(ctx, `UPDATE night_audits SET ran_at = $3, report = $4
		WHERE hotel_id = $1 AND business_date = $2 AND ran_at IS NULL AND claimed_at = $3`, hotelID, day.Time(), at, body)
	if err != nil {
		return rep, classify("finish night audit", err)
	}
	if tag.RowsAffected() != 1 {
		return rep, fmt.Errorf("store: finish night audit %s: %w", day, booking.ErrAuditTakenOver)
	}
	return rep, nil
}

// NightAudits reads a hotel's reports over [q.From, q.To], newest first;
// booking.ErrNotFound for an unknown hotel. Days claimed but not yet
// reported are left out.
func (s *Store) NightAudits(ctx context.Context, q booking.NightAuditQuery) ([]booking.NightAuditReport, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM hotels WHERE slug = $1`, q.Hotel).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("store: night audits of hotel %q: %w", q.Hotel, booking.ErrNotFound)
	}
	if err != nil {
		return nil, classify("night audits", err)
	}
	rows, err := s.pool.Query(ctx, `SELECT report FROM night_audits
		WHERE hotel_id = $1 AND business_date BETWEEN $2 AND $3 AND report IS NOT NULL
		ORDER BY business_date DESC`, id, q.From.Time(), q.To.Time())
	if err != nil {
		return nil, classify("night audits", err)
	}
	reps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.NightAuditReport, error) {
		var rep booking.NightAuditReport
		var body []byte
		if err := r.Scan(&body); err != nil {
			return rep, err
		}
		return rep, json.Unmarshal(body, &rep)
	})
	return reps, classify("night audits", err)
}
