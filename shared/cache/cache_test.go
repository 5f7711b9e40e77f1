package cache_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"innkeeper/shared/cache"
	"innkeeper/shared/testenv"
)

func TestLock(t *testing.T) {
	t.Parallel()
	c := testenv.Cache(t)
	ctx := context.Background()
	unlock, err := c.Lock(ctx, "a", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lock(ctx, "a", time.Minute); !errors.Is(err, cache.ErrLocked) {
		t.Fatalf("second holder: want ErrLocked, got %v", err)
	}
	if _, err := c.Lock(ctx, "b", time.Minute); err != nil {
		t.Fatalf("another name is free: %v", err)
	}
	if err := unlock(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := c.Lock(ctx, "a", time.Minute)
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	// A stale unlock (the first holder's, after expiry and re-take) must
	// not free the new holder's lock.
	if err := unlock(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Lock(ctx, "a", time.Minute); !errors.Is(err, cache.ErrLocked) {
		t.Fatalf("a stale unlock freed the new holder's lock: %v", err)
	}
	_ = again(ctx)
}

func TestLockExpires(t *testing.T) {
	t.Parallel()
	c := testenv.Cache(t)
	ctx := context.Background()
	if _, err := c.Lock(ctx, "x", 50*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	time.Sleep(120 * time.Millisecond)
	if _, err := c.Lock(ctx, "x", time.Minute); err != nil {
		t.Fatalf("an expired lock is free: %v", err)
	}
}

func TestRedisDownFailsFast(t *testing.T) {
	t.Parallel()
	c, err := cache.Open("redis://127.0.0.1:1/0", cache.Options{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Lock(context.Background(), "x", time.Minute)
	if err == nil || errors.Is(err, cache.ErrLocked) {
		t.Fatalf("want a connection error, got %v", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Fatalf("took %v", took)
	}
}
