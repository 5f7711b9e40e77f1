package wsgateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"

	"innkeeper/local/wsgateway"
)

// officialSample reads one of the WebSocket sample events shipped with
// aws-lambda-go, from the module cache so that it cannot drift from the
// version in go.mod.
func officialSample(t *testing.T, name string) []byte {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-lambda-go").Output()
	if err != nil {
		t.Fatalf("locate aws-lambda-go: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(out)), "events", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keys are the names of the object at path in the JSON document raw.
func keys(t *testing.T, raw []byte, path ...string) []string {
	t.Helper()
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, p := range path {
		obj, ok := doc.(map[string]any)
		if !ok {
			t.Fatalf("%s: not an object", strings.Join(path, "."))
		}
		doc = obj[p]
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		t.Fatalf("%s: not an object in %s", strings.Join(path, "."), raw)
	}
	var out []string
	for k := range obj {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func subset(small, big []string) []string {
	var missing []string
	for _, k := range small {
		if !slices.Contains(big, k) {
			missing = append(missing, k)
		}
	}
	return missing
}

// The samples decode into the type the gateway fills, without a field to
// spare, and their times into the gateway's layout.
func TestOfficialSamplesDecode(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"apigw-websocket-request.json", "apigw-websocket-request-send-message.json", "apigw-websocket-request-disconnect.json"} {
		t.Run(name, func(t *testing.T) {
			dec := json.NewDecoder(bytes.NewReader(officialSample(t, name)))
			dec.DisallowUnknownFields()
			var ev events.APIGatewayWebsocketProxyRequest
			if err := dec.Decode(&ev); err != nil {
				t.Fatal(err)
			}
			if _, err := time.Parse(wsgateway.TimeLayout, ev.RequestContext.RequestTime); err != nil {
				t.Errorf("requestTime %q: %v", ev.RequestContext.RequestTime, err)
			}
			if id := ev.RequestContext.ConnectionID; !idPattern.MatchString(id) {
				t.Errorf("the sample's connection id %q does not fit the pattern the gateway is tested against", id)
			}
		})
	}
}

// The events the gateway sends have the shape of the official samples:
// the MESSAGE and DISCONNECT events, captured from AWS, key for key; the
// CONNECT event, whose sample mixes in REST API fields, no key the
// sample lacks and every WebSocket key and header it has.
func TestEventsHaveTheSamplesShape(t *testing.T) {
	t.Parallel()
	e := newEnv(t, fullAPI, wsgateway.Options{}, nil)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	h := http.Header{}
	h.Set("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits")
	c, _, err := websocket.Dial(ctx, e.wsURL+"?name=me", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	write(t, c, "{\r\n\t\"a\": 1\r\n}")
	e.inv.waitCalls(t, "$default", 1)
	if err := c.Close(websocket.StatusGoingAway, ""); err != nil {
		t.Fatal(err)
	}
	e.inv.waitCalls(t, "$disconnect", 1)

	t.Run("CONNECT", func(t *testing.T) {
		sample := officialSample(t, "apigw-websocket-request.json")
		got := e.inv.callsOf("$connect")[0].raw
		for _, path := range [][]string{nil, {"requestContext"}, {"requestContext", "identity"}} {
			if extra := subset(keys(t, got, path...), keys(t, sample, path...)); len(extra) > 0 {
				t.Errorf("%v: keys %v not in the sample", path, extra)
			}
		}
		wsKeys := []string{"apiId", "connectedAt", "connectionId", "domainName", "eventType", "extendedRequestId",
			"messageDirection", "requestId", "requestTime", "requestTimeEpoch", "routeKey", "stage", "identity"}
		if missing := subset(wsKeys, keys(t, got, "requestContext")); len(missing) > 0 {
			t.Errorf("requestContext lacks %v", missing)
		}
		if missing := subset(keys(t, sample, "multiValueHeaders"), keys(t, got, "multiValueHeaders")); len(missing) > 0 {
			t.Errorf("multiValueHeaders lack %v, which the sample has", missing)
		}
		for _, k := range []string{"queryStringParameters", "multiValueQueryStringParameters", "headers", "isBase64Encoded"} {
			if !slices.Contains(keys(t, got), k) {
				t.Errorf("%s missing", k)
			}
		}
	})
	tests := []struct {
		name, sample string
		raw          []byte
	}{
		{"MESSAGE", "apigw-websocket-request-send-message.json", e.inv.callsOf("$default")[0].raw},
		{"DISCONNECT", "apigw-websocket-request-disconnect.json", e.inv.callsOf("$disconnect")[0].raw},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sample := officialSample(t, tt.sample)
			paths := [][]string{nil, {"requestContext"}, {"requestContext", "identity"}}
			if tt.name == "DISCONNECT" {
				paths = append(paths, []string{"headers"}, []string{"multiValueHeaders"})
			}
			for _, path := range paths {
				if got, want := keys(t, tt.raw, path...), keys(t, sample, path...); !slices.Equal(got, want) {
					t.Errorf("%v: keys %v, the sample has %v", path, got, want)
				}
			}
			// The same body arrives as the sample shows it.
			var got, want events.APIGatewayWebsocketProxyRequest
			if err := json.Unmarshal(tt.raw, &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(sample, &want); err != nil {
				t.Fatal(err)
			}
			if got.Body != want.Body || got.IsBase64Encoded != want.IsBase64Encoded {
				t.Errorf("body %q (base64 %v), the sample %q (%v)", got.Body, got.IsBase64Encoded, want.Body, want.IsBase64Encoded)
			}
			if tt.name == "DISCONNECT" && got.RequestContext.DisconnectStatusCode != want.RequestContext.DisconnectStatusCode {
				t.Errorf("disconnectStatusCode %d, the sample (a browser tab closing) %d",
					got.RequestContext.DisconnectStatusCode, want.RequestContext.DisconnectStatusCode)
			}
		})
	}
}
