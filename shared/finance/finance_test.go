package finance

import (
	"errors"
	"slices"
	"testing"
	"time"

	"innkeeper/shared/pricing"
	"innkeeper/shared/topology"
)

func TestDivRound(t *testing.T) {
	tests := []struct {
		name string
		n    pricing.Nanos
		d    int64
		want pricing.Nanos
	}{
		{"exact", 9, 3, 3},
		{"below a half", 10, 3, 3},
		{"above a half", 11, 3, 4},
		{"a half rounds up", 5, 2, 3},
		{"a negative half rounds away from zero", -5, 2, -3},
		{"zero", 0, 7, 0},
		{"the largest amount", 1<<63 - 1, 2, 1 << 62},
		{"by one", 1<<63 - 1, 1, 1<<63 - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DivRound(tt.n, tt.d); got != tt.want {
				t.Fatalf("%d / %d = %d, want %d", tt.n, tt.d, got, tt.want)
			}
		})
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		name        string
		part, whole pricing.Nanos
		want        string
		ok          bool
	}{
		{"all", 13000, 13000, "100.0", true},
		{"rounded up", 9201, 13000, "70.8", true},
		{"rounded down", 799, 13000, "6.1", true},
		{"a half", 1, 8, "12.5", true},
		{"a half of a tenth", 1, 2000, "0.1", true},
		{"nothing", 0, 5, "0.0", true},
		{"large amounts", 1 << 61, 1<<62 - 1, "50.0", true},
		{"no total", 0, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Percent(tt.part, tt.whole)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("%d of %d = %q %v, want %q %v", tt.part, tt.whole, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestLastDaysAndDays(t *testing.T) {
	now := time.Date(2026, 12, 1, 23, 59, 0, 0, time.FixedZone("CET", 3600)) // 22:59 UTC
	p := LastDays(now, 30)
	if !p.From.Equal(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)) || !p.To.Equal(time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("last 30 days %v – %v", p.From, p.To)
	}
	days := p.Days()
	if len(days) != 30 || days[0] != "2026-11-02" || days[29] != "2026-12-01" {
		t.Fatalf("days %v", days)
	}
	// A range of instants touches the days it overlaps.
	q := Period{From: time.Date(2026, 3, 28, 22, 0, 0, 0, time.UTC), To: time.Date(2026, 3, 30, 0, 0, 1, 0, time.UTC)}
	if got := q.Days(); !slices.Equal(got, []string{"2026-03-28", "2026-03-29", "2026-03-30"}) {
		t.Fatalf("days %v", got)
	}
}

func TestFillDays(t *testing.T) {
	p := Period{From: time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)}
	got := FillDays([]CostRow{{Key: "2026-11-30", Invocations: 2, Cost: 5}}, p)
	want := []CostRow{{Key: "2026-11-29"}, {Key: "2026-11-30", Invocations: 2, Cost: 5}, {Key: "2026-12-01"}}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// The route keys the reports single out are routes the API serves.
func TestRoutesExist(t *testing.T) {
	for _, key := range []string{SearchRoute, BookRoute} {
		if !slices.ContainsFunc(topology.Innkeeper.Routes, func(r topology.Route) bool { return r.Key() == key }) {
			t.Errorf("%s is not a route of the manifest", key)
		}
	}
}

func TestProject(t *testing.T) {
	// Prod's fixed month, as pricing.TestFixedCosts adds it up from the
	// inventory: 105.12 (RDS) + 12.70 (storage) + 24.09 (proxy) + 52.56
	// (cache) + 80.30 (endpoints) + 2.00 (secrets) + 3.00 (dashboard) +
	// 3.10 (alarms) + 2.70 (metrics) + 0.18 (log storage) + 1.00 (KMS
	// key) + 5.00 (web ACL) + 4.00 (its rules) + 70.08 (two NAT gateways)
	// + 0.048 (their data) + 0.05 (secret reads) = $365.928.
	fixed, err := pricing.Fixed(pricing.StageProd)
	if err != nil {
		t.Fatal(err)
	}
	// $0.008 over 2 bookings: $0.004 each.
	measured := Summary{Cost: 8_000_000, Bookings: 2}
	tests := []struct {
		name                                      string
		perDay                                    int64
		measured                                  Summary
		variable, total, perBooking, fixedPerBook pricing.Nanos
		hasVariable                               bool
	}{
		// 3,000 bookings: $12 variable, $377.928 in all; / 3,000 =
		// 0.125976; fixed 365.928 / 3,000 = 0.121976.
		{"100 a day", 100, measured, 12_000_000_000, 377_928_000_000, 125_976_000, 121_976_000, true},
		// 3,000,000 bookings: $12,000; $12,365.928 / 3e6 = 0.004121976;
		// 365.928 / 3e6 = 0.000121976.
		{"100,000 a day", 100_000, measured, 12_000_000_000_000, 12_365_928_000_000, 4_121_976, 121_976, true},
		// 1 nano over 3 bookings × 30 a month: 10 exactly, not 0 × 30;
		// 365,928,000,010 / 30 = 12,197,600,000.33 → 12,197,600,000;
		// 365,928,000,000 / 30 = 12,197,600,000.
		{"a variable cost below a nano a booking", 1, Summary{Cost: 1, Bookings: 3}, 10, 365_928_000_010, 12_197_600_000, 12_197_600_000, true},
		// 365,928,000,000 / 21,000 = 17,425,142.857… → 17,425,143.
		{"no bookings measured", 700, Summary{Cost: 5_000_000}, 0, 365_928_000_000, 17_425_143, 17_425_143, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Project(tt.measured, fixed, tt.perDay)
			if err != nil {
				t.Fatal(err)
			}
			if f.Bookings != tt.perDay*30 || f.FixedTotal != 365_928_000_000 || f.HasVariable != tt.hasVariable ||
				f.Variable != tt.variable || f.Total != tt.total || f.TotalPerBooking != tt.perBooking || f.FixedPerBooking != tt.fixedPerBook {
				t.Fatalf("bookings %d fixed %d variable %d (%v) total %d per booking %d fixed per booking %d",
					f.Bookings, f.FixedTotal, f.Variable, f.HasVariable, f.Total, f.TotalPerBooking, f.FixedPerBooking)
			}
		})
	}
	for _, n := range []int64{0, -1, MaxBookingsPerDay + 1} {
		if _, err := Project(measured, fixed, n); err == nil {
			t.Errorf("%d bookings a day accepted", n)
		}
	}
	// $50 measured on one booking, at ten million a day: $15 billion.
	if _, err := Project(Summary{Cost: 50 * pricing.Dollar, Bookings: 1}, fixed, MaxBookingsPerDay); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("got %v, want ErrOutOfRange", err)
	}
}

