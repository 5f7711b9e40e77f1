package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/booking"
)

// takeInvoiceNumber takes the next number of a hotel's series of one
// kind of document in one year, inside the transaction that issues the
// document. The upsert's row lock makes concurrent issuers of the series
// take turns, each seeing the number the one before committed; a
// rollback undoes the increment. So numbers are unique and gapless.
const takeInvoiceNumber = `INSERT INTO invoice_series (hotel_id, kind, year, last_number) VALUES ($1, $2, $3, 1)
	ON CONFLICT (hotel_id, kind, year) DO UPDATE SET last_number = invoice_series.last_number + 1
	RETURNING last_number`

const invoiceColumns = `i.id, i.hotel_id, i.number, i.kind, i.year, i.sequence, i.purpose, r.reference, i.reservation_id,
	i.refers_to, coalesce(ref.number, ''), i.issued_at, i.currency, i.seller, i.buyer, i.lines, i.vat,
	i.net_cents, i.vat_cents, i.total_cents, i.payments, h.timezone`

const invoiceFrom = ` FROM invoices i JOIN reservations r ON r.id = i.reservation_id JOIN hotels h ON h.id = i.hotel_id
	LEFT JOIN invoices ref ON ref.id = i.refers_to`

func scanInvoice(row pgx.Row) (booking.Invoice, error) {
	var inv booking.Invoice
	err := row.Scan(&inv.ID, &inv.HotelID, &inv.Number, &inv.Kind, &inv.Year, &inv.Sequence, &inv.Purpose,
		&inv.Reference, &inv.ReservationID, &inv.RefersTo, &inv.RefersToNumber, &inv.IssuedAt, &inv.Currency,
		&inv.Seller, &inv.Buyer, &inv.Lines, &inv.VAT, &inv.NetCents, &inv.VATCents, &inv.TotalCents, &inv.Payments, &inv.Timezone)
	return inv, err
}

// invoicesOf reads a reservation's documents in the order issued.
func invoicesOf(ctx context.Context, q interface {
	Query(context.Context, string, ...any) (pgx.Rows, error)
}, reservationID int64) ([]booking.Invoice, error) {
	rows, err := q.Query(ctx, `SELECT `+invoiceColumns+invoiceFrom+` WHERE i.reservation_id = $1 ORDER BY i.id`, reservationID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.Invoice, error) { return scanInvoice(r) })
}

// ReservationInvoices lists the invoices and credit notes of a
// reservation, in the order issued; none is an empty list.
func (s *Store) ReservationInvoices(ctx context.Context, reservationID int64) ([]booking.Invoice, error) {
	docs, err := invoicesOf(ctx, s.pool, reservationID)
	if docs == nil {
		docs = []booking.Invoice{}
	}
	return docs, classify("reservation invoices", err)
}

// Invoice reads a document by number; booking.ErrNotFound when none has
// it.
func (s *Store) Invoice(ctx context.Context, number string) (booking.Invoice, error) {
	inv, err := scanInvoice(s.pool.QueryRow(ctx, `SELECT `+invoiceColumns+invoiceFrom+` WHERE i.number = $1`, number))
	if errors.Is(err, pgx.ErrNoRows) {
		return inv, fmt.Errorf("invoice %s: %w", number, booking.ErrNotFound)
	}
	return inv, classify("invoice", err)
}

// issueInvoices issues, in tx, the documents a change of a reservation
// calls for (booking.InvoicesDue): before and after are the reservation
// either side (before zero for a new booking), method how a check-out
// was paid, at when. The reservation row is locked by the caller, so no
// other change of it issues documents meanwhile.
func issueInvoices(ctx context.Context, tx pgx.Tx, before, after booking.Reservation, method string, at time.Time) error {
	if before.Status == after.Status || !invoicing(after) {
		return nil
	}
	var docs []booking.Invoice
	if before.ID != 0 {
		var err error
		if docs, err = invoicesOf(ctx, tx, after.ID); err != nil {
			return fmt.Errorf("invoices of %s: %w", after.Reference, err)
		}
	}
	return issue(ctx, tx, after, booking.InvoicesDue(before, after, method, at, docs))
}

// reissueInvoices issues, in tx, the documents a modification of a
// reservation (before → after) calls for (booking.ReissueDue).
func reissueInvoices(ctx context.Context, tx pgx.Tx, before, after booking.Reservation, at time.Time) error {
	if !before.Prepaid() && !after.Prepaid() {
		return nil
	}
	docs, err := invoicesOf(ctx, tx, after.ID)
	if err != nil {
		return fmt.Errorf("invoices of %s: %w", after.Reference, err)
	}
	return issue(ctx, tx, after, booking.ReissueDue(before, after, at, docs))
}

// issue numbers and records the documents due for reservation r.
func issue(ctx context.Context, tx pgx.Tx, r booking.Reservation, due []booking.Invoice) error {
	if len(due) == 0 {
		return nil
	}
	after := r
	// FOR SHARE: the prefix cannot change while a document takes it
	// (prefixKept).
	h, err := scanHotelLegal(tx.QueryRow(ctx, `SELECT `+hotelLegalColumns+` FROM hotels h WHERE h.id = $1 FOR SHARE`, after.HotelID))
	if err != nil {
		return fmt.Errorf("hotel of %s: %w", after.Reference, err)
	}
	for _, inv := range due {
		inv.Seller, inv.Timezone = booking.SellerOf(h), h.Timezone
		inv.Year = booking.InvoiceYear(h.Timezone, inv.IssuedAt)
		if err := tx.QueryRow(ctx, takeInvoiceNumber, h.ID, inv.Kind, inv.Year).Scan(&inv.Sequence); err != nil {
			return fmt.Errorf("invoice number: %w", err)
		}
		inv.Number = booking.InvoiceNumber(h.InvoicePrefix, inv.Kind, inv.Year, inv.Sequence)
		if _, err := tx.Exec(ctx, `INSERT INTO invoices (hotel_id, number, kind, year, sequence, purpose, reservation_id,
				refers_to, issued_at, currency, seller, buyer, lines, vat, net_cents, vat_cents, total_cents, payments)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
			h.ID, inv.Number, inv.Kind, inv.Year, inv.Sequence, inv.Purpose, after.ID,
			inv.RefersTo, inv.IssuedAt, inv.Currency, inv.Seller, inv.Buyer, inv.Lines, inv.VAT,
			inv.NetCents, inv.VATCents, inv.TotalCents, inv.Payments); err != nil {
			return fmt.Errorf("issue invoice %s: %w", inv.Number, err)
		}
	}
	return nil
}

// invoicing reports whether r's new status may call for a document,
// saving the read of its documents on every other change.
func invoicing(r booking.Reservation) bool {
	switch r.Status {
	case booking.StatusConfirmed:
		return r.Prepaid()
	case booking.StatusCheckedOut, booking.StatusCancelled, booking.StatusNoShow:
		return true
	}
	return false
}
