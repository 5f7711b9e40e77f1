package sqs_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	awssqs "github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"innkeeper/local/sandbox"
	"innkeeper/local/sqs"
	"innkeeper/local/testsync"
	"innkeeper/shared/topology"
)

// fakeLambda stands in for Lambda's Invoke API, the boundary the poller
// crosses: it records each event and answers with what respond makes of
// it.
type fakeLambda struct {
	respond func(ev events.SQSEvent) (sandbox.Result, error)

	mu    sync.Mutex
	calls []invocation
}

type invocation struct {
	function string
	payload  []byte
	event    events.SQSEvent
}

func (f *fakeLambda) Invoke(_ context.Context, function string, payload []byte) (sandbox.Result, error) {
	var ev events.SQSEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return sandbox.Result{}, fmt.Errorf("fake lambda: undecodable event: %w", err)
	}
	res, err := sandbox.Result{RequestID: "req-" + ev.Records[0].MessageId}, error(nil)
	if f.respond != nil {
		res, err = f.respond(ev)
	}
	f.mu.Lock()
	f.calls = append(f.calls, invocation{function, bytes.Clone(payload), ev})
	f.mu.Unlock()
	return res, err
}

func (f *fakeLambda) invocations() []invocation {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// deliveries counts how many times each body was sent to the function.
func (f *fakeLambda) deliveries() map[string]int {
	out := map[string]int{}
	for _, c := range f.invocations() {
		for _, r := range c.event.Records {
			out[r.Body]++
		}
	}
	return out
}

// failing answers a ReportBatchItemFailures response listing the
// records whose body is in bad.
func failing(bad ...string) func(ev events.SQSEvent) (sandbox.Result, error) {
	return func(ev events.SQSEvent) (sandbox.Result, error) {
		resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
		for _, r := range ev.Records {
			if slices.Contains(bad, r.Body) {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: r.MessageId})
			}
		}
		b, err := json.Marshal(resp)
		return sandbox.Result{Payload: b}, err
	}
}

// poll ensures q and runs its poller until the test ends or stop is
// called; stop returns once the batch in hand is settled.
func (e *env) poll(t *testing.T, q topology.Queue, fn *fakeLambda, concurrency int) (url string, logs *testsync.Buffer, stop func()) {
	t.Helper()
	url, err := e.srv.Ensure(q)
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	logs = &testsync.Buffer{}
	p := sqs.NewPoller(e.srv, q, fn, sqs.PollerOptions{Concurrency: concurrency, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	c, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		p.Run(c)
		close(done)
	}()
	stop = func() {
		cancel()
		<-done
	}
	t.Cleanup(stop)
	return url, logs, stop
}

func (e *env) depth(t *testing.T, name string) [3]int {
	t.Helper()
	v, f, d, err := e.srv.Depth(name)
	if err != nil {
		t.Fatalf("Depth(%s): %v", name, err)
	}
	return [3]int{v, f, d}
}

func TestPollerSendsTheEventLambdaSends(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	fn := &fakeLambda{}
	q := topology.Queue{Name: "events", Consumer: "worker", MaxReceiveCount: 3, BatchSize: 10}
	if _, err := e.srv.Ensure(q); err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	url := strings.TrimSuffix(e.url, "/") + "/000000000000/events"
	sentAt := e.clock.Now().UnixMilli()
	sent, err := e.client.SendMessage(ctx(t), &awssqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(`{"ref":"R-1"}`),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"kind": strAttr("String", "confirmation"),
			"blob": {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2}},
		}})
	if err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	_, logs, _ := e.poll(t, q, fn, 1)
	testsync.Eventually(t, settle, "the message to be handled", func() bool { return e.depth(t, "events") == [3]int{} && len(fn.invocations()) == 1 })

	call := fn.invocations()[0]
	if call.function != "worker" {
		t.Errorf("invoked %q, want the consumer worker", call.function)
	}
	if len(call.event.Records) != 1 {
		t.Fatalf("records = %d, want 1", len(call.event.Records))
	}
	r := call.event.Records[0]
	sum := md5.Sum([]byte(`{"ref":"R-1"}`))
	if r.MessageId != aws.ToString(sent.MessageId) || r.Body != `{"ref":"R-1"}` || r.Md5OfBody != hex.EncodeToString(sum[:]) ||
		r.Md5OfMessageAttributes != aws.ToString(sent.MD5OfMessageAttributes) || r.ReceiptHandle == "" {
		t.Errorf("record = %+v", r)
	}
	if r.EventSource != "aws:sqs" || r.EventSourceARN != arnPrefix+"events" || r.AWSRegion != "eu-west-1" {
		t.Errorf("source = %s %s %s", r.EventSource, r.EventSourceARN, r.AWSRegion)
	}
	if got := slices.Sorted(maps.Keys(r.Attributes)); !slices.Equal(got, []string{"ApproximateFirstReceiveTimestamp", "ApproximateReceiveCount", "SenderId", "SentTimestamp"}) {
		t.Errorf("attributes = %v", r.Attributes)
	}
	if r.Attributes["ApproximateReceiveCount"] != "1" || r.Attributes["SenderId"] != "000000000000" {
		t.Errorf("attributes = %v", r.Attributes)
	}
	for _, k := range []string{"SentTimestamp", "ApproximateFirstReceiveTimestamp"} {
		if ms, err := strconv.ParseInt(r.Attributes[k], 10, 64); err != nil || ms < sentAt || ms > sentAt+5000 {
			t.Errorf("%s = %q, want milliseconds near %d", k, r.Attributes[k], sentAt)
		}
	}
	kind := r.MessageAttributes["kind"]
	if kind.DataType != "String" || aws.ToString(kind.StringValue) != "confirmation" || !bytes.Equal(r.MessageAttributes["blob"].BinaryValue, []byte{1, 2}) {
		t.Errorf("message attributes = %+v", r.MessageAttributes)
	}
	// Lambda sends empty lists, not nulls, for the unused list values.
	if !bytes.Contains(call.payload, []byte(`"stringListValues":[],"binaryListValues":[]`)) {
		t.Errorf("payload %s lacks the empty list values", call.payload)
	}
	if !strings.Contains(logs.String(), `"msg":"sqs batch"`) || !strings.Contains(logs.String(), `"batch_size":1`) || !strings.Contains(logs.String(), `"failures":0`) {
		t.Errorf("log = %s, want a batch line with its size and failures", logs.String())
	}
}

