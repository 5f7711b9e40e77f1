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

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/shared/booking"
	"innkeeper/shared/meter"
	"innkeeper/shared/notify"
	"innkeeper/shared/realtime"
)

// Handler handles batches of SQS messages carrying booking events: it
// pushes what each means to the WebSocket subscribers, then sends its
// emails.
type Handler struct {
	Notifier *notify.Notifier
	// Push, when set, announces events on the WebSocket API; Units reads
	// a room type's units left over a stay for those announcements.
	Push  *realtime.Pusher
	Units func(ctx context.Context, hotel, roomType string, from, to booking.Date) (int, error)
	Log   *slog.Logger
	// Parallel messages of a batch at once; 4 if 0.
	Parallel int
	// Function is the name cost attribution knows the worker by.
	Function string
}

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
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	ctx, inv := meter.Start(ctx, h.Function, meter.TriggerSQS, queueName(ev), batchBytes(ev))
	inv.SQSMessages(len(ev.Records))
	defer inv.Log(ctx, h.Log)
	parallel := h.Parallel
	if parallel <= 0 {
		parallel = 4
	}
	var mu sync.Mutex
	var resp events.SQSEventResponse
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, msg := range ev.Records {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := h.handle(ctx, msg); err != nil {
				h.Log.WarnContext(ctx, "message failed", slog.String("message_id", msg.MessageId),
					slog.String("receive_count", msg.Attributes["ApproximateReceiveCount"]), slog.String("error", err.Error()))
				mu.Lock()
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	h.Log.InfoContext(ctx, "batch handled", slog.Int("messages", len(ev.Records)), slog.Int("failed", len(resp.BatchItemFailures)))
	return resp, nil
}

// ErrPoison marks a message that can never succeed: it is reported as
// failed like any other, and ends in the dead-letter queue.
var ErrPoison = errors.New("worker: malformed message")

func (h *Handler) handle(ctx context.Context, msg events.SQSMessage) error {
	var ev booking.Event
	if err := json.Unmarshal([]byte(msg.Body), &ev); err != nil {
		return fmt.Errorf("%w: %v", ErrPoison, err)
	}
	if booking.ValidReference(ev.Reference) {
		meter.From(ctx).Reservation(ev.Reference)
	}
	h.announce(ctx, ev)
	if err := h.Notifier.Handle(ctx, ev); err != nil {
		if errors.Is(err, notify.ErrUnknownEvent) {
			return fmt.Errorf("%w: %v", ErrPoison, err)
		}
		return err
	}
	return nil
}

// announce pushes the event to its WebSocket audiences. Pushes are best
// effort: a failure is logged and never fails the message, whose emails
// matter more.
func (h *Handler) announce(ctx context.Context, ev booking.Event) {
	if h.Push == nil || !booking.ValidReference(ev.Reference) {
		return
	}
	units := 0
	if h.Units != nil && !ev.CheckIn.IsZero() {
		n, err := h.Units(ctx, ev.HotelSlug, ev.RoomType, ev.CheckIn, ev.CheckOut)
		if err != nil {
			h.Log.WarnContext(ctx, "units left", slog.String("reference", ev.Reference), slog.String("error", err.Error()))
			return
		}
		units = n
	}
	if err := h.Push.Announce(ctx, ev, units); err != nil {
		h.Log.WarnContext(ctx, "announce failed", slog.String("reference", ev.Reference), slog.String("error", err.Error()))
	}
}
