// Package httpcount counts the API's HTTP requests, by route and status,
// and their latencies across every invocation; package promtext serves
// them, with the bookings and the queue figures, in Prometheus's text
// format at GET /metrics.
//
// A Lambda process lives for a few requests, so counting in memory would
// show one process's share. Request counts and latency buckets live in
// Redis instead: one pipelined round trip per request, bounded by a short
// timeout, and a failure only drops that request's figures (logged and
// counted), never the response. This package links only the Redis
// client, so the API's cold start does not pay for the exposition
// format's libraries.
package httpcount

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"innkeeper/shared/meter"
)

// Buckets are the latency histogram's upper bounds in seconds.
var Buckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Recorder counts requests in Redis.
type Recorder struct {
	// Redis is the client; Client gives it at the first request instead,
	// waiting within the round trip's timeout for a connection being
	// opened (redisclient.Client's Ready): a client built and connected
	// before the first request costs the cold start milliseconds.
	Redis  *redis.Client
	Client func(context.Context) *redis.Client
	// Prefix of the two hashes (the deployment's Redis key prefix).
	Prefix string
	// Timeout bounds the round trip; 50 ms when 0.
	Timeout time.Duration
	Log     *slog.Logger

	dropped atomic.Int64
}

// RequestsKey is the hash of request counts, by method, route and
// status joined with Sep.
func (r *Recorder) RequestsKey() string { return r.Prefix + "metrics:http:requests" }

// DurationKey is the hash of latency bucket counts (route Sep bucket
// index, the last index +Inf) and sums (route Sep "sum").
func (r *Recorder) DurationKey() string { return r.Prefix + "metrics:http:duration" }

// Sep separates the parts of a hash field: it is in no method, route or
// number.
const Sep = "\x1f"

// ObserveHTTP counts one request: its method, route (the path template,
// "unmatched" for none), status and duration.
func (r *Recorder) ObserveHTTP(ctx context.Context, method, route string, status int, d time.Duration) {
	if r == nil {
		return
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = 50 * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	rdb := r.Redis
	if rdb == nil && r.Client != nil {
		rdb = r.Client(ctx)
	}
	if rdb == nil {
		return
	}
	secs := d.Seconds()
	bucket := len(Buckets) // +Inf
	for i, le := range Buckets {
		if secs <= le {
			bucket = i
			break
		}
	}
	_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.HIncrBy(ctx, r.RequestsKey(), method+Sep+route+Sep+strconv.Itoa(status), 1)
		p.HIncrBy(ctx, r.DurationKey(), route+Sep+strconv.Itoa(bucket), 1)
		p.HIncrByFloat(ctx, r.DurationKey(), route+Sep+"sum", secs)
		return nil
	})
	if err != nil {
		n := r.dropped.Add(1)
		meter.From(ctx).Count("MetricsDropped", 1)
		if r.Log != nil {
			r.Log.WarnContext(ctx, "request not counted", slog.String("error", err.Error()), slog.Int64("dropped", n))
		}
	}
}

// Dropped is how many requests this process failed to count.
func (r *Recorder) Dropped() int64 { return r.dropped.Load() }
