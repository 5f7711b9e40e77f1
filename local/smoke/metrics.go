package smoke

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// counters are the figures of GET /metrics the run watches grow.
type counters struct {
	// requests is hotel_http_requests_total summed over every label.
	requests float64
	// created is hotel_bookings_total{status="created"} summed over the
	// hotels.
	created float64
}

// parseCounters reads the counters from Prometheus's text format. A
// family that is absent counts as zero: a fresh stage has served nothing.
func parseCounters(text []byte) (counters, error) {
	parser := expfmt.NewTextParser(model.LegacyValidation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		return counters{}, fmt.Errorf("not Prometheus text: %w", err)
	}
	var c counters
	if f, ok := families["hotel_http_requests_total"]; ok {
		for _, m := range f.GetMetric() {
			c.requests += m.GetCounter().GetValue() + m.GetUntyped().GetValue()
		}
	}
	if f, ok := families["hotel_bookings_total"]; ok {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "status" && l.GetValue() == "created" {
					c.created += m.GetCounter().GetValue() + m.GetUntyped().GetValue()
				}
			}
		}
	}
	return c, nil
}

// scrape reads GET /metrics with the bearer token. It is not counted
// among the API's requests: the API does not serve it.
func (r *run) scrape(ctx context.Context) (counters, error) {
	a, err := r.get(ctx, r.base+"/metrics", "Authorization", "Bearer "+r.cfg.MetricsToken,
		"Accept", "text/plain; version=0.0.4")
	if err != nil {
		return counters{}, err
	}
	if a.status != http.StatusOK {
		return counters{}, fmt.Errorf("%s", a.summary())
	}
	c, err := parseCounters(a.body)
	if err != nil {
		return counters{}, fmt.Errorf("%d, %w", a.status, err)
	}
	return c, nil
}

func (r *run) metricsBefore(ctx context.Context) outcome {
	if r.cfg.MetricsToken == "" {
		return skip("no METRICS_TOKEN")
	}
	c, err := r.scrape(ctx)
	if err != nil {
		return fail("%v", err)
	}
	r.before, r.sinceThen = &c, r.apiRequests
	return pass("200, hotel_http_requests_total %g, hotel_bookings_total{status=\"created\"} %g", c.requests, c.created)
}

// metricsAfter waits for the counters to show this run: every API request
// made since the first scrape, and the booking if one was made. Other
// traffic only adds, so each must have grown by at least as much.
func (r *run) metricsAfter(ctx context.Context) outcome {
	switch {
	case r.cfg.MetricsToken == "":
		return skip("no METRICS_TOKEN")
	case r.before == nil:
		return skip("no first scrape (metrics-before did not pass)")
	}
	wantRequests := float64(r.apiRequests - r.sinceThen)
	wantCreated := 0.0
	if r.ref != "" {
		wantCreated = 1
	}
	ctx, cancel := context.WithTimeout(ctx, metricsWait)
	defer cancel()
	var gotRequests, gotCreated float64
	var lastErr error
	for {
		c, err := r.scrape(ctx)
		if err != nil && ctx.Err() == nil {
			lastErr = err
		}
		if err == nil {
			lastErr = nil
			gotRequests, gotCreated = c.requests-r.before.requests, c.created-r.before.created
			if gotRequests >= wantRequests && gotCreated >= wantCreated {
				return pass("200, hotel_http_requests_total +%g (≥ %g), hotel_bookings_total{status=\"created\"} +%g (≥ %g)",
					gotRequests, wantRequests, gotCreated, wantCreated)
			}
		}
		select {
		case <-ctx.Done():
			if lastErr != nil {
				return fail("%v", lastErr)
			}
			return fail("after %v, hotel_http_requests_total +%g (want ≥ %g), hotel_bookings_total{status=\"created\"} +%g (want ≥ %g)",
				metricsWait, gotRequests, wantRequests, gotCreated, wantCreated)
		case <-time.After(pollEvery):
		}
	}
}
