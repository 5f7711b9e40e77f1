// Package topology is the one manifest of what Innkeeper deploys: every
// function with its memory, timeout, architecture and the settings it
// needs; every HTTP and WebSocket route with the function that serves
// it; the queues with their visibility timeouts, receive counts and
// dead-letter queues; the EventBridge schedules with the job each names;
// and the log subscription that feeds the cost ingestion.
//
// Nothing else lists these: the HTTP API registers its handlers for the
// routes here, the devstack runs the functions and routes here, and the
// CDK app deploys them. Tests fail when the code and the manifest drift
// apart, so parity is by construction.
package topology

import (
	"fmt"
	"strings"
	"time"
)

// Function is one Lambda function.
type Function struct {
	// Name is the function's short name; its code is functions/<Name>.
	Name        string
	Description string
	MemoryMB    int
	Timeout     time.Duration
	// Arch is the deployed architecture: arm64 (Graviton).
	Arch string
	// Env names the configuration variables (see .env.example) the
	// function reads; the devstack passes exactly these, the CDK app sets
	// or wires exactly these.
	Env []string
	// ReservedConcurrency caps concurrent executions; 0 means unreserved.
	ReservedConcurrency int
}

// Handler is the folder of the function's main package.
func (f Function) Handler() string { return "functions/" + f.Name }

// Auth is who may call a route.
type Auth string

// Route authorisation: anyone, a staff API key, or a key that may read
// the finance reports (finance or admin); the API checks the key.
const (
	Public  Auth = "public"
	Staff   Auth = "staff"
	Finance Auth = "finance"
	// Token routes check a bearer token of their own (METRICS_TOKEN).
	Token Auth = "token"
)

// Route is one HTTP API route, in API Gateway's route key form.
type Route struct {
	Method   string // GET, POST, PUT, … or ANY
	Path     string // /v1/hotels/{slug}; $default for the catch-all route
	Function string
	Auth     Auth
}

// Key is the route key, e.g. "GET /v1/hotels/{slug}" or "$default".
func (r Route) Key() string {
	if r.Path == DefaultRoute {
		return DefaultRoute
	}
	return r.Method + " " + r.Path
}

// StripeWebhook is the path of the route that takes Stripe's webhook
// events (POST, public: the Stripe-Signature header is its
// authentication). The edge lets its bodies be larger than other
// requests', and its deliveries are not throttled as booking writes.
const StripeWebhook = "/v1/webhooks/stripe"

// Webhook reports whether the route takes a payment provider's events
// rather than a guest's or a staff member's requests.
func (r Route) Webhook() bool { return strings.HasPrefix(r.Path, "/v1/webhooks/") }

// DefaultRoute is API Gateway's catch-all route key: requests no other
// route matches go to its function, so unknown paths still get the API's
// own 404 problem and security headers.
const DefaultRoute = "$default"

// Queue is an SQS queue with its dead-letter queue and the function its
// event source mapping feeds.
type Queue struct {
	// Name is the queue's short name; its dead-letter queue is Name-dlq.
	Name     string
	Consumer string
	// VisibilityTimeout must be at least 6 × the consumer's timeout, as
	// AWS advises for an event source mapping.
	VisibilityTimeout time.Duration
	// Retention of messages in the queue, and of the dead letters.
	Retention    time.Duration
	DLQRetention time.Duration
	// MaxReceiveCount receives before a message moves to the DLQ.
	MaxReceiveCount int
	// BatchSize messages at most per invocation; MaxBatchingWindow to
	// gather them.
	BatchSize         int
	MaxBatchingWindow time.Duration
	// ReportBatchItemFailures: the consumer answers with the ids of the
	// messages that failed, and only those come back.
	ReportBatchItemFailures bool
}

// DLQ is the dead-letter queue's name.
func (q Queue) DLQ() string { return q.Name + "-dlq" }

// Schedule is an EventBridge rule that invokes a function on a schedule.
type Schedule struct {
	Name        string
	Description string
	// Expression in EventBridge syntax: rate(1 minute), cron(0 6 * * ? *).
	Expression string
	Function   string
	// Detail becomes the scheduled event's detail, so one function can
	// serve several rules: the event keeps the real scheduled-event shape
	// (time, id, resources), with this as its detail.
	Detail map[string]string
	// MaxGap is how long after its last success the job counts as late
	// on /health.
	MaxGap time.Duration
}

