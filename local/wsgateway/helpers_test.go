package wsgateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/coder/websocket"

	"innkeeper/local/sandbox"
	"innkeeper/local/testsync"
	"innkeeper/local/wsgateway"
	"innkeeper/shared/topology"
)

// idPattern is the shape of API Gateway's connection and request ids, as
// in the official samples ("R1kmxc2VNjMCFIA=").
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{15}=$`)

// wait bounds every wait in these tests.
const wait = 2 * time.Second

// fullAPI has every kind of route, each with its own function so that
// tests see which one ran.
var fullAPI = topology.WebSocketAPI{
	RouteSelection: "$request.body.action",
	Stage:          "live",
	Routes: []topology.WebSocketRoute{
		{Key: "$connect", Function: "connect-fn"},
		{Key: "$disconnect", Function: "disconnect-fn"},
		{Key: "$default", Function: "default-fn"},
		{Key: "subscribe", Function: "subscribe-fn"},
		{Key: "unsubscribe", Function: "unsubscribe-fn"},
	},
}

// answer is how the fake answers one route's invocation.
type answer func(ev events.APIGatewayWebsocketProxyRequest) (sandbox.Result, error)

// call is one invocation the fake received.
type call struct {
	function string
	raw      []byte
	event    events.APIGatewayWebsocketProxyRequest
}

// fakeInvoker stands in for Lambda: it records every invocation and
// answers by route key, 200 when no answer is set. It also notes whether
// two invocations ever overlapped.
type fakeInvoker struct {
	answers map[string]answer

	mu       sync.Mutex
	calls    []call
	inFlight int
	overlap  bool
}

func (f *fakeInvoker) Invoke(ctx context.Context, function string, payload []byte) (sandbox.Result, error) {
	var ev events.APIGatewayWebsocketProxyRequest
	if err := json.Unmarshal(payload, &ev); err != nil {
		return sandbox.Result{}, err
	}
	f.mu.Lock()
	f.calls = append(f.calls, call{function: function, raw: payload, event: ev})
	f.inFlight++
	if f.inFlight > 1 {
		f.overlap = true
	}
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if a := f.answers[ev.RequestContext.RouteKey]; a != nil {
		return a(ev)
	}
	return sandbox.Result{RequestID: "fake", Payload: []byte(`{"statusCode":200}`)}, nil
}

// waitCalls waits for n invocations of routeKey and returns them, failing
// the test after the wait.
func (f *fakeInvoker) waitCalls(t *testing.T, routeKey string, n int) []call {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		got := f.callsOf(routeKey)
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d invocations of %s after %s, want %d", len(got), routeKey, wait, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (f *fakeInvoker) callsOf(routeKey string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.event.RequestContext.RouteKey == routeKey {
			out = append(out, c)
		}
	}
	return out
}

// clock is a settable Now for the gateway.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// logLines decodes the gateway's JSON log, a line at a time.
func logLines(t *testing.T, b *testsync.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.Lines(b.String()) {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line %q is not JSON: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

// env is a gateway serving on a loopback port, its fake functions, its
// clock and log, and a real management client.
type env struct {
	g     *wsgateway.Gateway
	inv   *fakeInvoker
	clock *clock
	logs  *testsync.Buffer
	url   string // http://127.0.0.1:port
	wsURL string // ws://127.0.0.1:port/live
	mgmt  *apigatewaymanagementapi.Client
	// hasConnect: the API has a $connect route, whose event tells the
	// tests a connection's id.
	hasConnect bool
}

// at is the clock's start, in a zone other than UTC so that the events'
// times have to be converted.
var at = time.Date(2025, 3, 5, 15, 7, 9, 123_000_000, time.FixedZone("CET", 3600))

func newEnv(t *testing.T, api topology.WebSocketAPI, o wsgateway.Options, answers map[string]answer) *env {
	t.Helper()
	e := &env{inv: &fakeInvoker{answers: answers}, clock: &clock{t: at}, logs: &testsync.Buffer{}}
	o.Now = e.clock.Now
	o.Logger = slog.New(slog.NewJSONHandler(e.logs, nil))
	g, err := wsgateway.New(api, e.inv, o)
	if err != nil {
		t.Fatal(err)
	}
	e.g = g
	for _, r := range api.Routes {
		e.hasConnect = e.hasConnect || r.Key == "$connect"
	}
	t.Cleanup(g.Close)
	e.url, err = g.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.wsURL = "ws" + strings.TrimPrefix(e.url, "http") + "/live"
	e.mgmt = apigatewaymanagementapi.New(apigatewaymanagementapi.Options{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(g.ManagementEndpoint(e.url)),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	return e
}

// dial connects a client, failing the test if the handshake fails; it
// returns the client and its connection id, as $connect saw it.
func (e *env) dial(t *testing.T, query string) (*websocket.Conn, string) {
	t.Helper()
	before := len(e.inv.callsOf("$connect"))
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c, _, err := websocket.Dial(ctx, e.wsURL+query, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { _ = c.CloseNow() })
	c.SetReadLimit(-1)
	if !e.hasConnect {
		return c, ""
	}
	connects := e.inv.waitCalls(t, "$connect", before+1)
	return c, connects[len(connects)-1].event.RequestContext.ConnectionID
}

// read reads one message within the wait.
func read(t *testing.T, c *websocket.Conn) (websocket.MessageType, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	typ, b, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return typ, b
}

// closed reads until the connection closes and returns the close code
// and reason the gateway sent.
func closed(t *testing.T, c *websocket.Conn) (websocket.StatusCode, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	for {
		_, _, err := c.Read(ctx)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("connection ended without a close frame: %v", err)
		}
		return ce.Code, ce.Reason
	}
}

// write sends one text message within the wait.
func write(t *testing.T, c *websocket.Conn, msg string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := c.Write(ctx, websocket.MessageText, []byte(msg)); err != nil {
		t.Fatalf("write: %v", err)
	}
}
