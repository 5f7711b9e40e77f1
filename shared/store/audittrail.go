package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/booking"
)

// AuditTrail reads one page of the audit trail, newest first, after the
// cursor. Only the conditions the filter sets are written into the
// query, so that the planner sees which index serves it: the filtered
// column's (hotel, reservation or actor), then at and id, read
// backwards (migration 0018); with none, (at, id).
func (s *Store) AuditTrail(ctx context.Context, f booking.AuditFilter) ([]booking.AuditRow, error) {
	q, args := auditTrailQuery(f)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, classify("audit trail", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (booking.AuditRow, error) {
		var e booking.AuditRow
		return e, row.Scan(&e.ID, &e.At, &e.ActorKind, &e.Actor, &e.ActorRole, &e.Action, &e.Hotel, &e.Reservation,
			&e.EntityKind, &e.EntityKey, &e.Before, &e.After, &e.Reason, &e.RequestID)
	})
	return out, classify("audit trail", err)
}

// auditTrailQuery is the query of AuditTrail and its arguments.
func auditTrailQuery(f booking.AuditFilter) (string, []any) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	for _, c := range []struct{ column, value string }{
		{"hotel", f.Hotel}, {"reservation", f.Reservation}, {"actor", f.Actor}, {"action", f.Action},
	} {
		if c.value != "" {
			where = append(where, c.column+" = "+arg(c.value))
		}
	}
	if !f.From.IsZero() {
		where = append(where, "at >= "+arg(f.From))
	}
	if !f.To.IsZero() {
		where = append(where, "at < "+arg(f.To))
	}
	if f.After != nil {
		where = append(where, "(at, id) < ("+arg(f.After.At)+"::timestamptz, "+arg(f.After.ID)+"::bigint)")
	}
	q := `SELECT id, at, actor_kind, actor, coalesce(actor_role, ''), action, coalesce(hotel, ''), coalesce(reservation, ''),
			coalesce(entity_kind, ''), coalesce(entity_key, ''), before, after, coalesce(reason, ''), coalesce(request_id, '')
		FROM audit_events`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY at DESC, id DESC LIMIT " + arg(f.Limit)
	return q, args
}
