package httpapi

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"innkeeper/shared/auth"
	"innkeeper/shared/booking"
	"innkeeper/shared/invoicepdf"
)

// Invoices and credit notes: the guest reads a reservation's with its
// access token (or its signed link), staff read one by number. Both
// answer JSON, or the document as a PDF when the client accepts
// application/pdf or asks ?format=pdf.

// Invoices reads issued documents (the store).
type Invoices interface {
	// ReservationInvoices lists a reservation's documents in the order
	// issued; none is an empty list.
	ReservationInvoices(ctx context.Context, reservationID int64) ([]booking.Invoice, error)
	// Invoice is booking.ErrNotFound for an unknown number.
	Invoice(ctx context.Context, number string) (booking.Invoice, error)
}

// invoiceRoles may read any invoice by number: the desk that hands it
// over (admin keys too, auth.Role.Allows). Finance keys stay out of
// staff routes, as everywhere: the books would read invoices through a
// /v1/finance route of their own.
var invoiceRoles = []auth.Role{auth.RoleStaff}

type invoiceView struct {
	Number      string `json:"number"`
	Kind        string `json:"kind"`
	Purpose     string `json:"purpose"`
	Reservation string `json:"reservation"`
	// RefersTo is the invoice a credit note corrects.
	RefersTo   string                `json:"refers_to,omitempty"`
	IssuedAt   time.Time             `json:"issued_at"`
	Currency   string                `json:"currency"`
	Seller     booking.Seller        `json:"seller"`
	Buyer      booking.Buyer         `json:"buyer"`
	Lines      []booking.InvoiceLine `json:"lines"`
	VAT        []booking.VATRate     `json:"vat"`
	NetCents   int64                 `json:"net_cents"`
	VATCents   int64                 `json:"vat_cents"`
	TotalCents int64                 `json:"total_cents"`
	PaidCents  int64                 `json:"paid_cents"`
	Payments   []booking.Payment     `json:"payments"`
}

// viewInvoice shows a document's instants in the hotel's offset.
func viewInvoice(inv booking.Invoice) invoiceView {
	loc := booking.Location(inv.Timezone)
	payments := make([]booking.Payment, len(inv.Payments))
	for i, p := range inv.Payments {
		p.At = p.At.In(loc)
		payments[i] = p
	}
	return invoiceView{Number: inv.Number, Kind: inv.Kind, Purpose: inv.Purpose, Reservation: inv.Reference,
		RefersTo: inv.RefersToNumber, IssuedAt: inv.IssuedAt.In(loc), Currency: inv.Currency,
		Seller: inv.Seller, Buyer: inv.Buyer, Lines: inv.Lines, VAT: inv.VAT,
		NetCents: inv.NetCents, VATCents: inv.VATCents, TotalCents: inv.TotalCents, PaidCents: inv.PaidCents(),
		Payments: payments}
}

func viewInvoices(docs []booking.Invoice) []invoiceView {
	out := make([]invoiceView, len(docs))
	for i, d := range docs {
		out[i] = viewInvoice(d)
	}
	return out
}

// wantsPDF reads whether the client asked for a PDF: format=pdf, or an
// Accept header naming application/pdf (and no format=json).
func wantsPDF(r *http.Request, q *query) bool {
	switch f := q.str("format"); f {
	case "pdf":
		return true
	case "json":
		return false
	case "":
		return strings.Contains(r.Header.Get("Accept"), "application/pdf")
	default:
		q.v.Add("format", "must be json or pdf")
		return false
	}
}

// writePDF sends a document as a PDF named by its number.
func (s *Server) writePDF(w http.ResponseWriter, r *http.Request, inv booking.Invoice) {
	body, err := invoicepdf.Render(inv, inv.Timezone)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+inv.Number+`.pdf"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// guestReservation is the reservation a guest's request names, proved
// by its access token (Authorization: Bearer) or by its signed link
// (expires and signature). Any failure is a 404, as for the other guest
// reads, so references cannot be probed; a link that does not verify is
// the 403 the other link routes answer.
func (s *Server) guestReservation(w http.ResponseWriter, r *http.Request, q *query) (booking.Reservation, bool) {
	ref := r.PathValue("reference")
	if q.str("signature") == "" && q.str("expires") == "" {
		res, err := s.svc.Reservation(r.Context(), ref, guestToken(r))
		if err != nil {
			s.fail(w, r, err)
			return booking.Reservation{}, false
		}
		return res, true
	}
	ref, ok := s.verifiedLink(w, r, q)
	if !ok {
		return booking.Reservation{}, false
	}
	res, err := s.svc.ReservationByLink(r.Context(), ref)
	if err != nil {
		s.fail(w, r, err)
		return booking.Reservation{}, false
	}
	return res, true
}

// reservationInvoices answers a guest with every invoice and credit note
// of the reservation, in the order issued, as JSON; as a PDF, with the
// one named by ?number=, or else the latest.
func (s *Server) reservationInvoices(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, "format", "number", "expires", "signature")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pdf := wantsPDF(r, q)
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	res, ok := s.guestReservation(w, r, q)
	if !ok {
		return
	}
	docs, err := s.invoices.ReservationInvoices(r.Context(), res.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	number := q.str("number")
	if !pdf {
		if number != "" {
			s.fail(w, r, booking.Invalid("number", "applies only to a PDF"))
			return
		}
		writeJSON(w, http.StatusOK, struct {
			Reference string        `json:"reference"`
			Invoices  []invoiceView `json:"invoices"`
		}{res.Reference, viewInvoices(docs)})
		return
	}
	for i := len(docs) - 1; i >= 0; i-- {
		if number == "" || docs[i].Number == number {
			s.writePDF(w, r, docs[i])
			return
		}
	}
	detail := "No invoice has been issued for this reservation yet."
	if number != "" {
		detail = "This reservation has no document numbered " + number + "."
	}
	writeProblem(w, notFound(detail))
}

// adminInvoice answers staff with one document by number.
func (s *Server) adminInvoice(w http.ResponseWriter, r *http.Request) {
	q, err := parseQuery(r, "format")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pdf := wantsPDF(r, q)
	if err := q.err(); err != nil {
		s.fail(w, r, err)
		return
	}
	number := r.PathValue("number")
	if !booking.ValidInvoiceNumber(number) {
		s.fail(w, r, booking.ErrNotFound)
		return
	}
	inv, err := s.invoices.Invoice(r.Context(), number)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pdf {
		s.writePDF(w, r, inv)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Invoice invoiceView `json:"invoice"`
	}{viewInvoice(inv)})
}
