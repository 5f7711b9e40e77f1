// Package pricing prices Innkeeper's invocations for finance: what one
// Lambda invocation, with the API Gateway request, SQS messages, emails
// and log bytes it caused, costs in US dollars; and what the stack costs
// a month whatever it serves (Fixed).
//
// Money is exact. Amounts are Nanos (integer nano-dollars); unit prices
// are Rates (a rational number of nano-dollars per metered unit), because
// AWS publishes prices such as $0.0000166667 per GB-second that are not a
// whole number of nano-dollars. A line item is computed as an exact
// rational (math/big) and rounded once, half away from zero
// (shared/decimal), to whole nano-dollars; the Breakdown's Total is the
// sum of the rounded line items. Floats appear only at the edge, in EMF
// metric values (Nanos.Micros).
//
// The inputs are what the logs say of an invocation: its REPORT line
// (shared/lambdalog) and its attribution line (shared/meter). A Pricer
// joins them by request id into priced Records (Join); reading them out
// of a log delivery and keeping the Records is shared/costingest's job.
//
// What the stack keeps running (Fixed) is not a list kept by hand: infra/
// counts it off each stage's synthesized templates into
// inventory/<stage>.json (Inventory; `make inventory` rewrites it, and an
// infra test fails when it is stale), and Fixed prices that. Each fixed
// item names its service as the bill does (CUR line_item_product_code)
// and accrues a day by one rule (FixedItem.Daily); the scheduler writes
// those days into the ledger (FixedDays, shared/jobs).
//
// Prices come from a versioned PriceTable (AWSPrices(), Lookup) with the
// caller's negotiated Overrides. The table has one Prices per region
// (regions.go) holding every figure the package uses, the always-on
// resources Fixed prices included, each cited in Prices.Cites with its
// page, the day it was read and whether it could be checked for the
// region. Reading configuration from the environment is the caller's job.
package pricing
