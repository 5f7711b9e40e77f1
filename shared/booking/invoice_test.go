package booking

import (
	"reflect"
	"testing"
	"time"
)

var issuedAt = time.Date(2026, 12, 5, 11, 0, 0, 0, time.UTC)

// lisbonStay is three nights for two adults and a child at 100.00 a
// night, VAT 6% included, and the tourist tax of 2.00 a night for each
// guest of 13 or more (the child is exempt), paid at the hotel:
//
//	rooms        30000, of which net 30000 / 1.06 = 28301.89 → 28302, VAT 1698
//	tourist tax  2 guests × 3 nights × 200 = 1200, paid at the hotel
//	total 30000, at the hotel 1200, grand total 31200
func lisbonStay(refundable bool) Reservation {
	return Reservation{ID: 11, Reference: "INK-AAAAAA", Status: StatusConfirmed, HotelID: 3, RoomTypeCode: "DBL", RatePlanCode: "DBL-NR",
		Stay:  Stay{CheckIn: MustDate("2026-12-02"), CheckOut: MustDate("2026-12-05"), Adults: 2, Children: 1, ChildrenAges: []int{7}, Rooms: 1},
		Guest: Guest{Name: "Ana Sousa", Email: "ana@example.com"}, TotalCents: 30000, Currency: "EUR", Refundable: refundable,
		Price: Price{Currency: "EUR", RoomCents: 30000, TotalCents: 30000, PayAtHotelCents: 1200, GrandTotalCents: 31200,
			Lines: []PriceLine{
				{Code: "vat", Name: "VAT", Kind: TaxPercent, VAT: true, Included: true, Percent: "6", BaseCents: 28302, AmountCents: 1698, Rounding: "half-up"},
				{Code: "city-tax", Name: "Lisbon tourist tax", Kind: TaxPerPersonNight, PayAtHotel: true, UnitCents: 200, Quantity: 6, AmountCents: 1200},
			}}}
}

// newYorkStay adds its taxes to the room: 200.00 of rooms for two
// nights with 13% added, and a cleaning fee of 50.00 per stay bearing
// 23% VAT added:
//
//	rooms 20000 + VAT 13% 2600 + fee 5000 + VAT 23% 1150 = 28750
func newYorkStay() Reservation {
	r := lisbonStay(true)
	r.Stay = Stay{CheckIn: MustDate("2026-12-02"), CheckOut: MustDate("2026-12-04"), Adults: 2, Rooms: 1}
	r.Price = Price{Currency: "EUR", RoomCents: 20000, TotalCents: 28750, GrandTotalCents: 28750, Lines: []PriceLine{
		{Code: "vat-13", Name: "VAT", Kind: TaxPercent, VAT: true, Percent: "13", BaseCents: 20000, AmountCents: 2600},
		{Code: "cleaning", Name: "Cleaning fee", Kind: TaxPerStay, UnitCents: 5000, Quantity: 1, AmountCents: 5000},
		{Code: "vat-23", Name: "VAT on cleaning", Kind: TaxPercent, VAT: true, Percent: "23", BaseCents: 5000, AmountCents: 1150},
	}}
	return r
}

func TestStayInvoiceWithVATIncludedAndTheTouristTaxPaidAtTheHotel(t *testing.T) {
	inv := StayInvoice(lisbonStay(true), PurposeStay, "card", issuedAt)
	want := []InvoiceLine{
		{Code: "rooms", Description: "Room DBL, rate DBL-NR, 2026-12-02 to 2026-12-05 (3 night(s) x 1 room(s))", Quantity: 3, UnitCents: 10000, AmountCents: 30000},
		{Code: "vat", Description: "VAT 6% (included)", Quantity: 1, AmountCents: 1698, VAT: true, Percent: "6", BaseCents: 28302, Included: true},
		{Code: "city-tax", Description: "Lisbon tourist tax (paid at the hotel)", Quantity: 6, UnitCents: 200, AmountCents: 1200, PayAtHotel: true},
	}
	if !reflect.DeepEqual(inv.Lines, want) {
		t.Fatalf("lines\n%+v\nwant\n%+v", inv.Lines, want)
	}
	if inv.TotalCents != 31200 || inv.VATCents != 1698 || inv.NetCents != 29502 {
		t.Fatalf("total %d vat %d net %d, want 31200 1698 29502", inv.TotalCents, inv.VATCents, inv.NetCents)
	}
	if want := []VATRate{{Percent: "6", NetCents: 28302, TaxCents: 1698, GrossCents: 30000}}; !reflect.DeepEqual(inv.VAT, want) {
		t.Fatalf("vat %+v, want %+v", inv.VAT, want)
	}
	if want := []Payment{{AmountCents: 31200, Method: "card", At: issuedAt}}; !reflect.DeepEqual(inv.Payments, want) {
		t.Fatalf("payments %+v, want %+v", inv.Payments, want)
	}
	if inv.Kind != KindInvoice || inv.Buyer != (Buyer{"Ana Sousa", "ana@example.com"}) || inv.Currency != "EUR" || inv.ReservationID != 11 {
		t.Fatalf("document %+v", inv)
	}
}

