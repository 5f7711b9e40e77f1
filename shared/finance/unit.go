package finance

import (
	"cmp"
	"slices"
	"time"

	"innkeeper/shared/pricing"
)

// Fully loaded unit economics: the marginal cost of the invocations (the
// Summary) plus the stage's fixed cost (fixed_cost_days, accrued daily),
// allocated to hotels by their share of the invocations.

// AllocationMethod names how the fixed cost is split between hotels.
const AllocationMethod = "invocation_share"

// AllocationDescription says how, in words, for the reports.
const AllocationDescription = "The fixed cost of the period (the sum of the fixed_cost_days rows of every UTC day it touches; " +
	"a day it covers in part counts for that part: the day's cost × time covered / 24 h, rounded half up once) " +
	"is split between the hotels in proportion to the invocations attributed to each in the period. " +
	"Invocations without a hotel (jobs, queues, the unattributed) are buckets of their own: " +
	"their share of the fixed cost is computed the same way and kept as unallocated, never moved onto a hotel. " +
	"The split is exact to the nano: each part is rounded down, and the nanos left go one each to the largest " +
	"remainders (ties to the bucket with more invocations, then the first by name)."

// NoHotel is the bucket key, in the allocation, of the invocations
// attributed without a hotel (a queue batch, a scheduled job). The cost
// report by hotel shows it as an empty key; no slug can be this.
const NoHotel = "(no hotel)"

// FixedCostDay is the stage's fixed cost of one UTC day: the sum of its
// fixed_cost_days rows, one per fixed item.
type FixedCostDay struct {
	Day   string // YYYY-MM-DD
	Items int
	Cost  pricing.Nanos
}

// HotelUsage is a bucket of invocations in a period — a hotel's, or
// NoHotel, or Unattributed — with their marginal cost and the hotel's
// bookings (confirmed in the period and still confirmed).
type HotelUsage struct {
	Hotel       string
	Invocations int64
	Cost        pricing.Nanos
	Bookings    int64
}

// DayUsage is one UTC day of a period: its invocations, their marginal
// cost, the bookings confirmed that day and the availability searches.
type DayUsage struct {
	Day         string // YYYY-MM-DD
	Invocations int64
	Cost        pricing.Nanos
	Bookings    int64
	Searches    int64
	SearchCost  pricing.Nanos
}

// UnitFacts is what the ledger knows of a period for its fully loaded
// unit economics.
type UnitFacts struct {
	Summary Summary
	// Hotels are the buckets of invocations (Unattributed and NoHotel
	// included) and the hotels with bookings; their invocations add up
	// to the Summary's.
	Hotels []HotelUsage
	// Days has every UTC day of the period once, in order.
	Days []DayUsage
	// Fixed are the days of the period with fixed cost rows.
	Fixed []FixedCostDay
}

// HotelEconomics is a bucket's part of the fully loaded cost.
type HotelEconomics struct {
	HotelUsage
	// Fixed is the bucket's allocated part of the period's fixed cost.
	Fixed pricing.Nanos
}

// FullyLoaded is the bucket's marginal cost plus its fixed part.
func (h HotelEconomics) FullyLoaded() pricing.Nanos { return h.Cost + h.Fixed }

// FullyLoadedPerBooking is FullyLoaded over the bookings, rounded half
// up; false without bookings.
func (h HotelEconomics) FullyLoadedPerBooking() (pricing.Nanos, bool) {
	return perUnit(h.FullyLoaded(), h.Bookings)
}

// MarginalPerBooking is the marginal cost over the bookings, rounded
// half up; false without bookings.
func (h HotelEconomics) MarginalPerBooking() (pricing.Nanos, bool) {
	return perUnit(h.Cost, h.Bookings)
}

// SharePercent is the bucket's share of all invocations, one decimal
// half up: the share its fixed part is in proportion to.
func (h HotelEconomics) SharePercent(invocations int64) (string, bool) {
	return Percent(pricing.Nanos(h.Invocations), pricing.Nanos(invocations))
}

