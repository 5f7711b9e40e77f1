package ratelimit_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"innkeeper/local/testenv"
	"innkeeper/local/testsync"
	"innkeeper/shared/logging"
	"innkeeper/shared/meter"
	"innkeeper/shared/ratelimit"
	"innkeeper/shared/redisclient"
)

// patient is the timeout of tests that count: on a loaded machine the
// production 50 ms would fail open.
const patient = 2 * time.Second

// newLimiter is a limiter on the test Redis with a prefix of t's own.
func newLimiter(t *testing.T) (*ratelimit.Limiter, *redis.Client, string) {
	t.Helper()
	rdb, prefix := testRedis(t)
	return ratelimit.New(rdb, ratelimit.Options{Prefix: prefix, Timeout: patient}), rdb, prefix
}

// testRedis is the test Redis and a key prefix of t's own, whose
// budgets are removed when t ends.
func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	rdb := testenv.Redis(t).Redis()
	var b [6]byte
	_, _ = rand.Read(b[:])
	prefix := "test:rlpkg" + hex.EncodeToString(b[:]) + ":"
	t.Cleanup(func() {
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, "rate:"+prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
	})
	return rdb, prefix
}

// One an hour, three at once: nothing refills while the test runs, so
// every answer is exact.
func TestAllowSpendsABudget(t *testing.T) {
	t.Parallel()
	l, rdb, prefix := newLimiter(t)
	ctx := context.Background()
	tests := []struct {
		name      string
		key       string
		allowed   bool
		remaining int
		// after is within a minute below this.
		after time.Duration
	}{
		{"first", "reads:ip:a", true, 2, time.Hour},
		{"second", "reads:ip:a", true, 1, 2 * time.Hour},
		{"last", "reads:ip:a", true, 0, 3 * time.Hour},
		{"refused: the next is due in an hour", "reads:ip:a", false, 0, time.Hour},
		{"still refused", "reads:ip:a", false, 0, time.Hour},
		{"another key has its own budget", "reads:ip:b", true, 2, time.Hour},
	}
	for _, tt := range tests {
		allowed, remaining, after, err := l.Allow(ctx, tt.key, 1, 3, time.Hour)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if allowed != tt.allowed || remaining != tt.remaining || after > tt.after || after < tt.after-time.Minute {
			t.Fatalf("%s: allowed %v, remaining %d, after %v; want %v, %d, just under %v",
				tt.name, allowed, remaining, after, tt.allowed, tt.remaining, tt.after)
		}
	}
	// The budget is one key under the prefix, which the library starts
	// with "rate:".
	keys, err := rdb.Keys(ctx, "rate:"+prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"rate:" + prefix + "ratelimit:reads:ip:a": true, "rate:" + prefix + "ratelimit:reads:ip:b": true}
	if len(keys) != len(want) || !want[keys[0]] || !want[keys[1]] {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	if n := l.FailedOpen(); n != 0 {
		t.Fatalf("FailedOpen %d with Redis up", n)
	}
}

// The client is made on the first Allow, once, not when the limiter is.
func TestNewLazyMakesTheClientOnFirstUse(t *testing.T) {
	t.Parallel()
	rdb, prefix := testRedis(t)
	var made atomic.Int32
	l := ratelimit.NewLazy(func(context.Context) *redis.Client { made.Add(1); return rdb }, ratelimit.Options{Prefix: prefix, Timeout: patient})
	if made.Load() != 0 {
		t.Fatal("client made before it was needed")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, _, _, err := l.Allow(context.Background(), "lazy", 100, 100, time.Minute); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := made.Load(); n != 1 {
		t.Fatalf("client made %d times, want once", n)
	}
}

func TestAllowRefusesNoLimit(t *testing.T) {
	t.Parallel()
	made := false
	l := ratelimit.NewLazy(func(context.Context) *redis.Client { made = true; return nil }, ratelimit.Options{})
	tests := []struct {
		name        string
		rate, burst int
		per         time.Duration
	}{
		{"no rate", 0, 1, time.Second},
		{"no burst", 1, 0, time.Second},
		{"no period", 1, 1, 0},
		{"negative", -1, 1, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, _, err := l.Allow(context.Background(), "k", tt.rate, tt.burst, tt.per)
			if err == nil || !strings.Contains(err.Error(), "want rate, burst and period above 0") {
				t.Fatalf("error %v", err)
			}
		})
	}
	if made || l.FailedOpen() != 0 {
		t.Fatalf("a limit that is none reached Redis (%v) or counted as failing open (%d)", made, l.FailedOpen())
	}
}

// A Redis that is gone, or that accepts connections and never answers,
// costs a check an error at most the timeout later, one more FailedOpen
// and one RateLimitFailedOpen on the invocation's metrics line.
func TestAllowFailsOpen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		addr func(t *testing.T) string
	}{
		{"refused", func(t *testing.T) string { return testenv.FreeAddr(t) }},
		{"hangs", func(t *testing.T) string { return testenv.SilentServer(t) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// Slower than the limiter: the client alone would wait 5 s.
			c, err := redisclient.Open("redis://"+tt.addr(t)+"/0", redisclient.Options{Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = c.Close() })
			l := ratelimit.NewLazy(c.Ready, ratelimit.Options{Timeout: 100 * time.Millisecond})
			ctx, inv := meter.Start(context.Background(), "api", meter.TriggerHTTP, "GET /v1/hotels", 0)
			for i := range 3 {
				start := time.Now()
				allowed, _, _, err := l.Allow(ctx, "reads:ip:x", 1, 1, time.Minute)
				if took := time.Since(start); took > 2*time.Second {
					t.Fatalf("check %d took %v: the limiter waited for the client", i, took)
				}
				if err == nil || allowed || !strings.HasPrefix(err.Error(), "ratelimit: reads:ip:x: ") {
					t.Fatalf("check %d: allowed %v, error %v", i, allowed, err)
				}
			}
			if n := l.FailedOpen(); n != 3 {
				t.Fatalf("FailedOpen %d, want 3", n)
			}
			var line testsync.Buffer
			inv.Log(ctx, logging.New(&line, "error"))
			if !strings.Contains(line.String(), `"RateLimitFailedOpen":3`) {
				t.Fatalf("no RateLimitFailedOpen count of 3 on the invocation's line:\n%s", line.String())
			}
		})
	}
}
