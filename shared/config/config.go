// Package config reads Innkeeper's settings from environment variables
// (locally the devstack first loads a .env file into them), applies defaults and validates them all at
// once, so a bad setting stops a function at start with one clear message
// instead of failing a request later.
//
// Every variable is documented in .env.example at the repository root; a
// test keeps the two in step.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Version is the application version, set at build time with
// -ldflags "-X innkeeper/shared/config.Version=…".
var Version = "dev"

// Config is every setting of every function. Functions read only what
// they use, and say so with Require.
type Config struct {
	Env     string // local, test, staging or production
	Version string

	DatabaseURL        string
	DBMaxConns         int32
	DBConnectTimeout   time.Duration
	DBStatementTimeout time.Duration
	// DBQueryTimeout bounds every call to the database on the client
	// side, so a database that goes silent costs a request a 503 within
	// it rather than the whole REQUEST_TIMEOUT.
	DBQueryTimeout time.Duration
	// DatabaseAuth is how functions log in to the database: password
	// (from DATABASE_URL, the devstack and tests) or iam (a fresh IAM
	// auth token per connection, RDS Proxy in the cloud), so a rotated
	// secret never breaks a warm function.
	DatabaseAuth string

	RedisURL       string
	RedisKeyPrefix string
	RedisTimeout   time.Duration
	// RateLimits turns the API's per-client rate limits in Redis on
	// (RATE_LIMITS=on, the default) or off. APP_ENV=test defaults to
	// off: test suites send many requests from one address.
	RateLimits bool

	HTTPAddr           string
	CORSAllowedOrigins []string
	RequestTimeout     time.Duration
	LogLevel           string

	DevAdminKey string

	// AppURL is where guests manage bookings; signed links point there.
	AppURL string
	// AppKey signs guest links; AppKeyNext is accepted too, so the key can
	// be rotated: set the new key as APP_KEY_NEXT, deploy, swap the two.
	AppKey     string
	AppKeyNext string

	// EventsQueueURL and EventsDLQURL are the SQS queue of domain events
	// and its dead-letter queue; SQSEndpoint overrides the SQS endpoint
	// (the devstack's emulator, LocalStack), empty in the cloud.
	EventsQueueURL string
	EventsDLQURL   string
	SQSEndpoint    string

	// AWSEndpoint overrides every AWS service's endpoint (LocalStack sets
	// AWS_ENDPOINT_URL in its Lambda containers); a service's own
	// AWS_ENDPOINT_URL_<SERVICE> wins over it. Empty in the cloud.
	AWSEndpoint string
	// SecretsEndpoint overrides the Secrets Manager endpoint.
	SecretsEndpoint string

	// AppSecretARN, DatabaseSecretARN and RedisSecretARN name the Secrets
	// Manager secrets that hold the deployed functions' secret settings
	// and credentials. By the time Load runs, bootstrap.Config has already
	// put their values into the environment; they are here so that they
	// are documented like every other variable.
	AppSecretARN      string
	DatabaseSecretARN string
	RedisSecretARN    string

	// WSManagementEndpoint is the WebSocket API's @connections endpoint
	// (https://{api}.execute-api.{region}.amazonaws.com/{stage}); empty
	// when there is none, and pushes are skipped.
	WSManagementEndpoint string
	// WSMaxConnectionsPerAddress is how many WebSocket connections one
	// client address may hold at once; WSMaxSubscriptionsPerConnection
	// how many topics one connection may follow (shared/realtime).
	WSMaxConnectionsPerAddress      int
	WSMaxSubscriptionsPerConnection int

	// MailDriver is smtp (Mailpit locally) or ses (SES v2 in the cloud).
	MailDriver  string
	SMTPAddr    string
	MailFrom    string
	MailStaffTo string

	// CostRegion is the AWS region whose prices cost ingestion uses
	// (AWS_REGION by default); CostPriceOverrides are negotiated
	// discounts or prices in shared/pricing's override syntax.
	CostRegion         string
	CostPriceOverrides string
	// CostStage is the stage whose fixed costs the scheduler accrues
	// (shared/jobs, accrue-fixed-costs): staging or prod as deployed; by
	// default prod under APP_ENV=production, staging under staging, and
	// local otherwise (which accrues staging's inventory, labelled local).
	// It is also the stage's name as its cost-allocation tag "stage"
	// carries it (infra tags every resource app=innkeeper and
	// stage=<name>): the bill's line items of the stage are those.
	CostStage string

	// CURS3URI is the root of the stage's CUR 2.0 data export,
	// s3://bucket/prefix/export-name; CURDir a folder laid out the same
	// way (the devstack, tests). At most one is set; neither, and the
	// reconcile-bill job has no bill to read.
	CURS3URI string
	CURDir   string

	// MetricsToken is the bearer token GET /metrics requires; empty
	// turns /metrics off (404).
	MetricsToken string

	// OriginSecret is the value the CDN sends in every request it
	// forwards to the API; OriginSecretPrevious is accepted too while a
	// rotation reaches the CDN. Both empty: the API takes requests from
	// anywhere (local, and stages without a CDN). OriginSecretARN names
	// the secret that holds them, like AppSecretARN.
	OriginSecret         string
	OriginSecretPrevious string
	OriginSecretARN      string

	// StripeSecretKey is the Stripe secret key (sk_test_…/sk_live_…, or
	// a restricted rk_test_…/rk_live_… key); empty: payments off.
	// StripeWebhookSecret is the signing secret of the Stripe webhook
	// endpoint (whsec_…), required beside a key: without it webhooks
	// could not be verified. StripeAPIBase is the Stripe API's base URL:
	// empty for Stripe's own; the devstack's emulator or stripe-mock
	// locally, never in production. StripeSecretARN names the secret
	// that holds the key and the webhook secret, like AppSecretARN.
	StripeSecretKey     string
	StripeWebhookSecret string
	StripeAPIBase       string
	StripeSecretARN     string
}

