// Package scrape wires GET /metrics for the metrics function: the
// request counters in Redis, the bookings in PostgreSQL, the queue and
// outbox gauges. It is apart from shared/bootstrap so that only the
// metrics function links the Prometheus libraries.
package scrape

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"innkeeper/shared/bootstrap"
	"innkeeper/shared/bootstrap/sqsclient"
	"innkeeper/shared/config"
	"innkeeper/shared/httpcount"
	"innkeeper/shared/promtext"
	"innkeeper/shared/queue"
	"innkeeper/shared/redisclient"
)

// Options are for tests: a schema to confine the store to, a clock.
type Options struct {
	SearchPath string
	Clock      func() time.Time
}

// New is the /metrics handler the configuration names.
func New(ctx context.Context, cfg config.Config, log *slog.Logger, o Options) (http.Handler, error) {
	st, err := bootstrap.Store(ctx, cfg, o.SearchPath)
	if err != nil {
		return nil, err
	}
	c, err := redisclient.FromConfig(cfg)
	if err != nil {
		return nil, err
	}
	clock := o.Clock
	if clock == nil {
		clock = time.Now
	}
	gauges := map[string]func(context.Context) (float64, error){
		"hotel_outbox_pending": func(ctx context.Context) (float64, error) {
			n, _, err := st.OutboxLag(ctx, clock())
			return float64(n), err
		},
		"hotel_outbox_lag_seconds": func(ctx context.Context) (float64, error) {
			_, age, err := st.OutboxLag(ctx, clock())
			return age.Seconds(), err
		},
	}
	q, err := sqsclient.New(cfg)
	if err != nil {
		return nil, err
	}
	if q != nil {
		gauges["hotel_queue_depth"] = func(ctx context.Context) (float64, error) {
			d, err := queue.QueueDepth(ctx, q, cfg.EventsQueueURL)
			return float64(d.Visible + d.InFlight + d.Delayed), err
		}
		if cfg.EventsDLQURL != "" {
			gauges["hotel_dlq_depth"] = func(ctx context.Context) (float64, error) {
				d, err := queue.QueueDepth(ctx, q, cfg.EventsDLQURL)
				return float64(d.Visible + d.InFlight), err
			}
		}
	}
	col := &promtext.Collector{
		Recorder: &httpcount.Recorder{Redis: c.Redis(), Prefix: cfg.RedisKeyPrefix, Log: log},
		Sources:  promtext.Sources{Bookings: st.BookingCounts, Gauges: gauges},
		Log:      log,
	}
	return promtext.Handler(cfg.MetricsToken, col), nil
}
