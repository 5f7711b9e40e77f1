package wsgateway_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"innkeeper/local/testsync"
	"innkeeper/local/wsgateway"
	"innkeeper/shared/topology"
)

func TestClientCloseInvokesDisconnect(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	c, id := e.dial(t, "")
	e.clock.advance(5 * time.Second)
	if err := c.Close(websocket.StatusGoingAway, "tab closed"); err != nil {
		t.Fatal(err)
	}
	d := disconnectOf(t, e, id)
	rc := d.RequestContext
	reason := ""
	if rc.DisconnectReason != nil {
		reason = *rc.DisconnectReason
	}
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"function", e.inv.callsOf("$disconnect")[0].function, "disconnect-fn"},
		{"eventType", rc.EventType, "DISCONNECT"},
		{"routeKey", rc.RouteKey, "$disconnect"},
		{"connectionId", rc.ConnectionID, id},
		{"disconnectStatusCode", rc.DisconnectStatusCode, int64(websocket.StatusGoingAway)},
		{"disconnectReason", reason, "tab closed"},
		{"connectedAt", rc.ConnectedAt, at.UnixMilli()},
		{"requestTimeEpoch", rc.RequestTimeEpoch, at.Add(5 * time.Second).UnixMilli()},
		{"Host header", d.Headers["Host"], rc.DomainName},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %v, want %v", c.got, c.want)
			}
		})
	}
	testsync.Eventually(t, wait, "forgotten", func() bool { return e.g.Connections() == 0 })
}

// Messages sent just before the client closes still reach their function,
// and before $disconnect.
func TestMessagesBeforeCloseComeFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	c, id := e.dial(t, "")
	write(t, c, `{"action":"subscribe"}`)
	write(t, c, `last words`)
	if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	disconnectOf(t, e, id)
	e.inv.mu.Lock()
	defer e.inv.mu.Unlock()
	var routes []string
	for _, call := range e.inv.calls {
		routes = append(routes, call.event.RequestContext.RouteKey)
	}
	if got, want := strings.Join(routes, " "), "$connect subscribe $default $disconnect"; got != want {
		t.Errorf("invocations %s, want %s", got, want)
	}
}

func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	const idle = 150 * time.Millisecond
	e := newEnv(t, fullAPI, wsgateway.Options{IdleTimeout: idle}, nil)
	c, id := e.dial(t, "")

	// Messages either way keep it open past the timeout.
	start := time.Now()
	for i := 0; time.Since(start) < 3*idle; i++ {
		if i%2 == 0 {
			write(t, c, `{"action":"subscribe"}`)
		} else {
			if err := post(e, id, []byte("tick")); err != nil {
				t.Fatal(err)
			}
			read(t, c)
		}
		time.Sleep(idle / 3)
	}
	if got := e.g.Connections(); got != 1 {
		t.Fatalf("Connections() = %d while active, want 1", got)
	}

	quiet := time.Now()
	code, reason := closed(t, c)
	if code != websocket.StatusGoingAway || reason != "Going away" {
		t.Errorf("closed with %v %q, want 1001 Going away", code, reason)
	}
	if d := time.Since(quiet); d < idle/2 {
		t.Errorf("closed after %s of silence, before the idle timeout of %s", d, idle)
	}
	if got := disconnectOf(t, e, id).RequestContext.DisconnectStatusCode; got != int64(websocket.StatusGoingAway) {
		t.Errorf("disconnectStatusCode %d, want 1001", got)
	}
}

func TestMaxDuration(t *testing.T) {
	t.Parallel()
	const life = 300 * time.Millisecond
	e := newEnv(t, fullAPI, wsgateway.Options{MaxDuration: life}, nil)
	c, id := e.dial(t, "")
	start := time.Now()
	// Activity does not extend a connection's life.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for time.Since(start) < 3*life {
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			err := c.Write(ctx, websocket.MessageText, []byte(`{"action":"subscribe"}`))
			cancel()
			if err != nil {
				return
			}
			time.Sleep(life / 6)
		}
	}()
	code, _ := closed(t, c)
	<-done
	if code != websocket.StatusGoingAway {
		t.Errorf("closed with %v, want 1001", code)
	}
	if d := time.Since(start); d < life || d > 2*life {
		t.Errorf("closed after %s, want about %s", d, life)
	}
	disconnectOf(t, e, id)
}

func TestCloseClosesEveryConnection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	a, idA := e.dial(t, "")
	b, idB := e.dial(t, "")
	codes := make(chan websocket.StatusCode, 2)
	for _, c := range []*websocket.Conn{a, b} {
		go func() {
			_, _, err := c.Read(context.Background())
			codes <- websocket.CloseStatus(err)
		}()
	}
	e.g.Close()
	// Close waited for both $disconnect invocations.
	got := map[string]bool{}
	for _, call := range e.inv.callsOf("$disconnect") {
		got[call.event.RequestContext.ConnectionID] = true
	}
	if !got[idA] || !got[idB] || len(got) != 2 {
		t.Errorf("$disconnect for %v, want %s and %s", got, idA, idB)
	}
	for range 2 {
		select {
		case code := <-codes:
			if code != websocket.StatusGoingAway {
				t.Errorf("client saw close %v, want 1001", code)
			}
		case <-time.After(wait):
			t.Fatal("a client was not closed")
		}
	}
	if n := e.g.Connections(); n != 0 {
		t.Errorf("Connections() = %d after Close", n)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if c, _, err := websocket.Dial(ctx, e.wsURL, nil); err == nil {
		c.CloseNow()
		t.Error("a connection opened after Close")
	}
}

