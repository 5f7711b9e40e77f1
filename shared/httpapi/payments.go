package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/payments"
)

// Payments takes a booking's payment and receives the provider's
// webhooks; package cashier implements it. Nil, the API takes no
// payment: bookings are confirmed as they were before payments, and the
// webhook route answers 404.
type Payments interface {
	// Pay pays hold r with the PaymentMethod pm (see cashier.Pay).
	Pay(ctx context.Context, r booking.Reservation, pm, attempt string, release bool,
		receipt *booking.Receipt, token string) (booking.Reservation, *booking.PaymentOutcome, error)
	// PayBooking pays every line of booking b with one payment (see
	// cashier.PayBooking).
	PayBooking(ctx context.Context, b booking.Booking, pm string, receipt *booking.Receipt, token string) (booking.Booking, *booking.PaymentOutcome, error)
	// Receive records a verified webhook event and queues it.
	Receive(ctx context.Context, ev payments.Event, payload []byte) (bool, error)
}

// paymentRequest is the "payment" member of a booking, a confirmation or
// a modification: the PaymentMethod the client created with the
// provider's library (Stripe.js, the mobile SDKs). Card numbers never
// reach the API (PCI DSS SAQ A).
type paymentRequest struct {
	PaymentMethod string `json:"payment_method"`
}

// paymentMethodOf checks the payment member: required when payments are
// on and the command takes one, refused when it takes none.
func (s *Server) paymentMethodOf(v *booking.ValidationError, p *paymentRequest, wanted bool) string {
	switch {
	case s.payments == nil:
		if p != nil {
			v.Add("payment", "is not taken: this API takes no payments")
		}
		return ""
	case !wanted:
		if p != nil {
			v.Add("payment", "is not taken by a hold; pay when confirming it")
		}
		return ""
	case p == nil || p.PaymentMethod == "":
		v.Add("payment.payment_method", "is required: the id of a PaymentMethod created with Stripe.js or a mobile SDK (pm_…)")
	case !strings.HasPrefix(p.PaymentMethod, "pm_") || len(p.PaymentMethod) > 255:
		v.Add("payment.payment_method", "must be a PaymentMethod id (pm_…)")
	default:
		return p.PaymentMethod
	}
	return ""
}

// paymentUnavailable is the 503 of a payment the provider did not
// answer: the rooms stay held until the hold expires, and the same
// request again (same Idempotency-Key) shows the hold.
type paymentUnavailable struct{ *Problem }

func (p paymentUnavailable) Is(target error) bool { return target == booking.ErrUnavailable }

func (p paymentUnavailable) Unwrap() error { return p.Problem }

func newPaymentUnavailable(ref string, expires *time.Time) error {
	until := ""
	if expires != nil {
		until = " until " + expires.UTC().Format("2006-01-02T15:04:05Z")
	}
	p := unavailable("The payment service did not answer. Nothing was charged that we know of; the rooms are held" + until +
		" as " + ref + ". Retry the same request with the same Idempotency-Key: it pays once.")
	p.Type, p.Title = ProblemBase+"payment-unavailable", "Payment service unavailable"
	return paymentUnavailable{p}
}

// declinedProblem is the 402 of a declined card, with the provider's
// decline code.
func declinedProblem(o *booking.PaymentOutcome) *Problem {
	p := problem(http.StatusPaymentRequired, "payment-declined", "Payment declined",
		"The card was declined; nothing was booked or charged. Try another card.")
	if o != nil && o.Decline != nil {
		p.DeclineCode = o.Decline.Code
		if o.Decline.Message != "" {
			p.Detail = o.Decline.Message + " Nothing was booked or charged; try another card."
		}
	}
	return p
}

// declined reports whether o is a card refused.
func declined(o *booking.PaymentOutcome) bool {
	return o.Decline != nil || o.Status == string(payments.StatusDeclined) ||
		o.Status == string(payments.StatusFailed) || o.Status == string(payments.StatusCancelled)
}

