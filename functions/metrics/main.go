// Command metrics is the Lambda behind GET /metrics: the API's request
// counters (kept in Redis across every invocation), the bookings and the
// queue figures, in Prometheus's text format, for a bearer token.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/bootstrap/apigw"
	"innkeeper/shared/bootstrap/scrape"
	"innkeeper/shared/logging"
)

func main() {
	ctx := context.Background()
	cfg, err := bootstrap.Config(ctx)
	if err == nil {
		err = cfg.Require("DATABASE_URL", "REDIS_URL")
	}
	if err != nil {
		slog.Error("metrics: bad configuration", slog.String("error", err.Error()))
		os.Exit(1)
	}
	log := logging.New(os.Stdout, cfg.LogLevel)
	slog.SetDefault(log)
	h, err := scrape.New(ctx, cfg, log, scrape.Options{})
	if err != nil {
		log.Error("metrics: start", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(apigw.Metered("metrics", log, h))
}
