package booking

import (
	"errors"
	"sort"
	"strings"
)

// Sentinel errors of the domain. Edges map them to responses with errors.Is.
var (
	// ErrNotFound means the hotel, room type, rate plan or reservation does
	// not exist (or the caller may not know that it does).
	ErrNotFound = errors.New("not found")
	// ErrSoldOut means at least one night has fewer free units than asked.
	ErrSoldOut = errors.New("sold out")
	// ErrNoRate means a night of the stay has no price for the rate plan.
	ErrNoRate = errors.New("no rate for every night")
	// ErrConflict means the request is valid but clashes with current state:
	// a duplicate code, units below what is sold, an illegal status change.
	ErrConflict = errors.New("conflict")
	// ErrHoldExpired means a hold was confirmed after its expiry; the hold
	// has been expired and its nights given back.
	ErrHoldExpired = errors.New("hold expired")
	// ErrReceiptTaken means another request already committed an outcome
	// under the same idempotency key.
	ErrReceiptTaken = errors.New("idempotency key already used")
	// ErrInFlight means a request with the same idempotency key is being
	// processed right now.
	ErrInFlight = errors.New("idempotency key in flight")
	// ErrCheckedIn means the guest asked to cancel a booking at or after
	// its check-in instant; the front desk handles those, so nothing
	// changed.
	ErrCheckedIn = errors.New("cancellation after check-in")
	// ErrHoldLimit means the guest's email already has as many active
	// holds as HoldQuota.PerEmail allows; the new hold took nothing.
	ErrHoldLimit = errors.New("too many active holds for this email")
	// ErrHoldShare means the hold would push the units held unpaid on a
	// night of the stay above HoldQuota.SharePercent of the night's units;
	// the new hold took nothing.
	ErrHoldShare = errors.New("too many units held unpaid on a night")
	// ErrAuditTakenOver means a night audit's claim on a day was taken
	// over by a later run (its lease ran out on that run's clock) or the
	// day was audited meanwhile: the day's report is that run's to write.
	ErrAuditTakenOver = errors.New("night audit taken over by another run")
	// ErrUnavailable means a dependency (the database) did not answer in
	// time; the request changed nothing and may be retried.
	ErrUnavailable = errors.New("dependency unavailable")
	// ErrPaymentDeclined means the guest's card was refused; the
	// response is a 402 with the provider's decline code.
	ErrPaymentDeclined = errors.New("payment declined")
)

// ValidationError lists what is wrong with a request, field by field.
type ValidationError struct {
	Fields map[string]string
}

// Add records a problem with field; the first message for a field wins.
func (v *ValidationError) Add(field, msg string) {
	if v.Fields == nil {
		v.Fields = map[string]string{}
	}
	if _, ok := v.Fields[field]; !ok {
		v.Fields[field] = msg
	}
}

// Err returns v as an error when it holds a problem, nil otherwise.
func (v *ValidationError) Err() error {
	if v == nil || len(v.Fields) == 0 {
		return nil
	}
	return v
}

func (v *ValidationError) Error() string {
	keys := make([]string, 0, len(v.Fields))
	for k := range v.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("invalid request:")
	for _, k := range keys {
		b.WriteString(" " + k + ": " + v.Fields[k] + ";")
	}
	return b.String()
}

// Invalid returns a ValidationError with one field.
func Invalid(field, msg string) error {
	v := &ValidationError{}
	v.Add(field, msg)
	return v
}

// ConflictError is an ErrConflict with a reason a client can read.
type ConflictError struct {
	Reason string
}

func (e *ConflictError) Error() string { return "conflict: " + e.Reason }

// Unwrap lets errors.Is(err, ErrConflict) hold.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// Conflict returns a ConflictError with reason.
func Conflict(reason string) error { return &ConflictError{Reason: reason} }
