// Command migrate is the Lambda that applies the embedded schema
// migrations; it runs after each deployment, before traffic shifts. Sent
// an admin_key event (make admin-key), it also makes a stage's first
// admin API key (shared/provision).
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/provision"
)

func main() {
	ctx := context.Background()
	cfg, log := bootstrap.Function(ctx, "migrate")
	st, err := bootstrap.Store(ctx, cfg, "")
	bootstrap.Fatal(log, "migrate", err)
	lambda.Start(provision.Handler(st, log))
}
