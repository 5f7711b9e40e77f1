// Package cashier moves a reservation's money: it takes the payment a
// booking's plan asks for (a card saved for a guarantee, a deposit, a
// prepayment), settles what a cancellation, a no-show, an expired hold
// or a change of price leaves owed either way, and applies the payment
// provider's webhook events, in any order and any number of times.
//
// Every movement is a row of the payments ledger recorded with the
// reservation locked (Store.ApplyPayment), under the key the provider
// was called with, so a retried request, a worker that runs twice or a
// replayed webhook records it once; the keys are derived from the
// reservation and from what the ledger held when the movement was
// decided, so a retry after a crash asks the provider for the very same
// movement and the provider's idempotency gives back the first answer.
//
// The provider is called outside any database transaction: no room
// stays locked while a card is charged.
package cashier

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"innkeeper/shared/booking"
	"innkeeper/shared/config"
	"innkeeper/shared/payments"
	"innkeeper/shared/store"
)

// Store is the persistence the cashier needs; *store.Store is one.
type Store interface {
	Reservation(ctx context.Context, reference string) (booking.Reservation, error)
	PaymentsOf(ctx context.Context, reservationID int64) ([]booking.PaymentRecord, error)
	ApplyPayment(ctx context.Context, reference string, decide func(booking.Reservation) (booking.PaymentStep, error),
		receipt *booking.Receipt, outcome *booking.PaymentOutcome, token string) (booking.Reservation, error)
	ReceivePaymentEvent(ctx context.Context, ev store.PaymentEvent, at time.Time) (bool, error)
	PaymentEventByID(ctx context.Context, id string) (store.PaymentEvent, error)
	PaymentEventProcessed(ctx context.Context, id string, at time.Time) error
	Booking(ctx context.Context, reference string) (booking.Booking, error)
	ReplaceReceipt(ctx context.Context, receipt *booking.Receipt, o booking.Outcome, at time.Time) error
	Serially(ctx context.Context, key string, fn func(context.Context) error) error
}

var _ Store = (*store.Store)(nil)

// Cashier takes and gives back a reservation's money through Provider.
type Cashier struct {
	Store    Store
	Provider payments.Provider
	// Now is the service's clock (the devstack's can be moved).
	Now func() time.Time
	// Committed runs after a change has committed its events to the
	// outbox: the relay that sends them on (booking.Service.Committed).
	Committed func(ctx context.Context, reference string)
	Log       *slog.Logger
}

// ErrDeclined is a card the provider refused: a 402 for the guest, with
// the Decline of the outcome.
var ErrDeclined = booking.ErrPaymentDeclined

// Purposes of movements, in the ledger keys and the provider's metadata
// ("purpose"); the policies (guarantee, deposit, prepay) are purposes of
// a booking's first payment.
const (
	purposeCancellationFee = "cancellation-fee"
	purposeNoShowFee       = "no-show-fee"
	purposeTopUp           = "top-up"
)

// Metadata keys the cashier sets on every provider object, read back
// from the webhook events.
const (
	metaPurpose = "purpose"
	metaKey     = "ledger_key"
	// metaLines, on a booking's payment, lists its lines and their
	// shares ("INK-A=4208,INK-B=0").
	metaLines = "lines"
)

func (c *Cashier) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Cashier) committed(ctx context.Context, ref string) {
	if c.Committed != nil {
		c.Committed(ctx, ref)
	}
}

func (c *Cashier) log() *slog.Logger {
	if c.Log == nil {
		return slog.Default()
	}
	return c.Log
}

// unavailable wraps a provider outage as the service's, a 503: nothing
// is known to have happened, and the same call again is safe.
func unavailable(err error) error {
	if errors.Is(err, payments.ErrUnavailable) {
		return fmt.Errorf("%w: %w", booking.ErrUnavailable, err)
	}
	return err
}

