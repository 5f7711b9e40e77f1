package bootstrap

import (
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"innkeeper/shared/config"
	"innkeeper/shared/queue"
	"innkeeper/shared/store"
)

// AWSConfig is the SDK configuration a Lambda function needs, read from
// the variables Lambda sets: AWS_REGION and the execution role's
// credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN). It does not use the SDK's config package: that
// package's search through profiles, SSO and instance metadata is for
// machines, not Lambda, and its initialisation alone cost the API a
// millisecond of every cold start. With an endpoint override (the
// devstack's emulators) and no credentials, static local ones are used.
func AWSConfig(local bool) (aws.Config, error) {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = os.Getenv("AWS_DEFAULT_REGION")
	}
	if region == "" {
		region = "eu-west-1"
	}
	id, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	if id == "" || secret == "" {
		if !local {
			return aws.Config{}, fmt.Errorf("bootstrap: no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)")
		}
		id, secret = "local", "local"
	}
	return aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, os.Getenv("AWS_SESSION_TOKEN")),
	}, nil
}

// SQS is the SQS client, or nil when no events queue is configured.
func SQS(cfg config.Config) (*sqs.Client, error) {
	if cfg.EventsQueueURL == "" {
		return nil, nil
	}
	c, err := AWSConfig(cfg.SQSEndpoint != "")
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
