package booking

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
)

// MaxChildAge is the oldest a guest counted as a child may be: 18 and
// over is an adult, whatever the hotel's bands say.
const MaxChildAge = 17

// AgeBand is one of a hotel's child age bands, [MinAge, MaxAge] years on
// check-in, which a rate plan prices children by (Occupancy).
type AgeBand struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	MinAge int    `json:"min_age"`
	MaxAge int    `json:"max_age"`
}

// AgeBands is a hotel's child age bands, youngest first. A guest older
// than the oldest band is priced and counted as an adult (the common
// rule: a 13-year-old in a hotel whose children stop at 12 takes an
// adult's bed and pays an adult's price). A hotel without bands counts
// every child as a child and prices none of them by age.
type AgeBands []AgeBand

// MaxBands is how many age bands a hotel may have.
const MaxBands = 6

// ValidBandCode reports whether s can be an age band's code: lowercase,
// as "infant" or "child", at most 32 characters.
func ValidBandCode(s string) bool { return len(s) <= 32 && hyphenated(s, lowerDigits) }

// Validate checks a hotel's bands: each with a code and a name, ages
// within 0..MaxChildAge, youngest first, contiguous (each band starts the
// year after the previous one ends) and so non-overlapping. The first
// band need not start at 0: ages below it are then not sold to.
func (bs AgeBands) Validate() error {
	v := &ValidationError{}
	if len(bs) > MaxBands {
		v.Add("child_age_bands", fmt.Sprintf("at most %d bands", MaxBands))
		return v
	}
	codes := map[string]bool{}
	for i, b := range bs {
		f := fmt.Sprintf("child_age_bands[%d]", i)
		if !ValidBandCode(b.Code) {
			v.Add(f+".code", "must be lowercase letters, digits and single hyphens, at most 32 characters")
		} else if codes[b.Code] {
			v.Add(f+".code", "is used by another band")
		}
		codes[b.Code] = true
		checkText(v, f+".name", b.Name, 100)
		switch {
		case b.MinAge < 0 || b.MinAge > MaxChildAge:
			v.Add(f+".min_age", fmt.Sprintf("must be between 0 and %d", MaxChildAge))
		case b.MaxAge < b.MinAge || b.MaxAge > MaxChildAge:
			v.Add(f+".max_age", fmt.Sprintf("must be between min_age and %d", MaxChildAge))
		case i > 0 && b.MinAge != bs[i-1].MaxAge+1:
			v.Add(f+".min_age", fmt.Sprintf("must be %d: bands are youngest first and contiguous, without gaps or overlaps", bs[i-1].MaxAge+1))
		}
	}
	return v.Err()
}

// AdultAge is the age from which a guest counts as an adult: one more
// than the oldest band's MaxAge, or MaxChildAge+1 without bands.
func (bs AgeBands) AdultAge() int {
	if len(bs) == 0 {
		return MaxChildAge + 1
	}
	return bs[len(bs)-1].MaxAge + 1
}

// Band is the band covering age, if any.
func (bs AgeBands) Band(age int) (AgeBand, bool) {
	for _, b := range bs {
		if age >= b.MinAge && age <= b.MaxAge {
			return b, true
		}
	}
	return AgeBand{}, false
}

// Occupancy is how a rate plan prices the guests of a room on top of its
// nightly rate. The zero value prices exactly the nightly rate per room,
// as plans did before they priced occupancy.
type Occupancy struct {
	// BaseOccupancy is how many adults the nightly rate includes; each
	// adult beyond it in a room pays ExtraAdultCents a night. 0 means
	// the rate covers every adult the room takes.
	BaseOccupancy   int   `json:"base_occupancy"`
	ExtraAdultCents int64 `json:"extra_adult_cents"`
	// ExtraChildCents is what each child pays a night, by the code of
	// the hotel's age band the child is in. A band not listed (or 0) is
	// free, as infants usually are. Children are never in the base.
	ExtraChildCents map[string]int64 `json:"extra_child_cents"`
	// SingleOccupancyDiscountCents comes off each night of a room with
	// one adult and no children; a room-night never goes below zero.
	SingleOccupancyDiscountCents int64 `json:"single_occupancy_discount_cents"`
}

// ChildCents is ExtraChildCents, never nil: an empty map is JSON {}.
func (o Occupancy) ChildCents() map[string]int64 {
	if o.ExtraChildCents == nil {
		return map[string]int64{}
	}
	return o.ExtraChildCents
}

// MaxOccupancyCents bounds each of a plan's occupancy charges.
const MaxOccupancyCents = 100_000_000

