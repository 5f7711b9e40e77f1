package finance

import (
	"slices"
	"time"

	"innkeeper/shared/pricing"
)

// Period is a half-open range [From, To) of invocation end times.
type Period struct {
	From, To time.Time
}

// MaxPeriod is the longest range a report covers: a leap year.
const MaxPeriod = 366 * 24 * time.Hour

// DefaultDays is how far reports look back when not told.
const DefaultDays = 30

// LastDays is the n whole UTC days ending with the day of now, that day
// included.
func LastDays(now time.Time, n int) Period {
	y, m, d := now.UTC().Date()
	end := time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
	return Period{From: end.AddDate(0, 0, -n), To: end}
}

// Days lists the UTC dates (YYYY-MM-DD) the period touches, in order.
func (p Period) Days() []string {
	var out []string
	y, m, d := p.From.UTC().Date()
	for day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); day.Before(p.To); day = day.AddDate(0, 0, 1) {
		out = append(out, day.Format(time.DateOnly))
	}
	return out
}

// Group is what a cost report sums by.
type Group string

// The groupings. A route is the trigger (route key, queue or schedule),
// or the trigger kind when there is none; days are UTC dates.
const (
	ByDay      Group = "day"
	ByFunction Group = "function"
	ByRoute    Group = "route"
	ByHotel    Group = "hotel"
)

// Unattributed is the key, by route and by hotel, of the invocations no
// attribution line was found for: their cost is its own bucket, never
// counted in a real route (such as "direct") or among the invocations
// without a hotel. No route key or slug can be this.
const Unattributed = "(unattributed)"

// Groups lists every Group.
var Groups = []Group{ByDay, ByFunction, ByRoute, ByHotel}

// Valid reports whether g is one of Groups.
func (g Group) Valid() bool { return slices.Contains(Groups, g) }

// CostRow is one group of a cost report. Key is "" for invocations with
// no value for the group (no hotel).
type CostRow struct {
	Key         string
	Invocations int64
	Cost        pricing.Nanos
}

// Totals adds the rows up.
func Totals(rows []CostRow) (invocations int64, total pricing.Nanos) {
	for _, r := range rows {
		invocations += r.Invocations
		total += r.Cost
	}
	return invocations, total
}

// FillDays gives a day report a row for every day of p, with zeros for
// the days without invocations, so a chart or spreadsheet has no gaps.
func FillDays(rows []CostRow, p Period) []CostRow {
	return fillDays(rows, p, func(r CostRow) string { return r.Key }, func(day string) CostRow { return CostRow{Key: day} })
}

// fillDays is rows in the order of p's days, one per day: a day's row
// (day names it) or, for a day without one, empty(day).
func fillDays[T any](rows []T, p Period, day func(T) string, empty func(string) T) []T {
	byDay := make(map[string]T, len(rows))
	for _, r := range rows {
		byDay[day(r)] = r
	}
	days := p.Days()
	out := make([]T, 0, len(days))
	for _, d := range days {
		r, ok := byDay[d]
		if !ok {
			r = empty(d)
		}
		out = append(out, r)
	}
	return out
}

// Summary is the unit economics of a period.
type Summary struct {
	Period      Period
	Invocations int64
	Cost        pricing.Nanos
	// Bookings are the reservations confirmed in the period that are
	// still confirmed (not cancelled since).
	Bookings int64
	// Searches are the availability searches (SearchRoute) and their cost.
	Searches   int64
	SearchCost pricing.Nanos
	// Functions split the cost by function, costliest first.
	Functions []CostRow
	// Unattributed are the invocations no attribution line was found
	// for (Key Unattributed), part of the totals above.
	Unattributed CostRow
}

// CostPerBooking is the period's whole cost over its bookings, rounded
// half up; false when there were none.
func (s Summary) CostPerBooking() (pricing.Nanos, bool) {
	if s.Bookings <= 0 {
		return 0, false
	}
	return DivRound(s.Cost, s.Bookings), true
}

// CostPerSearch is the cost of an average availability search; false
// when there were none.
func (s Summary) CostPerSearch() (pricing.Nanos, bool) {
	if s.Searches <= 0 {
		return 0, false
	}
	return DivRound(s.SearchCost, s.Searches), true
}
