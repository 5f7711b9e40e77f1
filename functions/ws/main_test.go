package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"

	"innkeeper/local/testenv"
	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/logging"
	"innkeeper/shared/realtime"
)

// poster is the management API, faked at the AWS boundary: it records
// what was posted and answers 410 for the connections it is told are gone.
type poster struct {
	mu      sync.Mutex
	sent    map[string][]string
	gone    map[string]bool
	calls   int
	deleted []string
}

func (p *poster) DeleteConnection(_ context.Context, in *apigatewaymanagementapi.DeleteConnectionInput, _ ...func(*apigatewaymanagementapi.Options)) (*apigatewaymanagementapi.DeleteConnectionOutput, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.deleted = append(p.deleted, aws.ToString(in.ConnectionId))
	return &apigatewaymanagementapi.DeleteConnectionOutput{}, nil
}

// types lists the types of the frames connection id received.
func (p *poster) types(id string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, f := range p.sent[id] {
		var m map[string]any
		_ = json.Unmarshal([]byte(f), &m)
		out = append(out, fmt.Sprint(m["type"]))
	}
	return out
}

func (p *poster) PostToConnection(_ context.Context, in *apigatewaymanagementapi.PostToConnectionInput, _ ...func(*apigatewaymanagementapi.Options)) (*apigatewaymanagementapi.PostToConnectionOutput, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls++
	id := aws.ToString(in.ConnectionId)
	if p.gone[id] {
		return nil, &types.GoneException{}
	}
	p.sent[id] = append(p.sent[id], string(in.Data))
	return &apigatewaymanagementapi.PostToConnectionOutput{}, nil
}

// body is the frame a response sends back to the client, nil if none.
func body(resp events.APIGatewayProxyResponse) map[string]any {
	var m map[string]any
	_ = json.Unmarshal([]byte(resp.Body), &m)
	return m
}

func (p *poster) last(id string) map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	frames := p.sent[id]
	if len(frames) == 0 {
		return nil
	}
	var m map[string]any
	_ = json.Unmarshal([]byte(frames[len(frames)-1]), &m)
	return m
}

// sampleTicket is the ticket events/ws/connect-staff.json sends; setup
// issues it for the admin key, as POST /v1/ws-tickets would.
const sampleTicket = "wst_sample-ticket-bought-with-POST-v1-ws-tickets"

