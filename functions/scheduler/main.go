// Command scheduler is the Lambda behind the EventBridge schedules: each
// rule's scheduled event names the job to run.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"innkeeper/shared/bootstrap"
)

func main() {
	ctx := context.Background()
	cfg, log := bootstrap.Function(ctx, "scheduler", "DATABASE_URL")
	r, err := bootstrap.NewJobs(ctx, cfg, log)
	bootstrap.Fatal(log, "scheduler", err)
	r.Function = "scheduler"
	lambda.Start(r.Handle)
}
