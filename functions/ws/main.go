// Command ws is the Lambda behind the API Gateway WebSocket API: $connect
// authenticates (guest token, staff key or nobody), $disconnect forgets,
// and messages subscribe to availability, a reservation or a hotel's
// bookings, or ping.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"innkeeper/shared/booking"
	"innkeeper/shared/bootstrap"
	"innkeeper/shared/bootstrap/push"
	"innkeeper/shared/config"
	"innkeeper/shared/logging"
	"innkeeper/shared/realtime"
)

func main() {
	cfg, err := bootstrap.Config(context.Background())
	if err == nil {
		err = cfg.Require("DATABASE_URL", "REDIS_URL", "WS_MANAGEMENT_ENDPOINT")
	}
	log := logging.New(os.Stdout, cfg.LogLevel)
	slog.SetDefault(log)
	var h *realtime.Handler
	if err == nil {
		h, err = handler(cfg, log)
	}
	if err != nil {
		log.Error("ws: start", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

func handler(cfg config.Config, log *slog.Logger) (*realtime.Handler, error) {
	st, err := bootstrap.Store(context.Background(), cfg, "")
	if err != nil {
		return nil, err
	}
	p, err := push.New(cfg, log)
	if err != nil {
		return nil, err
	}
	return &realtime.Handler{
		Hub: p.Hub, Pusher: p, Service: booking.NewService(st, nil), Keys: st, Origins: cfg.CORSAllowedOrigins, Log: log, Function: "ws",
	}, nil
}
