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
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/shared/booking"
	"innkeeper/shared/notify"
)

// Handler handles batches of SQS messages carrying booking events.
type Handler struct {
	Notifier *notify.Notifier
	Log      *slog.Logger
	// Parallel messages of a batch at once; 4 if 0.
	Parallel int
}

// Handle processes a batch and reports the messages that failed: only
// those come back after their visibility timeout, and after the queue's
// maxReceiveCount a message that keeps failing moves to the dead-letter
// queue. The error is for a batch that cannot be handled at all.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
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
	if err := h.Notifier.Handle(ctx, ev); err != nil {
		if errors.Is(err, notify.ErrUnknownEvent) {
			return fmt.Errorf("%w: %v", ErrPoison, err)
		}
		return err
	}
	return nil
}
