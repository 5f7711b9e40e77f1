package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/coder/websocket"

	"innkeeper/shared/demo"
)

// wsClient is a real WebSocket client of the devstack's WebSocket API.
type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
	msgs chan map[string]any
}

func dial(t *testing.T, s *Stack, query url.Values, origin string) (*wsClient, *http.Response, error) {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u := s.WSURL
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, resp, err
	}
	c := &wsClient{t: t, conn: conn, msgs: make(chan map[string]any, 64)}
	go func() {
		for {
			_, data, err := conn.Read(context.Background())
			if err != nil {
				close(c.msgs)
				return
			}
			var m map[string]any
			if json.Unmarshal(data, &m) == nil {
				c.msgs <- m
			}
		}
	}()
	t.Cleanup(func() { _ = conn.CloseNow() })
	return c, resp, nil
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	raw, _ := json.Marshal(v)
	if err := c.conn.Write(context.Background(), websocket.MessageText, raw); err != nil {
		c.t.Fatal(err)
	}
}

// await returns the first message of type typ within timeout.
func (c *wsClient) await(typ string, timeout time.Duration) map[string]any {
	c.t.Helper()
	deadline := time.After(timeout)
	for {
		select {
		case m, ok := <-c.msgs:
			if !ok {
				c.t.Fatalf("connection closed while waiting for %s", typ)
			}
			if m["type"] == typ {
				return m
			}
		case <-deadline:
			c.t.Fatalf("no %s within %v", typ, timeout)
		}
	}
}

