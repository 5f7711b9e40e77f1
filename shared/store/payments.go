package store

import (
	"context"
	"errors"
	"fmt"
	"time"

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
	idempotency_key, failure_code, failure_message, refund_of, created_at`

func scanPayment(row pgx.Row) (booking.PaymentRecord, error) {
	var p booking.PaymentRecord
	err := row.Scan(&p.ID, &p.ReservationID, &p.Kind, &p.AmountCents, &p.Currency, &p.Provider, &p.ProviderRef,
		&p.Status, &p.IdempotencyKey, &p.FailureCode, &p.FailureMessage, &p.RefundOf, &p.CreatedAt)
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
			provider, provider_ref, status, idempotency_key, failure_code, failure_message, refund_of, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, coalesce($12, now()))
		ON CONFLICT (idempotency_key) DO NOTHING
		RETURNING `+paymentColumns,
		p.ReservationID, p.Kind, p.AmountCents, p.Currency, p.Provider, p.ProviderRef, p.Status,
		p.IdempotencyKey, p.FailureCode, p.FailureMessage, p.RefundOf, nullTime(p.CreatedAt)))
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

// paidOf sums what the ledger holds as paid for the reservation r of
// the query it is part of: charges and fees minus refunds
// (booking.PaymentRecord.Signed, in SQL).
const paidOf = `SELECT coalesce(sum(CASE p.kind WHEN 'refund' THEN -p.amount_cents
		WHEN 'charge' THEN p.amount_cents WHEN 'fee' THEN p.amount_cents ELSE 0 END), 0)::bigint
	FROM payments p WHERE p.reservation_id = r.id`

// paidCents is paidOf for the reservation $1.
const paidCents = `SELECT (` + paidOf + `) FROM reservations r WHERE r.id = $1`

// PaidCents is what the reservation has paid: charges and fees minus
// refunds; what RefundOnCancel gives back from.
func (s *Store) PaidCents(ctx context.Context, reservationID int64) (int64, error) {
	var paid int64
	err := s.pool.QueryRow(ctx, paidCents, reservationID).Scan(&paid)
	return paid, classify("paid cents", err)
}

// ApplyPayment locks the reservation, asks decide what a payment's
// outcome does to it and applies the answer in one transaction: the
// ledger rows (a key already recorded is skipped, so a replayed webhook
// or a retried request records nothing twice), the pending intent and
// saved card, the transition with its event, audit row and invoice, the
// extra events, and the receipt (booking.Receipt.Replace for a step after
// the one that stored it). It returns the reservation as committed.
func (s *Store) ApplyPayment(ctx context.Context, reference string, decide func(booking.Reservation) (booking.PaymentStep, error), receipt *booking.Receipt, outcome *booking.PaymentOutcome, token string) (booking.Reservation, error) {
	var res booking.Reservation
	var after error
	err := s.onLocked(ctx, "apply payment", reference, receipt, func(tx pgx.Tx, r booking.Reservation) error {
		step, err := decide(r)
		if err != nil {
			return err
		}
		for _, p := range step.Records {
			p.ReservationID = r.ID
			if p.Currency == "" {
				p.Currency = r.Currency
			}
			if _, _, err := recordPayment(ctx, tx, p); err != nil {
				return err
			}
		}
		if err := tx.QueryRow(ctx, `SELECT (`+paidOf+`) FROM reservations r WHERE r.id = $1`, r.ID).Scan(&r.PaidCents); err != nil {
			return err
		}
		if step.Pending != nil {
			r.PendingPayment = *step.Pending
		}
		if step.Card != nil {
			r.Card = *step.Card
		}
		if _, err := tx.Exec(ctx, `UPDATE reservations SET payment_intent = nullif($2, ''),
				payment_customer = nullif($3, ''), payment_method = nullif($4, '') WHERE id = $1`,
			r.ID, r.PendingPayment, r.Card.Customer, r.Card.Method); err != nil {
			return err
		}
		b := &pgx.Batch{}
		before := r
		at := step.At
		if t := step.Transition; t != nil {
			after = t.Err
			if r, err = queueTransition(b, r, *t); err != nil {
				return err
			}
		}
		for _, ev := range step.Events {
			if err := queueOutbox(b, ev); err != nil {
				return err
			}
		}
		// A failed command stores no receipt, but a later step of one
		// that stored it replaces it (a payment that came as the hold
		// expired answers so, not the hold).
		if after == nil || (receipt != nil && receipt.Replace) {
			if err := queueReceipt(b, receipt, booking.Outcome{Reservation: r, AccessToken: token, Payment: outcome}, at); err != nil {
				return err
			}
		}
		res = r
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return err
		}
		if step.Transition == nil {
			return nil
		}
		return issueInvoices(ctx, tx, before, r, step.Transition.PaymentMethod, at)
	})
	if err != nil {
		return booking.Reservation{}, err
	}
	return res, after
}

// PaymentEvent is a provider's webhook event as received.
type PaymentEvent struct {
	ID          string
	Type        string
	Reservation string
	Payload     []byte
	ReceivedAt  time.Time
	ProcessedAt *time.Time
}

// ReceivePaymentEvent records a verified webhook event once by its id and,
// when it names a reservation, writes its booking.EventPaymentWebhook to
// the outbox in the same transaction, so the events queue brings it to
// the worker. It reports whether the event was new: a replayed delivery
// writes nothing.
func (s *Store) ReceivePaymentEvent(ctx context.Context, ev PaymentEvent, at time.Time) (bool, error) {
	created := false
	err := s.inTx(ctx, "receive payment event", nil, func(*pgx.Batch) {}, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO payment_events (id, type, reservation, payload, received_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`, ev.ID, ev.Type, ev.Reservation, ev.Payload, at)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		created = true
		if !booking.ValidReference(ev.Reservation) {
			return nil
		}
		b := &pgx.Batch{}
		if err := queueOutbox(b, booking.Event{Type: booking.EventPaymentWebhook, Reference: ev.Reservation,
			PaymentEvent: ev.ID, OccurredAt: at}); err != nil {
			return err
		}
		return tx.SendBatch(ctx, b).Close()
	})
	return created, err
}

// PaymentEventByID reads a received webhook event; ErrNotFound when none
// has the id.
func (s *Store) PaymentEventByID(ctx context.Context, id string) (PaymentEvent, error) {
	var ev PaymentEvent
	err := s.pool.QueryRow(ctx, `SELECT id, type, reservation, payload, received_at, processed_at
		FROM payment_events WHERE id = $1`, id).
		Scan(&ev.ID, &ev.Type, &ev.Reservation, &ev.Payload, &ev.ReceivedAt, &ev.ProcessedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return ev, fmt.Errorf("payment event %s: %w", id, booking.ErrNotFound)
	}
	return ev, classify("payment event", err)
}

// PaymentEventProcessed marks a webhook event settled, the first time.
func (s *Store) PaymentEventProcessed(ctx context.Context, id string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE payment_events SET processed_at = $2 WHERE id = $1 AND processed_at IS NULL`, id, at)
	return classify("payment event processed", err)
}

// ReplaceReceipt replaces the response stored under receipt's key (and
// fingerprint) with o's, for a command whose later step changes what it
// answers (a booking's lines paid after they were held).
func (s *Store) ReplaceReceipt(ctx context.Context, receipt *booking.Receipt, o booking.Outcome, at time.Time) error {
	r := *receipt
	r.Replace = true
	return s.inTx(ctx, "replace receipt", &r, func(*pgx.Batch) {}, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		if err := queueReceipt(b, &r, o, at); err != nil {
			return err
		}
		return tx.SendBatch(ctx, b).Close()
	})
}
