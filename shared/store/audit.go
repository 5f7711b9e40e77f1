package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/booking"
)

// auditState is what the audit trail keeps of a reservation before and
// after a write: what a status change or a modification can alter.
type auditState struct {
	Status               booking.Status `json:"status"`
	RoomType             string         `json:"room_type"`
	RatePlan             string         `json:"rate_plan"`
	CheckIn              booking.Date   `json:"check_in"`
	CheckOut             booking.Date   `json:"check_out"`
	Rooms                int            `json:"rooms"`
	Adults               int            `json:"adults"`
	Children             int            `json:"children"`
	TotalCents           int64          `json:"total_cents"`
	CancellationFeeCents *int64         `json:"cancellation_fee_cents,omitempty"`
	NoShowFeeCents       *int64         `json:"no_show_fee_cents,omitempty"`
}

func auditStateOf(r booking.Reservation) auditState {
	return auditState{Status: r.Status, RoomType: r.RoomTypeCode, RatePlan: r.RatePlanCode,
		CheckIn: r.CheckIn, CheckOut: r.CheckOut, Rooms: r.Rooms, Adults: r.Adults, Children: r.Children, TotalCents: r.TotalCents,
		CancellationFeeCents: r.CancellationFeeCents, NoShowFeeCents: r.NoShowFeeCents}
}

// queueAudit adds the audit_events row of a reservation's change to b,
// so it commits or rolls back with the change itself. A before with no
// reference (a reservation being created) is recorded as no state.
func queueAudit(b *pgx.Batch, a booking.Audit, before, after booking.Reservation, at time.Time) error {
	var was []byte
	if before.Reference != "" {
		var err error
		if was, err = json.Marshal(auditStateOf(before)); err != nil {
			return fmt.Errorf("encode audit before: %w", err)
		}
	}
	is, err := json.Marshal(auditStateOf(after))
	if err != nil {
		return fmt.Errorf("encode audit after: %w", err)
	}
	b.Queue(`INSERT INTO audit_events (at, actor_kind, actor, actor_role, action, hotel, reservation,
			before, after, reason, request_id)
		VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, $7, $8, $9, NULLIF($10, ''), NULLIF($11, ''))`,
		at, a.ActorKind, a.Actor, a.ActorRole, a.Action, after.HotelSlug, after.Reference,
		was, is, a.Reason, a.RequestID)
	return nil
}

// auditEntity writes the audit_events row of a write to something other
// than a reservation (a hotel, room type, rate plan, inventory, rates, an
// API key) in tx, so it commits or rolls back with the write. hotel is
// empty for what belongs to no hotel; a nil before or after is recorded
// as no state (a creation has none before).
func auditEntity(ctx context.Context, tx pgx.Tx, a booking.Audit, hotel, kind, key string, before, after any) error {
	was, err := auditJSON(before)
	if err != nil {
		return fmt.Errorf("encode audit before: %w", err)
	}
	is, err := auditJSON(after)
	if err != nil {
		return fmt.Errorf("encode audit after: %w", err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_events (actor_kind, actor, actor_role, action, hotel,
			entity_kind, entity_key, before, after, reason, request_id)
		VALUES ($1, $2, NULLIF($3, ''), $4, NULLIF($5, ''), $6, $7, $8, $9, NULLIF($10, ''), NULLIF($11, ''))`,
		a.ActorKind, a.Actor, a.ActorRole, a.Action, hotel, kind, key, was, is, a.Reason, a.RequestID)
	if err != nil {
		return fmt.Errorf("audit %s %s: %w", a.Action, key, err)
	}
	return nil
}

func auditJSON(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}
