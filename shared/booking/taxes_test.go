package booking

import (
	"reflect"
	"testing"
)

// nightsFrom lists one night per amount from first on.
func nightsFrom(first string, amounts ...int64) []NightPrice {
	d := MustDate(first)
	out := make([]NightPrice, len(amounts))
	for i, a := range amounts {
		out[i] = NightPrice{Date: d.AddDays(i), AmountCents: a}
	}
	return out
}

func taxStay(checkIn string, nights, adults int, ages ...int) Stay {
	in := MustDate(checkIn)
	return Stay{CheckIn: in, CheckOut: in.AddDays(nights), Adults: adults, Children: len(ages), ChildrenAges: ages, Rooms: 1}
}

var (
	lisbonVAT = Tax{Code: "vat", Name: "IVA 6%", Kind: TaxPercent, VAT: true, Percent: "6", Included: true}
	// Lisbon's tourist tax: €4 per guest per night, guests 13 and over,
	// at most 7 nights, paid at the hotel.
	lisbonCityTax = Tax{Code: "city-tax", Name: "Taxa turística", Kind: TaxPerPersonNight, AmountCents: 400,
		PayAtHotel: true, ExemptUnderAge: 13, MaxNights: 7}
)

func mustPrice(t *testing.T, currency string, taxes []Tax, stay Stay, nights []NightPrice) Price {
	t.Helper()
	p, err := PriceStay(currency, taxes, stay, nights)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func checkTotals(t *testing.T, p Price, room, total, atHotel int64) {
	t.Helper()
	if p.RoomCents != room || p.TotalCents != total || p.PayAtHotelCents != atHotel || p.GrandTotalCents != total+atHotel {
		t.Fatalf("room %d total %d at hotel %d grand %d; want %d, %d, %d, %d",
			p.RoomCents, p.TotalCents, p.PayAtHotelCents, p.GrandTotalCents, room, total, atHotel, total+atHotel)
	}
}

func TestVATIncludedAndAdded(t *testing.T) {
	stay := taxStay("2027-05-10", 3, 2)
	nights := nightsFrom("2027-05-10", 12345, 13000, 12345) // 37690 in all

	// Included: net = 37690 × 100 / 106 = 35556.60… → 35557 (half up);
	// the VAT is what is left of the gross, 37690 − 35557 = 2133, and the
	// guest pays the room price as it is.
	in := mustPrice(t, "EUR", []Tax{lisbonVAT}, stay, nights)
	checkTotals(t, in, 37690, 37690, 0)
	want := PriceLine{Code: "vat", Name: "IVA 6%", Kind: TaxPercent, VAT: true, Included: true, Percent: "6",
		BaseCents: 35557, AmountCents: 2133, Rounding: RoundNetHalfUp}
	if len(in.Lines) != 1 || !reflect.DeepEqual(in.Lines[0], want) {
		t.Fatalf("included line %+v, want %+v", in.Lines, want)
	}

	// Added: 37690 × 6 / 100 = 2261.4 → 2261 on top: 39951.
	added := lisbonVAT
	added.Included = false
	out := mustPrice(t, "EUR", []Tax{added}, stay, nights)
	checkTotals(t, out, 37690, 39951, 0)
	if l := out.Lines[0]; l.BaseCents != 37690 || l.AmountCents != 2261 || l.Rounding != RoundHalfUp || l.Included {
		t.Fatalf("added line %+v", l)
	}
}

func TestLisbonTouristTaxWithAChildOverEightNights(t *testing.T) {
	// 2 adults and a child of 9, 8 nights at €100: the child is under 13
	// and exempt, and the tax counts 7 nights at most: 2 × 7 × 400 =
	// 5600, paid at the hotel. The VAT is inside the rooms: net 80000 ×
	// 100 / 106 = 75471.69… → 75472, VAT 80000 − 75472 = 4528.
	stay := taxStay("2027-06-01", 8, 2, 9)
	nights := nightsFrom("2027-06-01", 10000, 10000, 10000, 10000, 10000, 10000, 10000, 10000)
	p := mustPrice(t, "EUR", []Tax{lisbonVAT, lisbonCityTax}, stay, nights)
	checkTotals(t, p, 80000, 80000, 5600)
	if len(p.Lines) != 2 {
		t.Fatalf("lines %+v", p.Lines)
	}
	if l := p.Lines[0]; l.AmountCents != 4528 || l.BaseCents != 75472 {
		t.Fatalf("VAT line %+v, want 4528 on 75472", l)
	}
	want := PriceLine{Code: "city-tax", Name: "Taxa turística", Kind: TaxPerPersonNight, PayAtHotel: true,
		UnitCents: 400, Quantity: 14, AmountCents: 5600, Rounding: RoundExact}
	if !reflect.DeepEqual(p.Lines[1], want) {
		t.Fatalf("city tax %+v, want %+v", p.Lines[1], want)
	}

	// A child of 13 pays: 3 × 7 × 400 = 8400.
	teen := mustPrice(t, "EUR", []Tax{lisbonCityTax}, taxStay("2027-06-01", 8, 2, 13), nights)
	checkTotals(t, teen, 80000, 80000, 8400)

	// A child whose age was not given pays too (no exemption without
	// the age): 3 × 7 × 400 = 8400.
	unknown := taxStay("2027-06-01", 8, 2)
	unknown.Children = 1
	checkTotals(t, mustPrice(t, "EUR", []Tax{lisbonCityTax}, unknown, nights), 80000, 80000, 8400)

	// Under the cap every night counts: 3 nights × 2 adults × 400 = 2400.
	short := mustPrice(t, "EUR", []Tax{lisbonCityTax}, taxStay("2027-06-01", 3, 2, 9), nights[:3])
	checkTotals(t, short, 30000, 30000, 2400)
}

func TestPerRoomNightAndPerStayFees(t *testing.T) {
	// 2 rooms, 3 nights at 10000 a room: the rooms are 6 room-nights,
	// 60000. A 250 fee per room-night is 6 × 250 = 1500; a 3000 cleaning
	// fee per stay is 3000: 60000 + 1500 + 3000 = 64500.
	stay := taxStay("2027-03-01", 3, 3)
	stay.Rooms = 2
	rooms, err := PriceNights(RatePlan{}, nil, stay, nightsFrom("2027-03-01", 10000, 10000, 10000))
	if err != nil {
		t.Fatal(err)
	}
	taxes := []Tax{
		{Code: "resort-fee", Name: "Resort fee", Kind: TaxPerRoomNight, AmountCents: 250},
		{Code: "cleaning", Name: "Cleaning", Kind: TaxPerStay, AmountCents: 3000},
	}
	p := mustPrice(t, "EUR", taxes, stay, rooms)
	checkTotals(t, p, 60000, 64500, 0)
	if p.Lines[0].Quantity != 6 || p.Lines[0].AmountCents != 1500 || p.Lines[1].Quantity != 1 || p.Lines[1].AmountCents != 3000 {
		t.Fatalf("lines %+v", p.Lines)
	}
}

func TestNewYorkTaxesAndFees(t *testing.T) {
	// Illustrative New York figures: sales tax 8.875% and hotel room
	// occupancy tax 5.875%, each on the room amount (not on each other),
	// and fees of 200 and 150 per room-night. Two nights, 21900 + 25432
	// = 47332:
	//   8.875%: 47332 × 8.875 / 100 = 4200.715 → 4201
	//   5.875%: 47332 × 5.875 / 100 = 2780.755 → 2781
	//   200 × 2 = 400, 150 × 2 = 300
	// total 47332 + 4201 + 2781 + 400 + 300 = 55014.
	taxes := []Tax{
		{Code: "sales-tax", Name: "Sales tax", Kind: TaxPercent, Percent: "8.875"},
		{Code: "occupancy-tax", Name: "Hotel room occupancy tax", Kind: TaxPercent, Percent: "5.875"},
		{Code: "unit-fee", Name: "Hotel unit fee", Kind: TaxPerRoomNight, AmountCents: 200},
		{Code: "javits-fee", Name: "Javits Center fee", Kind: TaxPerRoomNight, AmountCents: 150},
	}
	p := mustPrice(t, "USD", taxes, taxStay("2027-07-10", 2, 2), nightsFrom("2027-07-10", 21900, 25432))
	checkTotals(t, p, 47332, 55014, 0)
	for i, want := range []int64{4201, 2781, 400, 300} {
		if p.Lines[i].AmountCents != want {
			t.Errorf("%s: %d, want %d", p.Lines[i].Code, p.Lines[i].AmountCents, want)
		}
	}
}

func TestRoundingPerLine(t *testing.T) {
	stay := taxStay("2027-02-01", 1, 1)
	tests := []struct {
		name              string
		tax               Tax
		gross             int64
		wantBase, wantTax int64
	}{
		// 12345 × 6 / 100 = 740.7 → 741.
		{"added, above half", Tax{Kind: TaxPercent, Percent: "6"}, 12345, 12345, 741},
		// 12325 × 6 / 100 = 739.5 → 740: a half goes up.
		{"added, a half", Tax{Kind: TaxPercent, Percent: "6"}, 12325, 12325, 740},
		// 12324 × 6 / 100 = 739.44 → 739.
		{"added, below", Tax{Kind: TaxPercent, Percent: "6"}, 12324, 12324, 739},
		// 10001 × 100 / 106 = 9434.90… → net 9435, tax 10001 − 9435 = 566.
		{"included", Tax{Kind: TaxPercent, Percent: "6", Included: true}, 10001, 9435, 566},
		// 100 × 100 / 123 = 81.30… → net 81, tax 19.
		{"included 23%", Tax{Kind: TaxPercent, Percent: "23", Included: true}, 100, 81, 19},
		// 1 × 14.75 / 100 = 0.1475 → 0: a cent's tax on a cent rounds away.
		{"a cent", Tax{Kind: TaxPercent, Percent: "14.75"}, 1, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.tax.Code, tt.tax.Name = "t", "T"
			p := mustPrice(t, "EUR", []Tax{tt.tax}, stay, nightsFrom("2027-02-01", tt.gross))
			if l := p.Lines[0]; l.BaseCents != tt.wantBase || l.AmountCents != tt.wantTax {
				t.Fatalf("base %d tax %d, want %d and %d", l.BaseCents, l.AmountCents, tt.wantBase, tt.wantTax)
			}
		})
	}
	// Rounded once on the whole base, not night by night: 3 nights of
	// 12325 at 6% are 36975 × 6 / 100 = 2218.5 → 2219, where night by
	// night it would be 3 × 740 = 2220.
	p := mustPrice(t, "EUR", []Tax{{Code: "t", Name: "T", Kind: TaxPercent, Percent: "6"}},
		taxStay("2027-02-01", 3, 1), nightsFrom("2027-02-01", 12325, 12325, 12325))
	checkTotals(t, p, 36975, 36975+2219, 0)
}

