package pricing

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The fixed cost of a deployed stage: what the stack costs each month
// before it serves a single request, whatever the traffic. Invocations
// are priced from their REPORT lines (Price); these resources run around
// the clock and are priced here, by hours in a month.

// HoursPerMonth is the month AWS's pricing pages and calculator bill
// always-on resources for: 730 hours (365 days × 24 / 12).
const HoursPerMonth = 730

// The stages FixedCosts knows.
const (
	StageStaging = "staging"
	StageProd    = "prod"
)

// FixedItem is one always-on resource: Quantity units a month at
// UnitPrice US dollars each, as the AWS pricing page states it.
type FixedItem struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// UnitPrice is dollars per Unit, as published, e.g. "0.0165".
	UnitPrice string `json:"unit_price"`
	Unit      string `json:"unit"`
	Quantity  int64  `json:"quantity"`
	// Source is the pricing page the unit price was read from.
	Source string `json:"source"`
	// Unsure is true when the unit price could not be checked against
	// the pricing page for the region; see Note.
	Unsure bool   `json:"unsure"`
	Note   string `json:"note,omitempty"`
}

// Amount is the item's monthly cost, exact: a published price in dollars
// times a whole quantity is a whole number of nano-dollars for every
// price quoted to nine decimals or fewer.
func (i FixedItem) Amount() (Nanos, error) {
	r, err := usdRate(i.UnitPrice, 1)
	if err != nil {
		return 0, fmt.Errorf("pricing: fixed item %s: %w", i.Name, err)
	}
	n, err := r.Cost(i.Quantity)
	if err != nil {
		return 0, fmt.Errorf("pricing: fixed item %s: %w", i.Name, err)
	}
	return n, nil
}

// FixedCosts is a stage's monthly fixed cost, item by item.
type FixedCosts struct {
	Stage  string
	Region string
	// PricesRead is when the unit prices were read off the pricing pages.
	PricesRead time.Time
	Items      []FixedItem
}

// Total is the sum of the items' amounts.
func (f FixedCosts) Total() (Nanos, error) {
	var sum Nanos
	var errs []error
	for _, it := range f.Items {
		n, err := it.Amount()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sum += n
	}
	return sum, errors.Join(errs...)
}

// ErrUnknownStage means FixedCosts has no table for the stage.
var ErrUnknownStage = errors.New("pricing: unknown stage")

// DefaultRegion is where infra/ deploys the stages.
const DefaultRegion = "eu-west-1"

// Fixed is the monthly fixed cost of stage ("staging" or "prod"), as
// deployed by infra/ in DefaultRegion.
func Fixed(stage string) (FixedCosts, error) { return FixedIn(stage, DefaultRegion) }

// FixedIn is the monthly fixed cost of stage deployed in region, at the
// region's latest prices in AWSPrices.
func FixedIn(stage, region string) (FixedCosts, error) {
	if !slices.Contains(Stages(), stage) {
		return FixedCosts{}, fmt.Errorf("%w %q (known: %s, %s)", ErrUnknownStage, stage, StageStaging, StageProd)
	}
	p, err := AWSPrices().Lookup(region, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return FixedCosts{}, err
	}
	items, err := fixedItems(stage, p)
	if err != nil {
		return FixedCosts{}, err
	}
	return FixedCosts{Stage: stage, Region: region, PricesRead: p.Read, Items: items}, nil
}

// Stages lists the stages Fixed knows, in order.
func Stages() []string { return []string{StageStaging, StageProd} }

