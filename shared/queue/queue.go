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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"innkeeper/shared/booking"
)

// SQSAPI is the part of the SQS client the queue package uses.
type SQSAPI interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
	GetQueueAttributes(ctx context.Context, in *sqs.GetQueueAttributesInput, opts ...func(*sqs.Options)) (*sqs.GetQueueAttributesOutput, error)
	StartMessageMoveTask(ctx context.Context, in *sqs.StartMessageMoveTaskInput, opts ...func(*sqs.Options)) (*sqs.StartMessageMoveTaskOutput, error)
}

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
		entries := make([]types.SendMessageBatchRequestEntry, len(chunk))
		for i, e := range chunk {
			entries[i] = types.SendMessageBatchRequestEntry{
				Id:          aws.String(strconv.FormatInt(e.ID, 10)),
				MessageBody: aws.String(string(e.Payload)),
				MessageAttributes: map[string]types.MessageAttributeValue{
					"event_type": {DataType: aws.String("String"), StringValue: aws.String(e.Type)},
					"outbox_id":  {DataType: aws.String("Number"), StringValue: aws.String(strconv.FormatInt(e.ID, 10))},
				},
			}
		}
		out, err := p.Client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(p.QueueURL), Entries: entries})
		if err != nil {
			if firstErr == nil {
				firstErr = fmt.Errorf("queue: send batch: %w", err)
			}
			continue
		}
		for _, ok := range out.Successful {
			if id, err := strconv.ParseInt(aws.ToString(ok.Id), 10, 64); err == nil {
				sent = append(sent, id)
			}
		}
		if len(out.Failed) > 0 && firstErr == nil {
			f := out.Failed[0]
			firstErr = fmt.Errorf("queue: %d of %d messages refused, first %s: %s", len(out.Failed), len(chunk), aws.ToString(f.Code), aws.ToString(f.Message))
		}
	}
	return sent, firstErr
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
	out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
		AttributeNames: []types.QueueAttributeName{
			types.QueueAttributeNameApproximateNumberOfMessages,
			types.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
			types.QueueAttributeNameApproximateNumberOfMessagesDelayed,
		},
	})
	if err != nil {
		return Depth{}, fmt.Errorf("queue: attributes of %s: %w", url, err)
	}
	n := func(name types.QueueAttributeName) int {
		v, _ := strconv.Atoi(out.Attributes[string(name)])
		return v
	}
	return Depth{
		Visible:  n(types.QueueAttributeNameApproximateNumberOfMessages),
		InFlight: n(types.QueueAttributeNameApproximateNumberOfMessagesNotVisible),
		Delayed:  n(types.QueueAttributeNameApproximateNumberOfMessagesDelayed),
	}, nil
}

// Redrive starts moving every message of the dead-letter queue at dlqURL
// to the queue at destURL, and returns the task handle. Naming the
// destination moves messages that reached the dead-letter queue any way,
// not only those SQS moved there itself.
func Redrive(ctx context.Context, c SQSAPI, dlqURL, destURL string) (string, error) {
	arn := func(url string) (string, error) {
		attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl: aws.String(url), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn},
		})
		if err != nil {
			return "", fmt.Errorf("queue: redrive: arn of %s: %w", url, err)
		}
		return attrs.Attributes[string(types.QueueAttributeNameQueueArn)], nil
	}
	src, err := arn(dlqURL)
	if err != nil {
		return "", err
	}
	dst, err := arn(destURL)
	if err != nil {
		return "", err
	}
	out, err := c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(src), DestinationArn: aws.String(dst)})
	if err != nil {
		return "", fmt.Errorf("queue: redrive %s: %w", src, err)
	}
	return aws.ToString(out.TaskHandle), nil
}