// Setting is one environment variable the project reads, with what it
// is for.
type Setting struct {
	Name        string
	Description string
}

// Settings are the application's settings: every variable Load reads
// (each documented in .env.example), and those a function reads on its
// own beside Load.
var Settings = []Setting{
	{"APP_ENV", "local, test, staging or production; required outside the devstack and tests"},
	{"APP_VERSION", "the version reported by health and logs"},
	{"LOG_LEVEL", "debug, info, warn or error"},
	{"DATABASE_URL", "postgres://user@host:port/db; the password only with DATABASE_AUTH=password"},
	{"DATABASE_AUTH", "password (from DATABASE_URL) or iam (an IAM auth token per connection)"},
	{"DB_MAX_CONNS", "connections per function instance"},
	{"DB_CONNECT_TIMEOUT", "how long a new database connection may take"},
	{"DB_STATEMENT_TIMEOUT", "the server-side statement and lock timeout"},
	{"DB_QUERY_TIMEOUT", "the client-side bound on every database call"},
	{"REDIS_URL", "redis:// or rediss:// URL"},
	{"REDIS_KEY_PREFIX", "prefix of every Redis key"},
	{"REDIS_TIMEOUT", "the bound on every Redis call"},
	{"RATE_LIMITS", "on or off: the API's per-client rate limits"},
	{"HTTP_ADDR", "where the local HTTP server listens"},
	{"CORS_ALLOWED_ORIGINS", "browser origins allowed to call the API"},
	{"REQUEST_TIMEOUT", "the bound on a whole API request"},
	{"DEV_ADMIN_KEY", "an admin API key seeded locally; local and test only"},
	{"APP_URL", "where guests manage bookings; signed links point there"},
	{"APP_KEY", "the secret guest links, receipts and address names derive from"},
	{"APP_KEY_NEXT", "the next APP_KEY, accepted during a rotation"},
	{"EVENTS_QUEUE_URL", "the SQS queue of domain events"},
	{"EVENTS_DLQ_URL", "its dead-letter queue"},
	{"AWS_ENDPOINT_URL_SQS", "an SQS endpoint override (devstack, LocalStack)"},
	{"AWS_ENDPOINT_URL", "an endpoint override for every AWS service (LocalStack)"},
	{"AWS_ENDPOINT_URL_SECRETS_MANAGER", "a Secrets Manager endpoint override"},
	{"APP_SECRET_ARN", "the secret holding the application's secret settings"},
	{"DATABASE_SECRET_ARN", "the secret holding the database credentials"},
	{"REDIS_SECRET_ARN", "the secret holding the Redis credentials"},
	{"MAIL_DRIVER", "smtp or ses"},
	{"SMTP_ADDR", "the SMTP server with MAIL_DRIVER=smtp"},
	{"MAIL_FROM", "the sender of guest mail"},
	{"MAIL_STAFF_TO", "where staff notices go"},
	{"WS_MANAGEMENT_ENDPOINT", "the WebSocket API's @connections endpoint"},
	{"COST_REGION", "the region whose prices cost ingestion uses"},
	{"COST_PRICE_OVERRIDES", "negotiated prices for cost ingestion"},
	{"CUR_S3_URI", "the CUR 2.0 export's root, s3://bucket/prefix/export-name (reconcile-bill)"},
	{"CUR_DIR", "a folder laid out like the CUR 2.0 export (reconcile-bill locally)"},
	{"COST_STAGE", "the stage whose fixed costs the scheduler accrues and whose bill it reads (its tag value; default from APP_ENV)"},
	{"METRICS_TOKEN", "the bearer token of GET /metrics"},
	{"ORIGIN_SECRET", "the value the CDN sends in every request it forwards"},
	{"ORIGIN_SECRET_PREVIOUS", "the previous ORIGIN_SECRET, accepted during a rotation"},
	{"ORIGIN_SECRET_ARN", "the secret holding ORIGIN_SECRET"},
	{"STRIPE_SECRET_KEY", "the Stripe secret key (sk_test_…/sk_live_…); empty: payments off"},
	{"STRIPE_WEBHOOK_SECRET", "the signing secret of the Stripe webhook endpoint (whsec_…)"},
	{"STRIPE_API_BASE", "the Stripe API's base URL: empty for Stripe's own; the devstack's emulator or stripe-mock locally"},
	{"STRIPE_SECRET_ARN", "the secret holding STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET"},
	{"WS_MAX_CONNECTIONS_PER_ADDRESS", "WebSocket connections one client address may hold"},
	{"WS_MAX_SUBSCRIPTIONS_PER_CONNECTION", "subscriptions one WebSocket connection may hold"},
}

