package main

import (
	"net/url"
	"testing"
	"time"

	"innkeeper/local/clock"
	"innkeeper/shared/demo"
)

// The audit trail through the devstack: a guest books and cancels with
// the access token, the front desk cancels another booking, the
// scheduler's job expires a hold; GET /v1/admin/audit shows each
// reservation's rows newest first with who did them, and refuses staff.
func TestAuditTrailThroughTheDevstack(t *testing.T) {
	clk := &clock.Clock{}
	s, log := startStack(t, func(o *Options) { o.Clock = clk })
	admin := []string{"Authorization", "Bearer " + demo.SampleAdminKey}
	trail := func(q url.Values) []map[string]any {
		t.Helper()
		r := call(t, "GET", s.URL+"/v1/admin/audit?"+q.Encode(), nil, admin...)
		if r.status != 200 {
			t.Fatalf("audit %s: %d %v", q.Encode(), r.status, r.body)
		}
		var rows []map[string]any
		for _, e := range r.body["events"].([]any) {
			rows = append(rows, e.(map[string]any))
		}
		return rows
	}
	type want struct{ action, actorKind, actor string }
	check := func(ref string, wants ...want) []map[string]any {
		t.Helper()
		rows := trail(url.Values{"reservation": {ref}})
		if len(rows) != len(wants) {
			t.Fatalf("%s: %d rows %v, want %d", ref, len(rows), rows, len(wants))
		}
		for i, w := range wants {
			e := rows[i]
			if e["action"] != w.action || e["actor_kind"] != w.actorKind || (w.actor != "" && e["actor"] != w.actor) ||
				e["reservation"] != ref || e["hotel"] != "lisbon-riverside" {
				t.Fatalf("%s row %d: %v, want %+v", ref, i, e, w)
			}
		}
		return rows
	}

	guest, token := book(t, s, false, 40, "audit-1")
	if r := call(t, "POST", s.URL+"/v1/reservations/"+guest+"/cancel", nil, "Authorization", "Bearer "+token, "Idempotency-Key", "audit-2"); r.status != 200 {
		t.Fatalf("guest cancel: %d %v", r.status, r.body)
	}
	// A paid booking is made a hold, then confirmed by its payment.
	paid := want{"reservation.confirm", "system", "payments"}
	rows := check(guest,
		want{"reservation.cancel", "guest", "access-token"},
		paid,
		want{"reservation.create", "guest", "access-token"})
	if rows[0]["before"].(map[string]any)["status"] != "confirmed" || rows[0]["after"].(map[string]any)["status"] != "cancelled" {
		t.Fatalf("the guest's cancel: %v", rows[0])
	}

	desk, _ := book(t, s, false, 41, "audit-3")
	if r := call(t, "POST", s.URL+"/v1/admin/reservations/"+desk+"/cancel", map[string]any{"reason": "duplicate booking"}, admin...); r.status != 200 {
		t.Fatalf("desk cancel: %d %v", r.status, r.body)
	}
	rows = check(desk,
		want{"reservation.cancel", "api_key", ""},
		paid,
		want{"reservation.create", "guest", "access-token"})
	staffRow := rows[0]
	if staffRow["actor_role"] != "admin" || staffRow["reason"] != "duplicate booking" || staffRow["request_id"] == nil {
		t.Fatalf("the desk's cancel: %v", staffRow)
	}
	// The acting key's rows, found by its public id.
	byKey := trail(url.Values{"actor": {staffRow["actor"].(string)}, "action": {"reservation.cancel"}})
	if len(byKey) != 1 || byKey[0]["reservation"] != desk {
		t.Fatalf("the key's cancels: %v", byKey)
	}

	held, _ := book(t, s, true, 42, "audit-4")
	clk.Advance(16 * time.Minute)
	fire(t, s, "expire-holds", log)
	check(held,
		want{"reservation.expire", "job", "expire-holds"},
		want{"reservation.create", "guest", "access-token"})

	// Staff may act at the desk but not read the trail.
	key := call(t, "POST", s.URL+"/v1/admin/api-keys", map[string]any{"name": "audit desk", "role": "staff"}, admin...)
	if key.status != 201 {
		t.Fatalf("staff key: %d %v", key.status, key.body)
	}
	staff := key.body["secret"].(string)
	if r := call(t, "GET", s.URL+"/v1/admin/audit", nil, "Authorization", "Bearer "+staff); r.status != 403 {
		t.Fatalf("staff reading the trail: %d %v", r.status, r.body)
	}
	keys := trail(url.Values{"action": {"api_key.create"}, "limit": {"1"}})
	if len(keys) != 1 || keys[0]["entity_key"] != key.body["api_key"].(map[string]any)["public_id"] {
		t.Fatalf("the staff key's creation: %v", keys)
	}
}
