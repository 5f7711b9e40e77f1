package schedule

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/local/clock"
	"innkeeper/local/sandbox"
	"innkeeper/local/testsync"
	"innkeeper/shared/topology"
)

// settle bounds a wait for the scheduler's goroutine.
const settle = 5 * time.Second

// fakeLambda stands in for Lambda's Invoke API: it records what it is
// sent and answers with results in turn, the last one repeated.
type fakeLambda struct {
	mu      sync.Mutex
	results []outcome
	calls   []invocation
}

type outcome struct {
	res sandbox.Result
	err error
}

type invocation struct {
	function string
	payload  []byte
}

func (f *fakeLambda) Invoke(_ context.Context, function string, payload []byte) (sandbox.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, invocation{function, bytes.Clone(payload)})
	r := outcome{res: sandbox.Result{Payload: []byte(`null`)}}
	if n := len(f.results); n > 0 {
		r = f.results[min(len(f.calls), n)-1]
	}
	r.res.RequestID = fmt.Sprintf("req-%d", len(f.calls))
	return r.res, r.err
}

func (f *fakeLambda) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// events decodes what the fake was sent.
func (f *fakeLambda) events(t *testing.T) []events.EventBridgeEvent {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []events.EventBridgeEvent
	for _, c := range f.calls {
		var ev events.EventBridgeEvent
		if err := json.Unmarshal(c.payload, &ev); err != nil {
			t.Fatalf("payload %s: %v", c.payload, err)
		}
		out = append(out, ev)
	}
	return out
}

var functionError = sandbox.Result{
	FunctionError: "Unhandled",
	Payload:       []byte(`{"errorMessage":"boom","errorType":"errorString"}`),
}

// run runs s until the test ends or stop is called; stop returns once
// Run has returned, so every invocation it started has ended.
func run(t *testing.T, s *Scheduler) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run: %v", err)
				}
			case <-time.After(5 * time.Second):
				t.Error("Run did not return after its context ended")
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

