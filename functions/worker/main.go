// Command worker is the Lambda behind the events queue's event source
// mapping: it sends the emails each reservation event calls for, once,
// and reports partial batch failures.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/config"
	"innkeeper/shared/logging"
)

func main() {
	cfg, err := config.FromEnv()
	if err == nil {
		err = cfg.Require("DATABASE_URL", "APP_URL", "APP_KEY")
	}
	if err != nil {
		slog.Error("worker: bad configuration", slog.String("error", err.Error()))
		os.Exit(1)
	}
	log := logging.New(os.Stdout, cfg.LogLevel)
	slog.SetDefault(log)
	h, err := bootstrap.NewWorker(context.Background(), cfg, log)
	if err != nil {
		log.Error("worker: start", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
