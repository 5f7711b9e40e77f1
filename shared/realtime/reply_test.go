package realtime_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"

	"innkeeper/local/testenv"
	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/logging"
	"innkeeper/shared/realtime"
)

// unreachable is the @connections API from a VPC without egress: a post
// waits until its caller gives up, as a connection that never completes
// does. It cannot close connections.
type unreachable struct{ calls atomic.Int64 }

func (u *unreachable) PostToConnection(ctx context.Context, _ *apigatewaymanagementapi.PostToConnectionInput, _ ...func(*apigatewaymanagementapi.Options)) (*apigatewaymanagementapi.PostToConnectionOutput, error) {
	u.calls.Add(1)
	<-ctx.Done()
	return nil, ctx.Err()
}

// Every frame is answered in the function's response, so the answers
// need no @connections endpoint: with none configured (a nil client),
// or with one that cannot be reached, subscribe, unsubscribe, ping and
// the error frames are answered at once, and nothing calls @connections.
// Without an endpoint a revoked key's connection is told why and
// forgotten, though not closed remotely.
func TestFramesAreAnsweredWithoutAnEndpoint(t *testing.T) {
	t.Parallel()
	api := testenv.NewAPI(t, testenv.APIOptions{NoRelay: true})
	ctx := context.Background()
	// A nil client is no WS_MANAGEMENT_ENDPOINT at all.
	blocked := &unreachable{}
	for _, tt := range []struct {
		name    string
		client  realtime.Poster
		revoked realtime.Frame // the answer to a subscribe with a revoked key
	}{
		{"no endpoint", nil, realtime.Frame{Type: "error", Code: "key-revoked"}},
		{"unreachable endpoint", blocked, realtime.Frame{Type: "error", Code: "key-revoked"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			token, _ := auth.NewAPIKey(auth.RoleStaff)
			k, err := api.Store.CreateAPIKey(ctx, "front desk", auth.RoleStaff, token, nil)
			if err != nil {
				t.Fatal(err)
			}
			hub := &realtime.Hub{Redis: api.Redis}
			h := &realtime.Handler{
				Hub: hub, Pusher: &realtime.Pusher{Hub: hub, Client: tt.client, Log: logging.Discard()},
				Service: booking.NewService(api.Store, func() time.Time { return testenv.Clock }),
				Keys:    api.Store, Log: logging.Discard(),
			}
			conn, staff := tt.name+"-anon", tt.name+"-staff"
			if err := hub.Connect(ctx, conn, realtime.Principal{Kind: realtime.Anonymous}); err != nil {
				t.Fatal(err)
			}
			if err := hub.Connect(ctx, staff, realtime.Principal{Kind: realtime.Staff, Role: "staff", KeyID: k.ID, Key: k.PublicID}); err != nil {
				t.Fatal(err)
			}
			frame := func(id, body string) realtime.Frame {
				t.Helper()
				// A reply waiting on @connections would end only here.
				ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				var ev events.APIGatewayWebsocketProxyRequest
				ev.RequestContext.EventType, ev.RequestContext.ConnectionID, ev.Body = "MESSAGE", id, body
				start := time.Now()
				resp, err := h.Handle(ctx, ev)
				if err != nil || resp.StatusCode != 200 {
					t.Fatalf("%s: %d %v", body, resp.StatusCode, err)
				}
				if ctx.Err() != nil {
					t.Fatalf("%s: answered after %v, waiting on @connections", body, time.Since(start))
				}
				var f realtime.Frame
				if err := json.Unmarshal([]byte(resp.Body), &f); err != nil {
					t.Fatalf("%s: answered %q, want a frame: %v", body, resp.Body, err)
				}
				return f
			}
			for _, s := range []struct{ id, body, typ, code string }{
				{conn, `{"action":"ping"}`, "pong", ""},
				{conn, `{"action":"subscribe","topic":"availability","hotel":"lisbon-riverside"}`, "subscribed", ""},
				{conn, `{"action":"unsubscribe","topic":"availability","hotel":"lisbon-riverside"}`, "unsubscribed", ""},
				{conn, `{"action":"subscribe","topic":"bookings","hotel":"lisbon-riverside"}`, "error", "forbidden"},
				{conn, `{not json`, "error", "bad-frame"},
				{staff, `{"action":"subscribe","topic":"bookings","hotel":"lisbon-riverside"}`, "subscribed", ""},
			} {
				if f := frame(s.id, s.body); f.Type != s.typ || f.Code != s.code {
					t.Fatalf("%s on %s answered %+v, want %s %s", s.body, s.id, f, s.typ, s.code)
				}
			}

			if err := api.Store.RevokeAPIKey(ctx, k.ID); err != nil {
				t.Fatal(err)
			}
			f := frame(staff, `{"action":"subscribe","topic":"availability","hotel":"lisbon-riverside"}`)
			if f.Type != tt.revoked.Type || f.Code != tt.revoked.Code || f.Message == "" {
				t.Fatalf("subscribe with a revoked key answered %+v, want %s", f, tt.revoked.Code)
			}
			if _, known, _ := hub.Principal(ctx, staff); known {
				t.Fatal("the revoked key's connection is still known")
			}
			if ids, _ := hub.Subscribers(ctx, realtime.BookingsTopic("lisbon-riverside")); len(ids) != 0 {
				t.Fatalf("the revoked key's connection still follows bookings: %v", ids)
			}
			if n := blocked.calls.Load(); n != 0 {
				t.Fatalf("%d calls to @connections to answer frames", n)
			}
			// Pushes still need the client; without one they fail at once.
			if tt.client == nil {
				if err := h.Pusher.Send(ctx, conn, realtime.Frame{Type: "pong"}); !errors.Is(err, realtime.ErrNoClient) {
					t.Fatalf("a push with no endpoint: %v, want ErrNoClient", err)
				}
			}
		})
	}
	// With a client that can also close connections, the revoked key's
	// connection is told through @connections before it is closed (a
	// response would come after the close): tested in functions/ws.
}
