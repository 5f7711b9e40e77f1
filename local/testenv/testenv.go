// Package testenv gives tests the real PostgreSQL and Redis of the
// machine, isolated per test: each test gets its own schema (migrated from
// scratch) and its own Redis key prefix, so tests run in parallel and
// leave nothing behind; and, where they need them, an SQS emulator and a
// Mailpit of their own.
//
// TEST_DATABASE_URL and TEST_REDIS_URL override the local defaults. A
// service that is down fails the test with the command that starts it.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/jackc/pgx/v5"

	"innkeeper/local/contract"
	"innkeeper/shared/bootstrap/apiserver"
	"innkeeper/shared/config"
	"innkeeper/shared/demo"
	"innkeeper/shared/logging"
	"innkeeper/shared/payments"
	"innkeeper/shared/redisclient"
	"innkeeper/shared/store"
)

// DatabaseURL is the test database.
func DatabaseURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/innkeeper_test?sslmode=disable"
}

// RedisURL is the test Redis.
func RedisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

var ensureOnce struct {
	sync.Once
	err error
}

func randomName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// Clock is the fixed instant tests run at unless they set another: the
// sample events' dates are chosen against it, so they never go stale.
var Clock = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// Schema creates an empty schema for t in the test database and returns
// its name; it is dropped when t ends.
func Schema(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	ensureOnce.Do(func() { _, ensureOnce.err = store.EnsureDatabase(ctx, DatabaseURL()) })
	if ensureOnce.err != nil {
		t.Fatalf("testenv: PostgreSQL at %s: %v\n(start it: make services)", DatabaseURL(), ensureOnce.err)
	}
	conn, err := pgx.Connect(ctx, DatabaseURL())
	if err != nil {
		t.Fatalf("testenv: connect: %v", err)
	}
	defer conn.Close(ctx)
	name := randomName("t_")
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+name); err != nil {
		t.Fatalf("testenv: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, DatabaseURL())
		if err != nil {
			t.Errorf("testenv: drop schema %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+name+" CASCADE"); err != nil {
			t.Errorf("testenv: drop schema %s: %v", name, err)
		}
	})
	return name
}

// Store is a migrated store confined to a fresh schema.
func Store(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), DatabaseURL(), store.Options{SearchPath: Schema(t), MaxConns: 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("testenv: migrate: %v", err)
	}
	return st
}

// Redis is a Redis client whose keys carry a prefix of t's own; they are
// deleted when t ends.
func Redis(t testing.TB) *redisclient.Client {
	t.Helper()
	prefix := randomName("test:") + ":"
	c, err := redisclient.Open(RedisURL(), redisclient.Options{Prefix: prefix, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Ping(context.Background()); err != nil {
		t.Fatalf("testenv: Redis at %s: %v\n(start it: make services)", RedisURL(), err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Redis().Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			c.Redis().Del(ctx, iter.Val())
		}
		_ = c.Close()
	})
	return c
}

// AdminKey is the admin API key NewAPI seeds: the sample events' key.
const AdminKey = demo.SampleAdminKey

// APIOptions shape an API for a test.
type APIOptions struct {
	// Clock replaces Clock.
	Clock func() time.Time
	// NoDemo leaves the schema empty but for the admin key.
	NoDemo bool
	// DemoDays of inventory and rates; 120 if 0.
	DemoDays int
	// Env adjusts the configuration (REDIS_URL, CORS_ALLOWED_ORIGINS, …).
	Env map[string]string
	// NoRelay leaves events in the outbox: no queue is configured.
	NoRelay bool
	// Stripe, when set, is the Stripe the API takes payments through
	// (StartStripe); its webhooks are sent to the API. Every request the
	// API's client sends it is checked by stripe-mock first
	// (StripeChecked).
	Stripe *Stripe
}

// API is an HTTP API on a fresh schema and Redis prefix, with the demo data
// and AdminKey, served by an httptest.Server.
type API struct {
	*apiserver.API
	URL    string
	Schema string
	// Queues is the API's SQS emulator; nil with NoRelay.
	Queues *Queues
	// Config is the configuration the API was built from.
	Config config.Config
}

// SQSClient is the SDK's SQS client (see the function SQSClient) at the
// API's SQS endpoint, for the API's queues; it fails t when the API has
// no queue.
func (a *API) SQSClient(t testing.TB) *awssqs.Client {
	t.Helper()
	if a.Config.EventsQueueURL == "" || a.Config.SQSEndpoint == "" {
		t.Fatal("testenv: the API has no queue")
	}
	return SQSClient(a.Config.SQSEndpoint)
}

// NewAPI builds and serves an API for t.
func NewAPI(t testing.TB, o APIOptions) *API {
	t.Helper()
	schema := Schema(t)
	env := map[string]string{
		"APP_ENV":              "test",
		"DATABASE_URL":         DatabaseURL(),
		"REDIS_URL":            RedisURL(),
		"REDIS_KEY_PREFIX":     randomName("test:") + ":",
		"CORS_ALLOWED_ORIGINS": "https://book.example.com",
		"DB_MAX_CONNS":         "20",
		"REDIS_TIMEOUT":        "1s",
		// Tests send many requests from one address; those that test
		// the rate limits turn them on with Env.
		"RATE_LIMITS": "off",
	}
	for k, v := range o.Env {
		env[k] = v
	}
	var queues *Queues
	if !o.NoRelay {
		queues = StartQueues(t)
		for k, v := range queues.Env {
			env[k] = v
		}
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	clock := o.Clock
	if clock == nil {
		clock = func() time.Time { return Clock }
	}
	ctx := context.Background()
	ao := apiserver.Options{SearchPath: schema, Clock: clock}
	if o.Stripe != nil {
		ao.Stripe = &payments.StripeConfig{SecretKey: StripeSecretKey, URL: o.Stripe.URL, HTTPClient: o.Stripe.Client(t),
			Timeout: 5 * time.Second}
		ao.WebhookSecret = StripeWebhookSecret
	}
	api, err := apiserver.New(ctx, cfg, logging.Discard(), ao)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	if _, err := api.Store.Migrate(ctx); err != nil {
		t.Fatalf("testenv: migrate: %v", err)
	}
	if o.NoDemo {
		if _, err := api.Store.CreateAPIKey(ctx, "test admin", "admin", AdminKey, nil); err != nil {
			t.Fatal(err)
		}
	} else {
		days := o.DemoDays
		if days == 0 {
			days = 120
		}
		if _, err := demo.Seed(ctx, api.Service, api.Store, demo.Options{Days: days, AdminKey: AdminKey}); err != nil {
			t.Fatalf("testenv: seed: %v", err)
		}
	}
	// Every exchange a test has with the API is held to the OpenAPI
	// document: an undocumented response fails the test that caused it.
	srv := httptest.NewServer(contract.Check(t, api))
	t.Cleanup(srv.Close)
	if o.Stripe != nil {
		o.Stripe.SetWebhookURL(srv.URL + "/v1/webhooks/stripe")
	}
	return &API{API: api, URL: srv.URL, Schema: schema, Queues: queues, Config: cfg}
}

// Exec runs sql in the API's schema, for arranging and inspecting state.
func (a *API) Exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	if _, err := a.Store.Pool().Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("testenv: exec %q: %v", sql, err)
	}
}

// Int reads one integer.
func (a *API) Int(t testing.TB, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := a.Store.Pool().QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("testenv: query %q: %v", sql, err)
	}
	return n
}
