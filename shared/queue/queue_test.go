package queue_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/logging"
	"innkeeper/shared/meter"
	"innkeeper/shared/queue"
	"innkeeper/shared/queue/queuetest"
)

var t0 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

func events(n int) []booking.OutboxEvent {
	out := make([]booking.OutboxEvent, n)
	for i := range out {
		out[i] = booking.OutboxEvent{ID: int64(i + 1), Type: "reservation.held", Reference: "INK-AAAAAA",
			Payload: []byte(`{"n":` + strconv.Itoa(i+1) + `}`), CreatedAt: t0}
	}
	return out
}

func ids(events []booking.OutboxEvent) []int64 {
	var out []int64
	for _, e := range events {
		out = append(out, e.ID)
	}
	return out
}

func TestPublishSendsBatchesOfTen(t *testing.T) {
	tests := []struct {
		name    string
		events  int
		batches []int
	}{
		{"nothing to send", 0, nil},
		{"one", 1, []int{1}},
		{"exactly ten", 10, []int{10}},
		{"eleven", 11, []int{10, 1}},
		{"twenty-five", 25, []int{10, 10, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &queuetest.SQS{}
			evs := events(tt.events)
			sent, err := queue.Publisher{Client: q, QueueURL: "http://sqs.local/events"}.Publish(context.Background(), evs)
			if err != nil {
				t.Fatal(err)
			}
			var batches []int
			for _, c := range q.Calls() {
				batches = append(batches, c.Entries)
			}
			if !slices.Equal(batches, tt.batches) {
				t.Errorf("batches of %v, want %v", batches, tt.batches)
			}
			if !slices.Equal(sent, ids(evs)) || !slices.Equal(q.OutboxIDs(), ids(evs)) {
				t.Errorf("reported sent %v, SQS took %v; want each of %v once", sent, q.OutboxIDs(), ids(evs))
			}
			for i, m := range q.Messages() {
				if e := evs[i]; m.Body != string(e.Payload) || m.Attributes["event_type"] != e.Type {
					t.Errorf("message %d is %+v for event %+v", i, m, e)
				}
			}
		})
	}
}

func TestPublishReportsOnlyWhatSQSTook(t *testing.T) {
	errDown := errors.New("connection refused")
	tests := []struct {
		name     string
		sqs      *queuetest.SQS
		wantSent []int64
		wantErr  error // also checked with errors.Is when set
	}{
		{"SQS down", &queuetest.SQS{Err: errDown}, nil, errDown},
		{"some refused", &queuetest.SQS{Refuse: func(id int64) bool { return id%5 == 0 }}, []int64{1, 2, 3, 4, 6, 7, 8, 9, 11, 12}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sent, err := queue.Publisher{Client: tt.sqs, QueueURL: "q"}.Publish(context.Background(), events(12))
			if err == nil {
				t.Fatal("no error for messages SQS did not take")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v does not wrap %v", err, tt.wantErr)
			}
			if !slices.Equal(sent, tt.wantSent) {
				t.Errorf("reported sent %v, want %v", sent, tt.wantSent)
			}
		})
	}
}

// relay is a relay over an in-memory outbox and SQS.
func relay(timeout time.Duration) (*queue.Relay, *queuetest.Outbox, *queuetest.SQS) {
	o, q := &queuetest.Outbox{}, &queuetest.SQS{}
	return &queue.Relay{Outbox: o, Publisher: queue.Publisher{Client: q, QueueURL: "q"}, Log: logging.Discard(), Timeout: timeout}, o, q
}