func TestReceiptSharesAddUp(t *testing.T) {
	r := Receipt{Lines: []ReceiptLine{
		{Cost: 1000, SharedBy: 3, ShareIndex: 1},                      // 333: 334 to the first
		{Cost: 205, SharedBy: 2},                                      // 103: the first gets the nano left
		{Cost: 205, SharedBy: 2, ShareIndex: 1},                       // 102
		{Cost: 7, SharedBy: 1},                                        // 7
		{Cost: 9, SharedBy: 0},                                        // 9: a line with no count is this booking's
		{Cost: 50, PrecedingSearch: true, SharedBy: 1},                // 50
		{Cost: 51, PrecedingSearch: true, SharedBy: 2, ShareIndex: 1}, // 25
	}}
	if got := r.Total(); got != 333+103+102+7+9+50+25 {
		t.Fatalf("total %d", got)
	}
}

func TestMemoryVerdicts(t *testing.T) {
	tests := []struct {
		name        string
		m           MemoryUse
		verdict     string
		headroom    int
		headroomPct string
		recommended int
	}{
		{"half used at p99 is not oversized", MemoryUse{ConfiguredMB: 512, PeakMB: 300, P99MB: 256}, VerdictRightSized, 256, "50.0", 512},
		// 1.3 × 100 = 130 → 192 MB.
		{"a fifth used is oversized", MemoryUse{ConfiguredMB: 1024, PeakMB: 100, P99MB: 90}, VerdictOversized, 934, "91.2", 192},
		{"small peaks never go under 128 MB", MemoryUse{ConfiguredMB: 512, PeakMB: 40, P99MB: 38}, VerdictOversized, 474, "92.6", 128},
		// 1.3 × 125 = 162.5 → 163 → 192 MB.
		{"a peak at 90% is tight", MemoryUse{ConfiguredMB: 128, PeakMB: 125, P99MB: 60}, VerdictTight, 68, "53.1", 192},
		{"just under 90% is not", MemoryUse{ConfiguredMB: 1000, PeakMB: 899, P99MB: 600}, VerdictRightSized, 400, "40.0", 1000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pct, _ := tt.m.HeadroomPercent()
			if v := tt.m.Verdict(); v != tt.verdict || tt.m.HeadroomMB() != tt.headroom || pct != tt.headroomPct || tt.m.RecommendedMB() != tt.recommended {
				t.Errorf("verdict %s, headroom %d MB (%s%%), recommended %d; want %s, %d (%s%%), %d",
					v, tt.m.HeadroomMB(), pct, tt.m.RecommendedMB(), tt.verdict, tt.headroom, tt.headroomPct, tt.recommended)
			}
			if tt.m.Recommendation() == "" {
				t.Error("no recommendation")
			}
		})
	}
}
