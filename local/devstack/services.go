package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"innkeeper/local/sandbox"
	"innkeeper/local/schedule"
	"innkeeper/local/sqs"
	"innkeeper/local/stripeemu"
	"innkeeper/local/wsgateway"
	"innkeeper/shared/redisclient"
	"innkeeper/shared/topology"
)

// Default local addresses of what the devstack runs beside the API.
const (
	defaultWSAddr      = "127.0.0.1:3001"
	defaultSQSAddr     = "127.0.0.1:9324"
	defaultMailpitAddr = "127.0.0.1:8025"
	defaultControlAddr = "127.0.0.1:3009"
	// The Stripe emulator; 4242, as the test card everyone knows.
	defaultPaymentsAddr = "127.0.0.1:4242"
)

// The Stripe test-mode secrets of the devstack: the emulator accepts only
// this key and signs its webhooks with this secret, and the functions are
// given both, whatever .env says, as they are given the queues' URLs. They
// are public and work nowhere else.
const (
	devStripeSecretKey     = "sk_test_innkeeper_local_0123456789"
	devStripeWebhookSecret = "whsec_innkeeper_local_0123456789"
)

// webhookPath is where the API takes Stripe's events.
const webhookPath = "/v1/webhooks/stripe"

// startPayments runs the Stripe emulator and points the functions at it
// (STRIPE_API_BASE), with the key it accepts and the secret it signs
// with. Its webhooks go to the API once the API listens
// (pointPaymentsWebhooks).
func (s *Stack) startPayments() error {
	s.payments = stripeemu.New(stripeemu.Options{APIKey: devStripeSecretKey, WebhookSecret: devStripeWebhookSecret,
		Inspect: s.opts.InspectPayments,
		Clock:   s.clock, Logger: s.log})
	addr := s.opts.PaymentsAddr
	if addr == "" {
		addr = defaultPaymentsAddr
	}
	base, err := s.payments.Start(addr)
	if err != nil {
		return fmt.Errorf("devstack: stripe emulator on %s: %w", addr, err)
	}
	s.PaymentsURL = base
	s.overrides["STRIPE_API_BASE"] = base
	s.overrides["STRIPE_SECRET_KEY"] = devStripeSecretKey
	s.overrides["STRIPE_WEBHOOK_SECRET"] = devStripeWebhookSecret
	return nil
}

// pointPaymentsWebhooks sends the emulator's events to the API's webhook
// route; until the API has that route, they are answered 404, retried and
// listed at the emulator's /_emulator/events.
func (s *Stack) pointPaymentsWebhooks() {
	if s.payments != nil {
		s.payments.SetWebhookURL(s.URL + webhookPath)
	}
}

// startQueues runs the SQS emulator with the manifest's queues and points
// the functions at it.
func (s *Stack) startQueues() error {
	s.sqs = sqs.New(sqs.Options{Clock: s.clock, Logger: s.log})
	addr := s.opts.SQSAddr
	if addr == "" {
		addr = defaultSQSAddr
	}
	base, err := s.sqs.Start(addr)
	if err != nil {
		return fmt.Errorf("devstack: sqs on %s: %w", addr, err)
	}
	s.SQSURL = base
	s.overrides["AWS_ENDPOINT_URL_SQS"] = base
	if s.opts.SQSEndpoint != "" {
		s.overrides["AWS_ENDPOINT_URL_SQS"] = s.opts.SQSEndpoint
	}
	for _, q := range topology.Innkeeper.Queues {
		url, err := s.sqs.Ensure(q)
		if err != nil {
			return err
		}
		if q.Name == "events" {
			s.overrides["EVENTS_QUEUE_URL"] = url
			s.overrides["EVENTS_DLQ_URL"] = strings.TrimSuffix(url, q.Name) + q.DLQ()
		}
	}
	return nil
}

// runtimeInvoker invokes through the stack's runtime, which exists only
// once the functions are built: the WebSocket gateway must listen (so the
// functions learn its management endpoint) before that.
type runtimeInvoker struct{ s *Stack }

func (r runtimeInvoker) Invoke(ctx context.Context, function string, payload []byte) (sandbox.Result, error) {
	if r.s.runtime == nil {
		return sandbox.Result{}, fmt.Errorf("devstack: functions not running yet")
	}
	return r.s.runtime.Invoke(ctx, function, payload)
}

// startWebSockets runs the WebSocket API gateway and points the functions
// at its @connections endpoint.
func (s *Stack) startWebSockets() error {
	g, err := wsgateway.New(topology.Innkeeper.WebSocket, runtimeInvoker{s}, wsgateway.Options{Logger: s.log})
	if err != nil {
		return err
	}
	addr := s.opts.WSAddr
	if addr == "" {
		addr = defaultWSAddr
	}
	base, err := g.Start(addr)
	if err != nil {
		return fmt.Errorf("devstack: websockets on %s: %w", addr, err)
	}
	s.ws = g
	s.WSURL = "ws" + strings.TrimPrefix(base, "http")
	if s.opts.WSManagementAddr != "" {
		base = "http://" + s.opts.WSManagementAddr
	}
	s.overrides["WS_MANAGEMENT_ENDPOINT"] = g.ManagementEndpoint(base)
	return nil
}