func TestFlushPublishesTheReservationsEvents(t *testing.T) {
	errDB := errors.New("database down")
	tests := []struct {
		name string
		// fault breaks the outbox or SQS before the flush.
		fault func(*queuetest.Outbox, *queuetest.SQS)
		// published lists the events (1 and 3 are INK-AAAAAA's, 2 is
		// INK-BBBBBB's) marked after the flush.
		published []int64
	}{
		{"the reservation's events, not another's", nil, []int64{1, 3}},
		{"SQS down: left for the sweep", func(_ *queuetest.Outbox, q *queuetest.SQS) { q.Err = errors.New("unreachable") }, nil},
		{"SQS refuses one: the other is marked", func(_ *queuetest.Outbox, q *queuetest.SQS) { q.Refuse = func(id int64) bool { return id == 3 } }, []int64{1}},
		{"outbox unreadable: nothing sent", func(o *queuetest.Outbox, _ *queuetest.SQS) { o.Err = errDB }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, o, q := relay(time.Second)
			o.Add("reservation.held", "INK-AAAAAA", []byte(`{}`), t0)
			o.Add("reservation.held", "INK-BBBBBB", []byte(`{}`), t0)
			o.Add("reservation.confirmed", "INK-AAAAAA", []byte(`{}`), t0)
			if tt.fault != nil {
				tt.fault(o, q)
			}
			r.Flush(context.Background(), "INK-AAAAAA")
			o.Err = nil
			if got := q.OutboxIDs(); !slices.Equal(got, tt.published) {
				t.Errorf("SQS took %v, want %v", got, tt.published)
			}
			want := slices.DeleteFunc([]int64{1, 2, 3}, func(id int64) bool { return slices.Contains(tt.published, id) })
			if got := o.Unpublished(); !slices.Equal(got, want) {
				t.Errorf("unpublished %v, want %v", got, want)
			}
		})
	}
}

// What a flush could not send, the next sweep sends, each event once.
func TestSweepRetriesWhatFlushLeft(t *testing.T) {
	r, o, q := relay(time.Second)
	for i := range 3 {
		o.Add("reservation.held", "INK-AAAAAA", []byte(`{}`), t0.Add(time.Duration(i)*time.Second))
	}
	q.Err = errors.New("unreachable")
	r.Flush(context.Background(), "INK-AAAAAA")
	if n, err := r.Sweep(context.Background(), t0.Add(time.Minute), 30*time.Second); err == nil || n != 0 {
		t.Fatalf("sweep with SQS down: %d, %v; want 0 and an error", n, err)
	}
	if got := o.Unpublished(); len(got) != 3 {
		t.Fatalf("unpublished %v with SQS down, want all 3", got)
	}

	q.Err = nil
	for sweep, want := range []int{3, 0} {
		if n, err := r.Sweep(context.Background(), t0.Add(time.Minute), 30*time.Second); err != nil || n != want {
			t.Fatalf("sweep %d once SQS is back: %d, %v; want %d", sweep+1, n, err, want)
		}
	}
	if got := q.OutboxIDs(); !slices.Equal(got, []int64{1, 2, 3}) || len(o.Unpublished()) != 0 {
		t.Fatalf("SQS took %v, unpublished %v; want each event once and none left", got, o.Unpublished())
	}
}

func TestSweep(t *testing.T) {
	now := t0.Add(time.Hour)
	tests := []struct {
		name string
		// ages are the events' ages at now.
		ages   []time.Duration
		refuse func(id int64) bool
		// published is how many the sweep reports; left, the ids still
		// unpublished.
		published int
		left      []int64
		wantErr   bool
	}{
		{"nothing to send", nil, nil, 0, nil, false},
		{"only events older than the age", []time.Duration{time.Hour, 31 * time.Second, 30 * time.Second, time.Second, 0}, nil, 2, []int64{3, 4, 5}, false},
		{"page after page", repeat(250, time.Minute), nil, 250, nil, false},
		{"a refused event waits for the next sweep", []time.Duration{time.Hour, time.Hour, time.Hour}, func(id int64) bool { return id == 2 }, 2, []int64{2}, false},
		{"every event refused", []time.Duration{time.Hour}, func(int64) bool { return true }, 0, []int64{1}, true},
		{"a failing second page keeps the first", repeat(150, time.Minute), func(id int64) bool { return id > 100 }, 100, ids(events(150))[100:], true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, o, q := relay(time.Second)
			q.Refuse = tt.refuse
			for _, age := range tt.ages {
				o.Add("reservation.held", "INK-AAAAAA", []byte(`{}`), now.Add(-age))
			}
			n, err := r.Sweep(context.Background(), now, 30*time.Second)
			if (err != nil) != tt.wantErr || n != tt.published {
				t.Fatalf("sweep: %d, %v; want %d (error: %v)", n, err, tt.published, tt.wantErr)
			}
			if got := o.Unpublished(); !slices.Equal(got, tt.left) {
				t.Errorf("unpublished %v, want %v", got, tt.left)
			}
			for _, f := range o.Filters() {
				if !f.Before.Equal(now.Add(-30*time.Second)) || f.Limit <= 0 {
					t.Errorf("swept with %+v, want events before %v, a page at a time", f, now.Add(-30*time.Second))
				}
			}
			for _, c := range q.Calls() {
				if c.Entries > 10 {
					t.Errorf("a batch of %d", c.Entries)
				}
			}
		})
	}
}

