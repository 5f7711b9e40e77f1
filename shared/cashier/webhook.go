package cashier

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"innkeeper/shared/booking"
	"innkeeper/shared/payments"
	"innkeeper/shared/store"
)

// Receive records a webhook event that was verified (payments.
// VerifyWebhook) with its body, once by its id, and sends it through the
// events queue to the worker (Handle): the provider gets its answer at
// once, whatever settling the event takes. It reports whether the event
// was new.
func (c *Cashier) Receive(ctx context.Context, ev payments.Event, payload []byte) (bool, error) {
	ref := ev.Reservation
	if !booking.ValidReference(ref) {
		ref = ""
	}
	created, err := c.Store.ReceivePaymentEvent(ctx, store.PaymentEvent{ID: ev.ID, Type: ev.Type, Reservation: ref,
		Payload: payload}, c.now())
	if err == nil && created && ref != "" {
		c.committed(ctx, ref)
	}
	return created, err
}

// Handle settles the webhook event id as the worker receives it. Events
// may come in any order and more than once:
//
//   - a payment or card saving that succeeded is recorded under the key
//     the cashier called the provider with (its metadata), so the
//     request that paid and the webhook record it once between them; a
//     hold is confirmed by it; a reservation no longer waiting for it
//     (the hold expired, the guest cancelled) is settled, which refunds
//     it;
//   - a failure is recorded, unless the ledger holds the same payment
//     already (a failure that arrives after the success changes nothing;
//     the request that made it recorded its own failure); the hold stays
//     until it expires, for another attempt;
//   - a cancellation clears the pending intent;
//   - anything else is acknowledged and left.
func (c *Cashier) Handle(ctx context.Context, id string) error {
	pe, err := c.Store.PaymentEventByID(ctx, id)
	if err != nil {
		return err
	}
	ev, err := payments.ParseEvent(pe.Payload)
	if err != nil {
		return err
	}
	if booking.ValidReference(ev.Reservation) {
		if err := c.apply(ctx, ev); err != nil {
			return err
		}
	}
	return c.Store.PaymentEventProcessed(ctx, id, c.now())
}

// target is a reservation an event's payment is for, with the ledger
// key and the amount of its share; line tells a booking's line.
type target struct {
	ref    string
	key    string
	amount int64
	line   bool
}

// targetsOf are the reservations ev's payment is for: the one it names,
// or each line of the booking it names with its share.
func targetsOf(ev payments.Event) []target {
	key := ev.Metadata[metaKey]
	if key == "" {
		key = ev.ObjectID + ":" + ev.Type
	}
	lines := ev.Metadata[metaLines]
	if lines == "" {
		return []target{{ref: ev.Reservation, key: key, amount: ev.Amount}}
	}
	var out []target
	for _, l := range strings.Split(lines, ",") {
		ref, share, ok := strings.Cut(l, "=")
		n, err := strconv.ParseInt(share, 10, 64)
		if ok && err == nil && booking.ValidReference(ref) {
			out = append(out, target{ref: ref, key: key + ":" + ref, amount: n, line: true})
		}
	}
	return out
}

func (c *Cashier) apply(ctx context.Context, ev payments.Event) error {
	for _, tg := range targetsOf(ev) {
		if err := c.applyTo(ctx, ev, tg); err != nil {
			return err
		}
	}
	return nil
}

