package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"innkeeper/shared/booking"
)

// AuditTrail reads the audit trail: every write by staff, guests, the
// system and the jobs (migration 0012).
type AuditTrail interface {
	// AuditTrail is one page of the rows f selects, newest first, at
	// most f.Limit of them.
	AuditTrail(ctx context.Context, f booking.AuditFilter) ([]booking.AuditRow, error)
}

// auditRowView is one row of the trail as the API shows it: a field the
// row does not have is null, so every row has the same keys.
type auditRowView struct {
	ID          int64           `json:"id"`
	At          time.Time       `json:"at"`
	ActorKind   string          `json:"actor_kind"`
	Actor       string          `json:"actor"`
	ActorRole   *string         `json:"actor_role"`
	Action      string          `json:"action"`
	Hotel       *string         `json:"hotel"`
	Reservation *string         `json:"reservation"`
	EntityKind  *string         `json:"entity_kind"`
	EntityKey   *string         `json:"entity_key"`
	Before      json.RawMessage `json:"before"`
	After       json.RawMessage `json:"after"`
	Reason      *string         `json:"reason"`
	RequestID   *string         `json:"request_id"`
}

func orNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func viewAuditRow(e booking.AuditRow) auditRowView {
	return auditRowView{
		ID: e.ID, At: e.At.UTC(), ActorKind: e.ActorKind, Actor: e.Actor, ActorRole: orNull(e.ActorRole), Action: e.Action,
		Hotel: orNull(e.Hotel), Reservation: orNull(e.Reservation), EntityKind: orNull(e.EntityKind), EntityKey: orNull(e.EntityKey),
		Before: e.Before, After: e.After, Reason: orNull(e.Reason), RequestID: orNull(e.RequestID),
	}
}

// instantParam reads an instant of the trail's from or to: RFC 3339, or
// a date, which is its midnight UTC.
func instantParam(q *query, name string) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	if d, err := booking.ParseDate(s); err == nil {
		return d.Time()
	}
	q.v.Add(name, "must be an instant in RFC 3339, such as 2026-12-07T09:30:00Z, or a date such as 2026-12-07 (its midnight UTC)")
	return time.Time{}
}

// auditTrail answers GET /v1/admin/audit: the trail newest first, one
// page at a time, filtered by hotel, reservation, actor, action and a
// span of time [from, to).
func (s *Server) auditTrail(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, "hotel", "reservation", "actor", "action", "from", "to", "limit", "cursor")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := booking.AuditFilter{
		Hotel: q.str("hotel"), Reservation: q.str("reservation"), Actor: q.str("actor"), Action: q.str("action"),
		From: instantParam(q, "from"), To: instantParam(q, "to"), Limit: q.integer("limit", 0),
	}
	if c := q.str("cursor"); c != "" {
		key, id, ok := openCursor(c)
		micros, err := strconv.ParseInt(key, 10, 64)
		if !ok || err != nil {
			q.v.Add("cursor", "is not a cursor this API returned")
		} else {
			f.After = &booking.AuditCursor{At: time.UnixMicro(micros), ID: id}
		}
	}
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	f, err = f.Check()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.audit == nil {
		writeProblem(w, problem(http.StatusNotImplemented, "no-audit-trail", "No audit trail", "This API has no audit trail configured."))
		return
	}
	want := f.Limit
	f.Limit++ // one more tells whether a next page exists
	rows, err := s.audit.AuditTrail(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	out := struct {
		Events     []auditRowView `json:"events"`
		NextCursor *string        `json:"next_cursor"`
	}{Events: []auditRowView{}}
	if len(rows) > want {
		rows = rows[:want]
		last := rows[len(rows)-1]
		out.NextCursor = opaqueCursor(strconv.FormatInt(last.At.UnixMicro(), 10), last.ID)
	}
	for _, e := range rows {
		out.Events = append(out.Events, viewAuditRow(e))
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, out)
}