// Platform are the variables the project reads that are no setting of
// the application: set by AWS Lambda, the SDK, the CDK, the test
// harness or the operator of a command under local/.
var Platform = []Setting{
	{"AWS_REGION", "the function's region (Lambda)"},
	{"AWS_DEFAULT_REGION", "the region, for tools that read this name"},
	{"AWS_ACCESS_KEY_ID", "credentials (Lambda, LocalStack)"},
	{"AWS_SECRET_ACCESS_KEY", "credentials (Lambda, LocalStack)"},
	{"AWS_SESSION_TOKEN", "credentials (Lambda)"},
	{"AWS_LAMBDA_RUNTIME_API", "the Lambda runtime API address"},
	{"_X_AMZN_TRACE_ID", "the invocation's X-Ray trace header (Lambda), whose Sampled flag the cost meter reads"},
	{"CDK_DEFAULT_ACCOUNT", "the account the CDK deploys to"},
	{"CDK_DEFAULT_REGION", "the region the CDK deploys to"},
	{"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "quiets jsii's Node version banner"},
	{"TEST_DATABASE_URL", "the PostgreSQL the tests use"},
	{"TEST_REDIS_URL", "the Redis the tests use"},
	{"MAILPIT_BIN", "the Mailpit binary the tests start"},
	{"STRIPE_MOCK_BIN", "the stripe-mock binary the tests start"},
	{"COLDSTART_BASE", "the baseline a cold-start measurement compares with"},
	{"ADMIN_KEY", "an admin API key of the stage make seed loads a catalogue into (no function reads it)"},
}

// Variables lists every variable Load reads, for documentation checks.
var Variables = loaded()

func loaded() []string {
	out := make([]string, 0, len(Settings))
	for _, s := range Settings {
		out = append(out, s.Name)
	}
	return out
}

// Known reports whether the project reads the variable name.
func Known(name string) bool {
	for _, list := range [][]Setting{Settings, Platform} {
		for _, s := range list {
			if s.Name == name {
				return true
			}
		}
	}
	return false
}

// FromEnv is Load over the process environment.
func FromEnv() (Config, error) { return Load(os.Getenv) }

// Load reads and validates the settings from getenv. All problems are
// reported together.
func Load(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	var c Config
	// No default: a function whose APP_ENV went missing would otherwise
	// run as local, with the public development keys. The devstack and
	// the tests set it.
	if p.str("APP_ENV", "") == "" {
		p.fail("APP_ENV", "is required: local, test, staging or production")
	}
	c.Env = p.oneOf("APP_ENV", "", "local", "test", "staging", "production")
	c.Version = p.str("APP_VERSION", Version)
	c.LogLevel = p.oneOf("LOG_LEVEL", "info", "debug", "info", "warn", "error")
	local := c.Env == "local" || c.Env == "test"

	c.DatabaseURL = p.str("DATABASE_URL", ifLocal(local, "postgres://postgres@127.0.0.1:5432/innkeeper?sslmode=disable"))
	if c.DatabaseURL != "" {
		if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
			p.fail("DATABASE_URL", "must be a postgres://user@host:port/db URL")
		}
	}
	c.DBMaxConns = int32(p.integer("DB_MAX_CONNS", 4, 1, 100))
	c.DBConnectTimeout = p.duration("DB_CONNECT_TIMEOUT", time.Second)
	c.DBStatementTimeout = p.duration("DB_STATEMENT_TIMEOUT", 5*time.Second)
	c.DBQueryTimeout = p.duration("DB_QUERY_TIMEOUT", 1500*time.Millisecond)
	c.DatabaseAuth = p.oneOf("DATABASE_AUTH", "password", "password", "iam")

	c.RedisURL = p.str("REDIS_URL", ifLocal(local, "redis://127.0.0.1:6379/0"))
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			p.fail("REDIS_URL", "must be a redis://host:port/db or rediss:// URL")
		}
	}
	c.RedisKeyPrefix = p.str("REDIS_KEY_PREFIX", "ink:")
	c.RedisTimeout = p.duration("REDIS_TIMEOUT", 300*time.Millisecond)
	limits := "on"
	if c.Env == "test" {
		limits = "off"
	}
	c.RateLimits = p.oneOf("RATE_LIMITS", limits, "on", "off") == "on"

	c.HTTPAddr = p.str("HTTP_ADDR", "127.0.0.1:3000")
	c.CORSAllowedOrigins = p.origins("CORS_ALLOWED_ORIGINS", ifLocal(local, "http://localhost:5173,http://127.0.0.1:5173"))
	c.RequestTimeout = p.duration("REQUEST_TIMEOUT", 10*time.Second)
	c.DevAdminKey = p.str("DEV_ADMIN_KEY", "")
	if c.DevAdminKey != "" && len(c.DevAdminKey) < 16 {
		p.fail("DEV_ADMIN_KEY", "must be at least 16 characters")
	}
	if c.DevAdminKey != "" && !local {
		p.fail("DEV_ADMIN_KEY", "is only for APP_ENV=local or test")
	}

	c.AppURL = strings.TrimSuffix(p.str("APP_URL", ifLocal(local, "http://127.0.0.1:3000")), "/")
	if c.AppURL != "" {
		if u, err := url.Parse(c.AppURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p.fail("APP_URL", "must be an http(s) URL such as https://book.example.com")
		}
	}
	c.AppKey = p.str("APP_KEY", ifLocal(local, localAppKey))
	c.AppKeyNext = p.str("APP_KEY_NEXT", "")
	for name, k := range map[string]string{"APP_KEY": c.AppKey, "APP_KEY_NEXT": c.AppKeyNext} {
		if k != "" && len(k) < 32 {
			p.fail(name, "must be at least 32 characters of secret (e.g. openssl rand -base64 32)")
		}
	}
	if !local {
		for name, v := range map[string]string{"APP_KEY": c.AppKey, "APP_KEY_NEXT": c.AppKeyNext} {
			if slices.Contains(publicKeys, v) {
				p.fail(name, "is a public development key; set a secret one")
			}
		}
	}

	// Deployed stages speak HTTPS only: a link or an origin over http
	// would send tokens and keys in clear.
	if c.Env == "staging" || c.Env == "production" {
		if strings.HasPrefix(strings.ToLower(c.AppURL), "http://") {
			p.fail("APP_URL", "must be https:// in "+c.Env)
		}
		for _, o := range c.CORSAllowedOrigins {
			if strings.HasPrefix(o, "http://") {
				p.fail("CORS_ALLOWED_ORIGINS", "must all be https:// origins in "+c.Env)
			}
		}
	}

	c.EventsQueueURL = p.str("EVENTS_QUEUE_URL", "")
	c.EventsDLQURL = p.str("EVENTS_DLQ_URL", "")
	c.AWSEndpoint = p.endpoint("AWS_ENDPOINT_URL")
	c.SQSEndpoint = p.endpoint("AWS_ENDPOINT_URL_SQS")
	c.SecretsEndpoint = p.endpoint("AWS_ENDPOINT_URL_SECRETS_MANAGER")
	c.AppSecretARN = p.str("APP_SECRET_ARN", "")
	c.DatabaseSecretARN = p.str("DATABASE_SECRET_ARN", "")
	c.RedisSecretARN = p.str("REDIS_SECRET_ARN", "")
	for name, v := range map[string]string{"EVENTS_QUEUE_URL": c.EventsQueueURL, "EVENTS_DLQ_URL": c.EventsDLQURL} {
		if v == "" {
			continue
		}
		if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p.fail(name, "must be an http(s) URL")
		}
	}

	c.CostRegion = p.str("COST_REGION", getenv("AWS_REGION"))
	if c.CostRegion == "" {
		c.CostRegion = "eu-west-1"
	}
	c.CostPriceOverrides = p.str("COST_PRICE_OVERRIDES", "")
	c.CostStage = p.str("COST_STAGE", map[string]string{"production": "prod", "staging": "staging"}[c.Env])
	if c.CostStage == "" {
		c.CostStage = "local"
	}
	if len(c.CostStage) > 40 || strings.TrimSpace(c.CostStage) != c.CostStage {
		p.fail("COST_STAGE", "must be a stage name of at most 40 characters")
	}
	c.CURS3URI = p.str("CUR_S3_URI", "")
	c.CURDir = p.str("CUR_DIR", "")
	if c.CURS3URI != "" {
		if u, err := url.Parse(c.CURS3URI); err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" {
			p.fail("CUR_S3_URI", "must be s3://bucket/prefix/export-name")
		}
		if c.CURDir != "" {
			p.fail("CUR_DIR", "is for a local export; CUR_S3_URI is set")
		}
	}
	c.MetricsToken = p.str("METRICS_TOKEN", "")
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		p.fail("METRICS_TOKEN", "must be at least 16 characters")
	}
	if !local && c.MetricsToken == localMetricsToken {
		p.fail("METRICS_TOKEN", "is the public development token; set a secret one")
	}
	c.OriginSecretARN = p.str("ORIGIN_SECRET_ARN", "")
	c.OriginSecret = p.str("ORIGIN_SECRET", "")
	c.OriginSecretPrevious = p.str("ORIGIN_SECRET_PREVIOUS", "")
	for name, v := range map[string]string{"ORIGIN_SECRET": c.OriginSecret, "ORIGIN_SECRET_PREVIOUS": c.OriginSecretPrevious} {
		if v != "" && len(v) < 32 {
			p.fail(name, "must be at least 32 characters")
		}
	}
	if c.OriginSecret == "" && c.OriginSecretPrevious != "" {
		p.fail("ORIGIN_SECRET_PREVIOUS", "is accepted only beside ORIGIN_SECRET")
	}
	p.stripe(&c)
	c.WSManagementEndpoint = strings.TrimSuffix(p.str("WS_MANAGEMENT_ENDPOINT", ""), "/")
	if c.WSManagementEndpoint != "" {
		if u, err := url.Parse(c.WSManagementEndpoint); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p.fail("WS_MANAGEMENT_ENDPOINT", "must be the WebSocket API's https://…/stage URL")
		}
	}
	c.WSMaxConnectionsPerAddress = p.integer("WS_MAX_CONNECTIONS_PER_ADDRESS", 20, 1, 10000)
	c.WSMaxSubscriptionsPerConnection = p.integer("WS_MAX_SUBSCRIPTIONS_PER_CONNECTION", 50, 1, 1000)

	c.MailDriver = p.oneOf("MAIL_DRIVER", ifLocal(local, "smtp", "ses"), "smtp", "ses")
	c.SMTPAddr = p.str("SMTP_ADDR", ifLocal(local, "127.0.0.1:1025"))
	if c.MailDriver == "smtp" && c.SMTPAddr != "" {
		if _, _, err := net.SplitHostPort(c.SMTPAddr); err != nil {
			p.fail("SMTP_ADDR", "must be host:port such as 127.0.0.1:1025")
		}
	}
	c.MailFrom = p.str("MAIL_FROM", "Innkeeper <bookings@innkeeper.local>")
	c.MailStaffTo = p.str("MAIL_STAFF_TO", "front-desk@innkeeper.local")
	for name, v := range map[string]string{"MAIL_FROM": c.MailFrom, "MAIL_STAFF_TO": c.MailStaffTo} {
		if _, err := mail.ParseAddress(v); err != nil {
			p.fail(name, "must be an address such as Innkeeper <bookings@example.com>")
		}
	}
	return c, p.err()
}

