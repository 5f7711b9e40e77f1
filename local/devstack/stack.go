package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"innkeeper/local/clock"
	"innkeeper/local/gateway"
	"innkeeper/local/logs"
	"innkeeper/local/loopback"
	"innkeeper/local/sandbox"
	"innkeeper/local/schedule"
	"innkeeper/local/sqs"
	"innkeeper/local/stripeemu"
	"innkeeper/local/wsgateway"
	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/bootstrap"
	"innkeeper/shared/config"
	"innkeeper/shared/demo"
	"innkeeper/shared/logging"
	"innkeeper/shared/store"
	"innkeeper/shared/topology"
)

// Options shape a stack.
type Options struct {
	// Root is the repository root (functions/, shared/, events/).
	Root string
	// BuildDir receives the built binaries; Root/dist/devstack if empty.
	BuildDir string
	// Binaries are already built functions' binaries, by function name
	// (tests that start many stacks build once); the stack builds the
	// others.
	Binaries map[string]string
	// Getenv reads the settings (after .env); os.Getenv if nil.
	Getenv func(string) string
	// HTTPAddr overrides HTTP_ADDR (tests use 127.0.0.1:0).
	HTTPAddr string
	// Log receives function output and platform lines; os.Stdout if nil.
	Log io.Writer
	// MaxConcurrency per function; 10 if 0.
	MaxConcurrency int
	// Watch rebuilds on source changes.
	Watch bool
	// SearchPath confines the database to one schema (tests).
	SearchPath string
	// DemoDays of inventory; 365 if 0.
	DemoDays int
	// Clock is the stack's clock (queues, schedules, demo data); tests
	// move it forward. Real time if nil.
	Clock *clock.Clock
	// SQSAddr, ControlAddr: where the SQS emulator and the control
	// endpoints listen (127.0.0.1:9324 and 127.0.0.1:3009 by default;
	// tests use 127.0.0.1:0).
	SQSAddr     string
	ControlAddr string
	// PaymentsAddr is where the Stripe emulator listens (127.0.0.1:4242
	// by default; tests use 127.0.0.1:0).
	PaymentsAddr string
	// InspectPayments, when set, sees every request the functions send
	// the Stripe emulator (tests have stripe-mock check them).
	InspectPayments func(r *http.Request, body []byte)
	// SQSEndpoint, when set, is the SQS endpoint the functions are given
	// instead of the emulator's own address (tests put a proxy between).
	SQSEndpoint string
	// WSAddr is where the WebSocket API listens (127.0.0.1:3001).
	WSAddr string
	// WSManagementAddr, when set, is the host:port the functions reach
	// the @connections endpoint at instead of WSAddr (tests put a proxy
	// between to slow the pushes down).
	WSManagementAddr string
	// SMTPAddr is an SMTP server to use instead of starting Mailpit.
	SMTPAddr string
	// NoSchedules leaves the schedules unfired (tests fire them by hand).
	NoSchedules bool
	// Empty leaves the database as a new stage's is after its first
	// deploy: migrated, with no demo data and no key (make dev EMPTY=1;
	// then make admin-key and make seed STAGE=local, as on a new stage).
	Empty bool
}

// maxDelivered is how many log deliveries the stack keeps.
const maxDelivered = 64

// Stack is the running devstack.
type Stack struct {
	opts       Options
	cfg        config.Config
	getenv     func(string) string
	overrides  map[string]string // settings the stack itself decides
	clock      *clock.Clock
	log        *slog.Logger
	runtime    *sandbox.Runtime
	sqs        *sqs.Server
	payments   *stripeemu.Server
	ws         *wsgateway.Gateway
	scheduler  *schedule.Scheduler
	logs       *logs.Collector
	mailpit    *exec.Cmd
	server     *http.Server
	controlSrv *http.Server
	wg         sync.WaitGroup
	cancel     context.CancelFunc

	// delivered are the last log deliveries cost ingestion took, as
	// sent, so that one can be sent again as Lambda retries a delivery.
	deliveredMu sync.Mutex
	delivered   [][]byte

	URL     string // the HTTP API
	WSURL   string // the WebSocket API
	SQSURL  string
	MailURL string // Mailpit's web UI and REST API
	// PaymentsURL is the Stripe API the functions call: the emulator's.
	PaymentsURL string
	ControlURL  string
	AdminKey    string
	binaries    map[string]string // function → current binary
	sums        map[string][32]byte
	build       int
	mu          sync.Mutex
}

