package booking

import (
	"context"
	"fmt"
	"time"
)

// The payment policies a rate plan may take its bookings under. They
// decide what is charged when booking; the cancellation terms (Refundable,
// FreeCancellationHours, PenaltyPercent) still decide what a cancellation
// costs, whichever the policy.
const (
	// PolicyGuarantee saves the guest's card when booking and charges
	// nothing then; late-cancellation and no-show fees are charged to it
	// off-session later.
	PolicyGuarantee = "guarantee"
	// PolicyDeposit charges DepositPercent of the booking's TotalCents
	// when booking and the rest at check-out or by the hotel.
	PolicyDeposit = "deposit"
	// PolicyPrepay charges the whole TotalCents when booking (the
	// non-refundable rates).
	PolicyPrepay = "prepay"
)

// PaymentPolicy is how a rate plan takes payment. It is a plain value, so
// RatePlan and Reservation comparisons that do not involve their maps
// stay as they are.
type PaymentPolicy struct {
	// Policy is PolicyGuarantee, PolicyDeposit or PolicyPrepay; empty
	// means the default for the plan's terms (DefaultPolicy).
	Policy string
	// DepositPercent, 1..99, is the share of TotalCents a deposit plan
	// charges when booking; 0 for the other policies.
	DepositPercent int
}

// DefaultPolicy is the policy of a plan that names none, and the one
// migration 0028 gave every plan that existed before policies: a
// refundable plan guarantees with a card, a non-refundable one is paid in
// full when booking (what the guest cannot get back is taken at once).
func DefaultPolicy(refundable bool) PaymentPolicy {
	if refundable {
		return PaymentPolicy{Policy: PolicyGuarantee}
	}
	return PaymentPolicy{Policy: PolicyPrepay}
}

// Or is p, or the default for a plan of the given refundability when p
// names no policy.
func (p PaymentPolicy) Or(refundable bool) PaymentPolicy {
	if p.Policy == "" {
		return DefaultPolicy(refundable)
	}
	return p
}

// validateInto checks the policy and its deposit share: a deposit plan
// takes a percent in 1..99 (0 would be a guarantee, 100 a prepay), the
// other policies none.
func (p PaymentPolicy) validateInto(v *ValidationError) {
	switch p.Policy {
	case PolicyDeposit:
		if p.DepositPercent < 1 || p.DepositPercent > 99 {
			v.Add("deposit_percent", "must be between 1 and 99 for a deposit plan")
		}
	case PolicyGuarantee, PolicyPrepay:
		if p.DepositPercent != 0 {
			v.Add("deposit_percent", fmt.Sprintf("must be 0 (or omitted) for a %s plan", p.Policy))
		}
	default:
		v.Add("payment_policy", "must be guarantee, deposit or prepay")
	}
}

// PaymentTerms is what a stay costs when, under a plan's policy, in the
// price's currency's minor units:
//
//	DueNowCents + DueLaterCents = Price.TotalCents
//
// What is paid at the hotel (Price.PayAtHotelCents, a tourist tax) is in
// neither: it is never charged with the booking, and is shown apart as
// PayAtHotelCents.
type PaymentTerms struct {
	Policy         string
	DepositPercent int
	Currency       string
	// DueNowCents is charged when booking: 0 for guarantee, the deposit
	// share for deposit, TotalCents for prepay.
	DueNowCents int64
	// DueLaterCents is the rest of TotalCents, charged at check-out or by
	// the hotel.
	DueLaterCents   int64
	PayAtHotelCents int64
}

// TermsOf is what a stay priced p costs now and later under policy pol.
// A deposit is DepositPercent of TotalCents rounded half up to the
// minor unit, the one rounding rule of payments (as percentOf rounds a
// cancellation fee): 30% of 12345 is 3703.5, so 3704. Minor units are
// the currency's own, so a zero-decimal currency (JPY) rounds to a whole
// yen the same way and nothing is scaled.
func TermsOf(pol PaymentPolicy, p Price) PaymentTerms {
	t := PaymentTerms{Policy: pol.Policy, DepositPercent: pol.DepositPercent, Currency: p.Currency,
		PayAtHotelCents: p.PayAtHotelCents}
	switch pol.Policy {
	case PolicyPrepay:
		t.DueNowCents = p.TotalCents
	case PolicyDeposit:
		t.DueNowCents = percentOf(p.TotalCents, int64(pol.DepositPercent))
	}
	t.DueLaterCents = p.TotalCents - t.DueNowCents
	return t
}