// paymentProblem is the problem a payment's outcome answers, nil when it
// answers the reservation: a 422 for a PaymentMethod the provider would
// not take, a 402 for a declined card, a 409 for a payment that came as
// the hold expired (its rooms were released; it is refunded).
func paymentProblem(o *booking.PaymentOutcome, status booking.Status) *Problem {
	switch {
	case o.Invalid != nil:
		return fieldErrors(http.StatusUnprocessableEntity, "The payment method cannot be used; nothing was booked or charged.", o.Invalid.Fields)
	case declined(o):
		return declinedProblem(o)
	case status == booking.StatusExpired:
		return problem(http.StatusConflict, "hold-expired", "Hold expired",
			"The hold expired as it was being paid; its rooms were released and the payment is refunded in full.")
	}
	return nil
}

// storedProblem is p as a receipt keeps it.
func storedProblem(p *Problem) (booking.StoredResponse, error) {
	body, err := json.Marshal(p)
	if err != nil {
		return booking.StoredResponse{}, err
	}
	return booking.StoredResponse{Status: p.Status, Body: append(body, '\n'),
		Header: map[string]string{"Content-Type": "application/problem+json"}}, nil
}

// paymentDone is how a booking's one payment went, beside the booking:
// succeeded, or requires_action with what the client's payment library
// does next.
type paymentDone struct {
	Status       string              `json:"status"`
	ClientSecret string              `json:"client_secret,omitempty"`
	NextAction   *booking.NextAction `json:"next_action,omitempty"`
	Pending      string              `json:"pending,omitempty"`
}

func viewPaymentDone(o *booking.PaymentOutcome) *paymentDone {
	v := &paymentDone{Status: o.Status}
	if o.Status == string(payments.StatusRequiresAction) {
		v.ClientSecret, v.NextAction, v.Pending = o.ClientSecret, o.NextAction, o.Intent
	}
	return v
}

// renderPaid renders a command that paid: the reservation with how its
// payment went, or the 402 of a declined card.
func renderPaid(status int) func(booking.Outcome) (booking.StoredResponse, error) {
	plain := renderReservation(status)
	return func(o booking.Outcome) (booking.StoredResponse, error) {
		if o.Payment == nil {
			return plain(o)
		}
		if p := paymentProblem(o.Payment, o.Reservation.Status); p != nil {
			return storedProblem(p)
		}
		env := reservationEnvelope{viewReservation(o.Reservation), o.AccessToken}
		env.Reservation.Payment.Status = o.Payment.Status
		// What cancelling would give back, as of the payment.
		refund := o.Reservation.RefundOnCancel(o.Reservation.PaidCents, o.Reservation.UpdatedAt)
		env.Reservation.Payment.RefundCents = &refund
		if o.Payment.Status == string(payments.StatusRequiresAction) {
			env.Reservation.Payment.ClientSecret = o.Payment.ClientSecret
			env.Reservation.Payment.NextAction = o.Payment.NextAction
		}
		return stored(status, env, "/v1/reservations/"+o.Reservation.Reference)
	}
}

// payHold pays a hold just booked or being confirmed, and maps how it
// went: a decline is no error to the command (its 402 is the stored
// response), an outage a 503 naming the hold.
func (s *Server) payHold(ctx context.Context, res booking.Reservation, pm, attempt string, release bool, rc *booking.Receipt, token string) error {
	// A booking stored its hold's receipt: the payment replaces it, with
	// the new access token. A confirmation stores its own, without it.
	paid := *rc
	paid.Replace = release
	if !release {
		token = ""
	}
	_, _, err := s.payments.Pay(ctx, res, pm, attempt, release, &paid, token)
	return paymentErr(err, res.Reference, res.HoldExpiresAt, release)
}

// paymentErr is what a command that paid answers for the payment's err:
// nothing for a declined card (its 402 is the stored response), the 503
// naming the hold when the provider did not answer after the hold was
// made (held), err otherwise (the database's outage is its own 503).
func paymentErr(err error, ref string, expires *time.Time, held bool) error {
	switch {
	case errors.Is(err, booking.ErrPaymentDeclined):
		return nil
	case errors.Is(err, booking.ErrHoldExpired) && held:
		return nil // its 409 replaced the hold's answer
	case errors.Is(err, payments.ErrUnavailable) && held:
		return newPaymentUnavailable(ref, expires)
	}
	return err
}

