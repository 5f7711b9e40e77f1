// Package jobs is the scheduled work, each job an EventBridge rule in the
// manifest whose scheduled event names the job in its detail: expiring
// holds, sweeping the outbox, queueing arrival reminders, cleaning up and
// accruing the stage's fixed costs into the cost ledger (fixedcosts.go),
// reading the AWS bill beside the ledger (bill.go), and closing each
// hotel's business day with its night audit (nightaudit.go).
// Each run is recorded, so /health can tell when a job is late.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/shared/booking"
	"innkeeper/shared/meter"
	"innkeeper/shared/queue"
)

// The jobs.
const (
	ExpireHolds      = booking.ActorExpireHolds // its audit rows' actor
	OutboxSweep      = "outbox-sweep"
	ArrivalReminders = "arrival-reminders"
	Cleanup          = "cleanup"
	ReconcileBill    = "reconcile-bill"
)

// Tunables of the jobs.
const (
	// SweepAge: an event unpublished this long was missed by its command's
	// own flush (a crash, SQS down) and the sweep sends it.
	SweepAge = 30 * time.Second
	// ReminderDays before check-in a guest is reminded.
	ReminderDays = 2
	// KeepPublished is how long published events stay in the outbox.
	KeepPublished = 7 * 24 * time.Hour
	// KeepAudit is how long the audit trail keeps a row: a year, as the
	// trail is what answers who changed a booking or a price last season.
	KeepAudit = 365 * 24 * time.Hour
)

// ErrUnknownJob is a scheduled event for no known job.
var ErrUnknownJob = errors.New("jobs: unknown job")

// Store is the persistence the jobs need; package store implements it on
// PostgreSQL. Expiring holds runs the booking service, hence its Store.
type Store interface {
	booking.Store
	// StartJob records that job started at.
	StartJob(ctx context.Context, job string, at time.Time) error
	// FinishJob records how job ended: its result, or jobErr.
	FinishJob(ctx context.Context, job string, at time.Time, result any, jobErr error) error
	// QueueArrivalReminders writes a reminder event to the outbox for
	// each confirmed reservation arriving days after now at its hotel and
	// not reminded yet, and returns their references.
	QueueArrivalReminders(ctx context.Context, now time.Time, days int) ([]string, error)
	// Cleanup deletes expired idempotency receipts, the events published
	// more than keepEvents before now and the audit rows older than
	// keepAudit, and counts each.
	Cleanup(ctx context.Context, now time.Time, keepEvents, keepAudit time.Duration) (receipts, events, audit int64, err error)
}

// Runner runs the jobs.
type Runner struct {
	Store Store
	// Relay publishes events; nil leaves them for a later sweep.
	Relay *queue.Relay
	Log   *slog.Logger
	// Function is the name cost attribution knows the runner by.
	Function string
	// Bill is the export reconcile-bill reads (bill.go); the Store keeps
	// what it reads when it is a BillStore.
	Bill BillExport
	// Ledger, Stage and Region serve the fixed-cost accrual: the ledger
	// it writes, the stage it accrues (labelled so; priced as
	// PricedStage) and the region whose prices it uses.
	Ledger        FixedCostLedger
	Stage, Region string
}

// Result is what a run did, recorded with it.
type Result struct {
	Job   string         `json:"job"`
	At    time.Time      `json:"at"`
	Count map[string]int `json:"count"`
}

// Handle runs the job the scheduled event names, as of the event's time:
// the time EventBridge scheduled it (in the devstack, its clock's time,
// which tests move forward).
func (r *Runner) Handle(ctx context.Context, ev events.EventBridgeEvent) (Result, error) {
	var detail struct {
		Job string `json:"job"`
	}
	if len(ev.Detail) > 0 {
		if err := json.Unmarshal(ev.Detail, &detail); err != nil {
			return Result{}, fmt.Errorf("jobs: detail: %w", err)
		}
	}
	at := ev.Time
	if at.IsZero() {
		at = time.Now()
	}
	ctx, inv := meter.Begin(ctx, r.Log, r.Function, meter.TriggerSchedule, detail.Job, int64(len(ev.Detail)))
	defer inv.Log(ctx, r.Log)
	res := Result{Job: detail.Job, At: at, Count: map[string]int{}}
	run, ok := r.jobs()[detail.Job]
	if !ok {
		return res, fmt.Errorf("%w: %q", ErrUnknownJob, detail.Job)
	}
	if err := r.Store.StartJob(ctx, detail.Job, at); err != nil {
		return res, err
	}
	err := run(ctx, at, res.Count)
	if ferr := r.Store.FinishJob(ctx, detail.Job, at, res, err); ferr != nil && err == nil {
		err = ferr
	}
	if err != nil {
		r.Log.ErrorContext(ctx, "job failed", slog.String("job", detail.Job), slog.String("error", err.Error()))
		return res, fmt.Errorf("jobs: %s: %w", detail.Job, err)
	}
	r.Log.InfoContext(ctx, "job done", slog.String("job", detail.Job), slog.Any("count", res.Count))
	return res, nil
}

func (r *Runner) jobs() map[string]func(context.Context, time.Time, map[string]int) error {
	return map[string]func(context.Context, time.Time, map[string]int) error{
		ExpireHolds:      r.expireHolds,
		OutboxSweep:      r.outboxSweep,
		ArrivalReminders: r.arrivalReminders,
		Cleanup:          r.cleanup,
		ReconcileBill:    r.reconcileBill,
		AccrueFixedCosts: r.accrueFixedCosts,
		NightAudit:       r.nightAudit,
	}
}

func (r *Runner) flush(ctx context.Context, reference string) {
	meter.From(ctx).Reservation(reference)
	if r.Relay != nil {
		r.Relay.Flush(ctx, reference)
	}
}

func (r *Runner) expireHolds(ctx context.Context, at time.Time, count map[string]int) error {
	svc := booking.NewService(r.Store, func() time.Time { return at })
	svc.AfterCommit(r.flush)
	n, err := svc.ExpireHolds(ctx)
	count["expired"] = n
	return err
}

func (r *Runner) outboxSweep(ctx context.Context, at time.Time, count map[string]int) error {
	if r.Relay == nil {
		return errors.New("no queue configured (EVENTS_QUEUE_URL)")
	}
	n, err := r.Relay.Sweep(ctx, at, SweepAge)
	count["published"] = n
	return err
}

func (r *Runner) arrivalReminders(ctx context.Context, at time.Time, count map[string]int) error {
	refs, err := r.Store.QueueArrivalReminders(ctx, at, ReminderDays)
	count["queued"] = len(refs)
	for _, ref := range refs {
		r.flush(ctx, ref)
	}
	return err
}

func (r *Runner) cleanup(ctx context.Context, at time.Time, count map[string]int) error {
	receipts, events, audit, err := r.Store.Cleanup(ctx, at, KeepPublished, KeepAudit)
	count["receipts"], count["events"], count["audit"] = int(receipts), int(events), int(audit)
	return err
}
