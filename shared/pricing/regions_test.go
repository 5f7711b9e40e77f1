package pricing

import (
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"innkeeper/shared/meter"
)

// Every region's table is complete: each Rate and Tiers field of Prices
// (found here by reflection, independently of Validate) is set, its
// tiers well formed, and cited with an AWS pricing page, the day it was
// read and, when unsure, a note. A price added to Prices without a
// figure and a citation in every region fails this test.
func TestRegionTablesAreComplete(t *testing.T) {
	regions := []string{"us-east-1", "eu-west-1"}
	table := AWSPrices()
	if len(table) != len(regions) {
		t.Fatalf("%d entries, want one per region %v", len(table), regions)
	}
	for _, region := range regions {
		t.Run(region, func(t *testing.T) {
			p, err := table.Lookup(region, time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			v := reflect.ValueOf(p)
			prices := 0
			for i := range v.NumField() {
				name, f := v.Type().Field(i).Name, v.Field(i)
				switch f.Type() {
				case reflect.TypeFor[Rate]():
					if r := f.Interface().(Rate); r.Per <= 0 || r.Nanos <= 0 {
						t.Errorf("%s is not priced: %+v", name, r)
					}
				case reflect.TypeFor[Tiers]():
					tiers := f.Interface().(Tiers)
					if err := tiers.Validate(); err != nil {
						t.Errorf("%s: %v", name, err)
					}
					for j, tier := range tiers {
						if tier.Rate.Nanos <= 0 {
							t.Errorf("%s: tier %d is not priced", name, j)
						}
					}
				default:
					continue
				}
				prices++
				c, ok := p.Cites[name]
				switch {
				case !ok:
					t.Errorf("%s has no citation", name)
				case !strings.HasPrefix(c.Source, "https://aws.amazon.com/") || !strings.HasSuffix(c.Source, "/pricing/"):
					t.Errorf("%s cites %q, not an AWS pricing page", name, c.Source)
				case c.Read.IsZero() || c.Read.After(time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)):
					t.Errorf("%s read on %v", name, c.Read)
				case c.Unsure && len(c.Note) < 20:
					t.Errorf("%s is unsure, and its note %q does not say what was checked", name, c.Note)
				}
				if !strings.Contains(p.Source, c.Source) {
					t.Errorf("%s's page %s is missing from Source", name, c.Source)
				}
			}
			if len(p.Cites) != prices {
				t.Errorf("%d citations for %d prices", len(p.Cites), prices)
			}
		})
	}
}

// A caller changing its copy of the table does not change the next one.
func TestAWSPricesReturnsACopy(t *testing.T) {
	a := AWSPrices()
	a[0].Cites["HTTPRequests"] = Cite{}
	a[0].SESEmails = Rate{}
	for _, p := range AWSPrices() {
		if err := p.Validate(); err != nil {
			t.Fatalf("the table changed under its callers: %v", err)
		}
	}
}

// Validate is what stops a table going out incomplete: each way of
// leaving a price out is caught.
func TestValidateRequiresEveryPriceCited(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Prices)
	}{
		{"a fixed-resource rate unset", func(p *Prices) { p.RDSProxy = Rate{} }},
		{"a fixed-resource tier list unset", func(p *Prices) { p.VPCEndpointData = nil }},
		{"a price without a citation", func(p *Prices) { delete(p.Cites, "HTTPRequests") }},
		{"a citation without a page", func(p *Prices) { p.Cites["SESEmails"] = Cite{Read: readNov1} }},
		{"a citation without a date", func(p *Prices) { p.Cites["SESEmails"] = Cite{Source: pageSES} }},
		{"unsure without a note", func(p *Prices) { p.Cites["SESEmails"] = Cite{Source: pageSES, Read: readNov1, Unsure: true} }},
		{"a citation of no price", func(p *Prices) { p.Cites["Typo"] = Cite{Source: pageSES, Read: readNov1} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := euWest1Prices()
			p.Cites = maps.Clone(p.Cites)
			tt.change(&p)
			if err := p.Validate(); err == nil {
				t.Error("Validate: want an error")
			}
		})
	}
	// The table itself is not changed by the cases above.
	if err := euWest1Prices().Validate(); err != nil {
		t.Fatal(err)
	}
}

