// Command costingest is the Lambda behind the CloudWatch Logs
// subscription on every other function's log group: it prices each
// invocation from its REPORT line and attribution line into the cost
// ledger, once per request id, and writes an EMF line per invocation.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/cost"
	"innkeeper/shared/ledger"
	"innkeeper/shared/logging"
	"innkeeper/shared/topology"
)

func main() {
	ctx := context.Background()
	cfg, err := bootstrap.Config(ctx)
	if err == nil {
		err = cfg.Require("DATABASE_URL")
	}
	if err != nil {
		slog.Error("costingest: bad configuration", slog.String("error", err.Error()))
		os.Exit(1)
	}
	log := logging.New(os.Stdout, cfg.LogLevel)
	slog.SetDefault(log)
	overrides, err := cost.ParseOverrides(cfg.CostPriceOverrides)
	if err != nil {
		log.Error("costingest: COST_PRICE_OVERRIDES", slog.String("error", err.Error()))
		os.Exit(1)
	}
	st, err := bootstrap.Store(ctx, cfg, "")
	if err != nil {
		log.Error("costingest: start", slog.String("error", err.Error()))
		os.Exit(1)
	}
	in, err := ledger.New(topology.Innkeeper, cfg.CostRegion, overrides, st, os.Stdout, log)
	if err != nil {
		log.Error("costingest: start", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(in.Handle)
}
