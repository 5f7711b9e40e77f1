// Package payments is the boundary to a payment service provider: our own
// small interface (Provider) and its Stripe implementation, so another
// provider (Adyen) can follow without the booking code knowing.
//
// Card data never passes through here (PCI DSS SAQ A): the guest's browser
// or app creates the PaymentMethod with the provider's own library and the
// API receives only its id ("pm_…"). Amounts are integers in the
// currency's minor units, as everywhere in Innkeeper. Every call that moves
// money carries an idempotency key the caller derives from the reservation
// ("INK-ABC123:prepay:1"), so a retried booking never charges twice.
//
// A declined card is an answer, not an error: a Result with StatusDeclined
// and the provider's decline code, which the API turns into a 402 problem.
// Errors are for what the guest cannot fix: ErrUnavailable (outage,
// timeout: 503), ErrRejected (the provider refused our request: a bug or
// a misconfiguration), ErrPaymentMethod (the pm_ id is unknown or not
// usable: a 4xx to the client), ErrState (the intent can no longer do
// that, e.g. cancel a payment that already succeeded).
package payments

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"innkeeper/shared/booking"
)

// Provider is what Innkeeper asks of a payment service provider.
type Provider interface {
	// Pay charges a PaymentMethod the guest just gave, now (a deposit or a
	// prepayment): a PaymentIntent confirmed on the server. It may need
	// the guest's authentication (StatusRequiresAction: the client
	// finishes it with ClientSecret; the webhook tells the outcome).
	Pay(ctx context.Context, p Payment) (Result, error)
	// Save keeps a PaymentMethod for off-session charges later, charging
	// nothing (a guarantee): a SetupIntent with usage off_session, for a
	// customer created on the way when the request names none.
	Save(ctx context.Context, s SaveCard) (Result, error)
	// ChargeSaved charges a saved PaymentMethod with the guest absent (a
	// late-cancellation or no-show fee, the rest of a deposit). A card
	// that needs authentication then is StatusDeclined with code
	// authentication_required: the guest is not there to give it.
	ChargeSaved(ctx context.Context, o OffSession) (Result, error)
	// Refund gives back part or all of a payment.
	Refund(ctx context.Context, r RefundRequest) (Result, error)
	// Cancel cancels a payment or a card saving that has not succeeded
	// (a hold that expired): id is its provider id (pi_… or seti_…).
	Cancel(ctx context.Context, id, key string) error
}

// Status is where a payment stands, in our words whatever the provider.
type Status string

const (
	// StatusSucceeded: charged, refunded, or the card saved.
	StatusSucceeded Status = "succeeded"
	// StatusRequiresAction: the guest must authenticate (3-D Secure) with
	// ClientSecret and NextAction; the webhook tells the outcome.
	StatusRequiresAction Status = "requires_action"
	// StatusProcessing: the provider has not decided yet (a pending
	// refund, a payment method that settles later); a webhook follows.
	StatusProcessing Status = "processing"
	// StatusDeclined: the card was refused; Decline says why (a 402).
	StatusDeclined Status = "declined"
	// StatusFailed: it did not happen and no decline explains it (a
	// failed refund, an intent left without a payment method).
	StatusFailed Status = "failed"
	// StatusCancelled: cancelled before it succeeded.
	StatusCancelled Status = "cancelled"
)

// Payment is a charge of a PaymentMethod the guest has just given.
type Payment struct {
	// Amount is in the currency's minor units (> 0).
	Amount int64
	// Currency is the ISO 4217 code, any case.
	Currency string
	// PaymentMethod is the id the client created with the provider
	// ("pm_…").
	PaymentMethod string
	// IdempotencyKey is derived by the caller from what is being paid
	// (reservation reference, purpose, attempt): the same key for a
	// retry, a new one for a new payment.
	IdempotencyKey string
	// Reservation is the reference the payment belongs to; the provider
	// keeps it as metadata "reservation" and every webhook brings it back.
	Reservation string
	// Description is shown on the provider's dashboard (optional).
	Description string
	// ReturnURL is where a redirect-based authentication comes back to
	// (optional: cards authenticate in the client's provider library).
	ReturnURL string
	// Metadata is kept beside "reservation" (optional).
	Metadata map[string]string
	// SaveForLater keeps the card for off-session charges after this
	// one (a deposit's late-cancellation fee): a customer is created
	// (named by Name and Email) and the payment set up for future
	// off-session use; the Result names the customer and the method.
	SaveForLater bool
	Name         string
	Email        string
}

// SaveCard keeps a PaymentMethod for later off-session charges.
type SaveCard struct {
	PaymentMethod  string
	IdempotencyKey string
	Reservation    string
	// Customer is the provider's customer to save the card to; empty, one
	// is created (named by Name and Email) and returned in the Result,
	// since a card can be charged again only through its customer.
	Customer  string
	Name      string
	Email     string
	ReturnURL string
	Metadata  map[string]string
}

