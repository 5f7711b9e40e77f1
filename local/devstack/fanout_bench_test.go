package main

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"innkeeper/shared/bootstrap/push"
	"innkeeper/shared/logging"
	"innkeeper/shared/realtime"
)

// BenchmarkFanout is the time to push one event to 1,000 WebSocket
// connections through the devstack: the worker's fan-out (16 posts at a
// time to the @connections API) until every client has read it.
func BenchmarkFanout(b *testing.B) {
	const n = 1000
	// Every client is 127.0.0.1: lift the cap of connections per address.
	s, _ := startStack(b, withEnv(map[string]string{"WS_MAX_CONNECTIONS_PER_ADDRESS": fmt.Sprint(2 * n)}))
	ctx := context.Background()
	var received sync.WaitGroup
	clients := make([]*websocket.Conn, 0, n)
	for i := 0; i < n; i++ {
		c, _, err := websocket.Dial(ctx, s.WSURL, nil)
		if err != nil {
			b.Fatalf("client %d: %v", i, err)
		}
		clients = append(clients, c)
		if err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"subscribe","topic":"availability","hotel":"lisbon-riverside"}`)); err != nil {
			b.Fatal(err)
		}
		if _, _, err := c.Read(ctx); err != nil { // "subscribed"
			b.Fatal(err)
		}
	}
	defer func() {
		for _, c := range clients {
			_ = c.CloseNow()
		}
	}()
	cfg := s.cfg
	cfg.WSManagementEndpoint = s.overrides["WS_MANAGEMENT_ENDPOINT"]
	pusher, err := push.New(cfg, logging.Discard())
	if err != nil {
		b.Fatal(err)
	}

	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		received.Add(n)
		for _, cl := range clients {
			go func() {
				defer received.Done()
				_, _, _ = cl.Read(ctx)
			}()
		}
		start := time.Now()
		f, err := pusher.Broadcast(ctx, realtime.AvailabilityTopic("lisbon-riverside"), realtime.AvailabilityChanged{
			Type: "availability.changed", Hotel: "lisbon-riverside", RoomType: "FAM", UnitsLeft: i})
		if err != nil || f.Sent != n {
			b.Fatalf("fan-out %+v %v", f, err)
		}
		received.Wait()
		total += time.Since(start)
	}
	b.StopTimer()
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/1000-connections")
	fmt.Printf("FANOUT one event to %d WebSocket connections through the devstack: %.1f ms\n", n, float64(total.Microseconds())/1000/float64(b.N))
}