// startPollers runs an event source mapping per queue.
func (s *Stack) startPollers(ctx context.Context) {
	for _, q := range topology.Innkeeper.Queues {
		p := sqs.NewPoller(s.sqs, q, s.runtime, sqs.PollerOptions{Logger: s.log})
		s.background(ctx, func(ctx context.Context) { p.Run(ctx) })
	}
}

// startSchedules prepares the manifest's schedules on the stack's clock,
// and fires them on time when run is set (otherwise only on demand).
func (s *Stack) startSchedules(ctx context.Context, run bool) error {
	sch, err := schedule.New(topology.Innkeeper.Schedules, s.runtime, schedule.Options{Clock: s.clock, Logger: s.log})
	if err != nil {
		return err
	}
	s.scheduler = sch
	if run {
		s.background(ctx, func(ctx context.Context) { _ = sch.Run(ctx) })
	}
	return nil
}

// startMailpit runs Mailpit for the functions' mail, when it is installed
// (make tools) and no SMTP server was given.
func (s *Stack) startMailpit() error {
	if s.opts.SMTPAddr != "" {
		s.overrides["SMTP_ADDR"] = s.opts.SMTPAddr
		return nil
	}
	bin := filepath.Join(s.opts.Root, "dist", "tools", "mailpit")
	if _, err := os.Stat(bin); err != nil {
		fmt.Fprintf(s.opts.Log, "devstack| Mailpit is not installed (make tools installs it); mail will fail until an SMTP server listens on %s\n", s.cfg.SMTPAddr)
		return nil
	}
	s.mailpit = exec.Command(bin, "--listen", defaultMailpitAddr, "--smtp", s.cfg.SMTPAddr,
		"--disable-version-check", "--quiet", "--database", filepath.Join(s.opts.BuildDir, "mailpit.db"))
	if err := s.mailpit.Start(); err != nil {
		return fmt.Errorf("devstack: start mailpit: %w", err)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if c, err := net.Dial("tcp", s.cfg.SMTPAddr); err == nil {
			c.Close()
			s.MailURL = "http://" + defaultMailpitAddr
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("devstack: mailpit did not listen on %s", s.cfg.SMTPAddr)
		}
	}
}

// background runs fn until the stack closes.
func (s *Stack) background(ctx context.Context, fn func(context.Context)) {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		fn(ctx)
	}()
}

// control serves the devstack's own endpoints: status, firing a schedule
// now, and moving the clock forward.
func (s *Stack) control() http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /_devstack/status", func(w http.ResponseWriter, r *http.Request) {
		reply(w, http.StatusOK, s.Status())
	})
	mux.HandleFunc("POST /_devstack/schedules/{name}/fire", func(w http.ResponseWriter, r *http.Request) {
		res, err := s.scheduler.FireNow(r.Context(), r.PathValue("name"))
		if err != nil {
			reply(w, http.StatusNotFound, map[string]string{"error": err.Error()})
			return
		}
		reply(w, http.StatusOK, map[string]any{"request_id": res.RequestID, "function_error": res.FunctionError,
			"payload": json.RawMessage(orNull(res.Payload)), "report": res.Report.String()})
	})
	mux.HandleFunc("POST /_devstack/clock/advance", func(w http.ResponseWriter, r *http.Request) {
		d, err := time.ParseDuration(r.URL.Query().Get("by"))
		if err != nil || d <= 0 {
			reply(w, http.StatusBadRequest, map[string]string{"error": "by must be a positive duration, e.g. by=16m"})
			return
		}
		s.clock.Advance(d)
		reply(w, http.StatusOK, map[string]any{"now": s.clock.Now().UTC(), "offset": s.clock.Offset().String()})
	})
	return mux
}

func orNull(b []byte) []byte {
	if json.Valid(b) {
		return b
	}
	q, _ := json.Marshal(string(b))
	return q
}

// Status is what the devstack runs, for GET /_devstack/status.
type Status struct {
	Now       time.Time                 `json:"now"`
	Offset    string                    `json:"clock_offset"`
	Functions map[string]any            `json:"functions"`
	Queues    map[string]map[string]int `json:"queues"`
	Schedules []schedule.Status         `json:"schedules"`
	URLs      map[string]string         `json:"urls"`
}

// Status reports the stack.
func (s *Stack) Status() Status {
	st := Status{Now: s.clock.Now().UTC(), Offset: s.clock.Offset().String(), Functions: map[string]any{},
		Queues: map[string]map[string]int{}, URLs: map[string]string{"api": s.URL, "websocket": s.WSURL, "sqs": s.SQSURL, "mail": s.MailURL, "control": s.ControlURL, "payments": s.PaymentsURL}}
	for _, name := range s.runtime.Functions() {
		p, _ := s.runtime.Pool(name)
		st.Functions[name] = p.Stats()
	}
	for _, q := range topology.Innkeeper.Queues {
		for _, name := range []string{q.Name, q.DLQ()} {
			v, f, d, err := s.sqs.Depth(name)
			if err == nil {
				st.Queues[name] = map[string]int{"visible": v, "in_flight": f, "delayed": d}
			}
		}
	}
	if s.scheduler != nil {
		st.Schedules = s.scheduler.Status()
	}
	return st
}

// bootstrapRedis is the stack's Redis with the functions' prefix.
func bootstrapRedis(s *Stack) (*redisclient.Client, error) { return redisclient.FromConfig(s.cfg) }
