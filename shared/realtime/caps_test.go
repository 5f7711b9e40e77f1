package realtime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/redis/go-redis/v9"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
	"innkeeper/shared/keyring"
	"innkeeper/shared/logging"
	"innkeeper/shared/realtime"
)

// capped is the WebSocket function with small caps, on the demo data and
// a Redis prefix of its own.
func capped(t *testing.T, conns, subs int) (*realtime.Handler, *testenv.API, *poster) {
	t.Helper()
	api := testenv.NewAPI(t, testenv.APIOptions{NoRelay: true})
	addrs, err := keyring.NewAddresses("local-development-app-key-not-secret-0000")
	if err != nil {
		t.Fatal(err)
	}
	p := &poster{sent: map[string][][]byte{}}
	hub := &realtime.Hub{Redis: api.Redis}
	return &realtime.Handler{
		Hub: hub, Pusher: &realtime.Pusher{Hub: hub, Client: p, Log: logging.Discard()},
		Service: booking.NewService(api.Store, func() time.Time { return testenv.Clock }),
		Keys:    api.Store, Log: logging.Discard(), Addresses: addrs,
		MaxConnectionsPerAddress: conns, MaxSubscriptionsPerConnection: subs,
	}, api, p
}

func connect(t *testing.T, h *realtime.Handler, id, ip string) int {
	t.Helper()
	var ev events.APIGatewayWebsocketProxyRequest
	ev.RequestContext.EventType, ev.RequestContext.ConnectionID = "CONNECT", id
	ev.RequestContext.Identity.SourceIP = ip
	resp, err := h.Handle(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func disconnect(t *testing.T, h *realtime.Handler, id string) {
	t.Helper()
	var ev events.APIGatewayWebsocketProxyRequest
	ev.RequestContext.EventType, ev.RequestContext.ConnectionID = "DISCONNECT", id
	if resp, err := h.Handle(context.Background(), ev); err != nil || resp.StatusCode != 200 {
		t.Fatalf("disconnect %s: %d %v", id, resp.StatusCode, err)
	}
}

// send hands the function one frame on connection id and returns the
// frame it answered in its response; nothing may go to @connections.
func send(t *testing.T, h *realtime.Handler, p *poster, id, body string) realtime.Frame {
	t.Helper()
	var ev events.APIGatewayWebsocketProxyRequest
	ev.RequestContext.EventType, ev.RequestContext.ConnectionID, ev.Body = "MESSAGE", id, body
	resp, err := h.Handle(context.Background(), ev)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("frame %s: %d %v", body, resp.StatusCode, err)
	}
	if sent := p.take(id); len(sent) != 0 {
		t.Fatalf("frame %s: %d frames posted to @connections, want the answer in the response", body, len(sent))
	}
	var f realtime.Frame
	if err := json.Unmarshal([]byte(resp.Body), &f); err != nil {
		t.Fatalf("frame %s answered %q: %v", body, resp.Body, err)
	}
	return f
}

// One address holds at most its cap of connections, however many
// $connects arrive at once; another address is not affected; a
// disconnect gives its place back; and Redis never holds the address in
// clear.
func TestConnectionsPerAddressAreCapped(t *testing.T) {
	t.Parallel()
	h, api, _ := capped(t, 3, 50)
	const flood, other = "198.51.100.23", "2001:db8:77::1"

	var admitted, refused atomic.Int64
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			switch code := connect(t, h, fmt.Sprintf("flood-%d", i), flood); code {
			case 200:
				admitted.Add(1)
			case 429:
				refused.Add(1)
			default:
				t.Errorf("connect: %d", code)
			}
		}()
	}
	wg.Wait()
	if admitted.Load() != 3 || refused.Load() != 37 {
		t.Fatalf("40 connects from one address: %d admitted, %d refused; want 3 and 37", admitted.Load(), refused.Load())
	}
	if code := connect(t, h, "other-1", other); code != 200 {
		t.Fatalf("another address: %d", code)
	}
	var holder string
	for i := range 40 {
		id := fmt.Sprintf("flood-%d", i)
		if _, ok, _ := h.Hub.Principal(context.Background(), id); ok {
			holder = id
			break
		}
	}
	if holder == "" {
		t.Fatal("no admitted connection is known to the hub")
	}
	disconnect(t, h, holder)
	if code := connect(t, h, "flood-again", flood); code != 200 {
		t.Fatalf("after a disconnect: %d, want a place", code)
	}
	if code := connect(t, h, "flood-more", flood); code != 429 {
		t.Fatalf("over the cap again: %d, want 429", code)
	}

	ctx := context.Background()
	rdb := api.Redis.Redis()
	keys, err := rdb.Keys(ctx, api.Redis.Key("*")).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		dump, _ := rdb.Dump(ctx, k).Result()
		for _, ip := range []string{flood, other, "2001:db8:77"} {
			if strings.Contains(k, ip) || strings.Contains(dump, ip) {
				t.Fatalf("Redis holds %s in clear in %s", ip, k)
			}
		}
	}
}

