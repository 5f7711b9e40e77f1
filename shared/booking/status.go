package booking

import (
	"errors"
	"fmt"
	"time"
)

// Action is something done to a reservation that may change its status.
type Action string

// The actions on a reservation: the guest's (confirm, cancel, modify),
// the system's (expire) and the front desk's (cancel, check in, check
// out, no-show, modify).
const (
	ActionConfirm  Action = "confirm"
	ActionCancel   Action = "cancel"
	ActionExpire   Action = "expire"
	ActionCheckIn  Action = "check_in"
	ActionCheckOut Action = "check_out"
	ActionNoShow   Action = "no_show"
	ActionModify   Action = "modify"
)

// Statuses lists every status, in the order of a reservation's life.
var Statuses = []Status{StatusHeld, StatusConfirmed, StatusCheckedIn, StatusCheckedOut,
	StatusCancelled, StatusExpired, StatusNoShow}

// Actions lists every action.
var Actions = []Action{ActionConfirm, ActionCancel, ActionExpire, ActionCheckIn,
	ActionCheckOut, ActionNoShow, ActionModify}

// transitions is the one table of what each action does from each
// status: the next status, or no entry when the action is refused. The
// rules (Confirm, Cancel, CheckIn, …) ask it first and only then add the
// conditions of time (a hold past its expiry, check-in before the
// arrival day). Cancelled, expired, checked-out and no-show are final.
var transitions = map[Status]map[Action]Status{
	StatusHeld: {
		ActionConfirm: StatusConfirmed,
		ActionCancel:  StatusCancelled,
		ActionExpire:  StatusExpired,
		ActionModify:  StatusHeld,
	},
	StatusConfirmed: {
		ActionCancel:  StatusCancelled,
		ActionCheckIn: StatusCheckedIn,
		ActionNoShow:  StatusNoShow,
		ActionModify:  StatusConfirmed,
	},
	StatusCheckedIn: {
		ActionCheckOut: StatusCheckedOut,
	},
}

// ErrTransition means the action is not allowed from the reservation's
// status (the table says no); nothing changed.
var ErrTransition = errors.New("action not allowed in this status")

// TransitionError is an ErrTransition naming the status and the action,
// and an ErrConflict too.
type TransitionError struct {
	From   Status
	Action Action
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("a %s reservation cannot %s", e.From, e.Verb())
}

// Is lets errors.Is match both ErrTransition and ErrConflict.
func (e *TransitionError) Is(target error) bool {
	return target == ErrTransition || target == ErrConflict
}

// Verb says what the refused action would have done, as in "cannot
// check in".
func (e *TransitionError) Verb() string {
	switch a := e.Action; a {
	case ActionConfirm:
		return "be confirmed"
	case ActionCancel:
		return "be cancelled"
	case ActionExpire:
		return "expire"
	case ActionCheckIn:
		return "check in"
	case ActionCheckOut:
		return "check out"
	case ActionNoShow:
		return "be marked a no-show"
	case ActionModify:
		return "be modified"
	default:
		return string(a)
	}
}

// Next is the status action leads to from s, or a TransitionError.
func Next(s Status, a Action) (Status, error) {
	if to, ok := transitions[s][a]; ok {
		return to, nil
	}
	return "", &TransitionError{From: s, Action: a}
}

// Errors of the front desk's actions that the table allows but the day
// does not; nothing changed.
var (
	// ErrBeforeArrival means a check-in before the arrival day, in the
	// hotel's time zone.
	ErrBeforeArrival = errors.New("check-in before the arrival day")
	// ErrStayOver means a check-in on or after the departure day.
	ErrStayOver = errors.New("check-in after the stay has ended")
	// ErrArrivalNotOver means a no-show marked on or before the arrival
	// day: the guest may still come.
	ErrArrivalNotOver = errors.New("no-show before the arrival day is over")
)

// CheckIn lets a confirmed guest in, from the arrival day (the hotel's
// date) until the day before departure.
func CheckIn(r Reservation, now time.Time) (Transition, error) {
	to, err := Next(r.Status, ActionCheckIn)
	if err != nil {
		return Transition{}, err
	}
	today := r.hotel().Today(now)
	switch {
	case today.Before(r.CheckIn):
		return Transition{}, ErrBeforeArrival
	case !today.Before(r.CheckOut):
		return Transition{}, ErrStayOver
	}
	return Transition{At: now, To: to}, nil
}

// CheckOut ends a stay. An early check-out (before the departure day,
// hotel's date) gives back the nights from the day of departure on, and
// the stay ends that day; a guest leaving on the arrival day keeps the
// first night (the room was let and cannot be sold again), so at least
// one night stays taken. The booked total stands: what an early
// departure refunds is the hotel's decision, not this rule's.
func CheckOut(r Reservation, now time.Time) (Transition, error) {
	to, err := Next(r.Status, ActionCheckOut)
	if err != nil {
		return Transition{}, err
	}
	t := Transition{At: now, To: to}
	departure := r.hotel().Today(now)
	if first := r.CheckIn.AddDays(1); departure.Before(first) {
		departure = first
	}
	if departure.Before(r.CheckOut) {
		t.ReleaseNights, t.ReleaseFrom = true, departure
	}
	return t, nil
}

// NoShowFee is what a no-show costs. Rate plans carry no no-show fee of
// their own, so the rule is the late-cancellation fee: the plan's
// penalty percent of the total (100% when non-refundable), rounded half
// up in cents, as CancellationFee past the free-cancellation deadline.
func (r Reservation) NoShowFee() int64 {
	pct := int64(r.PenaltyPercent)
	if !r.Refundable {
		pct = 100
	}
	return percentOf(r.TotalCents, pct)
}

// NoShow marks a confirmed guest who did not come, once the arrival day
// is over (hotel's date), charges NoShowFee and gives every night back.
func NoShow(r Reservation, now time.Time) (Transition, error) {
	to, err := Next(r.Status, ActionNoShow)
	if err != nil {
		return Transition{}, err
	}
	if !r.hotel().Today(now).After(r.CheckIn) {
		return Transition{}, ErrArrivalNotOver
	}
	fee := r.NoShowFee()
	return Transition{At: now, To: to, NoShowFeeCents: &fee, ReleaseNights: true}, nil
}

// DeskCancel is the front desk's cancellation: unlike the guest's, it is
// allowed after the check-in instant, and waive sets the fee to zero;
// otherwise the fee is the guest's (CancellationFee).
func DeskCancel(waive bool) func(Reservation, time.Time) (Transition, error) {
	return func(r Reservation, now time.Time) (Transition, error) {
		to, err := Next(r.Status, ActionCancel)
		if err != nil {
			return Transition{}, err
		}
		fee := r.CancellationFee(now)
		if waive {
			fee = 0
		}
		return Transition{At: now, To: to, FeeCents: &fee, ReleaseNights: true}, nil
	}
}

func (r Reservation) hotel() Hotel {
	return Hotel{Timezone: r.Timezone, CheckInTime: r.CheckInTime}
}
