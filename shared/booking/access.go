package booking

import (
	"context"
	"net/mail"
	"strings"
)

// EventAccessRequested is the outbox event of a guest's lookup that
// matched: the worker emails the guest a signed manage link. It carries
// only the reference and the instant, which tells one request from the
// next; it changes nothing, so no WebSocket audience hears of it.
const EventAccessRequested = "reservation.access_requested"

// AccessRequest is a guest asking for a booking's manage link by its
// reference and the email it was booked with.
type AccessRequest struct {
	Reference string
	Email     string
}

// RequestAccess queues the manage-link email when the reference and the
// email (compared without regard to case) name one reservation, and does
// nothing otherwise. It reports neither: the caller's answer must be the
// same both ways, so that references cannot be probed. Both ways it runs
// the same one statement; the event waits for the outbox sweep rather
// than being sent at once, as sending it would take longer only when the
// booking exists.
func (s *Service) RequestAccess(ctx context.Context, req AccessRequest) error {
	v := &ValidationError{}
	if req.Reference == "" {
		v.Add("reference", "is required")
	} else if !ValidReference(req.Reference) {
		v.Add("reference", "must be a booking reference such as INK-7K3Q9P")
	}
	if req.Email == "" {
		v.Add("email", "is required")
	} else if a, err := mail.ParseAddress(req.Email); err != nil || a.Address != req.Email || len(req.Email) > 254 {
		v.Add("email", "must be an email address such as ana@example.com")
	}
	if err := v.Err(); err != nil {
		return err
	}
	ev := Event{Type: EventAccessRequested, Reference: req.Reference, OccurredAt: s.now()}
	return s.store.RequestAccess(ctx, ev, strings.ToLower(req.Email))
}

// The actors of the audit trail.
const (
	ActorGuest = "guest"
	// ActorManageLink names a guest who acted through the signed link
	// in their emails rather than their access token.
	ActorManageLink = "manage-link"
)

// CancelByLink cancels a reservation whose signed manage link the edge
// has verified, under the same rules as the guest's cancel with a token
// (Cancel), and records who did it in the audit trail.
func (s *Service) CancelByLink(ctx context.Context, reference string, receipt *Receipt) (Reservation, error) {
	if !ValidReference(reference) {
		return Reservation{}, ErrNotFound
	}
	r, err := s.store.Transition(ctx, reference, func(r Reservation) (Transition, error) {
		t, err := Cancel(r, s.now())
		t.Audit = s.guestAs(ctx, ActorManageLink, "reservation.cancel")
		return t, err
	}, receipt)
	if err == nil {
		s.afterCommit(ctx, reference)
	}
	return r, err
}