// Pay takes the payment r's plan asks for when booking, with the
// PaymentMethod pm the guest created with the provider's library: the
// card saved (guarantee), the deposit or the whole total charged. r must
// be a hold; attempt tells this payment from another of the same
// reservation ("1" for the one a booking makes, a digest of the
// client's Idempotency-Key for a later one), so a retried request
// repeats the provider's call under the same key and pays once.
//
// When the payment succeeds, the hold is confirmed with the ledger row
// in one transaction; when it needs the guest's authentication, the hold
// waits for the webhook with the intent pending; when the card is
// declined, the ledger records the failure and, with release, the hold
// is given back at once (a booking that was never paid holds nothing).
// The receipt, when given, stores the final response (Replace, after
// the hold's own); token is the access token it shows.
func (c *Cashier) Pay(ctx context.Context, r booking.Reservation, pm, attempt string, release bool,
	receipt *booking.Receipt, token string) (booking.Reservation, *booking.PaymentOutcome, error) {
	if r.Status != booking.StatusHeld {
		return r, nil, fmt.Errorf("%w: reservation %s is %s, not a hold to pay", booking.ErrConflict, r.Reference, r.Status)
	}
	terms := r.PaymentTerms()
	key := payments.IdempotencyKey(r.Reference, terms.Policy, 1)
	if attempt != "1" {
		key = r.Reference + ":" + terms.Policy + ":" + attempt
	}
	o := order{ref: r.Reference, guest: r.Guest, currency: r.Currency, due: terms.DueNowCents, key: key,
		purpose: terms.Policy, saveForLater: terms.Policy == booking.PolicyDeposit,
		description: fmt.Sprintf("%s %s, %s to %s (%s)", r.HotelSlug, r.RoomTypeCode, r.CheckIn, r.CheckOut, terms.Policy)}
	if !release {
		// A hold paid on its confirmation may be confirmed twice at once,
		// under two keys: the first claims it, under the lock, before
		// the provider is called.
		if err := c.claim(ctx, r.Reference, key); err != nil {
			return r, nil, err
		}
	}
	res, out, err := c.charge(ctx, o, pm)
	if release {
		res, out, err = refused(res, out, err)
	}
	if err != nil {
		if !release {
			c.unclaim(ctx, r.Reference, key)
		}
		return r, nil, err
	}
	done, err := c.Store.ApplyPayment(ctx, r.Reference, func(cur booking.Reservation) (booking.PaymentStep, error) {
		return stepOf(res, cur, key, res.Amount, o.saving(), release, c.now()), nil
	}, receipt, out, token)
	done, err = c.paid(ctx, r.Reference, done, res, out, err)
	return done, out, err
}

// PayBooking is Pay for every line of a booking of several rooms, with
// one payment: the sum of what each line's plan asks for when booking
// (or, when none asks for money, the card saved), and the card kept for
// the fees of the lines that may charge one. Each line records its share
// under the payment's key and its own reference, so a line cancelled
// later gets back its share alone. The booking's receipt is replaced
// with the booking as paid.
func (c *Cashier) PayBooking(ctx context.Context, b booking.Booking, pm string, receipt *booking.Receipt, token string) (booking.Booking, *booking.PaymentOutcome, error) {
	o := order{ref: b.Reference, guest: b.Guest, currency: b.Currency, key: payments.IdempotencyKey(b.Reference, "booking", 1),
		purpose: "booking", description: fmt.Sprintf("%s, %d rooms, %s to %s", b.HotelSlug, len(b.Lines), b.CheckIn, b.CheckOut)}
	shares := make([]string, len(b.Lines))
	for i, l := range b.Lines {
		if l.Status != booking.StatusHeld {
			return b, nil, fmt.Errorf("%w: line %s is %s, not a hold to pay", booking.ErrConflict, l.Reference, l.Status)
		}
		t := l.PaymentTerms()
		o.due += t.DueNowCents
		o.saveForLater = o.saveForLater || t.Policy != booking.PolicyPrepay
		shares[i] = l.Reference + "=" + strconv.FormatInt(t.DueNowCents, 10)
	}
	o.lines = strings.Join(shares, ",")
	res, out, err := c.charge(ctx, o, pm)
	res, out, err = refused(res, out, err)
	if err != nil {
		return b, nil, err
	}
	// Every line is applied, whatever became of another: a line left
	// unapplied would wait for the webhook to be.
	var last error
	var failed []error
	for _, l := range b.Lines {
		share := l.PaymentTerms().DueNowCents
		done, err := c.Store.ApplyPayment(ctx, l.Reference, func(cur booking.Reservation) (booking.PaymentStep, error) {
			return asBooking(stepOf(res, cur, o.key+":"+l.Reference, share, share == 0, true, c.now())), nil
		}, nil, nil, "")
		switch _, err = c.paid(ctx, l.Reference, done, res, out, err); {
		case err == nil:
		case errors.Is(err, ErrDeclined), errors.Is(err, booking.ErrHoldExpired):
			last = err
		default:
			failed = append(failed, err)
		}
	}
	if len(failed) > 0 {
		return b, out, errors.Join(failed...)
	}
	paid, err := c.Store.Booking(ctx, b.Reference)
	if err != nil {
		return b, out, err
	}
	if receipt != nil {
		if err := c.Store.ReplaceReceipt(ctx, receipt, booking.Outcome{Booking: &paid, AccessToken: token, Payment: out}, c.now()); err != nil {
			return paid, out, err
		}
	}
	return paid, out, last
}

