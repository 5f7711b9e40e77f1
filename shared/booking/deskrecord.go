package booking

import (
	"encoding/json"
	"time"
)

// DeskRecord is what the front desk sees of one reservation: the
// reservation and what happened around it.
type DeskRecord struct {
	Reservation Reservation
	// Nights are the nights the reservation was booked for, each with
	// its price for all the rooms and their guests (PriceNights), as
	// booked, in date order; Rates has one room's rate of each, which
	// they were priced from: the store keeps
	// them with the reservation and a modification replaces them, so
	// later rate changes do not show. An early check-out keeps the
	// nights it gave back (see Released): they were booked, and the
	// total stands.
	Nights []NightPrice
	Rates  []NightPrice
	// Notices are the emails recorded as sent, oldest first.
	Notices []Notice
	// History is the reservation's audit trail, oldest first.
	History []AuditEvent
	// Payments are the reservation's rows of the payments ledger, in
	// the order recorded.
	Payments []PaymentRecord
}

// NightsCents is the sum of Nights, each the night's amount for all the
// reservation's rooms and guests: the rooms' price, the reservation's
// Price.RoomCents, which was priced from the same nights (its TotalCents
// adds the taxes and fees on top).
// Reservations made before the prices were kept (migration 0019) have
// their nights at the rates of the day it ran, and may differ.
func (d DeskRecord) NightsCents() int64 {
	var sum int64
	for _, n := range d.Nights {
		sum += n.AmountCents
	}
	return sum
}

// Released tells whether night n was given back by an early check-out:
// booked, but on or after the day the shortened stay ends (CheckOut).
func (d DeskRecord) Released(n NightPrice) bool {
	return !n.Date.Before(d.Reservation.CheckOut)
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
