package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/booking"
)

const hotelColumns = `h.id, h.slug, h.name, h.city, h.country, h.timezone, h.currency, to_char(h.check_in_time, 'HH24:MI'),
	to_char(h.night_audit_time, 'HH24:MI'), h.archived_at`

func scanHotel(row pgx.Row) (booking.Hotel, error) {
	var h booking.Hotel
	err := row.Scan(&h.ID, &h.Slug, &h.Name, &h.City, &h.Country, &h.Timezone, &h.Currency, &h.CheckInTime, &h.NightAuditTime, &h.ArchivedAt)
	return h, err
}

// hotelLegalColumns are hotelColumns and the legal entity (migration
// 0025), for the reads that show or edit it; the searches and the night
// audit read hotelColumns alone.
const hotelLegalColumns = hotelColumns + `, h.legal_name, h.legal_address, h.tax_id, h.invoice_prefix`

func scanHotelLegal(row pgx.Row) (booking.Hotel, error) {
	var h booking.Hotel
	err := row.Scan(&h.ID, &h.Slug, &h.Name, &h.City, &h.Country, &h.Timezone, &h.Currency, &h.CheckInTime, &h.NightAuditTime, &h.ArchivedAt,
		&h.LegalName, &h.LegalAddress, &h.TaxID, &h.InvoicePrefix)
	return h, err
}

// ListHotels lists every hotel by slug.
func (s *Store) ListHotels(ctx context.Context) ([]booking.Hotel, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+hotelColumns+` FROM hotels h ORDER BY h.slug`)
	if err != nil {
		return nil, classify("list hotels", err)
	}
	hotels, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.Hotel, error) { return scanHotel(r) })
	if err != nil {
		return nil, classify("list hotels", err)
	}
	return hotels, nil
}

// HotelDetail reads a hotel, its room types, its rate plans and its
// taxes in one round trip.
func (s *Store) HotelDetail(ctx context.Context, slug string) (booking.HotelDetail, error) {
	b := &pgx.Batch{}
	b.Queue(`SELECT `+hotelLegalColumns+` FROM hotels h WHERE h.slug = $1`, slug)
	b.Queue(`SELECT `+roomTypeColumns+`
		FROM room_types rt JOIN hotels h ON h.id = rt.hotel_id WHERE h.slug = $1 ORDER BY rt.code`, slug)
	b.Queue(`SELECT `+ratePlanColumns+`
		FROM rate_plans rp JOIN room_types rt ON rt.id = rp.room_type_id JOIN hotels h ON h.id = rp.hotel_id
		WHERE h.slug = $1 ORDER BY rt.code, rp.code`, slug)
	b.Queue(`SELECT `+ageBandsOf("h.id")+` FROM hotels h WHERE h.slug = $1`, slug)
	b.Queue(`SELECT `+taxColumns+` FROM hotel_taxes
		WHERE hotel_id = (SELECT id FROM hotels WHERE slug = $1) ORDER BY position`, slug)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()

	var d booking.HotelDetail
	var err error
	d.Hotel, err = scanHotelLegal(br.QueryRow())
	if errors.Is(err, pgx.ErrNoRows) {
		return d, fmt.Errorf("hotel %q: %w", slug, booking.ErrNotFound)
	}
	if err != nil {
		return d, classify("hotel detail", err)
	}
	rows, err := br.Query()
	if err != nil {
		return d, classify("hotel room types", err)
	}
	d.RoomTypes, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.RoomType, error) { return scanRoomType(r) })
	if err != nil {
		return d, classify("hotel room types", err)
	}
	rows, err = br.Query()
	if err != nil {
		return d, classify("hotel rate plans", err)
	}
	d.RatePlans, err = pgx.CollectRows(rows, scanRatePlan)
	if err != nil {
		return d, classify("hotel rate plans", err)
	}
	if err := br.QueryRow().Scan(&d.ChildAgeBands); err != nil {
		return d, classify("hotel age bands", err)
	}
	rows, err = br.Query()
	if err != nil {
		return d, classify("hotel taxes", err)
	}
	d.Taxes, err = collectTaxes(rows)
	if err != nil {
		return d, classify("hotel taxes", err)
	}
	return d, nil
}

