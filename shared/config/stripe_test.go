package config

import (
	"strings"
	"testing"
)

// The Stripe settings: each rule refuses what it must and no more.
func TestStripeSettings(t *testing.T) {
	const (
		testKey  = "sk_test_51AbCdEfGh0123456789"
		liveKey  = "sk_live_51AbCdEfGh0123456789"
		rkTest   = "rk_test_51AbCdEfGh0123456789"
		rkLive   = "rk_live_51AbCdEfGh0123456789"
		whsec    = "whsec_0123456789abcdef"
		emulator = "http://127.0.0.1:4242"
	)
	tests := []struct {
		name   string
		appEnv string
		env    map[string]string
		bad    string // the variable the error names; "" for none
	}{
		{name: "none: payments off", appEnv: "local"},
		{name: "none in production", appEnv: "production"},
		{name: "test key locally", appEnv: "local", env: map[string]string{"STRIPE_SECRET_KEY": testKey, "STRIPE_WEBHOOK_SECRET": whsec, "STRIPE_API_BASE": emulator}},
		{name: "restricted test key in staging", appEnv: "staging", env: map[string]string{"STRIPE_SECRET_KEY": rkTest, "STRIPE_WEBHOOK_SECRET": whsec}},
		{name: "test key in staging", appEnv: "staging", env: map[string]string{"STRIPE_SECRET_KEY": testKey, "STRIPE_WEBHOOK_SECRET": whsec}},
		{name: "live key in production", appEnv: "production", env: map[string]string{"STRIPE_SECRET_KEY": liveKey, "STRIPE_WEBHOOK_SECRET": whsec}},
		{name: "restricted live key in production", appEnv: "production", env: map[string]string{"STRIPE_SECRET_KEY": rkLive, "STRIPE_WEBHOOK_SECRET": whsec}},
		{name: "publishable key", appEnv: "local", env: map[string]string{"STRIPE_SECRET_KEY": "pk_test_0123456789", "STRIPE_WEBHOOK_SECRET": whsec}, bad: "STRIPE_SECRET_KEY"},
		{name: "not a key", appEnv: "local", env: map[string]string{"STRIPE_SECRET_KEY": "secret", "STRIPE_WEBHOOK_SECRET": whsec}, bad: "STRIPE_SECRET_KEY"},
		{name: "key without webhook secret", appEnv: "local", env: map[string]string{"STRIPE_SECRET_KEY": testKey}, bad: "STRIPE_WEBHOOK_SECRET"},
		{name: "webhook secret not whsec_", appEnv: "local", env: map[string]string{"STRIPE_SECRET_KEY": testKey, "STRIPE_WEBHOOK_SECRET": "sec_0123"}, bad: "STRIPE_WEBHOOK_SECRET"},
		{name: "webhook secret alone, malformed", appEnv: "local", env: map[string]string{"STRIPE_WEBHOOK_SECRET": "0123"}, bad: "STRIPE_WEBHOOK_SECRET"},
		{name: "live key locally", appEnv: "local", env: map[string]string{"STRIPE_SECRET_KEY": liveKey, "STRIPE_WEBHOOK_SECRET": whsec}, bad: "STRIPE_SECRET_KEY"},
		{name: "live key in test", appEnv: "test", env: map[string]string{"STRIPE_SECRET_KEY": liveKey, "STRIPE_WEBHOOK_SECRET": whsec}, bad: "STRIPE_SECRET_KEY"},
		{name: "live key in staging", appEnv: "staging", env: map[string]string{"STRIPE_SECRET_KEY": liveKey, "STRIPE_WEBHOOK_SECRET": whsec}, bad: "STRIPE_SECRET_KEY"},
		{name: "restricted live key in staging", appEnv: "staging", env: map[string]string{"STRIPE_SECRET_KEY": rkLive, "STRIPE_WEBHOOK_SECRET": whsec}, bad: "STRIPE_SECRET_KEY"},
		{name: "test key in production", appEnv: "production", env: map[string]string{"STRIPE_SECRET_KEY": testKey, "STRIPE_WEBHOOK_SECRET": whsec}, bad: "STRIPE_SECRET_KEY"},
		{name: "restricted test key in production", appEnv: "production", env: map[string]string{"STRIPE_SECRET_KEY": rkTest, "STRIPE_WEBHOOK_SECRET": whsec}, bad: "STRIPE_SECRET_KEY"},
		{name: "API base not a URL", appEnv: "local", env: map[string]string{"STRIPE_API_BASE": "127.0.0.1:4242"}, bad: "STRIPE_API_BASE"},
		{name: "API base not http", appEnv: "test", env: map[string]string{"STRIPE_API_BASE": "ftp://127.0.0.1:4242"}, bad: "STRIPE_API_BASE"},
		{name: "API base in staging", appEnv: "staging", env: map[string]string{"STRIPE_API_BASE": "https://stripe-mock.internal"}},
		{name: "API base in production", appEnv: "production", env: map[string]string{"STRIPE_SECRET_KEY": liveKey, "STRIPE_WEBHOOK_SECRET": whsec, "STRIPE_API_BASE": "https://api.stripe.com"}, bad: "STRIPE_API_BASE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Deployed stages need their other settings to load at all.
			getenv := deployed(tt.appEnv, tt.env)
			if tt.appEnv == "local" || tt.appEnv == "test" {
				m := map[string]string{"APP_ENV": tt.appEnv}
				for k, v := range tt.env {
					m[k] = v
				}
				getenv = env(m)
			}
			c, err := Load(getenv)
			if tt.bad != "" {
				if err == nil || !strings.Contains(err.Error(), tt.bad+":") {
					t.Fatalf("want an error naming %s, got %v", tt.bad, err)
				}
				for _, secret := range []string{liveKey, testKey, rkLive, rkTest, whsec} {
					if strings.Contains(err.Error(), secret) {
						t.Fatalf("the error quotes a secret: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.StripeSecretKey != tt.env["STRIPE_SECRET_KEY"] || c.StripeWebhookSecret != tt.env["STRIPE_WEBHOOK_SECRET"] ||
				c.StripeAPIBase != tt.env["STRIPE_API_BASE"] {
				t.Fatalf("read %q %q %q, want %q", c.StripeSecretKey, c.StripeWebhookSecret, c.StripeAPIBase, tt.env)
			}
		})
	}
}

// The Stripe variables are known to Require, and the secret's ARN is read
// like the other secrets' (shared/secrets has already resolved it).
func TestStripeRequireAndARN(t *testing.T) {
	arn := "arn:aws:secretsmanager:eu-west-1:123456789012:secret:StripeSecret-AbCdEf"
	c, err := Load(env(map[string]string{"STRIPE_SECRET_ARN": arn}))
	if err != nil {
		t.Fatal(err)
	}
	if c.StripeSecretARN != arn {
		t.Fatalf("StripeSecretARN %q", c.StripeSecretARN)
	}
	err = c.Require("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_SECRET_ARN")
	if err == nil || !strings.Contains(err.Error(), "missing STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET") ||
		strings.Contains(err.Error(), "unknown") || strings.Contains(err.Error(), "STRIPE_SECRET_ARN") {
		t.Fatalf("Require: %v", err)
	}
	c, err = Load(env(map[string]string{"STRIPE_SECRET_KEY": "sk_test_0123456789", "STRIPE_WEBHOOK_SECRET": "whsec_0123456789",
		"STRIPE_API_BASE": "http://127.0.0.1:12111/"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Require("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE"); err != nil {
		t.Fatal(err)
	}
	if c.StripeAPIBase != "http://127.0.0.1:12111" {
		t.Fatalf("StripeAPIBase %q: want it without the trailing slash", c.StripeAPIBase)
	}
}
