package wsgateway_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"innkeeper/local/sandbox"
	"innkeeper/local/wsgateway"
	"innkeeper/shared/topology"
)

func TestConnectEvent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	h := http.Header{}
	h.Set("User-Agent", "innkeeper-test/1.0")
	h.Set("Authorization", "Bearer abc")
	h.Add("Accept-Language", "fr")
	h.Add("Accept-Language", "en")
	h.Set("X-Forwarded-For", "198.51.100.1")
	c, _, err := websocket.Dial(ctx, e.wsURL+"?token=t1&room=a&room=b&q=x+y", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()

	call := e.inv.waitCalls(t, "$connect", 1)[0]
	ev, rc := call.event, call.event.RequestContext
	host := strings.TrimPrefix(e.url, "http://")
	_, port, _ := strings.Cut(host, ":")
	checks := []struct {
		name, got, want string
	}{
		{"function", call.function, "connect-fn"},
		{"routeKey", rc.RouteKey, "$connect"},
		{"eventType", rc.EventType, "CONNECT"},
		{"messageDirection", rc.MessageDirection, "IN"},
		{"stage from the manifest", rc.Stage, "live"},
		{"apiId default", rc.APIID, "localws"},
		{"no accountId, as AWS sends none", rc.AccountID, ""},
		{"extendedRequestId is the requestId", rc.ExtendedRequestID, rc.RequestID},
		{"connectedAt in ms", strconv.FormatInt(rc.ConnectedAt, 10), strconv.FormatInt(at.UnixMilli(), 10)},
		{"requestTimeEpoch in ms", strconv.FormatInt(rc.RequestTimeEpoch, 10), strconv.FormatInt(at.UnixMilli(), 10)},
		{"requestTime in UTC", rc.RequestTime, "05/Mar/2025:14:07:09 +0000"},
		{"domainName", rc.DomainName, host},
		{"identity.sourceIp", rc.Identity.SourceIP, "127.0.0.1"},
		{"identity.userAgent", rc.Identity.UserAgent, "innkeeper-test/1.0"},
		{"query value", ev.QueryStringParameters["token"], "t1"},
		{"query decoded", ev.QueryStringParameters["q"], "x y"},
		{"repeated query: last value", ev.QueryStringParameters["room"], "b"},
		{"repeated query: all values", strings.Join(ev.MultiValueQueryStringParameters["room"], "|"), "a|b"},
		{"header", ev.Headers["Authorization"], "Bearer abc"},
		{"repeated header: last value", ev.Headers["Accept-Language"], "en"},
		{"repeated header: all values", strings.Join(ev.MultiValueHeaders["Accept-Language"], "|"), "fr|en"},
		{"Host", ev.Headers["Host"], host},
		{"X-Forwarded-For appends the client", ev.Headers["X-Forwarded-For"], "198.51.100.1, 127.0.0.1"},
		{"X-Forwarded-Proto", ev.Headers["X-Forwarded-Proto"], "http"},
		{"X-Forwarded-Port", ev.Headers["X-Forwarded-Port"], port},
		{"Sec-WebSocket-Version spelled as AWS does", ev.Headers["Sec-WebSocket-Version"], "13"},
		{"no body", ev.Body, ""},
		{"not base64", strconv.FormatBool(ev.IsBase64Encoded), "false"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if c.got != c.want {
				t.Errorf("got %q, want %q", c.got, c.want)
			}
		})
	}
	for _, id := range []string{rc.ConnectionID, rc.RequestID} {
		if !idPattern.MatchString(id) {
			t.Errorf("id %q not in API Gateway's style", id)
		}
	}
	if ev.Headers["Sec-WebSocket-Key"] == "" {
		t.Error("Sec-WebSocket-Key missing")
	}
	for _, hop := range []string{"Connection", "Upgrade"} {
		if _, ok := ev.MultiValueHeaders[hop]; ok {
			t.Errorf("hop-by-hop header %s reached the function", hop)
		}
	}
	if got := ev.Headers["X-Amzn-Trace-Id"]; !strings.HasPrefix(got, "Root=1-") {
		t.Errorf("X-Amzn-Trace-Id %q, want a fresh X-Ray root", got)
	}
}

