package httpapi

import (
	"fmt"
	"net/http"
	"strconv"

	"innkeeper/shared/finance"
)

// The memory report: for each function (and configured size, when it
// changed in the range), how much memory its invocations used at their
// peak, from the REPORT lines' Max Memory Used kept in the ledger, and
// what that says about its size (finance.MemoryUse).

type memoryRowView struct {
	Function     string `json:"function"`
	ConfiguredMB int    `json:"configured_mb"`
	Invocations  int64  `json:"invocations"`
	PeakMB       int    `json:"peak_used_mb"`
	P99MB        int    `json:"p99_used_mb"`
	// HeadroomMB is configured − p99; HeadroomPercent its share of the
	// configured size, one decimal, half up (null when it has none).
	HeadroomMB      int     `json:"headroom_mb"`
	HeadroomPercent *string `json:"headroom_percent"`
	Verdict         string  `json:"verdict"`
	RecommendedMB   int     `json:"recommended_mb"`
	Recommendation  string  `json:"recommendation"`
}

type memoryView struct {
	periodView
	// Method says how the figures and the verdicts are made.
	Method string          `json:"method"`
	Rows   []memoryRowView `json:"rows"`
}

// memoryMethod is the report's method, in its own words.
var memoryMethod = fmt.Sprintf("Per function and configured size, the invocations that ended in the range with a known Max Memory Used "+
	"(REPORT line): the highest peak and the 99th percentile (percentile_disc: a peak that occurred). "+
	"Oversized when p99 is under %d%% of the configured size; tight when the highest peak reached %d%%; "+
	"a recommended size leaves %d%% over the highest peak, in 64 MB steps, at least 128 MB.",
	finance.OversizedBelowPercent, finance.TightFromPercent, finance.RecommendedHeadroomPercent)

func viewMemoryRow(m finance.MemoryUse) memoryRowView {
	return memoryRowView{
		Function: m.Function, ConfiguredMB: m.ConfiguredMB, Invocations: m.Invocations, PeakMB: m.PeakMB, P99MB: m.P99MB,
		HeadroomMB: m.HeadroomMB(), HeadroomPercent: optional(m.HeadroomPercent()),
		Verdict: m.Verdict(), RecommendedMB: m.RecommendedMB(), Recommendation: m.Recommendation(),
	}
}

// financeMemory is GET /v1/finance/memory?from=&to=: memory headroom per
// function over the invocations that ended in the range, as JSON or,
// with Accept: text/csv, as CSV. The range reads as the other cost
// reports' (period).
func (s *Server) financeMemory(w http.ResponseWriter, r *http.Request) {
	p, asCSV, ok := s.periodReport(w, r, s.memory != nil)
	if !ok {
		return
	}
	rows, err := s.memory.MemoryUse(r.Context(), p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if asCSV {
		writeMemoryCSV(w, p, rows)
		return
	}
	out := memoryView{periodView: viewPeriod(p), Method: memoryMethod, Rows: make([]memoryRowView, 0, len(rows))}
	for _, m := range rows {
		out.Rows = append(out.Rows, viewMemoryRow(m))
	}
	writeJSON(w, http.StatusOK, out)
}

// writeMemoryCSV writes the report with a header row, a row per
// function and size.
func writeMemoryCSV(w http.ResponseWriter, p finance.Period, rows []finance.MemoryUse) {
	name := fmt.Sprintf("innkeeper-memory-%s-%s.csv",
		p.From.UTC().Format("20060102T150405Z"), p.To.UTC().Format("20060102T150405Z"))
	cw := csvAttachment(w, name)
	_ = cw.Write([]string{"function", "configured_mb", "invocations", "peak_used_mb", "p99_used_mb",
		"headroom_mb", "headroom_percent", "verdict", "recommended_mb", "recommendation"})
	i := strconv.Itoa
	for _, m := range rows {
		pct, _ := m.HeadroomPercent()
		_ = cw.Write([]string{csvCell(m.Function), i(m.ConfiguredMB), strconv.FormatInt(m.Invocations, 10), i(m.PeakMB), i(m.P99MB),
			i(m.HeadroomMB()), pct, m.Verdict(), i(m.RecommendedMB()), m.Recommendation()})
	}
	cw.Flush()
}
