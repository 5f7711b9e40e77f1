package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/shared/booking"
	"innkeeper/shared/jobs"
	"innkeeper/shared/logging"
	"innkeeper/shared/queue"
	"innkeeper/shared/queue/queuetest"
	"innkeeper/shared/topology"
)

// fakeStore is a jobs.Store in memory. The booking methods the jobs do
// not use are left to the embedded nil interface: calling one panics.
type fakeStore struct {
	booking.Store

	mu sync.Mutex
	// holds maps a held reservation to its expiry; expired lists those
	// the hold expiry moved on.
	holds   map[string]time.Time
	expired []string
	// reminders is what QueueArrivalReminders returns; remindedAt and
	// remindedDays what it was asked.
	reminders    []string
	remindedAt   time.Time
	remindedDays int
	// receipts, events and audit are what Cleanup deleted; cleanedAt,
	// kept and keptAudit what it was asked.
	receipts, events, audit int64
	cleanedAt               time.Time
	kept, keptAudit         time.Duration
	// fail makes the named method fail with its error.
	fail map[string]error
	runs map[string]*run
}

// run is what StartJob and FinishJob recorded of a job.
type run struct {
	started, finished time.Time
	result            any
	err               error
}

func newFakeStore() *fakeStore {
	return &fakeStore{holds: map[string]time.Time{}, fail: map[string]error{}, runs: map[string]*run{}}
}

func (s *fakeStore) DueHolds(ctx context.Context, now time.Time, limit int) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail["DueHolds"]; err != nil {
		return nil, err
	}
	var due []string
	for _, ref := range slices.Sorted(maps.Keys(s.holds)) {
		if s.holds[ref].Before(now) && len(due) < limit {
			due = append(due, ref)
		}
	}
	return due, nil
}

func (s *fakeStore) Transition(ctx context.Context, reference string, decide func(booking.Reservation) (booking.Transition, error), _ *booking.Receipt) (booking.Reservation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	expiry, ok := s.holds[reference]
	if !ok {
		return booking.Reservation{}, booking.ErrNotFound
	}
	r := booking.Reservation{Reference: reference, Status: booking.StatusHeld, HoldExpiresAt: &expiry}
	tr, err := decide(r)
	if err != nil {
		return r, err
	}
	delete(s.holds, reference)
	s.expired = append(s.expired, reference)
	r.Status = tr.To
	return r, nil
}

func (s *fakeStore) StartJob(ctx context.Context, job string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail["StartJob"]; err != nil {
		return err
	}
	s.runs[job] = &run{started: at}
	return nil
}

func (s *fakeStore) FinishJob(ctx context.Context, job string, at time.Time, result any, jobErr error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fail["FinishJob"]; err != nil {
		return err
	}
	r := s.runs[job]
	r.finished, r.result, r.err = at, result, jobErr
	return nil
}

func (s *fakeStore) QueueArrivalReminders(ctx context.Context, now time.Time, days int) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.remindedAt, s.remindedDays = now, days
	return s.reminders, s.fail["QueueArrivalReminders"]
}

func (s *fakeStore) Cleanup(ctx context.Context, now time.Time, keep, keepAudit time.Duration) (int64, int64, int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cleanedAt, s.kept, s.keptAudit = now, keep, keepAudit
	if err := s.fail["Cleanup"]; err != nil {
		return 0, 0, 0, err
	}
	return s.receipts, s.events, s.audit, nil
}

var at = time.Date(2026, 12, 29, 8, 0, 0, 0, time.UTC)

// scheduled is the event EventBridge sends for job at instant at.
func scheduled(job string) events.EventBridgeEvent {
	detail, _ := json.Marshal(map[string]string{"job": job})
	return events.EventBridgeEvent{DetailType: "Scheduled Event", Source: "aws.events", Time: at, Detail: detail}
}

// fixture is a runner over a fake store, with a relay over an in-memory
// outbox and SQS.
type fixture struct {
	runner *jobs.Runner
	store  *fakeStore
	outbox *queuetest.Outbox
	sqs    *queuetest.SQS
}

func newFixture() fixture {
	st, o, q := newFakeStore(), &queuetest.Outbox{}, &queuetest.SQS{}
	relay := &queue.Relay{Outbox: o, Publisher: queue.Publisher{Client: q, QueueURL: "q"}, Log: logging.Discard(), Timeout: time.Second}
	return fixture{&jobs.Runner{Store: st, Relay: relay, Log: logging.Discard(), Function: "scheduler"}, st, o, q}
}

