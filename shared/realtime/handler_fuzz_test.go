package realtime_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
	"innkeeper/shared/demo"
	"innkeeper/shared/logging"
	"innkeeper/shared/realtime"
)

// poster is the management API, faked at the AWS boundary: it keeps the
// frames posted to each connection.
type poster struct {
	mu   sync.Mutex
	sent map[string][][]byte
}

func (p *poster) PostToConnection(_ context.Context, in *apigatewaymanagementapi.PostToConnectionInput, _ ...func(*apigatewaymanagementapi.Options)) (*apigatewaymanagementapi.PostToConnectionOutput, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := aws.ToString(in.ConnectionId)
	p.sent[id] = append(p.sent[id], in.Data)
	return &apigatewaymanagementapi.PostToConnectionOutput{}, nil
}

// take returns and forgets what was posted to id.
func (p *poster) take(id string) [][]byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.sent[id]
	delete(p.sent, id)
	return out
}

// The connections a fuzzed frame arrives on: one per kind of principal,
// and one API Gateway knows but the hub does not.
var fuzzConns = []struct {
	id string
	p  *realtime.Principal
}{
	{"fuzz-anon", &realtime.Principal{Kind: realtime.Anonymous}},
	{"fuzz-guest", &realtime.Principal{Kind: realtime.Guest, Reference: demo.ConfirmedReference}},
	{"fuzz-staff", &realtime.Principal{Kind: realtime.Staff, Role: "staff"}},
	{"fuzz-unknown", nil},
}

// errorCodes are the codes an error frame may carry.
var errorCodes = map[string]bool{
	"too-large": true, "bad-frame": true, "unknown-action": true, "unavailable": true,
	"unknown-connection": true, "not-found": true, "forbidden": true, "unknown-topic": true,
	"too-many-subscriptions": true,
}

