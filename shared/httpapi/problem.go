package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
)

// ProblemBase prefixes every problem type URI.
const ProblemBase = "https://innkeeper.dev/problems/"

// Problem is an RFC 9457 problem detail.
type Problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail"`
	Errors map[string]string `json:"errors,omitempty"`
	// Failing names the checks that failed (readiness).
	Failing []string `json:"failing,omitempty"`
	// Violations lists the restrictions a refused stay breaks.
	Violations []violationView `json:"violations,omitempty"`
	// Line is the room line (from 1) of a booking of several rooms that
	// was refused, refusing the booking.
	Line int `json:"line,omitempty"`
	// DeclineCode is the payment provider's reason a card was declined
	// (insufficient_funds, authentication_required, …), on a 402.
	DeclineCode string `json:"decline_code,omitempty"`

	retryAfter int
	header     map[string]string
}

func problem(status int, kind, title, detail string) *Problem {
	return &Problem{Type: ProblemBase + kind, Title: title, Status: status, Detail: detail}
}

func (p *Problem) Error() string { return p.Title + ": " + p.Detail }

// Problems the edge raises itself.
func badRequest(detail string) *Problem {
	return problem(http.StatusBadRequest, "bad-request", "Bad request", detail)
}

func notFound(detail string) *Problem {
	return problem(http.StatusNotFound, "not-found", "Not found", detail)
}

func fieldErrors(status int, detail string, fields map[string]string) *Problem {
	kind, title := "validation", "Invalid request"
	if status == http.StatusBadRequest {
		kind, title = "malformed", "Malformed request"
	}
	p := problem(status, kind, title, detail)
	p.Errors = fields
	return p
}

func unavailable(detail string) *Problem {
	p := problem(http.StatusServiceUnavailable, "unavailable", "Service unavailable", detail)
	p.retryAfter = 2
	return p
}

// writeProblem sends p as application/problem+json.
func writeProblem(w http.ResponseWriter, p *Problem) {
	h := w.Header()
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	if p.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(p.retryAfter))
	}
	for k, v := range p.header {
		h.Set(k, v)
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// problemFor maps an error from the domain to a problem. Unknown errors
// are logged with the request id and answered with a bare 500: an
// internal message never reaches a client.
func (s *Server) problemFor(ctx context.Context, err error) *Problem {
	var p *Problem
	var v *booking.ValidationError
	var c *booking.ConflictError
	var te *booking.TransitionError
	var re *booking.RestrictedError
	var le *booking.LineError
	switch {
	case errors.As(err, &p):
		return p
	case errors.As(err, &le):
		return s.lineProblem(ctx, le)
	case errors.As(err, &re):
		return restrictedProblem(re)
	case errors.As(err, &v):
		return fieldErrors(http.StatusUnprocessableEntity, "The request has invalid fields; see errors.", v.Fields)
	case errors.Is(err, booking.ErrNotFound):
		return notFound("No such resource, or it is not yours to see.")
	case errors.Is(err, booking.ErrSoldOut):
		return problem(http.StatusConflict, "sold-out", "Sold out", "Not enough rooms are free on every night of the stay.")
	case errors.Is(err, booking.ErrNoRate):
		return problem(http.StatusConflict, "no-rate", "Not bookable", "The rate plan has no price for every night of the stay.")
	case errors.Is(err, booking.ErrHoldExpired):
		return problem(http.StatusConflict, "hold-expired", "Hold expired", "The hold expired before it was confirmed; its rooms were released.")
	case errors.Is(err, booking.ErrCheckedIn):
		return problem(http.StatusConflict, "cancellation-after-check-in", "Cancellation after check-in",
			"This stay has reached its check-in time, so it can no longer be cancelled online. Please contact the hotel's front desk.")
	case errors.Is(err, booking.ErrHoldLimit):
		return problem(http.StatusConflict, "hold-limit", "Too many holds",
			"This email address already has as many unpaid holds as allowed. Confirm or cancel one of them, wait for one to expire, or book without a hold.")
	case errors.Is(err, booking.ErrHoldShare):
		return problem(http.StatusConflict, "hold-capacity", "No more holds on these nights",
			"Too many rooms of this type are already held unpaid on a night of this stay. Book without a hold, or try again later.")
	case errors.Is(err, auth.ErrLastAdminKey):
		return problem(http.StatusConflict, "last-admin-key", "Last admin key",
			"This is the last live admin key; create another admin key before revoking it.")
	case errors.Is(err, booking.ErrInFlight):
		return problem(http.StatusConflict, "idempotency-in-flight", "Request in progress",
			"A request with this Idempotency-Key is still being processed; retry when it has finished.")
	case errors.As(err, &te):
		return problem(http.StatusConflict, "invalid-transition", "Not allowed in this status",
			"A "+string(te.From)+" reservation cannot "+te.Verb()+"; nothing was changed.")
	case errors.Is(err, booking.ErrBeforeArrival):
		return problem(http.StatusConflict, "before-arrival", "Before the arrival day",
			"A guest can check in from the arrival day on, in the hotel's time zone; nothing was changed.")
	case errors.Is(err, booking.ErrStayOver):
		return problem(http.StatusConflict, "stay-over", "Stay over",
			"The stay's departure day has come; the reservation can no longer be checked in. Nothing was changed.")
	case errors.Is(err, booking.ErrNonRefundable):
		return problem(http.StatusConflict, "modification-non-refundable", "Non-refundable booking",
			"A booking under a non-refundable rate cannot be changed online. Please contact the hotel's front desk; nothing was changed.")
	case errors.Is(err, booking.ErrModifyDeadline):
		return problem(http.StatusConflict, "modification-deadline-passed", "Too late to change online",
			"A booking can be changed online only until its free-cancellation deadline. Please contact the hotel's front desk; nothing was changed.")
	case errors.Is(err, booking.ErrUnchanged):
		return problem(http.StatusUnprocessableEntity, "modification-unchanged", "Nothing to change",
			"The modification asks for the dates, room, rate and guests the booking already has; nothing was changed.")
	case errors.Is(err, booking.ErrArrivalNotOver):
		return problem(http.StatusConflict, "arrival-day-not-over", "Arrival day not over",
			"A guest can be marked a no-show only once the arrival day is over, in the hotel's time zone; nothing was changed.")
	case errors.As(err, &c):
		return problem(http.StatusConflict, "conflict", "Conflict", c.Reason+".")
	case errors.Is(err, booking.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		s.log.WarnContext(ctx, "dependency unavailable", slog.String("error", err.Error()))
		return unavailable("A dependency did not answer in time. Nothing was changed; retry shortly.")
	default:
		s.log.ErrorContext(ctx, "internal error", slog.String("error", err.Error()))
		return problem(http.StatusInternalServerError, "internal", "Internal error", "Something went wrong on our side; it has been logged.")
	}
}

// fail writes the problem for err.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	writeProblem(w, s.problemFor(r.Context(), err))
}
