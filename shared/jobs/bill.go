package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"innkeeper/shared/cur"
	"innkeeper/shared/finance"
)

// BillStore keeps the bill the reconcile-bill job reads; package store
// implements it.
type BillStore interface {
	// ReplaceBillDays replaces what is held for the billing periods
	// (YYYY-MM) with days.
	ReplaceBillDays(ctx context.Context, periods []string, days []finance.BillDay, readAt time.Time) (int, error)
}

// BillExport is where the reconcile-bill job reads the stage's bill.
type BillExport struct {
	// Source is the CUR 2.0 export (its S3 prefix, or a folder); nil when
	// none is configured, and the job does nothing.
	Source cur.Source
	// Filter is the stage's cost-allocation tags.
	Filter cur.Filter
}

// reconcileBill reads the billing periods of at and the month before
// from the export and stores their sums by day and service beside the
// ledger, replacing what was read before. A period not delivered yet
// keeps what is held for it.
func (r *Runner) reconcileBill(ctx context.Context, at time.Time, count map[string]int) error {
	if r.Bill.Source == nil {
		count["unconfigured"] = 1
		r.Log.WarnContext(ctx, "no bill export configured (CUR_S3_URI or CUR_DIR): nothing to reconcile")
		return nil
	}
	bs, ok := r.Store.(BillStore)
	if !ok {
		return errors.New("the store keeps no bill")
	}
	b, err := cur.Load(ctx, r.Bill.Source, cur.Periods(at), r.Bill.Filter)
	if err != nil {
		return err
	}
	count["files"], count["rows"], count["kept"] = b.Counts.Files, b.Counts.Rows, b.Counts.Kept
	periods := b.PeriodList()
	count["periods"] = len(periods)
	if len(periods) == 0 {
		return nil
	}
	days, err := b.Days()
	if err != nil {
		return err
	}
	n, err := bs.ReplaceBillDays(ctx, periods, days, at)
	count["days"] = n
	if err == nil {
		r.Log.InfoContext(ctx, "bill read", slog.Any("periods", periods), slog.Int("days", n))
	}
	return err
}
