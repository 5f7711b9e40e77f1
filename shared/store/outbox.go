package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/booking"
)

// PublishOutbox locks unpublished events matching f (skipping those
// another relay holds), hands them to publish, and marks as published the
// ids publish reports sent, all in one transaction: an event is never
// marked without having been sent, and two relays never send the same
// event at once. It returns how many were marked.
func (s *Store) PublishOutbox(ctx context.Context, f booking.OutboxFilter, publish func([]booking.OutboxEvent) (sent []int64, err error)) (int, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var before *time.Time
	if !f.Before.IsZero() {
		before = &f.Before
	}
	marked := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, event_type, aggregate_id, payload::text, created_at FROM outbox
			WHERE published_at IS NULL
				AND ($1::timestamptz IS NULL OR created_at < $1)
			ORDER BY id LIMIT $2
			FOR UPDATE SKIP LOCKED`, before, f.Limit)
		if err != nil {
			return err
		}
		events, err := pgx.CollectRows(rows, scanOutbox)
		if err != nil || len(events) == 0 {
			return err
		}
		sent, pubErr := publish(events)
		if len(sent) > 0 {
			tag, err := tx.Exec(ctx, `UPDATE outbox SET published_at = now() WHERE id = ANY($1)`, sent)
			if err != nil {
				return err
			}
			marked = int(tag.RowsAffected())
		}
		if pubErr != nil && len(sent) == 0 {
			return errPublish{pubErr}
		}
		return nil
	})
	var pe errPublish
	if errors.As(err, &pe) {
		return 0, fmt.Errorf("store: publish outbox: %w", pe.err)
	}
	return marked, classify("publish outbox", err)
}

// errPublish carries the publisher's failure out of the transaction
// unclassified: it is not the database's.
type errPublish struct{ err error }

func (e errPublish) Error() string { return e.err.Error() }

// PendingFor lists a reservation's unpublished events, oldest first,
// without locking them: the flush right after a command sends them at
// once, and in the rare race with another flush or the sweep an event goes
// out twice, which consumers are built to bear.
func (s *Store) PendingFor(ctx context.Context, reference string) ([]booking.OutboxEvent, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, event_type, aggregate_id, payload::text, created_at FROM outbox
		WHERE aggregate_id = $1 AND published_at IS NULL ORDER BY id`, reference)
	if err != nil {
		return nil, classify("pending events", err)
	}
	events, err := pgx.CollectRows(rows, scanOutbox)
	return events, classify("pending events", err)
}

// MarkPublished records that SQS took the events. The commit does not
// wait for the disk (synchronous_commit off, for this transaction only):
// if a crash loses the mark, the sweep sends the event again, and a repeat
// is harmless where a lost event would not be.
func (s *Store) MarkPublished(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	b.BeginTx(pgx.TxOptions{})
	b.Queue(`SELECT set_config('synchronous_commit', 'off', true)`)
	b.Queue(`UPDATE outbox SET published_at = now() WHERE id = ANY($1) AND published_at IS NULL`, ids)
	br := s.pool.SendBatch(ctx, b)
	tx := br.Tx()
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := br.Close(); err != nil {
		return classify("mark published", err)
	}
	return classify("mark published", tx.Commit(ctx))
}

func scanOutbox(r pgx.CollectableRow) (booking.OutboxEvent, error) {
	var e booking.OutboxEvent
	var payload string
	err := r.Scan(&e.ID, &e.Type, &e.Reference, &payload, &e.CreatedAt)
	e.Payload = []byte(payload)
	return e, err
}

// OutboxLag is the number of unpublished events and the age of the
// oldest, at now.
func (s *Store) OutboxLag(ctx context.Context, now time.Time) (int, time.Duration, error) {
	var n int
	var oldest *time.Time
	err := s.pool.QueryRow(ctx, `SELECT count(*), min(created_at) FROM outbox WHERE published_at IS NULL`).Scan(&n, &oldest)
	if err != nil {
		return 0, 0, classify("outbox lag", err)
	}
	if oldest == nil {
		return 0, 0, nil
	}
	return n, now.Sub(*oldest), nil
}
