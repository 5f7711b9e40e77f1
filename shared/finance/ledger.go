package finance

import (
	"context"
	"time"

	"innkeeper/shared/pricing"
)

// Route keys the reports single out. They are the topology's.
const (
	// SearchRoute is the availability search: the cost of looking
	// before booking.
	SearchRoute = "GET /v1/hotels/{slug}/availability"
	// BookRoute creates a reservation; its caller is the client whose
	// searches preceded the booking.
	BookRoute = "POST /v1/reservations"
)

// SearchWindow is how long before a reservation was created a search by
// the same client for the same hotel counts as part of the booking.
const SearchWindow = 30 * time.Minute

// Ledger records priced invocations and answers the reports.
type Ledger interface {
	// RecordCosts adds the invocations (request id and attempt) not yet
	// in the ledger, corrects those held with less attribution, and
	// returns how many rows it wrote: a log batch delivered twice is
	// counted once.
	RecordCosts(ctx context.Context, records []pricing.Record) (written int, err error)
	// Costs sums the invocations that ended in p, grouped by g.
	Costs(ctx context.Context, p Period, g Group) ([]CostRow, error)
	// Summary is the unit economics of p.
	Summary(ctx context.Context, p Period) (Summary, error)
	// UnitFacts is what the fully loaded unit economics of p are built
	// from (BuildUnitEconomics).
	UnitFacts(ctx context.Context, p Period) (UnitFacts, error)
	// Receipt is the cost receipt of the reservation reference; an
	// unknown reference is booking.ErrNotFound.
	Receipt(ctx context.Context, reference string) (Receipt, error)
}
