// Package push wires WebSocket pushes for the functions that send them
// (the worker and the ws function). It is apart from shared/bootstrap so
// the functions that never push do not link the management API client.
package push

import (
	"log/slog"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/config"
	"innkeeper/shared/realtime"
	"innkeeper/shared/redisclient"
)

// New is the pusher the configuration names: Redis for the subscriptions,
// WS_MANAGEMENT_ENDPOINT for the @connections API. Without the endpoint
// (a stage without egress) the pusher has no client: it sends nothing
// and closes no connection at API Gateway.
func New(cfg config.Config, log *slog.Logger) (*realtime.Pusher, error) {
	c, err := redisclient.FromConfig(cfg)
	if err != nil {
		return nil, err
	}
	p := &realtime.Pusher{Hub: &realtime.Hub{Redis: c}, Log: log}
	if cfg.WSManagementEndpoint == "" {
		return p, nil
	}
	aws, err := bootstrap.AWSConfig(cfg.Env == "local" || cfg.Env == "test")
	if err != nil {
		return nil, err
	}
	p.Client = realtime.Client(aws, cfg.WSManagementEndpoint)
	return p, nil
}