// SecretsEndpoint is the Secrets Manager endpoint override in getenv
// (AWS_ENDPOINT_URL_SECRETS_MANAGER, else AWS_ENDPOINT_URL), empty for
// the service's own. It is read apart from Load because the secrets
// complete the environment Load reads.
func SecretsEndpoint(getenv func(string) string) (string, error) {
	p := parser{getenv: getenv}
	v := p.endpoint("AWS_ENDPOINT_URL_SECRETS_MANAGER")
	return v, p.err()
}

// Require reports the named variables that have no value, even from a
// default, as one error naming them all. A name Load does not read is an
// error too, so a misspelt or forgotten requirement cannot pass unseen.
func (c Config) Require(names ...string) error {
	values := c.values()
	var missing, unknown []string
	for _, n := range names {
		v, known := values[n]
		switch {
		case !known:
			unknown = append(unknown, n)
		case v == "":
			missing = append(missing, n)
		}
	}
	var problems []string
	if len(unknown) > 0 {
		problems = append(problems, "unknown "+strings.Join(unknown, ", "))
	}
	if len(missing) > 0 {
		problems = append(problems, "missing "+strings.Join(missing, ", "))
	}
	if len(problems) > 0 {
		return fmt.Errorf("config: %s (see .env.example)", strings.Join(problems, "; "))
	}
	return nil
}

