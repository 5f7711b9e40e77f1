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
}

// Variables lists every variable Load reads, for documentation checks.
var Variables = []string{
	"APP_ENV", "APP_VERSION", "LOG_LEVEL",
	"DATABASE_URL", "DB_MAX_CONNS", "DB_CONNECT_TIMEOUT", "DB_STATEMENT_TIMEOUT",
	"REDIS_URL", "REDIS_KEY_PREFIX", "REDIS_TIMEOUT", "RATE_LIMITS",
	"HTTP_ADDR", "CORS_ALLOWED_ORIGINS", "REQUEST_TIMEOUT",
	"DEV_ADMIN_KEY",
	"APP_URL", "APP_KEY", "APP_KEY_NEXT",
	"EVENTS_QUEUE_URL", "EVENTS_DLQ_URL", "AWS_ENDPOINT_URL_SQS",
	"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECRETS_MANAGER",
	"APP_SECRET_ARN", "DATABASE_SECRET_ARN", "REDIS_SECRET_ARN",
	"MAIL_DRIVER", "SMTP_ADDR", "MAIL_FROM", "MAIL_STAFF_TO",
	"WS_MANAGEMENT_ENDPOINT", "WS_MAX_CONNECTIONS_PER_ADDRESS", "WS_MAX_SUBSCRIPTIONS_PER_CONNECTION",
	"COST_REGION", "COST_PRICE_OVERRIDES", "METRICS_TOKEN",
	"ORIGIN_SECRET", "ORIGIN_SECRET_PREVIOUS", "ORIGIN_SECRET_ARN",
}

// FromEnv is Load over the process environment.
func FromEnv() (Config, error) { return Load(os.Getenv) }

// Load reads and validates the settings from getenv. All problems are
// reported together.
func Load(getenv func(string) string) (Config, error) {
	p := parser{getenv: getenv}
	var c Config
	c.Env = p.oneOf("APP_ENV", "local", "local", "test", "staging", "production")
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
	if !local && c.AppKey == localAppKey {
		p.fail("APP_KEY", "is the public development key; set a secret one")
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
	c.MetricsToken = p.str("METRICS_TOKEN", "")
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		p.fail("METRICS_TOKEN", "must be at least 16 characters")
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
// default, as one error naming them all.
func (c Config) Require(names ...string) error {
	values := map[string]string{
		"DATABASE_URL":  c.DatabaseURL,
		"REDIS_URL":     c.RedisURL,
		"DEV_ADMIN_KEY": c.DevAdminKey,
	}
	var missing []string
	for _, n := range names {
		v, known := values[n]
		if known && v == "" {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("config: missing %s (see .env.example)", strings.Join(missing, ", "))
	}
	return nil
}

// localAppKey signs links in local stacks only; Load refuses it elsewhere.
const localAppKey = "local-development-app-key-not-secret-0000"

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
