package jobs_test

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"innkeeper/shared/jobs"
	"innkeeper/shared/logging"
	"innkeeper/shared/pricing"
)

// fakeLedger is a jobs.FixedCostLedger in memory, replacing whole days
// as the store does; accrued lists the days each call wrote.
type fakeLedger struct {
	mu      sync.Mutex
	rows    map[time.Time][]pricing.FixedCostDay
	accrued [][]time.Time
}

func (l *fakeLedger) AccrueFixedCosts(ctx context.Context, rows []pricing.FixedCostDay) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	byDay := map[time.Time][]pricing.FixedCostDay{}
	for _, r := range rows {
		byDay[r.Day] = append(byDay[r.Day], r)
	}
	maps.Copy(l.rows, byDay)
	l.accrued = append(l.accrued, slices.SortedFunc(maps.Keys(byDay), time.Time.Compare))
	return len(rows), nil
}

func (l *fakeLedger) FixedCostDays(ctx context.Context, from, to time.Time) ([]pricing.FixedCostDay, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []pricing.FixedCostDay
	for _, d := range slices.SortedFunc(maps.Keys(l.rows), time.Time.Compare) {
		if !d.Before(from) && d.Before(to) {
			out = append(out, l.rows[d]...)
		}
	}
	return out, nil
}

func (l *fakeLedger) FirstFixedCostDay(ctx context.Context) (time.Time, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.rows) == 0 {
		return time.Time{}, false, nil
	}
	return slices.MinFunc(slices.Collect(maps.Keys(l.rows)), time.Time.Compare), true, nil
}

// dec is day d of December 2026, UTC midnight.
func dec(d int) time.Time { return time.Date(2026, time.December, d, 0, 0, 0, 0, time.UTC) }

// ledgerWith is a ledger holding one row on each day given.
func ledgerWith(days ...time.Time) *fakeLedger {
	l := &fakeLedger{rows: map[time.Time][]pricing.FixedCostDay{}}
	for _, d := range days {
		l.rows[d] = []pricing.FixedCostDay{{Day: d, Item: "old", Amount: 1}}
	}
	return l
}