// values is every variable Load reads, by name, as Load resolved it
// (durations and numbers as text; zero means unset).
func (c Config) values() map[string]string {
	num := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	dur := func(d time.Duration) string {
		if d == 0 {
			return ""
		}
		return d.String()
	}
	onOff := "off"
	if c.RateLimits {
		onOff = "on"
	}
	return map[string]string{
		"APP_ENV": c.Env, "APP_VERSION": c.Version, "LOG_LEVEL": c.LogLevel,
		"DATABASE_URL": c.DatabaseURL, "DATABASE_AUTH": c.DatabaseAuth, "DB_MAX_CONNS": num(int64(c.DBMaxConns)),
		"DB_CONNECT_TIMEOUT": dur(c.DBConnectTimeout), "DB_STATEMENT_TIMEOUT": dur(c.DBStatementTimeout),
		"DB_QUERY_TIMEOUT": dur(c.DBQueryTimeout),
		"REDIS_URL":        c.RedisURL, "REDIS_KEY_PREFIX": c.RedisKeyPrefix, "REDIS_TIMEOUT": dur(c.RedisTimeout),
		"RATE_LIMITS": onOff, "HTTP_ADDR": c.HTTPAddr, "CORS_ALLOWED_ORIGINS": strings.Join(c.CORSAllowedOrigins, ","),
		"REQUEST_TIMEOUT": dur(c.RequestTimeout), "DEV_ADMIN_KEY": c.DevAdminKey,
		"APP_URL": c.AppURL, "APP_KEY": c.AppKey, "APP_KEY_NEXT": c.AppKeyNext,
		"EVENTS_QUEUE_URL": c.EventsQueueURL, "EVENTS_DLQ_URL": c.EventsDLQURL, "AWS_ENDPOINT_URL_SQS": c.SQSEndpoint,
		"AWS_ENDPOINT_URL": c.AWSEndpoint, "AWS_ENDPOINT_URL_SECRETS_MANAGER": c.SecretsEndpoint,
		"APP_SECRET_ARN": c.AppSecretARN, "DATABASE_SECRET_ARN": c.DatabaseSecretARN, "REDIS_SECRET_ARN": c.RedisSecretARN,
		"MAIL_DRIVER": c.MailDriver, "SMTP_ADDR": c.SMTPAddr, "MAIL_FROM": c.MailFrom, "MAIL_STAFF_TO": c.MailStaffTo,
		"WS_MANAGEMENT_ENDPOINT":              c.WSManagementEndpoint,
		"WS_MAX_CONNECTIONS_PER_ADDRESS":      num(int64(c.WSMaxConnectionsPerAddress)),
		"WS_MAX_SUBSCRIPTIONS_PER_CONNECTION": num(int64(c.WSMaxSubscriptionsPerConnection)),
		"COST_REGION":                         c.CostRegion, "COST_PRICE_OVERRIDES": c.CostPriceOverrides, "METRICS_TOKEN": c.MetricsToken,
		"COST_STAGE": c.CostStage, "CUR_S3_URI": c.CURS3URI, "CUR_DIR": c.CURDir,
		"ORIGIN_SECRET": c.OriginSecret, "ORIGIN_SECRET_PREVIOUS": c.OriginSecretPrevious, "ORIGIN_SECRET_ARN": c.OriginSecretARN,
		"STRIPE_SECRET_KEY": c.StripeSecretKey, "STRIPE_WEBHOOK_SECRET": c.StripeWebhookSecret,
		"STRIPE_API_BASE": c.StripeAPIBase, "STRIPE_SECRET_ARN": c.StripeSecretARN,
	}
}

