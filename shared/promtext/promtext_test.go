package promtext

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
	"innkeeper/shared/httpcount"
)

func scrape(t *testing.T, h http.Handler, token string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

// TestCountsAddUpAcrossProcesses: two recorders stand for two function
// processes; the scrape shows their sum, labelled by method, route and
// status, with a histogram per route.
func TestCountsAddUpAcrossProcesses(t *testing.T) {
	c := testenv.Redis(t)
	ctx := context.Background()
	a := &httpcount.Recorder{Redis: c.Redis(), Prefix: c.Key("")}
	b := &httpcount.Recorder{Redis: c.Redis(), Prefix: c.Key("")}
	a.ObserveHTTP(ctx, "GET", "/v1/hotels", 200, 3*time.Millisecond)
	b.ObserveHTTP(ctx, "GET", "/v1/hotels", 200, 30*time.Millisecond)
	b.ObserveHTTP(ctx, "POST", "/v1/reservations", 409, 2*time.Second)
	a.ObserveHTTP(ctx, "GET", "/v1/hotels", 200, 20*time.Second)

	col := &Collector{Recorder: a, Sources: Sources{
		Bookings: func(context.Context) ([]booking.ReservationCount, []booking.ReservationCount, error) {
			return []booking.ReservationCount{{Hotel: "lisbon-riverside", Status: "created", Count: 7}},
				[]booking.ReservationCount{{Hotel: "lisbon-riverside", Status: "confirmed", Count: 5}}, nil
		},
		Gauges: map[string]func(context.Context) (float64, error){
			"hotel_queue_depth": func(context.Context) (float64, error) { return 3, nil },
		},
	}}
	h := Handler("s3cret-token", col)
	code, body := scrape(t, h, "s3cret-token")
	if code != 200 {
		t.Fatalf("status %d: %s", code, body)
	}
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("not the text format: %v\n%s", err, body)
	}
	value := func(name string, labels map[string]string) float64 {
		f := families[name]
		if f == nil {
			t.Fatalf("%s missing:\n%s", name, body)
		}
	next:
		for _, m := range f.Metric {
			for _, l := range m.Label {
				if want, ok := labels[l.GetName()]; ok && want != l.GetValue() {
					continue next
				}
			}
			switch {
			case m.Counter != nil:
				return m.Counter.GetValue()
			case m.Gauge != nil:
				return m.Gauge.GetValue()
			case m.Histogram != nil:
				return float64(m.Histogram.GetSampleCount())
			}
		}
		t.Fatalf("%s%v missing", name, labels)
		return 0
	}
	if v := value("hotel_http_requests_total", map[string]string{"method": "GET", "route": "/v1/hotels", "status": "200"}); v != 3 {
		t.Errorf("GET /v1/hotels 200 = %v, want 3 (from two processes)", v)
	}
	if v := value("hotel_http_requests_total", map[string]string{"method": "POST", "route": "/v1/reservations", "status": "409"}); v != 1 {
		t.Errorf("POST 409 = %v, want 1", v)
	}
	if v := value("hotel_http_request_duration_seconds", map[string]string{"route": "/v1/hotels"}); v != 3 {
		t.Errorf("histogram count %v, want 3", v)
	}
	for _, m := range families["hotel_http_request_duration_seconds"].Metric {
		if m.Label[0].GetValue() != "/v1/hotels" {
			continue
		}
		hist := m.Histogram
		if s := hist.GetSampleSum(); s < 20.032 || s > 20.034 {
			t.Errorf("sum %v, want 20.033", s)
		}
		for _, b := range hist.Bucket {
			want := map[float64]uint64{0.005: 1, 0.025: 1, 0.05: 2, 10: 2}
			if w, ok := want[b.GetUpperBound()]; ok && b.GetCumulativeCount() != w {
				t.Errorf("bucket le=%v: %d, want %d (cumulative; the 20 s request only in +Inf)", b.GetUpperBound(), b.GetCumulativeCount(), w)
			}
		}
	}
	if v := value("hotel_bookings_total", map[string]string{"hotel": "lisbon-riverside", "status": "created"}); v != 7 {
		t.Errorf("bookings %v", v)
	}
	if v := value("hotel_queue_depth", nil); v != 3 {
		t.Errorf("queue depth %v", v)
	}
	if families["hotel_bookings_total"].GetType().String() != "COUNTER" {
		t.Errorf("hotel_bookings_total is a %v", families["hotel_bookings_total"].GetType())
	}
}

func TestTokenRequired(t *testing.T) {
	col := &Collector{}
	if code, _ := scrape(t, Handler("tok", col), ""); code != 401 {
		t.Errorf("no token: %d, want 401", code)
	}
	if code, _ := scrape(t, Handler("tok", col), "wrong"); code != 401 {
		t.Errorf("wrong token: %d, want 401", code)
	}
	if code, _ := scrape(t, Handler("", col), "anything"); code != 404 {
		t.Errorf("no token configured: %d, want 404", code)
	}
}

// TestRedisDownDropsCountsNotRequests: a recorder whose Redis is gone
// returns within its timeout and counts the drop.
func TestRedisDownDropsCountsNotRequests(t *testing.T) {
	c := testenv.Redis(t)
	proxy := testenv.NewProxy(t, c.Redis().Options().Addr)
	opts := *c.Redis().Options()
	opts.Addr = proxy.Addr()
	down := &httpcount.Recorder{Redis: newClient(&opts), Prefix: c.Key(""), Timeout: 50 * time.Millisecond}
	proxy.Cut()
	start := time.Now()
	down.ObserveHTTP(context.Background(), "GET", "/livez", 200, time.Millisecond)
	if took := time.Since(start); took > 500*time.Millisecond {
		t.Errorf("counting with Redis down took %v", took)
	}
	if down.Dropped() != 1 {
		t.Errorf("dropped = %d, want 1", down.Dropped())
	}
	col := &Collector{Recorder: down, Timeout: 200 * time.Millisecond}
	code, body := scrape(t, Handler("tok", col), "tok")
	if code != 200 || !strings.Contains(body, `hotel_metrics_scrape_errors{source="redis"} 1`) {
		t.Errorf("scrape with Redis down: %d\n%s", code, body)
	}
}
