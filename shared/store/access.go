package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

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

// auditView is a reservation as the audit trail keeps it before and
// after a change: what a change can touch, never the token's hash.
type auditView struct {
	Status               booking.Status `json:"status"`
	CheckIn              booking.Date   `json:"check_in"`
	CheckOut             booking.Date   `json:"check_out"`
	Rooms                int            `json:"rooms"`
	TotalCents           int64          `json:"total_cents"`
	CancellationFeeCents *int64         `json:"cancellation_fee_cents"`
}

func viewForAudit(r booking.Reservation) auditView {
	return auditView{r.Status, r.CheckIn, r.CheckOut, r.Rooms, r.TotalCents, r.CancellationFeeCents}
}

// queueAudit adds a's row for the change of reservation before into
// after to b, when there is one.
func queueAudit(b *pgx.Batch, a *booking.Audit, before, after booking.Reservation) error {
	if a == nil {
		return nil
	}
	was, err := json.Marshal(viewForAudit(before))
	if err != nil {
		return fmt.Errorf("encode audit: %w", err)
	}
	is, err := json.Marshal(viewForAudit(after))
	if err != nil {
		return fmt.Errorf("encode audit: %w", err)
	}
	b.Queue(`INSERT INTO audit_events (at, actor_kind, actor, actor_role, action, hotel, reservation, before, after, reason, request_id)
		VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, $7, $8, $9, NULLIF($10, ''), NULLIF($11, ''))`,
		after.UpdatedAt, a.ActorKind, a.Actor, a.ActorRole, a.Action, after.HotelSlug, after.Reference,
		was, is, a.Reason, a.RequestID)
	return nil
}