// WebSocketAPI is the API Gateway WebSocket API: its route selection
// and routes, each served by a function.
type WebSocketAPI struct {
	// RouteSelection picks a message's route, e.g. $request.body.action.
	RouteSelection string
	// Stage is the deployed stage's name; management calls go to
	// …/<Stage>/@connections/{id}.
	Stage  string
	Routes []WebSocketRoute
}

// WebSocketRoute is one route: $connect, $disconnect, $default, or a
// value of the route selection expression.
type WebSocketRoute struct {
	Key      string
	Function string
	// Reply makes the route two-way: it has a route response, so the
	// body of the function's answer goes back to the sender as a frame.
	// A reply needs no call to @connections, hence no egress from the
	// VPC; pushes to other connections still do.
	Reply bool
}

// LogSubscription feeds every other function's log lines that match
// Filter to one function, as CloudWatch Logs subscription deliveries:
// in the cloud a subscription filter on each log group, in the devstack
// its log collector.
type LogSubscription struct {
	Function string
	// Filter is a CloudWatch Logs filter pattern of OR-ed quoted terms,
	// `?"a" ?"b"`: a line matches when it contains any of the terms.
	Filter string
}

// Terms are the filter's quoted terms.
func (l LogSubscription) Terms() []string {
	var terms []string
	for _, part := range strings.Split(l.Filter, "?") {
		if t := strings.Trim(strings.TrimSpace(part), `"`); t != "" {
			terms = append(terms, t)
		}
	}
	return terms
}

// Matches reports whether a log line passes the filter.
func (l LogSubscription) Matches(line string) bool {
	for _, t := range l.Terms() {
		if strings.Contains(line, t) {
			return true
		}
	}
	return false
}

// Manifest is the whole deployment.
type Manifest struct {
	Functions []Function
	Routes    []Route
	Queues    []Queue
	Schedules []Schedule
	WebSocket WebSocketAPI
	// Logs is the cost ingestion's subscription to the functions' logs.
	Logs LogSubscription
}

// arm64 is where every function runs in the cloud.
const arm64 = "arm64"

// The settings each function reads, written out in full rather than
// joined from shared parts: a manifest of literals is static data, while
// one built by function calls is built at every start of every function
// (0.14 ms of each cold start). Each list starts with the settings every
// function reads (APP_ENV, APP_VERSION, LOG_LEVEL) and those of the
// database (DATABASE_URL, DB_*, DATABASE_AUTH); TestEnvListsShareTheirCommonParts holds
// them to that.
var (
	apiEnv = []string{
		"APP_ENV", "APP_VERSION", "LOG_LEVEL", "DATABASE_URL", "DB_MAX_CONNS",
		"DB_CONNECT_TIMEOUT", "DB_STATEMENT_TIMEOUT", "DB_QUERY_TIMEOUT", "DATABASE_AUTH", "EVENTS_QUEUE_URL", "EVENTS_DLQ_URL", "AWS_ENDPOINT_URL_SQS",
		"REDIS_URL", "REDIS_KEY_PREFIX", "REDIS_TIMEOUT", "RATE_LIMITS", "CORS_ALLOWED_ORIGINS",
		"REQUEST_TIMEOUT", "APP_URL", "APP_KEY", "APP_KEY_NEXT", "ORIGIN_SECRET",
		"ORIGIN_SECRET_PREVIOUS", "METRICS_TOKEN", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET",
		"STRIPE_API_BASE", "STRIPE_SECRET_ARN",
	}
	workerEnv = []string{
		"APP_ENV", "APP_VERSION", "LOG_LEVEL", "DATABASE_URL", "DB_MAX_CONNS",
		"DB_CONNECT_TIMEOUT", "DB_STATEMENT_TIMEOUT", "DB_QUERY_TIMEOUT", "DATABASE_AUTH", "APP_URL", "APP_KEY", "MAIL_DRIVER",
		"SMTP_ADDR", "MAIL_FROM", "MAIL_STAFF_TO", "REDIS_URL", "REDIS_KEY_PREFIX",
		"REDIS_TIMEOUT", "WS_MANAGEMENT_ENDPOINT", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET",
		"STRIPE_API_BASE", "STRIPE_SECRET_ARN",
	}
	schedulerEnv = []string{
		"APP_ENV", "APP_VERSION", "LOG_LEVEL", "DATABASE_URL", "DB_MAX_CONNS",
		"DB_CONNECT_TIMEOUT", "DB_STATEMENT_TIMEOUT", "DB_QUERY_TIMEOUT", "DATABASE_AUTH", "EVENTS_QUEUE_URL", "EVENTS_DLQ_URL", "AWS_ENDPOINT_URL_SQS",
		"COST_REGION", "COST_STAGE", "CUR_S3_URI", "CUR_DIR",
	}
	wsEnv = []string{
		"APP_ENV", "APP_VERSION", "LOG_LEVEL", "DATABASE_URL", "DB_MAX_CONNS",
		"DB_CONNECT_TIMEOUT", "DB_STATEMENT_TIMEOUT", "DB_QUERY_TIMEOUT", "DATABASE_AUTH", "REDIS_URL", "REDIS_KEY_PREFIX", "REDIS_TIMEOUT",
		"CORS_ALLOWED_ORIGINS", "WS_MANAGEMENT_ENDPOINT", "APP_KEY", "APP_KEY_NEXT",
		"WS_MAX_CONNECTIONS_PER_ADDRESS", "WS_MAX_SUBSCRIPTIONS_PER_CONNECTION",
	}
	costEnv = []string{
		"APP_ENV", "APP_VERSION", "LOG_LEVEL", "DATABASE_URL", "DB_MAX_CONNS",
		"DB_CONNECT_TIMEOUT", "DB_STATEMENT_TIMEOUT", "DB_QUERY_TIMEOUT", "DATABASE_AUTH", "COST_REGION", "COST_PRICE_OVERRIDES",
	}
	metricsEnv = []string{
		"APP_ENV", "APP_VERSION", "LOG_LEVEL", "DATABASE_URL", "DB_MAX_CONNS",
		"DB_CONNECT_TIMEOUT", "DB_STATEMENT_TIMEOUT", "DB_QUERY_TIMEOUT", "DATABASE_AUTH", "REDIS_URL", "REDIS_KEY_PREFIX", "REDIS_TIMEOUT",
		"EVENTS_QUEUE_URL", "EVENTS_DLQ_URL", "AWS_ENDPOINT_URL_SQS", "METRICS_TOKEN",
	}
)