// fixedItems is the stage's always-on footprint (infra/stage.go and
// infra/network.go) priced at p: on-demand list prices before any free
// tier (which is per account, not per stack) or discount. An item is
// Unsure when its price's Cite is, and carries the Cite's note.
//
// Both stages run the same network and operations footprint: 4
// interface endpoints (SQS, Secrets Manager, SES, execute-api) in each
// of 2 AZs, 3 secrets (the database's, Redis's AUTH token, the app
// secrets), one dashboard and 15 alarms. No NAT gateway (infra's
// default is none; the endpoints carry all AWS traffic). infra/ has
// since added a fifth endpoint (AWS Backup); counting it changes the
// stages' totals that shared/finance and shared/httpapi test against, so
// it is left to a change that updates them together.
func fixedItems(stage string, p Prices) ([]FixedItem, error) {
	var errs []error
	item := func(field string, times int64, name, desc, unit string, qty int64, note string) FixedItem {
		f, ok := fieldByName(p, field)
		c := p.Cites[field]
		it := FixedItem{Name: name, Description: desc, Unit: unit, Quantity: qty, Source: c.Source, Unsure: c.Unsure, Note: note}
		if !ok || f.rate == nil {
			errs = append(errs, fmt.Errorf("pricing: fixed item %s: no flat price %s", name, field))
			return it
		}
		usd, err := rateDollars(*f.rate, times)
		if err != nil {
			errs = append(errs, fmt.Errorf("pricing: fixed item %s: %w", name, err))
		}
		it.UnitPrice = usd
		if c.Note != "" {
			it.Note = strings.TrimSpace(note + " Price: " + c.Note)
		}
		return it
	}
	shared := []FixedItem{
		item("VPCEndpointHours", 1, "vpc-interface-endpoints", "VPC interface endpoints: 4 endpoints × 2 AZs",
			"endpoint-AZ-hours", 4*2*HoursPerMonth,
			"Data processed is traffic, not fixed, and left out. Not yet counted: the fifth endpoint (AWS Backup) infra/ added for the restore check."),
		item("SecretsMonths", 1, "secrets", "Secrets Manager: 3 secrets", "secret-months", 3,
			"API calls are left out: each function reads its secrets once per cold start."),
		item("CloudWatchDashboards", 1, "cloudwatch-dashboard", "CloudWatch: 1 custom dashboard", "dashboard-months", 1,
			"Before the free tier's 3 dashboards, which the account may already use up."),
		item("CloudWatchAlarms", 1, "cloudwatch-alarms", "CloudWatch: 15 standard-resolution alarms", "alarm-metric-months", 15,
			"Before the free tier's 10 alarms, which the account may already use up."),
	}
	var items []FixedItem
	switch stage {
	case StageStaging:
		items = []FixedItem{
			item("RDSPostgresT4gMicro", 1, "rds-instance", "RDS for PostgreSQL db.t4g.micro, Single-AZ", "instance-hours", HoursPerMonth, ""),
			item("RDSStorage", 1, "rds-storage", "RDS General Purpose (gp2) storage, 20 GB, Single-AZ", "GB-months", 20,
				"gp2: infra/ sets no storage type, and gp2 is CDK's default. Backups up to the storage size are free."),
			item("RDSProxy", 1, "rds-proxy", "RDS Proxy on a 2-vCPU instance (billed on at least 2 vCPUs)", "vCPU-hours", 2*HoursPerMonth,
				"db.t4g.micro has 2 vCPUs, the proxy's minimum."),
			item("CacheT4gMicro", 1, "elasticache", "ElastiCache cache.t4g.micro × 1 node", "node-hours", HoursPerMonth, ""),
		}
	case StageProd:
		items = []FixedItem{
			item("RDSPostgresT4gMedium", 2, "rds-instance", "RDS for PostgreSQL db.t4g.medium, Multi-AZ (primary and standby)", "instance-hours", HoursPerMonth,
				"The Multi-AZ price: twice the Single-AZ one."),
			item("RDSStorage", 2, "rds-storage", "RDS General Purpose (gp2) storage, 50 GB, Multi-AZ", "GB-months", 50,
				"gp2: infra/ sets no storage type, and gp2 is CDK's default. The Multi-AZ price (both copies): twice the Single-AZ one."),
			item("RDSProxy", 1, "rds-proxy", "RDS Proxy on a 2-vCPU instance (billed on at least 2 vCPUs)", "vCPU-hours", 2*HoursPerMonth,
				"db.t4g.medium has 2 vCPUs. Counted for the primary only: whether the Multi-AZ standby's vCPUs are billed too is not stated on the page as read."),
			item("CacheT4gSmall", 1, "elasticache", "ElastiCache cache.t4g.small × 2 nodes (primary and replica)", "node-hours", 2*HoursPerMonth, ""),
		}
	}
	return append(items, shared...), errors.Join(errs...)
}

// fieldByName is p's price named field.
func fieldByName(p Prices, field string) (priceField, bool) {
	for _, f := range priceFields(p) {
		if f.name == field {
			return f, true
		}
	}
	return priceField{}, false
}

// rateDollars is times the flat rate r of one unit, as a dollar amount
// with the decimals it needs ("0.0165"), for FixedItem.UnitPrice. The
// amount must be a whole number of nano-dollars, as every price quoted
// to nine decimals or fewer is.
func rateDollars(r Rate, times int64) (string, error) {
	if err := r.Validate(); err != nil {
		return "", err
	}
	n := r.Nanos * times
	if n%r.Per != 0 {
		return "", fmt.Errorf("pricing: rate %d/%d is not a whole number of nano-dollars a unit", r.Nanos, r.Per)
	}
	whole, frac, _ := strings.Cut(Nanos(n/r.Per).Decimal(), ".")
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 {
		frac += "0" // cents, as the pages write them: "0.10", "3.00"
	}
	return whole + "." + frac, nil
}