// OffSession charges a saved PaymentMethod with the guest absent.
type OffSession struct {
	Amount         int64
	Currency       string
	Customer       string
	PaymentMethod  string
	IdempotencyKey string
	Reservation    string
	Description    string
	Metadata       map[string]string
}

// RefundRequest gives back Amount of a payment.
type RefundRequest struct {
	// Payment is the provider id of the payment refunded (pi_…).
	Payment string
	// Amount is in minor units (> 0); at most what is left of the payment.
	Amount int64
	// Currency is the payment's, for the amount's unit.
	Currency       string
	IdempotencyKey string
	Reservation    string
	Metadata       map[string]string
}

// Result is the provider's answer, normalised.
type Result struct {
	// ID is the provider's id of what was created: pi_…, seti_…, re_….
	ID     string
	Status Status
	// Amount and Currency are what the provider recorded (minor units,
	// upper-case ISO code); zero for a card saving.
	Amount   int64
	Currency string
	// ClientSecret lets the client finish an authentication
	// (StatusRequiresAction) with the provider's library; never logged.
	ClientSecret string
	// NextAction is what the client must do when StatusRequiresAction.
	NextAction *NextAction
	// Customer and PaymentMethod are what a saved card is charged with
	// later.
	Customer      string
	PaymentMethod string
	// Decline says why a card was refused (StatusDeclined).
	Decline *Decline
}

// NextAction is what the client does to finish a payment: Type is the
// provider's, use_stripe_sdk (the client library handles it with the
// client secret) or redirect_to_url (to RedirectURL). It is the booking
// domain's, so a payment's outcome reaches the API's answer as it is.
type NextAction = booking.NextAction

// Decline is why a card was refused, for the guest (a 402 problem): Code
// is the decline code (insufficient_funds, generic_decline,
// authentication_required, …) or the error code when there is none
// (card_declined, expired_card, incorrect_cvc).
type Decline = booking.Decline

var (
	// ErrUnavailable: the provider could not be reached or did not answer
	// in time, or failed on its side. Nothing is known to have happened;
	// the same call with the same idempotency key is safe to retry. 503.
	ErrUnavailable = errors.New("payments: provider unavailable")
	// ErrRejected: the provider refused the request as invalid or
	// unauthorised: our bug or our configuration, not the guest's.
	ErrRejected = errors.New("payments: request rejected by the provider")
	// ErrPaymentMethod: the PaymentMethod id is unknown or not usable; the
	// client should create another.
	ErrPaymentMethod = errors.New("payments: unknown or unusable payment method")
	// ErrState: the intent cannot do that in its state (cancel a payment
	// that succeeded, refund more than is left).
	ErrState = errors.New("payments: not possible in the payment's state")
	// ErrIdempotency: the idempotency key was used before with other
	// parameters, so the provider did not run this call.
	ErrIdempotency = errors.New("payments: idempotency key reused with other parameters")
	// ErrInvalid: the request is incomplete or wrong before it is sent
	// (no amount, no key, an amount the currency cannot take).
	ErrInvalid = errors.New("payments: invalid request")
)

// Error is a provider error with its details, matching one of the
// sentinel errors above with errors.Is.
type Error struct {
	Kind error
	// Code, Param and Message are the provider's; RequestID finds it in
	// the provider's logs.
	Code      string
	Param     string
	Message   string
	RequestID string
	// HTTPStatus is the provider's answer, 0 when none came.
	HTTPStatus int
	Err        error
}

func (e *Error) Error() string {
	s := e.Kind.Error()
	if e.Code != "" {
		s += " (" + e.Code + ")"
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Err != nil && e.Message == "" {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is matches the Kind.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Unwrap gives the cause (the transport's error).
func (e *Error) Unwrap() error { return e.Err }

func invalid(format string, args ...any) error {
	return &Error{Kind: ErrInvalid, Message: fmt.Sprintf(format, args...)}
}

// IdempotencyKey is the key of one movement of money of a reservation:
// its reference, what the movement is for (prepay, deposit, guarantee,
// refund, no-show, …) and its number among those (1 for the first,
// another for a new attempt after a decline), as "INK-ABC123:prepay:1".
// The same three give the same key, so a retried request is recognised
// by the provider and never charges twice.
func IdempotencyKey(reservation, purpose string, n int) string {
	return fmt.Sprintf("%s:%s:%d", reservation, purpose, n)
}

// Attempt is the attempt part of an idempotency key for a payment a
// request with the client's Idempotency-Key key makes ("c" and 12 hex
// digits of its SHA-256): the same request retried pays under the same
// key, so once; a new request, with a new key, is a new attempt.
func Attempt(key string) string {
	h := sha256.Sum256([]byte(key))
	return "c" + hex.EncodeToString(h[:6])
}