// stripe reads the Stripe settings into c. A key is a secret (sk_) or
// restricted (rk_) key of test or live mode; live mode is production's
// alone and production's is live, so a test key never takes real
// bookings and a live key never runs outside production. A key needs
// the webhook secret beside it, or the payments it starts could never
// be confirmed by their webhooks. Production talks to Stripe's own API
// only: a live key must never be sent to an emulator or a mock.
func (p *parser) stripe(c *Config) {
	c.StripeSecretARN = p.str("STRIPE_SECRET_ARN", "")
	c.StripeSecretKey = p.str("STRIPE_SECRET_KEY", "")
	c.StripeWebhookSecret = p.str("STRIPE_WEBHOOK_SECRET", "")
	c.StripeAPIBase = strings.TrimSuffix(p.str("STRIPE_API_BASE", ""), "/")
	prod := c.Env == "production"
	if k := c.StripeSecretKey; k != "" {
		live := strings.HasPrefix(k, "sk_live_") || strings.HasPrefix(k, "rk_live_")
		test := strings.HasPrefix(k, "sk_test_") || strings.HasPrefix(k, "rk_test_")
		switch {
		case !live && !test:
			p.fail("STRIPE_SECRET_KEY", "must be a Stripe secret key: sk_test_…, sk_live_…, rk_test_… or rk_live_…")
		case live && !prod:
			p.fail("STRIPE_SECRET_KEY", "is a live key: live keys are for APP_ENV=production only")
		case test && prod:
			p.fail("STRIPE_SECRET_KEY", "is a test key: APP_ENV=production takes a live key")
		}
		if c.StripeWebhookSecret == "" {
			p.fail("STRIPE_WEBHOOK_SECRET", "is required with STRIPE_SECRET_KEY: without it Stripe's webhooks could not be verified")
		}
	}
	if c.StripeWebhookSecret != "" && !strings.HasPrefix(c.StripeWebhookSecret, "whsec_") {
		p.fail("STRIPE_WEBHOOK_SECRET", "must be a webhook signing secret, whsec_…")
	}
	if b := c.StripeAPIBase; b != "" {
		if u, err := url.Parse(b); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p.fail("STRIPE_API_BASE", "must be an http(s) URL such as http://127.0.0.1:4242")
		} else if prod {
			p.fail("STRIPE_API_BASE", "must be empty in production: it talks to Stripe's own API only")
		}
	}
}