// PaymentTerms is what the reservation costs now and later under the
// policy it was booked under.
func (r Reservation) PaymentTerms() PaymentTerms {
	return TermsOf(r.Payment.Or(r.Refundable), r.Price)
}

// RefundOnCancel is what cancelling at instant now gives back of paid,
// what the payments ledger holds as paid for the reservation (charges
// minus refunds): paid minus the cancellation fee of the reservation's
// terms (CancellationFee), never below zero. A guarantee booking paid
// nothing, so it gets nothing back; its fee is charged instead
// (FeeToCharge).
func (r Reservation) RefundOnCancel(paid int64, now time.Time) int64 {
	if refund := paid - r.CancellationFee(now); refund > 0 {
		return refund
	}
	return 0
}

// FeeToCharge is what cancelling at instant now leaves to charge
// off-session, beyond what was paid: the cancellation fee minus paid,
// never below zero. For a guarantee booking, which paid nothing, it is
// the whole CancellationFee; a deposit smaller than the fee leaves the
// difference to charge.
func (r Reservation) FeeToCharge(paid int64, now time.Time) int64 {
	if due := r.CancellationFee(now) - paid; due > 0 {
		return due
	}
	return 0
}

// The kinds of row of the payments ledger. Amounts are always positive;
// the kind gives the sign (PaymentRecord.Signed).
const (
	// PaymentCharge is money taken for the booking (a deposit, a prepay,
	// the rest at check-out).
	PaymentCharge = "charge"
	// PaymentRefund is money given back.
	PaymentRefund = "refund"
	// PaymentFee is a late-cancellation or no-show fee charged
	// off-session: money taken like a charge.
	PaymentFee = "fee"
	// PaymentFailure is a charge or fee that did not succeed (declined,
	// failed off-session): recorded for staff, it moves no money.
	PaymentFailure = "failure"
	// PaymentAuthorization is an amount held on the card, not yet taken.
	PaymentAuthorization = "authorization"
	// PaymentSetup is the guest's card saved for later (a SetupIntent).
	PaymentSetup = "setup"
)

// PaymentRecord is one row of the payments ledger (booking.Payment
// is already a payment as an invoice lists it): a movement of money (or an
// attempt at one) for a reservation, never changed once recorded.
type PaymentRecord struct {
	ID            int64
	ReservationID int64
	Kind          string
	// AmountCents is positive (or 0 for a setup), in Currency's minor
	// units.
	AmountCents int64
	Currency    string
	Provider    string // "stripe"
	// ProviderRef is the provider's id of the movement: pi_…, re_…,
	// seti_…
	ProviderRef string
	Status      string // the provider's, e.g. "succeeded"
	// IdempotencyKey is the key the provider was called with; the ledger
	// records a key once, so a retried booking or a replayed webhook
	// never records a movement twice.
	IdempotencyKey string
	FailureCode    string
	FailureMessage string
	// RefundOf is, for a refund, the payment (pi_…) it gives back from.
	RefundOf  string
	CreatedAt time.Time
}

// Signed is what the row adds to what was paid: a charge or fee adds its
// amount, a refund takes it away, the other kinds move no money.
func (p PaymentRecord) Signed() int64 {
	switch p.Kind {
	case PaymentCharge, PaymentFee:
		return p.AmountCents
	case PaymentRefund:
		return -p.AmountCents
	}
	return 0
}

// Paid is what the rows leave paid: charges and fees minus refunds.
func Paid(ps []PaymentRecord) int64 {
	var sum int64
	for _, p := range ps {
		sum += p.Signed()
	}
	return sum
}

// Validate checks a row before it is recorded.
func (p PaymentRecord) Validate() error {
	v := &ValidationError{}
	switch p.Kind {
	case PaymentCharge, PaymentRefund, PaymentFee, PaymentFailure, PaymentAuthorization, PaymentSetup:
	default:
		v.Add("kind", "must be charge, refund, fee, failure, authorization or setup")
	}
	if p.AmountCents < 0 {
		v.Add("amount_cents", "must not be negative")
	}
	if !isUpper(p.Currency, 3) {
		v.Add("currency", "must be an ISO 4217 code such as EUR")
	}
	if p.IdempotencyKey == "" || len(p.IdempotencyKey) > 255 {
		v.Add("idempotency_key", "is required, at most 255 characters")
	}
	if p.ReservationID == 0 {
		v.Add("reservation_id", "is required")
	}
	return v.Err()
}

