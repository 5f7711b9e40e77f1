package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/local/sandbox"
	"innkeeper/shared/topology"
)

// fakeLambda stands in for Lambda's Invoke API: it records what it was
// sent and answers with a configured result, or with what respond makes
// of the event.
type fakeLambda struct {
	result  sandbox.Result
	err     error
	respond func(ev events.APIGatewayV2HTTPRequest) sandbox.Result

	mu    sync.Mutex
	calls []invocation
}

type invocation struct {
	function string
	payload  []byte
}

func (f *fakeLambda) Invoke(_ context.Context, function string, payload []byte) (sandbox.Result, error) {
	f.mu.Lock()
	f.calls = append(f.calls, invocation{function, bytes.Clone(payload)})
	f.mu.Unlock()
	if f.err != nil {
		return sandbox.Result{}, f.err
	}
	if f.respond != nil {
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(payload, &ev); err != nil {
			return sandbox.Result{}, fmt.Errorf("fake lambda: %w", err)
		}
		return f.respond(ev), nil
	}
	return f.result, nil
}

// events decodes what the fake was sent.
func (f *fakeLambda) events(t *testing.T) []events.APIGatewayV2HTTPRequest {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []events.APIGatewayV2HTTPRequest
	for _, c := range f.calls {
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(c.payload, &ev); err != nil {
			t.Fatalf("the gateway sent an undecodable event: %v", err)
		}
		out = append(out, ev)
	}
	return out
}

func ok(payload string) sandbox.Result { return sandbox.Result{Payload: []byte(payload)} }

