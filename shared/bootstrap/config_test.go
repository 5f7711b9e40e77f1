package bootstrap

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// secretsManager is Secrets Manager's GetSecretValue over its real wire
// protocol (JSON 1.1), serving secrets by id and recording the calls.
type secretsManager struct {
	*httptest.Server
	mu    sync.Mutex
	calls []string
	hang  bool
}

func newSecretsManager(t *testing.T, secrets map[string]string) *secretsManager {
	sm := &secretsManager{}
	sm.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ SecretId string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		sm.mu.Lock()
		sm.calls = append(sm.calls, r.Header.Get("X-Amz-Target")+" "+in.SecretId)
		sm.mu.Unlock()
		if sm.hang {
			<-r.Context().Done()
			return
		}
		// Secrets Manager refuses what is not signed for it.
		if a := r.Header.Get("Authorization"); !strings.HasPrefix(a, "AWS4-HMAC-SHA256 Credential=") || !strings.Contains(a, "/secretsmanager/aws4_request") ||
			r.Header.Get("X-Amz-Date") == "" || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
			w.WriteHeader(403)
			_, _ = w.Write([]byte(`{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."}`))
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		s, ok := secrets[in.SecretId]
		if !ok {
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"__type":"ResourceNotFoundException","message":"Secrets Manager can't find the specified secret."}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ARN": in.SecretId, "Name": in.SecretId, "SecretString": s, "VersionId": "v1"})
	}))
	t.Cleanup(sm.Close)
	return sm
}

func (sm *secretsManager) callList() []string {
	sm.mu.Lock()
	defer sm.mu.Unlock()
	return append([]string(nil), sm.calls...)
}

// clean unsets every variable Config reads that the machine might set.
func clean(t *testing.T) {
	for _, k := range []string{"APP_SECRET_ARN", "DATABASE_SECRET_ARN", "REDIS_SECRET_ARN", "AWS_ENDPOINT_URL",
		"AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL_SQS", "APP_KEY", "APP_KEY_NEXT", "MAIL_FROM", "MAIL_STAFF_TO",
		"SMTP_ADDR", "DATABASE_URL", "REDIS_URL", "APP_ENV", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, "")
	}
}

func TestConfigResolvesSecrets(t *testing.T) {
	const appKey = "a-secret-app-key-of-32-characters-or-more"
	tests := []struct {
		name string
		// endpointVar points the client at the fake.
		endpointVar string
	}{
		{"AWS_ENDPOINT_URL, as LocalStack sets it", "AWS_ENDPOINT_URL"},
		{"the service's own endpoint", "AWS_ENDPOINT_URL_SECRETS_MANAGER"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clean(t)
			sm := newSecretsManager(t, map[string]string{
				"app":   `{"APP_KEY":"` + appKey + `","MAIL_FROM":"Innkeeper <bookings@example.com>","SMTP_ADDR":"mail:1025"}`,
				"db":    `{"username":"innkeeper","password":"p@ss/w:rd","host":"instance","port":5432}`,
				"redis": `{"password":"r3dis?#"}`,
			})
			t.Setenv(tt.endpointVar, sm.URL)
			t.Setenv("APP_ENV", "staging")
			t.Setenv("APP_SECRET_ARN", "app")
			t.Setenv("DATABASE_SECRET_ARN", "db")
			t.Setenv("REDIS_SECRET_ARN", "redis")
			t.Setenv("DATABASE_URL", "postgres://innkeeper@proxy:5432/innkeeper?sslmode=require")
			t.Setenv("REDIS_URL", "rediss://cache:6379/0")
			t.Setenv("SMTP_ADDR", "explicit:25")
			cfg, err := Config(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if cfg.AppKey != appKey || cfg.MailFrom != "Innkeeper <bookings@example.com>" || cfg.SMTPAddr != "explicit:25" {
				t.Errorf("app settings: key %t, from %q, smtp %q", cfg.AppKey == appKey, cfg.MailFrom, cfg.SMTPAddr)
			}
			if cfg.DatabaseURL != "postgres://innkeeper:p%40ss%2Fw%3Ard@proxy:5432/innkeeper?sslmode=require" {
				t.Errorf("DATABASE_URL %q", cfg.DatabaseURL)
			}
			if cfg.RedisURL != "rediss://:r3dis%3F%23@cache:6379/0" {
				t.Errorf("REDIS_URL %q", cfg.RedisURL)
			}
			if calls := sm.callList(); len(calls) != 3 || !strings.HasPrefix(calls[0], "secretsmanager.GetSecretValue ") {
				t.Errorf("calls %v", calls)
			}
		})
	}
}

// Local and test runs name no secret: no client, no call, even with an
// endpoint configured.
func TestConfigWithoutSecretsCallsNothing(t *testing.T) {
	clean(t)
	sm := newSecretsManager(t, nil)
	t.Setenv("AWS_ENDPOINT_URL", sm.URL)
	t.Setenv("APP_ENV", "test")
	cfg, err := Config(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if calls := sm.callList(); len(calls) != 0 {
		t.Fatalf("calls %v", calls)
	}
	if cfg.SQSEndpoint != sm.URL {
		t.Fatalf("SQS endpoint %q, want AWS_ENDPOINT_URL's", cfg.SQSEndpoint)
	}
}

func TestConfigFailsFast(t *testing.T) {
	tests := []struct {
		name string
		hang bool
		want string
	}{
		{"missing secret", false, "REDIS_SECRET_ARN: get secret value"},
		{"no answer", true, "did not answer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clean(t)
			sm := newSecretsManager(t, map[string]string{})
			sm.hang = tt.hang
			t.Setenv("AWS_ENDPOINT_URL", sm.URL)
			t.Setenv("REDIS_SECRET_ARN", "gone")
			t.Setenv("REDIS_URL", "rediss://cache:6379/0")
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			start := time.Now()
			_, err := Config(ctx)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("want %q, got %v", tt.want, err)
			}
			if time.Since(start) > 2*time.Second {
				t.Fatalf("took %v", time.Since(start))
			}
		})
	}
}

// Without an endpoint override the deployed function needs the
// execution role's credentials, and says so.
func TestConfigNeedsCredentialsInTheCloud(t *testing.T) {
	clean(t)
	t.Setenv("APP_SECRET_ARN", "app")
	_, err := Config(context.Background())
	if err == nil || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
		t.Fatalf("got %v", err)
	}
}
