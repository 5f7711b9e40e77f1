package finance

import (
	"context"
	"fmt"

	"innkeeper/shared/pricing"
)

// MemorySource answers the memory report: how much of its configured
// memory each function used, from the REPORT lines' Max Memory Used
// kept in the ledger.
type MemorySource interface {
	// MemoryUse is a row per function and configured size for the
	// invocations that ended in p and whose peak is known, by function
	// then size.
	MemoryUse(ctx context.Context, p Period) ([]MemoryUse, error)
}

// MemoryUse is how one function, at one configured size, used its
// memory over a period: a function resized during the period has a row
// per size.
type MemoryUse struct {
	Function     string
	ConfiguredMB int
	Invocations  int64
	// PeakMB is the largest Max Memory Used; P99MB the 99th percentile
	// of them, as percentile_disc takes it: the smallest peak that 99%
	// of the invocations are at or under (a value that occurred).
	PeakMB int
	P99MB  int
}

// The verdicts of the memory report.
const (
	// VerdictOversized: the p99 peak is under OversizedBelowPercent of
	// the configured memory.
	VerdictOversized = "oversized"
	// VerdictTight: the highest peak reached TightFromPercent of it; an
	// invocation near its limit risks an out-of-memory kill.
	VerdictTight = "tight"
	// VerdictRightSized is anything between.
	VerdictRightSized = "right-sized"
)

// The verdicts' thresholds, in percent of the configured memory.
const (
	OversizedBelowPercent = 50
	TightFromPercent      = 90
	// RecommendedHeadroomPercent is the headroom a recommended size
	// leaves over the highest peak.
	RecommendedHeadroomPercent = 30
)

// HeadroomMB is the configured memory the p99 invocation left unused.
func (m MemoryUse) HeadroomMB() int { return m.ConfiguredMB - m.P99MB }

// HeadroomPercent is HeadroomMB as a share of the configured memory,
// one decimal, rounded half up (Percent); false for a size of zero or a
// p99 over it.
func (m MemoryUse) HeadroomPercent() (string, bool) {
	return Percent(pricing.Nanos(m.HeadroomMB()), pricing.Nanos(m.ConfiguredMB))
}

// Verdict is oversized when the p99 peak is under half the configured
// memory, tight when the highest peak reached 90% of it, right-sized
// otherwise (tight wins: a function can have a low p99 and still come
// near its limit now and then).
func (m MemoryUse) Verdict() string {
	switch {
	case m.PeakMB*100 >= m.ConfiguredMB*TightFromPercent:
		return VerdictTight
	case m.P99MB*100 < m.ConfiguredMB*OversizedBelowPercent:
		return VerdictOversized
	}
	return VerdictRightSized
}

// RecommendedMB is the size the verdict points to: for an oversized or
// tight function, the smallest multiple of 64 MB, within Lambda's 128
// to 10,240 MB, that leaves RecommendedHeadroomPercent over the highest
// peak; otherwise the configured size.
func (m MemoryUse) RecommendedMB() int {
	if m.Verdict() == VerdictRightSized {
		return m.ConfiguredMB
	}
	need := (m.PeakMB*(100+RecommendedHeadroomPercent) + 99) / 100
	mb := (need + 63) / 64 * 64
	return min(max(mb, 128), 10240)
}

// Recommendation says what to do, in a sentence.
func (m MemoryUse) Recommendation() string {
	switch m.Verdict() {
	case VerdictOversized:
		return fmt.Sprintf("p99 uses %d of %d MB: try %d MB (Lambda gives CPU in proportion to memory, so check the duration does not grow by more than the price falls)",
			m.P99MB, m.ConfiguredMB, m.RecommendedMB())
	case VerdictTight:
		return fmt.Sprintf("peak %d of %d MB is close to the limit, where an invocation is killed: raise to %d MB",
			m.PeakMB, m.ConfiguredMB, m.RecommendedMB())
	}
	return fmt.Sprintf("p99 uses %d of %d MB: keep", m.P99MB, m.ConfiguredMB)
}