// serve starts a gateway for routes in front of fn on a real listener.
func serve(t *testing.T, rs []topology.Route, fn *fakeLambda, o Options) *httptest.Server {
	t.Helper()
	g, err := New(rs, fn, o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return srv
}

func do(t *testing.T, srv *httptest.Server, method, path string, body io.Reader, header http.Header) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestGatewayResponses(t *testing.T) {
	big := `"` + strings.Repeat("x", sandbox.MaxPayload) + `"`
	tests := []struct {
		name        string
		method      string
		path        string
		lambda      *fakeLambda
		wantStatus  int
		wantHeaders map[string]string // "" means absent
		wantCookies []string
		wantBody    string
		wantCalls   int
	}{
		{
			name:       "structured response",
			lambda:     &fakeLambda{result: ok(`{"statusCode":201,"headers":{"content-type":"text/html","x-multi":"a,b","location":"/pets/1"},"cookies":["a=1; Path=/","b=2; HttpOnly"],"body":"<p>made</p>"}`)},
			wantStatus: 201, wantCalls: 1,
			wantHeaders: map[string]string{"Content-Type": "text/html", "X-Multi": "a,b", "Location": "/pets/1", "Content-Length": "11"},
			wantCookies: []string{"a=1; Path=/", "b=2; HttpOnly"},
			wantBody:    "<p>made</p>",
		},
		{
			name:       "base64 body decoded",
			lambda:     &fakeLambda{result: ok(`{"statusCode":200,"headers":{"content-type":"application/octet-stream"},"body":"AAEC/w==","isBase64Encoded":true}`)},
			wantStatus: 200, wantCalls: 1,
			wantHeaders: map[string]string{"Content-Type": "application/octet-stream", "Content-Length": "4"},
			wantBody:    "\x00\x01\x02\xff",
		},
		{
			name:       "framing headers are the gateway's",
			lambda:     &fakeLambda{result: ok(`{"statusCode":200,"headers":{"content-type":"text/plain","content-length":"999","transfer-encoding":"chunked","connection":"close"},"body":"abc"}`)},
			wantStatus: 200, wantCalls: 1,
			wantHeaders: map[string]string{"Content-Length": "3", "Transfer-Encoding": "", "Connection": ""},
			wantBody:    "abc",
		},
		{
			name:       "no content type: text/plain",
			lambda:     &fakeLambda{result: ok(`{"statusCode":200,"body":"{\"a\":1}"}`)},
			wantStatus: 200, wantCalls: 1,
			wantHeaders: map[string]string{"Content-Type": "text/plain"},
			wantBody:    `{"a":1}`,
		},
		{
			name:       "multiValueHeaders ignored, as format 2.0 ignores them",
			lambda:     &fakeLambda{result: ok(`{"statusCode":200,"multiValueHeaders":{"content-type":["application/json"],"x-a":["1","2"]},"body":"{}"}`)},
			wantStatus: 200, wantCalls: 1,
			wantHeaders: map[string]string{"Content-Type": "text/plain", "X-A": ""},
			wantBody:    `{}`,
		},
		{
			name:       "inferred from an object",
			lambda:     &fakeLambda{result: ok(`{"hotel":"grand","rooms":3}`)},
			wantStatus: 200, wantCalls: 1,
			wantHeaders: map[string]string{"Content-Type": "application/json"},
			wantBody:    `{"hotel":"grand","rooms":3}`,
		},
		{
			name:       "inferred from a bare string",
			lambda:     &fakeLambda{result: ok(`"Hello from Lambda!"`)},
			wantStatus: 200, wantCalls: 1,
			wantHeaders: map[string]string{"Content-Type": "application/json"},
			wantBody:    `"Hello from Lambda!"`,
		},
		{
			name:       "HEAD: headers, no body",
			method:     "HEAD",
			lambda:     &fakeLambda{result: ok(`{"statusCode":200,"headers":{"content-type":"text/plain","etag":"\"v1\""},"body":"twelve bytes"}`)},
			wantStatus: 200, wantCalls: 1,
			wantHeaders: map[string]string{"Etag": `"v1"`, "Content-Length": "12"},
		},
		{
			name:       "invalid JSON",
			lambda:     &fakeLambda{result: ok(`{"statusCode":`)},
			wantStatus: 500, wantCalls: 1,
			wantHeaders: map[string]string{"Content-Type": "application/json"},
			wantBody:    `{"message":"Internal Server Error"}`,
		},
		{
			name:       "function error",
			lambda:     &fakeLambda{result: sandbox.Result{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"boom","errorType":"errorString"}`)}},
			wantStatus: 500, wantCalls: 1,
			wantHeaders: map[string]string{"Content-Type": "application/json"},
			wantBody:    `{"message":"Internal Server Error"}`,
		},
		{
			name:       "timeout",
			lambda:     &fakeLambda{result: sandbox.Result{Timeout: true, FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"Task timed out after 3.00 seconds"}`)}},
			wantStatus: 503, wantCalls: 1,
			wantHeaders: map[string]string{"Content-Type": "application/json"},
			wantBody:    `{"message":"Service Unavailable"}`,
		},
		{
			name:       "unknown function",
			lambda:     &fakeLambda{err: fmt.Errorf("pool: %w", sandbox.ErrUnknownFunction)},
			wantStatus: 500, wantCalls: 1,
			wantBody: `{"message":"Internal Server Error"}`,
		},
		{
			name:       "sandbox closed",
			lambda:     &fakeLambda{err: sandbox.ErrClosed},
			wantStatus: 500, wantCalls: 1,
			wantBody: `{"message":"Internal Server Error"}`,
		},
		{
			name:       "Lambda refuses the event as too large",
			lambda:     &fakeLambda{err: fmt.Errorf("pool: %w", sandbox.ErrPayloadTooLarge)},
			wantStatus: 413, wantCalls: 1,
			wantHeaders: map[string]string{"Content-Type": "application/json"},
			wantBody:    `{"message":"Request Entity Too Large"}`,
		},
		{
			name:       "response over Lambda's limit",
			lambda:     &fakeLambda{result: ok(big)},
			wantStatus: 500, wantCalls: 1,
			wantBody: `{"message":"Internal Server Error"}`,
		},
		{
			name:       "no route",
			path:       "/nowhere",
			lambda:     &fakeLambda{result: ok(`{}`)},
			wantStatus: 404, wantCalls: 0,
			wantHeaders: map[string]string{"Content-Type": "application/json"},
			wantBody:    `{"message":"Not Found"}`,
		},
		{
			name:       "no route for the method",
			method:     "DELETE",
			lambda:     &fakeLambda{result: ok(`{}`)},
			wantStatus: 404, wantCalls: 0,
			wantBody: `{"message":"Not Found"}`,
		},
		{
			name:       "HEAD of an error",
			method:     "HEAD",
			path:       "/nowhere",
			lambda:     &fakeLambda{result: ok(`{}`)},
			wantStatus: 404, wantCalls: 0,
			wantHeaders: map[string]string{"Content-Type": "application/json", "Content-Length": "23"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method, path := tt.method, tt.path
			if method == "" {
				method = "GET"
			}
			if path == "" {
				path = "/pets/7"
			}
			srv := serve(t, routes("GET /pets/{id}", "HEAD /pets/{id}"), tt.lambda, Options{})
			resp, body := do(t, srv, method, path, nil, nil)

			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if string(body) != tt.wantBody {
				t.Errorf("body %q, want %q", body, tt.wantBody)
			}
			for name, want := range tt.wantHeaders {
				if got := resp.Header.Get(name); got != want {
					t.Errorf("header %s %q, want %q", name, got, want)
				}
			}
			if got := resp.Header.Values("Set-Cookie"); !slices.Equal(got, tt.wantCookies) {
				t.Errorf("Set-Cookie %q, want %q", got, tt.wantCookies)
			}
			id := resp.Header.Get("Apigw-Requestid")
			if !requestIDPattern.MatchString(id) {
				t.Errorf("Apigw-Requestid %q, want a request id", id)
			}
			evs := tt.lambda.events(t)
			if len(evs) != tt.wantCalls {
				t.Fatalf("%d invocations, want %d", len(evs), tt.wantCalls)
			}
			if len(evs) == 1 && evs[0].RequestContext.RequestID != id {
				t.Errorf("event requestId %q, Apigw-Requestid %q: want the same", evs[0].RequestContext.RequestID, id)
			}
		})
	}
}

