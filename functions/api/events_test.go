package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/local/testenv"
	"innkeeper/shared/topology"
)

// expected is the status each sample event answers against a fresh demo
// stack at testenv.Clock. A new event file must be listed here.
var expected = map[string]int{
	"livez":                          200,
	"readyz":                         200,
	"health":                         200,
	"list-hotels":                    200,
	"get-hotel":                      200,
	"get-hotel-unknown":              404,
	"search-availability":            200,
	"search-availability-invalid":    422,
	"create-reservation":             201,
	"create-hold":                    201,
	"create-reservation-invalid":     422,
	"get-reservation":                200,
	"get-reservation-wrong-token":    404,
	"cancellation-quote":             200,
	"confirm-hold":                   200,
	"cancel-reservation":             200,
	"admin-create-hotel":             201,
	"admin-create-room-type":         201,
	"admin-create-rate-plan":         201,
	"admin-set-inventory":            200,
	"admin-set-rates":                200,
	"admin-list-reservations":        200,
	"admin-list-reservations-no-key": 401,
	"admin-create-api-key":           201,
	"manage-reservation":             200,
	"manage-reservation-forged":      403,
	"admin-redrive-events":           202,
}

func readEvent(t *testing.T, path string) events.APIGatewayV2HTTPRequest {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ev); err != nil {
		t.Fatalf("%s does not decode as an API Gateway v2 request: %v", path, err)
	}
	return ev
}

// Every sample event runs through the Lambda handler, each on a fresh
// stack, and answers as expected.
func TestSampleEvents(t *testing.T) {
	files, err := filepath.Glob("../../events/api/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample events: %v", err)
	}
	covered := map[string]bool{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		want, ok := expected[name]
		if !ok {
			t.Errorf("%s has no expected status in this test", f)
			continue
		}
		ev := readEvent(t, f)
		if ev.RouteKey != ev.RequestContext.RouteKey || !strings.HasPrefix(ev.RouteKey, ev.RequestContext.HTTP.Method+" ") {
			t.Errorf("%s: routeKey %q disagrees with the request context", f, ev.RouteKey)
		}
		covered[ev.RouteKey] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := testenv.NewAPI(t, testenv.APIOptions{})
			resp, err := handler(api)(context.Background(), ev)
			if err != nil {
				t.Fatalf("handler error: %v", err)
			}
			if resp.StatusCode != want {
				t.Fatalf("status %d, want %d\n%s", resp.StatusCode, want, resp.Body)
			}
			ct := resp.Headers["Content-Type"]
			if (want >= 400) != (ct == "application/problem+json") || !json.Valid([]byte(resp.Body)) {
				t.Fatalf("status %d with Content-Type %q and body %s", want, ct, resp.Body)
			}
			if resp.Headers["X-Request-Id"] == "" || resp.Headers["Strict-Transport-Security"] == "" {
				t.Fatalf("headers %v", resp.Headers)
			}
		})
	}
	for name := range expected {
		if !slices.ContainsFunc(files, func(f string) bool { return strings.HasSuffix(f, "/"+name+".json") }) {
			t.Errorf("expected %s.json, which is missing", name)
		}
	}
	for _, r := range topology.Innkeeper.RoutesOf("api") {
		if !covered[r.Key()] {
			t.Errorf("route %s has no sample event", r.Key())
		}
	}
}

// The request id of API Gateway's event reaches the logs and the response.
func TestGatewayRequestIDIsUsed(t *testing.T) {
	api := testenv.NewAPI(t, testenv.APIOptions{NoDemo: true})
	ev := readEvent(t, "../../events/api/livez.json")
	resp, err := handler(api)(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Headers["X-Request-Id"] != ev.RequestContext.RequestID {
		t.Fatalf("X-Request-Id %q, want the gateway's %q", resp.Headers["X-Request-Id"], ev.RequestContext.RequestID)
	}
}

// The aws-lambda-go module's own API Gateway v2 samples (path /) are
// answered with a problem, never an adapter error.
func TestOfficialSampleEvents(t *testing.T) {
	api := testenv.NewAPI(t, testenv.APIOptions{NoDemo: true})
	dir := moduleDir(t, "github.com/aws/aws-lambda-go") + "/events/testdata"
	files, _ := filepath.Glob(dir + "/apigw-v2-request-*.json")
	if len(files) < 3 {
		t.Fatalf("found %d official v2 samples in %s", len(files), dir)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		resp, err := handler(api)(context.Background(), ev)
		if err != nil || resp.StatusCode != 404 || resp.Headers["Content-Type"] != "application/problem+json" {
			t.Errorf("%s: %d %v %s", filepath.Base(f), resp.StatusCode, err, resp.Body)
		}
	}
}

// moduleDir is where the go command keeps module path.
func moduleDir(t *testing.T, path string) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", path).Output()
	if err != nil {
		t.Fatalf("go list -m %s: %v", path, err)
	}
	return strings.TrimSpace(string(out))
}