// stripeWebhook takes the provider's events: the signature is checked
// (Stripe-Signature with the endpoint secret, within 5 minutes), the
// event recorded once by its id and queued, and 200 answered at once; a
// forged, stale or unreadable one is a 400 and changes nothing.
func (s *Server) stripeWebhook(w http.ResponseWriter, r *http.Request) {
	if s.payments == nil {
		s.fail(w, r, booking.ErrNotFound)
		return
	}
	// Stripe's events are JSON of a few KiB: MaxBody (64 KiB) is ample.
	body, err := readBody(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// API Gateway's adapter splits a header at its commas, and the
	// signature is "t=…,v1=…": its values joined again are the header.
	signature := strings.Join(r.Header.Values("Stripe-Signature"), ",")
	ev, err := payments.VerifyWebhook(body, signature, s.webhookSecret, s.svc.Now())
	if err != nil {
		s.fail(w, r, problem(http.StatusBadRequest, "webhook-signature", "Webhook not verified",
			"The Stripe-Signature does not verify with this endpoint's secret within 5 minutes; nothing was recorded."))
		return
	}
	created, err := s.payments.Receive(r.Context(), ev, body)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"received": true, "duplicate": !created})
}

// heldReceipt is the answer stored under rc's key while it is still the
// hold's a booking stored before paying: a 201 of the same request.
func (s *Server) heldReceipt(ctx context.Context, rc *booking.Receipt) ([]byte, bool) {
	fp, resp, found, err := s.receipts.LookupReceipt(ctx, rc.Scope, rc.Key, s.svc.Now())
	if err != nil || !found || !bytes.Equal(fp, rc.Fingerprint) || resp.Status != http.StatusCreated {
		return nil, false
	}
	body, err := s.openReceipt(resp.Body, rc.Scope, rc.Key, fp)
	return body, err == nil
}

// unpaid reports whether a hold waits for a payment that was never made
// or never answered: nothing pending, nothing recorded.
func unpaid(r booking.Reservation) bool {
	return r.Status == booking.StatusHeld && r.PendingPayment == "" && r.PaidCents == 0
}

// unpaidHold is the hold a booking stored under rc's key when its
// payment never answered: the stored answer is still the hold's (no
// payment outcome replaced it) and the reservation is still unpaid. A
// retry then pays it.
func (s *Server) unpaidHold(ctx context.Context, rc *booking.Receipt) (booking.Reservation, string, bool) {
	body, ok := s.heldReceipt(ctx, rc)
	if !ok {
		return booking.Reservation{}, "", false
	}
	var stored struct {
		Reservation struct {
			Reference string `json:"reference"`
			Payment   struct {
				Status string `json:"status"`
			} `json:"payment"`
		} `json:"reservation"`
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(body, &stored) != nil || stored.Reservation.Payment.Status != "" {
		return booking.Reservation{}, "", false
	}
	r, err := s.svc.Reservation(ctx, stored.Reservation.Reference, stored.AccessToken)
	if err != nil || !unpaid(r) {
		return booking.Reservation{}, "", false
	}
	return r, stored.AccessToken, true
}

// unpaidBooking is unpaidHold for a booking of several rooms: its stored
// answer carries no payment, and every line is unpaid.
func (s *Server) unpaidBooking(ctx context.Context, rc *booking.Receipt) (booking.Booking, string, bool) {
	body, ok := s.heldReceipt(ctx, rc)
	if !ok {
		return booking.Booking{}, "", false
	}
	var stored struct {
		Booking struct {
			Reference string `json:"reference"`
		} `json:"booking"`
		AccessToken string       `json:"access_token"`
		Payment     *paymentDone `json:"payment"`
	}
	if json.Unmarshal(body, &stored) != nil || stored.Payment != nil {
		return booking.Booking{}, "", false
	}
	b, err := s.svc.Booking(ctx, stored.Booking.Reference, stored.AccessToken)
	if err != nil || len(b.Lines) == 0 {
		return booking.Booking{}, "", false
	}
	for _, l := range b.Lines {
		if !unpaid(l) {
			return booking.Booking{}, "", false
		}
	}
	return b, stored.AccessToken, true
}
