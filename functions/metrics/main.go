// Command metrics is the Lambda behind GET /metrics: the API's request
// counters (kept in Redis across every invocation), the bookings and the
// queue figures, in Prometheus's text format, for a bearer token.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/bootstrap/apigw"
	"innkeeper/shared/bootstrap/scrape"
)

func main() {
	ctx := context.Background()
	cfg, log := bootstrap.Function(ctx, "metrics", "DATABASE_URL", "REDIS_URL")
	h, err := scrape.New(ctx, cfg, log, scrape.Options{})
	bootstrap.Fatal(log, "metrics", err)
	lambda.Start(apigw.Metered("metrics", log, h))
}
