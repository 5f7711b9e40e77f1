package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/booking"
)

// Catalogue edits lock the item's row FOR UPDATE, so two edits of one
// item apply one after the other, each to what the other committed, and
// a booking (which locks its rate plan, room type and hotel FOR SHARE,
// see bookableTerms) waits for the edit or the edit for the booking.

// UpdateHotel locks the hotel, lets edit decide its new values and writes
// them with their audit row in one transaction.
func (s *Store) UpdateHotel(ctx context.Context, slug string, edit func(booking.Hotel, bool) (booking.Hotel, error), e booking.CatalogEdit) (booking.Hotel, error) {
	var out booking.Hotel
	err := s.editTx(ctx, "update hotel", func(tx pgx.Tx) error {
		cur, err := scanHotelLegal(tx.QueryRow(ctx, `SELECT `+hotelLegalColumns+` FROM hotels h WHERE h.slug = $1 FOR UPDATE`, slug))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("hotel %q: %w", slug, booking.ErrNotFound)
		}
		if err != nil {
			return err
		}
		var booked bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM reservations WHERE hotel_id = $1)`, cur.ID).Scan(&booked); err != nil {
			return err
		}
		next, err := edit(cur, booked)
		if err != nil {
			return err
		}
		if err := prefixKept(ctx, tx, cur, next); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE hotels SET name = $2, city = $3, country = $4, timezone = $5,
				currency = $6, check_in_time = $7::time, archived_at = $8, night_audit_time = $9::time,
				legal_name = $10, legal_address = $11, tax_id = $12, invoice_prefix = $13 WHERE id = $1`,
			cur.ID, next.Name, next.City, next.Country, next.Timezone, next.Currency, next.CheckInTime, next.ArchivedAt,
			next.NightAuditTime, next.LegalName, next.LegalAddress, next.TaxID, next.InvoicePrefix)
		if c, constraint := pgCode(err); c == uniqueViolation && constraint == "hotels_invoice_prefix_key" {
			return booking.Conflict(fmt.Sprintf("another hotel has the invoice prefix %s", next.InvoicePrefix))
		}
		if err != nil {
			return err
		}
		out = next
		return auditCatalogEdit(ctx, tx, e, slug, "hotel", slug, cur.AuditValues(), next.AuditValues())
	})
	return out, err
}

// prefixKept refuses a new invoice prefix once the hotel has issued a
// document: its numbers are one series, and a series keeps its prefix.
// The hotel row is locked, and issuing a document reads it FOR SHARE, so
// no document is issued under the old prefix while it changes.
func prefixKept(ctx context.Context, tx pgx.Tx, cur, next booking.Hotel) error {
	if next.InvoicePrefix == cur.InvoicePrefix {
		return nil
	}
	var issued bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM invoices WHERE hotel_id = $1)`, cur.ID).Scan(&issued); err != nil {
		return err
	}
	if issued {
		return booking.Conflict("the hotel has issued invoices, so its invoice prefix cannot change")
	}
	return nil
}

// UpdateRoomType locks the room type, lets edit decide its new values and
// writes them with their audit row in one transaction.
func (s *Store) UpdateRoomType(ctx context.Context, slug, code string, edit func(booking.RoomType) (booking.RoomType, error), e booking.CatalogEdit) (booking.RoomType, error) {
	var out booking.RoomType
	err := s.editTx(ctx, "update room type", func(tx pgx.Tx) error {
		cur, err := scanRoomType(tx.QueryRow(ctx, `SELECT `+roomTypeColumns+`
			FROM room_types rt JOIN hotels h ON h.id = rt.hotel_id
			WHERE h.slug = $1 AND rt.code = $2 FOR UPDATE OF rt`, slug, code))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("room type %s of %q: %w", code, slug, booking.ErrNotFound)
		}
		if err != nil {
			return err
		}
		next, err := edit(cur)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE room_types SET name = $2, max_adults = $3, max_children = $4,
				archived_at = $5 WHERE id = $1`,
			cur.ID, next.Name, next.MaxAdults, next.MaxChildren, next.ArchivedAt); err != nil {
			return err
		}
		out = next
		return auditCatalogEdit(ctx, tx, e, slug, "room_type", code, cur.AuditValues(), next.AuditValues())
	})
	return out, err
}

// UpdateRatePlan locks the rate plan, lets edit decide its new values and
// writes them with their audit row in one transaction.
func (s *Store) UpdateRatePlan(ctx context.Context, slug, code string, edit func(booking.RatePlan) (booking.RatePlan, error), e booking.CatalogEdit) (booking.RatePlan, error) {
	var out booking.RatePlan
	err := s.editTx(ctx, "update rate plan", func(tx pgx.Tx) error {
		cur, err := scanRatePlanRow(tx.QueryRow(ctx, `SELECT `+ratePlanColumns+`
			FROM rate_plans rp JOIN room_types rt ON rt.id = rp.room_type_id JOIN hotels h ON h.id = rp.hotel_id
			WHERE h.slug = $1 AND rp.code = $2 FOR UPDATE OF rp`, slug, code))
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("rate plan %s of %q: %w", code, slug, booking.ErrNotFound)
		}
		if err != nil {
			return err
		}
		next, err := edit(cur)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE rate_plans SET name = $2, refundable = $3, free_cancellation_hours = $4,
				penalty_percent = $5, archived_at = $6, base_occupancy = $7, extra_adult_cents = $8,
				extra_child_cents = $9, single_occupancy_discount_cents = $10,
				payment_policy = $11, deposit_percent = $12 WHERE id = $1`,
			cur.ID, next.Name, next.Refundable, next.FreeCancellationHours, next.PenaltyPercent, next.ArchivedAt,
			next.Occupancy.BaseOccupancy, next.Occupancy.ExtraAdultCents, next.Occupancy.ChildCents(),
			next.Occupancy.SingleOccupancyDiscountCents,
			next.Payment.Or(next.Refundable).Policy, next.Payment.DepositPercent); err != nil {
			return err
		}
		out = next
		return auditCatalogEdit(ctx, tx, e, slug, "rate_plan", code, cur.AuditValues(), next.AuditValues())
	})
	return out, err
}

// editTx runs one catalogue edit in a transaction; a domain error from
// the edit rolls it back and is returned as it is.
func (s *Store) editTx(ctx context.Context, op string, fn func(pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, s.pool, fn)
	if err == nil || isDomain(err) {
		return err
	}
	return classify(op, err)
}

// auditCatalogEdit records a catalogue edit by an API key in the audit
// trail, through the one writer of entity rows.
func auditCatalogEdit(ctx context.Context, tx pgx.Tx, e booking.CatalogEdit, hotel, kind, key string, before, after map[string]any) error {
	return auditEntity(ctx, tx, e.Audit(), hotel, kind, key, before, after)
}
