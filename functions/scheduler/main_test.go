package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/local/testenv"
	"innkeeper/shared/jobs"
	"innkeeper/shared/logging"
	"innkeeper/shared/pricing"
	"innkeeper/shared/store"
	"innkeeper/shared/topology"
)

func readEvent(t *testing.T, name string) events.EventBridgeEvent {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("../../events/scheduler", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev events.EventBridgeEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" || !strings.HasSuffix(ev.Resources[0], "rule/innkeeper-"+name) {
		t.Fatalf("%s is not a scheduled event of its rule: %+v", name, ev)
	}
	return ev
}

// Every schedule of the manifest has its sample event, and the job it
// names exists.
func TestEverySchedulesEvent(t *testing.T) {
	for _, s := range topology.Innkeeper.Schedules {
		if s.Function != "scheduler" {
			continue
		}
		ev := readEvent(t, s.Name)
		var d map[string]string
		_ = json.Unmarshal(ev.Detail, &d)
		if d["job"] != s.Detail["job"] {
			t.Errorf("%s: detail %v, manifest %v", s.Name, d, s.Detail)
		}
	}
}

func TestJobs(t *testing.T) {
	api := testenv.NewAPI(t, testenv.APIOptions{NoRelay: true})
	r := &jobs.Runner{Store: api.Store, Log: logging.Discard()}
	ctx := context.Background()

	// The demo hold (made at 10:00 at the test clock) is due at 10:15.
	res, err := r.Handle(ctx, readEvent(t, "expire-holds"))
	if err != nil || res.Count["expired"] != 1 {
		t.Fatalf("expire-holds: %+v %v", res, err)
	}
	if n := api.Int(t, `SELECT count(*) FROM reservations WHERE reference = 'INK-DEM0X2' AND status = 'expired'`); n != 1 {
		t.Fatal("the hold was not expired")
	}
	if n := api.Int(t, `SELECT sum(sold) FROM inventory i JOIN room_types rt ON rt.id = i.room_type_id
		JOIN hotels h ON h.id = rt.hotel_id WHERE h.slug = 'lisbon-riverside' AND rt.code = 'DLX'`); n != 0 {
		t.Fatalf("the expired hold still holds %d nights", n)
	}
	if n := api.Int(t, `SELECT count(*) FROM outbox WHERE aggregate_id = 'INK-DEM0X2' AND event_type = 'reservation.expired'`); n != 1 {
		t.Fatal("no expired event in the outbox")
	}
	// Twice changes nothing more.
	if res, _ := r.Handle(ctx, readEvent(t, "expire-holds")); res.Count["expired"] != 0 {
		t.Fatalf("second run expired %d", res.Count["expired"])
	}

	// 29 December, 08:00: the demo booking arrives on the 31st.
	for run := 1; run <= 2; run++ {
		res, err = r.Handle(ctx, readEvent(t, "arrival-reminders"))
		want := map[int]int{1: 1, 2: 0}[run]
		if err != nil || res.Count["queued"] != want {
			t.Fatalf("arrival-reminders run %d: %+v %v, want %d queued", run, res, err, want)
		}
	}

	api.Exec(t, `INSERT INTO idempotency_receipts (scope, key, fingerprint, status, body, expires_at)
		VALUES ('public', 'old', '\x00', 201, '{}', '2026-12-01T00:00:00Z')`)
	res, err = r.Handle(ctx, readEvent(t, "cleanup"))
	if err != nil || res.Count["receipts"] != 1 {
		t.Fatalf("cleanup: %+v %v", res, err)
	}

	// Without a queue the sweep fails, and the failure is recorded.
	if _, err := r.Handle(ctx, readEvent(t, "outbox-sweep")); err == nil {
		t.Fatal("a sweep with no queue must fail")
	}
	runs, _ := api.Store.JobRuns(ctx)
	byJob := map[string]store.JobRun{}
	for _, run := range runs {
		byJob[run.Job] = run
	}
	if byJob["expire-holds"].LastSucceeded == nil || byJob["outbox-sweep"].LastError == "" || byJob["outbox-sweep"].LastSucceeded != nil {
		t.Fatalf("job runs %+v", runs)
	}

	_, err = r.Handle(ctx, events.EventBridgeEvent{Detail: json.RawMessage(`{"job":"make-coffee"}`)})
	if !errors.Is(err, jobs.ErrUnknownJob) {
		t.Fatalf("unknown job: %v", err)
	}
}

// The fixed-cost accrual writes the real ledger: yesterday's rows, once
// however often it runs, at the figures pricing gives.
func TestAccrueFixedCostsIntoTheLedger(t *testing.T) {
	st := testenv.Store(t)
	ctx := context.Background()
	r := &jobs.Runner{Store: st, Log: logging.Discard(), Function: "scheduler", Ledger: st, Stage: "local", Region: "eu-west-1"}
	ev := readEvent(t, "accrue-fixed-costs") // 3 December, 00:15
	for run := 1; run <= 2; run++ {
		if res, err := r.Handle(ctx, ev); err != nil || res.Count["days"] != 1 {
			t.Fatalf("run %d: %+v %v", run, res, err)
		}
	}
	dec2 := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	rows, err := st.FixedCostDays(ctx, dec2, dec2.AddDate(0, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	f, err := pricing.FixedIn(pricing.StageStaging, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	want, err := pricing.FixedDays(f, "local", dec2)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d (one per item, once)", len(rows), len(want))
	}
	for i, r := range rows {
		w := want[slices.IndexFunc(want, func(w pricing.FixedCostDay) bool { return w.Item == r.Item })]
		if !r.Day.Equal(dec2) || r.Amount != w.Amount || r.Service != w.Service || r.Stage != "local" {
			t.Errorf("row %d: %+v, want %+v", i, r, w)
		}
	}
}
