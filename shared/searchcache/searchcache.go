// Package searchcache keeps the answers of city searches in Redis, for
// every API process at once (booking.SearchCache).
//
// Invalidation is a generation: one key holds the current generation,
// and each entry is stored with the generation it was computed under.
// A write that changes what is sold sets a new generation (Invalidate);
// every entry is stale from then on, with no key scanned or deleted, and
// expires by itself. Load reads the generation and the entry in one
// MGET, one round trip.
//
// A generation is random, not a counter: a counter lost (Redis restarted
// or the key evicted) would start again and could meet old entries'
// numbers; a random one never does.
//
// The cache fails open, as every Redis use here: an error or a Redis
// slower than the timeout is a miss (the search reads PostgreSQL) or a
// store not done. An invalidation lost that way leaves entries up to
// their TTL (booking.CitySearchTTL).
package searchcache

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultTimeout bounds each Redis round trip: a search that waits longer
// for the cache than PostgreSQL takes to answer gains nothing.
const DefaultTimeout = 50 * time.Millisecond

// Cache is a booking.SearchCache in Redis. It is safe for concurrent use.
type Cache struct {
	client  func(context.Context) *redis.Client
	prefix  string
	timeout time.Duration
	log     *slog.Logger

	failed atomic.Int64
}

// New is a cache on the client client returns (redisclient.Client's
// Ready, so the connection is made on first use), its keys starting with
// prefix. timeout 0 is DefaultTimeout; log nil logs nothing.
func New(client func(context.Context) *redis.Client, prefix string, timeout time.Duration, log *slog.Logger) *Cache {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Cache{client: client, prefix: prefix, timeout: timeout, log: log}
}

// Failed is how many calls found Redis failing or too slow.
func (c *Cache) Failed() int64 { return c.failed.Load() }

func (c *Cache) genKey() string { return c.prefix + "citysearch:gen" }

// entryKey hashes the search's key: it holds a city as typed, which may
// be long or hold any character.
func (c *Cache) entryKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return c.prefix + "citysearch:e:" + hex.EncodeToString(sum[:16])
}

func (c *Cache) fail(ctx context.Context, op string, err error) {
	c.failed.Add(1)
	if c.log != nil {
		c.log.WarnContext(ctx, "searchcache: redis failed; the search goes on without it", slog.String("op", op), slog.String("error", err.Error()))
	}
}

// newGen is a fresh random generation.
func newGen() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Load returns the entry under key if it was stored under the current
// generation. With no generation yet (a new or restarted Redis) it sets
// one, so what is computed next can be stored.
func (c *Cache) Load(ctx context.Context, key string) ([]byte, string, bool) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	rdb := c.client(ctx)
	vals, err := rdb.MGet(ctx, c.genKey(), c.entryKey(key)).Result()
	if err != nil {
		c.fail(ctx, "load", err)
		return nil, "", false
	}
	gen, _ := vals[0].(string)
	if gen == "" {
		// SET NX then GET: two processes starting a generation at
		// once agree on the first.
		if err := rdb.SetNX(ctx, c.genKey(), newGen(), 0).Err(); err != nil {
			c.fail(ctx, "load", err)
			return nil, "", false
		}
		if gen, err = rdb.Get(ctx, c.genKey()).Result(); err != nil {
			c.fail(ctx, "load", err)
			return nil, "", false
		}
		return nil, gen, false
	}
	entry, _ := vals[1].(string)
	stored, body, ok := strings.Cut(entry, "\n")
	if !ok || stored != gen {
		return nil, gen, false
	}
	return []byte(body), gen, true
}

// Store keeps entry under key for generation gen; an empty gen (Load
// failed) stores nothing, as nothing says which generation it is of.
func (c *Cache) Store(ctx context.Context, key, gen string, entry []byte, ttl time.Duration) {
	if gen == "" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	if err := c.client(ctx).Set(ctx, c.entryKey(key), gen+"\n"+string(entry), ttl).Err(); err != nil {
		c.fail(ctx, "store", err)
	}
}

// Invalidate starts a new generation. It runs under a context of its own
// (with the timeout): the write it follows has committed, and a caller
// that has gone must not leave the old answers current.
func (c *Cache) Invalidate(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.timeout)
	defer cancel()
	if err := c.client(ctx).Set(ctx, c.genKey(), newGen(), 0).Err(); err != nil && !errors.Is(err, redis.Nil) {
		c.fail(ctx, "invalidate", err)
	}
}
