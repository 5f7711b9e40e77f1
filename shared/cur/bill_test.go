package cur

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"innkeeper/shared/pricing"
)

// fixture is an export of billing period 2026-12 in the published CUR 2.0
// columns, with line items of the prod stage, of another stage, of
// another app, untagged ones, credits, a tax, hourly and daily rows, a
// cost in exponent notation and half nano-dollars.
const fixture = "testdata/export"

var prod = Filter{App: "innkeeper", Stage: "prod"}

// want are the fixture's sums for prod, worked out by hand:
//   - 2026-12-01 AWSLambda usage 0.0000166667 + 0.0000002 =
//     $0.0000168667 = 16866.7 nanos → 16867 (the staging 5.00 and the
//     other app's 7.00 are not prod's);
//   - 2026-12-01 AmazonRDS usage 0.0171 + 0.0171 (two hours) = $0.0342;
//     credit −$0.01; tax $0.0068;
//   - 2026-12-02 AmazonApiGateway usage 1.0E-6 = $0.000001 = 1000 nanos;
//   - 2026-12-02 AWSLambda usage 0.5 nanos → 1 (half up), credit
//     −1.5 nanos → −2 (half away from zero);
//   - the AmazonS3 rows are untagged ({} and empty): not prod's.
func want(file string) []Day {
	f := []string{file}
	return []Day{
		{Day: "2026-12-01", Service: "AWSLambda", BillingPeriod: "2026-12", Usage: 16867, Files: f},
		{Day: "2026-12-01", Service: "AmazonRDS", BillingPeriod: "2026-12", Usage: 34_200_000, Credits: -10_000_000, Tax: 6_800_000, Files: f},
		{Day: "2026-12-02", Service: "AWSLambda", BillingPeriod: "2026-12", Usage: 1, Credits: -2, Files: f},
		{Day: "2026-12-02", Service: "AmazonApiGateway", BillingPeriod: "2026-12", Usage: 1000, Files: f},
	}
}

func TestLoadFolder(t *testing.T) {
	b, err := Load(context.Background(), Dir(fixture), []string{"2026-11", "2026-12"}, prod)
	if err != nil {
		t.Fatal(err)
	}
	days, err := b.Days()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(fixture, "data", "BILLING_PERIOD=2026-12", "innkeeper-cur-00001.csv")
	if !reflect.DeepEqual(days, want(file)) {
		t.Errorf("days:\n got %+v\nwant %+v", days, want(file))
	}
	if got := b.PeriodList(); !reflect.DeepEqual(got, []string{"2026-12"}) {
		t.Errorf("periods = %v; want only 2026-12 (2026-11 has no files)", got)
	}
	if b.Counts != (Counts{Files: 1, Rows: 13, Kept: 9}) {
		t.Errorf("counts = %+v", b.Counts)
	}
	if n := days[1].Net(); n != 31_000_000 {
		t.Errorf("RDS net = %d; want 0.0342 − 0.01 + 0.0068 = $0.031", n)
	}
}

func TestOtherStageSeesOnlyItsOwn(t *testing.T) {
	b, err := Load(context.Background(), Dir(fixture), []string{"2026-12"}, Filter{App: "innkeeper", Stage: "staging"})
	if err != nil {
		t.Fatal(err)
	}
	days, _ := b.Days()
	if len(days) != 1 || days[0].Service != "AWSLambda" || days[0].Usage != 5*pricing.Dollar {
		t.Errorf("staging = %+v; want one day of AWSLambda at $5", days)
	}
}

