package sqs

import (
	"context"
	"log/slog"
	"slices"
	"time"
)

// This file is the queue mechanics the HTTP actions and the Go API
// share. Functions without a context expect s.mu to be held.

// delivery is a message as one receive handed it out.
type delivery struct {
	id, handle, body, md5Body string
	attrs                     map[string]attrValue // shared with the message, never written
	trace, senderID           string
	dlqSource                 string
	receives                  int
	sentAt, firstReceive      time.Time
}

// expire drops the messages older than the queue's retention period;
// a dead letter's age counts from when it was first sent.
func (s *Server) expire(q *queue, now time.Time) {
	ttl := time.Duration(q.cfg.retention) * time.Second
	q.msgs = slices.DeleteFunc(q.msgs, func(m *message) bool { return now.Sub(m.sentAt) >= ttl })
}

// enqueue adds a message and wakes the long polls.
func (s *Server) enqueue(q *queue, m *message) {
	q.msgs = append(q.msgs, m)
	q.wake()
}

// take receives up to max visible messages from q, hiding each for vis.
// A message already received maxReceiveCount times goes to the
// dead-letter queue instead. next is the earliest time a hidden message
// it passed becomes visible, zero if none.
func (s *Server) take(q *queue, now time.Time, max int, vis time.Duration) (got []delivery, next time.Time) {
	s.expire(q, now)
	dlq := s.deadLetterQueue(q)
	for i := 0; i < len(q.msgs) && len(got) < max; {
		m := q.msgs[i]
		if m.visibleAt.After(now) {
			if next.IsZero() || m.visibleAt.Before(next) {
				next = m.visibleAt
			}
			i++
			continue
		}
		if dlq != nil && m.receives >= q.cfg.redrive.MaxReceiveCount {
			q.msgs = slices.Delete(q.msgs, i, i+1)
			s.deadLetter(q, dlq, m, now)
			continue
		}
		m.receives++
		if m.firstReceive.IsZero() {
			m.firstReceive = now
		}
		m.lastReceive = now
		m.visibleAt = now.Add(vis)
		got = append(got, delivery{
			id: m.id, handle: newHandle(q.name, m.id), body: m.body, md5Body: m.md5Body, attrs: m.attrs,
			trace: m.trace, senderID: m.senderID, dlqSource: m.dlqSource,
			receives: m.receives, sentAt: m.sentAt, firstReceive: m.firstReceive,
		})
		i++
	}
	return got, next
}

// deadLetter moves m from q to its dead-letter queue. It keeps its id
// and enqueue time (so the dead-letter queue's retention counts from the
// original send, as SQS documents) and starts its receive count afresh.
func (s *Server) deadLetter(q, dlq *queue, m *message, now time.Time) {
	m.receives = 0
	m.firstReceive, m.lastReceive = time.Time{}, time.Time{}
	m.visibleAt = now
	m.dlqSource = s.arn(q.name)
	s.enqueue(dlq, m)
	s.o.Logger.LogAttrs(context.Background(), slog.LevelInfo, "sqs message dead-lettered",
		slog.String("queue", q.name), slog.String("dead_letter_queue", dlq.name),
		slog.String("message_id", m.id), slog.Int("max_receive_count", q.cfg.redrive.MaxReceiveCount))
}

// receive takes up to max messages from the queue find returns, waiting
// up to wait for the first to be there. vis overrides the queue's
// visibility timeout when not nil. A wait ends early with ctx's error
// when ctx ends, with ErrClosed when the server closes.
func (s *Server) receive(ctx context.Context, find func() (*queue, error), max int, wait time.Duration, vis *time.Duration) ([]delivery, error) {
	var deadline time.Time
	for first := true; ; first = false {
		s.mu.Lock()
		q, err := find()
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		now := s.now()
		if first {
			deadline = now.Add(wait)
		}
		v := time.Duration(q.cfg.visibility) * time.Second
		if vis != nil {
			v = *vis
		}
		got, next := s.take(q, now, max, v)
		wake := q.notify
		s.mu.Unlock()

		if len(got) > 0 || !now.Before(deadline) {
			return got, nil
		}
		until := deadline
		if !next.IsZero() && next.Before(until) {
			until = next
		}
		t := time.NewTimer(until.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-s.done:
			t.Stop()
			return nil, ErrClosed
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// messageOf finds the message a receipt handle names in q: nil if the
// message is gone, an error if the handle is not one of q's.
func (s *Server) messageOf(q *queue, handle string) (int, *message, error) {
	name, id, ok := parseHandle(handle)
	if !ok || name != q.name {
		return 0, nil, errReceiptHandle(handle)
	}
	i := slices.IndexFunc(q.msgs, func(m *message) bool { return m.id == id })
	if i < 0 {
		return 0, nil, nil
	}
	return i, q.msgs[i], nil
}

// remove deletes the message a handle names. A handle of a message that
// is already gone deletes nothing and is no error, as in SQS.
func (s *Server) remove(q *queue, handle string) error {
	i, m, err := s.messageOf(q, handle)
	if err != nil || m == nil {
		return err
	}
	q.msgs = slices.Delete(q.msgs, i, i+1)
	return nil
}

// changeVisibility makes an in-flight message visible again after
// timeout, counted from now.
func (s *Server) changeVisibility(q *queue, handle string, timeout int, now time.Time) error {
	if timeout < 0 || timeout > maxVisibility {
		return errInvalidParameter("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.", timeout)
	}
	s.expire(q, now)
	_, m, err := s.messageOf(q, handle)
	switch {
	case err != nil:
		return err
	case m == nil:
		return errInvalidParameter("Value %s for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change.", handle)
	case m.state(now) != inFlight:
		return errNotInflight()
	}
	end := now.Add(time.Duration(timeout) * time.Second)
	if end.Sub(m.lastReceive) > maxVisibility*time.Second {
		return errInvalidParameter("Value %d for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]", timeout)
	}
	m.visibleAt = end
	q.wake()
	return nil
}

// counts are the queue's Approximate* numbers.
func (s *Server) counts(q *queue, now time.Time) (vis, flight, delay int) {
	s.expire(q, now)
	for _, m := range q.msgs {
		switch m.state(now) {
		case visible:
			vis++
		case inFlight:
			flight++
		case delayed:
			delay++
		}
	}
	return vis, flight, delay
}
