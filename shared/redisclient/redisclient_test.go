package redisclient_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"innkeeper/local/testenv"
	"innkeeper/shared/redisclient"
)

func TestPrefixAndPing(t *testing.T) {
	t.Parallel()
	c := testenv.Redis(t)
	ctx := context.Background()
	if err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if k := c.Key("x"); k == "x" || k[len(k)-2:] != ":x" {
		t.Fatalf("key %q lacks the prefix", k)
	}
}

func TestRedisDownFailsFast(t *testing.T) {
	t.Parallel()
	c, err := redisclient.Open("redis://127.0.0.1:1/0", redisclient.Options{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := c.Ping(context.Background()); err == nil {
		t.Fatal("want a connection error")
	}
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Fatalf("took %v to give up", took)
	}
}

// Warm opens the first connection before any command; Ready hands the
// client over once it is open, so the command uses it instead of dialling
// a second one.
func TestWarmOpensTheConnectionTheFirstCommandUses(t *testing.T) {
	t.Parallel()
	c, err := redisclient.Open(testenv.RedisURL(), redisclient.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	c.Warm()
	c.Warm() // once is enough; a second call starts nothing
	ctx := context.Background()
	rdb := c.Ready(ctx)
	if st := rdb.PoolStats(); st.TotalConns != 1 || st.IdleConns != 1 {
		t.Fatalf("after Ready: %d connections, %d idle; want the one Warm opened", st.TotalConns, st.IdleConns)
	}
	for range 3 {
		if err := rdb.Ping(ctx).Err(); err != nil {
			t.Fatal(err)
		}
	}
	if st := rdb.PoolStats(); st.TotalConns != 1 || st.Misses != 1 {
		t.Errorf("after three commands: %d connections, %d dials; want Warm's one", st.TotalConns, st.Misses)
	}
	// A pipeline (the request counter's) runs on that connection too,
	// not on one of a pool of its own.
	id, err := rdb.ClientID(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	var inPipeline *redis.IntCmd
	if _, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		inPipeline = p.ClientID(ctx)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if inPipeline.Val() != id {
		t.Errorf("the pipeline ran on connection %d, commands on %d: a second connection was dialled", inPipeline.Val(), id)
	}
}

// A Redis that accepts but never answers holds Warm's connection up;
// Ready gives up waiting for it when its context does.
func TestReadyWaitsNoLongerThanItsContext(t *testing.T) {
	t.Parallel()
	silent := testenv.SilentServer(t)
	c, err := redisclient.Open("redis://"+silent+"/0", redisclient.Options{Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	c.Warm()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	if c.Ready(ctx) == nil {
		t.Fatal("Ready returned no client")
	}
	if took := time.Since(start); took < 40*time.Millisecond || took > time.Second {
		t.Errorf("Ready returned after %v; want about its context's 50ms", took)
	}
}

// Without Warm there is nothing to wait for; after Close the warm-up
// makes nothing.
func TestReadyWithoutWarmAndWarmAfterClose(t *testing.T) {
	t.Parallel()
	c, err := redisclient.Open(testenv.RedisURL(), redisclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // Ready must not need the context without Warm
	if rdb := c.Ready(ctx); rdb == nil || rdb.PoolStats().TotalConns != 0 {
		t.Fatal("Ready without Warm: want the client, not yet connected")
	}
	_ = c.Close()
	closed, err := redisclient.Open(testenv.RedisURL(), redisclient.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = closed.Close()
	closed.Warm()
	if closed.Ready(context.Background()) != nil {
		t.Error("a client closed before it was made was made by Warm")
	}
}
