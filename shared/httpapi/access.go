package httpapi

import (
	"net/http"
	"strconv"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
)

// A guest who lost their access token asks for the manage link by
// reference and email (POST /v1/reservations/lookup); the link opens the
// booking (GET …/manage) and, once the guest confirms there, cancels it
// (POST …/manage/cancel with the link's own expires and signature).

type lookupRequest struct {
	Reference string `json:"reference"`
	Email     string `json:"email"`
}

// lookupAccepted is the one answer to every well-formed lookup, whether
// or not a booking matched: it must not tell which.
var lookupAccepted = struct {
	Status string `json:"status"`
	Detail string `json:"detail"`
}{"accepted", "If a booking has this reference and email, the link to manage it is on its way to that address. " +
	"It can take a few minutes to arrive."}

func (s *Server) lookupReservation(w http.ResponseWriter, r *http.Request) {
	var req lookupRequest
	if _, err := readJSON(w, r, &req); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.svc.RequestAccess(r.Context(), booking.AccessRequest{Reference: req.Reference, Email: req.Email}); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, lookupAccepted)
}

// linkReference is the reference of a request whose expires and
// signature (in the query) are a live signed link to it, or false after
// answering 403: a link that does not verify, for whatever reason,
// gets the same problem.
func (s *Server) linkReference(w http.ResponseWriter, r *http.Request) (string, bool) {
	q, err := parseQuery(r, "expires", "signature")
	if err != nil {
		s.fail(w, r, err)
		return "", false
	}
	return s.verifiedLink(w, r, q)
}

// verifiedLink is linkReference on a query already parsed (which may
// carry other parameters too).
func (s *Server) verifiedLink(w http.ResponseWriter, r *http.Request, q *query) (string, bool) {
	expires, perr := strconv.ParseInt(q.str("expires"), 10, 64)
	ref := r.PathValue("reference")
	if q.err() != nil || perr != nil || !booking.ValidReference(ref) ||
		auth.VerifyLink(s.linkKeys, ref, expires, q.str("signature"), s.svc.Now()) != nil {
		writeProblem(w, problem(http.StatusForbidden, "link-invalid", "Link invalid or expired",
			"This link is not valid, or has expired. Use the access token from your booking, or ask for a new link."))
		return "", false
	}
	return ref, true
}

// manageCancel cancels a booking through its signed link, under the
// guest's rules (booking.Cancel), once per Idempotency-Key. Opening the
// link (a GET, which mail scanners follow) never cancels; this POST is
// the guest's confirmation.
func (s *Server) manageCancel(w http.ResponseWriter, r *http.Request) {
	ref, ok := s.linkReference(w, r)
	if !ok {
		return
	}
	if err := emptyCommand(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	s.idempotent(w, r, nil, renderReservation(http.StatusOK), func(rc *booking.Receipt) error {
		_, err := s.svc.CancelByLink(r.Context(), ref, rc)
		return err
	})
}
