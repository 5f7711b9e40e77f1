package booking

import (
	"encoding/json"
	"time"
)

// DeskRecord is what the front desk sees of one reservation: the
// reservation and what happened around it.
type DeskRecord struct {
	Reservation Reservation
	// Nights are the stay's nights with the rate plan's price of one
	// room today, in date order. Prices are not kept per night when
	// booking, so a night whose rate changed since shows the new one and
	// a night whose rate was removed is missing; Reservation.TotalCents
	// is what the guest pays.
	Nights []NightPrice
	// Notices are the emails recorded as sent, oldest first.
	Notices []Notice
	// History is the reservation's audit trail, oldest first.
	History []AuditEvent
}

// NightsCents is the sum of Nights for the reservation's rooms: equal to
// TotalCents unless the rates changed since booking.
func (d DeskRecord) NightsCents() int64 {
	var sum int64
	for _, n := range d.Nights {
		sum += n.AmountCents
	}
	return sum * int64(d.Reservation.Rooms)
}

// Notice is one email sent about a reservation.
type Notice struct {
	Kind      string
	MessageID string
	SentAt    time.Time
}

// AuditEvent is one row of the audit trail (migration 0012).
type AuditEvent struct {
	At         time.Time
	ActorKind  string // api_key, guest, system or job
	Actor      string
	ActorRole  string
	Action     string
	EntityKind string
	EntityKey  string
	Before     json.RawMessage // nil when not recorded
	After      json.RawMessage
	Reason     string
	RequestID  string
}
