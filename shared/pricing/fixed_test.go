package pricing

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// The monthly fixed cost of each stage, item by item, hand-checked from
// the committed inventories (inventory/<stage>.json) at eu-west-1's
// prices:
//
// staging: RDS db.t4g.micro 0.017 × 730 = 12.41; storage 0.127 × 20 GB
// = 2.54; proxy 0.0165 × 2 vCPUs × 730 = 24.09; cache.t4g.micro 0.018 ×
// 1 × 730 = 13.14; endpoints 0.011 × (5 endpoints × 2 AZs) × 730 =
// 80.30; secrets 0.40 × 4 = 1.60; dashboards 3.00 × 1 = 3.00; alarms
// 0.10 × 31 metrics (21 plain alarms, 1 metric-math alarm reading 2, the
// hourly cost query reading 8 functions) = 3.10; custom metrics 0.30 × 9
// = 2.70; log storage 12 groups × 14 days × 5 MB = 840 MB, rounded up to
// 1 GB, × 0.03 = 0.03; one KMS key 1.00; one NAT gateway 0.048 × 730 =
// 35.04, its estimated 1 GB processed 0.048, and an estimated 10,000
// Secrets Manager calls 0.05. Total 12.41 + 2.54 + 24.09 + 13.14 + 80.30
// + 1.60 + 3.00 + 3.10 + 2.70 + 0.03 + 1.00 + 35.04 + 0.048 + 0.05 =
// 179.048.
//
// prod: RDS db.t4g.medium Multi-AZ 0.072 × 2 × 730 = 105.12; storage
// 0.127 × 50 GB × 2 = 12.70; proxy 24.09; cache.t4g.small 0.036 × 2 ×
// 730 = 52.56; endpoints 80.30; secrets 0.40 × 5 = 2.00; dashboards
// 3.00; alarms 3.10; metrics 2.70; log storage 12 × 90 × 5 MB = 5,400
// MB, rounded up to 6 GB, × 0.03 = 0.18; one KMS key 1.00; the edge's
// web ACL 5.00 and its 4 rules 1.00 × 4 = 4.00; a NAT gateway per zone
// 0.048 × 2 × 730 = 70.08, 0.048 for 1 GB and 0.05 for 10,000 calls.
// Total 105.12 + 12.70 + 24.09 + 52.56 + 80.30 + 2.00 + 3.00 + 3.10 +
// 2.70 + 0.18 + 1.00 + 5.00 + 4.00 + 70.08 + 0.048 + 0.05 = 365.928.
func TestFixedCosts(t *testing.T) {
	tests := []struct {
		name  string
		stage string
		items map[string]string
		total string
	}{
		{"staging", StageStaging, map[string]string{
			"rds-instance": "12.410000000", "rds-storage": "2.540000000", "rds-proxy": "24.090000000",
			"elasticache": "13.140000000", "vpc-interface-endpoints": "80.300000000", "secrets": "1.600000000",
			"cloudwatch-dashboards": "3.000000000", "cloudwatch-alarms": "3.100000000",
			"cloudwatch-metrics": "2.700000000", "log-storage": "0.030000000", "kms-keys": "1.000000000",
			// One NAT gateway: 0.048 × 730; 1 GB processed; 10,000 calls × 0.05 / 10,000.
			"nat-gateways": "35.040000000", "nat-data": "0.048000000", "secrets-api-calls": "0.050000000",
		}, "179.048000000"},
		{"prod", StageProd, map[string]string{
			"rds-instance": "105.120000000", "rds-storage": "12.700000000", "rds-proxy": "24.090000000",
			"elasticache": "52.560000000", "vpc-interface-endpoints": "80.300000000", "secrets": "2.000000000",
			"cloudwatch-dashboards": "3.000000000", "cloudwatch-alarms": "3.100000000",
			"cloudwatch-metrics": "2.700000000", "log-storage": "0.180000000", "kms-keys": "1.000000000",
			"waf-web-acls": "5.000000000", "waf-rules": "4.000000000",
			// A NAT gateway per zone: 0.048 × 2 × 730.
			"nat-gateways": "70.080000000", "nat-data": "0.048000000", "secrets-api-calls": "0.050000000",
		}, "365.928000000"},
	}
	services := map[string]string{
		"rds-instance": ServiceRDS, "rds-storage": ServiceRDS, "rds-proxy": ServiceRDS, "elasticache": ServiceElastiCache,
		"vpc-interface-endpoints": ServiceVPC, "secrets": ServiceSecrets, "cloudwatch-dashboards": ServiceCloudWatch,
		"cloudwatch-alarms": ServiceCloudWatch, "cloudwatch-metrics": ServiceCloudWatch, "log-storage": ServiceCloudWatch,
		"kms-keys": ServiceKMS, "waf-web-acls": ServiceWAF, "waf-rules": ServiceWAF,
		"nat-gateways": ServiceEC2, "nat-data": ServiceEC2, "secrets-api-calls": ServiceSecrets,
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Fixed(tt.stage)
			if err != nil {
				t.Fatal(err)
			}
			if f.Region != "eu-west-1" || f.Stage != tt.stage || f.PricesRead.Format("2006-01-02") != "2026-12-07" {
				t.Errorf("table %s in %s read %v", f.Stage, f.Region, f.PricesRead)
			}
			if len(f.Items) != len(tt.items) {
				t.Fatalf("%d items, want %d", len(f.Items), len(tt.items))
			}
			var sum Nanos
			for _, it := range f.Items {
				n, err := it.Amount()
				if err != nil {
					t.Fatal(err)
				}
				if n.Decimal() != tt.items[it.Name] {
					t.Errorf("%s: %s, want %s", it.Name, n.Decimal(), tt.items[it.Name])
				}
				if it.Service != services[it.Name] {
					t.Errorf("%s: service %q, want %q", it.Name, it.Service, services[it.Name])
				}
				if it.Description == "" || it.Unit == "" || it.Quantity <= 0 || it.Count <= 0 || !strings.HasPrefix(it.Source, "https://aws.amazon.com/") {
					t.Errorf("%s lacks a description, unit, quantity or source: %+v", it.Name, it)
				}
				if it.Unsure && it.Note == "" {
					t.Errorf("%s is marked unsure without a note saying why", it.Name)
				}
				sum += n
			}
			total, err := f.Total()
			if err != nil || total != sum || total.Decimal() != tt.total {
				t.Fatalf("total %s (err %v), items add up to %s, want %s", total.Decimal(), err, sum.Decimal(), tt.total)
			}
		})
	}
}

