package finance

import (
	"time"

	"innkeeper/shared/cost"
)

// Receipt is what one booking cost: every invocation that worked on it,
// and the availability searches that preceded it.
type Receipt struct {
	Reference string
	Hotel     string
	Status    string
	CreatedAt time.Time
	// Lines are in the order the invocations started.
	Lines []ReceiptLine
}

// Total is the sum of the lines' shares: what the booking is charged.
func (r Receipt) Total() cost.Nanos {
	var sum cost.Nanos
	for _, l := range r.Lines {
		sum += l.Share()
	}
	return sum
}

// ReceiptLine is one invocation on a receipt, at its full cost; Share is
// the part charged to this booking.
type ReceiptLine struct {
	RequestID   string
	Function    string
	Trigger     string
	TriggerKind cost.TriggerKind
	Started     time.Time
	BilledMS    int64
	MemoryMB    int
	InitMS      int64
	Cost        cost.Nanos
	// SharedBy is how many reservations the invocation worked on (a
	// worker's email batch, a scheduled job): each is charged an equal
	// share. A preceding search is charged to this booking alone.
	SharedBy int
	// PrecedingSearch marks an availability search by the same client
	// for the same hotel in the SearchWindow before the booking.
	PrecedingSearch bool
	// Items are the line items of the full cost; they add up to Cost.
	Items []cost.LineItem
}

// Share is the line's cost over SharedBy, rounded half up.
func (l ReceiptLine) Share() cost.Nanos {
	if l.SharedBy <= 1 {
		return l.Cost
	}
	return DivRound(l.Cost, int64(l.SharedBy))
}
