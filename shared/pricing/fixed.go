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
	Name string `json:"name"`
	// Service is the item's AWS service as the bill names it (CUR 2.0
	// line_item_product_code, e.g. AmazonRDS).
	Service     string `json:"service"`
	Description string `json:"description"`
	// Billing is BillHourly or BillMonthly: how the page prices the
	// resource, and so how a day of it accrues (Daily).
	Billing string `json:"billing"`
	// UnitPrice is dollars per Unit, as published, e.g. "0.0165".
	UnitPrice string `json:"unit_price"`
	Unit      string `json:"unit"`
	// Count is how many units run at once (hourly items: 2 nodes, 10
	// endpoint-AZs) or are kept (monthly items: 3 secrets).
	Count int64 `json:"count"`
	// Quantity is the units a month: Count × HoursPerMonth for an
	// hourly item, Count for a monthly one.
	Quantity int64 `json:"quantity"`
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

// Daily is what the item accrues in one UTC day, by the one rule of its
// Billing:
//   - hourly: UnitPrice × Count × 24, exact (a price to nine decimals or
//     fewer times whole hours is whole nano-dollars), so a day is what
//     the bill charges for 24 hours of the resource;
//   - monthly: UnitPrice × Quantity × 12 / 365, the monthly price spread
//     evenly over the days of an average year, rounded once, half away
//     from zero, to whole nano-dollars.
func (i FixedItem) Daily() (Nanos, error) {
	r, err := usdRate(i.UnitPrice, 1)
	if err != nil {
		return 0, fmt.Errorf("pricing: fixed item %s: %w", i.Name, err)
	}
	var n Nanos
	switch i.Billing {
	case BillHourly:
		n, err = r.Cost(i.Count * 24)
	case BillMonthly:
		n, err = Rate{Nanos: r.Nanos * 12, Per: r.Per * 365}.Cost(i.Quantity)
	default:
		err = fmt.Errorf("billing %q: want %s or %s", i.Billing, BillHourly, BillMonthly)
	}
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
// region's latest prices in AWSPrices, for the resources its synthesized
// stack declares (InventoryOf).
func FixedIn(stage, region string) (FixedCosts, error) {
	if !slices.Contains(Stages(), stage) {
		return FixedCosts{}, fmt.Errorf("%w %q (known: %s, %s)", ErrUnknownStage, stage, StageStaging, StageProd)
	}
	p, err := AWSPrices().Lookup(region, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return FixedCosts{}, err
	}
	inv, err := InventoryOf(stage)
	if err != nil {
		return FixedCosts{}, err
	}
	items, err := fixedItems(inv, p)
	if err != nil {
		return FixedCosts{}, err
	}
	return FixedCosts{Stage: stage, Region: region, PricesRead: p.Read, Items: items}, nil
}

// Stages lists the stages Fixed knows, in order.
func Stages() []string { return []string{StageStaging, StageProd} }

// The CUR 2.0 line_item_product_code of each fixed item's service, as
// the bill names it, so the ledger and the bill compare per service.
const (
	ServiceRDS         = "AmazonRDS"
	ServiceElastiCache = "AmazonElastiCache"
	ServiceVPC         = "AmazonVPC" // interface endpoints
	ServiceEC2         = "AmazonEC2" // NAT gateways
	ServiceSecrets     = "AWSSecretsManager"
	ServiceCloudWatch  = "AmazonCloudWatch" // alarms, dashboards, metrics, log storage
	ServiceKMS         = "awskms"
	ServiceWAF         = "awswaf"
)

// How a fixed item is billed, and so how it accrues a day (Daily).
const (
	// BillHourly: the page prices the resource per hour it runs.
	BillHourly = "hourly"
	// BillMonthly: the page prices the resource per month.
	BillMonthly = "monthly"
)

// The price fields of the instance classes and node types the table
// knows; an inventory naming another is refused until it is priced.
var (
	rdsInstanceField = map[string]string{"db.t4g.micro": "RDSPostgresT4gMicro", "db.t4g.medium": "RDSPostgresT4gMedium"}
	// rdsVCPUs is each class's vCPUs, on which RDS Proxy bills.
	rdsVCPUs        = map[string]int64{"db.t4g.micro": 2, "db.t4g.medium": 2}
	cacheNodeField  = map[string]string{"cache.t4g.micro": "CacheT4gMicro", "cache.t4g.small": "CacheT4gSmall"}
	rdsStorageTypes = map[string]bool{"gp2": true, "gp3": true}
)

// rdsProxyMinVCPUs is the fewest vCPUs RDS Proxy bills a database for.
const rdsProxyMinVCPUs = 2

// LogStorageMBPerGroupDay is the estimate behind the log-storage item:
// each log group keeps 5 MB of (compressed, as CloudWatch Logs bills it)
// log a day for its retention. The stored bytes really follow the
// traffic; this is a floor for a quiet stage, written down so finance
// can see it is an estimate (the item is marked Unsure).
const LogStorageMBPerGroupDay = 5

// NATDataGBPerMonth is the estimate behind the nat-data item: the GB a
// stage's NAT gateways process in a month. What goes through them is
// what has no VPC endpoint: Stripe's API (one to three calls a booking,
// cancellation or fee, about 10 KB each with TLS) and the WebSocket
// API's @connections pushes; 1 GB is some 100,000 Stripe calls. It is a
// floor for a quiet stage, written down so finance can see it is an
// estimate (the item is marked Unsure); the bill's AmazonEC2
// NatGateway-Bytes line is the measure (reconcile-bill).
const NATDataGBPerMonth = 1

// SecretsAPICallsPerMonth is the estimate behind the secrets-api-calls
// item: each function's execution environment reads each of its secrets
// once, at its cold start (shared/secrets), and Lambda starts fresh ones
// as traffic grows and every few hours anyway. 10,000 calls a month is
// some 40 fresh environments a day across the functions, each reading
// up to four secrets (Unsure, like nat-data).
const SecretsAPICallsPerMonth = 10_000

// logStorageNeverExpires is the retention counted for a log group kept
// forever (retention 0): a year's worth.
const logStorageNeverExpires = 365

// fixedItems is the stage's always-on footprint as its inventory (inv,
// counted off the synthesized stack by infra/) states it, priced at p:
// on-demand list prices before any free tier (which is per account, not
// per stack) or discount. An item is Unsure when its price's Cite is,
// and carries the Cite's note.
func fixedItems(inv Inventory, p Prices) ([]FixedItem, error) {
	var errs []error
	var items []FixedItem
	// add prices qty units of field (times its price: 2 for Multi-AZ),
	// running count at once when billed hourly.
	add := func(field string, times int64, name, service, billing, desc, unit string, count, qty int64, note string) {
		f, ok := fieldByName(p, field)
		c := p.Cites[field]
		it := FixedItem{Name: name, Service: service, Billing: billing, Description: desc, Unit: unit, Count: count,
			Quantity: qty, Source: c.Source, Unsure: c.Unsure, Note: note}
		if !ok || f.rate == nil {
			errs = append(errs, fmt.Errorf("pricing: fixed item %s: no flat price %s", name, field))
			items = append(items, it)
			return
		}
		usd, err := rateDollars(*f.rate, times)
		if err != nil {
			errs = append(errs, fmt.Errorf("pricing: fixed item %s: %w", name, err))
		}
		it.UnitPrice = usd
		if c.Note != "" {
			it.Note = strings.TrimSpace(note + " Price: " + c.Note)
		}
		items = append(items, it)
	}
	hourly := func(field string, times int64, name, service, desc, unit string, count int64, note string) {
		add(field, times, name, service, BillHourly, desc, unit, count, count*HoursPerMonth, note)
	}
	monthly := func(field string, times int64, name, service, desc, unit string, qty int64, note string) {
		add(field, times, name, service, BillMonthly, desc, unit, qty, qty, note)
	}
	if db := inv.Database; db != nil {
		field, ok := rdsInstanceField[db.InstanceClass]
		switch {
		case db.Engine != "postgres" || !ok:
			errs = append(errs, fmt.Errorf("pricing: no price for an RDS %s %s instance", db.Engine, db.InstanceClass))
		case !rdsStorageTypes[db.StorageType]:
			errs = append(errs, fmt.Errorf("pricing: no price for RDS %s storage", db.StorageType))
		}
		az, times := "Single-AZ", int64(1)
		if db.MultiAZ {
			az, times = "Multi-AZ (primary and standby: twice the Single-AZ price)", 2
		}
		hourly(field, times, "rds-instance", ServiceRDS, fmt.Sprintf("RDS for PostgreSQL %s, %s", db.InstanceClass, az),
			"instance-hours", 1, "")
		monthly("RDSStorage", times, "rds-storage", ServiceRDS,
			fmt.Sprintf("RDS General Purpose (%s) storage, %d GB, %s", db.StorageType, db.AllocatedGB, az), "GB-months",
			int64(db.AllocatedGB), "Allocated storage, not its autoscaling ceiling. Backups up to the storage size are free.")
		if inv.Proxy {
			vcpus := max(rdsVCPUs[db.InstanceClass], rdsProxyMinVCPUs)
			hourly("RDSProxy", 1, "rds-proxy", ServiceRDS,
				fmt.Sprintf("RDS Proxy on %s's %d vCPUs (billed on at least %d)", db.InstanceClass, vcpus, rdsProxyMinVCPUs),
				"vCPU-hours", vcpus, "Counted for the primary only: whether a Multi-AZ standby's vCPUs are billed too is not stated on the page as read.")
		}
	}
	if c := inv.Cache; c != nil {
		field, ok := cacheNodeField[c.NodeType]
		if !ok {
			errs = append(errs, fmt.Errorf("pricing: no price for an ElastiCache %s node", c.NodeType))
		}
		hourly(field, 1, "elasticache", ServiceElastiCache, fmt.Sprintf("ElastiCache %s × %d nodes", c.NodeType, c.Nodes),
			"node-hours", int64(c.Nodes), "")
	}
	if len(inv.InterfaceEndpoints) > 0 {
		var azs int64
		var names []string
		for _, e := range inv.InterfaceEndpoints {
			azs += int64(e.AZs)
			names = append(names, fmt.Sprintf("%s × %d AZs", e.Service, e.AZs))
		}
		hourly("VPCEndpointHours", 1, "vpc-interface-endpoints", ServiceVPC,
			"VPC interface endpoints: "+strings.Join(names, ", "), "endpoint-AZ-hours", azs,
			"Data processed is traffic, not fixed, and left out.")
	}
	if inv.NATGateways > 0 {
		hourly("NATGatewayHours", 1, "nat-gateways", ServiceEC2, fmt.Sprintf("NAT gateways × %d", inv.NATGateways),
			"gateway-hours", int64(inv.NATGateways), "The data they process is the nat-data item.")
		// The price is per byte; times BytesPerGB makes the unit a GB.
		monthly("NATGatewayData", BytesPerGB, "nat-data", ServiceEC2,
			fmt.Sprintf("NAT gateways' data processed, estimated: %d GB a month", NATDataGBPerMonth), "GB",
			NATDataGBPerMonth, "An estimate, not a measure: the bytes follow the traffic (pricing.NATDataGBPerMonth).")
		items[len(items)-1].Unsure = true
	}
	if inv.Secrets > 0 {
		monthly("SecretsMonths", 1, "secrets", ServiceSecrets, fmt.Sprintf("Secrets Manager: %d secrets", inv.Secrets),
			"secret-months", int64(inv.Secrets), "The calls that read them are the secrets-api-calls item.")
		monthly("SecretsAPICalls", 1, "secrets-api-calls", ServiceSecrets,
			fmt.Sprintf("Secrets Manager API calls, estimated: %d a month", SecretsAPICallsPerMonth), "API calls",
			SecretsAPICallsPerMonth, "An estimate, not a measure: the calls follow the cold starts (pricing.SecretsAPICallsPerMonth).")
		items[len(items)-1].Unsure = true
	}
	if inv.KMSKeys > 0 {
		monthly("KMSKeys", 1, "kms-keys", ServiceKMS, fmt.Sprintf("KMS: %d customer managed keys", inv.KMSKeys),
			"key-months", int64(inv.KMSKeys), "Requests are left out (20,000 a month are free). A rotated key's first two rotations add $1 a month each, not counted.")
	}
	if len(inv.WebACLs) > 0 {
		var rules int64
		for _, a := range inv.WebACLs {
			rules += int64(a.Rules)
		}
		monthly("WAFWebACLs", 1, "waf-web-acls", ServiceWAF, fmt.Sprintf("AWS WAF: %d web ACLs", len(inv.WebACLs)),
			"web-ACL-months", int64(len(inv.WebACLs)), "The edge stack's, in front of the HTTP API. Requests inspected are traffic, not fixed, and left out.")
		if rules > 0 {
			monthly("WAFRules", 1, "waf-rules", ServiceWAF, fmt.Sprintf("AWS WAF: %d rules (a managed rule group is one)", rules),
				"rule-months", rules, "")
		}
	}
	if inv.Dashboards > 0 {
		monthly("CloudWatchDashboards", 1, "cloudwatch-dashboards", ServiceCloudWatch,
			fmt.Sprintf("CloudWatch: %d custom dashboards", inv.Dashboards), "dashboard-months", int64(inv.Dashboards),
			"Before the free tier's 3 dashboards, which the account may already use up.")
	}
	if inv.HighResolutionAlarmMetrics > 0 {
		errs = append(errs, errors.New("pricing: no price for high-resolution alarms"))
	}
	if inv.AlarmMetrics > 0 {
		monthly("CloudWatchAlarms", 1, "cloudwatch-alarms", ServiceCloudWatch,
			fmt.Sprintf("CloudWatch: %d standard-resolution alarm metrics", inv.AlarmMetrics), "alarm-metric-months",
			int64(inv.AlarmMetrics), "A metric-math or Metrics Insights alarm bills each metric it reads. Before the free tier's 10 alarm metrics.")
	}
	if n := int64(len(inv.CustomMetrics)); n > 0 {
		tiers := p.CloudWatchMetrics
		if len(tiers) == 0 || (tiers[0].UpTo != 0 && n > tiers[0].UpTo) {
			errs = append(errs, fmt.Errorf("pricing: %d custom metrics pass the first tier", n))
		} else {
			usd, err := rateDollars(tiers[0].Rate, 1)
			if err != nil {
				errs = append(errs, fmt.Errorf("pricing: fixed item cloudwatch-metrics: %w", err))
			}
			c := p.Cites["CloudWatchMetrics"]
			items = append(items, FixedItem{Name: "cloudwatch-metrics", Service: ServiceCloudWatch, Billing: BillMonthly,
				Description: fmt.Sprintf("CloudWatch: %d custom metrics the alarms read", n), UnitPrice: usd,
				Unit: "metric-months", Count: n, Quantity: n, Source: c.Source, Unsure: c.Unsure,
				Note: strings.TrimSpace("At the first tier: the account's custom metrics together set the tier. Metrics the functions emit (EMF) without an alarm are not counted. Price: " + c.Note)})
		}
	}
	if len(inv.LogGroups) > 0 {
		var mbDays int64
		for _, g := range inv.LogGroups {
			days := int64(g.RetentionDays)
			if days == 0 {
				days = logStorageNeverExpires
			}
			mbDays += days * LogStorageMBPerGroupDay
		}
		gb := (mbDays + 1023) / 1024 // rounded up to whole GB
		monthly("LogsStorage", 1, "log-storage", ServiceCloudWatch,
			fmt.Sprintf("CloudWatch Logs storage, estimated: %d log groups × their retention × %d MB a day, rounded up to %d GB",
				len(inv.LogGroups), LogStorageMBPerGroupDay, gb), "GB-months", gb,
			"An estimate, not a measure: the bytes stored follow the traffic (pricing.LogStorageMBPerGroupDay).")
		items[len(items)-1].Unsure = true
	}
	return items, errors.Join(errs...)
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

// FixedCostDay is one fixed item's cost on one UTC day for a stage in a
// region: a row of the fixed-cost ledger (store: fixed_cost_days).
type FixedCostDay struct {
	// Day is the UTC day, at midnight.
	Day  time.Time `json:"day"`
	Item string    `json:"item"`
	// Service is the CUR 2.0 line_item_product_code (FixedItem.Service).
	Service string `json:"service"`
	Stage   string `json:"stage"`
	Region  string `json:"region"`
	Amount  Nanos  `json:"amount_nanos"`
	// Detail says how Amount was reached (the item as priced).
	Detail FixedItem `json:"detail"`
}

// FixedDays is what each item of f accrues on day (truncated to its UTC
// midnight), labelled stage: FixedItem.Daily for each. stage is usually
// f.Stage; the devstack labels a priced stage's figures with its own.
func FixedDays(f FixedCosts, stage string, day time.Time) ([]FixedCostDay, error) {
	y, m, d := day.UTC().Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	out := make([]FixedCostDay, 0, len(f.Items))
	var errs []error
	for _, it := range f.Items {
		n, err := it.Daily()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, FixedCostDay{Day: midnight, Item: it.Name, Service: it.Service, Stage: stage, Region: f.Region, Amount: n, Detail: it})
	}
	return out, errors.Join(errs...)
}
