package pricing

import (
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sync"
	"time"
)

// Meters: the unit each price is per, and the sizes AWS meters in.
const (
	// MBmsPerGBSecond is how many MB-milliseconds make one GB-second;
	// Lambda counts 1024 MB to the GB (128 MB is 0.125 GB).
	MBmsPerGBSecond = 1024 * 1000
	// BytesPerGB is the GB of CloudWatch Logs ingestion.
	BytesPerGB = 1 << 30

	httpUnit      = 512 << 10 // an HTTP API request is metered per 512 KB
	websocketUnit = 32 << 10  // a WebSocket message per 32 KB
	sqsUnit       = 64 << 10  // an SQS request per 64 KB chunk of payload
	sqsBatch      = 10        // messages in one DeleteMessageBatch
)

// Architectures of a Lambda function.
const (
	ARM64 = "arm64"
	X8664 = "x86_64"
)

// MBms is Lambda memory-time in MB-milliseconds, the exact integer under
// a GB-second: memory size (MB) × billed duration (ms). One GB-second is
// MBmsPerGBSecond.
type MBms = int64

// GBSeconds is n GB-seconds in MBms, for month-to-date usage given in the
// unit AWS bills.
func GBSeconds(n int64) MBms { return n * MBmsPerGBSecond }

// Tier is one step of a monthly volume price: Rate applies to the
// month's units up to UpTo (cumulative, exclusive); UpTo 0 means no end
// and only the last tier may have it.
type Tier struct {
	UpTo int64
	Rate Rate
}

// Tiers is a monthly volume price, tiers in ascending order.
type Tiers []Tier

// Flat is a price that does not depend on volume.
func Flat(r Rate) Tiers { return Tiers{{Rate: r}} }

// Validate checks the tiers ascend and the last one has no end.
func (t Tiers) Validate() error {
	if len(t) == 0 {
		return errors.New("pricing: no tiers")
	}
	var prev int64
	for i, tier := range t {
		if err := tier.Rate.Validate(); err != nil {
			return fmt.Errorf("pricing: tier %d: %w", i, err)
		}
		last := i == len(t)-1
		switch {
		case last && tier.UpTo != 0:
			return fmt.Errorf("pricing: last tier ends at %d; it must have no end (UpTo 0)", tier.UpTo)
		case !last && tier.UpTo <= prev:
			return fmt.Errorf("pricing: tier %d ends at %d, not after %d", i, tier.UpTo, prev)
		}
		prev = tier.UpTo
	}
	return nil
}

// Cost is the price of qty units when used units were already consumed
// this month: units that straddle a tier boundary are priced part in
// each tier, and the exact sum is rounded once, half away from zero.
func (t Tiers) Cost(used, qty int64) (Nanos, error) {
	x, err := t.exact(used, qty)
	if err != nil {
		return 0, err
	}
	return roundRat(x)
}

// exact is Cost before rounding.
func (t Tiers) exact(used, qty int64) (*big.Rat, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if used < 0 || qty < 0 || used+qty < used {
		return nil, fmt.Errorf("pricing: usage %d + %d out of range", used, qty)
	}
	sum := new(big.Rat)
	pos, left := used, qty
	for _, tier := range t {
		if left == 0 {
			break
		}
		if tier.UpTo != 0 && pos >= tier.UpTo {
			continue
		}
		take := left
		if tier.UpTo != 0 && tier.UpTo-pos < take {
			take = tier.UpTo - pos
		}
		sum.Add(sum, new(big.Rat).Mul(tier.Rate.rat(), new(big.Rat).SetInt64(take)))
		pos += take
		left -= take
	}
	return sum, nil
}

// crossings is how many tiers [used, used+qty) touches.
func (t Tiers) crossings(used, qty int64) int {
	n := 0
	lo := int64(0)
	for _, tier := range t {
		hi := tier.UpTo
		if (hi == 0 || used < hi) && used+qty > lo {
			n++
		}
		lo = hi
	}
	return n
}

