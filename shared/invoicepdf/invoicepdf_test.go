package invoicepdf

import (
	"bytes"
	"cmp"
	"maps"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ledongthuc/pdf"

	"innkeeper/shared/booking"
)

// rows extracts the text of a PDF as it reads on the page: row by row
// from the top, left to right, with " | " where a gap parts two cells.
func rows(t *testing.T, b []byte) []string {
	t.Helper()
	r, err := pdf.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := 1; i <= r.NumPage(); i++ {
		byY := map[float64][]pdf.Text{}
		for _, g := range r.Page(i).Content().Text {
			y := math.Round(g.Y*10) / 10
			byY[y] = append(byY[y], g)
		}
		ys := slices.Collect(maps.Keys(byY))
		slices.Sort(ys)
		slices.Reverse(ys)
		for _, y := range ys {
			gs := byY[y]
			slices.SortStableFunc(gs, func(a, b pdf.Text) int { return cmp.Compare(a.X, b.X) })
			var sb strings.Builder
			for j, g := range gs {
				if j > 0 && g.X-(gs[j-1].X+gs[j-1].W) > 3 {
					sb.WriteString(" | ")
				}
				sb.WriteString(g.S)
			}
			out = append(out, sb.String())
		}
	}
	return out
}

// stay is the invoice of three nights at 100.00 in Lisbon, VAT 6%
// included (28302 net, 1698 VAT), with the tourist tax of 12.00 paid at
// the hotel: 312.00 in all, paid by card.
func stay() booking.Invoice {
	at := time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC)
	return booking.Invoice{Number: "LR-2026-000007", Kind: booking.KindInvoice, Purpose: booking.PurposeStay,
		Reference: "INK-7K3Q9P", IssuedAt: at, Currency: "EUR",
		Seller: booking.Seller{Name: "Riverside Hotéis, S.A.", Address: "Av. Infante D. Henrique 1, 1100-278 Lisboa", TaxID: "PT500000000", Country: "PT"},
		Buyer:  booking.Buyer{Name: "João Ferreira", Email: "joao@example.com"},
		Lines: []booking.InvoiceLine{
			{Code: "rooms", Description: "Room DBL, rate DBL-FLEX, 2026-12-02 to 2026-12-05 (3 night(s) x 1 room(s))", Quantity: 3, UnitCents: 10000, AmountCents: 30000},
			{Code: "vat", Description: "VAT 6% (included)", Quantity: 1, AmountCents: 1698, VAT: true, Percent: "6", BaseCents: 28302, Included: true},
			{Code: "city-tax", Description: "Lisbon tourist tax (paid at the hotel)", Quantity: 6, UnitCents: 200, AmountCents: 1200, PayAtHotel: true},
		},
		VAT:      []booking.VATRate{{Percent: "6", NetCents: 28302, TaxCents: 1698, GrossCents: 30000}},
		NetCents: 29502, VATCents: 1698, TotalCents: 31200,
		Payments: []booking.Payment{{AmountCents: 31200, Method: "card", At: at}}}
}

func TestInvoiceText(t *testing.T) {
	b, err := Render(stay(), "Europe/Lisbon")
	if err != nil {
		t.Fatal(err)
	}
	got := rows(t, b)
	want := []string{
		"Invoice LR-2026-000007",
		"Date: 2026-12-05",
		"Riverside Hotéis, S.A.",
		"Av. Infante D. Henrique 1, 1100-278 Lisboa",
		"Tax ID: PT500000000",
		"Bill to",
		"João Ferreira",
		"joao@example.com",
		"Reservation: INK-7K3Q9P",
		"Description | Qty | Unit price | Amount",
		"Room DBL, rate DBL-FLEX, 2026-12-02 to 2026-12-05 (3 night(s) x 1 | 3 | EUR 100.00 | EUR 300.00",
		"room(s))",
		"VAT 6% (included) | 1 | EUR 16.98",
		"Lisbon tourist tax (paid at the hotel) | 6 | EUR 2.00 | EUR 12.00",
		"VAT rate | Net / VAT | Gross",
		"VAT 6% | EUR 283.02 / EUR 16.98 | EUR 300.00",
		"Net | EUR 295.02",
		"VAT | EUR 16.98",
		"Total | EUR 312.00",
		"Paid EUR 312.00 by card on 2026-12-05",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("text\n%q\nwant\n%q", got, want)
	}
	again, _ := Render(stay(), "Europe/Lisbon")
	if !bytes.Equal(b, again) {
		t.Fatal("the same invoice rendered to different bytes")
	}
}

func TestCreditNoteText(t *testing.T) {
	inv := stay()
	inv.Kind, inv.Number, inv.RefersToNumber = booking.KindCreditNote, "LR-CN-2026-000001", "LR-2026-000007"
	inv.Lines = []booking.InvoiceLine{
		{Code: "rooms", Description: "Reversal: Room DBL", Quantity: 3, AmountCents: -30000},
		{Code: "cancellation-fee", Description: "Cancellation fee, booking INK-7K3Q9P, outside the scope of VAT", Quantity: 1, UnitCents: 7500, AmountCents: 7500},
	}
	inv.VAT = nil
	inv.NetCents, inv.VATCents, inv.TotalCents = -22500, 0, -22500
	inv.Payments = []booking.Payment{{AmountCents: -22500, Method: "refund", At: inv.IssuedAt}}
	b, err := Render(inv, "Europe/Lisbon")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(rows(t, b), "\n")
	for _, want := range []string{"Credit note LR-CN-2026-000001", "Credit note for invoice LR-2026-000007",
		"Reversal: Room DBL | 3 | EUR -300.00", "outside the scope of VAT | 1 | EUR 75.00 | EUR 75.00", "No VAT charged",
		"Total | EUR -225.00", "Refunded EUR -225.00 by refund on 2026-12-05"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in\n%s", want, text)
		}
	}
}

func TestMoney(t *testing.T) {
	for _, tt := range []struct {
		minor int64
		code  string
		want  string
	}{
		{123450, "EUR", "EUR 1,234.50"}, {5, "EUR", "EUR 0.05"}, {-22500, "EUR", "EUR -225.00"},
		{57800, "JPY", "JPY 57,800"}, {1500, "KWD", "KWD 1.500"}, {100000000, "USD", "USD 1,000,000.00"},
	} {
		if got := Money(tt.minor, tt.code); got != tt.want {
			t.Errorf("Money(%d, %s) = %q, want %q", tt.minor, tt.code, got, tt.want)
		}
	}
}
