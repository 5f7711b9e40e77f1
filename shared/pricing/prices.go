package pricing

import (
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"time"

	"innkeeper/shared/meter"
)

// Meters: the unit each price is per, and the sizes AWS meters in.
const (
	// MBmsPerGBSecond is how many MB-milliseconds make one GB-second;
	// Lambda counts 1024 MB to the GB (128 MB is 0.125 GB).
	MBmsPerGBSecond = 1024 * 1000
	// BytesPerGB is the GB of CloudWatch Logs ingestion.
	BytesPerGB = 1 << 30

	httpUnit      = 512 << 10           // an HTTP API request is metered per 512 KB
	websocketUnit = meter.WebSocketUnit // a WebSocket message per 32 KB
	sqsUnit       = meter.SQSUnit       // an SQS request per 64 KB chunk of payload
	sqsBatch      = 10                  // messages in one DeleteMessageBatch
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
	// Source lists the AWS pricing pages the figures were read from, and
	// Read the latest day any was; Cites has each figure's own.
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
	// XRayTracesRecorded is per trace recorded; XRayTracesRetrieved per
	// trace retrieved or scanned.
	XRayTracesRecorded  Rate
	XRayTracesRetrieved Rate

	// The always-on resources Fixed prices, per unit of the resource's
	// own meter: an hour, a month, a GB-month or a byte.

	// RDSPostgresT4gMicro and RDSPostgresT4gMedium are per Single-AZ
	// instance-hour of RDS for PostgreSQL (a Multi-AZ instance bills a
	// primary and a standby: twice).
	RDSPostgresT4gMicro  Rate
	RDSPostgresT4gMedium Rate
	// RDSStorage is per GB-month of Single-AZ General Purpose storage.
	RDSStorage Rate
	// RDSProxy is per vCPU-hour of the database behind the proxy.
	RDSProxy Rate
	// CacheT4gMicro and CacheT4gSmall are per ElastiCache node-hour.
	CacheT4gMicro Rate
	CacheT4gSmall Rate
	// VPCEndpointHours is per interface endpoint per AZ-hour;
	// VPCEndpointData per byte processed, tiered by the month's bytes.
	VPCEndpointHours Rate
	VPCEndpointData  Tiers
	// NATGatewayHours is per NAT gateway-hour; NATGatewayData per byte
	// processed.
	NATGatewayHours Rate
	NATGatewayData  Rate
	// SecretsMonths is per secret-month; SecretsAPICalls per API call.
	SecretsMonths   Rate
	SecretsAPICalls Rate
	// CloudWatchAlarms is per standard-resolution alarm metric-month;
	// CloudWatchMetrics per custom metric-month, tiered by the month's
	// metrics; CloudWatchDashboards per dashboard-month.
	CloudWatchAlarms     Rate
	CloudWatchMetrics    Tiers
	CloudWatchDashboards Rate
	// LogsStorage is per GB-month of logs kept in CloudWatch Logs.
	LogsStorage Rate
	// KMSKeys is per customer managed KMS key-month.
	KMSKeys Rate
	// WAFWebACLs is per AWS WAF web ACL-month; WAFRules per rule-month
	// (a managed rule group is one rule).
	WAFWebACLs Rate
	WAFRules   Rate

	// Cites says, for every price above by its field name, where it was
	// read and when, and whether it could be checked.
	Cites map[string]Cite
}

// Cite is where one figure of a Prices was read.
type Cite struct {
	// Source is the AWS pricing page that publishes the figure.
	Source string
	// Read is the day the figure was read.
	Read time.Time
	// Unsure is true when the figure could not be read off the page for
	// the region (only from a secondary source, or not at all); Note
	// then says what was checked.
	Unsure bool
	Note   string
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

// Validate checks every price is set, every tier list well formed and
// every price cited: a source page, the day it was read, and a note when
// it is unsure. Prices are found by reflection, so a price added to the
// struct without a figure or a citation fails here.
func (p Prices) Validate() error {
	var errs []error
	fields := priceFields(p)
	for _, f := range fields {
		if err := f.validate(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.name, err))
		}
		c, ok := p.Cites[f.name]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("%s: not cited", f.name))
		case !strings.HasPrefix(c.Source, "https://") || c.Read.IsZero():
			errs = append(errs, fmt.Errorf("%s: cited without a source page or the day it was read", f.name))
		case c.Unsure && c.Note == "":
			errs = append(errs, fmt.Errorf("%s: unsure without a note saying what was checked", f.name))
		}
	}
	for name := range p.Cites {
		if !slices.ContainsFunc(fields, func(f priceField) bool { return f.name == name }) {
			errs = append(errs, fmt.Errorf("cite %s: no such price", name))
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

// priceField is one price of a Prices: a Rate or Tiers field.
type priceField struct {
	name  string
	rate  *Rate
	tiers Tiers
}

func (f priceField) validate() error {
	if f.rate != nil {
		return f.rate.Validate()
	}
	return f.tiers.Validate()
}

var (
	rateType  = reflect.TypeFor[Rate]()
	tiersType = reflect.TypeFor[Tiers]()
)

// priceFields is every Rate and Tiers field of p, in declaration order.
func priceFields(p Prices) []priceField {
	v := reflect.ValueOf(p)
	var out []priceField
	for i := range v.NumField() {
		name := v.Type().Field(i).Name
		switch v.Field(i).Type() {
		case rateType:
			r := v.Field(i).Interface().(Rate)
			out = append(out, priceField{name: name, rate: &r})
		case tiersType:
			out = append(out, priceField{name: name, tiers: v.Field(i).Interface().(Tiers)})
		}
	}
	return out
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
