// Package emf writes and checks CloudWatch Embedded Metric Format
// documents: JSON log lines that CloudWatch Logs turns into metrics, so
// a function reports a figure by printing one line, with no call to
// CloudWatch. The functions' attribution lines (shared/meter) and the
// cost ingestion's lines (shared/costingest) are both EMF.
//
// Specification:
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
package emf

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Metric is a metric's definition: the name of the document's number
// member that holds its value, and its unit (one of CloudWatch's).
type Metric struct {
	Name string
	Unit string
}

// Directive is one set of metrics in a namespace, each aggregated by
// every dimension set: lists of the names of the document's string
// members.
type Directive struct {
	Namespace  string
	Dimensions [][]string
	Metrics    []Metric
}

// Metadata is a document's "_aws" member: when, in milliseconds since
// the epoch, and its directives. Writers put it in the document; tests
// read it back with the same type.
type Metadata struct {
	Timestamp         int64
	CloudWatchMetrics []Directive
}

// New is the metadata of one directive: the metrics in namespace, by
// the dimension sets given, at the time given.
func New(at time.Time, namespace string, dimensions [][]string, metrics []Metric) Metadata {
	return Metadata{
		Timestamp:         at.UnixMilli(),
		CloudWatchMetrics: []Directive{{Namespace: namespace, Dimensions: dimensions, Metrics: metrics}},
	}
}

// units are the units CloudWatch accepts in EMF. A slice, not a map:
// every function links this package, and a map literal is built at
// each start; only tests check units.
var units = []string{
	"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes",
	"Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits",
	"Megabits", "Gigabits", "Terabits", "Percent", "Count",
	"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second",
	"Terabytes/Second", "Bits/Second", "Kilobits/Second", "Megabits/Second",
	"Gigabits/Second", "Terabits/Second", "Count/Second", "None",
}

// Check checks a line against the EMF specification's shape: a root
// _aws object with an integer Timestamp (ms) and a CloudWatchMetrics
// array of directives, each with a Namespace, Dimensions (arrays of at
// most 30 names, each a string member of the root) and Metrics (names
// that are number members of the root, units from the list).
func Check(line []byte) error {
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
			if unit, set := def["Unit"]; set && !slices.Contains(units, fmt.Sprint(unit)) {
				return fmt.Errorf("metric %s: unit %v", name, unit)
			}
		}
	}
	return nil
}
