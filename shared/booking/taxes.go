package booking

import (
	"context"
	"fmt"
	"math/big"
	"strings"

	"innkeeper/shared/decimal"
)

// Tax is one tax or fee a hotel levies on its stays, as its list
// (migration 0023) keeps it. The hotel's list is priced in its order,
// each tax on its own line (PriceStay).
type Tax struct {
	// Code names it within the hotel: "vat", "city-tax".
	Code string `json:"code"`
	Name string `json:"name"`
	// Kind is TaxPercent, TaxPerRoomNight, TaxPerPersonNight or TaxPerStay.
	Kind string `json:"kind"`
	// VAT marks a value-added tax (invoices list its lines apart).
	VAT bool `json:"vat"`
	// Percent is a TaxPercent's rate as an exact decimal string with at
	// most four decimals, "6" or "14.75"; empty for the other kinds.
	Percent string `json:"percent,omitempty"`
	// AmountCents is the per-unit kinds' amount per unit (room-night,
	// person-night, stay), in the hotel currency's minor units.
	AmountCents int64 `json:"amount_cents,omitempty"`
	// Included is a TaxPercent already inside the room price (VAT in
	// Europe): shown, not added.
	Included bool `json:"included"`
	// PayAtHotel is paid to the hotel on the spot, not with the booking
	// (a tourist tax often is).
	PayAtHotel bool `json:"pay_at_hotel"`
	// ExemptUnderAge exempts, from a TaxPerPersonNight, children younger
	// than it on check-in (13: guests 13 and over pay); 0 exempts no one.
	ExemptUnderAge int `json:"exempt_under_age,omitempty"`
	// MaxNights caps the nights a per-night kind counts per guest or
	// room (Lisbon: 7); 0 is no cap.
	MaxNights int `json:"max_nights,omitempty"`
	// ValidFrom and ValidTo bound the nights the tax applies to,
	// [ValidFrom, ValidTo) like every range of nights here; a zero date
	// is no bound. A TaxPerStay applies when the check-in date is inside.
	ValidFrom Date `json:"valid_from,omitzero"`
	ValidTo   Date `json:"valid_to,omitzero"`
}

// The rounding rules of PriceStay's lines, as each line's Rounding
// names its own.
const (
	// RoundHalfUp: a percent added to its base is base × percent / 100,
	// rounded once, half up, on the line's whole base (not night by
	// night).
	RoundHalfUp = "half-up"
	// RoundNetHalfUp: a percent included in a gross amount leaves the
	// net gross × 100 / (100 + percent) rounded half up; the tax is
	// gross − net, so net and tax add up to the gross exactly.
	RoundNetHalfUp = "net-half-up"
	// RoundExact: per-unit kinds are unit × quantity, nothing to round.
	RoundExact = "exact"
)

// Limits of a hotel's tax list.
const (
	MaxTaxes         = 20
	maxTaxAmount     = 10_000_000 // per unit, in minor units
	maxPercentDigits = 4
)

// covers reports whether night d is inside the tax's dates.
func (t Tax) covers(d Date) bool {
	return (t.ValidFrom.IsZero() || !d.Before(t.ValidFrom)) && (t.ValidTo.IsZero() || d.Before(t.ValidTo))
}

// percent is the rate as num / 10^scale.
func (t Tax) percent() (num int64, scale int, err error) {
	num, scale, err = decimal.Parse(t.Percent)
	if err == nil && scale > maxPercentDigits {
		err = fmt.Errorf("more than %d decimals", maxPercentDigits)
	}
	return num, scale, err
}

// liableGuests counts the guests a TaxPerPersonNight charges: every
// adult, and every child unless its age is known to be under the
// exemption. A child whose age was not given pays: an exemption must be
// shown to apply (as a tax authority asks of the hotel), and a guest who
// gives the ages gets it.
func liableGuests(t Tax, stay Stay) int {
	n := stay.Adults + stay.Children
	if t.ExemptUnderAge > 0 && len(stay.ChildrenAges) == stay.Children {
		for _, age := range stay.ChildrenAges {
			if age < t.ExemptUnderAge {
				n--
			}
		}
	}
	return n
}

