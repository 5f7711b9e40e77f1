// Package ratelimit keeps request budgets in Redis, so that every Lambda
// process counts against the same ones. The API (shared/httpapi) decides
// whose budget a request spends and under which limit, and tells the
// client; this package only spends it.
//
// The algorithm is GCRA (the generic cell rate algorithm, a token bucket
// kept as one timestamp per budget) from github.com/go-redis/redis_rate:
// one Lua script, one round trip, the server's clock, keys that expire on
// their own once a client has gone quiet. A budget holds burst requests
// at once, then refills rate of them per period.
//
// The limiter fails open. A Redis that is down or slower than the
// timeout gets an error back at once, one more FailedOpen and one more
// RateLimitFailedOpen in the invocation's metrics (shared/meter): the
// caller lets the request through, and is never held up longer than the
// timeout.
package ratelimit

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"innkeeper/shared/meter"
)

// Options shape a Limiter.
type Options struct {
	// Prefix starts every key (the deployment's Redis key prefix). The
	// library puts its own "rate:" before it, and the limiter
	// "ratelimit:" after it.
	Prefix string
	// Timeout bounds the Redis round trip; 50 ms when 0.
	Timeout time.Duration
}

// DefaultTimeout bounds the Redis round trip when Options.Timeout is 0:
// a limit is worth less than the latency of a request that waits for it.
const DefaultTimeout = 50 * time.Millisecond

// Limiter spends requests of budgets kept in Redis. It is safe for
// concurrent use.
type Limiter struct {
	// client is the Redis client, made on first use: a client built at
	// start-up costs the cold start milliseconds.
	client   func(context.Context) *redis.Client
	gcraOnce sync.Once
	gcra     *redis_rate.Limiter
	prefix   string
	timeout  time.Duration

	failedOpen atomic.Int64
}

// New is a limiter on rdb. It does not connect.
func New(rdb *redis.Client, o Options) *Limiter {
	return NewLazy(func(context.Context) *redis.Client { return rdb }, o)
}

// NewLazy is New with the client given by client on the first Allow,
// not before: redisclient.Client's Ready, which makes it then, or waits
// within the Allow's timeout for the connection Warm is opening.
func NewLazy(client func(context.Context) *redis.Client, o Options) *Limiter {
	l := &Limiter{client: client, prefix: o.Prefix, timeout: o.Timeout}
	if l.timeout <= 0 {
		l.timeout = DefaultTimeout
	}
	return l
}

// FailedOpen is how many Allows this limiter answered with an error
// because Redis did not answer in time.
func (l *Limiter) FailedOpen() int64 { return l.failedOpen.Load() }

// Allow spends one request of the budget named key, which holds burst
// requests at once and refills rate of them per per (whole seconds).
//
// allowed says whether the request is within the budget; remaining is
// the requests left after it. after is, for a request allowed, how long
// until the budget is whole again, and for one refused, how long until
// the next request may pass: what a client is told either way.
//
// An error means the budget was not checked: Redis failed or did not
// answer within the timeout, or the limit is not one (rate, burst and
// per must be above 0). The caller lets the request through.
//
// The call to Redis runs apart and is abandoned at the timeout, because
// the Redis client may wait longer than the context allows (a new
// connection's handshake waits its own read timeout). An abandoned call
// ends by itself within the client's timeouts.
func (l *Limiter) Allow(ctx context.Context, key string, rate, burst int, per time.Duration) (allowed bool, remaining int, after time.Duration, err error) {
	if rate <= 0 || burst <= 0 || per <= 0 {
		return false, 0, 0, fmt.Errorf("ratelimit: %s: want rate, burst and period above 0, have %d, %d and %v", key, rate, burst, per)
	}
	type outcome struct {
		res *redis_rate.Result
		err error
	}
	done := make(chan outcome, 1)
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	go func() {
		defer cancel()
		l.gcraOnce.Do(func() { l.gcra = redis_rate.NewLimiter(l.client(ctx)) })
		res, err := l.gcra.Allow(ctx, l.prefix+"ratelimit:"+key,
			redis_rate.Limit{Rate: rate, Burst: burst, Period: per})
		done <- outcome{res, err}
	}()
	timer := time.NewTimer(l.timeout)
	defer timer.Stop()
	select {
	case o := <-done:
		if o.err == nil {
			if o.res.Allowed > 0 {
				return true, o.res.Remaining, o.res.ResetAfter, nil
			}
			return false, o.res.Remaining, o.res.RetryAfter, nil
		}
		err = o.err
	case <-timer.C:
		err = fmt.Errorf("no answer within %v", l.timeout)
	}
	l.failedOpen.Add(1)
	// And a metric: the invocation's EMF line counts it.
	meter.From(ctx).Count("RateLimitFailedOpen", 1)
	return false, 0, 0, fmt.Errorf("ratelimit: %s: %w", key, err)
}
