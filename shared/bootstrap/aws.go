package bootstrap

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"innkeeper/shared/config"
	"innkeeper/shared/mail"
	"innkeeper/shared/queue"
	"innkeeper/shared/store"
)

// awsConfig loads the SDK's configuration. With an endpoint override (the
// devstack's emulators) and no credentials in the environment, it uses
// static local ones rather than search the machine for real ones.
func awsConfig(ctx context.Context, local bool) (aws.Config, error) {
	opts := []func(*awsconfig.LoadOptions) error{}
	if os.Getenv("AWS_REGION") == "" && os.Getenv("AWS_DEFAULT_REGION") == "" {
		opts = append(opts, awsconfig.WithRegion("eu-west-1"))
	}
	if local && os.Getenv("AWS_ACCESS_KEY_ID") == "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	c, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("bootstrap: aws config: %w", err)
	}
	return c, nil
}

// SQS is the SQS client, or nil when no events queue is configured.
func SQS(ctx context.Context, cfg config.Config) (*sqs.Client, error) {
	if cfg.EventsQueueURL == "" {
		return nil, nil
	}
	c, err := awsConfig(ctx, cfg.SQSEndpoint != "")
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

// Mailer is the mail sender the configuration names.
func Mailer(ctx context.Context, cfg config.Config) (mail.Sender, error) {
	switch cfg.MailDriver {
	case "smtp":
		if err := cfg.Require("SMTP_ADDR"); err != nil {
			return nil, err
		}
		return mail.SMTP{Addr: cfg.SMTPAddr, Timeout: 5 * time.Second}, nil
	case "ses":
		c, err := awsConfig(ctx, false)
		if err != nil {
			return nil, err
		}
		return mail.SES{Client: sesv2.NewFromConfig(c)}, nil
	}
	return nil, fmt.Errorf("bootstrap: mail driver %q", cfg.MailDriver)
}