func TestPrepaidInvoiceLeavesWhatIsPaidAtTheHotelToTheCheckOut(t *testing.T) {
	r := lisbonStay(false)
	pre := StayInvoice(r, PurposePrepaid, PaidPrepaid, issuedAt)
	if len(pre.Lines) != 2 || pre.TotalCents != 30000 || pre.VATCents != 1698 || pre.PaidCents() != 30000 || pre.Payments[0].Method != "prepaid" {
		t.Fatalf("prepaid invoice %+v", pre)
	}
	at := StayInvoice(r, PurposeAtHotel, "cash", issuedAt)
	if len(at.Lines) != 1 || at.Lines[0].Code != "city-tax" || at.TotalCents != 1200 || at.VATCents != 0 || len(at.VAT) != 0 ||
		at.PaidCents() != 1200 || at.Payments[0].Method != "cash" {
		t.Fatalf("at-hotel invoice %+v", at)
	}
}

func TestVATAddedAtTwoRates(t *testing.T) {
	inv := StayInvoice(newYorkStay(), PurposeStay, "card", issuedAt)
	if inv.TotalCents != 28750 || inv.VATCents != 3750 || inv.NetCents != 25000 {
		t.Fatalf("total %d vat %d net %d, want 28750 3750 25000", inv.TotalCents, inv.VATCents, inv.NetCents)
	}
	want := []VATRate{{Percent: "13", NetCents: 20000, TaxCents: 2600, GrossCents: 22600}, {Percent: "23", NetCents: 5000, TaxCents: 1150, GrossCents: 6150}}
	if !reflect.DeepEqual(inv.VAT, want) {
		t.Fatalf("vat %+v, want %+v", inv.VAT, want)
	}
	// Two rooms of different nightly prices have no one unit price.
	r := newYorkStay()
	r.Price.RoomCents = 20001
	if l := StayInvoice(r, PurposeStay, "card", issuedAt).Lines[0]; l.UnitCents != 0 || l.Quantity != 2 {
		t.Fatalf("rooms line %+v", l)
	}
}

// A prepaid booking cancelled with a fee of 25%: its invoice reversed
// (rooms −30000, VAT −1698 on −28302), the fee of 7500 kept outside the
// scope of VAT: the credit note totals −22500, the refund.
func TestCreditNoteReversesTheInvoiceAndKeepsTheFee(t *testing.T) {
	r := lisbonStay(false)
	pre := StayInvoice(r, PurposePrepaid, PaidPrepaid, issuedAt)
	pre.ID, pre.Number = 7, "LR-2026-000001"
	r.Status = StatusCancelled
	cn := CreditNote(r, pre, ActionCancel, 7500, issuedAt.Add(time.Hour))
	if cn.Kind != KindCreditNote || cn.RefersTo == nil || *cn.RefersTo != 7 || cn.RefersToNumber != "LR-2026-000001" {
		t.Fatalf("credit note refers to %v %q", cn.RefersTo, cn.RefersToNumber)
	}
	amounts := []int64{}
	for _, l := range cn.Lines {
		amounts = append(amounts, l.AmountCents)
	}
	if !reflect.DeepEqual(amounts, []int64{-30000, -1698, 7500}) || cn.Lines[2].Code != "cancellation-fee" {
		t.Fatalf("lines %+v", cn.Lines)
	}
	if cn.TotalCents != -22500 || cn.VATCents != -1698 || cn.NetCents != -20802 {
		t.Fatalf("total %d vat %d net %d, want -22500 -1698 -20802", cn.TotalCents, cn.VATCents, cn.NetCents)
	}
	if want := []VATRate{{Percent: "6", NetCents: -28302, TaxCents: -1698, GrossCents: -30000}}; !reflect.DeepEqual(cn.VAT, want) {
		t.Fatalf("vat %+v, want %+v", cn.VAT, want)
	}
	if want := []Payment{{AmountCents: -22500, Method: "refund", At: issuedAt.Add(time.Hour)}}; !reflect.DeepEqual(cn.Payments, want) {
		t.Fatalf("payments %+v", cn.Payments)
	}
}

