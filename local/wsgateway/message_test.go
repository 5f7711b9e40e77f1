package wsgateway_test

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"innkeeper/local/sandbox"
	"innkeeper/local/testsync"
	"innkeeper/local/wsgateway"
	"innkeeper/shared/topology"
)

func TestRouteSelection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	c, id := e.dial(t, "")
	tests := []struct {
		name         string
		message      string
		wantRoute    string
		wantFunction string
	}{
		{"subscribe", `{"action":"subscribe","hotel":"grand"}`, "subscribe", "subscribe-fn"},
		{"unsubscribe", `{"action":"unsubscribe"}`, "unsubscribe", "unsubscribe-fn"},
		{"unknown action", `{"action":"dance"}`, "$default", "default-fn"},
		{"invalid JSON", `subscribe`, "$default", "default-fn"},
		{"no action", `{"hotel":"grand"}`, "$default", "default-fn"},
		{"action not a string", `{"action":1}`, "$default", "default-fn"},
		{"JSON that is not an object", `["subscribe"]`, "$default", "default-fn"},
		{"reserved route named", `{"action":"$disconnect"}`, "$default", "default-fn"},
		{"case matters", `{"action":"Subscribe"}`, "$default", "default-fn"},
	}
	for _, tt := range tests {
		write(t, c, tt.message)
	}
	var got []call
	testsync.Eventually(t, wait, "all messages invoked", func() bool {
		got = nil
		for _, key := range []string{"subscribe", "unsubscribe", "$default"} {
			got = append(got, e.inv.callsOf(key)...)
		}
		return len(got) == len(tests)
	})
	byBody := map[string]call{}
	for _, c := range got {
		byBody[c.event.Body] = c
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := byBody[tt.message]
			if !ok {
				t.Fatalf("message %s never reached a function", tt.message)
			}
			rc := c.event.RequestContext
			if rc.RouteKey != tt.wantRoute || c.function != tt.wantFunction {
				t.Errorf("route %s to %s, want %s to %s", rc.RouteKey, c.function, tt.wantRoute, tt.wantFunction)
			}
			if rc.EventType != "MESSAGE" || rc.MessageDirection != "IN" || rc.ConnectionID != id {
				t.Errorf("eventType %s, direction %s, connection %s", rc.EventType, rc.MessageDirection, rc.ConnectionID)
			}
			if mid, _ := rc.MessageID.(string); !idPattern.MatchString(mid) {
				t.Errorf("messageId %v not in API Gateway's style", rc.MessageID)
			}
			if rc.ConnectedAt != at.UnixMilli() {
				t.Errorf("connectedAt %d, want %d", rc.ConnectedAt, at.UnixMilli())
			}
		})
	}
}

func TestNoDefaultRouteSendsForbidden(t *testing.T) {
	t.Parallel()
	api := topology.WebSocketAPI{
		RouteSelection: "$request.body.action",
		Routes:         []topology.WebSocketRoute{{Key: "$connect", Function: "connect-fn"}, {Key: "subscribe", Function: "subscribe-fn"}},
	}
	e := newEnv(t, api, wsgateway.Options{}, nil)
	c, id := e.dial(t, "")
	tests := []struct {
		name    string
		message string
	}{
		{"unknown action", `{"action":"dance"}`},
		{"invalid JSON", `hello`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			write(t, c, tt.message)
			typ, frame := read(t, c)
			if typ != websocket.MessageText {
				t.Errorf("frame type %v, want text", typ)
			}
			if want := `{"message": "Forbidden", "connectionId":"` + id + `", "requestId":"`; !strings.HasPrefix(string(frame), want) {
				t.Errorf("frame %s, want it to start %s", frame, want)
			}
			var doc map[string]string
			if err := json.Unmarshal(frame, &doc); err != nil {
				t.Fatalf("frame %s: %v", frame, err)
			}
			if !idPattern.MatchString(doc["requestId"]) {
				t.Errorf("requestId %q not in API Gateway's style", doc["requestId"])
			}
		})
	}
	// A message with a route still reaches it, and the connection stayed open.
	write(t, c, `{"action":"subscribe"}`)
	e.inv.waitCalls(t, "subscribe", 1)
	if n := len(e.inv.callsOf("$default")); n != 0 {
		t.Errorf("%d invocations of a $default that does not exist", n)
	}
}

func TestMessagesOneAtATimeInOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, map[string]answer{
		"$default": func(ev events.APIGatewayWebsocketProxyRequest) (sandbox.Result, error) {
			// Earlier messages take longer, so that a gateway invoking
			// them concurrently would finish them out of order.
			n, _ := strconv.Atoi(ev.Body)
			time.Sleep(time.Duration(20-n) * time.Millisecond / 4)
			return sandbox.Result{Payload: []byte(`{"statusCode":200}`)}, nil
		},
	})
	c, _ := e.dial(t, "")
	const n = 20
	for i := range n {
		write(t, c, strconv.Itoa(i))
	}
	got := e.inv.waitCalls(t, "$default", n)
	for i, call := range got {
		if call.event.Body != strconv.Itoa(i) {
			t.Fatalf("invocation %d had message %q, want %d", i, call.event.Body, i)
		}
	}
	e.inv.mu.Lock()
	overlap := e.inv.overlap
	e.inv.mu.Unlock()
	if overlap {
		t.Error("two messages of one connection were invoked at once")
	}
}

// Connections are independent: a slow function on one does not hold up
// another.
func TestConnectionsDoNotWaitForEachOther(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	e := newEnv(t, fullAPI, wsgateway.Options{}, map[string]answer{
		"subscribe": func(ev events.APIGatewayWebsocketProxyRequest) (sandbox.Result, error) {
			<-release
			return sandbox.Result{Payload: []byte(`{"statusCode":200}`)}, nil
		},
	})
	defer close(release)
	slow, _ := e.dial(t, "")
	fast, _ := e.dial(t, "")
	write(t, slow, `{"action":"subscribe"}`)
	e.inv.waitCalls(t, "subscribe", 1)
	write(t, fast, `{"action":"other"}`)
	e.inv.waitCalls(t, "$default", 1)
}

func TestFunctionErrorSendsInternalServerError(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, map[string]answer{
		"$default": func(ev events.APIGatewayWebsocketProxyRequest) (sandbox.Result, error) {
			return sandbox.Result{Payload: []byte(`{"statusCode":200,"body":"pong"}`)}, nil
		},
		"subscribe": func(ev events.APIGatewayWebsocketProxyRequest) (sandbox.Result, error) {
			return sandbox.Result{FunctionError: "Unhandled", Payload: []byte(`{"errorType":"errorString","errorMessage":"boom"}`)}, nil
		},
		"unsubscribe": func(ev events.APIGatewayWebsocketProxyRequest) (sandbox.Result, error) {
			return sandbox.Result{FunctionError: "Unhandled", Timeout: true, Payload: []byte(`{"errorMessage":"Task timed out"}`)}, nil
		},
	})
	c, id := e.dial(t, "")
	// The $default answer's body is not sent: the first frame the client
	// gets is the error of the message after it.
	write(t, c, `ping`)
	write(t, c, `{"action":"subscribe"}`)
	write(t, c, `{"action":"unsubscribe"}`)
	for _, route := range []string{"subscribe", "unsubscribe"} {
		_, frame := read(t, c)
		want := `{"message": "Internal server error", "connectionId":"` + id + `", "requestId":"`
		if !strings.HasPrefix(string(frame), want) {
			t.Errorf("after a failing %s: frame %s, want it to start %s", route, frame, want)
		}
	}
	if got := e.g.Connections(); got != 1 {
		t.Errorf("Connections() = %d, want the connection still open", got)
	}
}

