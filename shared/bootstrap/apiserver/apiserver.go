// Package apiserver wires the api function: the HTTP API (shared/httpapi)
// with its PostgreSQL store, its Redis (request counters, rate limits,
// the city search cache), the relay that sends each command's events to
// the queue right after it commits, and the health checks and gauges of
// /readyz and /health.
// Tests and the devstack build the API with it too, so they run what is
// deployed.
package apiserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/bootstrap"
	"innkeeper/shared/bootstrap/sqsclient"
	"innkeeper/shared/cashier"
	"innkeeper/shared/config"
	"innkeeper/shared/health"
	"innkeeper/shared/httpapi"
	"innkeeper/shared/httpcount"
	"innkeeper/shared/payments"
	"innkeeper/shared/queue"
	"innkeeper/shared/ratelimit"
	"innkeeper/shared/redisclient"
	"innkeeper/shared/searchcache"
	"innkeeper/shared/sqsjson"
	"innkeeper/shared/store"
)

// API is the HTTP API with everything it needs.
type API struct {
	*httpapi.Server
	Store   *store.Store
	Redis   *redisclient.Client
	Service *booking.Service
	// SearchCache is the Service's cache of city searches, in Redis.
	SearchCache *searchcache.Cache
	// RateLimiter is the API's per-client limiter; nil with
	// RATE_LIMITS=off.
	RateLimiter *ratelimit.Limiter
	// SQS is the client the API's relay, health checks and redrive use;
	// nil when no queue is configured.
	SQS *sqsjson.Client
	// Cashier takes the bookings' payments; nil when the API takes none.
	Cashier *cashier.Cashier
}

// Close releases the pools.
func (a *API) Close() {
	a.Store.Close()
	_ = a.Redis.Close()
}

// Options adjust New for tests and local runs.
type Options struct {
	// SearchPath confines the store to one schema.
	SearchPath string
	// Clock replaces time.Now.
	Clock func() time.Time
	// RateLimiter adjusts the API's rate limiter when RATE_LIMITS is on:
	// its timeout. Its Prefix defaults to REDIS_KEY_PREFIX.
	RateLimiter ratelimit.Options
	// RateLimits replaces the API's policy table
	// (httpapi.DefaultRateLimits) when RATE_LIMITS is on.
	RateLimits *httpapi.RateLimits
	// Stripe, when set, takes payments through this Stripe (a test's
	// emulator), verifying webhooks with WebhookSecret, whatever the
	// configuration says.
	Stripe        *payments.StripeConfig
	WebhookSecret string
}

// New builds the HTTP API from cfg.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, o Options) (*API, error) {
	// APP_KEY signs guest links, and keys derived from it seal the stored
	// responses (guest tokens among them) and name client addresses: the
	// API does not start without it.
	if cfg.AppKey == "" {
		return nil, errors.New("apiserver: APP_KEY is not set; it signs links, seals stored responses and names client addresses")
	}
	c, err := redisclient.FromConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("apiserver: %w", err)
	}
	st, err := bootstrap.Store(ctx, cfg, o.SearchPath)
	if err != nil {
		_ = c.Close()
		return nil, fmt.Errorf("apiserver: %w", err)
	}
	fail := func(err error) (*API, error) {
		st.Close()
		_ = c.Close()
		return nil, fmt.Errorf("apiserver: %w", err)
	}
	svc := booking.NewService(st, o.Clock)
	// City searches are cached in Redis for every process, and every
	// write through svc that changes what is sold invalidates them.
	searches := searchcache.New(c.Ready, cfg.RedisKeyPrefix, 0, log)
	svc.UseSearchCache(searches)
	checks := []health.Check{
		{Name: "postgres", Critical: true, Slow: 250 * time.Millisecond, Probe: st.Ping},
		{Name: "redis", Critical: false, Slow: 100 * time.Millisecond, Probe: c.Ping},
	}
	gauges := []health.Gauge{outboxGauge(st, svc.Now), jobsGauge(st, svc.Now)}
	var redrive func(context.Context) (string, error)
	q, err := sqsclient.New(cfg)
	if err != nil {
		return fail(err)
	}
	if q != nil {
		relay := sqsclient.Relay(q, cfg, st, log)
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
	var limiter *ratelimit.Limiter
	var rateLimiter httpapi.RateLimiter // a nil interface when off, not a nil *Limiter
	if cfg.RateLimits {
		if o.RateLimits != nil {
			if err := o.RateLimits.Check(); err != nil {
				return fail(err)
			}
		}
		ro := o.RateLimiter
		if ro.Prefix == "" {
			ro.Prefix = cfg.RedisKeyPrefix
		}
		limiter = ratelimit.NewLazy(c.Ready, ro)
		rateLimiter = limiter
	}
	cash, secret := paymentsOf(cfg, o, st, svc, log)
	var pays httpapi.Payments // a nil interface when off, not a nil *Cashier
	if cash != nil {
		pays = cash
	}
	srv := httpapi.New(httpapi.Deps{
		Payments:       pays,
		WebhookSecret:  secret,
		Service:        svc,
		Keys:           st,
		Receipts:       st,
		Checks:         checks,
		Gauges:         gauges,
		LinkKeys:       []string{cfg.AppKey, cfg.AppKeyNext},
		Redrive:        redrive,
		Ledger:         st,
		Metrics:        &httpcount.Recorder{Client: c.Ready, Prefix: cfg.RedisKeyPrefix, Log: log},
		RateLimiter:    rateLimiter,
		RateLimits:     o.RateLimits,
		Logger:         log,
		CORSOrigins:    cfg.CORSAllowedOrigins,
		RequestTimeout: cfg.RequestTimeout,
		Version:        cfg.Version,
		OriginSecrets:  []string{cfg.OriginSecret, cfg.OriginSecretPrevious},
		MetricsToken:   cfg.MetricsToken,
	})
	// Every request counts itself in Redis: open the connection now, while
	// the runtime fetches the first event, not during the first request.
	// Last, so the dial does not compete with the building above.
	c.Warm()
	return &API{Server: srv, Store: st, Redis: c, Service: svc, SearchCache: searches, RateLimiter: limiter, SQS: q,
		Cashier: cash}, nil
}

// paymentsOf is the cashier of o.Stripe, or of the configuration's
// Stripe account, with the webhook secret; nil when neither is set: the
// API takes no payments.
func paymentsOf(cfg config.Config, o Options, st *store.Store, svc *booking.Service, log *slog.Logger) (*cashier.Cashier, string) {
	if o.Stripe == nil {
		return cashier.FromConfig(cfg, st, svc.Now, svc.Committed, log), cfg.StripeWebhookSecret
	}
	return &cashier.Cashier{Store: st, Provider: payments.NewStripe(*o.Stripe), Now: svc.Now,
		Committed: svc.Committed, Log: log}, o.WebhookSecret
}
