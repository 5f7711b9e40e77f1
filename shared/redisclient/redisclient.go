// Package redisclient is Innkeeper's Redis client, with tight timeouts and a
// key prefix. Every caller treats Redis as an accelerator that may be
// down: it fails open, and PostgreSQL stays the source of truth.
package redisclient

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"innkeeper/shared/config"
)

// slogPrinter sends the client's own diagnostics (failed dials, pool
// trouble) to the JSON log instead of stderr as plain text.
type slogPrinter struct{}

func (slogPrinter) Printf(ctx context.Context, format string, v ...any) {
	slog.WarnContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

func init() { redis.SetLogger(slogPrinter{}) }

// Options tune the client.
type Options struct {
	// Timeout bounds dialing, reading and writing, so a Redis that is gone
	// costs a request at most this long.
	Timeout time.Duration
	// Prefix starts every key, so environments and tests can share a server.
	Prefix string
}

// Client is a Redis client with a key prefix. The client is made on first
// use: a cold start that never touches Redis does not pay for it. A
// function whose first request will use Redis calls Warm at start-up
// instead, so the connection opens while the rest starts.
type Client struct {
	opt    *redis.Options
	once   sync.Once
	rdb    *redis.Client
	prefix string

	// warm is closed when Warm's first connection is open, or failed to;
	// nil until Warm is called.
	warm atomic.Pointer[chan struct{}]
}

// Open parses url and builds a client. It does not connect.
func Open(url string, o Options) (*Client, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("redisclient: parse redis url: %w", err)
	}
	if o.Timeout == 0 {
		o.Timeout = 300 * time.Millisecond
	}
	opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = o.Timeout, o.Timeout, o.Timeout
	opt.PoolTimeout = o.Timeout
	// Honour callers' deadlines (the rate limiter's and the counters'
	// 50 ms), not only the socket timeouts above.
	opt.ContextTimeoutEnabled = true
	opt.MaxRetries = 1
	// One dial attempt: a Redis that refuses is down, and waiting on it
	// only delays the request that will go on without it.
	opt.DialerRetries = 1
	opt.PoolSize = 8
	// No CLIENT SETINFO handshake: one round trip less per new connection.
	opt.DisableIdentity = true
	// No CLIENT MAINT_NOTIFICATIONS either: those are Redis Enterprise's
	// and Redis Cloud's (ElastiCache and Redis 7 refuse the command), and
	// asking costs every new connection a round trip and an error.
	opt.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	// Pipelines on the same connections as everything else: go-redis keeps
	// a second pool for them by default, with 128 KB buffers, so the
	// request counter's pipeline dialled a connection of its own beside
	// the one Warm opened (a millisecond of the first request). A Lambda
	// process serves one request at a time; one pool is plenty.
	opt.PipelinePoolSize = -1
	return &Client{opt: opt, prefix: o.Prefix}, nil
}

// Redis is the underlying go-redis client, made on first use.
func (c *Client) Redis() *redis.Client {
	c.once.Do(func() { c.rdb = redis.NewClient(c.opt) })
	return c.rdb
}

// Warm makes the client and opens its first connection in the
// background, at once, and returns: a cold start's first request then
// finds the connection open instead of opening it (making the client,
// dialling and the handshake cost more than a millisecond) while the
// caller waits. A Redis that is down costs nothing but the attempt;
// commands then fail as they would have.
func (c *Client) Warm() {
	done := make(chan struct{})
	if !c.warm.CompareAndSwap(nil, &done) {
		return // warming or warm already
	}
	go func() {
		defer close(done)
		rdb := c.Redis()
		if rdb == nil { // closed before it was made
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), c.opt.DialTimeout)
		defer cancel()
		_ = rdb.Ping(ctx).Err()
	}()
}

// Ready is Redis once Warm's first connection is open (or failed to
// open), so that the caller's command uses it rather than dialling a
// second one; it waits no longer than ctx allows, and not at all without
// Warm or after it.
func (c *Client) Ready(ctx context.Context) *redis.Client {
	if done := c.warm.Load(); done != nil {
		select {
		case <-*done:
		case <-ctx.Done():
		}
	}
	return c.Redis()
}

// Key is name with the configured prefix.
func (c *Client) Key(name string) string { return c.prefix + name }

// Close closes the client if it was ever made.
func (c *Client) Close() error {
	made := true
	c.once.Do(func() { made = false })
	if !made || c.rdb == nil {
		return nil
	}
	return c.rdb.Close()
}

// Ping checks that Redis answers.
func (c *Client) Ping(ctx context.Context) error {
	if err := c.Redis().Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redisclient: ping: %w", err)
	}
	return nil
}

// FromConfig is the client for the configuration's REDIS_URL, with its
// timeout and key prefix. It does not connect.
func FromConfig(cfg config.Config) (*Client, error) {
	if err := cfg.Require("REDIS_URL"); err != nil {
		return nil, err
	}
	return Open(cfg.RedisURL, Options{Timeout: cfg.RedisTimeout, Prefix: cfg.RedisKeyPrefix})
}