// FuzzMessage sends any frame body on each kind of connection through the
// WebSocket function. Whatever the body, the function answers 200 with no
// error, posts nothing to @connections and answers exactly one frame in
// its response (the route response's body): pong to a ping, subscribed or
// unsubscribed to a topic the principal may have, and otherwise an error
// frame with a known code. A body that is not JSON is always bad-frame.
func FuzzMessage(f *testing.F) {
	for _, s := range []struct {
		conn uint8
		body string
	}{
		{0, `{"action":"ping"}`},
		{0, `{"action":"subscribe","topic":"availability","hotel":"lisbon-riverside"}`},
		{0, `{"action":"unsubscribe","topic":"availability","hotel":"lisbon-riverside"}`},
		{0, `{"action":"subscribe","topic":"availability","hotel":"atlantis"}`},
		{0, `{"action":"subscribe","topic":"reservation","reference":"INK-DEM0X1"}`},
		{1, `{"action":"subscribe","topic":"reservation","reference":"INK-DEM0X1"}`},
		{1, `{"action":"subscribe","topic":"reservation","reference":"INK-DEM0X2"}`},
		{2, `{"action":"subscribe","topic":"bookings","hotel":"nyc-midtown"}`},
		{2, `{"action":"subscribe","topic":"bookings","hotel":"../../etc"}`},
		{0, `{"action":"subscribe","topic":"bookings","hotel":"nyc-midtown"}`},
		{3, `{"action":"subscribe","topic":"availability","hotel":"lisbon-riverside"}`},
		{3, `{"action":"ping"}`},
		{0, `{"action":"dance"}`},
		{0, `{"ACTION":"PING"}`},
		{0, `{"action":"subscribe","topic":"weather"}`},
		{0, `{not json`},
		{0, ``},
		{0, `null`},
		{0, `[]`},
		{0, `"ping"`},
		{0, `{"action":1}`},
		{0, `{"action":"ping"} {"action":"ping"}`},
		{0, `{"action":"subscribe","topic":"availability","hotel":"lisbon-riverside","extra":true}`},
		{0, "{\"action\":\"ping\",\"topic\":\"\xff\"}"},
		{0, `{"action":"ping","pad":"` + strings.Repeat("x", realtime.MaxFrame) + `"}`},
	} {
		f.Add(s.conn, s.body)
	}

	api := testenv.NewAPI(f, testenv.APIOptions{NoRelay: true})
	p := &poster{sent: map[string][][]byte{}}
	hub := &realtime.Hub{Redis: api.Redis}
	h := &realtime.Handler{
		Hub: hub, Pusher: &realtime.Pusher{Hub: hub, Client: p, Log: logging.Discard()},
		Service: booking.NewService(api.Store, func() time.Time { return testenv.Clock }),
		Keys:    api.Store, Log: logging.Discard(),
	}
	ctx := context.Background()
	admin, err := api.Store.APIKey(ctx, testenv.AdminKey)
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range fuzzConns {
		if c.p != nil && c.p.Kind == realtime.Staff {
			c.p.KeyID, c.p.Key = admin.ID, admin.PublicID // a live key: re-checked at each subscribe
		}
		if c.p != nil {
			if err := hub.Connect(ctx, c.id, *c.p); err != nil {
				f.Fatal(err)
			}
		}
	}
	hotels := map[string]bool{"lisbon-riverside": true, "nyc-midtown": true}

	f.Fuzz(func(t *testing.T, conn uint8, body string) {
		c := fuzzConns[int(conn)%len(fuzzConns)]
		var ev events.APIGatewayWebsocketProxyRequest
		ev.RequestContext.EventType, ev.RequestContext.ConnectionID, ev.Body = "MESSAGE", c.id, body
		resp, err := h.Handle(ctx, ev)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("frame %q on %s: %d %v, want 200 and no error", body, c.id, resp.StatusCode, err)
		}
		if sent := p.take(c.id); len(sent) != 0 {
			t.Fatalf("frame %q on %s: %d frames posted to @connections, want the answer in the response", body, c.id, len(sent))
		}
		var got realtime.Frame
		if err := json.Unmarshal([]byte(resp.Body), &got); err != nil {
			t.Fatalf("answer %q is not a frame: %v", resp.Body, err)
		}
		// What the client asked, read as the function reads it.
		var asked struct{ Action, Topic, Hotel, Reference string }
		parsed := len(body) <= realtime.MaxFrame && json.Unmarshal([]byte(body), &asked) == nil
		switch got.Type {
		case "error":
			if !errorCodes[got.Code] || got.Message == "" {
				t.Fatalf("frame %q on %s: error frame %+v", body, c.id, got)
			}
			if !json.Valid([]byte(body)) && len(body) <= realtime.MaxFrame && got.Code != "bad-frame" {
				t.Fatalf("frame %q is not JSON, answered %+v, want bad-frame", body, got)
			}
			return
		case "pong":
			if !parsed || asked.Action != "ping" {
				t.Fatalf("frame %q on %s answered pong", body, c.id)
			}
			return
		case "subscribed", "unsubscribed":
		default:
			t.Fatalf("frame %q on %s: answer of unknown type %+v", body, c.id, got)
		}
		if !parsed || got.Type != asked.Action+"d" || c.p == nil {
			t.Fatalf("frame %q on %s answered %+v", body, c.id, got)
		}
		var allowed bool
		switch asked.Topic {
		case "availability":
			allowed = hotels[asked.Hotel] && got.Topic == realtime.AvailabilityTopic(asked.Hotel)
		case "reservation":
			allowed = c.p.Kind == realtime.Guest && asked.Reference == c.p.Reference && got.Topic == realtime.ReservationTopic(asked.Reference)
		case "bookings":
			allowed = c.p.Kind == realtime.Staff && hotels[asked.Hotel] && got.Topic == realtime.BookingsTopic(asked.Hotel)
		}
		if !allowed {
			t.Fatalf("frame %q on %s (%s) was granted %q", body, c.id, c.p.Kind, got.Topic)
		}
	})
}
