// Package store implements booking.Store on PostgreSQL with pgx/v5, and
// runs the embedded schema migrations. It implements as well the stores
// the asynchronous packages declare: queue.Outbox for the relay,
// jobs.Store for the scheduled jobs, notify.Store for the notifier, and
// the bookings figures of promtext.Sources. They do not import it.
//
// Every write is one transaction; the conditional inventory update is
// what keeps a room type from being sold beyond its units under any
// concurrency. Connection failures and timeouts come back wrapped in
// booking.ErrUnavailable so the edge can answer 503 and the caller retry.
package store

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"innkeeper/shared/booking"
)

// Options tune the pool. Zero values take sensible defaults for a Lambda
// process, which serves one request at a time.
type Options struct {
	MaxConns         int32
	ConnectTimeout   time.Duration
	StatementTimeout time.Duration
	// QueryTimeout bounds, on the client side, every call to the
	// database: taking a connection, each query, exec or batch. A silent
	// database then costs a request at most this long (default 1.5 s).
	QueryTimeout time.Duration
	// SearchPath, when set, confines the store to one schema (tests).
	SearchPath string
	// Password, when set, gives the password of each new connection
	// (an IAM auth token, valid 15 minutes), instead of the one in the
	// URL, so a warm function keeps connecting across rotations.
	Password func(ctx context.Context, host string, port uint16, user string) (string, error)
	// RootCAs, when set, are the only CAs the server's certificate may
	// chain to (sslmode=verify-full).
	RootCAs *x509.CertPool
}

// Store is a booking.Store on a pgx pool.
type Store struct {
	pool *pgxpool.Pool
	// deadlocks counts the transactions inTx ran again after PostgreSQL
	// broke a deadlock (40P01): the lock order should make it zero, and
	// the retry would hide a broken order from every other witness.
	deadlocks atomic.Int64
	// locks is the pool Serially holds its locks on, apart from pool so
	// that the work done under a lock always finds a connection (locks.go).
	locks locksPool
}

// DeadlocksRetried is how many transactions of this Store PostgreSQL
// aborted as deadlocked and inTx ran again.
func (s *Store) DeadlocksRetried() int64 { return s.deadlocks.Load() }

var _ booking.Store = (*Store)(nil)

// Open builds a pool for url. It does not connect: the first query does,
// so a cold start never waits on the database it may not need.
func Open(ctx context.Context, url string, o Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("store: parse database url: %w", err)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	if o.ConnectTimeout == 0 {
		o.ConnectTimeout = 2 * time.Second
	}
	cfg.ConnConfig.ConnectTimeout = o.ConnectTimeout
	if o.StatementTimeout == 0 {
		o.StatementTimeout = 5 * time.Second
	}
	rp := cfg.ConnConfig.RuntimeParams
	rp["statement_timeout"] = fmt.Sprint(o.StatementTimeout.Milliseconds())
	rp["lock_timeout"] = fmt.Sprint(o.StatementTimeout.Milliseconds())
	rp["idle_in_transaction_session_timeout"] = "30000"
	rp["application_name"] = "innkeeper"
	if o.SearchPath != "" {
		rp["search_path"] = o.SearchPath
	}
	if o.QueryTimeout == 0 {
		o.QueryTimeout = 1500 * time.Millisecond
	}
	cfg.ConnConfig.DialFunc = dialer(o.ConnectTimeout).DialContext
	if o.RootCAs != nil {
		for _, c := range append([]*pgconn.FallbackConfig{{TLSConfig: cfg.ConnConfig.TLSConfig}}, cfg.ConnConfig.Fallbacks...) {
			if c.TLSConfig != nil {
				c.TLSConfig.RootCAs = o.RootCAs
			}
		}
	}
	if o.Password != nil {
		password := o.Password
		cfg.BeforeConnect = func(ctx context.Context, cc *pgx.ConnConfig) error {
			pw, err := password(ctx, cc.Host, cc.Port, cc.User)
			if err != nil {
				return fmt.Errorf("store: database credentials: %w", err)
			}
			cc.Password = pw
			return nil
		}
	}
	cfg.ConnConfig.Tracer = deadlines{d: o.QueryTimeout}
	// A connection idle for a while is pinged before use, and the ping
	// is bounded too, so a pooled connection to a database that went
	// away is replaced rather than handed to a query.
	cfg.PingTimeout = o.QueryTimeout / 2
	cfg.HealthCheckPeriod = 15 * time.Second
	cfg.MaxConnIdleTime = 5 * time.Minute
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("store: new pool: %w", err)
	}
	return &Store{pool: pool}, nil
}

