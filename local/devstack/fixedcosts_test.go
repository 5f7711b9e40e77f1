package main

import (
	"net/http"
	"testing"

	"innkeeper/shared/pricing"
)

// The devstack fires the fixed-cost accrual like any schedule: the
// scheduler binary writes yesterday's rows into the ledger, one per item
// of staging's inventory (a local stack prices as staging), labelled
// local; firing it again replaces the day.
func TestFixedCostAccrualThroughTheDevstack(t *testing.T) {
	s, log := startStack(t)
	db := stackDB(t, s)
	f, err := pricing.FixedIn(pricing.StageStaging, pricing.DefaultRegion)
	if err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 2; run++ {
		r := call(t, "POST", s.ControlURL+"/_devstack/schedules/accrue-fixed-costs/fire", nil)
		if r.status != http.StatusOK {
			t.Fatalf("fire accrue-fixed-costs (run %d): %d %v\n%s", run, r.status, r.body, log.String())
		}
		if n := queryInt(t, db, `SELECT count(*) FROM fixed_cost_days WHERE stage = 'local' AND region = 'eu-west-1'`); n != len(f.Items) {
			t.Fatalf("run %d: %d ledger rows, want %d (one per item of one day)\n%s", run, n, len(f.Items), log.String())
		}
	}
	if n := queryInt(t, db, `SELECT count(DISTINCT service) FROM fixed_cost_days WHERE service IN ('AmazonRDS', 'AmazonElastiCache', 'AmazonVPC', 'AWSSecretsManager', 'AmazonCloudWatch')`); n != 5 {
		t.Fatalf("%d of the 5 services staging's fixed items bill under", n)
	}
}