// Start builds every function of the manifest, starts the SQS emulator,
// the Stripe emulator and Mailpit, prepares the database (created if missing, migrated
// through functions/migrate, demo data), and serves the HTTP API gateway,
// the queues' pollers, the schedules and the control endpoints.
func Start(ctx context.Context, o Options) (*Stack, error) {
	s, err := newStack(o)
	if err != nil {
		return nil, err
	}
	// The HTTP listener is bound first: the console is served from its
	// address, which the functions must allow as a browser origin (the
	// API's CORS list and the WebSocket API's Origin check).
	addr := o.HTTPAddr
	if addr == "" {
		addr = s.cfg.HTTPAddr
	}
	httpLn, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("devstack: listen on %s: %w", addr, err)
	}
	served := false
	defer func() {
		if !served {
			httpLn.Close()
		}
	}()
	s.URL = loopback.URL(httpLn)
	s.overrides["CORS_ALLOWED_ORIGINS"] = strings.Join(consoleOrigins(s.URL, s.cfg.CORSAllowedOrigins), ",")
	if err := s.startQueues(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.startWebSockets(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.startPayments(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.startMailpit(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.prepare(ctx); err != nil {
		s.Close()
		return nil, err
	}
	run, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.startPollers(run)
	s.background(run, s.logs.Run)
	if err := s.startSchedules(run, !o.NoSchedules); err != nil {
		s.Close()
		return nil, err
	}

	gw, err := gateway.New(topology.Innkeeper.Routes, s.runtime, gateway.Options{Logger: logging.Discard()})
	if err != nil {
		s.Close()
		return nil, err
	}
	front, err := consoleHandler(s.ConsoleDir(), consoleConfig{Stage: "local", WSURL: s.WSURL}, topology.Innkeeper.Routes, gw)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.server = loopback.NewServer(front)
	loopback.Serve(s.server, httpLn, nil)
	served = true
	s.pointPaymentsWebhooks()
	caddr := o.ControlAddr
	if caddr == "" {
		caddr = defaultControlAddr
	}
	if s.controlSrv, s.ControlURL, err = listenAndServe(caddr, s.control()); err != nil {
		s.Close()
		return nil, err
	}
	if o.Watch {
		s.background(run, s.watch)
	}
	return s, nil
}

// ConsoleDir is the console's build the stack serves (web/dist).
func (s *Stack) ConsoleDir() string { return filepath.Join(s.opts.Root, "web", "dist") }

// consoleOrigins are the configured browser origins plus the console's
// own (url, and its localhost twin), once each.
func consoleOrigins(url string, configured []string) []string {
	out := slices.Clone(configured)
	for _, o := range []string{url, strings.Replace(url, "127.0.0.1", "localhost", 1)} {
		if !slices.Contains(out, o) {
			out = append(out, o)
		}
	}
	return out
}

// listenAndServe listens on addr and serves h in the background.
func listenAndServe(addr string, h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", fmt.Errorf("devstack: listen on %s: %w", addr, err)
	}
	srv := loopback.NewServer(h)
	loopback.Serve(srv, ln, nil)
	return srv, loopback.URL(ln), nil
}

func newStack(o Options) (*Stack, error) {
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	// The devstack is local by definition: it says so to Load and to
	// every function it runs, which refuse to start without APP_ENV.
	getenv := o.Getenv
	o.Getenv = func(k string) string {
		if v := getenv(k); v != "" || k != "APP_ENV" {
			return v
		}
		return "local"
	}
	if o.BuildDir == "" {
		o.BuildDir = filepath.Join(o.Root, "dist", "devstack")
	}
	if o.Log == nil {
		o.Log = os.Stdout
	}
	if o.Clock == nil {
		o.Clock = &clock.Clock{}
	}
	cfg, err := config.Load(o.Getenv)
	if err != nil {
		return nil, err
	}
	if cfg.Env != "local" && cfg.Env != "test" {
		return nil, fmt.Errorf("APP_ENV is %q: the devstack runs only with APP_ENV=local", cfg.Env)
	}
	if err := topology.Innkeeper.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.BuildDir, 0o755); err != nil {
		return nil, err
	}
	overrides := map[string]string{}
	if dir := billDir(o.Root, cfg); dir != "" {
		overrides["CUR_DIR"] = dir
	}
	return &Stack{opts: o, cfg: cfg, getenv: o.Getenv, overrides: overrides, clock: o.Clock,
		log:      logging.New(o.Log, "warn"),
		binaries: map[string]string{}, sums: map[string][32]byte{}}, nil
}

// prepare builds the functions, starts their pools and prepares the
// database.
func (s *Stack) prepare(ctx context.Context) error {
	if len(s.opts.Binaries) == len(topology.Innkeeper.Functions) {
		for fn, bin := range s.opts.Binaries {
			s.binaries[fn] = bin
		}
	} else if _, err := s.buildAll(ctx); err != nil {
		return err
	}
	// CloudWatch Logs' part: every function's lines, filtered as the
	// cloud's subscription filter does, go to cost ingestion in the
	// subscription event format.
	sub := topology.Innkeeper.Logs
	s.logs = &logs.Collector{Subscription: sub, Interval: time.Second, MaxLines: 200,
		Deliver: func(ctx context.Context, payload []byte) error {
			res, err := s.runtime.Invoke(ctx, sub.Function, payload)
			if err == nil && res.FunctionError != "" {
				err = fmt.Errorf("%s: %s", sub.Function, res.ErrorSummary())
			}
			if err == nil {
				s.deliveredMu.Lock()
				s.delivered = append(s.delivered, payload)
				if n := len(s.delivered); n > maxDelivered {
					s.delivered = slices.Delete(s.delivered, 0, n-maxDelivered)
				}
				s.deliveredMu.Unlock()
			}
			return err
		},
		OnError: func(err error) { s.log.Warn("log delivery failed", slog.String("error", err.Error())) },
	}
	var configs []sandbox.Config
	for _, fn := range topology.Innkeeper.Functions {
		configs = append(configs, sandbox.Config{
			Function: fn, Binary: s.binaries[fn.Name], Env: s.functionEnv(fn),
			MaxConcurrency: s.opts.MaxConcurrency, Log: s.opts.Log, OnLine: s.logs.Add,
		})
	}
	s.runtime = sandbox.NewRuntime(configs...)
	return s.prepareDatabase(ctx)
}

// functionEnv is what a function gets of the devstack's settings: exactly
// the variables the manifest says it reads, when set.
func (s *Stack) functionEnv(fn topology.Function) []string {
	var env []string
	for _, name := range fn.Env {
		v, ok := s.overrides[name]
		if !ok {
			v = s.getenv(name)
		}
		if v != "" {
			env = append(env, name+"="+v)
		}
	}
	if s.opts.SearchPath != "" && strings.Contains(strings.Join(fn.Env, ","), "DATABASE_URL") {
		env = append(env, "DATABASE_URL="+withSearchPath(s.cfg.DatabaseURL, s.opts.SearchPath))
	}
	return env
}

// withSearchPath adds a search_path to a database URL (pgx reads it as a
// run-time parameter).
func withSearchPath(url, schema string) string {
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "search_path=" + schema
}

// buildAll builds every function into a fresh folder and returns the
// names whose binary changed.
func (s *Stack) buildAll(ctx context.Context) ([]string, error) {
	s.mu.Lock()
	s.build++
	n := s.build
	s.mu.Unlock()
	var changed []string
	for _, fn := range topology.Innkeeper.Functions {
		// A new path per build: a running binary cannot be overwritten.
		out := filepath.Join(s.opts.BuildDir, fn.Name, fmt.Sprintf("build-%d", n), "bootstrap")
		bin, err := sandbox.Build(ctx, s.opts.Root, "./"+fn.Handler(), out, "-X innkeeper/shared/config.Version=devstack")
		if err != nil {
			return nil, err
		}
		raw, err := os.ReadFile(bin)
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(raw)
		s.mu.Lock()
		if s.sums[fn.Name] != sum {
			old := s.binaries[fn.Name]
			s.sums[fn.Name], s.binaries[fn.Name] = sum, bin
			changed = append(changed, fn.Name)
			if old != "" {
				// Processes of the old binary keep running from the
				// unlinked file until they are drained.
				_ = os.RemoveAll(filepath.Dir(old))
			}
		} else {
			_ = os.RemoveAll(filepath.Dir(bin))
		}
		s.mu.Unlock()
	}
	return changed, nil
}

// prepareDatabase creates the database if missing, runs the migrations
// through the migrate function, and loads the demo data (the catalogue
// file local/demo ships, through shared/demo) unless the stack is Empty.
func (s *Stack) prepareDatabase(ctx context.Context) error {
	if _, err := store.EnsureDatabase(ctx, s.cfg.DatabaseURL); err != nil {
		return fmt.Errorf("database: %w (is PostgreSQL running? make services)", err)
	}
	res, err := s.runtime.Invoke(ctx, "migrate", []byte(`{"source":"innkeeper.devstack","detail-type":"Apply migrations"}`))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if res.FunctionError != "" {
		return fmt.Errorf("migrate failed: %s", res.Payload)
	}
	if s.opts.Empty {
		return nil
	}
	st, err := bootstrap.Store(ctx, s.cfg, s.opts.SearchPath)
	if err != nil {
		return err
	}
	defer st.Close()
	s.AdminKey = s.cfg.DevAdminKey
	if s.AdminKey == "" {
		s.AdminKey, _ = auth.NewAPIKey(auth.RoleAdmin)
	}
	if _, err := demo.Seed(ctx, booking.NewService(st, s.clock.Now), st, demo.Options{Days: s.opts.DemoDays, AdminKey: s.AdminKey}); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	return nil
}

// Runtime is the functions' pools.
func (s *Stack) Runtime() *sandbox.Runtime { return s.runtime }

// FlushLogs delivers the log lines collected so far to cost ingestion
// now, instead of at the next tick.
func (s *Stack) FlushLogs(ctx context.Context) error { return s.logs.Flush(ctx) }

// Close stops serving, the background work, Mailpit and every function
// process.
func (s *Stack) Close() {
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, srv := range []*http.Server{s.server, s.controlSrv} {
		if srv != nil {
			_ = srv.Shutdown(shutdown)
		}
	}
	if s.ws != nil {
		s.ws.Close()
	}
	if s.cancel != nil {
		s.cancel()
	}
	s.wg.Wait()
	if s.runtime != nil {
		s.runtime.Close()
	}
	if s.sqs != nil {
		s.sqs.Close()
	}
	if s.payments != nil {
		s.payments.Close()
	}
	if s.mailpit != nil && s.mailpit.Process != nil {
		_ = s.mailpit.Process.Kill()
		_, _ = s.mailpit.Process.Wait()
	}
}

// Rebuild builds again and swaps in the functions whose binary changed;
// warm processes of the old binaries are drained, not cut.
func (s *Stack) Rebuild(ctx context.Context) ([]string, error) {
	changed, err := s.buildAll(ctx)
	if err != nil {
		return nil, err
	}
	for _, name := range changed {
		if p, ok := s.runtime.Pool(name); ok {
			s.mu.Lock()
			bin := s.binaries[name]
			s.mu.Unlock()
			p.Replace(bin)
		}
	}
	return changed, nil
}

var errNotRoot = errors.New("devstack: run from the repository root (where go.mod is)")

// findRoot checks dir is the repository root.
func findRoot(dir string) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return "", errNotRoot
	}
	if _, err := os.Stat(filepath.Join(dir, "functions")); err != nil {
		return "", errNotRoot
	}
	return filepath.Abs(dir)
}
