package booking

import (
	"crypto/rand"
	"fmt"
	"net/mail"
	"strings"
	"time"
)

// Status is where a reservation is in its life.
type Status string

// The statuses a reservation moves through; the table in status.go says
// which action leads from which to which.
const (
	StatusHeld       Status = "held"
	StatusConfirmed  Status = "confirmed"
	StatusCancelled  Status = "cancelled"
	StatusExpired    Status = "expired"
	StatusCheckedIn  Status = "checked_in"
	StatusCheckedOut Status = "checked_out"
	StatusNoShow     Status = "no_show"
)

// ValidStatus reports whether s names a status.
func ValidStatus(s string) bool {
	for _, st := range Statuses {
		if Status(s) == st {
			return true
		}
	}
	return false
}

// Guest is who the reservation is for.
type Guest struct {
	Name  string
	Email string
	Phone string
}

func (g Guest) validateInto(v *ValidationError) {
	checkName(v, "guest.name", g.Name, 200)
	if g.Email == "" {
		v.Add("guest.email", "is required")
	} else if a, err := mail.ParseAddress(g.Email); err != nil || a.Address != g.Email || len(g.Email) > 254 {
		v.Add("guest.email", "must be an email address such as ana@example.com")
	}
	if g.Phone != "" && !isPhone(g.Phone) {
		v.Add("guest.phone", "must be a phone number such as +351 912 345 678")
	}
}

// Reservation is a booking of rooms of one type under one rate plan.
type Reservation struct {
	ID           int64
	Reference    string
	Status       Status
	HotelID      int64
	HotelSlug    string
	Timezone     string // the hotel's, to show instants in its offset
	CheckInTime  string // the hotel's local check-in time, "15:00"
	RoomTypeID   int64
	RoomTypeCode string
	RatePlanCode string
	Stay
	Guest      Guest
	TotalCents int64
	Currency   string
	// Price is TotalCents line by line: the rooms, each tax and fee, and
	// what is paid at the hotel.
	Price Price
	// The cancellation terms are copied from the rate plan when booking, so
	// later changes to the plan do not change a guest's contract.
	Refundable            bool
	FreeCancellationUntil *time.Time
	PenaltyPercent        int
	// Payment is the plan's payment policy, copied when booking like the
	// cancellation terms (migration 0029); a reservation booked before
	// policies has none and reads as the default for its terms.
	Payment PaymentPolicy
	// PendingPayment is the provider's id of the payment or card saving
	// the reservation waits on (pi_…, seti_…), "" when none; Card is
	// the card saved for off-session charges (migration 0030).
	PendingPayment string
	Card           SavedCard
	// PaidCents is what the payments ledger holds as paid when the
	// reservation was read: charges and fees minus refunds.
	PaidCents int64

	HoldExpiresAt        *time.Time
	CancellationFeeCents *int64
	NoShowFeeCents       *int64
	CheckedInAt          *time.Time
	CheckedOutAt         *time.Time
	CreatedAt            time.Time
	UpdatedAt            time.Time

	// AccessTokenHash proves the guest's bearer token; it never leaves the
	// service.
	AccessTokenHash []byte

	// BookingReference and Line, when the reservation is a line of a
	// booking of several rooms, name the booking and the line (from 1);
	// empty and 0 for a reservation booked alone. They are set where a
	// booking's lines are read or written, and on the desk record.
	BookingReference string
	Line             int
}

// CheckInInstant is when the stay begins: the check-in date at the
// hotel's check-in time, in the hotel's time zone.
func (r Reservation) CheckInInstant() time.Time {
	return Hotel{Timezone: r.Timezone, CheckInTime: r.CheckInTime}.CheckInInstant(r.CheckIn)
}

// CancellationFee is what cancelling at instant now would cost: a
// percent of TotalCents, what was booked (taxes and fees added
// included), never of what is paid at the hotel, which was not charged.
func (r Reservation) CancellationFee(now time.Time) int64 {
	if r.Status == StatusHeld {
		return 0 // nothing was bought yet
	}
	if r.Refundable && r.FreeCancellationUntil != nil && now.Before(*r.FreeCancellationUntil) {
		return 0
	}
	pct := int64(r.PenaltyPercent)
	if !r.Refundable {
		pct = 100
	}
	return percentOf(r.TotalCents, pct)
}

// percentOf rounds half up in minor units, in integers only.
func percentOf(cents, pct int64) int64 {
	return (cents*pct + 50) / 100
}

// FreeCancellationUntil is the last instant a stay under plan p starting on
// checkIn can be cancelled for free, or nil when the plan never allows it.
func FreeCancellationUntil(h Hotel, p RatePlan, checkIn Date) *time.Time {
	if !p.Refundable {
		return nil
	}
	t := h.CheckInInstant(checkIn).Add(-time.Duration(p.FreeCancellationHours) * time.Hour)
	return &t
}

// Event is a domain event written to the outbox with the change that
// caused it, in the same transaction.
type Event struct {
	Type      string `json:"type"` // reservation.held, reservation.confirmed, …
	Reference string `json:"reference"`
	HotelSlug string `json:"hotel"`
	RoomType  string `json:"room_type"`
	Status    Status `json:"status"`
	// Zero, and left out, only in an event about no stay (a guest's
	// lookup, EventAccessRequested).
	CheckIn    Date      `json:"check_in,omitzero"`
	CheckOut   Date      `json:"check_out,omitzero"`
	Rooms      int       `json:"rooms"`
	OccurredAt time.Time `json:"occurred_at"`
	// Previous is the stay a modification replaced (reservation.modified
	// only): its nights were given back, so their units left changed too.
	Previous *StayRef `json:"previous,omitempty"`
	// Booking is the booking of several rooms the reservation is a line
	// of, where the event's writer knows it (a new booking's lines):
	// the notifier sends the booking's confirmation once for them all.
	Booking string `json:"booking,omitempty"`
	// PaymentEvent is the provider's event id (evt_…) of a
	// payment.webhook event.
	PaymentEvent string `json:"payment_event,omitempty"`
}

