// Command scheduler is the Lambda behind the EventBridge schedules: each
// rule's scheduled event names the job to run.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/bootstrap/jobrunner"
)

func main() {
	ctx := context.Background()
	cfg, log := bootstrap.Function(ctx, "scheduler", "DATABASE_URL")
	r, err := jobrunner.New(ctx, cfg, log, "scheduler")
	bootstrap.Fatal(log, "scheduler", err)
	lambda.Start(r.Handle)
}