func repeat(n int, age time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = age
	}
	return out
}

// A flush right after a command waits for SQS no longer than its timeout
// (a second by default), counted from the flush, whatever the caller's
// context: the guest's response has already been decided.
func TestFlushTimeout(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		want    time.Duration
	}{
		{"default", 0, time.Second},
		{"configured", 250 * time.Millisecond, 250 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, o, q := relay(tt.timeout)
			o.Add("reservation.held", "INK-AAAAAA", []byte(`{}`), t0)
			caller, cancel := context.WithCancel(context.Background())
			cancel() // the request that made the command is over
			start := time.Now()
			r.Flush(caller, "INK-AAAAAA")
			end := time.Now()
			calls := q.Calls()
			if len(calls) != 1 || len(o.Unpublished()) != 0 {
				t.Fatalf("%d calls, unpublished %v: the flush did not outlive its caller", len(calls), o.Unpublished())
			}
			if d := calls[0].Deadline; d.Before(start.Add(tt.want)) || d.After(end.Add(tt.want)) {
				t.Fatalf("SQS called with a deadline %v after the flush began, want %v", d.Sub(start), tt.want)
			}
		})
	}
}

// SQS that does not answer holds the flush only until its timeout; the
// event is left for the sweep.
func TestFlushGivesUpOnAHangingSQS(t *testing.T) {
	r, o, q := relay(50 * time.Millisecond)
	o.Add("reservation.held", "INK-AAAAAA", []byte(`{}`), t0)
	q.Hang = true
	start := time.Now()
	r.Flush(context.Background(), "INK-AAAAAA")
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("flush took %v with a 50ms timeout", took)
	}
	if got := o.Unpublished(); !slices.Equal(got, []int64{1}) {
		t.Fatalf("unpublished %v, want [1] left for the sweep", got)
	}
	q.Hang = false
	if n, err := r.Sweep(context.Background(), t0.Add(time.Minute), 30*time.Second); err != nil || n != 1 {
		t.Fatalf("sweep after the hang: %d, %v", n, err)
	}
}

// TestPublishMetersTheRequestsItSends: each SendMessageBatch call is
// billed as one request per 64 KB of its payload; a batch of ten 10 KB
// events is 100 KB and more, so two requests, and a small batch one.
func TestPublishMetersTheRequestsItSends(t *testing.T) {
	tests := []struct {
		name     string
		events   int
		size     int
		requests int64
	}{
		{"one small event", 1, 10, 1},
		{"ten 10 KB events: one call over 64 KB", 10, 10 << 10, 2},
		{"eleven 10 KB events: two calls", 11, 10 << 10, 3},
		{"ten 7 KB events: 70 KB", 10, 7 << 10, 2},
		{"nine 7 KB events: 63 KB and the attributes", 9, 7 << 10, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs := events(tt.events)
			for i := range evs {
				evs[i].Payload = []byte(strings.Repeat("x", tt.size))
			}
			ctx, inv := meter.Start(context.Background(), "api", meter.TriggerHTTP, "POST /v1/reservations", 0)
			if _, err := (queue.Publisher{Client: &queuetest.SQS{}, QueueURL: "http://sqs.local/events"}).Publish(ctx, evs); err != nil {
				t.Fatal(err)
			}
			if got := inv.Attribution().SQSSendRequests; got != tt.requests {
				t.Errorf("%d requests metered, want %d", got, tt.requests)
			}
		})
	}
}

func TestPayloadCountsBodiesAndAttributes(t *testing.T) {
	got := queue.Payload([]queue.Message{
		{ID: "1", Body: "hello", Attributes: map[string]queue.Attribute{"event_type": {DataType: "String", Value: "x"}}},
		{ID: "2", Body: "abc"},
	})
	// 5 + (10 + 6 + 1) + 3; ids are not payload.
	if got != 25 {
		t.Errorf("Payload = %d, want 25", got)
	}
}
