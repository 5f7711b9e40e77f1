package main

import (
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/local/testenv"
)

// restEvent is the event LocalStack's REST API (a {proxy+} resource on
// stage "local") sends for the request ev describes.
func restEvent(ev *events.APIGatewayV2HTTPRequest) events.APIGatewayProxyRequest {
	headers := map[string]string{}
	multi := map[string][]string{}
	for k, v := range ev.Headers {
		headers[k] = v
		multi[k] = strings.Split(v, ",") // the HTTP API joined repeated headers with commas
	}
	if len(ev.Cookies) > 0 {
		headers["cookie"] = strings.Join(ev.Cookies, "; ")
		multi["cookie"] = []string{headers["cookie"]}
	}
	var query map[string]string
	var multiQuery map[string][]string
	if ev.RawQueryString != "" {
		q, _ := url.ParseQuery(ev.RawQueryString)
		query, multiQuery = map[string]string{}, map[string][]string(q)
		for k, vs := range q {
			query[k] = vs[len(vs)-1]
		}
	}
	path := ev.RawPath
	rc := ev.RequestContext
	return events.APIGatewayProxyRequest{
		Resource: "/{proxy+}", Path: path, HTTPMethod: rc.HTTP.Method,
		Headers: headers, MultiValueHeaders: multi,
		QueryStringParameters: query, MultiValueQueryStringParameters: multiQuery,
		PathParameters: map[string]string{"proxy": strings.TrimPrefix(path, "/")},
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID: rc.AccountID, ResourceID: "k3x9pq", Stage: "local", DomainName: rc.DomainName,
			DomainPrefix: rc.DomainPrefix, RequestID: rc.RequestID, Protocol: rc.HTTP.Protocol,
			Identity:     events.APIGatewayRequestIdentity{SourceIP: rc.HTTP.SourceIP, UserAgent: rc.HTTP.UserAgent},
			ResourcePath: "/{proxy+}", Path: "/local" + path, HTTPMethod: rc.HTTP.Method,
			RequestTime: rc.Time, RequestTimeEpoch: rc.TimeEpoch, APIID: rc.APIID,
		},
		Body: ev.Body, IsBase64Encoded: ev.IsBase64Encoded,
	}
}

// Every HTTP API sample, sent as LocalStack's REST API sends it (payload
// 1.0), answers as it does through the HTTP API: the same status, the
// same kind of body, the same security headers. Each runs on a fresh
// stack of its own, against the real PostgreSQL and Redis.
func TestSampleEventsThroughTheRESTAPI(t *testing.T) {
	files, err := filepath.Glob("../../events/api/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample events: %v", err)
	}
	ran := 0
	for _, f := range files {
		s := readEvent(t, f)
		if s.v2 == nil {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		want, ok := expected[name]
		if !ok {
			continue // TestSampleEvents reports it
		}
		ev := restEvent(s.v2)
		checkREST(t, name, &ev)
		raw, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		ran++
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resp := invoke(t, sampleAPI(t, name), raw)
			if resp.StatusCode != want {
				t.Fatalf("status %d, want %d as through the HTTP API\n%s", resp.StatusCode, want, resp.Body)
			}
			ct := resp.Headers["Content-Type"]
			if (want >= 400) != (ct == "application/problem+json") || !json.Valid([]byte(resp.Body)) {
				t.Fatalf("status %d with Content-Type %q and body %s", want, ct, resp.Body)
			}
			if resp.Headers["X-Request-Id"] != ev.RequestContext.RequestID || resp.Headers["Strict-Transport-Security"] == "" {
				t.Fatalf("headers %v", resp.Headers)
			}
		})
	}
	if ran < 20 {
		t.Fatalf("only %d samples ran", ran)
	}
}

// The same request in both payload formats gets the same answer from the
// same stack.
func TestBothPayloadFormatsAgree(t *testing.T) {
	api := testenv.NewAPI(t, testenv.APIOptions{})
	v2 := invoke(t, api, readEvent(t, "../../events/api/list-hotels.json").raw)
	v1 := invoke(t, api, readEvent(t, "../../events/api/rest-v1-list-hotels.json").raw)
	if v1.StatusCode != 200 || v2.StatusCode != 200 || v1.Body != v2.Body || !strings.Contains(v1.Body, `"slug"`) {
		t.Fatalf("2.0: %d %s\n1.0: %d %s", v2.StatusCode, v2.Body, v1.StatusCode, v1.Body)
	}
	for _, h := range []string{"Content-Type", "Cache-Control", "Strict-Transport-Security", "X-Content-Type-Options"} {
		if v1.Headers[h] != v2.Headers[h] {
			t.Errorf("%s: 1.0 %q, 2.0 %q", h, v1.Headers[h], v2.Headers[h])
		}
	}
}
