package httpapi

import (
	"log/slog"
	"net/http"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
)

// deskRequest is the body of a front-desk action: a reason (required to
// cancel) and, to cancel, a fee waiver. Check-in, check-out and no-show
// may come without a body.
type deskRequest struct {
	Reason   string `json:"reason"`
	WaiveFee *bool  `json:"waive_fee"`
	// PaymentMethod is how a check-out was paid, for its invoice.
	PaymentMethod string `json:"payment_method"`
}

func (s *Server) deskCancel(w http.ResponseWriter, r *http.Request) {
	s.deskAction(w, r, booking.ActionCancel)
}

func (s *Server) deskCheckIn(w http.ResponseWriter, r *http.Request) {
	s.deskAction(w, r, booking.ActionCheckIn)
}

func (s *Server) deskCheckOut(w http.ResponseWriter, r *http.Request) {
	s.deskAction(w, r, booking.ActionCheckOut)
}

func (s *Server) deskNoShow(w http.ResponseWriter, r *http.Request) {
	s.deskAction(w, r, booking.ActionNoShow)
}

// deskAction applies a front-desk action in the name of the acting key,
// which the audit trail records with the action and the reason.
func (s *Server) deskAction(w http.ResponseWriter, r *http.Request, a booking.Action) {
	var req deskRequest
	if a == booking.ActionCancel || r.ContentLength != 0 || r.Header.Get("Content-Type") != "" {
		if _, err := readJSON(w, r, &req); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if req.WaiveFee != nil && a != booking.ActionCancel {
		s.fail(w, r, booking.Invalid("waive_fee", "applies only to a cancellation"))
		return
	}
	cmd := booking.DeskCommand{
		Action: a, Reason: req.Reason, WaiveFee: req.WaiveFee != nil && *req.WaiveFee, By: actor(r),
		PaymentMethod: req.PaymentMethod,
	}
	res, err := s.svc.Desk(r.Context(), r.PathValue("reference"), cmd)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Reservation reservationView `json:"reservation"`
		// Invoices are the reservation's documents, after an action that
		// may issue one (invoices.go).
		Invoices []invoiceView `json:"invoices,omitempty"`
	}{viewReservation(res), s.deskInvoices(r, a, res)})
}

// deskInvoices lists the reservation's documents after a check-out,
// cancellation or no-show, which may have issued one; nil after a
// check-in.
func (s *Server) deskInvoices(r *http.Request, a booking.Action, res booking.Reservation) []invoiceView {
	if a == booking.ActionCheckIn {
		return nil
	}
	return s.reservationDocs(r, res.ID)
}

// reservationDocs lists a reservation's documents for a staff answer
// about it; nil when there are none or they cannot be read (the answer
// stands without them: the action has committed, and the guest and
// admin invoice routes show them).
func (s *Server) reservationDocs(r *http.Request, reservationID int64) []invoiceView {
	if s.invoices == nil {
		return nil
	}
	docs, err := s.invoices.ReservationInvoices(r.Context(), reservationID)
	if err != nil {
		s.log.WarnContext(r.Context(), "invoices unread", slog.String("error", err.Error()))
		return nil
	}
	return viewInvoices(docs)
}

// deskRoles may act at the front desk (admin keys too, auth.Role.Allows).
var deskRoles = []auth.Role{auth.RoleStaff}
