package store

import (
	"context"
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
)

// maxLocks bounds the connections Serially holds locks on at once, per
// process: the worker settles at most Parallel (4) reservations at a
// time.
const maxLocks = 4

// locksPool is a pool of its own for the sessions that hold Serially's
// locks, made at the first lock. Were the locks held on the store's pool,
// as many locked runs as that pool has connections would each wait for
// one to do their work, and none would finish.
type locksPool struct {
	once sync.Once
	pool *pgxpool.Pool
	err  error
}

func (l *locksPool) get(ctx context.Context, from *pgxpool.Pool) (*pgxpool.Pool, error) {
	l.once.Do(func() {
		cfg := from.Config().Copy()
		cfg.MaxConns, cfg.MinConns = maxLocks, 0
		l.pool, l.err = pgxpool.NewWithConfig(context.WithoutCancel(ctx), cfg)
	})
	return l.pool, l.err
}

func (l *locksPool) close() {
	l.once.Do(func() {}) // no pool made after Close
	if l.pool != nil {
		l.pool.Close()
	}
}

// Serially runs fn holding a session advisory lock on key, so runs of fn
// for one key never overlap, across processes: the cashier settles a
// reservation's money one run at a time, since each decides from what
// the ledger holds and calls the provider outside any transaction. The
// lock is held on a connection of a pool of its own, for fn's length,
// and released however fn ends; fn's own reads and writes use the
// store's pool as usual.
func (s *Store) Serially(ctx context.Context, key string, fn func(context.Context) error) error {
	locks, err := s.locks.get(ctx, s.pool)
	if err != nil {
		return classify("serially", err)
	}
	conn, err := locks.Acquire(ctx)
	if err != nil {
		return classify("serially", err)
	}
	defer conn.Release()
	k := ClaimKey("serially", key)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, k); err != nil {
		return classify("serially", err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, k); err != nil {
			// The session keeps the lock: a connection that cannot unlock
			// is not given back to the pool.
			_ = conn.Conn().Close(context.WithoutCancel(ctx))
		}
	}()
	return fn(ctx)
}