func accrue(t *testing.T, stage string, l *fakeLedger) jobs.Result {
	t.Helper()
	r := &jobs.Runner{Store: newFakeStore(), Log: logging.Discard(), Function: "scheduler", Ledger: l, Stage: stage, Region: "eu-west-1"}
	res, err := r.Handle(context.Background(), scheduled(jobs.AccrueFixedCosts)) // at 29 December, 08:00
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A run accrues yesterday, item by item, at the day's rule: prod's day is
// its month × 12 / 365 (hourly items exactly, as 730 × 12 / 365 = 24
// hours): RDS 0.144 × 24 = 3.456, proxy 0.0165 × 2 × 24 = 0.792, cache
// 0.036 × 2 × 24 = 1.728, endpoints 0.011 × 10 × 24 = 2.64, NAT gateways
// 0.048 × 2 × 24 = 2.304; storage 12.70 × 12 / 365 = 0.417534247,
// secrets 2.00 → 0.065753425, dashboard 3.00 → 0.098630137, alarms 3.10
// → 0.101917808, metrics 2.70 → 0.088767123, log storage 0.18 →
// 0.005917808, KMS key 1.00 → 0.032876712, web ACL 5.00 → 0.164383562,
// WAF rules 4.00 → 0.131506849, NAT data 0.048 → 0.001578082, secret
// reads 0.05 → 0.001643836: 12.030509589 in all (and 365.928 × 12 / 365
// = 12.0305095890…).
func TestAccrueFixedCostsYesterday(t *testing.T) {
	l := ledgerWith()
	res := accrue(t, pricing.StageProd, l)
	if res.Count["days"] != 1 || res.Count["rows"] != 16 {
		t.Fatalf("count %v, want 1 day of 16 items", res.Count)
	}
	rows := l.rows[dec(28)]
	want := map[string]pricing.Nanos{
		"rds-instance": 3_456_000_000, "rds-proxy": 792_000_000, "elasticache": 1_728_000_000, "vpc-interface-endpoints": 2_640_000_000,
		"nat-gateways": 2_304_000_000,
		"rds-storage":  417_534_247, "secrets": 65_753_425, "cloudwatch-dashboards": 98_630_137, "cloudwatch-alarms": 101_917_808,
		"cloudwatch-metrics": 88_767_123, "log-storage": 5_917_808, "kms-keys": 32_876_712, "waf-web-acls": 164_383_562,
		"waf-rules": 131_506_849, "nat-data": 1_578_082, "secrets-api-calls": 1_643_836,
	}
	var sum pricing.Nanos
	for _, r := range rows {
		if r.Amount != want[r.Item] || r.Stage != "prod" || r.Region != "eu-west-1" || r.Service == "" || r.Detail.Name != r.Item {
			t.Errorf("%s: %+v, want %d", r.Item, r, want[r.Item])
		}
		sum += r.Amount
	}
	if sum != 12_030_509_589 {
		t.Errorf("the day adds up to %s, want 12.030509589", sum.Decimal())
	}
	// Again the same day: yesterday is replaced, not added to.
	res = accrue(t, pricing.StageProd, l)
	if res.Count["days"] != 1 || len(l.rows) != 1 || len(l.rows[dec(28)]) != 16 {
		t.Fatalf("second run: %v, ledger days %d", res.Count, len(l.rows))
	}
}

// A missed run leaves no gap: the days since the ledger's first that it
// lacks are accrued, and the days it has are left alone.
func TestAccrueFixedCostsBackfills(t *testing.T) {
	tests := []struct {
		name   string
		ledger *fakeLedger
		want   []time.Time
	}{
		{"a new ledger starts yesterday", ledgerWith(), []time.Time{dec(28)}},
		{"missed days are filled, yesterday redone", ledgerWith(dec(20), dec(21), dec(23), dec(28)),
			[]time.Time{dec(22), dec(24), dec(25), dec(26), dec(27), dec(28)}},
		{"today's row of an earlier run does not start the window", ledgerWith(dec(29)), []time.Time{dec(28)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			accrue(t, pricing.StageStaging, tt.ledger)
			if len(tt.ledger.accrued) != 1 || !slices.Equal(tt.ledger.accrued[0], tt.want) {
				t.Fatalf("accrued %v, want %v", tt.ledger.accrued, tt.want)
			}
		})
	}
	// A ledger begun long ago is filled over the window only.
	l := ledgerWith(dec(29).AddDate(0, 0, -90))
	res := accrue(t, pricing.StageStaging, l)
	got := l.accrued[0]
	if res.Count["days"] != jobs.FixedCostBackfillDays || len(got) != jobs.FixedCostBackfillDays ||
		!got[0].Equal(dec(28).AddDate(0, 0, 1-jobs.FixedCostBackfillDays)) || !got[len(got)-1].Equal(dec(28)) {
		t.Fatalf("accrued %d days from %v to %v (count %v), want the %d ending 28 December", len(got), got[0], got[len(got)-1], res.Count, jobs.FixedCostBackfillDays)
	}
}

// The devstack's stage, which pricing does not know, accrues staging's
// inventory under its own label.
func TestAccrueFixedCostsForALocalStage(t *testing.T) {
	if jobs.PricedStage("local") != pricing.StageStaging || jobs.PricedStage("prod") != pricing.StageProd {
		t.Fatal("local must be priced as staging, prod as itself")
	}
	l := ledgerWith()
	accrue(t, "local", l)
	f, err := pricing.FixedIn(pricing.StageStaging, "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	rows := l.rows[dec(28)]
	if len(rows) != len(f.Items) {
		t.Fatalf("%d rows for staging's %d items", len(rows), len(f.Items))
	}
	for _, r := range rows {
		if r.Stage != "local" {
			t.Errorf("%s labelled %q", r.Item, r.Stage)
		}
	}
}

func TestAccrueFixedCostsNeedsItsLedger(t *testing.T) {
	for _, r := range []*jobs.Runner{
		{Store: newFakeStore(), Log: logging.Discard(), Stage: "prod", Region: "eu-west-1"},
		{Store: newFakeStore(), Log: logging.Discard(), Ledger: ledgerWith(), Region: "eu-west-1"},
		{Store: newFakeStore(), Log: logging.Discard(), Ledger: ledgerWith(), Stage: "prod", Region: "ap-south-1"},
	} {
		if _, err := r.Handle(context.Background(), scheduled(jobs.AccrueFixedCosts)); err == nil {
			t.Errorf("runner %+v accrued", r)
		}
	}
}