func TestPollerRespectsTheBatchSize(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	fn := &fakeLambda{}
	q := topology.Queue{Name: "sized", Consumer: "worker", MaxReceiveCount: 3, BatchSize: 3}
	url, err := e.srv.Ensure(q)
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	for i := range 7 {
		e.send(t, url, fmt.Sprint(i))
	}
	e.poll(t, q, fn, 2)
	testsync.Eventually(t, settle, "seven messages handled", func() bool { return len(fn.deliveries()) == 7 && e.depth(t, "sized") == [3]int{} })
	full := 0
	for _, c := range fn.invocations() {
		if n := len(c.event.Records); n > 3 {
			t.Errorf("a batch of %d, over the batch size 3", n)
		} else if n == 3 {
			full++
		}
	}
	if full == 0 {
		t.Error("no batch was full although seven messages waited")
	}
	for body, n := range fn.deliveries() {
		if n != 1 {
			t.Errorf("message %s delivered %d times", body, n)
		}
	}
}

func TestPollerWaitsForTheBatchingWindow(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	fn := &fakeLambda{}
	q := topology.Queue{Name: "windowed", Consumer: "worker", MaxReceiveCount: 3, BatchSize: 5, MaxBatchingWindow: 10 * time.Second}
	url, _, _ := e.poll(t, q, fn, 1)

	e.send(t, url, "1")
	e.send(t, url, "2")
	testsync.Eventually(t, settle, "two messages gathered", func() bool { return e.depth(t, "windowed")[1] == 2 })
	time.Sleep(50 * time.Millisecond)
	if n := len(fn.invocations()); n != 0 {
		t.Fatalf("invoked %d times before the batch was full or the window over", n)
	}
	for _, b := range []string{"3", "4", "5"} {
		e.send(t, url, b)
	}
	testsync.Eventually(t, settle, "a full batch", func() bool { return len(fn.invocations()) == 1 })
	if n := len(fn.invocations()[0].event.Records); n != 5 {
		t.Errorf("first batch of %d, want the full 5", n)
	}

	e.send(t, url, "6")
	testsync.Eventually(t, settle, "one message gathered", func() bool { return e.depth(t, "windowed") == [3]int{0, 1, 0} })
	e.clock.Advance(11 * time.Second)
	testsync.Eventually(t, settle, "the window to end the batch", func() bool { return len(fn.invocations()) == 2 })
	if n := len(fn.invocations()[1].event.Records); n != 1 {
		t.Errorf("second batch of %d, want 1", n)
	}
}

