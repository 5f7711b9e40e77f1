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
	// SharedBy is how many reservations share the invocation: those it
	// worked on (a worker's email batch, a scheduled job) or, for a
	// preceding search, the bookings it led to (the client's bookings at
	// the hotel it preceded by at most SearchWindow). ShareIndex is this
	// booking's place among them, from 0: the reservations' order in the
	// invocation, or the bookings' by creation time then reference.
	// The shares are equal and exact (Split), so the receipts of the
	// bookings sharing an invocation add up to its cost, never more.
	SharedBy   int
	ShareIndex int
	// PrecedingSearch marks an availability search by the same client
	// for the same hotel in the SearchWindow before the booking.
	PrecedingSearch bool
	// Items are the line items of the full cost; they add up to Cost.
	Items []pricing.LineItem
}

// Share is the line's cost over SharedBy, split exactly: rounded down,
// plus a nano for the first Cost mod SharedBy places (Split).
func (l ReceiptLine) Share() pricing.Nanos {
	return Split(l.Cost, int64(l.SharedBy), int64(l.ShareIndex))
}
