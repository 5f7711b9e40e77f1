package apiserver

import (
	"context"
	"fmt"
	"strings"
	"time"

	"innkeeper/shared/config"
	"innkeeper/shared/health"
	"innkeeper/shared/queue"
	"innkeeper/shared/sqsjson"
	"innkeeper/shared/store"
	"innkeeper/shared/topology"
)

// outboxLagLimit is how old an unpublished event may get before /health
// warns: the sweep runs every minute and takes events over 30 s old.
const outboxLagLimit = 2 * time.Minute

func outboxGauge(st *store.Store, now func() time.Time) health.Gauge {
	return health.Gauge{Name: "outbox", Read: func(ctx context.Context) (any, string, error) {
		n, age, err := st.OutboxLag(ctx, now())
		if err != nil {
			return nil, "", err
		}
		warn := ""
		if age > outboxLagLimit {
			warn = fmt.Sprintf("outbox: oldest unpublished event is %v old", age.Round(time.Second))
		}
		return map[string]any{"unpublished": n, "oldest_age_s": int(age.Seconds())}, warn, nil
	}}
}

func queueGauge(q *sqsjson.Client, cfg config.Config) health.Gauge {
	return health.Gauge{Name: "queue", Read: func(ctx context.Context) (any, string, error) {
		d, err := queue.QueueDepth(ctx, q, cfg.EventsQueueURL)
		if err != nil {
			return nil, "", err
		}
		out := map[string]any{"events": d}
		warn := ""
		if cfg.EventsDLQURL != "" {
			dlq, err := queue.QueueDepth(ctx, q, cfg.EventsDLQURL)
			if err != nil {
				return nil, "", err
			}
			out["dead_letters"] = dlq.Visible + dlq.InFlight
			if n := dlq.Visible + dlq.InFlight; n > 0 {
				warn = fmt.Sprintf("queue: %d messages in the dead-letter queue (redrive: POST /v1/admin/queues/events/redrive)", n)
			}
		}
		return out, warn, nil
	}}
}

// jobsGauge reports each scheduled job's last run and warns when one has
// not succeeded within its manifest's MaxGap.
func jobsGauge(st *store.Store, now func() time.Time) health.Gauge {
	return health.Gauge{Name: "jobs", Read: func(ctx context.Context) (any, string, error) {
		runs, err := st.JobRuns(ctx)
		if err != nil {
			return nil, "", err
		}
		byName := map[string]store.JobRun{}
		for _, r := range runs {
			byName[r.Job] = r
		}
		var trouble []string
		out := map[string]any{}
		for _, s := range topology.Innkeeper.Schedules {
			r := byName[s.Name]
			// A job that never ran is not late: a fresh stack has not
			// reached its daily jobs yet. One whose last success is older
			// than its gap is, and one whose last run failed is failing.
			late := r.LastSucceeded != nil && now().Sub(*r.LastSucceeded) > s.MaxGap
			failing := r.LastFailed != nil && (r.LastSucceeded == nil || r.LastFailed.After(*r.LastSucceeded))
			entry := map[string]any{"schedule": s.Expression, "last_run": r.LastStarted, "last_success": r.LastSucceeded,
				"late": late, "failing": failing}
			if failing {
				entry["last_error"] = r.LastError
			}
			switch {
			case failing:
				trouble = append(trouble, s.Name+" failing")
			case late:
				trouble = append(trouble, s.Name+" late")
			}
			out[s.Name] = entry
		}
		warn := ""
		if len(trouble) > 0 {
			warn = "jobs: " + strings.Join(trouble, ", ")
		}
		return out, warn, nil
	}}
}
