// Package promtext serves GET /metrics in Prometheus's text format
// (prometheus/client_golang): the request counters the API keeps in
// Redis (package httpcount), the bookings read from PostgreSQL at scrape
// time, and the queue and outbox gauges. It runs in its own function so
// the API's cold start does not pay for the exposition libraries.
package promtext

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"innkeeper/shared/booking"
	"innkeeper/shared/httpapi/headers"
	"innkeeper/shared/httpcount"
)

// Sources are what a scrape reads besides Redis.
type Sources struct {
	// Bookings counts reservations by hotel: created (every one ever),
	// and those that reached the terminal states cancelled and expired,
	// which only grow; Current by the state they are in now. The store's
	// BookingCounts is one.
	Bookings func(ctx context.Context) (total []booking.ReservationCount, current []booking.ReservationCount, err error)
	// Gauges are figures read at scrape: queue depth, DLQ depth, outbox
	// lag, by metric name.
	Gauges map[string]func(ctx context.Context) (float64, error)
}

// Collector reads every figure at scrape time.
type Collector struct {
	Recorder *httpcount.Recorder
	Sources  Sources
	Log      *slog.Logger
	Timeout  time.Duration
}

var (
	requestsDesc = prometheus.NewDesc("hotel_http_requests_total", "HTTP requests served, across every invocation.",
		[]string{"method", "route", "status"}, nil)
	durationDesc = prometheus.NewDesc("hotel_http_request_duration_seconds", "Time to serve an HTTP request, by route.",
		[]string{"route"}, nil)
	bookingsDesc = prometheus.NewDesc("hotel_bookings_total", "Reservations made (status created) and those cancelled or expired, by hotel.",
		[]string{"hotel", "status"}, nil)
	reservationsDesc = prometheus.NewDesc("hotel_reservations", "Reservations by the state they are in now, by hotel.",
		[]string{"hotel", "status"}, nil)
	scrapeDesc = prometheus.NewDesc("hotel_metrics_scrape_errors", "Sources that failed during this scrape.", []string{"source"}, nil)
)

// Describe sends the static descriptions.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{requestsDesc, durationDesc, bookingsDesc, reservationsDesc, scrapeDesc} {
		ch <- d
	}
}

// Collect reads Redis, PostgreSQL and the gauges. A failed source is
// reported as a scrape error metric and the others still show.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	failed := func(source string, err error) {
		if c.Log != nil {
			c.Log.WarnContext(ctx, "metrics source failed", slog.String("source", source), slog.String("error", err.Error()))
		}
		ch <- prometheus.MustNewConstMetric(scrapeDesc, prometheus.GaugeValue, 1, source)
	}
	if err := c.collectHTTP(ctx, ch); err != nil {
		failed("redis", err)
	}
	if c.Sources.Bookings != nil {
		total, current, err := c.Sources.Bookings(ctx)
		if err != nil {
			failed("postgres", err)
		}
		for _, b := range total {
			ch <- prometheus.MustNewConstMetric(bookingsDesc, prometheus.CounterValue, float64(b.Count), b.Hotel, b.Status)
		}
		for _, b := range current {
			ch <- prometheus.MustNewConstMetric(reservationsDesc, prometheus.GaugeValue, float64(b.Count), b.Hotel, b.Status)
		}
	}
	for name, read := range c.Sources.Gauges {
		v, err := read(ctx)
		if err != nil {
			failed(name, err)
			continue
		}
		ch <- prometheus.MustNewConstMetric(prometheus.NewDesc(name, gaugeHelp[name], nil, nil), prometheus.GaugeValue, v)
	}
}

// gaugeHelp describes the gauges the API registers.
var gaugeHelp = map[string]string{
	"hotel_queue_depth":        "Messages waiting in the events queue.",
	"hotel_dlq_depth":          "Messages in the events dead-letter queue.",
	"hotel_outbox_lag_seconds": "Age of the oldest unpublished outbox event.",
	"hotel_outbox_pending":     "Outbox events not yet published.",
}

func (c *Collector) collectHTTP(ctx context.Context, ch chan<- prometheus.Metric) error {
	r := c.Recorder
	if r == nil || r.Redis == nil {
		return nil
	}
	var reqs, durs *redis.MapStringStringCmd
	if _, err := r.Redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		reqs = p.HGetAll(ctx, r.RequestsKey())
		durs = p.HGetAll(ctx, r.DurationKey())
		return nil
	}); err != nil {
		return fmt.Errorf("metrics: read counters: %w", err)
	}
	for field, v := range reqs.Val() {
		parts := strings.Split(field, httpcount.Sep)
		n, err := strconv.ParseFloat(v, 64)
		if len(parts) != 3 || err != nil {
			continue
		}
		ch <- prometheus.MustNewConstMetric(requestsDesc, prometheus.CounterValue, n, parts[0], parts[1], parts[2])
	}
	type hist struct {
		counts []uint64
		sum    float64
	}
	byRoute := map[string]*hist{}
	for field, v := range durs.Val() {
		route, what, ok := strings.Cut(field, httpcount.Sep)
		if !ok {
			continue
		}
		h := byRoute[route]
		if h == nil {
			h = &hist{counts: make([]uint64, len(httpcount.Buckets)+1)}
			byRoute[route] = h
		}
		if what == "sum" {
			h.sum, _ = strconv.ParseFloat(v, 64)
			continue
		}
		i, err1 := strconv.Atoi(what)
		n, err2 := strconv.ParseUint(v, 10, 64)
		if err1 == nil && err2 == nil && i >= 0 && i <= len(httpcount.Buckets) {
			h.counts[i] = n
		}
	}
	for route, h := range byRoute {
		cumulative := map[float64]uint64{}
		var running uint64
		for i, le := range httpcount.Buckets {
			running += h.counts[i]
			cumulative[le] = running
		}
		count := running + h.counts[len(httpcount.Buckets)]
		ch <- prometheus.MustNewConstHistogram(durationDesc, count, h.sum, cumulative, route)
	}
	return nil
}

// Handler serves the collector in the text exposition format to callers
// with the bearer token; without a token configured it answers 404, so
// an unconfigured deployment does not expose its figures.
func Handler(token string, c *Collector) http.Handler {
	reg := prometheus.NewRegistry()
	reg.MustRegister(c)
	inner := promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return headers.Secure(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token == "" {
			http.NotFound(w, r)
			return
		}
		given, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(given), []byte(token)) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"type":"https://innkeeper.example/problems/unauthorized","title":"Unauthorized","status":401,"detail":"GET /metrics needs the bearer token METRICS_TOKEN."}` + "\n"))
			return
		}
		inner.ServeHTTP(w, r)
	}))
}