// order is one call to the provider for what a reservation or a booking
// asks for when booking.
type order struct {
	ref          string
	guest        booking.Guest
	currency     string
	due          int64 // minor units; 0: the card is saved, nothing charged
	key, purpose string
	saveForLater bool
	description  string
	lines        string // a booking's lines and their shares, "INK-A=4208,INK-B=0"
}

// claimPrefix marks a hold's pending payment as claimed by a request
// that is calling the provider (its key after the prefix).
const claimPrefix = "claim:"

// claim marks hold ref as being paid under key: a hold already paid, or
// with a payment pending (an authentication under way, another request
// paying), is a 409 and the provider is not called.
func (c *Cashier) claim(ctx context.Context, ref, key string) error {
	_, err := c.Store.ApplyPayment(ctx, ref, func(cur booking.Reservation) (booking.PaymentStep, error) {
		switch {
		case cur.Status != booking.StatusHeld:
			return booking.PaymentStep{}, &booking.TransitionError{From: cur.Status, Action: booking.ActionConfirm}
		case cur.PendingPayment != "":
			return booking.PaymentStep{}, &booking.ConflictError{Reason: "a payment of this hold is under way (an " +
				"authentication, or another request); finish it, or wait for it to fail or the hold to expire"}
		}
		return booking.PaymentStep{At: c.now(), Pending: ptr(claimPrefix + key)}, nil
	}, nil, nil, "")
	return err
}

// unclaim gives up the claim of key on ref when the provider did not
// take the payment.
func (c *Cashier) unclaim(ctx context.Context, ref, key string) {
	_, err := c.Store.ApplyPayment(ctx, ref, func(cur booking.Reservation) (booking.PaymentStep, error) {
		step := booking.PaymentStep{At: c.now()}
		if cur.PendingPayment == claimPrefix+key {
			step.Pending = ptr("")
		}
		return step, nil
	}, nil, nil, "")
	if err != nil {
		c.log().WarnContext(ctx, "payment claim left until the hold expires", "reference", ref, "error", err.Error())
	}
}

// refused turns a PaymentMethod the provider would not take into a
// failed payment, so that a booking's hold is given back as for a
// declined card, with the 422 as its answer: a bogus pm_ id holds no
// rooms.
func refused(res payments.Result, out *booking.PaymentOutcome, err error) (payments.Result, *booking.PaymentOutcome, error) {
	var v *booking.ValidationError
	if !errors.As(err, &v) {
		return res, out, err
	}
	return payments.Result{Status: payments.StatusFailed, Decline: &payments.Decline{Code: "invalid_payment_method",
		Message: v.Fields["payment.payment_method"]}}, &booking.PaymentOutcome{Status: string(payments.StatusFailed), Invalid: v}, nil
}