// A day of an item, by its one rule: hourly items 24 hours of what runs,
// exact; monthly items the month × 12 / 365, rounded once, half away
// from zero.
func TestFixedItemDaily(t *testing.T) {
	tests := []struct {
		name string
		item FixedItem
		want Nanos
	}{
		// 0.017 × 1 × 24 = 0.408.
		{"hourly, one instance", FixedItem{Billing: BillHourly, UnitPrice: "0.017", Count: 1, Quantity: 730}, 408_000_000},
		// 0.011 × 10 × 24 = 2.64.
		{"hourly, ten endpoint-AZs", FixedItem{Billing: BillHourly, UnitPrice: "0.011", Count: 10, Quantity: 7300}, 2_640_000_000},
		// 0.40 × 3 × 12 / 365 = 14.4 / 365 = 0.0394520547945… → 0.039452055.
		{"monthly, rounded up", FixedItem{Billing: BillMonthly, UnitPrice: "0.40", Count: 3, Quantity: 3}, 39_452_055},
		// 3.00 × 12 / 365 = 0.0986301369863… → 0.098630137.
		{"monthly, one dashboard", FixedItem{Billing: BillMonthly, UnitPrice: "3.00", Count: 1, Quantity: 1}, 98_630_137},
		// 0.03 × 1 × 12 / 365 = 0.000986301369… → 0.000986301 (rounded down).
		{"monthly, rounded down", FixedItem{Billing: BillMonthly, UnitPrice: "0.03", Count: 1, Quantity: 1}, 986_301},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.item.Name = tt.name
			n, err := tt.item.Daily()
			if err != nil || n != tt.want {
				t.Fatalf("daily %d (%v), want %d", n, err, tt.want)
			}
		})
	}
	if _, err := (FixedItem{Name: "x", Billing: "weekly", UnitPrice: "1.00", Count: 1}).Daily(); err == nil {
		t.Fatal("an item billed neither hourly nor monthly must be refused")
	}
}