// PaymentLedger reads a reservation's payments ledger; the PostgreSQL
// Store implements it. It is apart from Store so that a Store without a
// ledger (a test's) still serves, showing nothing paid.
type PaymentLedger interface {
	PaymentsOf(ctx context.Context, reservationID int64) ([]PaymentRecord, error)
	PaidCents(ctx context.Context, reservationID int64) (int64, error)
}

// PaidCents is what the ledger holds as paid for reservation id (charges
// and fees minus refunds), 0 when the store keeps no ledger.
func (s *Service) PaidCents(ctx context.Context, reservationID int64) (int64, error) {
	l, ok := s.store.(PaymentLedger)
	if !ok {
		return 0, nil
	}
	return l.PaidCents(ctx, reservationID)
}

// PaymentsOf lists the ledger's rows for reservation id in the order
// recorded, an empty list when the store keeps no ledger.
func (s *Service) PaymentsOf(ctx context.Context, reservationID int64) ([]PaymentRecord, error) {
	l, ok := s.store.(PaymentLedger)
	if !ok {
		return []PaymentRecord{}, nil
	}
	return l.PaymentsOf(ctx, reservationID)
}

// SavedCard is a card kept with the provider for off-session charges:
// its customer (cus_…) and PaymentMethod (pm_…); zero when none.
type SavedCard struct {
	Customer string
	Method   string
}

// Saved reports whether there is a card to charge.
func (c SavedCard) Saved() bool { return c.Customer != "" && c.Method != "" }

// PaymentStep is what a payment's outcome does to a reservation, applied
// by Store.ApplyPayment in one transaction with the reservation locked:
// the ledger rows (each once per idempotency key), the pending intent and
// saved card, and the status change it leads to.
type PaymentStep struct {
	// At is when the step is taken (the transition's At, when there is
	// one).
	At      time.Time
	Records []PaymentRecord
	// Pending, when set, replaces the pending intent ("" clears it).
	Pending *string
	// Card, when set, is the card saved for later.
	Card *SavedCard
	// Transition, when set, is applied as Store.Transition applies it.
	Transition *Transition
	// Events are written to the outbox beside the transition's own.
	Events []Event
}

// PaymentOutcome is how a payment ended, for the response of the
// request that paid: StatusRequiresAction with what the client does
// next, or a decline (a 402), or succeeded.
type PaymentOutcome struct {
	Status       string
	ClientSecret string
	NextAction   *NextAction
	Decline      *Decline
	// Intent is the provider's id of the payment (pi_…) or card saving
	// (seti_…).
	Intent string
	// Invalid is why the provider would not take the PaymentMethod (an
	// unknown or spent pm_…): a 422 naming payment.payment_method.
	Invalid *ValidationError
}

// NextAction is what the client does to finish a payment: use_stripe_sdk
// (the provider's library handles it with the client secret) or
// redirect_to_url.
type NextAction struct {
	Type        string `json:"type"`
	RedirectURL string `json:"redirect_url,omitempty"`
}

// Decline is why a card was refused.
type Decline struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// EventPaymentRefunded is the event of a payment given back without the
// guest asking (a payment that succeeded after its hold expired): the
// guest is told.
const EventPaymentRefunded = "reservation.payment_refunded"

// EventPaymentWebhook carries a provider's webhook event through the
// events queue to the worker, which settles it; PaymentEvent names it.
const EventPaymentWebhook = "payment.webhook"

// RefundOnCancel is what an offer booked now and cancelled at instant now
// would give back of what its policy charges when booking: the payment
// minus the cancellation fee of the offer's terms, as
// Reservation.RefundOnCancel reckons it.
func (o Offer) RefundOnCancel(now time.Time) int64 {
	r := Reservation{Status: StatusConfirmed, Refundable: o.RatePlan.Refundable,
		FreeCancellationUntil: o.FreeCancellationUntil, PenaltyPercent: o.RatePlan.PenaltyPercent, TotalCents: o.Price.TotalCents}
	if o.Price.Currency == "" {
		r.TotalCents = o.TotalCents
	}
	return r.RefundOnCancel(TermsOf(o.RatePlan.Payment.Or(o.RatePlan.Refundable), o.Price).DueNowCents, now)
}
