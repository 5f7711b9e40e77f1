package redisclient_test

import (
	"context"
	"testing"
	"time"

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