func TestTaxDatesCoverPartOfTheStay(t *testing.T) {
	// Nights of 30 and 31 March and 1 April, at 10000, 11000, 12000.
	// A 10% tax that ends on 31 March (exclusive) covers the first night
	// only: 10000 × 10% = 1000. A 200 per person-night tax from 1 April
	// covers the last: 2 adults × 1 night × 200 = 400, at the hotel. A
	// per-stay fee from 1 April does not apply: check-in is before.
	taxes := []Tax{
		{Code: "old-tax", Name: "Old", Kind: TaxPercent, Percent: "10", ValidTo: MustDate("2027-03-31")},
		{Code: "new-tax", Name: "New", Kind: TaxPerPersonNight, AmountCents: 200, PayAtHotel: true, ValidFrom: MustDate("2027-04-01")},
		{Code: "new-fee", Name: "Fee", Kind: TaxPerStay, AmountCents: 500, ValidFrom: MustDate("2027-04-01")},
	}
	p := mustPrice(t, "EUR", taxes, taxStay("2027-03-30", 3, 2), nightsFrom("2027-03-30", 10000, 11000, 12000))
	checkTotals(t, p, 33000, 34000, 400)
	if len(p.Lines) != 2 || p.Lines[0].BaseCents != 10000 || p.Lines[0].AmountCents != 1000 || p.Lines[1].Quantity != 2 {
		t.Fatalf("lines %+v", p.Lines)
	}
	// A stay wholly outside a tax's dates has no line for it.
	later := mustPrice(t, "EUR", taxes[:1], taxStay("2027-04-05", 1, 2), nightsFrom("2027-04-05", 10000))
	if len(later.Lines) != 0 {
		t.Fatalf("lines %+v, want none", later.Lines)
	}
}

