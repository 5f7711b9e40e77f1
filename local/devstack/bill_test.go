package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"innkeeper/shared/demo"
)

// TestReconcileBillEndToEnd: the scheduler reads a CUR 2.0 export from
// the folder CUR_DIR names when its schedule fires, and the
// reconciliation report sets it beside the ledger, in JSON and CSV. The
// export is the cur package's fixture moved to this month (the job reads
// the current billing period and the one before).
func TestReconcileBillEndToEnd(t *testing.T) {
	month := time.Now().UTC().Format("2006-01")
	raw, err := os.ReadFile(filepath.Join(root, "shared/cur/testdata/export/data/BILLING_PERIOD=2026-12/innkeeper-cur-00001.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// Only the fixture's own dates move; the billing period's end is not
	// read.
	body := strings.ReplaceAll(string(raw), "2026-12-", month+"-")
	dir := t.TempDir()
	part := filepath.Join(dir, "data", "BILLING_PERIOD="+month)
	if err := os.MkdirAll(part, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(part, "innkeeper-cur-00001.csv"), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	s, log := startStack(t, func(o *Options) {
		getenv := o.Getenv
		o.Getenv = func(k string) string {
			switch k {
			case "CUR_DIR":
				return dir
			case "COST_STAGE":
				return "prod" // the fixture's stage
			}
			return getenv(k)
		}
		o.NoSchedules = true
	})
	r := call(t, "POST", s.ControlURL+"/_devstack/schedules/reconcile-bill/fire", nil)
	if r.status != http.StatusOK || r.body["function_error"] != "" {
		t.Fatalf("fire reconcile-bill: %d %v\n%s", r.status, r.body, log.String())
	}
	url := s.URL + "/v1/finance/reconciliation?from=" + month + "-01&to=" + month + "-02"
	rep := call(t, "GET", url, nil, "Authorization", "Bearer "+demo.SampleAdminKey)
	if rep.status != 200 {
		t.Fatalf("reconciliation: %d %v", rep.status, rep.body)
	}
	billed := map[string]any{}
	for _, row := range rep.body["rows"].([]any) {
		row := row.(map[string]any)
		billed[row["day"].(string)[8:]+" "+row["service"].(string)] = row["billed"].(map[string]any)["cost_nanos"]
	}
	// The fixture's prod usage (shared/cur's test works it out by hand).
	for k, want := range map[string]float64{"01 AWSLambda": 16_867, "01 AmazonRDS": 34_200_000, "02 AmazonApiGateway": 1_000, "02 AWSLambda": 1} {
		if billed[k] != want {
			t.Errorf("billed %s = %v; want %v (all: %v)", k, billed[k], want, billed)
		}
	}
	rows := getCSV(t, s, strings.TrimPrefix(url, s.URL))
	if len(rows) < 5 || rows[len(rows)-1]["day"] != "TOTAL" {
		t.Fatalf("CSV rows: %v", rows)
	}
}
