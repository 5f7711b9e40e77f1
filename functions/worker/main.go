// Command worker is the Lambda behind the events queue's event source
// mapping: it sends the emails each reservation event calls for, once,
// pushes each event to its WebSocket subscribers, and reports partial
// batch failures.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/bootstrap/push"
	"innkeeper/shared/cashier"
	"innkeeper/shared/config"
	"innkeeper/shared/mail"
	"innkeeper/shared/notify"
	"innkeeper/shared/worker"
)

func main() {
	ctx := context.Background()
	cfg, log := bootstrap.Function(ctx, "worker", "DATABASE_URL", "APP_URL", "APP_KEY")
	st, err := bootstrap.Store(ctx, cfg, "")
	bootstrap.Fatal(log, "worker", err)
	sender, err := mailSender(cfg)
	bootstrap.Fatal(log, "worker", err)
	n, err := notify.New(st, sender, notify.Config{From: cfg.MailFrom, StaffTo: cfg.MailStaffTo, AppURL: cfg.AppURL, AppKey: cfg.AppKey}, log)
	bootstrap.Fatal(log, "worker", err)
	h := &worker.Handler{Notifier: n, Log: log, Units: st.UnitsLeft, Function: "worker"}
	// With a Stripe key, the worker settles each event's money: webhook
	// events, refunds, fees, an expired hold's pending payment. What it
	// writes to the outbox goes out with the relay's next sweep.
	if c := cashier.FromConfig(cfg, st, time.Now, nil, log); c != nil {
		h.Payments = c.OnEvent
	}
	// Pushes need the WebSocket API and Redis; without them only mail goes.
	if cfg.WSManagementEndpoint != "" && cfg.RedisURL != "" {
		h.Push, err = push.New(cfg, log)
		bootstrap.Fatal(log, "worker", err)
		h.Push.Keys = st // no push reaches a revoked key's connections
	}
	lambda.Start(h.Handle)
}

// mailSender is the mail transport the configuration names: SMTP
// (Mailpit locally) or SES v2 in the cloud. The SES client is built
// here, not in shared/bootstrap, so only this binary links it.
func mailSender(cfg config.Config) (mail.Sender, error) {
	if cfg.MailDriver != "ses" {
		return mail.SMTP{Addr: cfg.SMTPAddr, Timeout: 5 * time.Second}, nil
	}
	aws, err := bootstrap.AWSConfig(false)
	if err != nil {
		return nil, err
	}
	return mail.SES{Client: sesv2.NewFromConfig(aws)}, nil
}
