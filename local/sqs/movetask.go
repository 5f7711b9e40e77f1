package sqs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"time"

	"innkeeper/local/awsid"
)

// moveTask is a dead-letter queue redrive. SQS runs one in the
// background at a rate; here it runs to its end before
// StartMessageMoveTask answers, so ListMessageMoveTasks finds it
// COMPLETED (or FAILED), never RUNNING.
type moveTask struct {
	handle        string
	status        string
	source, dest  string
	rate          *int
	moved, toMove int64
	failure       string
	started       time.Time
}

// maxTasksListed is how many of a queue's move tasks SQS remembers.
const maxTasksListed = 10

type startMessageMoveTaskInput struct {
	SourceArn                    *string
	DestinationArn               *string
	MaxNumberOfMessagesPerSecond *int
}

type startMessageMoveTaskOutput struct {
	TaskHandle string
}

func (s *Server) startMessageMoveTask(_ context.Context, in *startMessageMoveTaskInput) (*startMessageMoveTaskOutput, error) {
	if in.SourceArn == nil {
		return nil, errMissingParameter("SourceArn")
	}
	if r := in.MaxNumberOfMessagesPerSecond; r != nil && (*r < 1 || *r > 500) {
		return nil, errInvalidParameter("Value %d for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500.", *r)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	src := s.queueOfARN(*in.SourceArn)
	if src == nil {
		return nil, errResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	if len(s.sourcesOf(src)) == 0 {
		return nil, errInvalidParameter("Source queue must be configured as a Dead Letter Queue.")
	}
	var dst *queue
	if in.DestinationArn != nil {
		if dst = s.queueOfARN(*in.DestinationArn); dst == nil {
			return nil, errResourceNotFound("The resource that you specified for the DestinationArn parameter doesn't exist.")
		}
		if dst == src {
			return nil, errInvalidParameter("Source queue and destination queue must be different.")
		}
	}

	now := s.now()
	handle, _ := json.Marshal(map[string]string{"taskId": awsid.UUID(), "sourceArn": *in.SourceArn})
	t := &moveTask{
		handle: base64.StdEncoding.EncodeToString(handle), status: "COMPLETED",
		source: *in.SourceArn, dest: deref(in.DestinationArn), rate: in.MaxNumberOfMessagesPerSecond, started: now,
	}
	s.expire(src, now)
	moved := map[*message]bool{}
	for _, m := range src.msgs {
		if m.state(now) != visible {
			continue // in flight or delayed: a real task would wait for it
		}
		t.toMove++
		target := dst
		if target == nil {
			target = s.queueOfARN(m.dlqSource)
		}
		if target == nil {
			t.status, t.failure = "FAILED", "Some messages have no source queue to return to: they were not dead-lettered by SQS, or their source queue is gone. Give a DestinationArn."
			continue
		}
		// A redriven message is a new message: new id, new enqueue time.
		s.enqueue(target, &message{
			id: awsid.UUID(), body: m.body, md5Body: m.md5Body, attrs: m.attrs, trace: m.trace,
			senderID: m.senderID, sentAt: now, visibleAt: now,
		})
		moved[m] = true
		t.moved++
	}
	src.msgs = slices.DeleteFunc(src.msgs, func(m *message) bool { return moved[m] })
	src.tasks = slices.Insert(src.tasks, 0, t)
	if len(src.tasks) > maxTasksListed {
		src.tasks = src.tasks[:maxTasksListed]
	}
	return &startMessageMoveTaskOutput{TaskHandle: t.handle}, nil
}

// queueOfARN is the queue an ARN names, nil if none.
func (s *Server) queueOfARN(arn string) *queue {
	name, ok := s.nameOfARN(arn)
	if !ok {
		return nil
	}
	return s.queues[name]
}

type listMessageMoveTasksInput struct {
	SourceArn  *string
	MaxResults *int
}

type moveTaskEntry struct {
	Status                            string
	SourceArn                         string
	DestinationArn                    string `json:",omitempty"`
	MaxNumberOfMessagesPerSecond      *int   `json:",omitempty"`
	ApproximateNumberOfMessagesMoved  int64
	ApproximateNumberOfMessagesToMove *int64 `json:",omitempty"`
	FailureReason                     string `json:",omitempty"`
	StartedTimestamp                  int64
}

type listMessageMoveTasksOutput struct {
	Results []moveTaskEntry
}

func (s *Server) listMessageMoveTasks(_ context.Context, in *listMessageMoveTasksInput) (*listMessageMoveTasksOutput, error) {
	if in.SourceArn == nil {
		return nil, errMissingParameter("SourceArn")
	}
	limit := 1
	if in.MaxResults != nil {
		if limit = *in.MaxResults; limit < 1 || limit > maxTasksListed {
			return nil, errInvalidParameter("Value %d for parameter MaxResults is invalid. Reason: Must be between 1 and 10.", limit)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	src := s.queueOfARN(*in.SourceArn)
	if src == nil {
		return nil, errResourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.")
	}
	out := &listMessageMoveTasksOutput{Results: []moveTaskEntry{}}
	// SQS lists a task's handle only while it runs, which these never
	// are by the time anyone can list them.
	for _, t := range src.tasks[:min(limit, len(src.tasks))] {
		toMove := t.toMove
		out.Results = append(out.Results, moveTaskEntry{
			Status: t.status, SourceArn: t.source, DestinationArn: t.dest, MaxNumberOfMessagesPerSecond: t.rate,
			ApproximateNumberOfMessagesMoved: t.moved, ApproximateNumberOfMessagesToMove: &toMove,
			FailureReason: t.failure, StartedTimestamp: t.started.UnixMilli(),
		})
	}
	return out, nil
}
