package cashier

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"innkeeper/shared/booking"
	"innkeeper/shared/payments"
)

// Settle makes what reference's ledger holds as paid agree with what its
// status leaves owed, and cancels the payment it was waiting on when it
// no longer waits:
//
//   - cancelled: owed is the cancellation fee; no-show: the no-show fee;
//     expired: nothing (a payment that succeeded after the hold ran out
//     is given back, and the guest told);
//   - confirmed, checked in: owed is at most what the plan's policy asks
//     when booking (a prepayment or deposit of the price as it is now),
//     so a modification that lowered the price gets the difference back;
//   - what was paid beyond what is owed is refunded, from the latest
//     payment back;
//   - a fee beyond what was paid is charged off-session to the card the
//     booking saved, and so is the policy's share of a price that grew
//     (a modification) when the booking was paid and saved a card; a
//     charge that fails is recorded (staff see it on the desk record)
//     and not retried on its own.
//
// It is idempotent: every provider call's key is derived from the
// reservation, the reason and what the ledger held paid when the call
// was decided, so running it again (the worker's retry, the same event
// twice) repeats the very same calls and records nothing twice. A
// provider that is down is an error wrapping booking.ErrUnavailable: the
// worker's message comes back and it runs again.
//
// Runs for one reservation never overlap (Store.Serially): two that
// decided from different sums paid would each give back their own
// difference.
func (c *Cashier) Settle(ctx context.Context, reference string) error {
	return c.Store.Serially(ctx, "settle:"+reference, func(ctx context.Context) error { return c.settle(ctx, reference) })
}

func (c *Cashier) settle(ctx context.Context, reference string) error {
	r, err := c.Store.Reservation(ctx, reference)
	if err != nil {
		return err
	}
	if r.PendingPayment != "" && r.Status != booking.StatusHeld {
		if err := c.cancelPending(ctx, r); err != nil {
			return err
		}
	}
	owed, reason, ok := owedBy(r)
	if !ok {
		return nil
	}
	ps, err := c.Store.PaymentsOf(ctx, r.ID)
	if err != nil {
		return err
	}
	paid := booking.Paid(ps)
	switch {
	case paid > owed:
		return c.refund(ctx, r, ps, paid-owed, reason)
	case owed > paid && (r.Status == booking.StatusCancelled || r.Status == booking.StatusNoShow):
		// A status ends once: its fee is tried once, under one key.
		key := r.Reference + ":" + feePurpose(r.Status)
		if tried(ps, key) {
			return nil
		}
		return c.chargeSaved(ctx, r, key, owed-paid, feePurpose(r.Status), booking.PaymentFee)
	case owed > paid && paid > 0 && r.Card.Saved():
		// A paid stay whose price grew (a modification): the policy's
		// share of the difference, to the card the booking saved, under
		// the number of rows the ledger holds, a figure that only grows.
		// One that failed is not tried again until the ledger moves.
		if last := len(ps) - 1; last >= 0 && ps[last].Kind == booking.PaymentFailure &&
			strings.HasPrefix(ps[last].IdempotencyKey, r.Reference+":"+purposeTopUp+":") {
			return nil
		}
		key := r.Reference + ":" + purposeTopUp + ":" + strconv.Itoa(len(ps))
		return c.chargeSaved(ctx, r, key, owed-paid, purposeTopUp, booking.PaymentCharge)
	}
	return nil
}

// tried reports whether the ledger holds a row of key, or of its
// failure.
func tried(ps []booking.PaymentRecord, key string) bool {
	for _, p := range ps {
		if p.IdempotencyKey == key || p.IdempotencyKey == key+":failed" {
			return true
		}
	}
	return false
}

