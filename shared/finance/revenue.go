package finance

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"innkeeper/shared/pricing"
)

// RevenueGroup is what the revenue report sums by.
type RevenueGroup string

// The revenue groupings.
const (
	RevenueByDay      RevenueGroup = "day"
	RevenueByHotel    RevenueGroup = "hotel"
	RevenueByRoomType RevenueGroup = "room_type"
)

// RevenueGroups lists every RevenueGroup.
var RevenueGroups = []RevenueGroup{RevenueByDay, RevenueByHotel, RevenueByRoomType}

// Valid reports whether g is one of RevenueGroups.
func (g RevenueGroup) Valid() bool { return slices.Contains(RevenueGroups, g) }

// MaxRevenueNights is the longest range the revenue report covers.
const MaxRevenueNights = 366

// ErrUnknownHotel means the report was asked for a hotel that does not
// exist.
var ErrUnknownHotel = errors.New("finance: unknown hotel")

// Nights is the half-open range [From, To) of hotel nights, each a date
// at midnight UTC.
type Nights struct {
	From, To time.Time
}

// Count is the number of nights in n.
func (n Nights) Count() int {
	return int(n.To.Sub(n.From).Hours() / 24)
}

// Period is the UTC days of the nights, the window of the ledger's cost.
func (n Nights) Period() Period { return Period(n) }

// NightFacts are one room type's figures for one night.
type NightFacts struct {
	Hotel    string
	Currency string
	RoomType string
	Night    time.Time
	// Available and Sold are room-nights.
	Available, Sold int64
	// RevenueCents is the night's share of its reservations' net room
	// revenue: the rooms' price less the taxes included in it.
	RevenueCents int64
	// Cancellations arriving this night, and their recorded fees.
	Cancellations         int64
	CancellationFeesCents int64
	// CollectedCents is what the payments ledger holds as paid (charges
	// and fees minus refunds) for the reservations arriving this night,
	// whatever their status.
	CollectedCents int64
}

// HotelCost is the ledger's cost of one hotel's invocations that ended
// on one UTC day.
type HotelCost struct {
	Hotel    string
	Currency string
	Day      time.Time
	Cost     pricing.Nanos
}

// RevenueSource reads what the revenue report is made of.
type RevenueSource interface {
	// RevenueFacts returns the figures of every room type and night of n
	// that has inventory, sales or cancellations, and the ledger's cost
	// per hotel and day; hotel "" is every hotel. An unknown hotel is
	// ErrUnknownHotel.
	RevenueFacts(ctx context.Context, hotel string, n Nights) ([]NightFacts, []HotelCost, error)
}

// RevenueRow is one group of the revenue report, in one currency. Of
// Day, Hotel and RoomType only those of the grouping are set (a room
// type is its hotel's, so it comes with Hotel); a total has none.
type RevenueRow struct {
	Day, Hotel, RoomType string
	Currency             string
	Sold, Available      int64
	RevenueCents         int64
	Cancellations        int64
	CancellationFeeCents int64
	CollectedCents       int64
	// Cost is the infrastructure cost; HasCost is false where the ledger
	// cannot tell it (a room type).
	Cost    pricing.Nanos
	HasCost bool
}

// Occupancy is sold over available as a percentage with two decimals,
// rounded half up ("66.67"); false without inventory.
func (r RevenueRow) Occupancy() (string, bool) {
	if r.Available <= 0 || r.Sold < 0 {
		return "", false
	}
	hundredths, ok := mulDivRound(pricing.Nanos(r.Sold), 10_000, r.Available)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100), true
}

// ADR is the average daily rate: room revenue per room-night sold, in
// minor units, rounded half up; false when nothing was sold.
func (r RevenueRow) ADR() (int64, bool) {
	if r.Sold <= 0 {
		return 0, false
	}
	return int64(DivRound(pricing.Nanos(r.RevenueCents), r.Sold)), true
}

// RevPAR is room revenue per available room-night, in minor units,
// rounded half up; false without inventory.
func (r RevenueRow) RevPAR() (int64, bool) {
	if r.Available <= 0 {
		return 0, false
	}
	return int64(DivRound(pricing.Nanos(r.RevenueCents), r.Available)), true
}

// CostPerThousand is the infrastructure cost per 1,000 units of room
// revenue (100,000 minor units), in nano-dollars rounded half up; false
// without revenue or without a cost.
func (r RevenueRow) CostPerThousand() (pricing.Nanos, bool) {
	if !r.HasCost || r.RevenueCents <= 0 || r.Cost < 0 {
		return 0, false
	}
	return mulDivRound(r.Cost, 100_000, r.RevenueCents)
}

func (r *RevenueRow) add(f NightFacts) {
	r.Sold += f.Sold
	r.Available += f.Available
	r.RevenueCents += f.RevenueCents
	r.Cancellations += f.Cancellations
	r.CancellationFeeCents += f.CancellationFeesCents
	r.CollectedCents += f.CollectedCents
}

