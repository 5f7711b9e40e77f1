package sqs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/local/sandbox"
	"innkeeper/shared/topology"
)

// Invoker runs a function synchronously, as Lambda's Invoke API does.
type Invoker = sandbox.Invoker

// PollerOptions tune a poller.
type PollerOptions struct {
	// Concurrency is how many batches may be in flight at once; 2 when 0.
	Concurrency int
	Logger      *slog.Logger // nil: discard
}

// Poller is the Lambda event source mapping of one queue: it receives
// batches of the queue's messages, invokes the consumer with each and
// deletes the messages the consumer handled. What it does not delete
// comes back when its visibility timeout ends, until the redrive policy
// sends it to the dead-letter queue.
type Poller struct {
	s   *Server
	q   topology.Queue
	inv Invoker
	o   PollerOptions
}

// Lambda's defaults and limits for an SQS event source mapping.
const (
	defaultBatchSize = 10
	// longPoll is how long each receive waits for a first message, as
	// Lambda's pollers long-poll.
	longPoll = 20 * time.Second
	// retryAfter spaces attempts when the queue or the invoke fails, so a
	// missing queue or function does not spin.
	retryAfter = time.Second
)

// NewPoller returns the event source mapping of q, invoking q.Consumer
// with inv. It polls nothing until Run.
func NewPoller(s *Server, q topology.Queue, inv Invoker, o PollerOptions) *Poller {
	if o.Concurrency <= 0 {
		o.Concurrency = 2
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if q.BatchSize <= 0 {
		q.BatchSize = defaultBatchSize
	}
	return &Poller{s: s, q: q, inv: inv, o: o}
}

// Run polls until ctx ends, with Concurrency batches in flight at most.
func (p *Poller) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for range p.o.Concurrency {
		wg.Go(func() { p.loop(ctx) })
	}
	wg.Wait()
}

func (p *Poller) loop(ctx context.Context) {
	for ctx.Err() == nil {
		batch, err := p.gather(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			p.o.Logger.LogAttrs(ctx, slog.LevelWarn, "sqs poll failed",
				slog.String("queue", p.q.Name), slog.String("error", err.Error()))
			pause(ctx, retryAfter)
		case len(batch) > 0:
			if !p.process(ctx, batch) {
				pause(ctx, retryAfter)
			}
		}
	}
}

// gather receives a batch: it waits for a first message, then, with a
// batching window, keeps receiving until the batch is full or the window
// (counted from the first receive) ends.
func (p *Poller) gather(ctx context.Context) ([]delivery, error) {
	batch, err := p.s.receiveNamed(ctx, p.q.Name, p.q.BatchSize, longPoll)
	if err != nil || len(batch) == 0 || p.q.MaxBatchingWindow <= 0 {
		return batch, err
	}
	end := p.s.now().Add(p.q.MaxBatchingWindow)
	for len(batch) < p.q.BatchSize {
		left := end.Sub(p.s.now())
		if left <= 0 {
			break
		}
		more, err := p.s.receiveNamed(ctx, p.q.Name, p.q.BatchSize-len(batch), left)
		if err != nil {
			break // what was gathered is in flight already: send it
		}
		batch = append(batch, more...)
	}
	return batch, nil
}

// process invokes the consumer with a batch and deletes what succeeded.
// It is false when the invoke itself failed.
func (p *Poller) process(ctx context.Context, batch []delivery) bool {
	payload, n := p.event(batch)
	for _, d := range batch[n:] {
		// Over Lambda's payload limit: back to the queue for another batch.
		if err := p.s.releaseNamed(p.q.Name, d.handle); err != nil {
			p.o.Logger.LogAttrs(ctx, slog.LevelWarn, "sqs release failed", slog.String("queue", p.q.Name), slog.String("error", err.Error()))
		}
	}
	batch = batch[:n]

	start := time.Now()
	res, err := p.inv.Invoke(ctx, p.q.Consumer, payload)
	failed := map[string]bool{}
	var outcome, reason string
	switch {
	case err != nil:
		outcome, reason = "invoke error", err.Error()
	case res.Timeout:
		outcome = "timeout"
	case res.FunctionError != "":
		outcome, reason = "function error", res.ErrorSummary()
	case p.q.ReportBatchItemFailures:
		if failed, err = batchItemFailures(res.Payload, batch); err != nil {
			failed = map[string]bool{}
			outcome, reason = "invalid response", err.Error()
		}
	}
	if outcome != "" {
		for _, d := range batch {
			failed[d.id] = true
		}
	}
	deleted := 0
	for _, d := range batch {
		if failed[d.id] {
			continue
		}
		if err := p.s.deleteNamed(p.q.Name, d.handle); err != nil {
			p.o.Logger.LogAttrs(ctx, slog.LevelWarn, "sqs delete failed", slog.String("queue", p.q.Name), slog.String("error", err.Error()))
			continue
		}
		deleted++
	}
	if outcome == "" {
		outcome = "ok"
		if len(failed) > 0 {
			outcome = "partial failure"
		}
	}

	level := slog.LevelInfo
	if len(failed) > 0 {
		level = slog.LevelWarn
	}
	attrs := []slog.Attr{
		slog.String("queue", p.q.Name),
		slog.String("function", p.q.Consumer),
		slog.String("request_id", res.RequestID),
		slog.Int("batch_size", len(batch)),
		slog.Int("failures", len(failed)),
		slog.Int("deleted", deleted),
		slog.String("outcome", outcome),
		slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
	}
	if reason != "" {
		attrs = append(attrs, slog.String("error", reason))
	}
	p.o.Logger.LogAttrs(ctx, level, "sqs batch", attrs...)
	return outcome != "invoke error"
}

