// Command migrate is the Lambda that applies the embedded schema
// migrations; it runs after each deployment, before traffic shifts.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/store"
)

func main() {
	ctx := context.Background()
	cfg, log := bootstrap.Function(ctx, "migrate")
	st, err := bootstrap.Store(ctx, cfg, "")
	bootstrap.Fatal(log, "migrate", err)
	lambda.Start(store.MigrateHandler(st, log))
}