// Each Set-Cookie is a header line of its own on the wire, and a header
// value with commas stays one line.
func TestGatewayCookiesOnTheWire(t *testing.T) {
	fn := &fakeLambda{result: ok(`{"statusCode":200,"headers":{"x-multi":"a,b"},"cookies":["a=1","b=2","c=3; Secure"]}`)}
	g, err := New(routes("GET /"), fn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	var wire bytes.Buffer
	if err := rec.Result().Header.Write(&wire); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(wire.String(), "\r\n")
	tests := []struct {
		name string
		line string
		want int
	}{
		{name: "first cookie", line: "Set-Cookie: a=1", want: 1},
		{name: "second cookie", line: "Set-Cookie: b=2", want: 1},
		{name: "third cookie", line: "Set-Cookie: c=3; Secure", want: 1},
		{name: "comma-joined header", line: "X-Multi: a,b", want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := countLines(lines, tt.line); got != tt.want {
				t.Errorf("%q %d times in\n%s\nwant %d", tt.line, got, wire.String(), tt.want)
			}
		})
	}
}

// A HEAD answer has the headers of the GET answer and no body, whatever
// the ResponseWriter (Go's server drops a HEAD body by itself; a recorder
// does not).
func TestGatewayHeadWithoutBody(t *testing.T) {
	tests := []struct {
		name, path string
		lambda     *fakeLambda
		wantStatus int
		wantLength string
	}{
		{name: "function answer", path: "/pets/1", lambda: &fakeLambda{result: ok(`{"statusCode":200,"body":"twelve bytes"}`)}, wantStatus: 200, wantLength: "12"},
		{name: "inferred answer", path: "/pets/1", lambda: &fakeLambda{result: ok(`{"a":1}`)}, wantStatus: 200, wantLength: "7"},
		{name: "gateway error", path: "/none", lambda: &fakeLambda{}, wantStatus: 404, wantLength: "23"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := New(routes("ANY /pets/{id}"), tt.lambda, Options{})
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			g.ServeHTTP(rec, httptest.NewRequest("HEAD", tt.path, nil))
			if rec.Code != tt.wantStatus || rec.Header().Get("Content-Length") != tt.wantLength {
				t.Errorf("status %d length %q, want %d %q", rec.Code, rec.Header().Get("Content-Length"), tt.wantStatus, tt.wantLength)
			}
			if rec.Body.Len() != 0 {
				t.Errorf("body %q, want none", rec.Body)
			}
		})
	}
}

