// Package redisclient is Innkeeper's Redis client, with tight timeouts and a
// key prefix. Every caller treats Redis as an accelerator that may be
// down: it fails open, and PostgreSQL stays the source of truth.
package redisclient

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"innkeeper/shared/config"

	"github.com/redis/go-redis/v9"
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
// use: a cold start that never touches Redis does not pay for it.
type Client struct {
	opt    *redis.Options
	once   sync.Once
	rdb    *redis.Client
	prefix string
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
	return &Client{opt: opt, prefix: o.Prefix}, nil
}

// Redis is the underlying go-redis client, made on first use.
func (c *Client) Redis() *redis.Client {
	c.once.Do(func() { c.rdb = redis.NewClient(c.opt) })
	return c.rdb
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