// applyTo applies ev to one reservation it pays for.
func (c *Cashier) applyTo(ctx context.Context, ev payments.Event, tg target) error {
	ref, key := tg.ref, tg.key
	now := c.now()
	var settle bool
	decide := func(step func(r booking.Reservation, ps []booking.PaymentRecord) booking.PaymentStep) error {
		r, err := c.Store.Reservation(ctx, ref)
		if errors.Is(err, booking.ErrNotFound) {
			return nil // not ours: a reference in another system's metadata
		}
		if err != nil {
			return err
		}
		ps, err := c.Store.PaymentsOf(ctx, r.ID)
		if err != nil {
			return err
		}
		done, err := c.Store.ApplyPayment(ctx, ref, func(cur booking.Reservation) (booking.PaymentStep, error) {
			return step(cur, ps), nil
		}, nil, nil, "")
		if err != nil && !errors.Is(err, booking.ErrHoldExpired) {
			return err
		}
		c.committed(ctx, ref)
		_, _, owes := owedBy(done)
		settle = settle && owes
		return nil
	}
	var err error
	switch ev.Type {
	case "payment_intent.succeeded", "setup_intent.succeeded":
		settle = true
		err = decide(func(r booking.Reservation, _ []booking.PaymentRecord) booking.PaymentStep {
			step := booking.PaymentStep{At: now}
			rec := booking.PaymentRecord{Kind: booking.PaymentCharge, AmountCents: tg.amount, Currency: ev.Currency,
				ProviderRef: ev.ObjectID, Status: string(payments.StatusSucceeded), IdempotencyKey: key}
			if ev.Customer != "" && ev.PaymentMethod != "" && !isFeePurpose(ev.Metadata[metaPurpose]) {
				step.Card = &booking.SavedCard{Customer: ev.Customer, Method: ev.PaymentMethod}
			}
			if ev.Object == "setup_intent" || tg.amount == 0 {
				rec.Kind, rec.AmountCents, rec.Currency = booking.PaymentSetup, 0, r.Currency
			} else if isFeePurpose(ev.Metadata[metaPurpose]) {
				rec.Kind = booking.PaymentFee
			}
			step.Records = []booking.PaymentRecord{rec}
			if r.PendingPayment == ev.ObjectID {
				step.Pending = ptr("")
			}
			// Only the payment a hold waits on confirms it.
			if r.PendingPayment == ev.ObjectID || r.PendingPayment == "" {
				step.Transition = confirmPaid(r, now)
			}
			if tg.line {
				return asBooking(step)
			}
			return step
		})
	case "payment_intent.payment_failed", "setup_intent.setup_failed":
		err = decide(func(r booking.Reservation, ps []booking.PaymentRecord) booking.PaymentStep {
			step := booking.PaymentStep{At: now}
			for _, p := range ps {
				if p.ProviderRef == ev.ObjectID {
					// It succeeded (this failure came late), or the
					// request that made it recorded its failure.
					return step
				}
			}
			rec := booking.PaymentRecord{Kind: booking.PaymentFailure, AmountCents: tg.amount, Currency: ev.Currency,
				ProviderRef: ev.ObjectID, Status: string(ev.Status), IdempotencyKey: ev.ID + ":" + ref}
			if rec.Currency == "" {
				rec.Currency = r.Currency
			}
			if ev.Decline != nil {
				rec.FailureCode, rec.FailureMessage = ev.Decline.Code, ev.Decline.Message
			}
			step.Records = []booking.PaymentRecord{rec}
			// The hold no longer waits on it: another card may pay it.
			if r.PendingPayment == ev.ObjectID {
				step.Pending = ptr("")
			}
			return step
		})
	case "payment_intent.canceled", "setup_intent.canceled":
		err = decide(func(r booking.Reservation, _ []booking.PaymentRecord) booking.PaymentStep {
			step := booking.PaymentStep{At: now}
			if r.PendingPayment == ev.ObjectID {
				step.Pending = ptr("")
			}
			return step
		})
	}
	if err != nil {
		return fmt.Errorf("cashier: event %s (%s) of %s: %w", ev.ID, ev.Type, ref, err)
	}
	if settle {
		return c.Settle(ctx, ref)
	}
	return nil
}

// OnEvent is what the worker does with an event of the events queue: a
// webhook event is settled (Handle); a reservation that was cancelled,
// marked a no-show, expired or modified is settled (Settle). Other
// events move no money.
func (c *Cashier) OnEvent(ctx context.Context, ev booking.Event) error {
	switch ev.Type {
	case booking.EventPaymentWebhook:
		return c.Handle(ctx, ev.PaymentEvent)
	case "reservation." + string(booking.StatusCancelled), "reservation." + string(booking.StatusNoShow),
		"reservation." + string(booking.StatusExpired), booking.EventModified:
		return c.Settle(ctx, ev.Reference)
	}
	return nil
}
