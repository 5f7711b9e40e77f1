package store

import (
	"context"
	"encoding/json"
	"fmt"

	"innkeeper/shared/booking"
)

// RequestAccess writes ev to the outbox when a reservation has its
// reference and the email, in lower case. One statement whether or not
// one does, so the answer takes as long either way.
func (s *Store) RequestAccess(ctx context.Context, ev booking.Event, email string) error {
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("store: request access %s: encode event: %w", ev.Reference, err)
	}
	_, err = s.pool.Exec(ctx, `INSERT INTO outbox (event_type, aggregate_id, payload, created_at)
		SELECT $1, $2, $3, $4
		WHERE EXISTS (SELECT 1 FROM reservations WHERE reference = $2 AND lower(guest_email) = $5)`,
		ev.Type, ev.Reference, payload, ev.OccurredAt, email)
	return classify("request access", err)
}
