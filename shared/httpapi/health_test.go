package httpapi_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/health"
	"innkeeper/shared/httpapi"
	"innkeeper/shared/logging"
)

const healthToken = "health-test-metrics-token-0123456789"

// A job's last error can carry ARNs, hosts and references: /health shows
// it, and every check and gauge, only to a staff key or the metrics
// token. Anyone else sees the status and the version; a wrong credential
// is told so.
func TestHealthWithoutCredentialsShowsStatusOnly(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{Env: map[string]string{"METRICS_TOKEN": healthToken}})
	secret := "dial tcp 10.0.3.17:5432: arn:aws:rds:eu-west-1:123456789012:db:innkeeper-prod refused INK-DEM0X1"
	ctx := context.Background()
	at := testenv.Clock.Add(-time.Minute)
	if err := c.api.Store.StartJob(ctx, "cleanup", at); err != nil {
		t.Fatal(err)
	}
	if err := c.api.Store.FinishJob(ctx, "cleanup", at, nil, errors.New(secret)); err != nil {
		t.Fatal(err)
	}
	finance := c.do("POST", "/v1/admin/api-keys", map[string]any{"name": "books", "role": "finance"}, admin()...).JSON(t)["secret"].(string)

	tests := []struct {
		name    string
		headers []string
		detail  bool
		status  int
		problem string
	}{
		{name: "no credentials", status: 200},
		{name: "admin key", headers: admin(), detail: true, status: 200},
		{name: "metrics token", headers: bearer(healthToken), detail: true, status: 200},
		{name: "finance key", headers: bearer(finance), status: 403, problem: "forbidden"},
		{name: "unknown key", headers: bearer("ink_staff_000000000000000000000000"), status: 401, problem: "unauthorized"},
		{name: "wrong token", headers: bearer("not-the-metrics-token-0123456789"), status: 401, problem: "unauthorized"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.do("GET", "/health", nil, tt.headers...)
			if tt.problem != "" {
				r.Problem(t, tt.status, tt.problem)
				if strings.Contains(string(r.Body), "10.0.3.17") {
					t.Fatalf("the problem leaks the job's error: %s", r.Body)
				}
				return
			}
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Body)
			}
			body := r.JSON(t)
			leaks := strings.Contains(string(r.Body), "10.0.3.17") || strings.Contains(string(r.Body), "arn:aws")
			if !tt.detail {
				var keys []string
				for k := range body {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				if !slices.Equal(keys, []string{"status", "version"}) || leaks {
					t.Fatalf("without credentials /health says %s", r.Body)
				}
				if body["status"] != "warning" {
					t.Errorf("status %v, want warning (a job is failing)", body["status"])
				}
				return
			}
			if !leaks || body["checks"] == nil || body["gauges"] == nil {
				t.Fatalf("the detail lacks the checks, gauges or the job's error: %s", r.Body)
			}
		})
	}
}

// A flood of /health without credentials probes the dependencies once
// per HealthCacheTTL; a caller with credentials gets a fresh report. A
// failed critical check is still 503, without its text.
func TestHealthCachesThePublicReport(t *testing.T) {
	t.Parallel()
	var probes atomic.Int64
	api := httpapi.New(httpapi.Deps{
		Logger: logging.Discard(), MetricsToken: healthToken,
		Checks: []health.Check{{Name: "postgres", Critical: true, Probe: func(ctx context.Context) error {
			probes.Add(1)
			return errors.New("dial tcp db.internal.example:5432: connection refused")
		}}},
	})
	get := func(headers ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/health", nil)
		for i := 0; i+1 < len(headers); i += 2 {
			r.Header.Set(headers[i], headers[i+1])
		}
		w := httptest.NewRecorder()
		api.ServeHTTP(w, r)
		return w
	}
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := get()
			if w.Code != http.StatusServiceUnavailable || strings.Contains(w.Body.String(), "db.internal") ||
				strings.TrimSpace(w.Body.String()) != `{"status":"failed","version":""}` {
				t.Errorf("public /health with the database down: %d %s", w.Code, w.Body)
			}
		}()
	}
	wg.Wait()
	if n := probes.Load(); n != 1 {
		t.Fatalf("50 requests probed the database %d times, want 1", n)
	}
	w := get(bearer(healthToken)...)
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), `"checks"`) {
		t.Fatalf("/health with the metrics token: %d %s", w.Code, w.Body)
	}
	if n := probes.Load(); n != 2 {
		t.Fatalf("the metrics token's request probed %d times in all, want a fresh probe", n)
	}
}
