package sqs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"innkeeper/shared/topology"
)

// The Go API: what the devstack and the Poller use instead of HTTP.

// Ensure makes the manifest's queue exist as the manifest describes it:
// its dead-letter queue (Name-dlq, keeping messages DLQRetention) and the
// queue itself with its visibility timeout, retention and a redrive
// policy of MaxReceiveCount receives. Queues that exist already are
// brought in line, so Ensure may run at every start. Zero durations
// leave SQS's defaults. It returns the queue's URL.
func (s *Server) Ensure(q topology.Queue) (string, error) {
	if q.MaxReceiveCount < 1 || q.MaxReceiveCount > 1000 {
		return "", fmt.Errorf("sqs: ensure %s: MaxReceiveCount %d outside 1–1000", q.Name, q.MaxReceiveCount)
	}
	dlq := map[string]string{}
	main := map[string]string{
		"RedrivePolicy": (&redrivePolicy{DeadLetterTargetArn: s.arn(q.DLQ()), MaxReceiveCount: q.MaxReceiveCount}).String(),
	}
	for _, d := range []struct {
		attrs map[string]string
		name  string
		value time.Duration
	}{
		{dlq, "MessageRetentionPeriod", q.DLQRetention},
		{main, "MessageRetentionPeriod", q.Retention},
		{main, "VisibilityTimeout", q.VisibilityTimeout},
	} {
		if d.value == 0 {
			continue
		}
		if d.value%time.Second != 0 {
			return "", fmt.Errorf("sqs: ensure %s: %s %v is not a whole number of seconds", q.Name, d.name, d.value)
		}
		d.attrs[d.name] = strconv.Itoa(int(d.value / time.Second))
	}
	if err := s.ensure(q.DLQ(), dlq); err != nil {
		return "", fmt.Errorf("sqs: ensure %s: %w", q.DLQ(), err)
	}
	if err := s.ensure(q.Name, main); err != nil {
		return "", fmt.Errorf("sqs: ensure %s: %w", q.Name, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queueURL(q.Name), nil
}

// ensure creates a queue with attrs, or sets attrs on the one there.
func (s *Server) ensure(name string, attrs map[string]string) error {
	if !queueName.MatchString(name) {
		return errInvalidParameter("Queue name %q: can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length", name)
	}
	cfg := defaultConfig()
	if err := applyAttributes(&cfg, attrs, true); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.queues[name]; ok {
		return s.setAttributes(q, attrs)
	}
	if err := s.checkRedrive(name, &cfg); err != nil {
		return err
	}
	s.queues[name] = newQueue(name, cfg, s.now())
	return nil
}

// Depth counts the messages of a queue: visible ones waiting for a
// receive, in-flight ones received and not yet deleted, and delayed ones
// not yet receivable. The error wraps ErrQueueDoesNotExist when there is
// no such queue.
func (s *Server) Depth(name string) (visible, inFlight, delayed int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.queues[name]
	if !ok {
		return 0, 0, 0, fmt.Errorf("sqs: depth of %s: %w", name, errNoQueue())
	}
	visible, inFlight, delayed = s.counts(q, s.now())
	return visible, inFlight, delayed, nil
}

// ARN is the ARN of the queue of that name, as Lambda's events name it.
func (s *Server) ARN(name string) string { return s.arn(name) }

// named finds a queue by name for the Go API; s.mu must be held.
func (s *Server) named(name string) func() (*queue, error) {
	return func() (*queue, error) {
		if q, ok := s.queues[name]; ok {
			return q, nil
		}
		return nil, errNoQueue()
	}
}

// receiveNamed receives up to max messages of the named queue with its
// own visibility timeout, waiting up to wait for the first.
func (s *Server) receiveNamed(ctx context.Context, name string, max int, wait time.Duration) ([]delivery, error) {
	got, err := s.receive(ctx, s.named(name), max, wait, nil)
	if err != nil {
		return nil, fmt.Errorf("sqs: receive from %s: %w", name, err)
	}
	return got, nil
}

// deleteNamed deletes the message a receipt handle names.
func (s *Server) deleteNamed(name, handle string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.named(name)()
	if err == nil {
		err = s.remove(q, handle)
	}
	if err != nil {
		return fmt.Errorf("sqs: delete from %s: %w", name, err)
	}
	return nil
}

// releaseNamed makes a received message visible again at once.
func (s *Server) releaseNamed(name, handle string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, err := s.named(name)()
	if err == nil {
		err = s.changeVisibility(q, handle, 0, s.now())
	}
	if err != nil {
		return fmt.Errorf("sqs: release to %s: %w", name, err)
	}
	return nil
}