// With FeeVATPercent set, a fee of 123.00 carries VAT 23% included:
// 12300 × 23 / 123 = 2300 on a net 10000.
func TestFeeBearingVATWhenConfigured(t *testing.T) {
	defer func(p string) { FeeVATPercent = p }(FeeVATPercent)
	FeeVATPercent = "23"
	inv := FeeInvoice(lisbonStay(true), ActionNoShow, 12300, issuedAt)
	if inv.TotalCents != 12300 || inv.VATCents != 2300 || inv.NetCents != 10000 || inv.Lines[0].Code != "no-show-fee" {
		t.Fatalf("fee invoice %+v", inv)
	}
	if want := []VATRate{{Percent: "23", NetCents: 10000, TaxCents: 2300, GrossCents: 12300}}; !reflect.DeepEqual(inv.VAT, want) {
		t.Fatalf("vat %+v", inv.VAT)
	}
	FeeVATPercent = ""
	inv = FeeInvoice(lisbonStay(true), ActionNoShow, 12300, issuedAt)
	if inv.TotalCents != 12300 || inv.VATCents != 0 || len(inv.Lines) != 1 || len(inv.Payments) != 0 {
		t.Fatalf("fee invoice outside VAT %+v", inv)
	}
}

func TestInvoicesDue(t *testing.T) {
	fee := func(c int64) *int64 { return &c }
	with := func(r Reservation, s Status) Reservation { r.Status = s; return r }
	nr, flex := lisbonStay(false), lisbonStay(true)
	pre := StayInvoice(nr, PurposePrepaid, PaidPrepaid, issuedAt)
	pre.ID = 5
	cancelled := with(flex, StatusCancelled)
	cancelled.CancellationFeeCents = fee(7500)
	nrCancelled := with(nr, StatusCancelled)
	nrCancelled.CancellationFeeCents = fee(30000)
	freeCancel := with(flex, StatusCancelled)
	freeCancel.CancellationFeeCents = fee(0)
	noShow := with(flex, StatusNoShow)
	noShow.NoShowFeeCents = fee(7500)
	noTax := with(lisbonStay(false), StatusCheckedOut)
	noTax.Price.Lines = noTax.Price.Lines[:1]
	credit := CreditNote(nr, pre, ActionCancel, 0, issuedAt)
	for _, tt := range []struct {
		name          string
		before, after Reservation
		docs          []Invoice
		want          []string // kind/purpose of each document
	}{
		{"a prepaid booking confirmed", Reservation{}, nr, nil, []string{"invoice/prepaid"}},
		{"a prepaid hold confirmed", with(nr, StatusHeld), nr, nil, []string{"invoice/prepaid"}},
		{"a flexible booking confirmed", Reservation{}, flex, nil, nil},
		{"a hold", Reservation{}, with(nr, StatusHeld), nil, nil},
		{"a check-in", nr, with(nr, StatusCheckedIn), []Invoice{pre}, nil},
		{"a flexible stay checked out", with(flex, StatusCheckedIn), with(flex, StatusCheckedOut), nil, []string{"invoice/stay"}},
		{"a prepaid stay checked out", with(nr, StatusCheckedIn), with(nr, StatusCheckedOut), []Invoice{pre}, []string{"invoice/at_hotel"}},
		{"a prepaid stay with nothing at the hotel", with(nr, StatusCheckedIn), noTax, []Invoice{pre}, nil},
		{"a prepaid stay credited, checked out", with(nr, StatusCheckedIn), with(nr, StatusCheckedOut), []Invoice{pre, credit}, []string{"invoice/stay"}},
		{"a flexible booking cancelled with a fee", flex, cancelled, nil, []string{"invoice/fee"}},
		{"a flexible booking cancelled free", flex, freeCancel, nil, nil},
		{"a flexible no-show", flex, noShow, nil, []string{"invoice/fee"}},
		{"a prepaid booking cancelled", nr, nrCancelled, []Invoice{pre}, []string{"credit_note/cancellation"}},
		{"a hold cancelled", with(nr, StatusHeld), with(nr, StatusCancelled), nil, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range InvoicesDue(tt.before, tt.after, "", issuedAt, tt.docs) {
				got = append(got, d.Kind+"/"+d.Purpose)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("issued %v, want %v", got, tt.want)
			}
		})
	}
}

