package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/local/awsid"
)

// requestIDPattern is the shape of API Gateway's request ids, as in the
// official sample "LV7fzho-PHcEJPw=".
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{15}=$`)

// at is a fixed arrival time, in a zone other than UTC so that the event's
// time has to be converted.
var at = time.Date(2025, 3, 5, 15, 7, 9, 123_000_000, time.FixedZone("CET", 3600))

func match(t *testing.T, key, method, path string) Match {
	t.Helper()
	rt, err := NewRouter(routes(key))
	if err != nil {
		t.Fatal(err)
	}
	m, ok := rt.Match(method, path)
	if !ok {
		t.Fatalf("%s %s does not match %s", method, path, key)
	}
	return m
}

func TestEventGET(t *testing.T) {
	r := httptest.NewRequest("GET", "http://api.example.test:8080/v1/hotels/grand%20hotel/rooms?from=2025-01-01&room=a&room=b&q=x+y&empty=", nil)
	r.RemoteAddr = "203.0.113.7:51234"
	r.Header.Add("Accept", "text/html")
	r.Header.Add("Accept", "application/json")
	r.Header.Set("User-Agent", "curl/8.5.0")
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	r.Header.Add("Cookie", "session=abc; theme=dark")
	r.Header.Add("Cookie", "lang=fr")
	r.Header.Set("X-Amzn-Trace-Id", "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c")
	m := match(t, "GET /v1/hotels/{slug}/rooms", "GET", r.URL.EscapedPath())

	ev := Event(r, nil, m, "LV7fzho-PHcEJPw=", at, Options{Stage: "local", APIID: "api1", Account: "123456789012"})

	rc := ev.RequestContext
	checks := []struct {
		name, got, want string
	}{
		{"version", ev.Version, "2.0"},
		{"routeKey", ev.RouteKey, "GET /v1/hotels/{slug}/rooms"},
		{"rawPath keeps its encoding", ev.RawPath, "/v1/hotels/grand%20hotel/rooms"},
		{"rawQueryString", ev.RawQueryString, "from=2025-01-01&room=a&room=b&q=x+y&empty="},
		{"query value", ev.QueryStringParameters["from"], "2025-01-01"},
		{"repeated query name joined", ev.QueryStringParameters["room"], "a,b"},
		{"query decoded", ev.QueryStringParameters["q"], "x y"},
		{"path parameter decoded", ev.PathParameters["slug"], "grand hotel"},
		{"repeated header joined", ev.Headers["accept"], "text/html,application/json"},
		{"user-agent header", ev.Headers["user-agent"], "curl/8.5.0"},
		{"host header", ev.Headers["host"], "api.example.test:8080"},
		{"content-length header", ev.Headers["content-length"], "0"},
		{"x-forwarded-for appends the client", ev.Headers["x-forwarded-for"], "198.51.100.1, 203.0.113.7"},
		{"x-forwarded-proto", ev.Headers["x-forwarded-proto"], "http"},
		{"x-forwarded-port", ev.Headers["x-forwarded-port"], "8080"},
		{"cookies", strings.Join(ev.Cookies, "|"), "session=abc|theme=dark|lang=fr"},
		{"requestContext.routeKey", rc.RouteKey, "GET /v1/hotels/{slug}/rooms"},
		{"accountId", rc.AccountID, "123456789012"},
		{"apiId", rc.APIID, "api1"},
		{"stage", rc.Stage, "local"},
		{"requestId", rc.RequestID, "LV7fzho-PHcEJPw="},
		{"domainName", rc.DomainName, "api.example.test:8080"},
		{"domainPrefix", rc.DomainPrefix, "api"},
		{"time in UTC", rc.Time, "05/Mar/2025:14:07:09 +0000"},
		{"timeEpoch in ms", strconv.FormatInt(rc.TimeEpoch, 10), "1741183629123"},
		{"http.method", rc.HTTP.Method, "GET"},
		{"http.path decoded", rc.HTTP.Path, "/v1/hotels/grand hotel/rooms"},
		{"http.protocol", rc.HTTP.Protocol, "HTTP/1.1"},
		{"http.sourceIp without port", rc.HTTP.SourceIP, "203.0.113.7"},
		{"http.userAgent", rc.HTTP.UserAgent, "curl/8.5.0"},
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
	if _, ok := ev.Headers["cookie"]; ok {
		t.Error("the cookie header is still among the headers")
	}
	if v, ok := ev.QueryStringParameters["empty"]; !ok || v != "" {
		t.Errorf("empty query value = %q, %v; want present and empty", v, ok)
	}
	if got := ev.Headers["x-amzn-trace-id"]; got != "Root=1-5e9f0c65-1de4d666d4dd26aced652b6c" {
		t.Errorf("x-amzn-trace-id %q, want the client's kept", got)
	}
	for name := range ev.Headers {
		if name != strings.ToLower(name) {
			t.Errorf("header name %q not lower-case", name)
		}
	}
}

// Fields with nothing to carry are left out of the JSON, as the real
// gateway leaves them out; defaults fill what Options leaves empty.
func TestEventOmitsWhatIsEmpty(t *testing.T) {
	r := httptest.NewRequest("GET", "http://localhost:3000/", nil)
	ev := Event(r, nil, match(t, "$default", "GET", "/"), awsid.GatewayID(), at, Options{})
	raw, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if got := ev.Headers["x-amzn-trace-id"]; !regexp.MustCompile(`^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$`).MatchString(got) {
		t.Errorf("x-amzn-trace-id %q, want a fresh X-Ray root", got)
	}
	for _, key := range []string{"queryStringParameters", "cookies", "pathParameters", "body", "stageVariables"} {
		if _, ok := doc[key]; ok {
			t.Errorf("%s present in %s", key, raw)
		}
	}
	rc := ev.RequestContext
	tests := []struct {
		name, got, want string
	}{
		{"routeKey of $default", ev.RouteKey, "$default"},
		{"stage default", rc.Stage, "$default"},
		{"apiId default", rc.APIID, "local"},
		{"account default", rc.AccountID, "000000000000"},
		{"domainPrefix without port", rc.DomainPrefix, "localhost"},
		{"rawQueryString", ev.RawQueryString, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestEventBody(t *testing.T) {
	binary := []byte{0x89, 'P', 'N', 'G', 0x00, 0xff, 0xfe}
	tests := []struct {
		name        string
		contentType string
		body        []byte
		wantBase64  bool
	}{
		{name: "json", contentType: "application/json", body: []byte(`{"a":1}`)},
		{name: "json with charset", contentType: "application/json; charset=utf-8", body: []byte(`{"é":1}`)},
		{name: "vendor json", contentType: "application/problem+json", body: []byte(`{}`)},
		{name: "xml", contentType: "application/xml", body: []byte(`<a/>`)},
		{name: "vendor xml", contentType: "application/soap+xml", body: []byte(`<a/>`)},
		{name: "javascript", contentType: "application/javascript", body: []byte(`f()`)},
		{name: "form", contentType: "application/x-www-form-urlencoded", body: []byte(`a=1&b=2`)},
		{name: "text", contentType: "text/plain", body: []byte("line\r\n")},
		{name: "text case-insensitive", contentType: "Text/CSV", body: []byte("a,b")},
		{name: "binary", contentType: "image/png", body: binary, wantBase64: true},
		{name: "octet stream", contentType: "application/octet-stream", body: []byte("text-looking"), wantBase64: true},
		{name: "no content type", body: []byte("anything"), wantBase64: true},
		{name: "text that is not utf-8", contentType: "text/plain", body: binary, wantBase64: true},
		{name: "malformed content type", contentType: "text/", body: []byte("x"), wantBase64: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/upload", bytes.NewReader(tt.body))
			if tt.contentType != "" {
				r.Header.Set("Content-Type", tt.contentType)
			}
			ev := Event(r, tt.body, match(t, "POST /upload", "POST", "/upload"), awsid.GatewayID(), at, Options{})
			if ev.IsBase64Encoded != tt.wantBase64 {
				t.Fatalf("isBase64Encoded %v, want %v", ev.IsBase64Encoded, tt.wantBase64)
			}
			got := []byte(ev.Body)
			if ev.IsBase64Encoded {
				var err error
				if got, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got, tt.body) {
				t.Errorf("body %q, want %q", got, tt.body)
			}
			if want := strconv.Itoa(len(tt.body)); ev.Headers["content-length"] != want {
				t.Errorf("content-length %q, want %q", ev.Headers["content-length"], want)
			}
		})
	}
}

func TestNewRequestID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := awsid.GatewayID()
		if !requestIDPattern.MatchString(id) {
			t.Fatalf("request id %q not in API Gateway's style", id)
		}
		if seen[id] {
			t.Fatalf("request id %q twice", id)
		}
		seen[id] = true
	}
}

// officialSamples are the payload format 2.0 sample events shipped with
// aws-lambda-go, read from the module cache so they cannot drift from the
// version in go.mod.
func officialSamples(t *testing.T) map[string][]byte {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	if err != nil {
		t.Fatalf("locate aws-lambda-go: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(strings.TrimSpace(string(out)), "events", "testdata", "apigw-v2-request-*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no apigw-v2-request-*.json in aws-lambda-go's testdata")
	}
	samples := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		samples[filepath.Base(f)] = b
	}
	return samples
}

// The official samples decode into the type the builder fills, without a
// field to spare, and carry every field the builder fills.
func TestOfficialSamplesRoundTrip(t *testing.T) {
	for name, raw := range officialSamples(t) {
		t.Run(name, func(t *testing.T) {
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			var ev events.APIGatewayV2HTTPRequest
			if err := dec.Decode(&ev); err != nil {
				t.Fatal(err)
			}
			rc := ev.RequestContext
			filled := []struct {
				name, value string
			}{
				{"routeKey", ev.RouteKey}, {"rawPath", ev.RawPath},
				{"requestContext.routeKey", rc.RouteKey}, {"accountId", rc.AccountID},
				{"apiId", rc.APIID}, {"stage", rc.Stage}, {"requestId", rc.RequestID},
				{"domainName", rc.DomainName}, {"domainPrefix", rc.DomainPrefix},
				{"http.method", rc.HTTP.Method}, {"http.path", rc.HTTP.Path},
				{"http.protocol", rc.HTTP.Protocol}, {"http.sourceIp", rc.HTTP.SourceIP},
				{"http.userAgent", rc.HTTP.UserAgent},
			}
			if ev.Version != "2.0" {
				t.Errorf("version %q", ev.Version)
			}
			for _, f := range filled {
				if f.value == "" {
					t.Errorf("%s empty after decoding", f.name)
				}
			}
			if len(ev.Headers) == 0 {
				t.Error("headers empty after decoding")
			}
			again, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			var back events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(again, &back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, ev) {
				t.Errorf("re-encoding changed the event:\n got %+v\nwant %+v", back, ev)
			}
		})
	}
}

// The sample captured from a real API (no authorizer) fixes the formats
// the builder must write: the time layout, the request id, the headers
// the gateway adds.
func TestEventMatchesTheRealSample(t *testing.T) {
	raw, ok := officialSamples(t)["apigw-v2-request-no-authorizer.json"]
	if !ok {
		t.Fatal("apigw-v2-request-no-authorizer.json missing")
	}
	var sample events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &sample); err != nil {
		t.Fatal(err)
	}
	when, err := time.Parse(TimeLayout, sample.RequestContext.Time)
	if err != nil {
		t.Fatalf("sample time %q does not parse with TimeLayout: %v", sample.RequestContext.Time, err)
	}
	if got := when.UnixMilli() / 1000; got != sample.RequestContext.TimeEpoch/1000 {
		t.Errorf("sample time %d s, its timeEpoch %d ms", got, sample.RequestContext.TimeEpoch)
	}
	if !requestIDPattern.MatchString(sample.RequestContext.RequestID) {
		t.Errorf("sample request id %q does not fit the pattern the builder is tested against", sample.RequestContext.RequestID)
	}

	// The same request, through the builder.
	r := httptest.NewRequest("GET", "http://aaaaaaaaaa.execute-api.us-west-2.amazonaws.com/", nil)
	r.RemoteAddr = "1.2.3.4:50000"
	r.Header.Set("Accept", "*/*")
	r.Header.Set("User-Agent", "curl/7.58.0")
	ev := Event(r, nil, match(t, "$default", "GET", "/"), sample.RequestContext.RequestID, when, Options{
		APIID: sample.RequestContext.APIID, Account: sample.RequestContext.AccountID,
	})
	if ev.RequestContext.Time != sample.RequestContext.Time {
		t.Errorf("time %q, the sample says %q", ev.RequestContext.Time, sample.RequestContext.Time)
	}
	rc, src := ev.RequestContext, sample.RequestContext
	pairs := []struct {
		name, got, want string
	}{
		{"routeKey", ev.RouteKey, sample.RouteKey},
		{"rawPath", ev.RawPath, sample.RawPath},
		{"rawQueryString", ev.RawQueryString, sample.RawQueryString},
		{"stage", rc.Stage, src.Stage},
		{"requestContext.routeKey", rc.RouteKey, src.RouteKey},
		{"domainName", rc.DomainName, src.DomainName},
		{"domainPrefix", rc.DomainPrefix, src.DomainPrefix},
		{"http.method", rc.HTTP.Method, src.HTTP.Method},
		{"http.path", rc.HTTP.Path, src.HTTP.Path},
		{"http.protocol", rc.HTTP.Protocol, src.HTTP.Protocol},
		{"http.sourceIp", rc.HTTP.SourceIP, src.HTTP.SourceIP},
		{"http.userAgent", rc.HTTP.UserAgent, src.HTTP.UserAgent},
	}
	for _, p := range pairs {
		if p.got != p.want {
			t.Errorf("%s %q, the sample says %q", p.name, p.got, p.want)
		}
	}
	// Every header the real gateway sent, the builder sends; the values of
	// those it does not make up (port and protocol are local) agree.
	for name, want := range sample.Headers {
		got, ok := ev.Headers[name]
		if !ok {
			t.Errorf("header %s missing", name)
			continue
		}
		switch name {
		case "x-forwarded-port", "x-forwarded-proto", "x-amzn-trace-id":
		default:
			if got != want {
				t.Errorf("header %s %q, the sample says %q", name, got, want)
			}
		}
	}

	// And the JSON it makes has the sample's shape: no key the sample
	// lacks, and it decodes back to the same event.
	built, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var builtDoc, sampleDoc map[string]any
	if err := json.Unmarshal(built, &builtDoc); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &sampleDoc); err != nil {
		t.Fatal(err)
	}
	if extra := extraKeys("", builtDoc, sampleDoc); len(extra) > 0 {
		t.Errorf("keys the real gateway does not send: %v", extra)
	}
	var back events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(built, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, ev) {
		t.Errorf("round trip changed the event:\n got %+v\nwant %+v", back, ev)
	}
}

// extraKeys lists the object keys in got that want lacks, recursively,
// skipping the maps whose keys are data (headers and the like).
func extraKeys(prefix string, got, want map[string]any) []string {
	var out []string
	for k, v := range got {
		w, ok := want[k]
		if !ok {
			out = append(out, prefix+k)
			continue
		}
		if slices.Contains([]string{"headers", "queryStringParameters", "pathParameters", "stageVariables"}, k) {
			continue
		}
		gm, gok := v.(map[string]any)
		wm, wok := w.(map[string]any)
		if gok && wok {
			out = append(out, extraKeys(prefix+k+".", gm, wm)...)
		}
	}
	slices.Sort(out)
	return out
}

func TestEventOverTLSAndLocalAddr(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ev := Event(r, nil, Match{Route: routes("$default")[0]}, awsid.GatewayID(), at, Options{})
		_ = json.NewEncoder(w).Encode(ev)
	}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ev events.APIGatewayV2HTTPRequest
	if err := json.NewDecoder(resp.Body).Decode(&ev); err != nil {
		t.Fatal(err)
	}
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL, "https://"), ":")
	tests := []struct {
		name, got, want string
	}{
		{"x-forwarded-proto", ev.Headers["x-forwarded-proto"], "https"},
		{"x-forwarded-port is the listening port", ev.Headers["x-forwarded-port"], port},
		{"x-forwarded-for", ev.Headers["x-forwarded-for"], "127.0.0.1"},
		{"sourceIp", ev.RequestContext.HTTP.SourceIP, "127.0.0.1"},
		{"domainPrefix of an IP", ev.RequestContext.DomainPrefix, "127"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
