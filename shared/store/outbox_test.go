package store_test

import (
	"context"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/queue"
	"innkeeper/shared/queue/queuetest"
)

// The outbox on PostgreSQL behaves as the relay relies on, as the
// in-memory one its unit tests use does.
func TestOutboxContract(t *testing.T) {
	t.Parallel()
	queuetest.OutboxContract(t, func(t *testing.T) (queue.Outbox, queuetest.AddFunc) {
		st := testenv.Store(t)
		return st, func(t *testing.T, eventType, reference string, payload []byte, createdAt time.Time) int64 {
			t.Helper()
			var id int64
			if err := st.Pool().QueryRow(context.Background(), `INSERT INTO outbox (event_type, aggregate_id, payload, created_at)
				VALUES ($1, $2, $3::jsonb, $4) RETURNING id`, eventType, reference, string(payload), createdAt).Scan(&id); err != nil {
				t.Fatal(err)
			}
			return id
		}
	})
}
