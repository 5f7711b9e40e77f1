package main

import (
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// faultMetricsToken is the fault stack's METRICS_TOKEN, which shows
// /health in full.
const faultMetricsToken = "fault-test-metrics-token-0123456789"

// checkPublicHealth fails t unless a /health answer without credentials
// is the status and the version, and nothing else: no check, gauge or
// error text.
func checkPublicHealth(t *testing.T, r reply) {
	t.Helper()
	var keys []string
	for k := range r.body {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"status", "version"}) {
		t.Errorf("/health without credentials says %v", r.body)
	}
	if r.status != http.StatusOK && r.status != http.StatusServiceUnavailable {
		t.Errorf("/health without credentials: %d", r.status)
	}
}

// A hotel flooded with WebSocket watchers while the @connections
// endpoint has stopped answering: one address gets no more than its cap
// of connections, clients' frames are still answered at once, and a
// booking's mail still goes out once, from the
// first delivery of its message, which the worker finishes within its
// push budget instead of timing out; nothing comes back or reaches the
// dead-letter queue.
func faultWebSocketFlood(t *testing.T, f *faultStack) {
	// Start from a drained queue, so the message watched is this test's.
	f.drainEvents(t)
	dlqBefore, _, _, _ := f.Stack.sqs.Depth("events-dlq")
	mark := len(f.log.String())

	// Every client here is 127.0.0.1: it holds the default cap, 20.
	var watchers []*wsClient
	for range 20 {
		c, resp, err := dial(t, f.Stack, nil, "")
		if err != nil {
			t.Fatalf("watcher %d: %v %v", len(watchers)+1, err, resp)
		}
		c.send(map[string]any{"action": "subscribe", "topic": "availability", "hotel": "nyc-midtown"})
		c.await("subscribed", 10*time.Second)
		watchers = append(watchers, c)
	}
	if _, resp, err := dial(t, f.Stack, nil, ""); err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		code := 0
		if resp != nil {
			code = resp.StatusCode
		}
		t.Fatalf("a 21st connection from one address: %v, status %d, want 429", err, code)
	}

	f.toWS.Stall()
	defer f.toWS.Resume()
	// The ws function answers its clients through its routes' responses,
	// not @connections: a stalled endpoint, as in a stage without NAT,
	// does not hold up a pong or a subscribe.
	for _, c := range watchers[:2] {
		c.send(map[string]any{"action": "ping"})
		c.await("pong", 5*time.Second)
	}
	watchers[0].send(map[string]any{"action": "subscribe", "topic": "availability", "hotel": "lisbon-riverside"})
	watchers[0].await("subscribed", 5*time.Second)
	// How many pushes wait on the stalled endpoint at most.
	var mostHeld atomic.Int64
	sampling := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		for {
			if n := int64(f.toWS.Held()); n > mostHeld.Load() {
				mostHeld.Store(n)
			}
			select {
			case <-sampling:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	r := call(t, "POST", f.URL+"/v1/reservations", stayBody(50, 1, "flood@example.com"), "Idempotency-Key", "fault-flood-1")
	if r.status != http.StatusCreated {
		t.Fatalf("book: %d %v", r.status, r.body)
	}
	ref := reference(r)
	// The clock does not move: a message that failed or timed out would
	// not come back, so the mail can only come from its first delivery.
	f.mail.WaitFor(t, "Booking confirmed: "+ref, 1, 20*time.Second)
	t.Logf("confirmation after %v with the pushes stalled", time.Since(start).Round(time.Millisecond))
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		v, fl, _, _ := f.Stack.sqs.Depth("events")
		if v+fl == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the booking's message is still in the queue (%d visible, %d in flight): its batch did not succeed\n%s",
				v, fl, f.log.String()[mark:])
		}
	}
	close(sampling)
	<-sampled
	out := f.log.String()[mark:]
	if mostHeld.Load() == 0 {
		t.Errorf("no push reached the stalled @connections endpoint: the flood was not tested\n%s", out)
	}
	t.Logf("the batch answered after %v, with up to %d pushes waiting", time.Since(start).Round(time.Millisecond), mostHeld.Load())
	if strings.Contains(out, `"message failed"`) || strings.Contains(out, `"outcome":"timeout"`) {
		t.Errorf("a message failed or the worker timed out:\n%s", out)
	}
	f.toWS.Resume()
	f.clock.Advance(4 * time.Minute)
	time.Sleep(time.Second)
	f.expectOnce(t, []string{ref})
	if v, fl, _, _ := f.Stack.sqs.Depth("events-dlq"); v+fl != dlqBefore {
		t.Errorf("%d dead letters, %d before", v+fl, dlqBefore)
	}
	for _, c := range watchers {
		_ = c.conn.CloseNow()
	}
}