func countLines(lines []string, line string) int {
	n := 0
	for _, l := range lines {
		if l == line {
			n++
		}
	}
	return n
}

// The event that reaches the function, from a real client over a real
// listener, and a binary body there and back.
func TestGatewayEventOnTheWire(t *testing.T) {
	fn := &fakeLambda{respond: func(ev events.APIGatewayV2HTTPRequest) sandbox.Result {
		res, _ := json.Marshal(events.APIGatewayV2HTTPResponse{
			StatusCode:      200,
			Headers:         map[string]string{"content-type": ev.Headers["content-type"]},
			Body:            ev.Body,
			IsBase64Encoded: ev.IsBase64Encoded,
		})
		return sandbox.Result{Payload: res}
	}}
	srv := serve(t, routes("POST /v1/hotels/{slug}/photos", "$default"), fn, Options{Stage: "$default"})
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe")
	resp, body := do(t, srv, "POST", "/v1/hotels/grand%20h%C3%B4tel/photos?size=s&size=m", bytes.NewReader(png), http.Header{
		"Content-Type": {"image/png"},
		"Cookie":       {"session=abc; theme=dark"},
		"X-Custom":     {"one", "two"},
	})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	if !bytes.Equal(body, png) {
		t.Errorf("binary body came back as %q, want %q", body, png)
	}
	evs := fn.events(t)
	if len(evs) != 1 {
		t.Fatalf("%d invocations, want 1", len(evs))
	}
	ev := evs[0]
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "http://"), ":")
	tests := []struct {
		name, got, want string
	}{
		{"function", fn.calls[0].function, "fn POST /v1/hotels/{slug}/photos"},
		{"routeKey", ev.RouteKey, "POST /v1/hotels/{slug}/photos"},
		{"rawPath", ev.RawPath, "/v1/hotels/grand%20h%C3%B4tel/photos"},
		{"path parameter", ev.PathParameters["slug"], "grand hôtel"},
		{"repeated query", ev.QueryStringParameters["size"], "s,m"},
		{"repeated header", ev.Headers["x-custom"], "one,two"},
		{"cookies", strings.Join(ev.Cookies, "|"), "session=abc|theme=dark"},
		{"base64", fmt.Sprint(ev.IsBase64Encoded), "true"},
		{"content-length", ev.Headers["content-length"], fmt.Sprint(len(png))},
		{"sourceIp", ev.RequestContext.HTTP.SourceIP, "127.0.0.1"},
		{"x-forwarded-for", ev.Headers["x-forwarded-for"], "127.0.0.1"},
		{"x-forwarded-port", ev.Headers["x-forwarded-port"], port},
		{"x-forwarded-proto", ev.Headers["x-forwarded-proto"], "http"},
		{"user agent", ev.RequestContext.HTTP.UserAgent, "Go-http-client/1.1"},
		{"stage", ev.RequestContext.Stage, "$default"},
		{"domainName", ev.RequestContext.DomainName, strings.TrimPrefix(srv.URL, "http://")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

// lineWriter hands each line a slog JSON handler writes to a channel, so a
// test can wait for the access log line the gateway writes after its
// response.
type lineWriter chan string

func (w lineWriter) Write(b []byte) (int, error) {
	w <- string(b)
	return len(b), nil
}

func TestGatewayLimits(t *testing.T) {
	tests := []struct {
		name        string
		body        func() io.Reader
		contentType string
		wantStatus  int
		wantCalls   int
		wantLog     string
	}{
		{
			name:       "body at 10 MiB reaches the event limit first",
			body:       func() io.Reader { return bytes.NewReader(make([]byte, MaxRequestBody)) },
			wantStatus: 413,
			wantLog:    "over Lambda's",
		},
		{
			name:       "body over 10 MiB with a length",
			body:       func() io.Reader { return bytes.NewReader(make([]byte, MaxRequestBody+1)) },
			wantStatus: 413,
			wantLog:    "Content-Length 10485761 over the HTTP API's",
		},
		{
			name: "body over 10 MiB, chunked",
			body: func() io.Reader {
				return io.MultiReader(bytes.NewReader(make([]byte, MaxRequestBody)), strings.NewReader("x"))
			},
			wantStatus: 413,
			wantLog:    "request body over the HTTP API's",
		},
		{
			name:        "text body whose event passes 6 MiB",
			body:        func() io.Reader { return strings.NewReader(strings.Repeat("a", sandbox.MaxPayload)) },
			contentType: "text/plain",
			wantStatus:  413,
			wantLog:     "over Lambda's",
		},
		{
			name:        "text body under 6 MiB with its event",
			body:        func() io.Reader { return strings.NewReader(strings.Repeat("a", sandbox.MaxPayload-4096)) },
			contentType: "text/plain",
			wantStatus:  200,
			wantCalls:   1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := &fakeLambda{result: ok(`{"statusCode":200}`)}
			logs := make(lineWriter, 4)
			srv := serve(t, routes("POST /upload"), fn, Options{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
			h := http.Header{}
			if tt.contentType != "" {
				h.Set("Content-Type", tt.contentType)
			}
			resp, body := do(t, srv, "POST", "/upload", tt.body(), h)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if tt.wantStatus == 413 && string(body) != `{"message":"Request Entity Too Large"}` {
				t.Errorf("body %q", body)
			}
			if resp.Header.Get("Apigw-Requestid") == "" {
				t.Error("no Apigw-Requestid")
			}
			if got := len(fn.events(t)); got != tt.wantCalls {
				t.Errorf("%d invocations, want %d", got, tt.wantCalls)
			}
			select {
			case line := <-logs:
				var entry struct {
					Err string `json:"integration_error"`
				}
				if err := json.Unmarshal([]byte(line), &entry); err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(entry.Err, tt.wantLog) || (tt.wantLog == "") != (entry.Err == "") {
					t.Errorf("integration_error %q, want %q", entry.Err, tt.wantLog)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("no access log line")
			}
		})
	}
}

func TestGatewayStage(t *testing.T) {
	tests := []struct {
		name       string
		path       string
		wantStatus int
		wantRaw    string
		wantKey    string
	}{
		{name: "under the stage", path: "/dev/pets", wantStatus: 200, wantRaw: "/dev/pets", wantKey: "GET /pets"},
		{name: "outside the stage", path: "/pets", wantStatus: 404},
		{name: "a longer first segment", path: "/devx/pets", wantStatus: 404},
		{name: "the stage root is its /", path: "/dev", wantStatus: 200, wantRaw: "/dev", wantKey: "GET /"},
		{name: "the stage root with a slash", path: "/dev/", wantStatus: 200, wantRaw: "/dev/", wantKey: "GET /"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := &fakeLambda{result: ok(`{}`)}
			srv := serve(t, routes("GET /pets", "GET /"), fn, Options{Stage: "dev"})
			resp, _ := do(t, srv, "GET", tt.path, nil, nil)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			evs := fn.events(t)
			if tt.wantRaw == "" {
				if len(evs) != 0 {
					t.Fatalf("%d invocations, want none", len(evs))
				}
				return
			}
			if len(evs) != 1 {
				t.Fatalf("%d invocations, want 1", len(evs))
			}
			if evs[0].RawPath != tt.wantRaw || evs[0].RequestContext.Stage != "dev" || evs[0].RouteKey != tt.wantKey {
				t.Errorf("rawPath %q stage %q routeKey %q", evs[0].RawPath, evs[0].RequestContext.Stage, evs[0].RouteKey)
			}
		})
	}
}

func TestGatewayAccessLog(t *testing.T) {
	tests := []struct {
		name       string
		path       string
		lambda     *fakeLambda
		wantStatus float64
		wantRoute  string
		wantFn     string
		wantErr    string
		wantLength float64
		wantWarn   string
	}{
		{name: "served", path: "/pets/1", lambda: &fakeLambda{result: ok(`{}`)}, wantStatus: 200, wantRoute: "GET /pets/{id}", wantFn: "fn GET /pets/{id}", wantLength: 2},
		{name: "no route", path: "/x", lambda: &fakeLambda{}, wantStatus: 404, wantRoute: "-", wantLength: 23},
		{
			name: "multiValueHeaders warned of", path: "/pets/1",
			lambda:     &fakeLambda{result: ok(`{"statusCode":200,"multiValueHeaders":{"x-a":["1"]},"body":"ok"}`)},
			wantStatus: 200, wantRoute: "GET /pets/{id}", wantFn: "fn GET /pets/{id}", wantLength: 2,
			wantWarn: "multiValueHeaders ignored",
		},
		{
			name: "function error", path: "/pets/1",
			lambda:     &fakeLambda{result: sandbox.Result{FunctionError: "Unhandled", Payload: []byte(`{"errorType":"errorString","errorMessage":"boom"}`)}},
			wantStatus: 500, wantRoute: "GET /pets/{id}", wantFn: "fn GET /pets/{id}",
			wantErr: "errorString: boom", wantLength: 35,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&buf, nil))
			g, err := New(routes("GET /pets/{id}"), tt.lambda, Options{Logger: logger})
			if err != nil {
				t.Fatal(err)
			}
			// Served in this goroutine: the line is written after the
			// response, so a client on a socket could read it first.
			rec := httptest.NewRecorder()
			g.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
			resp := rec.Result()

			lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
			want := 1
			if tt.wantWarn != "" {
				want = 2
				if !strings.Contains(lines[0], tt.wantWarn) || !strings.Contains(lines[0], `"level":"WARN"`) {
					t.Errorf("first line %s, want a warning %q", lines[0], tt.wantWarn)
				}
			}
			if len(lines) != want {
				t.Fatalf("%d log lines, want %d:\n%s", len(lines), want, buf.String())
			}
			var line map[string]any
			if err := json.Unmarshal([]byte(lines[want-1]), &line); err != nil {
				t.Fatalf("log line not JSON: %v\n%s", err, lines[want-1])
			}
			if line["msg"] != "http api" || line["response_length"] != tt.wantLength {
				t.Errorf("msg %v response_length %v, want the access line of %v bytes", line["msg"], line["response_length"], tt.wantLength)
			}
			if line["request_id"] != resp.Header.Get("Apigw-Requestid") {
				t.Errorf("request_id %v, header %q", line["request_id"], resp.Header.Get("Apigw-Requestid"))
			}
			if line["status"] != tt.wantStatus || line["route_key"] != tt.wantRoute || line["function"] != tt.wantFn {
				t.Errorf("status %v route_key %v function %v", line["status"], line["route_key"], line["function"])
			}
			if _, ok := line["latency_ms"].(float64); !ok {
				t.Errorf("latency_ms %v, want a number", line["latency_ms"])
			}
			got, _ := line["integration_error"].(string)
			if !strings.Contains(got, tt.wantErr) || (tt.wantErr == "") != (got == "") {
				t.Errorf("integration_error %q, want %q", got, tt.wantErr)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name   string
		routes []topology.Route
		inv    Invoker
	}{
		{name: "no invoker", routes: routes("GET /pets")},
		{name: "bad route", routes: routes("GET pets"), inv: &fakeLambda{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.routes, tt.inv, Options{}); err == nil {
				t.Error("no error")
			}
		})
	}
}

// The gateway works over the manifest the devstack gives it.
func TestGatewayServesTheManifest(t *testing.T) {
	fn := &fakeLambda{result: ok(`{"statusCode":200,"body":"ok"}`)}
	srv := serve(t, topology.Innkeeper.Routes, fn, Options{})
	resp, _ := do(t, srv, "GET", "/v1/hotels/grand/availability", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	evs := fn.events(t)
	if len(evs) != 1 || evs[0].RouteKey != "GET /v1/hotels/{slug}/availability" || fn.calls[0].function != "api" {
		t.Errorf("events %+v", evs)
	}
}