func TestConnectionIDsAreUnique(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	seen := map[string]bool{}
	for range 20 {
		_, id := e.dial(t, "")
		if seen[id] {
			t.Fatalf("connection id %s twice", id)
		}
		seen[id] = true
	}
	if got := e.g.Connections(); got != 20 {
		t.Errorf("Connections() = %d, want 20", got)
	}
}

// statusAnswer makes $connect answer by the "case" query parameter.
func connectAnswers(ev events.APIGatewayWebsocketProxyRequest) (sandbox.Result, error) {
	switch c := ev.QueryStringParameters["case"]; c {
	case "function-error":
		return sandbox.Result{FunctionError: "Unhandled", Payload: []byte(`{"errorType":"errorString","errorMessage":"boom"}`)}, nil
	case "timeout":
		return sandbox.Result{FunctionError: "Unhandled", Timeout: true, Payload: []byte(`{"errorMessage":"Task timed out"}`)}, nil
	case "invoke-error":
		return sandbox.Result{}, sandbox.ErrUnknownFunction
	case "not-json":
		return sandbox.Result{Payload: []byte(`{"statusCode":`)}, nil
	case "null":
		return sandbox.Result{Payload: []byte(`null`)}, nil
	case "no-status":
		return sandbox.Result{Payload: []byte(`{"ok":true}`)}, nil
	case "subprotocol":
		return sandbox.Result{Payload: []byte(`{"statusCode":200,"headers":{"Sec-WebSocket-Protocol":"innkeeper.v1"}}`)}, nil
	default:
		return sandbox.Result{Payload: []byte(`{"statusCode":` + c + `,"body":"no entry"}`)}, nil
	}
}

func TestConnectVerdict(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, map[string]answer{"$connect": connectAnswers})
	tests := []struct {
		name     string
		query    string
		want     int // the refusal's status; 0: connected
		wantBody string
	}{
		{name: "401 refuses", query: "401", want: 401, wantBody: "no entry"},
		{name: "403 refuses", query: "403", want: 403, wantBody: "no entry"},
		{name: "400 refuses", query: "400", want: 400},
		{name: "500 refuses", query: "500", want: 500},
		{name: "function error is 500", query: "function-error", want: 500, wantBody: `{"message": "Internal server error"`},
		{name: "function timeout is 500", query: "timeout", want: 500},
		{name: "invoke failure is 500", query: "invoke-error", want: 500},
		{name: "invalid JSON is 500", query: "not-json", want: 500},
		{name: "200 connects", query: "200"},
		{name: "204 connects", query: "204"},
		{name: "null connects", query: "null"},
		{name: "JSON without statusCode connects", query: "no-status"},
	}
	// idOf is the connection id $connect saw for a case.
	idOf := func(t *testing.T, query string) string {
		t.Helper()
		for _, c := range e.inv.callsOf("$connect") {
			if c.event.QueryStringParameters["case"] == query {
				return c.event.RequestContext.ConnectionID
			}
		}
		t.Fatalf("no $connect for case %s", query)
		return ""
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			c, resp, err := websocket.Dial(ctx, e.wsURL+"?case="+tt.query, nil)
			if tt.want == 0 {
				if err != nil {
					t.Fatalf("dial: %v", err)
				}
				defer c.CloseNow()
				if status, _ := rawManagement(t, e, http.MethodGet, idOf(t, tt.query), nil); status != http.StatusOK {
					t.Errorf("GET @connections of the new connection: %d, want 200", status)
				}
				return
			}
			if err == nil {
				c.CloseNow()
				t.Fatal("handshake accepted")
			}
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
			body, _ := io.ReadAll(resp.Body)
			if !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("body %q, want it to contain %q", body, tt.wantBody)
			}
			if status, _ := rawManagement(t, e, http.MethodGet, idOf(t, tt.query), nil); status != http.StatusGone {
				t.Errorf("GET @connections of the refused id: %d, want 410", status)
			}
		})
	}
	// A refused connection never opened, so it never closes: $disconnect
	// runs for none of them. Close waits for every connection's.
	e.g.Close()
	if got, want := len(e.inv.callsOf("$disconnect")), 4; got != want {
		t.Errorf("%d $disconnect invocations, want %d (one per accepted connection)", got, want)
	}
}

