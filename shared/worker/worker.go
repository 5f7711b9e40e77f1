// Package worker is the consumer of the events queue: every reservation
// event that reaches SQS is handled here, with partial batch failures so
// one bad message never holds back the others.
package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/shared/booking"
	"innkeeper/shared/meter"
	"innkeeper/shared/notify"
	"innkeeper/shared/realtime"
)

// Handler handles batches of SQS messages carrying booking events: it
// sends the emails of the whole batch first, then pushes what each event
// means to the WebSocket subscribers within a budget of their own.
type Handler struct {
	Notifier *notify.Notifier
	// Push, when set, announces events on the WebSocket API; Units reads
	// a room type's units left over a stay for those announcements.
	Push  *realtime.Pusher
	Units func(ctx context.Context, hotel, roomType string, from, to booking.Date) (int, error)
	// PushBudget bounds all the pushes of a batch, after its mail;
	// DefaultPushBudget if 0. Pushes still running when it is spent are
	// abandoned: however many subscribers a hotel has, they never hold
	// the batch up, fail it or send it back to the queue.
	PushBudget time.Duration
	Log        *slog.Logger
	// Parallel messages of a batch at once; 4 if 0.
	Parallel int
	// Function is the name cost attribution knows the worker by.
	Function string
	// Payments, when set, settles what an event means for the
	// reservation's money (cashier.OnEvent): a webhook event, a
	// cancellation's refund or fee, a no-show's fee, an expired hold's
	// pending payment. It runs before the mail, and its failure sends the
	// message back like the mail's.
	Payments func(ctx context.Context, ev booking.Event) error
}

// DefaultPushBudget is the pushes' budget per batch: a sixth of the
// worker's 30 s timeout, leaving the rest to the mail.
const DefaultPushBudget = 5 * time.Second

// pushMargin is kept between the pushes' deadline and the invocation's,
// so that the batch's answer still reaches the event source mapping.
const pushMargin = time.Second

// queueName is the batch's queue, the last part of its ARN.
func queueName(ev events.SQSEvent) string {
	if len(ev.Records) == 0 {
		return ""
	}
	arn := ev.Records[0].EventSourceARN
	return arn[strings.LastIndex(arn, ":")+1:]
}

// batchBytes is the size of the batch's message bodies.
func batchBytes(ev events.SQSEvent) int64 {
	var n int64
	for _, r := range ev.Records {
		n += int64(len(r.Body))
	}
	return n
}

// Handle processes a batch and reports the messages that failed: only
// those come back after their visibility timeout, and after the queue's
// maxReceiveCount a message that keeps failing moves to the dead-letter
// queue. The error is for a batch that cannot be handled at all.
//
// The mail of every message goes first; the WebSocket pushes follow,
// within PushBudget, and their outcome never changes the answer.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	ctx, inv := meter.Start(ctx, h.Function, meter.TriggerSQS, queueName(ev), batchBytes(ev))
	inv.SQSMessages(len(ev.Records))
	inv.LogStart(ctx, h.Log)
	defer inv.Log(ctx, h.Log)
	var mu sync.Mutex
	var resp events.SQSEventResponse
	var announce []booking.Event
	h.each(len(ev.Records), func(i int) {
		msg := ev.Records[i]
		e, err := h.handle(ctx, msg)
		mu.Lock()
		defer mu.Unlock()
		if e != nil {
			announce = append(announce, *e)
		}
		if err != nil {
			h.Log.WarnContext(ctx, "message failed", slog.String("message_id", msg.MessageId),
				slog.String("receive_count", msg.Attributes["ApproximateReceiveCount"]), slog.String("error", err.Error()))
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	})
	h.Log.InfoContext(ctx, "batch handled", slog.Int("messages", len(ev.Records)), slog.Int("failed", len(resp.BatchItemFailures)))
	h.announceAll(ctx, announce)
	return resp, nil
}

