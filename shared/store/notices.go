package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// errAlreadySent ends SendOnce's transaction when the notification was
// sent before: nothing to do, and nothing to write.
var errAlreadySent = errors.New("store: notification already sent")

// SendOnce sends the notification (reservationID, kind) unless it was
// sent before, and reports whether it sent it now. The row is claimed and
// locked for the whole send, so a redelivered event waiting on it finds
// it sent and sends nothing; if send fails, nothing is recorded and a
// retry sends it. A crash after the mail server accepted the message but
// before the commit is the one window left for a duplicate, which the
// stable Message-ID lets mail clients fold.
func (s *Store) SendOnce(ctx context.Context, reservationID int64, kind, messageID string, send func(context.Context) error) (sent bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO notifications (reservation_id, kind, message_id) VALUES ($1, $2, $3)
			ON CONFLICT (reservation_id, kind) DO NOTHING`, reservationID, kind, messageID); err != nil {
			return err
		}
		var sentAt *time.Time
		if err := tx.QueryRow(ctx, `SELECT sent_at FROM notifications WHERE reservation_id = $1 AND kind = $2 FOR UPDATE`,
			reservationID, kind).Scan(&sentAt); err != nil {
			return err
		}
		if sentAt != nil {
			return errAlreadySent
		}
		if err := send(ctx); err != nil {
			return errSend{err}
		}
		_, err := tx.Exec(ctx, `UPDATE notifications SET sent_at = now() WHERE reservation_id = $1 AND kind = $2`, reservationID, kind)
		return err
	})
	var se errSend
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, errAlreadySent):
		return false, nil
	case errors.As(err, &se):
		return false, fmt.Errorf("store: send %s for reservation %d: %w", kind, reservationID, se.err)
	}
	return false, classify("send once", err)
}

type errSend struct{ err error }

func (e errSend) Error() string { return e.err.Error() }

// Sent lists the kinds of notification sent for a reservation.
func (s *Store) Sent(ctx context.Context, reservationID int64) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT kind FROM notifications WHERE reservation_id = $1 AND sent_at IS NOT NULL ORDER BY kind`, reservationID)
	if err != nil {
		return nil, classify("sent", err)
	}
	kinds, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return kinds, classify("sent", err)
}

// JobRun is the record of a scheduled job's last runs.
type JobRun struct {
	Job           string
	LastStarted   *time.Time
	LastSucceeded *time.Time
	LastFailed    *time.Time
	LastError     string
	LastResult    json.RawMessage
}

// StartJob records that job started at.
func (s *Store) StartJob(ctx context.Context, job string, at time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO job_runs (job, last_started_at) VALUES ($1, $2)
		ON CONFLICT (job) DO UPDATE SET last_started_at = EXCLUDED.last_started_at`, job, at)
	return classify("start job", err)
}

// FinishJob records how job ended: its result, or its error.
func (s *Store) FinishJob(ctx context.Context, job string, at time.Time, result any, jobErr error) error {
	var err error
	if jobErr != nil {
		_, err = s.pool.Exec(ctx, `UPDATE job_runs SET last_failed_at = $2, last_error = $3 WHERE job = $1`, job, at, jobErr.Error())
	} else {
		raw, _ := json.Marshal(result)
		_, err = s.pool.Exec(ctx, `UPDATE job_runs SET last_succeeded_at = $2, last_error = '', last_result = $3 WHERE job = $1`, job, at, raw)
	}
	return classify("finish job", err)
}

// JobRuns lists every job's record.
func (s *Store) JobRuns(ctx context.Context) ([]JobRun, error) {
	rows, err := s.pool.Query(ctx, `SELECT job, last_started_at, last_succeeded_at, last_failed_at, last_error, last_result FROM job_runs ORDER BY job`)
	if err != nil {
		return nil, classify("job runs", err)
	}
	runs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (JobRun, error) {
		var j JobRun
		err := r.Scan(&j.Job, &j.LastStarted, &j.LastSucceeded, &j.LastFailed, &j.LastError, &j.LastResult)
		return j, err
	})
	return runs, classify("job runs", err)
}

// QueueArrivalReminders writes a reservation.reminder event to the outbox
// for every confirmed reservation whose check-in is `days` days after
// today at its hotel (at instant now) and that has had no reminder yet.
// It returns the references.
func (s *Store) QueueArrivalReminders(ctx context.Context, now time.Time, days int) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		INSERT INTO outbox (event_type, aggregate_id, payload, created_at)
		SELECT 'reservation.reminder', r.reference,
			jsonb_build_object('type', 'reservation.reminder', 'reference', r.reference, 'hotel', h.slug,
				'room_type', rt.code, 'status', r.status, 'check_in', r.check_in, 'check_out', r.check_out,
				'rooms', r.rooms, 'occurred_at', $1::timestamptz),
			$1
		FROM reservations r
		JOIN hotels h ON h.id = r.hotel_id
		JOIN room_types rt ON rt.id = r.room_type_id
		WHERE r.status = 'confirmed'
			AND r.check_in = ($1::timestamptz AT TIME ZONE h.timezone)::date + $2::int
			AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.reservation_id = r.id AND n.kind = 'reminder')
			AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.aggregate_id = r.reference
				AND o.event_type = 'reservation.reminder' AND o.published_at IS NULL)
		RETURNING aggregate_id`, now, days)
	if err != nil {
		return nil, classify("arrival reminders", err)
	}
	refs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return refs, classify("arrival reminders", err)
}

// Cleanup deletes idempotency receipts past their expiry, published
// outbox events older than keepEvents and audit rows older than
// keepAudit, and reports how many of each. The audit trail has its own
// keeping: it is never purged with the outbox.
func (s *Store) Cleanup(ctx context.Context, now time.Time, keepEvents, keepAudit time.Duration) (receipts, events, audit int64, err error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM idempotency_receipts WHERE expires_at <= $1`, now)
	if err != nil {
		return 0, 0, 0, classify("cleanup receipts", err)
	}
	receipts = tag.RowsAffected()
	tag, err = s.pool.Exec(ctx, `DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < $1`, now.Add(-keepEvents))
	if err != nil {
		return receipts, 0, 0, classify("cleanup outbox", err)
	}
	events = tag.RowsAffected()
	tag, err = s.pool.Exec(ctx, `DELETE FROM audit_events WHERE at < $1`, now.Add(-keepAudit))
	if err != nil {
		return receipts, events, 0, classify("cleanup audit trail", err)
	}
	return receipts, events, tag.RowsAffected(), nil
}