const roomTypeColumns = `rt.id, rt.hotel_id, rt.code, rt.name, rt.max_adults, rt.max_children, rt.archived_at`

func scanRoomType(r pgx.Row) (booking.RoomType, error) {
	var rt booking.RoomType
	err := r.Scan(&rt.ID, &rt.HotelID, &rt.Code, &rt.Name, &rt.MaxAdults, &rt.MaxChildren, &rt.ArchivedAt)
	return rt, err
}

// ratePlanColumns reads a rate plan joined with its room type as rt.
const ratePlanColumns = `rp.id, rp.hotel_id, rp.room_type_id, rt.code, rp.code, rp.name, rp.refundable,
	rp.free_cancellation_hours, rp.penalty_percent, rp.archived_at,
	rp.base_occupancy, rp.extra_adult_cents, rp.extra_child_cents, rp.single_occupancy_discount_cents,
	rp.payment_policy, rp.deposit_percent`

// ageBandsOf reads, as one JSON list booking.AgeBands scans, the child
// age bands of the hotel whose id is the SQL expression hotelID,
// youngest first (migration 0024).
func ageBandsOf(hotelID string) string {
	return `(SELECT coalesce(` + ageBandsAgg + `, '[]'::jsonb)
		FROM hotel_age_bands b WHERE b.hotel_id = ` + hotelID + `)`
}

// ageBandsAgg aggregates rows b of hotel_age_bands into the JSON list
// ageBandsOf reads.
const ageBandsAgg = `jsonb_agg(jsonb_build_object('code', b.code, 'name', b.name,
			'min_age', b.min_age, 'max_age', b.max_age) ORDER BY b.min_age)`

func scanRatePlan(r pgx.CollectableRow) (booking.RatePlan, error) { return scanRatePlanRow(r) }

func scanRatePlanRow(r pgx.Row) (booking.RatePlan, error) {
	var p booking.RatePlan
	err := r.Scan(&p.ID, &p.HotelID, &p.RoomTypeID, &p.RoomTypeCode, &p.Code, &p.Name, &p.Refundable,
		&p.FreeCancellationHours, &p.PenaltyPercent, &p.ArchivedAt,
		&p.Occupancy.BaseOccupancy, &p.Occupancy.ExtraAdultCents, &p.Occupancy.ExtraChildCents,
		&p.Occupancy.SingleOccupancyDiscountCents, &p.Payment.Policy, &p.Payment.DepositPercent)
	return p, err
}

// created takes the error of reading what an INSERT … RETURNING gave a
// catalogue item and writes the item's audit row; a taken key (the
// insert's unique violation) is a ConflictError saying taken.
func created(ctx context.Context, tx pgx.Tx, err error, by booking.Audit,
	slug, kind, key string, after map[string]any, taken string) error {
	if c, _ := pgCode(err); c == uniqueViolation {
		return booking.Conflict(taken)
	}
	if err != nil {
		return err
	}
	return auditEntity(ctx, tx, by, slug, kind, key, nil, after)
}