// saving reports whether the order saves the card and charges nothing.
func (o order) saving() bool { return o.due == 0 }

// charge calls the provider for o and reads its answer. A declined card
// is an answer (the outcome's Decline), not an error.
func (c *Cashier) charge(ctx context.Context, o order, pm string) (payments.Result, *booking.PaymentOutcome, error) {
	meta := map[string]string{metaPurpose: o.purpose, metaKey: o.key}
	if o.lines != "" {
		meta[metaLines] = o.lines
	}
	var res payments.Result
	var err error
	if o.saving() {
		res, err = c.Provider.Save(ctx, payments.SaveCard{PaymentMethod: pm, IdempotencyKey: o.key,
			Reservation: o.ref, Name: o.guest.Name, Email: o.guest.Email, Metadata: meta})
	} else {
		res, err = c.Provider.Pay(ctx, payments.Payment{Amount: o.due, Currency: o.currency,
			PaymentMethod: pm, IdempotencyKey: o.key, Reservation: o.ref, Metadata: meta, Description: o.description,
			// A deposit (or a line that guarantees) may leave a fee to
			// charge later.
			SaveForLater: o.saveForLater, Name: o.guest.Name, Email: o.guest.Email})
	}
	switch {
	case errors.Is(err, payments.ErrPaymentMethod):
		v := &booking.ValidationError{}
		v.Add("payment.payment_method", "is not a usable PaymentMethod; create another with the provider's library")
		return res, nil, v
	case errors.Is(err, payments.ErrIdempotency):
		return res, nil, fmt.Errorf("%w: %w", booking.ErrInFlight, err)
	case err != nil:
		return res, nil, unavailable(err)
	}
	return res, &booking.PaymentOutcome{Status: string(res.Status), Intent: res.ID, ClientSecret: res.ClientSecret,
		NextAction: res.NextAction, Decline: res.Decline}, nil
}

// stepOf is what the provider's answer res does to cur, the hold it
// paid: amount of it recorded under key, the card kept, the hold
// confirmed; the intent pending while the guest authenticates; or the
// failure recorded and, with release, the hold given back.
func stepOf(res payments.Result, cur booking.Reservation, key string, amount int64, saving, release bool, now time.Time) booking.PaymentStep {
	step := booking.PaymentStep{At: now}
	switch res.Status {
	case payments.StatusSucceeded:
		rec := booking.PaymentRecord{Kind: booking.PaymentCharge, AmountCents: amount, Currency: res.Currency,
			ProviderRef: res.ID, Status: string(res.Status), IdempotencyKey: key}
		if saving {
			rec.Kind, rec.AmountCents, rec.Currency = booking.PaymentSetup, 0, cur.Currency
		}
		if res.Customer != "" && res.PaymentMethod != "" {
			step.Card = &booking.SavedCard{Customer: res.Customer, Method: res.PaymentMethod}
		}
		step.Records = append(step.Records, rec)
		step.Pending = ptr("")
		step.Transition = confirmPaid(cur, now)
	case payments.StatusRequiresAction, payments.StatusProcessing:
		step.Pending = ptr(res.ID)
	default: // declined, failed, cancelled
		if strings.HasPrefix(cur.PendingPayment, claimPrefix) {
			step.Pending = ptr("")
		}
		rec := booking.PaymentRecord{Kind: booking.PaymentFailure, AmountCents: amount,
			Currency: cur.Currency, ProviderRef: res.ID, Status: string(res.Status), IdempotencyKey: key + ":failed"}
		if res.Decline != nil {
			rec.FailureCode, rec.FailureMessage = res.Decline.Code, res.Decline.Message
		}
		step.Records = append(step.Records, rec)
		if release && cur.Status == booking.StatusHeld {
			step.Transition = &booking.Transition{At: now, To: booking.StatusExpired, ReleaseNights: true,
				Audit: &booking.Audit{ActorKind: booking.ActorSystem, Actor: "payments",
					Action: booking.ActionReservationExpire, Reason: "payment declined"}}
		}
	}
	return step
}

