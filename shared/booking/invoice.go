package booking

import (
	"fmt"
	"math/big"
	"strings"
	"time"

	"innkeeper/shared/decimal"
)

// Invoices and credit notes. A document is built here, from the
// reservation's Price, by pure functions; the Store numbers it and
// records it in the transaction of the change that caused it (a
// confirmation, a check-out, a cancellation, a no-show), and never
// updates it after: a correction is a credit note that refers to it.
//
// Which documents a change issues (InvoicesDue):
//
//   - A prepaid booking (until payments exist, one under a
//     non-refundable rate plan) is invoiced when it is confirmed, for
//     its total: the rooms and the taxes charged with the booking. What
//     is paid at the hotel (a tourist tax) is not in it.
//   - At check-out, a stay not invoiced before is invoiced in full: the
//     rooms, every tax and fee, and what is paid at the hotel, all paid
//     then by the method the desk records. A prepaid stay gets a second
//     invoice only for what is paid at the hotel, if anything.
//   - An early check-out is invoiced as booked: the booked total stands
//     (booking.CheckOut), the nights given back are the hotel's to sell.
//   - Cancelling a prepaid booking, or marking it a no-show, issues a
//     credit note for its invoice: every line of it reversed, the fee the
//     hotel keeps as a line of its own. What the credit note totals is
//     what is refunded: the invoice's total minus the fee.
//   - A cancellation or no-show fee on a booking not invoiced is invoiced
//     alone.
//   - Modifying a prepaid booking so that its invoice no longer says what
//     it costs issues a credit note of the whole invoice and, if it is
//     still prepaid, a new invoice of the booking as modified
//     (ReissueDue); a booking modified into a prepaid one is invoiced.
//
// The fee's VAT treatment is FeeVATPercent.

// The kinds of document; each has its own numbering series.
const (
	KindInvoice    = "invoice"
	KindCreditNote = "credit_note"
)

// What a document is for.
const (
	// PurposeStay is the invoice of a whole stay, at check-out.
	PurposeStay = "stay"
	// PurposePrepaid is the invoice of a prepaid booking, when confirmed.
	PurposePrepaid = "prepaid"
	// PurposeAtHotel is the invoice, at check-out, of what a prepaid
	// stay pays at the hotel.
	PurposeAtHotel = "at_hotel"
	// PurposeFee is the invoice of a cancellation or no-show fee.
	PurposeFee = "fee"
	// PurposeCancellation is the credit note of a cancelled or no-show
	// prepaid booking.
	PurposeCancellation = "cancellation"
	// PurposeModification is the credit note of a prepaid booking's
	// invoice that a modification replaced.
	PurposeModification = "modification"
)

// FeeVATPercent is the VAT rate of a cancellation or no-show fee, as an
// exact decimal string, or "" when such a fee is outside the scope of
// VAT. Outside is the common reading in the EU: a fee for a stay that did
// not happen is compensation, not consideration for a supply. Some
// authorities (and the CJEU for prepaid no-shows, C-250/14) see it as the
// price of the supply instead; this is the one place to say so, and the
// fee line then carries its VAT included.
var FeeVATPercent = ""

// Payment methods the desk may record at check-out.
var PaymentMethods = []string{"card", "cash", "bank_transfer", "voucher", "other"}

// The methods the documents record when the desk named none.
const (
	// PaidUnspecified is a check-out that named no method.
	PaidUnspecified = "unspecified"
	// PaidPrepaid is a prepaid booking's payment, made with the booking.
	PaidPrepaid = "prepaid"
	// PaidRefund is what a credit note gives back.
	PaidRefund = "refund"
)

// ValidPaymentMethod reports whether m is one of PaymentMethods.
func ValidPaymentMethod(m string) bool {
	for _, p := range PaymentMethods {
		if m == p {
			return true
		}
	}
	return false
}

