package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"innkeeper/shared/booking"
)

var _ booking.PaymentLedger = (*Store)(nil)

// querier is what the ledger's reads and writes need: the pool, or a
// transaction the caller already holds so a payment is recorded with the
// change it pays for.
type querier interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
	Query(context.Context, string, ...any) (pgx.Rows, error)
	QueryRow(context.Context, string, ...any) pgx.Row
}

const paymentColumns = `id, reservation_id, kind, amount_cents, currency, provider, provider_ref, status,
	idempotency_key, failure_code, failure_message, created_at`

func scanPayment(row pgx.Row) (booking.PaymentRecord, error) {
	var p booking.PaymentRecord
	err := row.Scan(&p.ID, &p.ReservationID, &p.Kind, &p.AmountCents, &p.Currency, &p.Provider, &p.ProviderRef,
		&p.Status, &p.IdempotencyKey, &p.FailureCode, &p.FailureMessage, &p.CreatedAt)
	return p, err
}

// recordPayment inserts p unless a row already holds its idempotency
// key: the unique key decides between racing writers, so of twenty
// concurrent records of one key exactly one inserts. It returns the row
// the ledger holds for the key (the new one, or the one recorded first)
// and whether this call recorded it.
func recordPayment(ctx context.Context, q querier, p booking.PaymentRecord) (booking.PaymentRecord, bool, error) {
	if err := p.Validate(); err != nil {
		return booking.PaymentRecord{}, false, err
	}
	if p.Provider == "" {
		p.Provider = "stripe"
	}
	out, err := scanPayment(q.QueryRow(ctx, `INSERT INTO payments (reservation_id, kind, amount_cents, currency,
			provider, provider_ref, status, idempotency_key, failure_code, failure_message, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, coalesce($11, now()))
		ON CONFLICT (idempotency_key) DO NOTHING
		RETURNING `+paymentColumns,
		p.ReservationID, p.Kind, p.AmountCents, p.Currency, p.Provider, p.ProviderRef, p.Status,
		p.IdempotencyKey, p.FailureCode, p.FailureMessage, nullTime(p.CreatedAt)))
	if err == nil {
		return out, true, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return booking.PaymentRecord{}, false, err
	}
	// Another writer holds the key: its row, committed before the
	// conflict could be seen.
	out, err = scanPayment(q.QueryRow(ctx, `SELECT `+paymentColumns+` FROM payments WHERE idempotency_key = $1`,
		p.IdempotencyKey))
	return out, false, err
}

// nullTime is t, or NULL when t is zero (the database's clock then).
func nullTime(t interface{ IsZero() bool }) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// RecordPayment adds p to the payments ledger in a transaction of its
// own, once per idempotency key: a retry of the same key records nothing
// and returns the row recorded first with created false.
func (s *Store) RecordPayment(ctx context.Context, p booking.PaymentRecord) (booking.PaymentRecord, bool, error) {
	out, created, err := recordPayment(ctx, s.pool, p)
	if err != nil && !isDomain(err) {
		err = classify("record payment", err)
	}
	return out, created, err
}

// PaymentsOf lists a reservation's ledger rows in the order recorded;
// none is an empty list.
func (s *Store) PaymentsOf(ctx context.Context, reservationID int64) ([]booking.PaymentRecord, error) {
	ps, err := paymentsOf(ctx, s.pool, reservationID)
	return ps, classify("payments of reservation", err)
}

func paymentsOf(ctx context.Context, q querier, reservationID int64) ([]booking.PaymentRecord, error) {
	rows, err := q.Query(ctx, `SELECT `+paymentColumns+` FROM payments WHERE reservation_id = $1
		ORDER BY created_at, id`, reservationID)
	if err != nil {
		return nil, err
	}
	ps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (booking.PaymentRecord, error) { return scanPayment(r) })
	if ps == nil {
		ps = []booking.PaymentRecord{}
	}
	return ps, err
}

// paidCents sums what the ledger holds as paid for a reservation:
// charges and fees minus refunds (booking.PaymentRecord.Signed, in SQL).
const paidCents = `SELECT coalesce(sum(CASE kind WHEN 'refund' THEN -amount_cents
		WHEN 'charge' THEN amount_cents WHEN 'fee' THEN amount_cents ELSE 0 END), 0)::bigint
	FROM payments WHERE reservation_id = $1`

// PaidCents is what the reservation has paid: charges and fees minus
// refunds; what RefundOnCancel gives back from.
func (s *Store) PaidCents(ctx context.Context, reservationID int64) (int64, error) {
	var paid int64
	err := s.pool.QueryRow(ctx, paidCents, reservationID).Scan(&paid)
	return paid, classify("paid cents", err)
}
