// Package logging builds the JSON slog logger every function uses and
// carries the request id in the context, so each line a request causes
// names it without every caller passing it along. The logger counts the
// bytes it writes (Written), so the cost meter (shared/meter) can say
// how much log each invocation ingested into CloudWatch Logs.
package logging

import (
	"context"
	"io"
	"log/slog"
	"sync/atomic"
)

type ctxKey struct{}

// WithRequestID returns ctx carrying id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

// RequestID is the request id in ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxKey{}).(string)
	return id
}

// New returns a JSON logger at level (debug, info, warn, error) writing to
// w. Records logged with a context carrying a request id get a
// "request_id" attribute. The logger and every logger derived from it
// (With, WithGroup) count the bytes they write to w together: see
// Written.
func New(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	c := &counter{w: w}
	return slog.New(requestIDHandler{Handler: slog.NewJSONHandler(c, &slog.HandlerOptions{Level: l}), c: c})
}

// counter counts the bytes written through it: what the function's
// output (stdout in Lambda) carries to CloudWatch Logs, newlines
// included, as the log events' messages hold them.
type counter struct {
	w io.Writer
	n atomic.Int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// Written is how many bytes log (a logger of New, or derived from one)
// and its relatives have written since they were made; false for any
// other logger. An invocation's share is the difference between two
// readings (shared/meter takes one as the invocation starts): a
// cumulative count, not one reset per invocation, so a goroutine of an
// earlier invocation that logs late cannot make a count go negative.
func Written(log *slog.Logger) (int64, bool) {
	if log == nil {
		return 0, false
	}
	h, ok := log.Handler().(requestIDHandler)
	if !ok || h.c == nil {
		return 0, false
	}
	return h.c.n.Load(), true
}

type requestIDHandler struct {
	slog.Handler
	c *counter
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as), h.c}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name), h.c}
}

// Discard is a logger that writes nothing, for tests that do not read logs.
func Discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