// validateInto checks the plan's occupancy pricing.
func (o Occupancy) validateInto(v *ValidationError) {
	if o.BaseOccupancy < 0 || o.BaseOccupancy > 20 {
		v.Add("base_occupancy", "must be between 0 and 20")
	}
	if o.ExtraAdultCents < 0 || o.ExtraAdultCents > MaxOccupancyCents {
		v.Add("extra_adult_cents", fmt.Sprintf("must be between 0 and %d", MaxOccupancyCents))
	}
	if o.ExtraAdultCents > 0 && o.BaseOccupancy == 0 {
		v.Add("extra_adult_cents", "needs base_occupancy: without it the rate covers every adult")
	}
	if len(o.ExtraChildCents) > MaxBands {
		v.Add("extra_child_cents", fmt.Sprintf("prices at most %d bands", MaxBands))
	}
	for _, code := range slices.Sorted(maps.Keys(o.ExtraChildCents)) {
		if c := o.ExtraChildCents[code]; !ValidBandCode(code) || c < 0 || c > MaxOccupancyCents {
			v.Add("extra_child_cents", fmt.Sprintf("maps age band codes to cents from 0 to %d; %q is not one", MaxOccupancyCents, code))
			break
		}
	}
	if o.SingleOccupancyDiscountCents < 0 || o.SingleOccupancyDiscountCents > MaxOccupancyCents {
		v.Add("single_occupancy_discount_cents", fmt.Sprintf("must be between 0 and %d", MaxOccupancyCents))
	}
}

// unknownAge marks a child whose age was not given.
const unknownAge = -1

// Party is a stay's guests as a hotel counts them: children at or above
// the hotel's adult age (AgeBands.AdultAge) are adults.
type Party struct {
	Adults int
	// Children are the children's ages, oldest first; unknownAge for
	// each child when the stay gave no ages.
	Children []int
}

// Party counts the stay's guests under the hotel's bands. An age no band
// covers, below the adult age, is a ValidationError on children_ages: the
// hotel does not say how to price it. The ages' count and range are
// Stay.Validate's to check, and are checked again here.
func (s Stay) Party(bands AgeBands) (Party, error) {
	p := Party{Adults: s.Adults}
	if len(s.ChildrenAges) == 0 {
		for range s.Children {
			p.Children = append(p.Children, unknownAge)
		}
		return p, nil
	}
	if len(s.ChildrenAges) != s.Children {
		return Party{}, Invalid("children_ages", fmt.Sprintf("lists %d ages for %d children", len(s.ChildrenAges), s.Children))
	}
	for _, age := range s.ChildrenAges {
		switch _, ok := bands.Band(age); {
		case age < 0 || age > MaxChildAge:
			return Party{}, Invalid("children_ages", fmt.Sprintf("each age must be between 0 and %d", MaxChildAge))
		case age >= bands.AdultAge():
			p.Adults++
		case len(bands) > 0 && !ok:
			return Party{}, Invalid("children_ages", fmt.Sprintf("age %d is in none of the hotel's child age bands (%s)", age, bands))
		default:
			p.Children = append(p.Children, age)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(p.Children)))
	return p, nil
}

// String lists the bands as "infant 0-2, child 3-12".
func (bs AgeBands) String() string {
	s := ""
	for i, b := range bs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %d-%d", b.Code, b.MinAge, b.MaxAge)
	}
	return s
}

// FitsParty reports whether the party fits into rooms of type rt, rooms
// of them: the room type's limits apply to adults and children as the
// hotel counts them.
func (p Party) FitsParty(rt RoomType, rooms int) bool {
	return p.Adults <= rt.MaxAdults*rooms && len(p.Children) <= rt.MaxChildren*rooms && p.Adults >= rooms
}

// FitsBands is Stay.Fits with the guests counted as the hotel counts
// them (Stay.Party): a child at the adult age takes an adult's place. A
// stay whose ages fit no band fits nothing.
func (s Stay) FitsBands(rt RoomType, bands AgeBands) bool {
	p, err := s.Party(bands)
	return err == nil && p.FitsParty(rt, s.Rooms)
}

// RoomParty is the guests of one room.
type RoomParty struct {
	Adults   int
	Children []int // ages, oldest first; unknownAge when not given
}

