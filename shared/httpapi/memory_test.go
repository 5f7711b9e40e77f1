package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"testing"

	"innkeeper/local/testenv"
	"innkeeper/shared/pricing"
)

// memoryUsed gives a record a configured size and a peak.
func memoryUsed(configured, peak int) func(*pricing.Record) {
	return func(r *pricing.Record) { r.Report.MemorySizeMB, r.Report.MaxMemoryUsedMB = configured, peak }
}

// memoryLedger records 100 api invocations at 512 MB peaking 1..100 MB
// (p99 99, an oversized function) and 10 worker invocations at 256 MB
// peaking 200..245 (tight), on 29 November 2026.
func memoryLedger(c *client) {
	var records []pricing.Record
	for i := 1; i <= 100; i++ {
		records = append(records, priced(fmt.Sprintf("mem-api-%d", i), "api", at(11, 29, 9), 1000, memoryUsed(512, i)))
	}
	for i := range 10 {
		records = append(records, priced(fmt.Sprintf("mem-w-%d", i), "worker", at(11, 29, 10), 1000, memoryUsed(256, 200+5*i)))
	}
	c.record(records...)
}

func TestFinanceMemory(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	memoryLedger(c)
	r := c.do("GET", "/v1/finance/memory?from=2026-11-29&to=2026-11-29", nil, bearer(c.apiKey("finance"))...)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	var got []string
	for _, x := range m["rows"].([]any) {
		row := x.(map[string]any)
		got = append(got, fmt.Sprintf("%v %v %v %v %v %v %v %v %v", row["function"], row["configured_mb"], row["invocations"],
			row["peak_used_mb"], row["p99_used_mb"], row["headroom_mb"], row["headroom_percent"], row["verdict"], row["recommended_mb"]))
	}
	want := []string{
		// 413 / 512 = 80.66 %; 1.3 × 100 = 130 → 192 MB.
		"api 512 100 100 99 413 80.7 oversized 192",
		// Peak 245 of 256 ≥ 90 %; p99 of ten peaks is the highest;
		// 1.3 × 245 = 318.5 → 319 → 320 MB.
		"worker 256 10 245 245 11 4.3 tight 320",
	}
	if !slices.Equal(got, want) {
		t.Errorf("rows\n%v\nwant\n%v", got, want)
	}
	if m["method"] == "" || m["from"] != "2026-11-29T00:00:00Z" || m["to"] != "2026-11-30T00:00:00Z" {
		t.Errorf("report %v", m)
	}
	// Outside the range: no rows.
	r = c.do("GET", "/v1/finance/memory?from=2026-11-01&to=2026-11-28", nil, bearer(c.apiKey("finance"))...)
	if rows := r.JSON(t)["rows"].([]any); r.Status != 200 || len(rows) != 0 {
		t.Errorf("%d rows outside the range: %s", len(rows), r.Body)
	}
}

func TestFinanceMemoryCSV(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	memoryLedger(c)
	r := c.do("GET", "/v1/finance/memory?from=2026-11-29&to=2026-11-29", nil, with(bearer(c.apiKey("finance")), "Accept", "text/csv")...)
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		r.Header.Get("Content-Disposition") != `attachment; filename="innkeeper-memory-20261129T000000Z-20261130T000000Z.csv"` {
		t.Fatalf("%d %v %s", r.Status, r.Header, r.Body)
	}
	got, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil || len(got) != 3 {
		t.Fatalf("%v %q", err, got)
	}
	if !slices.Equal(got[0][:9], []string{"function", "configured_mb", "invocations", "peak_used_mb", "p99_used_mb", "headroom_mb", "headroom_percent", "verdict", "recommended_mb"}) ||
		!slices.Equal(got[1][:9], []string{"api", "512", "100", "100", "99", "413", "80.7", "oversized", "192"}) ||
		!slices.Equal(got[2][:9], []string{"worker", "256", "10", "245", "245", "11", "4.3", "tight", "320"}) {
		t.Errorf("csv %q", got)
	}
}

// Finance's and the admin's; a bad query is a 400 naming each
// parameter, whatever the Accept, and changes nothing.
func TestFinanceMemoryRolesAndBadQueries(t *testing.T) {
	t.Parallel()
	c := newClient(t, testenv.APIOptions{})
	const path = "/v1/finance/memory?from=2026-11-01&to=2026-11-02"
	c.do("GET", path, nil).Problem(t, 401, "unauthorized")
	c.do("GET", path, nil, bearer(c.apiKey("staff"))...).Problem(t, 403, "forbidden")
	fin := bearer(c.apiKey("finance"))
	for _, h := range [][]string{fin, admin()} {
		if r := c.do("GET", path, nil, h...); r.Status != 200 {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	}
	count := func() int {
		return c.api.Int(t, `SELECT (SELECT count(*) FROM invocation_costs) + (SELECT count(*) FROM api_keys)`)
	}
	before := count()
	for _, tt := range []struct {
		name, query string
		fields      []string
	}{
		{"from not a date", "from=yesterday", []string{"from"}},
		{"from after to", "from=2026-12-01&to=2026-11-01", []string{"from"}},
		{"more than 366 days", "from=2025-01-01&to=2026-01-02", []string{"to"}},
		{"unknown parameter", "function=api", []string{"function"}},
		{"a parameter twice", "from=2026-11-01&from=2026-11-02", []string{"from"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, accept := range []string{"application/json", "text/csv"} {
				r := c.do("GET", "/v1/finance/memory?"+tt.query, nil, with(fin, "Accept", accept)...)
				for _, f := range tt.fields {
					r.FieldError(t, 400, f)
				}
			}
		})
	}
	c.do("GET", path, nil, with(fin, "Accept", "application/xml")...).Problem(t, 406, "not-acceptable")
	if after := count(); after != before {
		t.Fatalf("rows went from %d to %d", before, after)
	}
}
