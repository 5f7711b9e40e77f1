// Command api is the Lambda behind API Gateway: the whole Innkeeper API as
// one http.Handler, adapted by aws-lambda-go-api-proxy for the HTTP API's
// payload format 2.0 in the cloud and a REST API's format 1.0 on
// LocalStack.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/bootstrap/apigw"
	"innkeeper/shared/bootstrap/apiserver"
)

func main() {
	ctx := context.Background()
	cfg, log := bootstrap.Function(ctx, "api", "DATABASE_URL", "REDIS_URL")
	api, err := apiserver.New(ctx, cfg, log, apiserver.Options{})
	bootstrap.Fatal(log, "api", err)
	lambda.Start(handler(api, log))
}

// handler adapts API Gateway events of either payload format to the
// http.Handler, and records each invocation for cost attribution.
func handler(h http.Handler, log *slog.Logger) func(context.Context, json.RawMessage) (any, error) {
	return apigw.Metered("api", log, h)
}
