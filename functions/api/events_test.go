package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/local/gateway"
	"innkeeper/local/testenv"
	"innkeeper/shared/bootstrap/apigw"
	"innkeeper/shared/topology"
)

// paying are the samples of routes that take payments (a booking's
// card, a hold's confirmation, Stripe's webhooks).
var paying = map[string]bool{"create-reservation": true, "confirm-hold": true, "stripe-webhook-forged": true}

// sampleAPI is a fresh demo stack for the sample name: samples of the
// routes that take payments run against an API that takes them, as in
// the cloud.
func sampleAPI(t *testing.T, name string) *testenv.API {
	var o testenv.APIOptions
	if paying[name] {
		o.Stripe = testenv.StartStripe(t, "")
	}
	return testenv.NewAPI(t, o)
}

// expected is the status each sample event answers against a fresh demo
// stack at testenv.Clock. A new event file must be listed here.
var expected = map[string]int{
	"livez":                       200,
	"readyz":                      200,
	"health":                      200,
	"openapi":                     200,
	"list-hotels":                 200,
	"get-hotel":                   200,
	"get-hotel-unknown":           404,
	"search-availability":         200,
	"search-availability-invalid": 422,
	"search-city":                 200,
	"search-city-invalid":         422,
	"create-reservation":          201,
	"create-hold":                 201,
	"create-reservation-invalid":  422,
	"get-reservation":             200,
	"get-booking-unknown":         404,
	"cancel-booking-unknown":      404,
	// An event whose Stripe-Signature is not the endpoint secret's.
	"stripe-webhook-forged":       400,
	"get-reservation-wrong-token": 404,
	"get-reservation-invoice":     200,
	"cancellation-quote":          200,
	"confirm-hold":                200,
	"cancel-reservation":          200,
	"admin-create-hotel":          201,
	"admin-create-room-type":      201,
	"admin-update-hotel":          200,
	// The demo hotel is sold in a fresh stack: unarchiving it is a
	// conflict.
	"admin-archive-hotel":   200,
	"admin-unarchive-hotel": 409,
	// No night has been audited in a fresh stack: an empty list.
	"admin-night-audits":     200,
	"me":                     200,
	"admin-update-room-type": 200,
	// FAM is not archived in a fresh stack: unarchiving it is a conflict.
	"admin-archive-room-type":        200,
	"admin-unarchive-room-type":      409,
	"admin-update-rate-plan":         200,
	"admin-update-rate-plan-invalid": 422,
	"admin-archive-rate-plan":        200,
	"admin-unarchive-rate-plan":      409,
	"admin-create-rate-plan":         201,
	"admin-set-inventory":            200,
	"admin-set-rates":                200,
	"admin-set-restrictions":         200,
	"admin-get-restrictions":         200,
	"admin-set-age-bands":            200,
	"admin-set-taxes":                200,
	"admin-get-taxes":                200,
	"admin-list-reservations":        200,
	"admin-list-reservations-no-key": 401,
	"admin-desk-reservation":         200,
	"admin-desk-reservation-unknown": 404,
	"admin-invoice-unknown":          404,
	"admin-audit":                    200,
	"admin-audit-invalid":            422,
	"admin-create-api-key":           201,
	"admin-list-api-keys":            200,
	"admin-revoke-api-key-unknown":   404,
	"ws-ticket":                      201,
	"manage-reservation":             200,
	"manage-reservation-forged":      403,
	"lookup-reservation":             202,
	"manage-cancel-forged":           403,
	"admin-redrive-events":           202,
	// The demo booking arrives on 31 December: cancellable, not yet
	// arrived, so neither checked in nor out nor a no-show.
	"admin-cancel-reservation":       200,
	"admin-check-in-before-arrival":  409,
	"admin-check-out-not-checked-in": 409,
	"admin-no-show-before-arrival":   409,
	"admin-modify-reservation":       200,
	"modification-quote":             200,
	"modify-reservation":             200,
	"finance-costs":                  200,
	"finance-unit-economics":         200,
	"finance-reservation-cost":       200,
	"finance-forecast":               200,
	"finance-revenue":                200,
	"finance-memory":                 200,
	"finance-reconciliation":         200,
	// Payload format 1.0, as LocalStack's REST API sends.
	"rest-v1-list-hotels": 200,
}

// sample is a file of events/api, decoded strictly into the aws-lambda-go
// type of its payload format: 2.0 (the HTTP API) or 1.0 (a REST API's
// proxy integration, as on LocalStack).
type sample struct {
	raw []byte
	v2  *events.APIGatewayV2HTTPRequest
	v1  *events.APIGatewayProxyRequest
}