func TestZeroDecimalCurrency(t *testing.T) {
	// Yen have no minor unit: 3 nights at ¥15000, 10% added = 4500, and
	// ¥200 per person-night for 2 guests = 1200: ¥50700.
	taxes := []Tax{
		{Code: "consumption", Name: "Consumption tax", Kind: TaxPercent, VAT: true, Percent: "10"},
		{Code: "accommodation", Name: "Accommodation tax", Kind: TaxPerPersonNight, AmountCents: 200},
	}
	p := mustPrice(t, "JPY", taxes, taxStay("2027-04-05", 3, 2), nightsFrom("2027-04-05", 15000, 15000, 15000))
	checkTotals(t, p, 45000, 50700, 0)
}

func TestNoTaxesIsRoomOnly(t *testing.T) {
	p := mustPrice(t, "EUR", nil, taxStay("2027-04-05", 2, 1), nightsFrom("2027-04-05", 9000, 9500))
	if !reflect.DeepEqual(p, RoomOnly("EUR", 18500)) {
		t.Fatalf("%+v, want %+v", p, RoomOnly("EUR", 18500))
	}
}

func TestValidateTaxes(t *testing.T) {
	if err := ValidateTaxes([]Tax{lisbonVAT, lisbonCityTax}); err != nil {
		t.Fatalf("Lisbon's taxes: %v", err)
	}
	bad := []Tax{
		{Code: "Vat", Name: "", Kind: TaxPercent, Percent: "6.12345", Included: true, PayAtHotel: true},
		{Code: "vat2", Name: "VAT again", Kind: TaxPercent, Percent: "101", Included: true},
		{Code: "fee", Name: "Fee", Kind: "per_booking", AmountCents: 100},
		{Code: "fee", Name: "Fee", Kind: TaxPerStay, AmountCents: 0, MaxNights: 3, ExemptUnderAge: 12},
		{Code: "late", Name: "Late", Kind: TaxPerRoomNight, AmountCents: 100, Percent: "5",
			ValidFrom: MustDate("2027-05-01"), ValidTo: MustDate("2027-05-01")},
	}
	err := ValidateTaxes(bad)
	v, ok := err.(*ValidationError)
	if !ok {
		t.Fatalf("error %v, want a ValidationError", err)
	}
	for _, f := range []string{"taxes[0].code", "taxes[0].name", "taxes[0].percent", "taxes[0].pay_at_hotel",
		"taxes[1].percent", "taxes[1].included", "taxes[2].kind", "taxes[3].code", "taxes[3].amount_cents",
		"taxes[3].max_nights", "taxes[3].exempt_under_age", "taxes[4].percent", "taxes[4].valid_to"} {
		if v.Fields[f] == "" {
			t.Errorf("no problem named %s in %v", f, v.Fields)
		}
	}
	// Included percents over different nights are fine: a VAT rate that
	// changes on 1 January.
	change := []Tax{
		{Code: "vat-old", Name: "VAT 6%", Kind: TaxPercent, Percent: "6", Included: true, ValidTo: MustDate("2028-01-01")},
		{Code: "vat-new", Name: "VAT 7%", Kind: TaxPercent, Percent: "7", Included: true, ValidFrom: MustDate("2028-01-01")},
	}
	if err := ValidateTaxes(change); err != nil {
		t.Fatalf("a change of rate: %v", err)
	}
}

