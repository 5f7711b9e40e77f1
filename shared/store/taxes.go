package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/booking"
)

// taxColumns reads a hotel_taxes row (migration 0023) as booking.Tax.
// trim_scale writes the exact percent as staff gave it: "6", "14.75".
const taxColumns = `code, name, kind, vat, coalesce(trim_scale(percent)::text, ''), coalesce(amount_cents, 0),
	included, pay_at_hotel, exempt_under_age, max_nights, valid_from, valid_to`

// hotelTaxes reads a hotel's taxes in the order they are priced. Book and
// Modify run it after bookableTerms, whose share lock on the hotel row
// makes a concurrent SetTaxes (which locks it FOR UPDATE) wait for the
// booking or the booking for it; READ COMMITTED reads each statement
// afresh, so the booking is priced under the list committed when its
// lock was granted, never a cached one.
const hotelTaxes = `SELECT ` + taxColumns + ` FROM hotel_taxes WHERE hotel_id = $1 ORDER BY position`

func scanTax(row pgx.Row) (booking.Tax, error) {
	var t booking.Tax
	var from, to *time.Time
	err := row.Scan(&t.Code, &t.Name, &t.Kind, &t.VAT, &t.Percent, &t.AmountCents,
		&t.Included, &t.PayAtHotel, &t.ExemptUnderAge, &t.MaxNights, &from, &to)
	if from != nil {
		t.ValidFrom = booking.DateOf(*from)
	}
	if to != nil {
		t.ValidTo = booking.DateOf(*to)
	}
	return t, err
}

func collectTaxes(rows pgx.Rows) ([]booking.Tax, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.Tax, error) { return scanTax(r) })
}

// queueTaxes adds the read of a hotel's taxes to b, into taxes.
func queueTaxes(b *pgx.Batch, hotelID int64, taxes *[]booking.Tax) {
	b.Queue(hotelTaxes, hotelID).Query(func(rows pgx.Rows) (err error) {
		*taxes, err = collectTaxes(rows)
		return err
	})
}

// readTaxes reads a hotel's taxes in tx.
func readTaxes(ctx context.Context, tx pgx.Tx, hotelID int64) ([]booking.Tax, error) {
	rows, err := tx.Query(ctx, hotelTaxes, hotelID)
	if err != nil {
		return nil, fmt.Errorf("taxes of hotel %d: %w", hotelID, err)
	}
	return collectTaxes(rows)
}