// Innkeeper is the manifest.
var Innkeeper = Manifest{
	Functions: []Function{
		{
			Name: "api", Description: "The HTTP API: public booking, staff endpoints and health",
			MemoryMB: 512, Timeout: 15 * time.Second, Arch: arm64, Env: apiEnv,
		},
		{
			Name: "migrate", Description: "Applies the schema migrations after each deployment",
			MemoryMB: 256, Timeout: 5 * time.Minute, Arch: arm64, ReservedConcurrency: 1,
			Env: []string{"APP_ENV", "APP_VERSION", "LOG_LEVEL", "DATABASE_URL", "DB_CONNECT_TIMEOUT", "DATABASE_AUTH"},
		},
		{
			Name: "worker", Description: "Consumes the events queue: guest and staff emails",
			MemoryMB: 256, Timeout: 30 * time.Second, Arch: arm64, Env: workerEnv,
		},
		{
			Name: "scheduler", Description: "Scheduled jobs: expire holds, sweep the outbox, reminders, clean-up, fixed-cost accrual",
			MemoryMB: 256, Timeout: time.Minute, Arch: arm64, ReservedConcurrency: 2, Env: schedulerEnv,
		},
		{
			Name: "ws", Description: "The WebSocket API: connect, subscribe, unsubscribe, ping, disconnect",
			MemoryMB: 256, Timeout: 10 * time.Second, Arch: arm64, Env: wsEnv,
		},
		{
			Name: "costingest", Description: "Prices every invocation from the functions' REPORT and attribution lines into the cost ledger",
			MemoryMB: 256, Timeout: time.Minute, Arch: arm64, ReservedConcurrency: 5, Env: costEnv,
		},
		{
			// DATABASE_URL is the live instance's (not the proxy's): the
			// restored instance shares its domain (shared/restorecheck).
			Name: "restorecheck", Description: "Validates AWS Backup's weekly restore test of the database and reports its recovery time",
			MemoryMB: 256, Timeout: 2 * time.Minute, Arch: arm64, ReservedConcurrency: 1,
			Env: []string{"APP_ENV", "APP_VERSION", "LOG_LEVEL", "DATABASE_URL", "DB_MAX_CONNS", "DB_CONNECT_TIMEOUT", "DB_STATEMENT_TIMEOUT", "DB_QUERY_TIMEOUT", "DATABASE_AUTH"},
		},
		{
			Name: "metrics", Description: "GET /metrics: request counters, bookings and queue figures in Prometheus text format",
			MemoryMB: 256, Timeout: 10 * time.Second, Arch: arm64, ReservedConcurrency: 2, Env: metricsEnv,
		},
	},
	// The REPORT line of every invocation and each function's own
	// attribution line (shared/meter, msg "invocation"); the ingestion
	// ignores any other line that happens to contain the word.
	Logs: LogSubscription{Function: "costingest", Filter: `?"REPORT RequestId" ?"invocation"`},
	WebSocket: WebSocketAPI{
		RouteSelection: "$request.body.action",
		Stage:          "live",
		Routes: []WebSocketRoute{
			{Key: "$connect", Function: "ws"}, {Key: "$disconnect", Function: "ws"},
			// The function answers every frame it is sent (subscribed,
			// pong, an error frame) through the route's response.
			{Key: "$default", Function: "ws", Reply: true},
			{Key: "subscribe", Function: "ws", Reply: true},
			{Key: "unsubscribe", Function: "ws", Reply: true},
		},
	},
	Queues: []Queue{
		{
			Name: "events", Consumer: "worker",
			VisibilityTimeout: 3 * time.Minute, Retention: 4 * 24 * time.Hour, DLQRetention: 14 * 24 * time.Hour,
			MaxReceiveCount: 5, BatchSize: 10, ReportBatchItemFailures: true,
		},
	},
	Schedules: []Schedule{
		{Name: "expire-holds", Description: "Expire holds past their time and give their nights back",
			Expression: "rate(1 minute)", Function: "scheduler", Detail: map[string]string{"job": "expire-holds"}, MaxGap: 5 * time.Minute},
		{Name: "outbox-sweep", Description: "Publish events their command could not",
			Expression: "rate(1 minute)", Function: "scheduler", Detail: map[string]string{"job": "outbox-sweep"}, MaxGap: 5 * time.Minute},
		{Name: "arrival-reminders", Description: "Remind guests arriving in two days",
			Expression: "cron(0 8 * * ? *)", Function: "scheduler", Detail: map[string]string{"job": "arrival-reminders"}, MaxGap: 25 * time.Hour},
		{Name: "cleanup", Description: "Purge expired idempotency receipts, old published events and audit rows past a year",
			Expression: "cron(30 3 * * ? *)", Function: "scheduler", Detail: map[string]string{"job": "cleanup"}, MaxGap: 25 * time.Hour},
		{Name: "reconcile-bill", Description: "Read the stage's AWS bill (CUR 2.0 export) beside the cost ledger",
			Expression: "cron(15 6 * * ? *)", Function: "scheduler", Detail: map[string]string{"job": "reconcile-bill"}, MaxGap: 25 * time.Hour},
		{Name: "accrue-fixed-costs", Description: "Write yesterday's fixed costs (and any missed day) into the cost ledger",
			Expression: "cron(15 0 * * ? *)", Function: "scheduler", Detail: map[string]string{"job": "accrue-fixed-costs"}, MaxGap: 25 * time.Hour},
		{Name: "night-audit", Description: "Close each hotel's business day after its cutoff: mark no-shows, keep the day's report",
			Expression: "cron(5 * * * ? *)", Function: "scheduler", Detail: map[string]string{"job": "night-audit"}, MaxGap: 2 * time.Hour},
	},
	Routes: []Route{
		{"GET", "/livez", "api", Public},
		{"GET", "/readyz", "api", Public},
		{"GET", "/health", "api", Public},
		{"GET", "/metrics", "metrics", Token},
		{"GET", "/v1/openapi.json", "api", Public},

		{"GET", "/v1/hotels", "api", Public},
		{"GET", "/v1/hotels/{slug}", "api", Public},
		{"GET", "/v1/hotels/{slug}/availability", "api", Public},
		{"GET", "/v1/availability", "api", Public},
		{"POST", "/v1/reservations", "api", Public},
		{"GET", "/v1/reservations/{reference}", "api", Public},
		{"GET", "/v1/reservations/{reference}/cancellation-quote", "api", Public},
		{"GET", "/v1/reservations/{reference}/manage", "api", Public},
		{"GET", "/v1/reservations/{reference}/invoice", "api", Public},
		{"POST", "/v1/reservations/{reference}/confirm", "api", Public},
		{"POST", "/v1/reservations/{reference}/cancel", "api", Public},
		{"POST", "/v1/reservations/{reference}/modification-quote", "api", Public},
		{"POST", "/v1/reservations/{reference}/modify", "api", Public},
		{"POST", "/v1/reservations/lookup", "api", Public},
		{"POST", "/v1/reservations/{reference}/manage/cancel", "api", Public},
		{"GET", "/v1/bookings/{reference}", "api", Public},
		{"POST", "/v1/bookings/{reference}/cancel", "api", Public},
		// Stripe's events: the Stripe-Signature is the credential.
		{"POST", StripeWebhook, "api", Public},

		{"POST", "/v1/admin/hotels", "api", Staff},
		{"POST", "/v1/admin/hotels/{slug}/room-types", "api", Staff},
		{"POST", "/v1/admin/hotels/{slug}/rate-plans", "api", Staff},
		{"PATCH", "/v1/admin/hotels/{slug}", "api", Staff},
		{"POST", "/v1/admin/hotels/{slug}/archive", "api", Staff},
		{"POST", "/v1/admin/hotels/{slug}/unarchive", "api", Staff},
		{"PATCH", "/v1/admin/hotels/{slug}/room-types/{code}", "api", Staff},
		{"POST", "/v1/admin/hotels/{slug}/room-types/{code}/archive", "api", Staff},
		{"POST", "/v1/admin/hotels/{slug}/room-types/{code}/unarchive", "api", Staff},
		{"PATCH", "/v1/admin/hotels/{slug}/rate-plans/{code}", "api", Staff},
		{"POST", "/v1/admin/hotels/{slug}/rate-plans/{code}/archive", "api", Staff},
		{"POST", "/v1/admin/hotels/{slug}/rate-plans/{code}/unarchive", "api", Staff},
		{"PUT", "/v1/admin/hotels/{slug}/age-bands", "api", Staff},
		{"PUT", "/v1/admin/hotels/{slug}/inventory", "api", Staff},
		{"PUT", "/v1/admin/hotels/{slug}/rates", "api", Staff},
		{"PUT", "/v1/admin/hotels/{slug}/restrictions", "api", Staff},
		{"GET", "/v1/admin/hotels/{slug}/restrictions", "api", Staff},
		{"PUT", "/v1/admin/hotels/{slug}/taxes", "api", Staff},
		{"GET", "/v1/admin/hotels/{slug}/taxes", "api", Staff},
		{"GET", "/v1/admin/hotels/{slug}/reservations", "api", Staff},
		{"GET", "/v1/admin/hotels/{slug}/night-audits", "api", Staff},
		{"GET", "/v1/admin/reservations/{reference}", "api", Staff},
		{"GET", "/v1/admin/invoices/{number}", "api", Staff},
		{"GET", "/v1/admin/audit", "api", Staff},
		{"POST", "/v1/admin/api-keys", "api", Staff},
		{"GET", "/v1/admin/api-keys", "api", Staff},
		{"DELETE", "/v1/admin/api-keys/{id}", "api", Staff},
		{"POST", "/v1/ws-tickets", "api", Staff},
		{"GET", "/v1/me", "api", Staff},
		{"POST", "/v1/admin/queues/events/redrive", "api", Staff},
		{"POST", "/v1/admin/reservations/{reference}/cancel", "api", Staff},
		{"POST", "/v1/admin/reservations/{reference}/check-in", "api", Staff},
		{"POST", "/v1/admin/reservations/{reference}/check-out", "api", Staff},
		{"POST", "/v1/admin/reservations/{reference}/no-show", "api", Staff},
		{"POST", "/v1/admin/reservations/{reference}/modify", "api", Staff},

		{"GET", "/v1/finance/costs", "api", Finance},
		{"GET", "/v1/finance/unit-economics", "api", Finance},
		{"GET", "/v1/finance/reservations/{reference}/cost", "api", Finance},
		{"GET", "/v1/finance/forecast", "api", Finance},
		{"GET", "/v1/finance/revenue", "api", Finance},
		{"GET", "/v1/finance/memory", "api", Finance},
		{"GET", "/v1/finance/reconciliation", "api", Finance},

		{"ANY", DefaultRoute, "api", Public},
	},
}