// A connection whose $disconnect never came holds its place only for
// API Gateway's connection lifetime.
func TestALostConnectionsPlaceLapses(t *testing.T) {
	t.Parallel()
	h, api, _ := capped(t, 2, 50)
	const ip = "198.51.100.24"
	for _, id := range []string{"lost-1", "lost-2"} {
		if code := connect(t, h, id, ip); code != 200 {
			t.Fatalf("%s: %d", id, code)
		}
	}
	if code := connect(t, h, "lost-3", ip); code != 429 {
		t.Fatalf("over the cap: %d", code)
	}
	// Two hours and a minute later, without a $disconnect.
	ctx := context.Background()
	rdb := api.Redis.Redis()
	keys, err := rdb.Keys(ctx, api.Redis.Key("ws:addr:*")).Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("address keys %v %v", keys, err)
	}
	if ttl := rdb.PTTL(ctx, keys[0]).Val(); ttl <= 0 || ttl > realtime.ConnectionTTL {
		t.Fatalf("the address's places expire in %v", ttl)
	}
	past := float64(time.Now().Add(-time.Minute).UnixMilli())
	for _, id := range []string{"lost-1", "lost-2"} {
		rdb.ZAdd(ctx, keys[0], redis.Z{Score: past, Member: id})
	}
	if code := connect(t, h, "lost-3", ip); code != 200 {
		t.Fatalf("after the lost connections' time: %d, want a place", code)
	}
}

// A connection follows at most its cap of topics: one more is an error
// frame and is not added; subscribing again to a topic it follows, or
// after unsubscribing one, is fine. Concurrent subscribes cannot pass
// the cap together.
func TestSubscriptionsPerConnectionAreCapped(t *testing.T) {
	t.Parallel()
	h, api, p := capped(t, 20, 2)
	ctx := context.Background()
	admin, err := api.Store.APIKey(ctx, testenv.AdminKey)
	if err != nil {
		t.Fatal(err)
	}
	// A live key: staff connections are re-checked at each subscribe.
	staff := realtime.Principal{Kind: realtime.Staff, Role: "staff", KeyID: admin.ID, Key: admin.PublicID}
	if err := h.Hub.Connect(ctx, "staff-1", staff); err != nil {
		t.Fatal(err)
	}
	sub := func(topic, hotel string) string {
		return fmt.Sprintf(`{"action":"subscribe","topic":%q,"hotel":%q}`, topic, hotel)
	}
	for _, body := range []string{sub("availability", "lisbon-riverside"), sub("availability", "nyc-midtown"), sub("availability", "nyc-midtown")} {
		if f := send(t, h, p, "staff-1", body); f.Type != "subscribed" {
			t.Fatalf("%s: %+v", body, f)
		}
	}
	f := send(t, h, p, "staff-1", sub("bookings", "lisbon-riverside"))
	if f.Type != "error" || f.Code != "too-many-subscriptions" || f.Message == "" {
		t.Fatalf("a third topic: %+v, want too-many-subscriptions", f)
	}
	if ids, _ := h.Hub.Subscribers(ctx, realtime.BookingsTopic("lisbon-riverside")); len(ids) != 0 {
		t.Fatalf("refused subscription added: %v", ids)
	}
	if f := send(t, h, p, "staff-1", `{"action":"unsubscribe","topic":"availability","hotel":"nyc-midtown"}`); f.Type != "unsubscribed" {
		t.Fatalf("unsubscribe: %+v", f)
	}
	if f := send(t, h, p, "staff-1", sub("bookings", "lisbon-riverside")); f.Type != "subscribed" {
		t.Fatalf("after an unsubscribe: %+v", f)
	}

	// Two topics at once on a fresh connection with room for one.
	h.MaxSubscriptionsPerConnection = 1
	for round := range 10 {
		id := fmt.Sprintf("race-%d", round)
		if err := h.Hub.Connect(ctx, id, staff); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for _, hotel := range []string{"lisbon-riverside", "nyc-midtown"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var ev events.APIGatewayWebsocketProxyRequest
				ev.RequestContext.EventType, ev.RequestContext.ConnectionID, ev.Body = "MESSAGE", id, sub("availability", hotel)
				_, _ = h.Handle(ctx, ev)
			}()
		}
		wg.Wait()
		n := 0
		for _, hotel := range []string{"lisbon-riverside", "nyc-midtown"} {
			ids, _ := h.Hub.Subscribers(ctx, realtime.AvailabilityTopic(hotel))
			for _, s := range ids {
				if s == id {
					n++
				}
			}
		}
		if n != 1 {
			t.Fatalf("round %d: %d subscriptions with a cap of 1", round, n)
		}
		p.take(id)
	}
}