func TestFrameAndMessageLimits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	text := func(n int) []byte { return []byte(strings.Repeat("a", n)) }
	tests := []struct {
		name  string
		send  func(ctx context.Context, c *websocket.Conn) error
		size  int                  // of the message, when it arrives
		close websocket.StatusCode // when it does not
	}{
		{
			name: "one frame of 32 KB arrives",
			send: func(ctx context.Context, c *websocket.Conn) error {
				return c.Write(ctx, websocket.MessageText, text(wsgateway.MaxFrame))
			},
			size: wsgateway.MaxFrame,
		},
		{
			name: "one frame over 32 KB closes with 1009",
			send: func(ctx context.Context, c *websocket.Conn) error {
				return c.Write(ctx, websocket.MessageText, text(wsgateway.MaxFrame+1))
			},
			close: websocket.StatusMessageTooBig,
		},
		{
			name: "128 KB in frames of 32 KB arrives",
			send: sendFrames(text(wsgateway.MaxMessage), wsgateway.MaxFrame),
			size: wsgateway.MaxMessage,
		},
		{
			name:  "over 128 KB in frames of 32 KB closes with 1009",
			send:  sendFrames(text(wsgateway.MaxMessage+1), wsgateway.MaxFrame),
			close: websocket.StatusMessageTooBig,
		},
		{
			name:  "a frame over 32 KB among small ones closes with 1009",
			send:  sendFrames(text(3*wsgateway.MaxFrame), 2*wsgateway.MaxFrame),
			close: websocket.StatusMessageTooBig,
		},
		{
			name: "binary closes with 1003",
			send: func(ctx context.Context, c *websocket.Conn) error {
				return c.Write(ctx, websocket.MessageBinary, []byte{0, 1, 2})
			},
			close: websocket.StatusUnsupportedData,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, id := e.dial(t, "")
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			if err := tt.send(ctx, c); err != nil {
				t.Fatal(err)
			}
			if tt.close == 0 {
				// It arrives, and the connection stays open for the next.
				testsync.Eventually(t, wait, "delivered", func() bool { return delivered(e, id, tt.size) })
				write(t, c, `{"action":"subscribe"}`)
				testsync.Eventually(t, wait, "the next message delivered", func() bool { return routedFor(e, id, "subscribe") })
				return
			}
			code, _ := closed(t, c)
			if code != tt.close {
				t.Errorf("closed with %v, want %v", code, tt.close)
			}
			d := disconnectOf(t, e, id)
			if got := d.RequestContext.DisconnectStatusCode; got != int64(tt.close) {
				t.Errorf("disconnectStatusCode %d, want %d", got, tt.close)
			}
			for _, call := range e.inv.callsOf("$default") {
				if call.event.RequestContext.ConnectionID == id {
					t.Errorf("a refused message of %d bytes reached $default", len(call.event.Body))
				}
			}
		})
	}
}

// sendFrames sends msg as one text message in frames of at most size.
func sendFrames(msg []byte, size int) func(ctx context.Context, c *websocket.Conn) error {
	return func(ctx context.Context, c *websocket.Conn) error {
		w, err := c.Writer(ctx, websocket.MessageText)
		if err != nil {
			return err
		}
		for len(msg) > 0 {
			n := min(size, len(msg))
			if _, err := w.Write(msg[:n]); err != nil {
				return err
			}
			msg = msg[n:]
		}
		return w.Close()
	}
}

func delivered(e *env, id string, size int) bool {
	for _, c := range e.inv.callsOf("$default") {
		if c.event.RequestContext.ConnectionID == id && len(c.event.Body) == size {
			return true
		}
	}
	return false
}

func routedFor(e *env, id, route string) bool {
	for _, c := range e.inv.callsOf(route) {
		if c.event.RequestContext.ConnectionID == id {
			return true
		}
	}
	return false
}

// disconnectOf waits for the $disconnect event of connection id.
func disconnectOf(t *testing.T, e *env, id string) events.APIGatewayWebsocketProxyRequest {
	t.Helper()
	var ev events.APIGatewayWebsocketProxyRequest
	testsync.Eventually(t, wait, "disconnected", func() bool {
		for _, c := range e.inv.callsOf("$disconnect") {
			if c.event.RequestContext.ConnectionID == id {
				ev = c.event
				return true
			}
		}
		return false
	})
	return ev
}
