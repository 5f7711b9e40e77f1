package costingest

import (
	"encoding/json"

	"innkeeper/shared/emf"
	"innkeeper/shared/lambdalog"
	"innkeeper/shared/pricing"
)

// EMFNamespace is the CloudWatch namespace of the cost metrics.
const EMFNamespace = "Innkeeper/Cost"

// EMF is the record as one CloudWatch Embedded Metric Format line: the
// metrics CostMicroUSD (Unit None) and BilledDurationMs (Milliseconds)
// in EMFNamespace, by Function and by Function and Route, timestamped
// when the invocation ended. The request id, trigger kind, hotel,
// reservation and exact cost ("cost_usd", a decimal string) ride along
// as properties, searchable in Logs Insights without becoming dimensions.
func EMF(record pricing.Record) []byte {
	doc := map[string]any{
		"_aws": emf.New(record.Ended, EMFNamespace, [][]string{{"Function"}, {"Function", "Route"}}, []emf.Metric{
			{Name: "CostMicroUSD", Unit: "None"},
			{Name: "BilledDurationMs", Unit: "Milliseconds"},
		}),
		"Function":         record.Function,
		"Route":            record.Route(),
		"CostMicroUSD":     record.Breakdown.Total.Micros(),
		"BilledDurationMs": lambdalog.CeilMillis(record.Report.BilledDuration),
		"request_id":       record.RequestID,
		"trigger_kind":     record.TriggerKind,
		"cost_usd":         record.Breakdown.Total.Decimal(),
	}
	if record.Hotel != "" {
		doc["hotel"] = record.Hotel
	}
	if len(record.Reservations) > 0 {
		doc["reservations"] = record.Reservations
	}
	// Only strings, numbers, slices and maps: Marshal cannot fail.
	line, _ := json.Marshal(doc)
	return line
}
