// Package cost prices Innkeeper's invocations for finance: what one
// Lambda invocation, with the API Gateway request, SQS messages, emails
// and log bytes it caused, costs in US dollars.
//
// Money is exact. Amounts are Nanos (integer nano-dollars); unit prices
// are Rates (a rational number of nano-dollars per metered unit), because
// AWS publishes prices such as $0.0000166667 per GB-second that are not a
// whole number of nano-dollars. A line item is computed as an exact
// rational (math/big) and rounded once, half away from zero, to whole
// nano-dollars; the Breakdown's Total is the sum of the rounded line
// items. Floats appear only at the edge, in EMF metric values.
//
// The inputs come from the logs every function already writes: Lambda's
// REPORT line (ParseReport) and one attribution line per invocation
// (ParseAttribution), delivered by a CloudWatch Logs subscription
// (DecodeSubscription, Scan) or, locally, by the emulator through
// EncodeSubscription in the same format. A Pricer joins them by request
// id into priced Records (Join) and EMF turns a Record into a metric line.
//
// Prices come from a versioned PriceTable (AWSPrices, Lookup) with the
// caller's negotiated Overrides. Reading configuration from the
// environment is the caller's job.
package cost