// Each job the scheduled event names runs its own work, as of the event's
// time, and its run is recorded with its result.
func TestEachJobRunsItsWork(t *testing.T) {
	tests := []struct {
		name  string
		job   string
		setup func(f fixture)
		want  map[string]int
		check func(t *testing.T, f fixture)
	}{
		{
			name: "expire-holds expires the holds due and publishes their events",
			job:  jobs.ExpireHolds,
			setup: func(f fixture) {
				f.store.holds["INK-AAAAAA"] = at.Add(-time.Minute)
				f.store.holds["INK-BBBBBB"] = at.Add(-time.Hour)
				f.store.holds["INK-CCCCCC"] = at.Add(time.Minute)
				f.outbox.Add("reservation.expired", "INK-AAAAAA", []byte(`{}`), at)
				f.outbox.Add("reservation.expired", "INK-BBBBBB", []byte(`{}`), at)
			},
			want: map[string]int{"expired": 2},
			check: func(t *testing.T, f fixture) {
				if !slices.Equal(f.store.expired, []string{"INK-AAAAAA", "INK-BBBBBB"}) || len(f.store.holds) != 1 {
					t.Errorf("expired %v, still held %v", f.store.expired, f.store.holds)
				}
				if got := f.outbox.Unpublished(); len(got) != 0 {
					t.Errorf("the expired holds' events %v were not flushed", got)
				}
			},
		},
		{
			name: "outbox-sweep publishes the events older than the sweep age",
			job:  jobs.OutboxSweep,
			setup: func(f fixture) {
				f.outbox.Add("reservation.held", "INK-AAAAAA", []byte(`{}`), at.Add(-jobs.SweepAge-time.Second))
				f.outbox.Add("reservation.held", "INK-BBBBBB", []byte(`{}`), at.Add(-time.Second))
			},
			want: map[string]int{"published": 1},
			check: func(t *testing.T, f fixture) {
				if got := f.outbox.Unpublished(); !slices.Equal(got, []int64{2}) {
					t.Errorf("unpublished %v, want the recent [2] left to its own flush", got)
				}
			},
		},
		{
			name: "arrival-reminders queues the reminders and publishes them",
			job:  jobs.ArrivalReminders,
			setup: func(f fixture) {
				f.store.reminders = []string{"INK-AAAAAA", "INK-BBBBBB"}
				f.outbox.Add("reservation.reminder", "INK-AAAAAA", []byte(`{}`), at)
				f.outbox.Add("reservation.reminder", "INK-BBBBBB", []byte(`{}`), at)
			},
			want: map[string]int{"queued": 2},
			check: func(t *testing.T, f fixture) {
				if !f.store.remindedAt.Equal(at) || f.store.remindedDays != jobs.ReminderDays {
					t.Errorf("reminders asked for %v, %d days; want %v, %d", f.store.remindedAt, f.store.remindedDays, at, jobs.ReminderDays)
				}
				if got := f.sqs.OutboxIDs(); !slices.Equal(got, []int64{1, 2}) {
					t.Errorf("SQS took %v, want the two reminders", got)
				}
			},
		},
		{
			name:  "cleanup deletes old receipts, published events and audit rows",
			job:   jobs.Cleanup,
			setup: func(f fixture) { f.store.receipts, f.store.events, f.store.audit = 3, 5, 2 },
			want:  map[string]int{"receipts": 3, "events": 5, "audit": 2},
			check: func(t *testing.T, f fixture) {
				if !f.store.cleanedAt.Equal(at) || f.store.kept != jobs.KeepPublished {
					t.Errorf("cleanup asked for %v keeping %v; want %v keeping %v", f.store.cleanedAt, f.store.kept, at, jobs.KeepPublished)
				}
				if f.store.keptAudit != jobs.KeepAudit || jobs.KeepAudit != 365*24*time.Hour {
					t.Errorf("cleanup kept the audit trail %v; want a year", f.store.keptAudit)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			tt.setup(f)
			res, err := f.runner.Handle(context.Background(), scheduled(tt.job))
			if err != nil {
				t.Fatal(err)
			}
			want := jobs.Result{Job: tt.job, At: at, Count: tt.want}
			if !reflect.DeepEqual(res, want) {
				t.Fatalf("result %+v, want %+v", res, want)
			}
			if len(f.store.runs) != 1 {
				t.Fatalf("runs recorded for %v, want %s only", slices.Collect(maps.Keys(f.store.runs)), tt.job)
			}
			r := f.store.runs[tt.job]
			if r == nil || !r.started.Equal(at) || !r.finished.Equal(at) || r.err != nil || !reflect.DeepEqual(r.result, want) {
				t.Fatalf("run recorded as %+v, want started and finished at %v with %+v", r, at, want)
			}
			tt.check(t, f)
		})
	}
}

// Every job the manifest schedules is one the runner knows.
func TestEveryScheduledJobIsKnown(t *testing.T) {
	n := 0
	for _, s := range topology.Innkeeper.Schedules {
		if s.Function != "scheduler" {
			continue
		}
		n++
		t.Run(s.Name, func(t *testing.T) {
			f := newFixture()
			_, err := f.runner.Handle(context.Background(), scheduled(s.Detail["job"]))
			if errors.Is(err, jobs.ErrUnknownJob) {
				t.Fatalf("the schedule names job %q, which the runner does not know", s.Detail["job"])
			}
		})
	}
	if n == 0 {
		t.Fatal("the manifest schedules no job for the scheduler")
	}
}

func TestNoJobToRun(t *testing.T) {
	tests := []struct {
		name    string
		detail  string
		unknown bool // errors.Is ErrUnknownJob, else a malformed detail
	}{
		{"an unknown job", `{"job":"make-coffee"}`, true},
		{"no job named", `{}`, true},
		{"no detail", ``, true},
		{"a job name differing in case", `{"job":"Cleanup"}`, true},
		{"malformed detail", `{"job":`, false},
		{"a job name that is not a string", `{"job":7}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			_, err := f.runner.Handle(context.Background(), events.EventBridgeEvent{Time: at, Detail: json.RawMessage(tt.detail)})
			if err == nil || errors.Is(err, jobs.ErrUnknownJob) != tt.unknown {
				t.Fatalf("error %v; want one that is ErrUnknownJob: %v", err, tt.unknown)
			}
			if len(f.store.runs) != 0 {
				t.Fatalf("a run was recorded: %v", f.store.runs)
			}
		})
	}
}

// A job that fails is recorded as failed, with its error, and the
// scheduler sees the failure.
func TestFailedRunsAreRecorded(t *testing.T) {
	errDB := errors.New("database down")
	tests := []struct {
		name  string
		job   string
		setup func(f fixture)
		cause error // errors.Is the returned error, when set
	}{
		{"the work fails", jobs.Cleanup, func(f fixture) { f.store.fail["Cleanup"] = errDB }, errDB},
		{"the booking service fails", jobs.ExpireHolds, func(f fixture) { f.store.fail["DueHolds"] = errDB }, errDB},
		{"reminders fail", jobs.ArrivalReminders, func(f fixture) { f.store.fail["QueueArrivalReminders"] = errDB }, errDB},
		{"no queue to sweep to", jobs.OutboxSweep, func(f fixture) { f.runner.Relay = nil }, nil},
		{"SQS down during the sweep", jobs.OutboxSweep, func(f fixture) {
			f.outbox.Add("reservation.held", "INK-AAAAAA", []byte(`{}`), at.Add(-time.Hour))
			f.sqs.Err = errDB
		}, errDB},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture()
			tt.setup(f)
			_, err := f.runner.Handle(context.Background(), scheduled(tt.job))
			if err == nil || !strings.Contains(err.Error(), tt.job) {
				t.Fatalf("error %v, want one naming the job %s", err, tt.job)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Fatalf("error %v does not wrap %v", err, tt.cause)
			}
			r := f.store.runs[tt.job]
			if r == nil || r.err == nil || !r.finished.Equal(at) {
				t.Fatalf("run recorded as %+v, want it failed at %v", r, at)
			}
		})
	}
}

func TestRecordingFails(t *testing.T) {
	errDB := errors.New("database down")
	t.Run("at the start: the work does not run", func(t *testing.T) {
		f := newFixture()
		f.store.fail["StartJob"] = errDB
		f.store.receipts = 3
		res, err := f.runner.Handle(context.Background(), scheduled(jobs.Cleanup))
		if !errors.Is(err, errDB) || !f.store.cleanedAt.IsZero() || res.Count["receipts"] != 0 {
			t.Fatalf("got %+v, %v, cleaned at %v; want the error and no cleanup", res, err, f.store.cleanedAt)
		}
	})
	t.Run("at the end of a good run: the run fails", func(t *testing.T) {
		f := newFixture()
		f.store.fail["FinishJob"] = errDB
		f.store.receipts = 3
		res, err := f.runner.Handle(context.Background(), scheduled(jobs.Cleanup))
		if !errors.Is(err, errDB) || res.Count["receipts"] != 3 {
			t.Fatalf("got %+v, %v; want the cleanup done and the error", res, err)
		}
	})
}

// Without a time in the event the job runs as of now.
func TestRunsAsOfNowWithoutATime(t *testing.T) {
	f := newFixture()
	ev := scheduled(jobs.Cleanup)
	ev.Time = time.Time{}
	before := time.Now()
	res, err := f.runner.Handle(context.Background(), ev)
	after := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	if res.At.Before(before) || res.At.After(after) || !f.store.cleanedAt.Equal(res.At) || !f.store.runs[jobs.Cleanup].started.Equal(res.At) {
		t.Fatalf("ran at %v (cleanup at %v), want between %v and %v", res.At, f.store.cleanedAt, before, after)
	}
}