// Spread puts the party into rooms rooms by one rule, the one prices
// follow:
//
//   - adults as evenly as possible, the first rooms taking one more each
//     (5 adults in 2 rooms: 3 and 2);
//   - children as evenly as possible, the last rooms taking one more each,
//     so they join the rooms with the fewest adults;
//   - the oldest children go first to the last rooms (3 children aged
//     10, 8 and 1 in 2 rooms: [1] and [10, 8]).
//
// Each room then holds at most ⌈adults/rooms⌉ adults and
// ⌈children/rooms⌉ children: a party that fits a room type by its totals
// fits every room. rooms must be at least 1.
func (p Party) Spread(rooms int) []RoomParty {
	out := make([]RoomParty, rooms)
	for i := range out {
		out[i].Adults = p.Adults / rooms
		if i < p.Adults%rooms {
			out[i].Adults++
		}
	}
	// Room i's share of children: the last children%rooms rooms take one
	// more. Dealt oldest first from the last room backwards.
	share := func(i int) int {
		n := len(p.Children) / rooms
		if i >= rooms-len(p.Children)%rooms {
			n++
		}
		return n
	}
	next := 0
	for i := rooms - 1; i >= 0; i-- {
		for range share(i) {
			out[i].Children = append(out[i].Children, p.Children[next])
			next++
		}
	}
	return out
}

// RoomNightCents is what one room with guests g costs on a night whose
// nightly rate is rate, under plan o and the hotel's bands: the rate,
// each adult beyond BaseOccupancy, each child by band (a child of
// unknown age at the dearest band the hotel has), less the single
// occupancy discount, never below zero.
func (o Occupancy) RoomNightCents(rate int64, g RoomParty, bands AgeBands) int64 {
	amount := rate
	if o.BaseOccupancy > 0 && g.Adults > o.BaseOccupancy {
		amount += int64(g.Adults-o.BaseOccupancy) * o.ExtraAdultCents
	}
	for _, age := range g.Children {
		amount += o.childCents(age, bands)
	}
	if g.Adults == 1 && len(g.Children) == 0 {
		amount -= o.SingleOccupancyDiscountCents
	}
	return max(amount, 0)
}

// childCents is one child's charge a night: its band's, or for an
// unknown age the dearest of the hotel's bands, so that a quote without
// ages is never below what the booking with them costs.
func (o Occupancy) childCents(age int, bands AgeBands) int64 {
	if age != unknownAge {
		b, _ := bands.Band(age)
		return o.ExtraChildCents[b.Code]
	}
	var dearest int64
	for _, b := range bands {
		dearest = max(dearest, o.ExtraChildCents[b.Code])
	}
	return dearest
}

// PriceNights is what each night of the stay costs for all its rooms
// together, under plan's occupancy pricing and the hotel's bands, from
// the plan's nightly rate of one room (rates, in date order, one per
// night). The guests are counted by Stay.Party and put into rooms by
// Party.Spread; each room-night is Occupancy.RoomNightCents. With a
// plan's zero Occupancy that is rate × rooms, as before plans priced
// occupancy.
//
// It fails with ErrNoRate unless every night has a rate, and with a
// ValidationError when the ages do not fit the bands. Whether the party
// fits the room type is admit's question, not this one's.
func PriceNights(plan RatePlan, bands AgeBands, stay Stay, rates []NightPrice) ([]NightPrice, error) {
	if len(rates) != stay.Nights() {
		return nil, ErrNoRate
	}
	if stay.Rooms < 1 {
		return nil, Invalid("rooms", "must be at least 1")
	}
	party, err := stay.Party(bands)
	if err != nil {
		return nil, err
	}
	rooms := party.Spread(stay.Rooms)
	out := make([]NightPrice, len(rates))
	for i, r := range rates {
		out[i].Date = r.Date
		for _, g := range rooms {
			out[i].AmountCents += plan.Occupancy.RoomNightCents(r.AmountCents, g, bands)
		}
	}
	return out, nil
}

// SetAgeBands replaces the hotel's child age bands with bands (none
// clears them), audited with the bands before and after. Prices and
// admissions follow at once: the catalogue and city searches cached are
// dropped, and Book reads the bands in its own transaction.
func (s *Service) SetAgeBands(ctx context.Context, slug string, bands AgeBands, by Audit) (AgeBands, error) {
	if err := bands.Validate(); err != nil {
		return nil, err
	}
	h, err := s.reloadHotel(ctx, slug)
	if err != nil {
		return nil, err
	}
	defer s.forget(ctx, h.Slug)
	if bands == nil {
		bands = AgeBands{}
	}
	return bands, s.store.SetAgeBands(ctx, h.ID, h.Slug, bands, by.As(ActionAgeBandsSet))
}
