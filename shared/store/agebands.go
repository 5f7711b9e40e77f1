package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/booking"
)

// SetAgeBands replaces a hotel's child age bands in one transaction,
// with the audit row of the bands before and after. It first locks the
// hotel's row: a booking holds it shared while it reads the bands with
// its terms (bookableTerms), so a booking prices under the old bands or
// the new, never a mix, and two edits do not interleave. The same bands
// again write nothing.
func (s *Store) SetAgeBands(ctx context.Context, hotelID int64, slug string, bands booking.AgeBands, by booking.Audit) error {
	return s.editTx(ctx, "set age bands", func(tx pgx.Tx) error {
		var before booking.AgeBands
		err := tx.QueryRow(ctx, `SELECT `+ageBandsOf("h.id")+` FROM hotels h WHERE h.id = $1 FOR UPDATE`, hotelID).Scan(&before)
		if err != nil {
			return fmt.Errorf("hotel %d: %w", hotelID, err)
		}
		if slices.Equal(before, bands) {
			return nil
		}
		codes, names := make([]string, len(bands)), make([]string, len(bands))
		mins, maxes := make([]int32, len(bands)), make([]int32, len(bands))
		for i, b := range bands {
			codes[i], names[i], mins[i], maxes[i] = b.Code, b.Name, int32(b.MinAge), int32(b.MaxAge)
		}
		b := &pgx.Batch{}
		b.Queue(`DELETE FROM hotel_age_bands WHERE hotel_id = $1`, hotelID)
		b.Queue(`INSERT INTO hotel_age_bands (hotel_id, code, name, min_age, max_age)
			SELECT $1, * FROM unnest($2::text[], $3::text[], $4::smallint[], $5::smallint[])`,
			hotelID, codes, names, mins, maxes)
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		return auditEntity(ctx, tx, by, slug, "age_bands", slug,
			map[string]any{"age_bands": nonNilBands(before)}, map[string]any{"age_bands": nonNilBands(bands)})
	})
}

// nonNilBands makes no bands a JSON list, not null.
func nonNilBands(bs booking.AgeBands) booking.AgeBands {
	if bs == nil {
		return booking.AgeBands{}
	}
	return bs
}