// Pool exposes the pool for health checks, migrations and tests.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close releases every connection.
func (s *Store) Close() {
	s.locks.close()
	s.pool.Close()
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return classify("ping", err)
	}
	return nil
}

// classify wraps err with context, marking connection trouble, timeouts
// and cancellations as booking.ErrUnavailable.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	if unavailable(err) {
		return fmt.Errorf("store: %s: %w: %w", op, booking.ErrUnavailable, err)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

func unavailable(err error) bool {
	// A connection that died under a query surfaces as a bare EOF or a
	// closed socket, not as a network error.
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57014", // query_canceled (statement_timeout)
			"55P03",                   // lock_not_available (lock_timeout)
			"57P01", "57P02", "57P03", // admin/crash shutdown, cannot connect now
			"53300": // too_many_connections
			return true
		}
		return false
	}
	return pgconn.SafeToRetry(err) || pgconn.Timeout(err)
}

// pgCode returns the SQLSTATE of err, or "".
func pgCode(err error) (code, constraint string) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code, pgErr.ConstraintName
	}
	return "", ""
}

const (
	uniqueViolation     = "23505"
	checkViolation      = "23514"
	deadlockDetected    = "40P01"
	serializationFailed = "40001"
	keyInFlight         = "IK409" // raised by claim_idempotency_key
)

// inTx runs a transaction: first queues its opening statements, which go
// out with BEGIN (and the receipt's claim) in one round trip, with their
// results read by the queued callbacks; rest continues on the open
// transaction, which is then committed. Deadlocks and serialization
// failures, which leave the database unchanged, are retried a few times.
func (s *Store) inTx(ctx context.Context, op string, receipt *booking.Receipt, first func(*pgx.Batch), rest func(pgx.Tx) error) error {
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		err = s.tx(ctx, receipt, first, rest)
		if c, _ := pgCode(err); c == deadlockDetected || c == serializationFailed {
			if c == deadlockDetected {
				s.deadlocks.Add(1)
			}
			continue
		}
		break
	}
	if err == nil || isDomain(err) {
		return err
	}
	return classify(op, err)
}

// tx is one attempt of inTx. With a receipt, it claims the receipt's
// idempotency key first, without waiting (see claim_idempotency_key): if a
// request with the same key is in flight, the statements after the claim
// never run and the answer is booking.ErrInFlight.
func (s *Store) tx(ctx context.Context, receipt *booking.Receipt, first func(*pgx.Batch), rest func(pgx.Tx) error) error {
	b := &pgx.Batch{}
	b.BeginTx(pgx.TxOptions{})
	// A receipt replaced by a later step was claimed by the first.
	if receipt != nil && !receipt.Replace {
		b.Queue(`SELECT claim_idempotency_key($1)`, ClaimKey(receipt.Scope, receipt.Key))
	}
	first(b)
	br := s.pool.SendBatch(ctx, b)
	tx := br.Tx()
	// Ends the transaction and frees the connection unless committed.
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := br.Close(); err != nil {
		if c, _ := pgCode(err); c == keyInFlight {
			return booking.ErrInFlight
		}
		return err
	}
	if err := rest(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// ClaimKey is the advisory lock key that marks (scope, key) in flight.
func ClaimKey(scope, key string) int64 {
	h := sha256.Sum256([]byte(scope + "\x00" + key))
	return int64(binary.BigEndian.Uint64(h[:8]))
}

// isDomain reports whether err is a domain outcome (sold out, conflict, …)
// that must reach the caller unwrapped by store context.
func isDomain(err error) bool {
	var v *booking.ValidationError
	return errors.Is(err, booking.ErrNotFound) || errors.Is(err, booking.ErrSoldOut) ||
		errors.Is(err, booking.ErrNoRate) || errors.Is(err, booking.ErrConflict) ||
		errors.Is(err, booking.ErrHoldExpired) || errors.Is(err, booking.ErrReceiptTaken) ||
		errors.Is(err, booking.ErrInFlight) || errors.Is(err, booking.ErrCheckedIn) ||
		errors.Is(err, booking.ErrHoldLimit) || errors.Is(err, booking.ErrHoldShare) ||
		errors.As(err, &v) || errors.Is(err, booking.DuplicateReference())
}
