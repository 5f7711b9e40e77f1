package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"innkeeper/shared/finance"
	"innkeeper/shared/pricing"
)

// The fully loaded part of the unit economics report. The figures beside
// the marginal ones of the Summary: the fixed cost of the period (from
// the daily fixed cost rows), its allocation to hotels by invocation
// share, and the daily series. A day without fixed cost rows is listed
// in fixed_days_missing, and its fixed and fully loaded figures are
// null: unknown, never zero.

// unallocatedLabel is what the fixed cost no hotel carries is called.
const unallocatedLabel = "(unallocated)"

// perUnitView is a cost per booking and per search.
type perUnitView struct {
	amount
	PerBooking maybeAmount `json:"per_booking"`
	PerSearch  maybeAmount `json:"per_search"`
}

// economicsRowView is a bucket's part of the fully loaded cost: a
// hotel's, or a bucket without a hotel.
type economicsRowView struct {
	Invocations int64 `json:"invocations"`
	// SharePercent is the bucket's share of the period's invocations,
	// the share its fixed part is in proportion to; null without any.
	SharePercent          *string     `json:"share_percent"`
	MarginalCost          amount      `json:"marginal_cost"`
	AllocatedFixedCost    amount      `json:"allocated_fixed_cost"`
	FullyLoadedCost       amount      `json:"fully_loaded_cost"`
	Bookings              int64       `json:"bookings"`
	MarginalPerBooking    maybeAmount `json:"marginal_per_booking"`
	FullyLoadedPerBooking maybeAmount `json:"fully_loaded_per_booking"`
}

type hotelEconomicsView struct {
	Hotel string `json:"hotel"`
	economicsRowView
}

type bucketEconomicsView struct {
	// Bucket is finance.NoHotel or finance.Unattributed.
	Bucket string `json:"bucket"`
	economicsRowView
}

type dayEconomicsView struct {
	Day         string `json:"day"`
	Invocations int64  `json:"invocations"`
	Bookings    int64  `json:"bookings"`
	Searches    int64  `json:"searches"`
	// CoveredSeconds is how much of the day the range covers (86,400
	// but for the first or last day of a range of instants): its fixed
	// cost is that part of the day's.
	CoveredSeconds int64  `json:"covered_seconds"`
	MarginalCost   amount `json:"marginal_cost"`
	SearchCost     amount `json:"search_cost"`
	// FixedCost is null, and FixedMissing true, for a day without fixed
	// cost rows; so are the fully loaded figures.
	FixedCost             maybeAmount `json:"fixed_cost"`
	FixedMissing          bool        `json:"fixed_missing"`
	FullyLoadedCost       maybeAmount `json:"fully_loaded_cost"`
	MarginalPerBooking    maybeAmount `json:"marginal_per_booking"`
	MarginalPerSearch     maybeAmount `json:"marginal_per_search"`
	FullyLoadedPerBooking maybeAmount `json:"fully_loaded_per_booking"`
	FullyLoadedPerSearch  maybeAmount `json:"fully_loaded_per_search"`
}

type loadedView struct {
	Marginal perUnitView `json:"marginal"`
	Fixed    struct {
		amount
		// DaysWithRows of the period's days have fixed cost rows.
		DaysWithRows int `json:"days_with_rows"`
		// Complete is false when a day of the period has none.
		Complete bool `json:"complete"`
	} `json:"fixed"`
	// FixedDaysMissing are the UTC days of the period without fixed cost
	// rows (not accrued yet): their fixed cost is in no figure.
	FixedDaysMissing []string `json:"fixed_days_missing"`
	// FullyLoaded is the marginal cost plus the fixed cost; per search,
	// the searches' cost plus their share (of invocations) of the fixed.
	FullyLoaded struct {
		perUnitView
		Complete bool `json:"complete"`
	} `json:"fully_loaded"`
	Allocation struct {
		Method            string `json:"method"`
		Description       string `json:"description"`
		FixedCost         amount `json:"fixed_cost"`
		AllocatedToHotels amount `json:"allocated_to_hotels"`
		// Unallocated is the fixed cost of the buckets without a hotel
		// (or all of it when the period has no invocations), kept apart.
		Unallocated struct {
			Label string `json:"label"`
			amount
			Buckets []bucketEconomicsView `json:"buckets"`
		} `json:"unallocated"`
	} `json:"allocation"`
	Hotels []hotelEconomicsView `json:"hotels"`
	Daily  []dayEconomicsView   `json:"daily"`
}

func viewEconomicsRow(h finance.HotelEconomics, invocations int64) economicsRowView {
	v := economicsRowView{
		Invocations: h.Invocations, MarginalCost: amountOf(h.Cost), AllocatedFixedCost: amountOf(h.Fixed),
		FullyLoadedCost: amountOf(h.FullyLoaded()), Bookings: h.Bookings,
		MarginalPerBooking: maybeAmountOf(h.MarginalPerBooking()), FullyLoadedPerBooking: maybeAmountOf(h.FullyLoadedPerBooking()),
	}
	if pct, ok := h.SharePercent(invocations); ok {
		v.SharePercent = &pct
	}
	return v
}

