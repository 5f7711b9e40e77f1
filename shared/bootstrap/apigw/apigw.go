// Package apigw adapts API Gateway's proxy events to an http.Handler, in
// both payload formats: 2.0, which the HTTP API sends in the cloud, and
// 1.0, which a REST API's Lambda proxy integration sends (LocalStack's
// free tier has REST APIs only). Each event is answered in its own
// format's response type.
//
// It is apart from shared/bootstrap so that only the api function links
// the proxy adapters.
package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"innkeeper/shared/meter"
	"innkeeper/shared/requestid"
)

// Version is an event's payload format.
type Version string

// The payload formats.
const (
	V1 Version = "1.0" // REST API proxy integration; HTTP API's format 1.0
	V2 Version = "2.0" // HTTP API
)

// ErrNotProxyEvent is Handler's error for an event of neither format.
var ErrNotProxyEvent = errors.New("apigw: not an API Gateway proxy event (neither \"version\":\"2.0\" nor an httpMethod)")

// Detect is the payload format of the event raw: 2.0 when it says so, 1.0
// when it says so or carries a REST API's httpMethod (REST APIs send no
// version). It reads only those two fields.
func Detect(raw []byte) (Version, error) {
	var probe struct {
		Version    string `json:"version"`
		HTTPMethod string `json:"httpMethod"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return "", fmt.Errorf("apigw: decode event: %w", err)
	}
	switch {
	case probe.Version == string(V2):
		return V2, nil
	case probe.Version == string(V1), probe.Version == "" && probe.HTTPMethod != "":
		return V1, nil
	}
	return "", ErrNotProxyEvent
}

// Handler is a Lambda handler serving h to API Gateway in both payload
// formats: it answers a 2.0 event with an events.APIGatewayV2HTTPResponse
// and a 1.0 event with an events.APIGatewayProxyResponse.
//
// The request's context carries API Gateway's request id of either
// format (shared/requestid), so h need not know payload formats nor link
// the proxy library to read it.
func Handler(h http.Handler) func(context.Context, json.RawMessage) (any, error) {
	return Metered("", nil, h)
}

// Metered is Handler, recording each invocation for cost attribution
// (shared/meter) as the function named: the route key it served, the
// request's size, and what the handlers touched; log receives the
// attribution line (none when nil).
func Metered(function string, log *slog.Logger, h http.Handler) func(context.Context, json.RawMessage) (any, error) {
	v2 := httpadapter.NewV2(h)
	v1 := httpadapter.New(gatewayRequestID(h))
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		v, err := Detect(raw)
		if err != nil {
			return nil, err
		}
		if v == V2 {
			var ev events.APIGatewayV2HTTPRequest
			if err := json.Unmarshal(raw, &ev); err != nil {
				return nil, fmt.Errorf("apigw: decode payload 2.0 event: %w", err)
			}
			ctx, inv := meter.Begin(ctx, log, function, meter.TriggerHTTP, ev.RouteKey, int64(len(ev.Body)))
			defer inv.Log(ctx, log)
			ctx = requestid.WithGateway(ctx, ev.RequestContext.RequestID)
			resp, err := v2.ProxyWithContext(ctx, ev)
			inv.Status(resp.StatusCode)
			return resp, err
		}
		var ev events.APIGatewayProxyRequest
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("apigw: decode payload 1.0 event: %w", err)
		}
		ctx, inv := meter.Begin(ctx, log, function, meter.TriggerHTTP, ev.HTTPMethod+" "+ev.Resource, int64(len(ev.Body)))
		defer inv.Log(ctx, log)
		ctx = requestid.WithGateway(ctx, ev.RequestContext.RequestID)
		resp, err := v1.ProxyWithContext(ctx, ev)
		inv.Status(resp.StatusCode)
		return resp, err
	}
}

// gatewayRequestID gives a 1.0 request without an X-Request-Id header
// API Gateway's request id as one too, as the REST API's requests always
// had it: a handler that reads the header sees what it saw before the
// id travelled in the context. A client's own header is left alone, as
// the API would prefer it too.
func gatewayRequestID(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, ok := requestid.Gateway(r.Context()); ok && r.Header.Get("X-Request-Id") == "" {
			r.Header.Set("X-Request-Id", id)
		}
		h.ServeHTTP(w, r)
	})
}
