// Command migrate is the Lambda that applies the embedded schema
// migrations; it runs after each deployment, before traffic shifts.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/logging"
	"innkeeper/shared/store"
)

func main() {
	cfg, err := bootstrap.Config(context.Background())
	if err != nil {
		slog.Error("migrate: bad configuration", slog.String("error", err.Error()))
		os.Exit(1)
	}
	log := logging.New(os.Stdout, cfg.LogLevel)
	slog.SetDefault(log)
	st, err := bootstrap.Store(context.Background(), cfg, "")
	if err != nil {
		log.Error("migrate: start", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(store.MigrateHandler(st, log))
}
