// Package invoicepdf renders an invoice or credit note (booking.Invoice)
// as a PDF, with fpdf's core fonts: no font files and no browser, so it
// runs in a Lambda as anywhere. Text goes through the cp1252 translator,
// which covers the accents of European names and the euro sign.
//
// The output depends only on the document: its dates are the issue
// instant, so the same invoice renders to the same bytes.
package invoicepdf

import (
	"bytes"
	"fmt"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/text/currency"

	"innkeeper/shared/booking"
)

// Page layout, in millimetres: A4 with 10 mm margins, and the columns of
// the lines.
const (
	lineHeight = 5.0
	colDesc    = 112.0
	colQty     = 14.0
	colUnit    = 30.0
	colAmount  = 34.0
)

// Render is inv as a PDF; timezone is the hotel's, whose calendar dates
// the document.
func Render(inv booking.Invoice, timezone string) ([]byte, error) {
	pdf := fpdf.New("P", "mm", "A4", "")
	at := inv.IssuedAt.In(booking.Location(timezone))
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetCatalogSort(true)
	pdf.SetProducer("Innkeeper", false)
	pdf.SetTitle(Title(inv), true)
	pdf.SetAuthor(inv.Seller.Name, true)
	pdf.SetMargins(10, 10, 10)
	pdf.SetAutoPageBreak(true, 15)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.AddPage()

	text := func(style string, size float64, s string) {
		pdf.SetFont("Helvetica", style, size)
		pdf.MultiCell(0, lineHeight+float64(size-9)/3, tr(s), "", "L", false)
	}
	text("B", 16, Title(inv))
	text("", 9, "Date: "+at.Format("2006-01-02"))
	if inv.Kind == booking.KindCreditNote {
		text("B", 9, "Credit note for invoice "+inv.RefersToNumber)
	}
	pdf.Ln(3)
	text("B", 10, inv.Seller.Name)
	for _, l := range strings.Split(inv.Seller.Address, "\n") {
		if l != "" {
			text("", 9, l)
		}
	}
	if inv.Seller.TaxID != "" {
		text("", 9, "Tax ID: "+inv.Seller.TaxID)
	}
	pdf.Ln(3)
	text("B", 10, "Bill to")
	text("", 9, inv.Buyer.Name)
	text("", 9, inv.Buyer.Email)
	text("", 9, "Reservation: "+inv.Reference)
	pdf.Ln(4)

	row := func(style, desc, qty, unit, amount string) {
		pdf.SetFont("Helvetica", style, 9)
		x, y := pdf.GetXY()
		pdf.MultiCell(colDesc, lineHeight, tr(desc), "", "L", false)
		end := pdf.GetY()
		pdf.SetXY(x+colDesc, y)
		pdf.CellFormat(colQty, lineHeight, qty, "", 0, "R", false, 0, "")
		pdf.CellFormat(colUnit, lineHeight, unit, "", 0, "R", false, 0, "")
		pdf.CellFormat(colAmount, lineHeight, amount, "", 0, "R", false, 0, "")
		pdf.SetXY(x, end)
	}
	row("B", "Description", "Qty", "Unit price", "Amount")
	for _, l := range inv.Lines {
		unit := ""
		if l.UnitCents != 0 {
			unit = Money(l.UnitCents, inv.Currency)
		}
		row("", l.Description, fmt.Sprint(l.Quantity), unit, Money(l.AmountCents, inv.Currency))
	}
	pdf.Ln(4)

	if len(inv.VAT) > 0 {
		row("B", "VAT rate", "", "Net / VAT", "Gross")
		for _, v := range inv.VAT {
			row("", "VAT "+v.Percent+"%", "", Money(v.NetCents, inv.Currency)+" / "+Money(v.TaxCents, inv.Currency),
				Money(v.GrossCents, inv.Currency))
		}
	} else {
		row("", "No VAT charged", "", "", "")
	}
	pdf.Ln(4)
	row("", "Net", "", "", Money(inv.NetCents, inv.Currency))
	row("", "VAT", "", "", Money(inv.VATCents, inv.Currency))
	row("B", "Total", "", "", Money(inv.TotalCents, inv.Currency))
	pdf.Ln(4)
	if len(inv.Payments) == 0 {
		text("", 9, "Nothing recorded as paid: due under the booking's terms.")
	}
	for _, p := range inv.Payments {
		verb := "Paid"
		if p.AmountCents < 0 {
			verb = "Refunded"
		}
		text("", 9, fmt.Sprintf("%s %s by %s on %s", verb, Money(p.AmountCents, inv.Currency),
			strings.ReplaceAll(p.Method, "_", " "), p.At.In(booking.Location(timezone)).Format("2006-01-02")))
	}

	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("invoicepdf: render %s: %w", inv.Number, err)
	}
	return buf.Bytes(), nil
}

// Title names the document: "Invoice LR-2026-000001".
func Title(inv booking.Invoice) string {
	if inv.Kind == booking.KindCreditNote {
		return "Credit note " + inv.Number
	}
	return "Invoice " + inv.Number
}

// Money formats minor units in the currency's code and its minor unit,
// in integers: "EUR 1,234.50", "JPY 57,800", "EUR -225.00".
func Money(minor int64, code string) string {
	scale := 2
	if unit, err := currency.ParseISO(code); err == nil {
		scale, _ = currency.Standard.Rounding(unit)
	}
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	div := int64(1)
	for range scale {
		div *= 10
	}
	whole, frac := minor/div, minor%div
	s := fmt.Sprint(whole)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if scale > 0 {
		s += fmt.Sprintf(".%0*d", scale, frac)
	}
	return code + " " + sign + s
}
