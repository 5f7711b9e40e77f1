package payments

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v82/webhook"
)

// WebhookTolerance is how far a webhook's signed timestamp may be from
// now: older ones are replays, refused.
const WebhookTolerance = 5 * time.Minute

// ErrSignature: a webhook whose Stripe-Signature is missing, malformed,
// not made with our endpoint secret, or outside WebhookTolerance. The
// handler answers 400 and changes nothing.
var ErrSignature = errors.New("payments: webhook signature invalid")

// Event is a provider's webhook event, normalised: what the booking flow
// needs to settle a payment, whatever the order events come in.
type Event struct {
	// ID is the provider's event id (evt_…): processing is idempotent by
	// it.
	ID string
	// Type is the provider's (payment_intent.succeeded,
	// payment_intent.payment_failed, setup_intent.succeeded,
	// charge.refunded, …).
	Type string
	// Created is when the provider made the event.
	Created time.Time
	// Object is the kind of object the event is about (payment_intent,
	// setup_intent, refund, charge) and ObjectID its id.
	Object   string
	ObjectID string
	// PaymentIntent is the PaymentIntent the object belongs to: ObjectID
	// for a payment_intent, the charge's or refund's payment_intent.
	PaymentIntent string
	// Status is the object's status, normalised (a payment intent left
	// requires_payment_method with an error is StatusDeclined).
	Status Status
	// Amount (minor units) and Currency (upper case); zero for a setup
	// intent.
	Amount   int64
	Currency string
	// Reservation is the metadata "reservation" our requests set.
	Reservation string
	Metadata    map[string]string
	// Customer and PaymentMethod, when the object has them.
	Customer      string
	PaymentMethod string
	// Decline is the last error, when the payment failed.
	Decline *Decline
}

// VerifyWebhook checks a webhook's Stripe-Signature header against the
// endpoint secret, with the timestamp within WebhookTolerance of now (the
// caller's clock, so tests and the devstack's clock agree), and parses
// the event. Any failure of the signature is ErrSignature; a body that is
// signed but not an event is ErrInvalid. The event's API version is not
// held against it: only fields stable across versions are read.
func VerifyWebhook(payload []byte, header, secret string, now time.Time) (Event, error) {
	if secret == "" {
		return Event{}, &Error{Kind: ErrSignature, Message: "no webhook secret configured"}
	}
	signed, err := signedAt(header)
	if err != nil {
		return Event{}, err
	}
	if d := now.Sub(signed); d > WebhookTolerance || d < -WebhookTolerance {
		return Event{}, &Error{Kind: ErrSignature, Message: "signed at " + signed.UTC().Format(time.RFC3339) + ", outside the tolerance"}
	}
	// The tolerance is checked above against now; stripe-go checks the
	// signature (constant time, every v1 signature of a rolled secret).
	ev, err := webhook.ConstructEventWithOptions(payload, header, secret, webhook.ConstructEventOptions{
		IgnoreTolerance: true, IgnoreAPIVersionMismatch: true,
	})
	switch {
	case errors.Is(err, webhook.ErrNoValidSignature), errors.Is(err, webhook.ErrInvalidHeader),
		errors.Is(err, webhook.ErrNotSigned), errors.Is(err, webhook.ErrTooOld):
		return Event{}, &Error{Kind: ErrSignature, Err: err}
	case err != nil:
		return Event{}, &Error{Kind: ErrInvalid, Message: "signed body is no event", Err: err}
	}
	return parseEvent(ev.ID, string(ev.Type), ev.Created, ev.Data.Raw)
}

// signedAt is the header's t=, required before anything else is looked at.
func signedAt(header string) (time.Time, error) {
	for _, part := range strings.Split(header, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "t="); ok {
			sec, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				break
			}
			return time.Unix(sec, 0), nil
		}
	}
	return time.Time{}, &Error{Kind: ErrSignature, Message: "Stripe-Signature has no timestamp"}
}

// object is the subset of a payment_intent, setup_intent, charge or
// refund an Event carries.
type object struct {
	ID             string            `json:"id"`
	Object         string            `json:"object"`
	Status         string            `json:"status"`
	Amount         int64             `json:"amount"`
	Currency       string            `json:"currency"`
	Metadata       map[string]string `json:"metadata"`
	PaymentIntent  json.RawMessage   `json:"payment_intent"`
	Customer       json.RawMessage   `json:"customer"`
	PaymentMethod  json.RawMessage   `json:"payment_method"`
	LastError      *lastError        `json:"last_payment_error"`
	LastSetupError *lastError        `json:"last_setup_error"`
}

// lastError is why an intent's last attempt failed.
type lastError struct {
	Type        string `json:"type"`
	Code        string `json:"code"`
	DeclineCode string `json:"decline_code"`
	Message     string `json:"message"`
}

func parseEvent(id, typ string, created int64, raw json.RawMessage) (Event, error) {
	if id == "" || typ == "" {
		return Event{}, &Error{Kind: ErrInvalid, Message: "event without id or type"}
	}
	var o object
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &o); err != nil {
			return Event{}, &Error{Kind: ErrInvalid, Message: "event object unreadable", Err: err}
		}
	}
	ev := Event{
		ID: id, Type: typ, Created: time.Unix(created, 0).UTC(),
		Object: o.Object, ObjectID: o.ID, Currency: strings.ToUpper(o.Currency),
		Reservation: o.Metadata["reservation"], Metadata: o.Metadata,
		Customer: idOf(o.Customer), PaymentMethod: idOf(o.PaymentMethod),
	}
	ev.Amount = FromStripeAmount(o.Amount, ev.Currency)
	if o.Object == "payment_intent" {
		ev.PaymentIntent = o.ID
	} else {
		ev.PaymentIntent = idOf(o.PaymentIntent)
	}
	last := o.LastError
	if last == nil {
		last = o.LastSetupError
	}
	if last != nil && last.Type == "card_error" {
		code := last.DeclineCode
		if code == "" {
			code = last.Code
		}
		ev.Decline = &Decline{Code: code, Message: last.Message}
	}
	ev.Status = eventStatus(o.Status, ev.Decline != nil)
	return ev, nil
}

// idOf reads an expandable field: an id string or an object with an id.
func idOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(raw, &o)
	return o.ID
}

func eventStatus(s string, failed bool) Status {
	switch s {
	case "succeeded", "requires_capture":
		return StatusSucceeded
	case "requires_action":
		return StatusRequiresAction
	case "processing", "pending":
		return StatusProcessing
	case "canceled":
		return StatusCancelled
	case "requires_payment_method", "failed":
		if failed {
			return StatusDeclined
		}
		return StatusFailed
	}
	return Status(s)
}

// ParseEvent parses an event body that was verified when it arrived
// (VerifyWebhook) and kept: the worker settles it later from the copy.
func ParseEvent(payload []byte) (Event, error) {
	var ev struct {
		ID      string `json:"id"`
		Type    string `json:"type"`
		Created int64  `json:"created"`
		Data    struct {
			Object json.RawMessage `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Event{}, &Error{Kind: ErrInvalid, Message: "event unreadable", Err: err}
	}
	return parseEvent(ev.ID, ev.Type, ev.Created, ev.Data.Object)
}