// DayEconomics is one day of the daily series.
type DayEconomics struct {
	DayUsage
	// Fixed is the day's fixed cost, or the part of it the period covers
	// (Covered, below a day, for the first and last days of a period of
	// instants); HasFixed is false when the day has no fixed_cost_days
	// row (not accrued yet): then Fixed is unknown, not zero, and so are
	// the fully loaded figures.
	Fixed    pricing.Nanos
	HasFixed bool
	Covered  time.Duration
	// SearchFixed is the searches' part of the day's fixed cost, by
	// their share of the day's invocations (Allocate).
	SearchFixed pricing.Nanos
}

// FullyLoadedPerBooking is the day's marginal and fixed cost over its
// bookings, rounded half up; false without bookings or fixed cost.
func (d DayEconomics) FullyLoadedPerBooking() (pricing.Nanos, bool) {
	if !d.HasFixed {
		return 0, false
	}
	return perUnit(d.Cost+d.Fixed, d.Bookings)
}

// FullyLoadedPerSearch is the day's search cost and the searches' part
// of its fixed cost over the searches, rounded half up; false without
// searches or fixed cost.
func (d DayEconomics) FullyLoadedPerSearch() (pricing.Nanos, bool) {
	if !d.HasFixed {
		return 0, false
	}
	return perUnit(d.SearchCost+d.SearchFixed, d.Searches)
}

// MarginalPerBooking is the day's marginal cost over its bookings.
func (d DayEconomics) MarginalPerBooking() (pricing.Nanos, bool) { return perUnit(d.Cost, d.Bookings) }

// MarginalPerSearch is the day's search cost over its searches.
func (d DayEconomics) MarginalPerSearch() (pricing.Nanos, bool) {
	return perUnit(d.SearchCost, d.Searches)
}

// UnitEconomics is a period's marginal and fully loaded unit economics.
type UnitEconomics struct {
	Summary
	// Fixed is the fixed cost of the days of the period that have fixed
	// rows (of the days covered in part, that part: DayEconomics.Fixed);
	// MissingFixedDays are those that have none, whose fixed cost is
	// unknown (and not in Fixed).
	Fixed            pricing.Nanos
	FixedDays        []FixedCostDay
	MissingFixedDays []string
	// SearchFixed is the availability searches' part of Fixed, by their
	// share of the period's invocations.
	SearchFixed pricing.Nanos
	// Hotels are the real hotels, most invocations first; Unallocated
	// the buckets without a hotel (NoHotel, Unattributed), whose fixed
	// parts stay unallocated. Together their fixed parts add up to Fixed
	// (when the period has invocations).
	Hotels      []HotelEconomics
	Unallocated []HotelEconomics
	Days        []DayEconomics
}

// FullyLoaded is the marginal cost plus the fixed cost.
func (u UnitEconomics) FullyLoaded() pricing.Nanos { return u.Cost + u.Fixed }

// FullyLoadedPerBooking is the whole cost, marginal and fixed, over the
// bookings, rounded half up (as CostPerBooking is the marginal cost
// over them); false without bookings.
func (u UnitEconomics) FullyLoadedPerBooking() (pricing.Nanos, bool) {
	return perUnit(u.FullyLoaded(), u.Bookings)
}

// FullyLoadedPerSearch is the searches' cost and their part of the
// fixed cost over the searches, rounded half up; false without searches.
func (u UnitEconomics) FullyLoadedPerSearch() (pricing.Nanos, bool) {
	return perUnit(u.SearchCost+u.SearchFixed, u.Searches)
}

// AllocatedFixed is the part of Fixed allocated to real hotels.
func (u UnitEconomics) AllocatedFixed() pricing.Nanos {
	var sum pricing.Nanos
	for _, h := range u.Hotels {
		sum += h.Fixed
	}
	return sum
}