// CreateHotel inserts a hotel with its audit row; a taken slug or
// invoice prefix is a ConflictError. Without a prefix, the insert's
// trigger derives one from the slug (migration 0025), read back here.
func (s *Store) CreateHotel(ctx context.Context, h booking.Hotel, by booking.Audit) (booking.Hotel, error) {
	err := s.editTx(ctx, "create hotel", func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO hotels (slug, name, city, country, timezone, currency, check_in_time, night_audit_time,
				legal_name, legal_address, tax_id, invoice_prefix)
			VALUES ($1, $2, $3, $4, $5, $6, $7::time, $8::time, $9, $10, $11, NULLIF($12, '')) RETURNING id, invoice_prefix`,
			h.Slug, h.Name, h.City, h.Country, h.Timezone, h.Currency, h.CheckInTime, h.NightAuditTime,
			h.LegalName, h.LegalAddress, h.TaxID, h.InvoicePrefix).Scan(&h.ID, &h.InvoicePrefix)
		if c, constraint := pgCode(err); c == uniqueViolation && constraint == "hotels_invoice_prefix_key" {
			if h.InvoicePrefix == "" {
				return booking.Conflict("the invoice prefix derived from the slug was just taken by another hotel; send invoice_prefix")
			}
			return booking.Conflict(fmt.Sprintf("another hotel has the invoice prefix %s", h.InvoicePrefix))
		}
		return created(ctx, tx, err, by, h.Slug, "hotel", h.Slug, h.AuditValues(),
			fmt.Sprintf("a hotel with slug %s already exists", h.Slug))
	})
	return h, err
}

// CreateRoomType inserts a room type of the hotel slug with its audit
// row; a taken code is a ConflictError.
func (s *Store) CreateRoomType(ctx context.Context, slug string, rt booking.RoomType, by booking.Audit) (booking.RoomType, error) {
	err := s.editTx(ctx, "create room type", func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO room_types (hotel_id, code, name, max_adults, max_children)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			rt.HotelID, rt.Code, rt.Name, rt.MaxAdults, rt.MaxChildren).Scan(&rt.ID)
		return created(ctx, tx, err, by, slug, "room_type", rt.Code, rt.AuditValues(),
			fmt.Sprintf("room type %s already exists", rt.Code))
	})
	return rt, err
}

// CreateRatePlan inserts a rate plan of the hotel slug with its audit
// row; a taken code is a ConflictError.
func (s *Store) CreateRatePlan(ctx context.Context, slug string, p booking.RatePlan, by booking.Audit) (booking.RatePlan, error) {
	err := s.editTx(ctx, "create rate plan", func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO rate_plans (hotel_id, room_type_id, code, name, refundable,
				free_cancellation_hours, penalty_percent,
				base_occupancy, extra_adult_cents, extra_child_cents, single_occupancy_discount_cents,
				payment_policy, deposit_percent)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			p.HotelID, p.RoomTypeID, p.Code, p.Name, p.Refundable, p.FreeCancellationHours, p.PenaltyPercent,
			p.Occupancy.BaseOccupancy, p.Occupancy.ExtraAdultCents, p.Occupancy.ChildCents(),
			p.Occupancy.SingleOccupancyDiscountCents, p.Payment.Or(p.Refundable).Policy, p.Payment.DepositPercent).Scan(&p.ID)
		return created(ctx, tx, err, by, slug, "rate_plan", p.Code, p.AuditValues(),
			fmt.Sprintf("rate plan %s already exists", p.Code))
	})
	return p, err
}

// nightsOf expands [$2, $3) into one row per night.
const nightsOf = `generate_series($2::date, $3::date - 1, interval '1 day') AS g(d)`

// nightRun is a run of consecutive nights with one value (units or a
// price in minor units), as the audit trail keeps what inventory and
// rates were and became: [From, To).
type nightRun struct {
	From  booking.Date `json:"from"`
	To    booking.Date `json:"to"`
	Value int64        `json:"value"`
}

// runsOf locks the nights of [$2, $3) of one room type's inventory or one
// rate plan's rates (in date order, as takeNights does) and reads them as
// runs of one value: consecutive nights with one value share night minus
// their rank among the nights of that value.
func runsOf(ctx context.Context, tx pgx.Tx, table, owner, value string, id int64, r booking.DateRange) ([]nightRun, error) {
	rows, err := tx.Query(ctx, `WITH locked AS (
			SELECT night, `+value+` AS v FROM `+table+`
			WHERE `+owner+` = $1 AND night >= $2 AND night < $3 ORDER BY night FOR UPDATE)
		SELECT min(night), max(night) + 1, v FROM (
			SELECT night, v, night - (row_number() OVER (PARTITION BY v ORDER BY night))::int AS island FROM locked) n
		GROUP BY v, island ORDER BY 1`, id, r.From.Time(), r.To.Time())
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (nightRun, error) {
		var run nightRun
		var from, to time.Time
		err := row.Scan(&from, &to, &run.Value)
		run.From, run.To = booking.DateOf(from), booking.DateOf(to)
		return run, err
	})
}

// nightsAudit is the audit trail's before or after of inventory or rates
// set over a range: the range, and the runs of values over it (none where
// no night had one).
type nightsAudit struct {
	From booking.Date `json:"from"`
	To   booking.Date `json:"to"`
	Runs []nightRun   `json:"runs"`
}

// SetInventory upserts units for every night of r in one statement, so a
// night with more sold than the new units fails the whole range, with
// its audit row: the units the nights had and have.
func (s *Store) SetInventory(ctx context.Context, roomTypeID int64, r booking.DateRange, units int, by booking.Audit) error {
	var slug, code string
	var before []nightRun
	err := s.editTx(ctx, "set inventory", func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT h.slug, rt.code FROM room_types rt JOIN hotels h ON h.id = rt.hotel_id
			WHERE rt.id = $1`, roomTypeID).Scan(&slug, &code); err != nil {
			return fmt.Errorf("room type %d: %w", roomTypeID, err)
		}
		var err error
		if before, err = runsOf(ctx, tx, "inventory", "room_type_id", "units::bigint", roomTypeID, r); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO inventory (room_type_id, night, units)
			SELECT $1, d::date, $4 FROM `+nightsOf+`
			ON CONFLICT (room_type_id, night) DO UPDATE SET units = EXCLUDED.units`,
			roomTypeID, r.From.Time(), r.To.Time(), units); err != nil {
			return err
		}
		after := []nightRun{{From: r.From, To: r.To, Value: int64(units)}}
		if slices.Equal(before, after) {
			return nil // nothing changed, nothing to record
		}
		return auditEntity(ctx, tx, by, slug, "inventory", code,
			nightsAudit{r.From, r.To, nonNil(before)}, nightsAudit{r.From, r.To, after})
	})
	if c, constraint := pgCode(err); c == checkViolation && constraint == "inventory_sold_within_units" {
		var night time.Time
		var sold int
		qerr := s.pool.QueryRow(ctx, `SELECT night, sold FROM inventory
			WHERE room_type_id = $1 AND night >= $2 AND night < $3 AND sold > $4 ORDER BY night LIMIT 1`,
			roomTypeID, r.From.Time(), r.To.Time(), units).Scan(&night, &sold)
		if qerr != nil {
			return booking.Conflict("units cannot go below what is already sold")
		}
		return booking.Conflict(fmt.Sprintf("%s already has %d sold; units cannot go below that",
			booking.DateOf(night), sold))
	}
	return err
}

// SetRates upserts the nightly price for every night of r, with its
// audit row: the prices the nights had and have.
func (s *Store) SetRates(ctx context.Context, ratePlanID int64, r booking.DateRange, amountCents int64, by booking.Audit) error {
	return s.editTx(ctx, "set rates", func(tx pgx.Tx) error {
		var slug, code string
		if err := tx.QueryRow(ctx, `SELECT h.slug, rp.code FROM rate_plans rp JOIN hotels h ON h.id = rp.hotel_id
			WHERE rp.id = $1`, ratePlanID).Scan(&slug, &code); err != nil {
			return fmt.Errorf("rate plan %d: %w", ratePlanID, err)
		}
		before, err := runsOf(ctx, tx, "rates", "rate_plan_id", "amount_cents", ratePlanID, r)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO rates (rate_plan_id, night, amount_cents)
			SELECT $1, d::date, $4 FROM `+nightsOf+`
			ON CONFLICT (rate_plan_id, night) DO UPDATE SET amount_cents = EXCLUDED.amount_cents`,
			ratePlanID, r.From.Time(), r.To.Time(), amountCents); err != nil {
			return err
		}
		after := []nightRun{{From: r.From, To: r.To, Value: amountCents}}
		if slices.Equal(before, after) {
			return nil // nothing changed, nothing to record
		}
		return auditEntity(ctx, tx, by, slug, "rate", code,
			nightsAudit{r.From, r.To, nonNil(before)}, nightsAudit{r.From, r.To, after})
	})
}

