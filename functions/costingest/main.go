// Command costingest is the Lambda behind the CloudWatch Logs
// subscription on every other function's log group: it prices each
// invocation from its REPORT line and attribution line into the cost
// ledger, once per request id and attempt, and writes an EMF line per
// invocation.
package main

import (
	"context"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/costingest"
	"innkeeper/shared/pricing"
	"innkeeper/shared/topology"
)

func main() {
	ctx := context.Background()
	cfg, log := bootstrap.Function(ctx, "costingest", "DATABASE_URL")
	overrides, err := pricing.ParseOverrides(cfg.CostPriceOverrides)
	bootstrap.Fatal(log, "costingest", err)
	st, err := bootstrap.Store(ctx, cfg, "")
	bootstrap.Fatal(log, "costingest", err)
	in, err := costingest.New(topology.Innkeeper, cfg.CostRegion, overrides, st, os.Stdout, log)
	bootstrap.Fatal(log, "costingest", err)
	lambda.Start(in.Handle)
}
