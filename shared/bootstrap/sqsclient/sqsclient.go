// Package sqsclient wires the events queue the configuration names: its
// SQS client (package sqsjson, which makes the three calls the queue
// package needs without linking the SDK's SQS client, whose package
// initialisation cost the api's cold start about 1.8 ms) and the relay
// that publishes the outbox to it. The API, the scheduler and the
// metrics function use it; the functions that never touch the queue do
// not link it.
package sqsclient

import (
	"log/slog"
	"time"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/config"
	"innkeeper/shared/queue"
	"innkeeper/shared/sqsjson"
	"innkeeper/shared/store"
)

// New is the SQS client, or nil when no events queue is configured. It
// talks to the configured SQS endpoint (AWS_ENDPOINT_URL_SQS or
// AWS_ENDPOINT_URL: the devstack's emulator, LocalStack) when set, else
// to the region's.
func New(cfg config.Config) (*sqsjson.Client, error) {
	if cfg.EventsQueueURL == "" {
		return nil, nil
	}
	c, err := bootstrap.AWSConfig(cfg.SQSEndpoint != "")
	if err != nil {
		return nil, err
	}
	return sqsjson.New(c, cfg.SQSEndpoint), nil
}

// Relay publishes outbox events to the events queue, or is nil when no
// queue is configured (events then wait in the outbox).
func Relay(client *sqsjson.Client, cfg config.Config, st *store.Store, log *slog.Logger) *queue.Relay {
	if client == nil {
		return nil
	}
	return &queue.Relay{Outbox: st, Publisher: queue.Publisher{Client: client, QueueURL: cfg.EventsQueueURL}, Log: log, Timeout: time.Second}
}
