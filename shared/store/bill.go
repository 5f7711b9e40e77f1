package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/finance"
	"innkeeper/shared/pricing"
)

var _ finance.ReconciliationSource = (*Store)(nil)

// ReplaceBillDays stores the bill of the billing periods read (YYYY-MM):
// every row held for those periods is deleted and days written in their
// place, in one transaction, so a re-read bill replaces the last and a
// day or service AWS corrected away goes with it. A day of a period not
// in periods is an error and nothing is written.
func (s *Store) ReplaceBillDays(ctx context.Context, periods []string, days []finance.BillDay, readAt time.Time) (int, error) {
	in := map[string]bool{}
	for _, p := range periods {
		in[p] = true
	}
	b := &pgx.Batch{}
	b.Queue(`DELETE FROM bill_days WHERE billing_period = ANY($1)`, periods)
	for _, d := range days {
		if !in[d.BillingPeriod] {
			return 0, fmt.Errorf("store: bill day %s %s of billing period %q, not one of %v", d.Day, d.Service, d.BillingPeriod, periods)
		}
		files := d.Files
		if files == nil {
			files = []string{}
		}
		b.Queue(`INSERT INTO bill_days (billing_period, day, service, usage_nanos, credit_nanos, tax_nanos, fee_nanos, source_files, read_at)
			VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, $9)`,
			d.BillingPeriod, d.Day, d.Service, int64(d.Usage), int64(d.Credits), int64(d.Tax), int64(d.Fees), files, readAt)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return tx.SendBatch(ctx, b).Close() })
	if err != nil {
		return 0, classify(fmt.Sprintf("replace bill of %v", periods), err)
	}
	return len(days), nil
}

// ledgerLineDays is the ledger's variable cost of [$1, $2) by UTC day of
// the invocations' end and line item. A line item's amount is a decimal
// dollar string with at most nine decimals, so numeric × 10⁹ is whole
// and exact.
const ledgerLineDays = `
	SELECT to_char((c.ended_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD'), i->>'line',
		(sum((i->>'amount')::numeric) * 1000000000)::bigint
	FROM invocation_costs c, jsonb_array_elements(c.breakdown) i
	WHERE c.ended_at >= $1 AND c.ended_at < $2
	GROUP BY 1, 2`

// fixedServiceDays is the fixed cost accrued for the days of [$1, $2)
// by service (the fixed cost accrual writes fixed_cost_days).
const fixedServiceDays = `
	SELECT to_char(day, 'YYYY-MM-DD'), service, sum(amount_nanos)::bigint
	FROM fixed_cost_days
	WHERE day >= ($1 AT TIME ZONE 'UTC')::date AND day < ($2 AT TIME ZONE 'UTC')::date
	GROUP BY 1, 2`

// billServiceDays is the bill of the days of [$1, $2) by service.
const billServiceDays = `
	SELECT to_char(day, 'YYYY-MM-DD'), service, sum(usage_nanos)::bigint, sum(credit_nanos)::bigint,
		sum(tax_nanos)::bigint, sum(fee_nanos)::bigint
	FROM bill_days
	WHERE day >= ($1 AT TIME ZONE 'UTC')::date AND day < ($2 AT TIME ZONE 'UTC')::date
	GROUP BY 1, 2`

// ReconciliationFacts reads the ledger's and the bill's sums of the
// whole UTC days of p, in one round trip.
func (s *Store) ReconciliationFacts(ctx context.Context, p finance.Period) (finance.ReconciliationFacts, error) {
	p = p.WholeDays()
	var f finance.ReconciliationFacts
	b := &pgx.Batch{}
	b.Queue(ledgerLineDays, p.From, p.To).Query(func(rows pgx.Rows) error {
		var err error
		f.Lines, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (finance.LineDay, error) {
			var l finance.LineDay
			var line string
			var n int64
			err := r.Scan(&l.Day, &line, &n)
			l.Line, l.Amount = pricing.Line(line), pricing.Nanos(n)
			return l, err
		})
		return err
	})
	b.Queue(fixedServiceDays, p.From, p.To).Query(func(rows pgx.Rows) error {
		var err error
		f.Fixed, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (finance.ServiceDay, error) {
			var d finance.ServiceDay
			var n int64
			err := r.Scan(&d.Day, &d.Service, &n)
			d.Amount = pricing.Nanos(n)
			return d, err
		})
		return err
	})
	b.Queue(billServiceDays, p.From, p.To).Query(func(rows pgx.Rows) error {
		var err error
		f.Bill, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (finance.BillDay, error) {
			var d finance.BillDay
			var u, c, t, fee int64
			err := r.Scan(&d.Day, &d.Service, &u, &c, &t, &fee)
			d.Usage, d.Credits, d.Tax, d.Fees = pricing.Nanos(u), pricing.Nanos(c), pricing.Nanos(t), pricing.Nanos(fee)
			return d, err
		})
		return err
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return f, classify("reconciliation facts", err)
	}
	return f, nil
}