// Prices is one version of the prices in one region: every unit price
// the package uses, the date from which it applies and where it was read.
type Prices struct {
	Region string
	// EffectiveFrom is the first instant these prices apply.
	EffectiveFrom time.Time
	// Source is where the figures were read (the AWS pricing pages), and
	// Read the day they were.
	Source string
	Read   time.Time

	// BillsInit: the INIT phase of a cold start is billed as duration.
	// Always so for provided.al2023 (an OS-only runtime); for every
	// runtime since 1 August 2025.
	BillsInit bool

	// LambdaRequests is per invocation.
	LambdaRequests Rate
	// LambdaComputeARM64 and LambdaComputeX86 are per MB-millisecond,
	// tiered by the month's GB-seconds of that architecture in the region.
	LambdaComputeARM64 Tiers
	LambdaComputeX86   Tiers
	// HTTPRequests is per HTTP API request of up to 512 KB, tiered by the
	// month's requests.
	HTTPRequests Tiers
	// WebSocketMessages is per WebSocket message of up to 32 KB, tiered by
	// the month's messages; WebSocketMinutes per connection minute.
	WebSocketMessages Tiers
	WebSocketMinutes  Rate
	// SQSRequests is per standard queue request (per 64 KB of payload).
	SQSRequests Rate
	// EventBridgeEvents is per custom event put on a bus. Scheduled rule
	// events are free.
	EventBridgeEvents Rate
	// SESEmails is per email sent.
	SESEmails Rate
	// LogsIngestion is per byte of Lambda logs ingested into CloudWatch
	// Logs, tiered by the month's bytes.
	LogsIngestion Tiers
}

// Compute is the duration price of an architecture.
func (p Prices) Compute(arch string) (Tiers, error) {
	switch arch {
	case ARM64:
		return p.LambdaComputeARM64, nil
	case X8664:
		return p.LambdaComputeX86, nil
	}
	return nil, fmt.Errorf("pricing: architecture %q: want %s or %s", arch, ARM64, X8664)
}

