package finance

import (
	"errors"
	"fmt"

	"innkeeper/shared/pricing"
)

// ForecastDays is the month a forecast projects bookings over.
const ForecastDays = 30

// MaxBookingsPerDay bounds a forecast's volume.
const MaxBookingsPerDay = 10_000_000

// ErrOutOfRange means a projection does not fit the ledger's money type
// (more than about $9.2 billion a month).
var ErrOutOfRange = errors.New("finance: projection out of range")

// Forecast is a month's cost at a steady number of bookings a day: the
// stage's fixed cost plus the variable cost measured per booking.
type Forecast struct {
	Stage          string
	BookingsPerDay int64
	// Bookings in the month: BookingsPerDay × ForecastDays.
	Bookings int64
	// Measured is where the variable cost per booking comes from.
	Measured   Summary
	Fixed      pricing.FixedCosts
	FixedTotal pricing.Nanos
	// Variable is the invocations' cost for the month; false without a
	// measured cost per booking (no bookings measured), when the total
	// is the fixed part only.
	Variable           pricing.Nanos
	HasVariable        bool
	Total              pricing.Nanos
	TotalPerBooking    pricing.Nanos
	FixedPerBooking    pricing.Nanos
	VariablePerBooking pricing.Nanos
}

// Project forecasts a month at perDay bookings a day from the measured
// unit economics and the stage's fixed costs. The variable part is the
// measured cost × bookings / measured bookings, computed exactly and
// rounded once, not the rounded cost per booking times the bookings.
func Project(measured Summary, fixed pricing.FixedCosts, perDay int64) (Forecast, error) {
	if perDay < 1 || perDay > MaxBookingsPerDay {
		return Forecast{}, fmt.Errorf("finance: %d bookings a day: want 1 to %d", perDay, MaxBookingsPerDay)
	}
	f := Forecast{
		Stage: fixed.Stage, BookingsPerDay: perDay, Bookings: perDay * ForecastDays,
		Measured: measured, Fixed: fixed,
	}
	var err error
	if f.FixedTotal, err = fixed.Total(); err != nil {
		return Forecast{}, fmt.Errorf("finance: forecast: %w", err)
	}
	f.Total = f.FixedTotal
	if measured.Bookings > 0 {
		v, ok := mulDivRound(measured.Cost, f.Bookings, measured.Bookings)
		if !ok || v > pricing.Nanos(1<<63-1)-f.FixedTotal {
			return Forecast{}, ErrOutOfRange
		}
		f.Variable, f.HasVariable = v, true
		f.Total += v
		f.VariablePerBooking = DivRound(v, f.Bookings)
	}
	f.FixedPerBooking = DivRound(f.FixedTotal, f.Bookings)
	f.TotalPerBooking = DivRound(f.Total, f.Bookings)
	return f, nil
}
