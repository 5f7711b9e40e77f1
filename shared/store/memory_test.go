package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"innkeeper/local/testenv"
	"innkeeper/shared/finance"
	"innkeeper/shared/meter"
	"innkeeper/shared/pricing"
)

func peak(mb int) func(*pricing.Record) {
	return func(r *pricing.Record) { r.Report.MaxMemoryUsedMB = mb }
}

// The memory report: per function and configured size, the invocations
// with a known peak, the highest and the p99 (a peak that occurred);
// rows without a peak and rows outside the period are left out.
func TestMemoryUse(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	var records []pricing.Record
	// api at 256 MB: peaks 1..200 MB. percentile_disc(0.99) of 200
	// values is the 198th smallest: 198.
	for i := 1; i <= 200; i++ {
		records = append(records, invocation(fmt.Sprintf("api-%d", i), "api", clock.Add(time.Duration(i)*time.Millisecond), 300, peak(i)))
	}
	// worker at 512 MB, then resized to 1024: one row per size.
	records = append(records,
		invocation("w-1", "worker", clock, 300, peak(100), func(r *pricing.Record) { r.Report.MemorySizeMB = 512 }),
		invocation("w-2", "worker", clock, 300, peak(120), func(r *pricing.Record) { r.Report.MemorySizeMB = 512 }),
		invocation("w-3", "worker", clock, 300, peak(400), func(r *pricing.Record) { r.Report.MemorySizeMB = 1024 }),
		// No peak known: not in the report.
		invocation("w-4", "worker", clock, 300, func(r *pricing.Record) { r.Report.MemorySizeMB = 1024 }),
		// Outside the period.
		invocation("w-5", "worker", clock.AddDate(0, 0, -3), 300, peak(1000), func(r *pricing.Record) { r.Report.MemorySizeMB = 1024 }),
	)
	if _, err := st.RecordCosts(ctx, records); err != nil {
		t.Fatal(err)
	}
	got, err := st.MemoryUse(ctx, finance.Period{From: clock.Add(-time.Hour), To: clock.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	want := []finance.MemoryUse{
		{Function: "api", ConfiguredMB: 256, Invocations: 200, PeakMB: 200, P99MB: 198},
		{Function: "worker", ConfiguredMB: 512, Invocations: 2, PeakMB: 120, P99MB: 120},
		{Function: "worker", ConfiguredMB: 1024, Invocations: 1, PeakMB: 400, P99MB: 400},
	}
	if !slices.Equal(got, want) {
		t.Errorf("memory use\n got %+v\nwant %+v", got, want)
	}
}

// An attribution line's size is kept with it and read back, so an
// invocation priced again later still counts its end line's bytes.
func TestCostLinesKeepTheAttributionsSize(t *testing.T) {
	t.Parallel()
	st := testenv.Store(t)
	ctx := context.Background()
	a := meter.Attribution{Msg: meter.AttributionMsg, RequestID: "req-size", Function: "api", TriggerKind: meter.TriggerHTTP,
		Phase: meter.PhaseEnd, LogBytes: 12345, EventID: "ev-size", Logged: clock, Size: 321}
	old := a
	old.EventID, old.Phase, old.Size = "ev-old", meter.PhaseStart, 0
	if err := st.SaveCostLines(ctx, nil, []meter.Attribution{a, old}); err != nil {
		t.Fatal(err)
	}
	_, got, err := st.CostLines(ctx, []string{"req-size"})
	if err != nil || len(got) != 2 {
		t.Fatalf("lines %+v, %v", got, err)
	}
	sizes := map[string]int64{}
	for _, l := range got {
		sizes[l.EventID] = l.Size
		if l.EventID == "ev-size" && l.LogBytes != 12345 {
			t.Errorf("log_bytes read back as %d", l.LogBytes)
		}
	}
	if sizes["ev-size"] != 321 || sizes["ev-old"] != 0 {
		t.Errorf("sizes read back %v, want 321 and 0 (unknown)", sizes)
	}
}
