package cur

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// curParquet is a CUR 2.0 line item as the Parquet export types it:
// timestamps, strings, a double cost and the resource_tags map.
type curParquet struct {
	LineItemID         string            `parquet:"identity_line_item_id,optional"`
	BillingPeriodStart time.Time         `parquet:"bill_billing_period_start_date,optional,timestamp(millisecond)"`
	BillingPeriodEnd   time.Time         `parquet:"bill_billing_period_end_date,optional,timestamp(millisecond)"`
	LineItemType       string            `parquet:"line_item_line_item_type,optional"`
	UsageStart         time.Time         `parquet:"line_item_usage_start_date,optional,timestamp(millisecond)"`
	UsageEnd           time.Time         `parquet:"line_item_usage_end_date,optional,timestamp(millisecond)"`
	ProductCode        string            `parquet:"line_item_product_code,optional"`
	UsageType          string            `parquet:"line_item_usage_type,optional"`
	UsageAmount        float64           `parquet:"line_item_usage_amount,optional"`
	Currency           string            `parquet:"line_item_currency_code,optional"`
	UnblendedCost      float64           `parquet:"line_item_unblended_cost,optional"`
	RegionCode         string            `parquet:"product_region_code,optional"`
	ResourceTags       map[string]string `parquet:"resource_tags"`
}

// parquetFixture is the CSV fixture written as a Parquet export.
func parquetFixture(t *testing.T) []byte {
	t.Helper()
	f, err := os.Open(filepath.Join(fixture, "data", "BILLING_PERIOD=2026-12", "innkeeper-cur-00001.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var rows []curParquet
	for _, r := range recs[1:] {
		get := func(name string) string { return r[col[name]] }
		var tags map[string]string
		if s := get(ColResourceTags); s != "" {
			if err := json.Unmarshal([]byte(s), &tags); err != nil {
				t.Fatal(err)
			}
		}
		rows = append(rows, curParquet{
			LineItemID: get("identity_line_item_id"), BillingPeriodStart: ts(get(ColBillingPeriodStart)),
			BillingPeriodEnd: ts(get("bill_billing_period_end_date")), LineItemType: get(ColLineItemType),
			UsageStart: ts(get(ColUsageStart)), UsageEnd: ts(get("line_item_usage_end_date")),
			ProductCode: get(ColProductCode), UsageType: get("line_item_usage_type"),
			UsageAmount: num(get("line_item_usage_amount")), Currency: get(ColCurrency),
			UnblendedCost: num(get(ColUnblendedCost)), RegionCode: get("product_region_code"), ResourceTags: tags,
		})
	}
	var buf bytes.Buffer
	if err := parquet.Write(&buf, rows); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestParquetReadsAsTheCSV: the same line items as Parquet give the same
// sums as the CSV export, hand-computed in want.
func TestParquetReadsAsTheCSV(t *testing.T) {
	raw := parquetFixture(t)
	dir := t.TempDir()
	part := filepath.Join(dir, "data", "BILLING_PERIOD=2026-12")
	if err := os.MkdirAll(part, 0o755); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(part, "innkeeper-cur-00001.snappy.parquet")
	if err := os.WriteFile(name, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := Load(context.Background(), Dir(dir), []string{"2026-12"}, prod)
	if err != nil {
		t.Fatal(err)
	}
	days, err := b.Days()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(days, want(name)) {
		t.Errorf("days:\n got %+v\nwant %+v", days, want(name))
	}
	if b.Counts != (Counts{Files: 1, Rows: 13, Kept: 9}) || !b.Periods["2026-12"] {
		t.Errorf("counts %+v, periods %v", b.Counts, b.Periods)
	}
}

func TestParquetWithoutTheColumns(t *testing.T) {
	var buf bytes.Buffer
	type other struct {
		Cost float64 `parquet:"cost"`
	}
	if err := parquet.Write(&buf, []other{{1}}); err != nil {
		t.Fatal(err)
	}
	b := NewBill(prod)
	if err := b.ReadParquet(bytes.NewReader(buf.Bytes()), int64(buf.Len()), "x.parquet"); err == nil {
		t.Error("a Parquet file without the CUR 2.0 columns was read")
	}
	if err := b.ReadParquet(bytes.NewReader([]byte("not parquet")), 11, "y.parquet"); err == nil {
		t.Error("a file that is not Parquet was read")
	}
}
