// Package queuetest is in-memory stand-ins for the relay's collaborators,
// for fast tests of the relay and of the jobs that drive it: an Outbox
// that keeps its events in memory, an SQS that keeps what it was sent and
// fails on demand, and OutboxContract, the behaviour every queue.Outbox
// must have, which runs against this Outbox and against PostgreSQL's
// (package store) so that the fake cannot drift from the real one.
package queuetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/queue"
)

// Outbox is a queue.Outbox in memory. Its zero value is empty and ready.
// Like a database driver, it refuses a call whose context has ended.
type Outbox struct {
	// Err, when set, fails every method before it does anything, as a
	// database that cannot be reached does.
	Err error

	mu        sync.Mutex
	events    []booking.OutboxEvent
	published map[int64]bool
	filters   []booking.OutboxFilter
}

var _ queue.Outbox = (*Outbox)(nil)

// Add writes an event for reference to the outbox, as a command's
// transaction does, and returns its id.
func (o *Outbox) Add(eventType, reference string, payload []byte, createdAt time.Time) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	id := int64(len(o.events) + 1)
	o.events = append(o.events, booking.OutboxEvent{ID: id, Type: eventType, Reference: reference, Payload: payload, CreatedAt: createdAt})
	return id
}

// Unpublished lists the ids of the events not marked published, in order.
func (o *Outbox) Unpublished() []int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	var ids []int64
	for _, e := range o.events {
		if !o.published[e.ID] {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

// Filters lists the filters PublishOutbox was called with, in order.
func (o *Outbox) Filters() []booking.OutboxFilter {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.filters)
}

// PublishOutbox hands publish the oldest unpublished events created
// before f.Before, at most f.Limit (100 if not positive), and marks those
// it reports sent. The lock is held throughout, as the store's
// transaction holds its rows: two relays never send an event at once.
func (o *Outbox) PublishOutbox(ctx context.Context, f booking.OutboxFilter, publish func([]booking.OutboxEvent) ([]int64, error)) (int, error) {
	if err := o.fault(ctx); err != nil {
		return 0, fmt.Errorf("queuetest: publish outbox: %w", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.filters = append(o.filters, f)
	if f.Limit <= 0 {
		f.Limit = 100
	}
	var page []booking.OutboxEvent
	for _, e := range o.events {
		if len(page) == f.Limit {
			break
		}
		if !o.published[e.ID] && (f.Before.IsZero() || e.CreatedAt.Before(f.Before)) {
			page = append(page, e)
		}
	}
	if len(page) == 0 {
		return 0, nil
	}
	sent, err := publish(page)
	marked := o.mark(sent)
	if err != nil && len(sent) == 0 {
		return 0, fmt.Errorf("queuetest: publish outbox: %w", err)
	}
	return marked, nil
}

// PendingFor lists reference's unpublished events, oldest first.
func (o *Outbox) PendingFor(ctx context.Context, reference string) ([]booking.OutboxEvent, error) {
	if err := o.fault(ctx); err != nil {
		return nil, fmt.Errorf("queuetest: pending events: %w", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	var pending []booking.OutboxEvent
	for _, e := range o.events {
		if e.Reference == reference && !o.published[e.ID] {
			pending = append(pending, e)
		}
	}
	return pending, nil
}

// MarkPublished marks the events ids published.
func (o *Outbox) MarkPublished(ctx context.Context, ids []int64) error {
	if err := o.fault(ctx); err != nil {
		return fmt.Errorf("queuetest: mark published: %w", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.mark(ids)
	return nil
}

// fault is the error a call fails with before doing anything, if any.
func (o *Outbox) fault(ctx context.Context) error {
	if o.Err != nil {
		return o.Err
	}
	return ctx.Err()
}

// mark marks the ids of existing, unpublished events and counts them.
func (o *Outbox) mark(ids []int64) int {
	if o.published == nil {
		o.published = map[int64]bool{}
	}
	n := 0
	for _, id := range ids {
		if id >= 1 && id <= int64(len(o.events)) && !o.published[id] {
			o.published[id] = true
			n++
		}
	}
	return n
}

// SQS is a queue.SQSAPI in memory: it accepts batches as SQS does (one to
// ten entries) and keeps the messages. Set its fields before a call, not
// during one.
type SQS struct {
	// Err, when set, fails every batch whole, as an unreachable SQS.
	Err error
	// Refuse, when set, names the outbox ids whose messages SQS lists as
	// failed in its answer while it takes the others.
	Refuse func(outboxID int64) bool
	// Hang makes every batch wait for its context to end, as an SQS that
	// does not answer.
	Hang bool

	mu       sync.Mutex
	messages []Message
	calls    []Call
}

var _ queue.SQSAPI = (*SQS)(nil)

// Message is a message SQS took.
type Message struct {
	// ID is the entry's id in its batch.
	ID         string
	Body       string
	Attributes map[string]string
}

// Call is a SendMessageBatch call, taken or not.
type Call struct {
	Entries int
	// Deadline is the call's context deadline; zero if it had none.
	Deadline time.Time
}

// Messages lists the messages SQS took, in order.
func (q *SQS) Messages() []Message {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.messages)
}

// OutboxIDs lists the outbox_id attribute of every message taken, in
// order, repeats included.
func (q *SQS) OutboxIDs() []int64 {
	var ids []int64
	for _, m := range q.Messages() {
		id, _ := strconv.ParseInt(m.Attributes["outbox_id"], 10, 64)
		ids = append(ids, id)
	}
	return ids
}

// Calls lists every SendMessageBatch call, in order.
func (q *SQS) Calls() []Call {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.calls)
}

// SendMessageBatch takes the messages SQS would: none if Err or Hang,
// if the context has ended (as a client checks before sending), or if
// the batch is empty or over ten; otherwise all but those Refuse names.
func (q *SQS) SendMessageBatch(ctx context.Context, _ string, messages []queue.Message) ([]string, []queue.BatchFailure, error) {
	deadline, _ := ctx.Deadline()
	q.mu.Lock()
	q.calls = append(q.calls, Call{Entries: len(messages), Deadline: deadline})
	q.mu.Unlock()
	switch {
	case q.Hang:
		<-ctx.Done()
		return nil, nil, fmt.Errorf("queuetest: send batch: %w", ctx.Err())
	case ctx.Err() != nil:
		return nil, nil, fmt.Errorf("queuetest: send batch: %w", ctx.Err())
	case q.Err != nil:
		return nil, nil, q.Err
	case len(messages) == 0:
		return nil, nil, errors.New("queuetest: EmptyBatchRequest")
	case len(messages) > 10:
		return nil, nil, fmt.Errorf("queuetest: TooManyEntriesInBatchRequest: %d entries", len(messages))
	}
	var sent []string
	var failed []queue.BatchFailure
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, m := range messages {
		attrs := map[string]string{}
		for k, v := range m.Attributes {
			attrs[k] = v.Value
		}
		id, _ := strconv.ParseInt(attrs["outbox_id"], 10, 64)
		if q.Refuse != nil && q.Refuse(id) {
			failed = append(failed, queue.BatchFailure{ID: m.ID, Code: "InternalError", Message: "refused"})
			continue
		}
		q.messages = append(q.messages, Message{ID: m.ID, Body: m.Body, Attributes: attrs})
		sent = append(sent, m.ID)
	}
	return sent, failed, nil
}

// GetQueueAttributes is not kept in memory: it fails.
func (q *SQS) GetQueueAttributes(context.Context, string, ...string) (map[string]string, error) {
	return nil, errors.New("queuetest: GetQueueAttributes is not supported")
}

// StartMessageMoveTask is not kept in memory: it fails.
func (q *SQS) StartMessageMoveTask(context.Context, string, string) (string, error) {
	return "", errors.New("queuetest: StartMessageMoveTask is not supported")
}