// Function finds a function by name.
func (m Manifest) Function(name string) (Function, bool) {
	for _, f := range m.Functions {
		if f.Name == name {
			return f, true
		}
	}
	return Function{}, false
}

// RoutesOf lists the routes a function serves, the catch-all excluded.
func (m Manifest) RoutesOf(function string) []Route {
	var out []Route
	for _, r := range m.Routes {
		if r.Function == function && r.Path != DefaultRoute {
			out = append(out, r)
		}
	}
	return out
}

// Validate checks the manifest is self-consistent: names unique, limits
// within Lambda's, every route served by a function that exists.
func (m Manifest) Validate() error {
	var problems []string
	seen := map[string]bool{}
	for _, f := range m.Functions {
		switch {
		case seen[f.Name]:
			problems = append(problems, "function "+f.Name+" twice")
		case f.MemoryMB < 128 || f.MemoryMB > 10240:
			problems = append(problems, fmt.Sprintf("function %s: memory %d MB outside 128–10240", f.Name, f.MemoryMB))
		case f.Timeout < time.Second || f.Timeout > 15*time.Minute:
			problems = append(problems, fmt.Sprintf("function %s: timeout %v outside 1s–15m", f.Name, f.Timeout))
		case f.Arch != "arm64" && f.Arch != "x86_64":
			problems = append(problems, fmt.Sprintf("function %s: architecture %q", f.Name, f.Arch))
		}
		seen[f.Name] = true
	}
	keys := map[string]bool{}
	for _, r := range m.Routes {
		if _, ok := m.Function(r.Function); !ok {
			problems = append(problems, "route "+r.Key()+": no function "+r.Function)
		}
		if keys[r.Key()] {
			problems = append(problems, "route "+r.Key()+" twice")
		}
		keys[r.Key()] = true
		if r.Path != DefaultRoute && !strings.HasPrefix(r.Path, "/") {
			problems = append(problems, "route "+r.Key()+": path must start with /")
		}
		if r.Auth != Public && r.Auth != Staff && r.Auth != Finance && r.Auth != Token {
			problems = append(problems, "route "+r.Key()+": auth "+string(r.Auth))
		}
	}
	for _, q := range m.Queues {
		f, ok := m.Function(q.Consumer)
		switch {
		case !ok:
			problems = append(problems, "queue "+q.Name+": no consumer "+q.Consumer)
		case q.VisibilityTimeout < 6*f.Timeout:
			problems = append(problems, fmt.Sprintf("queue %s: visibility timeout %v under 6 × %s's timeout %v", q.Name, q.VisibilityTimeout, f.Name, f.Timeout))
		}
		if q.MaxReceiveCount < 1 || q.BatchSize < 1 || q.BatchSize > 10000 {
			problems = append(problems, "queue "+q.Name+": max receive count and batch size must be positive")
		}
		if q.DLQRetention < q.Retention {
			problems = append(problems, "queue "+q.Name+": dead letters must be kept at least as long as messages")
		}
	}
	for _, r := range m.WebSocket.Routes {
		if _, ok := m.Function(r.Function); !ok {
			problems = append(problems, "websocket route "+r.Key+": no function "+r.Function)
		}
		if r.Reply && (r.Key == "$connect" || r.Key == "$disconnect") {
			// API Gateway sends no frame back for either.
			problems = append(problems, "websocket route "+r.Key+": cannot reply")
		}
	}
	if m.Logs.Function != "" {
		if _, ok := m.Function(m.Logs.Function); !ok {
			problems = append(problems, "log subscription: no function "+m.Logs.Function)
		}
		if len(m.Logs.Terms()) == 0 {
			problems = append(problems, "log subscription: empty filter")
		}
	}
	for _, sc := range m.Schedules {
		if _, ok := m.Function(sc.Function); !ok {
			problems = append(problems, "schedule "+sc.Name+": no function "+sc.Function)
		}
		if !strings.HasPrefix(sc.Expression, "rate(") && !strings.HasPrefix(sc.Expression, "cron(") {
			problems = append(problems, "schedule "+sc.Name+": expression must be rate(…) or cron(…)")
		}
		if sc.MaxGap <= 0 {
			problems = append(problems, "schedule "+sc.Name+": no MaxGap")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("topology: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Schedule finds a schedule by name.
func (m Manifest) Schedule(name string) (Schedule, bool) {
	for _, s := range m.Schedules {
		if s.Name == name {
			return s, true
		}
	}
	return Schedule{}, false
}