func readEvent(t *testing.T, path string) sample {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := apigw.Detect(raw)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	s := sample{raw: raw}
	var into any
	if v == apigw.V2 {
		s.v2 = &events.APIGatewayV2HTTPRequest{}
		into = s.v2
	} else {
		s.v1 = &events.APIGatewayProxyRequest{}
		into = s.v1
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(into); err != nil {
		t.Fatalf("%s does not decode as an API Gateway payload %s request: %v", path, v, err)
	}
	return s
}

// requestID is API Gateway's id of the request.
func (s sample) requestID() string {
	if s.v2 != nil {
		return s.v2.RequestContext.RequestID
	}
	return s.v1.RequestContext.RequestID
}

// checkREST checks a 1.0 sample is what the LocalStack stage's REST API
// (a proxy resource, {proxy+}) sends for a route of the manifest.
func checkREST(t *testing.T, name string, ev *events.APIGatewayProxyRequest) {
	t.Helper()
	router, err := gateway.NewRouter(topology.Innkeeper.Routes)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := router.Match(ev.HTTPMethod, ev.Path)
	switch {
	case !ok || m.Route.Path == topology.DefaultRoute:
		t.Errorf("%s: %s %s is no route of the manifest", name, ev.HTTPMethod, ev.Path)
	case m.Route.Function != "api":
		t.Errorf("%s: %s %s is function %s's route", name, ev.HTTPMethod, ev.Path, m.Route.Function)
	case ev.Resource != "/{proxy+}" || ev.RequestContext.ResourcePath != ev.Resource ||
		ev.PathParameters["proxy"] != strings.TrimPrefix(ev.Path, "/") ||
		ev.RequestContext.HTTPMethod != ev.HTTPMethod ||
		ev.RequestContext.Path != "/"+ev.RequestContext.Stage+ev.Path:
		t.Errorf("%s: not a proxy resource's event: resource %q, proxy %q, context %s %s", name, ev.Resource,
			ev.PathParameters["proxy"], ev.RequestContext.HTTPMethod, ev.RequestContext.Path)
	}
}

// response is either format's response, as the tests look at it.
type response struct {
	StatusCode int
	Headers    map[string]string
	Body       string
}

// invoke runs the raw event through the Lambda handler and checks the
// response is of the event's format.
func invoke(t *testing.T, h http.Handler, raw []byte) response {
	t.Helper()
	v, err := apigw.Detect(raw)
	if err != nil {
		t.Fatal(err)
	}
	out, err := handler(h, slog.New(slog.DiscardHandler))(context.Background(), raw)
	if err != nil {
		t.Fatalf("handler error: %v", err)
	}
	switch r := out.(type) {
	case events.APIGatewayV2HTTPResponse:
		if v != apigw.V2 {
			t.Fatalf("a payload %s event answered with a 2.0 response", v)
		}
		return response{r.StatusCode, r.Headers, r.Body}
	case events.APIGatewayProxyResponse:
		if v != apigw.V1 {
			t.Fatalf("a payload %s event answered with a 1.0 response", v)
		}
		headers := map[string]string{}
		for k, vs := range r.MultiValueHeaders {
			headers[k] = strings.Join(vs, ",")
		}
		for k, v := range r.Headers {
			headers[k] = v
		}
		return response{r.StatusCode, headers, r.Body}
	}
	t.Fatalf("response of type %T", out)
	return response{}
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
		s := readEvent(t, f)
		if ev := s.v2; ev != nil {
			if ev.RouteKey != ev.RequestContext.RouteKey || !strings.HasPrefix(ev.RouteKey, ev.RequestContext.HTTP.Method+" ") {
				t.Errorf("%s: routeKey %q disagrees with the request context", f, ev.RouteKey)
			}
			// Routes are the HTTP API's: a 1.0 sample covers none.
			covered[ev.RouteKey] = true
		} else {
			checkREST(t, f, s.v1)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resp := invoke(t, sampleAPI(t, name), s.raw)
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

// The request id of API Gateway's event, in either payload format,
// reaches the logs and the response.
func TestGatewayRequestIDIsUsed(t *testing.T) {
	api := testenv.NewAPI(t, testenv.APIOptions{NoDemo: true})
	tests := []struct {
		name, file string
	}{
		{"HTTP API, payload 2.0", "livez.json"},
		{"REST API, payload 1.0", "rest-v1-list-hotels.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := readEvent(t, "../../events/api/"+tt.file)
			resp := invoke(t, api, s.raw)
			if resp.Headers["X-Request-Id"] != s.requestID() || s.requestID() == "" {
				t.Fatalf("X-Request-Id %q, want the gateway's %q", resp.Headers["X-Request-Id"], s.requestID())
			}
		})
	}
}

// The aws-lambda-go module's own API Gateway samples of both payload
// formats (paths / and /hello/world) are answered with a problem, never
// an adapter error.
func TestOfficialSampleEvents(t *testing.T) {
	api := testenv.NewAPI(t, testenv.APIOptions{NoDemo: true})
	dir := moduleDir(t, "github.com/aws/aws-lambda-go") + "/events/testdata"
	files, _ := filepath.Glob(dir + "/apigw-v2-request-*.json")
	if len(files) < 3 {
		t.Fatalf("found %d official v2 samples in %s", len(files), dir)
	}
	files = append(files, dir+"/apigw-request.json", dir+"/apigw-restapi-openapi-request.json")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		resp := invoke(t, api, raw)
		if resp.StatusCode != 404 || resp.Headers["Content-Type"] != "application/problem+json" {
			t.Errorf("%s: %d %s", filepath.Base(f), resp.StatusCode, resp.Body)
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
