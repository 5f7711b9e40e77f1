package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/shared/requestid"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		name  string
		event string
		want  Version
		err   bool
	}{
		{"http api", `{"version":"2.0","routeKey":"GET /x","rawPath":"/x","requestContext":{"http":{"method":"GET"}}}`, V2, false},
		{"rest api", `{"resource":"/{proxy+}","path":"/x","httpMethod":"GET","requestContext":{"httpMethod":"GET"}}`, V1, false},
		{"http api format 1.0", `{"version":"1.0","path":"/x","httpMethod":"GET"}`, V1, false},
		{"version wins", `{"version":"2.0","httpMethod":"GET"}`, V2, false},
		{"empty", `{}`, "", true},
		{"scheduled event", `{"version":"0","id":"x","detail-type":"Scheduled Event"}`, "", true},
		{"unknown version", `{"version":"3.0","httpMethod":"GET"}`, "", true},
		{"not json", `GET /x`, "", true},
		{"not an object", `[1]`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Detect([]byte(tt.event))
			if got != tt.want || (err != nil) != tt.err {
				t.Fatalf("got %q, %v; want %q, error %v", got, err, tt.want, tt.err)
			}
		})
	}
}

// echo answers with what it saw, and a cookie twice.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Add("Set-Cookie", "a=1")
	w.Header().Add("Set-Cookie", "b=2")
	w.WriteHeader(http.StatusTeapot)
	_ = json.NewEncoder(w).Encode(map[string]string{"method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery, "request_id": r.Header.Get("X-Request-Id")})
})

func TestHandlerAnswersInTheEventsFormat(t *testing.T) {
	tests := []struct {
		name, event, wantPath, wantQuery, wantID string
	}{
		{
			name:     "2.0",
			event:    `{"version":"2.0","routeKey":"$default","rawPath":"/v1/hotels","rawQueryString":"a=b","headers":{},"requestContext":{"requestId":"gw2","http":{"method":"GET","path":"/v1/hotels"}},"isBase64Encoded":false}`,
			wantPath: "/v1/hotels", wantQuery: "a=b", wantID: "", // the API reads a 2.0 request id from the context
		},
		{
			name:     "1.0",
			event:    `{"resource":"/{proxy+}","path":"/v1/hotels","httpMethod":"GET","multiValueQueryStringParameters":{"a":["b"]},"requestContext":{"requestId":"gw1","httpMethod":"GET"}}`,
			wantPath: "/v1/hotels", wantQuery: "a=b", wantID: "gw1",
		},
		{
			name:     "1.0 with the client's request id",
			event:    `{"path":"/v1/hotels","httpMethod":"GET","headers":{"X-Request-Id":"mine"},"requestContext":{"requestId":"gw1"}}`,
			wantPath: "/v1/hotels", wantID: "mine",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Handler(echo)(context.Background(), json.RawMessage(tt.event))
			if err != nil {
				t.Fatal(err)
			}
			var status int
			var body string
			switch r := out.(type) {
			case events.APIGatewayV2HTTPResponse:
				if !strings.HasPrefix(tt.name, "2.0") {
					t.Fatalf("a %s event answered with a 2.0 response", tt.name)
				}
				status, body = r.StatusCode, r.Body
			case events.APIGatewayProxyResponse:
				if !strings.HasPrefix(tt.name, "1.0") {
					t.Fatalf("a %s event answered with a 1.0 response", tt.name)
				}
				status, body = r.StatusCode, r.Body
				if got := r.MultiValueHeaders["Set-Cookie"]; len(got) != 2 {
					t.Errorf("Set-Cookie %v: a REST API takes every cookie", got)
				}
			default:
				t.Fatalf("response of type %T", out)
			}
			var seen map[string]string
			if err := json.Unmarshal([]byte(body), &seen); err != nil || status != http.StatusTeapot {
				t.Fatalf("%d %s", status, body)
			}
			if seen["method"] != "GET" || seen["path"] != tt.wantPath || seen["query"] != tt.wantQuery || seen["request_id"] != tt.wantID {
				t.Fatalf("handler saw %v", seen)
			}
		})
	}
}