// The inventory decides the items: a NAT gateway is priced when the
// stack has one, an instance class the table lacks is refused.
func TestFixedItemsFollowTheInventory(t *testing.T) {
	p, err := AWSPrices().Lookup("eu-west-1", time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	items, err := fixedItems(Inventory{NATGateways: 2, Secrets: 1}, p)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, it := range items {
		names = append(names, it.Name)
	}
	if strings.Join(names, ",") != "nat-gateways,nat-data,secrets,secrets-api-calls" || items[0].Service != ServiceEC2 || items[0].Count != 2 {
		t.Fatalf("items %+v", items)
	}
	// 0.048 × 2 × 730 = 70.08 for the gateways; NATDataGBPerMonth × 0.048
	// for their data; SecretsAPICallsPerMonth × 0.05 / 10,000 for the
	// calls; the estimates say they are.
	want := map[string]Nanos{"nat-gateways": 70_080_000_000, "nat-data": NATDataGBPerMonth * 48_000_000,
		"secrets": 400_000_000, "secrets-api-calls": SecretsAPICallsPerMonth * 5_000}
	for _, it := range items {
		if n, err := it.Amount(); err != nil || n != want[it.Name] {
			t.Errorf("%s: %d (%v), want %d", it.Name, n, err, want[it.Name])
		}
		if estimate := it.Name == "nat-data" || it.Name == "secrets-api-calls"; estimate && (!it.Unsure || !strings.Contains(it.Note, "estimate")) {
			t.Errorf("%s is an estimate and must say so: %+v", it.Name, it)
		}
	}
	if items[1].Unit != "GB" || items[1].UnitPrice != "0.048" {
		t.Errorf("NAT data priced %s per %s, want 0.048 per GB", items[1].UnitPrice, items[1].Unit)
	}
	if none, err := fixedItems(Inventory{Secrets: 1}, p); err != nil || len(none) != 2 {
		t.Errorf("without a NAT gateway: %+v (%v), want the secret's two items only", none, err)
	}
	for _, inv := range []Inventory{
		{Database: &DatabaseInventory{Engine: "postgres", InstanceClass: "db.r6g.large", StorageType: "gp2", AllocatedGB: 20}},
		{Database: &DatabaseInventory{Engine: "postgres", InstanceClass: "db.t4g.micro", StorageType: "io1", AllocatedGB: 20}},
		{Cache: &CacheInventory{NodeType: "cache.r7g.large", Nodes: 1}},
		{HighResolutionAlarmMetrics: 1},
	} {
		if _, err := fixedItems(inv, p); err == nil {
			t.Errorf("%+v: priced, want refused", inv)
		}
	}
}

func TestFixedRefusesUnknownStages(t *testing.T) {
	for _, stage := range []string{"", "dev", "localstack", "PROD"} {
		if _, err := Fixed(stage); !errors.Is(err, ErrUnknownStage) {
			t.Errorf("stage %q: %v, want ErrUnknownStage", stage, err)
		}
	}
}

// A caller editing its copy does not change the table.
func TestFixedReturnsACopy(t *testing.T) {
	a, _ := Fixed(StageProd)
	a.Items[0].Quantity = 0
	b, _ := Fixed(StageProd)
	if b.Items[0].Quantity == 0 {
		t.Fatal("Fixed shares its table with callers")
	}
}

func TestFixedItemAmountIsExact(t *testing.T) {
	tests := []struct {
		name, price string
		qty         int64
		want        Nanos
	}{
		{"a price below a cent", "0.0165", 1460, 24_090_000_000},
		{"a price to nine decimals", "0.000000001", 3, 3},
		{"zero quantity", "3.00", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := FixedItem{Name: "x", UnitPrice: tt.price, Quantity: tt.qty}.Amount()
			if err != nil || n != tt.want {
				t.Fatalf("%s × %d = %d (%v), want %d", tt.price, tt.qty, n, err, tt.want)
			}
		})
	}
	if _, err := (FixedItem{Name: "x", UnitPrice: "ten", Quantity: 1}).Amount(); err == nil {
		t.Fatal("a price that is not a number must be refused")
	}
}
