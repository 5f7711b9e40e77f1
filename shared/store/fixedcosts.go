package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/pricing"
)

// FixedCostDay is one row of the fixed-cost ledger: a fixed item's cost
// on one UTC day (pricing.FixedCostDay).
type FixedCostDay = pricing.FixedCostDay

// AccrueFixedCosts writes the fixed-cost ledger rows of the days in
// rows, in one transaction. Each day present in rows is replaced whole:
// its earlier rows are deleted first, so accruing a day again (prices or
// stack changed) never adds to it, and an item the stack no longer has
// leaves the day. Days not in rows are left alone. It returns the rows
// written.
func (s *Store) AccrueFixedCosts(ctx context.Context, rows []FixedCostDay) (int, error) {
	var days []string
	for _, r := range rows {
		if err := checkFixedCostDay(r); err != nil {
			return 0, fmt.Errorf("store: accrue fixed costs: %s on %s: %w", r.Item, r.Day.Format(time.DateOnly), err)
		}
		if d := utcDate(r.Day); !slices.Contains(days, d) {
			days = append(days, d)
		}
	}
	if len(rows) == 0 {
		return 0, nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM fixed_cost_days WHERE day = ANY($1::text[]::date[])`, days); err != nil {
			return err
		}
		batch := &pgx.Batch{}
		for _, r := range rows {
			detail, err := json.Marshal(r.Detail)
			if err != nil {
				return err
			}
			batch.Queue(`INSERT INTO fixed_cost_days (day, item, service, stage, region, amount_nanos, detail)
				VALUES ($1::date, $2, $3, $4, $5, $6, $7)`, utcDate(r.Day), r.Item, r.Service, r.Stage, r.Region, int64(r.Amount), detail)
		}
		return tx.SendBatch(ctx, batch).Close()
	})
	if err != nil {
		return 0, classify("accrue fixed costs", err)
	}
	return len(rows), nil
}

// checkFixedCostDay is what the table would refuse, said plainly.
func checkFixedCostDay(r FixedCostDay) error {
	switch {
	case r.Day.IsZero() || !r.Day.Equal(r.Day.UTC().Truncate(24*time.Hour)):
		return errors.New("day must be a UTC midnight")
	case r.Item == "" || len(r.Item) > 200:
		return errors.New("item must have 1 to 200 characters")
	case r.Service == "" || len(r.Service) > 100:
		return errors.New("service must have 1 to 100 characters")
	case r.Stage == "" || len(r.Stage) > 40 || r.Region == "" || len(r.Region) > 40:
		return errors.New("stage and region must have 1 to 40 characters")
	case r.Amount < 0:
		return errors.New("amount must not be negative")
	}
	return nil
}

// FixedCostDays is the fixed-cost ledger of the UTC days from from's day
// up to, not including, to's day (both truncated to their UTC day), by
// day then item: one row per item and day accrued. Sum Amount by Day, or
// by Day and Service, for the fixed cost per day or per service and day.
func (s *Store) FixedCostDays(ctx context.Context, from, to time.Time) ([]FixedCostDay, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT day, item, service, stage, region, amount_nanos, detail
		FROM fixed_cost_days
		WHERE day >= $1::date AND day < $2::date
		ORDER BY day, item COLLATE "C"`, utcDate(from), utcDate(to))
	if err != nil {
		return nil, classify("fixed cost days", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (FixedCostDay, error) {
		var d FixedCostDay
		var amount int64
		var detail []byte
		if err := row.Scan(&d.Day, &d.Item, &d.Service, &d.Stage, &d.Region, &amount, &detail); err != nil {
			return d, err
		}
		d.Day, d.Amount = d.Day.UTC(), pricing.Nanos(amount)
		if err := json.Unmarshal(detail, &d.Detail); err != nil {
			return d, fmt.Errorf("detail of %s: %w", d.Item, err)
		}
		return d, nil
	})
	if err != nil {
		return nil, classify("fixed cost days", err)
	}
	return out, nil
}

// FirstFixedCostDay is the earliest day the ledger holds; ok is false
// when it holds none.
func (s *Store) FirstFixedCostDay(ctx context.Context) (day time.Time, ok bool, err error) {
	var first *time.Time
	if err := s.pool.QueryRow(ctx, `SELECT min(day) FROM fixed_cost_days`).Scan(&first); err != nil {
		return time.Time{}, false, classify("first fixed cost day", err)
	}
	if first == nil {
		return time.Time{}, false, nil
	}
	return first.UTC(), true, nil
}

// utcDate is t's UTC calendar date as PostgreSQL reads a date, so the
// session's time zone cannot shift it.
func utcDate(t time.Time) string { return t.UTC().Format(time.DateOnly) }