// Seller is the hotel's legal entity as a document names it.
type Seller struct {
	Name    string `json:"name"`
	Address string `json:"address"`
	TaxID   string `json:"tax_id"`
	Country string `json:"country"`
}

// SellerOf is h's legal entity; a hotel whose legal name is not set is
// named by its name.
func SellerOf(h Hotel) Seller {
	name := h.LegalName
	if name == "" {
		name = h.Name
	}
	return Seller{Name: name, Address: h.LegalAddress, TaxID: h.TaxID, Country: h.Country}
}

// Buyer is who a document is addressed to: the guest.
type Buyer struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// InvoiceLine is one line of a document, in minor units. Amounts of a
// credit note are negative.
type InvoiceLine struct {
	Code        string `json:"code"` // "rooms", a tax's code, "cancellation-fee"
	Description string `json:"description"`
	Quantity    int    `json:"quantity"`
	// UnitCents is the price of one unit, when every unit costs the same.
	UnitCents   int64 `json:"unit_cents,omitempty"`
	AmountCents int64 `json:"amount_cents"`
	// VAT marks a line of value-added tax, at Percent on BaseCents.
	VAT       bool   `json:"vat"`
	Percent   string `json:"percent,omitempty"`
	BaseCents int64  `json:"base_cents,omitempty"`
	// Included is a tax already inside another line's amount: shown, not
	// added to the total.
	Included   bool `json:"included"`
	PayAtHotel bool `json:"pay_at_hotel"`
}

// VATRate is a document's VAT at one rate: the net amount it applies
// to, the tax, and the two together.
type VATRate struct {
	Percent    string `json:"percent"`
	NetCents   int64  `json:"net_cents"`
	TaxCents   int64  `json:"tax_cents"`
	GrossCents int64  `json:"gross_cents"`
}

// Payment is what was paid (negative: refunded) and how.
type Payment struct {
	AmountCents int64     `json:"amount_cents"`
	Method      string    `json:"method"`
	At          time.Time `json:"at"`
}

// Invoice is an invoice or a credit note as issued.
type Invoice struct {
	ID       int64
	HotelID  int64
	Number   string // LR-2026-000001, LR-CN-2026-000001
	Kind     string // KindInvoice or KindCreditNote
	Year     int
	Sequence int
	Purpose  string
	// Reference and ReservationID name the reservation it is for.
	Reference     string
	ReservationID int64
	// RefersTo is the invoice a credit note corrects (its id and number).
	RefersTo       *int64
	RefersToNumber string
	IssuedAt       time.Time
	// Timezone is the hotel's, whose calendar dates the document.
	Timezone string
	Currency string
	Seller   Seller
	Buyer    Buyer
	Lines    []InvoiceLine
	VAT      []VATRate
	// TotalCents is what the document charges (a credit note: gives
	// back, negative): every line not Included. VATCents is its VAT and
	// NetCents the rest.
	NetCents   int64
	VATCents   int64
	TotalCents int64
	Payments   []Payment
}

// PaidCents is what the document's payments add up to.
func (inv Invoice) PaidCents() int64 {
	var sum int64
	for _, p := range inv.Payments {
		sum += p.AmountCents
	}
	return sum
}

// InvoiceNumber formats a document's number: the hotel's prefix, "CN"
// for a credit note, the year and the sequence in six digits.
func InvoiceNumber(prefix, kind string, year, seq int) string {
	if kind == KindCreditNote {
		prefix += "-CN"
	}
	return fmt.Sprintf("%s-%d-%06d", prefix, year, seq)
}