func TestNewReservationIsPricedUnderItsTaxes(t *testing.T) {
	// 2 rooms, 2 nights at 15000 and 16000 a room: the rooms are
	// (15000 + 16000) × 2 = 62000. Sales tax 8.875%: 5502.5 → 5503; a
	// fee of 200 per room-night: 4 × 200 = 800. Total 62000 + 5503 + 800
	// = 68303.
	stay := taxStay("2027-07-10", 2, 3)
	stay.Rooms = 2
	n := NewReservation{Hotel: Hotel{Currency: "USD"}, Stay: stay, Taxes: []Tax{
		{Code: "sales-tax", Name: "Sales tax", Kind: TaxPercent, Percent: "8.875"},
		{Code: "unit-fee", Name: "Unit fee", Kind: TaxPerRoomNight, AmountCents: 200},
	}}
	nightly := nightsFrom("2027-07-10", 15000, 16000)
	r, err := n.Price(nightly)
	if err != nil {
		t.Fatal(err)
	}
	checkTotals(t, r.Price, 62000, 68303, 0)
	if r.TotalCents != 68303 || r.Currency != "USD" || r.Price.Lines[1].Quantity != 4 {
		t.Fatalf("reservation total %d %s, lines %+v", r.TotalCents, r.Currency, r.Price.Lines)
	}
	// The nights it keeps are the rooms' amounts: they sum to RoomCents.
	rooms, err := n.RoomNights(nightly)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, p := range rooms {
		sum += p.AmountCents
	}
	if sum != r.Price.RoomCents {
		t.Fatalf("room nights sum to %d, want %d", sum, r.Price.RoomCents)
	}
	if _, err := n.Price(nightly[:1]); err != ErrNoRate {
		t.Fatalf("a night without a rate: %v, want ErrNoRate", err)
	}
}