// Validate checks every price is set and every tier list well formed.
func (p Prices) Validate() error {
	var errs []error
	rates := []struct {
		name string
		r    Rate
	}{
		{"lambda requests", p.LambdaRequests}, {"websocket minutes", p.WebSocketMinutes},
		{"sqs", p.SQSRequests}, {"eventbridge", p.EventBridgeEvents}, {"ses", p.SESEmails},
	}
	for _, x := range rates {
		if err := x.r.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", x.name, err))
		}
	}
	tiers := []struct {
		name string
		t    Tiers
	}{
		{"lambda compute arm64", p.LambdaComputeARM64}, {"lambda compute x86_64", p.LambdaComputeX86},
		{"http api", p.HTTPRequests}, {"websocket messages", p.WebSocketMessages}, {"logs", p.LogsIngestion},
	}
	for _, x := range tiers {
		if err := x.t.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", x.name, err))
		}
	}
	if p.Region == "" || p.EffectiveFrom.IsZero() || p.Source == "" {
		errs = append(errs, errors.New("region, effective date and source are required"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("pricing: prices %s from %s: %w", p.Region, p.EffectiveFrom.Format(time.DateOnly), err)
	}
	return nil
}

// PriceTable is every version of the prices, in any order.
type PriceTable []Prices

// Errors of Lookup.
var (
	// ErrUnknownRegion: the table has no prices for the region at all.
	ErrUnknownRegion = errors.New("pricing: no prices for region")
	// ErrNoPrices: the region's first prices take effect after the time.
	ErrNoPrices = errors.New("pricing: no prices in effect")
)

// Lookup is the version of the region's prices in effect at at: the one
// with the latest EffectiveFrom not after it.
func (t PriceTable) Lookup(region string, at time.Time) (Prices, error) {
	var best Prices
	found, known := false, false
	for _, p := range t {
		if p.Region != region {
			continue
		}
		known = true
		if p.EffectiveFrom.After(at) {
			continue
		}
		if !found || p.EffectiveFrom.After(best.EffectiveFrom) {
			best, found = p, true
		}
	}
	switch {
	case !known:
		return Prices{}, fmt.Errorf("%w %q", ErrUnknownRegion, region)
	case !found:
		return Prices{}, fmt.Errorf("%w in %s at %s", ErrNoPrices, region, at.UTC().Format(time.RFC3339))
	}
	return best, nil
}

// pricesSource is where the figures of AWSPrices come from. They were
// read on 2026-11-01 from:
//
//   - https://aws.amazon.com/lambda/pricing/ — $0.20 per 1M requests;
//     duration per GB-second, tiered by the month's GB-seconds per
//     architecture and region: x86_64 $0.0000166667 for the first 6
//     billion, $0.0000150000 for the next 9 billion, $0.0000133334 over 15
//     billion; arm64 $0.0000133334 for the first 7.5 billion,
//     $0.0000120001 for the next 11.25 billion, $0.0000106667 over 18.75
//     billion; billed duration rounded up to the millisecond.
//   - https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/
//     — the INIT phase is billed for every runtime from 1 August 2025
//     (it always was for OS-only runtimes such as provided.al2023).
//   - https://aws.amazon.com/api-gateway/pricing/ — HTTP APIs $1.00 per
//     million requests for the first 300 million a month, $0.90 after,
//     metered in 512 KB increments; WebSocket APIs $1.00 per million
//     messages for the first billion a month, $0.80 after, metered in 32
//     KB increments, and $0.25 per million connection minutes.
//   - https://aws.amazon.com/sqs/pricing/ — standard queues $0.40 per
//     million requests (after the first 100 billion a month the price
//     falls; not modelled), each 64 KB chunk of a payload one request.
//   - https://aws.amazon.com/eventbridge/pricing/ — custom events $1.00
//     per million (64 KB chunks); scheduled rule events on the default
//     bus are free.
//   - https://aws.amazon.com/ses/pricing/ — $0.10 per 1000 emails.
//   - https://aws.amazon.com/cloudwatch/pricing/ — Lambda logs ingested
//     into CloudWatch Logs (Standard class, vended-log tiers since 1 May
//     2025): $0.50 per GB for the first 10 TB a month, $0.25 for the next
//     20 TB, $0.10 for the next 20 TB, $0.05 over 50 TB.
//
// Monthly free tiers (Lambda's 1M requests and 400,000 GB-seconds, SQS's
// 1M requests, …) are account-wide and not per invocation, so they are
// not applied: these are marginal prices.
const pricesSource = "https://aws.amazon.com/lambda/pricing/ " +
	"https://aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/ " +
	"https://aws.amazon.com/api-gateway/pricing/ https://aws.amazon.com/sqs/pricing/ " +
	"https://aws.amazon.com/eventbridge/pricing/ https://aws.amazon.com/ses/pricing/ " +
	"https://aws.amazon.com/cloudwatch/pricing/"

// AWSPrices is AWS's public on-demand prices for us-east-1 and eu-west-1
// (see pricesSource for each figure and its page), in effect from
// 1 August 2025, when Lambda began billing the INIT phase of every
// runtime. The eu-west-1 entry carries the same figures as us-east-1;
// Lambda, SQS, EventBridge and SES list the same prices in both regions,
// but API Gateway and CloudWatch Logs should be checked against the
// pages' Europe (Ireland) tab before invoicing, and corrected with an
// Override or a new entry.
//
// The table is built on first use, not at package initialisation: every
// function links this package through the store, and only the cost
// ingestion prices anything, so the others' cold starts should not pay
// for its exact arithmetic. Each call returns a copy.
func AWSPrices() PriceTable { return slices.Clone(awsPrices()) }

var awsPrices = sync.OnceValue(func() PriceTable {
	return PriceTable{
		publicPrices("us-east-1"),
		publicPrices("eu-west-1"),
	}
})

func publicPrices(region string) Prices {
	const tb = 1024 * BytesPerGB
	return Prices{
		Region:         region,
		EffectiveFrom:  time.Date(2025, time.August, 1, 0, 0, 0, 0, time.UTC),
		Source:         pricesSource,
		Read:           time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC),
		BillsInit:      true,
		LambdaRequests: mustRate("0.20", 1_000_000),
		LambdaComputeX86: Tiers{
			{UpTo: GBSeconds(6_000_000_000), Rate: mustRate("0.0000166667", MBmsPerGBSecond)},
			{UpTo: GBSeconds(15_000_000_000), Rate: mustRate("0.0000150000", MBmsPerGBSecond)},
			{Rate: mustRate("0.0000133334", MBmsPerGBSecond)},
		},
		LambdaComputeARM64: Tiers{
			{UpTo: GBSeconds(7_500_000_000), Rate: mustRate("0.0000133334", MBmsPerGBSecond)},
			{UpTo: GBSeconds(18_750_000_000), Rate: mustRate("0.0000120001", MBmsPerGBSecond)},
			{Rate: mustRate("0.0000106667", MBmsPerGBSecond)},
		},
		HTTPRequests: Tiers{
			{UpTo: 300_000_000, Rate: mustRate("1.00", 1_000_000)},
			{Rate: mustRate("0.90", 1_000_000)},
		},
		WebSocketMessages: Tiers{
			{UpTo: 1_000_000_000, Rate: mustRate("1.00", 1_000_000)},
			{Rate: mustRate("0.80", 1_000_000)},
		},
		WebSocketMinutes:  mustRate("0.25", 1_000_000),
		SQSRequests:       mustRate("0.40", 1_000_000),
		EventBridgeEvents: mustRate("1.00", 1_000_000),
		SESEmails:         mustRate("0.10", 1000),
		LogsIngestion: Tiers{
			{UpTo: 10 * tb, Rate: mustRate("0.50", BytesPerGB)},
			{UpTo: 30 * tb, Rate: mustRate("0.25", BytesPerGB)},
			{UpTo: 50 * tb, Rate: mustRate("0.10", BytesPerGB)},
			{Rate: mustRate("0.05", BytesPerGB)},
		},
	}
}