func TestPollerSettlesABatchByOutcome(t *testing.T) {
	t.Parallel()
	payload := func(p string) func(events.SQSEvent) (sandbox.Result, error) {
		return func(events.SQSEvent) (sandbox.Result, error) { return sandbox.Result{Payload: []byte(p)}, nil }
	}
	tests := []struct {
		name    string
		rbif    bool
		respond func(ev events.SQSEvent) (sandbox.Result, error)
		kept    []string // bodies left for redelivery
	}{
		{"success deletes all", false, payload(`"done"`), nil},
		{"function error keeps all", false, func(events.SQSEvent) (sandbox.Result, error) {
			return sandbox.Result{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"boom"}`)}, nil
		}, []string{"bad", "good"}},
		{"timeout keeps all", true, func(events.SQSEvent) (sandbox.Result, error) {
			return sandbox.Result{FunctionError: "Unhandled", Timeout: true}, nil
		}, []string{"bad", "good"}},
		{"invoke error keeps all", false, func(events.SQSEvent) (sandbox.Result, error) {
			return sandbox.Result{}, sandbox.ErrClosed
		}, []string{"bad", "good"}},
		{"failures ignored without ReportBatchItemFailures", false, failing("bad"), nil},
		{"partial failure keeps the failed", true, failing("bad"), []string{"bad"}},
		{"null response", true, payload(`null`), nil},
		{"no failures listed", true, payload(`{"batchItemFailures":[]}`), nil},
		{"an id not in the batch fails all", true, payload(`{"batchItemFailures":[{"itemIdentifier":"f3f2b0a4-0000-4000-8000-000000000000"}]}`), []string{"bad", "good"}},
		{"an invalid response fails all", true, payload(`not json`), []string{"bad", "good"}},
		{"a misspelt key fails all", true, payload(`{"batchItemFailures":[{"itemIdentifer":"x"}]}`), []string{"bad", "good"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			name := fmt.Sprintf("outcome-%d", i)
			q := topology.Queue{Name: name, Consumer: "worker", MaxReceiveCount: 5, BatchSize: 10, VisibilityTimeout: 30 * time.Second, ReportBatchItemFailures: tt.rbif}
			url, err := e.srv.Ensure(q)
			if err != nil {
				t.Fatalf("Ensure: %v", err)
			}
			e.send(t, url, "good")
			e.send(t, url, "bad")
			fn := &fakeLambda{respond: tt.respond}
			_, _, stop := e.poll(t, q, fn, 1)
			testsync.Eventually(t, settle, "the batch", func() bool { return len(fn.invocations()) >= 1 })
			stop() // returns once the batch is settled
			if n := len(fn.invocations()[0].event.Records); n != 2 {
				t.Fatalf("batch of %d, want both messages", n)
			}
			if got := e.depth(t, name); got != [3]int{0, len(tt.kept), 0} {
				t.Errorf("depth = %v, want %d in flight", got, len(tt.kept))
			}
			e.clock.Advance(31 * time.Second)
			var back []string
			for _, m := range e.receive(t, url, 10) {
				back = append(back, aws.ToString(m.Body))
			}
			slices.Sort(back)
			if !slices.Equal(back, tt.kept) {
				t.Errorf("redelivered %v, want %v", back, tt.kept)
			}
		})
	}
}

func TestPollerRedeliversOnlyTheFailedMessage(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	fn := &fakeLambda{respond: failing("bad")}
	q := topology.Queue{Name: "partial", Consumer: "worker", MaxReceiveCount: 5, BatchSize: 3, VisibilityTimeout: 30 * time.Second, ReportBatchItemFailures: true}
	url, err := e.srv.Ensure(q)
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	for _, b := range []string{"a", "bad", "c"} {
		e.send(t, url, b)
	}
	e.poll(t, q, fn, 2)
	testsync.Eventually(t, settle, "the first batch settled", func() bool { return len(fn.invocations()) == 1 && e.depth(t, "partial") == [3]int{0, 1, 0} })

	e.clock.Advance(31 * time.Second)
	testsync.Eventually(t, settle, "the redelivery", func() bool { return len(fn.invocations()) == 2 })
	r := fn.invocations()[1].event.Records
	if len(r) != 1 || r[0].Body != "bad" || r[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Errorf("second batch = %+v, want only the failed message, received twice", r)
	}
}

func TestPollerSendsAPoisonMessageToTheDeadLetterQueue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	fn := &fakeLambda{respond: failing("poison")}
	q := topology.Queue{Name: "orders", Consumer: "worker", MaxReceiveCount: 5, BatchSize: 10, VisibilityTimeout: 30 * time.Second, ReportBatchItemFailures: true}
	url, err := e.srv.Ensure(q)
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	for _, b := range []string{"a", "poison", "b"} {
		e.send(t, url, b)
	}
	_, logs, _ := e.poll(t, q, fn, 2)

	for round := 1; round <= 5; round++ {
		testsync.Eventually(t, settle, fmt.Sprintf("delivery %d of the poison message", round), func() bool {
			return fn.deliveries()["poison"] == round && e.depth(t, "orders") == [3]int{0, 1, 0}
		})
		if round == 2 {
			// A message sent meanwhile is handled once, whatever its batch.
			e.send(t, url, "c")
			testsync.Eventually(t, settle, "c", func() bool { return fn.deliveries()["c"] == 1 && e.depth(t, "orders") == [3]int{0, 1, 0} })
		}
		e.clock.Advance(31 * time.Second)
	}
	testsync.Eventually(t, settle, "the poison message in the dead-letter queue", func() bool {
		return e.depth(t, "orders-dlq") == [3]int{1, 0, 0} && e.depth(t, "orders") == [3]int{}
	})
	if want := map[string]int{"a": 1, "b": 1, "c": 1, "poison": 5}; !maps.Equal(fn.deliveries(), want) {
		t.Errorf("deliveries = %v, want %v", fn.deliveries(), want)
	}
	for i, c := range fn.invocations() {
		for _, r := range c.event.Records {
			if r.Body == "poison" && r.Attributes["ApproximateReceiveCount"] == "" {
				t.Errorf("invocation %d: no receive count", i)
			}
		}
	}
	if !strings.Contains(logs.String(), `"outcome":"partial failure"`) {
		t.Errorf("log = %s, want partial failures logged", logs.String())
	}
}

func TestPollerFunctionErrorRedeliversTheWholeBatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var calls int
	var mu sync.Mutex
	fn := &fakeLambda{respond: func(events.SQSEvent) (sandbox.Result, error) {
		mu.Lock()
		defer mu.Unlock()
		if calls++; calls == 1 {
			return sandbox.Result{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"db down","errorType":"errorString"}`)}, nil
		}
		return sandbox.Result{Payload: []byte(`null`)}, nil
	}}
	q := topology.Queue{Name: "retried", Consumer: "worker", MaxReceiveCount: 5, BatchSize: 10, VisibilityTimeout: 30 * time.Second}
	url, err := e.srv.Ensure(q)
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	for _, b := range []string{"x", "y", "z"} {
		e.send(t, url, b)
	}
	_, logs, _ := e.poll(t, q, fn, 1)
	testsync.Eventually(t, settle, "the failed batch", func() bool { return len(fn.invocations()) == 1 })
	if got := e.depth(t, "retried"); got != [3]int{0, 3, 0} {
		t.Fatalf("depth after a function error = %v, want all 3 in flight", got)
	}
	e.clock.Advance(31 * time.Second)
	testsync.Eventually(t, settle, "the retry to succeed", func() bool { return len(fn.invocations()) == 2 && e.depth(t, "retried") == [3]int{} })

	first, second := fn.invocations()[0].event.Records, fn.invocations()[1].event.Records
	ids := func(rs []events.SQSMessage) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.MessageId)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(ids(first), ids(second)) {
		t.Errorf("retried %v, want the same messages %v", ids(second), ids(first))
	}
	for _, r := range second {
		if r.Attributes["ApproximateReceiveCount"] != "2" {
			t.Errorf("retried message %s with receive count %s, want 2", r.Body, r.Attributes["ApproximateReceiveCount"])
		}
	}
	if !strings.Contains(logs.String(), `"outcome":"function error"`) || !strings.Contains(logs.String(), `"error":"errorString: db down"`) {
		t.Errorf("log = %s, want the function error logged", logs.String())
	}
}