// Leaving after the first of three nights: the booked total stands, and
// the invoice names the three nights booked at 100.00, not one at 300.00.
func TestEarlyCheckOutIsInvoicedAsBooked(t *testing.T) {
	in := lisbonStay(true)
	in.Status = StatusCheckedIn
	out := in
	out.Status, out.CheckOut = StatusCheckedOut, MustDate("2026-12-03")
	docs := InvoicesDue(in, out, "card", issuedAt, nil)
	if len(docs) != 1 {
		t.Fatalf("documents %+v", docs)
	}
	rooms := docs[0].Lines[0]
	if rooms.Quantity != 3 || rooms.UnitCents != 10000 || rooms.AmountCents != 30000 || docs[0].TotalCents != 31200 ||
		rooms.Description != "Room DBL, rate DBL-NR, 2026-12-02 to 2026-12-05 (3 night(s) x 1 room(s))" {
		t.Fatalf("rooms line %+v, total %d", rooms, docs[0].TotalCents)
	}
}

func TestInvoiceNumbers(t *testing.T) {
	for _, tt := range []struct {
		prefix, kind string
		year, seq    int
		want         string
	}{
		{"LR", KindInvoice, 2026, 1, "LR-2026-000001"},
		{"LRS", KindCreditNote, 2027, 42, "LRS-CN-2027-000042"},
	} {
		if got := InvoiceNumber(tt.prefix, tt.kind, tt.year, tt.seq); got != tt.want || !ValidInvoiceNumber(got) {
			t.Errorf("InvoiceNumber(%q, %q, %d, %d) = %q, want %q", tt.prefix, tt.kind, tt.year, tt.seq, got, tt.want)
		}
	}
	for _, bad := range []string{"", "lr-2026-000001", "LR-2026-00000'1", "LR"} {
		if ValidInvoiceNumber(bad) {
			t.Errorf("ValidInvoiceNumber(%q)", bad)
		}
	}
	// The year is the hotel's: 23:30 UTC on New Year's Eve is 2027 in
	// Auckland.
	at := time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC)
	if InvoiceYear("Europe/Lisbon", at) != 2026 || InvoiceYear("Pacific/Auckland", at) != 2027 {
		t.Fatal("InvoiceYear")
	}
}

func TestReissueDue(t *testing.T) {
	nr := lisbonStay(false)
	pre := StayInvoice(nr, PurposePrepaid, PaidPrepaid, issuedAt)
	pre.ID, pre.Number = 9, "LR-2026-000003"
	kinds := func(docs []Invoice) (out []string) {
		for _, d := range docs {
			out = append(out, d.Kind+"/"+d.Purpose)
		}
		return out
	}
	// The guest count changed, the price did not: the invoice stands.
	same := nr
	same.Adults = 1
	if got := ReissueDue(nr, same, issuedAt, []Invoice{pre}); len(got) != 0 {
		t.Fatalf("an unchanged price reissued %v", kinds(got))
	}
	// A fourth night at 100.00: credited in full, invoiced at 400.00.
	longer := nr
	longer.CheckOut = MustDate("2026-12-06")
	longer.Price.RoomCents, longer.Price.TotalCents, longer.Price.GrandTotalCents = 40000, 40000, 41200
	longer.Price.Lines = []PriceLine{{Code: "vat", Name: "VAT", Kind: TaxPercent, VAT: true, Included: true, Percent: "6", BaseCents: 37736, AmountCents: 2264}}
	got := ReissueDue(nr, longer, issuedAt, []Invoice{pre})
	if !reflect.DeepEqual(kinds(got), []string{"credit_note/modification", "invoice/prepaid"}) ||
		got[0].TotalCents != -30000 || got[0].VATCents != -1698 || *got[0].RefersTo != 9 || got[0].RefersToNumber != "LR-2026-000003" ||
		got[1].TotalCents != 40000 || got[1].VATCents != 2264 {
		t.Fatalf("documents %v: %+v", kinds(got), got)
	}
	// Moved to a flexible plan: credited, and invoiced at check-out.
	flex := longer
	flex.Refundable = true
	if got := ReissueDue(nr, flex, issuedAt, []Invoice{pre}); !reflect.DeepEqual(kinds(got), []string{"credit_note/modification"}) {
		t.Fatalf("to a flexible plan: %v", kinds(got))
	}
	// A flexible booking moved to a prepaid plan is invoiced.
	if got := ReissueDue(flex, longer, issuedAt, nil); !reflect.DeepEqual(kinds(got), []string{"invoice/prepaid"}) {
		t.Fatalf("to a prepaid plan: %v", kinds(got))
	}
	// A hold is never invoiced.
	held := longer
	held.Status = StatusHeld
	if got := ReissueDue(held, held, issuedAt, nil); len(got) != 0 {
		t.Fatalf("a hold: %v", kinds(got))
	}
}
