package booking

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// DeskCommand is a front-desk action on a reservation, by a staff member.
type DeskCommand struct {
	Action Action // ActionCancel, ActionCheckIn, ActionCheckOut or ActionNoShow
	// Reason is required to cancel and optional otherwise.
	Reason string
	// WaiveFee cancels without the cancellation fee.
	WaiveFee bool
	// PaymentMethod is how a check-out was paid (PaymentMethods), as
	// its invoice records it; only for a check-out, and optional.
	PaymentMethod string
	// By names who acts (ActorKind, Actor, ActorRole, RequestID); the
	// action and reason are filled in here.
	By Audit
}

// deskRules are the front desk's actions and the rule each follows.
var deskRules = map[Action]func(DeskCommand) func(Reservation, time.Time) (Transition, error){
	ActionCancel:   func(c DeskCommand) func(Reservation, time.Time) (Transition, error) { return DeskCancel(c.WaiveFee) },
	ActionCheckIn:  func(DeskCommand) func(Reservation, time.Time) (Transition, error) { return CheckIn },
	ActionCheckOut: func(DeskCommand) func(Reservation, time.Time) (Transition, error) { return CheckOut },
	ActionNoShow:   func(DeskCommand) func(Reservation, time.Time) (Transition, error) { return NoShow },
}

// Desk applies a front-desk action to a reservation under the status
// table, recording who did it in the audit trail in the same
// transaction. A refused action changes nothing.
func (s *Service) Desk(ctx context.Context, reference string, c DeskCommand) (Reservation, error) {
	rule, ok := deskRules[c.Action]
	if !ok {
		return Reservation{}, errors.New("booking: " + string(c.Action) + " is not a front-desk action")
	}
	c.Reason = strings.TrimSpace(c.Reason)
	switch {
	case c.Action == ActionCancel && c.Reason == "":
		return Reservation{}, Invalid("reason", "is required")
	case utf8.RuneCountInString(c.Reason) > 500:
		return Reservation{}, Invalid("reason", "must be at most 500 characters")
	case c.PaymentMethod != "" && c.Action != ActionCheckOut:
		return Reservation{}, Invalid("payment_method", "applies only to a check-out")
	case c.PaymentMethod != "" && !ValidPaymentMethod(c.PaymentMethod):
		return Reservation{}, Invalid("payment_method", "must be one of "+strings.Join(PaymentMethods, ", "))
	}
	if !ValidReference(reference) {
		return Reservation{}, ErrNotFound
	}
	audit := c.By
	audit.Action, audit.Reason = "reservation."+string(c.Action), c.Reason
	decide := rule(c)
	r, err := s.store.Transition(ctx, reference, func(r Reservation) (Transition, error) {
		t, err := decide(r, s.now())
		if err != nil {
			return t, err
		}
		t.Audit = &audit
		t.PaymentMethod = c.PaymentMethod
		return t, nil
	}, nil)
	if err != nil {
		return Reservation{}, err
	}
	s.found(ctx, r.HotelSlug)
	s.afterCommit(ctx, reference)
	return r, nil
}
