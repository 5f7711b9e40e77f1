// Package queue carries domain events from the outbox to SQS, at least
// once: right after the command that wrote them, and again from the
// scheduler's sweep for anything a crash or an outage left behind.
// Consumers are idempotent, so a repeat is harmless; a loss is not
// possible, because an event is marked published only after SQS took it.
package queue

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/meter"
)

// SQSAPI is the part of Amazon SQS the package uses, in its own terms;
// package sqsjson implements it over SQS's JSON protocol, queuetest in
// memory.
type SQSAPI interface {
	// SendMessageBatch sends one to ten messages to the queue at
	// queueURL and reports, by Message.ID, those SQS took and those it
	// refused. An error means the call failed as a whole: none was sent.
	SendMessageBatch(ctx context.Context, queueURL string, messages []Message) (sent []string, failed []BatchFailure, err error)
	// GetQueueAttributes reads the named attributes of the queue at
	// queueURL (ApproximateNumberOfMessages, QueueArn, …).
	GetQueueAttributes(ctx context.Context, queueURL string, names ...string) (map[string]string, error)
	// StartMessageMoveTask starts moving the messages of the dead-letter
	// queue sourceARN to the queue destinationARN, and returns the
	// task's handle.
	StartMessageMoveTask(ctx context.Context, sourceARN, destinationARN string) (handle string, err error)
}

// Message is a message to send in a batch.
type Message struct {
	// ID names the message within its batch (SQS's batch entry id:
	// letters, digits, hyphens and underscores).
	ID   string
	Body string
	// Attributes are the message attributes, by name.
	Attributes map[string]Attribute
}

// Attribute is a message attribute.
type Attribute struct {
	// DataType is String or Number (SQS sends a Number as a string).
	DataType string
	Value    string
}

// BatchFailure is a message of a batch that SQS refused.
type BatchFailure struct {
	// ID is the refused Message's ID.
	ID      string
	Code    string
	Message string
	// SenderFault is SQS saying the message, not SQS, is at fault:
	// sending it again as it is will fail again.
	SenderFault bool
}

// The queue attributes the package reads.
const (
	attrVisible  = "ApproximateNumberOfMessages"
	attrInFlight = "ApproximateNumberOfMessagesNotVisible"
	attrDelayed  = "ApproximateNumberOfMessagesDelayed"
	attrARN      = "QueueArn"
)

// Publisher sends outbox events to one SQS queue.
type Publisher struct {
	Client   SQSAPI
	QueueURL string
}

// Publish sends events in batches of ten (SQS's limit) and returns the ids
// SQS accepted; an error means some were not sent.
func (p Publisher) Publish(ctx context.Context, events []booking.OutboxEvent) ([]int64, error) {
	var sent []int64
	var firstErr error
	for start := 0; start < len(events); start += 10 {
		chunk := events[start:min(start+10, len(events))]
		messages := make([]Message, len(chunk))
		for i, e := range chunk {
			id := strconv.FormatInt(e.ID, 10)
			messages[i] = Message{
				ID:   id,
				Body: string(e.Payload),
				Attributes: map[string]Attribute{
					"event_type": {DataType: "String", Value: e.Type},
					"outbox_id":  {DataType: "Number", Value: id},
				},
			}
		}
		ok, failed, err := p.Client.SendMessageBatch(ctx, p.QueueURL, messages)
		if err == nil {
			// SQS answered: the call is billed, refused entries and all.
			meter.From(ctx).SQSSent(Payload(messages))
		}
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("queue: send batch: %w", err)
			}
			continue
		}
		for _, s := range ok {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil {
				sent = append(sent, id)
			}
		}
		if len(failed) > 0 && firstErr == nil {
			f := failed[0]
			firstErr = fmt.Errorf("queue: %d of %d messages refused, first %s: %s", len(failed), len(chunk), f.Code, f.Message)
		}
	}
	return sent, firstErr
}

// Payload is the size SQS bills a send of messages on: every body and
// every attribute's name, data type and value, in bytes (SQS counts
// them all towards a message's size). A call is billed as one request
// per 64 KB of it (meter.SQSUnit), at least one.
func Payload(messages []Message) int64 {
	var n int64
	for _, m := range messages {
		n += int64(len(m.Body))
		for name, a := range m.Attributes {
			n += int64(len(name) + len(a.DataType) + len(a.Value))
		}
	}
	return n
}