// record is an events.SQSMessage as Lambda serialises it: the same
// fields, with md5OfMessageAttributes left out when there are no
// attributes and empty lists for the attributes' unused list values.
type record struct {
	MessageID              string                                `json:"messageId"`
	ReceiptHandle          string                                `json:"receiptHandle"`
	Body                   string                                `json:"body"`
	Attributes             map[string]string                     `json:"attributes"`
	MessageAttributes      map[string]events.SQSMessageAttribute `json:"messageAttributes"`
	MD5OfMessageAttributes string                                `json:"md5OfMessageAttributes,omitempty"`
	MD5OfBody              string                                `json:"md5OfBody"`
	EventSource            string                                `json:"eventSource"`
	EventSourceARN         string                                `json:"eventSourceARN"`
	AWSRegion              string                                `json:"awsRegion"`
}

// event is the SQS event of the batch's first n messages: as many as fit
// in Lambda's payload limit.
func (p *Poller) event(batch []delivery) (payload []byte, n int) {
	arn := p.s.arn(p.q.Name)
	var buf bytes.Buffer
	buf.WriteString(`{"Records":[`)
	for _, d := range batch {
		r := record{
			MessageID: d.id, ReceiptHandle: d.handle, Body: d.body,
			Attributes: map[string]string{
				"ApproximateReceiveCount":          strconv.Itoa(d.receives),
				"SentTimestamp":                    strconv.FormatInt(d.sentAt.UnixMilli(), 10),
				"SenderId":                         d.senderID,
				"ApproximateFirstReceiveTimestamp": strconv.FormatInt(d.firstReceive.UnixMilli(), 10),
			},
			MessageAttributes:      map[string]events.SQSMessageAttribute{},
			MD5OfMessageAttributes: md5OfAttributes(d.attrs),
			MD5OfBody:              d.md5Body,
			EventSource:            "aws:sqs",
			EventSourceARN:         arn,
			AWSRegion:              p.s.o.Region,
		}
		if d.trace != "" {
			r.Attributes["AWSTraceHeader"] = d.trace
		}
		if d.dlqSource != "" {
			r.Attributes["DeadLetterQueueSourceArn"] = d.dlqSource
		}
		for name, a := range d.attrs {
			r.MessageAttributes[name] = events.SQSMessageAttribute{
				StringValue: a.StringValue, BinaryValue: a.BinaryValue,
				StringListValues: []string{}, BinaryListValues: [][]byte{}, DataType: a.DataType,
			}
		}
		b, err := json.Marshal(r)
		if err != nil || (n > 0 && buf.Len()+1+len(b)+2 > sandbox.MaxPayload) {
			break
		}
		if n > 0 {
			buf.WriteByte(',')
		}
		buf.Write(b)
		n++
	}
	buf.WriteString(`]}`)
	return buf.Bytes(), n
}

// batchItemFailures reads a ReportBatchItemFailures response as Lambda
// does: null, {} or an empty or null batchItemFailures is success for
// all; each itemIdentifier must be a message id of the batch. Anything
// else fails the whole batch. Keys are matched exactly, so a misspelt
// itemIdentifier is an error, not a success.
func batchItemFailures(payload []byte, batch []delivery) (map[string]bool, error) {
	failed := map[string]bool{}
	payload = bytes.TrimSpace(payload)
	if len(payload) == 0 || string(payload) == "null" {
		return failed, nil
	}
	var resp map[string]json.RawMessage
	if err := json.Unmarshal(payload, &resp); err != nil {
		return nil, fmt.Errorf("sqs: batch response is not a JSON object: %w", err)
	}
	var items []map[string]json.RawMessage
	if raw, ok := resp["batchItemFailures"]; ok {
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("sqs: batchItemFailures is not a list of objects: %w", err)
		}
	}
	inBatch := map[string]bool{}
	for _, d := range batch {
		inBatch[d.id] = true
	}
	for _, item := range items {
		var id string
		if raw, ok := item["itemIdentifier"]; !ok || json.Unmarshal(raw, &id) != nil || id == "" {
			return nil, errors.New("sqs: a batch item failure has no itemIdentifier")
		}
		if !inBatch[id] {
			return nil, fmt.Errorf("sqs: batch item failure %q is not a message of the batch", id)
		}
		failed[id] = true
	}
	return failed, nil
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