// localAppKey signs links in local stacks only; Load refuses it elsewhere.
const localAppKey = "local-development-app-key-not-secret-0000"

// publicKeys are keys committed in this repository (.env.example, the
// security scan's tests), so anyone can sign with them; localMetricsToken
// is the development /metrics token. Load refuses them outside local.
var publicKeys = []string{localAppKey,
	"scan-test-app-key-0123456789abcdefghijklmn", "scan-test-app-key-next-0123456789abcdefghi"}

const localMetricsToken = "local-metrics-token-0123456789"

// ifLocal is the local default, or the cloud one (none unless given).
func ifLocal(local bool, v string, cloud ...string) string {
	if local {
		return v
	}
	if len(cloud) > 0 {
		return cloud[0]
	}
	return ""
}

type parser struct {
	getenv   func(string) string
	problems map[string]string
}

func (p *parser) fail(name, msg string) {
	if p.problems == nil {
		p.problems = map[string]string{}
	}
	if _, ok := p.problems[name]; !ok {
		p.problems[name] = msg
	}
}

func (p *parser) err() error {
	if len(p.problems) == 0 {
		return nil
	}
	names := make([]string, 0, len(p.problems))
	for n := range p.problems {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("config: invalid settings (see .env.example):")
	for _, n := range names {
		fmt.Fprintf(&b, "\n  %s: %s", n, p.problems[n])
	}
	return errors.New(b.String())
}

func (p *parser) str(name, def string) string {
	v := strings.TrimSpace(p.getenv(name))
	if v == "" {
		return def
	}
	return v
}

// endpoint is an AWS endpoint override: the variable name, else the
// global AWS_ENDPOINT_URL, as the AWS SDKs read them; an http(s) URL or
// empty. A bad value is reported under the variable it came from.
func (p *parser) endpoint(name string) string {
	from := name
	v := p.str(name, "")
	if v == "" && name != "AWS_ENDPOINT_URL" {
		from, v = "AWS_ENDPOINT_URL", p.str("AWS_ENDPOINT_URL", "")
	}
	if v == "" {
		return ""
	}
	if u, err := url.Parse(v); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		p.fail(from, "must be an http(s) URL such as http://localhost.localstack.cloud:4566")
	}
	return v
}

func (p *parser) oneOf(name, def string, allowed ...string) string {
	v := p.str(name, def)
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	p.fail(name, "must be one of "+strings.Join(allowed, ", "))
	return def
}

func (p *parser) integer(name string, def, min, max int) int {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		p.fail(name, fmt.Sprintf("must be a whole number from %d to %d", min, max))
		return def
	}
	return n
}

func (p *parser) duration(name string, def time.Duration) time.Duration {
	v := p.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 || d > time.Hour {
		p.fail(name, "must be a positive duration such as 500ms or 5s, at most 1h")
		return def
	}
	return d
}

func (p *parser) origins(name, def string) []string {
	v := p.str(name, def)
	var out []string
	for _, o := range strings.Split(v, ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		u, err := url.Parse(o)
		if o == "*" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || strings.Contains(u.Host, "*") {
			p.fail(name, "must be a comma-separated list of origins such as https://book.example.com (never *)")
			return nil
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out
}