// Taxes lists a hotel's taxes in order; an unknown slug is ErrNotFound.
func (s *Store) Taxes(ctx context.Context, slug string) ([]booking.Tax, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT id FROM hotels WHERE slug = $1`, slug).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("hotel %q: %w", slug, booking.ErrNotFound)
	}
	if err != nil {
		return nil, classify("taxes", err)
	}
	rows, err := s.pool.Query(ctx, hotelTaxes, id)
	if err != nil {
		return nil, classify("taxes", err)
	}
	out, err := collectTaxes(rows)
	return out, classify("taxes", err)
}

// withTaxes reads the taxes of the hotels of out in one query.
func (s *Store) withTaxes(ctx context.Context, out []booking.HotelCandidates) error {
	if len(out) == 0 {
		return nil
	}
	ids := make([]int64, len(out))
	for i, h := range out {
		ids[i] = h.Hotel.ID
	}
	rows, err := s.pool.Query(ctx, `SELECT hotel_id, `+taxColumns+` FROM hotel_taxes
		WHERE hotel_id = ANY($1) ORDER BY hotel_id, position`, ids)
	if err != nil {
		return err
	}
	byHotel := map[int64][]booking.Tax{}
	_, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (struct{}, error) {
		var id int64
		var t booking.Tax
		var from, to *time.Time
		err := r.Scan(&id, &t.Code, &t.Name, &t.Kind, &t.VAT, &t.Percent, &t.AmountCents,
			&t.Included, &t.PayAtHotel, &t.ExemptUnderAge, &t.MaxNights, &from, &to)
		if from != nil {
			t.ValidFrom = booking.DateOf(*from)
		}
		if to != nil {
			t.ValidTo = booking.DateOf(*to)
		}
		byHotel[id] = append(byHotel[id], t)
		return struct{}{}, err
	})
	if err != nil {
		return err
	}
	for i := range out {
		out[i].Taxes = byHotel[out[i].Hotel.ID]
	}
	return nil
}

// nullDate is d for a nullable date column: NULL when zero.
func nullDate(d booking.Date) *time.Time {
	if d.IsZero() {
		return nil
	}
	t := d.Time()
	return &t
}

// taxesAudit is the before or after of a hotel's tax list in the audit
// trail: the whole list, in order.
type taxesAudit struct {
	Taxes []booking.Tax `json:"taxes"`
}

// SetTaxes replaces the hotel's taxes with taxes, in their order, and
// records the lists before and after in the audit trail, in one
// transaction. It locks the hotel row FOR UPDATE first, as a catalogue
// edit does, so a booking (whose bookableTerms holds it FOR SHARE) is
// priced wholly under the old list or wholly under the new. A list equal
// to the stored one writes nothing, audit row included. An unknown slug
// is ErrNotFound.
func (s *Store) SetTaxes(ctx context.Context, slug string, taxes []booking.Tax, by booking.Audit) error {
	return s.editTx(ctx, "set taxes", func(tx pgx.Tx) error {
		var id int64
		err := tx.QueryRow(ctx, `SELECT id FROM hotels WHERE slug = $1 FOR UPDATE`, slug).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("hotel %q: %w", slug, booking.ErrNotFound)
		}
		if err != nil {
			return err
		}
		before, err := readTaxes(ctx, tx, id)
		if err != nil {
			return err
		}
		if sameTaxes(before, taxes) {
			return nil // nothing changed, nothing to record
		}
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM hotel_taxes WHERE hotel_id = $1`, id)
		for i, t := range taxes {
			b.Queue(`INSERT INTO hotel_taxes (hotel_id, position, code, name, kind, vat, percent, amount_cents,
					included, pay_at_hotel, exempt_under_age, max_nights, valid_from, valid_to)
				VALUES ($1, $2, $3, $4, $5, $6, NULLIF($7, '')::numeric, NULLIF($8, 0), $9, $10, $11, $12, $13, $14)`,
				id, i, t.Code, t.Name, t.Kind, t.VAT, t.Percent, t.AmountCents,
				t.Included, t.PayAtHotel, t.ExemptUnderAge, t.MaxNights, nullDate(t.ValidFrom), nullDate(t.ValidTo))
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		after, err := readTaxes(ctx, tx, id)
		if err != nil {
			return err
		}
		return auditEntity(ctx, tx, by, slug, "taxes", slug, taxesAudit{nonNilTaxes(before)}, taxesAudit{nonNilTaxes(after)})
	})
}

func nonNilTaxes(t []booking.Tax) []booking.Tax {
	if t == nil {
		return []booking.Tax{}
	}
	return t
}

// sameTaxes reports whether two lists are the same taxes in the same
// order. Percents compare as stored: "6" and "6.00" are one rate, which
// the read back of trim_scale writes as "6", so the new list is compared
// once normalised the same way.
func sameTaxes(a, b []booking.Tax) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		x.Percent, y.Percent = trimScale(x.Percent), trimScale(y.Percent)
		if x != y {
			return false
		}
	}
	return true
}

// trimScale drops a decimal string's trailing zeros after the point, as
// PostgreSQL's trim_scale: "6.50" is "6.5", "6.0" is "6".
func trimScale(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			for len(s) > i && (s[len(s)-1] == '0' || s[len(s)-1] == '.') {
				s = s[:len(s)-1]
			}
			break
		}
	}
	return s
}
