// Command worker is the Lambda behind the events queue's event source
// mapping: it sends the emails each reservation event calls for, once,
// and reports partial batch failures.
package main

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/bootstrap/push"
	"innkeeper/shared/config"
	"innkeeper/shared/logging"
	"innkeeper/shared/mail"
	"innkeeper/shared/notify"
	"innkeeper/shared/store"
	"innkeeper/shared/worker"
)

func main() {
	cfg, err := bootstrap.Config(context.Background())
	if err == nil {
		err = cfg.Require("DATABASE_URL", "APP_URL", "APP_KEY")
	}
	log := logging.New(os.Stdout, cfg.LogLevel)
	slog.SetDefault(log)
	var h *worker.Handler
	if err == nil {
		h, err = handler(cfg, log)
	}
	if err != nil {
		log.Error("worker: start", slog.String("error", err.Error()))
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}

// handler wires the notifier and, when the WebSocket API is configured,
// the pushes to its subscribers.
func handler(cfg config.Config, log *slog.Logger) (*worker.Handler, error) {
	st, err := bootstrap.Store(context.Background(), cfg, "")
	if err != nil {
		return nil, err
	}
	n, err := notifier(cfg, st, log)
	if err != nil {
		return nil, err
	}
	h := &worker.Handler{Notifier: n, Log: log, Units: st.UnitsLeft, Function: "worker"}
	if cfg.WSManagementEndpoint != "" && cfg.RedisURL != "" {
		if h.Push, err = push.New(cfg, log); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// notifier wires the mail sender the configuration names (SMTP locally,
// SES v2 in the cloud) to the notifier. The SES client lives here, not in
// shared/bootstrap, so only this binary carries it.
func notifier(cfg config.Config, st *store.Store, log *slog.Logger) (*notify.Notifier, error) {
	var sender mail.Sender = mail.SMTP{Addr: cfg.SMTPAddr, Timeout: 5 * time.Second}
	if cfg.MailDriver == "ses" {
		aws, err := bootstrap.AWSConfig(false)
		if err != nil {
			return nil, err
		}
		sender = mail.SES{Client: sesv2.NewFromConfig(aws)}
	}
	return notify.New(st, sender, notify.Config{
		From: cfg.MailFrom, StaffTo: cfg.MailStaffTo, AppURL: cfg.AppURL, AppKey: cfg.AppKey,
	}, log)
}
