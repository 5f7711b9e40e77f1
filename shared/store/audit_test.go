package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/store"
)

// auditRow is one audit_events row as the tests read it.
type auditRow struct {
	ActorKind, Actor, ActorRole, Action string
	Hotel, Reservation, Kind, Key       string
	Before, After                       map[string]any
	Reason, RequestID                   string
}

// auditOf reads the audit rows matching cond (SQL over audit_events,
// with args), oldest first.
func auditOf(t *testing.T, st *store.Store, cond string, args ...any) []auditRow {
	t.Helper()
	rows, err := st.Pool().Query(context.Background(), `SELECT actor_kind, actor, coalesce(actor_role, ''), action,
			coalesce(hotel, ''), coalesce(reservation, ''), coalesce(entity_kind, ''), coalesce(entity_key, ''),
			before, after, coalesce(reason, ''), coalesce(request_id, '')
		FROM audit_events WHERE `+cond+` ORDER BY at, id`, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []auditRow
	for rows.Next() {
		var a auditRow
		var before, after []byte
		if err := rows.Scan(&a.ActorKind, &a.Actor, &a.ActorRole, &a.Action, &a.Hotel, &a.Reservation, &a.Kind, &a.Key,
			&before, &after, &a.Reason, &a.RequestID); err != nil {
			t.Fatal(err)
		}
		for _, v := range []struct {
			raw []byte
			dst *map[string]any
		}{{before, &a.Before}, {after, &a.After}} {
			if v.raw != nil {
				if err := json.Unmarshal(v.raw, v.dst); err != nil {
					t.Fatal(err)
				}
			}
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGuestWritesLeaveOneAuditRowEach(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	ctx := context.Background()
	f.svc.RequestIDFrom(func(context.Context) string { return "req-guest" })
	hold := func() (booking.Reservation, string) {
		t.Helper()
		r, token, err := f.svc.Book(ctx, booking.BookRequest{Hotel: "h", RoomType: "DBL", RatePlan: "DBL-FLEX",
			Stay:  booking.Stay{CheckIn: booking.MustDate("2026-12-10"), CheckOut: booking.MustDate("2026-12-12"), Adults: 1, Rooms: 1},
			Guest: booking.Guest{Name: "G", Email: "g@example.com"}, Hold: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r, token
	}
	held, token := hold()
	rows := auditOf(t, f.st, "reservation = $1", held.Reference)
	if len(rows) != 1 {
		t.Fatalf("rows after the hold: %+v, want its creation", rows)
	}
	if c := rows[0]; c.ActorKind != "guest" || c.Actor != "access-token" || c.Action != "reservation.create" || c.Hotel != "h" ||
		c.Before != nil || c.After["status"] != "held" || c.After["total_cents"] != 20000.0 || c.RequestID != "req-guest" {
		t.Fatalf("creation row %+v", c)
	}
	if strings.Contains(strings.Join([]string{rows[0].Actor, rows[0].Reason, rows[0].RequestID}, " "), token) {
		t.Fatal("the audit trail holds the access token")
	}

	if _, err := f.svc.Confirm(ctx, held.Reference, "rat_wrong", nil); !errors.Is(err, booking.ErrNotFound) {
		t.Fatalf("confirm with a wrong token: %v", err)
	}
	if _, err := f.svc.Confirm(ctx, held.Reference, token, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Confirm(ctx, held.Reference, token, nil); !errors.Is(err, booking.ErrConflict) {
		t.Fatalf("second confirm: %v", err)
	}
	if _, err := f.svc.Cancel(ctx, held.Reference, token, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Cancel(ctx, held.Reference, token, nil); !errors.Is(err, booking.ErrConflict) {
		t.Fatalf("second cancel: %v", err)
	}
	rows = auditOf(t, f.st, "reservation = $1", held.Reference)
	if len(rows) != 3 {
		t.Fatalf("rows %+v, want create, confirm, cancel and nothing of the refused commands", rows)
	}
	confirm, cancel := rows[1], rows[2]
	if confirm.Action != "reservation.confirm" || confirm.Actor != "access-token" || confirm.Before["status"] != "held" || confirm.After["status"] != "confirmed" {
		t.Errorf("confirm row %+v", confirm)
	}
	if cancel.Action != "reservation.cancel" || cancel.Actor != "access-token" || cancel.Before["status"] != "confirmed" ||
		cancel.After["status"] != "cancelled" || cancel.After["cancellation_fee_cents"] != 0.0 {
		t.Errorf("cancel row %+v", cancel)
	}

	// A sold-out booking writes nothing, its audit row included.
	before := len(auditOf(t, f.st, "true"))
	_, _, err := f.svc.Book(ctx, booking.BookRequest{Hotel: "h", RoomType: "DBL", RatePlan: "DBL-FLEX",
		Stay:  booking.Stay{CheckIn: booking.MustDate("2026-12-10"), CheckOut: booking.MustDate("2026-12-12"), Adults: 3, Rooms: 3},
		Guest: booking.Guest{Name: "G", Email: "g@example.com"}}, nil)
	if !errors.Is(err, booking.ErrSoldOut) {
		t.Fatalf("3 rooms of 2: %v", err)
	}
	if after := len(auditOf(t, f.st, "true")); after != before {
		t.Fatalf("a sold-out booking left %d audit rows", after-before)
	}
}

func TestExpiriesNameWhoExpiredTheHold(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 10)
	ctx := context.Background()
	now := clock
	svc := booking.NewService(f.st, func() time.Time { return now })
	book := func() (booking.Reservation, string) {
		t.Helper()
		r, token, err := svc.Book(ctx, booking.BookRequest{Hotel: "h", RoomType: "DBL", RatePlan: "DBL-FLEX",
			Stay:  booking.Stay{CheckIn: booking.MustDate("2026-12-10"), CheckOut: booking.MustDate("2026-12-11"), Adults: 1, Rooms: 1},
			Guest: booking.Guest{Name: "G", Email: "g@example.com"}, Hold: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r, token
	}
	swept, _ := book()
	late, lateToken := book()
	now = now.Add(booking.HoldTTL)
	if _, err := svc.Confirm(ctx, late.Reference, lateToken, nil); !errors.Is(err, booking.ErrHoldExpired) {
		t.Fatalf("late confirm: %v", err)
	}
	if n, err := svc.ExpireHolds(ctx); err != nil || n != 1 {
		t.Fatalf("expired %d (%v), want the one left", n, err)
	}
	rows := auditOf(t, f.st, "reservation = $1 AND action <> 'reservation.create'", swept.Reference)
	if len(rows) != 1 || rows[0].ActorKind != "job" || rows[0].Actor != "expire-holds" || rows[0].Action != "reservation.expire" ||
		rows[0].Before["status"] != "held" || rows[0].After["status"] != "expired" {
		t.Fatalf("the job's expiry: %+v", rows)
	}
	rows = auditOf(t, f.st, "reservation = $1 AND action <> 'reservation.create'", late.Reference)
	if len(rows) != 1 || rows[0].ActorKind != "guest" || rows[0].Actor != "access-token" || rows[0].Action != "reservation.expire" ||
		rows[0].After["status"] != "expired" || rows[0].Reason == "" {
		t.Fatalf("the late confirmation's expiry: %+v", rows)
	}
}

func TestCatalogueWritesLeaveOneAuditRowEach(t *testing.T) {
	t.Parallel()
	f := newFixture(t, 2)
	ctx := context.Background()
	// The fixture's own writes, by the seed.
	for _, want := range []struct{ kind, key, action string }{
		{"hotel", "h", "hotel.create"}, {"room_type", "DBL", "room_type.create"}, {"rate_plan", "DBL-FLEX", "rate_plan.create"},
		{"inventory", "DBL", "inventory.set"}, {"rate", "DBL-FLEX", "rate.set"},
	} {
		rows := auditOf(t, f.st, "entity_kind = $1 AND entity_key = $2", want.kind, want.key)
		if len(rows) != 1 || rows[0].Action != want.action || rows[0].ActorKind != "system" || rows[0].Actor != "seed" || rows[0].Hotel != "h" {
			t.Fatalf("%s %s: %+v", want.kind, want.key, rows)
		}
	}
	if rt := auditOf(t, f.st, "entity_kind = 'room_type'")[0]; rt.Before != nil || rt.After["max_adults"] != 2.0 || rt.After["code"] != "DBL" {
		t.Errorf("room type creation %+v", rt)
	}

	staff := booking.Audit{ActorKind: "api_key", Actor: "k_rev", ActorRole: "staff", RequestID: "req-9"}
	// A price over part of the range: before, the one run it cuts into.
	rng := booking.DateRange{From: booking.MustDate("2026-12-24"), To: booking.MustDate("2026-12-27")}
	if err := f.svc.SetRates(ctx, "h", "DBL-FLEX", rng, 15000, staff); err != nil {
		t.Fatal(err)
	}
	rows := auditOf(t, f.st, "entity_kind = 'rate' AND actor = 'k_rev'")
	if len(rows) != 1 {
		t.Fatalf("rate rows %+v", rows)
	}
	r := rows[0]
	wantBefore := `{"from":"2026-12-24","runs":[{"from":"2026-12-24","to":"2026-12-27","value":10000}],"to":"2026-12-27"}`
	wantAfter := `{"from":"2026-12-24","runs":[{"from":"2026-12-24","to":"2026-12-27","value":15000}],"to":"2026-12-27"}`
	if b, _ := json.Marshal(r.Before); string(b) != wantBefore {
		t.Errorf("before %s, want %s", b, wantBefore)
	}
	if a, _ := json.Marshal(r.After); string(a) != wantAfter {
		t.Errorf("after %s, want %s", a, wantAfter)
	}
	if r.Action != "rate.set" || r.ActorRole != "staff" || r.RequestID != "req-9" || r.Key != "DBL-FLEX" || r.Hotel != "h" {
		t.Errorf("rate row %+v", r)
	}
	// Across the changed nights and beyond: two runs before.
	wide := booking.DateRange{From: booking.MustDate("2026-12-26"), To: booking.MustDate("2026-12-29")}
	if err := f.svc.SetRates(ctx, "h", "DBL-FLEX", wide, 12000, staff); err != nil {
		t.Fatal(err)
	}
	rows = auditOf(t, f.st, "entity_kind = 'rate' AND actor = 'k_rev'")
	if b, _ := json.Marshal(rows[len(rows)-1].Before["runs"]); len(rows) != 2 ||
		string(b) != `[{"from":"2026-12-26","to":"2026-12-27","value":15000},{"from":"2026-12-27","to":"2026-12-29","value":10000}]` {
		t.Fatalf("runs before the second price: %s (%d rows)", b, len(rows))
	}
	// The same price again changes nothing and records nothing.
	if err := f.svc.SetRates(ctx, "h", "DBL-FLEX", wide, 12000, staff); err != nil {
		t.Fatal(err)
	}
	if n := len(auditOf(t, f.st, "entity_kind = 'rate' AND actor = 'k_rev'")); n != 2 {
		t.Fatalf("a price set again to itself left a row: %d rows", n)
	}

	// Inventory: units set, and units below those sold refused with no row.
	if _, _, err := f.book(ctx, "2026-12-20", "2026-12-21", 2); err != nil {
		t.Fatal(err)
	}
	night := booking.DateRange{From: booking.MustDate("2026-12-20"), To: booking.MustDate("2026-12-22")}
	if err := f.svc.SetInventory(ctx, "h", "DBL", night, 1, staff); !errors.Is(err, booking.ErrConflict) {
		t.Fatalf("units below sold: %v", err)
	}
	if n := len(auditOf(t, f.st, "entity_kind = 'inventory' AND actor = 'k_rev'")); n != 0 {
		t.Fatalf("a refused inventory change left %d rows", n)
	}
	if err := f.svc.SetInventory(ctx, "h", "DBL", night, 5, staff); err != nil {
		t.Fatal(err)
	}
	rows = auditOf(t, f.st, "entity_kind = 'inventory' AND actor = 'k_rev'")
	if b, _ := json.Marshal(rows[0].Before["runs"]); len(rows) != 1 || string(b) != `[{"from":"2026-12-20","to":"2026-12-22","value":2}]` ||
		rows[0].After["runs"].([]any)[0].(map[string]any)["value"] != 5.0 || rows[0].Action != "inventory.set" {
		t.Fatalf("inventory rows %+v (before %s)", rows, b)
	}

	// A taken code is refused with no row.
	if _, err := f.svc.CreateRoomType(ctx, "h", booking.RoomType{Code: "DBL", Name: "Again", MaxAdults: 2}, staff); !errors.Is(err, booking.ErrConflict) {
		t.Fatalf("taken code: %v", err)
	}
	if n := len(auditOf(t, f.st, "entity_kind = 'room_type'")); n != 1 {
		t.Fatalf("a refused creation left a row: %d room type rows", n)
	}
}

func TestAPIKeyWritesLeaveOneAuditRowEach(t *testing.T) {
	t.Parallel()
	st := newFixture(t, 1).st
	ctx := context.Background()
	first, _ := auth.NewAPIKey(auth.RoleAdmin)
	root, err := st.CreateFirstAdminKey(ctx, "ops", first, false)
	if err != nil {
		t.Fatal(err)
	}
	admin := booking.Audit{ActorKind: "api_key", Actor: root.PublicID, ActorRole: "admin", RequestID: "req-k"}
	token, _ := auth.NewAPIKey(auth.RoleStaff)
	k, err := st.CreateAPIKeyBy(ctx, admin, "desk", auth.RoleStaff, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeAPIKeyBy(ctx, admin, k.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.RevokeAPIKeyBy(ctx, admin, k.ID); err != nil {
		t.Fatalf("revoking again: %v", err)
	}
	if err := st.RevokeAPIKeyBy(ctx, admin, root.ID); !errors.Is(err, auth.ErrLastAdminKey) {
		t.Fatalf("the last admin key: %v", err)
	}
	rows := auditOf(t, st, "entity_kind = 'api_key'")
	if len(rows) != 3 {
		t.Fatalf("key rows %+v, want the first admin key, the staff key and its one revocation", rows)
	}
	if r := rows[0]; r.ActorKind != "system" || r.Actor != "admin-key" || r.Action != "api_key.create" || r.Key != root.PublicID ||
		r.After["role"] != "admin" || r.After["name"] != "ops" {
		t.Errorf("first admin key row %+v", r)
	}
	if r := rows[1]; r.Actor != root.PublicID || r.Action != "api_key.create" || r.Key != k.PublicID || r.Before != nil ||
		r.After["role"] != "staff" || r.RequestID != "req-k" || r.Hotel != "" {
		t.Errorf("creation row %+v", r)
	}
	if r := rows[2]; r.Action != "api_key.revoke" || r.Key != k.PublicID || r.Before["revoked_at"] != nil || r.After["revoked_at"] == nil {
		t.Errorf("revocation row %+v", r)
	}
	var all string
	if err := st.Pool().QueryRow(ctx, `SELECT string_agg(coalesce(before::text, '') || after::text, ' ') FROM audit_events WHERE entity_kind = 'api_key'`).Scan(&all); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{token, first, strings.TrimPrefix(token, k.Prefix)} {
		if strings.Contains(all, secret) {
			t.Fatal("the audit trail holds a key's secret")
		}
	}

	// A seed storing its fixed key at every start leaves one row.
	const fixed = "ink_admin_fixed-test-key-0123456789"
	for range 3 {
		if _, err := st.CreateAPIKey(ctx, "seeded", auth.RoleAdmin, fixed, nil); err != nil {
			t.Fatal(err)
		}
	}
	if rows := auditOf(t, st, "entity_kind = 'api_key' AND actor = 'seed'"); len(rows) != 1 {
		t.Fatalf("seeded three times: %+v, want one row", rows)
	}
	if _, err := st.CreateFirstAdminKey(ctx, "again", first+"x", false); !errors.Is(err, store.ErrAdminKeyExists) {
		t.Fatalf("a second first key: %v", err)
	}
	if n := len(auditOf(t, st, "entity_kind = 'api_key'")); n != 4 {
		t.Fatalf("%d key rows after a refused first key, want 4", n)
	}
}

func TestCleanupKeepsTheAuditTrailAYear(t *testing.T) {
	t.Parallel()
	st := newFixture(t, 1).st
	ctx := context.Background()
	now := time.Date(2027, 6, 1, 3, 30, 0, 0, time.UTC)
	day := 24 * time.Hour
	if _, err := st.Pool().Exec(ctx, `TRUNCATE audit_events, outbox`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool().Exec(ctx, `INSERT INTO audit_events (at, actor_kind, actor, action) VALUES
		($1, 'job', 'old', 'reservation.expire'), ($2, 'job', 'kept', 'reservation.expire'), ($3, 'job', 'recent', 'reservation.expire')`,
		now.Add(-366*day), now.Add(-364*day), now.Add(-8*day)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool().Exec(ctx, `INSERT INTO outbox (event_type, aggregate_id, payload, created_at, published_at) VALUES
		('reservation.confirmed', 'INK-AAAAAA', '{}', $1, $1), ('reservation.confirmed', 'INK-AAAAAB', '{}', $2, $2),
		('reservation.confirmed', 'INK-AAAAAC', '{}', $1, NULL)`, now.Add(-8*day), now.Add(-6*day)); err != nil {
		t.Fatal(err)
	}
	receipts, events, audit, err := st.Cleanup(ctx, now, 7*day, 365*day)
	if err != nil {
		t.Fatal(err)
	}
	if events != 1 || audit != 1 || receipts != 0 {
		t.Fatalf("deleted %d events, %d audit rows, %d receipts; want 1, 1, 0", events, audit, receipts)
	}
	var left []string
	for _, r := range auditOf(t, st, "true") {
		left = append(left, r.Actor)
	}
	if strings.Join(left, ",") != "kept,recent" {
		t.Fatalf("audit rows left %v, want the 364-day-old and the recent one", left)
	}
	var outbox int
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM outbox`).Scan(&outbox); err != nil || outbox != 2 {
		t.Fatalf("outbox rows left %d (%v), want the recent published and the unpublished", outbox, err)
	}
}

// Each filter of the trail reads an index, never the whole table, on a
// trail of 20,000 rows: the filtered column's (reservation, actor) or,
// for a filter most rows pass (one hotel of ten), the index of the
// page's order (at, id) read backwards until the page is full.
func TestAuditTrailPagesReadAnIndex(t *testing.T) {
	t.Parallel()
	st := newFixture(t, 1).st
	ctx := context.Background()
	if _, err := st.Pool().Exec(ctx, `INSERT INTO audit_events (at, actor_kind, actor, action, hotel, reservation)
		SELECT timestamptz '2026-01-01' + g * interval '1 minute', 'guest', 'actor-' || (g % 100), 'reservation.create',
			'hotel-' || (g % 10), 'INK-' || lpad((g % 500)::text, 6, '0')
		FROM generate_series(1, 20000) g`); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Pool().Exec(ctx, `ANALYZE audit_events`); err != nil {
		t.Fatal(err)
	}
	after := &booking.AuditCursor{At: time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC), ID: 12000}
	for _, tt := range []struct {
		name    string
		f       booking.AuditFilter
		indexes []string // one of them
	}{
		{"everything", booking.AuditFilter{Limit: 51, After: after}, []string{"Index Scan Backward using audit_events_at_id "}},
		{"a reservation", booking.AuditFilter{Reservation: "INK-000042", Limit: 51, After: after}, []string{" audit_events_reservation_at_id "}},
		{"a hotel", booking.AuditFilter{Hotel: "hotel-3", Limit: 51, After: after},
			[]string{" audit_events_hotel_at_id ", "Index Scan Backward using audit_events_at_id "}},
		{"an actor", booking.AuditFilter{Actor: "actor-7", Limit: 51, After: after}, []string{" audit_events_actor_at_id "}},
		{"an actor in a span", booking.AuditFilter{Actor: "actor-7", From: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC),
			To: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Limit: 51}, []string{" audit_events_actor_at_id "}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			q, args := store.AuditTrailQuery(tt.f)
			rows, err := st.Pool().Query(ctx, "EXPLAIN "+q, args...)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					t.Fatal(err)
				}
				plan = append(plan, line)
			}
			text := strings.Join(plan, "\n") + "\n"
			used := false
			for _, ix := range tt.indexes {
				used = used || strings.Contains(text, ix)
			}
			if !used || strings.Contains(text, "Seq Scan") {
				t.Fatalf("plan reads none of %q:\n%s", tt.indexes, text)
			}
		})
	}
}
