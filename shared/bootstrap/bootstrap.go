// Package bootstrap builds a function's dependencies from its
// configuration, once per process: warm invocations reuse the pools and
// clients it makes. Functions' main packages stay wiring only.
package bootstrap

import (
	"context"

	"fmt"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"log/slog"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/config"
	"innkeeper/shared/health"
	"innkeeper/shared/httpapi"
	"innkeeper/shared/httpcount"
	"innkeeper/shared/jobs"
	"innkeeper/shared/queue"
	"innkeeper/shared/redisclient"
	"innkeeper/shared/store"
)

// Store opens the PostgreSQL store the configuration names.
func Store(ctx context.Context, cfg config.Config, searchPath string) (*store.Store, error) {
	if err := cfg.Require("DATABASE_URL"); err != nil {
		return nil, err
	}
	return store.Open(ctx, cfg.DatabaseURL, store.Options{
		MaxConns:         cfg.DBMaxConns,
		ConnectTimeout:   cfg.DBConnectTimeout,
		StatementTimeout: cfg.DBStatementTimeout,
		SearchPath:       searchPath,
	})
}

// Redis opens the Redis client the configuration names.
func Redis(cfg config.Config) (*redisclient.Client, error) {
	if err := cfg.Require("REDIS_URL"); err != nil {
		return nil, err
	}
	return redisclient.Open(cfg.RedisURL, redisclient.Options{Timeout: cfg.RedisTimeout, Prefix: cfg.RedisKeyPrefix})
}

// API is the HTTP API with everything it needs.
type API struct {
	*httpapi.Server
	Store   *store.Store
	Redis   *redisclient.Client
	Service *booking.Service
	// RateLimiter is the API's per-client limiter; nil with
	// RATE_LIMITS=off.
	RateLimiter *httpapi.RateLimiter
	cfg         config.Config
}

// SQSClient is a client for the API's queue, for tests and tools.
func (a *API) SQSClient(ctx context.Context) (*sqs.Client, error) {
	c, err := SQS(a.cfg)
	if err == nil && c == nil {
		err = fmt.Errorf("bootstrap: no queue configured")
	}
	return c, err
}

// Close releases the pools.
func (a *API) Close() {
	a.Store.Close()
	_ = a.Redis.Close()
}

// APIOptions adjust NewAPI for tests and local runs.
type APIOptions struct {
	// SearchPath confines the store to one schema.
	SearchPath string
	// Clock replaces time.Now.
	Clock func() time.Time
	// RateLimiter adjusts the API's rate limiter when RATE_LIMITS is on:
	// its policy table (httpapi.DefaultRateLimits when nil) and timeout.
	// Its Prefix defaults to REDIS_KEY_PREFIX.
	RateLimiter httpapi.RateLimiterOptions
}

// NewAPI builds the HTTP API from cfg.
func NewAPI(ctx context.Context, cfg config.Config, log *slog.Logger, o APIOptions) (*API, error) {
	st, err := Store(ctx, cfg, o.SearchPath)
	if err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	c, err := Redis(cfg)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	svc := booking.NewService(st, o.Clock)
	checks := []health.Check{
		{Name: "postgres", Critical: true, Slow: 250 * time.Millisecond, Probe: st.Ping},
		{Name: "redis", Critical: false, Slow: 100 * time.Millisecond, Probe: c.Ping},
	}
	gauges := []health.Gauge{outboxGauge(st, svc.Now), jobsGauge(st, svc.Now)}
	var redrive func(context.Context) (string, error)
	q, err := SQS(cfg)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	if q != nil {
		relay := Relay(q, cfg, st, log)
		svc.AfterCommit(relay.Flush)
		checks = append(checks, health.Check{Name: "sqs", Slow: 250 * time.Millisecond, Probe: func(ctx context.Context) error {
			_, err := queue.QueueDepth(ctx, q, cfg.EventsQueueURL)
			return err
		}})
		gauges = append(gauges, queueGauge(q, cfg))
		if cfg.EventsDLQURL != "" {
			redrive = func(ctx context.Context) (string, error) {
				return queue.Redrive(ctx, q, cfg.EventsDLQURL, cfg.EventsQueueURL)
			}
		}
	}
	var limiter *httpapi.RateLimiter
	if cfg.RateLimits {
		ro := o.RateLimiter
		if ro.Prefix == "" {
			ro.Prefix = cfg.RedisKeyPrefix
		}
		limiter, err = httpapi.NewLazyRateLimiter(c.Redis, ro)
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("bootstrap: %w", err)
		}
	}
	srv := httpapi.New(httpapi.Deps{
		Service:        svc,
		Keys:           st,
		Receipts:       st,
		Checks:         checks,
		Gauges:         gauges,
		LinkKeys:       []string{cfg.AppKey, cfg.AppKeyNext},
		Redrive:        redrive,
		Ledger:         st,
		Metrics:        &httpcount.Recorder{Client: c.Redis, Prefix: cfg.RedisKeyPrefix, Log: log},
		RateLimiter:    limiter,
		Logger:         log,
		CORSOrigins:    cfg.CORSAllowedOrigins,
		RequestTimeout: cfg.RequestTimeout,
		Version:        cfg.Version,
	})
	return &API{Server: srv, Store: st, Redis: c, Service: svc, RateLimiter: limiter, cfg: cfg}, nil
}

// NewJobs is the scheduled jobs' runner.
func NewJobs(ctx context.Context, cfg config.Config, log *slog.Logger) (*jobs.Runner, error) {
	st, err := Store(ctx, cfg, "")
	if err != nil {
		return nil, err
	}
	q, err := SQS(cfg)
	if err != nil {
		return nil, err
	}
	return &jobs.Runner{Store: st, Relay: Relay(q, cfg, st, log), Log: log}, nil
}
