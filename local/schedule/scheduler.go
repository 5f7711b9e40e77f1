package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"innkeeper/local/awsid"
	"innkeeper/local/clock"
	"innkeeper/local/sandbox"
	"innkeeper/shared/topology"
)

// Invoker runs a function synchronously, as Lambda's Invoke API does.
type Invoker = sandbox.Invoker

// ErrUnknownSchedule is FireNow's error for a name no schedule has.
var ErrUnknownSchedule = errors.New("schedule: unknown schedule")

// Options tune the scheduler and the events it sends.
type Options struct {
	// Clock is the time the schedules run on; nil is real time.
	Clock *clock.Clock
	// Region and Account appear in every event and rule ARN;
	// "eu-west-1" and "000000000000" when empty.
	Region  string
	Account string
	// RulePrefix is put before a schedule's name to name its rule, as
	// the CDK app names them; "innkeeper-" when empty.
	RulePrefix string
	// Logger receives a line per invocation; nil discards.
	Logger *slog.Logger
	// Retries after a failed invocation, as Lambda retries an
	// asynchronous one: 2 when 0, none when negative.
	Retries int
	// RetryDelay is the pause before a retry, in real time so that a
	// retry needs no move of the clock; 1s when 0. (Lambda waits a
	// minute, then two.)
	RetryDelay time.Duration
}

// Defaults of Options.
const (
	DefaultRegion     = "eu-west-1"
	DefaultAccount    = "000000000000"
	DefaultRulePrefix = "innkeeper-"
	DefaultRetries    = 2
	DefaultRetryDelay = time.Second
)

