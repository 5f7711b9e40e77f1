// Command scheduler is the Lambda behind the EventBridge schedules: each
// rule's scheduled event names the job to run.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/logging"
)

func main() {
	cfg, err := bootstrap.Config(context.Background())
	if err == nil {
		err = cfg.Require("DATABASE_URL")
	}
	if err != nil {
		slog.Error("scheduler: bad configuration", slog.String("error", err.Error()))
		os.Exit(1)
	}
	log := logging.New(os.Stdout, cfg.LogLevel)
	slog.SetDefault(log)
	r, err := bootstrap.NewJobs(context.Background(), cfg, log)
	if err != nil {
		log.Error("scheduler: start", slog.String("error", err.Error()))
		os.Exit(1)
	}
	r.Function = "scheduler"
	lambda.Start(r.Handle)
}
