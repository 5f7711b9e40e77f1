package emf

import (
	"encoding/json"
	"testing"
	"time"
)

func TestMetadataMakesACheckedDocument(t *testing.T) {
	at := time.Date(2026, 11, 2, 10, 0, 0, 13_000_000, time.UTC)
	doc := map[string]any{
		"_aws":     New(at, "Innkeeper/Test", [][]string{{"Function"}, {"Function", "Route"}}, []Metric{{"Invocations", "Count"}, {"DurationMs", "Milliseconds"}}),
		"Function": "api", "Route": "GET /livez", "Invocations": 1, "DurationMs": 1.5,
	}
	line, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(line); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	var back struct {
		AWS Metadata `json:"_aws"`
	}
	if err := json.Unmarshal(line, &back); err != nil {
		t.Fatal(err)
	}
	d := back.AWS.CloudWatchMetrics
	if back.AWS.Timestamp != at.UnixMilli() || len(d) != 1 || d[0].Namespace != "Innkeeper/Test" ||
		len(d[0].Dimensions) != 2 || len(d[0].Metrics) != 2 || d[0].Metrics[1] != (Metric{"DurationMs", "Milliseconds"}) {
		t.Errorf("metadata = %s", line)
	}
	delete(doc, "Route")
	line, _ = json.Marshal(doc)
	if err := Check(line); err == nil {
		t.Errorf("a dimension without its member passed: %s", line)
	}
}

// Check must catch a broken line, or the tests that use it prove nothing.
func TestCheckCatchesBrokenLines(t *testing.T) {
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
			if err := Check([]byte(tt.line)); err == nil {
				t.Error("Check: want an error")
			}
		})
	}
}
