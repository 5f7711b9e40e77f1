package finance

import (
	"time"

	"innkeeper/shared/meter"
	"innkeeper/shared/pricing"
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
func (r Receipt) Total() pricing.Nanos {
	var sum pricing.Nanos
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
	TriggerKind meter.TriggerKind
	Started     time.Time
	BilledMS    int64
	MemoryMB    int
	InitMS      int64
	Cost        pricing.Nanos
	// SharedBy is how many reservations the invocation worked on (a
	// worker's email batch, a scheduled job): each is charged an equal
	// share. A preceding search is charged to this booking alone.
	SharedBy int
	// PrecedingSearch marks an availability search by the same client
	// for the same hotel in the SearchWindow before the booking.
	PrecedingSearch bool
	// Items are the line items of the full cost; they add up to Cost.
	Items []pricing.LineItem
}

// Share is the line's cost over SharedBy, rounded half up.
func (l ReceiptLine) Share() pricing.Nanos {
	if l.SharedBy <= 1 {
		return l.Cost
	}
	return DivRound(l.Cost, int64(l.SharedBy))
}