// nonNil makes no runs a JSON list, not null.
func nonNil(runs []nightRun) []nightRun {
	if runs == nil {
		return []nightRun{}
	}
	return runs
}

// Candidates reads, per rate plan, the free units and the prices over the
// stay's nights in one query, then the plans' restriction rows over
// [check-in, check-out] in another (withRestrictions): a search is advice, and Book reads
// both again in its transaction.
func (s *Store) Candidates(ctx context.Context, hotelID int64, stay booking.Stay) ([]booking.Candidate, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+roomTypeColumns+`, `+ratePlanColumns+`,
			inv.free, inv.nights, pr.nights, pr.amounts, `+ageBandsOf("$1")+`
		FROM room_types rt
		JOIN rate_plans rp ON rp.room_type_id = rt.id
		CROSS JOIN LATERAL (
			SELECT coalesce(min(i.units - i.sold), 0) AS free, count(*) AS nights
			FROM inventory i WHERE i.room_type_id = rt.id AND i.night >= $2 AND i.night < $3) inv
		CROSS JOIN LATERAL (
			SELECT array_agg(r.night ORDER BY r.night) AS nights, array_agg(r.amount_cents ORDER BY r.night) AS amounts
			FROM rates r WHERE r.rate_plan_id = rp.id AND r.night >= $2 AND r.night < $3) pr
		WHERE rt.hotel_id = $1
		ORDER BY rt.code, rp.code`,
		hotelID, stay.CheckIn.Time(), stay.CheckOut.Time())
	if err != nil {
		return nil, classify("candidates", err)
	}
	cands, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.Candidate, error) {
		var c booking.Candidate
		var nights []time.Time
		var amounts []int64
		err := r.Scan(&c.RoomType.ID, &c.RoomType.HotelID, &c.RoomType.Code, &c.RoomType.Name,
			&c.RoomType.MaxAdults, &c.RoomType.MaxChildren, &c.RoomType.ArchivedAt,
			&c.RatePlan.ID, &c.RatePlan.HotelID, &c.RatePlan.RoomTypeID, &c.RatePlan.RoomTypeCode,
			&c.RatePlan.Code, &c.RatePlan.Name, &c.RatePlan.Refundable,
			&c.RatePlan.FreeCancellationHours, &c.RatePlan.PenaltyPercent, &c.RatePlan.ArchivedAt,
			&c.RatePlan.Occupancy.BaseOccupancy, &c.RatePlan.Occupancy.ExtraAdultCents, &c.RatePlan.Occupancy.ExtraChildCents,
			&c.RatePlan.Occupancy.SingleOccupancyDiscountCents, &c.RatePlan.Payment.Policy, &c.RatePlan.Payment.DepositPercent,
			&c.Available, &c.InventoryNights, &nights, &amounts, &c.AgeBands)
		c.Nightly = nightPrices(nights, amounts)
		return c, err
	})
	if err != nil {
		return nil, classify("candidates", err)
	}
	ptrs := make([]*booking.Candidate, len(cands))
	for i := range cands {
		ptrs[i] = &cands[i]
	}
	if err := s.withRestrictions(ctx, ptrs, stay); err != nil {
		return nil, classify("candidates", err)
	}
	return cands, nil
}