// Outbox is the store side of the relay: the table the commands write
// their events to, in their own transactions. Package store implements it
// on PostgreSQL.
type Outbox interface {
	// PublishOutbox hands publish a page of unpublished events matching
	// f, oldest first, and marks published the ids publish returns, in one
	// transaction that keeps other relays off those events. It returns how
	// many it marked; publish's error only when it sent none.
	PublishOutbox(ctx context.Context, f booking.OutboxFilter, publish func([]booking.OutboxEvent) ([]int64, error)) (int, error)
	// PendingFor lists a reservation's unpublished events, oldest first.
	PendingFor(ctx context.Context, reference string) ([]booking.OutboxEvent, error)
	// MarkPublished records that the queue took the events with these
	// ids.
	MarkPublished(ctx context.Context, ids []int64) error
}

// Relay moves events from the outbox to the queue.
type Relay struct {
	Outbox    Outbox
	Publisher Publisher
	Log       *slog.Logger
	// Timeout bounds a flush after a command: the guest's response does
	// not wait longer than this for SQS; the sweep catches up.
	Timeout time.Duration
}

// Flush publishes the pending events of one reservation, right after the
// command that wrote them. It never fails the caller: what it could not
// send stays in the outbox for the sweep.
func (r *Relay) Flush(ctx context.Context, reference string) {
	timeout := r.Timeout
	if timeout == 0 {
		timeout = time.Second
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	events, err := r.Outbox.PendingFor(ctx, reference)
	if err == nil && len(events) > 0 {
		var sent []int64
		sent, err = r.Publisher.Publish(ctx, events)
		if merr := r.Outbox.MarkPublished(ctx, sent); err == nil {
			err = merr
		}
	}
	if err != nil {
		r.Log.WarnContext(ctx, "outbox flush failed; the sweep will publish", slog.String("reference", reference), slog.String("error", err.Error()))
		return
	}
	r.Log.DebugContext(ctx, "outbox flushed", slog.String("reference", reference), slog.Int("events", len(events)))
}

// sweepPage is how many events a sweep publishes per transaction.
const sweepPage = 100

// Sweep publishes every event still unpublished older than age at now,
// in pages, and returns how many it published.
func (r *Relay) Sweep(ctx context.Context, now time.Time, age time.Duration) (int, error) {
	total := 0
	for {
		n, err := r.Outbox.PublishOutbox(ctx, booking.OutboxFilter{Before: now.Add(-age), Limit: sweepPage}, func(events []booking.OutboxEvent) ([]int64, error) {
			return r.Publisher.Publish(ctx, events)
		})
		total += n
		if err != nil {
			return total, err
		}
		if n < sweepPage {
			return total, nil
		}
	}
}

// Depth is a queue's approximate message counts.
type Depth struct {
	Visible  int `json:"visible"`
	InFlight int `json:"in_flight"`
	Delayed  int `json:"delayed"`
}

// QueueDepth reads a queue's approximate counts.
func QueueDepth(ctx context.Context, c SQSAPI, url string) (Depth, error) {
	attrs, err := c.GetQueueAttributes(ctx, url, attrVisible, attrInFlight, attrDelayed)
	if err != nil {
		return Depth{}, fmt.Errorf("queue: attributes of %s: %w", url, err)
	}
	n := func(name string) int {
		v, _ := strconv.Atoi(attrs[name])
		return v
	}
	return Depth{Visible: n(attrVisible), InFlight: n(attrInFlight), Delayed: n(attrDelayed)}, nil
}

// Redrive starts moving every message of the dead-letter queue at dlqURL
// to the queue at destURL, and returns the task handle. Naming the
// destination moves messages that reached the dead-letter queue any way,
// not only those SQS moved there itself.
func Redrive(ctx context.Context, c SQSAPI, dlqURL, destURL string) (string, error) {
	arn := func(url string) (string, error) {
		attrs, err := c.GetQueueAttributes(ctx, url, attrARN)
		if err != nil {
			return "", fmt.Errorf("queue: redrive: arn of %s: %w", url, err)
		}
		return attrs[attrARN], nil
	}
	src, err := arn(dlqURL)
	if err != nil {
		return "", err
	}
	dst, err := arn(destURL)
	if err != nil {
		return "", err
	}
	handle, err := c.StartMessageMoveTask(ctx, src, dst)
	if err != nil {
		return "", fmt.Errorf("queue: redrive %s: %w", src, err)
	}
	return handle, nil
}
