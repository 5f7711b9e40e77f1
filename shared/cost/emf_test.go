package cost

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// emfUnits are the units CloudWatch accepts in EMF.
var emfUnits = map[string]bool{
	"Seconds": true, "Microseconds": true, "Milliseconds": true, "Bytes": true, "Kilobytes": true,
	"Megabytes": true, "Gigabytes": true, "Terabytes": true, "Bits": true, "Kilobits": true,
	"Megabits": true, "Gigabits": true, "Terabits": true, "Percent": true, "Count": true,
	"Bytes/Second": true, "Kilobytes/Second": true, "Megabytes/Second": true, "Gigabytes/Second": true,
	"Terabytes/Second": true, "Bits/Second": true, "Kilobits/Second": true, "Megabits/Second": true,
	"Gigabits/Second": true, "Terabits/Second": true, "Count/Second": true, "None": true,
}

// checkEMF checks a line against the EMF specification's shape: a root
// _aws object with an integer Timestamp (ms) and a CloudWatchMetrics
// array of directives, each with a Namespace, Dimensions (arrays of at
// most 30 names, each a string member of the root) and Metrics (names
// that are number members of the root, units from the list).
func checkEMF(line []byte) error {
	var root map[string]any
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		return err
	}
	if bytes.ContainsAny(line, "\n") {
		return fmt.Errorf("not one line")
	}
	aws, ok := root["_aws"].(map[string]any)
	if !ok {
		return fmt.Errorf("no _aws object")
	}
	ts, ok := aws["Timestamp"].(json.Number)
	if _, err := ts.Int64(); !ok || err != nil {
		return fmt.Errorf("_aws.Timestamp %v: not an integer", aws["Timestamp"])
	}
	directives, ok := aws["CloudWatchMetrics"].([]any)
	if !ok || len(directives) == 0 {
		return fmt.Errorf("no CloudWatchMetrics array")
	}
	for _, d := range directives {
		dir, ok := d.(map[string]any)
		if !ok {
			return fmt.Errorf("directive %v: not an object", d)
		}
		if ns, ok := dir["Namespace"].(string); !ok || ns == "" {
			return fmt.Errorf("no Namespace")
		}
		sets, ok := dir["Dimensions"].([]any)
		if !ok {
			return fmt.Errorf("no Dimensions array")
		}
		for _, s := range sets {
			set, ok := s.([]any)
			if !ok || len(set) > 30 {
				return fmt.Errorf("dimension set %v: not an array of at most 30", s)
			}
			for _, name := range set {
				n, ok := name.(string)
				if !ok {
					return fmt.Errorf("dimension %v: not a string", name)
				}
				if _, ok := root[n].(string); !ok {
					return fmt.Errorf("dimension %s: no string member of that name", n)
				}
			}
		}
		metrics, ok := dir["Metrics"].([]any)
		if !ok || len(metrics) == 0 {
			return fmt.Errorf("no Metrics array")
		}
		for _, m := range metrics {
			def, ok := m.(map[string]any)
			if !ok {
				return fmt.Errorf("metric %v: not an object", m)
			}
			name, _ := def["Name"].(string)
			if _, ok := root[name].(json.Number); !ok {
				return fmt.Errorf("metric %q: no number member of that name", name)
			}
			if unit, set := def["Unit"]; set && !emfUnits[fmt.Sprint(unit)] {
				return fmt.Errorf("metric %s: unit %v", name, unit)
			}
		}
	}
	return nil
}

func TestEMF(t *testing.T) {
	ended := time.Date(2026, 11, 2, 10, 0, 0, 13_000_000, time.UTC)
	rec := Record{
		RequestID: "r1", Function: "api", Trigger: "GET /v1/hotels/{slug}", TriggerKind: TriggerHTTP,
		Hotel: "lisbon-riverside", Ended: ended,
		Report:    Report{BilledDuration: 13 * time.Millisecond},
		Breakdown: Breakdown{Total: 222},
	}
	line := EMF(rec)
	if err := checkEMF(line); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	var got struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
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
	line := EMF(Record{RequestID: "r2", Function: "worker", TriggerKind: TriggerDirect, Ended: time.UnixMilli(1)})
	if err := checkEMF(line); err != nil {
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

// checkEMF itself must catch a broken line, or TestEMF proves nothing.
func TestCheckEMFCatchesBrokenLines(t *testing.T) {
	tests := []struct {
		name string
		line string
	}{
		{"no _aws", `{"Function":"api"}`},
		{"timestamp a string", `{"_aws":{"Timestamp":"1","CloudWatchMetrics":[]}}`},
		{"dimension missing", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[["Function"]],"Metrics":[{"Name":"m"}]}]},"m":1}`},
		{"metric missing", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[],"Metrics":[{"Name":"m"}]}]}}`},
		{"metric a string", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[],"Metrics":[{"Name":"m"}]}]},"m":"1"}`},
		{"bad unit", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"n","Dimensions":[],"Metrics":[{"Name":"m","Unit":"Dollars"}]}]},"m":1}`},
		{"no namespace", `{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Dimensions":[],"Metrics":[{"Name":"m"}]}]},"m":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkEMF([]byte(tt.line)); err == nil {
				t.Error("checkEMF: want an error")
			}
		})
	}
}