func nightPrices(nights []time.Time, amounts []int64) []booking.NightPrice {
	out := make([]booking.NightPrice, len(nights))
	for i := range nights {
		out[i] = booking.NightPrice{Date: booking.DateOf(nights[i]), AmountCents: amounts[i]}
	}
	return out
}

// UnitsLeft is the fewest free units of a room type over [from, to).
func (s *Store) UnitsLeft(ctx context.Context, hotel, roomType string, from, to booking.Date) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT coalesce(min(i.units - i.sold), 0) FROM inventory i
		JOIN room_types rt ON rt.id = i.room_type_id JOIN hotels h ON h.id = rt.hotel_id
		WHERE h.slug = $1 AND rt.code = $2 AND i.night >= $3 AND i.night < $4`,
		hotel, roomType, from.Time(), to.Time()).Scan(&n)
	return n, classify("units left", err)
}

// CityCandidates reads Candidates for every sold hotel of a city in one
// query, their restrictions in a second and the hotels' taxes in a
// third, so a city of fifty hotels costs three round trips, not a
// hundred. The
// city is matched through desk_fold (lower case, no accents: "lisboa"
// finds "Lisboa", "sao paulo" finds "São Paulo"), which the index of
// migration 0021 serves. Archived rows are filtered here rather than in
// the domain only to read less; the domain's rule (offers) checks again.
func (s *Store) CityCandidates(ctx context.Context, city string, stay booking.Stay) ([]booking.HotelCandidates, error) {
	// The city's bands are aggregated once per hotel (city_bands), not
	// once per rate plan row.
	rows, err := s.pool.Query(ctx, `
		WITH city_bands AS MATERIALIZED (
			SELECT b.hotel_id, `+ageBandsAgg+` AS bands
			FROM hotel_age_bands b JOIN hotels bh ON bh.id = b.hotel_id
			WHERE desk_fold(bh.city) = desk_fold($1)
			GROUP BY b.hotel_id)
		SELECT `+hotelColumns+`, `+roomTypeColumns+`, `+ratePlanColumns+`,
			inv.free, inv.nights, pr.nights, pr.amounts, coalesce(cb.bands, '[]'::jsonb)
		FROM hotels h
		LEFT JOIN city_bands cb ON cb.hotel_id = h.id
		JOIN room_types rt ON rt.hotel_id = h.id AND rt.archived_at IS NULL
		JOIN rate_plans rp ON rp.room_type_id = rt.id AND rp.archived_at IS NULL
		CROSS JOIN LATERAL (
			SELECT coalesce(min(i.units - i.sold), 0) AS free, count(*) AS nights
			FROM inventory i WHERE i.room_type_id = rt.id AND i.night >= $2 AND i.night < $3) inv
		CROSS JOIN LATERAL (
			SELECT array_agg(r.night ORDER BY r.night) AS nights, array_agg(r.amount_cents ORDER BY r.night) AS amounts
			FROM rates r WHERE r.rate_plan_id = rp.id AND r.night >= $2 AND r.night < $3) pr
		WHERE desk_fold(h.city) = desk_fold($1) AND h.archived_at IS NULL
		ORDER BY h.slug, rt.code, rp.code`,
		city, stay.CheckIn.Time(), stay.CheckOut.Time())
	if err != nil {
		return nil, classify("city candidates", err)
	}
	defer rows.Close()
	var out []booking.HotelCandidates
	for rows.Next() {
		var h booking.Hotel
		var c booking.Candidate
		var nights []time.Time
		var amounts []int64
		if err := rows.Scan(&h.ID, &h.Slug, &h.Name, &h.City, &h.Country, &h.Timezone, &h.Currency, &h.CheckInTime,
			&h.NightAuditTime, &h.ArchivedAt,
			&c.RoomType.ID, &c.RoomType.HotelID, &c.RoomType.Code, &c.RoomType.Name,
			&c.RoomType.MaxAdults, &c.RoomType.MaxChildren, &c.RoomType.ArchivedAt,
			&c.RatePlan.ID, &c.RatePlan.HotelID, &c.RatePlan.RoomTypeID, &c.RatePlan.RoomTypeCode,
			&c.RatePlan.Code, &c.RatePlan.Name, &c.RatePlan.Refundable,
			&c.RatePlan.FreeCancellationHours, &c.RatePlan.PenaltyPercent, &c.RatePlan.ArchivedAt,
			&c.RatePlan.Occupancy.BaseOccupancy, &c.RatePlan.Occupancy.ExtraAdultCents, &c.RatePlan.Occupancy.ExtraChildCents,
			&c.RatePlan.Occupancy.SingleOccupancyDiscountCents, &c.RatePlan.Payment.Policy, &c.RatePlan.Payment.DepositPercent,
			&c.Available, &c.InventoryNights, &nights, &amounts, &c.AgeBands); err != nil {
			return nil, classify("city candidates", err)
		}
		c.Nightly = nightPrices(nights, amounts)
		if n := len(out); n == 0 || out[n-1].Hotel.ID != h.ID {
			out = append(out, booking.HotelCandidates{Hotel: h})
		}
		out[len(out)-1].Candidates = append(out[len(out)-1].Candidates, c)
	}
	if err := rows.Err(); err != nil {
		return nil, classify("city candidates", err)
	}
	var ptrs []*booking.Candidate
	for i := range out {
		for j := range out[i].Candidates {
			ptrs = append(ptrs, &out[i].Candidates[j])
		}
	}
	if err := s.withRestrictions(ctx, ptrs, stay); err != nil {
		return nil, classify("city candidates", err)
	}
	if err := s.withTaxes(ctx, out); err != nil {
		return nil, classify("city candidates", err)
	}
	return out, nil
}
