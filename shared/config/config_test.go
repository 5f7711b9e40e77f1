package config

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/joho/godotenv"
)

// env is m as an environment, with APP_ENV=local unless m sets it (the
// devstack sets it so).
func env(m map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := m[k]; ok || k != "APP_ENV" {
			return v
		}
		return "local"
	}
}

func TestLocalDefaults(t *testing.T) {
	c, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Env != "local" || c.DatabaseURL == "" || c.RedisURL == "" || c.HTTPAddr != "127.0.0.1:3000" ||
		c.DBConnectTimeout != time.Second || len(c.CORSAllowedOrigins) == 0 {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestProductionNeedsItsSettings(t *testing.T) {
	c, err := Load(env(map[string]string{"APP_ENV": "production"}))
	if err != nil {
		t.Fatal(err)
	}
	err = c.Require("DATABASE_URL", "REDIS_URL")
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") || !strings.Contains(err.Error(), "REDIS_URL") {
		t.Fatalf("want both named, got %v", err)
	}
	if len(c.CORSAllowedOrigins) != 0 {
		t.Fatal("production must not inherit local CORS origins")
	}
}

func TestInvalidSettingsAreAllReported(t *testing.T) {
	_, err := Load(env(map[string]string{
		"APP_ENV":              "prod",
		"DATABASE_URL":         "mysql://x",
		"REDIS_URL":            "127.0.0.1:6379",
		"DB_MAX_CONNS":         "zero",
		"REDIS_TIMEOUT":        "fast",
		"CORS_ALLOWED_ORIGINS": "*",
		"LOG_LEVEL":            "loud",
		"DEV_ADMIN_KEY":        "short",
	}))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, name := range []string{"APP_ENV", "DATABASE_URL", "REDIS_URL", "DB_MAX_CONNS", "REDIS_TIMEOUT", "CORS_ALLOWED_ORIGINS", "LOG_LEVEL", "DEV_ADMIN_KEY"} {
		if !strings.Contains(err.Error(), name+":") {
			t.Errorf("error does not name %s:\n%v", name, err)
		}
	}
}

func TestOrigins(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
		ok   bool
	}{
		{"two", "https://a.example.com, http://localhost:5173", []string{"https://a.example.com", "http://localhost:5173"}, true},
		{"trailing slash", "https://a.example.com/", []string{"https://a.example.com"}, true},
		{"wildcard", "*", nil, false},
		{"wildcard host", "https://*.example.com", nil, false},
		{"with path", "https://a.example.com/app", nil, false},
		{"no scheme", "a.example.com", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(map[string]string{"CORS_ALLOWED_ORIGINS": tt.in}))
			if (err == nil) != tt.ok {
				t.Fatalf("err %v, want ok=%v", err, tt.ok)
			}
			if tt.ok && !slices.Equal(c.CORSAllowedOrigins, tt.want) {
				t.Fatalf("got %v, want %v", c.CORSAllowedOrigins, tt.want)
			}
		})
	}
}

func TestDevAdminKeyIsLocalOnly(t *testing.T) {
	_, err := Load(env(map[string]string{"APP_ENV": "staging", "DEV_ADMIN_KEY": "ink_admin_0123456789abcdef",
		"DATABASE_URL": "postgres://u@db:5432/x", "REDIS_URL": "redis://r:6379/0"}))
	if err == nil || !strings.Contains(err.Error(), "DEV_ADMIN_KEY") {
		t.Fatalf("a dev key in staging: %v", err)
	}
}

// .env.example documents every variable Load reads, and nothing else.
func TestEnvExampleDocumentsEveryVariable(t *testing.T) {
	f, err := os.Open("../../.env.example")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var documented []string
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, _, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("not KEY=value: %q", line)
		}
		documented = append(documented, name)
	}
	want := slices.Clone(Variables)
	slices.Sort(want)
	slices.Sort(documented)
	if !slices.Equal(want, documented) {
		t.Fatalf(".env.example has %v\nconfig reads %v", documented, want)
	}
	// And the example is itself a valid configuration.
	vals := map[string]string{}
	_ = godotenvRead("../../.env.example", vals)
	if _, err := Load(env(vals)); err != nil {
		t.Fatalf(".env.example does not load: %v", err)
	}
}

func godotenvRead(path string, into map[string]string) error {
	m, err := godotenv.Read(path)
	for k, v := range m {
		into[k] = v
	}
	return err
}

// A service's own endpoint variable wins; AWS_ENDPOINT_URL stands in for
// any that is unset, as in LocalStack's Lambda containers.
func TestEndpoints(t *testing.T) {
	tests := []struct {
		name         string
		env          map[string]string
		sqs, secrets string
		bad          string // the variable named in the error, if any
	}{
		{name: "none", env: nil},
		{name: "global", env: map[string]string{"AWS_ENDPOINT_URL": "http://localhost.localstack.cloud:4566"},
			sqs: "http://localhost.localstack.cloud:4566", secrets: "http://localhost.localstack.cloud:4566"},
		{name: "own wins", env: map[string]string{"AWS_ENDPOINT_URL": "http://ls:4566", "AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:9324",
			"AWS_ENDPOINT_URL_SECRETS_MANAGER": "http://127.0.0.1:4584"}, sqs: "http://127.0.0.1:9324", secrets: "http://127.0.0.1:4584"},
		{name: "own only", env: map[string]string{"AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:9324"}, sqs: "http://127.0.0.1:9324"},
		{name: "bad global", env: map[string]string{"AWS_ENDPOINT_URL": "localhost:4566"}, bad: "AWS_ENDPOINT_URL:"},
		{name: "bad secrets", env: map[string]string{"AWS_ENDPOINT_URL_SECRETS_MANAGER": "ftp://x"}, bad: "AWS_ENDPOINT_URL_SECRETS_MANAGER:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(tt.env))
			ep, epErr := SecretsEndpoint(env(tt.env))
			if tt.bad != "" {
				if err == nil || !strings.Contains(err.Error(), tt.bad) || epErr == nil || !strings.Contains(epErr.Error(), tt.bad) {
					t.Fatalf("want %s named: Load %v; SecretsEndpoint %v", tt.bad, err, epErr)
				}
				return
			}
			if err != nil || epErr != nil {
				t.Fatal(err, epErr)
			}
			if c.SQSEndpoint != tt.sqs || c.SecretsEndpoint != tt.secrets || ep != tt.secrets {
				t.Fatalf("sqs %q secrets %q (%q), want %q %q", c.SQSEndpoint, c.SecretsEndpoint, ep, tt.sqs, tt.secrets)
			}
		})
	}
}

// Rate limits are on unless turned off, but for test runs, which send
// many requests from one address.
func TestRateLimits(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want bool
		bad  bool
	}{
		{name: "local default", env: nil, want: true},
		{name: "production default", env: map[string]string{"APP_ENV": "production"}, want: true},
		{name: "test default", env: map[string]string{"APP_ENV": "test"}, want: false},
		{name: "off", env: map[string]string{"RATE_LIMITS": "off"}, want: false},
		{name: "on in test", env: map[string]string{"APP_ENV": "test", "RATE_LIMITS": "on"}, want: true},
		{name: "bad", env: map[string]string{"RATE_LIMITS": "false"}, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(env(tt.env))
			if tt.bad {
				if err == nil || !strings.Contains(err.Error(), "RATE_LIMITS:") {
					t.Fatalf("want RATE_LIMITS named, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.RateLimits != tt.want {
				t.Fatalf("RateLimits %v, want %v", c.RateLimits, tt.want)
			}
		})
	}
}