func viewLoaded(out *unitEconomicsView, u finance.UnitEconomics) {
	l := &out.loadedView
	l.Marginal = perUnitView{amountOf(u.Cost), maybeAmountOf(u.CostPerBooking()), maybeAmountOf(u.CostPerSearch())}
	l.Fixed.amount, l.Fixed.DaysWithRows, l.Fixed.Complete = amountOf(u.Fixed), len(u.FixedDays), u.FixedComplete()
	l.FixedDaysMissing = u.MissingFixedDays
	l.FullyLoaded.perUnitView = perUnitView{amountOf(u.FullyLoaded()), maybeAmountOf(u.FullyLoadedPerBooking()), maybeAmountOf(u.FullyLoadedPerSearch())}
	l.FullyLoaded.Complete = u.FixedComplete()
	a := &l.Allocation
	a.Method, a.Description = finance.AllocationMethod, finance.AllocationDescription
	a.FixedCost, a.AllocatedToHotels = amountOf(u.Fixed), amountOf(u.AllocatedFixed())
	a.Unallocated.Label, a.Unallocated.amount = unallocatedLabel, amountOf(u.UnallocatedFixed())
	a.Unallocated.Buckets = make([]bucketEconomicsView, 0, len(u.Unallocated))
	for _, b := range u.Unallocated {
		a.Unallocated.Buckets = append(a.Unallocated.Buckets, bucketEconomicsView{b.Hotel, viewEconomicsRow(b, u.Invocations)})
	}
	l.Hotels = make([]hotelEconomicsView, 0, len(u.Hotels))
	for _, h := range u.Hotels {
		l.Hotels = append(l.Hotels, hotelEconomicsView{h.Hotel, viewEconomicsRow(h, u.Invocations)})
	}
	l.Daily = make([]dayEconomicsView, 0, len(u.Days))
	for _, d := range u.Days {
		v := dayEconomicsView{
			Day: d.Day, Invocations: d.Invocations, Bookings: d.Bookings, Searches: d.Searches, CoveredSeconds: int64(d.Covered / time.Second),
			MarginalCost: amountOf(d.Cost), SearchCost: amountOf(d.SearchCost),
			FixedCost: maybeAmountOf(d.Fixed, d.HasFixed), FixedMissing: !d.HasFixed,
			FullyLoadedCost:    maybeAmountOf(d.Cost+d.Fixed, d.HasFixed),
			MarginalPerBooking: maybeAmountOf(d.MarginalPerBooking()), MarginalPerSearch: maybeAmountOf(d.MarginalPerSearch()),
			FullyLoadedPerBooking: maybeAmountOf(d.FullyLoadedPerBooking()), FullyLoadedPerSearch: maybeAmountOf(d.FullyLoadedPerSearch()),
		}
		l.Daily = append(l.Daily, v)
	}
}

// unitEconomicsColumns are the daily series' CSV columns: amounts in
// dollars and in nanos; a figure that does not exist (no bookings, no
// fixed cost rows that day) is an empty cell.
var unitEconomicsColumns = []string{
	"day", "invocations", "bookings", "searches",
	"marginal_cost_usd", "marginal_cost_nanos", "search_cost_usd", "search_cost_nanos",
	"fixed_cost_usd", "fixed_cost_nanos", "fixed_days_missing",
	"fully_loaded_cost_usd", "fully_loaded_cost_nanos",
	"marginal_per_booking_usd", "marginal_per_booking_nanos",
	"fully_loaded_per_booking_usd", "fully_loaded_per_booking_nanos",
	"marginal_per_search_usd", "marginal_per_search_nanos",
	"fully_loaded_per_search_usd", "fully_loaded_per_search_nanos",
}

// writeUnitEconomicsCSV writes the daily series with a header row and,
// last, a TOTAL row for the period (no day is TOTAL). The TOTAL's fixed
// cost is that of the days with rows, and its fixed_days_missing counts
// the days without: with any, its fully loaded figures are partial.
func writeUnitEconomicsCSV(w http.ResponseWriter, u finance.UnitEconomics) {
	p := u.Period
	name := fmt.Sprintf("innkeeper-unit-economics-daily-%s-%s.csv",
		p.From.UTC().Format("20060102T150405Z"), p.To.UTC().Format("20060102T150405Z"))
	cw := csvAttachment(w, name)
	_ = cw.Write(unitEconomicsColumns)
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	money := func(n pricing.Nanos, ok bool) []string {
		if !ok {
			return []string{"", ""}
		}
		return []string{n.Decimal(), i(int64(n))}
	}
	row := func(key string, invocations, bookings, searches int64, cost, searchCost, fixed pricing.Nanos, hasFixed bool, missing int,
		perBooking, perSearch, loadedPerBooking, loadedPerSearch func() (pricing.Nanos, bool)) {
		cells := []string{key, i(invocations), i(bookings), i(searches)}
		cells = append(cells, money(cost, true)...)
		cells = append(cells, money(searchCost, true)...)
		cells = append(cells, money(fixed, hasFixed)...)
		cells = append(cells, strconv.Itoa(missing))
		cells = append(cells, money(cost+fixed, hasFixed)...)
		cells = append(cells, money(perBooking())...)
		cells = append(cells, money(loadedPerBooking())...)
		cells = append(cells, money(perSearch())...)
		cells = append(cells, money(loadedPerSearch())...)
		_ = cw.Write(cells)
	}
	for _, d := range u.Days {
		missing := 0
		if !d.HasFixed {
			missing = 1
		}
		row(d.Day, d.Invocations, d.Bookings, d.Searches, d.Cost, d.SearchCost, d.Fixed, d.HasFixed, missing,
			d.MarginalPerBooking, d.MarginalPerSearch, d.FullyLoadedPerBooking, d.FullyLoadedPerSearch)
	}
	row("TOTAL", u.Invocations, u.Bookings, u.Searches, u.Cost, u.SearchCost, u.Fixed, true, len(u.MissingFixedDays),
		u.CostPerBooking, u.CostPerSearch, u.FullyLoadedPerBooking, u.FullyLoadedPerSearch)
	cw.Flush()
}
