// Command api is the Lambda behind API Gateway's HTTP API (payload format
// 2.0): the whole Innkeeper API as one http.Handler, adapted by
// aws-lambda-go-api-proxy.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/config"
	"innkeeper/shared/logging"
)

func main() {
	cfg, err := config.FromEnv()
	if err == nil {
		err = cfg.Require("DATABASE_URL", "REDIS_URL")
	}
	if err != nil {
		slog.Error("api: bad configuration", slog.String("error", err.Error()))
		os.Exit(1)
	}
	log := logging.New(os.Stdout, cfg.LogLevel)
	slog.SetDefault(log)
	api, err := bootstrap.NewAPI(context.Background(), cfg, log, bootstrap.APIOptions{})
	if err != nil {
		log.Error("api: start", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(handler(api))
}

// handler adapts API Gateway HTTP API events to the http.Handler.
func handler(h http.Handler) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return httpadapter.NewV2(h).ProxyWithContext
}
