package pricing

import (
	"errors"
	"strings"
	"testing"
)

// The monthly fixed cost of each stage, item by item, hand-checked:
// staging 0.017 × 730 + 0.127 × 20 + 0.0165 × 1,460 + 0.018 × 730 +
// 0.011 × 5,840 + 0.40 × 3 + 3.00 + 0.10 × 15 = $12.41 + $2.54 + $24.09
// + $13.14 + $64.24 + $1.20 + $3.00 + $1.50 = $122.12; prod $105.12 + $12.70 + $24.09 + $52.56 + $64.24 +
// $1.20 + $3.00 + $1.50 = $264.41.
func TestFixedCosts(t *testing.T) {
	tests := []struct {
		name  string
		stage string
		items map[string]string
		total string
	}{
		{"staging", StageStaging, map[string]string{
			"rds-instance": "12.410000000", "rds-storage": "2.540000000", "rds-proxy": "24.090000000",
			"elasticache": "13.140000000", "vpc-interface-endpoints": "64.240000000", "secrets": "1.200000000",
			"cloudwatch-dashboard": "3.000000000", "cloudwatch-alarms": "1.500000000",
		}, "122.120000000"},
		{"prod", StageProd, map[string]string{
			"rds-instance": "105.120000000", "rds-storage": "12.700000000", "rds-proxy": "24.090000000",
			"elasticache": "52.560000000", "vpc-interface-endpoints": "64.240000000", "secrets": "1.200000000",
			"cloudwatch-dashboard": "3.000000000", "cloudwatch-alarms": "1.500000000",
		}, "264.410000000"},
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
				if it.Description == "" || it.Unit == "" || it.Quantity <= 0 || !strings.HasPrefix(it.Source, "https://aws.amazon.com/") {
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