// UnallocatedFixed is the part of Fixed no hotel carries: the buckets'
// without a hotel, or all of it when the period has no invocations.
func (u UnitEconomics) UnallocatedFixed() pricing.Nanos { return u.Fixed - u.AllocatedFixed() }

// FixedComplete reports whether every day of the period has fixed rows.
func (u UnitEconomics) FixedComplete() bool { return len(u.MissingFixedDays) == 0 }

// BuildUnitEconomics allocates the period's fixed cost (see
// AllocationDescription) and makes the daily series.
func BuildUnitEconomics(f UnitFacts) UnitEconomics {
	u := UnitEconomics{Summary: f.Summary, FixedDays: f.Fixed, MissingFixedDays: []string{},
		Hotels: []HotelEconomics{}, Unallocated: []HotelEconomics{}, Days: make([]DayEconomics, 0, len(f.Days))}
	p := f.Summary.Period
	fixedOf := make(map[string]pricing.Nanos, len(f.Fixed))
	for _, d := range f.Fixed {
		fixedOf[d.Day] = coveredPart(d, p)
	}
	for _, day := range p.Days() {
		n, ok := fixedOf[day]
		if !ok {
			u.MissingFixedDays = append(u.MissingFixedDays, day)
		}
		u.Fixed += n
	}
	if parts, ok := Allocate(u.Fixed, []int64{u.Searches, u.Invocations - u.Searches}); ok {
		u.SearchFixed = parts[0]
	}

	buckets := slices.Clone(f.Hotels)
	slices.SortFunc(buckets, func(a, b HotelUsage) int {
		return cmp.Or(cmp.Compare(b.Invocations, a.Invocations), cmp.Compare(a.Hotel, b.Hotel))
	})
	weights := make([]int64, len(buckets))
	for i, b := range buckets {
		weights[i] = b.Invocations
	}
	parts, ok := Allocate(u.Fixed, weights)
	for i, b := range buckets {
		h := HotelEconomics{HotelUsage: b}
		if ok {
			h.Fixed = parts[i]
		}
		if b.Hotel == NoHotel || b.Hotel == Unattributed {
			u.Unallocated = append(u.Unallocated, h)
		} else {
			u.Hotels = append(u.Hotels, h)
		}
	}

	for _, d := range f.Days {
		e := DayEconomics{DayUsage: d, Covered: covered(d.Day, p)}
		if n, ok := fixedOf[d.Day]; ok {
			e.Fixed, e.HasFixed = n, true
			if parts, ok := Allocate(n, []int64{d.Searches, d.Invocations - d.Searches}); ok {
				e.SearchFixed = parts[0]
			}
		}
		u.Days = append(u.Days, e)
	}
	return u
}

// FillUsageDays gives every day of p a DayUsage, zeros for the days the
// ledger has nothing of, in order.
func FillUsageDays(days []DayUsage, p Period) []DayUsage {
	return fillDays(days, p, func(d DayUsage) string { return d.Day }, func(day string) DayUsage { return DayUsage{Day: day} })
}

// covered is how much of the UTC day (YYYY-MM-DD) the period covers.
func covered(day string, p Period) time.Duration {
	start, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return 0
	}
	from, to := p.From.UTC(), p.To.UTC()
	if from.Before(start) {
		from = start
	}
	if end := start.Add(24 * time.Hour); to.After(end) {
		to = end
	}
	if !from.Before(to) {
		return 0
	}
	return to.Sub(from)
}

// coveredPart is the part of a day's fixed cost the period covers: all
// of it for a whole day, else cost × covered / 24 h rounded half up,
// once.
func coveredPart(d FixedCostDay, p Period) pricing.Nanos {
	c := covered(d.Day, p)
	if c >= 24*time.Hour {
		return d.Cost
	}
	n, _ := mulDivRound(d.Cost, int64(c), int64(24*time.Hour)) // at most d.Cost: it fits
	return n
}

func perUnit(cost pricing.Nanos, units int64) (pricing.Nanos, bool) {
	if units <= 0 {
		return 0, false
	}
	return DivRound(cost, units), true
}
