package searchcache_test

import (
	"context"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/redisclient"
	"innkeeper/shared/searchcache"
)

func TestGenerations(t *testing.T) {
	t.Parallel()
	rc := testenv.Redis(t)
	c := searchcache.New(rc.Ready, rc.Key(""), time.Second, nil)
	other := searchcache.New(rc.Ready, rc.Key(""), time.Second, nil) // another process
	ctx := context.Background()

	_, gen, ok := c.Load(ctx, "k")
	if ok || gen == "" {
		t.Fatalf("a first load: hit %v, generation %q; want a miss with a generation", ok, gen)
	}
	c.Store(ctx, "k", gen, []byte("answer"), time.Minute)
	if entry, _, ok := other.Load(ctx, "k"); !ok || string(entry) != "answer" {
		t.Fatalf("stored entry: %q %v", entry, ok)
	}
	if _, _, ok := other.Load(ctx, "other key"); ok {
		t.Fatal("another key hit")
	}

	// Invalidated by the other process: a miss, and an answer computed
	// under the old generation (stored after the write) stays a miss.
	other.Invalidate(ctx)
	_, fresh, ok := c.Load(ctx, "k")
	if ok || fresh == gen {
		t.Fatalf("after Invalidate: hit %v, generation %q (was %q)", ok, fresh, gen)
	}
	c.Store(ctx, "k", gen, []byte("stale"), time.Minute)
	if entry, _, ok := c.Load(ctx, "k"); ok {
		t.Fatalf("an entry of the old generation was served: %q", entry)
	}
	c.Store(ctx, "k", fresh, []byte("new"), time.Minute)
	if entry, _, ok := c.Load(ctx, "k"); !ok || string(entry) != "new" {
		t.Fatalf("new entry: %q %v", entry, ok)
	}

	// The generation lost (evicted, or Redis restarted with the entries
	// restored): a new random one starts, and the old entries are misses.
	if err := rc.Redis().Del(ctx, rc.Key("citysearch:gen")).Err(); err != nil {
		t.Fatal(err)
	}
	if entry, again, ok := c.Load(ctx, "k"); ok || again == "" || again == fresh {
		t.Fatalf("after the generation was lost: %q, hit %v, generation %q", entry, ok, again)
	}
	if c.Failed() != 0 || other.Failed() != 0 {
		t.Fatalf("failures: %d, %d", c.Failed(), other.Failed())
	}
}

func TestRedisDownIsAMiss(t *testing.T) {
	t.Parallel()
	rc, err := redisclient.Open("redis://"+testenv.FreeAddr(t), redisclient.Options{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	c := searchcache.New(rc.Ready, "", 100*time.Millisecond, nil)
	ctx := context.Background()
	start := time.Now()
	if _, gen, ok := c.Load(ctx, "k"); ok || gen != "" {
		t.Fatalf("Redis down: hit %v, generation %q", ok, gen)
	}
	c.Store(ctx, "k", "", []byte("x"), time.Minute) // no generation: nothing to do, no call
	c.Invalidate(ctx)
	if c.Failed() != 2 {
		t.Fatalf("%d failures counted, want 2 (load, invalidate)", c.Failed())
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("Redis down cost %v", took)
	}
}
