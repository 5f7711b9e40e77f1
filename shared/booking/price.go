package booking

// Price is what a stay costs the guest, line by line, in the hotel's
// currency's minor units: the rooms as the rate plan prices them, then
// each tax and fee of the hotel that applies, each rounded once on its
// own line by the rule its Rounding names. Offers, bookings, quotes,
// emails and invoices all show this one breakdown.
//
// The totals relate as:
//
//	TotalCents      = RoomCents + Σ lines neither Included nor PayAtHotel
//	PayAtHotelCents = Σ lines PayAtHotel (and not Included)
//	GrandTotalCents = TotalCents + PayAtHotelCents
//
// TotalCents is what the booking costs and what its cancellation terms
// and payments apply to; what is paid at the hotel (a tourist tax often
// is) is shown apart and never charged with the booking.
type Price struct {
	Currency string `json:"currency"`
	// RoomCents is the rooms' price for the whole stay: nightly rates,
	// occupancy charges and discounts, with any Included tax inside it.
	RoomCents       int64       `json:"room_cents"`
	Lines           []PriceLine `json:"lines"`
	TotalCents      int64       `json:"total_cents"`
	PayAtHotelCents int64       `json:"pay_at_hotel_cents"`
	GrandTotalCents int64       `json:"grand_total_cents"`
}

// PriceLine is one tax or fee of a Price.
type PriceLine struct {
	Code string `json:"code"` // the hotel's code for it: "vat", "city-tax"
	Name string `json:"name"`
	// Kind is TaxPercent, TaxPerRoomNight, TaxPerPersonNight or TaxPerStay.
	Kind string `json:"kind"`
	// VAT marks a value-added tax: invoices list these lines as their VAT
	// breakdown (BaseCents net, AmountCents tax, Percent the rate).
	VAT bool `json:"vat"`
	// Included is true when the amount is already inside RoomCents (VAT
	// included in the room price): shown, not added.
	Included   bool `json:"included"`
	PayAtHotel bool `json:"pay_at_hotel"`
	// Percent is the rate of a TaxPercent line as an exact decimal
	// string, "6" or "14.75"; empty for the other kinds.
	Percent string `json:"percent,omitempty"`
	// UnitCents and Quantity price the per-unit kinds: 2 person-nights
	// at 400 cents; Quantity is 1 for TaxPerStay.
	UnitCents int64 `json:"unit_cents,omitempty"`
	Quantity  int   `json:"quantity,omitempty"`
	// BaseCents is the amount a TaxPercent line applies to, net of the
	// tax itself when Included.
	BaseCents   int64 `json:"base_cents,omitempty"`
	AmountCents int64 `json:"amount_cents"`
	// Rounding names the line's one rounding rule, e.g. "half-up".
	Rounding string `json:"rounding,omitempty"`
}

// The kinds of tax or fee a hotel may levy.
const (
	TaxPercent        = "percent"
	TaxPerRoomNight   = "per_room_night"
	TaxPerPersonNight = "per_person_night"
	TaxPerStay        = "per_stay"
)

// RoomOnly is the Price of rooms that carry no tax or fee.
func RoomOnly(currency string, roomCents int64) Price {
	return Price{Currency: currency, RoomCents: roomCents, Lines: []PriceLine{},
		TotalCents: roomCents, GrandTotalCents: roomCents}
}
