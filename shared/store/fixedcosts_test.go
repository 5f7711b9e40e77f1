package store_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/finance"
	"innkeeper/shared/pricing"
	"innkeeper/shared/store"
)

func nov(d int) time.Time { return time.Date(2026, time.November, d, 0, 0, 0, 0, time.UTC) }

// rowsOn are the fixed-cost rows of stage staging on day d: amounts
// given by item.
func rowsOn(d int, amounts map[string]pricing.Nanos) []store.FixedCostDay {
	var out []store.FixedCostDay
	for item, n := range amounts {
		out = append(out, store.FixedCostDay{Day: nov(d), Item: item, Service: "Amazon" + item, Stage: "staging", Region: "eu-west-1",
			Amount: n, Detail: pricing.FixedItem{Name: item, Billing: pricing.BillHourly, UnitPrice: "0.017", Count: 1}})
	}
	return out
}

// sums are the ledger's amounts by day and item.
func sums(t *testing.T, st *store.Store, from, to time.Time) map[string]pricing.Nanos {
	t.Helper()
	rows, err := st.FixedCostDays(context.Background(), from, to)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]pricing.Nanos{}
	for _, r := range rows {
		k := fmt.Sprintf("%s %s", r.Day.Format(time.DateOnly), r.Item)
		if _, dup := out[k]; dup {
			t.Errorf("%s twice", k)
		}
		out[k] = r.Amount
	}
	return out
}

func TestAccrueFixedCostsReplacesTheDay(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	if _, ok, err := st.FirstFixedCostDay(ctx); err != nil || ok {
		t.Fatalf("an empty ledger has a first day (%v)", err)
	}
	rows := append(rowsOn(3, map[string]pricing.Nanos{"RDS": 408_000_000, "NAT": 1_152_000_000}),
		rowsOn(4, map[string]pricing.Nanos{"RDS": 408_000_000})...)
	if n, err := st.AccrueFixedCosts(ctx, rows); err != nil || n != 3 {
		t.Fatalf("accrued %d (%v)", n, err)
	}
	// Day 3 again, at a new price and without the NAT gateway: replaced,
	// not added to; day 4 untouched.
	if _, err := st.AccrueFixedCosts(ctx, rowsOn(3, map[string]pricing.Nanos{"RDS": 432_000_000})); err != nil {
		t.Fatal(err)
	}
	got := sums(t, st, nov(1), nov(30))
	want := map[string]pricing.Nanos{"2026-11-03 RDS": 432_000_000, "2026-11-04 RDS": 408_000_000}
	if !maps.Equal(got, want) {
		t.Fatalf("ledger %v, want %v", got, want)
	}
	// The range is half-open by UTC day, whatever the hour given.
	if got := sums(t, st, nov(4).Add(13*time.Hour), nov(5).Add(time.Minute)); !maps.Equal(got, map[string]pricing.Nanos{"2026-11-04 RDS": 408_000_000}) {
		t.Fatalf("day 4 alone: %v", got)
	}
	if got := sums(t, st, nov(3), nov(4)); len(got) != 1 {
		t.Fatalf("day 3 alone: %v", got)
	}
	rowsBack, err := st.FixedCostDays(ctx, nov(3), nov(4))
	if err != nil || len(rowsBack) != 1 {
		t.Fatalf("%v %v", rowsBack, err)
	}
	r := rowsBack[0]
	if r.Service != "AmazonRDS" || r.Stage != "staging" || r.Region != "eu-west-1" || r.Detail.UnitPrice != "0.017" ||
		r.Detail.Billing != pricing.BillHourly || !r.Day.Equal(nov(3)) || r.Day.Location() != time.UTC {
		t.Fatalf("row read back %+v", r)
	}
	// Per service and day: two items of one service on day 6 add up.
	if _, err := st.AccrueFixedCosts(ctx, []store.FixedCostDay{
		{Day: nov(6), Item: "rds-instance", Service: "AmazonRDS", Stage: "staging", Region: "eu-west-1", Amount: 408_000_000},
		{Day: nov(6), Item: "rds-storage", Service: "AmazonRDS", Stage: "staging", Region: "eu-west-1", Amount: 83_506_849},
		{Day: nov(6), Item: "secrets", Service: "AWSSecretsManager", Stage: "staging", Region: "eu-west-1", Amount: 39_452_055},
	}); err != nil {
		t.Fatal(err)
	}
	// The reconciliation reads them so.
	facts, err := st.ReconciliationFacts(ctx, finance.Period{From: nov(4), To: nov(7)})
	if err != nil {
		t.Fatal(err)
	}
	var got2 []string
	for _, tot := range facts.Fixed {
		got2 = append(got2, fmt.Sprintf("%s %s %d", tot.Day, tot.Service, tot.Amount))
	}
	slices.Sort(got2)
	if want := []string{"2026-11-04 AmazonRDS 408000000", "2026-11-06 AWSSecretsManager 39452055", "2026-11-06 AmazonRDS 491506849"}; !slices.Equal(got2, want) {
		t.Fatalf("totals %v, want %v", got2, want)
	}
	if first, ok, err := st.FirstFixedCostDay(ctx); err != nil || !ok || !first.Equal(nov(3)) {
		t.Fatalf("first day %v %v %v", first, ok, err)
	}
}

// A bad row is refused before anything is written.
func TestAccrueFixedCostsRefusesBadRows(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	good := rowsOn(5, map[string]pricing.Nanos{"RDS": 1})[0]
	tests := []struct {
		name string
		edit func(*store.FixedCostDay)
	}{
		{"not a midnight", func(r *store.FixedCostDay) { r.Day = r.Day.Add(time.Hour) }},
		{"no item", func(r *store.FixedCostDay) { r.Item = "" }},
		{"no service", func(r *store.FixedCostDay) { r.Service = "" }},
		{"no stage", func(r *store.FixedCostDay) { r.Stage = "" }},
		{"negative", func(r *store.FixedCostDay) { r.Amount = -1 }},
	}
	for _, tt := range tests {
		bad := good
		tt.edit(&bad)
		if _, err := st.AccrueFixedCosts(ctx, []store.FixedCostDay{good, bad}); err == nil {
			t.Errorf("%s: accepted", tt.name)
		}
	}
	if got := sums(t, st, nov(1), nov(30)); len(got) != 0 {
		t.Fatalf("rows written despite a bad one: %v", got)
	}
}