// PriceStay prices a stay line by line under a hotel's taxes: roomNights
// are the amounts of all the stay's rooms on each night (RoomCents is
// their sum), and each tax that applies adds a line, in the list's order,
// rounded once by its own rule:
//
//   - TaxPercent, added: base × percent / 100, half up (RoundHalfUp),
//     where base is the room amount of the nights inside its dates;
//   - TaxPercent, included: the tax inside that gross amount, gross −
//     net with net = gross × 100 / (100 + percent) half up
//     (RoundNetHalfUp); BaseCents is the net;
//   - TaxPerRoomNight: unit × rooms × nights inside its dates (at most
//     MaxNights of them), exact;
//   - TaxPerPersonNight: unit × liable guests (liableGuests) × nights
//     inside its dates (at most MaxNights), exact;
//   - TaxPerStay: unit × 1 when check-in is inside its dates, exact.
//
// Every percent applies to the rooms alone, never to another tax or fee
// (no tax on tax): that is how VAT and the US occupancy taxes are levied
// on a room, and it keeps each line independent of the list's order.
// Two included percents over one night would each claim to be inside the
// same gross, so ValidateTaxes refuses lists where they overlap. A tax
// with no night (or, per stay, no check-in) inside its dates adds no
// line. Amounts are in the currency's minor units throughout (a yen has
// none, and that changes nothing), computed in integers and exact
// fractions, never floats.
//
// The totals follow Price's rules. It fails only on a percent that is
// not a decimal number, which ValidateTaxes refuses.
func PriceStay(currency string, taxes []Tax, stay Stay, roomNights []NightPrice) (Price, error) {
	var room int64
	for _, n := range roomNights {
		room += n.AmountCents
	}
	p := Price{Currency: currency, RoomCents: room, Lines: []PriceLine{}, TotalCents: room}
	for _, t := range taxes {
		line, ok, err := priceLine(t, stay, roomNights)
		if err != nil {
			return Price{}, fmt.Errorf("booking: tax %s: %w", t.Code, err)
		}
		if !ok {
			continue
		}
		switch {
		case line.Included:
		case line.PayAtHotel:
			p.PayAtHotelCents += line.AmountCents
		default:
			p.TotalCents += line.AmountCents
		}
		p.Lines = append(p.Lines, line)
	}
	p.GrandTotalCents = p.TotalCents + p.PayAtHotelCents
	return p, nil
}

// priceLine is t's line for the stay, and whether t applies to it.
func priceLine(t Tax, stay Stay, roomNights []NightPrice) (PriceLine, bool, error) {
	l := PriceLine{Code: t.Code, Name: t.Name, Kind: t.Kind, VAT: t.VAT, Included: t.Included && t.Kind == TaxPercent,
		PayAtHotel: t.PayAtHotel && !t.Included, UnitCents: t.AmountCents, Rounding: RoundExact}
	var base int64
	nights := 0
	for _, n := range roomNights {
		if t.covers(n.Date) {
			base += n.AmountCents
			nights++
		}
	}
	if t.MaxNights > 0 && nights > t.MaxNights {
		nights = t.MaxNights
	}
	switch t.Kind {
	case TaxPercent:
		if nights == 0 {
			return l, false, nil
		}
		num, scale, err := t.percent()
		if err != nil {
			return l, false, err
		}
		l.UnitCents, l.Percent = 0, t.Percent
		amount, net, err := percentLine(base, num, scale, l.Included)
		if err != nil {
			return l, false, err
		}
		l.BaseCents, l.AmountCents = net, amount
		l.Rounding = RoundHalfUp
		if l.Included {
			l.Rounding = RoundNetHalfUp
		}
		return l, true, nil
	case TaxPerRoomNight:
		l.Quantity = nights * stay.Rooms
	case TaxPerPersonNight:
		l.Quantity = nights * liableGuests(t, stay)
	case TaxPerStay:
		if !t.covers(stay.CheckIn) {
			return l, false, nil
		}
		l.Quantity = 1
	default:
		return l, false, fmt.Errorf("unknown kind %q", t.Kind)
	}
	if l.Quantity == 0 {
		return l, false, nil
	}
	l.AmountCents = t.AmountCents * int64(l.Quantity)
	return l, true, nil
}

// percentLine is the tax of num / 10^scale percent on base, and the base
// it is shown on: added, the tax is base × p / 100 half up on base;
// included, base is the gross, the net is gross × 100 / (100 + p) half
// up and the tax gross − net.
func percentLine(base, num int64, scale int, included bool) (amount, shown int64, err error) {
	p := decimal.Rat(num, scale)
	hundred := big.NewRat(100, 1)
	b := new(big.Rat).SetInt64(base)
	if !included {
		amount, err = decimal.Round(new(big.Rat).Quo(new(big.Rat).Mul(b, p), hundred))
		return amount, base, err
	}
	net, err := decimal.Round(new(big.Rat).Quo(new(big.Rat).Mul(b, hundred), new(big.Rat).Add(hundred, p)))
	return base - net, net, err
}

// ValidateTaxes checks a hotel's list of taxes as a whole: each tax's
// fields (named taxes[i].field), codes unique, and no two included
// percents over the same night.
func ValidateTaxes(taxes []Tax) error {
	v := &ValidationError{}
	if len(taxes) > MaxTaxes {
		v.Add("taxes", fmt.Sprintf("a hotel has at most %d taxes and fees", MaxTaxes))
	}
	codes := map[string]int{}
	for i, t := range taxes {
		f := func(name string) string { return fmt.Sprintf("taxes[%d].%s", i, name) }
		t.validateInto(v, f)
		if j, ok := codes[t.Code]; ok && t.Code != "" {
			v.Add(f("code"), fmt.Sprintf("is taxes[%d]'s code too", j))
		}
		codes[t.Code] = i
		if !t.Included || t.Kind != TaxPercent {
			continue
		}
		for j, u := range taxes[:i] {
			if u.Included && u.Kind == TaxPercent && overlap(t, u) {
				v.Add(f("included"), fmt.Sprintf("taxes[%d] is included over the same nights; a room price holds one included percent", j))
			}
		}
	}
	return v.Err()
}