// API Gateway's request id reaches the handler in the request's context
// in either payload format, whatever the client's own header says.
func TestHandlerPutsTheGatewaysRequestIDInTheContext(t *testing.T) {
	tests := []struct {
		name, event, want string
		carried           bool
	}{
		{
			name:    "2.0",
			event:   `{"version":"2.0","routeKey":"$default","rawPath":"/v1/hotels","headers":{},"requestContext":{"requestId":"LV7fzho-PHcEJPw=","http":{"method":"GET","path":"/v1/hotels"}}}`,
			want:    "LV7fzho-PHcEJPw=",
			carried: true,
		},
		{
			name:    "2.0 with the client's request id",
			event:   `{"version":"2.0","routeKey":"$default","rawPath":"/v1/hotels","headers":{"x-request-id":"mine"},"requestContext":{"requestId":"gw2","http":{"method":"GET","path":"/v1/hotels"}}}`,
			want:    "gw2",
			carried: true,
		},
		{
			name:    "1.0",
			event:   `{"resource":"/{proxy+}","path":"/v1/hotels","httpMethod":"GET","requestContext":{"requestId":"c6af9ac6-7b61-11e6-9a41-93e8deadbeef","httpMethod":"GET"}}`,
			want:    "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
			carried: true,
		},
		{
			name:    "1.0 with the client's request id",
			event:   `{"path":"/v1/hotels","httpMethod":"GET","headers":{"X-Request-Id":"mine"},"requestContext":{"requestId":"gw1"}}`,
			want:    "gw1",
			carried: true,
		},
		{
			name:  "2.0 without one",
			event: `{"version":"2.0","routeKey":"$default","rawPath":"/","requestContext":{"http":{"method":"GET","path":"/"}}}`,
		},
		{
			name:  "1.0 without one",
			event: `{"path":"/","httpMethod":"GET","requestContext":{}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got string
			var carried, served bool
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				got, carried = requestid.Gateway(r.Context())
				served = true
				w.WriteHeader(http.StatusNoContent)
			})
			if _, err := Handler(h)(context.Background(), json.RawMessage(tt.event)); err != nil {
				t.Fatal(err)
			}
			if !served || got != tt.want || carried != tt.carried {
				t.Fatalf("handler saw %q, %v (served %v); want %q, %v", got, carried, served, tt.want, tt.carried)
			}
		})
	}
}

func TestHandlerRejectsOtherEvents(t *testing.T) {
	_, err := Handler(echo)(context.Background(), json.RawMessage(`{"Records":[]}`))
	if !errors.Is(err, ErrNotProxyEvent) {
		t.Fatalf("got %v", err)
	}
}

// aws-lambda-go's own samples of both formats are told apart.
func TestDetectOfficialSamples(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "events", "testdata")
	samples := map[string]Version{"apigw-request.json": V1, "apigw-restapi-openapi-request.json": V1}
	v2, _ := filepath.Glob(filepath.Join(dir, "apigw-v2-request-*.json"))
	if len(v2) < 3 {
		t.Fatalf("found %d v2 samples", len(v2))
	}
	for _, f := range v2 {
		samples[filepath.Base(f)] = V2
	}
	for name, want := range samples {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := Detect(raw); got != want || err != nil {
			t.Errorf("%s: %q %v, want %q", name, got, err, want)
		}
	}
}

// The warm-up event must be a real payload 2.0 event, every key of it a
// field of the type, or decoding it builds less than it claims to.
func TestWarmEventIsAWholeEvent(t *testing.T) {
	dec := json.NewDecoder(strings.NewReader(warmEvent))
	dec.DisallowUnknownFields()
	var ev events.APIGatewayV2HTTPRequest
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("warmEvent: %v", err)
	}
	if v, err := Detect([]byte(warmEvent)); err != nil || v != V2 {
		t.Fatalf("Detect(warmEvent) = %q, %v", v, err)
	}
	rc := ev.RequestContext
	if ev.RawPath != "/x" || rc.HTTP.Method != "GET" || rc.Authorizer == nil || rc.Authorizer.JWT.Claims["a"] != "b" ||
		rc.Authorizer.IAM == nil || rc.Authentication.ClientCert.Validity.NotAfter != "b" || ev.Cookies[0] != "a=b" {
		t.Errorf("warmEvent decoded to %+v: a part is missing", ev)
	}
}