// each runs f for 0..n-1, Parallel at a time, and waits for them all.
func (h *Handler) each(n int, f func(i int)) {
	parallel := h.Parallel
	if parallel <= 0 {
		parallel = 4
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}

// ErrPoison marks a message that can never succeed: it is reported as
// failed like any other, and ends in the dead-letter queue.
var ErrPoison = errors.New("worker: malformed message")

// handle sends the emails msg's event calls for. It returns the event
// when it is one to announce, whether or not its mail went out.
func (h *Handler) handle(ctx context.Context, msg events.SQSMessage) (*booking.Event, error) {
	var ev booking.Event
	if err := json.Unmarshal([]byte(msg.Body), &ev); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPoison, err)
	}
	if ev.Type == booking.EventPaymentWebhook {
		// Money only: nothing to mail or announce.
		if h.Payments == nil {
			return nil, nil
		}
		return nil, h.Payments(ctx, ev)
	}
	if h.Payments != nil {
		if err := h.Payments(ctx, ev); err != nil {
			return nil, err
		}
	}
	var announce *booking.Event
	if booking.ValidReference(ev.Reference) {
		meter.From(ctx).Reservation(ev.Reference)
		// A guest's lookup changes nothing to announce.
		if ev.Type != booking.EventAccessRequested {
			announce = &ev
		}
	}
	if err := h.Notifier.Handle(ctx, ev); err != nil {
		if errors.Is(err, notify.ErrUnknownEvent) {
			return nil, fmt.Errorf("%w: %v", ErrPoison, err)
		}
		return announce, err
	}
	return announce, nil
}

// pushDeadline is when the batch's pushes must be done: PushBudget from
// now, and never later than pushMargin before the invocation's own
// deadline.
func (h *Handler) pushDeadline(ctx context.Context) time.Time {
	budget := h.PushBudget
	if budget <= 0 {
		budget = DefaultPushBudget
	}
	at := time.Now().Add(budget)
	if d, ok := ctx.Deadline(); ok && d.Add(-pushMargin).Before(at) {
		at = d.Add(-pushMargin)
	}
	return at
}

// announceAll pushes the batch's events to their WebSocket audiences
// under a deadline of their own (pushDeadline), apart from the batch's.
// Pushes are best effort: a failure is logged and metered, and pushes
// still running at the deadline are left behind rather than waited for.
func (h *Handler) announceAll(ctx context.Context, evs []booking.Event) {
	if h.Push == nil || len(evs) == 0 {
		return
	}
	pctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), h.pushDeadline(ctx))
	defer cancel()
	var failed atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.each(len(evs), func(i int) {
			if !h.announce(pctx, evs[i]) {
				failed.Add(1)
			}
		})
	}()
	inv := meter.From(ctx)
	select {
	case <-done:
	case <-pctx.Done():
		// A push that ignores its context gets a moment to notice, then
		// the batch answers without it.
		select {
		case <-done:
		case <-time.After(pushMargin / 2):
			inv.Count("PushesAbandoned", 1)
			h.Log.WarnContext(ctx, "pushes abandoned at their deadline", slog.Int("events", len(evs)))
			return
		}
	}
	if n := failed.Load(); n > 0 {
		inv.Count("PushesFailed", float64(n))
	}
}

// announce pushes the event to its WebSocket audiences, and says whether
// that went well. A failure is logged; it never fails the message, whose
// emails matter more.
func (h *Handler) announce(ctx context.Context, ev booking.Event) bool {
	var left realtime.UnitsLeft
	if h.Units != nil && !ev.CheckIn.IsZero() {
		n, err := h.Units(ctx, ev.HotelSlug, ev.RoomType, ev.CheckIn, ev.CheckOut)
		if err != nil {
			h.Log.WarnContext(ctx, "units left", slog.String("reference", ev.Reference), slog.String("error", err.Error()))
			return false
		}
		left.Stay = n
	}
	// A modification gave its previous nights back (perhaps of another
	// room type): their watchers learn what those have left now.
	if p := ev.Previous; h.Units != nil && p != nil && !p.CheckIn.IsZero() {
		n, err := h.Units(ctx, ev.HotelSlug, p.RoomType, p.CheckIn, p.CheckOut)
		if err != nil {
			h.Log.WarnContext(ctx, "units left before the modification", slog.String("reference", ev.Reference), slog.String("error", err.Error()))
			return false
		}
		left.Previous = n
	}
	if err := h.Push.Announce(ctx, ev, left); err != nil {
		h.Log.WarnContext(ctx, "announce failed", slog.String("reference", ev.Reference), slog.String("error", err.Error()))
		return false
	}
	return true
}
