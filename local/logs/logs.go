// Package logs is the devstack's CloudWatch Logs subscription: it
// collects every function's log lines, keeps those the manifest's filter
// passes, and delivers them to the subscribed function in batches, in
// the real subscription event format (base64 gzip JSON), as CloudWatch
// Logs does in the cloud. The subscribed function cannot tell the two
// apart, so cost ingestion runs locally on the devstack's REPORT lines.
package logs

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"innkeeper/shared/lambdalog"
	"innkeeper/shared/topology"
)

// Deliver hands a subscription event to the subscribed function.
type Deliver func(ctx context.Context, payload []byte) error

// Collector buffers lines per log group and delivers them.
type Collector struct {
	Subscription topology.LogSubscription
	Deliver      Deliver
	// Interval between deliveries; CloudWatch batches for about a
	// second. MaxLines flushes a log group early.
	Interval time.Duration
	MaxLines int
	// Now stamps the lines; time.Now when nil.
	Now func() time.Time
	// OnError receives delivery failures (the lines are kept and tried
	// again, as CloudWatch retries).
	OnError func(error)

	mu      sync.Mutex
	pending map[string][]lambdalog.LogLine
	wake    chan struct{}
	stream  string
}

// Add takes one line of a function's log group.
func (c *Collector) Add(function, line string) {
	if function == c.Subscription.Function || !c.Subscription.Matches(line) {
		return
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	c.mu.Lock()
	if c.pending == nil {
		c.pending = map[string][]lambdalog.LogLine{}
		c.stream = now().UTC().Format("2006/01/02") + "/[$LATEST]devstack"
	}
	group := "/aws/lambda/" + function
	c.pending[group] = append(c.pending[group], lambdalog.LogLine{Time: now(), Message: line})
	full := c.MaxLines > 0 && len(c.pending[group]) >= c.MaxLines
	c.mu.Unlock()
	if full && c.wake != nil {
		select {
		case c.wake <- struct{}{}:
		default:
		}
	}
}

// Flush delivers everything buffered, one event per log group. Lines of
// a failed delivery stay for the next flush.
func (c *Collector) Flush(ctx context.Context) error {
	c.mu.Lock()
	batch := c.pending
	c.pending = map[string][]lambdalog.LogLine{}
	stream := c.stream
	c.mu.Unlock()
	var firstErr error
	for group, lines := range batch {
		ev, err := lambdalog.EncodeSubscription(group, stream, lines)
		if err == nil {
			var payload []byte
			if payload, err = json.Marshal(ev); err == nil {
				err = c.Deliver(ctx, payload)
			}
		}
		if err != nil {
			c.mu.Lock()
			c.pending[group] = append(lines, c.pending[group]...)
			c.mu.Unlock()
			if firstErr == nil {
				firstErr = fmt.Errorf("logs: deliver %d lines of %s: %w", len(lines), group, err)
			}
		}
	}
	return firstErr
}

// Run flushes every Interval (or when a log group fills) until ctx ends,
// then flushes once more.
func (c *Collector) Run(ctx context.Context) {
	c.mu.Lock()
	c.wake = make(chan struct{}, 1)
	c.mu.Unlock()
	interval := c.Interval
	if interval <= 0 {
		interval = time.Second
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			c.report(c.Flush(context.WithoutCancel(ctx)))
			return
		case <-t.C:
		case <-c.wake:
		}
		c.report(c.Flush(ctx))
	}
}

func (c *Collector) report(err error) {
	if err != nil && c.OnError != nil {
		c.OnError(err)
	}
}

// Event decodes a delivery, for tests and tools.
func Event(payload []byte) (events.CloudwatchLogsData, error) {
	var ev events.CloudwatchLogsEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return events.CloudwatchLogsData{}, fmt.Errorf("logs: %w", err)
	}
	return lambdalog.DecodeSubscription(ev)
}
