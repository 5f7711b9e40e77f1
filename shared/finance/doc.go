// Package finance is what finance reads about the cost of running
// Innkeeper: the ledger of priced invocations (pricing.Record, one per
// request id) and the reports built on it — cost by day, function,
// route or hotel; unit economics (cost per booking, per availability
// search, split by function), marginal and fully loaded (unit.go: the
// stage's daily fixed cost allocated to hotels by their share of the
// invocations, with a daily series); the cost receipt of one booking,
// whose shared invocations and preceding searches are split exactly
// between the bookings sharing them, so that receipts never add up to
// more than the ledger; a monthly forecast at a given volume of
// bookings, fixed stack cost (pricing.Fixed) included; and the revenue
// report (revenue.go): rooms sold, occupancy, ADR, RevPAR and
// cancellations from the reservations, beside the infrastructure cost
// per 1,000 of room revenue; the memory headroom per function
// (memory.go); and the reconciliation of the ledger against the AWS bill
// per service and day (reconcile.go; shared/cur reads the bill).
//
// Money stays exact: amounts are pricing.Nanos summed as integers, and
// every division (a cost per booking, a percentage) is done in integers
// and rounded once, half up. A split that must add up to its total (a
// receipt's share, the fixed cost's allocation) is exact instead: Split
// and Allocate round down and give out the nanos left by a written rule.
// The package declares the Ledger it needs; shared/store implements it
// on PostgreSQL, shared/httpapi serves the reports.
package finance
