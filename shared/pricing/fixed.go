package pricing

import (
	"errors"
	"fmt"
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

// Fixed is the monthly fixed cost of stage ("staging" or "prod"), as
// deployed by infra/ in eu-west-1.
func Fixed(stage string) (FixedCosts, error) {
	items, ok := fixedItems(stage)
	if !ok {
		return FixedCosts{}, fmt.Errorf("%w %q (known: %s, %s)", ErrUnknownStage, stage, StageStaging, StageProd)
	}
	return FixedCosts{
		Stage: stage, Region: fixedRegion, PricesRead: fixedPricesRead,
		Items: items,
	}, nil
}

// Stages lists the stages Fixed knows, in order.
func Stages() []string { return []string{StageStaging, StageProd} }

// The fixed-cost table. Prices are on-demand list prices for EU (Ireland),
// eu-west-1, read off the AWS pricing pages on 2026-11-01, before any free
// tier (which is per account, not per stack) or discount. Figures marked
// Unsure were not shown for eu-west-1 in what could be consulted and are
// the best reading available; check them on the pages in Source before
// quoting them to anyone.
const fixedRegion = "eu-west-1"

var fixedPricesRead = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

const (
	srcRDS         = "https://aws.amazon.com/rds/postgresql/pricing/ (On-Demand, EU (Ireland))"
	srcRDSProxy    = "https://aws.amazon.com/rds/proxy/pricing/ (EU (Ireland))"
	srcElastiCache = "https://aws.amazon.com/elasticache/pricing/ (On-Demand nodes, EU (Ireland))"
	srcPrivateLink = "https://aws.amazon.com/privatelink/pricing/ (Interface endpoint, EU (Ireland))"
	srcSecrets     = "https://aws.amazon.com/secrets-manager/pricing/"
	srcCloudWatch  = "https://aws.amazon.com/cloudwatch/pricing/ (Dashboards, Alarms; EU (Ireland))"
)

// Both stages run the same network and operations footprint (infra/):
// 4 interface endpoints (SQS, Secrets Manager, SES, execute-api) in each
// of 2 AZs, 3 secrets (the database's, Redis's AUTH token, the app
// secrets), one dashboard and 15 alarms.
var sharedItems = []FixedItem{
	{
		Name: "vpc-interface-endpoints", Description: "VPC interface endpoints: 4 endpoints × 2 AZs",
		UnitPrice: "0.011", Unit: "endpoint-AZ-hours", Quantity: 4 * 2 * HoursPerMonth, Source: srcPrivateLink, Unsure: true,
		Note: "$0.011 per endpoint per AZ-hour is eu-west-1's rate as read; us-east-1's is $0.01. Data processed ($0.01/GB) is traffic, not fixed, and left out.",
	},
	{
		Name: "secrets", Description: "Secrets Manager: 3 secrets",
		UnitPrice: "0.40", Unit: "secret-months", Quantity: 3, Source: srcSecrets,
		Note: "API calls ($0.05 per 10,000) are left out: each function reads its secrets once per cold start.",
	},
	{
		Name: "cloudwatch-dashboard", Description: "CloudWatch: 1 custom dashboard",
		UnitPrice: "3.00", Unit: "dashboard-months", Quantity: 1, Source: srcCloudWatch,
		Note: "Before the free tier's 3 dashboards, which the account may already use up.",
	},
	{
		Name: "cloudwatch-alarms", Description: "CloudWatch: 15 standard-resolution alarms",
		UnitPrice: "0.10", Unit: "alarm-metric-months", Quantity: 15, Source: srcCloudWatch,
		Note: "Before the free tier's 10 alarms, which the account may already use up.",
	},
}

// fixedItems is the stage's table, built when asked: every function
// links this package, and a map literal would be built at each start.
func fixedItems(stage string) ([]FixedItem, bool) {
	switch stage {
	case StageStaging:
		return append([]FixedItem{
			{
				Name: "rds-instance", Description: "RDS for PostgreSQL db.t4g.micro, Single-AZ",
				UnitPrice: "0.018", Unit: "instance-hours", Quantity: HoursPerMonth, Source: srcRDS, Unsure: true,
				Note: "us-east-1 lists $0.016; $0.018 is the eu-west-1 figure as read.",
			},
			{
				Name: "rds-storage", Description: "RDS gp3 storage, 20 GB, Single-AZ",
				UnitPrice: "0.127", Unit: "GB-months", Quantity: 20, Source: srcRDS, Unsure: true,
				Note: "us-east-1 lists $0.115; baseline 3,000 IOPS and 125 MB/s are included. Backups up to the storage size are free.",
			},
			{
				Name: "rds-proxy", Description: "RDS Proxy on a 2-vCPU instance (billed on at least 2 vCPUs)",
				UnitPrice: "0.0165", Unit: "vCPU-hours", Quantity: 2 * HoursPerMonth, Source: srcRDSProxy, Unsure: true,
				Note: "us-east-1 lists $0.015; db.t4g.micro has 2 vCPUs, the proxy's minimum.",
			},
			{
				Name: "elasticache", Description: "ElastiCache cache.t4g.micro × 1 node",
				UnitPrice: "0.018", Unit: "node-hours", Quantity: HoursPerMonth, Source: srcElastiCache, Unsure: true,
				Note: "us-east-1 lists $0.016.",
			},
		}, sharedItems...), true
	case StageProd:
		return append([]FixedItem{
			{
				Name: "rds-instance", Description: "RDS for PostgreSQL db.t4g.medium, Multi-AZ (primary and standby)",
				UnitPrice: "0.144", Unit: "instance-hours", Quantity: HoursPerMonth, Source: srcRDS, Unsure: true,
				Note: "The Multi-AZ price, twice the Single-AZ $0.072 as read for eu-west-1; us-east-1 lists $0.130.",
			},
			{
				Name: "rds-storage", Description: "RDS gp3 storage, 50 GB, Multi-AZ",
				UnitPrice: "0.254", Unit: "GB-months", Quantity: 50, Source: srcRDS, Unsure: true,
				Note: "The Multi-AZ price (both copies), twice the Single-AZ $0.127 as read for eu-west-1.",
			},
			{
				Name: "rds-proxy", Description: "RDS Proxy on a 2-vCPU instance (billed on at least 2 vCPUs)",
				UnitPrice: "0.0165", Unit: "vCPU-hours", Quantity: 2 * HoursPerMonth, Source: srcRDSProxy, Unsure: true,
				Note: "db.t4g.medium has 2 vCPUs. Counted for the primary only: whether the Multi-AZ standby's vCPUs are billed too is not stated on the page as read.",
			},
			{
				Name: "elasticache", Description: "ElastiCache cache.t4g.small × 2 nodes (primary and replica)",
				UnitPrice: "0.036", Unit: "node-hours", Quantity: 2 * HoursPerMonth, Source: srcElastiCache, Unsure: true,
				Note: "us-east-1 lists $0.032.",
			},
		}, sharedItems...), true
	}
	return nil, false
}