// TestGzipFilesAddUp: a period in two files, one gzip, adds up; the same
// line items read twice count twice (which is why the export must
// overwrite).
func TestGzipFilesAddUp(t *testing.T) {
	plain, err := os.ReadFile(filepath.Join(fixture, "data", "BILLING_PERIOD=2026-12", "innkeeper-cur-00001.csv"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	part := filepath.Join(dir, "data", "BILLING_PERIOD=2026-12")
	if err := os.MkdirAll(part, 0o755); err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(plain)
	zw.Close()
	os.WriteFile(filepath.Join(part, "a-00001.csv.gz"), z.Bytes(), 0o644)
	os.WriteFile(filepath.Join(part, "a-00002.csv"), plain, 0o644)
	os.WriteFile(filepath.Join(part, "notes.txt"), []byte("not data"), 0o644)
	b, err := Load(context.Background(), Dir(dir), []string{"2026-12"}, prod)
	if err != nil {
		t.Fatal(err)
	}
	days, _ := b.Days()
	if len(days) != 4 || days[0].Usage != 33733 || len(days[0].Files) != 2 {
		t.Errorf("two copies: %+v; want AWSLambda 2026-12-01 at 2 × 16866.7 = 33733.4 → 33733 nanos from both files", days)
	}
	if b.Counts.Files != 2 {
		t.Errorf("files = %d", b.Counts.Files)
	}
}

func header(extra ...string) string {
	return strings.Join(append([]string{ColBillingPeriodStart, ColUsageStart, ColProductCode, ColLineItemType, ColUnblendedCost, ColCurrency, ColResourceTags}, extra...), ",") + "\n"
}

const tags = `"{""user_app"":""innkeeper"",""user_stage"":""prod""}"`

func TestReadCSVRefuses(t *testing.T) {
	tests := []struct {
		name, csv, want string
	}{
		{"not CUR 2.0", "lineItem/UnblendedCost,lineItem/ProductCode\n1,AWSLambda\n", "no column"},
		{"bad cost", header() + "2026-12-01T00:00:00Z,2026-12-01T00:00:00Z,AWSLambda,Usage,1/3,USD," + tags + "\n", "line_item_unblended_cost"},
		{"empty cost", header() + "2026-12-01T00:00:00Z,2026-12-01T00:00:00Z,AWSLambda,Usage,,USD," + tags + "\n", "line_item_unblended_cost"},
		{"other currency", header() + "2026-12-01T00:00:00Z,2026-12-01T00:00:00Z,AWSLambda,Usage,1,EUR," + tags + "\n", "EUR"},
		{"bad day", header() + "2026-12-01T00:00:00Z,yesterday,AWSLambda,Usage,1,USD," + tags + "\n", "line_item_usage_start_date"},
		{"bad tags", header() + "2026-12-01T00:00:00Z,2026-12-01T00:00:00Z,AWSLambda,Usage,1,USD,user_app=innkeeper\n", "resource_tags"},
		{"no service", header() + "2026-12-01T00:00:00Z,2026-12-01T00:00:00Z,,Usage,1,USD," + tags + "\n", "line_item_product_code"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBill(prod)
			err := b.ReadCSV(strings.NewReader(tt.csv), "f.csv")
			var re *ReadError
			if !errors.As(err, &re) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v; want a ReadError about %s", err, tt.want)
			}
			if days, _ := b.Days(); len(days) != 0 || b.Counts.Rows != 0 {
				t.Errorf("a refused file added %+v, %+v", days, b.Counts)
			}
		})
	}
}

// TestOtherStagesAreNotValidated: another stage's line items are
// counted but not read further, so their oddities are not ours.
func TestOtherStagesAreNotValidated(t *testing.T) {
	b := NewBill(prod)
	csv := header() + `2026-12-01T00:00:00Z,2026-12-01T00:00:00Z,AWSLambda,Usage,1,EUR,"{""user_app"":""other""}"` + "\n"
	if err := b.ReadCSV(strings.NewReader(csv), "f.csv"); err != nil {
		t.Fatal(err)
	}
	if b.Counts != (Counts{Files: 1, Rows: 1, Kept: 0}) || !b.Periods["2026-12"] {
		t.Errorf("counts %+v periods %v", b.Counts, b.Periods)
	}
}

func TestKindOf(t *testing.T) {
	tests := []struct {
		typ  string
		want Kind
	}{
		{"Usage", Usage}, {"DiscountedUsage", Usage}, {"SavingsPlanCoveredUsage", Usage},
		{"Credit", Credits}, {"Refund", Credits}, {"SavingsPlanNegation", Credits}, {"EdpDiscount", Credits},
		{"Tax", Tax},
		{"Fee", Fees}, {"RIFee", Fees}, {"SavingsPlanRecurringFee", Fees}, {"SomethingNew", Fees},
	}
	for _, tt := range tests {
		if got := KindOf(tt.typ); got != tt.want {
			t.Errorf("KindOf(%q) = %d; want %d", tt.typ, got, tt.want)
		}
	}
}

func TestParseCost(t *testing.T) {
	tests := []struct {
		name, in string
		want     *big.Rat // nil: an error
	}{
		{"decimal", "0.0000166667", big.NewRat(166667, 10_000_000_000)},
		{"negative", "-1.25", big.NewRat(-5, 4)},
		{"exponent", "2.1E-7", big.NewRat(21, 100_000_000)},
		{"many decimals", "0.00000000000000000001", new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Exp(big.NewInt(10), big.NewInt(20), nil))},
		{"whole", "12", big.NewRat(12, 1)},
		{"fraction", "1/3", nil},
		{"empty", "", nil},
		{"words", "NaN", nil},
		{"huge exponent", "1e9999", nil},
		{"spaces", "1 2", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCost(tt.in)
			if tt.want == nil {
				if err == nil {
					t.Errorf("ParseCost(%q) = %v; want an error", tt.in, got)
				}
				return
			}
			if err != nil || got.Cmp(tt.want) != 0 {
				t.Errorf("ParseCost(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestPeriods(t *testing.T) {
	got := Periods(time.Date(2027, 1, 3, 2, 0, 0, 0, time.UTC))
	if !reflect.DeepEqual(got, []string{"2026-12", "2027-01"}) {
		t.Errorf("Periods = %v", got)
	}
}

func TestParseS3URI(t *testing.T) {
	b, p, err := ParseS3URI("s3://innkeeper-billing/cur/innkeeper-prod/")
	if err != nil || b != "innkeeper-billing" || p != "cur/innkeeper-prod" {
		t.Errorf("= %q %q %v", b, p, err)
	}
	for _, bad := range []string{"https://x/y", "s3:///y", "bucket/prefix", "s3://b/p?x=1"} {
		if _, _, err := ParseS3URI(bad); err == nil {
			t.Errorf("ParseS3URI(%q) took it", bad)
		}
	}
}