// One API request and one WebSocket message and connection, priced line
// by line by hand in both regions. Lambda, EventBridge and SES cost the
// same in both; API Gateway and CloudWatch Logs do not.
//
// POST /v1/reservations, arm64 256 MB, billed 120 ms, a 1 KB request,
// one custom event, one email, 3,000 bytes of log:
//
//	requests     $0.20 / 1M                                   =     200
//	compute      256 × 120 = 30,720 MB-ms = 0.03 GB-s
//	             × $0.0000133334 = 400.002                    →     400
//	api gateway  1 request (512 KB units)  us: $1.00 / 1M     =   1,000
//	                                       eu: $1.11 / 1M     =   1,110
//	eventbridge  1 × $1.00 / 1M                               =   1,000
//	ses          1 × $0.10 / 1,000                            = 100,000
//	logs         3,000 B / 2^30 GB  us: × $0.50 = 1,396.98    →   1,397
//	                                eu: × $0.57 = 1,592.56    →   1,593
//	total        us-east-1 103,997; eu-west-1 104,303 nano-dollars
//
// A 40 KB WebSocket message (2 × 32 KB): us 2 × $1.00 / 1M = 2,000, eu
// 2 × $1.14 / 1M = 2,280. A connection open 90 s (2 minutes): us 2 ×
// $0.25 / 1M = 500, eu 2 × $0.285 / 1M = 570.
func TestRegionPricesByHand(t *testing.T) {
	api := Invocation{Function: "api", Arch: ARM64, MemoryMB: 256, Duration: 118 * time.Millisecond,
		BilledDuration: 120 * time.Millisecond, Trigger: meter.TriggerHTTP, TriggerBytes: 1024,
		EventsPut: 1, Emails: 1, LogBytes: 3000}
	ws := Invocation{Function: "ws", Arch: ARM64, MemoryMB: 128, Duration: time.Millisecond,
		Trigger: meter.TriggerWebSocketMessage, TriggerBytes: 40 << 10}
	conn := Invocation{Function: "ws", Arch: ARM64, MemoryMB: 128, Duration: time.Millisecond,
		Trigger: meter.TriggerWebSocketDisconnect, Connected: 90 * time.Second}
	tests := []struct {
		region           string
		gateway, logs    Nanos
		total            Nanos
		wsMessage, wsMin Nanos
	}{
		{"us-east-1", 1_000, 1_397, 103_997, 2_000, 500},
		{"eu-west-1", 1_110, 1_593, 104_303, 2_280, 570},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			p, err := AWSPrices().Lookup(tt.region, time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			b, err := Price(p, api, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkBreakdown(t, b, want{LineLambdaRequests: 200, LineLambdaCompute: 400, LineAPIGateway: tt.gateway,
				LineEventBridge: 1_000, LineSES: 100_000, LineLogs: tt.logs})
			if b.Total != tt.total {
				t.Errorf("total %d, want %d", b.Total, tt.total)
			}
			if b, err := Price(p, ws, Options{}); err != nil || b.Item(LineAPIGateway).Amount != tt.wsMessage {
				t.Errorf("WebSocket message: %+v (%v), want %d", b.Item(LineAPIGateway), err, tt.wsMessage)
			}
			if b, err := Price(p, conn, Options{}); err != nil || b.Item(LineAPIGateway).Amount != tt.wsMin {
				t.Errorf("WebSocket connection: %+v (%v), want %d", b.Item(LineAPIGateway), err, tt.wsMin)
			}
		})
	}
}

