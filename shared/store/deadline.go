package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// deadlines bounds every round trip to the database on the client side:
// taking a connection from the pool (which may dial, or ping an idle
// one), each query, exec and batch. statement_timeout cannot do it: a
// database that has gone silent, its connections open and nothing
// coming back, never sends the cancellation. With a deadline, pgx gives
// up, closes the connection and the caller gets booking.ErrUnavailable,
// a 503 the client may retry, instead of waiting for the request's own
// timeout.
//
// It is a pgx tracer because the tracer hooks are where pgx lets the
// context of a call be replaced; the deadline is released when the call
// ends (rows closed, batch closed).
type deadlines struct{ d time.Duration }

type (
	cancelKey    struct{}
	unboundedKey struct{}
)

// unbounded marks ctx as exempt from the deadlines: migrations wait on
// an advisory lock and run DDL that may rightly take longer; the
// server's statement_timeout and the caller's context still bound them.
func unbounded(ctx context.Context) context.Context {
	return context.WithValue(ctx, unboundedKey{}, true)
}

var (
	_ pgx.QueryTracer       = deadlines{}
	_ pgx.BatchTracer       = deadlines{}
	_ pgxpool.AcquireTracer = deadlines{}
	_ pgx.PrepareTracer     = deadlines{}
	_ pgx.CopyFromTracer    = deadlines{}
	_ pgx.ConnectTracer     = deadlines{}
)

func (t deadlines) start(ctx context.Context) context.Context {
	if ctx.Value(unboundedKey{}) != nil {
		return ctx
	}
	ctx, cancel := context.WithTimeout(ctx, t.d)
	return context.WithValue(ctx, cancelKey{}, cancel)
}

func (deadlines) end(ctx context.Context) {
	if cancel, ok := ctx.Value(cancelKey{}).(context.CancelFunc); ok {
		cancel()
	}
}

func (t deadlines) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return t.start(ctx)
}

func (t deadlines) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryEndData) {
	t.end(ctx)
}

func (t deadlines) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return t.start(ctx)
}

func (deadlines) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (t deadlines) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchEndData) {
	t.end(ctx)
}

func (t deadlines) TraceAcquireStart(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireStartData) context.Context {
	return t.start(ctx)
}

func (t deadlines) TraceAcquireEnd(ctx context.Context, _ *pgxpool.Pool, _ pgxpool.TraceAcquireEndData) {
	t.end(ctx)
}

func (t deadlines) TracePrepareStart(ctx context.Context, _ *pgx.Conn, _ pgx.TracePrepareStartData) context.Context {
	return t.start(ctx)
}

func (t deadlines) TracePrepareEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TracePrepareEndData) {
	t.end(ctx)
}

func (t deadlines) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	return t.start(ctx)
}

func (t deadlines) TraceCopyFromEnd(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromEndData) {
	t.end(ctx)
}

func (t deadlines) TraceConnectStart(ctx context.Context, _ pgx.TraceConnectStartData) context.Context {
	return t.start(ctx)
}

func (t deadlines) TraceConnectEnd(ctx context.Context, _ pgx.TraceConnectEndData) { t.end(ctx) }
