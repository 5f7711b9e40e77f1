package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"innkeeper/shared/booking"
)

// The front desk's reads: a hotel's reservations found by reference,
// guest email or name (listReservations, q=), and one reservation with
// what happened around it.

// Desk reads the front desk's record of one reservation.
type Desk interface {
	// DeskRecord is booking.ErrNotFound for an unknown reference.
	DeskRecord(ctx context.Context, reference string) (booking.DeskRecord, error)
}

// paymentsNote says what the payments list holds and how paid_cents
// sums it, so staff do not read a failure or a saved card as money.
const paymentsNote = "Every movement of money for the reservation through the payment provider, oldest first. " +
	"amount_cents is always positive: a charge or a fee brings it in, a refund gives it back; a failure (a declined " +
	"or failed off-session charge), an authorization (held, not taken) and a setup (card saved) move none. " +
	"paid_cents is charges and fees minus refunds. What is paid at the hotel directly is not listed."

// deskPaymentView is one row of the payments ledger.
type deskPaymentView struct {
	Kind           string    `json:"kind"`
	AmountCents    int64     `json:"amount_cents"`
	Currency       string    `json:"currency"`
	Provider       string    `json:"provider"`
	ProviderRef    string    `json:"provider_ref"`
	Status         string    `json:"status"`
	FailureCode    string    `json:"failure_code,omitempty"`
	FailureMessage string    `json:"failure_message,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

// nightsNote says where the nights' prices come from.
const nightsNote = "Each night the reservation was booked for, at the price of one room when it was booked (or last changed), " +
	"times the rooms; later rate changes do not show. Nights given back by an early check-out are kept and marked released: " +
	"the booked total stands. They sum to the rooms' price, price.room_cents; total_cents adds the taxes and fees " +
	"and is what the guest owes with the booking (price.pay_at_hotel_cents is paid at the hotel besides)."

type deskNightView struct {
	Date      booking.Date `json:"date"`
	RateCents int64        `json:"rate_cents"`
	// AmountCents is the night for all the rooms and their guests:
	// rate_cents × rooms, with the plan's occupancy charges.
	AmountCents int64 `json:"amount_cents"`
	// Released marks a night given back by an early check-out.
	Released bool `json:"released"`
}

type deskEmailView struct {
	Kind      string    `json:"kind"`
	MessageID string    `json:"message_id"`
	SentAt    time.Time `json:"sent_at"`
}

type deskEventView struct {
	At         time.Time       `json:"at"`
	ActorKind  string          `json:"actor_kind"`
	Actor      string          `json:"actor"`
	ActorRole  string          `json:"actor_role,omitempty"`
	Action     string          `json:"action"`
	EntityKind string          `json:"entity_kind,omitempty"`
	EntityKey  string          `json:"entity_key,omitempty"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
	Reason     string          `json:"reason,omitempty"`
	RequestID  string          `json:"request_id,omitempty"`
}

type deskRecordView struct {
	Reservation reservationView `json:"reservation"`
	Nights      []deskNightView `json:"nights"`
	// NightsTotalCents is the nights' amounts summed: price.room_cents,
	// which was priced from the same nights (a reservation made before the
	// prices were kept may differ: its nights were filled in from the
	// rates of that day).
	NightsTotalCents int64             `json:"nights_total_cents"`
	NightsNote       string            `json:"nights_note"`
	Payments         []deskPaymentView `json:"payments"`
	// PaidCents is charges and fees minus refunds (booking.Paid).
	PaidCents    int64           `json:"paid_cents"`
	PaymentsNote string          `json:"payments_note"`
	Emails       []deskEmailView `json:"emails"`
	History      []deskEventView `json:"history"`
	// Invoices are the reservation's invoices and credit notes, in the
	// order issued; left out when it has none.
	Invoices []invoiceView `json:"invoices,omitempty"`
}

// viewDeskRecord shows every instant in the hotel's offset, as the
// reservation's own.
func viewDeskRecord(d booking.DeskRecord) deskRecordView {
	loc := booking.Location(d.Reservation.Timezone)
	v := deskRecordView{
		Reservation: viewReservation(d.Reservation), Nights: []deskNightView{}, NightsTotalCents: d.NightsCents(),
		NightsNote: nightsNote, Payments: []deskPaymentView{}, PaidCents: booking.Paid(d.Payments), PaymentsNote: paymentsNote,
		Emails: []deskEmailView{}, History: []deskEventView{},
	}
	for i, n := range d.Nights {
		var rate int64
		if i < len(d.Rates) {
			rate = d.Rates[i].AmountCents
		}
		v.Nights = append(v.Nights, deskNightView{Date: n.Date, RateCents: rate, AmountCents: n.AmountCents, Released: d.Released(n)})
	}
	for _, p := range d.Payments {
		v.Payments = append(v.Payments, deskPaymentView{Kind: p.Kind, AmountCents: p.AmountCents, Currency: p.Currency,
			Provider: p.Provider, ProviderRef: p.ProviderRef, Status: p.Status, FailureCode: p.FailureCode,
			FailureMessage: p.FailureMessage, CreatedAt: p.CreatedAt.In(loc)})
	}
	for _, n := range d.Notices {
		v.Emails = append(v.Emails, deskEmailView{Kind: n.Kind, MessageID: n.MessageID, SentAt: n.SentAt.In(loc)})
	}
	for _, e := range d.History {
		v.History = append(v.History, deskEventView{
			At: e.At.In(loc), ActorKind: e.ActorKind, Actor: e.Actor, ActorRole: e.ActorRole, Action: e.Action,
			EntityKind: e.EntityKind, EntityKey: e.EntityKey, Before: e.Before, After: e.After,
			Reason: e.Reason, RequestID: e.RequestID,
		})
	}
	return v
}

// deskReservation is GET /v1/admin/reservations/{reference}: the
// reservation with its nights and their prices, its payments ledger,
// the emails sent and its history, oldest first.
func (s *Server) deskReservation(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r)
	if err == nil {
		err = q.err()
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.desk == nil {
		writeProblem(w, problem(http.StatusNotImplemented, "no-desk", "No front desk", "This API has no reservation records configured."))
		return
	}
	ref := r.PathValue("reference")
	if !booking.ValidReference(ref) {
		s.fail(w, r, booking.ErrNotFound)
		return
	}
	d, err := s.desk.DeskRecord(r.Context(), ref)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := viewDeskRecord(d)
	v.Invoices = s.reservationDocs(r, d.Reservation.ID)
	writeJSON(w, http.StatusOK, v)
}