// The tiers past the first, in each region, at one unit's worth so a
// typo cannot hide behind rounding: 1M HTTP requests past 300 million,
// 1M WebSocket messages past a billion, 1 GB of logs in each log tier.
func TestRegionTiersByHand(t *testing.T) {
	const gb = BytesPerGB
	tests := []struct {
		region              string
		http, ws            Nanos
		logs                [4]Nanos
		endpointGB, natGB   Nanos
		endpointHour, proxy Nanos
	}{
		{"us-east-1", 900_000_000, 800_000_000, [4]Nanos{500_000_000, 250_000_000, 100_000_000, 50_000_000},
			10_000_000, 45_000_000, 10_000_000, 15_000_000},
		{"eu-west-1", 1_000_000_000, 940_000_000, [4]Nanos{570_000_000, 285_000_000, 114_000_000, 57_000_000},
			10_000_000, 48_000_000, 11_000_000, 16_500_000},
	}
	for _, tt := range tests {
		t.Run(tt.region, func(t *testing.T) {
			p, err := AWSPrices().Lookup(tt.region, time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			check := func(what string, got Nanos, err error, want Nanos) {
				t.Helper()
				if err != nil || got != want {
					t.Errorf("%s = %d (%v), want %d", what, got, err, want)
				}
			}
			n, err := p.HTTPRequests.Cost(300_000_000, 1_000_000)
			check("1M HTTP requests past 300M", n, err, tt.http)
			n, err = p.WebSocketMessages.Cost(1_000_000_000, 1_000_000)
			check("1M WebSocket messages past 1B", n, err, tt.ws)
			for i, used := range []int64{0, 10 * tb, 30 * tb, 50 * tb} {
				n, err = p.LogsIngestion.Cost(used, gb)
				check("1 GB of logs in tier "+string(rune('1'+i)), n, err, tt.logs[i])
			}
			n, err = p.VPCEndpointData.Cost(0, gb)
			check("1 GB through an endpoint", n, err, tt.endpointGB)
			n, err = p.NATGatewayData.Cost(gb)
			check("1 GB through NAT", n, err, tt.natGB)
			n, err = p.VPCEndpointHours.Cost(1)
			check("an endpoint-AZ-hour", n, err, tt.endpointHour)
			n, err = p.RDSProxy.Cost(1)
			check("a proxy vCPU-hour", n, err, tt.proxy)
			// The same in both regions: $5.00 and $0.50 per million traces,
			// $0.05 per 10,000 secret reads, $0.03 a GB-month of logs, a
			// custom metric $0.30 up to 10,000 and $0.10 after.
			n, err = p.XRayTracesRecorded.Cost(1_000_000)
			check("1M traces recorded", n, err, 5*Dollar)
			n, err = p.XRayTracesRetrieved.Cost(1_000_000)
			check("1M traces retrieved", n, err, Dollar/2)
			n, err = p.SecretsAPICalls.Cost(10_000)
			check("10,000 secret reads", n, err, 50_000_000)
			n, err = p.LogsStorage.Cost(1)
			check("a GB-month of logs", n, err, 30_000_000)
			n, err = p.CloudWatchMetrics.Cost(9_999, 2)
			check("the 10,000th and 10,001st metrics", n, err, 400_000_000)
		})
	}
}

// Each stage's fixed month in us-east-1, by hand from the committed
// inventories (eu-west-1's is TestFixedCosts, which spells out the
// counts): staging 0.016 × 730 + 0.115 × 20 + 0.015 × 2 × 730 + 0.016 ×
// 730 + 0.01 × 10 × 730 + 0.40 × 4 + 3.00 + 0.10 × 31 + 0.30 × 9 + 0.03
// × 1 + 1.00 × 1 + 0.045 × 730 (NAT) + 0.045 × 1 GB + 0.05 (10,000
// calls) = 11.68 + 2.30 + 21.90 + 11.68 + 73.00 + 1.60 + 3.00 + 3.10 +
// 2.70 + 0.03 + 1.00 + 32.85 + 0.045 + 0.05 = $164.935; prod 0.130 × 730
// + 0.23 × 50 + 21.90 + 0.032 × 2 × 730 + 73.00 + 0.40 × 5 + 3.00 + 3.10
// + 2.70 + 0.03 × 6 + 1.00 + 5.00 + 1.00 × 4 + 0.045 × 2 × 730 + 0.045 +
// 0.05 = 94.90 + 11.50 + 21.90 + 46.72 + 73.00 + 2.00 + 3.00 + 3.10 +
// 2.70 + 0.18 + 1.00 + 5.00 + 4.00 + 65.70 + 0.045 + 0.05 = $334.795.
func TestFixedInUSEast1(t *testing.T) {
	tests := []struct {
		stage string
		items map[string]string
		total string
	}{
		{StageStaging, map[string]string{"rds-instance": "0.016", "rds-storage": "0.115", "rds-proxy": "0.015", "elasticache": "0.016",
			"vpc-interface-endpoints": "0.01", "secrets": "0.40", "cloudwatch-dashboards": "3.00", "cloudwatch-alarms": "0.10",
			"cloudwatch-metrics": "0.30", "log-storage": "0.03", "kms-keys": "1.00",
			"nat-gateways": "0.045", "nat-data": "0.045", "secrets-api-calls": "0.000005"}, "164.935000000"},
		{StageProd, map[string]string{"rds-instance": "0.13", "rds-storage": "0.23", "rds-proxy": "0.015", "elasticache": "0.032",
			"vpc-interface-endpoints": "0.01", "secrets": "0.40", "cloudwatch-dashboards": "3.00", "cloudwatch-alarms": "0.10",
			"cloudwatch-metrics": "0.30", "log-storage": "0.03", "kms-keys": "1.00", "waf-web-acls": "5.00", "waf-rules": "1.00",
			"nat-gateways": "0.045", "nat-data": "0.045", "secrets-api-calls": "0.000005"}, "334.795000000"},
	}
	for _, tt := range tests {
		t.Run(tt.stage, func(t *testing.T) {
			f, err := FixedIn(tt.stage, "us-east-1")
			if err != nil {
				t.Fatal(err)
			}
			if f.Region != "us-east-1" {
				t.Errorf("region %s", f.Region)
			}
			for _, it := range f.Items {
				if it.UnitPrice != tt.items[it.Name] {
					t.Errorf("%s: unit price %s, want %s", it.Name, it.UnitPrice, tt.items[it.Name])
				}
			}
			total, err := f.Total()
			if err != nil || total.Decimal() != tt.total {
				t.Errorf("total %s (%v), want %s", total.Decimal(), err, tt.total)
			}
		})
	}
	if _, err := FixedIn(StageProd, "ap-south-1"); err == nil {
		t.Error("a region without prices: want an error")
	}
}

// A fixed item is unsure exactly when the price it is computed from is,
// and says why.
func TestFixedItemsCarryTheirCitation(t *testing.T) {
	f, err := Fixed(StageStaging)
	if err != nil {
		t.Fatal(err)
	}
	p := euWest1Prices()
	field := map[string]string{"rds-instance": "RDSPostgresT4gMicro", "rds-storage": "RDSStorage", "rds-proxy": "RDSProxy",
		"elasticache": "CacheT4gMicro", "vpc-interface-endpoints": "VPCEndpointHours", "secrets": "SecretsMonths",
		"cloudwatch-dashboards": "CloudWatchDashboards", "cloudwatch-alarms": "CloudWatchAlarms",
		"cloudwatch-metrics": "CloudWatchMetrics", "log-storage": "LogsStorage", "kms-keys": "KMSKeys",
		"nat-gateways": "NATGatewayHours", "nat-data": "NATGatewayData", "secrets-api-calls": "SecretsAPICalls"}
	estimates := map[string]bool{"log-storage": true, "nat-data": true, "secrets-api-calls": true}
	for _, it := range f.Items {
		if estimates[it.Name] && !it.Unsure {
			t.Errorf("%s is an estimate and must say so", it.Name)
		}
		c, ok := p.Cites[field[it.Name]]
		if !ok {
			t.Fatalf("%s: no price field", it.Name)
		}
		if (it.Unsure != c.Unsure && !estimates[it.Name]) || it.Source != c.Source || !strings.Contains(it.Note, c.Note) {
			t.Errorf("%s: unsure %v source %s note %q; the price's cite is %+v", it.Name, it.Unsure, it.Source, it.Note, c)
		}
	}
	if !slices.ContainsFunc(f.Items, func(it FixedItem) bool { return it.Unsure }) {
		t.Error("no eu-west-1 fixed item is unsure, yet several of its prices are")
	}
}

func TestRateDollars(t *testing.T) {
	tests := []struct {
		name  string
		r     Rate
		times int64
		want  string
	}{
		{"cents kept", mustRate("0.10", 1), 1, "0.10"},
		{"whole dollars", mustRate("3.00", 1), 1, "3.00"},
		{"sub-cent", mustRate("0.0165", 1), 1, "0.0165"},
		{"doubled", mustRate("0.127", 1), 2, "0.254"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, err := rateDollars(tt.r, tt.times); err != nil || got != tt.want {
				t.Errorf("rateDollars = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	if _, err := rateDollars(mustRate("0.0000166667", MBmsPerGBSecond), 1); err == nil {
		t.Error("a rate below a nano-dollar a unit: want an error")
	}
}