func TestRateFiresOnceAfterItsPeriod(t *testing.T) {
	clk := &clock.Clock{}
	fn := &fakeLambda{}
	s, err := New([]topology.Schedule{{Name: "tick", Expression: "rate(1 minute)", Function: "worker"}}, fn, Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	first := s.Status()[0].Next
	if d := first.Sub(clk.Now()); d <= 58*time.Second || d > time.Minute {
		t.Fatalf("first firing %s is %v away, want a minute from the start", first, d)
	}
	stop := run(t, s)
	clk.Advance(61 * time.Second)
	testsync.Eventually(t, settle, "the firing", func() bool { return fn.count() >= 1 })
	stop()

	evs := fn.events(t)
	if len(evs) != 1 {
		t.Fatalf("%d invocations, want 1", len(evs))
	}
	checkEvent(t, evs[0], "arn:aws:events:eu-west-1:000000000000:rule/innkeeper-tick", first, `{}`)
	st := s.Status()[0]
	if !st.LastFired.Equal(first) || !st.Next.Equal(first.Add(time.Minute)) || st.LastOutcome != OutcomeOK {
		t.Fatalf("status %+v, want fired at %s, next a minute later, ok", st, first)
	}
}

// TestJumpFiresOnceForTheLatest: moving the clock over many periods fires
// once, for the last period due, and the scheduler wakes from its sleep
// when the clock moves.
func TestJumpFiresOnceForTheLatest(t *testing.T) {
	clk := &clock.Clock{}
	fn := &fakeLambda{}
	s, err := New([]topology.Schedule{{Name: "tick", Expression: "rate(1 minute)", Function: "worker"}}, fn, Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	start := s.Status()[0].Next.Add(-time.Minute)
	run(t, s)

	clk.Advance(10*time.Minute + time.Second)
	testsync.Eventually(t, settle, "the first firing", func() bool { return fn.count() >= 1 })
	time.Sleep(20 * time.Millisecond) // Run is asleep until a minute from now
	clk.Advance(time.Minute)
	testsync.Eventually(t, settle, "the second firing", func() bool { return fn.count() >= 2 })

	evs := fn.events(t)
	if len(evs) != 2 {
		t.Fatalf("%d invocations, want 2", len(evs))
	}
	for i, want := range []time.Time{start.Add(10 * time.Minute), start.Add(11 * time.Minute)} {
		if !evs[i].Time.Equal(want) {
			t.Fatalf("invocation %d for %s, want %s", i, evs[i].Time, want)
		}
	}
}

func TestDailyCronFiresOnADayJump(t *testing.T) {
	clk := &clock.Clock{}
	fn := &fakeLambda{}
	s, err := New([]topology.Schedule{nightly}, fn, Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	due := s.Status()[0].Next
	if due.Hour() != 6 || due.Minute() != 0 || due.Second() != 0 || due.Sub(clk.Now()) > 24*time.Hour {
		t.Fatalf("next firing %s, want the coming 06:00 UTC", due)
	}
	stop := run(t, s)
	clk.Advance(24 * time.Hour)
	testsync.Eventually(t, settle, "the daily firing", func() bool { return fn.count() >= 1 })
	stop()

	evs := fn.events(t)
	if len(evs) != 1 {
		t.Fatalf("%d invocations, want 1", len(evs))
	}
	checkEvent(t, evs[0], "arn:aws:events:eu-west-1:000000000000:rule/innkeeper-nightly-reminders", due,
		`{"job":"reminders","note":"a<b & c"}`)
	if fn.calls[0].function != "worker" {
		t.Fatalf("invoked %q, want worker", fn.calls[0].function)
	}
	if st := s.Status()[0]; !st.Next.Equal(due.Add(24 * time.Hour)) {
		t.Fatalf("next %s, want %s", st.Next, due.Add(24*time.Hour))
	}
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name        string
		results     []outcome
		retries     int
		wantCalls   int
		wantOutcome Outcome
		wantError   string
	}{
		{"function error retried twice, then dropped", []outcome{{res: functionError}}, 0, 3, OutcomeError, "Unhandled: errorString: boom"},
		{"more retries", []outcome{{res: functionError}}, 4, 5, OutcomeError, "boom"},
		{"succeeds on the second attempt", []outcome{{res: functionError}, {}}, 0, 2, OutcomeOK, ""},
		{"timeout, no retries", []outcome{{res: sandbox.Result{FunctionError: "Unhandled", Timeout: true}}}, -1, 1, OutcomeError, "timeout"},
		{"failed invocation retried", []outcome{{err: sandbox.ErrUnknownFunction}}, 1, 2, OutcomeError, "unknown function"},
		{"success is not retried", nil, 0, 1, OutcomeOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &clock.Clock{}
			fn := &fakeLambda{results: tt.results}
			var logs bytes.Buffer
			s, err := New([]topology.Schedule{{Name: "tick", Expression: "rate(1 minute)", Function: "worker"}}, fn, Options{
				Clock: clk, Retries: tt.retries, RetryDelay: time.Millisecond,
				Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
			})
			if err != nil {
				t.Fatal(err)
			}
			stop := run(t, s)
			clk.Advance(61 * time.Second)
			testsync.Eventually(t, settle, "the outcome", func() bool { return s.Status()[0].LastOutcome != OutcomeNever })
			stop()

			if n := fn.count(); n != tt.wantCalls {
				t.Fatalf("%d invocations, want %d", n, tt.wantCalls)
			}
			st := s.Status()[0]
			if st.LastOutcome != tt.wantOutcome || !strings.Contains(st.LastError, tt.wantError) || (tt.wantError == "") != (st.LastError == "") {
				t.Fatalf("outcome %q, error %q; want %q, %q", st.LastOutcome, st.LastError, tt.wantOutcome, tt.wantError)
			}
			// A retry sends the same event again.
			evs := fn.events(t)
			for _, ev := range evs[1:] {
				if ev.ID != evs[0].ID || !ev.Time.Equal(evs[0].Time) {
					t.Fatalf("retry sent event %s at %s, first was %s at %s", ev.ID, ev.Time, evs[0].ID, evs[0].Time)
				}
			}
			// One line per attempt, with its request id and outcome.
			var attempts int
			for line := range strings.Lines(logs.String()) {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				if rec["msg"] != "scheduled event" {
					continue
				}
				attempts++
				if rec["request_id"] != fmt.Sprintf("req-%d", attempts) || rec["schedule"] != "tick" || rec["attempt"] != float64(attempts) {
					t.Fatalf("log line %q", line)
				}
			}
			if attempts != tt.wantCalls {
				t.Fatalf("%d attempts logged, want %d:\n%s", attempts, tt.wantCalls, logs.String())
			}
		})
	}
}

func TestFireNow(t *testing.T) {
	clk := &clock.Clock{}
	clk.Advance(72 * time.Hour)
	fn := &fakeLambda{}
	s, err := New([]topology.Schedule{nightly}, fn, Options{Clock: clk, Region: "eu-north-1", Account: "123456789012", RulePrefix: "dev-"})
	if err != nil {
		t.Fatal(err)
	}
	before := clk.Now().Truncate(time.Second)
	res, err := s.FireNow(context.Background(), "nightly-reminders")
	after := clk.Now()
	if err != nil {
		t.Fatalf("FireNow: %v", err)
	}
	if res.RequestID != "req-1" {
		t.Fatalf("result %+v is not the invocation's", res)
	}
	evs := fn.events(t)
	if len(evs) != 1 {
		t.Fatalf("%d invocations, want 1", len(evs))
	}
	ev := evs[0]
	if ev.Time.Before(before) || ev.Time.After(after) || ev.Time.Nanosecond() != 0 {
		t.Fatalf("time %s, want the clock's now (%s) to the second", ev.Time, before)
	}
	checkEvent(t, ev, "arn:aws:events:eu-north-1:123456789012:rule/dev-nightly-reminders", ev.Time,
		`{"job":"reminders","note":"a<b & c"}`)
	if ev.AccountID != "123456789012" || ev.Region != "eu-north-1" {
		t.Fatalf("account %q, region %q", ev.AccountID, ev.Region)
	}
	if st := s.Status()[0]; !st.LastFired.Equal(ev.Time) || st.LastOutcome != OutcomeOK {
		t.Fatalf("status %+v after FireNow", st)
	}
}

func TestFireNowFailures(t *testing.T) {
	tests := []struct {
		name      string
		schedule  string
		results   []outcome
		wantErr   error // nil: no error
		wantCalls int
		wantLast  string
	}{
		{"unknown schedule", "nope", nil, ErrUnknownSchedule, 0, ""},
		{"function error is in the result, not retried", "nightly-reminders", []outcome{{res: functionError}}, nil, 1, "boom"},
		{"failed invocation", "nightly-reminders", []outcome{{err: sandbox.ErrClosed}}, sandbox.ErrClosed, 1, "closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn := &fakeLambda{results: tt.results}
			s, err := New([]topology.Schedule{nightly}, fn, Options{Clock: &clock.Clock{}})
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.FireNow(context.Background(), tt.schedule)
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("FireNow: %v", err)
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Fatalf("FireNow error %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && res.FunctionError != "Unhandled" {
				t.Fatalf("result %+v, want the function error", res)
			}
			if n := fn.count(); n != tt.wantCalls {
				t.Fatalf("%d invocations, want %d", n, tt.wantCalls)
			}
			st := s.Status()[0]
			if tt.wantLast == "" {
				if st.LastOutcome != OutcomeNever || !st.LastFired.IsZero() {
					t.Fatalf("status %+v, want never fired", st)
				}
				return
			}
			if st.LastOutcome != OutcomeError || !strings.Contains(st.LastError, tt.wantLast) {
				t.Fatalf("status %+v, want an error saying %q", st, tt.wantLast)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	clk := &clock.Clock{}
	fn := &fakeLambda{results: []outcome{{}, {res: functionError}}}
	schedules := []topology.Schedule{
		nightly,
		{Name: "tick", Expression: "rate(5 minutes)", Function: "worker"},
		{Name: "past", Expression: "cron(0 0 1 1 ? 2020)", Function: "worker"},
	}
	s, err := New(schedules, fn, Options{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	st := s.Status()
	if len(st) != 3 {
		t.Fatalf("%d statuses, want 3", len(st))
	}
	for i, want := range schedules {
		if st[i].Name != want.Name || st[i].Expression != want.Expression || st[i].Function != want.Function ||
			st[i].LastOutcome != OutcomeNever || !st[i].LastFired.IsZero() || st[i].LastError != "" {
			t.Fatalf("status %d = %+v before any firing", i, st[i])
		}
	}
	if st[0].Next.IsZero() || st[1].Next.IsZero() || !st[2].Next.IsZero() {
		t.Fatalf("next firings %s, %s, %s; want two and none", st[0].Next, st[1].Next, st[2].Next)
	}

	ctx := context.Background()
	if _, err := s.FireNow(ctx, "tick"); err != nil {
		t.Fatal(err)
	}
	if st := s.Status()[1]; st.LastOutcome != OutcomeOK || st.LastFired.IsZero() {
		t.Fatalf("after a good run: %+v", st)
	}
	if _, err := s.FireNow(ctx, "tick"); err != nil {
		t.Fatal(err)
	}
	if st := s.Status()[1]; st.LastOutcome != OutcomeError || st.LastError != "Unhandled: errorString: boom" {
		t.Fatalf("after a failed run: %+v", st)
	}
	if st := s.Status()[0]; st.LastOutcome != OutcomeNever {
		t.Fatalf("the other schedule changed: %+v", st)
	}
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name      string
		schedules []topology.Schedule
		inv       Invoker
		want      string
	}{
		{"bad expression", []topology.Schedule{{Name: "a", Expression: "rate(1 minutes)", Function: "f"}}, &fakeLambda{}, "unit field"},
		{"no name", []topology.Schedule{{Expression: "rate(1 minute)", Function: "f"}}, &fakeLambda{}, "without a name"},
		{"same name twice", []topology.Schedule{
			{Name: "a", Expression: "rate(1 minute)", Function: "f"},
			{Name: "a", Expression: "rate(2 minutes)", Function: "f"},
		}, &fakeLambda{}, "named twice"},
		{"no function", []topology.Schedule{{Name: "a", Expression: "rate(1 minute)"}}, &fakeLambda{}, "no function"},
		{"bad rule name", []topology.Schedule{{Name: "a b", Expression: "rate(1 minute)", Function: "f"}}, &fakeLambda{}, "rule name"},
		{"rule name too long", []topology.Schedule{{Name: strings.Repeat("a", 55), Expression: "rate(1 minute)", Function: "f"}}, &fakeLambda{}, "rule name"},
		{"no invoker", nil, nil, "no invoker"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.schedules, tt.inv, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error saying %q", err, tt.want)
			}
		})
	}
	var se *SyntaxError
	if _, err := New([]topology.Schedule{{Name: "a", Expression: "cron(0 0 * * * *)", Function: "f"}}, &fakeLambda{}, Options{}); !errors.As(err, &se) {
		t.Fatalf("New: %v, want a *SyntaxError in the chain", err)
	}
}

func TestRunOnce(t *testing.T) {
	s, err := New(nil, &fakeLambda{}, Options{Clock: &clock.Clock{}})
	if err != nil {
		t.Fatal(err)
	}
	run(t, s)
	testsync.Eventually(t, settle, "Run to start", s.running.Load)
	if err := s.Run(context.Background()); err == nil {
		t.Fatal("a second Run at the same time succeeded")
	}
}

// TestRealTime: without a clock, the scheduler runs on real time and
// stops with its context.
func TestRealTime(t *testing.T) {
	fn := &fakeLambda{}
	s, err := New([]topology.Schedule{{Name: "tick", Expression: "rate(1 minute)", Function: "worker"}}, fn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Until(s.Status()[0].Next); d <= 58*time.Second || d > time.Minute {
		t.Fatalf("first firing in %v, want a minute", d)
	}
	if _, err := s.FireNow(context.Background(), "tick"); err != nil {
		t.Fatal(err)
	}
	if ev := fn.events(t)[0]; time.Since(ev.Time) > 2*time.Second || time.Since(ev.Time) < 0 {
		t.Fatalf("event time %s is not now", ev.Time)
	}
	stop := run(t, s)
	stop()
	if n := fn.count(); n != 1 {
		t.Fatalf("%d invocations, want only FireNow's", n)
	}
}
