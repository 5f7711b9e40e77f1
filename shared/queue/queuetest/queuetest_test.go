package queuetest_test

import (
	"testing"
	"time"

	"innkeeper/shared/queue"
	"innkeeper/shared/queue/queuetest"
)

func TestOutboxContract(t *testing.T) {
	queuetest.OutboxContract(t, func(t *testing.T) (queue.Outbox, queuetest.AddFunc) {
		o := &queuetest.Outbox{}
		return o, func(_ *testing.T, eventType, reference string, payload []byte, createdAt time.Time) int64 {
			return o.Add(eventType, reference, payload, createdAt)
		}
	})
}
