// Command ws is the Lambda behind the API Gateway WebSocket API: $connect
// authenticates (guest token, staff ticket or nobody), $disconnect forgets,
// and messages subscribe to availability, a reservation or a hotel's
// bookings, or ping.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"innkeeper/shared/booking"
	"innkeeper/shared/bootstrap"
	"innkeeper/shared/bootstrap/push"
	"innkeeper/shared/keyring"
	"innkeeper/shared/realtime"
)

func main() {
	ctx := context.Background()
	cfg, log := bootstrap.Function(ctx, "ws", "DATABASE_URL", "REDIS_URL", "APP_KEY")
	st, err := bootstrap.Store(ctx, cfg, "")
	bootstrap.Fatal(log, "ws", err)
	// Replies are the message routes' responses; WS_MANAGEMENT_ENDPOINT,
	// when set (with egress), only closes revoked keys' connections.
	p, err := push.New(cfg, log)
	bootstrap.Fatal(log, "ws", err)
	p.Keys = st
	// Client addresses are counted under keyed names, never in clear.
	addrs, err := keyring.NewAddresses(cfg.AppKey, cfg.AppKeyNext)
	bootstrap.Fatal(log, "ws", err)
	lambda.Start((&realtime.Handler{
		Hub: p.Hub, Pusher: p, Service: booking.NewService(st, nil), Keys: st,
		Origins: cfg.CORSAllowedOrigins, Log: log, Function: "ws",
		Addresses: addrs, MaxConnectionsPerAddress: cfg.WSMaxConnectionsPerAddress,
		MaxSubscriptionsPerConnection: cfg.WSMaxSubscriptionsPerConnection,
	}).Handle)
}