// overlap reports whether two taxes' dates share a night.
func overlap(a, b Tax) bool {
	before := func(to, from Date) bool { return !to.IsZero() && !from.IsZero() && !from.Before(to) }
	return !before(a.ValidTo, b.ValidFrom) && !before(b.ValidTo, a.ValidFrom)
}

// validTaxCode is what a tax code may be: lowercase letters, digits and
// single hyphens, as a slug.
func validTaxCode(s string) bool { return len(s) <= 32 && hyphenated(s, lowerDigits) }

func (t Tax) validateInto(v *ValidationError, f func(string) string) {
	if !validTaxCode(t.Code) {
		v.Add(f("code"), "must be lowercase letters, digits and single hyphens, at most 32 characters")
	}
	checkText(v, f("name"), t.Name, 200)
	switch t.Kind {
	case TaxPercent:
		if t.Percent == "" {
			v.Add(f("percent"), "is required for a percent tax, as a decimal string such as \"6\" or \"14.75\"")
		} else if num, scale, err := t.percent(); err != nil || num == 0 || decimal.Rat(num, scale).Cmp(big.NewRat(100, 1)) > 0 {
			v.Add(f("percent"), fmt.Sprintf("must be a decimal string above 0 and at most 100, with at most %d decimals", maxPercentDigits))
		}
		if t.AmountCents != 0 {
			v.Add(f("amount_cents"), "must be left out for a percent tax")
		}
		if t.Included && t.PayAtHotel {
			v.Add(f("pay_at_hotel"), "cannot be paid apart when included in the room price")
		}
		if t.MaxNights != 0 {
			v.Add(f("max_nights"), "applies to per-night kinds only")
		}
	case TaxPerRoomNight, TaxPerPersonNight, TaxPerStay:
		if t.Percent != "" {
			v.Add(f("percent"), "applies to percent taxes only")
		}
		if t.AmountCents < 1 || t.AmountCents > maxTaxAmount {
			v.Add(f("amount_cents"), fmt.Sprintf("must be between 1 and %d", maxTaxAmount))
		}
		if t.Included {
			v.Add(f("included"), "applies to percent taxes only")
		}
		if t.Kind == TaxPerStay && t.MaxNights != 0 {
			v.Add(f("max_nights"), "applies to per-night kinds only")
		}
	default:
		v.Add(f("kind"), "must be one of "+strings.Join([]string{TaxPercent, TaxPerRoomNight, TaxPerPersonNight, TaxPerStay}, ", "))
	}
	if t.ExemptUnderAge != 0 && t.Kind != TaxPerPersonNight {
		v.Add(f("exempt_under_age"), "applies to per_person_night only")
	} else if t.ExemptUnderAge < 0 || t.ExemptUnderAge > 25 {
		v.Add(f("exempt_under_age"), "must be between 0 and 25")
	}
	if t.MaxNights < 0 || t.MaxNights > MaxNights {
		v.Add(f("max_nights"), fmt.Sprintf("must be between 0 (no cap) and %d", MaxNights))
	}
	if !t.ValidFrom.IsZero() && !t.ValidTo.IsZero() && !t.ValidFrom.Before(t.ValidTo) {
		v.Add(f("valid_to"), "must be after valid_from (valid_to is exclusive)")
	}
}

// Taxes returns the hotel's taxes and fees as stored, read afresh (staff
// check what they set); an unknown hotel is ErrNotFound.
func (s *Service) Taxes(ctx context.Context, slug string) (HotelDetail, error) {
	return s.reloadHotel(ctx, slug)
}

// SetTaxes replaces the hotel's list of taxes and fees. The list is
// checked whole first: a problem anywhere is a ValidationError naming
// every bad field, and nothing changes. Offers and city searches cached
// before show the new prices at once; bookings read the list in their own
// transaction anyway.
func (s *Service) SetTaxes(ctx context.Context, slug string, taxes []Tax, by Audit) (HotelDetail, error) {
	if err := ValidateTaxes(taxes); err != nil {
		return HotelDetail{}, err
	}
	if !ValidSlug(slug) {
		return HotelDetail{}, ErrNotFound
	}
	if err := s.store.SetTaxes(ctx, slug, taxes, by.As(ActionTaxesSet)); err != nil {
		return HotelDetail{}, err
	}
	s.forget(ctx, slug)
	return s.reloadHotel(ctx, slug)
}
