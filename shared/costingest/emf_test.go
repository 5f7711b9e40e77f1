package costingest

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"innkeeper/shared/emf"
	"innkeeper/shared/lambdalog"
	"innkeeper/shared/meter"
	"innkeeper/shared/pricing"
)

func TestEMF(t *testing.T) {
	ended := time.Date(2026, 11, 2, 10, 0, 0, 13_000_000, time.UTC)
	rec := pricing.Record{
		RequestID: "r1", Function: "api", Trigger: "GET /v1/hotels/{slug}", TriggerKind: meter.TriggerHTTP,
		Hotel: "lisbon-riverside", Ended: ended,
		Report:    lambdalog.Report{BilledDuration: 13 * time.Millisecond},
		Breakdown: pricing.Breakdown{Total: 222},
	}
	line := EMF(rec)
	if err := emf.Check(line); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	var got struct {
		AWS              emf.Metadata `json:"_aws"`
		Function         string
		Route            string
		CostMicroUSD     float64
		BilledDurationMs int64
		CostUSD          string `json:"cost_usd"`
		Hotel            string `json:"hotel"`
		Reservations     []string
	}
	if err := json.Unmarshal(line, &got); err != nil {
		t.Fatal(err)
	}
	m := got.AWS.CloudWatchMetrics[0]
	if got.AWS.Timestamp != ended.UnixMilli() || m.Namespace != "Innkeeper/Cost" ||
		fmt.Sprint(m.Dimensions) != "[[Function] [Function Route]]" ||
		fmt.Sprint(m.Metrics) != "[{CostMicroUSD None} {BilledDurationMs Milliseconds}]" {
		t.Errorf("_aws = %+v", got.AWS)
	}
	// $0.000000222 = 0.222 micro-dollars.
	if got.Function != "api" || got.Route != "GET /v1/hotels/{slug}" || got.CostMicroUSD != 0.222 ||
		got.BilledDurationMs != 13 || got.CostUSD != "0.000000222" || got.Hotel != "lisbon-riverside" || got.Reservations != nil {
		t.Errorf("EMF = %s", line)
	}
}

func TestEMFOfAnUnattributedRecord(t *testing.T) {
	line := EMF(pricing.Record{RequestID: "r2", Function: "worker", TriggerKind: meter.TriggerDirect, Ended: time.UnixMilli(1)})
	if err := emf.Check(line); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	var got map[string]any
	if err := json.Unmarshal(line, &got); err != nil {
		t.Fatal(err)
	}
	if got["Route"] != "direct" {
		t.Errorf("Route = %v, want the trigger kind", got["Route"])
	}
	if _, ok := got["hotel"]; ok {
		t.Error("an empty hotel is written")
	}
}
