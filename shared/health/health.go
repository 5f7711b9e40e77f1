// Package health runs dependency checks concurrently under one deadline
// and reports each with its status and latency, for /readyz and /health.
package health

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Status of a check or of the whole report.
type Status string

// Statuses, from best to worst.
const (
	OK      Status = "ok"
	Warning Status = "warning"
	Failed  Status = "failed"
)

// Check is one dependency probe.
type Check struct {
	Name string
	// Critical checks make the whole report failed; others only warn.
	Critical bool
	// Slow is the latency above which a passing check warns; 0 never.
	Slow  time.Duration
	Probe func(ctx context.Context) error
}

// Result is the outcome of one check.
type Result struct {
	Name      string  `json:"name"`
	Status    Status  `json:"status"`
	LatencyMS float64 `json:"latency_ms"`
	Error     string  `json:"error,omitempty"`
}

// Gauge is a figure /health shows beside the checks (queue depth, outbox
// lag, last job runs), with a warning when it is out of bounds.
type Gauge struct {
	Name string
	// Read returns the figure and, when it is worrying, why.
	Read func(ctx context.Context) (value any, warning string, err error)
}

// Report is the outcome of every check and gauge.
type Report struct {
	Status   Status         `json:"status"`
	Version  string         `json:"version"`
	Checks   []Result       `json:"checks"`
	Gauges   map[string]any `json:"gauges,omitempty"`
	Warnings []string       `json:"warnings,omitempty"`
}

// Failing lists the names of failed checks.
func (r Report) Failing() []string {
	var out []string
	for _, c := range r.Checks {
		if c.Status == Failed {
			out = append(out, c.Name)
		}
	}
	return out
}

// Run probes every check and reads every gauge concurrently, each bounded
// by timeout, and never takes much longer than timeout in all.
func Run(ctx context.Context, timeout time.Duration, version string, checks []Check, gauges ...Gauge) Report {
	results := make([]Result, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			start := time.Now()
			err := c.Probe(cctx)
			took := time.Since(start)
			r := Result{Name: c.Name, Status: OK, LatencyMS: float64(took.Microseconds()) / 1000}
			switch {
			case err != nil:
				r.Status, r.Error = Failed, brief(cctx, err)
			case c.Slow > 0 && took > c.Slow:
				r.Status = Warning
			}
			results[i] = r
		}()
	}
	type reading struct {
		value   any
		warning string
	}
	readings := make([]reading, len(gauges))
	for i, g := range gauges {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			v, warn, err := g.Read(gctx)
			if err != nil {
				v, warn = nil, g.Name+": "+brief(gctx, err)
			}
			readings[i] = reading{v, warn}
		}()
	}
	wg.Wait()
	rep := Report{Status: OK, Version: version, Checks: results}
	for i, r := range readings {
		if rep.Gauges == nil {
			rep.Gauges = map[string]any{}
		}
		rep.Gauges[gauges[i].Name] = r.value
		if r.warning != "" {
			rep.Warnings = append(rep.Warnings, r.warning)
		}
	}
	sort.Strings(rep.Warnings)
	for i, r := range results {
		switch {
		case r.Status == Failed && checks[i].Critical:
			rep.Status = Failed
		case r.Status != OK && rep.Status == OK:
			rep.Status = Warning
		}
	}
	if len(rep.Warnings) > 0 && rep.Status == OK {
		rep.Status = Warning
	}
	sort.Slice(rep.Checks, func(i, j int) bool { return rep.Checks[i].Name < rep.Checks[j].Name })
	return rep
}

// brief says what went wrong without leaking addresses or credentials.
func brief(ctx context.Context, _ error) string {
	if ctx.Err() != nil {
		return "timed out"
	}
	return "not answering"
}