// StayRef is a reservation's room type, nights and rooms, as an event
// names them.
type StayRef struct {
	RoomType string `json:"room_type"`
	CheckIn  Date   `json:"check_in"`
	CheckOut Date   `json:"check_out"`
	Rooms    int    `json:"rooms"`
}

// EventModified is the type of the event a modification writes: the
// status stays, the stay changes.
const EventModified = "reservation.modified"

// EventFor describes r's current state as an outbox event. It names no
// booking: only the events that create a booking of several rooms do
// (BookingEventFor), so that what happens to a line later is that
// line's own news and email.
func EventFor(r Reservation, at time.Time) Event {
	return Event{
		Type:       "reservation." + string(r.Status),
		Reference:  r.Reference,
		HotelSlug:  r.HotelSlug,
		RoomType:   r.RoomTypeCode,
		Status:     r.Status,
		CheckIn:    r.CheckIn,
		CheckOut:   r.CheckOut,
		Rooms:      r.Rooms,
		OccurredAt: at,
	}
}

// BookingEventFor is EventFor of a line as its booking is created: it
// names the booking, whose emails go out once, for the first line.
func BookingEventFor(r Reservation, at time.Time) Event {
	ev := EventFor(r, at)
	ev.Booking = r.BookingReference
	return ev
}

// Transition is a status change the Store applies to a locked reservation.
type Transition struct {
	At             time.Time
	To             Status
	FeeCents       *int64 // the cancellation fee
	NoShowFeeCents *int64
	ReleaseNights  bool // give the nights back to inventory
	// ReleaseFrom, when set, gives back only the nights from that date on,
	// and the stay ends that day (an early check-out).
	ReleaseFrom Date
	Err         error // returned to the caller after the change commits
	// Audit, when set, is recorded in the audit trail in the same
	// transaction, with the status before and after.
	Audit *Audit
	// PaymentMethod is how a check-out was paid (PaymentMethods), as
	// its invoice records it; empty for unspecified.
	PaymentMethod string
	// AsBooking writes the event as its booking's (BookingEventFor):
	// every line of a booking paid at once is confirmed at once, and the
	// guest gets the booking's one email.
	AsBooking bool
}

// Audit is who did a write and why, for the audit trail.
type Audit struct {
	ActorKind string // api_key, guest, system or job
	Actor     string // the API key's public id, …
	ActorRole string
	Action    string // reservation.check_in, …
	Reason    string
	RequestID string
}

// Confirm turns a live hold into a booking. A hold past its expiry is
// expired instead (its nights given back) and ErrHoldExpired is reported.
func Confirm(r Reservation, now time.Time) (Transition, error) {
	to, err := Next(r.Status, ActionConfirm)
	if err != nil {
		return Transition{}, err
	}
	if r.HoldExpiresAt != nil && !now.Before(*r.HoldExpiresAt) {
		expired, err := Next(r.Status, ActionExpire)
		if err != nil {
			return Transition{}, err
		}
		return Transition{At: now, To: expired, ReleaseNights: true, Err: ErrHoldExpired}, nil
	}
	return Transition{At: now, To: to}, nil
}

// Cancel ends a hold or a booking under its cancellation terms. A guest
// cannot cancel a booking once its check-in instant has come: the nights
// may be in use or past, and giving them back to inventory would sell
// rooms that were slept in; the front desk handles those. A hold may
// still be cancelled then: nothing was bought, and its expiry would give
// the same nights back within minutes anyway.
func Cancel(r Reservation, now time.Time) (Transition, error) {
	to, err := Next(r.Status, ActionCancel)
	if err != nil {
		return Transition{}, err
	}
	if r.Status != StatusHeld && !now.Before(r.CheckInInstant()) {
		return Transition{}, ErrCheckedIn
	}
	fee := r.CancellationFee(now)
	return Transition{At: now, To: to, FeeCents: &fee, ReleaseNights: true}, nil
}

// Expire ends a hold whose time is up.
func Expire(r Reservation, now time.Time) (Transition, error) {
	to, err := Next(r.Status, ActionExpire)
	if err != nil {
		return Transition{}, err
	}
	if r.HoldExpiresAt == nil || now.Before(*r.HoldExpiresAt) {
		return Transition{}, Conflict("only a hold past its expiry can expire")
	}
	return Transition{At: now, To: to, ReleaseNights: true}, nil
}

// referenceAlphabet is Crockford's base32: no I, L, O or U to misread.
const referenceAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewReference returns a public reference such as INK-7K3Q9P.
func NewReference() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("booking: crypto/rand failed: %v", err))
	}
	out := []byte("INK-")
	for _, c := range b {
		out = append(out, referenceAlphabet[int(c)%len(referenceAlphabet)])
	}
	return string(out)
}

// ValidReference reports whether s has the shape of a reference.
func ValidReference(s string) bool {
	code, ok := strings.CutPrefix(s, "INK-")
	return ok && len(code) == 6 && onlyFrom(code, referenceAlphabet)
}
