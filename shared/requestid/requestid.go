// Package requestid carries API Gateway's id of a request in the
// request's context, from the Lambda adapter that reads it off the event
// (shared/bootstrap/apigw) to the API that logs and echoes it
// (shared/httpapi), in either payload format.
//
// It imports only the standard library, so that the API reads the id
// without linking the proxy library, and the adapter writes it without
// linking the API (which the metrics function, served by the same
// adapter, must not carry).
package requestid

import "context"

type gatewayKey struct{}

// WithGateway returns ctx carrying id as API Gateway's request id; an
// empty id carries none.
func WithGateway(ctx context.Context, id string) context.Context {
	if id == "" {
		return ctx
	}
	return context.WithValue(ctx, gatewayKey{}, id)
}

// Gateway is API Gateway's request id carried by ctx, if any.
func Gateway(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(gatewayKey{}).(string)
	return id, ok && id != ""
}
