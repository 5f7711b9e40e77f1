package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"

	"innkeeper/local/testenv"
	"innkeeper/shared/booking"
	"innkeeper/shared/logging"
	"innkeeper/shared/mail"
	"innkeeper/shared/notify"
	"innkeeper/shared/realtime"
)

// outbox is a mail.Sender that keeps the subjects it was given.
type outbox struct {
	mu       sync.Mutex
	subjects []string
}

func (o *outbox) Send(_ context.Context, m mail.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.subjects = append(o.subjects, m.Subject)
	return nil
}

func (o *outbox) count(prefix string) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, s := range o.subjects {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

// stuck is a management API that never answers and ignores its context,
// as a saturated or unreachable endpoint can. It notes whether the mail
// had gone out before the first post.
type stuck struct {
	out         *outbox
	posts       atomic.Int64
	mailFirst   atomic.Bool
	release     chan struct{}
	releaseOnce sync.Once
}

func (s *stuck) PostToConnection(context.Context, *apigatewaymanagementapi.PostToConnectionInput, ...func(*apigatewaymanagementapi.Options)) (*apigatewaymanagementapi.PostToConnectionOutput, error) {
	if s.posts.Add(1) == 1 {
		s.mailFirst.Store(s.out.count("Booking confirmed") > 0)
	}
	<-s.release
	return &apigatewaymanagementapi.PostToConnectionOutput{}, nil
}

func (s *stuck) free() { s.releaseOnce.Do(func() { close(s.release) }) }

const confirmed = `{"type":"reservation.confirmed","reference":"INK-DEM0X1","hotel":"lisbon-riverside","room_type":"STD","status":"confirmed","check_in":"2026-12-31","check_out":"2027-01-02","rooms":1,"occurred_at":"2026-12-01T10:00:00Z"}`

// flooded is a worker whose hotel has many watchers behind a management
// API that never answers.
func flooded(t *testing.T, watchers int) (*Handler, *outbox, *stuck) {
	t.Helper()
	api := testenv.NewAPI(t, testenv.APIOptions{NoRelay: true})
	out := &outbox{}
	n, err := notify.New(api.Store, out, notify.Config{
		From: "Innkeeper <bookings@innkeeper.local>", StaffTo: "desk@innkeeper.local",
		AppURL: "http://127.0.0.1:3000", AppKey: "local-development-app-key-not-secret-0000",
		Now: func() time.Time { return testenv.Clock },
	}, logging.Discard())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	hub := &realtime.Hub{Redis: api.Redis}
	for i := range watchers {
		id := fmt.Sprintf("watcher-%d", i)
		if err := hub.Connect(ctx, id, realtime.Principal{Kind: realtime.Anonymous}); err != nil {
			t.Fatal(err)
		}
		if err := hub.Subscribe(ctx, id, realtime.AvailabilityTopic("lisbon-riverside")); err != nil {
			t.Fatal(err)
		}
	}
	p := &stuck{out: out, release: make(chan struct{})}
	t.Cleanup(p.free)
	return &Handler{
		Notifier: n,
		Push:     &realtime.Pusher{Hub: hub, Client: p, Log: logging.Discard()},
		Units:    api.Store.UnitsLeft,
		Log:      logging.Discard(),
	}, out, p
}

// handleWithin runs the batch and fails the test if it has not answered
// within limit.
func handleWithin(t *testing.T, h *Handler, ctx context.Context, ev events.SQSEvent, limit time.Duration) (events.SQSEventResponse, time.Duration) {
	t.Helper()
	type answer struct {
		resp events.SQSEventResponse
		err  error
	}
	start := time.Now()
	done := make(chan answer, 1)
	go func() {
		resp, err := h.Handle(ctx, ev)
		done <- answer{resp, err}
	}()
	select {
	case a := <-done:
		if a.err != nil {
			t.Fatalf("batch failed: %v", a.err)
		}
		return a.resp, time.Since(start)
	case <-time.After(limit):
		t.Fatalf("batch still running after %v: the pushes held it up", limit)
		return events.SQSEventResponse{}, 0
	}
}

// A hotel flooded with watchers behind a management API that never
// answers: the batch's mail goes out first and once, and the batch
// answers within the pushes' budget, with no failed message, so nothing
// comes back from the queue or reaches the dead-letter queue.
func TestStuckPushesNeverFailTheBatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		budget   time.Duration
		deadline time.Duration // the invocation's; 0 for none
		limit    time.Duration
	}{
		{name: "push budget", budget: 300 * time.Millisecond, limit: 5 * time.Second},
		{name: "invocation deadline before the budget", budget: time.Hour, deadline: 4 * time.Second, limit: 4 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, out, p := flooded(t, 200)
			h.PushBudget = tt.budget
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: confirmed}}}
			resp, took := handleWithin(t, h, ctx, ev, tt.limit)
			if len(resp.BatchItemFailures) != 0 {
				t.Fatalf("failures %v: a slow fan-out sent the message back", resp.BatchItemFailures)
			}
			if p.posts.Load() == 0 {
				t.Fatal("no push was tried")
			}
			if !p.mailFirst.Load() {
				t.Error("a push went out before the booking's mail")
			}
			if n := out.count("Booking confirmed: INK-DEM0X1"); n != 1 {
				t.Errorf("%d confirmation mails, want 1", n)
			}
			// Delivered again (as after a timeout), the mail is not sent twice.
			p.free()
			resp, _ = handleWithin(t, h, ctx, ev, tt.limit)
			if len(resp.BatchItemFailures) != 0 || out.count("Booking confirmed: INK-DEM0X1") != 1 {
				t.Errorf("redelivery: failures %v, %d confirmation mails", resp.BatchItemFailures, out.count("Booking confirmed: INK-DEM0X1"))
			}
			t.Logf("answered in %v", took)
		})
	}
}

// A guest's lookup that matched: the worker mails the link, to the
// guest, once per request, and announces nothing (the lookup changed
// nothing, and its watchers must not learn a booking was asked for).
func TestAccessRequestMailsTheLinkAndAnnouncesNothing(t *testing.T) {
	t.Parallel()
	h, out, p := flooded(t, 1)
	p.free()
	// A guest's page watching the booking itself.
	hub := h.Push.Hub
	ctx := context.Background()
	if err := hub.Connect(ctx, "guest-page", realtime.Principal{Kind: realtime.Anonymous}); err != nil {
		t.Fatal(err)
	}
	if err := hub.Subscribe(ctx, "guest-page", realtime.ReservationTopic("INK-DEM0X1")); err != nil {
		t.Fatal(err)
	}
	// The event as the API writes it to the outbox.
	ask := func(at time.Time) events.SQSMessage {
		body, err := json.Marshal(booking.Event{Type: booking.EventAccessRequested, Reference: "INK-DEM0X1", OccurredAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return events.SQSMessage{MessageId: "m-" + at.String(), Body: string(body)}
	}
	first, second := ask(testenv.Clock), ask(testenv.Clock.Add(5*time.Minute))
	ev := events.SQSEvent{Records: []events.SQSMessage{first, first, second}}
	resp, _ := handleWithin(t, h, ctx, ev, 10*time.Second)
	if len(resp.BatchItemFailures) != 0 {
		t.Fatalf("failures %v", resp.BatchItemFailures)
	}
	if n := out.count("The link to your booking: INK-DEM0X1"); n != 2 {
		t.Errorf("%d link mails for two requests (one delivered twice), want 2", n)
	}
	if n := p.posts.Load(); n != 0 {
		t.Errorf("%d pushes for a lookup, want none", n)
	}
}