// Subscribe to a hotel, book through the HTTP API, and the new units left
// arrive within a second; a guest following their reservation sees it
// cancelled; a closed client is forgotten at the first push that fails.
func TestRealtimeThroughTheDevstack(t *testing.T) {
	s, _ := startStack(t)
	watcher, _, err := dial(t, s, nil, "https://book.example.com")
	if err != nil {
		t.Fatal(err)
	}
	watcher.send(map[string]any{"action": "subscribe", "topic": "availability", "hotel": "lisbon-riverside"})
	watcher.await("subscribed", 5*time.Second)
	watcher.send(map[string]any{"action": "ping"})
	watcher.await("pong", 5*time.Second)
	watcher.send("not an object")
	if m := watcher.await("error", 5*time.Second); m["code"] == nil {
		t.Fatalf("error frame %v", m)
	}

	leaving, _, err := dial(t, s, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	leaving.send(map[string]any{"action": "subscribe", "topic": "availability", "hotel": "lisbon-riverside"})
	leaving.await("subscribed", 5*time.Second)
	// Gone without a goodbye: the gateway knows, the subscription stays
	// until a push finds the connection gone.
	_ = leaving.conn.CloseNow()

	before := freeFAM(t, s, 70)
	start := time.Now()
	ref, token := book(t, s, false, 70, "rt-1")
	m := watcher.await("availability.changed", time.Second+time.Since(start))
	if m["room_type"] != "FAM" || m["units_left"] != before-1 {
		t.Fatalf("availability.changed %v, want FAM with %v left", m, before-1)
	}
	t.Logf("availability.changed %v after the booking was sent", time.Since(start))

	guest, _, err := dial(t, s, url.Values{"reference": {ref}, "token": {token}}, "https://book.example.com")
	if err != nil {
		t.Fatal(err)
	}
	guest.send(map[string]any{"action": "subscribe", "topic": "reservation", "reference": ref})
	guest.await("subscribed", 5*time.Second)
	call(t, "POST", s.URL+"/v1/reservations/"+ref+"/cancel", nil, "Authorization", "Bearer "+token, "Idempotency-Key", "rt-2")
	// The booking's own events (held, then confirmed by its payment) may
	// still be on their way when the guest subscribes: they come first,
	// in order, and the cancellation after them.
	for deadline := time.Now().Add(2 * time.Second); ; {
		m := guest.await("reservation.updated", time.Until(deadline))
		if m["reference"] != ref {
			t.Fatalf("reservation.updated %v", m)
		}
		if m["status"] == "cancelled" {
			break
		}
	}

	// The pushes above hit the closed connection: it is gone from Redis.
	deadline := time.Now().Add(5 * time.Second)
	for {
		keys, _ := redisKeys(t, s, "ws:sub:hotel:lisbon-riverside:availability")
		if keys == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d subscribers after a push to a closed connection, want 1", keys)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestRefusedConnections(t *testing.T) {
	s, _ := startStack(t)
	tests := []struct {
		name   string
		query  url.Values
		origin string
		status int
	}{
		{"a wrong token", url.Values{"reference": {demo.ConfirmedReference}, "token": {"rat_wrong"}}, "", 401},
		{"an unknown ticket", url.Values{"ticket": {"wst_unknown"}}, "", 401},
		{"a key in the URL, even a good one", url.Values{"key": {demo.SampleAdminKey}}, "", 401},
		{"a disallowed origin", nil, "https://evil.example.net", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, resp, err := dial(t, s, tt.query, tt.origin)
			if err == nil || resp == nil || resp.StatusCode != tt.status {
				code := 0
				if resp != nil {
					code = resp.StatusCode
				}
				t.Fatalf("dial: %v, status %d, want %d", err, code, tt.status)
			}
		})
	}
	// And a staff key may follow a hotel's bookings, with a ticket that
	// opens one connection.
	ticket := wsTicket(t, s, demo.SampleAdminKey)
	staff, _, err := dial(t, s, url.Values{"ticket": {ticket}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, resp, err := dial(t, s, url.Values{"ticket": {ticket}}, ""); err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("a ticket used twice: %v %v, want 401", resp, err)
	}
	staff.send(map[string]any{"action": "subscribe", "topic": "bookings", "hotel": "lisbon-riverside"})
	staff.await("subscribed", 5*time.Second)
	book(t, s, false, 72, "rt-staff")
	if m := staff.await("booking.created", 5*time.Second); m["hotel"] != "lisbon-riverside" {
		t.Fatalf("booking.created %v", m)
	}
}

// wsTicket buys a WebSocket ticket with key.
func wsTicket(t *testing.T, s *Stack, key string) string {
	t.Helper()
	r := call(t, "POST", s.URL+"/v1/ws-tickets", nil, "Authorization", "Bearer "+key)
	if r.status != 201 {
		t.Fatalf("ws ticket: %d %v", r.status, r.body)
	}
	return r.body["ticket"].(string)
}

// A revoked key's staff connection stops: the next push closes it,
// through the management API as in AWS, and it receives nothing more.
func TestRevokedKeysConnectionCloses(t *testing.T) {
	s, _ := startStack(t)
	admin := "Bearer " + demo.SampleAdminKey
	made := call(t, "POST", s.URL+"/v1/admin/api-keys", map[string]any{"name": "desk", "role": "staff"}, "Authorization", admin)
	if made.status != 201 {
		t.Fatalf("create key: %d %v", made.status, made.body)
	}
	key := made.body["secret"].(string)
	id := made.body["api_key"].(map[string]any)["id"].(float64)
	staff, _, err := dial(t, s, url.Values{"ticket": {wsTicket(t, s, key)}}, "")
	if err != nil {
		t.Fatal(err)
	}
	staff.send(map[string]any{"action": "subscribe", "topic": "bookings", "hotel": "lisbon-riverside"})
	staff.await("subscribed", 5*time.Second)
	if r := call(t, "DELETE", fmt.Sprintf("%s/v1/admin/api-keys/%d", s.URL, int64(id)), nil, "Authorization", admin); r.status != 204 {
		t.Fatalf("revoke: %d %v", r.status, r.body)
	}
	book(t, s, false, 74, "rt-revoked")
	deadline := time.After(10 * time.Second)
	for {
		select {
		case m, ok := <-staff.msgs:
			if !ok {
				return // closed by the push, as wanted
			}
			if m["type"] == "booking.created" {
				t.Fatalf("a revoked key's connection received %v", m)
			}
		case <-deadline:
			t.Fatal("the revoked key's connection is still open")
		}
	}
}

// redisKeys counts the members of a realtime set under the stack's prefix.
func redisKeys(t *testing.T, s *Stack, key string) (int, error) {
	t.Helper()
	c, err := bootstrapRedis(s)
	if err != nil {
		return 0, err
	}
	n, err := c.Redis().SCard(context.Background(), c.Key(key)).Result()
	return int(n), err
}

// Staff following a hotel's bookings see the front desk's check-in live,
// as reservation.changed, through the API, the queue and the worker.
func TestStaffSeeACheckInLive(t *testing.T) {
	s, _ := startStack(t)
	staff, _, err := dial(t, s, url.Values{"ticket": {wsTicket(t, s, demo.SampleAdminKey)}}, "")
	if err != nil {
		t.Fatal(err)
	}
	staff.send(map[string]any{"action": "subscribe", "topic": "bookings", "hotel": "lisbon-riverside"})
	staff.await("subscribed", 5*time.Second)

	lisbon, err := time.LoadLocation("Europe/Lisbon")
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(lisbon)
	r := call(t, "POST", s.URL+"/v1/reservations", map[string]any{
		"hotel": "lisbon-riverside", "room_type": "FAM", "rate_plan": "FAM-FLEX",
		"check_in": today.Format(time.DateOnly), "check_out": today.AddDate(0, 0, 1).Format(time.DateOnly),
		"adults": 2, "guest": map[string]any{"name": "Ines", "email": "ines@example.com"},
		"payment": card("pm_card_visa"),
	}, "Idempotency-Key", "rt-desk-1")
	if r.status != 201 {
		t.Fatalf("book for today: %d %v", r.status, r.body)
	}
	ref := r.body["reservation"].(map[string]any)["reference"].(string)
	staff.await("booking.created", 5*time.Second)

	start := time.Now()
	if r := call(t, "POST", s.URL+"/v1/admin/reservations/"+ref+"/check-in", nil, "Authorization", "Bearer "+demo.SampleAdminKey); r.status != 200 {
		t.Fatalf("check-in: %d %v", r.status, r.body)
	}
	m := staff.await("reservation.changed", 5*time.Second)
	if m["reference"] != ref || m["event"] != "reservation.checked_in" || m["status"] != "checked_in" ||
		m["hotel"] != "lisbon-riverside" || m["room_type"] != "FAM" || m["check_in"] != today.Format(time.DateOnly) {
		t.Fatalf("reservation.changed %v", m)
	}
	t.Logf("reservation.changed %v after the check-in was sent", time.Since(start))
}