func TestPollerKeepsGoingWhenTheQueueIsMissing(t *testing.T) {
	t.Parallel()
	srv := sqs.New(sqs.Options{})
	defer srv.Close()
	logs := &testsync.Buffer{}
	q := topology.Queue{Name: "ghost", Consumer: "worker", MaxReceiveCount: 1}
	p := sqs.NewPoller(srv, q, &fakeLambda{}, sqs.PollerOptions{Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	c, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		p.Run(c)
		close(done)
	}()
	testsync.Eventually(t, settle, "the failure logged", func() bool { return strings.Contains(logs.String(), "sqs poll failed") })
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return when its context ended")
	}
	if !strings.Contains(logs.String(), "The specified queue does not exist") {
		t.Errorf("log = %s, want the cause", logs.String())
	}
}

func TestPollerDoesNotSpinOnAClosedServer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := topology.Queue{Name: "closing", Consumer: "worker", MaxReceiveCount: 1}
	_, logs, stop := e.poll(t, q, &fakeLambda{}, 2)
	time.Sleep(50 * time.Millisecond) // let the pollers start waiting
	if err := e.srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	time.Sleep(300 * time.Millisecond)
	stop()
	// Each poller retries once a second: two pollers, a few lines at most.
	if n := strings.Count(logs.String(), "sqs poll failed"); n == 0 || n > 4 {
		t.Errorf("%d failed polls logged in 300ms after Close, want one per poller:\n%s", n, logs.String())
	}
	if !strings.Contains(logs.String(), sqs.ErrClosed.Error()) {
		t.Errorf("log = %s, want the server closed", logs.String())
	}
}