// ValidInvoiceNumber reports whether s has the shape of a number.
func ValidInvoiceNumber(s string) bool {
	if len(s) < 13 || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// roomsLine is the line of the rooms of a stay.
func roomsLine(r Reservation) InvoiceLine {
	qty := r.Nights() * r.Rooms
	l := InvoiceLine{Code: "rooms", Quantity: qty, AmountCents: r.Price.RoomCents,
		Description: fmt.Sprintf("Room %s, rate %s, %s to %s (%d night(s) x %d room(s))",
			r.RoomTypeCode, r.RatePlanCode, r.CheckIn, r.CheckOut, r.Nights(), r.Rooms)}
	if qty > 0 && r.Price.RoomCents%int64(qty) == 0 {
		l.UnitCents = r.Price.RoomCents / int64(qty)
	}
	return l
}

// lineOf is a Price line as a document line.
func lineOf(p PriceLine) InvoiceLine {
	desc := p.Name
	switch {
	case p.Percent != "" && p.Included:
		desc = fmt.Sprintf("%s %s%% (included)", p.Name, p.Percent)
	case p.Percent != "":
		desc = fmt.Sprintf("%s %s%%", p.Name, p.Percent)
	}
	if p.PayAtHotel {
		desc += " (paid at the hotel)"
	}
	qty := p.Quantity
	if qty == 0 {
		qty = 1
	}
	return InvoiceLine{Code: p.Code, Description: desc, Quantity: qty, UnitCents: p.UnitCents,
		AmountCents: p.AmountCents, VAT: p.VAT, Percent: p.Percent, BaseCents: p.BaseCents,
		Included: p.Included, PayAtHotel: p.PayAtHotel}
}

// StayInvoice is the invoice of r's stay for purpose PurposeStay (the
// rooms and every line of its Price), PurposePrepaid (the rooms and
// the lines charged with the booking) or PurposeAtHotel (the lines paid
// at the hotel), issued at at and paid then by method. It has no
// number, seller or id yet; PurposeAtHotel with nothing paid at the
// hotel has no lines.
func StayInvoice(r Reservation, purpose, method string, at time.Time) Invoice {
	inv := document(r, KindInvoice, purpose, at)
	if purpose != PurposeAtHotel {
		inv.Lines = append(inv.Lines, roomsLine(r))
	}
	for _, p := range r.Price.Lines {
		if purpose == PurposeStay || p.PayAtHotel == (purpose == PurposeAtHotel) {
			inv.Lines = append(inv.Lines, lineOf(p))
		}
	}
	inv.total()
	if inv.TotalCents != 0 {
		inv.Payments = []Payment{{AmountCents: inv.TotalCents, Method: method, At: at}}
	}
	return inv
}

// FeeInvoice is the invoice of a cancellation or no-show fee (action
// ActionCancel or ActionNoShow) on a booking that was not invoiced.
// Nothing is recorded as paid: the fee is charged under the booking's
// terms, outside this service.
func FeeInvoice(r Reservation, action Action, feeCents int64, at time.Time) Invoice {
	inv := document(r, KindInvoice, PurposeFee, at)
	inv.Lines = feeLines(r, action, feeCents)
	inv.total()
	return inv
}

// CreditNote is the credit note of a cancelled or no-show (action)
// prepaid booking: every line of its invoice reversed, and the fee the
// hotel keeps as a line of its own, so it totals minus the refund; the
// refund is its payment.
func CreditNote(r Reservation, of Invoice, action Action, feeCents int64, at time.Time) Invoice {
	purpose := PurposeCancellation
	if action == ActionModify {
		purpose = PurposeModification
	}
	inv := document(r, KindCreditNote, purpose, at)
	id := of.ID
	inv.RefersTo, inv.RefersToNumber = &id, of.Number
	for _, l := range of.Lines {
		l.AmountCents, l.BaseCents = -l.AmountCents, -l.BaseCents
		l.Description = "Reversal: " + l.Description
		inv.Lines = append(inv.Lines, l)
	}
	inv.Lines = append(inv.Lines, feeLines(r, action, feeCents)...)
	inv.total()
	if inv.TotalCents != 0 {
		inv.Payments = []Payment{{AmountCents: inv.TotalCents, Method: PaidRefund, At: at}}
	}
	return inv
}

// feeLines are the line of a fee, under FeeVATPercent: with its VAT
// included as a second line when the fee bears VAT; none for no fee.
func feeLines(r Reservation, action Action, cents int64) []InvoiceLine {
	if cents == 0 {
		return nil
	}
	code, desc := "cancellation-fee", "Cancellation fee"
	if action == ActionNoShow {
		code, desc = "no-show-fee", "No-show fee"
	}
	desc = fmt.Sprintf("%s, booking %s (%s to %s)", desc, r.Reference, r.CheckIn, r.CheckOut)
	if FeeVATPercent == "" {
		return []InvoiceLine{{Code: code, Description: desc + ", outside the scope of VAT", Quantity: 1,
			UnitCents: cents, AmountCents: cents}}
	}
	tax := includedVAT(cents, FeeVATPercent)
	return []InvoiceLine{
		{Code: code, Description: desc, Quantity: 1, UnitCents: cents, AmountCents: cents},
		{Code: "vat", Description: fmt.Sprintf("VAT %s%% (included)", FeeVATPercent), Quantity: 1,
			AmountCents: tax, VAT: true, Percent: FeeVATPercent, BaseCents: cents - tax, Included: true},
	}
}

// includedVAT is the VAT inside gross cents at pct percent, rounded
// half up (away from zero) to the minor unit: gross × p / (100 + p).
func includedVAT(gross int64, pct string) int64 {
	num, scale, err := decimal.Parse(pct)
	if err != nil {
		panic(fmt.Sprintf("booking: FeeVATPercent %q: %v", pct, err))
	}
	p := decimal.Rat(num, scale)
	x := new(big.Rat).Mul(new(big.Rat).SetInt64(gross), p)
	x.Quo(x, new(big.Rat).Add(big.NewRat(100, 1), p))
	tax, err := decimal.Round(x)
	if err != nil {
		panic(fmt.Sprintf("booking: VAT of %d at %s%%: %v", gross, pct, err))
	}
	return tax
}

// document is an empty document of r.
func document(r Reservation, kind, purpose string, at time.Time) Invoice {
	currency := r.Price.Currency
	if currency == "" {
		currency = r.Currency
	}
	return Invoice{HotelID: r.HotelID, Kind: kind, Purpose: purpose, Reference: r.Reference,
		ReservationID: r.ID, IssuedAt: at, Currency: currency,
		Buyer: Buyer{Name: r.Guest.Name, Email: r.Guest.Email}, Lines: []InvoiceLine{}, VAT: []VATRate{},
		Payments: []Payment{}}
}

// total sums the lines into the totals and the VAT breakdown, one row
// per rate in the order the rates first appear.
func (inv *Invoice) total() {
	inv.TotalCents, inv.VATCents = 0, 0
	inv.VAT = []VATRate{}
	at := map[string]int{}
	for _, l := range inv.Lines {
		if !l.Included {
			inv.TotalCents += l.AmountCents
		}
		if !l.VAT {
			continue
		}
		inv.VATCents += l.AmountCents
		i, ok := at[l.Percent]
		if !ok {
			i = len(inv.VAT)
			at[l.Percent] = i
			inv.VAT = append(inv.VAT, VATRate{Percent: l.Percent})
		}
		v := &inv.VAT[i]
		v.NetCents += l.BaseCents
		v.TaxCents += l.AmountCents
		v.GrossCents = v.NetCents + v.TaxCents
	}
	inv.NetCents = inv.TotalCents - inv.VATCents
}

// Issued is what a reservation's documents say of it: its open prepaid
// invoice (nil when none, or when a credit note corrected it).
func Issued(docs []Invoice) *Invoice {
	credited := map[int64]bool{}
	for _, d := range docs {
		if d.RefersTo != nil {
			credited[*d.RefersTo] = true
		}
	}
	for i := range docs {
		if d := docs[i]; d.Kind == KindInvoice && d.Purpose == PurposePrepaid && !credited[d.ID] {
			return &docs[i]
		}
	}
	return nil
}

// Prepaid reports whether a booking is paid when booked: until payments
// exist, one under a non-refundable rate plan.
func (r Reservation) Prepaid() bool { return !r.Refundable }

// InvoicesDue is the rule of which documents a change of a reservation
// issues (see the top of this file): before and after are the
// reservation either side of the change (before is zero for a new
// booking), method how a check-out was paid, and docs those issued for
// it so far. It never issues a document twice for one cause: a
// reservation's statuses only move forward.
func InvoicesDue(before, after Reservation, method string, at time.Time, docs []Invoice) []Invoice {
	if before.Status == after.Status {
		return nil
	}
	prepaid := Issued(docs)
	switch after.Status {
	case StatusConfirmed:
		if after.Prepaid() && prepaid == nil {
			return []Invoice{StayInvoice(after, PurposePrepaid, PaidPrepaid, at)}
		}
	case StatusCheckedOut:
		if method == "" {
			method = PaidUnspecified
		}
		// An early check-out ends the stay that day, but the booked
		// total stands (CheckOut): the invoice names the stay booked.
		booked := after
		if before.CheckOut.After(after.CheckOut) {
			booked.CheckOut = before.CheckOut
		}
		if prepaid == nil {
			return []Invoice{StayInvoice(booked, PurposeStay, method, at)}
		}
		if inv := StayInvoice(booked, PurposeAtHotel, method, at); len(inv.Lines) > 0 {
			return []Invoice{inv}
		}
	case StatusCancelled, StatusNoShow:
		action, fee := ActionCancel, after.CancellationFeeCents
		if after.Status == StatusNoShow {
			action, fee = ActionNoShow, after.NoShowFeeCents
		}
		var cents int64
		if fee != nil {
			cents = *fee
		}
		if prepaid != nil {
			return []Invoice{CreditNote(after, *prepaid, action, cents, at)}
		}
		if cents > 0 {
			return []Invoice{FeeInvoice(after, action, cents, at)}
		}
	}
	return nil
}

// ReissueDue is the rule of the documents a modification of a
// reservation (before → after, at at) issues, given docs, those issued
// for it so far: nothing unless it is, or was, a prepaid booking whose
// invoice no longer matches it.
func ReissueDue(before, after Reservation, at time.Time, docs []Invoice) []Invoice {
	if after.Status != StatusConfirmed {
		return nil
	}
	open := Issued(docs)
	var fresh *Invoice
	if after.Prepaid() {
		inv := StayInvoice(after, PurposePrepaid, PaidPrepaid, at)
		fresh = &inv
	}
	switch {
	case open == nil && fresh == nil:
		return nil
	case open == nil:
		return []Invoice{*fresh}
	case fresh != nil && sameCharges(*open, *fresh):
		return nil
	}
	out := []Invoice{CreditNote(after, *open, ActionModify, 0, at)}
	if fresh != nil {
		out = append(out, *fresh)
	}
	return out
}

// sameCharges reports whether two invoices charge the same lines.
func sameCharges(a, b Invoice) bool {
	if a.TotalCents != b.TotalCents || len(a.Lines) != len(b.Lines) {
		return false
	}
	for i := range a.Lines {
		if a.Lines[i] != b.Lines[i] {
			return false
		}
	}
	return true
}

// InvoiceYear is the year of an instant at the hotel: the year whose
// series numbers a document issued then.
func InvoiceYear(timezone string, at time.Time) int { return at.In(Location(timezone)).Year() }

// ValidInvoicePrefix reports whether s can prefix a hotel's invoice
// numbers: 1 to 10 uppercase letters and digits.
func ValidInvoicePrefix(s string) bool {
	return len(s) >= 1 && len(s) <= 10 && strings.Trim(s, upperDigits) == ""
}