func (o Options) withDefaults() Options {
	if o.Region == "" {
		o.Region = DefaultRegion
	}
	if o.Account == "" {
		o.Account = DefaultAccount
	}
	if o.RulePrefix == "" {
		o.RulePrefix = DefaultRulePrefix
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.RetryDelay <= 0 {
		o.RetryDelay = DefaultRetryDelay
	}
	return o
}

// retries is how many times a failed firing is retried.
func (o Options) retries() int {
	switch {
	case o.Retries == 0:
		return DefaultRetries
	case o.Retries < 0:
		return 0
	}
	return o.Retries
}

// Outcome is how the last firing of a schedule ended.
type Outcome string

// The outcomes of a firing.
const (
	OutcomeNever Outcome = "never" // not fired yet
	OutcomeOK    Outcome = "ok"
	OutcomeError Outcome = "error" // failed, after its retries
)

// Status is what the scheduler knows of one schedule.
type Status struct {
	Name       string
	Expression string
	Function   string
	// Next is the next firing; zero when there is none.
	Next time.Time
	// LastFired is the scheduled time of the last firing; zero when it
	// never fired.
	LastFired   time.Time
	LastOutcome Outcome
	// LastError says why the last firing failed.
	LastError string
}

// Scheduler fires schedules on a clock. Its methods are safe for
// concurrent use.
type Scheduler struct {
	o       Options
	retries int
	inv     Invoker
	entries []*entry
	byName  map[string]*entry
	running atomic.Bool

	mu sync.Mutex // guards the state of the entries
}

// entry is one schedule and its state.
type entry struct {
	s    topology.Schedule
	expr Expression

	next, lastFired time.Time
	outcome         Outcome
	lastErr         string
}

// ruleName is what EventBridge accepts as a rule's name.
var ruleName = regexp.MustCompile(`^[.\-_A-Za-z0-9]{1,64}$`)

// New returns a scheduler of schedules that invokes their functions with
// inv. Rate expressions count their periods from now, as EventBridge
// counts from a rule's creation. It fails on an expression that does not
// parse, and on a name that is empty, repeated or not a valid rule name
// with its prefix.
func New(schedules []topology.Schedule, inv Invoker, o Options) (*Scheduler, error) {
	if inv == nil {
		return nil, errors.New("schedule: no invoker")
	}
	s := &Scheduler{o: o.withDefaults(), retries: o.retries(), inv: inv, byName: map[string]*entry{}}
	now := s.now()
	for _, sc := range schedules {
		rule := s.o.RulePrefix + sc.Name
		switch {
		case sc.Name == "":
			return nil, errors.New("schedule: a schedule without a name")
		case s.byName[sc.Name] != nil:
			return nil, fmt.Errorf("schedule: %s: named twice", sc.Name)
		case !ruleName.MatchString(rule):
			return nil, fmt.Errorf("schedule: %s: rule name %q is not 1-64 letters, digits, '.', '-' or '_'", sc.Name, rule)
		case sc.Function == "":
			return nil, fmt.Errorf("schedule: %s: no function", sc.Name)
		}
		expr, err := Parse(sc.Expression)
		if err != nil {
			return nil, fmt.Errorf("schedule: %s: %w", sc.Name, err)
		}
		expr = expr.Anchored(now)
		e := &entry{s: sc, expr: expr, next: expr.Next(now), outcome: OutcomeNever}
		if e.next.IsZero() {
			s.o.Logger.LogAttrs(context.Background(), slog.LevelWarn, "schedule never fires",
				slog.String("schedule", sc.Name), slog.String("expression", sc.Expression))
		}
		s.entries = append(s.entries, e)
		s.byName[sc.Name] = e
	}
	return s, nil
}

// now is the scheduler's time, in UTC.
func (s *Scheduler) now() time.Time {
	if s.o.Clock != nil {
		return s.o.Clock.Now().UTC()
	}
	return time.Now().UTC()
}

// Run fires each schedule when its time comes, until ctx is done; then
// it waits for the invocations under way, which ctx cancels, and returns
// nil. It sleeps until the next firing and wakes early when the clock
// moves.
//
// When the clock jumps past several firings of one schedule, it fires
// once, for the latest of them. EventBridge would have fired each, but a
// test that moves the clock a day wants the daily job, not a replay of
// 1,440 minutes.
//
// A firing is delivered as an asynchronous invocation: in the
// background, retried after a function error, a timeout or a failed
// invocation up to Options.Retries times, each attempt logged.
func (s *Scheduler) Run(ctx context.Context) error {
	if !s.running.CompareAndSwap(false, true) {
		return errors.New("schedule: run: already running")
	}
	defer s.running.Store(false)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		if ctx.Err() != nil {
			return nil
		}
		// Ask for the move before reading the time: a move in between
		// then wakes the loop instead of being missed.
		var moved <-chan struct{}
		if s.o.Clock != nil {
			moved = s.o.Clock.Moved()
		}
		now := s.now()
		wake := s.fireDue(ctx, now, &wg)
		var timer *time.Timer
		var alarm <-chan time.Time
		if !wake.IsZero() {
			timer = time.NewTimer(wake.Sub(now))
			alarm = timer.C
		}
		select {
		case <-ctx.Done():
		case <-moved:
		case <-alarm:
		}
		if timer != nil {
			timer.Stop()
		}
	}
}

// fireDue starts the firings due at now and returns the earliest next
// firing, zero if none.
func (s *Scheduler) fireDue(ctx context.Context, now time.Time, wg *sync.WaitGroup) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	var wake time.Time
	for _, e := range s.entries {
		if !e.next.IsZero() && !e.next.After(now) {
			due := e.next
			at := e.expr.latest(now)
			e.next = e.expr.Next(now)
			e.lastFired = at
			if at.After(due) {
				s.o.Logger.LogAttrs(ctx, slog.LevelInfo, "schedule skipped firings",
					slog.String("schedule", e.s.Name), slog.Time("from", due), slog.Time("fired_for", at))
			}
			wg.Go(func() { s.deliver(ctx, e, at) })
		}
		if !e.next.IsZero() && (wake.IsZero() || e.next.Before(wake)) {
			wake = e.next
		}
	}
	return wake
}

// deliver invokes e's function with the event of its firing at at, and
// retries as Lambda retries an asynchronous invocation: the same event,
// after a pause.
func (s *Scheduler) deliver(ctx context.Context, e *entry, at time.Time) {
	id := awsid.UUID()
	payload := event(e.s, at, s.o, id)
	var failure string
	attempt := 1
	for ; ; attempt++ {
		res, err := s.invoke(ctx, e, at, id, payload, attempt)
		failure = failureOf(res, err)
		if failure == "" || attempt > s.retries || !s.pause(ctx) {
			break
		}
	}
	s.record(e, failure)
	if failure != "" {
		s.o.Logger.LogAttrs(ctx, slog.LevelError, "scheduled event dropped",
			slog.String("schedule", e.s.Name), slog.String("event_id", id),
			slog.Time("time", at), slog.Int("attempts", attempt), slog.String("error", failure))
	}
}

