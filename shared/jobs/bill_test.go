package jobs_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/cur"
	"innkeeper/shared/finance"
	"innkeeper/shared/jobs"
	"innkeeper/shared/logging"
)

// The cur package's fixture: an export of billing period 2026-12.
const billFixture = "../cur/testdata/export"

// TestReconcileBillReadsAFolder runs the job on the real store over the
// CUR 2.0 fixture: December's prod line items land by day and service,
// and a second run replaces rather than adds.
func TestReconcileBillReadsAFolder(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	r := &jobs.Runner{Store: st, Log: logging.Discard(), Function: "scheduler",
		Bill: jobs.BillExport{Source: cur.Dir(billFixture), Filter: cur.Filter{App: "innkeeper", Stage: "prod"}}}
	for run := 1; run <= 2; run++ {
		res, err := r.Handle(context.Background(), scheduled(jobs.ReconcileBill))
		if err != nil {
			t.Fatal(err)
		}
		// November (the month before at) has no files and is not read.
		want := map[string]int{"files": 1, "rows": 13, "kept": 9, "periods": 1, "days": 4}
		if !reflect.DeepEqual(res.Count, want) {
			t.Errorf("run %d: count %v; want %v", run, res.Count, want)
		}
	}
	f, err := st.ReconciliationFacts(context.Background(), finance.Period{
		From: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][4]int64{}
	for _, d := range f.Bill {
		got[d.Day+" "+d.Service] = [4]int64{int64(d.Usage), int64(d.Credits), int64(d.Tax), int64(d.Fees)}
	}
	want := map[string][4]int64{
		"2026-12-01 AWSLambda":        {16_867, 0, 0, 0},
		"2026-12-01 AmazonRDS":        {34_200_000, -10_000_000, 6_800_000, 0},
		"2026-12-02 AWSLambda":        {1, -2, 0, 0},
		"2026-12-02 AmazonApiGateway": {1_000, 0, 0, 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("bill held:\n got %v\nwant %v", got, want)
	}
}

func TestReconcileBillWithoutAnExport(t *testing.T) {
	f := newFixture()
	res, err := f.runner.Handle(context.Background(), scheduled(jobs.ReconcileBill))
	if err != nil || res.Count["unconfigured"] != 1 {
		t.Errorf("= %+v, %v; want a run that says it is unconfigured", res, err)
	}
}

// TestReconcileBillFailsOnABadExport: a data file that cannot be read
// fails the run (recorded), rather than reading as an empty bill.
func TestReconcileBillFailsOnABadExport(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	dir := t.TempDir()
	writeFile(t, dir+"/data/BILLING_PERIOD=2026-12/x-00001.snappy.parquet", "PAR1")
	r := &jobs.Runner{Store: st, Log: logging.Discard(), Function: "scheduler",
		Bill: jobs.BillExport{Source: cur.Dir(dir), Filter: cur.Filter{App: "innkeeper", Stage: "prod"}}}
	if _, err := r.Handle(context.Background(), scheduled(jobs.ReconcileBill)); err == nil {
		t.Error("a broken Parquet file was read as an empty bill")
	}
}

func writeFile(t *testing.T, name, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