// owedBy is what r's status leaves owed of what was paid, and the reason
// a refund gives; ok is false when its status settles nothing (a hold,
// a stay checked out at the desk).
func owedBy(r booking.Reservation) (owed int64, reason string, ok bool) {
	switch r.Status {
	case booking.StatusCancelled:
		return deref(r.CancellationFeeCents), "cancellation", true
	case booking.StatusNoShow:
		return deref(r.NoShowFeeCents), "no-show", true
	case booking.StatusExpired:
		return 0, "expired", true
	case booking.StatusConfirmed, booking.StatusCheckedIn:
		return r.PaymentTerms().DueNowCents, "price-change", true
	}
	return 0, "", false
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// cancelPending cancels the intent r waited on. One that succeeded in
// the meantime cannot be (payments.ErrState): its webhook brings the
// charge, and settling then refunds it.
func (c *Cashier) cancelPending(ctx context.Context, r booking.Reservation) error {
	id := r.PendingPayment
	// A claim is no intent of the provider's: there is nothing to cancel.
	if !strings.HasPrefix(id, claimPrefix) {
		err := c.Provider.Cancel(ctx, id, r.Reference+":cancel:"+id)
		if err != nil && !errors.Is(err, payments.ErrState) {
			return unavailable(err)
		}
	}
	_, err := c.Store.ApplyPayment(ctx, r.Reference, func(cur booking.Reservation) (booking.PaymentStep, error) {
		step := booking.PaymentStep{At: c.now()}
		if cur.PendingPayment == id {
			step.Pending = ptr("")
		}
		return step, nil
	}, nil, nil, "")
	return err
}

// refund gives back amount of what r paid, from its latest payment
// back. Each refund's key is the payment's and what the ledger holds
// refunded of it so far, a figure that only grows: a retry asks for the
// very same refund, and no later refund of the payment can take an
// earlier one's key. At the first refund whose outcome is unknown it
// stops, recording those that succeeded: the retry then asks for that
// one again, for the same amount.
func (c *Cashier) refund(ctx context.Context, r booking.Reservation, ps []booking.PaymentRecord, amount int64, reason string) error {
	var recs []booking.PaymentRecord
	var failed error
	for _, p := range leftToRefund(ps) {
		if amount <= 0 {
			break
		}
		n := min(amount, p.Left)
		key := r.Reference + ":refund:" + p.Payment + ":" + strconv.FormatInt(p.Refunded, 10)
		res, err := c.Provider.Refund(ctx, payments.RefundRequest{Payment: p.Payment, Amount: n, Currency: p.Currency,
			IdempotencyKey: key, Reservation: r.Reference, Metadata: map[string]string{metaPurpose: "refund-" + reason, metaKey: key}})
		if err != nil {
			failed = unavailable(err)
			break
		}
		rec := booking.PaymentRecord{Kind: booking.PaymentRefund, AmountCents: n, Currency: p.Currency,
			ProviderRef: res.ID, Status: string(res.Status), IdempotencyKey: key, RefundOf: p.Payment}
		if res.Status == payments.StatusFailed || res.Status == payments.StatusCancelled {
			rec.Kind, rec.FailureCode = booking.PaymentFailure, "refund_"+string(res.Status)
		}
		recs = append(recs, rec)
		amount -= n
	}
	if len(recs) > 0 {
		var events []booking.Event
		if r.Status == booking.StatusExpired {
			ev := booking.EventFor(r, c.now())
			ev.Type = booking.EventPaymentRefunded
			events = append(events, ev)
		}
		if _, err := c.Store.ApplyPayment(ctx, r.Reference, func(booking.Reservation) (booking.PaymentStep, error) {
			return booking.PaymentStep{At: c.now(), Records: recs, Events: events}, nil
		}, nil, nil, ""); err != nil {
			return err
		}
		c.committed(ctx, r.Reference)
	}
	return failed
}

// chargeSaved charges amount off-session to the card r saved, as a row
// of kind (a fee, or a charge); without a card, or declined, the ledger
// records the failure for staff. key is the caller's: a retry after an
// unknown outcome asks for the very same charge.
func (c *Cashier) chargeSaved(ctx context.Context, r booking.Reservation, key string, amount int64, purpose, kind string) error {
	rec := booking.PaymentRecord{Kind: booking.PaymentFailure, AmountCents: amount, Currency: r.Currency,
		IdempotencyKey: key + ":failed", Status: "no_card", FailureCode: "no_saved_card",
		FailureMessage: "no card was saved with the booking to charge"}
	if r.Card.Saved() {
		res, err := c.Provider.ChargeSaved(ctx, payments.OffSession{Amount: amount, Currency: r.Currency,
			Customer: r.Card.Customer, PaymentMethod: r.Card.Method, IdempotencyKey: key, Reservation: r.Reference,
			Description: fmt.Sprintf("%s %s", r.Reference, purpose),
			Metadata:    map[string]string{metaPurpose: purpose, metaKey: key}})
		if err != nil {
			return unavailable(err)
		}
		rec.ProviderRef, rec.Status = res.ID, string(res.Status)
		switch res.Status {
		case payments.StatusSucceeded:
			rec.Kind, rec.IdempotencyKey, rec.AmountCents, rec.FailureCode, rec.FailureMessage =
				kind, key, res.Amount, "", ""
		case payments.StatusProcessing:
			// Its webhook records it (the key is in its metadata).
			return nil
		default:
			rec.FailureCode, rec.FailureMessage = string(res.Status), ""
			if res.Decline != nil {
				rec.FailureCode, rec.FailureMessage = res.Decline.Code, res.Decline.Message
			}
		}
	}
	_, err := c.Store.ApplyPayment(ctx, r.Reference, func(booking.Reservation) (booking.PaymentStep, error) {
		return booking.PaymentStep{At: c.now(), Records: []booking.PaymentRecord{rec}}, nil
	}, nil, nil, "")
	return err
}
