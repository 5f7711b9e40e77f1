package jobs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"innkeeper/shared/pricing"
)

// AccrueFixedCosts writes the stage's fixed costs into the ledger, one
// row per item and UTC day (the store's fixed_cost_days).
const AccrueFixedCosts = "accrue-fixed-costs"

// FixedCostBackfillDays bounds how far back a run fills days the ledger
// misses (a run that failed, a scheduler that was down): at most this
// many days, ending with yesterday, and none before the ledger's first
// day, so a new stage does not accrue a past it did not have.
const FixedCostBackfillDays = 35

// FixedCostLedger is the fixed-cost ledger the accrual job writes;
// package store implements it on PostgreSQL.
type FixedCostLedger interface {
	// AccrueFixedCosts writes the rows, replacing whole each day they
	// cover.
	AccrueFixedCosts(ctx context.Context, rows []pricing.FixedCostDay) (int, error)
	// FixedCostDays reads the rows of the UTC days [from, to).
	FixedCostDays(ctx context.Context, from, to time.Time) ([]pricing.FixedCostDay, error)
	// FirstFixedCostDay is the ledger's earliest day; ok false if none.
	FirstFixedCostDay(ctx context.Context) (day time.Time, ok bool, err error)
}

// PricedStage is the stage whose inventory prices stage's fixed costs:
// itself when pricing knows it (staging, prod); otherwise (the devstack's
// local, a test's) staging, the smaller deployed footprint, so a laptop's
// ledger has realistic rows, labelled with its own stage.
func PricedStage(stage string) string {
	if slices.Contains(pricing.Stages(), stage) {
		return stage
	}
	return pricing.StageStaging
}

// accrueFixedCosts accrues whole UTC days only: yesterday, always (again
// if it was: the price table or the stack may have changed since), and
// every day of the backfill window the ledger lacks. Today is left to
// tomorrow's run, so a row is a day's full cost, never a partial one
// that a later run would have to grow. Each day is priced at the
// region's latest prices.
func (r *Runner) accrueFixedCosts(ctx context.Context, at time.Time, count map[string]int) error {
	if r.Ledger == nil {
		return errors.New("no fixed-cost ledger configured")
	}
	if r.Stage == "" || r.Region == "" {
		return errors.New("no stage or region for the fixed costs (COST_STAGE, COST_REGION)")
	}
	f, err := pricing.FixedIn(PricedStage(r.Stage), r.Region)
	if err != nil {
		return err
	}
	y, m, d := at.UTC().Date()
	yesterday := time.Date(y, m, d-1, 0, 0, 0, 0, time.UTC)
	start := yesterday
	first, ok, err := r.Ledger.FirstFixedCostDay(ctx)
	if err != nil {
		return err
	}
	if earliest := yesterday.AddDate(0, 0, 1-FixedCostBackfillDays); ok && first.Before(yesterday) {
		start = first
		if start.Before(earliest) {
			start = earliest
		}
	}
	have := map[time.Time]bool{}
	existing, err := r.Ledger.FixedCostDays(ctx, start, yesterday)
	if err != nil {
		return err
	}
	for _, row := range existing {
		have[row.Day] = true
	}
	var rows []pricing.FixedCostDay
	days := 0
	for day := start; !day.After(yesterday); day = day.AddDate(0, 0, 1) {
		if have[day] && !day.Equal(yesterday) {
			continue
		}
		dayRows, err := pricing.FixedDays(f, r.Stage, day)
		if err != nil {
			return err
		}
		rows = append(rows, dayRows...)
		days++
	}
	n, err := r.Ledger.AccrueFixedCosts(ctx, rows)
	count["days"], count["rows"] = days, n
	if err != nil {
		return fmt.Errorf("accrue %d days: %w", days, err)
	}
	return nil
}
