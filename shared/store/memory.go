package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"innkeeper/shared/finance"
)

var _ finance.MemorySource = (*Store)(nil)

// memoryUse reads the peaks the ledger kept (max_memory_mb, the REPORT
// line's Max Memory Used) per function and configured size. The p99 is
// percentile_disc: a peak that occurred, the smallest that 99% of the
// invocations are at or under. Rows from before peaks were kept (NULL)
// are left out.
const memoryUse = `
	SELECT function, memory_mb, count(*), max(max_memory_mb),
		percentile_disc(0.99) WITHIN GROUP (ORDER BY max_memory_mb)
	FROM invocation_costs
	WHERE ended_at >= $1 AND ended_at < $2 AND max_memory_mb IS NOT NULL
	GROUP BY 1, 2 ORDER BY 1, 2`

// MemoryUse is how each function used its memory in p.
func (s *Store) MemoryUse(ctx context.Context, p finance.Period) ([]finance.MemoryUse, error) {
	rows, err := s.pool.Query(ctx, memoryUse, p.From, p.To)
	if err != nil {
		return nil, classify("memory use", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (finance.MemoryUse, error) {
		var m finance.MemoryUse
		err := r.Scan(&m.Function, &m.ConfiguredMB, &m.Invocations, &m.PeakMB, &m.P99MB)
		return m, err
	})
	if err != nil {
		return nil, classify("memory use", err)
	}
	return out, nil
}