func TestLogLines(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	c, id := e.dial(t, "")
	write(t, c, `{"action":"subscribe"}`)
	e.inv.waitCalls(t, "subscribe", 1)
	if err := post(e, id, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	read(t, c)
	if err := c.Close(websocket.StatusNormalClosure, ""); err != nil {
		t.Fatal(err)
	}
	disconnectOf(t, e, id)
	testsync.Eventually(t, wait, "the disconnect logged", func() bool {
		for _, l := range logLines(t, e.logs) {
			if l["route_key"] == "$disconnect" {
				return true
			}
		}
		return false
	})
	want := []struct {
		name     string
		msg      string
		routeKey string
		status   float64
	}{
		{"connect", "websocket connection", "$connect", 101},
		{"message", "websocket message", "subscribe", 200},
		{"post", "websocket management", "", 200},
		{"disconnect", "websocket connection", "$disconnect", 200},
	}
	lines := logLines(t, e.logs)
	for _, w := range want {
		t.Run(w.name, func(t *testing.T) {
			for _, l := range lines {
				rk, _ := l["route_key"].(string)
				if l["msg"] == w.msg && rk == w.routeKey {
					if l["connection_id"] != id || l["status"] != w.status {
						t.Errorf("line %v: want connection %s, status %v", l, id, w.status)
					}
					if _, ok := l["latency_ms"].(float64); !ok {
						t.Errorf("line %v has no latency_ms", l)
					}
					return
				}
			}
			t.Errorf("no %q line with route key %q in %v", w.msg, w.routeKey, lines)
		})
	}
}

func TestStartRefusesAddressesBeyondLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		addr string
		ok   bool
	}{
		{"ipv4 loopback", "127.0.0.1:0", true},
		{"localhost", "localhost:0", true},
		{"every interface", ":0", false},
		{"unspecified", "0.0.0.0:0", false},
		{"private address", "192.168.1.10:0", false},
		{"host name", "example.com:0", false},
		{"no port", "127.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := wsgateway.New(fullAPI, &fakeInvoker{}, wsgateway.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer g.Close()
			url, err := g.Start(tt.addr)
			if tt.ok != (err == nil) {
				t.Fatalf("Start(%q) = %q, %v; want ok=%v", tt.addr, url, err, tt.ok)
			}
			if tt.ok && !strings.HasPrefix(url, "http://127.0.0.1:") {
				t.Errorf("url = %q, want http://127.0.0.1:port", url)
			}
		})
	}
}

func TestNewRefuses(t *testing.T) {
	t.Parallel()
	route := func(key, fn string) topology.WebSocketRoute { return topology.WebSocketRoute{Key: key, Function: fn} }
	tests := []struct {
		name string
		api  topology.WebSocketAPI
		inv  wsgateway.Invoker
	}{
		{"no invoker", fullAPI, nil},
		{"header selection", topology.WebSocketAPI{RouteSelection: "$request.header.action"}, &fakeInvoker{}},
		{"empty field", topology.WebSocketAPI{RouteSelection: "$request.body."}, &fakeInvoker{}},
		{"empty segment", topology.WebSocketAPI{RouteSelection: "$request.body.a..b"}, &fakeInvoker{}},
		{"route twice", topology.WebSocketAPI{Routes: []topology.WebSocketRoute{route("a", "f"), route("a", "g")}}, &fakeInvoker{}},
		{"route without function", topology.WebSocketAPI{Routes: []topology.WebSocketRoute{route("a", "")}}, &fakeInvoker{}},
		{"route without key", topology.WebSocketAPI{Routes: []topology.WebSocketRoute{route("", "f")}}, &fakeInvoker{}},
		{"unknown reserved key", topology.WebSocketAPI{Routes: []topology.WebSocketRoute{route("$other", "f")}}, &fakeInvoker{}},
		{"$connect replying", topology.WebSocketAPI{Routes: []topology.WebSocketRoute{{Key: "$connect", Function: "f", Reply: true}}}, &fakeInvoker{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if g, err := wsgateway.New(tt.api, tt.inv, wsgateway.Options{}); err == nil {
				g.Close()
				t.Error("New accepted it")
			}
		})
	}
	// The manifest itself is accepted.
	g, err := wsgateway.New(topology.Innkeeper.WebSocket, &fakeInvoker{}, wsgateway.Options{})
	if err != nil {
		t.Fatalf("the manifest's WebSocket API: %v", err)
	}
	g.Close()
}