// Revenue is the revenue report: what the hotels earned, beside what the
// stack cost to earn it. Its figures, for the nights [from, to) of a range:
//
//   - Rooms sold: the room-nights (rooms × nights) of confirmed
//     reservations on the nights of the range. Holds, expired holds and
//     cancelled reservations sell nothing. The schema has no checked-in
//     or checked-out state: a guest who arrived or left is still
//     confirmed, so confirmed is all of them.
//   - Available: the room-nights of inventory (inventory.units) on the
//     nights of the range.
//   - Room revenue: a reservation's net room revenue T (all its rooms
//     and nights: the rooms' price less the taxes included in it, such
//     as VAT; taxes and fees added on top or paid at the hotel are not
//     room revenue) is spread evenly over its nights, night i of n
//     getting ⌊T(i+1)/n⌋ − ⌊T·i/n⌋ minor units, so that its nights add
//     up to T exactly and a stay straddling the range counts only the
//     nights inside it.
//   - Occupancy: sold / available, a percentage with two decimals,
//     rounded half up; null without inventory.
//   - ADR: room revenue / rooms sold, in minor units, rounded half up;
//     null when nothing was sold.
//   - RevPAR: room revenue / available room-nights, in minor units,
//     rounded half up; null without inventory.
//   - Cancellations: the cancelled reservations whose arrival night is
//     in the range (counted on that night), and the sum of the
//     cancellation fee recorded on each (none recorded counts as 0).
//     Fees are not room revenue.
//   - Collected: what the payments ledger holds as paid (charges and
//     fees minus refunds) for the reservations arriving in the range
//     (counted on the arrival night), whatever their status: money
//     taken, beside the revenue booked.
//   - Infrastructure cost: the ledger's cost of the invocations
//     attributed to the hotels that ended in the range's UTC days
//     (unattributed cost belongs to no hotel and is left out), in
//     nano-dollars; by day, the cost of invocations that ended that UTC
//     day.
//   - Cost per 1,000 of revenue: cost × 100,000 / room revenue in minor
//     units (1,000 units of the currency at 100 minor units each, as
//     every amount of the API is in cents), nano-dollars rounded half
//     up; null without revenue or, by room type, since the ledger knows
//     hotels, not room types.
//
// Money is never converted: every row and total is of one currency, the
// hotel's.
type Revenue struct {
	// Hotel is the hotel reported on; "" is every hotel.
	Hotel  string
	Nights Nights
	Group  RevenueGroup
	// Rows are in order of day, hotel or hotel and room type, then
	// currency; by day, every night of the range has a row in every
	// currency reported.
	Rows []RevenueRow
	// Totals has one row per currency, in alphabetical order.
	Totals []RevenueRow
}

// BuildRevenue sums the facts and costs by g.
func BuildRevenue(hotel string, n Nights, g RevenueGroup, facts []NightFacts, costs []HotelCost) Revenue {
	rep := Revenue{Hotel: hotel, Nights: n, Group: g, Rows: []RevenueRow{}, Totals: []RevenueRow{}}
	type key struct{ day, hotel, roomType, currency string }
	rows := map[key]*RevenueRow{}
	totals := map[string]*RevenueRow{}
	row := func(k key) *RevenueRow {
		r, ok := rows[k]
		if !ok {
			r = &RevenueRow{Day: k.day, Hotel: k.hotel, RoomType: k.roomType, Currency: k.currency, HasCost: g != RevenueByRoomType}
			rows[k] = r
		}
		return r
	}
	total := func(currency string) *RevenueRow {
		t, ok := totals[currency]
		if !ok {
			t = &RevenueRow{Currency: currency, HasCost: true}
			totals[currency] = t
		}
		return t
	}
	for _, f := range facts {
		k := key{currency: f.Currency}
		switch g {
		case RevenueByDay:
			k.day = f.Night.UTC().Format(time.DateOnly)
		case RevenueByHotel:
			k.hotel = f.Hotel
		case RevenueByRoomType:
			k.hotel, k.roomType = f.Hotel, f.RoomType
		}
		row(k).add(f)
		total(f.Currency).add(f)
	}
	for _, c := range costs {
		total(c.Currency).Cost += c.Cost
		switch g {
		case RevenueByDay:
			row(key{day: c.Day.UTC().Format(time.DateOnly), currency: c.Currency}).Cost += c.Cost
		case RevenueByHotel:
			row(key{hotel: c.Hotel, currency: c.Currency}).Cost += c.Cost
		}
	}
	if g == RevenueByDay {
		for currency := range totals {
			for _, d := range n.Period().Days() {
				row(key{day: d, currency: currency})
			}
		}
	}
	for _, r := range rows {
		rep.Rows = append(rep.Rows, *r)
	}
	slices.SortFunc(rep.Rows, func(a, b RevenueRow) int {
		return cmp.Or(cmp.Compare(a.Day, b.Day), cmp.Compare(a.Hotel, b.Hotel),
			cmp.Compare(a.RoomType, b.RoomType), cmp.Compare(a.Currency, b.Currency))
	})
	for _, t := range totals {
		rep.Totals = append(rep.Totals, *t)
	}
	slices.SortFunc(rep.Totals, func(a, b RevenueRow) int { return cmp.Compare(a.Currency, b.Currency) })
	return rep
}