func TestConnectChoosesSubprotocol(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, map[string]answer{"$connect": connectAnswers})
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c, _, err := websocket.Dial(ctx, e.wsURL+"?case=subprotocol", &websocket.DialOptions{Subprotocols: []string{"other", "innkeeper.v1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	if got := c.Subprotocol(); got != "innkeeper.v1" {
		t.Errorf("subprotocol %q, want the one $connect chose", got)
	}
	ev := e.inv.waitCalls(t, "$connect", 1)[0].event
	if got := ev.Headers["Sec-WebSocket-Protocol"]; got != "other,innkeeper.v1" {
		t.Errorf("Sec-WebSocket-Protocol in the event %q", got)
	}
}

func TestNoConnectRouteAccepts(t *testing.T) {
	t.Parallel()
	api := topology.WebSocketAPI{Routes: []topology.WebSocketRoute{{Key: "$default", Function: "default-fn"}}}
	e := newEnv(t, api, wsgateway.Options{}, nil)
	c, _ := e.dial(t, "")
	write(t, c, "hello")
	ev := e.inv.waitCalls(t, "$default", 1)[0].event
	if ev.Body != "hello" || !idPattern.MatchString(ev.RequestContext.ConnectionID) {
		t.Errorf("message event body %q, connection id %q", ev.Body, ev.RequestContext.ConnectionID)
	}
	if got := ev.RequestContext.Stage; got != "live" {
		t.Errorf("stage %q, want the default live", got)
	}
}

// A slow $connect holds the handshake: the connection is not open, so
// not known to @connections, until the function answers.
func TestConnectionOpensOnlyAfterConnect(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	e := newEnv(t, fullAPI, wsgateway.Options{}, map[string]answer{
		"$connect": func(ev events.APIGatewayWebsocketProxyRequest) (sandbox.Result, error) {
			<-release
			return sandbox.Result{Payload: []byte(`{"statusCode":200}`)}, nil
		},
	})
	type dialed struct {
		c   *websocket.Conn
		err error
	}
	done := make(chan dialed, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		c, _, err := websocket.Dial(ctx, e.wsURL, nil)
		done <- dialed{c, err}
	}()
	id := e.inv.waitCalls(t, "$connect", 1)[0].event.RequestContext.ConnectionID
	if status, _ := rawManagement(t, e, http.MethodGet, id, nil); status != http.StatusGone {
		t.Errorf("GET @connections during $connect: %d, want 410", status)
	}
	if got := e.g.Connections(); got != 0 {
		t.Errorf("Connections() = %d during $connect, want 0", got)
	}
	close(release)
	d := <-done
	if d.err != nil {
		t.Fatal(d.err)
	}
	defer d.c.CloseNow()
	if status, _ := rawManagement(t, e, http.MethodGet, id, nil); status != http.StatusOK {
		t.Errorf("GET @connections after $connect: %d, want 200", status)
	}
}

func TestNotAnUpgrade(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	tests := []struct {
		name string
		path string
		want int
	}{
		{"stage root", "/live", http.StatusUpgradeRequired},
		{"root", "/", http.StatusUpgradeRequired},
		{"elsewhere", "/other", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.Get(e.url + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	if n := len(e.inv.callsOf("$connect")); n != 0 {
		t.Errorf("$connect invoked %d times for requests that are not upgrades", n)
	}
}

func TestUpgradeOnRootAndStage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	for _, path := range []string{"/", "/live", "/live/"} {
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(e.url, "http")+path, nil)
		cancel()
		if err != nil {
			t.Errorf("dial %s: %v", path, err)
			continue
		}
		c.CloseNow()
	}
}
