// Package sqsclient wires the events queue the configuration names: its
// SQS client and the relay that publishes the outbox to it. The API, the
// scheduler and the metrics function use it; the functions that never
// touch the queue do not link the SQS client.
package sqsclient

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/config"
	"innkeeper/shared/queue"
	"innkeeper/shared/store"
)

// New is the SQS client, or nil when no events queue is configured. It
// talks to SQS_ENDPOINT (the devstack's emulator, LocalStack) when set.
func New(cfg config.Config) (*sqs.Client, error) {
	if cfg.EventsQueueURL == "" {
		return nil, nil
	}
	c, err := bootstrap.AWSConfig(cfg.SQSEndpoint != "")
	if err != nil {
		return nil, err
	}
	return sqs.NewFromConfig(c, func(o *sqs.Options) {
		if cfg.SQSEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.SQSEndpoint)
		}
	}), nil
}

// Relay publishes outbox events to the events queue, or is nil when no
// queue is configured (events then wait in the outbox).
func Relay(client *sqs.Client, cfg config.Config, st *store.Store, log *slog.Logger) *queue.Relay {
	if client == nil {
		return nil
	}
	return &queue.Relay{Outbox: st, Publisher: queue.Publisher{Client: client, QueueURL: cfg.EventsQueueURL}, Log: log, Timeout: time.Second}
}
