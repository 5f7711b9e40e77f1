// Package jobrunner wires the scheduler function: the scheduled jobs'
// runner with its store and the relay that sends what the jobs put in
// the outbox, and the AWS bill's export reconcile-bill reads (bill.go).
// It links no HTTP and no Redis.
package jobrunner

import (
	"context"
	"log/slog"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/bootstrap/sqsclient"
	"innkeeper/shared/config"
	"innkeeper/shared/jobs"
)

// New is the scheduled jobs' runner for the function named.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, function string) (*jobs.Runner, error) {
	st, err := bootstrap.Store(ctx, cfg, "")
	if err != nil {
		return nil, err
	}
	q, err := sqsclient.New(cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	bill, err := BillExport(cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &jobs.Runner{Store: st, Relay: sqsclient.Relay(q, cfg, st, log), Log: log, Function: function,
		Ledger: st, Stage: cfg.CostStage, Region: cfg.CostRegion, Bill: bill}, nil
}