// paid sends on what ApplyPayment committed for ref and says how the
// payment ended: ErrDeclined for a card refused, ErrHoldExpired for a
// payment that came as the hold ran out (settling the expiry gives the
// money back).
func (c *Cashier) paid(ctx context.Context, ref string, done booking.Reservation, res payments.Result, out *booking.PaymentOutcome, err error) (booking.Reservation, error) {
	if err != nil && !errors.Is(err, booking.ErrHoldExpired) {
		return done, err
	}
	c.committed(ctx, ref)
	if err != nil {
		return done, err
	}
	if res.Status == payments.StatusDeclined || res.Status == payments.StatusFailed || res.Status == payments.StatusCancelled {
		return done, ErrDeclined
	}
	return done, nil
}

// confirmPaid is the transition a successful payment makes of r: a
// confirmation of a hold, nil for anything else (the webhook and the
// request that paid may both bring the news; the first confirms).
func confirmPaid(r booking.Reservation, now time.Time) *booking.Transition {
	if r.Status != booking.StatusHeld {
		return nil
	}
	t, err := booking.Confirm(r, now)
	if err != nil {
		return nil
	}
	t.Audit = &booking.Audit{ActorKind: booking.ActorSystem, Actor: "payments", Action: "reservation.confirm",
		Reason: "paid"}
	if errors.Is(t.Err, booking.ErrHoldExpired) {
		t.Audit.Action, t.Audit.Reason = booking.ActionReservationExpire, "paid after the hold expired"
	}
	return &t
}

func ptr[T any](v T) *T { return &v }

// asBooking makes the transition of a booking's line, paid with the
// others, write its booking's event.
func asBooking(step booking.PaymentStep) booking.PaymentStep {
	if step.Transition != nil {
		step.Transition.AsBooking = true
	}
	return step
}

// feePurpose is the purpose of the fee a terminal status charges.
func feePurpose(s booking.Status) string {
	if s == booking.StatusNoShow {
		return purposeNoShowFee
	}
	return purposeCancellationFee
}

// isFeePurpose reports whether a provider object's purpose is a fee.
func isFeePurpose(p string) bool {
	return p == purposeCancellationFee || p == purposeNoShowFee
}

// leftToRefund is, for every payment (pi_…) the ledger holds, what is
// left of it to give back (its charge minus the refunds naming it) and
// what was refunded of it, the latest payment first.
func leftToRefund(ps []booking.PaymentRecord) []refundable {
	var out []refundable
	refunded := map[string]int64{}
	for _, p := range ps {
		if p.Kind == booking.PaymentRefund {
			refunded[p.RefundOf] += p.AmountCents
		}
	}
	for i := len(ps) - 1; i >= 0; i-- {
		p := ps[i]
		if (p.Kind == booking.PaymentCharge || p.Kind == booking.PaymentFee) && strings.HasPrefix(p.ProviderRef, "pi_") {
			if left := p.AmountCents - refunded[p.ProviderRef]; left > 0 {
				out = append(out, refundable{Payment: p.ProviderRef, Left: left, Refunded: refunded[p.ProviderRef], Currency: p.Currency})
			}
		}
	}
	return out
}

type refundable struct {
	Payment  string
	Left     int64
	Refunded int64
	Currency string
}

// FromConfig is the cashier of the configuration's Stripe account
// (STRIPE_SECRET_KEY, at STRIPE_API_BASE when set), or nil when no key
// is set: payments are off. Calls are retried twice on the network or a
// 5xx, under their idempotency key, within payments.DefaultTimeout.
func FromConfig(cfg config.Config, st Store, now func() time.Time, committed func(context.Context, string), log *slog.Logger) *Cashier {
	if cfg.StripeSecretKey == "" {
		return nil
	}
	return &Cashier{Store: st, Now: now, Committed: committed, Log: log,
		Provider: payments.NewStripe(payments.StripeConfig{SecretKey: cfg.StripeSecretKey, URL: cfg.StripeAPIBase, MaxRetries: 2})}
}