func setup(t *testing.T) (*realtime.Handler, *poster, *testenv.API) {
	api := testenv.NewAPI(t, testenv.APIOptions{NoRelay: true})
	admin, err := api.Store.APIKey(context.Background(), testenv.AdminKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := api.Store.CreateWSTicket(context.Background(), admin.ID, sampleTicket, time.Minute); err != nil {
		t.Fatal(err)
	}
	p := &poster{sent: map[string][]string{}, gone: map[string]bool{}}
	hub := &realtime.Hub{Redis: api.Redis}
	return &realtime.Handler{
		Hub: hub, Pusher: &realtime.Pusher{Hub: hub, Client: p, Keys: api.Store, Log: logging.Discard()},
		Service: booking.NewService(api.Store, func() time.Time { return testenv.Clock }),
		Keys:    api.Store, Origins: []string{"https://book.example.com"}, Log: logging.Discard(),
	}, p, api
}

func event(t *testing.T, name, connection string) events.APIGatewayWebsocketProxyRequest {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("../../events/ws", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayWebsocketProxyRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	ev.RequestContext.ConnectionID = connection
	return ev
}

func TestConnectDecidesWhoMayConnect(t *testing.T) {
	h, _, _ := setup(t)
	tests := []struct {
		event  string
		status int
	}{
		{"connect-anonymous", 200},
		{"connect-guest", 200},
		{"connect-staff", 200},
		{"connect-wrong-token", 401},
		{"connect-key-in-url", 401},
		{"connect-disallowed-origin", 403},
	}
	for _, tt := range tests {
		t.Run(tt.event, func(t *testing.T) {
			resp, err := h.Handle(context.Background(), event(t, tt.event, "c-"+tt.event))
			if err != nil || resp.StatusCode != tt.status {
				t.Fatalf("%d %v, want %d", resp.StatusCode, err, tt.status)
			}
			_, known, _ := h.Hub.Principal(context.Background(), "c-"+tt.event)
			if known != (tt.status == 200) {
				t.Fatalf("connection recorded: %v after %d", known, tt.status)
			}
		})
	}
}

func TestFramesAndSubscriptions(t *testing.T) {
	h, p, _ := setup(t)
	ctx := context.Background()
	steps := []struct {
		conn, event string
		frame       string // the type of the answer
		code        string
	}{
		{"anon", "connect-anonymous", "", ""},
		{"anon", "subscribe-availability", "subscribed", ""},
		{"anon", "subscribe-reservation", "error", "forbidden"},
		{"anon", "subscribe-bookings", "error", "forbidden"},
		{"anon", "ping", "pong", ""},
		{"anon", "bad-frame", "error", "bad-frame"},
		{"guest", "connect-guest", "", ""},
		{"guest", "subscribe-reservation", "subscribed", ""},
		{"staff", "connect-staff", "", ""},
		{"staff", "subscribe-bookings", "subscribed", ""},
		{"staff", "subscribe-availability", "subscribed", ""},
	}
	for _, s := range steps {
		resp, err := h.Handle(ctx, event(t, s.event, s.conn))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s on %s: %d %v", s.event, s.conn, resp.StatusCode, err)
		}
		if s.frame == "" {
			continue
		}
		got := body(resp)
		if got["type"] != s.frame || (s.code != "" && got["code"] != s.code) {
			t.Fatalf("%s on %s answered %v, want %s %s", s.event, s.conn, got, s.frame, s.code)
		}
	}
	subs, _ := h.Hub.Subscribers(ctx, realtime.AvailabilityTopic("lisbon-riverside"))
	if len(subs) != 2 {
		t.Fatalf("availability subscribers %v, want anon and staff", subs)
	}

	// A pushed event reaches exactly its audiences.
	ev := booking.Event{Type: "reservation.confirmed", Reference: "INK-DEM0X1", HotelSlug: "lisbon-riverside", RoomType: "STD",
		Status: booking.StatusConfirmed, CheckIn: booking.MustDate("2026-12-31"), CheckOut: booking.MustDate("2027-01-02"), Rooms: 1}
	before := map[string]int{}
	for _, c := range []string{"anon", "guest", "staff"} {
		before[c] = len(p.sent[c])
	}
	if err := h.Pusher.Announce(ctx, ev, realtime.UnitsLeft{Stay: 11}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"anon": {"availability.changed"}, "guest": {"reservation.updated"}, "staff": {"availability.changed", "booking.created"}}
	for c, types := range want {
		var got []string
		for _, f := range p.sent[c][before[c]:] {
			var m map[string]any
			_ = json.Unmarshal([]byte(f), &m)
			got = append(got, m["type"].(string))
			if m["type"] == "availability.changed" && (m["units_left"] != float64(11) || len(m["nights"].([]any)) != 2) {
				t.Errorf("availability message %v", m)
			}
		}
		if len(got) != len(types) {
			t.Errorf("%s received %v, want %v", c, got, types)
		}
	}

	// Unsubscribe, then disconnect: nothing left in Redis.
	resp, _ := h.Handle(ctx, event(t, "unsubscribe-availability", "anon"))
	if got := body(resp); got["type"] != "unsubscribed" {
		t.Fatalf("unsubscribe answered %v", got)
	}
	// Every answer was the route's response; @connections carried only
	// the pushes.
	for _, c := range []string{"anon", "guest", "staff"} {
		for _, typ := range p.types(c) {
			if !strings.Contains(typ, ".") {
				t.Errorf("%s was answered %q through @connections", c, typ)
			}
		}
	}
	for _, c := range []string{"anon", "guest", "staff"} {
		h.Handle(ctx, event(t, "disconnect", c))
	}
	keys, _ := h.Hub.Redis.Redis().Keys(ctx, h.Hub.Redis.Key("ws:*")).Result()
	if len(keys) != 0 {
		t.Fatalf("left in Redis after disconnect: %v", keys)
	}
}

// A connection API Gateway says is gone is forgotten at the first push.
func TestGoneConnectionIsRemoved(t *testing.T) {
	h, p, _ := setup(t)
	ctx := context.Background()
	h.Handle(ctx, event(t, "connect-anonymous", "stale"))
	h.Handle(ctx, event(t, "subscribe-availability", "stale"))
	h.Handle(ctx, event(t, "connect-anonymous", "alive"))
	h.Handle(ctx, event(t, "subscribe-availability", "alive"))
	p.gone["stale"] = true
	f, err := h.Pusher.Broadcast(ctx, realtime.AvailabilityTopic("lisbon-riverside"), map[string]string{"type": "availability.changed"})
	if err != nil || f.Sent != 1 || f.Gone != 1 {
		t.Fatalf("fan-out %+v %v", f, err)
	}
	subs, _ := h.Hub.Subscribers(ctx, realtime.AvailabilityTopic("lisbon-riverside"))
	if len(subs) != 1 || subs[0] != "alive" {
		t.Fatalf("subscribers after a 410: %v", subs)
	}
	if _, known, _ := h.Hub.Principal(ctx, "stale"); known {
		t.Fatal("the gone connection is still known")
	}
}

// connectWithTicket connects conn as the staff event does, with ticket.
func connectWithTicket(t *testing.T, h *realtime.Handler, conn, ticket string) int {
	t.Helper()
	ev := event(t, "connect-staff", conn)
	ev.QueryStringParameters = map[string]string{"ticket": ticket}
	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

// staffKey makes a key with role and a ticket for it.
func staffKey(t *testing.T, api *testenv.API, role auth.Role) (auth.Key, string) {
	t.Helper()
	ctx := context.Background()
	token, _ := auth.NewAPIKey(role)
	k, err := api.Store.CreateAPIKey(ctx, "front desk", role, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	ticket, _ := auth.NewToken("wst_")
	if _, err := api.Store.CreateWSTicket(ctx, k.ID, ticket, time.Minute); err != nil {
		t.Fatal(err)
	}
	return k, ticket
}

// A ticket opens one connection, within its time, for a live key; a
// finance key's ticket opens none.
func TestTicketsAreSingleUseAndShortLived(t *testing.T) {
	h, _, api := setup(t)
	ctx := context.Background()
	if got := connectWithTicket(t, h, "first", sampleTicket); got != 200 {
		t.Fatalf("first use of a ticket: %d, want 200", got)
	}
	if p, _, _ := h.Hub.Principal(ctx, "first"); p.Kind != realtime.Staff || p.Key == "" || p.KeyID == 0 {
		t.Fatalf("principal %+v, want staff with its key", p)
	}
	if got := connectWithTicket(t, h, "second", sampleTicket); got != 401 {
		t.Fatalf("second use of a ticket: %d, want 401", got)
	}

	_, expired := staffKey(t, api, auth.RoleStaff)
	api.Exec(t, `UPDATE ws_tickets SET expires_at = now() - interval '1 second' WHERE ticket_hash = $1`, auth.Hash(expired))
	if got := connectWithTicket(t, h, "late", expired); got != 401 {
		t.Fatalf("an expired ticket: %d, want 401", got)
	}

	k, revoked := staffKey(t, api, auth.RoleStaff)
	if err := api.Store.RevokeAPIKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	if got := connectWithTicket(t, h, "revoked", revoked); got != 401 {
		t.Fatalf("a revoked key's ticket: %d, want 401", got)
	}

	_, finance := staffKey(t, api, auth.RoleFinance)
	if got := connectWithTicket(t, h, "finance", finance); got != 403 {
		t.Fatalf("a finance key's ticket: %d, want 403", got)
	}
	for _, c := range []string{"second", "late", "revoked", "finance"} {
		if _, known, _ := h.Hub.Principal(ctx, c); known {
			t.Errorf("refused connection %s was recorded", c)
		}
	}
}

// Once its key is revoked, a staff connection gets no more pushes and is
// closed at the next fan-out, and a subscribe is refused and closes it;
// the other subscribers are served as before.
func TestRevokedKeysConnectionsStop(t *testing.T) {
	h, p, api := setup(t)
	ctx := context.Background()
	k, pushed := staffKey(t, api, auth.RoleStaff)
	_, other := staffKey(t, api, auth.RoleStaff)
	ticket, _ := auth.NewToken("wst_")
	if _, err := api.Store.CreateWSTicket(ctx, k.ID, ticket, time.Minute); err != nil {
		t.Fatal(err)
	}
	for conn, tk := range map[string]string{"revoked-push": pushed, "revoked-subscribe": ticket, "kept": other} {
		if got := connectWithTicket(t, h, conn, tk); got != 200 {
			t.Fatalf("connect %s: %d", conn, got)
		}
	}
	h.Handle(ctx, event(t, "connect-anonymous", "anon"))
	for _, conn := range []string{"revoked-push", "kept"} {
		h.Handle(ctx, event(t, "subscribe-bookings", conn))
	}
	h.Handle(ctx, event(t, "subscribe-availability", "anon"))
	ev := booking.Event{Type: "reservation.confirmed", Reference: "INK-DEM0X1", HotelSlug: "lisbon-riverside", RoomType: "STD",
		Status: booking.StatusConfirmed, CheckIn: booking.MustDate("2026-12-31"), CheckOut: booking.MustDate("2027-01-02"), Rooms: 1}
	if err := h.Pusher.Announce(ctx, ev, realtime.UnitsLeft{Stay: 11}); err != nil {
		t.Fatal(err)
	}
	if got := p.types("revoked-push"); len(got) != 1 || got[0] != "booking.created" {
		t.Fatalf("before revocation the staff connection received %v", got)
	}

	if err := api.Store.RevokeAPIKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	before := map[string]int{}
	for _, c := range []string{"revoked-push", "kept", "anon"} {
		before[c] = len(p.types(c))
	}
	f, err := h.Pusher.Broadcast(ctx, realtime.BookingsTopic("lisbon-riverside"), map[string]string{"type": "booking.created"})
	if err != nil || f.Sent != 1 || f.Revoked != 1 {
		t.Fatalf("fan-out after revocation %+v %v, want 1 sent, 1 revoked", f, err)
	}
	if err := h.Pusher.Announce(ctx, ev, realtime.UnitsLeft{Stay: 10}); err != nil {
		t.Fatal(err)
	}
	if got := p.types("revoked-push")[before["revoked-push"]:]; len(got) != 0 {
		t.Fatalf("a revoked key's connection still received %v", got)
	}
	if got := len(p.types("kept")) - before["kept"]; got != 2 {
		t.Fatalf("the other staff connection received %d frames, want 2", got)
	}
	if got := len(p.types("anon")) - before["anon"]; got != 1 {
		t.Fatalf("the anonymous connection received %d frames, want 1", got)
	}
	if _, known, _ := h.Hub.Principal(ctx, "revoked-push"); known {
		t.Fatal("the revoked key's connection is still known")
	}

	// With a client that closes connections, the connection is told
	// through @connections before it is closed: a route response would
	// come after the close.
	resp, _ := h.Handle(ctx, event(t, "subscribe-availability", "revoked-subscribe"))
	if got := p.last("revoked-subscribe"); got["code"] != "key-revoked" || resp.Body != "" {
		t.Fatalf("subscribe with a revoked key answered %v, responded %q", got, resp.Body)
	}
	if subs, _ := h.Hub.Subscribers(ctx, realtime.AvailabilityTopic("lisbon-riverside")); len(subs) != 1 {
		t.Fatalf("availability subscribers %v, want only anon", subs)
	}
	p.mu.Lock()
	deleted := fmt.Sprint(p.deleted)
	p.mu.Unlock()
	if deleted != "[revoked-push revoked-subscribe]" {
		t.Fatalf("connections closed through the management API: %s", deleted)
	}
}