// pause waits before a retry; false when ctx ends first.
func (s *Scheduler) pause(ctx context.Context) bool {
	t := time.NewTimer(s.o.RetryDelay)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// invoke makes one attempt and logs it.
func (s *Scheduler) invoke(ctx context.Context, e *entry, at time.Time, id string, payload []byte, attempt int) (sandbox.Result, error) {
	start := time.Now()
	res, err := s.inv.Invoke(ctx, e.s.Function, payload)
	failure := failureOf(res, err)
	level, outcome := slog.LevelInfo, OutcomeOK
	attrs := []slog.Attr{
		slog.String("request_id", res.RequestID),
		slog.String("event_id", id),
		slog.String("schedule", e.s.Name),
		slog.String("function", e.s.Function),
		slog.Time("time", at),
		slog.Int("attempt", attempt),
		slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
	}
	if failure != "" {
		level, outcome = slog.LevelWarn, OutcomeError
		attrs = append(attrs, slog.String("error", failure))
	}
	attrs = append(attrs, slog.String("outcome", string(outcome)))
	s.o.Logger.LogAttrs(ctx, level, "scheduled event", attrs...)
	return res, err
}

// failureOf says why an invocation failed; "" when it did not.
func failureOf(res sandbox.Result, err error) string {
	switch {
	case err != nil:
		return err.Error()
	case res.Timeout:
		if msg := errorMessage(res.Payload); msg != "" {
			return "timeout: " + msg
		}
		return "timeout"
	case res.FunctionError != "":
		if msg := errorMessage(res.Payload); msg != "" {
			return res.FunctionError + ": " + msg
		}
		return res.FunctionError
	}
	return ""
}

// errorMessage reads Lambda's error document: "errorType: errorMessage".
func errorMessage(payload []byte) string {
	var doc struct {
		Message string `json:"errorMessage"`
		Type    string `json:"errorType"`
	}
	if json.Unmarshal(payload, &doc) != nil {
		return ""
	}
	switch {
	case doc.Type != "" && doc.Message != "":
		return doc.Type + ": " + doc.Message
	case doc.Message != "":
		return doc.Message
	}
	return doc.Type
}

// record keeps the outcome of a firing.
func (s *Scheduler) record(e *entry, failure string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e.outcome, e.lastErr = OutcomeOK, ""
	if failure != "" {
		e.outcome, e.lastErr = OutcomeError, failure
	}
}

// FireNow invokes the schedule named name at once and waits for it, with
// the clock's time to the second as the event's time, and no retries: a
// developer trying a job wants its answer, not a retry. A function error
// is in the result, not the error; the error is for an unknown name or a
// failed invocation.
func (s *Scheduler) FireNow(ctx context.Context, name string) (sandbox.Result, error) {
	e := s.byName[name]
	if e == nil {
		return sandbox.Result{}, fmt.Errorf("%w %q", ErrUnknownSchedule, name)
	}
	at := s.now().Truncate(time.Second)
	s.mu.Lock()
	e.lastFired = at
	s.mu.Unlock()
	id := awsid.UUID()
	res, err := s.invoke(ctx, e, at, id, event(e.s, at, s.o, id), 1)
	s.record(e, failureOf(res, err))
	if err != nil {
		return res, fmt.Errorf("schedule: fire %s: invoke %s: %w", name, e.s.Function, err)
	}
	return res, nil
}

// Status is the state of every schedule, in the order given to New.
func (s *Scheduler) Status() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Status, 0, len(s.entries))
	for _, e := range s.entries {
		out = append(out, Status{
			Name:        e.s.Name,
			Expression:  e.expr.String(),
			Function:    e.s.Function,
			Next:        e.next,
			LastFired:   e.lastFired,
			LastOutcome: e.outcome,
			LastError:   e.lastErr,
		})
	}
	return out
}
