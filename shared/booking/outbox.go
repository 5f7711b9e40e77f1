package booking

import "time"

// OutboxEvent is an Event as the outbox keeps it until a relay has
// published it: the row's id (which orders events and names them to the
// queue), the Event's type and reservation reference, and the Event as
// JSON. It lives here, beside Event, so that the relay (package queue)
// and the store that implements its outbox share it without either
// importing the other.
type OutboxEvent struct {
	ID        int64
	Type      string
	Reference string
	Payload   []byte
	CreatedAt time.Time
}

// OutboxFilter selects what a sweep publishes: events created before a
// cut-off (none if zero), a page of at most Limit at a time.
type OutboxFilter struct {
	Before time.Time
	Limit  int
}
